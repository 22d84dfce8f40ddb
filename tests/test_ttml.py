"""EBU-TT-D: render's film.ttml, check-subs reading TTML, and round trips SRT <-> WebVTT <-> TTML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.caption_files import write_srt, write_ttml, write_vtt
from triggerfilm.app import fix_subtitle_file
from triggerfilm.captions.check import check_subtitles, read_subtitles
from triggerfilm.captions.model import Cue
from triggerfilm.captions.profiles import get_profile
from triggerfilm.captions.ttml import TT, format_ttml
from triggerfilm.errors import SubtitleFormatError

FIXTURES = Path(__file__).resolve().parent / "data" / "subtitles"


def _cues() -> list[Cue]:
    return [
        Cue(1.0, 3.5, ("I went in for an operation,", "and it was meant to be routine."), "ICU07"),
        Cue(4.0, 6.0, ("She said <b> & -->",), "ICU07", label=True),
        Cue(3600 * 1.5, 3600 * 1.5 + 2.25, ("An hour and a half in.",), "ICU12"),
    ]


def test_one_p_per_cue_with_profile_styles(tmp_path):
    path = write_ttml(_cues(), tmp_path / "film.ttml", get_profile("bbc"))
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{TT}}}tt"
    ps = root.findall(f".//{{{TT}}}body//{{{TT}}}p")
    assert len(ps) == 3
    assert [p.get("begin") for p in ps] == ["00:00:01.000", "00:00:04.000", "01:30:00.000"]
    assert ps[0].findall(f"{{{TT}}}br") and len(ps[0].findall(f"{{{TT}}}span")) == 2
    text = path.read_text(encoding="utf-8")
    assert "urn:ebu:tt:distribution:2018-04" in text
    assert "caption profile bbc" in text and 'tts:backgroundColor="#000000"' in text
    assert "ICU07: She said &lt;b&gt; &amp; --&gt;" in text


def test_check_subs_reads_ttml_and_finds_its_defects(tmp_path):
    path = tmp_path / "broken.ttml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter"'
        ' ttp:frameRate="25">\n<body><div begin="10s">\n'
        '<p begin="00:00:01:00" end="00:00:03:00">Frames, inside a div at 10 s.</p>\n'
        '<p begin="2.5s" dur="0.5s">Overlaps the first.</p>\n'
        '<p begin="00:00:20.000">No end.</p>\n'
        '<p begin="soon" end="later">Unreadable.</p>\n'
        '<p begin="00:00:30.000" end="00:00:33.000"></p>\n'
        "</div></body></tt>\n",
        encoding="utf-8",
    )
    document = read_subtitles(path)
    assert document.format == "ttml"
    assert [(c.start, c.end) for c in document.cues] == [(11.0, 13.0), (12.5, 13.0), (40.0, 43.0)]
    report = check_subtitles(path)
    found = {(f.rule, f.severity, f.line) for f in report.findings}
    assert ("timing.overlap", "error", 5) in found
    assert ("format.timing", "error", 6) in found
    assert ("format.timing", "error", 7) in found
    assert ("text.empty", "error", 8) in found


@pytest.mark.parametrize(
    "content",
    [
        '<?xml version="1.0"?><!DOCTYPE tt [<!ENTITY a "aaaa">]><tt>&a;</tt>',
        '<?xml version="1.0"?><tt><body><p begin="1s" end="2s">x</body></tt>',
    ],
)
def test_hostile_or_broken_xml_is_refused(tmp_path, content):
    path = tmp_path / "bad.ttml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SubtitleFormatError):
        read_subtitles(path)


def test_fix_converts_srt_to_ttml(tmp_path):
    out = tmp_path / "clean.ttml"
    fix_subtitle_file(FIXTURES / "clean.srt", out, "default")
    source = read_subtitles(FIXTURES / "clean.srt").cues
    assert [(c.start, c.end, c.text) for c in read_subtitles(out).cues] == [
        (c.start, c.end, c.text) for c in source
    ]


# Caption text as a narrator may say it: letters, punctuation and everything that is markup in
# one format or another.
_WORD = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABC0123456789éü'.,?!-<>&{}\\/\"")),
    min_size=1,
    max_size=9,
)
_LINE = st.lists(_WORD, min_size=1, max_size=5).map(" ".join)


@st.composite
def _cue_lists(draw):
    count = draw(st.integers(min_value=1, max_value=6))
    cues, t = [], 0.0
    for _ in range(count):
        t += draw(st.integers(min_value=100, max_value=3000)) / 1000
        length = draw(st.integers(min_value=500, max_value=6000)) / 1000
        lines = tuple(draw(st.lists(_LINE, min_size=1, max_size=2)))
        cues.append(Cue(round(t, 3), round(t + length, 3), lines))
        t += length
    return cues


@settings(
    max_examples=25,
    deadline=None,
    # Replaces the profile's list (conftest.py), so too_slow is named again here.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cues=_cue_lists())
def test_round_trip_srt_vtt_ttml(tmp_path, cues):
    expected = [(c.start, c.end, "\n".join(c.lines)) for c in cues]
    for write, name in ((write_srt, "a.srt"), (write_vtt, "a.vtt"), (write_ttml, "a.ttml")):
        path = write(cues, tmp_path / name)
        read = [(c.start, c.end, c.text) for c in read_subtitles(path).cues]
        assert read == expected, name
    # And through the repairs, from each format into each other one.
    for source in ("a.srt", "a.vtt", "a.ttml"):
        for target in ("b.srt", "b.vtt", "b.ttml"):
            fix_subtitle_file(tmp_path / source, tmp_path / target, "default")
            read = [(c.start, c.end, c.text) for c in read_subtitles(tmp_path / target).cues]
            assert [r[2] for r in read] == [e[2] for e in expected], (source, target)


def test_format_ttml_is_deterministic():
    assert format_ttml(_cues()) == format_ttml(_cues())

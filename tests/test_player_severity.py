"""Severity calibrated on real players: every defect that changes what a viewer sees is an error.

Each case is a small subtitle file with one defect class and the cues its author meant. The
file goes through the static ffmpeg we ship (its SRT or WebVTT demuxer, read back as the cues
ffmpeg produced) and, for WebVTT, through Chromium's parser (``<track>`` → ``TextTrack.cues``).
Where any player's cues differ from the intended ones, the checker must report an error whose
message says what the player does. Hard limits of a profile (three lines under netflix-en) are
errors although players show them; style defects that no player mis-shows stay warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.players import Chromium, chromium_available, ffmpeg_cues
from triggerfilm.captions.check import check_subtitles


@dataclass(frozen=True)
class Case:
    name: str
    fmt: str
    text: str
    intended: list[tuple[float, float, str]]
    # (rule, severity) pairs the checker must report.
    expect: set[tuple[str, str]] = field(default_factory=set)
    profile: str = "default"
    encoding: str = "utf-8"


AB = [(1.0, 2.0, "A"), (3.0, 4.0, "B")]
ABC = [(1.0, 2.0, "A"), (3.0, 4.0, "B"), (5.0, 6.0, "C")]
SRT_A = "1\n00:00:01,000 --> 00:00:02,000\nA\n\n"
VTT_A = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nA\n\n"

CASES = [
    # --- SRT through ffmpeg's SRT demuxer ---
    Case("srt-clean", "srt", SRT_A + "2\n00:00:03,000 --> 00:00:04,000\nB\n", AB),
    Case(
        "srt-arrow-missing-a-dash",
        "srt",
        SRT_A + "2\n00:00:03,000 -> 00:00:04,000\nB\n",
        AB,
        {("format.timing", "error")},
    ),
    Case(
        "srt-no-milliseconds",
        "srt",
        SRT_A + "2\n00:00:03 --> 00:00:04,000\nB\n",
        AB,
        {("format.timing", "error")},
    ),
    Case(
        "srt-no-hours",
        "srt",
        SRT_A + "2\n00:03,000 --> 00:04,000\nB\n",
        AB,
        {("format.timing", "error")},
    ),
    Case(
        "srt-short-fraction",
        "srt",
        SRT_A + "2\n00:00:03,5 --> 00:00:04,000\nB\n",
        [(1.0, 2.0, "A"), (3.5, 4.0, "B")],
        {("format.timestamp", "error")},
    ),
    Case(
        "srt-dot-decimals",
        "srt",
        SRT_A + "2\n00:00:03.000 --> 00:00:04.000\nB\n",
        AB,
        {("format.timestamp", "warning")},
    ),
    Case(
        "srt-one-digit-fields",
        "srt",
        SRT_A + "2\n0:0:3,000 --> 0:0:4,000\nB\n",
        AB,
        {("format.timestamp", "warning")},
    ),
    Case(
        "srt-first-cue-unnumbered",
        "srt",
        "00:00:01,000 --> 00:00:02,000\nA\n\n2\n00:00:03,000 --> 00:00:04,000\nB\n",
        AB,
        {("format.unrecognised", "error")},
    ),
    Case(
        "srt-first-arrow-without-spaces",
        "srt",
        "1\n00:00:01,000-->00:00:02,000\nA\n\n2\n00:00:03,000 --> 00:00:04,000\nB\n",
        AB,
        {("format.unrecognised", "error")},
    ),
    Case(
        "srt-later-cue-unnumbered",
        "srt",
        SRT_A + "00:00:03,000 --> 00:00:04,000\nB\n",
        AB,
        {("format.counter", "warning")},
    ),
    Case(
        "srt-missing-blank-line",
        "srt",
        "1\n00:00:01,000 --> 00:00:02,000\nA\n2\n00:00:03,000 --> 00:00:04,000\nB\n",
        AB,
        {("format.blank-line", "warning")},
    ),
    Case(
        "srt-stray-text",
        "srt",
        SRT_A + "stray words\n\n2\n00:00:03,000 --> 00:00:04,000\nB\n",
        AB,
        {("format.orphan-text", "error")},
    ),
    Case(
        "srt-empty-cue",
        "srt",
        SRT_A + "2\n00:00:03,000 --> 00:00:04,000\n\n3\n00:00:05,000 --> 00:00:06,000\nC\n",
        [(1.0, 2.0, "A"), (3.0, 4.0, ""), (5.0, 6.0, "C")],
        {("text.empty", "error")},
    ),
    Case(
        "srt-negative-duration",
        "srt",
        SRT_A + "2\n00:00:04,000 --> 00:00:03,000\nB\n",
        [(1.0, 2.0, "A"), (4.0, 3.0, "B")],
        {("timing.zero-duration", "error")},
    ),
    Case(
        "srt-zero-duration",
        "srt",
        SRT_A + "2\n00:00:03,000 --> 00:00:03,000\nB\n",
        [(1.0, 2.0, "A"), (3.0, 3.0, "B")],
        {("timing.zero-duration", "error")},
    ),
    Case(
        "srt-overlap",
        "srt",
        SRT_A + "2\n00:00:01,500 --> 00:00:04,000\nB\n",
        [(1.0, 2.0, "A"), (1.5, 4.0, "B")],
        {("timing.overlap", "error")},
    ),
    Case(
        "srt-three-lines-netflix",
        "srt",
        SRT_A + "2\n00:00:03,000 --> 00:00:05,000\nOne,\ntwo,\nthree.\n",
        [(1.0, 2.0, "A"), (3.0, 5.0, "One,\ntwo,\nthree.")],
        {("text.lines", "error")},
        profile="netflix-en",
    ),
    Case(
        "srt-arrow-in-text",
        "srt",
        "1\n00:00:01,000 --> 00:00:03,000\nleft --> right\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\nit ends -->\n",
        [(1.0, 3.0, "left --> right"), (4.0, 6.0, "it ends -->")],
    ),
    Case(
        "srt-cr-line-endings",
        "srt",
        (SRT_A + "2\n00:00:03,000 --> 00:00:04,000\nB\n").replace("\n", "\r"),
        AB,
        {("format.line-endings", "warning")},
    ),
    Case(
        "srt-html-entity",
        "srt",
        SRT_A + "2\n00:00:03,000 --> 00:00:04,000\nFish &amp; chips\n",
        [(1.0, 2.0, "A"), (3.0, 4.0, "Fish & chips")],
        {("text.entity", "error")},
    ),
    Case(
        "srt-cp1252",
        "srt",
        SRT_A + "2\n00:00:03,000 --> 00:00:04,000\nCaf\u00e9\n",
        [(1.0, 2.0, "A"), (3.0, 4.0, "Caf\u00e9")],
        {("format.encoding", "error")},
        encoding="cp1252",
    ),
    Case(
        "srt-utf16-with-bom",
        "srt",
        SRT_A + "2\n00:00:03,000 --> 00:00:04,000\nCaf\u00e9\n",
        [(1.0, 2.0, "A"), (3.0, 4.0, "Caf\u00e9")],
        encoding="utf-16",
    ),
    Case(
        "srt-utf16-without-bom",
        "srt",
        SRT_A + "2\n00:00:03,000 --> 00:00:04,000\nCaf\u00e9\n",
        [(1.0, 2.0, "A"), (3.0, 4.0, "Caf\u00e9")],
        {("format.encoding", "error")},
        encoding="utf-16-le",
    ),
    # --- WebVTT through Chromium's parser and ffmpeg's WebVTT demuxer ---
    Case(
        "vtt-spaces-between-cues",
        "vtt",
        VTT_A + "   \n\n00:00:03.000 --> 00:00:04.000\nB\n",
        AB,
        {("format.blank-line", "error")},
    ),
    Case(
        "vtt-unreadable-timing-stops-ffmpeg",
        "vtt",
        VTT_A + "00:00:03.000 --> 00.00:04.000\nB\n\n00:00:05.000 --> 00:00:06.000\nC\n",
        ABC,
        {("format.timing", "error")},
    ),
    Case(
        "vtt-cp1252",
        "vtt",
        VTT_A + "00:00:03.000 --> 00:00:04.000\nCaf\u00e9\n",
        [(1.0, 2.0, "A"), (3.0, 4.0, "Caf\u00e9")],
        {("format.encoding", "error")},
        encoding="cp1252",
    ),
    Case("vtt-clean", "vtt", VTT_A + "00:00:03.000 --> 00:00:04.000\nB\n", AB),
    Case(
        "vtt-no-header",
        "vtt",
        VTT_A.removeprefix("WEBVTT\n\n") + "00:00:03.000 --> 00:00:04.000\nB\n",
        AB,
        {("format.header", "error")},
    ),
    Case(
        "vtt-cue-against-header",
        "vtt",
        "WEBVTT\n00:00:01.000 --> 00:00:02.000\nA\n\n00:00:03.000 --> 00:00:04.000\nB\n",
        AB,
        {("format.header", "error")},
    ),
    Case(
        "vtt-comma-decimals",
        "vtt",
        VTT_A + "00:00:03,000 --> 00:00:04,000\nB\n",
        AB,
        {("format.timestamp", "error")},
    ),
    Case(
        "vtt-one-digit-seconds",
        "vtt",
        VTT_A + "00:00:3.000 --> 00:00:04.000\nB\n",
        AB,
        {("format.timestamp", "error")},
    ),
    Case(
        "vtt-missing-blank-line",
        "vtt",
        VTT_A.rstrip("\n") + "\n00:00:03.000 --> 00:00:04.000\nB\n",
        AB,
        {("format.blank-line", "error")},
    ),
    Case(
        "vtt-missing-blank-line-before-identifier",
        "vtt",
        VTT_A.rstrip("\n") + "\nc2\n00:00:03.000 --> 00:00:04.000\nB\n",
        AB,
        {("format.blank-line", "error")},
    ),
    Case(
        "vtt-arrow-in-text",
        "vtt",
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nleft --> right\n\n"
        "00:00:03.000 --> 00:00:04.000\nB\n",
        [(1.0, 2.0, "left --> right"), (3.0, 4.0, "B")],
        {("format.timing", "error")},
    ),
    Case(
        "vtt-escaped-arrow-in-text",
        "vtt",
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nleft --&gt; right &lt;b&gt;\n\n"
        "00:00:03.000 --> 00:00:04.000\nB\n",
        [(1.0, 2.0, "left --> right <b>"), (3.0, 4.0, "B")],
    ),
    Case(
        "vtt-empty-cue",
        "vtt",
        VTT_A + "00:00:03.000 --> 00:00:04.000\n\n00:00:05.000 --> 00:00:06.000\nC\n",
        [(1.0, 2.0, "A"), (3.0, 4.0, ""), (5.0, 6.0, "C")],
        {("text.empty", "error")},
    ),
    Case(
        "vtt-stray-text",
        "vtt",
        VTT_A + "stray words\n\n00:00:03.000 --> 00:00:04.000\nB\n",
        AB,
        {("format.orphan-text", "error")},
    ),
    Case(
        "vtt-cr-line-endings",
        "vtt",
        (VTT_A + "00:00:03.000 --> 00:00:04.000\nB\n").replace("\n", "\r"),
        AB,
        {("format.line-endings", "error")},
    ),
    Case(
        "vtt-header-repeated",
        "vtt",
        "WEBVTT\nWEBVTT\n\n00:00:01.000 --> 00:00:02.000\nA\n\n00:00:03.000 --> 00:00:04.000\nB\n",
        AB,
        {("format.header", "warning")},
    ),
    Case(
        "vtt-sixty-seconds",
        "vtt",
        VTT_A + "00:60.000 --> 01:02.000\nB\n",
        [(1.0, 2.0, "A"), (60.0, 62.0, "B")],
        {("format.timing", "error")},
    ),
]


def _normal(cues):
    if cues is None:
        return None
    return [
        (round(a, 3), round(b, 3), "\n".join(x.strip() for x in t.strip().split("\n")))
        for a, b, t in cues
    ]


@pytest.fixture(scope="module")
def chromium_results():
    vtt = [case for case in CASES if case.fmt == "vtt"]
    if not chromium_available():
        return None
    browser = Chromium()
    try:
        results = browser.cues([case.text.encode(case.encoding) for case in vtt])
    finally:
        browser.close()
    return {case.name: _normal(cues) for case, cues in zip(vtt, results, strict=True)}


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_what_players_show_decides_the_severity(case: Case, tmp_path: Path, chromium_results):
    path = tmp_path / f"case.{case.fmt}"
    path.write_bytes(case.text.encode(case.encoding))
    intended = _normal(case.intended)
    shown = {"ffmpeg": _normal(ffmpeg_cues(path))}
    if case.fmt == "vtt" and chromium_results is not None:
        shown["Chromium"] = chromium_results[case.name]
    changed = {player for player, cues in shown.items() if cues != intended}

    report = check_subtitles(path, case.profile)
    pairs = {(f.rule, f.severity) for f in report.findings}
    assert case.expect <= pairs, report.findings
    errors = [f for f in report.findings if f.severity == "error"]
    if changed:
        # The viewer sees something else than the author meant: the checker must say so as an
        # error, in words about what the player does.
        assert errors, (changed, shown, report.findings)
        assert any(
            word in f.message for f in errors for word in ("ffmpeg", "browsers", "players")
        ), errors
    if not case.expect:
        # Clean and round-trip cases: every player shows what was meant, and no finding at all
        # beyond style notes.
        assert not changed, shown
        assert not errors, errors
    elif not changed and all(sev != "error" for _, sev in case.expect):
        assert not errors, errors


@pytest.mark.slow
def test_the_calibration_cases_exercise_both_players(chromium_results):
    """The table is not vacuous: players really do mis-show most of the defect classes."""
    if chromium_results is None:
        pytest.skip("Chromium is not installed at /usr/bin/chromium: WebVTT half not checked")
    vtt = [c for c in CASES if c.fmt == "vtt"]
    dropped_by_chromium = [c.name for c in vtt if chromium_results[c.name] != _normal(c.intended)]
    assert {"vtt-no-header", "vtt-comma-decimals", "vtt-arrow-in-text"} <= set(dropped_by_chromium)


SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
_REAL = (
    sorted(SHARED.glob("subtitles/*")) + sorted(SHARED.glob("video/*.srt"))
    + sorted(SHARED.glob("video/*.vtt"))
    if SHARED.is_dir()
    else []
)  # fmt: skip


@pytest.mark.skipif(not _REAL, reason="../shared/data is not present")
@pytest.mark.parametrize("path", _REAL, ids=lambda p: p.name)
def test_real_files_ffmpeg_misreads_are_errors(path: Path):
    """On third-party files: wherever ffmpeg refuses a file or reads a different number of cues
    than were written, the checker reports an error saying why."""
    from triggerfilm.captions.check import read_subtitles

    ours = read_subtitles(path).cues
    theirs = ffmpeg_cues(path)
    report = check_subtitles(path, "default")
    structural = [
        f
        for f in report.findings
        if f.severity == "error" and f.rule.startswith(("format.", "text.empty"))
    ]
    if theirs is None or len(theirs) != len(ours):
        assert structural, (path.name, len(ours), theirs and len(theirs))

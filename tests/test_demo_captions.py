"""The demo film's captions, as render writes them, pass the checker under every profile."""

from __future__ import annotations

import pytest

from tests.caption_files import write_srt, write_vtt
from triggerfilm import app
from triggerfilm.captions.build import build_captions
from triggerfilm.captions.check import check_subtitles
from triggerfilm.captions.profiles import PROFILES, get_profile
from triggerfilm.captions.writers import WRITERS
from triggerfilm.transcripts.options import TranscribeOptions

from .conftest import ROOT

_TIMELINE = []


def demo_timeline_for_tests():
    """The demo film's timeline (transcribed once per test run, through the cache)."""
    if not _TIMELINE:
        prepared = app.prepare(ROOT / "manifests" / "demo.yaml")
        app.transcribe_all(prepared, TranscribeOptions())
        _TIMELINE.append(app.plan(prepared))
    return _TIMELINE[0]


@pytest.fixture(scope="module")
def demo_timeline():
    return demo_timeline_for_tests()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PROFILES))
def test_demo_captions_have_no_errors_under_each_profile(demo_timeline, tmp_path, name):
    profile = get_profile(name)
    cues = build_captions(demo_timeline, profile)
    assert len(cues) >= 20
    for fmt, writer in WRITERS.items():
        path = tmp_path / f"demo.{fmt}"
        path.write_text(writer.format(cues), encoding="utf-8")
        report = check_subtitles(path, profile, fps=demo_timeline.fps)
        errors = [f for f in report.findings if f.severity == "error"]
        assert errors == [], f"{path.name} under {name}: {errors}"


@pytest.mark.slow
def test_players_show_the_demo_captions_as_written(demo_timeline, tmp_path):
    """ffmpeg (SRT and WebVTT) and Chromium (WebVTT) read the film's own caption files with
    exactly the cues we wrote: every time, and the text of every cue."""
    from tests.players import Chromium, chromium_available, ffmpeg_cues

    profile = get_profile("default")
    cues = build_captions(demo_timeline, profile)
    srt = write_srt(cues, tmp_path / "demo.srt")
    vtt = write_vtt(cues, tmp_path / "demo.vtt")
    times = [(round(c.start, 3), round(c.end, 3)) for c in cues]
    for path in (srt, vtt):
        read = ffmpeg_cues(path)
        assert read is not None and [(a, b) for a, b, _ in read] == times, path.name
    if chromium_available():
        browser = Chromium()
        try:
            (shown,) = browser.cues([vtt.read_bytes()])
        finally:
            browser.close()
        assert [(a, b) for a, b, _ in shown] == times
        # A labelled cue names its speaker on screen ("ICU15: ...") where the picture cannot.
        written = [
            (f"{c.speaker}: " if c.label and c.speaker else "") + " ".join(c.lines) for c in cues
        ]
        assert [" ".join(t.split()) for _, _, t in shown] == written

"""The demo film's captions, as render writes them, pass the checker under every profile."""

from __future__ import annotations

import pytest

from triggerfilm import app
from triggerfilm.captions.build import build_captions
from triggerfilm.captions.check import check_subtitles
from triggerfilm.captions.profiles import PROFILES, get_profile
from triggerfilm.captions.writers import write_srt, write_vtt
from triggerfilm.transcripts.options import TranscribeOptions

from .conftest import ROOT


@pytest.fixture(scope="module")
def demo_timeline():
    prepared = app.prepare(ROOT / "manifests" / "demo.yaml")
    app.transcribe_all(prepared, TranscribeOptions())
    return app.plan(prepared)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_demo_captions_have_no_errors_under_each_profile(demo_timeline, tmp_path, name):
    profile = get_profile(name)
    cues = build_captions(demo_timeline, profile)
    assert len(cues) >= 20
    for path in (write_srt(cues, tmp_path / "demo.srt"), write_vtt(cues, tmp_path / "demo.vtt")):
        report = check_subtitles(path, profile, fps=demo_timeline.fps)
        errors = [f for f in report.findings if f.severity == "error"]
        assert errors == [], f"{path.name} under {name}: {errors}"

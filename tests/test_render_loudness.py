"""Each source's gain to the loudness target (render/loudness.py), measured on real media: a
few seconds of generated tone each, measured in well under a second, so in the fast loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from triggerfilm.editplan.timeline import Cut, Timeline
from triggerfilm.media.loudness import clip_loudness
from triggerfilm.render.loudness import GAIN_LIMIT, loudness_gains
from triggerfilm.store import sha256_of

from . import media_factory as media


def _cut(clip: Path, *, start: float = 0.0, has_audio: bool = True) -> Cut:
    return Cut(
        clip_id=clip.stem,
        source=str(clip),
        source_sha256=sha256_of(clip),
        source_in=start,
        frames=25,
        touchpoint=0,
        narrator="N01",
        descriptor=None,
        media_type="video",
        has_audio=has_audio,
    )


def _tone(amplitude: float) -> str:
    """A 440 Hz tone in both channels at ``amplitude`` (1: full scale), as a lavfi source."""
    wave = f"{amplitude}*sin(2*PI*440*t)"
    return f"aevalsrc={wave}|{wave}:s=48000"


def test_each_source_gets_one_gain_to_the_target_within_the_limit(tmp_path):
    quiet = media.picture_clip(tmp_path / "quiet.mp4", audio=_tone(0.03))
    loud = media.picture_clip(tmp_path / "loud.mp4", audio=_tone(0.9))
    hush = media.picture_clip(tmp_path / "hush.mp4", audio="anullsrc=r=48000:cl=stereo")
    mute = media.silent_video_clip(tmp_path / "mute.mp4")
    cuts = (
        _cut(quiet),
        _cut(loud),
        _cut(quiet, start=1.0),
        _cut(hush),
        _cut(mute, has_audio=False),
    )
    timeline = Timeline("Levels", 25, 320, 180, cuts, touchpoints=("One",))

    gains = loudness_gains(timeline, -23.0, jobs=2)

    # One gain per source with sound, however many cuts it gives; none for a silent file.
    assert set(gains) == {sha256_of(quiet), sha256_of(loud), sha256_of(hush)}
    level = clip_loudness(quiet).integrated
    assert -50 < level < -23  # the quiet tone is raised, by what it lacks
    assert gains[sha256_of(quiet)] == pytest.approx(-23.0 - level)
    # The near full-scale tone would need more than the limit: it is lowered by the limit alone.
    assert clip_loudness(loud).integrated > -23.0 + GAIN_LIMIT
    assert gains[sha256_of(loud)] == -GAIN_LIMIT
    # Silence is left as it is, never raised to the target.
    assert clip_loudness(hush).silent and gains[sha256_of(hush)] == 0.0

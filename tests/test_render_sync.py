"""Frame accuracy of the rendered film, measured on the decoded output.

A generated flash-and-beep clip (one white frame and a one-frame 1 kHz beep at the same instant,
every second) is cut at awkward, off-grid times between title cards; in the finished film every
flash must still have its beep within one frame. A steady tone clip cut the same way proves the
fades at each cut: the sound dips to silence at the join and never jumps (a click).
"""

from __future__ import annotations

import json
from fractions import Fraction

import av
import numpy as np
import pytest
import yaml

from triggerfilm.app import RenderOptions, render_manifest

from . import media_factory as media

FPS = 25
FRAME = 1 / FPS
# Off the frame grid on purpose: the edit plan must snap them, the renderer must honour that.
FLASH_CUTS = [(1.37, 4.11), (5.83, 8.9), (10.13, 12.71), (14.29, 17.66)]
TONE_CUTS = [(1.13, 3.37), (4.71, 6.05), (7.77, 10.21)]


@pytest.fixture(scope="module")
def film(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sync")
    flash = media.flash_beep_clip(folder / "flash.mp4", seconds=20, fps=FPS, offset=0.52)
    media.tone_clip(folder / "tone.mp4", seconds=12)

    def selections(clip, cuts):
        return [{"clip": clip, "from": a, "to": b} for a, b in cuts]

    manifest = folder / "sync.yaml"
    spec = {
        "title": "Sync test",
        "output": {"width": 320, "height": 180, "fps": FPS, "card_seconds": 1},
        "clips": [
            {"id": "flash", "media": "flash.mp4", "narrator": "SYNC1", "consent": media.CONSENT},
            {"id": "tone", "media": "tone.mp4", "narrator": "TONE1", "consent": media.CONSENT},
        ],
        "touchpoints": [
            {
                "title": "Flashes",
                "interleave": False,
                "selections": selections("flash", FLASH_CUTS),
            },
            {"title": "Tone", "interleave": False, "selections": selections("tone", TONE_CUTS)},
        ],
    }
    manifest.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    out = folder / "out"
    render_manifest(manifest, out, RenderOptions(preset="ultrafast"))
    timeline = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    return out / "film.mp4", timeline, flash


def _spans(timeline, clip_id=None):
    """(film start, film end, item) of every item, in seconds; only cuts of ``clip_id`` if given."""
    spans, position = [], 0
    for item in timeline["items"]:
        start, position = position, position + item["frames"]
        if clip_id is None or item.get("clip_id") == clip_id:
            spans.append((start / FPS, position / FPS, item))
    return spans


def _onsets(times: list[float]) -> list[float]:
    """The first frame of each run of consecutive white frames."""
    return [t for i, t in enumerate(times) if i == 0 or t - times[i - 1] > 1.5 * FRAME]


@pytest.mark.slow
def test_every_flash_has_its_beep_within_one_frame(film):
    path, timeline, flash = film
    flashes = _onsets(media.white_frame_times(path))
    rate, start, samples = media.decode_audio(path)
    cuts = _spans(timeline, "flash")
    assert len(cuts) == len(FLASH_CUTS)
    # Only the flash clip's passages beep; the tone passages are one long "onset" each.
    beeps = [
        b for b in media.beep_onsets(rate, start, samples) if any(a <= b < e for a, e, _ in cuts)
    ]
    expected = []
    for film_start, _, item in cuts:
        source_in = item["source_in"]
        source_out = source_in + item["frames"] / FPS
        assert abs(source_in * FPS - round(source_in * FPS)) < 1e-6  # on the frame grid
        expected += [
            film_start + t - source_in for t in flash.flash_times(source_in, source_out - 1e-6)
        ]
    assert len(expected) >= 3 * len(cuts)  # several flashes inside every cut
    # Every flash the source holds is shown, on the very frame the timeline says.
    assert flashes == pytest.approx(expected, abs=1e-3)
    assert len(beeps) == len(flashes), (flashes, beeps)
    offsets = [b - f for f, b in zip(flashes, beeps, strict=True)]
    assert max(abs(o) for o in offsets) <= FRAME, offsets


@pytest.mark.slow
def test_streams_are_as_long_as_the_timeline(film):
    path, timeline, _ = film
    frames = sum(item["frames"] for item in timeline["items"])
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        pts = [f.pts for f in container.decode(video)]
        base = video.time_base
    # No dropped last frame, no duplicate: exactly the timeline's frames, 25 fps constant.
    assert len(pts) == frames
    assert {(b - a) * base for a, b in zip(pts, pts[1:], strict=False)} == {Fraction(1, FPS)}
    assert float(pts[-1] * base) == pytest.approx((frames - 1) * FRAME, abs=1e-3)
    rate, start, samples = media.decode_audio(path)
    audio_seconds = samples.shape[1] / rate
    assert rate == 48000 and samples.shape[0] == 2
    assert abs(start) < 1e-3
    assert abs(audio_seconds - frames / FPS) <= FRAME


def _envelope(samples, rate: int, window: float = 0.001):
    mono = np.abs(samples).max(axis=0)
    n = round(rate * window)
    return mono[: len(mono) // n * n].reshape(-1, n).max(axis=1)


@pytest.mark.slow
def test_no_click_at_any_cut_of_a_steady_tone(film):
    path, timeline, _ = film
    rate, start, samples = media.decode_audio(path)
    mono = samples.mean(axis=0)
    tone = _spans(timeline, "tone")
    assert len(tone) == len(TONE_CUTS)
    # The tone's steady level and its largest sample-to-sample step, well inside a cut.
    a, b, _ = tone[0]
    middle = mono[round((a + 0.5 - start) * rate) : round((b - 0.5 - start) * rate)]
    level = np.abs(middle).max()
    step = np.abs(np.diff(middle)).max()
    assert level > 0.02
    # Every join that has the tone on at least one side: tone-tone cuts and card boundaries.
    joins = sorted({a for a, _, _ in tone} | {b for _, b, _ in tone})
    for join in joins:
        centre = round((join - start) * rate)
        near = mono[centre - rate // 100 : centre + rate // 100]  # +-10 ms, one fade length
        # The fades bring the sound to silence at the join...
        envelope = _envelope(near[None, :], rate)
        # (a linear 10 ms fade peaks at 10 % in the 1 ms window next to its end).
        assert envelope.min() < 0.15 * level, f"no fade to silence at {join:.2f} s"
        # ...so the waveform never jumps there (a cut mid-cycle would jump by up to 2x level).
        assert np.abs(np.diff(near)).max() <= 1.5 * step, f"click at {join:.2f} s"


def test_a_segment_moved_later_in_the_film_keeps_its_cache_key():
    # A re-cut shifts every later segment; its captions move with it, so it must not re-render.
    # Film times are sums of floats: (offset + 4.28) - offset is 4.280000000000001 for some
    # offsets, and that noise must not change the key.
    from triggerfilm.captions.model import Cue
    from triggerfilm.editplan.timeline import Cut
    from triggerfilm.render.segments import EncodeSettings, segment_key

    cut = Cut("c", "/clips/c.mp4", "ab" * 32, 12.0, 100, 0, "N1", None, "video")
    settings = EncodeSettings(320, 180, FPS)

    def key(offset: float, item: int) -> str:
        cues = [Cue(offset + 0.08, offset + 4.28, ("Words",), "N1", item=item)]
        return segment_key(cut, cues, settings, offset)

    keys = {key(offset, item) for item, offset in enumerate([1.2, 3.3, 12.4, 37.0, 41.36])}
    assert len(keys) == 1
    # ...while a caption that really moves inside the segment does change it.
    assert key(3.3, 0) != segment_key(
        cut, [Cue(3.3 + 0.12, 3.3 + 4.28, ("Words",), "N1")], settings, 3.3
    )

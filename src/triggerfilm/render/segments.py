"""Render each timeline item to its own segment file, cached by content.

A segment is H.264 video plus PCM audio of exactly ``item.frames`` frames, conformed to the
film's size, frame rate and sound format, with its captions burned in. Because the key covers
everything that goes into the pixels and samples, a re-cut re-renders only the segments that
changed, and the film is joined from segments without re-encoding the picture.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import ffmpeg

from ..captions.model import Cue
from ..editplan.timeline import Card, Cut, Item
from ..media.ffmpeg import run_ffmpeg
from ..store import json_key, sharded_path, staged_path
from .ass import compose_ass
from .cards import draw_audio_backdrop, draw_card, draw_name_strap
from .fonts import FONT_DIR

# Bump when the way segments are made changes, so old cached segments are not reused.
SEGMENT_FORMAT = 3
SAMPLE_RATE = 48000
# A 10 ms fade at each end of a cut removes the click of a waveform cut mid-cycle.
FADE_SECONDS = 0.01


@dataclass(frozen=True)
class EncodeSettings:
    width: int
    height: int
    fps: int
    preset: str = "veryfast"
    crf: int = 20
    # How long the narrator's name strap shows at the start of each video selection (0: never).
    strap_seconds: float = 4.0

    def x264_args(self) -> dict:
        # Identical settings in every segment let the concat step copy the H.264 stream.
        return {
            "vcodec": "libx264",
            "preset": self.preset,
            "crf": self.crf,
            "pix_fmt": "yuv420p",
            "g": self.fps * 2,
            "profile:v": "high",
            "acodec": "pcm_s16le",
            "ar": SAMPLE_RATE,
            "ac": 2,
            "format": "matroska",
        }


def segment_key(
    item: Item, cues: list[Cue], settings: EncodeSettings, offset: float, gain_db: float = 0.0
) -> str:
    identity = {
        "format": SEGMENT_FORMAT,
        "gain_db": round(gain_db, 2),
        "item": asdict(item),
        # Cue times relative to the segment: moving a segment in the film keeps its key.
        # and so does its position in the item list (the cue's ``item``).
        "cues": [
            # Rounded: (offset + t) - offset is not always t in floating point.
            {
                **asdict(c),
                "start": round(c.start - offset, 6),
                "end": round(c.end - offset, 6),
                "item": None,
            }
            for c in cues
        ],
        "settings": asdict(settings),
    }
    identity["item"].pop("touchpoint", None)
    identity["item"].pop("origin", None)
    return json_key(identity)


def segment_path(cache_dir: Path, key: str) -> Path:
    """Where the segment with ``key`` is cached below ``cache_dir``."""
    return sharded_path(cache_dir, key, ".mkv")


def render_segment(
    item: Item,
    cues: list[Cue],
    offset: float,
    settings: EncodeSettings,
    cache_dir: Path,
    gain_db: float = 0.0,
) -> Path:
    """The segment file for ``item``, from the cache or rendered now.

    ``gain_db`` brings the cut's source to the film's loudness target.
    """
    key = segment_key(item, cues, settings, offset, gain_db)
    target = segment_path(cache_dir, key)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="triggerfilm-seg-") as work:
        work_dir = Path(work)
        ass = work_dir / "captions.ass"
        if isinstance(item, Cut) and cues:
            ass.write_text(compose_ass(cues, settings.width, settings.height, offset), "utf-8")
        # ffmpeg writes into a name next to the cache entry (never $TMPDIR, which may be
        # another file system): a rename into place then never crosses devices.
        with staged_path(target) as staged:
            if isinstance(item, Card):
                _render_card(item, settings, work_dir, staged)
            else:
                _render_cut(item, ass if cues else None, settings, work_dir, staged, gain_db)
    return target


def _still(image: Path, fps: int):
    return ffmpeg.input(str(image), loop=1, framerate=fps).video


def _conform_video(stream, settings: EncodeSettings, frames: int):
    w, h = settings.width, settings.height
    return (
        stream.filter("fps", settings.fps)
        # Letterbox or pillarbox any shape into the frame. reset_sar makes the fit use the shape
        # on screen (an anamorphic 720x576 at SAR 64:45 is 16:9, not 5:4) and square the pixels.
        .filter("scale", w, h, force_original_aspect_ratio="decrease", reset_sar=1)
        .filter("pad", w, h, "(ow-iw)/2", "(oh-ih)/2", color="black")
        .filter("setsar", 1)
        .filter("format", "yuv420p")
        .filter("trim", end_frame=frames)
        .filter("setpts", "PTS-STARTPTS")
    )


def _conform_audio(
    stream,
    frames: int,
    fps: int,
    fade: bool,
    gain_db: float = 0.0,
    mute: tuple[tuple[float, float], ...] = (),
):
    samples = frames * SAMPLE_RATE // fps
    audio = stream.filter("aresample", SAMPLE_RATE).filter(
        "aformat", sample_fmts="fltp", channel_layouts="stereo"
    )
    if gain_db:
        # A plain gain keeps the narrator's dynamics; the limiter (2 dB under full scale) keeps
        # true peaks under -1 dBTP after a clip has been raised.
        audio = audio.filter("volume", f"{gain_db:.2f}dB").filter(
            # latency=1 undoes the 5 ms look-ahead delay: without it the sound lags the picture
            # and starts with 5 ms of silence that the fade-in then jumps out of (a click).
            "alimiter",
            limit=0.79,
            level="disabled",
            attack=5,
            release=50,
            latency=1,
        )
    audio = (
        audio
        # Pad then trim: the segment's sound is exactly as long as its picture.
        .filter("apad")
        .filter("atrim", end_sample=samples)
        .filter("asetpts", "N/SR/TB")
    )
    for start, end in mute:
        # Redacted words: silence, in the segment's own time (it starts at 0 after asetpts).
        audio = audio.filter("volume", volume=0, enable=f"between(t,{start:.3f},{end:.3f})")
    if fade:
        duration = samples / SAMPLE_RATE
        audio = audio.filter("afade", t="in", d=FADE_SECONDS).filter(
            "afade", t="out", st=max(0.0, duration - FADE_SECONDS), d=FADE_SECONDS
        )
    return audio


def _silence():
    return ffmpeg.input(f"anullsrc=r={SAMPLE_RATE}:cl=stereo", f="lavfi").audio


def _encode(video, audio, settings: EncodeSettings, frames: int, out: Path, what: str) -> None:
    output = ffmpeg.output(video, audio, str(out), vframes=frames, **settings.x264_args())
    run_ffmpeg(output.get_args(), what)


def _render_card(card: Card, settings: EncodeSettings, work: Path, out: Path) -> None:
    image = draw_card(card, settings.width, settings.height, work / "card.png")
    video = _conform_video(_still(image, settings.fps), settings, card.frames)
    audio = _conform_audio(_silence(), card.frames, settings.fps, fade=False)
    _encode(video, audio, settings, card.frames, out, f"drawing the card '{card.title}'")


def _render_cut(
    cut: Cut, ass: Path | None, settings: EncodeSettings, work: Path, out: Path, gain_db: float
) -> None:
    source = ffmpeg.input(cut.source, ss=f"{cut.source_in:.6f}")
    if cut.media_type == "audio-only":
        image = draw_audio_backdrop(
            cut.narrator, cut.descriptor, settings.width, settings.height, work / "backdrop.png"
        )
        picture = _still(image, settings.fps)
    else:
        picture = source.video
    video = _conform_video(picture, settings, cut.frames)
    if cut.media_type != "audio-only" and settings.strap_seconds > 0:
        strap = draw_name_strap(
            cut.narrator, cut.descriptor, settings.width, settings.height, work / "strap.png"
        )
        video = ffmpeg.overlay(
            video, ffmpeg.input(str(strap)).video, enable=f"lt(t,{settings.strap_seconds:g})"
        )
    if ass is not None:
        video = video.filter("subtitles", str(ass), fontsdir=str(FONT_DIR))
    sound = source.audio if cut.has_audio else _silence()
    mute = tuple((a - cut.source_in, b - cut.source_in) for a, b in cut.redactions)
    audio = _conform_audio(sound, cut.frames, settings.fps, True, gain_db, mute)
    what = f"cutting {Path(cut.source).name} at {cut.source_in:.2f} s"
    _encode(video, audio, settings, cut.frames, out, what)

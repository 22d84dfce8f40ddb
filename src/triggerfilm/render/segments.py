"""Render each timeline item to its own segment file, cached by content.

A segment is H.264 video plus PCM audio of exactly ``item.frames`` frames, conformed to the
film's size, frame rate and sound format, with its captions burned in. Because the key covers
everything that goes into the pixels and samples, a re-cut re-renders only the segments that
changed, and the film is joined from segments without re-encoding the picture.

Each segment's record also keeps its sound's loudness blocks (media.loudness.block_loudness),
measured once from the segment itself: the film's loudness is computed from them, so a re-cut
measures only the segments it renders, not the whole film.
"""

from __future__ import annotations

import contextlib
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import ffmpeg

from ..captions.model import Cue
from ..editplan.timeline import Card, Cut, Item
from ..media.ffmpeg import RenderError, run_ffmpeg
from ..media.loudness import EBUR128_BLOCKS, block_loudness, parse_blocks
from ..media.probe import count_frames
from ..store import (
    Unreadable,
    json_key,
    load_json_object,
    sha256_of,
    sharded_path,
    staged_path,
    write_text,
)
from .ass import compose_ass
from .cards import draw_audio_backdrop, draw_card, draw_name_strap
from .fonts import FONT_DIR
from .workspace import run_folder

# Bump when the way segments are made changes, so old cached segments are not reused.
SEGMENT_FORMAT = 4
SAMPLE_RATE = 48000
# An ffmpeg-python filter-graph stream: the library has no type information.
Stream = Any
# A 10 ms fade at each end of a cut removes the click of a waveform cut mid-cycle.
FADE_SECONDS = 0.01
# Bump when the loudness blocks kept in a segment's record are measured differently.
BLOCKS_FORMAT = 1


@dataclass(frozen=True)
class EncodeSettings:
    """How every segment of one film is encoded: the timeline's frame size and rate, and x264's
    preset and quality (CRF). Part of each segment's cache key; identical settings in every segment
    let the film be joined without encoding the picture again."""

    width: int
    height: int
    fps: int
    preset: str = "veryfast"
    crf: int = 20
    # How long the narrator's name strap shows at the start of each video selection (0: never).
    strap_seconds: float = 4.0

    def x264_args(self) -> dict[str, Any]:
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
    item_fields = identity["item"]
    assert isinstance(item_fields, dict)
    item_fields.pop("touchpoint", None)
    item_fields.pop("origin", None)
    return json_key(identity)


@dataclass(frozen=True)
class Segment:
    """A rendered segment: its file, whether it came from the cache, and any warning.

    ``blocks`` is its sound's loudness, block by block (when asked for; see render_segment).
    """

    path: Path
    reused: bool
    warning: str | None = None
    blocks: tuple[float, ...] | None = None


def segment_path(cache_dir: Path, key: str) -> Path:
    """Where the segment with ``key`` is cached below ``cache_dir``."""
    return sharded_path(cache_dir, key, ".mkv")


def _record_path(target: Path) -> Path:
    # What the segment was when it was written: checked before the segment is reused.
    return target.with_suffix(".json")


def _read_record(target: Path) -> dict[str, Any] | str:
    """The record of the cached segment at ``target``, or why it cannot be trusted."""
    record = load_json_object(_record_path(target))
    if isinstance(record, Unreadable):
        return "its record is missing" if record.missing else "its record is unreadable"
    if "size" not in record or "sha256" not in record:
        return "its record is unreadable"
    size, digest = record["size"], record["sha256"]
    try:
        actual = target.stat().st_size
    except FileNotFoundError:
        return "the file is missing"
    if actual != size:
        return f"{actual} bytes where {size} were written"
    if sha256_of(target) != digest:
        return "its checksum does not match"
    return record


def _recorded_blocks(record: dict[str, Any], frames: int, fps: int) -> tuple[float, ...] | None:
    """The loudness blocks kept in a segment's record, or None when absent, stale or damaged.

    They count only if measured (in this way) from this very file: the record's checksum,
    which reuse has just verified against the file, is stored with them.
    """
    kept = record.get("loudness")
    if not isinstance(kept, dict):
        return None
    blocks = kept.get("blocks")
    if (
        kept.get("format") != BLOCKS_FORMAT
        or kept.get("sha256") != record.get("sha256")
        or not isinstance(blocks, list)
        # ebur128 logs one block per 100 ms of sound; the segment's sound is its picture's length.
        or abs(len(blocks) - frames * 10 / fps) > 2
        or not all(
            isinstance(b, int | float) and not isinstance(b, bool) and math.isfinite(b)
            for b in blocks
        )
    ):
        return None
    return tuple(float(b) for b in blocks)


def _measure_blocks(path: Path, record: dict[str, Any], target: Path) -> tuple[float, ...]:
    """Measure the loudness blocks of the segment file at ``path`` (``target`` or its staged
    copy) and keep them in ``target``'s record."""
    blocks = block_loudness(["-i", str(path)], "measuring a segment's loudness")
    write_text(_record_path(target), json.dumps({**record, "loudness": _kept(record, blocks)}))
    return blocks


def _kept(record: dict[str, Any], blocks: tuple[float, ...]) -> dict[str, Any]:
    return {"format": BLOCKS_FORMAT, "sha256": record["sha256"], "blocks": list(blocks)}


def _discard(target: Path) -> None:
    target.unlink(missing_ok=True)
    _record_path(target).unlink(missing_ok=True)


def render_segment(
    item: Item,
    cues: list[Cue],
    offset: float,
    settings: EncodeSettings,
    cache_dir: Path,
    gain_db: float = 0.0,
    work: Path | None = None,
    loudness: bool = False,
) -> Segment:
    """The segment file for ``item``, from the cache (when it checks out) or rendered now.

    ``gain_db`` brings the cut's source to the film's loudness target. ``work`` is the run's
    scratch folder (render.workspace); ffmpeg runs there and is given scratch files by short
    relative names, so nothing in ``$TMPDIR``'s path can break a filter graph. With
    ``loudness`` the segment comes with its loudness blocks: from its record, or measured now
    (a new segment, or a cached one whose record lacks them or holds damaged ones).
    """
    key = segment_key(item, cues, settings, offset, gain_db)
    target = segment_path(cache_dir, key)
    warning = None
    if target.exists() or _record_path(target).exists():
        record = _read_record(target)
        if isinstance(record, dict) and record.get("frames") != item.frames:
            record = f"it holds {record.get('frames')} frames, not {item.frames}"
        if isinstance(record, dict):
            blocks = None
            if loudness:
                blocks = _recorded_blocks(record, item.frames, settings.fps)
                if blocks is None:
                    blocks = _measure_blocks(target, record, target)
            return Segment(target, reused=True, blocks=blocks)
        warning = f"a cached segment ({_describe(item)}) was damaged ({record}); rendered it again"
        _discard(target)
    if work is None:
        with run_folder() as scratch:
            return _render_new(
                item, cues, offset, settings, target, gain_db, scratch, warning, loudness
            )
    return _render_new(item, cues, offset, settings, target, gain_db, work, warning, loudness)


def _describe(item: Item) -> str:
    if isinstance(item, Card):
        return f"the card '{item.title}'"
    return f"clip {item.clip_id} from {item.source_in:.2f} s"


def _render_new(
    item: Item,
    cues: list[Cue],
    offset: float,
    settings: EncodeSettings,
    target: Path,
    gain_db: float,
    work: Path,
    warning: str | None,
    loudness: bool = False,
) -> Segment:
    name = f"seg-{target.stem[:16]}"
    # ffmpeg writes next to the cache entry (never in $TMPDIR, which may be another file
    # system), so the rename into place never crosses devices.
    with staged_path(target) as staged:
        if isinstance(item, Card):
            measured = _render_card(item, settings, work, name, staged, loudness)
        else:
            ass = None
            if cues:
                ass = f"{name}.ass"
                (work / ass).write_text(
                    compose_ass(cues, settings.width, settings.height, offset), "utf-8"
                )
            measured = _render_cut(item, ass, settings, work, name, staged, gain_db, loudness)
        frames = count_frames(staged)
        if frames != item.frames:
            raise _short_segment(item, frames, settings.fps)
        record = {"size": staged.stat().st_size, "frames": frames, "sha256": sha256_of(staged)}
        blocks = None
        if loudness:
            # Measured while encoding, and kept in the segment's record (written first).
            kept = {**record, "loudness": _kept(record, measured or ())}
            blocks = _recorded_blocks(kept, frames, settings.fps)
            if blocks is None:  # the encoder's log was not as expected: measure the file
                blocks = _measure_blocks(staged, record, target)
            else:
                write_text(_record_path(target), json.dumps(kept))
        else:
            # The record first: a segment without one is never trusted (it is rendered again).
            write_text(_record_path(target), json.dumps(record))
    return Segment(target, reused=False, warning=warning, blocks=blocks)


def _short_segment(item: Item, frames: int, fps: int) -> RenderError:
    if isinstance(item, Card):
        return RenderError(
            f"the card '{item.title}' came out with {frames} of {item.frames} frames",
            hint="Re-run the same command; report it if it happens again",
        )
    reached = item.source_in + frames / fps
    end = item.source_in + item.frames / fps
    return RenderError(
        f"clip {item.clip_id} could not be decoded past {reached:.2f} s; "
        f"the selection runs from {item.source_in:.2f} s to {end:.2f} s",
        where=item.source,
        expected="a media file that plays to the end of the selection",
        hint="The file is probably truncated or damaged: replace it with a complete copy, "
        "or end the selection earlier",
    )


def _still(image: str, fps: int) -> Stream:
    # A relative name in the run folder: image2 would read a '%' in a $TMPDIR path as a pattern.
    return ffmpeg.input(image, loop=1, framerate=fps, f="image2").video


def _conform_video(stream: Stream, settings: EncodeSettings, frames: int) -> Stream:
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
    stream: Stream,
    frames: int,
    fps: int,
    fade: bool,
    gain_db: float = 0.0,
    mute: tuple[tuple[float, float], ...] = (),
) -> Stream:
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


def _silence() -> Stream:
    return ffmpeg.input(f"anullsrc=r={SAMPLE_RATE}:cl=stereo", f="lavfi").audio


def _encode(
    video: Stream,
    audio: Stream,
    settings: EncodeSettings,
    frames: int,
    out: Path,
    what: str,
    work: Path,
    loudness: bool = False,
) -> tuple[float, ...] | None:
    """Encode the segment; with ``loudness``, also its sound's loudness blocks, measured in
    the same ffmpeg run (a second, discarded output) rather than by decoding it again."""
    if not loudness:
        output = ffmpeg.output(video, audio, str(out), vframes=frames, **settings.x264_args())
        run_ffmpeg(output.get_args(), what, cwd=work)
        return None
    split = audio.filter_multi_output("asplit", 2)
    sound, measured = split[0], split[1]
    outputs = ffmpeg.merge_outputs(
        ffmpeg.output(video, sound, str(out), vframes=frames, **settings.x264_args()),
        ffmpeg.output(measured.filter("ebur128", **EBUR128_BLOCKS), "-", f="null"),
    )
    # -nostats: the log is read for ebur128's lines, not the progress line.
    args = ["-nostats", *outputs.get_args()]
    return parse_blocks(run_ffmpeg(args, what, loglevel="info", cwd=work))


def _fonts_link(work: Path) -> str:
    """The shipped fonts under a plain relative name in the run folder, for libass."""
    link = work / "fonts"
    # Another segment of this run may have made it first.
    with contextlib.suppress(FileExistsError):
        link.symlink_to(FONT_DIR, target_is_directory=True)
    return "fonts"


def _render_card(
    card: Card, settings: EncodeSettings, work: Path, name: str, out: Path, loudness: bool
) -> tuple[float, ...] | None:
    image = f"{name}-card.png"
    draw_card(card, settings.width, settings.height, work / image)
    video = _conform_video(_still(image, settings.fps), settings, card.frames)
    audio = _conform_audio(_silence(), card.frames, settings.fps, fade=False)
    what = f"drawing the card '{card.title}'"
    return _encode(video, audio, settings, card.frames, out, what, work, loudness)


def _render_cut(
    cut: Cut,
    ass: str | None,
    settings: EncodeSettings,
    work: Path,
    name: str,
    out: Path,
    gain_db: float,
    loudness: bool,
) -> tuple[float, ...] | None:
    source = ffmpeg.input(str(Path(cut.source).resolve()), ss=f"{cut.source_in:.6f}")
    if cut.media_type == "audio-only":
        image = f"{name}-backdrop.png"
        draw_audio_backdrop(
            cut.narrator, cut.descriptor, settings.width, settings.height, work / image
        )
        picture = _still(image, settings.fps)
    else:
        picture = source.video
    video = _conform_video(picture, settings, cut.frames)
    if cut.media_type != "audio-only" and settings.strap_seconds > 0:
        strap = f"{name}-strap.png"
        draw_name_strap(cut.narrator, cut.descriptor, settings.width, settings.height, work / strap)
        video = ffmpeg.overlay(
            video,
            ffmpeg.input(strap, f="image2").video,
            enable=f"lt(t,{settings.strap_seconds:g})",
        )
    if ass is not None:
        # Short relative names (ffmpeg runs in the run folder): a filter argument is parsed
        # twice, and a $TMPDIR holding ' : = \ , [ must not be able to break the graph.
        video = video.filter("subtitles", ass, fontsdir=_fonts_link(work))
    sound = source.audio if cut.has_audio else _silence()
    mute = tuple((a - cut.source_in, b - cut.source_in) for a, b in cut.redactions)
    audio = _conform_audio(sound, cut.frames, settings.fps, True, gain_db, mute)
    what = f"cutting {Path(cut.source).name} at {cut.source_in:.2f} s"
    return _encode(video, audio, settings, cut.frames, out, what, work, loudness)

"""Join rendered segments into the film: picture copied, sound to AAC, captions and chapters.

Everything lands in the output folder under a temporary name first and is renamed into place at
the end, so an interrupted render never leaves a half-written film.mp4 behind.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..captions.model import Cue
from ..editplan.timeline import Card, Cut, Item, Timeline
from ..media.ffmpeg import run_ffmpeg, run_parallel, stop_children
from ..media.loudness import Loudness, gated_loudness, measure
from ..store import load_json_object, staged_path
from .cards import text_warnings
from .outputs import OutputFolderError
from .segments import SAMPLE_RATE, EncodeSettings, Segment, render_segment
from .sound import AAC_ARGS, encode_sound
from .workspace import run_folder

MARKER = ".triggerfilm-output.json"


@dataclass(frozen=True)
class RenderedFilm:
    """The film ``render_film`` joined: ``segments`` items rendered, ``reused`` of them from the
    segment cache; its length in seconds, and its loudness measured on the finished film (None when
    no loudness target was set)."""

    film: Path
    segments: int
    reused: int
    duration: float
    loudness: Loudness | None = None
    # Things the user should know: damaged cache entries rebuilt, text that did not fit.
    warnings: tuple[str, ...] = ()


class OutputFolderTaken(OutputFolderError):
    """The output folder holds a film made from another manifest (a face may offer to force)."""


def check_output_folder(out_dir: Path, manifest: str, force: bool) -> None:
    """Refuse to overwrite a film made from another manifest unless forced."""
    marker = out_dir / MARKER
    if force or not marker.exists():
        return
    # A damaged marker (not JSON, not an object, no manifest's name) has no film to protect.
    found = load_json_object(marker)
    previous = found.get("manifest") if isinstance(found, dict) else None
    if isinstance(previous, str) and previous and previous != manifest:
        raise OutputFolderTaken(
            f"{out_dir} holds a film made from {previous}",
            where=out_dir,
            expected=f"an empty folder or one made from {manifest}",
            hint="Choose another output folder, or choose to replace this film",
        )


def render_film(
    timeline: Timeline,
    cues: tuple[Cue, ...],
    out_dir: Path,
    *,
    srt_text: str,
    cache_dir: Path,
    burn_in: bool = True,
    preset: str = "veryfast",
    jobs: int = 2,
    progress: Callable[[int], None] | None = None,
    gains: dict[str, float] | None = None,
    loudness_target: float | None = None,
    stem: str = "film",
) -> RenderedFilm:
    """Render every item (reusing cached segments) and join them into ``out_dir/<stem>.mp4``.

    ``gains`` maps a source's sha256 to the gain (dB) that brings it to the loudness target;
    with ``loudness_target`` the joined sound's loudness is computed from its segments'
    loudness blocks (kept with each cached segment) and corrected to the target, then the
    finished film is measured and the result returned. Scratch files live in one run folder
    (render.workspace), removed however the render ends.
    """
    with run_folder() as work:
        return _render_film(
            timeline, cues, out_dir, work, srt_text=srt_text, cache_dir=cache_dir,
            burn_in=burn_in, preset=preset, jobs=jobs, progress=progress, gains=gains,
            loudness_target=loudness_target, stem=stem,
        )  # fmt: skip


def _render_film(
    timeline: Timeline,
    cues: tuple[Cue, ...],
    out_dir: Path,
    work: Path,
    *,
    srt_text: str,
    cache_dir: Path,
    burn_in: bool,
    preset: str,
    jobs: int,
    progress: Callable[[int], None] | None,
    gains: dict[str, float] | None,
    loudness_target: float | None,
    stem: str,
) -> RenderedFilm:
    settings = EncodeSettings(timeline.width, timeline.height, timeline.fps, preset=preset)
    starts = timeline.starts()
    measured = loudness_target is not None
    Task = tuple[Item, list[Cue], float, EncodeSettings, Path, float, Path, bool]
    tasks: list[Task] = []
    for index, item in enumerate(timeline.items):
        offset = starts[index] / timeline.fps
        item_cues = [c for c in cues if c.item == index] if burn_in else []
        # A card is drawn silent; a cut's source is brought to the loudness target.
        gain = (gains or {}).get(item.source_sha256, 0.0) if isinstance(item, Cut) else 0.0
        tasks.append((item, item_cues, offset, settings, cache_dir, gain, work, measured))
    # Text that will not fit a card or strap is reported on every render, cached or not.
    warnings = [w for item in timeline.items for w in text_warnings(item, settings)]

    def one(task: Task) -> Segment:
        segment = render_segment(*task)
        if progress:
            progress(1)
        return segment

    # Two segments at once keep both cores busy: decoding and the filters are single-threaded.
    rendered = run_parallel(one, tasks, jobs)
    segments = [s.path for s in rendered]
    existing = sum(s.reused for s in rendered)
    warnings += [s.warning for s in rendered if s.warning]

    out_dir.mkdir(parents=True, exist_ok=True)
    film = out_dir / f"{stem}.mp4"
    # Scratch files by short relative names (ffmpeg runs in the run folder): see segments.py.
    (work / "segments.txt").write_text(
        "".join(f"file '{_concat_quote(p)}'\n" for p in segments), encoding="utf-8"
    )
    (work / "chapters.txt").write_text(_chapters(timeline), encoding="utf-8")
    joined = ["-f", "concat", "-safe", "0", "-i", "segments.txt"]
    audio_filter = ""
    if loudness_target is not None:
        # The joined sound's loudness, from the segments' blocks: the same gating as measuring
        # the joined sound (within a few hundredths of a LU: only the blocks that straddle a
        # join differ, and the joins are faded), without decoding the whole film to measure it.
        before = gated_loudness(b for s in rendered for b in s.blocks or ())
        correction = loudness_target - before
        if before > -70.0 and abs(correction) > 0.1:
            audio_filter = f"volume={correction:.2f}dB,alimiter=limit=0.79:level=disabled:latency=1"
    # The sound in pieces at once where the film can be split (render.sound), else in the join.
    samples = [item.frames * SAMPLE_RATE for item in timeline.items]
    whole_samples = all(n % timeline.fps == 0 for n in samples)
    split = whole_samples and encode_sound(
        segments,
        [n // timeline.fps for n in samples],
        [isinstance(item, Card) for item in timeline.items],
        audio_filter,
        "sound.aac",
        work,
        jobs,
    )
    args = [*joined, *(["-i", "sound.aac"] if split else []), "-i", "chapters.txt"]
    sound = 1 if split else 0
    meta = sound + 1
    maps = ["-map", "0:v", "-map", f"{sound}:a", "-map_metadata", f"{meta}"]
    maps += ["-map_chapters", f"{meta}"]
    if cues:
        (work / "soft-track.srt").write_text(mov_text_safe_srt(srt_text), encoding="utf-8")
        args += ["-f", "srt", "-i", "soft-track.srt"]
        maps += ["-map", f"{meta + 1}:0", "-c:s", "mov_text", "-metadata:s:s:0", "language=eng"]
    if split:
        codecs = ["-c:v", "copy", "-c:a", "copy"]
    else:
        codecs = ["-c:v", "copy", *(["-af", audio_filter] if audio_filter else []), *AAC_ARGS]
    side = ThreadPoolExecutor(max_workers=1)
    try:
        with staged_path(film) as partial:
            # The finished sound is measured while the picture is copied: the film's sound
            # track is sound.aac's frames, as they are. (In one piece: measured from the film.)
            measuring = None
            if loudness_target is not None and split:
                measuring = side.submit(measure, ["-i", "sound.aac"], "measuring the film", work)
            run_ffmpeg(
                [*args, *maps, *codecs, "-movflags", "+faststart", str(partial)],
                "joining the segments into the film",
                cwd=work,
            )
            loudness = None
            if measuring is not None:
                loudness = measuring.result()
            elif loudness_target is not None:
                # Measured on the finished file, before it takes the film's name.
                loudness = measure(["-i", str(partial)], "measuring the finished film")
    except BaseException:
        # The measuring ffmpeg stops now, not when it has read the whole film.
        stop_children()
        raise
    finally:
        side.shutdown(wait=True)
    return RenderedFilm(
        film, len(segments), existing, timeline.duration, loudness, tuple(dict.fromkeys(warnings))
    )


# ffmpeg's SRT decoder reads <b>, <i>, <font …>, {\…} override blocks and \N as markup, and the
# mov_text encoder then styles or drops them. A WORD JOINER (U+2060, invisible and zero-width)
# after each opening character keeps the words as written without changing what is seen.
_WORD_JOINER = "\u2060"


def mov_text_safe(line: str) -> str:
    """One caption line, with everything ffmpeg would read as markup made literal."""
    for char in "\\{<":
        line = line.replace(char, char + _WORD_JOINER)
    return line


def mov_text_safe_srt(srt_text: str) -> str:
    """``srt_text`` with its cue text (not numbers or times) passed through mov_text_safe."""
    blocks = []
    for block in srt_text.replace("\r\n", "\n").split("\n\n"):
        lines = block.split("\n")
        timing = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        if timing is None:
            blocks.append(block)
            continue
        head, text = lines[: timing + 1], lines[timing + 1 :]
        blocks.append("\n".join([*head, *(mov_text_safe(line) for line in text)]))
    return "\n\n".join(blocks)


def _concat_quote(path: Path) -> str:
    # The concat demuxer's list syntax escapes a single quote as '\''.
    return str(path).replace("'", "'\\''")


def _chapters(timeline: Timeline) -> str:
    """FFMETADATA chapters: one per touchpoint (from its card to the next), plus opening/credits."""
    lines = [";FFMETADATA1", f"title={_meta(timeline.title)}"]
    starts = timeline.starts() + [timeline.frames]
    marks: list[tuple[int, str]] = []
    for index, item in enumerate(timeline.items):
        if isinstance(item, Card):
            name = item.title if item.role != "opening" else "Opening"
            marks.append((starts[index], name))
    if not marks or marks[0][0] != 0:
        marks.insert(0, (0, "Opening"))
    for (start, name), (end, _) in zip(marks, [*marks[1:], (timeline.frames, "")], strict=True):
        ms = 1000 / timeline.fps
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={round(start * ms)}",
            f"END={round(end * ms)}",
            f"title={_meta(name)}",
        ]
    return "\n".join(lines) + "\n"


def _meta(text: str) -> str:
    # FFMETADATA escapes '=', ';', '#', '\' and newlines with a backslash.
    for char in "\\=;#":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\\n")

"""Benchmark the renderer against one hand-built ffmpeg command making the same film.

    .venv/bin/python bench/render.py [--preset veryfast] [--jobs 2] [--keep DIR]

One edit of the sample clips in ``clips/`` (8 cuts from 5 clips, one of them audio-only,
under 3 touchpoints: 5 cards, 60+ s, 20+ burned-in captions, 1280x720 at 25 fps):

1. The transcripts are made first, into a fresh cache folder (``TRIGGERFILM_CACHE``), and not
   timed: the benchmark measures rendering. Everything else starts cold in that cache: the
   per-clip loudness, the card pictures, every segment.
2. **triggerfilm**: ``app.render_manifest`` (cards, name straps, captions, loudness,
   segments, join, chapters, soft captions), timed from the manifest to the finished film.
3. **ffmpeg baseline**: one ffmpeg command built from the SAME ``timeline.json`` and captions
   (the cues triggerfilm wrote to film.srt, as the same ASS script): each card a looped still
   drawn with ``triggerfilm.render.cards.draw_card`` (the audio-only cut over its backdrop),
   each cut input-seeked and trimmed with fps/scale/pad, 10 ms audio fades, one concat filter,
   the subtitles filter, libx264 at the same preset and CRF, AAC as the film has it
   (``render.sound.AAC_ARGS``: the fast coder, 192 kb/s). Drawing the stills is
   reported apart and not counted (triggerfilm's time includes its own drawing).
4. **incremental**: a copy of the manifest with one selection's times changed, rendered again
   with the warm segment cache.

5. **where the time goes**: the timed parts of both renders, and the costs measured apart on
   this run's own files: ffmpeg process start, input seeking, the PCM intermediates, the
   loudness passes and the join; then the re-cut's time by part.

The baseline does less than triggerfilm (no name straps, no loudness measurement or
normalisation, no chapters or soft caption track), so the ratio is, if anything, unkind to
triggerfilm. The last two lines are::

    full render: triggerfilm X s, ffmpeg Y s, ratio=<X/Y>
    incremental re-render: Z s, ratio=<Z/X>
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CLIPS = ROOT / "clips"

EDIT = {
    "title": "Coming through intensive care",
    "description": "A benchmark edit of the synthetic sample archive",
    "credits": "Rendered by bench/render.py",
    "output": {"width": 1280, "height": 720, "fps": 25, "card_seconds": 4},
    # Local media, copied beside the manifest at the start (not the archive): the benchmark needs
    # the pictures and sound only, and a full render and its re-cut must see the same bytes even
    # if someone regenerates clips/ meanwhile.
    "clips": [
        {
            "id": f"icu{code}",
            "media": f"clips/ICU{code}-01.{ext}",
            "narrator": f"ICU{code}",
            "descriptor": descriptor,
            "consent": {
                "basis": "synthetic sample (CC0)",
                "uses": ["joint-event"],
                "approved_clips": True,
            },
        }
        for code, ext, descriptor in (
            ("03", "mp4", "woman, 40s, patient"),
            ("07", "mp4", "man, 60s, patient"),
            ("12", "mp4", "daughter of a patient, 50s"),
            ("15", "m4a", "husband of a patient, 70s"),
            ("21", "mp4", "man, 30s, patient"),
        )
    ],
    "touchpoints": [
        {
            "title": "Coming in",
            "selections": [
                {"clip": "icu07", "from": 0.0, "to": 11.0},
                {"clip": "icu21", "from": 0.0, "to": 10.5},
            ],
        },
        {
            "title": "Nights on the unit",
            "selections": [
                {"clip": "icu03", "from": 0.0, "to": 11.0},
                {"clip": "icu15", "from": 0.0, "to": 10.5},
                {"clip": "icu07", "from": 11.5, "to": 21.5},
            ],
        },
        {
            "title": "Going home",
            "selections": [
                {"clip": "icu12", "from": 0.0, "to": 10.5},
                {"clip": "icu03", "from": 26.0, "to": 35.0},
                {"clip": "icu21", "from": 22.0, "to": 33.0},
            ],
        },
    ],
}
# The re-cut: one selection of the middle touchpoint starts and ends somewhere else.
CHANGED = ("Nights on the unit", 0, {"from": 4.5, "to": 14.5})


def write_manifest(path: Path, edit: dict) -> Path:
    path.write_text(yaml.safe_dump(edit, sort_keys=False), encoding="utf-8")
    return path


def recut(edit: dict) -> dict:
    edit = json.loads(json.dumps(edit))
    title, index, times = CHANGED
    touchpoint = next(t for t in edit["touchpoints"] if t["title"] == title)
    touchpoint["selections"][index].update(times)
    return edit


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


# The baseline: one ffmpeg command for the whole film.


def _filter_path(path: Path) -> str:
    # Inside a filter graph ':' , '\' and quotes are special; the path is quoted and escaped.
    text = str(path).replace("\\", "\\\\").replace("'", "\\'").replace(":", "\\:")
    return f"'{text}'"


def baseline_command(film_dir: Path, work: Path, preset: str) -> tuple[list[str], float, int]:
    """The ffmpeg arguments, the seconds spent drawing stills, and the film's frame count."""
    from triggerfilm.captions.build import build_captions
    from triggerfilm.captions.profiles import get_profile
    from triggerfilm.captions.writers import format_srt
    from triggerfilm.editplan.timeline import Card, Timeline
    from triggerfilm.render.ass import compose_ass
    from triggerfilm.render.cards import draw_audio_backdrop, draw_card
    from triggerfilm.render.fonts import FONT_DIR

    timeline = Timeline.from_dict(json.loads((film_dir / "timeline.json").read_text("utf-8")))
    cues = build_captions(timeline, get_profile(timeline.caption_profile))
    if format_srt(cues) != (film_dir / "film.srt").read_text(encoding="utf-8"):
        raise SystemExit("the captions rebuilt from timeline.json differ from film.srt")
    ass = work / "film.ass"
    ass.write_text(compose_ass(cues, timeline.width, timeline.height, 0.0), encoding="utf-8")

    w, h, fps, rate = timeline.width, timeline.height, timeline.fps, 48000
    started = time.perf_counter()
    stills: dict[int, Path] = {}
    for index, item in enumerate(timeline.items):
        if isinstance(item, Card):
            stills[index] = draw_card(item, w, h, work / f"card{index}.png")
        elif item.media_type == "audio-only":
            stills[index] = draw_audio_backdrop(
                item.narrator, item.descriptor, w, h, work / f"backdrop{index}.png"
            )
    drawing = time.perf_counter() - started

    inputs: list[str] = []
    graph: list[str] = []
    count = 0

    def add_input(*args: str) -> int:
        nonlocal count
        inputs.extend(args)
        count += 1
        return count - 1

    conform = (
        f"fps={fps},scale={w}:{h}:force_original_aspect_ratio=decrease:reset_sar=1,"
        f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p"
    )
    pairs = []
    for index, item in enumerate(timeline.items):
        seconds = item.frames / fps
        samples = item.frames * rate // fps
        length = f"{seconds + 0.5:.3f}"  # a little spare; trim makes it exact
        if index in stills:
            picture = add_input(
                "-loop", "1", "-framerate", str(fps), "-t", length, "-i", str(stills[index])
            )
            video = f"[{picture}:v]"
        if isinstance(item, Card) or not item.has_audio:
            sound = f"anullsrc=r={rate}:cl=stereo,atrim=end_sample={samples}"
        if not isinstance(item, Card):
            source = add_input("-ss", f"{item.source_in:.6f}", "-t", length, "-i", item.source)
            if item.media_type != "audio-only":
                video = f"[{source}:v]"
            if item.has_audio:
                sound = (
                    f"[{source}:a]aresample={rate},aformat=sample_fmts=fltp:channel_layouts=stereo,"
                    f"apad,atrim=end_sample={samples},asetpts=N/SR/TB,"
                    f"afade=t=in:d=0.01,afade=t=out:st={seconds - 0.01:.4f}:d=0.01"
                )
        graph.append(f"{video}{conform},trim=end_frame={item.frames},setpts=PTS-STARTPTS[v{index}]")
        graph.append(f"{sound}[a{index}]")
        pairs.append(f"[v{index}][a{index}]")
    graph.append(f"{''.join(pairs)}concat=n={len(pairs)}:v=1:a=1[joined][sound]")
    graph.append(
        f"[joined]subtitles={_filter_path(ass)}:fontsdir={_filter_path(FONT_DIR)}[picture]"
    )
    script = work / "graph.txt"
    script.write_text(";\n".join(graph), encoding="utf-8")
    args = [
        *inputs,
        "-/filter_complex", str(script),
        "-map", "[picture]", "-map", "[sound]",
        "-c:v", "libx264", "-preset", preset, "-crf", "20", "-pix_fmt", "yuv420p",
        "-g", str(fps * 2), "-profile:v", "high",
        *aac_args(), "-movflags", "+faststart",
        str(work / "baseline.mp4"),
    ]  # fmt: skip
    return args, drawing, timeline.frames


def aac_args() -> list[str]:
    """The film's AAC settings, so that the baseline encodes its sound the same way."""
    from triggerfilm.render import film

    return list(getattr(film, "AAC_ARGS", ("-c:a", "aac", "-b:a", "192k")))


def run_ffmpeg(args: list[str]) -> None:
    import imageio_ffmpeg

    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
    ]
    result = subprocess.run([*command, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"the baseline ffmpeg command failed:\n{result.stderr[-3000:]}")


def video_frames(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sum(1 for p in container.demux(stream) if p.size)


# Wall time spent in the parts of a triggerfilm render (wrappers that only time).

SPENT: dict[str, list[float]] = {}


def instrument() -> None:
    import threading

    from triggerfilm.app import render as pipeline
    from triggerfilm.render import film, segments

    try:
        from triggerfilm.render import sound
    except ImportError:  # the renderer before the sound was encoded in pieces
        sound = None
    lock = threading.Lock()

    def wrap(module, name: str, label: str) -> None:
        original = getattr(module, name, None) if module is not None else None
        if original is None:  # the renderer changed shape: time what still exists
            return

        def timed_call(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                with lock:
                    SPENT.setdefault(label, []).append(time.perf_counter() - start)

        setattr(module, name, timed_call)

    wrap(pipeline, "prepare", "prepare: manifest, sources, probe")
    wrap(pipeline, "transcribe_all", "transcripts (cached)")
    wrap(pipeline, "loudness_gains", "loudness of each source clip")
    wrap(pipeline, "build_captions", "captions")
    wrap(pipeline, "render_film", "render_film (segments + join)")
    wrap(film, "render_segment", "  one segment, all in (2 at once)")
    wrap(segments, "draw_card", "    drawing: card")
    wrap(segments, "draw_audio_backdrop", "    drawing: audio backdrop")
    wrap(segments, "draw_name_strap", "    drawing: name strap")
    wrap(segments, "run_ffmpeg", "    ffmpeg: encode a segment")
    wrap(segments, "sha256_of", "    checksum a segment (reuse check)")
    wrap(segments, "block_loudness", "    ffmpeg: a segment's loudness blocks")
    wrap(film, "gated_loudness", "  film loudness from segment blocks")
    wrap(film, "measure", "  ffmpeg: film loudness pass")
    wrap(film, "encode_sound", "  the film's sound to AAC (pieces at once)")
    wrap(sound, "run_ffmpeg", "    ffmpeg: a piece of the film's sound")
    wrap(film, "run_ffmpeg", "  ffmpeg: join (copy video, AAC)")


def report_profile(title: str) -> dict[str, list[float]]:
    print(f"profile of {title} (seconds of wall time, calls; parallel calls add up):")
    for label, spent in SPENT.items():
        print(f"  {label:<40} {sum(spent):7.1f} s  x{len(spent)}")
    spent = dict(SPENT)
    SPENT.clear()
    return spent


def _ffmpeg_seconds(args: list[str]) -> float:
    import imageio_ffmpeg

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error"]
    started = time.perf_counter()
    subprocess.run([*command, *args], capture_output=True, check=True)
    return time.perf_counter() - started


def where_time_goes(film_dir: Path, cache: Path, full: float, spent: dict) -> None:
    """The costs the issue asks about, measured apart on this run's own files.

    Process start: an ffmpeg that does nothing, times the segment count. Seeking: for each cut,
    an input seek to its in-point and one decoded frame, less a process start. PCM
    intermediates: the segments' uncompressed sound, and reading all of it back through the
    concat demuxer as the join does. Loudness and join: from the timed wrappers above.
    """
    from triggerfilm.editplan.timeline import Cut, Timeline

    timeline = Timeline.from_dict(json.loads((film_dir / "timeline.json").read_text("utf-8")))
    nothing = ["-f", "lavfi", "-i", "anullsrc=r=48000", "-t", "0.01", "-f", "null", "-"]
    start = sorted(_ffmpeg_seconds(nothing) for _ in range(5))[2]
    seeks = [
        max(0.0, _ffmpeg_seconds(
            ["-ss", f"{c.source_in:.3f}", "-i", c.source, "-frames:v", "1", "-an", "-f", "null",
             "-"]
        ) - start)
        for c in timeline.items
        if isinstance(c, Cut) and c.media_type != "audio-only"
    ]  # fmt: skip
    segments = sorted((cache / "render" / "segments").rglob("*.mkv"))
    pcm_bytes = timeline.frames * 48000 // timeline.fps * 2 * 2
    listing = film_dir.parent / "segments.txt"
    listing.write_text("".join(f"file '{p}'\n" for p in segments[: len(timeline.items)]), "utf-8")
    pcm_read = _ffmpeg_seconds(
        ["-f", "concat", "-safe", "0", "-i", str(listing), "-vn", "-f", "null", "-"]
    )

    def total(*labels: str) -> float:
        return sum(sum(v) for k, v in spent.items() if any(label in k for label in labels))

    def only(label: str) -> float:
        return sum(sum(v) for k, v in spent.items() if k.strip().startswith(label))

    count = len(timeline.items)
    print(f"where the full render's {full:.1f} s go (wall seconds; parallel work adds up):")
    rows = [
        ("process start", start * count, f"{count} ffmpeg runs x {start * 1000:.0f} ms"),
        ("seeking", sum(seeks), f"{len(seeks)} input seeks to a cut's first frame"),
        ("drawing cards/straps", total("drawing:"), "stills, inside the segment workers"),
        ("encoding segments", total("encode a segment"), "x264 + PCM, 2 at once"),
        (
            "PCM intermediates",
            pcm_read,
            f"{pcm_bytes / 2**20:.0f} MiB of PCM read back by the join",
        ),
        ("loudness: sources", total("loudness of each source"), "one pass per source, cached"),
        ("loudness: segments", total("loudness blocks"), "blocks measured apart (old entries)"),
        (
            "loudness: film",
            total("film loudness pass", "from segment blocks"),
            "from the blocks; the finished sound, beside the join",
        ),
        ("film's sound", total("film's sound to AAC"), "AAC, pieces split in the cards at once"),
        ("join", only("ffmpeg: join"), "copy video (and sound), subtitles, chapters, faststart"),
    ]
    for label, seconds, what in rows:
        print(f"  {label:<22} {seconds:6.1f} s  {what}")


def where_recut_goes(incremental: float, spent: dict, reused: int, segments: int) -> None:
    """The re-cut's time by part, from the timed wrappers (the rest: manifest, captions,
    companion files, provenance)."""

    def total(*labels: str) -> float:
        return sum(sum(v) for k, v in spent.items() if any(label in k for label in labels))

    rows = [
        ("changed segments", total("encode a segment", "drawing:"), f"{segments - reused} "
         "rendered (x264 + PCM, straps, captions)"),
        ("reuse checks", total("checksum a segment"), f"{reused} cached segments checksummed"),
        ("loudness blocks", total("loudness blocks"), "old cache entries only (new: in encode)"),
        ("film loudness", total("from segment blocks"), "computed from the segments' blocks"),
        ("finished sound", total("film loudness pass"), "measured once, alongside the join"),
        ("film's sound", total("film's sound to AAC"), "whole film's sound to AAC, in pieces"),
        ("join", total("ffmpeg: join"), "copy video and sound, captions, chapters, faststart"),
    ]  # fmt: skip
    # The finished sound is measured while the join runs: only what outlasts the join counts.
    by_label = {label: seconds for label, seconds, _ in rows}
    counted = sum(seconds for label, seconds, _ in rows if label != "finished sound")
    counted += max(0.0, by_label["finished sound"] - by_label["join"])
    rows.append(("everything else", max(0.0, incremental - counted), "manifest, captions, files"))
    print(f"where the re-cut's {incremental:.1f} s go (wall seconds):")
    for label, seconds, what in rows:
        print(f"  {label:<22} {seconds:6.1f} s  {what}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="veryfast", help="x264 preset for both (veryfast)")
    parser.add_argument("--jobs", type=int, default=2, help="triggerfilm segments at once")
    parser.add_argument("--keep", type=Path, help="keep the work folder here")
    # The profile is always printed now; the flag stays so older command lines still work.
    parser.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    work = Path(args.keep or tempfile.mkdtemp(prefix="triggerfilm-bench-render-"))
    if args.keep:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    # A fresh, empty cache for this run; set before triggerfilm reads it.
    os.environ["TRIGGERFILM_CACHE"] = str(work / "cache")
    from triggerfilm.app import RenderOptions, prepare, render_manifest, transcribe_all
    from triggerfilm.transcripts.options import TranscribeOptions

    instrument()
    try:
        (work / "clips").mkdir()
        for clip in EDIT["clips"]:
            shutil.copyfile(CLIPS / Path(clip["media"]).name, work / clip["media"])
        manifest = write_manifest(work / "edit.yaml", EDIT)
        options = RenderOptions(preset=args.preset, jobs=args.jobs)
        _, warm = timed(transcribe_all, prepare(manifest), TranscribeOptions())
        print(f"transcripts pre-warmed (not counted): {warm:.1f} s")
        SPENT.clear()

        report, full = timed(render_manifest, manifest, work / "film", options)
        spent = report_profile(f"the full render ({full:.1f} s)")
        timeline = json.loads((work / "film" / "timeline.json").read_text(encoding="utf-8"))
        cuts = [i for i in timeline["items"] if i["kind"] == "cut"]
        cards = [i for i in timeline["items"] if i["kind"] == "card"]
        print(
            f"edit: {report.duration:.1f} s, {len(cuts)} cuts from "
            f"{len({c['clip_id'] for c in cuts})} sources, {len(cards)} cards, "
            f"{report.cues} captions, {timeline['width']}x{timeline['height']} "
            f"at {timeline['fps']} fps, x264 {args.preset}"
        )
        # An edit big enough to measure; cues follow whole sentences since the caption builder
        # stopped splitting orphans, so the same edit now has 19 of them, not 21.
        assert len(cuts) >= 6 and len(cards) >= 3 and report.cues >= 15 and report.duration >= 60

        ffmpeg_args, drawing, frames = baseline_command(work / "film", work, args.preset)
        print(f"baseline stills drawn with draw_card (not counted): {drawing:.1f} s")
        _, baseline = timed(run_ffmpeg, ffmpeg_args)
        made = video_frames(work / "baseline.mp4")
        film_frames = video_frames(work / "film" / "film.mp4")
        print(f"frames: timeline {frames}, triggerfilm {film_frames}, baseline {made}")

        changed = write_manifest(work / "edit-recut.yaml", recut(EDIT))
        again, incremental = timed(render_manifest, changed, work / "film-recut", options)
        print(f"re-cut: {again.reused} of {again.segments} segments reused")
        recut_spent = report_profile(f"the re-cut ({incremental:.1f} s)")
        where_time_goes(work / "film", work / "cache", full, spent)
        where_recut_goes(incremental, recut_spent, again.reused, again.segments)

        ratio = full / baseline
        print(f"full render: triggerfilm {full:.1f} s, ffmpeg {baseline:.1f} s, ratio={ratio:.2f}")
        print(f"incremental re-render: {incremental:.1f} s, ratio={incremental / full:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A full-length film: about 30 minutes cut from four 10-minute interviews, timed and measured.

    .venv/bin/python bench/film30.py [--preset veryfast] [--jobs 2] [--cache DIR] [--keep DIR]

EBCD trigger films run about 30 minutes, cut from interviews of which each contributes roughly
10 minutes (domain notes). This renders one at full size (1280x720, 25 fps) and prints its
real-time factor (render seconds / film seconds) and peak memory.

1. Four 10-minute interviews are synthesised from the sample clips in ``clips/`` by looping each
   (stream copy, no re-encode): three videos at 30, 25 and 24 fps and one audio-only clip.
2. A manifest cuts 17 passages of 25 s from each, spread over the whole interview, under four
   touchpoints: 68 cuts and 6 cards, about 28.7 minutes.
3. The transcripts are made first in a child process and not timed (``--cache DIR`` keeps them
   for the next run: transcribing 40 minutes takes a while on two cores).
4. The render runs in its own child process with a cold segment and loudness cache, timed from
   the manifest to the finished film (every stage: loudness of each source, cards, segments,
   join, companions, provenance).

Peak memory: the child's own peak RSS (Python: manifest, transcripts, timeline, MoviePy) and the
largest peak of any ffmpeg it ran; at most ``--jobs`` ffmpeg processes run at once, so the
whole render's peak is at most python + jobs x ffmpeg, printed as the upper bound.

Before them: where the render's time goes (source loudness, segments, the film's sound, the
join, the finished film's loudness) and the CPU time ffmpeg got against the wall time, with the
load average: on a shared machine the real-time factor says as much about the other work as
about the renderer. The last lines are::

    film: M min S s, render R s, RTF=<R / film seconds>
    peak memory: python P MiB, largest ffmpeg F MiB, upper bound U MiB
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from triggerfilm.timefmt import length_words

ROOT = Path(__file__).resolve().parents[1]
CLIPS = ROOT / "clips"
INTERVIEWS = (
    ("ICU03", "ICU03-01.mp4", "woman, 40s, patient"),
    ("ICU07", "ICU07-01.mp4", "man, 60s, patient"),
    ("ICU12", "ICU12-01.mp4", "daughter of a patient, 50s"),
    ("ICU15", "ICU15-01.m4a", "husband of a patient, 70s"),
)
TOUCHPOINTS = ("Coming in", "Nights on the unit", "Moving to the ward", "Going home")
PASSAGES, PASSAGE_SECONDS, SPACING = 17, 25.0, 33.0


def synthesise(work: Path, minutes: float) -> list[Path]:
    """Each sample clip looped to ``minutes`` long, without re-encoding."""
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    made = []
    for code, name, _ in INTERVIEWS:
        out = work / "interviews" / f"{code}-interview{Path(name).suffix}"
        out.parent.mkdir(parents=True, exist_ok=True)
        if not out.exists():
            subprocess.run(
                [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                 "-stream_loop", "-1", "-i", str(CLIPS / name), "-t", f"{minutes * 60:.0f}",
                 "-c", "copy", str(out)],
                check=True,
            )  # fmt: skip
        made.append(out)
    return made


def manifest(work: Path, interviews: list[Path]) -> Path:
    clips = [
        {
            "id": code.lower(),
            "media": str(path),
            "narrator": code,
            "descriptor": descriptor,
            "consent": {
                "basis": "synthetic sample (CC0)",
                "uses": ["joint-event"],
                "approved_clips": True,
            },
        }  # fmt: skip
        for (code, _, descriptor), path in zip(INTERVIEWS, interviews, strict=True)
    ]
    touchpoints = [{"title": title, "selections": []} for title in TOUCHPOINTS]
    for j in range(PASSAGES):
        # Passages in interview order, so each touchpoint takes a stretch of every interview.
        touchpoint = touchpoints[j * len(TOUCHPOINTS) // PASSAGES]
        for clip in clips:
            start = 10.0 + j * SPACING
            touchpoint["selections"].append(
                {"clip": clip["id"], "from": start, "to": start + PASSAGE_SECONDS}
            )
    edit = {
        "title": "A thirty-minute trigger film",
        "description": "Benchmark: four synthetic interviews",
        "credits": "Rendered by bench/film30.py",
        "output": {"width": 1280, "height": 720, "fps": 25, "card_seconds": 4},
        "clips": clips,
        "touchpoints": touchpoints,
    }
    path = work / "film30.yaml"
    path.write_text(yaml.safe_dump(edit, sort_keys=False), encoding="utf-8")
    return path


# The parts of the render that are timed (wall seconds; parallel calls add up), by label.
PARTS = (
    ("triggerfilm.app.render", "loudness_gains", "loudness of each source"),
    ("triggerfilm.render.film", "render_segment", "segments (2 at once)"),
    ("triggerfilm.render.film", "encode_sound", "the film's sound to AAC"),
    ("triggerfilm.render.film", "run_ffmpeg", "join (copy picture and sound)"),
    ("triggerfilm.render.film", "measure", "loudness of the finished film"),
)


def _instrument(spent: dict[str, float]) -> None:
    import importlib
    import threading

    lock = threading.Lock()
    for module_name, name, label in PARTS:
        module = importlib.import_module(module_name)
        original = getattr(module, name, None)
        if original is None:  # the renderer changed shape: time what still exists
            continue

        def timed(*args, __original=original, __label=label, **kwargs):
            start = time.perf_counter()
            try:
                return __original(*args, **kwargs)
            finally:
                with lock:
                    spent[__label] = spent.get(__label, 0.0) + time.perf_counter() - start

        setattr(module, name, timed)


def child_render(manifest_path: str, out_dir: str, preset: str, jobs: int) -> int:
    """Runs in the child: the timed render, then its time and peak memory as one JSON line."""
    from triggerfilm.app import RenderOptions, render_manifest

    spent: dict[str, float] = {}
    _instrument(spent)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    report = render_manifest(manifest_path, out_dir, RenderOptions(preset=preset, jobs=jobs))
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    # ru_maxrss is in KiB on Linux; RUSAGE_CHILDREN gives the largest finished descendant.
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ffmpeg = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = {
        "seconds": seconds,
        "duration": report.duration,
        "segments": report.segments,
        "cues": report.cues,
        "python_mib": own,
        "ffmpeg_mib": ffmpeg,
        "spent": spent,
        "ffmpeg_cpu": children.ru_utime + children.ru_stime,
        "load": [load_before, os.getloadavg()[0]],
    }
    print("RESULT " + json.dumps(result))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="veryfast", help="x264 preset (veryfast)")
    parser.add_argument("--jobs", type=int, default=2, help="segments at once (2)")
    parser.add_argument("--minutes", type=float, default=10.0, help="length of each interview")
    parser.add_argument("--cache", type=Path, help="keep transcripts here between runs")
    parser.add_argument("--keep", type=Path, help="keep the work folder here")
    parser.add_argument("--child", nargs=2, metavar=("MANIFEST", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_render(*args.child, args.preset, args.jobs)

    work = Path(args.keep or tempfile.mkdtemp(prefix="triggerfilm-bench-film30-"))
    work.mkdir(parents=True, exist_ok=True)
    cache = (args.cache or work / "cache").resolve()
    env = {**os.environ, "TRIGGERFILM_CACHE": str(cache)}
    try:
        interviews = synthesise(work, args.minutes)
        path = manifest(work, interviews)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "triggerfilm", "transcribe", str(path)], env=env, check=True
        )
        print(f"transcripts (not counted): {time.perf_counter() - started:.0f} s")
        # Cold everything else: segments and per-source loudness are made again.
        for folder in ("render", "loudness"):
            shutil.rmtree(cache / folder, ignore_errors=True)
        out = work / "film"
        shutil.rmtree(out, ignore_errors=True)
        child = subprocess.run(
            [sys.executable, __file__, "--preset", args.preset, "--jobs", str(args.jobs),
             "--child", str(path), str(out)],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        if child.returncode != 0:
            raise SystemExit(f"the render failed:\n{child.stderr[-3000:]}")
        line = next(ln for ln in child.stdout.splitlines() if ln.startswith("RESULT "))
        result = json.loads(line.removeprefix("RESULT "))
        film = result["duration"]
        rtf = result["seconds"] / film
        bound = result["python_mib"] + args.jobs * result["ffmpeg_mib"]
        print(
            f"edit: {len(interviews)} interviews of {args.minutes:g} min, "
            f"{result['segments']} segments, {result['cues']} captions, 1280x720 at 25 fps, "
            f"x264 {args.preset}, {args.jobs} jobs, {os.cpu_count()} CPUs"
        )
        print("where the render's time goes (wall seconds; parallel calls add up):")
        for label, spent in result["spent"].items():
            print(f"  {label:<32} {spent:7.1f} s")
        cpus = os.cpu_count() or 1
        print(
            f"ffmpeg CPU time {result['ffmpeg_cpu']:.0f} s over {result['seconds']:.0f} s of wall "
            f"time on {cpus} CPUs (at most {result['ffmpeg_cpu'] / result['seconds']:.2f} of "
            f"them busy); load average {result['load'][0]:.1f} at the start, "
            f"{result['load'][1]:.1f} at the end (other work on the machine slows the render)"
        )
        print(f"film: {length_words(film, places=1)}, render {result['seconds']:.1f} s, "
              f"RTF={rtf:.3f}")  # fmt: skip
        print(
            f"peak memory: python {result['python_mib']:.0f} MiB, largest ffmpeg "
            f"{result['ffmpeg_mib']:.0f} MiB, upper bound {bound:.0f} MiB"
        )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

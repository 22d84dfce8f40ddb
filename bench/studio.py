"""Benchmark the studio's pages: a 15-clip manifest, and an hour-long transcript in Chromium.

    .venv/bin/python bench/studio.py [--repeat 20]

1. **Page loads, 15 clips**: a copy of the demo manifest with each of its 5 sample clips
   declared three times (15 clips, 15 passages). Each page is fetched over loopback HTTP from a
   running studio, ``--repeat`` times; the median is reported. **Baseline**: the same page from
   a server that reads the workspace afresh for every request (``open_workspace`` each time,
   transcripts from the cache), which is what the studio avoids by keeping the workspace of the
   manifest's current content hash.
2. **Hour-long transcript** (needs /usr/bin/chromium): one hour of generated silence carrying a
   synthetic 9,000-word transcript (the demo's words repeated; placed in a private cache, so
   nothing is transcribed). Reported: the clip page's server time and the browser's
   load-to-interactive time, and the cost of one playback tick (highlighting the current word:
   binary search, two class changes) against a **baseline** tick that re-renders the
   transcript, as editors that rebuild the text on every time update do.

The last lines are::

    page loads (15 clips): median X ms per page, baseline Y ms, ratio=<Y/X>
    hour-long transcript: tick X ms, re-render Y ms, ratio=<Y/X>
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

PAGES = ("/", "/clips", "/clips/icu03", "/api/board", "/preview")


def fifteen_clips(folder: Path) -> Path:
    from tests.conftest import demo_copy

    path = demo_copy(folder)
    text = path.read_text(encoding="utf-8")
    extra = []
    for copy in ("b", "c"):
        for clip in ("icu03", "icu07", "icu12", "icu15", "icu21"):
            code = clip.upper() + "-01"
            extra.append(f"  - {{id: {clip}{copy}, archive: sample, clip: {code}}}")
    text = text.replace(
        "  - {id: icu21, archive: sample, clip: ICU21-01}\n",
        "  - {id: icu21, archive: sample, clip: ICU21-01}\n" + "\n".join(extra) + "\n",
    )
    more = "".join(
        f"      - {{clip: {clip}{copy}, from: 1.0, to: 4.0}}\n"
        for copy in ("b",)
        for clip in ("icu03", "icu07", "icu12", "icu15", "icu21")
    )
    text = text.replace(
        '        to: "somebody to talk to as well"\n        valence: mixed',
        '        to: "somebody to talk to as well"\n        valence: mixed\n' + more.rstrip("\n"),
    )
    path.write_text(text, encoding="utf-8")
    return path


def timed_get(server, path: str) -> float:
    from tests.studio_server import request

    start = time.perf_counter()
    status, _, _ = request(server, path)
    elapsed = time.perf_counter() - start
    assert status == 200, (path, status)
    return elapsed


def page_loads(repeat: int) -> tuple[float, float]:
    from tests.studio_server import running_studio

    from triggerfilm.app.workspace import open_workspace

    folder = Path(tempfile.mkdtemp(prefix="bench-studio-"))
    manifest = fifteen_clips(folder)
    with running_studio(manifest, folder / "out") as server:
        assert len(server.studio.workspace().clips) == 15
        for path in PAGES:
            timed_get(server, path)  # warm: templates compiled, files in the page cache
        ours = {p: statistics.median(timed_get(server, p) for _ in range(repeat)) for p in PAGES}
        # Baseline: a workspace read afresh for every request.
        studio = server.studio
        original = studio.workspace

        def fresh(progress=None):
            studio._workspace = open_workspace(studio.manifest, studio.options)
            return studio._workspace

        studio.workspace = fresh
        base = {p: statistics.median(timed_get(server, p) for _ in range(repeat)) for p in PAGES}
        studio.workspace = original
    for p in PAGES:
        print(f"  {p:<14} {ours[p] * 1000:7.1f} ms   baseline {base[p] * 1000:7.1f} ms")
    return statistics.median(ours.values()), statistics.median(base.values())


def hour_long(folder: Path) -> Path:
    """A manifest with one hour of silence whose cached transcript has ~9,000 words."""
    import imageio_ffmpeg

    from triggerfilm.app.workspace import open_workspace
    from triggerfilm.transcripts.checked import checked_cache_path
    from triggerfilm.transcripts.model import Transcript
    from triggerfilm.transcripts.options import TranscribeOptions
    from triggerfilm.transcripts.store import cache_path

    media = folder / "hour.m4a"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         "anullsrc=r=8000:cl=mono", "-t", "3600", "-c:a", "aac", "-b:a", "8k", str(media)],
        check=True,
    )  # fmt: skip
    demo = open_workspace(ROOT / "manifests" / "demo.yaml").transcripts
    segments, offset = [], 0.0
    while offset < 3590:
        for transcript in demo.values():
            for segment in transcript.segments:
                words = tuple(
                    replace(w, start=w.start + offset, end=w.end + offset) for w in segment.words
                )
                if words and words[-1].end < 3599:
                    segments.append(replace(segment, words=words, start=words[0].start,
                                            end=words[-1].end))  # fmt: skip
            offset += transcript.duration
    options = TranscribeOptions()
    base = next(iter(demo.values()))
    long = Transcript(tuple(segments), "en", 3600.0, base.engine, base.model, options.to_dict())
    for path in (cache_path(media, options), checked_cache_path(media, options, None)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(long.to_dict()), encoding="utf-8")
    manifest = folder / "hour.yaml"
    manifest.write_text(
        f"""title: One hour
clips:
  - {{id: hour, media: {media.name}, narrator: LONG01, media_type: audio-only,
      consent: {{basis: generated, uses: [joint-event], approved_clips: true}}}}
touchpoints:
  - title: All of it
    selections:
      - {{clip: hour, from: 10, to: 20}}
""",
        encoding="utf-8",
    )
    print(f"  hour-long clip: {len(long.words)} words")
    return manifest


def browser_ticks(repeat: int) -> tuple[float, float] | None:
    if not Path("/usr/bin/chromium").exists():
        print("  (no /usr/bin/chromium: hour-long transcript not measured)")
        return None
    from playwright.sync_api import sync_playwright
    from tests.studio_server import running_studio

    folder = Path(tempfile.mkdtemp(prefix="bench-studio-hour-"))
    manifest = hour_long(folder)
    with running_studio(manifest, folder / "out") as server, sync_playwright() as p:
        server_time = statistics.median(timed_get(server, "/clips/hour") for _ in range(5))
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(server.url)
        start = time.perf_counter()
        page.goto(server.base + "/clips/hour", wait_until="load")
        while not page.evaluate("window.triggerfilmClip !== undefined"):
            page.wait_for_timeout(10)
        load = time.perf_counter() - start
        measured = page.evaluate(
            """(repeat) => {
                const words = document.querySelectorAll('#transcript .w');
                const starts = JSON.parse(document.getElementById('data').textContent).starts;
                const n = 2000;
                let t0 = performance.now();
                for (let k = 0; k < n; k++) {
                    window.triggerfilmClip.seek(starts[(k * 4999) % starts.length] + 0.01);
                    document.body.offsetHeight;  // the layout each tick costs
                }
                const tick = (performance.now() - t0) / n;
                const box = document.getElementById('transcript');
                const html = box.innerHTML;
                t0 = performance.now();
                for (let k = 0; k < repeat; k++) {
                    box.innerHTML = html;
                    box.querySelectorAll('.w')[k * 311].classList.add('now');
                    document.body.offsetHeight;
                }
                const rerender = (performance.now() - t0) / repeat;
                return {tick, rerender, words: words.length};
            }""",
            repeat,
        )
        browser.close()
    print(
        f"  clip page: server {server_time * 1000:.0f} ms, browser load {load * 1000:.0f} ms, "
        f"{measured['words']} words on the page"
    )
    return measured["tick"], measured["rerender"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("TRIGGERFILM_CACHE", tempfile.mkdtemp(prefix="bench-studio-cache-"))
    ours, base = page_loads(args.repeat)
    ticks = browser_ticks(args.repeat)
    print(
        f"page loads (15 clips): median {ours * 1000:.1f} ms per page, "
        f"baseline {base * 1000:.1f} ms, ratio={base / ours:.1f}"
    )
    if ticks:
        tick, rerender = ticks
        print(
            f"hour-long transcript: tick {tick:.3f} ms, re-render {rerender:.1f} ms, "
            f"ratio={rerender / tick:.0f}"
        )


if __name__ == "__main__":
    main()

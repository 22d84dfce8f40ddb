"""What real players make of a subtitle file: the shipped ffmpeg and Chromium's WebVTT parser.

Tests use these to calibrate the checker: a defect that changes what a viewer sees in either
player must be an error. ``ffmpeg_cues`` converts the file with the static ffmpeg we render
with (its SRT or WebVTT demuxer) to WebVTT and reads back the cues ffmpeg produced;
``chromium_cues`` loads the WebVTT file as a ``<track>`` in real Chromium (served over
loopback HTTP) and reads the ``TextTrack`` cues.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import imageio_ffmpeg

CHROMIUM = Path("/usr/bin/chromium")
PlayerCue = tuple[float, float, str]

_TIMING = re.compile(r"^(?:(\d+):)?(\d+):(\d+)\.(\d+) --> (?:(\d+):)?(\d+):(\d+)\.(\d+)")


def _seconds(h: str | None, m: str, s: str, ms: str) -> float:
    return round(int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000, 3)


def ffmpeg_cues(path: Path) -> list[PlayerCue] | None:
    """The cues ffmpeg reads from ``path`` (text with newlines), or None when it refuses the file."""
    out = Path(tempfile.mkdtemp(prefix="players-")) / "out.vtt"
    try:
        done = subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-y", "-i", str(path)]
            + ["-f", "webvtt", str(out)],
            capture_output=True,
            timeout=60,
        )
        if done.returncode != 0 or not out.exists():
            return None
        return _read_vtt_we_trust(out.read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)


def _read_vtt_we_trust(text: str) -> list[PlayerCue]:
    """ffmpeg's own WebVTT output: one timing line, text up to the next blank line."""
    cues: list[PlayerCue] = []
    blocks = text.split("\n\n")
    for block in blocks:
        lines = block.split("\n")
        for i, line in enumerate(lines):
            match = _TIMING.match(line)
            if match:
                g = match.groups()
                text_lines = [x for x in lines[i + 1 :]]
                cues.append((_seconds(*g[0:4]), _seconds(*g[4:8]), "\n".join(text_lines)))
                break
    return cues


def chromium_available() -> bool:
    return CHROMIUM.exists()


@contextmanager
def _serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output readable
        pass


_READ_CUES = """() => {
  const tracks = Array.from(document.querySelectorAll('track'));
  return tracks.map(t => {
    if (t.readyState === 3) return null;  // ERROR: the browser rejected the file
    t.track.mode = 'hidden';
    return Array.from(t.track.cues).map(c => [c.startTime, c.endTime,
      c.getCueAsHTML().textContent]);
  });
}"""


class Chromium:
    """One browser for many files: ``cues(texts)`` loads each WebVTT text as a track."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"]
        )

    def close(self) -> None:
        self._browser.close()
        self._pw.stop()

    def cues(self, files: list[bytes]) -> list[list[PlayerCue] | None]:
        """Per WebVTT file (bytes), the cues Chromium shows (text as displayed), or None when
        Chromium rejects the whole file."""
        folder = Path(tempfile.mkdtemp(prefix="players-"))
        try:
            tracks = []
            for n, data in enumerate(files):
                (folder / f"t{n}.vtt").write_bytes(data)
                tracks.append(f'<track kind="captions" src="t{n}.vtt" default>')
            # One <video> per track: a video shows only one default track.
            body = "".join(f"<video>{t}</video>" for t in tracks)
            (folder / "index.html").write_text(f"<!doctype html><html><body>{body}</body></html>")
            with _serve(folder) as base:
                page = self._browser.new_page()
                try:
                    page.goto(f"{base}/index.html")
                    page.wait_for_function(
                        "Array.from(document.querySelectorAll('track'))"
                        ".every(t => t.readyState >= 2)",
                        timeout=20000,
                    )
                    result = page.evaluate(_READ_CUES)
                finally:
                    page.close()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return [
            None
            if cues is None
            else [(round(float(a), 3), round(float(b), 3), text) for a, b, text in cues]
            for cues in result
        ]

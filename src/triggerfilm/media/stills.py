"""Still frames with a caption drawn on them, as a viewer would see it, for QC reports.

The caption is drawn by the same libass renderer (ffmpeg's ``subtitles`` filter) that burns
captions into films, from a one-cue SRT file that ffmpeg reads from its working folder by a
plain relative name, so no temporary path ever needs escaping. A file with no picture gets a
black frame of the same size.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from .ffmpeg import ffmpeg_exe


def caption_still(
    media: Path, seconds: float, srt_cue_text: str, *, has_video: bool, width: int = 320
) -> bytes | None:
    """A JPEG of ``media`` at ``seconds`` with the SRT-escaped ``srt_cue_text`` drawn on it,
    ``width`` pixels wide; None when ffmpeg cannot make it (the report then shows text only)."""
    height = round(width * 9 / 16 / 2) * 2
    with tempfile.TemporaryDirectory(prefix="triggerfilm-still-") as folder:
        work = Path(folder)
        (work / "cue.srt").write_text(
            f"1\n00:00:00,000 --> 00:10:00,000\n{srt_cue_text}\n", encoding="utf-8"
        )
        if has_video:
            source = ["-ss", f"{max(0.0, seconds):.3f}", "-i", str(Path(media).resolve())]
            scale = f"scale={width}:-2"
        else:
            source = ["-f", "lavfi", "-i", f"color=c=black:s={width}x{height}:d=1"]
            scale = "null"
        command = [
            ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *source,
            "-frames:v", "1", "-vf", f"{scale},subtitles=cue.srt", "-q:v", "5", "still.jpg",
        ]  # fmt: skip
        try:
            done = subprocess.run(command, cwd=work, capture_output=True, timeout=60)
        except subprocess.TimeoutExpired:
            return None
        still = work / "still.jpg"
        if done.returncode != 0 or not still.is_file():
            return None
        return still.read_bytes()

"""Running the static ffmpeg that ships in the imageio-ffmpeg wheel (no system ffmpeg needed)."""

from __future__ import annotations

import subprocess
from functools import cache

from ..errors import TriggerfilmError


class RenderError(TriggerfilmError):
    """ffmpeg could not make part of the film."""


@cache
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def run_ffmpeg(args: list[str], what: str, *, loglevel: str = "error") -> str:
    """Run ffmpeg with ``args`` (without the executable) and return what it printed on stderr.

    Raises RenderError with ffmpeg's last words when it fails.
    """
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", loglevel, "-y", *args]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-6:])
        raise RenderError(
            f"ffmpeg failed while {what}: {tail or 'no message'}",
            hint="Check that the source file plays; re-run with the same command to retry",
        )
    return result.stderr

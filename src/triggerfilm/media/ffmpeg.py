"""Running the static ffmpeg that ships in the imageio-ffmpeg wheel (no system ffmpeg needed).

Every ffmpeg this module starts is a child that dies with triggerfilm: it is kept in a set
that :func:`stop_children` kills (on an error, Ctrl-C or SIGTERM), and on Linux the kernel
sends it SIGKILL when its parent dies, so even ``kill -9`` of triggerfilm leaves no encoder
running on.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import TypeVar

from ..errors import TriggerfilmError


class RenderError(TriggerfilmError):
    """ffmpeg could not make part of the film."""


@cache
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


_children: set[subprocess.Popen[str]] = set()
_children_lock = threading.Lock()
# Set once the run is being torn down, so a worker thread cannot start a new encoder after
# stop_children has killed the running ones.
_stopping = threading.Event()

_PR_SET_PDEATHSIG = 1


@cache
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):
        return None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def stop_children() -> None:
    """Kill every ffmpeg still running (the run failed or was interrupted) and refuse new ones."""
    _stopping.set()
    with _children_lock:
        running = list(_children)
    for process in running:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()


Item = TypeVar("Item")
Result = TypeVar("Result")


def run_parallel(work: Callable[[Item], Result], items: Sequence[Item], jobs: int) -> list[Result]:
    """``work`` on each of ``items``, ``jobs`` at a time, the results in the items' order.

    ffmpeg does the heavy lifting in each job, so threads are enough. When one job fails or
    the run is interrupted, the queued jobs never start and the running encoders are killed
    now, not at their natural end.
    """
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = [pool.submit(work, item) for item in items]
        return [future.result() for future in futures]
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        stop_children()
        raise
    finally:
        pool.shutdown(wait=True)


def allow_children() -> None:
    """Let ffmpeg be started again (a new run in the same process, e.g. the studio server)."""
    _stopping.clear()


def _disk_full(stderr: str) -> bool:
    return "No space left on device" in stderr or os.strerror(errno.ENOSPC) in stderr


def run_ffmpeg(
    args: list[str], what: str, *, loglevel: str = "error", cwd: str | Path | None = None
) -> str:
    """Run ffmpeg with ``args`` (without the executable) and return what it printed on stderr.

    ``cwd`` lets a filter name a file by a short relative name (see render.segments). Raises
    RenderError with ffmpeg's last words when it fails.
    """
    if _stopping.is_set():
        raise RenderError(f"stopped before {what}", hint="The render was interrupted")
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", loglevel, "-y", *args]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        cwd=cwd,
        preexec_fn=_die_with_parent if _prctl() is not None else None,
    )
    with _children_lock:
        _children.add(process)
    try:
        _, stderr = process.communicate()
    except BaseException:
        process.kill()
        process.wait()
        raise
    finally:
        with _children_lock:
            _children.discard(process)
    if process.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-6:])
        if _stopping.is_set():
            raise RenderError(f"stopped while {what}", hint="The render was interrupted")
        if _disk_full(stderr):
            raise RenderError(
                f"the disk is full: ffmpeg could not write while {what}",
                expected="free space for the segments and the film",
                hint="Free some disk space (the output folder and the triggerfilm cache), "
                "then re-run the same command",
            )
        raise RenderError(
            f"ffmpeg failed while {what}: {tail or 'no message'}",
            hint="Check that the source file plays; re-run with the same command to retry",
        )
    return stderr

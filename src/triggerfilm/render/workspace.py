"""One temporary folder per render, gone when the render ends however it ends.

Card pictures, caption scripts and the join's lists hold the film's words, so they must not be
left in ``$TMPDIR``: the folder is removed on success, on an error, on Ctrl-C and on SIGTERM
(a handler turns SIGTERM into an ordinary exit so the cleanup runs), and the ffmpeg children
are killed first (``media.ffmpeg`` also has the kernel kill them if triggerfilm is killed
outright).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import NoReturn

from ..media.ffmpeg import allow_children, stop_children

RUN_PREFIX = "triggerfilm-run-"


def _terminated(signum: int, frame: FrameType | None) -> NoReturn:
    stop_children()
    # An exit, not an exception a caller might catch and carry on from; the shell sees 143.
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _sigterm_exits() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may install handlers; its owner handles signals
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _sweep_abandoned() -> None:
    """Remove run folders left by renders killed outright (SIGKILL, power loss).

    The folder name carries the render's process id; a folder whose process is gone is
    abandoned. (A process id reused since is taken as alive: that folder waits for next time.)
    """
    for folder in Path(tempfile.gettempdir()).glob(f"{RUN_PREFIX}*-*"):
        pid = folder.name[len(RUN_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # another user's render, alive


@contextlib.contextmanager
def run_folder() -> Iterator[Path]:
    """A fresh ``triggerfilm-run-*`` folder in ``$TMPDIR`` for this render's scratch files."""
    allow_children()
    with _sigterm_exits():
        _sweep_abandoned()
        folder = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-"))
        try:
            yield folder
        except BaseException:
            stop_children()
            raise
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            # Every encoder of this run has ended: a later run in this process (the studio,
            # a test) may start its own.
            allow_children()

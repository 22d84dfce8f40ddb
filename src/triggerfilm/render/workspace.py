"""One temporary folder per render, gone when the render ends however it ends.

Card pictures, caption scripts and the join's lists hold the film's words, so they must not be
left in ``$TMPDIR``: the folder is removed on success, on an error, on Ctrl-C and on SIGTERM
(a handler turns SIGTERM into an ordinary exit so the cleanup runs), and the ffmpeg children
are killed first (``media.ffmpeg`` also has the kernel kill them if triggerfilm is killed
outright).
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from ..media.ffmpeg import allow_children, stop_children

RUN_PREFIX = "triggerfilm-run-"


def _terminated(signum, frame):
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


@contextlib.contextmanager
def run_folder() -> Iterator[Path]:
    """A fresh ``triggerfilm-run-*`` folder in ``$TMPDIR`` for this render's scratch files."""
    allow_children()
    with _sigterm_exits():
        folder = Path(tempfile.mkdtemp(prefix=RUN_PREFIX))
        try:
            yield folder
        except BaseException:
            stop_children()
            raise
        finally:
            shutil.rmtree(folder, ignore_errors=True)

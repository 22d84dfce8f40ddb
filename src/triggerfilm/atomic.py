"""Writing files so that a reader never sees half of one.

Everything triggerfilm writes goes to a temporary name in the target folder first and is
renamed into place, so Ctrl-C, a crash or a full disk leaves the old file or none, never a torn
one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def publish(tmp: str | Path, path: Path) -> None:
    """Give a finished temporary file its final name, readable as any new file would be.

    ``mkstemp`` creates files only their owner can read; outputs are meant to be shared.
    """
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


def write_text_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

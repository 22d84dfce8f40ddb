"""Where triggerfilm's caches live and how an entry's path is built from its key."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import TriggerfilmError
from .files import file_kind


def cache_root() -> Path:
    """The folder all of triggerfilm's caches live under.

    ``$TRIGGERFILM_CACHE`` when set (tests and shared machines point it elsewhere), otherwise
    ``~/.cache/triggerfilm``. Nothing is created until something is written.
    """
    configured = os.environ.get("TRIGGERFILM_CACHE")
    if configured:
        root = Path(configured).expanduser()
        _check_folder(root, "the cache folder set by $TRIGGERFILM_CACHE")
        return root
    root = Path.home() / ".cache" / "triggerfilm"
    _check_folder(root, "triggerfilm's cache folder (~/.cache/triggerfilm)")
    return root


def _check_folder(root: Path, what: str) -> None:
    """Refuse a cache root that is, or lies below, something other than a folder.

    Otherwise the first cache write fails deep inside a stage with NotADirectoryError, as a
    traceback naming a transcript file the user never chose.
    """
    for path in (root, *root.parents):
        try:
            info = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            continue  # created on first write, or a file above it is found next
        except OSError:
            return  # unreadable: the write will say so itself
        if not stat.S_ISDIR(info.st_mode):
            where = "is" if path == root else f"lies inside {path}, which is"
            kind = "a file" if stat.S_ISREG(info.st_mode) else file_kind(info.st_mode)
            raise TriggerfilmError(
                f"{what} {where} {kind}, not a folder",
                where=root,
                expected="a folder (or a path where one can be made)",
                hint="Point TRIGGERFILM_CACHE at a folder, or unset it to use ~/.cache/triggerfilm",
            )
        return


def sharded_path(folder: Path, key: str, suffix: str = "") -> Path:
    """Where the entry ``key`` lives below ``folder``: ``folder/<key[:2]>/<key><suffix>``.

    The two-character fan-out keeps any one folder small, as git does. Every keyed cache
    (blobs, transcripts, segments) uses this one layout.
    """
    if len(key) < 3 or "/" in key or key.startswith("."):
        raise ValueError(f"not a cache key: {key!r}")
    return folder / key[:2] / f"{key}{suffix}"

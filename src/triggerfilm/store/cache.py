"""Where triggerfilm's caches live and how an entry's path is built from its key."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """The folder all of triggerfilm's caches live under.

    ``$TRIGGERFILM_CACHE`` when set (tests and shared machines point it elsewhere), otherwise
    ``~/.cache/triggerfilm``. Nothing is created until something is written.
    """
    configured = os.environ.get("TRIGGERFILM_CACHE")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "triggerfilm"


def sharded_path(folder: Path, key: str, suffix: str = "") -> Path:
    """Where the entry ``key`` lives below ``folder``: ``folder/<key[:2]>/<key><suffix>``.

    The two-character fan-out keeps any one folder small, as git does. Every keyed cache
    (blobs, transcripts, segments) uses this one layout.
    """
    if len(key) < 3 or "/" in key or key.startswith("."):
        raise ValueError(f"not a cache key: {key!r}")
    return folder / key[:2] / f"{key}{suffix}"

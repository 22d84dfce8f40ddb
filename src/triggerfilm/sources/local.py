"""Local source files: identified by the sha256 of their content, never modified."""

from __future__ import annotations

from pathlib import Path

from ..store import sha256_of

_MEMO: dict[tuple[str, int, int], str] = {}


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes, remembered per (path, size, mtime) for this process.

    Caches key on content, not on names, so a renamed interview is still recognised and an
    edited one is never served stale results.
    """
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _MEMO:
        _MEMO[key] = sha256_of(path)
    return _MEMO[key]

"""Content hashing: file digests and the keys caches file their entries under."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

_HEX64 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024


def is_sha256(value: str) -> bool:
    """True for 64 lower-case hex digits."""
    return bool(_HEX64.fullmatch(value))


def normalise_sha256(value: str) -> str:
    """Lower-case a hex SHA-256 and check it is 64 hex digits; raise ValueError otherwise."""
    text = value.strip().lower()
    if not _HEX64.fullmatch(text):
        raise ValueError(f"not a SHA-256 hex digest: {value!r}")
    return text


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of a file, read in chunks so large media never sits in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def json_key(identity: Any) -> str:
    """A cache key for everything that determines an entry: the SHA-256 of its sorted JSON.

    ``default=str`` lets paths and similar values take part by their text.
    """
    blob = json.dumps(identity, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()

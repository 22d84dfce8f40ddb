"""A content-addressed file cache on local disk.

Downloads land in ``<root>/blobs/sha256/<ab>/<hex>``: a file's name is its own SHA-256, so a
file that is in the cache is known to be the bytes that were asked for, two catalogues that
point at the same media share one copy, and nothing needs the URL to stay the same. Other
caches (transcripts, renders) live beside ``blobs`` under their own subfolders of
:func:`cache_root`.

Every file is written under a temporary name in the same folder tree and renamed into place
(see :mod:`triggerfilm.store.atomic`), so a crash or a full disk never leaves a half-written
file under a final name.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from ..errors import SourceError
from ..store.atomic import move_into_place, write_text
from ..store.cache import cache_root, sharded_path
from ..store.hashing import is_sha256, normalise_sha256, sha256_of
from ..store.records import load_json_object

__all__ = ["ContentCache", "cache_root", "normalise_sha256", "sha256_of"]


class ContentCache:
    """Files stored under their SHA-256 below ``root``.

    >>> import tempfile
    >>> cache = ContentCache(Path(tempfile.mkdtemp()))
    >>> path = cache.put_bytes(b"hello")
    >>> path.name
    '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'
    >>> cache.get(path.name) == path
    True
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else cache_root()

    @classmethod
    def of(cls, cache: ContentCache | str | Path | None) -> ContentCache:
        """Accept a cache, a folder, or None (the default :func:`cache_root`)."""
        return cache if isinstance(cache, ContentCache) else cls(cache)

    def __repr__(self) -> str:
        return f"ContentCache({str(self.root)!r})"

    @property
    def blobs(self) -> Path:
        return self.root / "blobs" / "sha256"

    @property
    def partial(self) -> Path:
        """Where downloads in progress are written (same file system as ``blobs``)."""
        return self.root / "partial"

    def blob_path(self, sha256: str) -> Path:
        """Where the file with this hash lives (whether or not it is there yet)."""
        return sharded_path(self.blobs, normalise_sha256(sha256))

    def get(self, sha256: str) -> Path | None:
        """The cached file with this hash, or None. Does not re-hash it (see :meth:`verify`)."""
        path = self.blob_path(sha256)
        return path if path.is_file() else None

    def verify(self, sha256: str) -> bool:
        """Re-hash a cached file; a corrupt one (disk fault, hand edit) is removed."""
        path = self.get(sha256)
        if path is None:
            return False
        if sha256_of(path) == normalise_sha256(sha256):
            return True
        path.unlink(missing_ok=True)
        return False

    def new_partial(self, suffix: str = ".part") -> Path:
        """A fresh, uniquely named temporary file for a download in progress."""
        self.partial.mkdir(parents=True, exist_ok=True)
        path = self.partial / f"{secrets.token_hex(8)}{suffix}"
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        return path

    def put_file(self, source: Path, sha256: str | None = None) -> Path:
        """Move ``source`` into the cache under its hash and return the cached path.

        ``source`` must be on the same file system (use :meth:`new_partial`); it is consumed.
        When ``sha256`` is given and the content differs, the source is deleted and a
        SourceError raised, so nothing unverified ever gets a final name.
        """
        actual = sha256_of(source)
        if sha256 is not None and actual != normalise_sha256(sha256):
            source.unlink(missing_ok=True)
            raise SourceError(
                f"checksum mismatch: expected sha256 {normalise_sha256(sha256)}, got {actual}",
                where=str(source),
            )
        return self.adopt(source, actual)

    def adopt(self, source: Path, sha256: str) -> Path:
        """Move ``source`` into place under ``sha256``, which the caller has just computed.

        Saves hashing a large download twice; use :meth:`put_file` when in doubt.
        """
        target = self.blob_path(sha256)
        # The partial folder is below the same root, so this rename never crosses devices.
        return move_into_place(source, target)

    def put_bytes(self, data: bytes) -> Path:
        """Store bytes under their hash (write to a temporary name, then rename)."""
        part = self.new_partial()
        try:
            part.write_bytes(data)
            return self.put_file(part)
        finally:
            part.unlink(missing_ok=True)

    # A small index remembers which blob a URL gave when no hash was published for it (a
    # catalogue file), so a second run can work offline from the cache.

    @property
    def _url_index(self) -> Path:
        return self.root / "index" / "urls.json"

    def lookup_url(self, url: str) -> Path | None:
        """The blob last downloaded from ``url`` without a known hash, if it is still cached."""
        index = load_json_object(self._url_index)
        digest = index.get(url) if isinstance(index, dict) else None
        if not isinstance(digest, str) or not is_sha256(digest):
            return None
        return self.get(digest)

    def remember_url(self, url: str, sha256: str) -> None:
        """Record that ``url`` gave the blob ``sha256``."""
        index_path = self._url_index
        index_path.parent.mkdir(parents=True, exist_ok=True)
        found = load_json_object(index_path)
        # A damaged index is only a lost shortcut: start a new one.
        index = found if isinstance(found, dict) else {}
        index[url] = normalise_sha256(sha256)
        write_text(index_path, json.dumps(index, indent=1, sort_keys=True))

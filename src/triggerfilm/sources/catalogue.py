"""Archive catalogues: load one from a folder or an https URL, and fetch a clip's media.

An archive is a folder, or an http(s) address, holding ``catalogue.yaml`` (or ``.yml`` /
``.json``) that lists its clips (see ``catalogue_model``). Catalogues are read strictly (see
``catalogue_schema``); media is used in place from folders, and downloaded into the
content-addressed cache, verified, from URLs.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

from ..errors import SourceError
from ..store import sha256_of
from ..yamlread import decode_utf8, read_document
from .cache import ContentCache
from .catalogue_model import MEDIA_TYPES, ROLES, Archive, ArchiveClip, Narrator, is_url
from .catalogue_schema import parse_catalogue
from .download import HTTPStatusError, Progress, check_url, download

__all__ = [
    "CATALOGUE_NAMES", "MEDIA_TYPES", "ROLES", "Archive", "ArchiveClip", "Narrator",
    "fetch_media", "load_catalogue",
]  # fmt: skip

CATALOGUE_NAMES = ("catalogue.yaml", "catalogue.yml", "catalogue.json")
# A catalogue is text; anything much bigger is not one.
CATALOGUE_MAX_BYTES = 16 * 1024 * 1024


def load_catalogue(
    location: str | Path,
    cache: ContentCache | str | Path | None = None,
    *,
    refresh: bool = False,
    timeout: float = 30,
    retries: int = 3,
) -> Archive:
    """Read an archive's catalogue from a folder, a catalogue file, or an http(s) URL.

    A URL ending in .yaml/.yml/.json is the catalogue itself; any other URL is a folder in
    which ``catalogue.yaml``, ``.yml`` then ``.json`` are tried. A downloaded catalogue is kept
    in the cache and reused offline until ``refresh`` asks for a fresh copy.
    """
    text = str(location)
    if "://" in text or text.lower().startswith(("http:", "https:")):
        where, content = _fetch_remote_catalogue(text, cache, refresh, timeout, retries)
    else:
        # Absolute, so the Archive still finds its media if the working directory changes.
        path = _find_local_catalogue(Path(text).expanduser()).absolute()
        where, content = str(path), read_document(path, SourceError)
    decoded = decode_utf8(content, where, SourceError, "a UTF-8 YAML or JSON catalogue")
    return parse_catalogue(decoded, where)


def fetch_media(
    archive: Archive,
    clip: ArchiveClip,
    cache: ContentCache | str | Path | None = None,
    *,
    timeout: float = 30,
    retries: int = 3,
    progress: Progress | None = None,
) -> Path:
    """A local file holding the clip's media, verified against its sha256 when one is given.

    Local media in a folder archive is used in place and never modified; URL media is
    downloaded into the content-addressed cache (no network at all when already cached).
    """
    target = archive.media_location(clip)
    if target is None:
        raise SourceError(
            f"clip {clip.id!r} is text-only: it has no media to fetch",
            where=archive.location,
            line=clip.line,
            hint="Show its transcript on a card instead",
        )
    if is_url(target):
        return download(
            target, clip.sha256, cache, timeout=timeout, retries=retries, progress=progress
        )
    path = Path(target)
    if not path.is_file():
        raise SourceError(
            f"media file {path} for clip {clip.id!r} not found",
            where=archive.location,
            line=clip.line,
            field="media",
            hint="Copy the file into the archive folder, or fix the path in the catalogue",
        )
    if clip.sha256 is not None:
        _verify_local(path, clip, archive)
    return path


# Hashing a large local file on every use is wasteful; re-hash only when it has changed.
_VERIFIED: set[tuple[str, int, int, str]] = set()


def _verify_local(path: Path, clip: ArchiveClip, archive: Archive) -> None:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, clip.sha256 or "")
    if key in _VERIFIED:
        return
    actual = sha256_of(path)
    if actual != clip.sha256:
        raise SourceError(
            f"media file {path} for clip {clip.id!r} has sha256 {actual}, but the catalogue "
            f"says {clip.sha256}",
            where=archive.location,
            line=clip.line,
            field="sha256",
            hint="The file differs from the one catalogued: restore the original, or update "
            "the sha256 if the new file is the right one",
        )
    _VERIFIED.add(key)


def _fetch_remote_catalogue(
    url: str, cache: Any, refresh: bool, timeout: float, retries: int
) -> tuple[str, bytes]:
    check_url(url)
    if urllib.parse.urlsplit(url).path.lower().endswith((".yaml", ".yml", ".json")):
        candidates = [url]
    else:
        base = url if url.endswith("/") else url + "/"
        candidates = [urllib.parse.urljoin(base, name) for name in CATALOGUE_NAMES]
    for index, candidate in enumerate(candidates):
        try:
            path = download(
                candidate,
                None,
                cache,
                timeout=timeout,
                retries=retries,
                max_bytes=CATALOGUE_MAX_BYTES,
                refresh=refresh,
            )
        except HTTPStatusError as error:
            if error.status == 404 and index < len(candidates) - 1:
                continue
            if error.status == 404 and len(candidates) > 1:
                error.hint = f"No {', '.join(CATALOGUE_NAMES)} found under {base}"
            raise
        return candidate, path.read_bytes()
    raise AssertionError("unreachable")  # the loop returns or raises


def _find_local_catalogue(path: Path) -> Path:
    if path.is_file():
        return path
    if path.is_dir():
        for name in CATALOGUE_NAMES:
            if (path / name).is_file():
                return path / name
        raise SourceError(
            "no catalogue in this archive folder",
            where=str(path),
            expected=" or ".join(CATALOGUE_NAMES),
            hint="Point at the folder that holds the catalogue, or at the catalogue file",
        )
    raise SourceError(
        "archive not found",
        where=str(path),
        expected="a folder holding catalogue.yaml, a catalogue file, or an https:// URL",
        hint="Check the path",
    )

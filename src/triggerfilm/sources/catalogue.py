"""Archive catalogues: load one from a folder or an https URL, and fetch a clip's media.

An archive is a folder, or an https address, holding ``catalogue.yaml`` (or ``.yml`` /
``.json``) that lists its clips (see ``catalogue_model``). Catalogues are read strictly (see
``catalogue_schema``); media is used in place from folders, and downloaded into the
content-addressed cache, verified, from URLs.

Trust: a catalogue supplies the sha256 each download is checked against and the permission
under which a clip is shown, so it must come from somewhere nobody else can change it. Plain
http:// (catalogue or media) is refused unless the manifest marks the archive
``insecure: true``, and then every load reports an ``archive`` :class:`Notice` (on the
caller's ``notices`` list, which the use cases hand up to the command line and the studio).
Media in a folder archive must lie inside that folder once every ``..`` and symbolic link is
resolved, so a catalogue cannot make triggerfilm read other files.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from pathlib import Path

from ..errors import SourceError
from ..manifest.model import Manifest
from ..notices import Notice
from ..store import regular_file_problem, sha256_of
from ..yamlread import decode_utf8, read_document
from .cache import ContentCache
from .catalogue_model import MEDIA_TYPES, Archive, ArchiveClip, is_url
from .catalogue_schema import parse_catalogue
from .download import (
    INSECURE_HINT,
    HTTPStatusError,
    InsecureURLError,
    Progress,
    check_url,
    download,
    split_url,
)

__all__ = [
    "CATALOGUE_NAMES", "MEDIA_TYPES", "Archive", "ArchiveClip",
    "fetch_media", "load_archive", "load_catalogue", "local_media_path",
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
    insecure: bool = False,
    entry: str | None = None,
    notices: list[Notice] | None = None,
) -> Archive:
    """Read an archive's catalogue from a folder, a catalogue file, or an https URL.

    A URL ending in .yaml/.yml/.json is the catalogue itself; any other URL is a folder in
    which ``catalogue.yaml``, ``.yml`` then ``.json`` are tried. A downloaded catalogue is kept
    in the cache and reused offline until ``refresh`` asks for a fresh copy.

    ``insecure`` (the manifest's ``insecure: true``) lets plain http:// through, with an
    ``archive`` notice on ``notices`` on every call; ``entry`` is the archive's name in the
    manifest, for messages.
    """
    text = str(location)
    label = f"archive {entry!r}" if entry else "this archive"
    if "://" in text or text.lower().startswith(("http:", "https:")):
        if split_url(text).scheme.lower() == "http":
            if not insecure:
                raise InsecureURLError(
                    f"{label} is a plain http:// address ({text}): its catalogue's checksums "
                    "and permissions would prove nothing over an unencrypted connection",
                    where=text,
                    expected="an https:// URL or an archive folder",
                    hint=INSECURE_HINT.replace("NAME", entry or "NAME"),
                )
            _note_insecure(notices, entry, text)
        where, content = _fetch_remote_catalogue(text, cache, refresh, timeout, retries, insecure)
    else:
        # Absolute, so the Archive still finds its media if the working directory changes.
        path = _find_local_catalogue(Path(text).expanduser()).absolute()
        where, content = str(path), read_document(path, SourceError)
    decoded = decode_utf8(content, where, SourceError, "a UTF-8 YAML or JSON catalogue")
    archive = parse_catalogue(decoded, where)
    return dataclasses.replace(archive, insecure=insecure, entry=entry)


def _note_insecure(notices: list[Notice] | None, entry: str | None, url: str) -> None:
    if notices is not None:
        notices.append(
            Notice(
                "archive",
                f"read over plain http:// ({url}) because the manifest marks it insecure: true; "
                "anyone on the network could change its clips, checksums and permissions. "
                "Switch to https:// as soon as the archive offers it",
                # The manifest's name for the archive, which is where the user would change it.
                where=entry,
            )
        )


def load_archive(
    manifest: Manifest,
    name: str,
    cache: ContentCache | str | Path | None = None,
    notices: list[Notice] | None = None,
) -> Archive:
    """The catalogue of the manifest's archive ``name``, trusted as its entry says."""
    return load_catalogue(
        manifest.archives[name],
        cache,
        insecure=name in manifest.insecure_archives,
        entry=name,
        notices=notices,
    )


def fetch_media(
    archive: Archive,
    clip: ArchiveClip,
    cache: ContentCache | str | Path | None = None,
    *,
    timeout: float = 30,
    retries: int = 3,
    progress: Progress | None = None,
    notices: list[Notice] | None = None,
) -> Path:
    """A local file holding the clip's media, verified against its sha256 when one is given.

    Local media in a folder archive is used in place and never modified; URL media is
    downloaded into the content-addressed cache (no network at all when already cached).
    Plain http:// media of an insecure archive, and a damaged cached copy fetched again, are
    reported on ``notices``.
    """
    target = archive.media_location(clip)
    if target is None:
        raise _clip_error(
            archive,
            clip,
            f"clip {clip.id!r} is text-only: it has no media to fetch",
            field=None,
            hint="Show its transcript on a card instead",
        )
    if is_url(target):
        if split_url(target).scheme.lower() == "http":
            if not archive.insecure:
                raise _clip_error(
                    archive,
                    clip,
                    f"clip {clip.id!r} would be downloaded over plain http:// ({target}): its "
                    "sha256 check proves nothing over an unencrypted connection",
                    expected="an https:// URL or a file in the archive folder",
                    hint=INSECURE_HINT.replace("NAME", archive.entry or "NAME"),
                    kind=InsecureURLError,
                )
            _note_insecure(notices, archive.entry, target)
        return download(
            target,
            clip.sha256,
            cache,
            timeout=timeout,
            retries=retries,
            progress=progress,
            insecure=archive.insecure,
            notices=notices,
        )
    path = local_media_path(archive, clip)
    problem = regular_file_problem(path, "a media file")
    if problem:
        raise _clip_error(
            archive,
            clip,
            f"media file {path} for clip {clip.id!r} {problem}",
            hint="Copy the file into the archive folder, or fix the path in the catalogue",
        )
    if clip.sha256 is not None:
        _verify_local(path, clip, archive)
    return path


def _clip_error(
    archive: Archive,
    clip: ArchiveClip,
    message: str,
    *,
    field: str | None = "media",
    expected: str | None = None,
    hint: str | None = None,
    kind: type[SourceError] = SourceError,
) -> SourceError:
    """What is wrong with one clip of the catalogue, at the clip's line (its media by default)."""
    return kind(
        message, where=archive.location, line=clip.line, field=field, expected=expected, hint=hint
    )


def local_media_path(archive: Archive, clip: ArchiveClip) -> Path:
    """Where a folder archive's clip lies, checked to be inside the archive's folder.

    The check resolves ``..`` and symbolic links, so neither a path in the catalogue nor a link
    placed in the folder can make triggerfilm read (and hash, and film) a file elsewhere.
    """
    target = archive.media_location(clip)
    assert target is not None and not is_url(target)
    folder = Path(archive.location).parent
    try:
        resolved = Path(target).resolve()
        inside = resolved.is_relative_to(folder.resolve())
    except (OSError, RuntimeError) as error:  # a symbolic link loop (RuntimeError before 3.13)
        raise _clip_error(
            archive,
            clip,
            f"media file {target} for clip {clip.id!r} cannot be resolved ({error})",
            expected="a file inside the archive folder",
            hint="Replace the symbolic link with the file itself",
        ) from None
    if not inside:
        raise _clip_error(
            archive,
            clip,
            f"media {clip.media!r} for clip {clip.id!r} resolves to {resolved}, outside the "
            f"archive folder {folder}",
            expected="a path to a file inside the archive folder",
            hint="A catalogue may only use files in its own folder: copy the file in and give "
            "its relative path",
        )
    return Path(target)


# Hashing a large local file on every use is wasteful; re-hash only when it has changed.
_VERIFIED: set[tuple[str, int, int, str]] = set()


def _verify_local(path: Path, clip: ArchiveClip, archive: Archive) -> None:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, clip.sha256 or "")
    if key in _VERIFIED:
        return
    actual = sha256_of(path)
    if actual != clip.sha256:
        raise _clip_error(
            archive,
            clip,
            f"media file {path} for clip {clip.id!r} has sha256 {actual}, but the catalogue "
            f"says {clip.sha256}",
            field="sha256",
            hint="The file differs from the one catalogued: restore the original, or update "
            "the sha256 if the new file is the right one",
        )
    _VERIFIED.add(key)


def _fetch_remote_catalogue(
    url: str,
    cache: ContentCache | str | Path | None,
    refresh: bool,
    timeout: float,
    retries: int,
    insecure: bool,
) -> tuple[str, bytes]:
    check_url(url, insecure=insecure)
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
                insecure=insecure,
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
    problem = regular_file_problem(path, "an archive", allow_empty=True)
    raise SourceError(
        "archive not found" if problem in (None, "does not exist") else problem,
        where=str(path),
        expected="a folder holding catalogue.yaml, a catalogue file, or an https:// URL",
        hint="Check the path",
    )

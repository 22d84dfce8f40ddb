"""Turn the manifest's clip references into local source files with known content.

A local clip is used where it lies (and never modified); an archive clip is looked up in its
catalogue and, for URL archives, downloaded into the content-addressed cache first. Either way
the result is a ``SourceClip``: a path, its sha256, and who is speaking.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ManifestError
from ..manifest.model import ClipRef, Manifest, Narrator
from ..notices import Notice
from .catalogue_model import ArchiveTerms
from .local import file_sha256

if TYPE_CHECKING:
    from .cache import ContentCache
    from .catalogue_model import Archive


@dataclass(frozen=True)
class SourceClip:
    """A manifest clip as a local file whose content is known (``sha256``): a local clip where it
    lies, an archive clip in the download cache. ``narrator`` is the pseudonymous code that labels
    captions; ``who``, what is known of that person."""

    id: str
    path: Path
    sha256: str
    narrator: str
    # Who the narrator is, from the manifest or as the archive catalogue publishes it, so
    # reports can summarise whose voices the film carries.
    who: Narrator = Narrator()
    # Declared in the manifest or catalogue; None means "find out by probing".
    media_type: str | None = None
    # Verbatim words spoken, from the archive or typed by the team.
    transcript_text: str | None = None
    # The archive's permission, attribution and consent terms; None for a local clip.
    terms: ArchiveTerms | None = None
    # The manifest field that declared the clip, for error messages.
    origin: str = ""


def resolve_sources(
    manifest: Manifest,
    cache: ContentCache | str | Path | None = None,
    notices: list[Notice] | None = None,
) -> dict[str, SourceClip]:
    """Every clip of the manifest, by id, as a local file.

    What the user should know on the way (an archive read over plain http://, a damaged cached
    download fetched again) goes on ``notices``.
    """
    archives: dict[str, Archive] = {}
    result = {}
    for ref in manifest.clips:
        if ref.media is not None:
            result[ref.id] = _local(ref)
        else:
            result[ref.id] = _from_archive(manifest, ref, archives, cache, notices)
    return result


def _local(ref: ClipRef) -> SourceClip:
    assert ref.media is not None and ref.narrator is not None  # guaranteed by load_manifest
    return SourceClip(
        id=ref.id,
        path=ref.media,
        sha256=file_sha256(ref.media),
        narrator=ref.narrator,
        who=ref.who,
        media_type=ref.media_type,
        transcript_text=ref.transcript,
        origin=ref.origin.field,
    )


def _from_archive(
    manifest: Manifest,
    ref: ClipRef,
    archives: dict[str, Archive],
    cache: ContentCache | str | Path | None,
    notices: list[Notice] | None,
) -> SourceClip:
    from .catalogue import fetch_media, load_archive

    assert ref.archive is not None and ref.archive_clip is not None
    if ref.archive not in archives:
        archives[ref.archive] = load_archive(manifest, ref.archive, cache, notices)
    archive = archives[ref.archive]
    entry = archive.clip(ref.archive_clip)
    if entry.media_type == "text-only" or entry.media is None:
        raise ManifestError(
            f"archive clip '{entry.id}' is text-only: it has no audio or video to show",
            where=manifest.path,
            line=ref.origin.line,
            field=f"{ref.origin.field}.clip",
            expected="a video or audio-only clip",
            hint="Quote it on a card in the facilitator pack instead",
        )
    path = Path(fetch_media(archive, entry, cache, notices=notices))
    return SourceClip(
        id=ref.id,
        path=path,
        sha256=file_sha256(path),
        narrator=ref.narrator or entry.interview,
        who=entry.who.overridden_by(ref.who),
        media_type=ref.media_type or entry.media_type,
        transcript_text=ref.transcript or entry.transcript,
        terms=entry.terms,
        origin=ref.origin.field,
    )

"""What an archive catalogue describes: the archive, its clips, and who narrates them (a
``Narrator``, the manifest stage's type, since a manifest may override it fact by fact).

Plain frozen dataclasses, so later stages can hold them, compare them and serialise them with
``dataclasses.asdict``. Reading and checking a catalogue file lives in ``catalogue_schema``.
"""

from __future__ import annotations

import difflib
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SourceError
from ..manifest.model import Consent, Narrator

MEDIA_TYPES = ("video", "audio-only", "text-only")


def is_url(text: str) -> bool:
    """Whether a catalogue location or media reference is a URL rather than a path."""
    return "://" in text


@dataclass(frozen=True)
class ArchiveTerms:
    """On what terms an archive lets one of its clips be reused."""

    permission: str
    # Whom the film's credits name: the clip's attribution, else the archive's.
    attribution: str
    # The archive's own consent terms for the clip, if the catalogue records any (see
    # docs/manifest.md, clips[].consent).
    consent: Consent | None = None


@dataclass(frozen=True)
class ArchiveClip:
    """One published clip. ``media`` is as written in the catalogue (None for text-only)."""

    id: str
    interview: str
    title: str
    media: str | None
    sha256: str | None
    media_type: str  # one of MEDIA_TYPES
    condition: str | None
    topics: tuple[str, ...]
    # The catalogue's ``narrator``: always a descriptor and a role (the schema requires them),
    # never a name; ``interview`` is the narrator's code.
    who: Narrator
    terms: ArchiveTerms
    transcript: str | None
    line: int | None = field(default=None, compare=False)  # where the clip starts, for errors


@dataclass(frozen=True)
class Archive:
    """A loaded catalogue. ``location`` is the catalogue file's path or URL."""

    name: str
    location: str
    attribution: str
    licence: str | None
    condition: str | None
    clips: tuple[ArchiveClip, ...]
    # Set by load_catalogue: the manifest lets this archive use plain http:// (with a warning),
    # and the archive's name in the manifest, for messages.
    insecure: bool = False
    entry: str | None = None

    @property
    def is_remote(self) -> bool:
        return is_url(self.location)

    def clip(self, clip_id: str) -> ArchiveClip:
        """The clip with this id; the error suggests close ids when there is none."""
        for clip in self.clips:
            if clip.id == clip_id:
                return clip
        ids = [clip.id for clip in self.clips]
        close = difflib.get_close_matches(clip_id, ids, n=3, cutoff=0.6)
        listing = close or ids[:10]
        raise SourceError(
            f"no clip with id {clip_id!r} in archive {self.name!r}",
            where=self.location,
            hint=("Did you mean " if close else "Its clips include ")
            + ", ".join(listing)
            + ("?" if close else ""),
        )

    def media_location(self, clip: ArchiveClip) -> str | None:
        """Where a clip's media is: an absolute URL, or a local path; None for text-only."""
        if clip.media is None:
            return None
        if is_url(clip.media):
            return clip.media
        if self.is_remote:
            return urllib.parse.urljoin(self.location, clip.media)
        return str(Path(self.location).parent / clip.media)

"""What a search, an index or a transcription run covers: an archive or a manifest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import TriggerfilmError
from ..manifest.load import load_manifest
from ..sources.catalogue import CATALOGUE_NAMES
from ..transcripts.options import TranscribeOptions
from ..transcripts.store import cache_key

# A catalogue's top-level key, which no manifest has.
_ARCHIVE_KEY = re.compile(rb"^archive[ \t]*:", re.MULTILINE)


@dataclass(frozen=True)
class Target:
    """What a search, an index or a transcription run covers: an archive (folder, catalogue
    file or URL) or a manifest, exactly one of them."""

    archive: str | None = None
    manifest: Path | None = None

    @classmethod
    def of(cls, archive: str | None, manifest: str | Path | None) -> Target:
        """Exactly one of an archive and a manifest, as a caller named them."""
        if (archive is None) == (manifest is None):
            raise TriggerfilmError(
                "say where to search", expected="either an archive or a manifest, not both"
            )
        return cls(archive=archive, manifest=Path(manifest) if manifest is not None else None)

    @classmethod
    def parse(cls, location: str) -> Target:
        """An archive for a URL, a folder, a catalogue's file name or a YAML file whose text
        has a top-level ``archive:`` key; a manifest otherwise (so that a mistyped or damaged
        manifest is reported by the manifest loader, with its line)."""
        if "://" in location:
            return cls(archive=location)
        path = Path(location)
        if path.is_dir() or path.name.lower() in CATALOGUE_NAMES:
            return cls(archive=location)
        if path.is_file():  # never opened otherwise: a FIFO or a device would block or flood
            try:
                with path.open("rb") as handle:
                    head = handle.read(64 * 1024)
            except OSError:
                head = b""  # the manifest loader says what is wrong with it
            if _ARCHIVE_KEY.search(head):
                return cls(archive=location)
        return cls(manifest=path)

    def scope(self, options: TranscribeOptions) -> dict[str, str]:
        """What names the index file: the target and the model its transcripts came from."""
        if self.manifest is not None:
            where = {"manifest": str(self.manifest.resolve())}
        elif "://" in (self.archive or ""):
            where = {"archive": self.archive or ""}
        else:
            where = {"archive": str(Path(self.archive or "").resolve())}
        # The transcript cache key of no media stands for "these options" (engine, model...).
        return {**where, "transcription": cache_key("0" * 64, options)}

    def options(self, options: TranscribeOptions) -> TranscribeOptions:
        """``options`` with a manifest's own ``transcription: {model: ...}`` applied, so an
        index is named after the model its transcripts were really made with."""
        if self.manifest is None:
            return options
        return options.for_manifest(load_manifest(self.manifest).transcription_model)

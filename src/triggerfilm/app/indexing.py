"""Use cases of the archive index: build or update it, and search with it.

``triggerfilm index ARCHIVE_OR_MANIFEST`` makes one SQLite file in the cache per archive (or
manifest) and Whisper model. ``search`` uses that file when it exists, and otherwise scans every
transcript (``app.selecting.search_clips``); search by meaning needs the index.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from ..archiveindex import database
from ..archiveindex.build import IndexReport, update_index
from ..archiveindex.meaning import encoder_id
from ..editplan.search import SearchHit, SearchQuery
from ..errors import TriggerfilmError
from ..store import cache_root
from ..transcripts.options import TranscribeOptions
from . import selecting
from .notices import Notice, Progress
from .target import Target

# Hits returned by an indexed search unless the caller asks for more.
DEFAULT_LIMIT = 50


def index_path(target: Target, options: TranscribeOptions) -> Path:
    """``<cache>/index/<digest>.sqlite``, one file per target and transcription options."""
    scope = json.dumps(target.scope(target.options(options)), sort_keys=True)
    return cache_root() / "index" / f"{hashlib.sha256(scope.encode()).hexdigest()[:24]}.sqlite"


def build_index(
    location: str,
    options: TranscribeOptions | None = None,
    transcribe: bool = True,
    with_meaning: bool = True,
    progress: Progress | None = None,
    notices: list[Notice] | None = None,
) -> IndexReport:
    """Index every clip of an archive or manifest: words with times, verbatim text, catalogue
    metadata and topics, and sentence vectors for search by meaning. Clips whose transcript and
    catalogue entry did not change since the last run are kept as they are."""
    target = Target.parse(location)
    options = target.options(options or TranscribeOptions())
    docs, options = selecting.search_docs(target, options, transcribe, progress, notices)
    return update_index(
        index_path(target, options), target.scope(options), docs, with_meaning, progress
    )


def _open_index(path: Path, where: str) -> sqlite3.Connection:
    """The index at ``path``, open, once it is known to be one this version reads; an index of
    another version (or a damaged file) is refused with what to run, never half read."""
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    version = database.schema_version(connection)
    if version != database.SCHEMA_VERSION:
        connection.close()
        made = f"index format {version}" if version is not None else "no index this version reads"
        raise TriggerfilmError(
            f"the archive index was made by another version of triggerfilm ({made})",
            where=path,
            expected=f"index format {database.SCHEMA_VERSION}",
            hint=f"Run `triggerfilm index {where}` again: it rebuilds the index",
        )
    return connection


def search(
    query: SearchQuery,
    *,
    archive: str | None = None,
    manifest: str | Path | None = None,
    options: TranscribeOptions | None = None,
    transcribe: bool = False,
    meaning: bool = False,
    narrator: str | None = None,
    limit: int = DEFAULT_LIMIT,
    progress: Progress | None = None,
    notices: list[Notice] | None = None,
) -> tuple[list[SearchHit], bool]:
    """Hits for ``query`` and whether the index answered (False: every transcript scanned).

    The index answers when one exists for the archive or manifest and model, the query is not
    a regular expression and ``transcribe`` was not asked for (that needs the scan's
    transcription); search by meaning always needs it.
    """
    from ..archiveindex import query as indexed

    target = Target.of(archive, manifest)
    options = options or TranscribeOptions()
    path = index_path(target, options)
    where = archive if archive is not None else str(manifest)
    if meaning:
        if not path.is_file():
            raise TriggerfilmError(
                "search by meaning needs the archive index, and there is none yet",
                hint=f"Run `triggerfilm index {where}` first (once; later runs only add what "
                "changed)",
            )
        connection = _open_index(path, where)
        try:
            if not connection.execute("SELECT 1 FROM meaning_matrix LIMIT 1").fetchone():
                raise TriggerfilmError(
                    "the archive index has no sentence vectors",
                    where=path,
                    hint=f"Install the embedding model (see docs/search.md), then run "
                    f"`triggerfilm index {where}` again",
                )
            made_by = database.meta(connection, "encoder")
            if made_by != encoder_id():
                raise TriggerfilmError(
                    "the archive index's sentence vectors were made by another encoder "
                    f"({made_by}), and compare with no query of this one ({encoder_id()})",
                    where=path,
                    hint=f"Run `triggerfilm index {where}` again: it makes the vectors anew "
                    "and keeps the rest",
                )
            return indexed.search_meaning(connection, path, query, limit, narrator), True
        finally:
            connection.close()
    if path.is_file() and not query.regex and not transcribe:
        connection = _open_index(path, where)
        try:
            return indexed.search_words(connection, query, limit, narrator), True
        finally:
            connection.close()
    hits = selecting.search_clips(
        query, target, options, transcribe=transcribe, progress=progress, notices=notices
    )
    if narrator:
        hits = [h for h in hits if h.narrator.lower() == narrator.lower()]
    return hits[:limit], False

"""Building and updating the archive index, incrementally.

The index is updated in a copy next to it that is renamed into place when complete, so a search
running meanwhile, or a crash halfway, sees the old index or the new one, never half of one.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..editplan.search import SearchDoc
from ..store import staged_path
from . import database, meaning

# Sentences embedded per progress step.
_EMBED_CHUNK = 256


@dataclass(frozen=True)
class IndexReport:
    """What bringing the archive index up to date did, for a face to show: how many clips were
    added, updated, removed or unchanged, the passages the index now holds, and its size on disk."""

    path: Path
    clips: int
    added: int
    updated: int
    removed: int
    unchanged: int
    passages: int
    embedded: int  # distinct sentence vectors computed this time
    meaning: bool  # whether the index can be searched by meaning
    size: int  # bytes on disk


Progress = Callable[[str, float, float], None]


def update_index(
    path: Path,
    scope: dict[str, str],
    docs: list[SearchDoc],
    with_meaning: bool = True,
    progress: Progress | None = None,
) -> IndexReport:
    """Bring the index at ``path`` up to date with ``docs``; only changed clips are redone."""
    # The store's staged file: renamed onto the index only when the block ends without error.
    with staged_path(path) as staged:
        fresh = not (path.is_file() and _usable(path))
        if not fresh:
            shutil.copyfile(path, staged)
        connection = database.connect(staged)
        try:
            if fresh:
                database.create(connection, scope)
            counts = _apply(connection, docs)
            embedded = 0
            if with_meaning and meaning.available():
                encoder = meaning.encoder_id()
                if database.meta(connection, "encoder") != encoder:
                    # Vectors of another encoder (or none yet): every one is made again.
                    database.drop_all_vectors(connection)
                    database.set_meta(connection, "encoder", encoder)
                embedded = _embed(connection, progress)
            database.drop_unused_vectors(connection)
            vectors = database.write_matrix(connection)
            connection.commit()
            passages = connection.execute("SELECT count(*) FROM passages").fetchone()[0]
        finally:
            connection.close()
    return IndexReport(
        path=path,
        clips=len(docs),
        passages=passages,
        embedded=embedded,
        meaning=vectors > 0,
        size=path.stat().st_size,
        **counts,
    )


def _usable(path: Path) -> bool:
    connection = sqlite3.connect(path)
    try:
        return database.schema_version(connection) == database.SCHEMA_VERSION
    finally:
        connection.close()


def _apply(connection: sqlite3.Connection, docs: list[SearchDoc]) -> dict[str, int]:
    stored = database.stored_hashes(connection)
    counts = {"added": 0, "updated": 0, "removed": 0, "unchanged": 0}
    for doc in docs:
        digest = database.doc_hash(doc)
        before = stored.pop(doc.clip, None)
        if before is not None and before[1] == digest:
            counts["unchanged"] += 1
            continue
        if before is not None:
            database.remove_clip(connection, before[0])
        database.add_clip(connection, doc, digest)
        counts["updated" if before else "added"] += 1
    for clip_id, _ in stored.values():  # clips no longer in the archive or manifest
        database.remove_clip(connection, clip_id)
        counts["removed"] += 1
    return counts


def _embed(connection: sqlite3.Connection, progress: Progress | None) -> int:
    """Compute the vectors of every meaning passage whose text has none yet.

    Meaning passages are what was said, with times. Verbatim sentences are embedded only for
    clips with no Whisper transcript (otherwise they say the same again).
    """
    missing = connection.execute(
        "SELECT DISTINCT p.text_hash, p.text FROM passages p JOIN clips c ON c.id = p.clip"
        " LEFT JOIN vectors v ON v.text_hash = p.text_hash WHERE v.text_hash IS NULL AND"
        " ((p.field = 'words' AND c.has_transcript) OR (p.field = 'verbatim' AND NOT"
        " c.has_transcript))"
    ).fetchall()
    if not missing:
        return 0
    model = meaning.encoder()
    for begin in range(0, len(missing), _EMBED_CHUNK):
        chunk = missing[begin : begin + _EMBED_CHUNK]
        vectors = model.encode([row[1] for row in chunk]).astype(np.float16)
        connection.executemany(
            "INSERT INTO vectors(text_hash, vector) VALUES (?, ?)",
            [(row[0], vector.tobytes()) for row, vector in zip(chunk, vectors, strict=True)],
        )
        if progress:
            progress("embed", begin + len(chunk), len(missing))
    return len(missing)

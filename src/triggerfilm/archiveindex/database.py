"""The archive index on disk: one SQLite file with an FTS5 table, no server.

One row per *passage*: a sentence Whisper heard (with its cut points and each word's start
time), a sentence of the catalogue's verbatim transcript (with the times of the Whisper sentence
it was located in), or a piece of catalogue metadata (title, topic, descriptor). The FTS5 table
indexes the passages' text for BM25 ranking, phrases and prefixes, and carries each passage's
clip (unindexed) so a filtered search ranks inside FTS5 without a join; ``clips`` holds what the
filters need; ``vectors`` holds one sentence embedding per distinct text (search by meaning),
and ``meaning_matrix`` the same vectors laid out for a query: one row per passage searched by
meaning, in passage order, as contiguous float16 arrays in a few large BLOBs. A search reads
that matrix in one go (a few BLOB reads, not a join over every passage) and keeps it in memory.
``meta`` records the schema version and which encoder made the vectors.

A clip is re-indexed only when its *document hash* changes: the SHA-256 of its transcript,
verbatim text and catalogue metadata. A vector is computed only for a text not embedded before.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..editplan.search import (
    SearchDoc,
    locate_verbatim,
    text_with_offsets,
    verbatim_sentences,
)
from ..editplan.sentences import sentences
from .meaning import DIMENSIONS

# Bumped when the schema or what a passage holds changes: ``index`` rebuilds an older index,
# and ``search`` refuses one with a message saying to run ``index`` (4: meaning_matrix).
SCHEMA_VERSION = 4
# Passages per meaning_matrix row: 65,536 float16 vectors are 48 MB, well under SQLite's 1 GB
# limit on one value, at any archive size.
MATRIX_CHUNK = 65536

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE clips(
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    doc_hash TEXT NOT NULL,
    narrator TEXT, descriptor TEXT, role TEXT, media_type TEXT, title TEXT,
    topics TEXT NOT NULL, archive TEXT, archive_clip TEXT, in_manifest INTEGER NOT NULL,
    has_transcript INTEGER NOT NULL
);
CREATE TABLE topics(clip INTEGER NOT NULL, topic TEXT NOT NULL);
CREATE INDEX topics_topic ON topics(topic);
CREATE TABLE passages(
    id INTEGER PRIMARY KEY,
    clip INTEGER NOT NULL,
    field TEXT NOT NULL,
    text TEXT NOT NULL,
    start REAL, end REAL,
    sentence INTEGER,
    words TEXT,
    text_hash TEXT NOT NULL
);
CREATE INDEX passages_clip ON passages(clip);
CREATE VIRTUAL TABLE passages_fts USING fts5(
    text, clip UNINDEXED, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE passages_vocab USING fts5vocab(passages_fts, 'row');
CREATE TABLE vectors(text_hash TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE meaning_matrix(
    chunk INTEGER PRIMARY KEY,
    passages BLOB NOT NULL,  -- int64 passage ids
    clips BLOB NOT NULL,  -- int64 clip ids
    vectors BLOB NOT NULL  -- float16, one row of DIMENSIONS per passage
);
"""


@dataclass(frozen=True)
class Passage:
    """One searchable piece of a clip, a row of the index: a sentence Whisper heard, a sentence of
    the verbatim transcript, or a piece of catalogue metadata (``field`` says which). ``start``,
    ``end`` and ``sentence`` place it in the recording (seconds; the Whisper sentence it is or was
    located in), None for text with no place there."""

    field: str
    text: str
    start: float | None = None
    end: float | None = None
    sentence: int | None = None
    # [[character offset in text, start time], ...] for Whisper sentences.
    words: tuple[tuple[int, float], ...] | None = None

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def doc_hash(doc: SearchDoc) -> str:
    """What decides whether a clip must be re-indexed: its transcript and catalogue entry."""
    # Named fields, not the whole SearchDoc: a hash stored in an index stays valid when the
    # record's shape changes (only these are indexed; a narrator's sex and age band are not).
    identity = {
        "narrator": doc.narrator, "descriptor": doc.who.descriptor, "role": doc.who.role,
        "media_type": doc.media_type, "title": doc.title, "topics": list(doc.topics),
        "verbatim": doc.verbatim, "archive": doc.archive, "archive_clip": doc.archive_clip,
        "in_manifest": doc.in_manifest,
        "transcript": _values(doc.transcript),
    }  # fmt: skip
    blob = json.dumps(identity, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _values(value: Any) -> Any:
    """Every value a (nested) dataclass holds, as lists, for hashing. ``dataclasses.asdict``
    deep-copies each of a transcript's words: it was a quarter of building the bench's index."""
    kind = type(value)
    names = _FIELD_NAMES.get(kind)
    if names is None:
        is_record = dataclasses.is_dataclass(value) and not isinstance(value, type)
        names = _FIELD_NAMES[kind] = (
            tuple(f.name for f in dataclasses.fields(value)) if is_record else ()
        )
    if names:
        return [_values(getattr(value, name)) for name in names]
    if kind is list or kind is tuple:
        return [_values(item) for item in value]
    if kind is dict:
        return {key: _values(item) for key, item in value.items()}
    return value


def passages(doc: SearchDoc) -> list[Passage]:
    """Everything of one clip that search can find, as the scan in editplan.search sees it."""
    found = [Passage("title", doc.title)] if doc.title else []
    found += [Passage("topics", topic) for topic in doc.topics]
    if doc.who.descriptor:
        found.append(Passage("descriptor", doc.who.descriptor))
    spoken = sentences(doc.transcript) if doc.transcript else []
    for sentence in spoken:
        text, starts = text_with_offsets(sentence)
        times = tuple(
            (offset, round(word.start, 3))
            for offset, word in zip(starts, sentence.words, strict=True)
        )
        found.append(
            Passage("words", text, sentence.cut_in, sentence.cut_out, sentence.index, times)
        )
    heard = {_plain(sentence.text): sentence for sentence in spoken}
    for line in verbatim_sentences(doc.verbatim):
        # A sentence Whisper heard word for word is found by its words; only the others need
        # the fuzzy search (difflib over the whole transcript, ~0.1 s a sentence).
        located = heard.get(_plain(line)) or locate_verbatim(line, spoken, doc.transcript)
        if located is None:
            found.append(Passage("verbatim", line))
        else:
            found.append(Passage("verbatim", line, located.cut_in, located.cut_out, located.index))
    return found


def _plain(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text.lower()))


def connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    return connection


def create(connection: sqlite3.Connection, scope: dict[str, str]) -> None:
    connection.executescript(_SCHEMA)
    connection.executemany(
        "INSERT INTO meta(key, value) VALUES (?, ?)",
        [("schema", str(SCHEMA_VERSION)), ("scope", json.dumps(scope, sort_keys=True))],
    )


def schema_version(connection: sqlite3.Connection) -> int | None:
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.DatabaseError:
        return None
    return int(row[0]) if row else None


def meta(connection: sqlite3.Connection, key: str) -> str | None:
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def set_meta(connection: sqlite3.Connection, key: str, value: str) -> None:
    connection.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))


def stored_hashes(connection: sqlite3.Connection) -> dict[str, tuple[int, str]]:
    rows = connection.execute("SELECT key, id, doc_hash FROM clips")
    return {row["key"]: (row["id"], row["doc_hash"]) for row in rows}


def remove_clip(connection: sqlite3.Connection, clip_id: int) -> None:
    connection.execute(
        "DELETE FROM passages_fts WHERE rowid IN (SELECT id FROM passages WHERE clip = ?)",
        (clip_id,),
    )
    connection.execute("DELETE FROM passages WHERE clip = ?", (clip_id,))
    connection.execute("DELETE FROM topics WHERE clip = ?", (clip_id,))
    connection.execute("DELETE FROM clips WHERE id = ?", (clip_id,))


def add_clip(connection: sqlite3.Connection, doc: SearchDoc, digest: str) -> list[Passage]:
    cursor = connection.execute(
        "INSERT INTO clips(key, doc_hash, narrator, descriptor, role, media_type, title, topics,"
        " archive, archive_clip, in_manifest, has_transcript)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            doc.clip, digest, doc.narrator, doc.who.descriptor, doc.who.role, doc.media_type,
            doc.title, json.dumps(list(doc.topics)), doc.archive, doc.archive_clip,
            int(doc.in_manifest), int(doc.transcript is not None),
        ),
    )  # fmt: skip
    clip_id = cursor.lastrowid
    connection.executemany(
        "INSERT INTO topics(clip, topic) VALUES (?, ?)",
        [(clip_id, topic.lower()) for topic in doc.topics],
    )
    found = passages(doc)
    for passage in found:
        row = connection.execute(
            "INSERT INTO passages(clip, field, text, start, end, sentence, words, text_hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                clip_id, passage.field, passage.text, passage.start, passage.end,
                passage.sentence, json.dumps(passage.words) if passage.words else None,
                passage.text_hash,
            ),
        )  # fmt: skip
        connection.execute(
            "INSERT INTO passages_fts(rowid, text, clip) VALUES (?, ?, ?)",
            (row.lastrowid, passage.text, clip_id),
        )
    return found


def drop_unused_vectors(connection: sqlite3.Connection) -> None:
    connection.execute(
        "DELETE FROM vectors WHERE text_hash NOT IN (SELECT text_hash FROM passages)"
    )


def drop_all_vectors(connection: sqlite3.Connection) -> None:
    """Forget every vector (they were made by another encoder and compare with no query)."""
    connection.execute("DELETE FROM vectors")
    connection.execute("DELETE FROM meaning_matrix")


def write_matrix(connection: sqlite3.Connection) -> int:
    """Lay out the vectors of every passage searched by meaning as ``meaning_matrix``, in
    passage order; returns its rows. Run after every update (a few seconds at most)."""
    connection.execute("DELETE FROM meaning_matrix")
    rows = connection.execute(
        "SELECT p.id, p.clip, v.vector FROM passages p"
        " JOIN clips c ON c.id = p.clip JOIN vectors v ON v.text_hash = p.text_hash"
        " WHERE (p.field = 'words' AND c.has_transcript)"
        " OR (p.field = 'verbatim' AND NOT c.has_transcript)"
        " ORDER BY p.id"
    )
    total, chunk = 0, 0
    while batch := rows.fetchmany(MATRIX_CHUNK):
        connection.execute(
            "INSERT INTO meaning_matrix(chunk, passages, clips, vectors) VALUES (?, ?, ?, ?)",
            (
                chunk,
                np.array([r[0] for r in batch], dtype="<i8").tobytes(),
                np.array([r[1] for r in batch], dtype="<i8").tobytes(),
                b"".join(r[2] for r in batch),
            ),
        )
        total, chunk = total + len(batch), chunk + 1
    return total


def read_matrix(connection: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``meaning_matrix`` as arrays: passage ids, clip ids, float16 vectors (n, DIMENSIONS)."""
    ids, clips, vectors = [], [], []
    for row in connection.execute(
        "SELECT passages, clips, vectors FROM meaning_matrix ORDER BY chunk"
    ):
        ids.append(np.frombuffer(row[0], dtype="<i8"))
        clips.append(np.frombuffer(row[1], dtype="<i8"))
        vectors.append(np.frombuffer(row[2], dtype="<f2").reshape(-1, DIMENSIONS))
    if not ids:
        return (
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            np.zeros((0, DIMENSIONS), dtype=np.float16),
        )
    return np.concatenate(ids), np.concatenate(clips), np.concatenate(vectors)

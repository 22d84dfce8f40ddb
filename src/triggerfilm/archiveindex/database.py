"""The archive index on disk: one SQLite file with an FTS5 table, no server.

One row per *passage*: a sentence Whisper heard (with its cut points and each word's start
time), a sentence of the catalogue's verbatim transcript (with the times of the Whisper sentence
it was located in), or a piece of catalogue metadata (title, topic, descriptor). The FTS5 table
indexes the passages' text for BM25 ranking, phrases and prefixes, and carries each passage's
clip (unindexed) so a filtered search ranks inside FTS5 without a join; ``clips`` holds what the
filters need; ``vectors`` holds one sentence embedding per distinct text (search by meaning).

A clip is re-indexed only when its *document hash* changes: the SHA-256 of its transcript,
verbatim text and catalogue metadata. A vector is computed only for a text not embedded before.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..editplan.search import (
    SearchDoc,
    locate_verbatim,
    text_with_offsets,
    verbatim_sentences,
)
from ..editplan.sentences import sentences

# Bumped when the schema or what a passage holds changes: an older index is rebuilt.
SCHEMA_VERSION = 3

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
"""

# Passages whose meaning is searched: what was said, with times. Verbatim sentences are
# embedded only for clips with no Whisper transcript (otherwise they say the same again).
MEANING_FIELDS = ("words", "verbatim")


@dataclass(frozen=True)
class Passage:
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
    identity = {
        "narrator": doc.narrator, "descriptor": doc.descriptor, "role": doc.role,
        "media_type": doc.media_type, "title": doc.title, "topics": list(doc.topics),
        "verbatim": doc.verbatim, "archive": doc.archive, "archive_clip": doc.archive_clip,
        "in_manifest": doc.in_manifest,
        "transcript": doc.transcript.to_dict() if doc.transcript else None,
    }  # fmt: skip
    blob = json.dumps(identity, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def passages(doc: SearchDoc) -> list[Passage]:
    """Everything of one clip that search can find, as the scan in editplan.search sees it."""
    found = [Passage("title", doc.title)] if doc.title else []
    found += [Passage("topics", topic) for topic in doc.topics]
    if doc.descriptor:
        found.append(Passage("descriptor", doc.descriptor))
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
            doc.clip, digest, doc.narrator, doc.descriptor, doc.role, doc.media_type, doc.title,
            json.dumps(list(doc.topics)), doc.archive, doc.archive_clip, int(doc.in_manifest),
            int(doc.transcript is not None),
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


def meaning_passages(doc: SearchDoc, found: list[Passage]) -> list[Passage]:
    """The passages of a clip whose meaning is embedded."""
    field = "words" if doc.transcript is not None else "verbatim"
    return [p for p in found if p.field == field]


def missing_vectors(connection: sqlite3.Connection, texts: dict[str, str]) -> dict[str, str]:
    """The texts (by hash) that have no vector yet."""
    have: set[str] = set()
    hashes = list(texts)
    for begin in range(0, len(hashes), 500):
        chunk = hashes[begin : begin + 500]
        marks = ",".join("?" * len(chunk))
        have.update(
            row[0]
            for row in connection.execute(
                f"SELECT text_hash FROM vectors WHERE text_hash IN ({marks})", chunk
            )
        )
    return {h: t for h, t in texts.items() if h not in have}


def drop_unused_vectors(connection: sqlite3.Connection) -> None:
    connection.execute(
        "DELETE FROM vectors WHERE text_hash NOT IN (SELECT text_hash FROM passages)"
    )

"""Searching the archive index: words ranked by BM25, and sentences ranked by meaning.

Words: the query is a phrase of whole words, as in the scan (``night nurse``); a word ending in
``*`` matches every word it begins (``nurs*``: nurse, nurses, nursing); several phrases in
double quotes must all occur in the passage, in any order (``"night" "cup of tea"``). Hits come
best first by BM25 (FTS5's ``bm25()``: rare words and short passages weigh more).

Meaning: the query is embedded with the same sentence model as the passages, and every passage
is scored by cosine similarity; a passage that also contains the query's content words (BM25,
stop words left out) gains a little, so of two passages equally close in meaning the one that
also says what was asked comes first. The similarity dominates: a theme is rarely phrased in
the narrator's words.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..editplan.search import HitSpan, SearchHit, SearchQuery
from ..errors import TriggerfilmError
from . import database
from .meaning import encoder, one_blas_thread

# The most a passage's words can add to its cosine similarity (its BM25 score divided by the
# best BM25 score among the candidates, times this weight). Fused rank methods (reciprocal
# rank fusion) let matches on common words such as "what" or "was" outrank closer meanings.
WORDS_WEIGHT = 0.1
# Candidates taken from each ranking before fusing.
CANDIDATES = 200
# Words that carry no theme; left out of the BM25 part of a search by meaning.
_STOP_TEXT = """a about after again all am an and any are as at be been before being but by can
could did do does doing down during each few for from had has have having he her here hers him
his how i if in into is it its just me more most my no nor not now of off on once only or other
our out over own same she should so some such than that the their them then there these they
this those through to too under until up us very was we were what when where which while who
whom why will with would you your"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_TERM = re.compile(r'"([^"]*)"|(\S+)')


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]
    prefix: bool  # the last word matches as a prefix


def parse_query(text: str) -> list[_Phrase]:
    """The phrases of a query: the whole text, or each double-quoted part and loose word.

    >>> [p.words for p in parse_query("night nurse")]
    [('night', 'nurse')]
    >>> [(p.words, p.prefix) for p in parse_query('"cup of tea" nurs*')]
    [(('cup', 'of', 'tea'), False), (('nurs',), True)]
    """
    if '"' not in text:
        parts = [text]
    else:
        parts = [quoted or loose for quoted, loose in _TERM.findall(text)]
    phrases = []
    for part in parts:
        words = [w for w in part.split() if re.search(r"\w", w)]
        if not words:
            continue
        prefix = words[-1].endswith("*")
        words[-1] = words[-1].rstrip("*")
        phrases.append(_Phrase(tuple(words), prefix))
    if not phrases:
        raise TriggerfilmError("the search text is empty", field="QUERY", expected="a word")
    return phrases


def fts_expression(phrases: list[_Phrase]) -> str:
    """An FTS5 MATCH expression: each word a quoted string (so no query text is read as FTS5
    syntax), joined into phrases with ``+``, the phrases ANDed.

    >>> fts_expression(parse_query('"cup of tea" nurs*'))
    '"cup" + "of" + "tea" AND "nurs" *'
    """

    def quoted(word: str) -> str:
        return '"' + word.replace('"', '""') + '"'

    parts = []
    for phrase in phrases:
        body = " + ".join(quoted(w) for w in phrase.words)
        parts.append(body + (" *" if phrase.prefix else ""))
    return " AND ".join(parts)


def highlight_pattern(phrases: list[_Phrase]) -> re.Pattern[str]:
    """Finds the first phrase in a passage's text, to mark it and time it."""
    options = []
    for phrase in phrases:
        body = r"\W+".join(re.escape(w) for w in phrase.words)
        tail = r"\w*" if phrase.prefix else ""
        options.append(rf"(?<!\w){body}{tail}(?!\w)")
    return re.compile("|".join(options), re.IGNORECASE)


def _allowed_clips(
    connection: sqlite3.Connection, query: SearchQuery, narrator: str | None
) -> list[int] | None:
    """The ids of the clips the filters let through; None when there is no filter."""
    sql, params = [], []
    if query.role:
        sql.append("role = ? COLLATE NOCASE")
        params.append(query.role)
    if query.media_type:
        sql.append("media_type = ? COLLATE NOCASE")
        params.append(query.media_type)
    if narrator:
        sql.append("narrator = ? COLLATE NOCASE")
        params.append(narrator)
    if query.topic:
        sql.append("id IN (SELECT clip FROM topics WHERE topic = ?)")
        params.append(query.topic.lower())
    if not sql:
        return None
    where = " AND ".join(sql)
    return [row[0] for row in connection.execute(f"SELECT id FROM clips WHERE {where}", params)]


def _ranked(
    connection: sqlite3.Connection,
    expression: str,
    allowed: list[int] | None,
    limit: int,
    columns: str,
) -> list[sqlite3.Row]:
    """The best ``limit`` passages for an FTS5 expression, best first. Ranking and filtering
    happen inside FTS5 (the clip is one of its columns); only the winners are joined."""
    where, params = "passages_fts MATCH ?", [expression]
    if allowed is not None:
        where += " AND clip IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(allowed))
    return connection.execute(
        f"SELECT {columns} FROM (SELECT rowid AS pid, rank FROM passages_fts WHERE {where}"
        " ORDER BY rank LIMIT ?) AS top JOIN passages p ON p.id = top.pid"
        " JOIN clips c ON c.id = p.clip ORDER BY top.rank",
        [*params, limit],
    ).fetchall()


_COLUMNS = (
    "p.id, p.field, p.text, p.start, p.end, p.sentence, p.words, c.key, c.narrator, "
    "c.descriptor, c.archive, c.archive_clip, c.in_manifest"
)


def _hit(
    row: sqlite3.Row, pattern: re.Pattern[str] | None, score: float | None = None
) -> SearchHit:
    match = pattern.search(row["text"]) if pattern else None
    span = None
    if row["start"] is not None:  # a sentence of the recording, not the catalogue's text
        at = row["start"]
        if match and row["words"]:
            times = json.loads(row["words"])
            at = max((start for offset, start in times if offset <= match.start()), default=at)
        span = HitSpan(at, row["start"], row["end"])
    return SearchHit(
        clip=row["key"],
        narrator=row["narrator"],
        descriptor=row["descriptor"],
        field=row["field"],
        context=row["text"],
        match=match.group(0) if match else "",
        span=span,
        archive=row["archive"],
        archive_clip=row["archive_clip"],
        in_manifest=bool(row["in_manifest"]),
        score=score,
    )


def search_words(
    connection: sqlite3.Connection,
    query: SearchQuery,
    limit: int,
    narrator: str | None = None,
) -> list[SearchHit]:
    """The best ``limit`` passages for the query's words, best first."""
    phrases = parse_query(query.text)
    allowed = _allowed_clips(connection, query, narrator)
    # Twice the limit: verbatim sentences already heard in a matching Whisper sentence drop out.
    rows = _ranked(connection, fts_expression(phrases), allowed, limit * 2, _COLUMNS)
    pattern = highlight_pattern(phrases)
    # As in the scan: a verbatim sentence located in a Whisper sentence that matched already
    # adds nothing.
    heard = {(r["key"], r["sentence"]) for r in rows if r["field"] == "words"}
    hits = [
        _hit(row, pattern)
        for row in rows
        if not (row["field"] == "verbatim" and (row["key"], row["sentence"]) in heard)
    ]
    return hits[:limit]


class StageTimes:
    """Wall-clock and CPU seconds spent in each stage of searches, summed over the searches
    that are given it (``bench/search.py`` prints them: where a query's time goes)."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu


class MeaningMatrix:
    """Every embedded passage's vector in one contiguous float32 matrix, read once per process
    and index file from the index's ``meaning_matrix`` (a few BLOBs, not a row per passage)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        ids, clips, vectors = database.read_matrix(connection)
        self.ids, self.clips = ids, clips
        # float32 for BLAS (numpy has no fast float16 product): one matrix-vector product
        # scores every passage.
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        # Corpus statistics for BM25, read on first use.
        self.passages: int | None = None
        self.average_length = 1.0

    def bm25(
        self, connection: sqlite3.Connection, terms: list[str], texts: dict[int, str]
    ) -> dict[int, float]:
        """Okapi BM25 (k1 1.2, b 0.75, FTS5's constants) of ``texts`` for ``terms``, with the
        whole index's statistics from FTS5's vocabulary table.

        Only the candidates are scored: FTS5 would score every passage holding a common word
        (each of thousands), which costs more than the encoder.
        """
        if self.passages is None:
            totals = connection.execute(
                "SELECT (SELECT count(*) FROM passages_fts),"
                " (SELECT coalesce(sum(cnt), 0) FROM passages_vocab)"
            ).fetchone()
            self.passages, self.average_length = totals[0], totals[1] / max(totals[0], 1)
        frequencies = dict(
            connection.execute(
                "SELECT term, doc FROM passages_vocab WHERE term IN "
                f"({','.join('?' * len(terms))})",
                terms,
            ).fetchall()
        )
        scores = {}
        for pid, text in texts.items():
            lowered = text.lower()
            if lowered.isascii() and not any(term in lowered for term in terms):
                continue  # most candidates hold no query word: no need to tokenise them
            tokens = _tokens(text)
            counts = Counter(tokens)
            score = 0.0
            for term in terms:
                count = counts[term]
                if not count:
                    continue
                documents = frequencies.get(term, 0)
                idf = math.log((self.passages - documents + 0.5) / (documents + 0.5) + 1)
                norm = 1.2 * (0.25 + 0.75 * len(tokens) / self.average_length)
                score += idf * count * 2.2 / (count + norm)
            if score:
                scores[pid] = score
        return scores


def _tokens(text: str) -> list[str]:
    """Words as FTS5's unicode61 tokenizer with remove_diacritics sees them."""
    plain = text.lower()
    if not plain.isascii():
        plain = unicodedata.normalize("NFKD", plain)
        plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.findall(r"[^\W_]+", plain)


_matrices: dict[tuple[str, int, int], MeaningMatrix] = {}


def meaning_matrix(connection: sqlite3.Connection, path: Path) -> MeaningMatrix:
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _matrices:
        _matrices.clear()  # one index at a time is searched; a rewritten file is a new one
        _matrices[key] = MeaningMatrix(connection)
    return _matrices[key]


def search_meaning(
    connection: sqlite3.Connection,
    path: Path,
    query: SearchQuery,
    limit: int,
    narrator: str | None = None,
    times: StageTimes | None = None,
) -> list[SearchHit]:
    """The ``limit`` passages closest in meaning to the query, fused with its words' BM25.

    ``times``, when given, gathers how long each stage took."""
    if not query.text.strip():
        raise TriggerfilmError("the search text is empty", field="query", expected="a phrase")
    clock = times or StageTimes()
    with clock.stage("matrix"):
        matrix = meaning_matrix(connection, path)
    if not len(matrix.ids):
        return []
    with clock.stage("filters"):
        allowed = _allowed_clips(connection, query, narrator)
    with clock.stage("encode"):
        vector = encoder().encode([query.text])[0]
    with clock.stage("similarity"):
        with one_blas_thread():
            scores = matrix.vectors @ vector
        if allowed is not None:
            scores = np.where(np.isin(matrix.clips, allowed), scores, -np.inf)
    with clock.stage("top-k"):
        count = min(CANDIDATES, len(scores))
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.argsort(-scores[top])]
        similarity = {int(matrix.ids[i]): float(scores[i]) for i in top if np.isfinite(scores[i])}
    fused = dict(similarity)
    terms = list(dict.fromkeys(w for w in _tokens(query.text) if w not in STOP_WORDS))
    if terms:
        with clock.stage("bm25"):
            texts = dict(
                connection.execute(
                    "SELECT id, text FROM passages WHERE id IN (SELECT value FROM json_each(?))",
                    [json.dumps(list(similarity))],
                ).fetchall()
            )
            bm25 = matrix.bm25(connection, terms, texts)
            best_bm25 = max(bm25.values(), default=0.0)
            for pid, score in bm25.items():
                if best_bm25 > 0:
                    fused[pid] += WORDS_WEIGHT * score / best_bm25
    with clock.stage("hits"):
        best = sorted(fused, key=fused.__getitem__, reverse=True)[:limit]
        marks = ",".join("?" * len(best))
        rows = {
            r["id"]: r
            for r in connection.execute(
                f"SELECT {_COLUMNS} FROM passages p JOIN clips c ON c.id = p.clip"
                f" WHERE p.id IN ({marks})",
                best,
            )
        }
        return [_hit(rows[pid], None, round(similarity[pid], 3)) for pid in best]

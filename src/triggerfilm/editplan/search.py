"""Search clips for moments: catalogue metadata, Whisper's timed words and verbatim transcripts.

A facilitator looks for "every time someone mentions the nights" across an archive. Whole words
by default (so "night" does not find "nightmare"), case-insensitive, or a regular expression.
Hits in the Whisper transcript come with times; a hit in the archive's verbatim transcript is
located in the Whisper words by fuzzy matching (it may be the only place a word was heard right,
e.g. "shock" recognised as "shark") and then carries that sentence's times too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import TriggerfilmError
from ..manifest.model import Narrator
from ..timefmt import source_time
from ..transcripts.model import Transcript
from .quotes import QuoteNotFound, find_quote
from .sentences import Sentence, sentences


@dataclass(frozen=True)
class SearchDoc:
    """One clip as search sees it: who speaks, what the catalogue says, what was said."""

    clip: str  # the manifest's clip id, or "archive:CLIP" for an archive clip not in it
    narrator: str
    who: Narrator = Narrator()
    media_type: str | None = None
    title: str | None = None
    topics: tuple[str, ...] = ()
    verbatim: str | None = None
    transcript: Transcript | None = None
    archive: str | None = None  # the archive's name in the manifest, or its location
    archive_clip: str | None = None
    in_manifest: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """What a facilitator searches the clips for: words (whole words, any case) or, with ``regex``,
    a regular expression. ``topic``, ``role`` and ``media_type`` keep only the clips that have it;
    None keeps all."""

    text: str
    regex: bool = False
    topic: str | None = None
    role: str | None = None
    media_type: str | None = None

    def pattern(self) -> re.Pattern[str]:
        if self.regex:
            try:
                return re.compile(self.text, re.IGNORECASE)
            except re.error as error:
                raise TriggerfilmError(
                    f"'{self.text}' is not a valid regular expression ({error})",
                    field="query",
                    hint="Search for plain words, not a regular expression, to match them as "
                    "written",
                ) from None
        words = self.text.split()
        if not words:
            raise TriggerfilmError("the search text is empty", field="query", expected="a word")
        # Whole words: no letter or digit may touch either end of the match.
        body = r"\s+".join(re.escape(w) for w in words)
        return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class HitSpan:
    """Where in the recording a hit was said: the sentence's cut points, and where in it."""

    # The matched word's start; for a verbatim hit (its words have no times), the cut-in.
    at: float
    start: float  # the cut points of the sentence
    end: float

    @classmethod
    def of(cls, sentence: Sentence, at: float | None = None) -> HitSpan:
        return cls(sentence.cut_in if at is None else at, sentence.cut_in, sentence.cut_out)


@dataclass(frozen=True)
class SearchHit:
    """One place a query matched: the clip, who speaks, which of its texts (``field``) and the
    words around the match; ``span`` when the match has times in the recording (what
    ``search --add`` and the studio need to make a selection of it)."""

    clip: str
    narrator: str
    descriptor: str | None
    field: str  # title, topics, descriptor, words (Whisper), verbatim (catalogue)
    context: str
    match: str
    # None for a hit in the catalogue's text, or in a verbatim sentence not found in the words.
    span: HitSpan | None = None
    archive: str | None = None
    archive_clip: str | None = None
    in_manifest: bool = False
    # Cosine similarity to the query, for a search by meaning.
    score: float | None = None


def search(docs: list[SearchDoc], query: SearchQuery) -> list[SearchHit]:
    pattern = query.pattern()
    hits: list[SearchHit] = []
    for doc in docs:
        if not _passes(doc, query):
            continue
        hits.extend(_search_doc(doc, pattern))
    return hits


def _passes(doc: SearchDoc, query: SearchQuery) -> bool:
    if query.topic and query.topic.lower() not in (t.lower() for t in doc.topics):
        return False
    if query.role and (doc.who.role or "").lower() != query.role.lower():
        return False
    return not (query.media_type and (doc.media_type or "").lower() != query.media_type.lower())


def _search_doc(doc: SearchDoc, pattern: re.Pattern[str]) -> list[SearchHit]:
    def hit(field: str, context: str, match: str, span: HitSpan | None = None) -> SearchHit:
        return SearchHit(
            clip=doc.clip,
            narrator=doc.narrator,
            descriptor=doc.who.descriptor,
            field=field,
            context=context,
            match=match,
            span=span,
            archive=doc.archive,
            archive_clip=doc.archive_clip,
            in_manifest=doc.in_manifest,
        )

    hits = []
    for field, values in (
        ("title", [doc.title]),
        ("topics", list(doc.topics)),
        ("descriptor", [doc.who.descriptor]),
    ):
        for value in values:
            if value and (m := pattern.search(value)):
                hits.append(hit(field, value, m.group(0)))
    spoken = sentences(doc.transcript) if doc.transcript else []
    found: set[int] = set()
    for sentence in spoken:
        text, starts = text_with_offsets(sentence)
        for m in pattern.finditer(text):
            word = max(i for i, offset in enumerate(starts) if offset <= m.start())
            span = HitSpan.of(sentence, sentence.words[word].start)
            hits.append(hit("words", text, m.group(0), span))
            found.add(sentence.index)
    for line in verbatim_sentences(doc.verbatim):
        for m in pattern.finditer(line):
            located = locate_verbatim(line, spoken, doc.transcript)
            if located is not None and located.index in found:
                continue  # the Whisper words already gave this sentence
            hits.append(hit("verbatim", line, m.group(0), HitSpan.of(located) if located else None))
            break
    return hits


def text_with_offsets(sentence: Sentence) -> tuple[str, list[int]]:
    """The sentence's text (single spaces) and where each word starts in it."""
    parts, starts, position = [], [], 0
    for word in sentence.words:
        clean = word.text.strip()
        starts.append(position)
        parts.append(clean)
        position += len(clean) + 1
    return " ".join(parts), starts


def verbatim_sentences(text: str | None) -> list[str]:
    if not text:
        return []
    flat = " ".join(text.split())
    return [s for s in re.split(r"(?<=[.?!])\s+", flat) if s]


def locate_verbatim(
    line: str, spoken: list[Sentence], transcript: Transcript | None
) -> Sentence | None:
    """The Whisper sentence a verbatim sentence was spoken in, if it can be found."""
    if transcript is None or not spoken:
        return None
    try:
        match = find_quote(transcript.words, line)
    except QuoteNotFound:
        return None
    middle = (match.start + match.end) / 2
    for sentence in spoken:
        if sentence.start <= middle <= sentence.end:
            return sentence
    return min(spoken, key=lambda s: min(abs(s.start - middle), abs(s.end - middle)))


def format_hits(hits: list[SearchHit]) -> str:
    """Numbered hits, one block each: clip and narrator, where, and the words around the match."""
    if not hits:
        return "No matches.\n"
    lines = []
    for number, h in enumerate(hits, 1):
        who = h.narrator + (f" ({h.descriptor})" if h.descriptor else "")
        where = {
            "words": "transcript",
            "verbatim": "verbatim transcript",
        }.get(h.field, h.field)
        if span := h.span:
            where += f" at {source_time(span.at)}"
            where += f", sentence {source_time(span.start)}–{source_time(span.end)}"
        if h.score is not None:
            where += f", similarity {h.score:.2f}"
        context = h.context.replace(h.match, f"[{h.match}]", 1) if h.match else h.context
        lines.append(f"{number:>3}. {h.clip} · {who} · {where}")
        lines.append(f"     {context}")
    lines.append(f"{len(hits)} match(es).")
    return "\n".join(lines) + "\n"

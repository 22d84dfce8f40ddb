"""A passage as a range of a transcript's words, and the anchors a selection of it is written with.

The studio selects passages by their words. The manifest stores a selection's ends as quotes
where a few words find exactly that place again (a person can read and edit a quote), and as
times where no short quote is unique (the same words said twice). Times use the same pad as the
edit plan and the cut sheet, never reaching past the middle of the gap to a neighbouring word;
the edit plan then settles every cut into silence as it does for any selection.
"""

from __future__ import annotations

import math
import re

from ..transcripts.model import Transcript, Word
from .quotes import QuoteNotFound, find_quote, normalise
from .sentences import SENTENCE_PAD
from .timeline import holds_word

# Quotes of this many words are tried, shortest first: short enough to read, long enough to
# be unique in most narratives.
QUOTE_WORDS = range(3, 9)
# Something the manifest would read as a time ("10:30", "75") is not written as a quote.
_TIME_LIKE = re.compile(r"^[\d:.\s]+$")

Anchor = str | float


def words_text(words: list[Word] | tuple[Word, ...]) -> str:
    """The words as one line of text, single-spaced (Whisper's words carry leading spaces)."""
    return " ".join("".join(w.text for w in words).split())


def cut_in(words: list[Word], first: int, pad: float = SENTENCE_PAD) -> float:
    """The padded in-point before ``words[first]``, rounded outwards to 0.01 s."""
    previous = words[first - 1].end if first > 0 else 0.0
    point = max(words[first].start - pad, (previous + words[first].start) / 2, 0.0)
    return math.floor(point * 100 + 1e-6) / 100


def cut_out(words: list[Word], last: int, duration: float, pad: float = SENTENCE_PAD) -> float:
    """The padded out-point after ``words[last]``, rounded outwards to 0.01 s."""
    following = words[last + 1].start if last + 1 < len(words) else duration
    point = min(words[last].end + pad, (words[last].end + following) / 2, duration)
    return math.ceil(point * 100 - 1e-6) / 100


def _quotable(text: str) -> bool:
    return len(normalise(text)) >= 2 and not _TIME_LIKE.match(text)


def from_anchor(words: list[Word], first: int, last: int) -> Anchor:
    """A quote that the edit plan resolves to ``words[first]``, or the in-point in seconds."""
    for n in QUOTE_WORDS:
        if first + n - 1 > last:
            break
        quote = words_text(words[first : first + n])
        if not _quotable(quote):
            continue
        try:
            match = find_quote(words, quote)
        except QuoteNotFound:
            continue
        if match.first == first:
            return quote
    return cut_in(words, first)


def to_anchor(words: list[Word], first: int, last: int, after: float, duration: float) -> Anchor:
    """A quote that resolves to ``words[last]`` searching from ``after`` seconds (where the
    passage's start resolves), or the out-point in seconds."""
    for n in QUOTE_WORDS:
        if last - n + 1 < first:
            break
        quote = words_text(words[last - n + 1 : last + 1])
        if not _quotable(quote):
            continue
        try:
            match = find_quote(words, quote, after=after)
        except QuoteNotFound:
            continue
        if match.last == last:
            return quote
    return cut_out(words, last, duration)


def anchors(transcript: Transcript, first: int, last: int) -> tuple[Anchor, Anchor]:
    """``(from, to)`` for a selection of ``words[first..last]`` (inclusive)."""
    words = transcript.words
    if not 0 <= first <= last < len(words):
        raise IndexError(f"words {first}..{last} are not in a transcript of {len(words)} words")
    start = from_anchor(words, first, last)
    after = words[first].start if isinstance(start, str) else start
    return start, to_anchor(words, first, last, after, transcript.duration)


def anchor_resolves(words: list[Word], anchor: Anchor, index: int, end: str, after: float) -> bool:
    """Whether ``anchor`` still finds ``words[index]`` (``end`` is "from" or "to")."""
    if not isinstance(anchor, str):
        return False
    try:
        match = find_quote(words, anchor, after=after)
    except QuoteNotFound:
        return False
    return (match.first if end == "from" else match.last) == index


def word_range(words: list[Word], source_in: float, source_out: float) -> tuple[int, int] | None:
    """The first and last word whose middle lies inside a cut, or None when it holds no word."""
    inside = [i for i, w in enumerate(words) if holds_word(source_in, source_out, w)]
    return (inside[0], inside[-1]) if inside else None

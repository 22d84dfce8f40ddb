"""Find a quoted passage in a transcript's words, tolerating recognition errors.

A facilitator writes the first or last few words of a passage as they hear them; Whisper may
have heard "ICU" as "I see you" or dropped a comma. We compare normalised word sequences with a
similarity ratio, so small recognition errors still match, and report the best candidates with
their times when a quote is missing or ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..transcripts.model import Word

# Scores compare letters, not whole words, so homophones and split words that Whisper gets
# slightly wrong ("the night's where" for "the nights were") still match closely.
MATCH_THRESHOLD = 0.75
# Two candidates this close in score are indistinguishable to the matcher: the quote is ambiguous.
AMBIGUITY_MARGIN = 0.05

_NON_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> list[str]:
    """Lower-cased words without punctuation: ``"Well, I didn't"`` → ``['well', 'i', 'didnt']``."""
    return [t for t in _NON_WORD.split(text.lower().replace("’", "").replace("'", "")) if t]


@dataclass(frozen=True)
class QuoteMatch:
    """Where a quote was found among a clip's words: its first and last word (indexes into the words
    searched), their times in seconds, and how closely they match it (0 to 1). The near misses a
    ``QuoteNotFound`` lists are matches too."""

    first: int  # index of the first matched word
    last: int  # index of the last matched word (inclusive)
    score: float
    start: float
    end: float
    text: str


class QuoteNotFound(Exception):
    """A quote matched nowhere well enough, or (``ambiguous``) in two places equally well.
    ``candidates`` are the closest matches, for the caller's error to list with their times."""

    def __init__(self, quote: str, candidates: list[QuoteMatch], ambiguous: bool) -> None:
        super().__init__(quote)
        self.quote = quote
        self.candidates = candidates
        self.ambiguous = ambiguous


def find_quote(words: list[Word], quote: str, *, after: float = 0.0) -> QuoteMatch:
    """The unique best match of ``quote`` among ``words`` starting at or after ``after`` seconds.

    Raises QuoteNotFound with up to three candidates when nothing matches well enough or when
    two different places match equally well.
    """
    target = normalise(quote)
    target_text = " ".join(target)
    tokens = [normalise(w.text) for w in words]
    # Each transcript word may normalise to zero or several tokens ("ICU's" stays one).
    flat: list[tuple[str, int]] = [(tok, i) for i, toks in enumerate(tokens) for tok in toks]
    candidates: list[QuoteMatch] = []
    n = len(target)
    for begin in range(len(flat)):
        if words[flat[begin][1]].start < after - 1e-6:
            continue
        best: QuoteMatch | None = None
        # Windows one word shorter or longer than the quote absorb an inserted or lost word.
        for length in (n - 1, n, n + 1):
            if length < 1 or begin + length > len(flat):
                continue
            window = flat[begin : begin + length]
            score = SequenceMatcher(None, target_text, " ".join(t for t, _ in window)).ratio()
            if best is None or score > best.score:
                first, last = window[0][1], window[-1][1]
                best = QuoteMatch(
                    first,
                    last,
                    score,
                    words[first].start,
                    words[last].end,
                    "".join(w.text for w in words[first : last + 1]).strip(),
                )
        if best is not None:
            candidates.append(best)
    candidates.sort(key=lambda m: -m.score)
    good = [m for m in candidates if m.score >= MATCH_THRESHOLD]
    if not good:
        raise QuoteNotFound(quote, _distinct(candidates)[:3], ambiguous=False)
    top = good[0]
    # _distinct keeps only places that do not overlap the best one: any close rival is
    # somewhere else in the clip.
    rivals = [m for m in _distinct(good)[1:] if top.score - m.score <= AMBIGUITY_MARGIN]
    if rivals:
        raise QuoteNotFound(quote, [top, *rivals][:3], ambiguous=True)
    return top


def _distinct(matches: list[QuoteMatch]) -> list[QuoteMatch]:
    """Drop candidates that overlap a better one (the same place seen from a shifted window)."""
    kept: list[QuoteMatch] = []
    for match in matches:
        if all(match.last < k.first or match.first > k.last for k in kept):
            kept.append(match)
    return kept

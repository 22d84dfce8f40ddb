"""Redaction inside a cut: find what must not be heard, and what the captions show instead."""

from __future__ import annotations

from ..manifest.model import Redaction
from ..transcripts.model import Word
from .quotes import normalise

# Whisper's word edges are only good to a hundred milliseconds or so, and a name half heard is
# not removed: muting reaches this far beyond the words.
WORD_MARGIN = 0.1


def find_redactions(
    words: tuple[Word, ...], redact: tuple[Redaction, ...], source_in: float, source_out: float
) -> tuple[list[tuple[float, float]], list[int]]:
    """The source-time ranges to mute, and the index of every redaction that matched nothing.

    Quoted words are removed wherever they are spoken in the cut (a name said twice is removed
    twice); time ranges are clipped to the cut.
    """
    ranges: list[tuple[float, float]] = []
    missing: list[int] = []
    tokens = [" ".join(normalise(w.text)) for w in words]
    for index, item in enumerate(redact):
        found = False
        if item.words is not None:
            target = normalise(item.words)
            n = len(target)
            for first in range(len(words) - n + 1):
                if tokens[first : first + n] == target:
                    start = max(words[first].start - WORD_MARGIN, source_in)
                    end = min(words[first + n - 1].end + WORD_MARGIN, source_out)
                    ranges.append((start, end))
                    found = True
        else:
            assert item.start is not None and item.end is not None
            start, end = max(item.start, source_in), min(item.end, source_out)
            if end > start:
                ranges.append((start, end))
                found = True
        if not found:
            missing.append(index)
    return _merge(ranges), missing


def _merge(ranges: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def replace_words(
    words: tuple[Word, ...], ranges: list[tuple[float, float]], placeholder: str
) -> tuple[Word, ...]:
    """Words with each redacted run replaced by one placeholder word, so captions never show it."""
    result: list[Word] = []
    for word in words:
        middle = (word.start + word.end) / 2
        hit = next((r for r in ranges if r[0] <= middle <= r[1]), None)
        if hit is None:
            result.append(word)
        elif not (result and result[-1].doubts == ("redacted",) and result[-1].start == hit[0]):
            result.append(Word(hit[0], hit[1], f" {placeholder}", 1.0, ("redacted",)))
    return tuple(result)

"""A transcript as sentences with cut points: the unit a facilitator picks passages by.

Whisper's segments are close to sentences; a segment holding several sentences is split after
words ending in ``.``, ``?`` or ``!``. Each sentence carries the times a selection of it should
use: a pad before its first and after its last word (word times are only good to a few hundred
milliseconds), never reaching past the middle of the gap to a neighbouring word, so a cut of
one sentence never takes a syllable of the next.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..transcripts.model import Transcript, Word
from .timeline import holds_word

# The same pad the edit plan puts around quoted words.
SENTENCE_PAD = 0.3
_ENDS = (".", "?", "!", '."', '?"', '!"')


@dataclass(frozen=True)
class Sentence:
    """One sentence of a clip's transcript, the unit a facilitator picks passages by: its words and
    the cut points (seconds in the clip) that a selection of just this sentence uses. ``index`` is
    its place among the transcript's sentences, from 0."""

    index: int
    text: str
    words: tuple[Word, ...]
    # Where a selection of just this sentence starts and ends (seconds, 0.01 s grid).
    cut_in: float
    cut_out: float

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return self.words[-1].end


def sentences(transcript: Transcript, pad: float = SENTENCE_PAD) -> list[Sentence]:
    """The transcript's sentences in time order, with padded cut points."""
    groups: list[list[Word]] = []
    for segment in transcript.segments:
        current: list[Word] = []
        for word in segment.words:
            current.append(word)
            if word.text.strip().endswith(_ENDS):
                groups.append(current)
                current = []
        if current:
            groups.append(current)
    groups = [g for g in groups if g]
    result = []
    for i, group in enumerate(groups):
        first, last = group[0], group[-1]
        previous = groups[i - 1][-1].end if i > 0 else 0.0
        following = groups[i + 1][0].start if i + 1 < len(groups) else transcript.duration
        cut_in = max(first.start - pad, (previous + first.start) / 2, 0.0)
        cut_out = min(last.end + pad, (last.end + following) / 2, transcript.duration)
        # Outward rounding, so the written times still hold every word of the sentence.
        cut_in = math.floor(cut_in * 100 + 1e-6) / 100
        cut_out = math.ceil(cut_out * 100 - 1e-6) / 100
        text = "".join(w.text for w in group).strip()
        result.append(Sentence(i, " ".join(text.split()), tuple(group), cut_in, cut_out))
    return result


def words_inside(sentence: Sentence, start: float, end: float) -> int:
    """How many of the sentence's words a cut from ``start`` to ``end`` holds (by mid-point)."""
    return sum(holds_word(start, end, w) for w in sentence.words)

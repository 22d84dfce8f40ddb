"""Reasons to doubt a transcript's words, marked on the words and segments themselves.

Captions of a patient's words shown at a joint event must not put invented or misheard words
in their mouth. Whisper fails in recognisable ways, each checked here:

- ``no-speech``: a word or segment timed where the voice-activity detector hears nobody;
- ``repetition``: the same few words three or more times in a row, Whisper's decoding loop;
- ``low-probability``: a word Whisper itself gave less than LOW_PROBABILITY;
- ``hallucination``: a segment with Whisper's hallucination signature, a high no-speech
  probability together with a low average log-probability (Whisper's own thresholds);
- ``interpolated``: set by alignment, a verbatim word Whisper did not hear, timed by estimate.

A transcript aligned to a verbatim text is checked for timing only: its words come from the
archive, so Whisper's confidence in its own words and its loops say nothing about them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from .align import INTERPOLATED, word_key
from .model import Segment, Transcript, Word
from .speech import Interval, overlap

LOW_PROBABILITY = 0.3
# Whisper's defaults: no_speech_threshold 0.6 and logprob_threshold -1.0.
NO_SPEECH_PROB = 0.6
LOW_AVG_LOGPROB = -1.0
REPEATS = 3
LONGEST_LOOP = 8
# Voice-activity edges are good to a couple of hundred milliseconds; closer is not a doubt.
SPEECH_SLACK = 0.2

NO_SPEECH = "no-speech"
REPETITION = "repetition"
LOW = "low-probability"
HALLUCINATION = "hallucination"
_COMPUTED = (NO_SPEECH, REPETITION, LOW, HALLUCINATION)


def _looping(words: list[Word]) -> set[int]:
    """Indexes of words inside a run of the same n-gram repeated REPEATS or more times.

    >>> sorted(_looping([Word(i, i + 1, t) for i, t in enumerate("so thank you thank you "
    ...     "thank you . ok".split())]))
    [1, 2, 3, 4, 5, 6]
    """
    keys = [word_key(w.text) for w in words]
    looping: set[int] = set()
    for n in range(1, LONGEST_LOOP + 1):
        i = 0
        while i + n <= len(keys):
            gram = keys[i : i + n]
            count = 1
            while keys[i + count * n : i + (count + 1) * n] == gram:
                count += 1
            if count >= REPEATS and any(gram):
                looping.update(range(i, i + count * n))
                i += count * n
            else:
                i += 1
    return looping


def _merge(old: tuple[str, ...], new: list[str]) -> tuple[str, ...]:
    # Reasons computed here are recomputed; others (such as "interpolated") are kept.
    kept = [d for d in old if d not in _COMPUTED]
    return tuple(dict.fromkeys(kept + new))


def flag_doubts(transcript: Transcript, speech: list[Interval] | None = None) -> Transcript:
    """``transcript`` with every word's and segment's ``doubts`` (re)computed.

    ``speech`` is the recording's voice activity (see :func:`speech.speech_intervals`); the
    no-speech check is skipped without it.
    """
    verbatim = transcript.options.get("aligned") == "verbatim"
    words = transcript.words
    looping = set() if verbatim else _looping(words)
    index = 0
    segments = []
    for segment in transcript.segments:
        new_words = []
        for word in segment.words:
            reasons = []
            if speech is not None and not overlap(
                word.start - SPEECH_SLACK, word.end + SPEECH_SLACK, speech
            ):
                reasons.append(NO_SPEECH)
            if index in looping:
                reasons.append(REPETITION)
            if not verbatim and word.probability < LOW_PROBABILITY:
                reasons.append(LOW)
            new_words.append(replace(word, doubts=_merge(word.doubts, reasons)))
            index += 1
        segments.append(_flag_segment(segment, tuple(new_words), speech, verbatim))
    return replace(transcript, segments=tuple(segments))


def _flag_segment(
    segment: Segment, words: tuple[Word, ...], speech: list[Interval] | None, verbatim: bool
) -> Segment:
    reasons = []
    if speech is not None:
        silent = (
            all(NO_SPEECH in w.doubts for w in words)
            if words
            else not overlap(segment.start - SPEECH_SLACK, segment.end + SPEECH_SLACK, speech)
        )
        if silent:
            reasons.append(NO_SPEECH)
    if words and all(REPETITION in w.doubts for w in words):
        reasons.append(REPETITION)
    if (
        not verbatim
        and segment.no_speech_prob > NO_SPEECH_PROB
        and segment.avg_logprob < LOW_AVG_LOGPROB
    ):
        reasons.append(HALLUCINATION)
    return replace(segment, words=words, doubts=_merge(segment.doubts, reasons))


@dataclass(frozen=True)
class Doubt:
    """One line of the review list: a stretch of a clip's transcript and why to check it."""

    clip: str
    start: float
    end: float
    text: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_doubts(clip: str, transcript: Transcript) -> list[Doubt]:
    """The doubts of one transcript, in time order: a doubted segment once, and runs of
    neighbouring words with the same reason as one line (not already covered by their segment).
    """
    found: list[Doubt] = []
    for segment in transcript.segments:
        for reason in segment.doubts:
            found.append(Doubt(clip, segment.start, segment.end, segment.text.strip(), reason))
        reasons = {r: None for w in segment.words for r in w.doubts if r not in segment.doubts}
        for reason in reasons:
            run: list[Word] = []
            for word in (*segment.words, None):
                if word is not None and reason in word.doubts:
                    run.append(word)
                elif run:
                    text = "".join(w.text for w in run).strip()
                    found.append(Doubt(clip, run[0].start, run[-1].end, text, reason))
                    run = []
    return sorted(found, key=lambda d: (d.start, d.reason))


__all__ = [
    "HALLUCINATION",
    "INTERPOLATED",
    "LOW",
    "NO_SPEECH",
    "REPETITION",
    "Doubt",
    "flag_doubts",
    "list_doubts",
]

"""Put a verbatim transcript on the audio, using Whisper's word times where the words agree.

Archive clips come with the exact words spoken; Whisper (tiny.en especially) mishears some of
them ("the night's where" for "the nights were"). Captions must show the verbatim words, but
only Whisper knows when each was said. So the verbatim tokens are aligned to Whisper's words:

1. difflib's SequenceMatcher pairs identical normalised words (fast even for long narratives);
2. inside each stretch where the two disagree, a small dynamic programme pairs words that are
   spelled alike ("where"/"were"), including one word heard as two ("every day"/"everyday");
3. paired verbatim words take Whisper's times; the rest are spread over the speech (not the
   silence, when voice-activity intervals are given) between their paired neighbours, in
   proportion to their length in characters, and carry the doubt "interpolated".

The result is an ordinary ``Transcript`` whose segments are the verbatim sentences, so every
later stage (quotes, cuts, captions) works on it unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from .model import Segment, Transcript, Word
from .speech import Interval, clip_to
from .wer import spell_number

# Below this fraction of verbatim words found in Whisper's output the verbatim text is probably
# for another recording (or Whisper heard little); the times are then mostly guesses.
COVERAGE_WARNING = 0.6
# Letter similarity (difflib ratio) from which two differing words count as the same word heard
# wrongly: "where"/"were" is 0.89, "sat"/"start" 0.75, "one"/"well" 0.29.
FUZZY_MATCH = 0.6
# The fuzzy pass is quadratic; longer disagreements are left to interpolation.
_MAX_FUZZY_CELLS = 10_000
# Speaking rate used only when a run of words has no neighbour on one side and no speech
# evidence: about 14 characters a second.
_SECONDS_PER_CHAR = 0.07
_SENTENCE_END = (".", "!", "?", "…")
_CLOSERS = "\"'”’)]"
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DIGITS = re.compile(r"\d+")

INTERPOLATED = "interpolated"


def word_key(text: str) -> str:
    """The form two words are compared in: lower case, letters and digits only, numbers spelled.

    >>> word_key("Night's,"), word_key("follow-up"), word_key("21"), word_key("—")
    ('nights', 'followup', 'twentyone', '')
    """
    text = _DIGITS.sub(lambda m: spell_number(int(m.group())).replace(" ", ""), text.lower())
    return _NON_ALNUM.sub("", text.replace("’", "").replace("'", ""))


@dataclass(frozen=True)
class _Token:
    text: str
    key: str
    sentence: int


def tokenise(verbatim: str) -> list[_Token]:
    """Display tokens of ``verbatim`` with their sentence number; punctuation-only tokens
    (a dash, an ellipsis) stay attached to the word before them.

    >>> [(t.text, t.sentence) for t in tokenise("Yes — I did.\\n\\nThen home")]
    [('Yes —', 0), ('I', 0), ('did.', 0), ('Then', 1), ('home', 1)]
    """
    tokens: list[_Token] = []
    sentence = 0
    for paragraph in re.split(r"\n\s*\n", verbatim):
        start_of_paragraph = len(tokens)
        for raw in paragraph.split():
            key = word_key(raw)
            if not key and len(tokens) > start_of_paragraph:
                last = tokens[-1]
                tokens[-1] = _Token(f"{last.text} {raw}", last.key, last.sentence)
            elif key:
                tokens.append(_Token(raw, key, sentence))
            if tokens and tokens[-1].text.rstrip(_CLOSERS).endswith(_SENTENCE_END):
                sentence = tokens[-1].sentence + 1
        if tokens and tokens[-1].sentence == sentence:
            sentence += 1  # a paragraph ends a sentence even without a full stop
    return tokens


def _similarity(a: str, b: str) -> float:
    return 1.0 if a == b else SequenceMatcher(None, a, b, autojunk=False).ratio()


def _fuzzy_pairs(vkeys: list[str], wkeys: list[str]) -> list[tuple[int, int, int, int]]:
    """Best monotonic pairing inside a disagreeing stretch: (v, nv, w, nw) meaning ``nv``
    verbatim words starting at ``v`` are ``nw`` Whisper words starting at ``w`` (1:1, 1:2, 2:1)."""
    n, m = len(vkeys), len(wkeys)
    if n * m > _MAX_FUZZY_CELLS:
        return []
    # best[i][j]: the highest total similarity pairing vkeys[i:] with wkeys[j:].
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    move: dict[tuple[int, int], tuple[int, int, bool]] = {}
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [(best[i + 1][j], (1, 0, False)), (best[i][j + 1], (0, 1, False))]
            for nv, nw in ((1, 1), (1, 2), (2, 1)):
                if i + nv > n or j + nw > m:
                    continue
                score = _similarity("".join(vkeys[i : i + nv]), "".join(wkeys[j : j + nw]))
                if score >= FUZZY_MATCH:
                    # Counted per verbatim word, so a 2:1 pair weighs like two 1:1 pairs.
                    options.append((best[i + nv][j + nw] + score * nv, (nv, nw, True)))
            best[i][j], move[i, j] = max(options, key=lambda o: o[0])
    pairs = []
    i = j = 0
    while i < n and j < m:
        nv, nw, paired = move[i, j]
        if paired:
            pairs.append((i, nv, j, nw))
        i, j = i + nv, j + nw
    return pairs


def _pair(tokens: list[_Token], heard: list[Word]) -> list[tuple[float, float, float] | None]:
    """(start, end, probability) from Whisper for each verbatim token, or None if unheard."""
    vkeys = [t.key for t in tokens]
    wkeys = [word_key(w.text) for w in heard]
    timed: list[tuple[float, float, float] | None] = [None] * len(tokens)
    groups: list[tuple[int, int, int, int]] = []
    matcher = SequenceMatcher(None, vkeys, wkeys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            groups += [(i1 + k, 1, j1 + k, 1) for k in range(i2 - i1)]
        elif tag == "replace":
            groups += [
                (i1 + v, nv, j1 + w, nw)
                for v, nv, w, nw in _fuzzy_pairs(vkeys[i1:i2], wkeys[j1:j2])
            ]
    for v, nv, w, nw in groups:
        words = heard[w : w + nw]
        start, end = words[0].start, words[-1].end
        probability = min(x.probability for x in words)
        if nv == 1:
            timed[v] = (start, end, probability)
            continue
        # Two verbatim words heard as one: share its time by length.
        lengths = [len(tokens[v + k].text) for k in range(nv)]
        cut = start + (end - start) * lengths[0] / sum(lengths)
        timed[v], timed[v + 1] = (start, cut, probability), (cut, end, probability)
    return timed


def _spread(weights: list[int], parts: list[Interval]) -> list[tuple[float, float]]:
    """Lay items of the given weights end to end over ``parts`` (skipping the gaps between)."""
    total_time = sum(b - a for a, b in parts)
    total_weight = sum(weights) or 1

    def at(fraction: float, backwards: bool) -> float:
        remaining = fraction * total_time
        for a, b in parts:
            if remaining < b - a or (backwards and remaining <= b - a):
                return a + remaining
            remaining -= b - a
        return parts[-1][1]

    spans, done = [], 0
    for weight in weights:
        start = at(done / total_weight, backwards=False)
        done += weight
        # An end that falls exactly on a part's end stays in that part, not the next one.
        end = max(start, at(done / total_weight, backwards=True))
        # A word laid across a pause belongs to the side holding most of it, not to the pause.
        a, b = max(parts, key=lambda p: min(end, p[1]) - max(start, p[0]))
        spans.append((max(start, a), max(min(end, b), max(start, a))))
    return spans


def _fill_gaps(
    tokens: list[_Token],
    timed: list[tuple[float, float, float] | None],
    heard: list[Word],
    speech: list[Interval] | None,
    duration: float,
) -> list[tuple[float, float, float] | None]:
    """Times for each run of unpaired tokens, inside the gap between its paired neighbours."""
    result = list(timed)
    i = 0
    while i < len(tokens):
        if result[i] is not None:
            i += 1
            continue
        j = i
        while j < len(tokens) and result[j] is None:
            j += 1
        weights = [len(t.text) + 1 for t in tokens[i:j]]
        lo = result[i - 1][1] if i > 0 else None  # type: ignore[index]
        hi = result[j][0] if j < len(tokens) else None  # type: ignore[index]
        parts = _gap_parts(lo, hi, sum(weights), heard, speech, duration)
        # Probability 1.0: the words themselves are the archive's; only their times are guesses,
        # which the "interpolated" doubt says.
        for k, (start, end) in enumerate(_spread(weights, parts)):
            result[i + k] = (start, end, 1.0)
        i = j
    return result


def _gap_parts(
    lo: float | None,
    hi: float | None,
    chars: int,
    heard: list[Word],
    speech: list[Interval] | None,
    duration: float,
) -> list[Interval]:
    """The stretches of a gap where the unpaired words were most likely spoken."""
    start = 0.0 if lo is None else lo
    end = duration if hi is None else hi
    if speech is not None:
        evidence = clip_to(start, end, speech)
    else:
        # Without voice activity, Whisper's own (unpaired) words in the gap show where speech is.
        evidence = clip_to(start, end, [(w.start, w.end) for w in heard])
    if evidence:
        if (lo is None) != (hi is None):
            # An open-ended gap: keep only the speech nearest the known neighbour.
            wanted = chars * _SECONDS_PER_CHAR * 2
            evidence = _nearest(evidence, wanted, from_end=lo is None)
        return evidence
    if lo is None and hi is None:
        return [(0.0, max(duration, 0.0))]
    if lo is None:
        return [(max(0.0, end - chars * _SECONDS_PER_CHAR), end)]
    if hi is None:
        return [(start, min(duration, start + chars * _SECONDS_PER_CHAR))]
    return [(start, end)]


def _nearest(parts: list[Interval], wanted: float, from_end: bool) -> list[Interval]:
    chosen, total = [], 0.0
    for a, b in reversed(parts) if from_end else parts:
        chosen.append((a, b))
        total += b - a
        if total >= wanted:
            break
    return sorted(chosen)


def _segment_scores(span: Interval, segments: tuple[Segment, ...]) -> tuple[float, float]:
    """avg_logprob and no_speech_prob of the Whisper segment that overlaps ``span`` most."""
    best, best_overlap = None, 0.0
    for segment in segments:
        shared = min(span[1], segment.end) - max(span[0], segment.start)
        if shared > best_overlap:
            best, best_overlap = segment, shared
    return (best.avg_logprob, best.no_speech_prob) if best else (0.0, 0.0)


def align_verbatim(
    transcript: Transcript, verbatim: str, speech: list[Interval] | None = None
) -> Transcript:
    """``transcript`` with the words of ``verbatim``, timed from it where they agree.

    ``speech`` (from :func:`speech.speech_intervals`) keeps interpolated words off silence.
    The options record ``aligned: verbatim`` and the alignment's coverage (see
    :func:`alignment_coverage`).
    """
    tokens = tokenise(verbatim)
    heard = [w for w in transcript.words if word_key(w.text)]
    paired = _pair(tokens, heard)
    timed = _fill_gaps(tokens, paired, heard, speech, transcript.duration)
    words: list[list[Word]] = []
    sentence = None
    for token, was_paired, times in zip(tokens, paired, timed, strict=True):
        assert times is not None
        start, end, probability = times
        doubts = () if was_paired is not None else (INTERPOLATED,)
        if token.sentence != sentence:
            words.append([])
            sentence = token.sentence
        words[-1].append(
            Word(round(start, 3), round(end, 3), f" {token.text}", probability, doubts)
        )
    segments = []
    for group in words:
        span = (group[0].start, group[-1].end)
        avg_logprob, no_speech_prob = _segment_scores(span, transcript.segments)
        segments.append(
            Segment(
                start=span[0],
                end=span[1],
                text="".join(w.text for w in group),
                words=tuple(group),
                avg_logprob=avg_logprob,
                no_speech_prob=no_speech_prob,
            )
        )
    matched = sum(p is not None for p in paired)
    options = dict(transcript.options)
    options["aligned"] = "verbatim"
    options["alignment"] = {
        "coverage": round(matched / len(tokens), 4) if tokens else 1.0,
        "matched": matched,
        "words": len(tokens),
    }
    return Transcript(
        segments=tuple(segments),
        language=transcript.language,
        duration=transcript.duration,
        engine=transcript.engine,
        model=transcript.model,
        options=options,
    )


def alignment_coverage(transcript: Transcript) -> float | None:
    """The fraction of verbatim words found in Whisper's output, or None if not aligned."""
    if transcript.options.get("aligned") != "verbatim":
        return None
    return float(transcript.options["alignment"]["coverage"])

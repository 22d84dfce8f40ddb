"""Caption cues from the edit plan: the words of every cut, laid out and timed to a profile.

Each cut is captioned on its own, because every cut is a shot change and a caption must not
straddle one (docs/captions.md): a cue starts no earlier than its cut and ends at least the
profile's minimum gap before the next item, so it never reaches a card or the next cut.

Inside a cut the words are partitioned into cues by dynamic programming: every candidate cue must
fit the profile's lines and line length and stay under its maximum duration; a cue costs a fixed
amount (so fewer, fuller cues win), plus the cost of the break that ends it (the line-breaking
rules of :mod:`linebreak`: sentence ends are free, clause boundaries cheap, an article torn from
its noun very dear), plus a premium for joining two sentences, plus a penalty for a cue too short
to be read. Timing then follows the words, on the frame grid, extended toward the minimum duration
and reading speed into the silence after the speech.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..editplan.timeline import Cut, Timeline, holds_word
from ..errors import TriggerfilmError
from ..timefmt import mmss_tenths
from ..transcripts.model import Transcript, Word
from .linebreak import SENTENCE_END, best_layout, break_cost
from .model import Cue
from .profiles import CaptionProfile

# A pause this long ends a cue: a caption should not hang on screen through a silence.
PAUSE_SPLIT = 1.2
# After the speech ends a caption lingers at most this long just to ease reading speed below
# the warning level (Netflix: out-time no more than 0.5 s after speech ends).
MAX_LINGER = 0.5

# A pause of half a second makes any break as good as one after a comma.
PAUSE_EASE = 8.0
PAUSE_EASE_PER_SECOND = 16.0

SHARE_STEP = 0.95

CUE_COST = 20.0
SENTENCE_JOIN = 30.0
# A cue the reader has too little time for costs in proportion to the shortfall, so that fast
# speech, which no partition can slow down, does not simply favour fewer, badly broken cues.
TOO_SHORT = 90.0
TOO_SHORT_PER_SECOND = 120.0
FRAGMENT = 0.6  # per character under FRAGMENT_CHARS, for a cue that is not a whole sentence
FRAGMENT_CHARS = 20
# An orphan: a few words torn from their sentence ("My first memory" for 0.96 s, then "of the
# unit is a nurse..."). Dearer than any line break, so a neighbour takes the words whenever it
# can; left only where nothing else fits the profile.
ORPHAN = 80.0
ORPHAN_WORDS = 3


@dataclass(frozen=True)
class _Span:
    """A word on the film's timeline, in seconds."""

    start: float
    end: float
    text: str


def build_captions(
    timeline: Timeline, profile: CaptionProfile, *, label_speakers: str = "auto"
) -> tuple[Cue, ...]:
    """Caption cues for every cut of ``timeline``, in film order, on the frame grid.

    ``label_speakers``: "auto" labels the first cue of a cut whose picture does not show the
    narrator (audio-only media); "always" labels the first cue of every cut; "never" none.
    It is text from a manifest or ``timeline.json``, so it is checked here.
    """
    if label_speakers not in ("auto", "always", "never"):
        raise TriggerfilmError(
            f"unknown speaker labelling {label_speakers!r}",
            field="label_speakers",
            expected="auto, always or never",
        )
    fps = timeline.fps
    cues: list[Cue] = []
    for index, (item, first) in enumerate(zip(timeline.items, timeline.starts(), strict=True)):
        if not isinstance(item, Cut):
            continue
        label = label_speakers == "always" or (
            label_speakers == "auto" and item.media_type == "audio-only"
        )
        # Timed in the cut's own frames, then moved into place: a cut's captions do not
        # depend on where it sits in the film, so a re-cut can reuse its rendered segment.
        spans = _spans_in_cut(item, 0.0, timeline)
        timed = _cues_for_spans(
            spans,
            0,
            item.frames,
            fps,
            profile,
            indent=len(f"{item.narrator}: ") if label else 0,
        )
        for number, (start, end, lines) in enumerate(timed):
            cues.append(
                Cue(
                    start=(first + start) / fps,
                    end=(first + end) / fps,
                    lines=tuple(lines),
                    speaker=item.narrator,
                    label=label and number == 0,
                    item=index,
                )
            )
    return tuple(cues)


def cues_from_segments(
    transcript: Transcript, profile: CaptionProfile, *, fps: int = 25
) -> tuple[Cue, ...]:
    """Cues for a whole media file's transcript (no cuts, no speakers), e.g. to print as SRT."""
    spans: list[_Span] = []
    for segment in transcript.segments:
        if segment.words:
            spans.extend(_span(w.start, w.end, w.text) for w in segment.words)
        else:
            spans.extend(_spread(segment.start, segment.end, segment.text))
    spans = [s for s in spans if s.text]
    last = max([transcript.duration, *(s.end for s in spans)])
    end_frame = math.ceil(last * fps) + profile.min_gap_frames
    timed = _cues_for_spans(spans, 0, end_frame, fps, profile)
    return tuple(Cue(start=s / fps, end=e / fps, lines=tuple(lines)) for s, e, lines in timed)


def _span(start: float, end: float, text: str) -> _Span:
    return _Span(start, max(start, end), " ".join(text.split()))


def _spread(start: float, end: float, text: str) -> list[_Span]:
    """Words of a segment without word times, spread evenly over the segment."""
    words = text.split()
    step = (end - start) / max(len(words), 1)
    return [_span(start + i * step, start + (i + 1) * step, w) for i, w in enumerate(words)]


def words_in_cut(cut: Cut, timeline: Timeline) -> tuple[Word, ...]:
    """The cut's spoken words: non-empty, and held by the cut (source times)."""
    end = timeline.source_out(cut)
    return tuple(w for w in cut.words if w.text.strip() and holds_word(cut.source_in, end, w))


def _spans_in_cut(cut: Cut, film_start: float, timeline: Timeline) -> list[_Span]:
    """The cut's words moved onto the film timeline and clamped to the cut."""
    film_end = film_start + cut.frames / timeline.fps
    spans = []
    for word in words_in_cut(cut, timeline):
        start = min(max(film_start + word.start - cut.source_in, film_start), film_end)
        end = min(max(film_start + word.end - cut.source_in, start), film_end)
        spans.append(_span(start, end, word.text))
    return spans


def _reading_time(profile: CaptionProfile, words: int, chars: int) -> tuple[float, float]:
    """Seconds a cue must stay up: (for the reading-speed error limit, for all the limits).

    Characters per second is the hard limit (viewers lose text); the minimum duration and the
    words-per-minute guidance are met where the speech leaves room for them.
    """
    hard = chars / profile.max_cps_error if profile.max_cps_error else 0.0
    soft = max(hard, profile.min_duration_for(words))
    if profile.words_per_minute:
        soft = max(soft, words * 60 / profile.words_per_minute)
    return hard, soft


def _words_needed(profile: CaptionProfile, words: int, chars: int) -> float:
    return _reading_time(profile, words, chars)[1]


def _max_duration(profile: CaptionProfile) -> float:
    return profile.max_duration_warn or profile.max_duration_error or 10.0


def _partition(
    spans: Sequence[_Span], hi: float, profile: CaptionProfile, gap: float, indent: int
) -> list[tuple[int, int, list[str]]]:
    """Split the words into cues: (first word, end word, lines), the cheapest partition."""
    n = len(spans)
    max_chars, max_lines = profile.chars_per_line_warn, profile.max_lines
    capacity = max_chars * max_lines
    max_dur = _max_duration(profile)
    pause = [spans[k + 1].start - spans[k].end > PAUSE_SPLIT for k in range(n - 1)]
    best: list[float] = [0.0] + [math.inf] * n
    choice: list[tuple[int, list[str]] | None] = [None] * (n + 1)
    for j in range(1, n + 1):
        ends_chunk = j == n or pause[j - 1]
        boundary = 0.0 if ends_chunk else _boundary_cost(spans[j - 1], spans[j])
        after = (spans[j].start if j < n else hi) - gap
        chars, joins = -1, 0
        for i in range(j - 1, -1, -1):
            chars += len(spans[i].text) + 1
            single = i == j - 1
            if not single and (
                chars > capacity or pause[i] or spans[j - 1].end - spans[i].start > max_dur
            ):
                break
            if not single and _ends_sentence(spans[i]):
                joins += 1
            text = " ".join(s.text for s in spans[i:j])
            layout = best_layout(text, max_chars, max_lines, indent=indent if i == 0 else 0)
            if layout is None:
                if not single:
                    continue
                # A word too long for any line is shown as it is rather than dropped.
                layout = ([text], 100.0)
            cost = best[i] + CUE_COST + layout[1] + boundary + SENTENCE_JOIN * joins
            label_chars = indent if i == 0 else 0
            room = after - spans[i].start
            short = _words_needed(profile, j - i, chars + label_chars) - room
            if short > 0:
                cost += min(TOO_SHORT, TOO_SHORT_PER_SECOND * short)
            whole = boundary == 0.0 and (i == 0 or pause[i - 1] or _ends_sentence(spans[i - 1]))
            if not whole and chars < FRAGMENT_CHARS:
                cost += FRAGMENT * (FRAGMENT_CHARS - chars)
            if not whole and (j - i <= ORPHAN_WORDS or chars < FRAGMENT_CHARS):
                cost += ORPHAN
            if cost < best[j]:
                best[j], choice[j] = cost, (i, layout[0])
    groups, j = [], n
    while j > 0:
        i, lines = choice[j]  # type: ignore[misc]
        groups.append((i, j, lines))
        j = i
    return groups[::-1]


def _fit(
    starts: list[int], spoken: list[int], need: list[int], lo: int, limit: int, g: int
) -> list[int]:
    """End frames for cues in order, moving starts (in place) only as far as needed.

    Every cue gets ``need`` frames where the cut has room: when speech is faster than the
    profile's reading speed, later cues are pushed later first (captions may lag speech a
    little), and only where that runs into the end of the cut are starts pulled earlier. Gaps of
    at least ``g`` frames and the cut's bounds [lo, limit] are never given up.
    """
    count = len(starts)
    ends = list(spoken)
    for k in range(count):  # push forward
        if k:
            starts[k] = max(starts[k], ends[k - 1] + g)
        ends[k] = max(ends[k], starts[k] + need[k], starts[k] + 1)
    for k in reversed(range(count)):  # pull back from the end of the cut
        ends[k] = min(ends[k], starts[k + 1] - g if k + 1 < count else limit)
        starts[k] = max(lo, min(starts[k], ends[k] - need[k], ends[k] - 1))
    for k in range(count):  # where even that cannot fit, keep order and gaps, lose duration
        if k:
            starts[k] = max(starts[k], ends[k - 1] + g)
        ends[k] = max(ends[k], starts[k] + 1)
    for k in reversed(range(count)):
        ends[k] = min(ends[k], starts[k + 1] - g if k + 1 < count else limit)
        starts[k] = min(starts[k], ends[k] - 1)
    return ends


def _ends_sentence(span: _Span) -> bool:
    return span.text.rstrip("\"'”’)").endswith(SENTENCE_END)


def _boundary_cost(left: _Span, right: _Span) -> float:
    """The cost of ending a cue between two words: the line-break rules, eased by a pause,
    since speakers pause at clause boundaries that a transcript without punctuation hides."""
    ease = min(PAUSE_EASE, PAUSE_EASE_PER_SECOND * max(0.0, right.start - left.end))
    return max(0.0, break_cost(left.text, right.text) - ease)


def _cues_for_spans(
    spans: Sequence[_Span],
    lo: int,
    hi: int,
    fps: int,
    profile: CaptionProfile,
    *,
    indent: int = 0,
) -> list[tuple[int, int, list[str]]]:
    """Cues for words inside frames [lo, hi): (start frame, end frame, lines) each."""
    if not spans:
        return []
    g = profile.min_gap_frames
    groups = _partition(spans, hi / fps, profile, g / fps, indent)
    limit = hi - g  # the last frame boundary a cue may reach: the gap before the next item
    starts, spoken, need, want, firm = [], [], [], [], []
    max_dur = round(_max_duration(profile) * fps)
    linger = round(MAX_LINGER * fps)
    for number, (i, j, lines) in enumerate(groups):
        chars = sum(len(line) for line in lines) + len(lines) - 1 + (indent if number == 0 else 0)
        start = min(max(round(spans[i].start * fps), lo), limit - 1)
        end = max(round(spans[j - 1].end * fps), start + 1)
        hard, soft = (math.ceil(t * fps - 1e-6) for t in _reading_time(profile, j - i, chars))
        needed = soft
        firm.append(hard)
        easy = end
        if profile.max_cps_warn:
            easy = min(start + math.ceil(chars / profile.max_cps_warn * fps), end + linger)
        starts.append(start)
        spoken.append(end)
        need.append(needed)
        want.append(min(max(end, start + needed, easy), max(end, start + max_dur)))
    # Speech faster than the profile allows cannot meet it everywhere: give up the soft limits
    # first, then ask every cue for the same smaller share rather than starving the cut's first.
    for attempt in range(80):
        if attempt < 40:
            scaled = [
                max(f, math.floor(n * SHARE_STEP**attempt)) for f, n in zip(firm, need, strict=True)
            ]
        else:
            scaled = [max(1, math.floor(f * SHARE_STEP ** (attempt - 40))) for f in firm]
        fitted = list(starts)
        ends = _fit(fitted, spoken, scaled, lo, limit, g)
        if all(e - s >= n for s, e, n in zip(fitted, ends, scaled, strict=True)):
            break
    starts = fitted
    count = len(groups)
    for k in range(count):  # ease reading into the silence that follows, where there is one
        ceiling = starts[k + 1] - g if k + 1 < count else limit
        ends[k] = max(ends[k], min(want[k], ceiling))
    close = profile.close_gap_frames or 0
    for k in range(count):  # close flickering gaps to exactly the minimum gap
        ceiling = starts[k + 1] - g if k + 1 < count else limit
        if ends[k] < ceiling and ceiling - ends[k] + g < close and ceiling - starts[k] <= max_dur:
            ends[k] = ceiling
    return [
        (s, e, lines) for s, e, (_, _, lines) in zip(starts, ends, groups, strict=True) if e > s
    ]


def timing_warnings(cues: Sequence[Cue], profile: CaptionProfile) -> list[str]:
    """Where speech is too fast for the profile: one line per cue that could not meet it,
    naming the cue, its time and words, what it got and what the profile wants, and why.

    The builder gives every cue its reading time when the speech and the cut leave room; a
    narrator who speaks faster than the profile's reading speed, right up to a cut, leaves
    none, and the shortfall is reported here rather than hidden.
    """
    warnings = []
    for number, cue in enumerate(cues, start=1):
        text = " ".join(cue.lines)
        words = len(text.split())
        shown = cue.end - cue.start
        wanted = profile.min_duration_for(words)
        cps = len(text) / shown if shown > 0 else math.inf
        problems = []
        if shown + 1e-6 < wanted:
            problems.append(f"shown {shown:.2f} s, profile {profile.name} wants {wanted:.2f} s")
        if profile.max_cps_error is not None and cps > profile.max_cps_error + 1e-6:
            problems.append(
                f"{cps:.1f} characters per second, profile {profile.name} allows "
                f"{profile.max_cps_error:g}"
            )
        if problems:
            preview = text if len(text) <= 40 else text[:39] + "…"
            warnings.append(
                f"caption {number} at {mmss_tenths(cue.start)} ({preview!r}): "
                + "; ".join(problems)
                + ": the narrator speaks faster than the profile's reading speed and the cut "
                "leaves no silence to extend into; trim the passage or accept a faster caption"
            )
    return warnings

"""Checking cues against the speech in the media: missing captions, captions over silence, sync.

Speech is found with the Silero voice-activity detector bundled in faster-whisper, which runs
offline. Its segment edges are only accurate to a couple of hundred milliseconds, so every
comparison allows VAD_SLACK on top of the profile's tolerance: the checker does not report
what the detector cannot resolve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ...errors import MediaError
from ...timefmt import cue_time
from ...transcripts.speech import SAMPLE_RATE, as_seconds, voice_activity
from ..profiles import CaptionProfile
from .model import Finding, ParsedCue

VAD_SLACK = 0.25
# Speech longer than this with no caption over it is reported.
UNCAPTIONED_MIN = 1.0
# A cue that is only a sound label ("[music]", "(laughs)", "♪ ... ♪") needs no speech under it.
_SOUND_LABEL = re.compile(r"^\s*(?:\[[^\]]*\]|\([^)]*\)|♪[^♪]*♪?|\s)+\s*$")


@dataclass(frozen=True)
class Speech:
    """One stretch of detected speech, in seconds."""

    start: float
    end: float


def detect_speech(media: str | Path) -> list[Speech]:
    """Find the speech in ``media`` (any file PyAV can decode) with Silero VAD."""
    from faster_whisper.audio import decode_audio

    media = Path(media)
    if not media.is_file():
        raise MediaError("no such media file", where=str(media))
    try:
        audio = decode_audio(str(media), sampling_rate=SAMPLE_RATE)
    except Exception as error:  # PyAV raises many types; all mean "cannot decode this"
        raise MediaError(
            f"is not audio or video that can be decoded ({type(error).__name__}: {error})",
            where=str(media),
            hint="Pass a video or audio file with a sound track",
        ) from None
    if audio.size == 0:
        raise MediaError("has no audio track", where=str(media), hint="Pass the film's media")
    # Short pads and silences: the edges are what the sync checks compare against.
    found = voice_activity(audio, min_silence_ms=500, pad_ms=30, min_speech_ms=250)
    return [Speech(start, end) for start, end in as_seconds(found)]


def check_sync(
    cues: list[ParsedCue], speech: list[Speech], profile: CaptionProfile
) -> list[Finding]:
    """Compare cues with detected speech under ``profile``'s sync tolerances."""
    shown = [c for c in cues if c.end > c.start and c.visible_lines]
    findings = _no_speech(shown, speech) + _uncaptioned(shown, speech)
    findings += _edges(shown, speech, profile)
    return findings


def _overlaps(cue: ParsedCue, start: float, end: float) -> bool:
    return cue.start < end and cue.end > start


def _no_speech(cues: list[ParsedCue], speech: list[Speech]) -> list[Finding]:
    findings = []
    for cue in cues:
        if _SOUND_LABEL.match(cue.text.replace("\n", " ")):
            continue
        if not any(_overlaps(cue, s.start - VAD_SLACK, s.end + VAD_SLACK) for s in speech):
            findings.append(
                Finding(
                    "sync.no-speech",
                    "warning",
                    cue.index,
                    cue.line,
                    f"no speech detected under this cue ({cue_time(cue.start)} --> "
                    f"{cue_time(cue.end)}); is it timed to the wrong place?",
                )
            )
    return findings


def _uncaptioned(cues: list[ParsedCue], speech: list[Speech]) -> list[Finding]:
    findings = []
    covered = sorted((c.start, c.end) for c in cues)
    for segment in speech:
        # Walk the segment, subtracting every cue that covers part of it.
        cursor = segment.start
        holes = []
        for start, end in covered:
            if end <= cursor or start >= segment.end:
                continue
            if start > cursor:
                holes.append((cursor, start))
            cursor = max(cursor, end)
        if cursor < segment.end:
            holes.append((cursor, segment.end))
        for start, end in holes:
            if end - start > UNCAPTIONED_MIN:
                findings.append(
                    Finding(
                        "sync.uncaptioned-speech",
                        "warning",
                        None,
                        None,
                        f"speech from {cue_time(start)} to {cue_time(end)} ({end - start:.1f} s) "
                        "has no caption",
                    )
                )
    return findings


def _edges(cues: list[ParsedCue], speech: list[Speech], profile: CaptionProfile) -> list[Finding]:
    """The first cue over each stretch of speech should start with it; the last end with it."""
    findings = []
    for number, segment in enumerate(speech):
        before = speech[number - 1] if number else None
        after = speech[number + 1] if number + 1 < len(speech) else None
        over = [c for c in cues if _overlaps(c, segment.start, segment.end)]
        if not over:
            continue
        first, last = over[0], over[-1]
        p, start, end = profile, segment.start, segment.end
        # (rule, cue, seconds off, which way, where the speech edge is, seconds allowed)
        edges: list[tuple[str, ParsedCue, float, str, float, float]] = []
        if before is None or not _overlaps(first, before.start, before.end):
            early = start - first.start
            edges.append(
                ("sync.start", first, early, "before speech starts", start, p.sync_start_early)
            )
            edges.append(
                ("sync.start", first, -early, "after speech starts", start, p.sync_start_late)
            )
        if after is None or not _overlaps(last, after.start, after.end):
            late = last.end - end
            edges.append(("sync.end", last, late, "after speech ends", end, p.sync_end_late))
        # A cue off by less than the tolerance (plus the detector's slack) is in sync.
        findings += [_edge(*edge, profile) for edge in edges if edge[2] > edge[5] + VAD_SLACK]
    return findings


def _edge(
    rule: str,
    cue: ParsedCue,
    seconds: float,
    what: str,
    at: float,
    allowed: float,
    profile: CaptionProfile,
) -> Finding:
    verb = "appears" if rule == "sync.start" else "stays"
    return Finding(
        rule,
        "warning",
        cue.index,
        cue.line,
        f"cue {verb} {seconds:.2f} s {what} (speech detected at {cue_time(at)}); profile "
        f"{profile.name} allows {allowed:.2f} s (plus {VAD_SLACK} s detector slack)",
    )

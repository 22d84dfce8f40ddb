"""The transcript artefact: what every Whisper engine returns and what later stages read.

Plain dataclasses with plain fields (after faster-whisper's ``Word``/``Segment``) so callers never
dig through dicts, and a JSON form that round-trips exactly for the on-disk cache.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Word:
    """One recognised word. ``text`` keeps Whisper's leading space and punctuation."""

    start: float
    end: float
    text: str
    probability: float = 1.0
    # Reasons to doubt this word (e.g. "no-speech", "low-probability", "repetition").
    doubts: tuple[str, ...] = ()

    @property
    def clean(self) -> str:
        return self.text.strip()


@dataclass(frozen=True)
class Segment:
    """A stretch of speech Whisper decoded in one go (close to a sentence), in seconds of the media
    file. Its scores (``avg_logprob``, ``no_speech_prob``) are Whisper's own; ``transcripts.doubts``
    reads them to mark the segment's ``doubts``, such as a hallucination."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    doubts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transcript:
    """A whole media file's transcript with how it was made."""

    segments: tuple[Segment, ...]
    language: str
    duration: float
    engine: str
    model: str
    options: dict[str, Any] = field(default_factory=dict)
    # (start, end) seconds of detected speech, when known: cuts are moved into the silences.
    speech: tuple[tuple[float, float], ...] = ()

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "schema": SCHEMA_VERSION}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        """The transcript ``to_dict`` wrote; ValueError, KeyError or TypeError for anything else
        (a cache entry that is damaged or from another version)."""
        if data.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"unsupported transcript schema {data.get('schema')!r}")
        for key in ("segments", "speech"):
            # A list from JSON, or the tuple to_dict itself returns.
            if not isinstance(data.get(key, []), list | tuple):
                raise TypeError(f"'{key}' is not a list")
        segments = tuple(
            Segment(
                start=float(s["start"]),
                end=float(s["end"]),
                text=str(s["text"]),
                words=tuple(
                    Word(
                        start=float(w["start"]),
                        end=float(w["end"]),
                        text=str(w["text"]),
                        probability=float(w.get("probability", 1.0)),
                        doubts=tuple(w.get("doubts", ())),
                    )
                    for w in s.get("words", ())
                ),
                avg_logprob=float(s.get("avg_logprob", 0.0)),
                no_speech_prob=float(s.get("no_speech_prob", 0.0)),
                doubts=tuple(s.get("doubts", ())),
            )
            for s in data["segments"]
        )
        transcript = cls(
            segments=segments,
            language=str(data["language"]),
            duration=float(data["duration"]),
            engine=str(data["engine"]),
            model=str(data["model"]),
            options=dict(data.get("options", {})),
            speech=tuple((float(a), float(b)) for a, b in data.get("speech", ())),
        )
        times = [transcript.duration, *(t for pair in transcript.speech for t in pair)]
        for segment in segments:
            times += [
                segment.start,
                segment.end,
                *(t for w in segment.words for t in (w.start, w.end)),
            ]
        if not all(math.isfinite(t) and t >= 0 for t in times):
            raise ValueError("a time that is negative, infinite or not a number")
        return transcript

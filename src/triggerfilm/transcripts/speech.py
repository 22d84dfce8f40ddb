"""Where the speech is in a recording, from the Silero voice-activity detector in faster-whisper.

The one wrapper around the detector (``voice_activity``): alignment uses it to put words the
recogniser missed over speech rather than over silence, the doubt flags to catch words timed
where nobody speaks, the openai-whisper engine to skip silence as faster-whisper does, and the
caption checker to compare cues with speech. Each passes the settings its job needs. It runs
offline in a fraction of a second per minute of audio.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

Interval = tuple[float, float]

SAMPLE_RATE = 16000


def voice_activity(
    audio: NDArray[np.float32],
    *,
    min_silence_ms: int | None = None,
    pad_ms: int | None = None,
    min_speech_ms: int | None = None,
) -> list[tuple[int, int]]:
    """(first, end) sample of every stretch of speech in 16 kHz mono ``audio``.

    A setting left out keeps faster-whisper's own default (the one its ``vad_filter`` uses).
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    chosen = {
        "min_silence_duration_ms": min_silence_ms,
        "speech_pad_ms": pad_ms,
        "min_speech_duration_ms": min_speech_ms,
    }
    options = VadOptions(**{k: v for k, v in chosen.items() if v is not None})
    chunks = get_speech_timestamps(audio, options, sampling_rate=SAMPLE_RATE)
    return [(int(c["start"]), int(c["end"])) for c in chunks]


def as_seconds(samples: list[tuple[int, int]]) -> list[Interval]:
    """Sample spans as (start, end) seconds.

    >>> as_seconds([(8000, 24000)])
    [(0.5, 1.5)]
    """
    return [(a / SAMPLE_RATE, b / SAMPLE_RATE) for a, b in samples]


def speech_intervals(media: str | Path) -> list[Interval]:
    """(start, end) seconds of every stretch of speech in ``media``, in order.

    Sentence pauses of 0.3 s or more split stretches, so the gaps between sentences count as
    silence; edges are padded by 50 ms because Silero cuts soft word onsets a little short.
    """
    import av
    from faster_whisper.audio import decode_audio

    with av.open(str(media)) as container:
        if not container.streams.audio:
            return []  # a picture-only clip: nobody speaks in it
    audio = decode_audio(str(media), sampling_rate=SAMPLE_RATE)
    if audio.size == 0:
        return []
    return as_seconds(voice_activity(audio, min_silence_ms=300, pad_ms=50, min_speech_ms=150))


def overlap(start: float, end: float, speech: list[Interval]) -> float:
    """Seconds of ``speech`` inside [start, end].

    >>> overlap(1.0, 3.0, [(0.0, 1.5), (2.5, 4.0)])
    1.0
    """
    return sum(max(0.0, min(end, b) - max(start, a)) for a, b in speech)


def clip_to(start: float, end: float, speech: list[Interval]) -> list[Interval]:
    """The parts of ``speech`` inside [start, end].

    >>> clip_to(1.0, 3.0, [(0.0, 1.5), (2.5, 4.0), (5.0, 6.0)])
    [(1.0, 1.5), (2.5, 3.0)]
    """
    parts = [(max(start, a), min(end, b)) for a, b in speech]
    return [(a, b) for a, b in parts if b > a]

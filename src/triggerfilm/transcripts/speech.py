"""Where the speech is in a recording, from the Silero voice-activity detector in faster-whisper.

Alignment uses it to put words the recogniser missed over speech rather than over silence, and
the doubt flags use it to catch words timed where nobody speaks. It runs offline in a fraction
of a second per minute of audio.
"""

from __future__ import annotations

from pathlib import Path

Interval = tuple[float, float]

SAMPLE_RATE = 16000


def speech_intervals(media: str | Path) -> list[Interval]:
    """(start, end) seconds of every stretch of speech in ``media``, in order.

    Sentence pauses of 0.3 s or more split stretches, so the gaps between sentences count as
    silence; edges are padded by 50 ms because Silero cuts soft word onsets a little short.
    """
    import av
    from faster_whisper.audio import decode_audio
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    with av.open(str(media)) as container:
        if not container.streams.audio:
            return []  # a picture-only clip: nobody speaks in it
    audio = decode_audio(str(media), sampling_rate=SAMPLE_RATE)
    if audio.size == 0:
        return []
    options = VadOptions(min_silence_duration_ms=300, speech_pad_ms=50, min_speech_duration_ms=150)
    chunks = get_speech_timestamps(audio, options, sampling_rate=SAMPLE_RATE)
    return [(c["start"] / SAMPLE_RATE, c["end"] / SAMPLE_RATE) for c in chunks]


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

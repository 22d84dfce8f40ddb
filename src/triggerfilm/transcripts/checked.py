"""The transcript later stages use: Whisper's, checked for doubts, and aligned to the verbatim
text when the clip has one.

Checking needs the recording's voice activity (about a second per minute of audio to decode and
detect), so the result is cached beside Whisper's own, keyed by Whisper's cache key, the
verbatim text and the version of these checks. Whisper's cached transcript is never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..notices import Notice
from ..sources.local import file_sha256
from ..store import cache_root, json_key, sharded_path
from .align import COVERAGE_WARNING, align_verbatim, alignment_coverage
from .doubts import flag_doubts
from .model import Transcript
from .options import TranscribeOptions
from .speech import speech_intervals
from .store import cache_key, read_cached, transcript_for, write_cached

# Raise when the doubt checks or the alignment change what they produce.
CHECKS_VERSION = 2  # 2: the speech intervals are kept with the transcript


def checked_cache_path(media: Path, options: TranscribeOptions, verbatim: str | None) -> Path:
    identity = {
        "whisper": cache_key(file_sha256(media), options),
        "verbatim": verbatim,
        "checks": CHECKS_VERSION,
    }
    return sharded_path(cache_root() / "transcripts" / "checked", json_key(identity), ".json")


def checked_transcript(
    media: Path,
    options: TranscribeOptions,
    verbatim: str | None = None,
    progress: Callable[[float], None] | None = None,
    notices: list[Notice] | None = None,
) -> Transcript:
    """Whisper's transcript of ``media`` with doubts marked, aligned to ``verbatim`` if given.

    :func:`alignment_problem` says whether the verbatim text matched too little to trust; a
    damaged cache entry, redone, is reported on ``notices``.
    """
    media = Path(media)
    verbatim = verbatim if verbatim and verbatim.strip() else None
    path = checked_cache_path(media, options, verbatim)
    result = read_cached(path, f"checking {media} again", notices)
    if result is None:
        heard = transcript_for(media, options, progress, notices=notices)
        speech = speech_intervals(media)
        result = flag_doubts(heard, speech)
        if verbatim is not None:
            result = flag_doubts(align_verbatim(result, verbatim, speech), speech)
        result = replace(result, speech=tuple(speech))
        write_cached(path, result)
    elif progress:
        progress(result.duration)
    return result


def alignment_problem(transcript: Transcript) -> str | None:
    """Why a verbatim transcript's times are not to be trusted, or None when they are.

    Below COVERAGE_WARNING of its words heard by Whisper, the transcript may well belong to
    another recording, and its caption times are mostly estimates.
    """
    coverage = alignment_coverage(transcript)
    if coverage is None or coverage >= COVERAGE_WARNING:
        return None
    return (
        f"only {coverage:.0%} of the verbatim transcript's words were heard by Whisper "
        f"(below {COVERAGE_WARNING:.0%}); its caption times are mostly estimates. "
        "Check that the transcript belongs to this recording"
    )

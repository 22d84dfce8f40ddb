"""The gain that brings each source a film cuts from to the loudness target, before mixing.

Archive interviews were recorded at very different levels. Each source is measured once, as a
whole (media.loudness, cached by content), and every cut from it is raised or lowered by the
same gain, so a narrator keeps their own dynamics and all narrators sound equally loud. The
joined film is then corrected and measured as a whole (render.film).
"""

from __future__ import annotations

from pathlib import Path

from ..editplan.timeline import Cut, Timeline
from ..media.ffmpeg import run_parallel
from ..media.loudness import clip_loudness

# A gain beyond this only raises a quiet recording's noise, or flattens a loud one into the
# limiter; the film-wide correction and the limiter deal with what is left.
GAIN_LIMIT = 20.0


def loudness_gains(timeline: Timeline, target: float, jobs: int = 2) -> dict[str, float]:
    """The gain (dB) that brings each source used by a cut to ``target`` LUFS, by sha256.

    Sources not yet in the loudness cache are measured ``jobs`` at a time: each measurement
    is one single-threaded ffmpeg decoding a whole interview, and they are independent.
    """
    sources: dict[str, str] = {}
    for item in timeline.items:
        if isinstance(item, Cut) and item.has_audio:
            sources.setdefault(item.source_sha256, item.source)
    levels = run_parallel(lambda s: clip_loudness(Path(s)), list(sources.values()), jobs)
    gains = {}
    for sha, level in zip(sources, levels, strict=True):
        # A silent clip stays as it is: there is nothing to bring to the target.
        gain = 0.0 if level.silent else target - level.integrated
        gains[sha] = max(-GAIN_LIMIT, min(GAIN_LIMIT, gain))
    return gains

"""Cut points that land in silence.

Whisper's word times are good to a few hundred milliseconds at best, and a cut inside a word
clips it audibly. So after padding away from the quoted words, each in and out point that still
falls inside detected speech is moved to the nearest edge of that speech, if one is within the
tolerance and the move does not cut into the passage's own first or last word. When no such
edge exists the cut stays where it was; the edit plan then warns if it lands inside a word, so
an editor can listen.
"""

from __future__ import annotations

# How far a cut may move to reach silence.
DEFAULT_TOLERANCE = 0.5

Interval = tuple[float, float]


def settle_cut(
    point: float,
    speech: tuple[Interval, ...],
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    not_after: float | None = None,
    not_before: float | None = None,
) -> float:
    """The cut point, moved to the nearest edge of the speech it lies in where it may be.

    ``not_after`` keeps an in-point at or before the passage's first word; ``not_before``
    keeps an out-point at or after its last word.

    >>> settle_cut(5.0, ((4.8, 7.0),))       # just inside speech: back to its start
    4.8
    >>> settle_cut(5.0, ((3.0, 7.0),))       # no edge within 0.5 s: stays
    5.0
    >>> settle_cut(2.0, ((4.8, 7.0),))       # already in silence
    2.0
    """
    inside = next((iv for iv in speech if iv[0] < point < iv[1]), None)
    if inside is None:
        return point
    edges = sorted(inside, key=lambda edge: abs(edge - point))
    for edge in edges:
        if abs(edge - point) > tolerance:
            continue
        if not_after is not None and edge > not_after:
            continue
        if not_before is not None and edge < not_before:
            continue
        return edge
    return point

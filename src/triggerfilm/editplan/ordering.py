"""The running order inside a touchpoint: interweave narrators, keep the facilitator's order.

Practitioners interweave quotes from different narrators (docs/manifest.md, ``interleave``); two
passages in a row from one narrator read as one long passage and give that voice more weight.
We keep the order the facilitator wrote and move a selection only to separate neighbours from
the same narrator, and only as far as needed: the result has the fewest same-narrator
neighbours possible and, among such orders, takes at each position the earliest selection the
facilitator wrote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")


def unavoidable_repeats(counts: Counter[Hashable], last: Hashable | None = None) -> int:
    """The fewest same-narrator neighbours any order of ``counts`` can have.

    ``last`` is the narrator just placed before these items, if any; following it with the same
    narrator counts as a repeat too. With ``n`` items and a narrator holding ``m`` of them, the
    others can separate at most ``n - m + 1`` runs of it; ``last`` cannot open the sequence, so
    its own items have one slot fewer.
    """
    n = sum(counts.values())
    worst = 0
    for narrator, m in counts.items():
        if m <= 0:
            continue
        slots = n - m if narrator == last else n - m + 1
        worst = max(worst, m - slots)
    return worst


def interleave(items: Sequence[T], narrator: Callable[[T], Hashable]) -> list[T]:
    """``items`` reordered so that one narrator's passages follow each other only if unavoidable.

    Stable: items that need not move keep their order, and an order that already has no
    avoidable repeats is returned unchanged.
    """
    remaining = list(items)
    counts = Counter(narrator(item) for item in remaining)
    result: list[T] = []
    last: Hashable | None = None
    while remaining:
        best = unavoidable_repeats(counts, last)

        def cost(item: T, last: Hashable | None = last) -> int:
            who = narrator(item)
            counts[who] -= 1
            extra = (who == last) + unavoidable_repeats(counts, who)
            counts[who] += 1
            return extra

        # Some item always reaches the bound; the earliest that does keeps the order stable.
        index = next(i for i, item in enumerate(remaining) if cost(item) == best)
        chosen = remaining.pop(index)
        last = narrator(chosen)
        counts[last] -= 1
        result.append(chosen)
    return result

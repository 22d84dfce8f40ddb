"""The ``redact:`` key of a selection: words or time ranges to remove from the film.

A facilitator lists what must not be heard or read (a nurse's name, a hospital, a date of
birth): quoted words are removed wherever they are spoken inside the selection, time ranges are
removed as given. The sound is muted there and the captions read a placeholder instead.
"""

from __future__ import annotations

from typing import Any

from ..yamlread import StrictReader, describe_value, join_path
from .model import Redaction

REDACT_RANGE_KEYS = ("from", "to")


def parse_redactions(r: StrictReader, value: Any, at: str) -> tuple[Redaction, ...]:
    """Read a selection's ``redact`` list with the manifest reader ``r`` (strict, line-aware)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        r.fail(
            at,
            f"is {describe_value(value)}",
            expected="a list of quoted words and/or {from: seconds, to: seconds} ranges",
        )
    result = []
    for index, item in enumerate(value):
        where = join_path(at, index)
        if isinstance(item, str) and item.strip():
            result.append(Redaction(words=" ".join(item.split()), line=r.lines.get(where)))
            continue
        data = r.mapping(item, where, REDACT_RANGE_KEYS)
        times = []
        for key in REDACT_RANGE_KEYS:
            seconds = data.get(key)
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
                r.fail(
                    join_path(where, key),
                    f"is {describe_value(seconds)}",
                    expected="a time in seconds into the clip",
                )
            times.append(float(seconds))
        if times[1] <= times[0]:
            r.fail(
                join_path(where, "to"),
                f"is {times[1]:g} s, not after 'from' ({times[0]:g} s)",
                expected="a range that ends after it starts",
            )
        result.append(Redaction(start=times[0], end=times[1], line=r.lines.get(where)))
    return tuple(result)

"""Reading a ``consent:`` block, shared by the manifest loader and the archive catalogue reader.

Both files are read by the one strict reader (:class:`triggerfilm.yamlread.StrictReader`), which
raises each document's own error type with the line of every problem.
"""

from __future__ import annotations

import difflib
from typing import Any

from ..yamlread import StrictReader, describe_value, join_path
from .model import CONSENT_USES, Consent, Origin

CONSENT_KEYS = ("basis", "uses", "expires", "withdrawn", "approved_clips")


def parse_consent(r: StrictReader, value: Any, at: str, origin: Origin) -> Consent | None:
    """A ``Consent`` from a parsed ``consent:`` value at field path ``at`` (None: no block)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        r.fail(at, f"is {describe_value(value)}", "a mapping of " + ", ".join(CONSENT_KEYS))
    r.mapping(value, at, CONSENT_KEYS)
    basis = value.get("basis")
    if basis is not None and (not isinstance(basis, str) or not basis.strip()):
        r.fail(
            join_path(at, "basis"),
            f"is {describe_value(basis)}",
            "a consent form id or permission text",
        )
    return Consent(
        origin=origin,
        basis=basis.strip() if basis else None,
        uses=_uses(r, value, at),
        expires=r.date(value.get("expires"), join_path(at, "expires")),
        withdrawn=r.flag(value, at, "withdrawn"),
        approved_clips=r.flag(value, at, "approved_clips"),
    )


def _uses(r: StrictReader, value: dict[str, Any], at: str) -> tuple[str, ...] | None:
    if "uses" not in value:
        return None  # not written: the ledger's default applies
    uses = value["uses"]
    if uses is None:
        return ()
    if not isinstance(uses, list):
        r.fail(join_path(at, "uses"), f"is {describe_value(uses)}", "a list such as [joint-event]")
    for i, use in enumerate(uses):
        if use not in CONSENT_USES:
            close = difflib.get_close_matches(str(use), CONSENT_USES, n=1)
            r.fail(
                join_path(join_path(at, "uses"), i),
                f"is {describe_value(use)}",
                "one of " + ", ".join(CONSENT_USES),
                f"Did you mean '{close[0]}'?" if close else None,
            )
    return tuple(dict.fromkeys(uses))

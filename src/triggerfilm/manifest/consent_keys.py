"""Reading a ``consent:`` block, shared by the manifest loader and the archive catalogue reader.

Both files are checked strictly with the line of every problem, but each has its own error type
and line map; they pass a ``fail`` function that raises their error for a field path.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Callable
from typing import Any, NoReturn

from .model import CONSENT_USES, Consent, Origin
from .yamlnodes import describe_value

CONSENT_KEYS = ("basis", "uses", "expires", "withdrawn", "approved_clips")

# fail(field path, message, expected, hint) raises the caller's error.
Fail = Callable[[str, str, "str | None", "str | None"], NoReturn]


def _join(parent: str, key: str | int) -> str:
    return f"{parent}[{key}]" if isinstance(key, int) else f"{parent}.{key}"


def parse_consent(value: Any, at: str, origin: Origin, fail: Fail) -> Consent | None:
    """A ``Consent`` from a parsed ``consent:`` value at field path ``at`` (None: no block)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        fail(at, f"is {describe_value(value)}", "a mapping of " + ", ".join(CONSENT_KEYS), None)
    for key in value:
        if key not in CONSENT_KEYS:
            close = difflib.get_close_matches(str(key), CONSENT_KEYS, n=1)
            fail(
                _join(at, key),
                f"unknown key '{key}'",
                "one of " + ", ".join(CONSENT_KEYS),
                f"Did you mean '{close[0]}'?" if close else None,
            )
    basis = value.get("basis")
    if basis is not None and (not isinstance(basis, str) or not basis.strip()):
        fail(
            _join(at, "basis"),
            f"is {describe_value(basis)}",
            "a consent form id or permission text",
            None,
        )
    return Consent(
        origin=origin,
        basis=basis.strip() if basis else None,
        uses=_uses(value, at, fail),
        expires=_date(value.get("expires"), _join(at, "expires"), fail),
        withdrawn=_flag(value, at, "withdrawn", fail),
        approved_clips=_flag(value, at, "approved_clips", fail),
    )


def _uses(value: dict, at: str, fail: Fail) -> tuple[str, ...] | None:
    if "uses" not in value:
        return None  # not written: the ledger's default applies
    uses = value["uses"]
    if uses is None:
        return ()
    if not isinstance(uses, list):
        fail(_join(at, "uses"), f"is {describe_value(uses)}", "a list such as [joint-event]", None)
    for i, use in enumerate(uses):
        if use not in CONSENT_USES:
            close = difflib.get_close_matches(str(use), CONSENT_USES, n=1)
            fail(
                _join(_join(at, "uses"), i),
                f"is {describe_value(use)}",
                "one of " + ", ".join(CONSENT_USES),
                f"Did you mean '{close[0]}'?" if close else None,
            )
    return tuple(dict.fromkeys(uses))


def _date(value: Any, at: str, fail: Fail) -> datetime.date | None:
    if value is None:
        return None
    # YAML reads an unquoted 2026-03-31 as a date already; a quoted one is text.
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    fail(at, f"is {describe_value(value)}", "a date written YYYY-MM-DD", None)


def _flag(value: dict, at: str, key: str, fail: Fail) -> bool:
    flag = value.get(key, False)
    if not isinstance(flag, bool):
        fail(_join(at, key), f"is {describe_value(flag)}", "true or false", None)
    return flag

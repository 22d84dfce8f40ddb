"""Checking parsed YAML values strictly, with the line of every problem.

One :class:`StrictReader` serves manifests, archive catalogues and the consent keys in both.
Every check that fails raises (never returns) the document's error type, naming the file, the
line, the field path, what was expected and, where it helps, what to do.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any, Literal, NoReturn, overload

from ..errors import TriggerfilmError
from .located import describe_value, join_path

_LAST_STEP = re.compile(r"(\.[^.\[]+|\[\d+\])$")
# C0 and C1 control characters and DEL, except tab, line feed and carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class StrictReader:
    """Field checks over values parsed by :func:`~.located.parse_located`.

    ``where`` is the file path or URL; ``lines`` the ``{field path: line}`` map; ``error`` the
    :class:`TriggerfilmError` subclass this kind of document reports with.
    """

    def __init__(
        self,
        where: str | Path,
        lines: dict[str, int],
        error: type[TriggerfilmError] = TriggerfilmError,
    ) -> None:
        self.where = where
        self.lines = lines
        self.error = error

    def line(self, at: str) -> int | None:
        """The line of field ``at``; a missing field reports the mapping that should hold it."""
        while at not in self.lines and at:
            parent = _LAST_STEP.sub("", at)
            at = "" if parent == at else parent  # a top-level key's parent is the document
        return self.lines.get(at)

    def fail(
        self, at: str, message: str, expected: str | None = None, hint: str | None = None
    ) -> NoReturn:
        raise self.error(
            message,
            where=self.where,
            line=self.line(at),
            field=at or None,
            expected=expected,
            hint=hint,
        )

    def mapping(
        self, value: Any, at: str, allowed: Collection[str], required: Collection[str] = ()
    ) -> dict[str, Any]:
        """``value`` as a mapping whose keys are all in ``allowed`` and hold ``required``."""
        if not isinstance(value, dict):
            self.fail(at, f"is {describe_value(value)}", expected="a mapping of keys to values")
        # Sets have no order of their own; sort them so messages are the same every run.
        known = sorted(allowed) if isinstance(allowed, set | frozenset) else list(allowed)
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), known, n=1)
                self.fail(
                    join_path(at, key),
                    f"unknown key '{key}'",
                    expected="one of " + ", ".join(known),
                    hint=f"Did you mean '{close[0]}'?" if close else "Remove it",
                )
        for key in sorted(required) if isinstance(required, set | frozenset) else required:
            if value.get(key) is None:
                self.fail(join_path(at, key), f"'{key}' is required", hint=f"Add {key}: ...")
        return value

    @overload
    def text(self, data: dict[str, Any], at: str, key: str, required: Literal[True]) -> str: ...

    @overload
    def text(
        self, data: dict[str, Any], at: str, key: str, required: bool = False
    ) -> str | None: ...

    def text(self, data: dict[str, Any], at: str, key: str, required: bool = False) -> str | None:
        """Non-empty text at ``data[key]``, stripped; None when absent and not required."""
        value = data.get(key)
        if value is None:
            if required:
                self.fail(join_path(at, key), "is missing", expected="some text")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(
                join_path(at, key),
                f"is {describe_value(value)}",
                expected="non-empty text",
                hint="Put the value in quotes" if isinstance(value, int | float) else None,
            )
        control = _CONTROL.search(value)
        if control:
            # An escape sequence in a title or a catalogue's text would reach the terminal
            # (plan, consent) and the film's cards as is; a tab or a line break is fine.
            self.fail(
                join_path(at, key),
                f"contains the control character U+{ord(control.group()):04X}",
                expected="printable text",
                hint="Remove it; YAML escapes such as \\x1b or \\0 in double quotes make them",
            )
        return value.strip()

    def choice(
        self,
        data: dict[str, Any],
        at: str,
        key: str,
        options: Collection[str],
        default: str | None = None,
    ) -> str | None:
        """Text at ``data[key]`` that is one of ``options`` (``default`` when absent)."""
        value = self.text(data, at, key) or default
        if value is not None:
            self._check_option(value, at, key, options)
        return value

    def one_of(self, data: dict[str, Any], at: str, key: str, options: Collection[str]) -> str:
        """Required text at ``data[key]`` that is one of ``options``."""
        value = self.text(data, at, key, required=True)
        self._check_option(value, at, key, options)
        return value

    def _check_option(self, value: str, at: str, key: str, options: Collection[str]) -> None:
        if value not in options:
            self.fail(join_path(at, key), f"is '{value}'", expected="one of " + ", ".join(options))

    def number(
        self,
        data: dict[str, Any],
        at: str,
        key: str,
        default: float | None,
        *,
        minimum: float,
        maximum: float | None = None,
    ) -> float:
        """A number at ``data[key]`` within ``minimum``..``maximum`` (``default`` when absent)."""
        return self._number(data.get(key, default), join_path(at, key), minimum, maximum)

    def whole_number(
        self, data: dict[str, Any], at: str, key: str, default: int | None, *, minimum: int
    ) -> int:
        """A whole number at ``data[key]`` of at least ``minimum`` (``default`` when absent)."""
        return int(self._number(data.get(key, default), join_path(at, key), minimum, integer=True))

    def _number(
        self,
        value: Any,
        where: str,
        minimum: float,
        maximum: float | None = None,
        integer: bool = False,
    ) -> float:
        wanted = "a whole number" if integer else "a number"
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok:
            self.fail(where, f"is {describe_value(value)}", expected=wanted)
        assert isinstance(value, int | float)  # for the type checker: ``ok`` said so
        if value < minimum or (maximum is not None and value > maximum):
            span = f"of at least {minimum}" if maximum is None else f"from {minimum} to {maximum}"
            self.fail(where, f"is {value}", expected=f"{wanted} {span}")
        return value

    def sequence(self, data: dict[str, Any], at: str, key: str, required: bool = True) -> list[Any]:
        """A list at ``data[key]``; required ones must be present and non-empty."""
        value = data.get(key)
        where = join_path(at, key)
        if value is None:
            if required:
                self.fail(where, "is missing", expected="a list")
            return []
        if not isinstance(value, list):
            self.fail(where, f"is {describe_value(value)}", expected="a list")
        if required and not value:
            self.fail(where, "is empty", expected="at least one entry")
        return value

    def flag(self, data: dict[str, Any], at: str, key: str, default: bool = False) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail(join_path(at, key), f"is {describe_value(value)}", expected="true or false")
        return value

    def date(self, value: Any, at: str) -> datetime.date | None:
        """A calendar date: YAML's unquoted 2026-03-31, or the same text quoted."""
        if value is None:
            return None
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.fail(at, f"is {describe_value(value)}", expected="a date written YYYY-MM-DD")

"""Reading back a JSON document triggerfilm wrote itself: one way, whatever went wrong with it.

A ``timeline.json``, a provenance record, a cache entry or a folder's marker can go missing,
be truncated by a full disk on another machine, be edited by hand, or be replaced by something
else (a folder, ``[]``). What a reader does about it depends on the file, so there are two
levels:

* :func:`load_json_object` never raises for a missing or damaged file: it returns the object,
  or an :class:`Unreadable` saying why not. Caches and markers use it: a damaged entry is made
  again (or ignored), never an error.
* :class:`JsonDocument` describes a document the user hands back to triggerfilm (a timeline,
  a provenance record): its :meth:`~JsonDocument.read` raises one clear error naming the file,
  what was expected and what to do, telling a missing file from a damaged one, and its
  :meth:`~JsonDocument.fields` block turns a malformed field met while converting the object
  into a record into the same kind of error.

Nothing here changes how any file is written.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import TriggerfilmError
from .files import regular_file_problem

_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "true/false"}


@dataclass(frozen=True)
class Unreadable:
    """Why a JSON document could not be read.

    ``problem`` reads after the file's name (``does not exist``, ``is a directory, not a JSON
    file``, ``cannot be read as JSON (Expecting value: line 1 column 1 (char 0))``);
    ``missing`` is True when there is no file at all, as opposed to a damaged one.
    """

    problem: str
    missing: bool = False


def load_json_object(path: str | os.PathLike[str]) -> dict[str, Any] | Unreadable:
    """The JSON object in the UTF-8 file at ``path``, or why there is none.

    Never raises for a missing, unreadable, non-UTF-8 or non-JSON file, or JSON that is not an
    object: those come back as :class:`Unreadable`. Anything but a regular file (a folder, a
    named pipe, a device) is refused before it is opened, so a reader never blocks on one.
    """
    path = Path(path)
    problem = regular_file_problem(path, "a JSON file")
    if problem is not None:
        return Unreadable(problem, missing=not os.path.lexists(path))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:  # removed since it was looked at
        return Unreadable("does not exist", missing=True)
    except OSError as error:
        return Unreadable(f"cannot be read ({error.strerror or type(error).__name__})")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return Unreadable(
            f"cannot be read as JSON (it is not UTF-8 text: {error.reason} at byte {error.start})"
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return Unreadable(f"cannot be read as JSON ({error})")
    except RecursionError:
        return Unreadable("cannot be read as JSON (it is nested too deeply)")
    if not isinstance(data, dict):
        kind = "null" if data is None else _JSON_KINDS.get(type(data), type(data).__name__)
        return Unreadable(f"is a JSON {kind}, not a JSON object")
    return data


@dataclass(frozen=True)
class JsonDocument:
    """A kind of JSON document triggerfilm writes and later reads back as the user's input.

    ``what`` names it after "a" (``timeline``, ``provenance record``); ``expected`` says what a
    good one is (``a timeline.json written beside a rendered film``); ``error`` is the
    :class:`TriggerfilmError` subclass its problems are raised as; ``hint`` says what to do
    about a damaged one and ``missing_hint`` about a missing one (``hint`` when not given).
    """

    what: str
    expected: str
    error: type[TriggerfilmError] = TriggerfilmError
    hint: str | None = None
    missing_hint: str | None = None

    def read(self, path: str | os.PathLike[str]) -> dict[str, Any]:
        """The JSON object at ``path``; raises ``error`` naming the file when there is none."""
        found = load_json_object(path)
        if isinstance(found, dict):
            return found
        if found.missing:
            message = f"{found.problem}, so there is no {self.what} to read"
            hint = self.missing_hint or self.hint
        else:
            message, hint = found.problem, self.hint
        raise self.error(message, where=Path(path), expected=self.expected, hint=hint)

    @contextlib.contextmanager
    def fields(self, path: str | os.PathLike[str]) -> Iterator[None]:
        """A block that converts the object read from ``path`` into a record.

        A missing field or a value of the wrong type or shape met inside it (KeyError,
        TypeError, ValueError, AttributeError) becomes ``error`` naming the file, rather than
        a traceback.
        """
        try:
            yield
        except (KeyError, TypeError, ValueError, AttributeError) as problem:
            detail = f"no field {problem}" if isinstance(problem, KeyError) else str(problem)
            raise self.error(
                f"has a malformed field, so it is not a {self.what} this triggerfilm can read "
                f"({type(problem).__name__}: {detail})",
                where=Path(path),
                expected=self.expected,
                hint=self.hint,
            ) from None

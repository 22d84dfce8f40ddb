"""Errors a user can act on.

Every error that reaches the command line names the file, the line or field where the problem
is, what was expected, and what to do about it. The command line turns them into exit code 2.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from pathlib import Path


def shown(path: str | Path) -> str:
    """``path`` as a message shows it: a newline, NUL or other control character in a file name
    is written as an escape (``\\n``, ``\\x00``), so the message stays one line and says
    exactly which name is meant."""
    text = str(path)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


# Control characters other than tab and line feed: in a message they would be interpreted by
# the terminal (an escape sequence can clear the screen or retitle the window).
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character but tab and line feed written as an escape, for
    messages that quote what a user's file (a cut sheet, a catalogue) holds."""
    return _TERMINAL_CONTROLS.sub(lambda match: repr(match.group())[1:-1], text)


@dataclass
class TriggerfilmError(Exception):
    """A problem with the user's input, reported without a traceback.

    ``where`` is a file path; ``line`` a 1-based line number in it; ``field`` a dotted field path
    such as ``touchpoints[1].selections[0].to``; ``hint`` what the user can do.
    """

    message: str
    where: str | Path | None = None
    line: int | None = None
    field: str | None = None
    expected: str | None = None
    hint: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __reduce__(self) -> tuple[type[TriggerfilmError], tuple[object, ...]]:
        # Errors raised in worker processes are pickled back to the parent: keep every field,
        # not just the message that Exception would keep.
        fields = (self.message, self.where, self.line, self.field, self.expected, self.hint)
        return (type(self), fields)

    def __str__(self) -> str:
        location = ""
        if self.where is not None:
            location = shown(self.where)
            if self.line is not None:
                location += f":{self.line}"
            location += ": "
        text = location
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.expected:
            text += f" (expected {self.expected})"
        if self.hint:
            text += f". {self.hint}"
        return terminal_safe(text)


class ManifestError(TriggerfilmError):
    """The manifest is malformed, refers to something missing, or cannot be resolved."""


class MediaError(TriggerfilmError):
    """A media file is missing, unreadable or has no usable streams."""


class SourceError(TriggerfilmError):
    """An archive or download failed: dead URL, checksum mismatch, truncated transfer."""


class SubtitleFormatError(TriggerfilmError):
    """A subtitle file cannot be read as subtitles at all."""


# The disk, or the user's quota on it, is full.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


class DiskFullError(TriggerfilmError):
    """There is no space left to write a file (the output, or a cache entry)."""

    @classmethod
    def from_os_error(cls, error: OSError, where: str | Path | None = None) -> DiskFullError:
        target = where if where is not None else error.filename
        return cls(
            f"the disk is full ({error.strerror or 'no space'}): there is no space left on the "
            "disk for this file; nothing was half-written",
            where=target,
            hint="Free some space on that disk (or choose an output folder on another one) and "
            "run the command again; triggerfilm's caches can be deleted safely, they are "
            "rebuilt when needed",
        )

"""What the subtitle checker reads and reports: cues, documents, findings, reports."""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

# Markup that is not shown on screen: HTML/WebVTT tags (including inline timestamps such as
# <00:00:01.920>) and, in SRT, ASS override blocks such as {\an8} that many SRT files carry
# (ffmpeg's decoder hides them; browsers show braces in WebVTT as written).
_TAG = re.compile(r"<[^>]*>")
# ffmpeg's SRT decoder takes "<" for a tag only before a letter ("< >" and "<3" stay text).
_SRT_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^>]*>")
_ASS_OVERRIDE = re.compile(r"(?<!\\)\{\\[^}]*\}")


def visible_text(line: str, fmt: str = "srt") -> str:
    r"""The characters a viewer sees on one caption line.

    >>> visible_text("<v Ana><i>Hello</i> &amp; {\\an8}bye\\h ")
    'Hello & bye'
    >>> visible_text("{\\b1} \\N", "vtt")
    '{\\b1} \\N'
    """
    if fmt == "ttml":  # already parsed XML: markup is gone and entities are decoded
        return line.replace("\u2060", "").strip()
    text = (_SRT_TAG if fmt == "srt" else _TAG).sub("", line)
    if fmt == "srt":
        text = _ASS_OVERRIDE.sub("", text).replace("\\h", " ").replace("\\N", " ")
        text = text.replace("\\{", "{").replace("\\}", "}")
    # A word joiner is invisible: writers use it to keep markup-like text literal.
    return html.unescape(text).replace("\u2060", "").strip()


@dataclass(frozen=True)
class Finding:
    """One problem (or note) about a subtitle file.

    ``rule`` is a stable id such as ``timing.overlap``; ``cue`` the 1-based position of the cue
    in the file; ``line`` the 1-based line number in the file.
    """

    rule: str
    severity: Severity
    cue: int | None
    line: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ParsedCue:
    """One timed caption as read from the file.

    ``index`` is the cue's 1-based position among the cues that could be read; ``line`` the
    line number of its timing line; ``lines`` the raw text lines, markup included.
    """

    index: int
    start: float
    end: float
    lines: tuple[str, ...]
    line: int
    identifier: str | None = None
    settings: str = ""
    speaker: str | None = None
    fmt: str = "srt"

    @property
    def duration(self) -> float:
        return self.end - self.start

    # Cached: every rule asks for them. (cached_property writes the instance __dict__
    # directly, which a frozen dataclass allows.)
    @cached_property
    def visible_lines(self) -> tuple[str, ...]:
        """The lines a viewer sees: markup removed, lines with nothing visible dropped."""
        shown = (visible_text(line, self.fmt) for line in self.lines)
        return tuple(line for line in shown if line)

    @cached_property
    def text(self) -> str:
        return "\n".join(self.visible_lines)


@dataclass
class SubtitleDocument:
    """A subtitle file read leniently, with what was wrong with its format."""

    path: Path
    format: Literal["srt", "vtt", "ttml"]
    encoding: str
    cues: list[ParsedCue]
    findings: list[Finding] = field(default_factory=list)


@dataclass
class CheckReport:
    """The verdict on one file under one profile."""

    file: str
    profile: str
    findings: list[Finding]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def has_errors(self) -> bool:
        return self.count("error") > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "profile": self.profile,
            "findings": [f.to_dict() for f in self.findings],
        }

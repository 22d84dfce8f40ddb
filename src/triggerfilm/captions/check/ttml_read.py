"""Reading TTML (EBU-TT-D, IMSC1, DFXP) for the checker: every ``<p>`` with its timing.

Parsed with expat so that every cue keeps the line it is on. A document type declaration is
refused before parsing (TTML has none, and entity expansion is how a small XML file can ask for
gigabytes). Time expressions follow TTML: clock time (``hh:mm:ss.fff``, or ``hh:mm:ss:ff``
frames at ``ttp:frameRate``) and offsets (``12.5s``, ``500ms``, ``2m``, ``1h``, ``40f``,
``900t`` ticks at ``ttp:tickRate``); a ``<p>`` inherits the begin of the ``<body>``/``<div>``
that holds it, and ``dur`` stands in for a missing ``end``.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from dataclasses import dataclass, field

from ...errors import SubtitleFormatError
from .model import Finding, ParsedCue
from .structure import MAX_SECONDS, speaker_of

TT_PARAMETER = "http://www.w3.org/ns/ttml#parameter"
_CLOCK = re.compile(r"^(\d+):(\d{2}):(\d{2})(?:(\.\d+)|:(\d+)(?:\.(\d+))?)?$")
_OFFSET = re.compile(r"^(\d+(?:\.\d+)?)(h|m|s|ms|f|t)$")


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node | str] = field(default_factory=list)


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def looks_like_ttml(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:400]
    return head.startswith("<?xml") or head.startswith("<tt") or "<tt " in head


def read_ttml(text: str, where: str) -> tuple[list[ParsedCue], list[Finding]]:
    """Cues and format findings of a TTML document; SubtitleFormatError when it is not XML."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise SubtitleFormatError(
            "has a document type declaration, which TTML never needs; it is not read",
            where=where,
            hint="Remove the <!DOCTYPE ...> (and any <!ENTITY ...>) declarations",
        )
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    root = _Node("#document", {}, 0)
    stack = [root]

    def start(name: str, attrs: dict[str, str]) -> None:
        node = _Node(
            _local(name), {_local(k): v for k, v in attrs.items()}, parser.CurrentLineNumber
        )
        node.attrs.update({f"{k}": v for k, v in attrs.items()})
        stack[-1].children.append(node)
        stack.append(node)

    def end(name: str) -> None:
        stack.pop()

    def data(chars: str) -> None:
        stack[-1].children.append(chars)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    try:
        parser.Parse(text, True)
    except xml.parsers.expat.ExpatError as error:
        raise SubtitleFormatError(
            f"is not well-formed XML ({xml.parsers.expat.ErrorString(error.code)}, column "
            f"{error.offset + 1}); players reject the whole file",
            where=where,
            line=error.lineno,
        ) from None
    tt = next((n for n in root.children if isinstance(n, _Node)), None)
    if tt is None or tt.tag != "tt":
        raise SubtitleFormatError(
            "is XML but not TTML (its root element is not <tt>)", where=where, expected="<tt>"
        )
    rates = _Rates(tt.attrs)
    reader = _TtmlCues(rates)
    body = next((n for n in tt.children if isinstance(n, _Node) and n.tag == "body"), None)
    if body is not None:
        reader.walk(body, 0.0)
    return reader.cues, reader.findings


class _Rates:
    def __init__(self, attrs: dict[str, str]) -> None:
        def number(name: str, default: float) -> float:
            try:
                value = float(attrs.get(f"{TT_PARAMETER} {name}", default))
            except ValueError:
                return default
            return value if value > 0 else default

        multiplier = attrs.get(f"{TT_PARAMETER} frameRateMultiplier", "1 1").split()
        try:
            ratio = float(multiplier[0]) / float(multiplier[1])
        except (ValueError, IndexError, ZeroDivisionError):
            ratio = 1.0
        self.frame_rate = number("frameRate", 30.0) * ratio
        self.tick_rate = number("tickRate", 1.0)

    def seconds(self, value: str) -> float | None:
        value = value.strip()
        clock = _CLOCK.match(value)
        if clock:
            hours, minutes, secs, fraction, frames, _sub = clock.groups()
            if int(minutes) >= 60 or int(secs) >= 60:
                return None
            total: float = int(hours) * 3600 + int(minutes) * 60 + int(secs)
            if fraction:
                total += float(fraction)
            if frames:
                total += int(frames) / self.frame_rate
            return total
        offset = _OFFSET.match(value)
        if offset:
            amount, unit = float(offset.group(1)), offset.group(2)
            if unit == "f":
                return amount / self.frame_rate
            if unit == "t":
                return amount / self.tick_rate
            return amount * {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}[unit]
        return None


class _TtmlCues:
    def __init__(self, rates: _Rates) -> None:
        self.rates = rates
        self.cues: list[ParsedCue] = []
        self.findings: list[Finding] = []

    def walk(self, node: _Node, offset: float) -> None:
        begin = offset
        if node.tag != "p" and "begin" in node.attrs:
            parsed = self.rates.seconds(node.attrs["begin"])
            if parsed is not None:
                begin = offset + parsed
        for child in node.children:
            if isinstance(child, _Node):
                if child.tag == "p":
                    self.paragraph(child, begin)
                elif child.tag in ("div", "body"):
                    self.walk(child, begin)

    def timing_error(self, p: _Node, message: str) -> None:
        """A paragraph whose times cannot be used: players skip it, and so does the check."""
        self.findings.append(Finding("format.timing", "error", None, p.line, message))

    def paragraph(self, p: _Node, offset: float) -> None:
        lines = _text_lines(p)
        times = {}
        for name in ("begin", "end", "dur"):
            raw = p.attrs.get(name)
            if raw is None:
                continue
            value = self.rates.seconds(raw)
            if value is None:
                self.timing_error(
                    p,
                    f"cannot read {name}={raw!r} (expected a TTML time such as 00:00:01.000 or "
                    "1.5s); players skip this cue",
                )
                return
            times[name] = value
        if "begin" not in times or ("end" not in times and "dur" not in times):
            self.timing_error(
                p,
                "paragraph has no begin and end (or dur): players show it for the whole "
                "document or not at all",
            )
            return
        start = offset + times["begin"]
        end = offset + times["end"] if "end" in times else start + times["dur"]
        if max(start, end) > MAX_SECONDS:
            self.timing_error(
                p, "paragraph is timed beyond 24 hours (a typo?); this cue is skipped"
            )
            return
        self.cues.append(
            ParsedCue(
                index=len(self.cues) + 1,
                start=round(start, 6),
                end=round(end, 6),
                lines=tuple(lines),
                line=p.line,
                identifier=p.attrs.get("http://www.w3.org/XML/1998/namespace id"),
                speaker=speaker_of(lines),
                fmt="ttml",
            )
        )


def _text_lines(node: _Node) -> list[str]:
    """The paragraph's text, one string per displayed line (``<br/>`` breaks a line)."""
    parts: list[str] = []

    def visit(n: _Node) -> None:
        for child in n.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag == "br":
                parts.append("\n")
            elif child.tag in ("span", "p"):
                visit(child)

    visit(node)
    # XML whitespace between elements collapses (xml:space="default").
    return [" ".join(line.split()) for line in "".join(parts).split("\n")]

"""A lenient reader for SRT and WebVTT: read what can be read, report precisely what could not.

Real subtitle files are sloppy: dot decimals in SRT, one-digit fields, missing counters, missing
blank lines, CR-only line endings, legacy encodings. Players differ in what they forgive, so the
reader accepts all of that, keeps every cue it can time, and records a finding (with the line
number) for each deviation from the format. Only a file that is not subtitles at all raises
SubtitleFormatError.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "a.srt"
>>> _ = path.write_text("1\\n00:00:01.5 --> 00:00:03,000\\nHello\\n")
>>> doc = read_subtitles(path)
>>> doc.cues[0].start, doc.cues[0].text, [f.rule for f in doc.findings]
(1.5, 'Hello', ['format.timestamp'])
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from ...errors import SubtitleFormatError
from .encoding import decode_subtitle_bytes
from .model import Finding, ParsedCue, SubtitleDocument
from .structure import Line, TimingLine, VttBlocks, is_meta_block, parse_timing, speaker_of

# Containers and audio formats people pass by mistake, by their leading bytes.
_MAGIC = (
    (4, b"ftyp", "an MP4/MOV video"),
    (0, b"\x1a\x45\xdf\xa3", "a Matroska/WebM video"),
    (0, b"RIFF", "a RIFF (WAV/AVI) file"),
    (0, b"OggS", "an Ogg file"),
    (0, b"fLaC", "a FLAC file"),
    (0, b"ID3", "an MP3 file"),
    (0, b"%PDF", "a PDF document"),
    (0, b"PK\x03\x04", "a ZIP archive (or a Word/Excel document)"),
)
_EXTRACT_HINT = (
    "Pass the .srt or .vtt file; to check captions embedded in a video, extract them first, "
    "e.g. ffmpeg -i film.mp4 -map 0:s:0 film.srt"
)
_VTT_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_COUNTER = re.compile(r"^\s*(\d+)\s*$")
_EOL = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def read_subtitles(path: str | Path) -> SubtitleDocument:
    """Read an SRT or WebVTT file leniently; format problems become ``document.findings``."""
    path = Path(path)
    where = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SubtitleFormatError("no such file", where=where) from None
    except OSError as error:
        raise SubtitleFormatError(f"cannot be read: {error.strerror}", where=where) from None
    _reject_non_text(data, where)
    text, encoding = decode_subtitle_bytes(data, where)
    if len(_CONTROL.findall(text)) > max(2, len(text) // 100):
        raise SubtitleFormatError(
            "contains control characters, so it is binary, not subtitles",
            where=where,
            hint=_EXTRACT_HINT,
        )
    findings: list[Finding] = []
    lines = _split_lines(text, findings)
    first = next((line.text.strip() for line in lines if line.text.strip()), "")
    fmt: Literal["srt", "vtt"]
    if first.upper().startswith("WEBVTT") or path.suffix.lower() == ".vtt":
        fmt = "vtt"
        cues = _VttReader(lines, findings).read()
    else:
        fmt = "srt"
        cues = _SrtReader(lines, findings).read()
    if not cues and not any(f.rule == "format.timing" for f in findings):
        header_ok = fmt == "vtt" and bool(_VTT_HEADER.match(lines[0].text))
        if not header_ok:
            raise SubtitleFormatError(
                "contains no timing line ('00:00:01,000 --> 00:00:02,000'), so it is not subtitles",
                where=where,
                hint=_EXTRACT_HINT,
            )
        findings.append(Finding("format.empty", "info", None, None, "the file has no cues"))
    return SubtitleDocument(path, fmt, encoding, cues, findings)


def _reject_non_text(data: bytes, where: str) -> None:
    if not data.strip():
        raise SubtitleFormatError("is empty", where=where, expected="SRT or WebVTT cues")
    for offset, magic, what in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            raise SubtitleFormatError(f"is {what}, not subtitles", where=where, hint=_EXTRACT_HINT)
    wide = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    if not wide and b"\x00" in data[:4096]:
        raise SubtitleFormatError(
            "contains NUL bytes, so it is binary, not subtitles", where=where, hint=_EXTRACT_HINT
        )


def _split_lines(text: str, findings: list[Finding]) -> list[Line]:
    counts = {"CRLF": text.count("\r\n")}
    counts["CR"] = text.count("\r") - counts["CRLF"]
    counts["LF"] = text.count("\n") - counts["CRLF"]
    used = {kind: n for kind, n in counts.items() if n}
    if used.get("CR", 0) > used.get("CRLF", 0) + used.get("LF", 0):
        findings.append(
            Finding(
                "format.line-endings",
                "warning",
                None,
                None,
                "lines end in a bare carriage return (old Mac style); some players read the "
                "whole file as one line: re-save with LF or CRLF line endings",
            )
        )
    elif len(used) > 1:
        mix = ", ".join(f"{n} {kind}" for kind, n in used.items())
        findings.append(
            Finding("format.line-endings", "info", None, None, f"mixed line endings ({mix})")
        )
    return [Line(number, raw) for number, raw in enumerate(_EOL.split(text), start=1)]


class _Reader:
    """What SRT and WebVTT reading share: turning a timing line and its text into a ParsedCue."""

    fmt = ""

    def __init__(self, lines: list[Line], findings: list[Finding]) -> None:
        self.lines = lines
        self.findings = findings
        self.cues: list[ParsedCue] = []

    def add(self, finding_rule: str, severity: str, line: int | None, message: str) -> None:
        cue = self.cues[-1].index if self.cues and self.cues[-1].line == line else None
        self.findings.append(Finding(finding_rule, severity, cue, line, message))  # type: ignore[arg-type]

    def timing(self, line: Line) -> TimingLine | None:
        """Parse a timing line; record a finding when it is unreadable or non-standard."""
        timing = parse_timing(line.text)
        if timing is None:
            self.add(
                "format.timing",
                "error",
                line.number,
                f"cannot read timing line {line.text.strip()!r} "
                f"(expected {self.expected_timing}); this cue is skipped",
            )
            return None
        return timing

    expected_timing = ""

    def make_cue(
        self, timing: TimingLine, line: Line, text: list[str], identifier: str | None
    ) -> ParsedCue:
        cue = ParsedCue(
            index=len(self.cues) + 1,
            start=timing.start,
            end=timing.end,
            lines=tuple(text),
            line=line.number,
            identifier=identifier,
            settings=timing.settings,
            speaker=speaker_of(text),
        )
        self.cues.append(cue)
        if not timing.is_strict(self.fmt):
            # WebVTT players follow the spec's parser and drop such cues; SRT players vary.
            severity = "error" if self.fmt == "vtt" else "warning"
            consequence = (
                "browsers drop this cue" if self.fmt == "vtt" else "strict players may reject it"
            )
            self.add(
                "format.timestamp",
                severity,
                line.number,
                f"timing line {line.text.strip()!r} is not standard {self.fmt.upper()} "
                f"({self.expected_timing}); read as {timing.describe()}; {consequence}",
            )
        return cue


class _SrtReader(_Reader):
    fmt = "srt"
    expected_timing = "HH:MM:SS,mmm --> HH:MM:SS,mmm"

    def read(self) -> list[ParsedCue]:
        lines = self.lines
        open_cue: tuple[TimingLine, Line, list[str], int | None] | None = None
        counter: tuple[int, int] | None = None
        counters: list[tuple[int | None, int]] = []  # (number or None, timing line number)
        skipping = False
        orphans: list[Line] = []

        def close() -> None:
            nonlocal open_cue
            if open_cue is not None:
                timing, line, text, number = open_cue
                self.make_cue(timing, line, text, None if number is None else str(number))
                counters.append((number, line.number))
                open_cue = None

        def flush_orphans() -> None:
            if orphans:
                self.add(
                    "format.orphan-text",
                    "warning",
                    orphans[0].number,
                    f"{len(orphans)} line(s) of text outside any cue, starting "
                    f"{orphans[0].text.strip()[:40]!r}: is a timing line missing? players "
                    "will not show this text",
                )
                orphans.clear()

        for index, line in enumerate(lines):
            if line.is_blank:
                close()
                flush_orphans()
                skipping = False
                continue
            if line.is_timing_like:
                flush_orphans()
                if open_cue is not None and counter is None:
                    self.add_missing_blank(line)
                close()
                timing = self.timing(line)
                number = counter[0] if counter else None
                counter = None
                skipping = timing is None
                if timing is not None:
                    open_cue = (timing, line, [], number)
                continue
            next_line = lines[index + 1] if index + 1 < len(lines) else None
            match = _COUNTER.match(line.text)
            if match and next_line is not None and next_line.is_timing_like:
                flush_orphans()
                if open_cue is not None:
                    self.add_missing_blank(line)
                close()
                counter = (int(match.group(1)), line.number)
                continue
            if open_cue is not None:
                open_cue[2].append(line.text)
            elif not skipping:
                orphans.append(line)
        close()
        flush_orphans()
        self.check_counters(counters)
        return self.cues

    def add_missing_blank(self, line: Line) -> None:
        # Called while the cue that runs on is still open: it will be the next cue made.
        self.findings.append(_missing_blank(len(self.cues) + 1, line))

    def check_counters(self, counters: list[tuple[int | None, int]]) -> None:
        missing = [(i, line) for i, (n, line) in enumerate(counters, start=1) if n is None]
        if counters and len(missing) == len(counters):
            self.findings.append(
                Finding(
                    "format.counter",
                    "warning",
                    None,
                    None,
                    "no cue has a number line above its timing line; SRT numbers every cue "
                    "(1, 2, 3...) and some players reject files without them",
                )
            )
            return
        for cue, line in missing:
            self.findings.append(
                Finding("format.counter", "warning", cue, line, "cue has no number line")
            )
        numbered = [(i, n, line) for i, (n, line) in enumerate(counters, start=1) if n is not None]
        off = [(i, n, line) for i, n, line in numbered if n != i]
        if off:
            cue, number, line = off[0]
            self.findings.append(
                Finding(
                    "format.counter",
                    "info",
                    cue,
                    line - 1,
                    f"cue numbers do not run 1, 2, 3...: cue {cue} is numbered {number} "
                    f"({len(off)} cue(s) numbered out of sequence)",
                )
            )


class _VttReader(_Reader):
    fmt = "vtt"
    expected_timing = "[HH:]MM:SS.mmm --> [HH:]MM:SS.mmm [settings]"

    def read(self) -> list[ParsedCue]:
        lines = self.lines
        if not _VTT_HEADER.match(lines[0].text):
            self.add(
                "format.header",
                "error",
                1,
                f"first line is {lines[0].text[:40]!r}; a WebVTT file must start with "
                "'WEBVTT', or browsers reject the whole file",
            )
        blocks = VttBlocks(lines)
        for line in blocks.header[1:]:
            if line.text.strip().upper() == "WEBVTT":
                self.add("format.header", "warning", line.number, "'WEBVTT' header repeated")
        for block, after_cue_text in blocks:
            if after_cue_text and self.cues:
                self.findings.append(_missing_blank(self.cues[-1].index, block[0]))
            self.read_block(block, first_after_header=block is blocks.first_cue_in_header)
        return self.cues

    def read_block(self, block: list[Line], first_after_header: bool) -> None:
        head = block[0].text
        if is_meta_block(block):
            return
        arrow = next((i for i, line in enumerate(block[:2]) if line.is_timing_like), None)
        if arrow is None:
            if any(line.text.strip() for line in block):
                self.add(
                    "format.orphan-text",
                    "warning",
                    block[0].number,
                    f"{len(block)} line(s) of text outside any cue, starting "
                    f"{head.strip()[:40]!r}; players will not show them",
                )
            return
        timing = self.timing(block[arrow])
        if first_after_header:
            self.findings.append(
                Finding(
                    "format.header",
                    "error",
                    None if timing is None else len(self.cues) + 1,
                    block[arrow].number,
                    "no blank line between the header and the first cue; browsers drop this cue",
                )
            )
        if timing is None:
            return
        identifier = head.strip() if arrow == 1 else None
        text = [line.text for line in block[arrow + 1 :]]
        self.make_cue(timing, block[arrow], text, identifier)


def _missing_blank(cue: int, next_start: Line) -> Finding:
    return Finding(
        "format.blank-line",
        "warning",
        cue,
        next_start.number,
        f"no blank line between this cue's text and the next cue (line {next_start.number}); "
        "some players merge them",
    )

"""A lenient reader for SRT and WebVTT: read what can be read, report precisely what could not.

``read_subtitles`` is the checker's one entry point for every format: it hands TTML to
:mod:`.ttml_read` and reads SRT and WebVTT here.

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

import os
import re
import stat
from pathlib import Path
from typing import Literal

from ...errors import SubtitleFormatError
from ...timefmt import cue_time
from .encoding import decode_subtitle_bytes, utf16_without_bom
from .model import Finding, ParsedCue, Severity, SubtitleDocument
from .structure import (
    MAX_SECONDS,
    Line,
    TimingLine,
    VttBlocks,
    ffmpeg_srt_timing,
    is_meta_block,
    parse_timing,
    speaker_of,
)
from .ttml_read import looks_like_ttml, read_ttml

# Subtitles for a feature film are well under 1 MiB; a cap keeps a wrong file (a disk image,
# /dev/zero) from exhausting memory. The caller may set another (check-subs --max-size).
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class SubtitleTooLarge(SubtitleFormatError):
    """A subtitle file is larger than the size limit it is read under; a face says how its
    user raises the limit."""


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


def read_subtitle_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; SubtitleFormatError otherwise.

    Opened without blocking and checked on the open descriptor, so a FIFO, a device such as
    /dev/zero or a folder is refused instead of hanging or filling memory.
    """
    where = str(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise SubtitleFormatError("no such file", where=where) from None
    except IsADirectoryError:
        raise SubtitleFormatError("is a folder, not a subtitle file", where=where) from None
    except OSError as error:
        raise SubtitleFormatError(f"cannot be read: {error.strerror}", where=where) from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise SubtitleFormatError("is a folder, not a subtitle file", where=where)
        raise SubtitleFormatError(
            "is not a regular file (a device, pipe or socket), so it is not read",
            where=where,
            hint="Give the path of an .srt, .vtt or .ttml file",
        )
    with os.fdopen(descriptor, "rb") as handle:
        too_big = SubtitleTooLarge(
            f"is larger than {max_bytes:,} bytes, the size limit for a subtitle file",
            where=where,
            hint="Subtitle files are rarely over 1 MB: check that this is the right file, "
            "or raise the size limit",
        )
        if info.st_size > max_bytes:
            raise too_big
        try:
            data = handle.read(max_bytes + 1)
        except OSError as error:
            raise SubtitleFormatError(f"cannot be read: {error.strerror}", where=where) from None
    if len(data) > max_bytes:  # it grew while we read it
        raise too_big
    return data


def read_subtitles(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> SubtitleDocument:
    """Read an SRT or WebVTT file leniently; format problems become ``document.findings``."""
    path = Path(path)
    where = str(path)
    data = read_subtitle_bytes(path, max_bytes)
    _reject_non_text(data, where)
    text, encoding = decode_subtitle_bytes(data, where)
    if len(_CONTROL.findall(text)) > max(2, len(text) // 100):
        raise SubtitleFormatError(
            "contains control characters, so it is binary, not subtitles",
            where=where,
            hint=_EXTRACT_HINT,
        )
    findings: list[Finding] = []
    if looks_like_ttml(text) or path.suffix.lower() in (".ttml", ".dfxp", ".xml"):
        cues, findings = read_ttml(text, where)
        if not cues and not findings:
            findings.append(Finding("format.empty", "info", None, None, "the file has no cues"))
        findings += _encoding_findings(encoding, "ttml")
        return SubtitleDocument(path, "ttml", encoding, cues, findings)
    raw_lines = _split_lines(text, findings)
    first = next((line.strip() for line in raw_lines if line.strip()), "")
    fmt: Literal["srt", "vtt"] = (
        "vtt" if first.upper().startswith("WEBVTT") or path.suffix.lower() == ".vtt" else "srt"
    )
    lines = [Line(number, raw, fmt) for number, raw in enumerate(raw_lines, start=1)]
    findings += _encoding_findings(encoding, fmt)
    if fmt == "vtt":
        if any(f.rule == "format.line-endings" and f.severity == "warning" for f in findings):
            findings[:] = [f for f in findings if f.rule != "format.line-endings"]
            findings.append(
                Finding(
                    "format.line-endings",
                    "error",
                    None,
                    None,
                    "lines end in a bare carriage return (old Mac style): ffmpeg and players "
                    "built on it read no cues at all from this WebVTT file; re-save it with LF "
                    "line endings",
                )
            )
        cues = _VttReader(lines, findings).read()
    else:
        cues = _SrtReader(lines, findings).read()
        findings += _ffmpeg_recognises_srt(lines)
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
    wide = data[:2] in (b"\xff\xfe", b"\xfe\xff") or utf16_without_bom(data) is not None
    if not wide and b"\x00" in data[:4096]:
        raise SubtitleFormatError(
            "contains NUL bytes, so it is binary, not subtitles", where=where, hint=_EXTRACT_HINT
        )


def _split_lines(text: str, findings: list[Finding]) -> list[str]:
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
    return _EOL.split(text)


def _encoding_findings(encoding: str, fmt: str) -> list[Finding]:
    """Players read SRT as UTF-8 (or UTF-16 with a byte-order mark) and WebVTT as UTF-8 only."""
    name = encoding.split(" ")[0]
    if name == "utf-8" or (fmt == "srt" and encoding in ("utf-16-le (BOM)", "utf-16-be (BOM)")):
        return []
    if fmt == "ttml" and encoding.startswith("utf-16"):
        return []  # XML readers honour the byte-order mark
    if fmt in ("vtt", "ttml"):
        consequence = (
            f"players decode {fmt.upper()} as UTF-8, so its accented and non-Latin letters "
            "show as garbage"
        )
    elif encoding.endswith("(no BOM)"):
        consequence = (
            "ffmpeg (and players built on it) refuse to open UTF-16 without a byte-order mark"
        )
    else:
        consequence = (
            "ffmpeg (and players built on it) drop every cue whose text is not valid UTF-8 "
            "unless told the encoding"
        )
    return [
        Finding(
            "format.encoding",
            "error",
            None,
            None,
            f"the file is encoded as {encoding}, not UTF-8: {consequence}; re-save it as UTF-8",
        )
    ]


def _ffmpeg_recognises_srt(lines: list[Line]) -> list[Finding]:
    """ffmpeg's SRT probe wants the first cue as a number line, then a timing line it can
    read with spaces around the arrow; otherwise it refuses the whole file."""
    shown = [line for line in lines if not line.is_blank]
    if len(shown) < 2:
        return []
    first, second = shown[0], shown[1]
    if first.is_timing_like:
        why, where = "the first cue has no number line above its timing line", first
    elif not (_COUNTER.match(first.text) and second.is_timing_like):
        return []
    elif ffmpeg_srt_timing(second.text) is None:
        why, where = "ffmpeg cannot read the first timing line", second
    elif " --> " not in second.text:
        why, where = "the first timing line has no spaces around '-->'", second
    else:
        return []
    return [
        Finding(
            "format.unrecognised",
            "error",
            None,
            where.number,
            f"{why}, so ffmpeg (and players built on it) do not recognise the file as "
            "SubRip and refuse to open it",
        )
    ]


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
        if timing is None and self.fmt == "vtt" and not line.text.strip()[:1].isdigit():
            self.add(
                "format.timing",
                "error",
                line.number,
                f"line {line.text.strip()[:40]!r} holds '-->', so WebVTT parsers read it as a "
                "broken timing line: browsers end the cue above before it and drop it with "
                "the lines under it; write '--&gt;' in cue text",
            )
            return None
        if timing is None:
            self.add(
                "format.timing",
                "error",
                line.number,
                f"cannot read timing line {line.text.strip()!r} "
                f"(expected {self.expected_timing}); {self.unreadable_consequence()}",
            )
            return None
        if max(timing.start, timing.end) > MAX_SECONDS:
            self.add(
                "format.timing",
                "error",
                line.number,
                f"timing line {line.text.strip()[:60]!r} gives a time beyond 24 hours, which "
                "players cannot represent (a typo?); this cue is skipped",
            )
            return None
        return timing

    expected_timing = ""

    def unreadable_consequence(self) -> str:
        return "this cue is skipped"

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
            fmt=self.fmt,
        )
        self.cues.append(cue)
        self.judge_timing(timing, line)
        return cue

    def judge_timing(self, timing: TimingLine, line: Line) -> None:
        raise NotImplementedError


class _SrtJudge(_Reader):
    """SRT timing lines judged by what ffmpeg's demuxer (and every player built on it) does."""

    fmt = "srt"

    def unreadable_consequence(self) -> str:
        if self.cues:
            return (
                f"ffmpeg and players built on it show this line and the text under it as "
                f"part of cue {self.cues[-1].index}"
            )
        return "players skip this cue"

    def judge_timing(self, timing: TimingLine, line: Line) -> None:
        raw = line.text.strip()
        previous = self.cues[-2].index if len(self.cues) > 1 else None
        ffmpeg = ffmpeg_srt_timing(line.text)
        if ffmpeg is None:
            why = (
                "its arrow is not '-->'"
                if "-->" not in raw
                else "it needs hours, minutes, seconds and milliseconds on both sides"
            )
            shown = (
                f"show this timing line as text of cue {previous}"
                if previous is not None
                else "skip this cue"
            )
            self.add(
                "format.timing",
                "error",
                line.number,
                f"timing line {raw!r} is read here as {timing.describe()}, but ffmpeg and "
                f"players built on it cannot read it ({why}): they {shown}, so this cue "
                "never appears at its time",
            )
        elif abs(ffmpeg[0] - timing.start) > 5e-4 or abs(ffmpeg[1] - timing.end) > 5e-4:
            self.add(
                "format.timestamp",
                "error",
                line.number,
                f"timing line {raw!r} is read by ffmpeg and players built on it as "
                f"{cue_time(ffmpeg[0])} --> {cue_time(ffmpeg[1])} (a short fraction counts as "
                f"milliseconds), not {timing.describe()}: the cue is shown at the wrong time; "
                "write three-digit milliseconds",
            )
        elif not timing.is_strict("srt"):
            self.add(
                "format.timestamp",
                "warning",
                line.number,
                f"timing line {raw!r} is not standard SRT ({self.expected_timing}); read as "
                f"{timing.describe()}, as ffmpeg reads it; stricter players may reject it",
            )


class _VttJudge(_Reader):
    fmt = "vtt"

    def unreadable_consequence(self) -> str:
        return (
            "browsers skip this cue, and ffmpeg and players built on it stop reading the file "
            "here, losing every cue after it"
        )

    def judge_timing(self, timing: TimingLine, line: Line) -> None:
        if not timing.is_strict("vtt"):
            # WebVTT players follow the spec's parser and drop such cues.
            self.add(
                "format.timestamp",
                "error",
                line.number,
                f"timing line {line.text.strip()!r} is not standard WEBVTT "
                f"({self.expected_timing}); read as {timing.describe()}; browsers drop "
                "this cue",
            )


class _SrtReader(_SrtJudge):
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
                start = f"{len(orphans)} line(s) of text outside any cue, starting " + repr(
                    orphans[0].text.strip()[:40]
                )
                if self.cues:
                    # ffmpeg's demuxer ignores blank lines: text runs on into the cue above.
                    severity = "error"
                    consequence = (
                        "ffmpeg and players built on it show this text as part of cue "
                        f"{self.cues[-1].index}; is a timing line missing?"
                    )
                else:
                    severity = "warning"
                    consequence = "is a timing line missing? players will not show this text"
                self.add(
                    "format.orphan-text",
                    severity,
                    orphans[0].number,
                    f"{start}: {consequence}",
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
        cue = len(self.cues) + 1
        self.findings.append(_missing_blank(cue, line, "warning", "; some players merge them"))

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


class _VttReader(_VttJudge):
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
        if blocks.whitespace_lines:
            first = blocks.whitespace_lines[0]
            self.add(
                "format.blank-line",
                "error",
                first,
                f"{len(blocks.whitespace_lines)} line(s) between cues hold only spaces (first at "
                f"line {first}): WebVTT counts them as text, so ffmpeg and players built on it "
                "stop reading the file there, losing every cue after it; make them empty",
            )
        for line in blocks.header[1:]:
            if line.text.strip().upper() == "WEBVTT":
                self.add("format.header", "warning", line.number, "'WEBVTT' header repeated")
        for block, after_cue_text in blocks:
            if after_cue_text and self.cues:
                cue = self.cues[-1].index
                # An error here, unlike SRT: the WebVTT parsers read the next cue as text.
                effect = (
                    ": ffmpeg and players built on it show the next cue's lines as text of "
                    f"cue {cue}"
                )
                self.findings.append(_missing_blank(cue, block[0], "error", effect))
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
                    "error",
                    block[0].number,
                    f"{len(block)} line(s) of text outside any cue, starting "
                    f"{head.strip()[:40]!r}: browsers skip them, and ffmpeg and players "
                    "built on it stop reading the file here, losing every cue after it",
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


def _missing_blank(cue: int, next_start: Line, severity: Severity, effect: str) -> Finding:
    """Cue ``cue``'s text runs into the next cue at ``next_start``; ``effect`` says what the
    format's players then do."""
    where = f"no blank line between this cue's text and the next cue (line {next_start.number})"
    return Finding("format.blank-line", severity, cue, next_start.number, where + effect)

"""The pieces of subtitle syntax: lines, timing lines, WebVTT blocks and speaker labels."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ...timefmt import cue_time
from .model import visible_text

# Anything that looks like an attempt at "start --> end", so that a mistyped timing line is
# reported where it is instead of being read as caption text. WebVTT parsers treat any line
# holding "-->" as a timing line; in SubRip only a line that starts with a time is one, so
# caption text such as "a --> b" stays text, as ffmpeg's SRT demuxer reads it.
_TIMING_LIKE = {
    "vtt": re.compile(r"\d\s*-+>|-->"),
    "srt": re.compile(r"^\s*\d+\s*[:.,]\s*\d+.*?(?:-+>|=+>|\u2192)"),
}
# ffmpeg's SRT demuxer (libavformat/srtdec.c) reads a timing line with
# sscanf("%d:%d:%d%*1[,.]%d --> %d:%d:%d%*1[,.]%d"): every field required, the fraction read
# as a whole number of milliseconds (",5" is 5 ms), and anything else makes the line text.
_N = r"\s*([+-]?\d+)"
_FFMPEG_SRT = re.compile(rf"^{_N}:{_N}:{_N}[,.]{_N}\s*-->{_N}:{_N}:{_N}[,.]{_N}")
# No film is a day long: a larger time is a typo, and huge hours overflow players' integers.
MAX_SECONDS = 24 * 3600
# Lenient timestamp: hours optional, one- or two-digit fields, ',' or '.' before a fraction of
# one to three digits, or no fraction at all. The fields themselves must be ':'-separated:
# "00.02:32.000" is ambiguous and is reported, not guessed.
_TS = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?"
_LENIENT = re.compile(rf"^\s*{_TS}\s*(-+>)\s*{_TS}(?:\s+(.*?))?\s*$")
_STRICT = {
    # SubRip's optional box coordinates ("X1:40 X2:600 Y1:20 Y2:50") are part of the format.
    "srt": re.compile(
        r"^\d{2,}:\d{2}:\d{2},\d{3} --> \d{2,}:\d{2}:\d{2},\d{3}"
        r"(?:\s+X1:\d+\s+X2:\d+\s+Y1:\d+\s+Y2:\d+)?\s*$"
    ),
    "vtt": re.compile(
        r"^(?:\d{2,}:)?\d{2}:\d{2}\.\d{3}[ \t]+-->[ \t]+(?:\d{2,}:)?\d{2}:\d{2}\.\d{3}(?:[ \t].*)?$"
    ),
}
_META_BLOCK = re.compile(r"^(NOTE|STYLE|REGION)(?:[ \t]|$)")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]+)>")
_BRACKET_NAME = re.compile(r"^-?\s*\[([^\]]+)\]\s*\S")
_CAPS_NAME = re.compile(r"^-?\s*([A-Z][A-Z .'\-]*[A-Z])\s*:(?:\s|$)")


class Line:
    """One line of the file with its 1-based number."""

    __slots__ = ("number", "text", "is_blank", "is_timing_like")

    def __init__(self, number: int, text: str, fmt: str = "vtt") -> None:
        self.number = number
        self.text = text
        self.is_blank = not text.strip()
        self.is_timing_like = bool(_TIMING_LIKE[fmt].search(text))


@dataclass(frozen=True)
class TimingLine:
    """A cue's timing line (``start --> end``) as the subtitle checker read it leniently: the times
    in seconds, what follows them (WebVTT cue settings, SRT coordinates), and the line as written,
    to judge it against the strict syntax."""

    start: float
    end: float
    settings: str
    raw: str

    def is_strict(self, fmt: str) -> bool:
        return bool(_STRICT[fmt].match(self.raw))

    def describe(self) -> str:
        return f"{cue_time(self.start)} --> {cue_time(self.end)}"


def _seconds(hours: str | None, minutes: str, secs: str, fraction: str | None) -> float | None:
    if int(minutes) >= 60 or int(secs) >= 60:
        return None
    if hours and len(hours.lstrip("0")) > 6:
        return float("inf")  # far beyond MAX_SECONDS, and too big for a float
    # A short fraction is the leading digits of the milliseconds: ",04" is 40 ms, not 4 ms.
    millis = int((fraction or "0").ljust(3, "0"))
    # Whole milliseconds, so 00:00:01.239 reads as 1.239 and not 1.2389999999999999.
    return round(int(hours or 0) * 3600 + int(minutes) * 60 + int(secs) + millis / 1000, 3)


def parse_timing(text: str) -> TimingLine | None:
    """Read a timing line leniently; None when it cannot be read unambiguously.

    >>> parse_timing("00:01:39 --> 00:01:41,04 X1:40").end
    101.04
    >>> parse_timing("00:02:08.000 --> 00.02:32.000") is None
    True
    """
    match = _LENIENT.match(text)
    if not match:
        return None
    groups = match.groups()
    start = _seconds(*groups[0:4])
    end = _seconds(*groups[5:9])
    if start is None or end is None:
        return None
    return TimingLine(start, end, (groups[9] or "").strip(), text)


def ffmpeg_srt_timing(text: str) -> tuple[float, float] | None:
    """The times ffmpeg's SRT demuxer reads from a timing line, or None when it reads the line
    as caption text.

    >>> ffmpeg_srt_timing("00:00:03,5 --> 00:00:04,250")
    (3.005, 4.25)
    >>> ffmpeg_srt_timing("00:01:02,000 -> 00:01:04,500") is None
    True
    """
    match = _FFMPEG_SRT.match(text)
    if not match:
        return None
    h1, m1, s1, f1, h2, m2, s2, f2 = (int(g) for g in match.groups())
    if max(abs(h1), abs(h2)) > MAX_SECONDS:
        return None
    start = ((h1 * 3600 + m1 * 60 + s1) * 1000 + f1) / 1000
    end = ((h2 * 3600 + m2 * 60 + s2) * 1000 + f2) / 1000
    return start, end


def is_meta_block(block: list[Line]) -> bool:
    """A NOTE (comment), STYLE or REGION block: not a cue and not stray text."""
    return bool(block) and bool(_META_BLOCK.match(block[0].text))


class VttBlocks:
    """A WebVTT file cut into blocks the way the spec's parser cuts it.

    A block ends at an empty line, and a timing line that is not the first or second line of
    a block starts a new block (that is how browsers recover a missing blank line). Iterating
    gives ``(block, after_cue_text)``, the flag telling that the block ran straight on from a
    cue's text. ``header`` holds the header block.
    """

    def __init__(self, lines: list[Line]) -> None:
        index = 0
        while index < len(lines) and lines[index].text != "" and not lines[index].is_timing_like:
            index += 1
        self.header = lines[:index]
        self.first_cue_in_header: list[Line] | None = None
        self._blocks: list[tuple[list[Line], bool]] = []
        self.whitespace_lines: list[int] = []
        current: list[Line] = []
        arrow_seen = after_cue = False

        def flush(next_after_cue: bool) -> None:
            nonlocal current, arrow_seen, after_cue
            if current:
                self._blocks.append((current, after_cue))
            current, arrow_seen, after_cue = [], False, next_after_cue

        for line in lines[index:]:
            if line.text == "":
                flush(False)
            elif line.is_timing_like and current and (arrow_seen or len(current) >= 2):
                flush(arrow_seen)
                current, arrow_seen = [line], True
            elif line.is_blank and not arrow_seen and not is_meta_block(current):
                # Whitespace-only lines between cues: strictly part of a block, but treating
                # them as separators keeps the next cue's identifier, as authors intended.
                self.whitespace_lines.append(line.number)
                flush(False)
            else:
                arrow_seen = arrow_seen or (line.is_timing_like and len(current) < 2)
                current.append(line)
        flush(False)
        if 0 < index < len(lines) and lines[index].text != "" and self._blocks:
            self.first_cue_in_header = self._blocks[0][0]

    def __iter__(self) -> Iterator[tuple[list[Line], bool]]:
        return iter(self._blocks)


def speaker_of(text: list[str]) -> str | None:
    """The speaker a cue names: a WebVTT voice span, a "[Name]" or a "NAME:" label.

    Bracketed labels count only when capitalised and followed by speech, because sound labels
    use the same brackets ("[laughs]", "[ music ]").

    >>> speaker_of(["<v Ana Ruiz>Hello"]), speaker_of(["[Alba] En 1928,"]), speaker_of(["MAN:"])
    ('Ana Ruiz', 'Alba', 'MAN')
    >>> speaker_of(["[ music ]"]) is None
    True
    """
    for raw in text:
        voice = _VOICE.search(raw)
        if voice:
            return voice.group(1).strip()
        shown = visible_text(raw)
        bracket = _BRACKET_NAME.match(shown)
        if bracket and bracket.group(1).strip()[:1].isupper():
            return bracket.group(1).strip()
        caps = _CAPS_NAME.match(shown)
        if caps:
            return caps.group(1).strip()
    return None

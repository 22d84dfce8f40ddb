"""Subtitle files from caption cues: one small writer per format (after openai-whisper's writers).

Strict in what they write: times in whole milliseconds, UTF-8, no empty cue lines (an empty
line ends a cue in both formats). Files are written to a temporary name beside the target and
renamed, so a reader never sees half a file.

Speaker identification: WebVTT names the narrator in a ``<v Name>`` voice span on every cue. A
voice span is not shown by browsers, so where the picture does not show who speaks
(``Cue.label``) the name is also written as visible text, ``NAME: `` before the first line, in
both formats; the caption builder reserves room for it on that line.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import pysrt

from ..errors import TriggerfilmError
from ..store import write_text
from .build import cues_from_segments
from .model import Cue


def _milliseconds(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def _visible_lines(cue: Cue) -> list[str]:
    lines = [line for line in (" ".join(line.split()) for line in cue.lines) if line]
    if cue.label and cue.speaker and lines:
        lines[0] = f"{cue.speaker}: {lines[0]}"
    return lines


class SubtitleWriter:
    """The shared part of every format: turn cues into text, write it atomically."""

    extension = ""

    def format(self, cues: Sequence[Cue]) -> str:
        raise NotImplementedError

    def write(self, cues: Sequence[Cue], path: str | Path) -> Path:
        path = Path(path)
        text = self.format(cues)
        try:
            # A fresh subtitle file is written as formatted, whatever the old one held.
            return write_text(path, text, preserve_format=False, parents=False)
        except OSError as error:
            raise TriggerfilmError(
                f"cannot write subtitles ({error.strerror})",
                where=path,
                hint="Check that the folder exists and is writable",
            ) from None


class SrtWriter(SubtitleWriter):
    """SubRip through pysrt: counter, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, text, blank line."""

    extension = ".srt"

    def format(self, cues: Sequence[Cue]) -> str:
        items = pysrt.SubRipFile(eol="\n")
        for number, cue in enumerate(cues, start=1):
            items.append(
                pysrt.SubRipItem(
                    number,
                    start=pysrt.SubRipTime.from_ordinal(_milliseconds(cue.start)),
                    end=pysrt.SubRipTime.from_ordinal(_milliseconds(cue.end)),
                    text="\n".join(_visible_lines(cue)),
                )
            )
        buffer = io.StringIO()
        items.write_into(buffer)
        return buffer.getvalue()


def _escape_vtt(text: str) -> str:
    """Escape what WebVTT cue text treats as markup (``-->`` is covered by ``>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt_timestamp(seconds: float) -> str:
    """A WebVTT timestamp, always with hours.

    >>> vtt_timestamp(3723.04)
    '01:02:03.040'
    """
    ms = _milliseconds(seconds)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{ms:03d}"


class VttWriter(SubtitleWriter):
    """WebVTT: a ``WEBVTT`` header, then cues with a ``<v Speaker>`` voice span each."""

    extension = ".vtt"

    def format(self, cues: Sequence[Cue]) -> str:
        blocks = ["WEBVTT\n"]
        for cue in cues:
            lines = [_escape_vtt(line) for line in _visible_lines(cue)]
            if cue.speaker and lines:
                # A voice annotation ends at ">" and may not span lines.
                name = _escape_vtt(" ".join(cue.speaker.split()))
                lines[0] = f"<v {name}>{lines[0]}"
            timing = f"{vtt_timestamp(cue.start)} --> {vtt_timestamp(cue.end)}"
            blocks.append("\n".join([timing, *lines]) + "\n")
        return "\n".join(blocks)


WRITERS: dict[str, SubtitleWriter] = {"srt": SrtWriter(), "vtt": VttWriter()}


def format_srt(cues: Iterable[Cue]) -> str:
    """SubRip text for ``cues``.

    >>> print(format_srt([Cue(1.0, 2.5, ("Hello,", "nurse."), "ICU07", label=True)]), end="")
    1
    00:00:01,000 --> 00:00:02,500
    ICU07: Hello,
    nurse.
    <BLANKLINE>
    """
    return WRITERS["srt"].format(list(cues))


def format_vtt(cues: Iterable[Cue]) -> str:
    """WebVTT text for ``cues``.

    >>> print(format_vtt([Cue(1.0, 2.5, ("Fish & chips <3",), "ICU07")]), end="")
    WEBVTT
    <BLANKLINE>
    00:00:01.000 --> 00:00:02.500
    <v ICU07>Fish &amp; chips &lt;3
    """
    return WRITERS["vtt"].format(list(cues))


def write_srt(cues: Iterable[Cue], path: str | Path) -> Path:
    """Write ``cues`` as a UTF-8 SubRip file at ``path`` (atomically); return the path."""
    return WRITERS["srt"].write(list(cues), path)


def write_vtt(cues: Iterable[Cue], path: str | Path) -> Path:
    """Write ``cues`` as a WebVTT file at ``path`` (atomically); return the path."""
    return WRITERS["vtt"].write(list(cues), path)


__all__ = [
    "SrtWriter",
    "SubtitleWriter",
    "VttWriter",
    "WRITERS",
    "cues_from_segments",
    "format_srt",
    "format_vtt",
    "write_srt",
    "write_vtt",
]

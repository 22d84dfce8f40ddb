"""Subtitle files from caption cues: one small writer per format (after openai-whisper's writers).

Strict in what they write: times in whole milliseconds, no empty cue lines (an empty line ends a
cue in both formats). They return text and write no file: the render use case
(``app/render.py``, ``encode_film``) writes it with the store's atomic writer, as UTF-8.

Speaker identification: WebVTT names the narrator in a ``<v Name>`` voice span on every cue. A
voice span is not shown by browsers, so where the picture does not show who speaks
(``Cue.label``) the name is also written as visible text, ``NAME: `` before the first line, in
both formats; the caption builder reserves room for it on that line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence

import pysrt

from ..timefmt import cue_time, milliseconds
from .build import cues_from_segments
from .model import Cue
from .profiles import CaptionProfile


def _visible_lines(cue: Cue) -> list[str]:
    lines = [line for line in (" ".join(line.split()) for line in cue.lines) if line]
    if cue.label and cue.speaker and lines:
        lines[0] = f"{cue.speaker}: {lines[0]}"
    return lines


class SubtitleWriter:
    """What every format provides: the file's text for a list of cues.

    Writers only format; the render use case writes the text with the store's atomic writer,
    beside the film's other outputs.
    """

    extension = ""

    def format(self, cues: Sequence[Cue]) -> str:
        raise NotImplementedError


# SubRip has no escape syntax, but the players that read it do interpret markup: ffmpeg's SRT
# decoder (and so mpv and every player built on ffmpeg) turns <b>/<i>/<font> into formatting,
# drops other <tags> and {\...} override blocks, and hands the text to libass, where \N, \n
# and \h are line breaks and spaces and any {...} is an override block. A WORD JOINER
# (U+2060: invisible, zero width, no line break) breaks each of those patterns without changing
# what the viewer reads; a brace becomes \{, libass's literal brace.
_WORD_JOINER = "\u2060"
_SRT_TAG_START = re.compile(r"<(?=\s*/?\s*[A-Za-z])")
_SRT_ESCAPE = re.compile(r"\\(?=[Nnh{}])")
# A caption line that ffmpeg would take for a timing line or a cue number.
_SRT_TIMING_LIKE = re.compile(r"^\s*\d+\s*[:.,]\s*\d+.*?(?:-+>|=+>|\u2192)")
_SRT_NUMBER_ONLY = re.compile(r"^\s*\d+\s*$")


def escape_srt(line: str) -> str:
    r"""One caption line as SubRip text that players show exactly as written.

    >>> escape_srt(r"<b>x</b> {\b1} \N") == "<\u2060b>x<\u2060/b> \\{\u2060\\b1} \\\u2060N"
    True
    """
    line = _SRT_ESCAPE.sub("\\\\" + _WORD_JOINER, line)
    line = line.replace("{", "\\{")
    line = line.replace("\\{\\", "\\{" + _WORD_JOINER + "\\")
    line = _SRT_TAG_START.sub("<" + _WORD_JOINER, line)
    if _SRT_TIMING_LIKE.match(line):
        line = _WORD_JOINER + line
    if _SRT_NUMBER_ONLY.match(line):
        line += _WORD_JOINER
    return line


class SrtWriter(SubtitleWriter):
    """SubRip through pysrt: counter, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, text, blank line."""

    extension = ".srt"

    def __init__(self, escape: bool = True) -> None:
        # False: the words exactly as spoken, for a consumer that escapes for its own target
        # (the render's mov_text soft track); True: what SubRip players show as written.
        self.escape = escape

    def format(self, cues: Sequence[Cue]) -> str:
        items = pysrt.SubRipFile(eol="\n")
        for number, cue in enumerate(cues, start=1):
            items.append(
                pysrt.SubRipItem(
                    number,
                    start=pysrt.SubRipTime.from_ordinal(milliseconds(cue.start)),
                    end=pysrt.SubRipTime.from_ordinal(milliseconds(cue.end)),
                    text="\n".join(
                        escape_srt(line) if self.escape else line for line in _visible_lines(cue)
                    ),
                )
            )
        buffer = io.StringIO()
        items.write_into(buffer)
        return buffer.getvalue()


def _escape_vtt(text: str) -> str:
    """Escape what WebVTT cue text treats as markup (``-->`` is covered by ``>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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
            timing = f"{cue_time(cue.start)} --> {cue_time(cue.end)}"
            blocks.append("\n".join([timing, *lines]) + "\n")
        return "\n".join(blocks)


class TtmlWriter(SubtitleWriter):
    """EBU-TT-D (TTML) for broadcasters' players: one ``<p>`` per cue (see :mod:`.ttml`)."""

    extension = ".ttml"

    def __init__(self, profile: CaptionProfile | None = None) -> None:
        self.profile = profile

    def format(self, cues: Sequence[Cue]) -> str:
        from .ttml import format_ttml as ttml_text

        return ttml_text(cues, self.profile)


WRITERS: dict[str, SubtitleWriter] = {"srt": SrtWriter(), "vtt": VttWriter(), "ttml": TtmlWriter()}


def format_srt(cues: Iterable[Cue], *, escape: bool = True) -> str:
    """SubRip text for ``cues``; ``escape=False`` leaves markup-like words unescaped (for a
    consumer that escapes them for its own target).

    >>> print(format_srt([Cue(1.0, 2.5, ("Hello,", "nurse."), "ICU07", label=True)]), end="")
    1
    00:00:01,000 --> 00:00:02,500
    ICU07: Hello,
    nurse.
    <BLANKLINE>
    """
    return SrtWriter(escape).format(list(cues))


def format_vtt(cues: Iterable[Cue]) -> str:
    """WebVTT text for ``cues``.

    >>> print(format_vtt([Cue(1.0, 2.5, ("Fish & chips <3",), "ICU07")]), end="")
    WEBVTT
    <BLANKLINE>
    00:00:01.000 --> 00:00:02.500
    <v ICU07>Fish &amp; chips &lt;3
    """
    return WRITERS["vtt"].format(list(cues))


def format_ttml(cues: Iterable[Cue], profile: CaptionProfile | None = None) -> str:
    """EBU-TT-D text for ``cues``, styled for ``profile`` when given."""
    return TtmlWriter(profile).format(list(cues))


__all__ = [
    "SrtWriter",
    "SubtitleWriter",
    "TtmlWriter",
    "VttWriter",
    "WRITERS",
    "cues_from_segments",
    "escape_srt",
    "format_srt",
    "format_ttml",
    "format_vtt",
]

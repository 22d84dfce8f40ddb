"""Burned-in captions as an ASS script authored at the output resolution.

ffmpeg's ``subtitles`` filter renders SRT at a 288-line script height; an ASS script with
PlayResY equal to the frame height gives exact control of size and position. The style follows
the BBC guidelines: white sans-serif on a black box per line, line height about 7.5 % of the
frame, inside the central 90 % × 75 % of the picture.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..captions.model import Cue
from ..timefmt import ass_time
from . import fonts

# libass reads \N, \n and \h as breaks and spaces and has no escape for a backslash; a WORD
# JOINER (U+2060: invisible, zero width) after each backslash stops that and changes nothing
# seen. Braces open override blocks; libass shows \{ and \} as the braces themselves.
WORD_JOINER = "\u2060"


def escape_ass_text(line: str) -> str:
    """One caption line as ASS event text that libass shows exactly as written."""
    line = " ".join(line.splitlines())  # an event is one line of the script
    line = line.replace("\\", "\\" + WORD_JOINER)
    return line.replace("{", "\\{").replace("}", "\\}")


def compose_ass(cues: Iterable[Cue], width: int, height: int, offset: float = 0.0) -> str:
    """An ASS script for ``cues``, with times shifted by ``-offset`` seconds."""
    size = round(height * 0.064)
    box = max(2, round(size * 0.25))
    margin_v = round(height * 0.125)
    margin_h = round(width * 0.05)
    lines = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {width}",
        f"PlayResY: {height}",
        "WrapStyle: 2",
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Caption,{fonts.FAMILY},{size},&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,"
        f"0,0,0,0,100,100,0,0,3,{box},0,2,{margin_h},{margin_h},{margin_v},1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    for cue in cues:
        text_lines = list(cue.lines)
        if cue.label and cue.speaker and text_lines:
            text_lines[0] = f"{cue.speaker}: {text_lines[0]}"
        text = "\\N".join(escape_ass_text(line) for line in text_lines)
        start, end = ass_time(cue.start - offset), ass_time(cue.end - offset)
        lines.append(f"Dialogue: 0,{start},{end},Caption,,0,0,0,,{text}")
    return "\n".join(lines) + "\n"

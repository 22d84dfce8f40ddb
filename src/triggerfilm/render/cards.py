"""Pictures MoviePy draws well: title cards, credits and the backdrop for audio-only clips.

Each is one still frame saved as PNG; ffmpeg then holds it for the card's length. Drawing one
frame instead of compositing every frame in Python keeps MoviePy off the slow path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..editplan.timeline import Card
from . import fonts

RGB = tuple[int, int, int]
# MoviePy clips: MoviePy has no type information.
Clip = Any

BACKGROUND = (22, 38, 52)  # a calm dark blue-grey, kind to a darkened room
TEXT = (255, 255, 255)
SOFT_TEXT = (200, 215, 225)


def wrap_text(text: str, font: Path, size: int, width: int) -> str:
    """Break ``text`` into lines no wider than ``width`` pixels, only between words.

    MoviePy's "caption" layout breaks inside words when a line is full ("experience" /
    "s,"), so lines are measured with the font and broken here instead.
    """
    from PIL import ImageFont

    face = ImageFont.truetype(str(font), size)
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and face.getlength(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return "\n".join(lines)


def _text(text: str, font: Path, size: int, color: RGB, width: int) -> Clip:
    from moviepy import TextClip

    # A margin stops the "label" layout cropping descenders (MoviePy 2 quirk).
    return TextClip(
        font=str(font),
        text=wrap_text(text, font, size, width),
        font_size=size,
        color=color,
        method="label",
        text_align="center",
        margin=(0, size // 4),
    ).with_duration(1)


def _save(layers: list[Clip], width: int, height: int, path: Path) -> Path:
    from moviepy import ColorClip, CompositeVideoClip

    background = ColorClip((width, height), color=BACKGROUND).with_duration(1)
    CompositeVideoClip([background, *layers], size=(width, height)).save_frame(str(path), t=0)
    return path


def _stack(blocks: list[tuple[str, Path, int, RGB]], width: int, height: int) -> list[Clip]:
    """Centre a column of text blocks vertically, with a gap between them."""
    clips = [_text(text, font, size, color, int(width * 0.8)) for text, font, size, color in blocks]
    gap = height // 24
    total = sum(c.h for c in clips) + gap * (len(clips) - 1)
    y = (height - total) // 2
    placed = []
    for clip in clips:
        placed.append(clip.with_position(("center", y)))
        y += clip.h + gap
    return placed


def draw_card(card: Card, width: int, height: int, path: Path) -> Path:
    scale = height / 720
    title_size = round((72 if card.role == "opening" else 60) * scale)
    blocks = [(card.title, fonts.BOLD, title_size, TEXT)]
    if card.subtitle:
        size = round((28 if card.role == "credits" else 34) * scale)
        blocks.append((card.subtitle, fonts.REGULAR, size, SOFT_TEXT))
    return _save(_stack(blocks, width, height), width, height, path)


def draw_audio_backdrop(
    narrator: str, descriptor: str | None, width: int, height: int, path: Path
) -> Path:
    """The picture under an audio-only clip: who is speaking, since no face is shown."""
    scale = height / 720
    blocks = [(narrator, fonts.BOLD, round(56 * scale), TEXT)]
    if descriptor:
        blocks.append((descriptor, fonts.REGULAR, round(36 * scale), SOFT_TEXT))
    blocks.append(("Audio only", fonts.REGULAR, round(26 * scale), SOFT_TEXT))
    return _save(_stack(blocks, width, height), width, height, path)


def draw_name_strap(
    narrator: str, descriptor: str | None, width: int, height: int, path: Path
) -> Path:
    """A transparent overlay naming the narrator, for the first seconds of a selection.

    It sits in the lower third but above the caption area (captions keep the bottom 12.5 %
    margin and two lines), so the two never cover each other.
    """
    from moviepy import ColorClip, CompositeVideoClip

    scale = height / 720
    text = f"{narrator} · {descriptor}" if descriptor else narrator
    from moviepy import TextClip

    size = round(30 * scale)
    # "label" sizes the clip to its one line of text, so the box fits the words.
    label = TextClip(
        font=str(fonts.REGULAR),
        text=text,
        font_size=size,
        color=TEXT,
        method="label",
        margin=(0, size // 4),
    ).with_duration(1)
    pad = round(14 * scale)
    box = ColorClip((label.w + 2 * pad, label.h + pad), color=BACKGROUND).with_opacity(0.85)
    x, y = round(width * 0.05), round(height * 0.56)
    layers = [
        box.with_duration(1).with_position((x, y)),
        label.with_position((x + pad, y + pad // 2)),
    ]
    frame = CompositeVideoClip(layers, size=(width, height), bg_color=None)
    frame.save_frame(str(path), t=0, with_mask=True)
    return path

"""Pictures MoviePy draws well: title cards, credits and the backdrop for audio-only clips.

Each is one still frame saved as PNG; ffmpeg then holds it for the card's length. Drawing one
frame instead of compositing every frame in Python keeps MoviePy off the slow path.
"""

from __future__ import annotations

from pathlib import Path

from ..editplan.timeline import Card
from . import fonts

BACKGROUND = (22, 38, 52)  # a calm dark blue-grey, kind to a darkened room
TEXT = (255, 255, 255)
SOFT_TEXT = (200, 215, 225)


def _text(text: str, font: Path, size: int, color, width: int):
    from moviepy import TextClip

    # A margin stops "label"/"caption" layouts cropping descenders (MoviePy 2 quirk).
    return TextClip(
        font=str(font),
        text=text,
        font_size=size,
        color=color,
        method="caption",
        size=(width, None),
        text_align="center",
        margin=(0, size // 4),
    ).with_duration(1)


def _save(layers: list, width: int, height: int, path: Path) -> Path:
    from moviepy import ColorClip, CompositeVideoClip

    background = ColorClip((width, height), color=BACKGROUND).with_duration(1)
    CompositeVideoClip([background, *layers], size=(width, height)).save_frame(str(path), t=0)
    return path


def _stack(blocks: list[tuple[str, Path, int, tuple]], width: int, height: int) -> list:
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

"""The stills: title cards, credits, the backdrop for audio-only clips and the name strap.

Each is one still frame saved as PNG; ffmpeg then holds it for the card's length. They are drawn
with Pillow directly, laid out as MoviePy's "label" text clips lay text out (the look the
cards were designed with): MoviePy built a clip object and a numpy frame for every text block
and every fitting attempt, and its import alone cost a second, which made drawing about a tenth
of a full render (bench/render.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

from ..editplan.timeline import Card, Item
from . import fonts
from .fonts import font_for, font_warnings

if TYPE_CHECKING:
    from PIL import ImageFont

    from .segments import EncodeSettings

RGB = tuple[int, int, int]

BACKGROUND = (22, 38, 52)  # a calm dark blue-grey, kind to a darkened room
TEXT = (255, 255, 255)
SOFT_TEXT = (200, 215, 225)


# Text is shrunk no further than this share of its designed size before it is wrapped harder
# or cut short with a warning: smaller would not be read from the back of a room.
MIN_SCALE = 0.45


def _face(font: Path, size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(str(font), size)


def _pieces(word: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """``word`` cut into pieces no wider than ``width`` (only for a word wider than a line)."""
    pieces, piece = [], ""
    for char in word:
        if piece and face.getlength(piece + char) > width:
            pieces.append(piece)
            piece = char
        else:
            piece += char
    return [*pieces, piece] if piece else pieces


def wrap_text(text: str, font: Path, size: int, width: int) -> str:
    """Break ``text`` into lines no wider than ``width`` pixels, between words where possible.

    MoviePy's "caption" layout breaks inside words when a line is full ("experience" /
    "s,"), so lines are measured with the font and broken here instead. Only a word wider than
    a whole line (a long URL, or CJK text written without spaces) is broken inside itself.
    """
    face = _face(font, size)
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            pieces = [word] if face.getlength(word) <= width else _pieces(word, face, width)
            for index, piece in enumerate(pieces):
                candidate = f"{line} {piece}".strip()
                # A piece after the first always starts a line: the one before filled it.
                if line and (index > 0 or face.getlength(candidate) > width):
                    lines.append(line)
                    line = piece
                else:
                    line = candidate
        lines.append(line)
    return "\n".join(lines)


# MoviePy's TextClip defaults, kept so the cards look as they were designed.
INTERLINE = 4


@dataclass(frozen=True)
class _Label:
    """One block of text drawn on a transparent image the size of its text plus margins."""

    image: Image.Image

    @property
    def w(self) -> int:
        return self.image.width

    @property
    def h(self) -> int:
        return self.image.height


def _text(text: str, font: Path, size: int, color: RGB, width: int | None) -> _Label:
    """A block of centred text; ``width`` wraps it to that many pixels (None: as given).

    Sized and placed as MoviePy's "label" layout does it, so the cards look as designed: the
    text's width, its height (see ``_text_height``), a margin of a quarter of the size above
    and below (which keeps descenders in), and the first baseline at the ascent.
    """
    text = wrap_text(text, font, size, width) if width else text
    face = _face(font, size)
    ascent, _ = face.getmetrics()
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    left, top, right, bottom = measure.multiline_textbbox(
        (0, 0), text, font=face, spacing=INTERLINE, align="center", anchor="ls"
    )
    margin = size // 4
    height = _text_height(measure, face, text, bottom - top)
    image = Image.new("RGBA", (int(right - left), height + 2 * margin), (0, 0, 0, 0))
    ImageDraw.Draw(image).multiline_text(
        (0, ascent + margin),
        text,
        fill=tuple(color),
        font=face,
        spacing=INTERLINE,
        align="center",
        anchor="ls",
    )
    return _Label(image)


def _text_height(
    draw: ImageDraw.ImageDraw, face: ImageFont.FreeTypeFont, text: str, box_height: float
) -> int:
    """MoviePy's text height: ascent + descent plus a line pitch per extra line where Pillow
    still exposes its line pitch, else the text's bounding box (Pillow 11 and later)."""
    try:
        pitch = draw._multiline_spacing(face, INTERLINE, 0)  # type: ignore[attr-defined]
    except AttributeError:
        return int(box_height)
    ascent, descent = face.getmetrics()
    return int(text.count("\n") * pitch + ascent + descent)


def _shortened(text: str, font: Path, size: int, width: int, lines: int) -> str:
    """``text`` wrapped to ``width`` and cut to ``lines`` lines, ending in an ellipsis."""
    wrapped = wrap_text(text, font, size, width).split("\n")
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    kept = wrapped[:lines]
    face = _face(font, size)
    last = kept[-1]
    while last and face.getlength(last + "…") > width:
        last = last[:-1]
    kept[-1] = last.rstrip() + "…"
    return "\n".join(kept)


Block = tuple[str, Path, int, RGB]


def _fit(blocks: list[Block], width: int, height: int) -> tuple[list[Block], list[str]]:
    """The blocks at the largest common scale (down to MIN_SCALE) at which they fit the box.

    Text still too long at the smallest size is cut short with an ellipsis, and a warning
    naming it is returned, so nothing is ever drawn outside the picture.
    """
    warnings = [w for text, font, _, _ in blocks for w in font_warnings(text, font)]
    blocks = [(text, font_for(text, font), size, color) for text, font, size, color in blocks]
    gap = height // 24
    scale = 1.0
    while True:
        sized = [(t, f, max(8, round(s * scale)), c) for t, f, s, c in blocks]
        total = sum(_block_height(b, width) for b in sized) + gap * (len(sized) - 1)
        if total <= height:
            return [(wrap_text(t, f, s, width), f, s, c) for t, f, s, c in sized], warnings
        if scale * 0.9 < MIN_SCALE:
            break
        scale *= 0.9
    # Still too tall at the smallest size: share the height out and cut each block short.
    fitted = []
    share = (height - gap * (len(sized) - 1)) / len(sized)
    for text, font, size, color in sized:
        line = _block_height((text, font, size, color), width, "Ag") or size
        lines = max(1, int(share // line))
        short = _shortened(text, font, size, width, lines)
        if short != wrap_text(text, font, size, width):
            warnings.append(f"the text '{_quote(text)}' is too long for the picture; it was cut")
        fitted.append((short, font, size, color))
    return fitted, warnings


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:57] + "…"


def _block_height(block: Block, width: int, sample: str | None = None) -> int:
    text, font, size, color = block
    return int(_text(sample if sample is not None else text, font, size, color, width).h)


def _save(layers: list[tuple[_Label, int, int]], width: int, height: int, path: Path) -> Path:
    frame = Image.new("RGBA", (width, height), (*BACKGROUND, 255))
    for label, x, y in layers:
        frame.alpha_composite(label.image, (x, y))
    # Fast compression: the PNG lives only until ffmpeg has read it.
    frame.convert("RGB").save(path, compress_level=1)
    return path


def _stack(
    blocks: list[Block], width: int, height: int, warnings: list[str] | None = None
) -> list[tuple[_Label, int, int]]:
    """Centre a column of text blocks vertically, with a gap between them, inside the frame."""
    text_width, box_height = int(width * 0.8), int(height * 0.9)
    fitted, found = _fit(blocks, text_width, box_height)
    if warnings is not None:
        warnings.extend(found)
    labels = [_text(text, font, size, color, None) for text, font, size, color in fitted]
    gap = height // 24
    total = sum(label.h for label in labels) + gap * (len(labels) - 1)
    y = max(0, (height - total) // 2)
    placed = []
    for label in labels:
        placed.append((label, (width - label.w) // 2, y))
        y += label.h + gap
    return placed


def _card_blocks(card: Card, height: int) -> list[Block]:
    scale = height / 720
    title_size = round((72 if card.role == "opening" else 60) * scale)
    blocks: list[Block] = [(card.title, fonts.BOLD, title_size, TEXT)]
    if card.subtitle:
        size = round((28 if card.role == "credits" else 34) * scale)
        blocks.append((card.subtitle, fonts.REGULAR, size, SOFT_TEXT))
    return blocks


def draw_card(card: Card, width: int, height: int, path: Path) -> Path:
    return _save(_stack(_card_blocks(card, height), width, height), width, height, path)


def _backdrop_blocks(narrator: str, descriptor: str | None, height: int) -> list[Block]:
    scale = height / 720
    blocks: list[Block] = [(narrator, fonts.BOLD, round(56 * scale), TEXT)]
    if descriptor:
        blocks.append((descriptor, fonts.REGULAR, round(36 * scale), SOFT_TEXT))
    blocks.append(("Audio only", fonts.REGULAR, round(26 * scale), SOFT_TEXT))
    return blocks


def draw_audio_backdrop(
    narrator: str, descriptor: str | None, width: int, height: int, path: Path
) -> Path:
    """The picture under an audio-only clip: who is speaking, since no face is shown."""
    blocks = _backdrop_blocks(narrator, descriptor, height)
    return _save(_stack(blocks, width, height), width, height, path)


def _strap_layout(
    narrator: str, descriptor: str | None, width: int, height: int
) -> tuple[Block, int, int, int, list[str]]:
    """The strap's text block, padding, position, and warnings.

    One line at full size if it fits; else a smaller line (down to 70 %); else wrapped and
    shrunk like a card; else cut short with a warning. It must stay clear of the caption
    area below it and inside the frame.
    """
    scale = height / 720
    text = f"{narrator} · {descriptor}" if descriptor else narrator
    size = round(30 * scale)
    pad = round(14 * scale)
    x, y = round(width * 0.05), round(height * 0.56)
    room_w = width - 2 * x - 2 * pad
    # Captions keep the bottom 12.5 % and up to two lines of about 7.5 % each above it.
    room_h = round(height * 0.15) - pad
    font = font_for(text, fonts.REGULAR)
    for factor in (1.0, 0.9, 0.8, 0.7):
        small = max(8, round(size * factor))
        if _face(font, small).getlength(text) <= room_w:
            return (text, font, small, TEXT), pad, x, y, font_warnings(text, fonts.REGULAR)
    (block,), warnings = _fit([(text, fonts.REGULAR, size, TEXT)], room_w, room_h)
    return block, pad, x, y, warnings


def draw_name_strap(
    narrator: str, descriptor: str | None, width: int, height: int, path: Path
) -> Path:
    """A transparent overlay naming the narrator, for the first seconds of a selection.

    It sits in the lower third but above the caption area (captions keep the bottom 12.5 %
    margin and two lines), so the two never cover each other.
    """
    (text, font, size, color), pad, x, y, _ = _strap_layout(narrator, descriptor, width, height)
    # The box fits the words, as the label sizes itself to its text.
    label = _text(text, font, size, color, None)
    frame = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    box = Image.new("RGBA", (label.w + 2 * pad, label.h + pad), (*BACKGROUND, round(0.85 * 255)))
    frame.alpha_composite(box, (x, y))
    frame.alpha_composite(label.image, (x + pad, y + pad // 2))
    frame.save(path, compress_level=1)
    return path


def text_warnings(item: Item, settings: EncodeSettings) -> list[str]:
    """What will not show as written on ``item``'s card, backdrop or name strap.

    Worked out from the layout alone (nothing is drawn), so a render that reuses every cached
    segment still reports it.
    """
    width, height = settings.width, settings.height
    box = (int(width * 0.8), int(height * 0.9))
    if isinstance(item, Card):
        return _fit(_card_blocks(item, height), *box)[1]
    if item.media_type == "audio-only":
        return _fit(_backdrop_blocks(item.narrator, item.descriptor, height), *box)[1]
    if settings.strap_seconds > 0:
        return _strap_layout(item.narrator, item.descriptor, width, height)[4]
    return []

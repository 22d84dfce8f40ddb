"""The stills are drawn with Pillow but were designed with MoviePy's "label" text clips.

These tests keep that promise checkable: each text block, and a whole card composited the way
MoviePy composites clips, must be the same pixels MoviePy itself makes. MoviePy is a dev
dependency for exactly this reason; the renderer never imports it (it cost a second to import
and a tenth of a render, see docs/rendering.md).
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from triggerfilm.editplan.timeline import Card
from triggerfilm.render import cards, fonts

moviepy = pytest.importorskip("moviepy", reason="MoviePy (the dev extra) is the layout reference")

TEXTS = [
    ("Waiting for news", fonts.BOLD, 60, cards.TEXT),
    ("The ward at night\nand the morning after", fonts.REGULAR, 34, cards.SOFT_TEXT),
    ("Ágúst's diagnosis — 2019", fonts.BOLD, 27, cards.TEXT),
    ("gjpq yÿ (descenders)", fonts.REGULAR, 41, cards.SOFT_TEXT),
]


def _moviepy_label(text: str, font, size: int, color) -> moviepy.TextClip:
    # The call the cards were designed with (render/cards.py before it drew with Pillow).
    return moviepy.TextClip(
        font=str(font),
        text=text,
        font_size=size,
        color=color,
        method="label",
        text_align="center",
        margin=(0, size // 4),
    ).with_duration(1)


@pytest.mark.parametrize(("text", "font", "size", "color"), TEXTS)
def test_a_text_block_is_moviepys_label_pixel_for_pixel(text, font, size, color) -> None:
    ours = np.asarray(cards._text(text, font, size, color, None).image).astype(int)
    clip = _moviepy_label(text, font, size, color)
    colour = clip.get_frame(0).astype(int)
    alpha = np.rint(clip.mask.get_frame(0) * 255).astype(int)
    assert ours.shape[:2] == colour.shape[:2]
    assert np.array_equal(ours[..., 3], alpha)
    visible = ours[..., 3] > 0
    assert visible.any()
    assert np.array_equal(ours[..., :3][visible], colour[visible])


@pytest.mark.parametrize(
    "card",
    [
        Card(role="touchpoint", title="Diagnosis", frames=25, subtitle="Being told by a stranger"),
        Card(role="opening", title="Coming home", frames=25),
    ],
)
def test_a_whole_card_is_moviepys_composite(tmp_path, card) -> None:
    width, height = 640, 360
    path = cards.draw_card(card, width, height, tmp_path / "card.png")
    ours = np.asarray(Image.open(path).convert("RGB")).astype(int)

    placed = cards._stack(cards._card_blocks(card, height), width, height)
    blocks = cards._fit(cards._card_blocks(card, height), int(width * 0.8), int(height * 0.9))[0]
    layers = [
        _moviepy_label(text, font, size, color).with_position((x, y))
        for (text, font, size, color), (_, x, y) in zip(blocks, placed, strict=True)
    ]
    background = moviepy.ColorClip((width, height), color=cards.BACKGROUND).with_duration(1)
    theirs = moviepy.CompositeVideoClip([background, *layers]).get_frame(0).astype(int)
    assert ours.shape == theirs.shape
    assert np.array_equal(ours, theirs)

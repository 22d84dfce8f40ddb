"""Cards, backdrops and name straps fit their text, or say which text they could not fit.

Each picture is drawn for real (MoviePy, Pillow, the shipped fonts) and checked pixel by pixel:
nothing but the background in the outer margin, and text actually drawn inside it.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from triggerfilm.editplan.timeline import Card
from triggerfilm.render import fonts
from triggerfilm.render.cards import (
    BACKGROUND,
    draw_audio_backdrop,
    draw_card,
    draw_name_strap,
    text_warnings,
    wrap_text,
)

WIDTH, HEIGHT = 640, 360
SETTINGS = SimpleNamespace(width=WIDTH, height=HEIGHT, strap_seconds=4.0)
LONG_TITLE = (
    "What it was like on the unit at night when the alarms kept going and nobody explained "
    "to us what any of the noises meant, or whether the person in the next bed would be there "
    "in the morning, every single night"
)
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis-and-then-some-more"
CJK = "夜间的病房总是很吵闹没有人告诉我那些声音是什么意思"


def _picture(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def _margin_is_background(picture: np.ndarray, share: float = 0.04) -> bool:
    rows, cols = round(HEIGHT * share), round(WIDTH * share)
    background = np.array(BACKGROUND)
    outer = np.concatenate(
        [
            picture[:rows].reshape(-1, 3),
            picture[-rows:].reshape(-1, 3),
            picture[:, :cols].reshape(-1, 3),
            picture[:, -cols:].reshape(-1, 3),
        ]
    )
    return bool((np.abs(outer.astype(int) - background).max(axis=1) <= 2).all())


def _text_drawn(picture: np.ndarray) -> int:
    return int((np.abs(picture.astype(int) - np.array(BACKGROUND)).max(axis=2) > 60).sum())


@pytest.mark.slow
@pytest.mark.parametrize(
    "card",
    [
        Card("touchpoint", LONG_TITLE, 25),
        Card("opening", LONG_WORD, 25, subtitle="A film of patients' experiences"),
        Card("credits", "Thank you", 25, subtitle=" ".join([LONG_TITLE] * 3)),
    ],
    ids=["200-char title", "60-char word", "long credits"],
)
def test_long_card_text_shrinks_and_wraps_inside_the_frame(tmp_path, card):
    assert len(LONG_TITLE) >= 200 and len(LONG_WORD) >= 60
    picture = _picture(draw_card(card, WIDTH, HEIGHT, tmp_path / "card.png"))
    assert _margin_is_background(picture)
    assert _text_drawn(picture) > 2000  # the text is there, not shrunk to nothing
    assert text_warnings(card, SETTINGS) == []  # it fitted without cutting anything


@pytest.mark.slow
def test_text_too_long_for_any_size_is_cut_and_named_in_a_warning(tmp_path):
    card = Card("touchpoint", " ".join([LONG_TITLE] * 12), 25)
    picture = _picture(draw_card(card, WIDTH, HEIGHT, tmp_path / "card.png"))
    assert _margin_is_background(picture)
    (warning,) = text_warnings(card, SETTINGS)
    assert "too long" in warning and LONG_TITLE[:30] in warning


def test_a_word_wider_than_a_line_is_broken_inside_itself_only():
    wrapped = wrap_text(f"the {LONG_WORD} word", fonts.BOLD, 60, 500)
    face = fonts_face(fonts.BOLD, 60)
    assert all(face.getlength(line) <= 500 for line in wrapped.split("\n"))
    assert wrapped.replace("\n", "").replace(" ", "") == f"the{LONG_WORD}word"
    assert wrapped.split("\n")[0] == "the"  # short words are never broken


def fonts_face(font, size):
    from PIL import ImageFont

    return ImageFont.truetype(str(font), size)


def test_a_long_name_strap_stays_in_the_frame_and_above_the_captions(tmp_path):
    path = draw_name_strap("ICU07", LONG_TITLE, WIDTH, HEIGHT, tmp_path / "strap.png")
    alpha = np.asarray(Image.open(path).convert("RGBA"))[:, :, 3]
    rows, cols = np.nonzero(alpha)
    assert rows.size > 0
    assert cols.min() >= WIDTH * 0.04 and cols.max() < WIDTH * 0.96
    # Captions use the bottom 12.5 % and two lines of about 7.5 % above it.
    assert rows.max() < HEIGHT * 0.73
    cut = SimpleNamespace(media_type="video", narrator="ICU07", descriptor=LONG_TITLE)
    warnings = text_warnings(cut, SETTINGS)
    assert warnings == [] or LONG_TITLE[:30] in warnings[0]


def test_an_audio_backdrop_with_a_long_descriptor_fits(tmp_path):
    path = draw_audio_backdrop("ICU15", LONG_TITLE * 2, WIDTH, HEIGHT, tmp_path / "b.png")
    assert _margin_is_background(_picture(path))


@pytest.mark.slow
def test_text_the_shipped_font_lacks_uses_a_system_font_or_warns(tmp_path):
    assert fonts.missing_characters(CJK, fonts.BOLD)  # DejaVu has no CJK
    card = Card("touchpoint", CJK, 25)
    picture = _picture(draw_card(card, WIDTH, HEIGHT, tmp_path / "card.png"))
    assert _margin_is_background(picture)
    chosen = fonts.font_for(CJK, fonts.BOLD)
    warnings = text_warnings(card, SETTINGS)
    if chosen == fonts.BOLD:
        # No installed font covers it: say so, naming the text.
        assert any("boxes" in w and CJK[:10] in w for w in warnings), warnings
    else:
        assert not fonts.missing_characters(CJK, chosen) and warnings == []


def test_latin_text_needs_no_fallback_and_gives_no_warning():
    assert fonts.font_for("Nights on the unit – café", fonts.REGULAR) == fonts.REGULAR
    assert fonts.font_warnings("Nights on the unit – café", fonts.REGULAR) == []

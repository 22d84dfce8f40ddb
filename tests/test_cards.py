"""Card text is broken between words and fits the card."""

from __future__ import annotations

from PIL import ImageFont

from triggerfilm.render import fonts
from triggerfilm.render.cards import wrap_text

CREDITS = (
    "These narrators are a national sample of people sharing their experiences, "
    "not patients of this service.\nNarrators: ICU03, ICU07"
)


def test_lines_fit_and_no_word_is_split():
    wrapped = wrap_text(CREDITS, fonts.REGULAR, 28, 600)
    face = ImageFont.truetype(str(fonts.REGULAR), 28)
    lines = wrapped.split("\n")
    assert len(lines) >= 3 and lines[-1] == "Narrators: ICU03, ICU07"
    assert all(face.getlength(line) <= 600 for line in lines)
    assert wrapped.split() == CREDITS.split()  # the same words, none broken in two

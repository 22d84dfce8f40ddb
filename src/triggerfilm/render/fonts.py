"""Fonts shipped with triggerfilm, so cards and captions render on machines with no fonts."""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
# The family name libass looks up inside FONT_DIR for burned-in captions.
FAMILY = "DejaVu Sans"

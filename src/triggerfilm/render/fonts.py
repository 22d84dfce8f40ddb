"""Fonts shipped with triggerfilm, so cards and captions render on machines with no fonts."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from functools import cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
# The family name libass looks up inside FONT_DIR for burned-in captions.
FAMILY = "DejaVu Sans"

# A code point no font maps (plane 15, private use): what the font draws for a missing glyph.
_NOT_A_CHARACTER = "\U000f0000"


@cache
def _glyph(font: Path, char: str) -> tuple[tuple[int, int], bytes]:
    from PIL import ImageFont

    mask = ImageFont.truetype(str(font), 32).getmask(char)
    return mask.size, bytes(mask)


def missing_characters(text: str, font: Path) -> str:
    """The characters of ``text`` that ``font`` has no glyph for (they would show as boxes)."""
    missing = _glyph(font, _NOT_A_CHARACTER)
    seen = dict.fromkeys(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")
    return "".join(c for c in seen if _glyph(font, c) == missing)


@cache
def _fontconfig_fonts(chars: str, bold: bool) -> tuple[Path, ...]:
    """System fonts that fontconfig says cover every one of ``chars``, best first."""
    fc_list = shutil.which("fc-list")
    if not fc_list or not chars:
        return ()
    charset = " ".join(f"{ord(c):x}" for c in chars)
    try:
        result = subprocess.run(
            [fc_list, f":charset={charset}", "file", "style"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    found = []
    for line in result.stdout.splitlines():
        file, _, style = line.partition(":")
        path = Path(file.strip())
        if path.suffix.lower() not in (".ttf", ".otf", ".ttc"):
            continue
        wants_style = ("bold" in style.lower()) == bold
        regular = any(s in style.lower() for s in ("regular", "book", "normal"))
        found.append((not wants_style, not (regular or bold), "mono" in path.name.lower(), path))
    return tuple(path for *_, path in sorted(found))


@cache
def font_for(text: str, preferred: Path) -> Path:
    """``preferred`` when it can draw ``text``; otherwise a system font that can (fontconfig)."""
    missing = missing_characters(text, preferred)
    if not missing:
        return preferred
    for candidate in _fontconfig_fonts(missing, preferred == BOLD):
        try:
            if not missing_characters(text, candidate):
                return candidate
        except OSError:  # a bitmap-only colour emoji font cannot be scaled: not usable
            continue
    return preferred


def font_warnings(text: str, preferred: Path) -> list[str]:
    """A warning naming ``text`` when no available font can draw all of it."""
    font = font_for(text, preferred)
    missing = missing_characters(text, font)
    if not missing:
        return []
    flat = " ".join(text.split())
    shown = flat if len(flat) <= 60 else flat[:57] + "…"
    return [
        f"no installed font can draw {missing[:10]!r} in '{shown}': those characters will "
        "show as boxes (install a font covering them, e.g. Noto CJK or Noto Emoji)"
    ]

"""Turning subtitle bytes into text: byte-order marks, UTF-8, then a guess among legacy codes.

Subtitle files arrive in whatever the author's editor used. The rule, in order:

1. A byte-order mark decides (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE).
2. Text that decodes as strict UTF-8 is UTF-8 (legacy text almost never does by accident).
3. Otherwise each legacy code page the project meets (cp1252 Western, cp1251 Cyrillic,
   GB18030 = GB2312/GBK Chinese) decodes the bytes, and the one whose words look most like
   real words wins: a word must be in one script, in a normal case pattern (lower, Title or
   UPPER), and a Latin word must be mostly unaccented. Mojibake breaks exactly those rules:
   Cyrillic read as cp1252 gives words of accented letters ("Ïðèâåò"), Chinese read as cp1251
   gives mixed-case Cyrillic ("УоЦж"), Western read as cp1251 mixes scripts ("йtй").
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from ...errors import SubtitleFormatError

_BOMS = (
    # UTF-32 first: its little-endian mark starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
LEGACY_CANDIDATES = ("cp1252", "cp1251", "gb18030")
_WORD = re.compile(r"[^\W\d_]+")


def _script(char: str) -> str:
    if char.isascii():
        return "ascii"
    name = unicodedata.name(char, "")
    if name.startswith("LATIN"):
        return "latin"
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")):
        return "cjk"
    return "other"


def _word_is_plausible(word: str) -> bool:
    scripts = {_script(c) for c in word}
    if "other" in scripts:
        return False
    if scripts == {"cjk"}:
        return True
    if "cjk" in scripts or {"cyrillic", "latin"} <= scripts or {"cyrillic", "ascii"} <= scripts:
        return False
    cased = word.islower() or word.isupper() or word.istitle()
    if not cased:
        return False
    if "latin" in scripts:
        accented = sum(1 for c in word if _script(c) == "latin")
        return len(word) == 1 or accented * 2 <= len(word)
    return True


def plausibility(text: str) -> int:
    """Non-ASCII letters in plausible words minus those in implausible ones (higher = better).

    >>> plausibility("Привет, мир") > plausibility("Привет, мир".encode("cp1251").decode("cp1252"))
    True
    """
    score = 0
    for match in _WORD.finditer(text):
        word = match.group()
        weight = sum(1 for c in word if not c.isascii())
        if weight:
            score += weight if _word_is_plausible(word) else -weight
    return score


def utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when ``data`` looks like UTF-16 text without a byte-order
    mark (every other byte NUL, as Latin text is in UTF-16), else None.

    >>> utf16_without_bom("1\\n00:00:01,000".encode("utf-16-le"))
    'utf-16-le'
    """
    sample = data[:4096]
    if len(sample) < 8 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    for name, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if high.count(0) >= 0.8 * len(high) and low.count(0) <= 0.05 * len(low):
            return name
    return None


def decode_subtitle_bytes(data: bytes, where: str) -> tuple[str, str]:
    """Decode ``data`` following the module's rule; return (text, encoding name used)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(name), name + " (BOM)"
            except UnicodeDecodeError as error:
                raise SubtitleFormatError(
                    f"starts with a {name} byte-order mark but is not valid {name} "
                    f"(byte {error.start + len(bom)})",
                    where=where,
                    hint="Re-save the file as UTF-8",
                ) from None
    wide = utf16_without_bom(data)
    if wide is not None:
        try:
            return data.decode(wide), wide + " (no BOM)"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best: tuple[int, str, str] | None = None
    for name in LEGACY_CANDIDATES:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        score = plausibility(text)
        # Ties keep the earlier candidate: the order is the order of how common they are.
        if best is None or score > best[0]:
            best = (score, name, text)
    if best is None:
        raise SubtitleFormatError(
            "is neither UTF-8 nor any of " + ", ".join(LEGACY_CANDIDATES),
            where=where,
            hint="Re-save the file as UTF-8",
        )
    return best[2], best[1]

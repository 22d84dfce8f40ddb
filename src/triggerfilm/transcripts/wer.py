"""Word error rate under one declared text normalisation, for accuracy tests and benchmarks.

Normalisation (applied to reference and hypothesis alike, so only real recognition errors
count): lower case; curly quotes folded to straight ones; apostrophes dropped inside words
("didn't" → "didnt"); every other non-alphanumeric character is a word break (so "follow-up"
→ "follow up" and "--" disappears); numbers written in digits are spelled out in words
("3" → "three", "21" → "twenty one", "1961" → "one thousand nine hundred sixty one"); British
and American spellings are left alone.
"""

from __future__ import annotations

import re

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))
_NUMBER = re.compile(r"\d+")
_BREAK = re.compile(r"[^a-z0-9]+")


def spell_number(n: int) -> str:
    """English words for a whole number, without "and".

    >>> spell_number(0), spell_number(21), spell_number(105)
    ('zero', 'twenty one', 'one hundred five')
    >>> spell_number(1961)
    'one thousand nine hundred sixty one'
    """
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    for size, name in _SCALES:
        if n >= size:
            high, rest = divmod(n, size)
            return f"{spell_number(high)} {name}" + (f" {spell_number(rest)}" if rest else "")
    raise AssertionError("unreachable")  # pragma: no cover


def normalise_for_wer(text: str) -> list[str]:
    """The words of ``text`` under the declared normalisation.

    >>> normalise_for_wer("And so, my fellow Americans: ask not -- ask!")
    ['and', 'so', 'my', 'fellow', 'americans', 'ask', 'not', 'ask']
    >>> normalise_for_wer("I didn’t see 3 follow-up nurses")
    ['i', 'didnt', 'see', 'three', 'follow', 'up', 'nurses']
    """
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"(?<=\w)'(?=\w)", "", text)
    text = _NUMBER.sub(lambda m: f" {spell_number(int(m.group()))} ", text)
    return [word for word in _BREAK.split(text) if word]


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance between two word lists (substitutions, insertions, deletions).

    >>> edit_distance("a b c".split(), "a x c d".split())
    2
    """
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Edit distance over the number of reference words, both normalised.

    >>> wer = word_error_rate("The nights were the worst part.", "The night's where the worst part")
    >>> round(wer, 3)
    0.167
    >>> word_error_rate("Ask not.", "ask not")
    0.0
    """
    ref, hyp = normalise_for_wer(reference), normalise_for_wer(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)

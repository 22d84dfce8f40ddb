"""Quote anchors: fuzzy enough for recognition errors, strict about ambiguity."""

from __future__ import annotations

import pytest

from triggerfilm.editplan.quotes import QuoteNotFound, find_quote
from triggerfilm.transcripts.model import Word

HEARD = (
    "The night's where the worst part. I was sure the nurses were trying to hurt me. "
    "The nurses kept a diary. The nurses kept a diary for her every day."
)


def words(text: str = HEARD) -> list[Word]:
    return [Word(i * 0.4, i * 0.4 + 0.3, " " + w) for i, w in enumerate(text.split())]


def test_recognition_errors_and_punctuation_still_match():
    match = find_quote(words(), "The nights were the worst part")
    assert match.text == "The night's where the worst part."
    assert (match.start, match.end) == (0.0, 5 * 0.4 + 0.3)


def test_a_quote_found_twice_is_ambiguous_and_lists_both_places():
    with pytest.raises(QuoteNotFound) as caught:
        find_quote(words(), "the nurses kept a diary")
    assert caught.value.ambiguous
    starts = sorted(c.start for c in caught.value.candidates)
    assert len(starts) == 2 and starts[0] < starts[1]


def test_more_words_make_it_unique():
    match = find_quote(words(), "kept a diary for her")
    assert match.text.startswith("kept a diary for her")


def test_a_quote_that_is_not_there_lists_the_closest_candidates():
    with pytest.raises(QuoteNotFound) as caught:
        find_quote(words(), "the doctor explained everything")
    assert not caught.value.ambiguous
    assert 1 <= len(caught.value.candidates) <= 3


def test_to_quotes_are_searched_after_the_start():
    first = find_quote(words(), "The nurses kept a diary for", after=0.0)
    later = find_quote(words(), "nurses were trying", after=0.0)
    assert later.start < first.start
    with pytest.raises(QuoteNotFound):
        find_quote(words(), "nurses were trying to hurt", after=first.start)

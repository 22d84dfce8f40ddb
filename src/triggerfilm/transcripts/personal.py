"""Words that may identify someone: candidates for redaction, for a person to decide.

Narratives name nurses, wards, hospitals, dates and sometimes phone numbers. These simple,
explainable patterns over the transcript's words over-suggest on purpose: a facilitator
dismisses a false candidate in a second, but a missed name can identify a patient or a member
of staff in front of a room of their colleagues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Transcript, Word

TITLES = {
    "dr",
    "doctor",
    "sister",
    "nurse",
    "mr",
    "mrs",
    "ms",
    "miss",
    "professor",
    "prof",
    "matron",
    "consultant",
    "father",
    "reverend",
}
PLACES = {
    "bay",
    "hospital",
    "infirmary",
    "ward",
    "unit",
    "clinic",
    "centre",
    "center",
    "hospice",
    "surgery",
    "street",
    "road",
    "lane",
    "avenue",
}
MONTHS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}
DAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
# Capitalised for reasons other than being a name.
ORDINARY_CAPITALS = {"i", "i'm", "i've", "i'd", "i'll", "god", "christmas", "english", "nhs", "icu"}

_ORDINAL = re.compile(r"^\d{1,2}(st|nd|rd|th)$")
_YEAR = re.compile(r"^(19|20)\d\d$")
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class Candidate:
    """Words that may identify someone (a name, a place, a date, a phone number), in seconds of the
    clip: a suggestion for a selection's ``redact:`` that a person decides on. The review report
    lists them."""

    start: float
    end: float
    text: str
    kind: str  # "name", "name or place", "place", "date", "phone number"


def _bare(word: Word) -> str:
    return re.sub(r"[^\w'-]", "", word.text.strip())


def personal_candidates(transcript: Transcript) -> list[Candidate]:
    """Spans of words that look like names, places, dates or phone numbers, in time order."""
    words = transcript.words
    found: list[Candidate] = []
    sentence_start = True
    index = 0
    while index < len(words):
        bare = _bare(words[index])
        lower = bare.lower()
        span_end, kind = index, None
        if lower in TITLES and index + 1 < len(words) and _bare(words[index + 1])[:1].isupper():
            span_end, kind = index + 1, "name"
        elif (
            lower in MONTHS - {"may"}
            or lower in DAYS
            or _ORDINAL.match(lower)
            or _YEAR.match(lower)
        ):
            kind = "date"
        elif _DIGITS.search(bare):
            # Runs of digits ("oh seven seven" comes out as digits from Whisper) → phone numbers.
            while span_end + 1 < len(words) and _DIGITS.search(_bare(words[span_end + 1])):
                span_end += 1
            digits = sum(len(_DIGITS.findall(_bare(w))) for w in words[index : span_end + 1])
            kind = "phone number" if digits >= 6 else None
        elif lower in PLACES and index + 1 < len(words) and _DIGITS.search(_bare(words[index + 1])):
            span_end, kind = index + 1, "place"  # "Ward 7B", "Bay 4"
        elif bare[:1].isupper() and not sentence_start and lower not in ORDINARY_CAPITALS:
            while span_end + 1 < len(words) and _bare(words[span_end + 1])[:1].isupper():
                span_end += 1
            following = _bare(words[span_end + 1]).lower() if span_end + 1 < len(words) else ""
            if following in PLACES:
                span_end += 1
            last = _bare(words[span_end]).lower()
            kind = "place" if last in PLACES else "name or place"
        if kind:
            span = words[index : span_end + 1]
            text = "".join(w.text for w in span).strip()
            found.append(Candidate(span[0].start, span[-1].end, text, kind))
        sentence_start = words[span_end].text.strip().endswith((".", "?", "!"))
        index = span_end + 1
    return found

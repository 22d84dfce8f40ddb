"""Redaction candidates: names, places, dates and phone numbers found in transcript words."""

from __future__ import annotations

import pytest

from triggerfilm.transcripts.model import Segment, Transcript, Word
from triggerfilm.transcripts.personal import personal_candidates


def transcript(text: str) -> Transcript:
    words = tuple(Word(i * 0.5, i * 0.5 + 0.4, " " + w) for i, w in enumerate(text.split()))
    segment = Segment(0.0, len(words) * 0.5, text, words)
    return Transcript((segment,), "en", segment.end, "faster-whisper", "bundled")


def test_names_places_dates_and_phone_numbers_are_suggested():
    found = personal_candidates(
        transcript(
            "In March Sister Jones moved me to Ward 7B. My daughter drove from Leeds "
            "General Infirmary on the 3rd and rang 0113 243 3144. The nurses were kind."
        )
    )
    by_kind = {(c.kind, c.text) for c in found}
    assert ("date", "March") in by_kind
    assert ("name", "Sister Jones") in by_kind
    assert ("place", "Leeds General Infirmary") in by_kind
    assert ("date", "3rd") in by_kind
    assert ("place", "Ward 7B.") in by_kind
    assert ("phone number", "0113 243 3144.") in by_kind
    assert all(c.start < c.end for c in found)


def test_ordinary_sentences_give_no_candidates():
    plain = transcript("The nurses were kind. I felt safe at night. Going home was hard.")
    assert personal_candidates(plain) == []


@pytest.mark.slow
def test_review_lists_personal_details_of_the_demo_clips():
    from triggerfilm.app import review_manifest
    from triggerfilm.reports.review import format_table

    from .conftest import ROOT

    report = review_manifest(ROOT / "manifests" / "demo.yaml")
    assert ("icu21", "date", "Friday") in {(clip, c.kind, c.text) for clip, c in report.personal}
    assert "redact:" in format_table(report)

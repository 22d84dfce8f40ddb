"""How the studio lays out a transcript: paragraphs at sentence ends, marks, escaping."""

from __future__ import annotations

from triggerfilm.studio.views import PARAGRAPH_WORDS, page_json, paragraphs, transcript_html
from triggerfilm.transcripts.model import Segment, Transcript, Word


def _transcript(texts: list[str], aligned: bool = False, doubts=None) -> Transcript:
    words = tuple(
        Word(i * 0.5, i * 0.5 + 0.4, f" {t}", doubts=(doubts or {}).get(i, ()))
        for i, t in enumerate(texts)
    )
    options = {"aligned": "verbatim"} if aligned else {}
    segment = Segment(0.0, len(texts) * 0.5, " ".join(texts), words)
    return Transcript((segment,), "en", len(texts) * 0.5, "test", "test", options)


def test_paragraphs_close_at_the_first_sentence_end_after_a_hundred_words() -> None:
    texts = ["word"] * (PARAGRAPH_WORDS + 5) + ["end."] + ["next"] * 10 + ["done."]
    paras = paragraphs(_transcript(texts))
    assert [len(p) for p in paras] == [PARAGRAPH_WORDS + 6, 11]
    assert paras[0][-1]["text"] == "end." and paras[1][0]["i"] == PARAGRAPH_WORDS + 6


def test_doubts_and_estimated_times_are_marked_and_text_is_escaped() -> None:
    transcript = _transcript(
        ["Sister", "<b>Jones</b>", "said", "hello."],
        aligned=True,
        doubts={1: ("no-speech",), 2: ("interpolated",)},
    )
    html = str(transcript_html(transcript))
    assert '<span class="w" data-i="0" tabindex="0">Sister</span>' in html
    assert 'class="w doubt" data-i="1" title="Doubtful: no-speech">&lt;b&gt;Jones&lt;/b&gt;' in html
    # A verbatim word Whisper did not hear is not "doubtful": its time is an estimate.
    assert 'class="w estimated" data-i="2" title="Not heard by Whisper: time estimated"' in html
    assert html.count('tabindex="0"') == 1  # one stop for Tab; arrows move inside


def test_page_json_cannot_close_its_script_element() -> None:
    text = page_json({"note": "</script><script>alert(1)</script> & more"})
    assert "</" not in text and "<script" not in text and "&" not in text
    assert __import__("json").loads(text)["note"].startswith("</script>")

"""Safe cuts: in and out points move into silence; a cut inside a word is reported."""

from __future__ import annotations

import textwrap

import pytest

from triggerfilm import app
from triggerfilm.editplan.timeline import Cut
from triggerfilm.transcripts.options import TranscribeOptions

from .conftest import CLIPS


def _timeline(tmp_path, start: float, end: float):
    manifest = tmp_path / "film.yaml"
    manifest.write_text(
        textwrap.dedent(
            f"""\
            title: Cuts
            output: {{card_seconds: 0}}
            archives: {{sample: {CLIPS}}}
            clips:
              - {{id: icu03, archive: sample, clip: ICU03-01}}
            touchpoints:
              - title: Nights
                selections:
                  - {{clip: icu03, from: {start}, to: {end}}}
            """
        )
    )
    prepared = app.prepare(manifest)
    app.transcribe_all(prepared, TranscribeOptions())
    return app.plan(prepared), prepared.transcripts["icu03"]


@pytest.mark.slow
def test_a_cut_just_inside_speech_moves_to_its_edge(tmp_path):
    # ICU03's second sentence starts about 4.6 s in: 4.8 s is just inside it.
    timeline, transcript = _timeline(tmp_path, 4.8, 9.95)
    speech = transcript.speech
    assert speech, "the transcript keeps its speech intervals"
    onset = next(a for a, b in speech if a <= 4.8 < b)
    cut = next(i for i in timeline.items if isinstance(i, Cut))
    assert abs(cut.source_in - onset) <= 1 / timeline.fps  # moved back to the onset, on the grid
    # So the sentence's first word is whole. Which word that is follows from the verbatim
    # transcript (the archive's text), not from how Whisper heard it on this CPU: the word
    # before it ends a sentence, and it starts no earlier than the cut.
    words = transcript.words
    first = cut.words[0]
    index = next(i for i, w in enumerate(words) if (w.start, w.text) == (first.start, first.text))
    assert index > 0 and words[index - 1].clean.endswith((".", "!", "?"))
    assert first.start >= cut.source_in - 1 / timeline.fps
    assert first.clean[:1].isupper()


@pytest.mark.slow
def test_a_cut_that_must_land_inside_a_word_is_warned_about(tmp_path):
    # 7.7 s is in the middle of "nobody", in "Every machine had its own beep, and nobody told me what they
    # meant": no silence within half a second.
    timeline, transcript = _timeline(tmp_path, 0.0, 7.7)
    inside = [w for w in transcript.words if w.start < 7.7 < w.end]
    assert inside, "7.7 s falls inside a word of the transcript"
    assert any("lands inside the word" in w and ".to" in w for w in timeline.warnings)

"""Verbatim transcripts aligned to the audio, on the sample archive's real (synthetic-voice) clips."""

from __future__ import annotations

import doctest
import json
from dataclasses import replace

import pytest
import yaml

from triggerfilm import app
from triggerfilm.captions.build import build_captions
from triggerfilm.captions.profiles import get_profile
from triggerfilm.notices import Notice
from triggerfilm.transcripts import align, speech
from triggerfilm.transcripts.align import INTERPOLATED, align_verbatim, alignment_coverage
from triggerfilm.transcripts.checked import (
    alignment_problem,
    checked_cache_path,
    checked_transcript,
)
from triggerfilm.transcripts.model import Segment, Transcript, Word
from triggerfilm.transcripts.options import TranscribeOptions
from triggerfilm.transcripts.speech import overlap, speech_intervals
from triggerfilm.transcripts.store import transcript_for

from .conftest import CLIPS, ROOT


def _verbatim(clip_id: str) -> str:
    catalogue = yaml.safe_load((CLIPS / "catalogue.yaml").read_text(encoding="utf-8"))
    return next(c["transcript"] for c in catalogue["clips"] if c["id"] == clip_id)


def test_doctests_of_align_and_speech_pass():
    for module in (align, speech):
        assert doctest.testmod(module).failed == 0


@pytest.mark.slow
def test_icu07_verbatim_words_take_whisper_times():
    media = CLIPS / "ICU07-01.mp4"
    heard = transcript_for(media, TranscribeOptions())
    voice = speech_intervals(media)
    aligned = align_verbatim(heard, _verbatim("ICU07-01"), voice)

    sentences = [s.text.strip() for s in aligned.segments]
    assert "The nights were the worst part." in sentences
    assert "One nurse sat with me in the middle of the night and held my hand." in sentences
    # One segment per verbatim sentence (the catalogue has one sentence a line).
    assert len(sentences) == len(_verbatim("ICU07-01").strip().splitlines())
    assert aligned.options["aligned"] == "verbatim"
    assert aligned.engine == heard.engine and aligned.model == heard.model
    assert alignment_coverage(aligned) >= 0.9

    words = aligned.words
    starts = [w.start for w in words]
    assert starts == sorted(starts) and all(w.end >= w.start for w in words)
    # Every word Whisper heard keeps Whisper's time and probability exactly.
    heard_times = {(w.start, w.end, w.probability) for w in heard.words}
    for word in words:
        if INTERPOLATED not in word.doubts:
            assert (word.start, word.end, word.probability) in heard_times


@pytest.mark.slow
def test_words_whisper_missed_are_interpolated_near_where_they_were_said():
    media = CLIPS / "ICU07-01.mp4"
    heard = transcript_for(media, TranscribeOptions())
    voice = speech_intervals(media)
    # Take four words out of the middle of what Whisper heard, as if it had missed them.
    missing = heard.words[20:24]
    kept = tuple(
        replace(s, words=tuple(w for w in s.words if w not in missing)) for s in heard.segments
    )
    aligned = align_verbatim(replace(heard, segments=kept), _verbatim("ICU07-01"), voice)
    guessed = [w for w in aligned.words if INTERPOLATED in w.doubts]
    assert len(guessed) >= len(missing)
    # Interpolated times land close to where Whisper had heard those words.
    assert abs(guessed[0].start - missing[0].start) < 0.6
    assert abs(guessed[-1].end - missing[-1].end) < 0.6
    spoken = overlap(guessed[0].start, guessed[-1].end, voice)
    assert spoken > 0.8 * (guessed[-1].end - guessed[0].start)
    starts = [w.start for w in aligned.words]
    assert starts == sorted(starts)


def _word(start: float, end: float, text: str) -> Word:
    return Word(start, end, f" {text}", 0.9)


def test_interpolated_words_go_over_speech_not_silence():
    heard = Transcript(
        segments=(
            Segment(0.0, 6.0, " Yes. home", (_word(0.0, 1.0, "Yes."), _word(5.0, 6.0, "home"))),
        ),
        language="en",
        duration=6.0,
        engine="faster-whisper",
        model="bundled",
    )
    # Speech stops at 1.6 s and starts again at 4.0 s: the two missing words go on either side.
    voice = [(0.0, 1.6), (4.0, 6.0)]
    aligned = align_verbatim(heard, "Yes. Going back home", voice)
    going, back = aligned.words[1], aligned.words[2]
    assert [w.clean for w in aligned.words] == ["Yes.", "Going", "back", "home"]
    assert going.doubts == (INTERPOLATED,) and back.doubts == (INTERPOLATED,)
    for word in (going, back):
        assert overlap(word.start, word.end, voice) > 0
        assert not (word.start > 1.6 and word.end < 4.0)  # never wholly inside the silence
    assert 1.0 <= going.start < 1.6 and 4.0 <= back.end <= 5.0
    assert [s.text for s in aligned.segments] == [" Yes.", " Going back home"]
    assert alignment_coverage(aligned) == 0.5


@pytest.mark.slow
def test_demo_caption_shows_the_verbatim_words(tmp_path):
    prepared = app.prepare(ROOT / "manifests" / "demo.yaml")
    app.transcribe_all(prepared, TranscribeOptions())
    timeline = app.plan(prepared)
    captions = [c.text.replace("\n", " ") for c in build_captions(timeline, get_profile("default"))]
    assert "The nights were the worst part." in captions
    assert not any("night's where" in c for c in captions)


@pytest.mark.slow
def test_checked_transcript_is_cached_and_a_corrupt_entry_is_redone():
    media = CLIPS / "ICU12-01.mp4"
    options, verbatim = TranscribeOptions(), _verbatim("ICU12-01")
    first = checked_transcript(media, options, verbatim)
    entry = checked_cache_path(media, options, verbatim)
    stamp = entry.stat().st_mtime_ns
    assert checked_transcript(media, options, verbatim) == first
    assert entry.stat().st_mtime_ns == stamp
    entry.write_text("{torn", encoding="utf-8")
    notices: list[Notice] = []
    assert checked_transcript(media, options, verbatim, notices=notices) == first
    (notice,) = notices
    assert notice.topic == "cache" and notice.where == str(entry)
    assert "damaged" in notice.message and "again" in notice.message
    assert Transcript.from_dict(json.loads(entry.read_text())) == first


@pytest.mark.slow
def test_a_verbatim_text_for_another_recording_warns_about_low_coverage():
    media = CLIPS / "ICU07-01.mp4"
    wrong = checked_transcript(media, TranscribeOptions(), _verbatim("ICU12-01"))
    assert alignment_coverage(wrong) < align.COVERAGE_WARNING
    assert "only" in (alignment_problem(wrong) or "")
    right = checked_transcript(media, TranscribeOptions(), _verbatim("ICU07-01"))
    assert alignment_coverage(right) >= 0.9 and alignment_problem(right) is None

"""Doubt flags on transcripts and the `triggerfilm review` listing."""

from __future__ import annotations

import doctest
import json
from difflib import SequenceMatcher

import pytest
import yaml
from click.testing import CliRunner

from triggerfilm.cli import cli
from triggerfilm.reports import review
from triggerfilm.timefmt import mmss_tenths
from triggerfilm.transcripts import doubts
from triggerfilm.transcripts.checked import checked_transcript
from triggerfilm.transcripts.doubts import (
    HALLUCINATION,
    LOW,
    NO_SPEECH,
    REPETITION,
    flag_doubts,
    list_doubts,
)
from triggerfilm.transcripts.model import Segment, Transcript, Word
from triggerfilm.transcripts.options import TranscribeOptions
from triggerfilm.transcripts.speech import overlap, speech_intervals

from .conftest import CLIPS


def test_doctests_of_doubts_and_review_pass():
    for module in (doubts, review):
        assert doctest.testmod(module).failed == 0


def _transcript(*segments: Segment, aligned: bool = False) -> Transcript:
    options = {"aligned": "verbatim"} if aligned else {}
    return Transcript(segments, "en", 20.0, "faster-whisper", "bundled", options)


def _words(text: str, start: float = 0.0, probability: float = 0.9) -> tuple[Word, ...]:
    return tuple(
        Word(start + i * 0.5, start + i * 0.5 + 0.4, f" {t}", probability)
        for i, t in enumerate(text.split())
    )


def test_a_repetition_loop_is_flagged_on_its_words_and_segment():
    loop = _words("Thank you. Thank you. Thank you. Thank you.", start=10.0)
    said = _words("I was so tired", start=5.0)
    flagged = flag_doubts(
        _transcript(
            Segment(5.0, 7.0, " I was so tired", said),
            Segment(10.0, 14.0, " Thank you." * 4, loop),
        )
    )
    first, second = flagged.segments
    assert all(REPETITION in w.doubts for w in second.words)
    assert REPETITION in second.doubts
    assert not any(w.doubts for w in first.words) and first.doubts == ()
    rows = list_doubts("c1", flagged)
    assert [(r.clip, r.start, r.reason) for r in rows] == [("c1", 10.0, REPETITION)]


def test_words_over_silence_low_probability_and_hallucination_signature_are_flagged():
    speech = [(0.0, 3.0)]
    words = _words("we went home", start=0.5) + (Word(8.0, 8.4, " Bye.", 0.2),)
    flagged = flag_doubts(
        _transcript(
            Segment(0.5, 8.4, " we went home Bye.", words, avg_logprob=-1.4, no_speech_prob=0.8)
        ),
        speech,
    )
    segment = flagged.segments[0]
    bye = segment.words[-1]
    assert set(bye.doubts) == {NO_SPEECH, LOW}
    assert all(w.doubts == () for w in segment.words[:-1])
    assert segment.doubts == (HALLUCINATION,)
    reasons = [(r.text, r.reason) for r in list_doubts("c", flagged)]
    assert ("we went home Bye.", HALLUCINATION) in reasons
    assert ("Bye.", NO_SPEECH) in reasons and ("Bye.", LOW) in reasons


def test_verbatim_transcripts_are_checked_for_timing_only():
    words = _words("no no no no", probability=0.1)
    aligned = flag_doubts(
        _transcript(
            Segment(0.0, 2.0, " no no no no", words, avg_logprob=-2.0, no_speech_prob=0.9),
            aligned=True,
        ),
        [(0.0, 2.0)],
    )
    # The words are the archive's: Whisper's doubts about its own words do not apply.
    assert aligned.words == list(words) and aligned.segments[0].doubts == ()


def _norm(word: str) -> str:
    return "".join(c for c in word.lower() if c.isalnum())


@pytest.mark.slow
def test_flags_on_a_real_recording_match_their_definitions(shared_data):
    media = shared_data / "speech_audio" / "gentle__lucier.mp3"
    transcript = checked_transcript(media, TranscribeOptions())
    speech = speech_intervals(media)
    for word in transcript.words:
        silent = not overlap(word.start - 0.2, word.end + 0.2, speech)
        assert (NO_SPEECH in word.doubts) == silent
        assert (LOW in word.doubts) == (word.probability < 0.3)
    # tiny.en mishears some of this recording and is unsure of what it mishears: the review
    # catches that. Which words, and how they are spelled, differs between CPUs ("present",
    # "President"...), so the mishearings are found against the script, case-insensitively.
    script = (shared_data / "refs" / "gentle__lucier.txt").read_text(encoding="utf-8")
    heard = [_norm(w.clean) for w in transcript.words]
    misheard = []
    matcher = SequenceMatcher(None, heard, [_norm(t) for t in script.split()], autojunk=False)
    for op, a, b, _, _ in matcher.get_opcodes():
        if op == "replace":
            misheard += transcript.words[a:b]
    assert 0 < len(misheard) <= 0.5 * len(heard)  # a mishearing, but not a different recording
    assert any(LOW in w.doubts for w in misheard)


@pytest.mark.slow
def test_a_recording_without_speech_yields_no_text_and_nothing_to_review(shared_data):
    silent = shared_data / "speech_audio" / "whispertimestamped__empty_nospeech.mp3"
    assert speech_intervals(silent) == []
    transcript = checked_transcript(silent, TranscribeOptions())
    assert transcript.segments == () and transcript.text == ""
    assert list_doubts("silent", transcript) == []
    result = CliRunner().invoke(cli, ["transcript", str(silent), "--format", "txt"])
    assert result.exit_code == 0 and result.output == ""


REVIEW_MANIFEST = """\
title: Review test
archives:
  sample: {clips}
clips:
  - id: icu07
    archive: sample
    clip: ICU07-01
    # The team's typed transcript, with a word the narrator never said.
    transcript: |
{verbatim}
  - {{id: icu12, archive: sample, clip: ICU12-01}}
touchpoints:
  - title: Nights
    selections:
      - {{clip: icu07, from: "The nights were", to: "worst part"}}
"""


@pytest.mark.slow
def test_review_command_lists_doubts_as_a_table_and_as_json(tmp_path):
    catalogue = yaml.safe_load((CLIPS / "catalogue.yaml").read_text(encoding="utf-8"))
    verbatim = next(c["transcript"] for c in catalogue["clips"] if c["id"] == "ICU07-01")
    assert "The nights were the worst part." in verbatim
    typed = verbatim.replace(
        "The nights were the worst part.", "The nights were truly the worst part."
    )
    manifest = tmp_path / "film.yaml"
    indented = "\n".join(f"      {line}" for line in typed.strip().splitlines())
    manifest.write_text(REVIEW_MANIFEST.format(clips=CLIPS, verbatim=indented), encoding="utf-8")

    table = CliRunner().invoke(cli, ["review", str(manifest)])
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["clip", "time", "text", "reason"]
    row = next(line for line in lines if " truly " in line)
    assert row.split()[0] == "icu07" and row.endswith("interpolated")
    assert "Verbatim alignment coverage: icu07" in table.stdout

    result = CliRunner().invoke(cli, ["review", str(manifest), "--format", "json"])
    data = json.loads(result.stdout)
    assert set(data["coverage"]) == {"icu07", "icu12"}
    assert all(value >= 0.9 for value in data["coverage"].values())
    truly = next(d for d in data["doubts"] if d["text"] == "truly")
    assert truly["clip"] == "icu07" and truly["reason"] == "interpolated"
    assert 0 < truly["start"] <= truly["end"] < 60
    assert mmss_tenths(truly["start"]) == row.split()[1]


@pytest.mark.slow
def test_a_clip_without_a_sound_track_has_no_speech(tmp_path):
    import subprocess

    import imageio_ffmpeg

    picture = tmp_path / "picture.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=gray:s=64x64:d=1",
            "-c:v",
            "libx264",
            "-an",
            str(picture),
        ],
        check=True,
    )
    assert speech_intervals(picture) == []

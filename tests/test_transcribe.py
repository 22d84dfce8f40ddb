"""Transcription with the bundled Whisper model, offline, on real recordings."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from triggerfilm.cli import cli
from triggerfilm.transcripts.model import Transcript
from triggerfilm.transcripts.options import TranscribeOptions
from triggerfilm.transcripts.store import cache_path, transcript_for


@pytest.mark.slow
def test_jfk_transcript_has_the_famous_words_with_monotonic_word_times(shared_data):
    jfk = shared_data / "speech_audio" / "whisper__jfk.flac"
    transcript = transcript_for(jfk, TranscribeOptions())
    text = " ".join(transcript.text.lower().replace(",", "").split())
    assert "ask not what your country can do for you" in text
    assert transcript.engine == "faster-whisper" and transcript.language == "en"
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts) and all(w.end >= w.start for w in transcript.words)
    americans = next(w for w in transcript.words if "Americans" in w.text)
    assert americans.start <= 1.8 <= americans.end


@pytest.mark.slow
def test_second_run_reads_the_cache_instead_of_transcribing(shared_data):
    jfk = shared_data / "speech_audio" / "whisper__jfk.flac"
    options = TranscribeOptions()
    first = transcript_for(jfk, options)
    entry = cache_path(jfk, options)
    assert entry.exists()
    stamp = entry.stat().st_mtime_ns
    assert transcript_for(jfk, options) == first
    assert entry.stat().st_mtime_ns == stamp  # nothing was transcribed or rewritten
    assert Transcript.from_dict(json.loads(entry.read_text())) == first


@pytest.mark.slow
def test_corrupt_cache_entry_is_redone_with_a_notice(shared_data):
    jfk = shared_data / "speech_audio" / "whisper__jfk.flac"
    options = TranscribeOptions(beam_size=4)  # its own cache entry, so other tests are unaffected
    transcript_for(jfk, options)
    entry = cache_path(jfk, options)
    entry.write_text("{not json", encoding="utf-8")
    notices: list = []
    again = transcript_for(jfk, options, notices=notices)
    assert "country" in again.text
    assert [n.topic for n in notices] == ["cache"] and "corrupt" in notices[0].message
    assert json.loads(entry.read_text())["engine"] == "faster-whisper"


@pytest.mark.slow
def test_transcript_command_prints_text_srt_and_nothing_for_silence(shared_data):
    runner = CliRunner()
    jfk = str(shared_data / "speech_audio" / "whisper__jfk.flac")
    text = runner.invoke(cli, ["transcript", jfk, "--format", "txt"])
    assert text.exit_code == 0 and "ask not what your country" in text.output.lower()
    srt = runner.invoke(cli, ["transcript", jfk, "--format", "srt"])
    assert srt.exit_code == 0 and srt.output.startswith("1\n00:00:0") and " --> " in srt.output
    vtt = runner.invoke(cli, ["transcript", jfk, "--format", "vtt"])
    assert vtt.exit_code == 0 and vtt.output.startswith("WEBVTT")
    silent = shared_data / "speech_audio" / "whispertimestamped__empty_nospeech.mp3"
    quiet = runner.invoke(cli, ["transcript", str(silent), "--format", "txt"])
    assert quiet.exit_code == 0 and quiet.output == ""


def test_transcript_of_a_file_that_is_not_media_exits_2(tmp_path):
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("these are meeting notes, not a video")
    result = CliRunner().invoke(cli, ["transcript", str(bogus)])
    assert result.exit_code == 2
    assert "notes.mp4" in result.output and "cannot be read as audio or video" in result.output

"""Batch transcription: interrupted runs resume, and the cache key names what made a transcript."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from triggerfilm import app
from triggerfilm.transcripts import store
from triggerfilm.transcripts.options import TranscribeOptions

from .conftest import CLIPS

MANIFEST = """\
title: Resume test
archives:
  sample: {clips}
clips:
  - {{id: a, archive: sample, clip: ICU12-01}}
  - {{id: b, archive: sample, clip: ICU15-01}}
touchpoints:
  - title: Going home
    selections:
      - {{clip: a, from: 1, to: 4}}
      - {{clip: b, from: 1, to: 4}}
"""


def _whisper_entries(cache: Path) -> list[Path]:
    # Whisper's own entries; checked (aligned, flagged) ones live in transcripts/checked/.
    return [p for p in cache.glob("transcripts/??/*.json")]


@pytest.mark.slow
def test_a_run_killed_mid_batch_resumes_with_the_clips_it_had_finished(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    manifest = tmp_path / "film.yaml"
    manifest.write_text(MANIFEST.format(clips=CLIPS), encoding="utf-8")
    env = dict(os.environ, TRIGGERFILM_CACHE=str(cache))
    run = subprocess.Popen(
        [sys.executable, "-m", "triggerfilm", "transcribe", str(manifest)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Its own process group, killed whole, as Ctrl-C in a terminal stops every worker.
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not _whisper_entries(cache) and run.poll() is None:
            assert time.monotonic() < deadline, "no clip was transcribed in 5 minutes"
            time.sleep(0.05)
        # A fast machine may have finished both clips already; the checks below hold either way.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
    finally:
        run.wait()
    finished = _whisper_entries(cache)
    assert finished, "the interrupted run cached nothing"

    monkeypatch.setenv("TRIGGERFILM_CACHE", str(cache))
    prepared = app.prepare(manifest)
    counts = app.transcribe_all(prepared, TranscribeOptions())
    assert counts.cached == len(finished) and counts.cached + counts.transcribed == 2
    assert set(prepared.transcripts) == {"a", "b"}
    assert all(t.text for t in prepared.transcripts.values())
    # A third run does no work at all.
    again = app.transcribe_all(app.prepare(manifest), TranscribeOptions())
    assert (again.cached, again.transcribed) == (2, 0)


@pytest.mark.slow
def test_batch_progress_reports_clips_done_and_audio_seconds(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(tmp_path / "cache"))  # nothing cached yet
    manifest = tmp_path / "film.yaml"
    manifest.write_text(MANIFEST.format(clips=CLIPS), encoding="utf-8")
    seen: list[tuple[str, float, float]] = []
    prepared = app.prepare(manifest)
    app.transcribe_all(prepared, TranscribeOptions(), lambda *a: seen.append(a))
    clips = [(done, total) for stage, done, total in seen if stage == "clips"]
    assert clips[0] == (0, 2) and (1, 2) in clips and clips[-1] == (2, 2)
    assert [d for d, _ in clips] == sorted(d for d, _ in clips)
    audio = [(done, total) for stage, done, total in seen if stage == "transcribe"]
    total = sum(m.duration for m in prepared.media.values())
    assert audio[-1] == (total, total)
    assert [d for d, _ in audio] == sorted(d for d, _ in audio)


def test_the_cache_key_changes_with_the_triggerfilm_version(monkeypatch):
    options = TranscribeOptions()
    media = "0" * 64
    before = store.cache_key(media, options)
    monkeypatch.setattr(store, "__version__", "999.0")
    assert store.cache_key(media, options) != before
    monkeypatch.undo()
    assert store.cache_key(media, options) == before
    assert store.cache_key(media, TranscribeOptions(beam_size=2)) != before

"""Transcription on a real Dask cluster: a scheduler and two workers on loopback, started as
separate processes with the `dask` command, as an operator would start them by hand."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from triggerfilm.transcripts.cluster import TASK_PREFIX
from triggerfilm.transcripts.options import TranscribeOptions
from triggerfilm.transcripts.store import cache_path

pytest.importorskip("distributed", reason="Dask distributed is not installed")

ROOT = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).with_name("dask")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _scheduler_address(found: Path, scheduler: subprocess.Popen) -> str:
    """The address the scheduler wrote, once it has written it (or a clear failure)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if scheduler.poll() is not None:
            pytest.fail(f"the dask scheduler exited ({scheduler.returncode}) before listening")
        try:
            return json.loads(found.read_text(encoding="utf-8"))["address"]
        except (OSError, ValueError, KeyError):
            time.sleep(0.1)  # not written yet, or written halfway
    pytest.fail("the dask scheduler wrote no address within 60 s")


def _start(args: list[str], log: Path, env: dict) -> subprocess.Popen:
    # A session of its own, so the whole process group (worker nannies included) can be ended.
    return subprocess.Popen(
        [str(DASK), *args],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def cluster(tmp_path):
    if not DASK.is_file():
        pytest.skip(f"the dask command is not installed beside {sys.executable}")
    env = dict(os.environ)
    # The workers import this checkout's triggerfilm, as the client does.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    # Port 0: the scheduler takes a free port itself and writes its address to a file, so no
    # other process can take a port chosen here in between.
    found = tmp_path / "scheduler.json"
    processes = [
        _start(
            ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(found)],
            tmp_path / "scheduler.log",
            env,
        )
    ]  # fmt: skip
    try:
        address = _scheduler_address(found, processes[0])
        for n in range(2):
            processes.append(
                _start(
                    ["worker", address, "--nworkers", "1", "--nthreads", "1", "--host",
                     "127.0.0.1", "--no-dashboard", "--name", f"worker-{n}"],
                    tmp_path / f"worker-{n}.log",
                    env,
                )
            )  # fmt: skip
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            _stop(process)


def _manifest(folder: Path, shared: Path) -> Path:
    path = folder / "film.yaml"
    jfk = shared / "speech_audio" / "whisper__jfk.flac"
    timit = shared / "speech_audio" / "deepspeech__LDC93S1_timit.wav"
    path.write_text(
        f"""title: Cluster
clips:
  - {{id: jfk, media: {jfk}, narrator: JFK}}
  - {{id: timit, media: {timit}, narrator: T01}}
touchpoints:
  - title: Words
    selections:
      - {{clip: jfk, from: 0, to: 3}}
""",
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
def test_transcribe_sends_one_task_per_clip_to_the_cluster(cluster, tmp_path, shared_data):
    from distributed import Client

    cache = tmp_path / "cache"  # empty: every clip must be transcribed, by the workers
    env = dict(os.environ, TRIGGERFILM_CACHE=str(cache))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    manifest = _manifest(tmp_path, shared_data)
    done = subprocess.run(
        [sys.executable, "-m", "triggerfilm", "transcribe", str(manifest), "--scheduler", cluster],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "2 clip(s) transcribed" in done.stdout
    assert "Clips" in done.stderr and "100%" in done.stderr  # the same progress bars

    def ran(dask_scheduler) -> dict:
        prefix = dask_scheduler.task_prefixes.get(TASK_PREFIX)
        if prefix is None:
            return {}
        return {
            "memory": prefix.state_counts["memory"],
            "compute_s": prefix.all_durations.get("compute", 0.0),
        }

    with Client(cluster, timeout=60) as client:
        stats = client.run_on_scheduler(ran)
    assert stats["memory"] == 2, stats  # the scheduler ran one task per clip...
    assert stats["compute_s"] > 0  # ...and its workers computed them

    options = TranscribeOptions()
    for name in ("whisper__jfk.flac", "deepspeech__LDC93S1_timit.wav"):
        os.environ["TRIGGERFILM_CACHE"], previous = str(cache), os.environ["TRIGGERFILM_CACHE"]
        try:
            entry = cache_path(shared_data / "speech_audio" / name, options)
        finally:
            os.environ["TRIGGERFILM_CACHE"] = previous
        assert entry.is_file(), f"no cached transcript for {name}"
        assert json.loads(entry.read_text(encoding="utf-8"))["segments"]

    again = subprocess.run(
        [sys.executable, "-m", "triggerfilm", "transcribe", str(manifest), "--scheduler", cluster],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert again.returncode == 0 and "0 clip(s) transcribed, 2 already" in again.stdout


@pytest.mark.slow
def test_an_unreachable_scheduler_is_a_clear_error(tmp_path, shared_data):
    manifest = _manifest(tmp_path, shared_data)
    env = dict(os.environ, TRIGGERFILM_CACHE=str(tmp_path / "cache"))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    address = f"tcp://127.0.0.1:{_free_port()}"
    done = subprocess.run(
        [sys.executable, "-m", "triggerfilm", "transcribe", str(manifest), "--scheduler", address],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "cannot reach the Dask scheduler" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_a_transcript_from_a_worker_without_a_shared_cache_is_stored_by_the_client(
    tmp_path, shared_data
):
    from triggerfilm.sources.local import file_sha256
    from triggerfilm.transcripts.cluster import ClipJob, _store_locally, run_job
    from triggerfilm.transcripts.store import entry_path, read_cached

    jfk = shared_data / "speech_audio" / "whisper__jfk.flac"
    options = TranscribeOptions()
    # The worker's own cache (here, the test session's), not the client's.
    result = run_job(ClipJob("jfk", str(jfk)), options, None)
    assert result["media_sha256"] == file_sha256(jfk)
    client_cache = tmp_path / "client-cache"
    _store_locally(result, options, client_cache)
    stored = read_cached(entry_path(result["media_sha256"], options, client_cache), "redo")
    assert stored is not None and "country" in stored.text


@pytest.mark.slow
def test_a_model_a_worker_makes_on_first_use_is_reported_at_the_client(
    tmp_path, shared_data, monkeypatch
):
    from triggerfilm.transcripts.cluster import ClipJob, result_notices, run_job
    from triggerfilm.transcripts.whisper_models import base_model_dir

    monkeypatch.setenv("TRIGGERFILM_CACHE", str(tmp_path / "worker-cache"))  # base not joined
    timit = shared_data / "speech_audio" / "deepspeech__LDC93S1_timit.wav"
    result = run_job(ClipJob("timit", str(timit)), TranscribeOptions(model="base"), None)
    noticed = result_notices(result)
    assert [(n.topic, n.message) for n in noticed] == [
        (
            "model",
            f"first use of Whisper base: its two halves joined once into {base_model_dir()} "
            f"(on worker {result['worker']})",
        )
    ]


def test_a_workers_cached_transcript_reaches_the_clients_cache(tmp_path, monkeypatch):
    """The same hand-over, fast: the worker finds the clip in its own cache (seeded), so no
    Whisper runs; the client stores exactly what the worker returned."""
    from tests.tiny_project import tiny_project, transcript_of
    from triggerfilm.transcripts.cluster import ClipJob, _store_locally, run_job
    from triggerfilm.transcripts.store import entry_path, read_cached

    project = tiny_project(tmp_path / "worker", monkeypatch)
    options = TranscribeOptions()
    result = run_job(ClipJob("ward", str(project.media["ward"])), options, None)
    assert result["clip"] == "ward"
    client_cache = tmp_path / "client-cache"
    _store_locally(result, options, client_cache)
    stored = read_cached(entry_path(result["media_sha256"], options, client_cache), "redo")
    assert stored == transcript_of("ward", options)
    assert stored.text == "Nights were long. Nurses helped."


def test_a_clip_a_worker_cannot_read_is_a_clear_error(tmp_path):
    from triggerfilm.errors import SourceError
    from triggerfilm.transcripts.cluster import ClipJob, run_job

    with pytest.raises(SourceError, match="not readable on worker"):
        run_job(ClipJob("gone", str(tmp_path / "gone.mp4")), TranscribeOptions(), None)


def test_a_workers_download_keeps_the_archives_trust_and_reports_a_damaged_copy(
    tmp_path, monkeypatch, http_server
):
    """A worker fetches an archive clip by URL: over plain http:// only when the manifest said
    `insecure: true`, and a damaged copy in its cache is fetched again with a notice that
    reaches the client (the user is there, not at the worker)."""
    from tests.tiny_project import tiny_project
    from triggerfilm.errors import TriggerfilmError
    from triggerfilm.sources.cache import ContentCache
    from triggerfilm.sources.local import file_sha256
    from triggerfilm.transcripts.cluster import ClipJob, result_notices, run_job

    project = tiny_project(tmp_path / "worker", monkeypatch)  # transcripts seeded: no Whisper
    media = project.media["ward"].read_bytes()
    sha = file_sha256(project.media["ward"])
    http_server.add("/m/ward.mp4", media)
    url = http_server.url("/m/ward.mp4")
    with pytest.raises(TriggerfilmError, match="http"):
        run_job(ClipJob("ward", url=url, sha256=sha), TranscribeOptions(), None)
    assert http_server.requests_for("/m/ward.mp4") == []  # refused before any request
    # A copy in the worker's cache that changed on disk since it was stored.
    damaged = ContentCache().put_bytes(media)
    damaged.chmod(0o644)
    damaged.write_bytes(media[:-100] + b"\0" * 100)
    job = ClipJob("ward", url=url, sha256=sha, insecure=True)
    result = run_job(job, TranscribeOptions(), None)
    assert result["media_sha256"] == sha
    assert len(http_server.requests_for("/m/ward.mp4")) == 1
    (notice,) = result_notices(result)
    assert notice.topic == "cache" and notice.where == url
    assert "no longer matches its sha256" in notice.message
    assert f"on worker {result['worker']}" in notice.message
    # A clean run sends nothing back to warn about.
    assert result_notices(run_job(job, TranscribeOptions(), None)) == []

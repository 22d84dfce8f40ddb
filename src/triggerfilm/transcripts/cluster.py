"""Transcribing on a Dask distributed cluster: one task per clip.

Any Dask deployment works: ``dask scheduler`` and ``dask worker`` started by hand, Kubernetes,
or SLURM through dask-jobqueue. Each worker needs triggerfilm (the same version) installed, and
either the media at the same path as the client sees it (a shared file system) or a URL with a
SHA-256 to fetch it by (into the worker's own download cache, checked). A worker writes the
transcript into the content-addressed transcript cache at ``cache`` (the client's, when it is
on a shared path) and also returns it, so the client stores it in its own cache too when that
is not shared: either way the next run on the client finds every transcript cached.

Task keys start ``transcribe-clip-``, so the scheduler's dashboard and task stream show them
under one name.
"""

from __future__ import annotations

import json
import os
import re
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SourceError, TriggerfilmError
from ..notices import Notice
from .model import Transcript
from .options import TranscribeOptions
from .store import entry_path, read_cached, transcript_for, write_cached

TASK_PREFIX = "transcribe-clip"
# How long the client waits for the scheduler to answer before saying it cannot reach it.
CONNECT_TIMEOUT_S = 20


@dataclass(frozen=True)
class ClipJob:
    """One clip to transcribe on a worker."""

    name: str  # the clip id, for progress and messages
    path: str | None = None  # the media as the client sees it (shared path), if any
    url: str | None = None  # where a worker can fetch it otherwise
    sha256: str | None = None  # the media's content hash, when known (checks a download)
    duration: float = 0.0  # seconds of media, for the progress bar (0: unknown)
    # The manifest lets this clip's archive use plain http:// (its client already said so).
    insecure: bool = False


def run_job(job: ClipJob, options: TranscribeOptions, cache: str | None) -> dict[str, str]:
    """On a worker: find or fetch the media, transcribe it into the cache, return the result.

    Runs in the worker process; everything it needs comes in its arguments. What the worker
    noticed (a damaged cached download fetched again, a damaged cache entry made again, a model
    made on first use on this worker) travels back in the result, since the user sits at the
    client: see :func:`result_notices`.
    """
    from ..sources.cache import ContentCache
    from ..sources.download import download
    from ..sources.local import file_sha256

    root = Path(cache) if cache else None
    notices: list[Notice] = []
    media = Path(job.path) if job.path else None
    if media is None or not media.is_file():
        if not job.url:
            raise SourceError(
                f"clip {job.name}: media {job.path} is not readable on worker "
                f"{socket.gethostname()}",
                hint="Put the media on a path every worker shares, or give the clip a URL and "
                "sha256 in the archive catalogue",
            )
        media = download(
            job.url,
            job.sha256,
            ContentCache(root) if root else None,
            insecure=job.insecure,
            notices=notices,
        )
    transcript = transcript_for(media, options, root=root, notices=notices)
    return {
        "clip": job.name,
        "media_sha256": file_sha256(media),
        # As the JSON the cache holds: what the client stores needs no other conversion.
        "transcript": json.dumps(transcript.to_dict()),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "notices": json.dumps([[n.topic, n.message, n.where] for n in notices]),
    }


def result_notices(result: dict[str, str]) -> list[Notice]:
    """The notices a worker sent back with a clip's result, each naming the worker."""
    return [
        Notice(topic, f"{message} (on worker {result['worker']})", where)
        for topic, message, where in json.loads(result.get("notices", "[]"))
    ]


def _task_key(index: int, job: ClipJob) -> str:
    # The number right after the prefix ends Dask's key_split, so every task groups under it.
    label = re.sub(r"[^A-Za-z0-9]+", "_", job.name)[:40]
    return f"{TASK_PREFIX}-{index}-{label}-{uuid.uuid4().hex[:8]}"


def connect(scheduler: str) -> Any:
    """A Dask client on ``scheduler`` (tcp://HOST:PORT), or a clear error."""
    try:
        from distributed import Client
    except ImportError:
        raise TriggerfilmError(
            "transcribing on a Dask cluster needs Dask distributed, which is not installed",
            hint="Run `pip install distributed` (make test installs it)",
        ) from None
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise TriggerfilmError(
            f"cannot reach the Dask scheduler at {scheduler} ({error})",
            field="scheduler",
            expected="the address a running `dask scheduler` prints, e.g. tcp://10.0.0.5:8786",
            hint="Start the scheduler and workers first (docs/scale.md)",
        ) from None


def transcribe_on_cluster(
    jobs: list[ClipJob],
    options: TranscribeOptions,
    scheduler: str,
    done: Callable[[int, dict[str, str]], None] | None = None,
    cache: Path | None = None,
) -> list[dict[str, str]]:
    """Send one task per clip to the cluster and wait for all; ``done(i, result)`` reports
    each clip as it finishes (in the order they finish). Returns the results in job order.

    Every finished transcript is stored in the client's cache as it arrives, so an interrupted
    run resumes with the clips it had not received.
    """
    from distributed import as_completed

    client = connect(scheduler)
    try:
        cache_arg = str(cache) if cache else None
        futures = {
            client.submit(
                run_job, job, options, cache_arg, key=_task_key(i, job), pure=False, retries=1
            ): i
            for i, job in enumerate(jobs)
        }
        results: list[dict[str, str] | None] = [None] * len(jobs)
        for future in as_completed(list(futures), loop=client.loop):
            index = futures[future]
            result = future.result()  # a worker's TriggerfilmError is raised here, intact
            _store_locally(result, options, cache)
            results[index] = result
            if done:
                done(index, result)
        return [r for r in results if r is not None]
    finally:
        client.close()


def _store_locally(result: dict[str, str], options: TranscribeOptions, cache: Path | None) -> None:
    """Put a worker's transcript into the client's cache unless it is there already (a cache
    shared with the workers has it)."""
    path = entry_path(result["media_sha256"], options, cache)
    if read_cached(path, "storing the cluster's transcript again") is None:
        write_cached(path, Transcript.from_dict(json.loads(result["transcript"])))

"""Transcribing many clips at once, on the machine's cores.

Whisper decoding is largely sequential: on 2 cores a second CTranslate2 thread gains ~20 %,
while two processes with one thread each transcribe two clips side by side. Measured with
``pipeline.transcribe_all`` on the demo's 5 sample clips (212 s of audio, VAD and alignment
included, 2-core machine, load ~1): 2 processes x 1 thread 13.3 and 14.0 s; 1 process x 2
threads 22.9 and 22.4 s. So a batch with two or more clips to do runs one process per core (up
to MAX_PROCESSES; each loads its own model), one thread each.

Workers are spawned (see below), so a script that calls this must guard its top level with
``if __name__ == "__main__":`` as multiprocessing requires; the command line does.

Every clip's transcript is written to the cache the moment it is done, so a batch that is
interrupted resumes with only the clips it had not finished.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from functools import partial
from multiprocessing.queues import Queue
from pathlib import Path

from ..notices import Notice
from .options import TranscribeOptions
from .store import ready_model, transcript_for

# Each process holds a model in memory; beyond a few, memory rather than cores runs out.
MAX_PROCESSES = 4

_progress_queue: Queue[tuple[int, float]] | None = None


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def plan_workers(
    options: TranscribeOptions, pending: int, cores: int | None = None
) -> tuple[int, int | None]:
    """(processes, threads per process) for ``pending`` clips.

    >>> plan_workers(TranscribeOptions(), 5, cores=2)
    (2, 1)
    >>> plan_workers(TranscribeOptions(), 1, cores=2)
    (1, None)
    >>> plan_workers(TranscribeOptions(threads=2), 5, cores=2)
    (1, None)
    """
    cores = cores or _cores()
    threads = options.threads or 1
    processes = min(pending, cores // threads, MAX_PROCESSES)
    if processes < 2:
        return 1, None  # one process: the engine uses the user's thread setting
    return processes, threads


def _init(progress_queue: Queue[tuple[int, float]]) -> None:
    global _progress_queue
    _progress_queue = progress_queue


def _work(index: int, media: Path, options: TranscribeOptions, threads: int | None) -> int:
    def step(seconds: float) -> None:
        assert _progress_queue is not None  # set by _init in every worker
        _progress_queue.put((index, seconds))

    transcript_for(media, options, step, threads=threads)
    return index


def transcribe_batch(
    media: list[Path],
    options: TranscribeOptions,
    progress: Callable[[int, float | None], None] | None = None,
    notices: list[Notice] | None = None,
) -> None:
    """Put every file's transcript in the cache; ``progress(i, seconds)`` reports how far the
    i-th file has got, and ``progress(i, None)`` that it is done (and cached).

    A model made on first use (base joined, a checkpoint converted) is made here, once, before
    any worker starts, and reported on ``notices``: each worker would otherwise make it too,
    and what a worker notices does not come back to this process."""
    if not media:
        return
    ready_model(options, notices)
    processes, threads = plan_workers(options, len(media))
    report = progress or (lambda i, s: None)
    if processes == 1:
        for i, path in enumerate(media):
            transcript_for(path, options, partial(report, i), notices=notices)
            report(i, None)
        return
    # spawn, not fork: the parent may already run ONNX or CTranslate2 threads, which a forked
    # child would inherit in a locked state.
    context = multiprocessing.get_context("spawn")
    updates: Queue[tuple[int, float]] = context.Queue()
    with ProcessPoolExecutor(
        processes, mp_context=context, initializer=_init, initargs=(updates,)
    ) as pool:
        running = {pool.submit(_work, i, path, options, threads) for i, path in enumerate(media)}
        while running:
            done, running = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(updates, report)
            for future in done:
                report(future.result(), None)  # result() re-raises a worker's error here


def _drain(updates: Queue[tuple[int, float]], report: Callable[[int, float | None], None]) -> None:
    while True:
        try:
            index, seconds = updates.get_nowait()
        except queue.Empty:
            return
        report(index, seconds)

"""The ``transcribe`` use case for a manifest or a whole archive, here or on a Dask cluster."""

from __future__ import annotations

from pathlib import Path

from ..sources.catalogue import fetch_media, load_catalogue
from ..sources.catalogue_model import Archive
from ..store import cache_root
from ..transcripts.batch import transcribe_batch
from ..transcripts.cluster import ClipJob, result_notices, transcribe_on_cluster
from ..transcripts.options import TranscribeOptions
from ..transcripts.store import cached_transcript, entry_path, read_cached
from .notices import Notice, Progress
from .prepared import TranscribeReport, prepare, transcribe_all
from .selecting import local_media
from .target import Target


def transcribe_target(
    location: str | Path,
    options: TranscribeOptions,
    progress: Progress | None = None,
    scheduler: str | None = None,
) -> TranscribeReport:
    """Transcribe every clip of a manifest, or of an archive (folder, catalogue file or URL),
    into the cache; with ``scheduler`` (tcp://HOST:PORT) one Dask task per clip."""
    target = Target.parse(str(location))
    if target.manifest is not None:
        return transcribe_all(prepare(target.manifest), options, progress, scheduler)
    notices: list[Notice] = []
    archive = load_catalogue(str(location), notices=notices)
    return _transcribe_archive(archive, options, progress, scheduler, notices)


def _transcribe_archive(
    archive: Archive,
    options: TranscribeOptions,
    progress: Progress | None,
    scheduler: str | None,
    notices: list[Notice],
) -> TranscribeReport:
    """Every archive clip with media into the cache. Here, remote media is downloaded first;
    on a cluster, each worker reads a local archive's media at its path (a shared folder) or
    fetches a remote clip by its URL and checks its sha256."""
    with_media = [clip for clip in archive.clips if clip.media is not None]
    jobs: list[ClipJob] = []
    cached = 0
    for clip in with_media:
        media = local_media(archive, clip)
        if media is not None:
            if cached_transcript(media, options, notices) is not None:
                cached += 1
                continue
            jobs.append(ClipJob(clip.id, str(media), sha256=clip.sha256))
            continue
        known = clip.sha256 and read_cached(entry_path(clip.sha256, options), "transcribing")
        if known:
            cached += 1
            continue
        location = archive.media_location(clip)
        jobs.append(ClipJob(clip.id, url=location, sha256=clip.sha256, insecure=archive.insecure))
    total = len(with_media)
    finished = [cached]

    def report(index: int, seconds: float | None) -> None:
        if seconds is None:
            finished[0] += 1
            if progress:
                progress("clips", finished[0], total)

    if progress:
        progress("clips", cached, total)
    if scheduler:

        def arrived(index: int, result: dict[str, str]) -> None:
            notices.extend(result_notices(result))
            report(index, None)

        transcribe_on_cluster(jobs, options, scheduler, arrived, cache_root())
    else:
        by_id = {clip.id: clip for clip in with_media}
        paths = [
            Path(job.path) if job.path else fetch_media(archive, by_id[job.name], notices=notices)
            for job in jobs
        ]
        transcribe_batch(paths, options, report, notices)
    return TranscribeReport(cached, len(jobs), tuple(notices))

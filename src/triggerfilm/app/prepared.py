"""The first use cases every other one builds on: load and resolve a manifest, transcribe its
clips, plan the timeline; and the ``transcript`` command (``transcribe`` is
``transcription.transcribe_target``).

:class:`Prepared` is the app layer's working set and never leaves ``app/``: stages are called
with the explicit values they need (a manifest, its sources, its transcripts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..captions.profiles import get_profile
from ..captions.writers import cues_from_segments, format_srt, format_vtt
from ..editplan.build import ClipMaterial, build_timeline
from ..editplan.timeline import Timeline
from ..manifest.load import load_manifest
from ..manifest.model import Manifest
from ..media.probe import MediaInfo, probe
from ..sources.resolve import SourceClip, resolve_sources
from ..store import cache_root
from ..transcripts.batch import transcribe_batch
from ..transcripts.checked import alignment_problem, checked_transcript
from ..transcripts.cluster import ClipJob, result_notices, transcribe_on_cluster
from ..transcripts.corrections import Correction, corrections_folder, load_correction
from ..transcripts.model import Transcript
from ..transcripts.options import TranscribeOptions
from ..transcripts.store import cached_transcript
from .notices import Notice, Progress


@dataclass
class Prepared:
    """A loaded manifest with its resolved sources, probed media and (once made) transcripts."""

    manifest: Manifest
    sources: dict[str, SourceClip]
    media: dict[str, MediaInfo]
    transcripts: dict[str, Transcript] = field(default_factory=dict)
    # Clips whose transcript a person corrected (``triggerfilm correct``, the studio).
    corrections: dict[str, Correction] = field(default_factory=dict)
    # The options the transcripts were made with: the caller's, with the manifest's
    # `transcription: {model: ...}` unless the caller named a model.
    transcribe_options: TranscribeOptions | None = None
    # What resolving the sources noticed (an archive over plain http://, a damaged download).
    notices: list[Notice] = field(default_factory=list)

    def material(self) -> dict[str, ClipMaterial]:
        """Each clip's source, probe and transcript: what ``build_timeline`` plans from. Call
        it after ``transcribe_all``, which fills ``transcripts``."""
        return {
            cid: ClipMaterial(self.sources[cid], self.media[cid], self.transcripts[cid])
            for cid in self.sources
        }


@dataclass(frozen=True)
class TranscribeReport:
    """What transcribing a manifest's clips did: how many were cached, how many made now."""

    cached: int
    transcribed: int
    notices: tuple[Notice, ...] = ()


def prepare(manifest_path: str | Path) -> Prepared:
    """Load the manifest strictly, find every source and probe it. Writes nothing."""
    manifest = load_manifest(manifest_path)
    notices: list[Notice] = []
    sources = resolve_sources(manifest, notices=notices)
    # A person's correction is the clip's verbatim transcript from now on: it wins over the
    # manifest's and the archive's text, whatever engine or model transcribes the clip.
    folder = corrections_folder(manifest.path)
    corrections = {}
    for cid, src in sources.items():
        correction = load_correction(folder, cid) if folder.is_dir() else None
        if correction is not None:
            corrections[cid] = correction
            sources[cid] = replace(src, transcript_text=correction.text)
    media = {cid: probe(src.path) for cid, src in sources.items()}
    return Prepared(manifest, sources, media, corrections=corrections, notices=notices)


def transcribe_all(
    prepared: Prepared,
    options: TranscribeOptions,
    progress: Progress | None = None,
    scheduler: str | None = None,
) -> TranscribeReport:
    """Transcribe every clip not yet in the cache, filling ``prepared.transcripts``.

    With ``scheduler`` (tcp://HOST:PORT) each clip is a task on that Dask cluster
    (transcripts/cluster.py); its workers must see the media at the same paths.
    """
    options = options.for_manifest(prepared.manifest.transcription_model)
    prepared.transcribe_options = options
    total = sum(m.duration for m in prepared.media.values())
    clips = list(prepared.sources)
    sources = prepared.sources
    # A picture with no sound track has nothing to transcribe (and Whisper cannot open it).
    silent = {cid for cid in clips if not prepared.media[cid].has_audio}
    # The sources' notices first: every use case that transcribes hands these up. A damaged
    # cache entry found below is reported here too (it is made again, then read back clean).
    notices = list(prepared.notices)
    pending = [
        cid
        for cid in clips
        if cid not in silent and cached_transcript(sources[cid].path, options, notices) is None
    ]
    # Clips run side by side, one per core (transcripts/batch.py has the measurements), and
    # each is cached the moment it is done, so an interrupted run resumes where it stopped.
    seconds = {cid: prepared.media[cid].duration for cid in clips if cid not in pending}
    finished = set(seconds)

    def step(index: int, done: float | None) -> None:
        cid = pending[index]
        if cid in finished:
            return  # a worker's last report can arrive after its clip is done
        length = prepared.media[cid].duration
        seconds[cid] = length if done is None else min(done, length)
        if done is None:
            finished.add(cid)
        if progress:
            progress("clips", len(finished), len(clips))
            progress("transcribe", sum(seconds.values()), total)

    if progress:
        progress("clips", len(finished), len(clips))
    if scheduler:
        jobs = [
            ClipJob(cid, str(sources[cid].path), duration=prepared.media[cid].duration)
            for cid in pending
        ]

        def arrived(index: int, result: dict[str, str]) -> None:
            notices.extend(result_notices(result))
            step(index, None)

        transcribe_on_cluster(jobs, options, scheduler, arrived, cache_root())
    else:
        transcribe_batch([sources[cid].path for cid in pending], options, step, notices)
    for cid in clips:
        source = prepared.sources[cid]
        if cid in silent:
            prepared.transcripts[cid] = empty_transcript(prepared.media[cid].duration, options)
            continue
        # What later stages use: doubts marked, and the verbatim words when the clip has them.
        checked = checked_transcript(source.path, options, source.transcript_text, notices=notices)
        prepared.transcripts[cid] = checked
        problem = alignment_problem(checked)
        if problem:
            notices.append(Notice("alignment", problem, where=cid))
    if progress:
        progress("transcribe", total, total)
        progress("clips", len(clips), len(clips))
    return TranscribeReport(len(clips) - len(pending), len(pending), tuple(notices))


def empty_transcript(duration: float, options: TranscribeOptions) -> Transcript:
    return Transcript(
        (), options.language or "en", duration, options.engine, options.model, options.to_dict()
    )


def plan(prepared: Prepared) -> Timeline:
    """The timeline of the film as the manifest describes it (needs the transcripts)."""
    return build_timeline(prepared.manifest, prepared.material())


def planned(
    manifest_path: str | Path,
    options: TranscribeOptions | None = None,
    progress: Progress | None = None,
) -> tuple[Prepared, Timeline, TranscribeReport]:
    """Prepare, transcribe what is missing, and plan: what most use cases start from."""
    prepared = prepare(manifest_path)
    counts = transcribe_all(prepared, options or TranscribeOptions(), progress)
    return prepared, plan(prepared), counts


def transcript_text(
    media: str | Path,
    options: TranscribeOptions,
    fmt: str,
    notices: list[Notice] | None = None,
) -> str:
    """The transcript of one media file as txt, srt, vtt or json text.

    Silence gives empty output in every text format, never invented words. A damaged cache
    entry, made again, is reported on ``notices``.
    """
    media = Path(media)
    info = probe(media)  # a clear error for a missing or non-media file before any model loads
    # With its doubts marked (json shows them); the text is Whisper's, unchanged.
    if info.has_audio:
        transcript = checked_transcript(media, options, notices=notices)
    else:
        transcript = empty_transcript(info.duration, options)
    if fmt == "json":
        return json.dumps(transcript.to_dict(), indent=1) + "\n"
    if fmt == "txt":
        return transcript.text + "\n" if transcript.text else ""
    cues = cues_from_segments(transcript, get_profile("default"))
    return format_srt(cues) if fmt == "srt" else format_vtt(cues)

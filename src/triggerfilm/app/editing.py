"""The facilitator's editing loop as use cases: plan report, search, cut sheet.

These only string stages together (manifest → sources → transcripts → edit plan → reports).
Everything that needs quotes resolved transcribes what is missing first, from the cache when it
can.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..editplan.cutsheet import (
    ClipSentences,
    parse_cutsheet,
    plan_apply,
    write_cutsheet,
)
from ..editplan.search import SearchDoc, SearchHit, SearchQuery, search
from ..editplan.sentences import sentences
from ..editplan.timeline import Timeline
from ..errors import TriggerfilmError
from ..manifest.edit import ManifestEditor, NewSelection
from ..reports.plan import DEFAULT_TARGET_MINUTES, PlanReport, build_plan_report
from ..sources.cache import ContentCache
from ..sources.catalogue import Archive, ArchiveClip, fetch_media, load_catalogue
from ..store import write_text
from ..transcripts.options import TranscribeOptions
from ..transcripts.store import cached_transcript, transcript_for
from .notices import Progress
from .prepared import Prepared, planned, prepare, transcribe_all


def plan_report(
    manifest_path: str | Path,
    target_minutes: float = DEFAULT_TARGET_MINUTES,
    options: TranscribeOptions | None = None,
    progress: Progress | None = None,
) -> PlanReport:
    """The running order, timings, shares, balance and warnings of the film as planned."""
    prepared, timeline, _ = planned(manifest_path, options, progress)
    return build_plan_report(timeline, prepared.sources, target_minutes)


# --- search ------------------------------------------------------------------------------------


def search_docs(
    *,
    archive: str | None = None,
    manifest: str | Path | None = None,
    options: TranscribeOptions | None = None,
    transcribe: bool = False,
    progress: Progress | None = None,
) -> tuple[list[SearchDoc], TranscribeOptions]:
    """The clips to search, as documents: an archive's, or a manifest's and the rest of its
    archives; and the transcription options their transcripts were made with.

    A manifest's own clips are transcribed when needed; other archive clips are searched in
    their cached Whisper transcripts only (plus their catalogue text) unless ``transcribe``.
    """
    if (archive is None) == (manifest is None):
        raise TriggerfilmError(
            "say where to search", expected="either an archive or a manifest, not both"
        )
    options = options or TranscribeOptions()
    docs: list[SearchDoc] = []
    if archive is not None:
        loaded = load_catalogue(archive)
        total = len(loaded.clips)
        for done, clip in enumerate(loaded.clips):
            if progress and transcribe:
                progress("clips", done, total)
            docs.append(_archive_doc(loaded, clip, None, options, transcribe))
        if progress and transcribe:
            progress("clips", total, total)
        return docs, options
    prepared = prepare(manifest)
    transcribe_all(prepared, options, progress)
    options = prepared.transcribe_options or options
    m = prepared.manifest
    catalogues = {name: load_catalogue(location) for name, location in m.archives.items()}
    used: set[tuple[str, str]] = set()
    for ref in m.clips:
        src = prepared.sources[ref.id]
        entry = None
        if ref.archive:
            entry = catalogues[ref.archive].clip(ref.archive_clip)
            used.add((ref.archive, entry.id))
        docs.append(
            SearchDoc(
                clip=ref.id,
                narrator=src.narrator,
                descriptor=src.descriptor,
                role=src.role,
                media_type=src.media_type or prepared.media[ref.id].media_type,
                title=entry.title if entry else None,
                topics=entry.topics if entry else (),
                verbatim=src.transcript_text,
                transcript=prepared.transcripts[ref.id],
                archive=ref.archive,
                archive_clip=ref.archive_clip,
                in_manifest=True,
            )
        )
    for name, loaded in catalogues.items():
        for clip in loaded.clips:
            if (name, clip.id) not in used:
                docs.append(_archive_doc(loaded, clip, name, options, transcribe))
    return docs, options


def search_clips(
    query: SearchQuery,
    *,
    archive: str | None = None,
    manifest: str | Path | None = None,
    options: TranscribeOptions | None = None,
    transcribe: bool = False,
    progress: Progress | None = None,
) -> list[SearchHit]:
    """Search an archive's clips, or a manifest's clips and the rest of its archives, by
    scanning every transcript (see ``indexing.search`` for the indexed search)."""
    docs, _ = search_docs(
        archive=archive, manifest=manifest, options=options, transcribe=transcribe,
        progress=progress,
    )  # fmt: skip
    return search(docs, query)


def _archive_doc(
    archive: Archive,
    clip: ArchiveClip,
    name: str | None,
    options: TranscribeOptions,
    transcribe: bool,
) -> SearchDoc:
    transcript = None
    media = local_media(archive, clip)
    if media is None and transcribe and clip.media is not None:
        media = fetch_media(archive, clip)
    if media is not None:
        transcript = (
            transcript_for(media, options) if transcribe else cached_transcript(media, options)
        )
    return SearchDoc(
        # Named after its archive when searched beside a manifest's own clips.
        clip=f"{name}:{clip.id}" if name else clip.id,
        narrator=clip.interview,
        descriptor=clip.narrator.descriptor,
        role=clip.narrator.role,
        media_type=clip.media_type,
        title=clip.title,
        topics=clip.topics,
        verbatim=clip.transcript,
        transcript=transcript,
        archive=name,
        archive_clip=clip.id,
    )


def local_media(archive: Archive, clip: ArchiveClip) -> Path | None:
    """The clip's media if it is on this machine already (archive folder or download cache)."""
    location = archive.media_location(clip)
    if location is None:
        return None
    if not archive.is_remote:
        path = Path(location)
        return path if path.is_file() else None
    cache = ContentCache()
    return cache.get(clip.sha256) if clip.sha256 else cache.lookup_url(location)


def add_hit(manifest_path: str | Path, touchpoint: str, hit: SearchHit) -> NewSelection:
    """Append ``hit``'s sentence to the touchpoint as a selection; declare its clip if new."""
    if hit.start is None or hit.end is None:
        raise TriggerfilmError(
            f"the match in {hit.clip}'s {hit.field} has no time in the recording",
            expected="a match in a transcript",
            hint="Search for words spoken in the clip, or run `triggerfilm transcribe` first",
        )
    editor = ManifestEditor(manifest_path)
    t = editor.touchpoint_index(touchpoint)
    clip = hit.clip
    if not hit.in_manifest:
        assert hit.archive is not None and hit.archive_clip is not None
        clip = editor.add_archive_clip(hit.archive, hit.archive_clip)
    selection = NewSelection(clip, hit.start, hit.end)
    editor.append_selection(t, selection)
    editor.save()
    return selection


# --- cut sheet ---------------------------------------------------------------------------------


def _sheet_material(
    manifest_path: str | Path, options: TranscribeOptions | None, progress: Progress | None
) -> tuple[Prepared, Timeline, list[ClipSentences]]:
    prepared, timeline, _ = planned(manifest_path, options, progress)
    clips = []
    for ref in prepared.manifest.clips:
        src = prepared.sources[ref.id]
        media_type = src.media_type or prepared.media[ref.id].media_type
        heading = " · ".join(
            part for part in (src.narrator, src.descriptor, media_type, ref.archive_clip) if part
        )
        said = tuple(sentences(prepared.transcripts[ref.id]))
        clips.append(ClipSentences(ref.id, heading, said))
    return prepared, timeline, clips


def write_cutsheet_file(
    manifest_path: str | Path,
    out: str | Path | None = None,
    options: TranscribeOptions | None = None,
    progress: Progress | None = None,
) -> Path:
    """Write the manifest's cut sheet (default: beside it, NAME.cutsheet.md)."""
    prepared, timeline, clips = _sheet_material(manifest_path, options, progress)
    path = Path(out) if out else prepared.manifest.path.with_suffix(".cutsheet.md")
    write_text(path, write_cutsheet(prepared.manifest, timeline, clips))
    return path


@dataclass(frozen=True)
class ApplyReport:
    changed: tuple[str, ...]  # titles of the touchpoints rewritten
    selections: int  # selections in those touchpoints now


def apply_cutsheet_file(
    manifest_path: str | Path,
    sheet: str | Path,
    options: TranscribeOptions | None = None,
    progress: Progress | None = None,
) -> ApplyReport:
    """Turn the sheet's ticks into the manifest's selections, keeping all else as written."""
    sheet = Path(sheet)
    try:
        text = sheet.read_text(encoding="utf-8")
    except OSError as error:
        raise TriggerfilmError(
            f"cannot read the cut sheet ({error.strerror})", where=sheet
        ) from None
    prepared, timeline, clips = _sheet_material(manifest_path, options, progress)
    manifest = prepared.manifest
    lines = parse_cutsheet(text, sheet)
    changes = plan_apply(manifest, timeline, lines, clips, sheet)
    if changes:
        editor = ManifestEditor(manifest.path)
        for t, entries in changes.items():
            editor.set_selections(t, entries)
        editor.save()
    return ApplyReport(
        changed=tuple(manifest.touchpoints[t].title for t in changes),
        selections=sum(len(e) for e in changes.values()),
    )


__all__ = [
    "ApplyReport", "add_hit", "apply_cutsheet_file", "plan_report",
    "search_clips", "search_docs", "write_cutsheet_file",
]  # fmt: skip

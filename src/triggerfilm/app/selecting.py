"""The facilitator's editing loop as use cases: plan report, search, cut sheet.

These only string stages together (manifest → sources → transcripts → edit plan → reports).
Everything that needs quotes resolved transcribes what is missing first, from the cache when it
can.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..editplan.cutsheet import (
    ClipSentences,
    SheetLine,
    check_selected,
    parse_cutsheet,
    plan_apply,
    read_cutsheet,
    write_cutsheet,
)
from ..editplan.search import SearchDoc, SearchHit, SearchQuery, search
from ..editplan.sentences import sentences
from ..editplan.timeline import Timeline
from ..errors import TriggerfilmError
from ..manifest.rewrite import KeptSelection, ManifestEditor, NewSelection, keeps_all_but
from ..reports.plan import DEFAULT_TARGET_MINUTES, PlanReport, build_plan_report
from ..sources.cache import ContentCache
from ..sources.catalogue import (
    Archive,
    ArchiveClip,
    fetch_media,
    load_archive,
    load_catalogue,
    local_media_path,
)
from ..store import write_text
from ..transcripts.options import TranscribeOptions
from ..transcripts.store import cached_transcript, transcript_for
from .notices import Notice, Progress
from .prepared import Prepared, plan, planned, prepare, transcribe_all
from .target import Target


def plan_report(
    manifest_path: str | Path,
    target_minutes: float = DEFAULT_TARGET_MINUTES,
    options: TranscribeOptions | None = None,
    progress: Progress | None = None,
    notices: list[Notice] | None = None,
) -> PlanReport:
    """The running order, timings, shares, balance and warnings of the film as planned; what
    resolving and transcribing noticed goes on ``notices``."""
    prepared, timeline, counts = planned(manifest_path, options, progress)
    if notices is not None:
        notices.extend(counts.notices)
    return build_plan_report(timeline, prepared.sources, target_minutes)


# --- search ------------------------------------------------------------------------------------


def search_docs(
    target: Target,
    options: TranscribeOptions | None = None,
    transcribe: bool = False,
    progress: Progress | None = None,
    notices: list[Notice] | None = None,
) -> tuple[list[SearchDoc], TranscribeOptions]:
    """The clips to search, as documents: an archive's, or a manifest's and the rest of its
    archives; and the transcription options their transcripts were made with.

    A manifest's own clips are transcribed when needed; other archive clips are searched in
    their cached Whisper transcripts only (plus their catalogue text) unless ``transcribe``.
    What reading the archives and transcribing noticed goes on ``notices``.
    """
    options = options or TranscribeOptions()
    docs: list[SearchDoc] = []
    if target.archive is not None:
        loaded = load_catalogue(target.archive, notices=notices)
        total = len(loaded.clips)
        for done, clip in enumerate(loaded.clips):
            if progress and transcribe:
                progress("clips", done, total)
            docs.append(_archive_doc(loaded, clip, None, options, transcribe, notices))
        if progress and transcribe:
            progress("clips", total, total)
        return docs, options
    assert target.manifest is not None  # a Target is one of the two
    prepared = prepare(target.manifest)
    counts = transcribe_all(prepared, options, progress)
    if notices is not None:
        notices.extend(counts.notices)
    options = prepared.transcribe_options or options
    m = prepared.manifest
    catalogues = {name: load_archive(m, name, notices=notices) for name in m.archives}
    used: set[tuple[str, str]] = set()
    for ref in m.clips:
        src = prepared.sources[ref.id]
        entry = None
        if ref.archive and ref.archive_clip:
            entry = catalogues[ref.archive].clip(ref.archive_clip)
            used.add((ref.archive, entry.id))
        docs.append(
            SearchDoc(
                clip=ref.id,
                narrator=src.narrator,
                who=src.who,
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
                docs.append(_archive_doc(loaded, clip, name, options, transcribe, notices))
    return docs, options


def search_clips(
    query: SearchQuery,
    target: Target,
    options: TranscribeOptions | None = None,
    *,
    transcribe: bool = False,
    progress: Progress | None = None,
    notices: list[Notice] | None = None,
) -> list[SearchHit]:
    """Search an archive's clips, or a manifest's clips and the rest of its archives, by
    scanning every transcript (see ``indexing.search`` for the indexed search)."""
    docs, _ = search_docs(target, options, transcribe, progress, notices)
    return search(docs, query)


def _archive_doc(
    archive: Archive,
    clip: ArchiveClip,
    name: str | None,
    options: TranscribeOptions,
    transcribe: bool,
    notices: list[Notice] | None,
) -> SearchDoc:
    transcript = None
    media = local_media(archive, clip)
    if media is None and transcribe and clip.media is not None:
        media = fetch_media(archive, clip, notices=notices)
    if media is not None:
        transcript = (
            transcript_for(media, options, notices=notices)
            if transcribe
            else cached_transcript(media, options, notices)
        )
    return SearchDoc(
        # Named after its archive when searched beside a manifest's own clips.
        clip=f"{name}:{clip.id}" if name else clip.id,
        narrator=clip.interview,
        who=clip.who,
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
    if "://" not in location:
        path = local_media_path(archive, clip)
        return path if path.is_file() else None
    cache = ContentCache()
    return cache.get(clip.sha256) if clip.sha256 else cache.lookup_url(location)


def add_hit(manifest_path: str | Path, touchpoint: str, hit: SearchHit) -> Added:
    """Append ``hit``'s sentence to the touchpoint as a selection; declare its clip if new."""
    editor = ManifestEditor(manifest_path)
    t = editor.touchpoint_index(touchpoint)
    selection = append_hit(editor, t, hit)
    added_clips = int(selection.clip != hit.clip)
    editor.save(verify=keeps_all_but(editor.manifest, {t}, added_clips=added_clips))
    return Added(selection, tuple(editor.notes))


def append_hit(
    editor: ManifestEditor, t: int, hit: SearchHit, valence: str | None = None
) -> NewSelection:
    """Append ``hit``'s sentence to touchpoint ``t`` in ``editor`` (declaring its clip if the
    manifest does not use it yet); the caller saves."""
    if hit.span is None:
        raise TriggerfilmError(
            f"the match in {hit.clip}'s {hit.field} has no time in the recording",
            expected="a match in a transcript",
            hint="Choose a match in words spoken in the clip (its transcript is searched once "
            "the clip is transcribed)",
        )
    clip = hit.clip
    if not hit.in_manifest:
        assert hit.archive is not None and hit.archive_clip is not None
        clip = editor.add_archive_clip(hit.archive, hit.archive_clip)
    selection = NewSelection(clip, hit.span.start, hit.span.end, valence)
    editor.append_selection(t, selection)
    return selection


@dataclass(frozen=True)
class Added:
    """What ``add_hit`` wrote, and what it had to unshare (YAML anchors) to write only that."""

    selection: NewSelection
    notes: tuple[str, ...] = ()


# --- cut sheet ---------------------------------------------------------------------------------


def _sheet_material(
    manifest_path: str | Path,
    options: TranscribeOptions | None,
    progress: Progress | None,
    notices: list[Notice] | None,
    check: Callable[[Prepared], None] | None = None,
) -> tuple[Prepared, Timeline, list[ClipSentences]]:
    prepared = prepare(manifest_path)
    if check is not None:
        check(prepared)  # before transcribing, which can take minutes
    transcribed = transcribe_all(prepared, options or TranscribeOptions(), progress)
    if notices is not None:
        notices.extend(transcribed.notices)
    timeline = plan(prepared)
    clips = []
    for ref in prepared.manifest.clips:
        src = prepared.sources[ref.id]
        media_type = src.media_type or prepared.media[ref.id].media_type
        heading = " · ".join(
            part
            for part in (src.narrator, src.who.descriptor, media_type, ref.archive_clip)
            if part
        )
        said = tuple(sentences(prepared.transcripts[ref.id]))
        clips.append(ClipSentences(ref.id, heading, said))
    return prepared, timeline, clips


def write_cutsheet_file(
    manifest_path: str | Path,
    out: str | Path | None = None,
    options: TranscribeOptions | None = None,
    progress: Progress | None = None,
    notices: list[Notice] | None = None,
) -> Path:
    """Write the manifest's cut sheet (default: beside it, NAME.cutsheet.md); what resolving
    and transcribing noticed goes on ``notices``."""
    prepared, timeline, clips = _sheet_material(manifest_path, options, progress, notices)
    path = Path(out) if out else prepared.manifest.path.with_suffix(".cutsheet.md")
    write_text(path, write_cutsheet(prepared.manifest, timeline, clips))
    return path


@dataclass(frozen=True)
class ApplyReport:
    """What applying a cut sheet rewrote in the manifest: the touchpoints whose ticks changed (none
    when the sheet matched the manifest already) and how many selections they hold now."""

    changed: tuple[str, ...]  # titles of the touchpoints rewritten
    selections: int  # selections in those touchpoints now
    # What had to be unshared (YAML anchors) so that only those touchpoints changed.
    notes: tuple[str, ...] = ()


def apply_cutsheet_file(
    manifest_path: str | Path,
    sheet: str | Path,
    options: TranscribeOptions | None = None,
    progress: Progress | None = None,
    notices: list[Notice] | None = None,
) -> ApplyReport:
    """Turn the sheet's ticks into the manifest's selections, keeping all else as written.

    The sheet is read and checked first (before any transcribing), so a wrong file, a
    mistyped time or a sheet with nothing ticked is reported at once, at the sheet's line,
    and the manifest is never touched. What resolving and transcribing noticed goes on
    ``notices``.
    """
    sheet = Path(sheet)
    lines = parse_cutsheet(read_cutsheet(sheet), sheet)
    check_selected(lines, sheet)
    prepared, timeline, clips = _sheet_material(
        manifest_path, options, progress, notices, lambda ready: _check_sheet(lines, ready, sheet)
    )
    manifest = prepared.manifest
    changes = plan_apply(manifest, timeline, lines, clips, sheet)
    # A touchpoint "changed" into exactly the selections it had is no change at all.
    changes = {
        t: entries
        for t, entries in changes.items()
        if entries != [KeptSelection(i) for i in range(len(manifest.touchpoints[t].selections))]
    }
    notes: tuple[str, ...] = ()
    if changes:
        editor = ManifestEditor(manifest.path)
        for t, entries in changes.items():
            editor.set_selections(t, entries)
        editor.save(verify=keeps_all_but(editor.manifest, set(changes)))
        notes = tuple(editor.notes)
    return ApplyReport(
        changed=tuple(manifest.touchpoints[t].title for t in changes),
        selections=sum(len(e) for e in changes.values()),
        notes=notes,
    )


def _check_sheet(lines: list[SheetLine], prepared: Prepared, sheet: Path) -> None:
    """Every sheet line names a clip of the manifest, at times inside its recording."""
    for line in lines:
        media = prepared.media.get(line.clip)
        if media is None:
            raise TriggerfilmError(
                f"clip '{line.clip}' is not in the manifest",
                where=sheet,
                line=line.line,
                expected="a '## clip' heading naming a clip id of the manifest: "
                + ", ".join(prepared.media),
            )
        # Past the end of its recording: typed, not written by the sheet.
        if line.ticked and line.end > media.duration + 0.5:
            raise TriggerfilmError(
                f"the sentence ends at {line.end:.2f} s, after the end of clip "
                f"'{line.clip}' ({media.duration:.2f} s)",
                where=sheet,
                line=line.line,
                expected="times inside the clip, as the sheet wrote them",
                hint="Restore the times as the sheet wrote them",
            )


__all__ = [
    "Added", "ApplyReport", "add_hit", "apply_cutsheet_file", "plan_report",
    "search_clips", "search_docs", "write_cutsheet_file",
]  # fmt: skip

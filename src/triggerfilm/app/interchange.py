"""Editors' round trip: the film's edit out to editing software, and an editor's edit back into
the manifest (OpenTimelineIO, FCPXML, FCP 7 XML, CMX 3600 EDL)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..captions.build import build_captions
from ..captions.profiles import get_profile
from ..editplan.ordering import interleave
from ..editplan.timeline import Cut, Timeline
from ..exports import FORMATS, ExportError, exact_rate, export_text, read_file
from ..exports.read_edit import ImportedCut, read_cuts
from ..manifest.model import VALENCES
from ..manifest.rewrite import KeptSelection, ManifestEditor, NewSelection
from ..store import sha256_of, write_text
from ..transcripts.options import TranscribeOptions
from .notices import Notice, Progress
from .prepared import Prepared, planned


@dataclass(frozen=True)
class ExportReport:
    """The edit written out for editing software: the file, its format (a name in ``FORMATS``), and
    how many cuts, cards, touchpoints and captions it holds."""

    path: Path
    format: str
    cuts: int
    cards: int
    touchpoints: int
    captions: int
    # What resolving and transcribing noticed, and the plan's warnings (a cut inside a word).
    notices: tuple[Notice, ...] = ()


def export_edit(
    manifest_path: str | Path,
    out: str | Path,
    fmt: str,
    options: TranscribeOptions | None = None,
    progress: Progress | None = None,
) -> ExportReport:
    """Write the manifest's edit to ``out`` as ``fmt`` (otio, fcpxml, fcp7xml or edl)."""
    prepared, timeline, transcribed = planned(manifest_path, options, progress)
    report = export_timeline(
        timeline,
        out,
        fmt,
        rates={str(s.path): prepared.media[c].fps for c, s in prepared.sources.items()},
        durations={str(s.path): prepared.media[c].duration for c, s in prepared.sources.items()},
    )
    noticed = transcribed.notices + tuple(Notice("timeline", w) for w in timeline.warnings)
    return replace(report, notices=noticed)


def export_timeline(
    timeline: Timeline,
    out: str | Path,
    fmt: str,
    rates: dict[str, float] | None = None,
    durations: dict[str, float] | None = None,
) -> ExportReport:
    out = Path(out)
    cues = build_captions(
        timeline, get_profile(timeline.caption_profile), label_speakers=timeline.speaker_labels
    )
    text = export_text(timeline, FORMATS[fmt], cues, rates, durations)
    write_text(out, text, preserve_format=False)
    return ExportReport(
        path=out,
        format=fmt,
        cuts=sum(1 for i in timeline.items if i.kind == "cut"),
        cards=sum(1 for i in timeline.items if i.kind == "card"),
        touchpoints=len(timeline.touchpoints),
        captions=len(cues),
    )


@dataclass(frozen=True)
class ImportReport:
    """What reading an editor's edit back did to the manifest: the unified diff of its text (empty:
    the edit changes nothing), and whether it was written (never on a dry run)."""

    manifest: Path
    diff: str
    written: bool
    cuts: int
    # Touchpoint title and the number of clips the edit gives it, in manifest order.
    touchpoints: tuple[tuple[str, int], ...]
    notices: tuple[Notice, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.diff)


def import_edit(
    edit_path: str | Path,
    manifest_path: str | Path,
    *,
    dry_run: bool = False,
    fmt: str | None = None,
    options: TranscribeOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Turn an editor's edit (OTIO, FCPXML, FCP 7 XML, EDL) back into the manifest's selections.

    Clips are matched to the manifest's by media path, then by content hash, then by file name;
    a clip that still covers an existing selection keeps it (its quotes, valence and comments)
    with only the trimmed ends rewritten as seconds. The manifest is rewritten only when not a
    dry run, after the edited text loads strictly.
    """
    edit_path = Path(edit_path)
    editor = ManifestEditor(manifest_path)
    prepared, current, transcribed = planned(editor.path, options, progress)
    edit = read_file(edit_path, exact_rate(current.fps), fmt)
    titles = list(current.touchpoints)
    cuts = read_cuts(edit, titles, edit_path)
    if not cuts:
        raise ExportError(
            "has no media clips on its video tracks",
            where=edit_path,
            hint="Export the timeline (sequence) itself from the editing software",
        )
    match = _MediaMatcher(prepared, edit_path)
    warnings: list[str] = []
    frame = 1 / current.fps
    grouped: dict[int, list[tuple[str, ImportedCut]]] = {t: [] for t in range(len(titles))}
    planned_cuts = [i for i in current.items if isinstance(i, Cut)]
    for cut in cuts:
        clip_id = match(cut)
        touchpoint = cut.touchpoint
        if touchpoint is None:
            # No marker or track says: the touchpoint of the selection it still covers.
            covering = [
                p
                for p in planned_cuts
                if p.clip_id == clip_id and _overlap(current, p, cut.start, cut.end) > 0
            ]
            if not covering:
                raise ExportError(
                    f"clip '{cut.name}' at {cut.record:.2f} s in the film is under no touchpoint",
                    where=edit_path,
                    expected="a marker 'Touchpoint N: Title' at or before it, or a track "
                    "named after a touchpoint",
                )
            touchpoint = covering[0].touchpoint
        grouped[touchpoint].append((clip_id, cut))
    firsts = [min(c.record for _, c in group) for group in grouped.values() if group]
    if firsts != sorted(firsts):
        warnings.append(
            "the edit puts touchpoints in another order; triggerfilm keeps the manifest's "
            "order: move the touchpoints in the manifest by hand"
        )
    for t, group in grouped.items():
        if not group:
            warnings.append(f"touchpoint '{titles[t]}' has no clip in the edit; left as it was")
            continue
        mine = [p for p in planned_cuts if p.touchpoint == t]
        used: set[int] = set()
        entries: list[KeptSelection | NewSelection] = []
        for clip_id, cut in group:
            best, best_overlap = None, 0.0
            for p in mine:
                index = _selection_index(p.origin)
                if p.clip_id != clip_id or index is None or index in used:
                    continue
                overlap = _overlap(current, p, cut.start, cut.end)
                if overlap > best_overlap:
                    best, best_overlap = p, overlap
            if best is None:
                valence = cut.metadata.get("valence")
                entries.append(
                    NewSelection(
                        clip_id, cut.start, cut.end, valence if valence in VALENCES else None
                    )
                )
                continue
            index = _selection_index(best.origin)
            assert index is not None  # only cuts with an index are candidates
            used.add(index)
            end = current.source_out(best)
            # Within a film frame and a source frame of the plan, the editor left that end
            # alone: formats count a cut in source frames, which the film's grid need not hit.
            source_fps = prepared.media[clip_id].fps or current.fps
            slack = frame + 1 / source_fps + 1e-6
            start_moved = abs(cut.start - best.source_in) > slack
            end_moved = abs(cut.end - end) > slack
            entries.append(
                KeptSelection(
                    index,
                    cut.start if start_moved else None,
                    cut.end if end_moved else None,
                )
            )
        narrators = [prepared.sources[clip_id].narrator for clip_id, _ in group]
        order = list(range(len(group)))
        if (
            editor.manifest.touchpoints[t].interleave
            and interleave(order, narrators.__getitem__) != order
        ):
            # The editor put one narrator's passages together on purpose: keep their order.
            editor.own("touchpoints", t)["interleave"] = False
            warnings.append(
                f"touchpoint '{titles[t]}': set interleave: false to keep the editor's order"
            )
        editor.set_selections(t, entries)
    before = editor.path.read_text(encoding="utf-8")
    after = editor.text()
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=str(editor.path),
            tofile=f"{editor.path} (from {edit_path.name})",
        )
    )
    written = bool(diff) and not dry_run
    if written:
        editor.save()
    return ImportReport(
        manifest=editor.path,
        diff=diff,
        written=written,
        cuts=len(cuts),
        touchpoints=tuple((titles[t], len(g)) for t, g in grouped.items()),
        notices=transcribed.notices + tuple(Notice("import", w, str(edit_path)) for w in warnings),
    )


def _selection_index(origin: str) -> int | None:
    match = re.search(r"selections\[(\d+)\]", origin)
    return int(match.group(1)) if match else None


def _overlap(timeline: Timeline, cut: Cut, start: float, end: float) -> float:
    return min(end, timeline.source_out(cut)) - max(start, cut.source_in)


class _MediaMatcher:
    """Finds the manifest clip an edit's clip uses: by path, content hash, then file name."""

    def __init__(self, prepared: Prepared, where: Path) -> None:
        self.where = where
        self.by_path: dict[str, str] = {}
        self.by_hash: dict[str, str] = {}
        self.by_name: dict[str, list[str]] = {}
        for clip_id, source in prepared.sources.items():
            self.by_path.setdefault(str(Path(source.path).resolve()), clip_id)
            self.by_hash.setdefault(source.sha256, clip_id)
            self.by_name.setdefault(Path(source.path).name, []).append(clip_id)
        self.hashes: dict[str, str] = {}
        self.ids = list(prepared.sources)

    def __call__(self, cut: ImportedCut) -> str:
        hint = cut.metadata.get("clip_id")
        hinted = hint if isinstance(hint, str) else None
        if cut.media:
            path = Path(cut.media)
            found = self.by_path.get(str(path.resolve()))
            if found:
                return hinted if hinted and hinted in self.by_name.get(path.name, ()) else found
            if path.is_file():
                digest = self.hashes.setdefault(str(path), sha256_of(path))
                if digest in self.by_hash:
                    return self.by_hash[digest]
            named = self.by_name.get(path.name, [])
            if len(named) == 1:
                return named[0]
            if hinted and hinted in named:
                return hinted
        else:
            # An EDL from editing software may name only the clip (or its reel): the clip id
            # triggerfilm exported it under, or the media's file name.
            wanted = cut.name.strip().casefold()
            for clip_id in self.ids:
                if clip_id.casefold() == wanted:
                    return clip_id
            same = [ids for name, ids in self.by_name.items() if name.casefold() == wanted]
            if len(same) == 1 and len(same[0]) == 1:
                return same[0][0]
        raise ExportError(
            f"clip '{cut.name}' ({cut.media or 'no media path'}) matches no clip in the manifest",
            where=self.where,
            expected="media at a path, with content, or with a file name the manifest uses",
            hint="Relink the clip to the project's media, or add the clip to the manifest",
        )

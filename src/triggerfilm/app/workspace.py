"""The facilitator's workspace: one manifest as the studio shows it, read in one go.

``open_workspace`` runs the stages in order (manifest → sources → transcripts → edit plan →
plan report, consent, captions) and returns typed, read-only views: every clip with its
transcript status and consent, every touchpoint with its passages resolved to words, the plan
report ``triggerfilm plan`` prints, and the preview playlist. The manifest's content hash comes
with it, so an edit can say which version of the file it was made on.

A manifest whose selections cannot all be resolved (a quote that matches twice after an edit on
disk) still opens: the passages are listed without times and the problem is reported as a value.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..captions.build import build_captions
from ..captions.profiles import get_profile
from ..captions.writers import format_vtt
from ..consent import ConsentReport, check_consent
from ..editplan.passage import word_range, words_text
from ..editplan.playlist import PlaylistEntry, playlist
from ..editplan.timeline import Cut, Timeline
from ..errors import TriggerfilmError
from ..manifest.model import Manifest, Narrator, Selection
from ..reports.plan import DEFAULT_TARGET_MINUTES, PlanReport, build_plan_report
from ..sources.catalogue import ArchiveClip, load_archive
from ..transcripts.align import alignment_coverage
from ..transcripts.model import Transcript, Word
from ..transcripts.options import TranscribeOptions
from .notices import Notice, Progress
from .prepared import Prepared, plan, prepare, transcribe_all


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ClipView:
    """One of the film's clips as the studio lists it: who speaks, the recording's length in
    seconds, how its transcript was made and how far to trust it (``coverage``: the share of a
    verbatim text Whisper heard, None without one), and whether the film may show it."""

    id: str
    narrator: str
    who: Narrator
    media_type: str
    duration: float
    archive_clip: str | None
    words: int
    # "verbatim": the archive's (or team's) words placed on the audio; "whisper": recognised.
    transcript: str
    coverage: float | None
    doubts: int
    # "ok", "refused" (with reasons) or "unused" (not in the film, so it cannot stop it).
    consent: str
    consent_reasons: tuple[str, ...]
    selections: int


@dataclass(frozen=True)
class ArchiveClipView:
    """A clip of one of the manifest's archives that the film does not use yet."""

    archive: str  # the archive's name in the manifest
    clip: ArchiveClip


@dataclass(frozen=True)
class ResolvedPassage:
    """Where the edit plan put a passage: its words, length and cut points in the clip."""

    text: str
    seconds: float  # its length in the film
    source_in: float
    source_out: float
    # The first and last word of the clip's transcript inside the cut (indexes into its
    # words); None when the cut holds no word.
    words: tuple[int, int] | None


@dataclass(frozen=True)
class PassageView:
    """A selection as the studio's board shows it: its place (touchpoint and position in the
    manifest, from 0), its ends as written, and where the edit plan put it. ``refused`` when its
    clip's consent stops the film."""

    touchpoint: int
    index: int
    clip: str
    narrator: str
    descriptor: str | None
    media_type: str
    valence: str | None
    note: str | None
    start: str  # the ``from`` anchor as written: a quote or a time
    end: str
    # None when the edit plan could not be built: then the passage has no times at all.
    resolved: ResolvedPassage | None = None
    refused: bool = False


@dataclass(frozen=True)
class TouchpointView:
    """A touchpoint as the studio's board shows it (``index`` from 0), its passages in the
    manifest's order rather than the interleaved order the film plays them in."""

    index: int
    title: str
    description: str | None
    content_note: str | None
    interleave: bool
    passages: tuple[PassageView, ...]


@dataclass(frozen=True)
class Workspace:
    """One manifest as the studio shows it, read in one go by ``open_workspace``. ``sha256`` is the
    version of the file it was read from: a change names it, so an edit made on disk meanwhile is
    never overwritten. ``timeline`` and ``plan`` are None when the edit plan could not be built
    (``problem`` says why)."""

    path: Path
    sha256: str
    text: str
    manifest: Manifest
    clips: tuple[ClipView, ...]
    transcripts: dict[str, Transcript]
    media: dict[str, Path]
    touchpoints: tuple[TouchpointView, ...]
    consent: ConsentReport
    timeline: Timeline | None = None
    plan: PlanReport | None = None
    playlist: tuple[PlaylistEntry, ...] = ()
    captions_vtt: str = "WEBVTT\n"
    # Why the edit plan could not be built (the passages then have no times).
    problem: str | None = None
    archive_clips: tuple[ArchiveClipView, ...] = ()
    notices: tuple[Notice, ...] = field(default_factory=tuple)
    # The transcription settings the workspace was opened with, so a change made from it (a
    # search hit added by its number) searches the same transcripts the page showed.
    options: TranscribeOptions = field(default_factory=TranscribeOptions)

    def clip(self, clip_id: str) -> ClipView:
        for clip in self.clips:
            if clip.id == clip_id:
                return clip
        raise KeyError(clip_id)


def open_workspace(
    manifest_path: str | Path,
    options: TranscribeOptions | None = None,
    *,
    use: str = "joint-event",
    target_minutes: float = DEFAULT_TARGET_MINUTES,
    progress: Progress | None = None,
) -> Workspace:
    """Everything the studio shows about one manifest, transcribing what is missing first."""
    path = Path(manifest_path).resolve()
    try:
        data = path.read_bytes()
    except OSError as error:
        raise TriggerfilmError(f"cannot read the manifest ({error.strerror})", where=path) from None
    options = options or TranscribeOptions()
    prepared = prepare(path)
    transcribed = transcribe_all(prepared, options, progress)
    notices = list(transcribed.notices)
    manifest = prepared.manifest
    consent = check_consent(manifest, use, sources=prepared.sources)
    refused = set(consent.refused)
    timeline = report = None
    problem = None
    try:
        timeline = plan(prepared)
    except TriggerfilmError as error:
        problem = str(error)
    cuts: dict[str, Cut] = {}
    if timeline is not None:
        report = build_plan_report(timeline, prepared.sources, target_minutes)
        cuts = {item.origin: item for item in timeline.items if isinstance(item, Cut)}
        notices += [Notice("timeline", text) for text in timeline.warnings]
    touchpoints = tuple(
        TouchpointView(
            index=t,
            title=tp.title,
            description=tp.description,
            content_note=tp.content_note,
            interleave=tp.interleave,
            passages=tuple(
                _passage(t, i, s, prepared, cuts.get(s.origin.field), refused, timeline)
                for i, s in enumerate(tp.selections)
            ),
        )
        for t, tp in enumerate(manifest.touchpoints)
    )
    clips = tuple(_clip_view(ref.id, prepared, consent, touchpoints) for ref in manifest.clips)
    vtt = "WEBVTT\n"
    if timeline is not None:
        profile = get_profile(timeline.caption_profile)
        vtt = format_vtt(build_captions(timeline, profile, label_speakers=timeline.speaker_labels))
    return Workspace(
        path=path,
        sha256=content_hash(data),
        text=data.decode("utf-8", errors="replace"),
        manifest=manifest,
        clips=clips,
        transcripts=dict(prepared.transcripts),
        media={cid: src.path for cid, src in prepared.sources.items()},
        touchpoints=touchpoints,
        consent=consent,
        timeline=timeline,
        plan=report,
        playlist=playlist(timeline) if timeline is not None else (),
        captions_vtt=vtt,
        problem=problem,
        archive_clips=_unused_archive_clips(manifest),
        notices=tuple(notices),
        options=options,
    )


def _passage(
    t: int,
    i: int,
    selection: Selection,
    prepared: Prepared,
    cut: Cut | None,
    refused: set[str],
    timeline: Timeline | None,
) -> PassageView:
    source = prepared.sources[selection.clip]
    resolved = None
    if cut is not None and timeline is not None:
        resolved = _resolve(cut, timeline, prepared.transcripts[selection.clip].words)
    return PassageView(
        touchpoint=t,
        index=i,
        clip=selection.clip,
        narrator=source.narrator,
        descriptor=source.who.descriptor,
        media_type=source.media_type or prepared.media[selection.clip].media_type,
        valence=selection.valence,
        note=selection.note,
        start=selection.start.describe(),
        end=selection.end.describe(),
        resolved=resolved,
        refused=selection.clip in refused,
    )


def _resolve(cut: Cut, timeline: Timeline, words: list[Word]) -> ResolvedPassage:
    source_out = timeline.source_out(cut)
    return ResolvedPassage(
        text=words_text(cut.words) or "(no words recognised)",
        seconds=cut.frames / timeline.fps,
        source_in=cut.source_in,
        source_out=source_out,
        words=word_range(words, cut.source_in, source_out),
    )


def _clip_view(
    clip_id: str,
    prepared: Prepared,
    consent: ConsentReport,
    touchpoints: tuple[TouchpointView, ...],
) -> ClipView:
    source = prepared.sources[clip_id]
    media = prepared.media[clip_id]
    transcript = prepared.transcripts[clip_id]
    ref = prepared.manifest.clip(clip_id)
    reasons = tuple(p.message for p in consent.problems if p.clip == clip_id)
    used = sum(1 for tp in touchpoints for p in tp.passages if p.clip == clip_id)
    aligned = transcript.options.get("aligned") == "verbatim"
    return ClipView(
        id=clip_id,
        narrator=source.narrator,
        who=source.who,
        media_type=source.media_type or media.media_type,
        duration=media.duration,
        archive_clip=ref.archive_clip,
        words=len(transcript.words),
        transcript="verbatim" if aligned else "whisper",
        coverage=alignment_coverage(transcript),
        doubts=sum(1 for w in transcript.words if w.doubts),
        consent="refused" if reasons else ("ok" if used else "unused"),
        consent_reasons=reasons,
        selections=used,
    )


def _unused_archive_clips(manifest: Manifest) -> tuple[ArchiveClipView, ...]:
    used = {(ref.archive, ref.archive_clip) for ref in manifest.clips if ref.archive}
    found = []
    for name in manifest.archives:
        # The same catalogue read that resolved the manifest's clips (a local file or the
        # download cache), so this reads nothing new from a network.
        for clip in load_archive(manifest, name).clips:
            if (name, clip.id) in used:
                continue
            found.append(ArchiveClipView(name, clip))
    return tuple(found)

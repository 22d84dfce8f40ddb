"""The pipeline, stage by stage: manifest → sources → media → transcripts → edit plan →
captions → render. Each function here runs stages in order and hands typed artefacts from one
to the next; the command line calls these and nothing deeper.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .atomic import write_text_atomically
from .captions.build import build_captions
from .captions.profiles import get_profile
from .captions.transcript_doc import descriptive_transcript
from .captions.writers import format_srt, format_vtt
from .consent import check_consent, refuse_unconsented
from .editplan.build import ClipMaterial, build_timeline
from .editplan.timeline import Cut, Timeline, narrator_film, touchpoint_film
from .errors import ManifestError
from .manifest.load import load_manifest
from .manifest.model import Manifest
from .media.loudness import TARGETS as LOUDNESS_TARGETS
from .media.loudness import Loudness, clip_loudness
from .media.probe import MediaInfo, probe
from .render.film import MARKER, check_output_folder, render_film
from .reports.provenance import provenance_record, write_provenance
from .sources.cache import cache_root
from .sources.resolve import SourceClip, resolve_sources
from .transcripts.batch import transcribe_batch
from .transcripts.checked import checked_transcript
from .transcripts.model import Transcript
from .transcripts.options import TranscribeOptions
from .transcripts.store import cached_transcript

Progress = Callable[[str, float, float], None]
"""progress(stage, done, total): how far a long stage has got, for progress bars."""


@dataclass
class Prepared:
    manifest: Manifest
    sources: dict[str, SourceClip]
    media: dict[str, MediaInfo]
    transcripts: dict[str, Transcript] = field(default_factory=dict)
    # The options the transcripts were made with: the caller's, with the manifest's model
    # unless the caller named one.
    transcribe_options: TranscribeOptions | None = None

    def material(self) -> dict[str, ClipMaterial]:
        return {
            cid: ClipMaterial(self.sources[cid], self.media[cid], self.transcripts[cid])
            for cid in self.sources
        }


def prepare(manifest_path: str | Path) -> Prepared:
    """Load the manifest strictly, find every source and probe it. Writes nothing."""
    manifest = load_manifest(manifest_path)
    sources = resolve_sources(manifest)
    media = {cid: probe(src.path) for cid, src in sources.items()}
    return Prepared(manifest, sources, media)


def transcribe_all(
    prepared: Prepared, options: TranscribeOptions, progress: Progress | None = None
) -> dict[str, int]:
    """Transcribe every clip not yet in the cache. Returns counts of 'cached' and 'transcribed'."""
    options = options.for_manifest(prepared.manifest.transcription_model)
    prepared.transcribe_options = options
    total = sum(m.duration for m in prepared.media.values())
    clips = list(prepared.sources)
    sources = prepared.sources
    # A picture with no sound track has nothing to transcribe (and Whisper cannot open it).
    silent = {cid for cid in clips if not prepared.media[cid].has_audio}
    pending = [
        cid
        for cid in clips
        if cid not in silent and cached_transcript(sources[cid].path, options) is None
    ]
    counts = {"cached": len(clips) - len(pending), "transcribed": len(pending)}
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
    transcribe_batch([prepared.sources[cid].path for cid in pending], options, step)
    for cid in clips:
        source = prepared.sources[cid]
        if cid in silent:
            prepared.transcripts[cid] = empty_transcript(prepared.media[cid].duration, options)
            continue
        # What later stages use: doubts marked, and the verbatim words when the clip has them.
        prepared.transcripts[cid] = checked_transcript(source.path, options, source.transcript_text)
    if progress:
        progress("transcribe", total, total)
        progress("clips", len(clips), len(clips))
    return counts


def empty_transcript(duration: float, options: TranscribeOptions) -> Transcript:
    return Transcript(
        (), options.language or "en", duration, options.engine, options.model, options.to_dict()
    )


def plan(prepared: Prepared) -> Timeline:
    return build_timeline(prepared.manifest, prepared.material())


@dataclass(frozen=True)
class RenderOptions:
    burn_in: bool = True
    force: bool = False
    preset: str = "veryfast"
    jobs: int = 2
    # "broadcast" (EBU R 128, -23 LUFS), "web" (-16 LUFS) or "off".
    loudness: str = "broadcast"
    # Where the film will be shown; clips whose consent does not cover it are refused.
    use: str = "joint-event"
    # Render only this touchpoint (title or 1-based number) as a short film of its own.
    touchpoint: str | None = None
    # Fast and small: half size, quickest encoder settings, for checking an edit.
    preview: bool = False
    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)


@dataclass(frozen=True)
class RenderReport:
    out_dir: Path
    files: tuple[Path, ...]
    duration: float
    cues: int
    segments: int
    reused: int
    transcribed: int
    loudness: Loudness | None = None
    loudness_target: float | None = None
    warnings: tuple[str, ...] = ()


def output_stem(options: RenderOptions, timeline: Timeline, touchpoint: int | None) -> str:
    """Predictable output names: film, preview, or touchpoint-02-nights-on-the-unit."""
    if touchpoint is not None:
        slug = re.sub(r"[^a-z0-9]+", "-", timeline.touchpoints[touchpoint].lower()).strip("-")
        stem = f"touchpoint-{touchpoint + 1:02d}-{slug}"
        return f"{stem}-preview" if options.preview else stem
    return "preview" if options.preview else "film"


def loudness_gains(timeline: Timeline, target: float) -> dict[str, float]:
    """The gain (dB) that brings each source used by a cut to ``target`` LUFS."""
    gains = {}
    for item in timeline.items:
        if isinstance(item, Cut) and item.has_audio and item.source_sha256 not in gains:
            measured = clip_loudness(Path(item.source))
            # A silent clip stays as it is; an extreme gain would only raise its noise.
            gain = 0.0 if measured.silent else target - measured.integrated
            gains[item.source_sha256] = max(-20.0, min(20.0, gain))
    return gains


def render_manifest(
    manifest_path: str | Path,
    out_dir: str | Path,
    options: RenderOptions = RenderOptions(),
    progress: Progress | None = None,
) -> RenderReport:
    """Everything from the manifest to film.mp4, film.srt, film.vtt and their companions."""
    out_dir = Path(out_dir).resolve()
    prepared = prepare(manifest_path)
    manifest = prepared.manifest
    refuse_unconsented(prepared, options.use)
    check_output_folder(out_dir, str(manifest.path), options.force)
    counts = transcribe_all(prepared, options.transcribe, progress)
    timeline = plan(prepared)
    touchpoint = None
    if options.touchpoint is not None:
        try:
            timeline, touchpoint = touchpoint_film(timeline, options.touchpoint)
        except KeyError:
            raise ManifestError(
                f"no touchpoint is called '{options.touchpoint}'",
                where=manifest.path,
                field="touchpoints",
                expected="a title (" + "; ".join(timeline.touchpoints) + ") or a number",
            ) from None
    stem = output_stem(options, timeline, touchpoint)
    return _render_timeline(prepared, timeline, out_dir, stem, options, progress, counts)


def _render_timeline(
    prepared: Prepared,
    timeline: Timeline,
    out_dir: Path,
    stem: str,
    options: RenderOptions,
    progress: Progress | None,
    counts: dict[str, int],
) -> RenderReport:
    """Captions, segments, the joined film and its companion files, for one timeline."""
    manifest = prepared.manifest
    if options.preview:
        timeline = replace(timeline, width=timeline.width // 4 * 2, height=timeline.height // 4 * 2)
    profile = get_profile(timeline.caption_profile)
    cues = build_captions(timeline, profile, label_speakers=timeline.speaker_labels)
    srt, vtt = format_srt(cues), format_vtt(cues)
    target = LOUDNESS_TARGETS.get(options.loudness)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("render", done, len(timeline.items))

    rendered = render_film(
        timeline,
        cues,
        out_dir,
        srt_text=srt,
        cache_dir=cache_root() / "render" / "segments",
        burn_in=options.burn_in,
        preset="ultrafast" if options.preview else options.preset,
        jobs=options.jobs,
        progress=step,
        gains=loudness_gains(timeline, target) if target is not None else None,
        loudness_target=target,
        stem=stem,
    )
    document = descriptive_transcript(timeline)
    companions = {
        f"{stem}.srt": srt,
        f"{stem}.vtt": vtt,
        f"{stem}.timeline.json" if stem != "film" else "timeline.json": json.dumps(
            timeline.to_dict(), indent=1
        ),
        f"{stem}.transcript.txt" if stem != "film" else "transcript.txt": document.to_text(),
        f"{stem}.transcript.html" if stem != "film" else "transcript.html": document.to_html(),
        MARKER: json.dumps({"manifest": str(manifest.path)}),
    }
    for name, text in companions.items():
        write_text_atomically(out_dir / name, text)
    files = (rendered.film, *(out_dir / n for n in companions if n != MARKER))
    record = provenance_record(
        manifest, prepared, timeline, prepared.transcribe_options or options.transcribe, profile
    )
    provenance = write_provenance(out_dir, record, files=list(files), stem=stem)
    return RenderReport(
        out_dir=out_dir,
        files=(*files, provenance),
        duration=timeline.duration,
        cues=len(cues),
        segments=rendered.segments,
        reused=rendered.reused,
        transcribed=counts["transcribed"],
        loudness=rendered.loudness,
        loudness_target=target,
        warnings=timeline.warnings,
    )


def approval_pack(
    manifest_path: str | Path,
    narrator: str,
    out_dir: str | Path,
    options: RenderOptions = RenderOptions(),
    progress: Progress | None = None,
) -> RenderReport:
    """A short film of one narrator's passages and a list of their quotes, to send for approval.

    Clips still waiting for the narrator's approval are shown (that is the point); withdrawn
    or expired ones are not.
    """
    out_dir = Path(out_dir).resolve()
    prepared = prepare(manifest_path)
    manifest = prepared.manifest
    report = check_consent(prepared, options.use)
    blocking = [
        p for p in report.problems if p.code in ("withdrawn", "expired") and p.narrator == narrator
    ]
    if blocking:
        raise ManifestError(
            f"{narrator}'s clips cannot be sent: "
            + "; ".join(f"{p.clip} is {p.code}" for p in blocking),
            where=manifest.path,
            hint="Remove those selections from the manifest",
        )
    check_output_folder(out_dir, str(manifest.path), options.force)
    counts = transcribe_all(prepared, options.transcribe, progress)
    try:
        timeline = narrator_film(plan(prepared), narrator)
    except KeyError:
        known = sorted({s.narrator for s in prepared.sources.values()})
        raise ManifestError(
            f"narrator '{narrator}' has no selection in this film",
            where=manifest.path,
            expected="one of " + ", ".join(known),
        ) from None
    stem = f"approval-{re.sub(r'[^A-Za-z0-9_-]+', '-', narrator)}"
    result = _render_timeline(prepared, timeline, out_dir, stem, options, progress, counts)
    quotes = out_dir / f"{stem}-quotes.txt"
    write_text_atomically(quotes, approval_quotes(timeline, narrator))
    return replace(result, files=(*result.files, quotes))


def approval_quotes(timeline: Timeline, narrator: str) -> str:
    """The words of each passage, in film order, for the narrator to read and approve."""
    lines = [
        f"Passages from {narrator} chosen for the film “{timeline.title}”.",
        "Please tell the team if any of them must not be used, or should be changed.",
        "",
    ]
    number = 0
    for item in timeline.items:
        if not isinstance(item, Cut):
            continue
        number += 1
        start, end = item.source_in, item.source_in + item.frames / timeline.fps
        words = " ".join("".join(w.text for w in item.words).split())
        lines += [
            f"{number}. {timeline.touchpoints[item.touchpoint]} "
            f"(clip {item.clip_id}, {start:.1f}–{end:.1f} s)",
            f"   “{words}”",
            "",
        ]
    return "\n".join(lines)


def transcript_text(media: str | Path, options: TranscribeOptions, fmt: str) -> str:
    """The transcript of one media file as txt, srt, vtt or json text.

    Silence gives empty output in every text format, never invented words.
    """
    media = Path(media)
    info = probe(media)  # a clear error for a missing or non-media file before any model loads
    # With its doubts marked (json shows them); the text is Whisper's, unchanged.
    if info.has_audio:
        transcript = checked_transcript(media, options)
    else:
        transcript = empty_transcript(info.duration, options)
    if fmt == "json":
        return json.dumps(transcript.to_dict(), indent=1) + "\n"
    if fmt == "txt":
        return transcript.text + "\n" if transcript.text else ""
    from .captions.writers import cues_from_segments

    cues = cues_from_segments(transcript, get_profile("default"))
    return format_srt(cues) if fmt == "srt" else format_vtt(cues)

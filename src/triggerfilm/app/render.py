"""The render use cases: a film (or one touchpoint, or a preview) and a narrator's approval pack.

They run the stages in order (manifest → sources → media → transcripts → edit plan → captions →
render → reports), handing typed artefacts from one to the next.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..captions.build import build_captions, timing_warnings
from ..captions.model import Cue
from ..captions.profiles import CaptionProfile, get_profile
from ..captions.transcript_doc import descriptive_transcript
from ..captions.writers import format_srt, format_ttml, format_vtt
from ..consent import check_consent, refuse_unconsented
from ..editplan.timeline import Timeline, narrator_film, touchpoint_film
from ..errors import ManifestError
from ..manifest.rewrite import slug
from ..media.loudness import TARGETS as LOUDNESS_TARGETS
from ..media.loudness import Loudness
from ..render.film import MARKER, RenderedFilm, check_output_folder, render_film
from ..render.loudness import loudness_gains
from ..render.outputs import locked_output_folder, refuse_overwriting_inputs
from ..reports.approval import approval_quotes
from ..reports.provenance import PROVENANCE_SUFFIX, provenance_record, write_provenance
from ..sources.catalogue import CATALOGUE_NAMES
from ..store import cache_root, write_text
from ..transcripts.options import TranscribeOptions
from .notices import Notice, Progress
from .prepared import Prepared, TranscribeReport, plan, prepare, transcribe_all


@dataclass(frozen=True)
class RenderOptions:
    """How a film is rendered: what a face sets from its options (``render``, the studio's
    Render button, ``approval-pack``, ``event-pack``). Only ``jobs`` has no option."""

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
class FilmLoudness:
    """The finished film's measured loudness and the target (LUFS) it was brought to: both
    or neither, since a film rendered with loudness "off" is not measured."""

    measured: Loudness
    target: float


@dataclass(frozen=True)
class RenderReport:
    """What a render wrote (film first, then its companions and provenance), its counts, its
    measured loudness (None with loudness "off") and every notice, for a face to present."""

    out_dir: Path
    files: tuple[Path, ...]
    duration: float
    cues: int
    segments: int
    reused: int
    transcribed: int
    loudness: FilmLoudness | None = None
    notices: tuple[Notice, ...] = ()


def output_stem(options: RenderOptions, timeline: Timeline | None, touchpoint: int | None) -> str:
    """Predictable output names: film, preview, or touchpoint-02-nights-on-the-unit."""
    if touchpoint is not None:
        assert timeline is not None  # a touchpoint film is named after its timeline's title
        stem = f"touchpoint-{touchpoint + 1:02d}-{slug(timeline.touchpoints[touchpoint])}"
        return f"{stem}-preview" if options.preview else stem
    return "preview" if options.preview else "film"


def companion_name(stem: str, name: str) -> str:
    """A file written beside the film ``stem``: timeline.json beside film.mp4, and
    preview.timeline.json beside preview.mp4, so a preview never replaces the film's."""
    return name if stem == "film" else f"{stem}.{name}"


def output_names(stem: str) -> list[str]:
    """The files a render of ``stem`` writes, for the check made before transcribing (the
    render checks the full list again, built from what it writes, before encoding)."""
    return [
        f"{stem}.mp4",
        f"{stem}.srt",
        f"{stem}.vtt",
        f"{stem}.ttml",
        companion_name(stem, "timeline.json"),
        companion_name(stem, "transcript.txt"),
        companion_name(stem, "transcript.html"),
        f"{stem}{PROVENANCE_SUFFIX}",
        MARKER,
    ]


def input_files(prepared: Prepared) -> list[Path]:
    """The files a render reads and must never write over: manifest, sources, catalogues."""
    manifest = prepared.manifest
    files = [Path(manifest.path), *(Path(s.path) for s in prepared.sources.values())]
    for location in manifest.archives.values():
        if "://" not in str(location):
            folder = Path(location)
            folder = folder if folder.is_absolute() else Path(manifest.path).parent / folder
            files += [folder / name for name in CATALOGUE_NAMES] + [folder]
    return files


def render_manifest(
    manifest_path: str | Path,
    out_dir: str | Path,
    options: RenderOptions = RenderOptions(),
    progress: Progress | None = None,
) -> RenderReport:
    """Everything from the manifest to film.mp4, film.srt, film.vtt, film.ttml and their
    companions."""
    out_dir = Path(out_dir).resolve()
    prepared = prepare(manifest_path)
    manifest = prepared.manifest
    refuse_unconsented(manifest, options.use, sources=prepared.sources)
    check_output_folder(out_dir, str(manifest.path), options.force)
    # Before hours of transcription and encoding, not after. A touchpoint film is named after
    # its touchpoint's title, known only once planned; encode_film checks its names then.
    if options.touchpoint is None:
        stem = output_stem(options, None, None)
        refuse_overwriting_inputs(out_dir, output_names(stem), input_files(prepared))
    # Held from here to the last file written: a second render into the folder stops at once.
    with locked_output_folder(out_dir):
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


@dataclass(frozen=True)
class EncodedFilm:
    """What :func:`encode_film` made: the film, its companions and what they were made from."""

    timeline: Timeline
    cues: tuple[Cue, ...]
    profile: CaptionProfile
    rendered: RenderedFilm
    files: tuple[Path, ...]
    target: float | None  # the loudness target in LUFS; None when loudness is "off"

    def report(
        self,
        out_dir: Path,
        *,
        also: tuple[Path, ...] = (),
        transcribed: int = 0,
        earlier: tuple[Notice, ...] = (),
    ) -> RenderReport:
        """The render use cases' answer: the files (with ``also``, written beside the film
        since), the counts, and every notice, ``earlier`` ones (transcription) first."""
        timeline, rendered = self.timeline, self.rendered
        return RenderReport(
            out_dir=out_dir,
            files=(*self.files, *also),
            duration=timeline.duration,
            cues=len(self.cues),
            segments=rendered.segments,
            reused=rendered.reused,
            transcribed=transcribed,
            loudness=(
                FilmLoudness(rendered.loudness, self.target)
                if rendered.loudness is not None and self.target is not None
                else None
            ),
            notices=earlier
            + tuple(Notice("timeline", w) for w in timeline.warnings)
            + tuple(Notice("render", w) for w in rendered.warnings)
            + tuple(Notice("captions", w) for w in timing_warnings(self.cues, self.profile)),
        )


@dataclass(frozen=True)
class Destination:
    """Where one film is written and what it is made from.

    ``record`` is what the folder's marker names as the film's origin (a manifest, or a saved
    timeline); ``inputs`` are the files no output may replace.
    """

    folder: Path
    stem: str
    record: str
    inputs: tuple[Path, ...]


def encode_film(
    timeline: Timeline,
    destination: Destination,
    options: RenderOptions,
    progress: Progress | None,
    *,
    also_written: Sequence[str] = (),
    extra: dict[str, Callable[[Timeline], str]] | None = None,
) -> EncodedFilm:
    """Captions, segments, the joined film and its companion files, for one timeline.

    One path for a render from a manifest and a replay of a saved timeline, so both write the
    same files the same way. The caller holds the output folder's lock. ``also_written`` names
    files the caller writes afterwards (checked with the rest); ``extra`` adds text files
    (name: how to make it from the timeline).
    """
    out_dir, stem = destination.folder, destination.stem
    if options.preview:
        timeline = replace(timeline, width=timeline.width // 4 * 2, height=timeline.height // 4 * 2)
    profile = get_profile(timeline.caption_profile)
    cues = build_captions(timeline, profile, label_speakers=timeline.speaker_labels)
    target = LOUDNESS_TARGETS.get(options.loudness)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("render", done, len(timeline.items))

    document = descriptive_transcript(timeline)
    companions = {
        f"{stem}.srt": format_srt(cues),
        f"{stem}.vtt": format_vtt(cues),
        f"{stem}.ttml": format_ttml(cues, profile),
        companion_name(stem, "timeline.json"): json.dumps(timeline.to_dict(), indent=1),
        companion_name(stem, "transcript.txt"): document.to_text(),
        companion_name(stem, "transcript.html"): document.to_html(),
        MARKER: json.dumps({"manifest": destination.record}),
        **{name: make(timeline) for name, make in (extra or {}).items()},
    }
    # Every name this render writes, checked against its inputs before anything is encoded.
    refuse_overwriting_inputs(
        out_dir, [f"{stem}.mp4", *also_written, *companions], list(destination.inputs)
    )
    rendered = render_film(
        timeline,
        cues,
        out_dir,
        # The soft track escapes the words for mov_text itself (render/film.py).
        srt_text=format_srt(cues, escape=False),
        cache_dir=cache_root() / "render" / "segments",
        burn_in=options.burn_in,
        preset="ultrafast" if options.preview else options.preset,
        jobs=options.jobs,
        progress=step,
        gains=loudness_gains(timeline, target, options.jobs) if target is not None else None,
        loudness_target=target,
        stem=stem,
    )
    for name, text in companions.items():
        write_text(out_dir / name, text, preserve_format=False)  # generated afresh
    files = (rendered.film, *(out_dir / n for n in companions if n != MARKER))
    return EncodedFilm(timeline, cues, profile, rendered, files, target)


def _render_timeline(
    prepared: Prepared,
    timeline: Timeline,
    out_dir: Path,
    stem: str,
    options: RenderOptions,
    progress: Progress | None,
    counts: TranscribeReport,
    extra: dict[str, Callable[[Timeline], str]] | None = None,
) -> RenderReport:
    """One timeline of a manifest encoded (:func:`encode_film`), with its provenance record.

    The caller holds the output folder's lock.
    """
    manifest = prepared.manifest
    destination = Destination(out_dir, stem, str(manifest.path), tuple(input_files(prepared)))
    film = encode_film(
        timeline,
        destination,
        options,
        progress,
        also_written=[f"{stem}{PROVENANCE_SUFFIX}"],
        extra=extra,
    )
    record = provenance_record(
        manifest,
        film.timeline,
        sources=prepared.sources,
        transcripts=prepared.transcripts,
        transcribe_options=prepared.transcribe_options or options.transcribe,
        caption_profile=film.profile,
        corrections={cid: c.sha256 for cid, c in prepared.corrections.items()},
    )
    provenance = write_provenance(out_dir, record, files=list(film.files), stem=stem)
    return film.report(
        out_dir, also=(provenance,), transcribed=counts.transcribed, earlier=counts.notices
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
    report = check_consent(manifest, options.use, sources=prepared.sources)
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
    with locked_output_folder(out_dir):
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
        quotes = {f"{stem}-quotes.txt": lambda t: approval_quotes(t, narrator)}
        return _render_timeline(
            prepared, timeline, out_dir, stem, options, progress, counts, quotes
        )

"""The pipeline, stage by stage: manifest → sources → media → transcripts → edit plan →
captions → render. Each function here runs stages in order and hands typed artefacts from one
to the next; the command line calls these and nothing deeper.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import write_text_atomically
from .captions.build import build_captions
from .captions.profiles import get_profile
from .captions.transcript_doc import descriptive_transcript
from .captions.writers import format_srt, format_vtt
from .editplan.build import ClipMaterial, build_timeline
from .editplan.timeline import Timeline
from .manifest.load import load_manifest
from .manifest.model import Manifest
from .media.probe import MediaInfo, probe
from .render.film import MARKER, check_output_folder, render_film
from .sources.cache import cache_root
from .sources.resolve import SourceClip, resolve_sources
from .transcripts.model import Transcript
from .transcripts.options import TranscribeOptions
from .transcripts.store import cached_transcript, transcript_for

Progress = Callable[[str, float, float], None]
"""progress(stage, done, total): how far a long stage has got, for progress bars."""


@dataclass
class Prepared:
    manifest: Manifest
    sources: dict[str, SourceClip]
    media: dict[str, MediaInfo]
    transcripts: dict[str, Transcript] = field(default_factory=dict)

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
    total = sum(m.duration for m in prepared.media.values())
    done = 0.0
    counts = {"cached": 0, "transcribed": 0}
    for cid, source in prepared.sources.items():
        found = cached_transcript(source.path, options)
        if found is None:
            base = done

            def step(seconds: float, base=base) -> None:
                if progress:
                    progress("transcribe", base + seconds, total)

            found = transcript_for(source.path, options, step)
            counts["transcribed"] += 1
        else:
            counts["cached"] += 1
        prepared.transcripts[cid] = found
        done += prepared.media[cid].duration
        if progress:
            progress("transcribe", done, total)
    return counts


def plan(prepared: Prepared) -> Timeline:
    return build_timeline(prepared.manifest, prepared.material())


@dataclass(frozen=True)
class RenderOptions:
    burn_in: bool = True
    force: bool = False
    preset: str = "veryfast"
    jobs: int = 2
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
    check_output_folder(out_dir, str(manifest.path), options.force)
    counts = transcribe_all(prepared, options.transcribe, progress)
    timeline = plan(prepared)
    profile = get_profile(timeline.caption_profile)
    cues = build_captions(timeline, profile)
    srt, vtt = format_srt(cues), format_vtt(cues)
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
        preset=options.preset,
        jobs=options.jobs,
        progress=step,
    )
    document = descriptive_transcript(timeline)
    companions = {
        "film.srt": srt,
        "film.vtt": vtt,
        "timeline.json": json.dumps(timeline.to_dict(), indent=1),
        "transcript.txt": document.to_text(),
        "transcript.html": document.to_html(),
        MARKER: json.dumps({"manifest": str(manifest.path)}),
    }
    for name, text in companions.items():
        write_text_atomically(out_dir / name, text)
    return RenderReport(
        out_dir=out_dir,
        files=(rendered.film, *(out_dir / n for n in companions if n != MARKER)),
        duration=timeline.duration,
        cues=len(cues),
        segments=rendered.segments,
        reused=rendered.reused,
        transcribed=counts["transcribed"],
    )


def transcript_text(media: str | Path, options: TranscribeOptions, fmt: str) -> str:
    """The transcript of one media file as txt, srt, vtt or json text.

    Silence gives empty output in every text format, never invented words.
    """
    media = Path(media)
    probe(media)  # a clear error for a missing or non-media file before any model loads
    transcript = transcript_for(media, options)
    if fmt == "json":
        return json.dumps(transcript.to_dict(), indent=1) + "\n"
    if fmt == "txt":
        return transcript.text + "\n" if transcript.text else ""
    from .captions.writers import cues_from_segments

    cues = cues_from_segments(transcript, get_profile("default"))
    return format_srt(cues) if fmt == "srt" else format_vtt(cues)

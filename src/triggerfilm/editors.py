"""Use cases for editors: export the edit, import an editor's edit, replay a timeline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import pipeline
from .atomic import write_text_atomically
from .captions.build import build_captions
from .captions.profiles import get_profile
from .editplan.timeline import Timeline
from .exports import FORMATS, export_text
from .transcripts.options import TranscribeOptions


@dataclass(frozen=True)
class ExportReport:
    path: Path
    format: str
    cuts: int
    cards: int
    touchpoints: int
    captions: int


def film_timeline(
    manifest_path: str | Path,
    options: TranscribeOptions | None = None,
    progress: pipeline.Progress | None = None,
) -> tuple[pipeline.Prepared, Timeline]:
    """The manifest's timeline, transcribing clips not yet in the cache."""
    prepared = pipeline.prepare(manifest_path)
    pipeline.transcribe_all(prepared, options or TranscribeOptions(), progress)
    return prepared, pipeline.plan(prepared)


def export_edit(
    manifest_path: str | Path,
    out: str | Path,
    fmt: str,
    options: TranscribeOptions | None = None,
    progress: pipeline.Progress | None = None,
) -> ExportReport:
    """Write the manifest's edit to ``out`` as ``fmt`` (otio, fcpxml, fcp7xml or edl)."""
    prepared, timeline = film_timeline(manifest_path, options, progress)
    return export_timeline(
        timeline,
        out,
        fmt,
        rates={str(s.path): prepared.media[c].fps for c, s in prepared.sources.items()},
        durations={str(s.path): prepared.media[c].duration for c, s in prepared.sources.items()},
    )


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
    write_text_atomically(out, text)
    return ExportReport(
        path=out,
        format=fmt,
        cuts=sum(1 for i in timeline.items if i.kind == "cut"),
        cards=sum(1 for i in timeline.items if i.kind == "card"),
        touchpoints=len(timeline.touchpoints),
        captions=len(cues),
    )

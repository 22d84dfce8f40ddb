"""Exports: the film's edit for an editor's own software, and an editor's edit read back.

A stage after captions: it reads the timeline artefact (and the captions made from it) and
writes nothing itself; the app layer decides where the text goes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..captions.model import Cue
from ..editplan.timeline import Timeline
from .formats import FORMATS, ExportError, Format, format_for, otio_text, read_file
from .otio_build import build_otio, exact_rate

__all__ = [
    "FORMATS",
    "ExportError",
    "Format",
    "build_otio",
    "exact_rate",
    "export_text",
    "format_for",
    "read_file",
]


def export_text(
    timeline: Timeline,
    fmt: Format,
    cues: Iterable[Cue] = (),
    source_rates: Mapping[str, float] | None = None,
    source_durations: Mapping[str, float] | None = None,
) -> str:
    """``timeline`` written as ``fmt``: a clip per cut, a gap per card, markers per touchpoint."""
    return otio_text(build_otio(timeline, cues, source_rates, source_durations), fmt)

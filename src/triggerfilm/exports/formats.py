"""Writing and reading the interchange formats through OpenTimelineIO's maintained adapters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from html import unescape
from pathlib import Path
from xml.sax.saxutils import quoteattr

import opentimelineio as otio

from ..errors import TriggerfilmError


class ExportError(TriggerfilmError):
    """An edit cannot be written to, or read from, an interchange format."""


@dataclass(frozen=True)
class Format:
    """An editing program's file format, written and read through an OpenTimelineIO adapter:
    ``name`` is what the user chooses, ``suffix`` tells it from a file's name, ``label`` names it in
    messages."""

    name: str
    adapter: str
    suffix: str
    label: str


FORMATS = {
    f.name: f
    for f in (
        Format("otio", "otio_json", ".otio", "OpenTimelineIO (every field kept)"),
        Format("fcpxml", "fcpx_xml", ".fcpxml", "Final Cut Pro X / DaVinci Resolve FCPXML"),
        Format("fcp7xml", "fcp_xml", ".xml", "Final Cut Pro 7 XML (Premiere Pro, Resolve, Avid)"),
        Format("edl", "cmx_3600", ".edl", "CMX 3600 EDL"),
    )
}


def format_for(path: Path, name: str | None = None) -> Format:
    """The format named ``name``, or the one ``path``'s suffix stands for."""
    if name:
        return FORMATS[name]
    for fmt in FORMATS.values():
        if path.suffix.lower() == fmt.suffix:
            return fmt
    raise ExportError(
        f"cannot tell the edit's format from the name '{path.name}'",
        where=path,
        # The value that is missing: a face that lets its user name the format adds how.
        field="format",
        expected="a file ending " + ", ".join(f.suffix for f in FORMATS.values()),
        hint="Rename the file, or name its format",
    )


def otio_text(timeline: otio.schema.Timeline, fmt: Format) -> str:
    """``timeline`` as the text of ``fmt``."""
    rate = film_rate(timeline)
    if fmt.name == "edl":
        # Without a rate the adapter counts in the first track's summed duration's rate, which
        # is a source's rate when sources differ from the film.
        timeline = _on_grid(timeline, rate)
        text = otio.adapters.write_to_string(timeline, adapter_name=fmt.adapter, rate=rate)
        text = _with_frame_code_mode(text, rate)
    else:
        text = otio.adapters.write_to_string(timeline, adapter_name=fmt.adapter)
    if fmt.name == "fcpxml":
        text = _fcpxml_fixes(text, timeline)
    return str(text) if str(text).endswith("\n") else f"{text}\n"


def _fcpxml_fixes(text: str, timeline: otio.schema.Timeline) -> str:
    """Two things the FCPXML adapter leaves out: gap names (it calls every gap "Gap", so the
    cards' names would be lost) and sound (it marks a video track's media as silent, so an
    interview would import without its voice)."""
    names = iter([g.name for g in timeline.find_children(descended_from_type=otio.schema.Gap)])

    def gap(match: re.Match[str]) -> str:
        return f"<gap name={quoteattr(next(names, 'Gap'))}"

    text = re.sub(r'<gap name="Gap"', gap, text)
    with_sound = {
        c.media_reference.target_url
        for c in timeline.find_clips()
        if c.metadata.get("triggerfilm", {}).get("has_audio", True)
    }

    def asset(match: re.Match[str]) -> str:
        element = match.group(0)
        src = re.search(r'src="([^"]*)"', element)
        if src and unescape(src.group(1)) in with_sound:
            element = element.replace('hasAudio="0"', 'hasAudio="1"')
        return element

    text = re.sub(r"<asset\b[^>]*>", asset, text)
    # The adapter looks exact NTSC rates (30000/1001) up in a table keyed 29.97 and writes an
    # empty frame duration, which no reader accepts (its own included).
    rate = Fraction(film_rate(timeline)).limit_denominator(1001)
    return text.replace('frameDuration=""', f'frameDuration="{1 / rate}s"')


def _on_grid(timeline: otio.schema.Timeline, rate: float) -> otio.schema.Timeline:
    """A copy with every source range counted in whole frames of ``rate``.

    An EDL has one rate; the adapter truncates a source time converted to it, so 5.6 s of a
    24 fps source (134.4 frames, 139.99999 at 25 fps) would land a frame early.
    """
    copy = timeline.deepcopy()

    def frames(time: otio.opentime.RationalTime) -> otio.opentime.RationalTime:
        return otio.opentime.RationalTime(round(time.rescaled_to(rate).value), rate)

    for clip in copy.find_clips():
        span = clip.source_range
        clip.source_range = otio.opentime.TimeRange(frames(span.start_time), frames(span.duration))
        for marker in clip.markers:
            mark = marker.marked_range
            marker.marked_range = otio.opentime.TimeRange(
                frames(mark.start_time), frames(mark.duration)
            )
    return copy


def film_rate(timeline: otio.schema.Timeline) -> float:
    """The film's own frame rate (``build_otio`` sets the start time at it)."""
    start = timeline.global_start_time
    return float(start.rate if start is not None else timeline.duration().rate)


def _with_frame_code_mode(text: str, rate: float) -> str:
    # The adapter does not say whether its timecodes are drop-frame; an editor's software needs
    # the FCM line to read "01:00:00;02" right.
    mode = "FCM: DROP FRAME" if _is_drop(rate) else "FCM: NON-DROP FRAME"
    lines = text.splitlines()
    at = 1 if lines and lines[0].startswith("TITLE:") else 0
    return "\n".join([*lines[:at], mode, *lines[at:]])


def _is_drop(rate: float) -> bool:
    # SMPTE drop-frame exists for 29.97 and 59.94 only.
    return any(abs(rate - r * 1000 / 1001) < 1e-3 for r in (30, 60))


def read_file(path: Path, fps: float, name: str | None = None) -> otio.schema.Timeline:
    """An editor's edit file as an OpenTimelineIO timeline; EDLs are read at ``fps``."""
    fmt = format_for(path, name)
    if not path.is_file():
        raise ExportError("file not found", where=path, hint="Check the path")
    kwargs = {"rate": fps} if fmt.name == "edl" else {}
    try:
        result = otio.adapters.read_from_file(str(path), adapter_name=fmt.adapter, **kwargs)
    except Exception as error:  # the adapters raise many kinds of error on a bad file
        raise ExportError(
            f"cannot be read as {fmt.label}: {error}",
            where=path,
            hint="Export it again from the editing software",
        ) from None
    if isinstance(result, otio.schema.Timeline):
        return result
    timelines = list(result.find_children(descended_from_type=otio.schema.Timeline))
    if not timelines:
        raise ExportError(f"holds no timeline ({fmt.label})", where=path)
    return timelines[0]

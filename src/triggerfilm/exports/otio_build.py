"""The timeline artefact as an OpenTimelineIO timeline, for an editor's own software.

One video track holds the film in order: each card is a gap named after it (editors drop in their
own title), each cut is a clip that references its source media at its real absolute path and
frame rate. Markers sit on clips because that is the one place every interchange format keeps
them (FCP 7 XML, FCPXML and CMX 3600 EDL all drop track markers): the first clip of each
touchpoint carries a marker named ``Touchpoint N: Title``, coloured by the balance of the
touchpoint's positive and negative moments, and every caption is a marker on the clip it is
spoken in. ``metadata["triggerfilm"]`` keeps what only OTIO itself can carry: narrator,
selection origin, valence, the source's hash.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
from opentimelineio.opentime import RationalTime, TimeRange

from ..captions.model import Cue
from ..editplan.timeline import TIMELINE_VERSION, Card, Cut, Timeline

# Video rates written as 29.97 and friends are really 30000/1001 etc.; timecode (and drop-frame)
# depends on the exact value.
NTSC_RATES = {
    23.976: Fraction(24000, 1001),
    29.97: Fraction(30000, 1001),
    59.94: Fraction(60000, 1001),
}
TOUCHPOINT_MARKER = re.compile(r"^\s*touchpoint\s+(\d+)\s*:\s*(.+?)\s*$", re.IGNORECASE)
CAPTION_COLOUR = otio.schema.MarkerColor.WHITE


def exact_rate(fps: float) -> float:
    """``fps`` as OpenTimelineIO wants it: 29.97 becomes 30000/1001, 25 stays 25."""
    for nominal, exact in NTSC_RATES.items():
        if abs(fps - nominal) < 0.01 or abs(fps - float(exact)) < 1e-6:
            return float(exact)
    return float(fps)


def valence_colour(valences: Iterable[str | None]) -> str:
    colours = otio.schema.MarkerColor
    """Green where positive moments outweigh negative ones, red the other way, yellow if even."""
    values = list(valences)
    positive, negative = values.count("positive"), values.count("negative")
    if positive > negative:
        return str(colours.GREEN)
    if negative > positive:
        return str(colours.RED)
    return str(colours.YELLOW)


def touchpoint_marker_name(number: int, title: str) -> str:
    return f"Touchpoint {number}: {title}"


def reel_name(clip_id: str) -> str:
    # CMX 3600 reels are at most 8 letters and digits; the clip id is the editor's handle.
    return re.sub(r"[^A-Za-z0-9]", "", clip_id).upper()[:8] or "AX"


def build_otio(
    timeline: Timeline,
    cues: Iterable[Cue] = (),
    source_rates: Mapping[str, float] | None = None,
    source_durations: Mapping[str, float] | None = None,
) -> otio.schema.Timeline:
    """The OpenTimelineIO form of ``timeline``.

    ``source_rates`` maps a source path to its frame rate (audio-only sources and missing entries
    use the film's rate); ``source_durations`` to its length in seconds, for each media
    reference's available range.
    """
    rate = exact_rate(timeline.fps)
    rates = source_rates or {}
    durations = source_durations or {}
    result = otio.schema.Timeline(name=timeline.title, global_start_time=RationalTime(0, rate))
    result.metadata["triggerfilm"] = {
        "timeline_version": TIMELINE_VERSION,
        "manifest": timeline.manifest,
        "manifest_sha256": timeline.manifest_sha256,
        "touchpoints": list(timeline.touchpoints),
        "width": timeline.width,
        "height": timeline.height,
    }
    track = otio.schema.Track(name="Film", kind=otio.schema.TrackKind.Video)
    result.tracks.append(track)
    by_item: dict[int, list[Cue]] = {}
    for cue in cues:
        if cue.item is not None:
            by_item.setdefault(cue.item, []).append(cue)
    colours = {
        t: valence_colour(
            i.valence for i in timeline.items if isinstance(i, Cut) and i.touchpoint == t
        )
        for t in range(len(timeline.touchpoints))
    }
    marked: set[int] = set()
    starts = timeline.starts()
    for index, item in enumerate(timeline.items):
        length = RationalTime(item.frames, rate)
        if isinstance(item, Card):
            gap = otio.schema.Gap(
                name=item.title, source_range=TimeRange(RationalTime(0, rate), length)
            )
            gap.metadata["triggerfilm"] = {
                "card": item.role,
                "title": item.title,
                "subtitle": item.subtitle,
                "touchpoint": item.touchpoint,
            }
            track.append(gap)
            continue
        clip = _clip(
            item,
            timeline.source_out(item),
            rates.get(item.source) or rate,
            durations.get(item.source),
            rate,
        )
        if item.touchpoint not in marked and item.touchpoint < len(timeline.touchpoints):
            marked.add(item.touchpoint)
            marker = otio.schema.Marker(
                name=touchpoint_marker_name(
                    item.touchpoint + 1, timeline.touchpoints[item.touchpoint]
                ),
                marked_range=TimeRange(clip.source_range.start_time, RationalTime(0, rate)),
                color=colours[item.touchpoint],
            )
            marker.metadata["triggerfilm"] = {"touchpoint": item.touchpoint}
            clip.markers.append(marker)
        film_start = starts[index] / rate
        for cue in by_item.get(index, ()):
            at = clip.source_range.start_time + RationalTime(
                (cue.start - film_start) * clip.source_range.start_time.rate,
                clip.source_range.start_time.rate,
            )
            marker = otio.schema.Marker(
                name=" ".join(cue.lines),
                marked_range=TimeRange(
                    at,
                    RationalTime(
                        (cue.end - cue.start) * at.rate,
                        at.rate,
                    ),
                ),
                color=CAPTION_COLOUR,
            )
            marker.metadata["triggerfilm"] = {"caption": True, "speaker": cue.speaker}
            clip.markers.append(marker)
        track.append(clip)
    return result


def _clip(
    cut: Cut,
    source_out: float,
    source_rate: float,
    source_seconds: float | None,
    film_rate: float,
) -> otio.schema.Clip:
    source_rate = exact_rate(source_rate)
    start = RationalTime(cut.source_in * source_rate, source_rate)
    duration = RationalTime(cut.frames / film_rate * source_rate, source_rate)
    # FCPXML needs the media's length; where it is not known, what the cut uses is the least.
    length = RationalTime((source_seconds or source_out) * source_rate, source_rate)
    available = TimeRange(RationalTime(0, source_rate), length)
    reference = otio.schema.ExternalReference(
        target_url=Path(cut.source).resolve().as_uri(), available_range=available
    )
    reference.name = Path(cut.source).name
    clip = otio.schema.Clip(
        name=cut.clip_id, media_reference=reference, source_range=TimeRange(start, duration)
    )
    clip.metadata["triggerfilm"] = {
        "clip_id": cut.clip_id,
        "narrator": cut.narrator,
        "descriptor": cut.descriptor,
        "origin": cut.origin,
        "valence": cut.valence,
        "touchpoint": cut.touchpoint,
        "media_type": cut.media_type,
        "has_audio": cut.has_audio,
        "source": str(Path(cut.source).resolve()),
        "source_sha256": cut.source_sha256,
    }
    clip.metadata["cmx_3600"] = {"reel": reel_name(cut.clip_id)}
    return clip

"""An editor's edit read back: which media, which part of it, under which touchpoint, in order.

Touchpoints come, in this order of preference, from a video track named after one (an editor
who lays each touchpoint on its own track), from markers named ``Touchpoint N: Title`` (what
``export`` writes; any marker whose name is a touchpoint's title counts too) and from gaps named
after a touchpoint (the cards, as OTIO and FCPXML keep them). A clip belongs to the last
touchpoint that starts at or before it on the film's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import opentimelineio as otio

from .formats import ExportError
from .otio_build import TOUCHPOINT_MARKER


@dataclass(frozen=True)
class ImportedCut:
    """One clip of the editor's timeline, in film order."""

    name: str
    media: str | None  # the media file's path as the edit names it
    start: float  # seconds into the source
    end: float
    record: float  # seconds into the film
    touchpoint: int | None  # index into the touchpoint titles, None where nothing says
    metadata: dict[str, object] = field(default_factory=dict)


def media_path(reference: otio.core.MediaReference | None) -> str | None:
    url = getattr(reference, "target_url", None)
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    return url if not parsed.scheme else None


def read_cuts(timeline: otio.schema.Timeline, titles: list[str], where: Path) -> list[ImportedCut]:
    """Every media clip on ``timeline``'s enabled video tracks, in film order."""
    wanted = [t.casefold() for t in titles]

    def title_index(text: str) -> int | None:
        match = TOUCHPOINT_MARKER.match(text)
        if match:
            name = match.group(2).casefold()
            if name in wanted:
                return wanted.index(name)
            raise ExportError(
                f"the edit has a touchpoint '{match.group(2)}' that the manifest does not",
                where=where,
                expected="one of: " + "; ".join(titles),
                hint="Add the touchpoint to the manifest first, or rename the marker",
            )
        folded = text.strip().casefold()
        return wanted.index(folded) if folded in wanted else None

    def seconds(time: otio.opentime.RationalTime) -> float:
        return float(time.to_seconds())

    boundaries: list[tuple[float, int]] = []
    for marker in timeline.tracks.markers:
        index = title_index(marker.name)
        if index is not None:
            boundaries.append((seconds(marker.marked_range.start_time), index))
    found: list[tuple[float, int | None, otio.schema.Clip]] = []
    for track in timeline.video_tracks():
        if not track.enabled:
            continue
        whole_track = title_index(track.name) if track.name else None
        for marker in track.markers:
            index = title_index(marker.name)
            if index is not None:
                boundaries.append((seconds(marker.marked_range.start_time), index))
        for item in track:
            if isinstance(item, otio.schema.Gap):
                index = title_index(item.name) if item.name else None
                if index is not None:
                    boundaries.append((seconds(item.range_in_parent().start_time), index))
                continue
            if not isinstance(item, otio.schema.Clip) or not item.enabled:
                continue
            placed = item.range_in_parent().start_time
            for marker in item.markers:
                index = title_index(marker.name)
                if index is not None:
                    # Clip markers count in the clip's source time.
                    offset = marker.marked_range.start_time - item.source_range.start_time
                    boundaries.append((max(seconds(placed), seconds(placed + offset)), index))
            found.append((seconds(placed), whole_track, item))
    boundaries.sort(key=lambda b: b[0])
    cuts = []
    for record, whole_track, clip in sorted(found, key=lambda f: f[0]):
        touchpoint = whole_track
        if touchpoint is None:
            # A hundredth of a second of slack: a marker written at the clip's first frame
            # may come back a rounding error later.
            before = [index for at, index in boundaries if at <= record + 0.01]
            touchpoint = before[-1] if before else None
        span = clip.source_range or clip.available_range()
        cuts.append(
            ImportedCut(
                name=clip.name,
                media=media_path(clip.media_reference),
                start=seconds(span.start_time),
                end=seconds(span.end_time_exclusive()),
                record=record,
                touchpoint=touchpoint,
                metadata=dict(clip.metadata.get("triggerfilm", {})),
            )
        )
    return cuts

"""The timeline as a playlist a player can follow without rendering anything.

Each entry is a card (shown for its length) or a stretch of one source between an in and an
out point, with where it starts on the film's clock. Consecutive cuts that continue one source
exactly are merged, so a player does not seek (and stutter) where the film does not cut.
"""

from __future__ import annotations

from dataclasses import dataclass

from .timeline import Card, Cut, Timeline


@dataclass(frozen=True)
class PlaylistEntry:
    """One step of the studio's preview, which plays the film from the sources without rendering it:
    a card to show, or one source to play from ``source_in`` to ``source_out``. ``film_in`` and
    ``film_out`` place it on the film's clock; all in seconds."""

    kind: str  # "card" or "cut"
    film_in: float
    film_out: float
    # Cards: their title and subtitle. Cuts: the clip and its source in/out points.
    title: str = ""
    subtitle: str | None = None
    clip: str | None = None
    source_in: float = 0.0
    source_out: float = 0.0
    narrator: str | None = None
    descriptor: str | None = None
    media_type: str | None = None
    touchpoint: int | None = None


def playlist(timeline: Timeline) -> tuple[PlaylistEntry, ...]:
    fps = timeline.fps
    entries: list[PlaylistEntry] = []
    for start, item in zip(timeline.starts(), timeline.items, strict=True):
        film_in, film_out = start / fps, (start + item.frames) / fps
        if isinstance(item, Card):
            entries.append(
                PlaylistEntry(
                    "card",
                    film_in,
                    film_out,
                    title=item.title,
                    subtitle=item.subtitle,
                    touchpoint=item.touchpoint,
                )
            )
            continue
        assert isinstance(item, Cut)
        source_out = timeline.source_out(item)
        last = entries[-1] if entries else None
        if (
            last is not None
            and last.kind == "cut"
            and last.clip == item.clip_id
            and abs(last.source_out - item.source_in) < 0.5 / fps
        ):
            entries[-1] = PlaylistEntry(
                **{**last.__dict__, "film_out": film_out, "source_out": source_out}
            )
            continue
        entries.append(
            PlaylistEntry(
                "cut",
                film_in,
                film_out,
                clip=item.clip_id,
                source_in=item.source_in,
                source_out=source_out,
                narrator=item.narrator,
                descriptor=item.descriptor,
                media_type=item.media_type,
                touchpoint=item.touchpoint,
            )
        )
    return tuple(entries)

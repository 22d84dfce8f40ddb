"""The edit plan: an explicit, versioned timeline that everything renders from.

Positions and lengths are whole frames at the film's frame rate, so cuts sit on the frame grid
by construction and the film's length is exactly the sum of its items. Each cut carries the
words spoken inside it (source times), which is all the caption stage needs. The JSON form is
written beside every film (``timeline.json``), so a render can be replayed and diffed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from ..errors import TriggerfilmError
from ..store import JsonDocument
from ..transcripts.model import Word

# The format of timeline.json (docs/timeline.md). Bump it when a field is added, removed or
# changes meaning, and keep reading the older versions.
TIMELINE_VERSION = 1


@dataclass(frozen=True)
class Card:
    """A full-frame card: the film's opening, a touchpoint title, or the end credits."""

    role: Literal["opening", "touchpoint", "credits"]
    title: str
    frames: int
    subtitle: str | None = None
    touchpoint: int | None = None
    kind: Literal["card"] = "card"


@dataclass(frozen=True)
class Cut:
    """A passage of one source clip, ``frames`` long from ``source_in`` (seconds, on the grid)."""

    clip_id: str
    source: str
    source_sha256: str
    source_in: float
    frames: int
    touchpoint: int
    narrator: str
    descriptor: str | None
    media_type: str
    words: tuple[Word, ...] = ()
    # Some video files have no sound track; the renderer fills them with silence.
    has_audio: bool = True
    # Source-time ranges to mute; their words are already replaced by a placeholder in ``words``.
    redactions: tuple[tuple[float, float], ...] = ()
    valence: str | None = None
    # The manifest field the selection came from, e.g. touchpoints[0].selections[1].
    origin: str = ""
    kind: Literal["cut"] = "cut"


Item = Card | Cut


def holds_word(start: float, end: float, word: Word) -> bool:
    """The one rule for whether a passage from ``start`` to ``end`` holds ``word``.

    A word belongs to the passage its mid-point falls in, the end excluded, so two passages
    that meet never share a word and a cut through a word gives it to one side only.
    """
    return start <= (word.start + word.end) / 2 < end


@dataclass(frozen=True)
class Timeline:
    """The edit plan of one film: its cards and cuts in playing order on a grid of ``fps`` frames a
    second, and what the captions need. ``build_timeline`` makes it; captions, render, reports and
    exports read it, and it is saved beside the film as ``timeline.json`` to replay a render."""

    title: str
    fps: int
    width: int
    height: int
    items: tuple[Item, ...]
    touchpoints: tuple[str, ...] = ()
    # A profile's name, not the profile: its numbers live in captions.profiles, a later stage,
    # and the caption stage looks the name up (get_profile) when it lays the cues out.
    caption_profile: str = "default"
    speaker_labels: str = "auto"
    manifest: str = ""
    manifest_sha256: str = ""
    # Things an editor should check, e.g. a cut that lands inside a word.
    warnings: tuple[str, ...] = ()

    @property
    def frames(self) -> int:
        return sum(item.frames for item in self.items)

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    def source_out(self, cut: Cut) -> float:
        """Where ``cut`` ends in its source clip, in seconds (on the frame grid)."""
        return cut.source_in + cut.frames / self.fps

    def starts(self) -> list[int]:
        """The first frame of every item on the film's timeline."""
        starts, position = [], 0
        for item in self.items:
            starts.append(position)
            position += item.frames
        return starts

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "version": TIMELINE_VERSION}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timeline:
        if data.get("version") != TIMELINE_VERSION:
            raise ValueError(f"unsupported timeline version {data.get('version')!r}")
        items: list[Item] = []
        for raw in data["items"]:
            raw = dict(raw)
            if raw["kind"] == "card":
                items.append(Card(**raw))
            else:
                raw["words"] = tuple(
                    Word(**{**w, "doubts": tuple(w.get("doubts", ()))}) for w in raw["words"]
                )
                raw["redactions"] = tuple(tuple(r) for r in raw.get("redactions", ()))
                items.append(Cut(**raw))
        # "extra" was an always-empty field of early version-1 files.
        fields = {k: v for k, v in data.items() if k not in ("items", "version", "extra")}
        fields["touchpoints"] = tuple(fields.get("touchpoints", ()))
        fields["warnings"] = tuple(fields.get("warnings", ()))
        return cls(items=tuple(items), **fields)


def touchpoint_film(timeline: Timeline, name: str) -> tuple[Timeline, int]:
    """The part of ``timeline`` for one touchpoint, as a short film of its own.

    ``name`` is the touchpoint's title (case-insensitive) or its 1-based number. The result
    keeps that touchpoint's card and cuts, and the credits.
    """
    titles = [t.casefold() for t in timeline.touchpoints]
    if name.isdigit() and 1 <= int(name) <= len(titles):
        index = int(name) - 1
    elif name.casefold() in titles:
        index = titles.index(name.casefold())
    else:
        raise KeyError(name)
    items = tuple(
        item
        for item in timeline.items
        if (item.kind == "cut" and item.touchpoint == index)
        or (item.kind == "card" and (item.touchpoint == index or item.role == "credits"))
    )
    return replace(timeline, items=items), index


def narrator_film(timeline: Timeline, narrator: str) -> Timeline:
    """Only one narrator's passages, with their touchpoint cards: what they are asked to approve.

    Raises KeyError when the narrator has no passage in the film.
    """
    mine = {i.touchpoint for i in timeline.items if i.kind == "cut" and i.narrator == narrator}
    if not mine:
        raise KeyError(narrator)
    items: list[Item] = []
    for item in timeline.items:
        if item.kind == "cut" and item.narrator != narrator:
            continue
        if item.kind == "card" and item.role == "touchpoint" and item.touchpoint not in mine:
            continue
        if item.kind == "card" and item.role == "opening":
            item = replace(
                item,
                title=f"For {narrator} to approve",
                subtitle=f"Passages chosen for “{timeline.title}”",
            )
        items.append(item)
    return replace(timeline, items=tuple(items))


class TimelineError(TriggerfilmError):
    """A saved timeline.json cannot be read or replayed."""


TIMELINE_DOCUMENT = JsonDocument(
    what="timeline",
    expected=f"a timeline.json written beside a rendered film: format version {TIMELINE_VERSION}, "
    "as docs/timeline.md describes",
    error=TimelineError,
    hint="Render the film again from its manifest to write a new timeline.json",
    missing_hint="Check the path: a render writes timeline.json beside the film",
)


def load_timeline(path: str | Path) -> Timeline:
    """A saved ``timeline.json``, checked: a clear error for a file this version cannot read.

    Versions are whole numbers; a file from a newer triggerfilm is refused rather than guessed
    at, since fields it adds may change what the film shows.
    """
    path = Path(path)
    data = TIMELINE_DOCUMENT.read(path)
    if "items" not in data:
        raise TimelineError(
            "is not a triggerfilm timeline (it has no items)",
            where=path,
            expected=TIMELINE_DOCUMENT.expected,
            hint=TIMELINE_DOCUMENT.missing_hint,
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise TimelineError(
            f"has no usable format version ({version!r})",
            where=path,
            field="version",
            expected=f"a whole number; this triggerfilm reads version {TIMELINE_VERSION}",
        )
    if version > TIMELINE_VERSION:
        raise TimelineError(
            f"is timeline format version {version}, newer than this triggerfilm reads "
            f"(version {TIMELINE_VERSION})",
            where=path,
            field="version",
            hint="Render it with the triggerfilm release that wrote it, or a newer one",
        )
    if version < 1 or version != TIMELINE_VERSION:
        raise TimelineError(
            f"is timeline format version {version}, which this triggerfilm does not know",
            where=path,
            field="version",
            expected=f"version {TIMELINE_VERSION}",
        )
    with TIMELINE_DOCUMENT.fields(path):
        return Timeline.from_dict(data)

"""The plan report: what a facilitator needs at a glance before rendering anything.

Built from the Timeline (so its numbers are exactly the film's, cards included) and the source
clips (for the narrators' published role, sex and age band). Formatters for a terminal table,
JSON and CSV are separate functions over the same typed report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from ..editplan.timeline import Card, Cut, Timeline
from ..manifest.model import Narrator
from ..sources.resolve import SourceClip
from ..timefmt import mmss

DEFAULT_TARGET_MINUTES = 30.0
# Over or under the target by more than this fraction is worth a warning.
TARGET_TOLERANCE = 0.10
# One narrator holding more than this share of the spoken film dominates it.
NARRATOR_SHARE_LIMIT = 0.35
UNKNOWN = "unknown"
VALENCE_KEYS = ("positive", "negative", "mixed", "unmarked")


@dataclass(frozen=True)
class CutFacts:
    """What a cut's row says that a card's cannot: the clip it comes from and its feeling."""

    clip: str
    source_in: float
    source_out: float
    valence: str | None  # None: not marked in the manifest
    media_type: str


@dataclass(frozen=True)
class Row:
    """One line of the running order: a card or a cut. Times in seconds."""

    position: int
    touchpoint: str | None
    label: str  # the card's title, or the cut's first words
    film_in: float
    film_out: float
    narrator: str | None = None
    cut: CutFacts | None = None  # None for a card

    @property
    def kind(self) -> str:
        return "card" if self.cut is None else "cut"

    def to_dict(self) -> dict[str, Any]:
        """The row flat, as plan.json has it: a card's cut fields are null."""
        cut = asdict(self.cut) if self.cut else dict.fromkeys(f.name for f in fields(CutFacts))
        return {
            "position": self.position,
            "kind": self.kind,
            "touchpoint": self.touchpoint,
            "label": self.label,
            "film_in": self.film_in,
            "film_out": self.film_out,
            "narrator": self.narrator,
            **cut,
        }


@dataclass(frozen=True)
class TouchpointTime:
    """One touchpoint's part of the film in the plan report: its running time in seconds (title card
    and cuts), how many of its cuts have each valence (``unmarked`` where none is given), and whose
    voices it carries."""

    index: int
    title: str
    seconds: float  # its title card and cuts
    cuts: int
    valence: dict[str, int]
    narrators: tuple[str, ...]


# The facts of a narrator the report counts its narrators by.
REPRESENTED = ("role", "sex", "age_band")


@dataclass(frozen=True)
class NarratorShare:
    """How much of the film one narrator speaks, in seconds and as a share of all cut time (0 to 1):
    the plan report warns when one holds more than ``NARRATOR_SHARE_LIMIT`` of it."""

    narrator: str
    seconds: float
    share: float  # of all cut time, 0..1
    cuts: int
    # Who they are, as the manifest or the archive describes them (any fact may be unknown).
    who: Narrator = Narrator()
    media_types: tuple[str, ...] = ()

    def facts(self) -> dict[str, str]:
        """The narrator's REPRESENTED facts as the report shows them: "unknown" where no one
        said, so a film's gaps in representation are counted, not hidden."""
        return {name: getattr(self.who, name) or UNKNOWN for name in REPRESENTED}

    def to_dict(self) -> dict[str, Any]:
        """As plan.json has always written a narrator: flat, with "unknown" facts."""
        return {
            "narrator": self.narrator,
            "seconds": self.seconds,
            "share": self.share,
            "cuts": self.cuts,
            **self.facts(),
            "media_types": list(self.media_types),
            "descriptor": self.who.descriptor,
        }


@dataclass(frozen=True)
class PlanWarning:
    """Something a facilitator should look at before rendering; ``code`` names the kind of problem,
    so a face or a test can tell them apart without reading the message."""

    # over-target, under-target, empty-touchpoint, all-negative, narrator-dominates, cut-in-word
    code: str
    message: str


@dataclass(frozen=True)
class PlanReport:
    """What a facilitator checks before rendering: the running order, time per touchpoint and per
    narrator, whose voices the film carries, and warnings. Built from the timeline, so its numbers
    are the film's; times in seconds. Printed by ``plan`` and shown beside the studio's board."""

    title: str
    fps: int
    target_seconds: float
    total_seconds: float
    card_seconds: float
    cut_seconds: float
    rows: tuple[Row, ...]
    touchpoints: tuple[TouchpointTime, ...]
    narrators: tuple[NarratorShare, ...]
    # Category → value → number of narrators, e.g. {"role": {"patient": 3}}.
    representation: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: tuple[PlanWarning, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        # Rows and narrators write their own flat layout: asdict would only convert them to be
        # thrown away (the keys keep their places when overwritten).
        return {
            **asdict(replace(self, rows=(), narrators=())),
            "rows": [row.to_dict() for row in self.rows],
            "narrators": [n.to_dict() for n in self.narrators],
        }


def build_plan_report(
    timeline: Timeline,
    sources: dict[str, SourceClip],
    target_minutes: float = DEFAULT_TARGET_MINUTES,
) -> PlanReport:
    fps = timeline.fps
    rows: list[Row] = []
    for position, (start, item) in enumerate(zip(timeline.starts(), timeline.items, strict=True)):
        film_in, film_out = start / fps, (start + item.frames) / fps
        if isinstance(item, Card):
            tp = timeline.touchpoints[item.touchpoint] if item.touchpoint is not None else None
            label = item.title if item.role != "credits" else "Credits"
            rows.append(Row(position, tp, label, film_in, film_out))
        else:
            tp = timeline.touchpoints[item.touchpoint]
            label = _first_words(item)
            source_out = timeline.source_out(item)
            cut = CutFacts(item.clip_id, item.source_in, source_out, item.valence, item.media_type)
            rows.append(Row(position, tp, label, film_in, film_out, item.narrator, cut))
    cuts = [i for i in timeline.items if isinstance(i, Cut)]
    cut_seconds = sum(c.frames for c in cuts) / fps
    total = timeline.duration
    touchpoints = tuple(_touchpoint_time(timeline, t) for t in range(len(timeline.touchpoints)))
    narrators = _narrators(cuts, sources, fps, cut_seconds)
    target = target_minutes * 60
    return PlanReport(
        title=timeline.title,
        fps=fps,
        target_seconds=target,
        total_seconds=total,
        card_seconds=total - cut_seconds,
        cut_seconds=cut_seconds,
        rows=tuple(rows),
        touchpoints=touchpoints,
        narrators=narrators,
        representation=_representation(narrators),
        warnings=tuple(_warnings(total, target, touchpoints, narrators))
        + tuple(PlanWarning("cut-in-word", text) for text in timeline.warnings),
    )


def _first_words(cut: Cut, count: int = 6) -> str:
    # Whisper's word texts carry their own leading spaces ("follow", "-up" stays "follow-up").
    text = " ".join("".join(w.text for w in cut.words[:count]).split())
    return text + (" …" if len(cut.words) > count else "") if text else "(no words recognised)"


def _touchpoint_time(timeline: Timeline, t: int) -> TouchpointTime:
    items = [
        i
        for i in timeline.items
        if i.touchpoint == t and (isinstance(i, Cut) or i.role == "touchpoint")
    ]
    cuts = [i for i in items if isinstance(i, Cut)]
    valence = Counter(c.valence or "unmarked" for c in cuts)
    return TouchpointTime(
        index=t,
        title=timeline.touchpoints[t],
        seconds=sum(i.frames for i in items) / timeline.fps,
        cuts=len(cuts),
        valence={key: valence.get(key, 0) for key in VALENCE_KEYS},
        narrators=tuple(dict.fromkeys(c.narrator for c in cuts)),
    )


def _narrators(
    cuts: list[Cut], sources: dict[str, SourceClip], fps: int, cut_seconds: float
) -> tuple[NarratorShare, ...]:
    frames: Counter[str] = Counter()
    count: Counter[str] = Counter()
    first: dict[str, SourceClip | None] = {}
    media: dict[str, list[str]] = {}
    for cut in cuts:
        frames[cut.narrator] += cut.frames
        count[cut.narrator] += 1
        first.setdefault(cut.narrator, sources.get(cut.clip_id))
        media.setdefault(cut.narrator, [])
        if cut.media_type not in media[cut.narrator]:
            media[cut.narrator].append(cut.media_type)
    shares = []
    for narrator in sorted(frames, key=lambda n: (-frames[n], n)):
        src = first[narrator]
        seconds = frames[narrator] / fps
        shares.append(
            NarratorShare(
                narrator=narrator,
                seconds=seconds,
                share=seconds / cut_seconds if cut_seconds else 0.0,
                cuts=count[narrator],
                who=src.who if src else Narrator(),
                media_types=tuple(media[narrator]),
            )
        )
    return tuple(shares)


def _representation(narrators: tuple[NarratorShare, ...]) -> dict[str, dict[str, int]]:
    """How many narrators of each role, sex, age band and media type the film carries."""
    result: dict[str, dict[str, int]] = {}
    for category in REPRESENTED:
        counts = Counter(n.facts()[category] for n in narrators)
        result[category] = dict(sorted(counts.items()))
    media = Counter(m for n in narrators for m in n.media_types)
    result["media_type"] = dict(sorted(media.items()))
    return result


def _warnings(
    total: float,
    target: float,
    touchpoints: tuple[TouchpointTime, ...],
    narrators: tuple[NarratorShare, ...],
) -> list[PlanWarning]:
    found = []
    if target > 0 and abs(total - target) > TARGET_TOLERANCE * target:
        over = total > target
        found.append(
            PlanWarning(
                "over-target" if over else "under-target",
                f"the film runs {mmss(total)}, {abs(total - target) / target:.0%} "
                f"{'over' if over else 'under'} the {mmss(target)} target "
                f"(allowed: ±{TARGET_TOLERANCE:.0%})",
            )
        )
    for tp in touchpoints:
        if not tp.cuts:
            found.append(
                PlanWarning(
                    "empty-touchpoint", f"'{tp.title}' has no passages yet: only its title card"
                )
            )
        if tp.cuts and tp.valence["negative"] == tp.cuts:
            found.append(
                PlanWarning(
                    "all-negative",
                    f"every selection in '{tp.title}' is negative: balance it with a positive "
                    "or mixed moment",
                )
            )
    for share in narrators:
        if share.share > NARRATOR_SHARE_LIMIT:
            found.append(
                PlanWarning(
                    "narrator-dominates",
                    f"{share.narrator} speaks for {share.share:.0%} of the film "
                    f"(more than {NARRATOR_SHARE_LIMIT:.0%})",
                )
            )
    return found

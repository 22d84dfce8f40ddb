"""Caption cues on the film's timeline."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Cue:
    """One caption: film times in seconds, one to three display lines.

    ``speaker`` is the narrator (always written as a WebVTT voice span); ``label`` is True where
    the picture does not show who speaks, so SRT and burned-in captions name them too.
    ``item`` is the index of the timeline cut the cue belongs to: cues never cross cuts.
    """

    start: float
    end: float
    lines: tuple[str, ...]
    speaker: str | None = None
    label: bool = False
    item: int | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

"""How use cases report back to a face: progress through one callback, warnings as values.

A use case never prints and never uses Python's ``warnings``: it returns :class:`Notice` values
on its result, and the command line or the studio decides how to show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Progress(Protocol):
    """``progress(stage, done, total)``: how far a long stage has got, for progress bars.

    Stages: ``clips`` and ``transcribe`` (seconds of audio), ``render`` (segments).
    """

    def __call__(self, stage: str, done: float, total: float, /) -> None: ...


@dataclass(frozen=True)
class Notice:
    """Something the user should know that did not stop the work.

    ``topic`` groups notices (``consent``, ``alignment``, ``timeline``); ``where`` names the
    clip or file concerned when there is one.
    """

    topic: str
    message: str
    where: str | None = None

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{self.topic}: {where}{self.message}"

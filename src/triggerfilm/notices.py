"""Warnings as values: what the user should know that did not stop the work.

Below every stage (like ``errors``), so a stage that notices something, e.g. a damaged cache
entry it redoes, can hand it up as a value; ``app/`` collects them on its results and each face
shows them in its own way. Library code never prints and never uses Python's ``warnings``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    """Something the user should know that did not stop the work.

    ``topic`` groups notices (``consent``, ``alignment``, ``timeline``, ``cache``); ``where``
    names the clip or file concerned when there is one.
    """

    topic: str
    message: str
    where: str | None = None

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{self.topic}: {where}{self.message}"

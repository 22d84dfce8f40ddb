"""How use cases report back to a face: progress through one callback, warnings as values.

A use case never prints and never uses Python's ``warnings``: it returns :class:`Notice` values
on its result, and the command line or the studio decides how to show them.
"""

from __future__ import annotations

from typing import Protocol

from ..notices import Notice


class Progress(Protocol):
    """``progress(stage, done, total)``: how far a long stage has got, for progress bars.

    Stages: ``clips`` and ``transcribe`` (seconds of audio), ``render`` (segments), ``embed``
    (sentences, for the archive index) and ``thumbnails`` (the caption QC report's frames).
    ``cli.app.Bars`` names a bar for each.
    """

    def __call__(self, stage: str, done: float, total: float, /) -> None: ...


__all__ = ["Notice", "Progress"]

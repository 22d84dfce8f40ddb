"""The event pack: a film folder that plays offline in a browser at the joint event.

A stage after render: it reads the timeline (for each touchpoint's place in the film) and the
captions, and makes the page's files as text. Nothing here fetches anything: the page, its
script and style sit beside the film and work from a USB stick over ``file://``.
"""

from __future__ import annotations

from .page import DEFAULT_PROMPT, Chapter, chapters, event_page

__all__ = ["DEFAULT_PROMPT", "Chapter", "chapters", "event_page"]

"""The film's descriptive transcript: a full text alternative in film order (WCAG 2.2, 1.2.8).

Everything a viewer meets, in the order they meet it: the cards' text, the touchpoints as
headings, and each passage's words under its narrator's name and published descriptor, with the
time it starts in the film. It is written as plain text and as a standalone HTML page that needs
nothing from outside (no scripts, fonts or style sheets), for screen readers and for printing.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

from ..editplan.timeline import Card, Timeline
from ..htmlpage import html_page
from ..timefmt import mmss, time_element
from .build import words_in_cut


@dataclass(frozen=True)
class TranscriptEntry:
    """One thing the viewer meets: a card or a narrator's passage, at ``start`` seconds."""

    kind: Literal["card", "speech"]
    start: float
    text: str
    # Cards: "opening", "touchpoint" or "credits". Speech: the narrator's label.
    role: str = ""
    heading: str | None = None  # a section starts here (touchpoints, credits)
    subtitle: str | None = None
    note: str | None = None  # what the picture shows, where it matters


@dataclass(frozen=True)
class DescriptiveTranscript:
    """The film's descriptive transcript, its text alternative for someone who cannot see or hear
    it: everything a viewer meets, in film order. Written beside the film as plain text and HTML,
    and into the facilitator pack; ``duration`` is the film's running time in seconds."""

    title: str
    duration: float
    entries: tuple[TranscriptEntry, ...]

    def to_text(self) -> str:
        out = [
            self.title,
            "=" * len(self.title),
            "",
            _INTRO + f" Running time {mmss(self.duration)}.",
            "",
        ]
        for entry in self.entries:
            if entry.heading:
                out += ["", entry.heading, "-" * len(entry.heading), ""]
            stamp = f"[{mmss(entry.start)}]"
            if entry.kind == "card":
                line = f"{stamp} Card: {entry.text}"
                if entry.subtitle:
                    line += f" ({entry.subtitle})"
            else:
                note = f" [{entry.note}]" if entry.note else ""
                line = f"{stamp} {entry.role}:{note} {entry.text}".rstrip()
            out += [line, ""]
        return "\n".join(out).rstrip() + "\n"

    def html_entries(self, heading: str = "h2", card_class: str = "card") -> list[str]:
        """The entries as HTML paragraphs under touchpoint headings, for any page to embed."""
        e = html.escape
        body = []
        for entry in self.entries:
            if entry.heading:
                body.append(f"<{heading}>{e(entry.heading)}</{heading}>")
            if entry.kind == "card":
                text = f"<em>Card:</em> {e(entry.text)}"
                if entry.subtitle:
                    text += " (" + e(entry.subtitle).replace("\n", "<br>\n") + ")"
                body.append(f'<p class="{card_class}">{time_element(entry.start)} {text}</p>')
            else:
                note = f' <span class="note">[{e(entry.note)}]</span>' if entry.note else ""
                body.append(
                    f"<p>{time_element(entry.start)} <strong>{e(entry.role)}:</strong>{note} "
                    f"{e(entry.text)}</p>"
                )
        return body

    def to_html(self) -> str:
        e = html.escape
        body = [
            f"<h1>{e(self.title)}</h1>",
            f"<p>{e(_INTRO)} Running time {time_element(self.duration)}.</p>",
            *self.html_entries(),
        ]
        return html_page(f"{e(self.title)}: descriptive transcript", _CSS, "\n".join(body))


_INTRO = (
    "Descriptive transcript of the film, in the order it is shown: the text of every card "
    "and the words of every narrator, with the time each starts (minutes:seconds)."
)

_CSS = """
body { font-family: sans-serif; line-height: 1.5; max-width: 42em; margin: 2em auto;
  padding: 0 1em; color: #111; background: #fff; }
time { font-variant-numeric: tabular-nums; }
.card, .note { font-style: italic; }
"""


def _card_heading(card: Card) -> str | None:
    if card.role == "touchpoint":
        number = "" if card.touchpoint is None else f" {card.touchpoint + 1}"
        return f"Touchpoint{number}: {card.title}"
    if card.role == "credits":
        return "Credits"
    return None


def descriptive_transcript(timeline: Timeline) -> DescriptiveTranscript:
    """The descriptive transcript of ``timeline``, in film order."""
    fps = timeline.fps
    entries = []
    for item, first in zip(timeline.items, timeline.starts(), strict=True):
        start = first / fps
        if isinstance(item, Card):
            entries.append(
                TranscriptEntry(
                    "card",
                    start,
                    item.title,
                    role=item.role,
                    heading=_card_heading(item),
                    subtitle=item.subtitle,
                )
            )
            continue
        role = item.narrator + (f" ({item.descriptor})" if item.descriptor else "")
        words = " ".join(w.text.strip() for w in words_in_cut(item, timeline))
        note = None
        if item.media_type == "audio-only":
            note = "audio only; the narrator is not shown"
        if not words:
            note = "no speech" if note is None else f"{note}; no speech"
        entries.append(TranscriptEntry("speech", start, words, role=role, note=note))
    return DescriptiveTranscript(timeline.title, timeline.duration, tuple(entries))

"""index.html for the event pack, with the film's touchpoints and captions built in.

Chromium refuses ``<track src="film.vtt">`` from a ``file://`` page (every file is its own
origin there), so the captions travel inside the page as data and the script adds them to the
video as a caption track; film.vtt stays beside the film for other players.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass
from importlib import resources

from ..captions.model import Cue
from ..editplan.timeline import Card, Cut, Timeline
from ..timefmt import mmss

DEFAULT_PROMPT = "What stood out for you in “{title}”? What felt good, and what would you change?"
ASSETS = ("player.css", "player.js")


@dataclass(frozen=True)
class Chapter:
    """A touchpoint's place in the film (seconds) and what the player says about it."""

    number: int
    title: str
    start: float
    end: float
    prompt: str
    description: str | None = None
    content_note: str | None = None


def chapters(
    timeline: Timeline,
    prompts: list[str | None] | None = None,
    descriptions: list[str | None] | None = None,
    notes: list[str | None] | None = None,
) -> list[Chapter]:
    """One chapter per touchpoint: from its title card to the end of its last passage.

    ``prompts``, ``descriptions`` and ``notes`` are per touchpoint, in the timeline's order.
    """
    starts = timeline.starts()
    spans: dict[int, list[float]] = {}
    for item, first in zip(timeline.items, starts, strict=True):
        t = item.touchpoint if isinstance(item, Cut | Card) else None
        if t is None or (isinstance(item, Card) and item.role != "touchpoint"):
            continue
        span = spans.setdefault(t, [first / timeline.fps, first / timeline.fps])
        span[0] = min(span[0], first / timeline.fps)
        span[1] = max(span[1], (first + item.frames) / timeline.fps)

    def at(values: list[str | None] | None, t: int) -> str | None:
        return values[t] if values and t < len(values) else None

    result = []
    for t, title in enumerate(timeline.touchpoints):
        if t not in spans:
            continue
        result.append(
            Chapter(
                number=t + 1,
                title=title,
                start=round(spans[t][0], 3),
                end=round(spans[t][1], 3),
                prompt=at(prompts, t) or DEFAULT_PROMPT.format(title=title),
                description=at(descriptions, t),
                content_note=at(notes, t),
            )
        )
    return result


def event_page(
    timeline: Timeline,
    cues: tuple[Cue, ...],
    chapter_list: list[Chapter],
    *,
    film: str = "film.mp4",
    subtitles: dict[str, str] | None = None,
    transcript: str | None = None,
    general_notes: tuple[str, ...] = (),
    pause_at_end: bool = True,
) -> dict[str, str]:
    """The pack's page files by relative path: index.html and assets/.

    ``subtitles`` maps a subtitle file beside the film (film.vtt, film.ttml...) to its label,
    offered as downloads; ``transcript`` names the descriptive transcript page, if any.
    """
    e = html.escape
    data = {
        "title": timeline.title,
        "duration": timeline.duration,
        "pauseAtEnd": pause_at_end,
        "chapters": [asdict(c) for c in chapter_list],
        "cues": [
            {"start": c.start, "end": c.end, "text": "\n".join(c.lines), "speaker": c.speaker}
            for c in cues
        ],
    }
    notes = [*general_notes] + [
        f"{c.title}: {c.content_note}" for c in chapter_list if c.content_note
    ]
    note_items = "".join(f"<li>{e(n)}</li>" for n in notes) or (
        "<li>This film has no content notes.</li>"
    )
    chapter_items = "".join(
        f'<li><button type="button" class="chapter" data-chapter="{i}">'
        f'<span class="chapter-title">{e(c.title)}</span> '
        f'<span class="chapter-time">{mmss(c.start)}–{mmss(c.end)}</span></button>'
        + (f'<p class="chapter-description">{e(c.description)}</p>' if c.description else "")
        + "</li>"
        for i, c in enumerate(chapter_list)
    )
    downloads = [f'<li><a href="{e(film)}">The film ({e(film)})</a></li>']
    if transcript:
        downloads.append(f'<li><a href="{e(transcript)}">Read the transcript</a></li>')
    for name, label in (subtitles or {}).items():
        downloads.append(f'<li><a href="{e(name)}">{e(label)} ({e(name)})</a></li>')
    # "</" cannot end the script early when escaped; the JSON is otherwise left as it is.
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(timeline.title)}</title>
<link rel="stylesheet" href="assets/player.css">
</head>
<body>
<a class="skip" href="#player">Skip to the film</a>
<header>
<h1>{e(timeline.title)}</h1>
</header>
<main>
<section id="notes" aria-labelledby="notes-heading">
<h2 id="notes-heading">Before the film starts</h2>
<p>Please read these notes. The film contains people's own accounts of their care.</p>
<ul>{note_items}</ul>
<button type="button" id="start" class="primary">Start the film</button>
</section>
<section id="player" aria-labelledby="player-heading" tabindex="-1">
<h2 id="player-heading" class="visually-hidden">The film</h2>
<div class="stage">
<video id="film" controls preload="metadata" playsinline src="{e(film)}"
 aria-describedby="keys-heading"></video>
<section id="prompt" class="prompt" hidden aria-live="polite" aria-labelledby="prompt-heading">
<h3 id="prompt-heading">Time to talk: <span id="prompt-title"></span></h3>
<p id="prompt-text"></p>
<button type="button" id="continue" class="primary">Continue the film</button>
</section>
</div>
<div class="controls" role="group" aria-label="Film controls">
<button type="button" id="play">Play</button>
<button type="button" id="captions" aria-pressed="true">Captions on</button>
<button type="button" id="smaller" aria-label="Smaller captions">A−</button>
<span id="size" aria-live="polite">Caption size 100%</span>
<button type="button" id="larger" aria-label="Larger captions">A+</button>
<label><input type="checkbox" id="pause-at-end"> Pause after each touchpoint for discussion</label>
</div>
</section>
<nav aria-labelledby="touchpoints-heading">
<h2 id="touchpoints-heading">Touchpoints</h2>
<ol id="touchpoints">{chapter_items}</ol>
</nav>
<section aria-labelledby="keys-heading">
<h2 id="keys-heading">Keyboard</h2>
<ul class="keys">
<li><kbd>Space</kbd> or <kbd>K</kbd>: play or pause</li>
<li><kbd>C</kbd>: captions on or off</li>
<li><kbd>+</kbd> and <kbd>−</kbd>: larger or smaller captions</li>
<li><kbd>N</kbd> and <kbd>P</kbd>: next or previous touchpoint</li>
<li><kbd>←</kbd> and <kbd>→</kbd>: back or forward 5 seconds</li>
<li><kbd>F</kbd>: full screen</li>
</ul>
</section>
<section aria-labelledby="files-heading">
<h2 id="files-heading">Files</h2>
<ul>{"".join(downloads)}</ul>
</section>
</main>
<script type="application/json" id="film-data">{payload}</script>
<script src="assets/player.js"></script>
</body>
</html>
"""
    files = {"index.html": page}
    for name in ASSETS:
        files[f"assets/{name}"] = (
            resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")
        )
    return files

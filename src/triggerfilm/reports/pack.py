"""The facilitator pack: one standalone HTML page to run the events with the film.

Everything a facilitator hands out or reads from at the staff, patient and joint events: a
cover, a suggested introduction, the running order with timecodes, each touchpoint's
description and content note, the descriptive transcript, printable touchpoint cards for the
emotional-mapping exercise, and credits. The page needs nothing from outside (no scripts, fonts,
images or style sheets): packs travel by e-mail and USB stick to rooms without a network. Print
styles give clean A4 pages, one card per page.
"""

from __future__ import annotations

import datetime
import html
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..captions.transcript_doc import descriptive_transcript
from ..editplan.timeline import Card, Cut, Timeline
from ..htmlpage import html_page
from ..manifest.model import Manifest
from ..sources.resolve import SourceClip
from ..store import write_text
from ..timefmt import length_words, mmss, time_element

if TYPE_CHECKING:
    from ..consent.ledger import ConsentReport

# Each touchpoint's (start, end, cuts) in film seconds.
Spans = dict[int, tuple[float, float, list[Cut]]]

PACK_NAME = "pack.html"
e = html.escape


def _span(start: float, end: float) -> str:
    return f"{time_element(start)}–{time_element(end)}"


def _touchpoint_spans(timeline: Timeline) -> Spans:
    """Each touchpoint's (start, end, cuts) in film seconds, its title card included."""
    spans: Spans = {}
    for item, first in zip(timeline.items, timeline.starts(), strict=True):
        t = item.touchpoint
        if t is None:
            continue
        start, end = first / timeline.fps, (first + item.frames) / timeline.fps
        if t in spans:
            old_start, _, cuts = spans[t]
            spans[t] = (old_start, end, cuts)
        else:
            cuts = []
            spans[t] = (start, end, cuts)
        if isinstance(item, Cut):
            cuts.append(item)
    return spans


def credits_lines(
    manifest: Manifest, sources: Mapping[str, SourceClip], timeline: Timeline
) -> list[str]:
    """The manifest's credits, archive attributions, narrators, and the national-sample line."""
    used = {item.clip_id for item in timeline.items if isinstance(item, Cut)}
    clips = [sources[c.id] for c in manifest.clips if c.id in used and c.id in sources]
    lines = [manifest.credits] if manifest.credits else []
    lines += dict.fromkeys(s.terms.attribution for s in clips if s.terms)
    if any(manifest.clip(s.id).archive for s in clips):
        lines.append(
            "The narrators in this film are a national sample from a published archive, "
            "not patients of this service."
        )
    narrators = sorted({s.narrator for s in clips})
    if narrators:
        lines.append("Narrators (pseudonymous codes): " + ", ".join(narrators))
    lines.append(f"Pack made with triggerfilm {__version__}.")
    return lines


def facilitator_pack(
    manifest: Manifest,
    timeline: Timeline,
    sources: Mapping[str, SourceClip],
    *,
    consent: ConsentReport | None = None,
    today: datetime.date | None = None,
) -> str:
    """The pack as a standalone HTML page. ``consent`` is a ``ConsentReport`` to summarise."""
    today = today or datetime.date.today()
    spans = _touchpoint_spans(timeline)
    archive = any(c.archive for c in manifest.clips)
    parts = [
        _cover(manifest, timeline, today),
        _contents(),
        _introduction(manifest, archive),
        _running_order(timeline),
        _touchpoints(manifest, spans),
        _transcript(timeline),
        _cards(manifest, spans),
        _credits(credits_lines(manifest, sources, timeline), consent),
    ]
    return html_page(f"{e(manifest.title)}: facilitator pack", _CSS, "\n".join(parts))


def write_pack(out_dir: str | Path, page: str) -> Path:
    path = Path(out_dir) / PACK_NAME
    write_text(path, page)
    return path


def _cover(manifest: Manifest, timeline: Timeline, today: datetime.date) -> str:
    narrators = len({i.narrator for i in timeline.items if isinstance(i, Cut)})
    description = f'<p class="lede">{e(manifest.description)}</p>' if manifest.description else ""
    return f"""<header class="cover" id="cover">
<p class="kicker">Facilitator pack</p>
<h1>{e(manifest.title)}</h1>
{description}
<dl class="facts">
<dt>Date</dt><dd><time datetime="{today.isoformat()}">{today.day} {today:%B %Y}</time></dd>
<dt>Film length</dt><dd>{length_words(timeline.duration)} ({mmss(timeline.duration)})</dd>
<dt>Touchpoints</dt><dd>{len(manifest.touchpoints)}</dd>
<dt>Narrators</dt><dd>{narrators}</dd>
</dl>
</header>"""


def _contents() -> str:
    links = [
        ("introduction", "Suggested introduction"),
        ("running-order", "Running order"),
        ("touchpoints", "Touchpoints"),
        ("transcript", "Descriptive transcript"),
        ("cards", "Touchpoint cards for emotional mapping"),
        ("credits", "Credits"),
    ]
    items = "\n".join(f'<li><a href="#{anchor}">{text}</a></li>' for anchor, text in links)
    return f'<nav aria-labelledby="contents-heading" class="contents">\n' \
        f'<h2 id="contents-heading">Contents</h2>\n<ol>\n{items}\n</ol>\n</nav>'  # fmt: skip


def _introduction(manifest: Manifest, archive: bool) -> str:
    who = (
        "The people in this film are a national sample of patients and family members, from "
        "a published archive of interviews. They are not patients of this service, and they "
        "are not talking about this service or anyone in this room."
        if archive
        else "The people in this film are patients and family members who agreed to share their "
        "experiences, and who approved the clips you will see."
    )
    notes = [t for t in manifest.touchpoints if t.content_note]
    note_list = ""
    if notes:
        note_list = "<p>Content notes for this film:</p>\n<ul>\n" + "\n".join(
            f"<li><strong>{e(t.title)}:</strong> {e(t.content_note or '')}</li>" for t in notes
        ) + "\n</ul>"  # fmt: skip
    return f"""<section id="introduction" aria-labelledby="introduction-heading">
<h2 id="introduction-heading">Suggested introduction</h2>
<p>Read this aloud, or say it in your own words, before the film starts.</p>
<blockquote>
<p>We are going to watch a short film of people talking about their care, organised by the
points of contact everyone meets along the way: the touchpoints. {e(who)}</p>
<p>Some of what they say may be distressing. Please look after yourself: you are welcome to
step out at any time, and there will be someone to talk to afterwards.</p>
<p>As you watch, listen for the positives too: the moments that went well matter as much as
the ones that did not, and we want to keep them. Afterwards we will talk about what struck
you, not about who was right.</p>
</blockquote>
{note_list}
</section>"""


def _running_order(timeline: Timeline) -> str:
    rows = []
    for item, first in zip(timeline.items, timeline.starts(), strict=True):
        start = first / timeline.fps
        end = (first + item.frames) / timeline.fps
        if isinstance(item, Card):
            what = f"<em>Card:</em> {e(item.title)}"
            who, feel = "", ""
        else:
            what = e(item.clip_id) + (" (audio only)" if item.media_type == "audio-only" else "")
            who = e(item.narrator + (f", {item.descriptor}" if item.descriptor else ""))
            feel = e(item.valence or "")
        tp = ""
        if item.touchpoint is not None and item.touchpoint < len(timeline.touchpoints):
            tp = e(timeline.touchpoints[item.touchpoint])
        rows.append(
            f"<tr><td>{_span(start, end)}</td><td>{length_words(end - start)}</td>"
            f"<td>{tp}</td><td>{what}</td><td>{who}</td><td>{feel}</td></tr>"
        )
    return f"""<section id="running-order" aria-labelledby="running-order-heading">
<h2 id="running-order-heading">Running order</h2>
<table>
<caption>Every card and passage in the order shown; times are minutes:seconds into the film.
Total {length_words(timeline.duration)}.</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Length</th><th scope="col">Touchpoint</th>
<th scope="col">Item</th><th scope="col">Narrator</th><th scope="col">Feels</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</section>"""


def _touchpoints(manifest: Manifest, spans: Spans) -> str:
    blocks = []
    for t, touchpoint in enumerate(manifest.touchpoints):
        start, end, cuts = spans.get(t, (0.0, 0.0, []))
        valence = Counter(c.valence or "unmarked" for c in cuts)
        balance = ", ".join(f"{k} {v}" for k, v in sorted(valence.items())) or "none"
        narrators = ", ".join(sorted({c.narrator for c in cuts})) or "none"
        description = f"<p>{e(touchpoint.description)}</p>" if touchpoint.description else ""
        note = (
            f'<p class="content-note"><strong>Content note:</strong> '
            f"{e(touchpoint.content_note)}</p>"
            if touchpoint.content_note
            else '<p class="content-note">No content note.</p>'
        )
        blocks.append(f"""<article aria-labelledby="tp-{t}">
<h3 id="tp-{t}">{t + 1}. {e(touchpoint.title)}</h3>
{description}
{note}
<p>In the film {_span(start, end)} ({length_words(end - start)}); {len(cuts)} passage(s)
from {e(narrators)}; moments: {e(balance)}.</p>
</article>""")
    return f"""<section id="touchpoints" aria-labelledby="touchpoints-heading">
<h2 id="touchpoints-heading">Touchpoints</h2>
{chr(10).join(blocks)}
</section>"""


def _transcript(timeline: Timeline) -> str:
    body = descriptive_transcript(timeline).html_entries(heading="h3", card_class="card-text")
    return f"""<section id="transcript" aria-labelledby="transcript-heading">
<h2 id="transcript-heading">Descriptive transcript</h2>
<p>Everything the film shows and says, in order, for anyone who cannot see or hear it.</p>
{chr(10).join(body)}
</section>"""


def _cards(manifest: Manifest, spans: Spans) -> str:
    total = len(manifest.touchpoints)
    cards = []
    for t, touchpoint in enumerate(manifest.touchpoints):
        start = spans.get(t, (0.0, 0.0, []))[0]
        description = f"<p>{e(touchpoint.description)}</p>" if touchpoint.description else ""
        cards.append(f"""<article class="map-card" aria-labelledby="card-{t}">
<p class="card-step">Touchpoint {t + 1} of {total} · in the film at {time_element(start)}</p>
<h3 id="card-{t}">{e(touchpoint.title)}</h3>
{description}
<div class="scale" role="img" aria-label="A scale from high, a good moment, to low, a bad moment">
<span class="high">High: a good moment</span>
<span class="low">Low: a bad moment</span>
</div>
<p class="words-label">Emotion words:</p>
<div class="lines" aria-hidden="true">{'<div class="line"></div>' * 4}</div>
</article>""")
    return f"""<section id="cards" aria-labelledby="cards-heading">
<h2 id="cards-heading">Touchpoint cards for emotional mapping</h2>
<p class="screen-only">Print these, one per page, and lay them out on a wall in pathway order.
Participants move each card up for a positive moment or down for a negative one, and write
emotion words on it.</p>
{chr(10).join(cards)}
</section>"""


def _credits(lines: list[str], consent: ConsentReport | None) -> str:
    items = "\n".join(f"<li>{e(line)}</li>" for line in lines)
    permissions = ""
    if consent is not None:
        used = [entry for entry in consent.entries if entry.used]
        rows = "\n".join(
            f"<tr><td>{e(x.clip)}</td><td>{e(x.narrator)}</td><td>{e(x.basis or 'none')}</td>"
            f"<td>{e(', '.join(x.uses) or 'none')}</td></tr>"
            for x in used
        )
        status = (
            f"Every clip may be shown at a {e(consent.use)}."
            if consent.ok
            else f"<strong>Warning:</strong> {len(consent.refused)} clip(s) may not be shown "
            f"at a {e(consent.use)}: {e(', '.join(consent.refused))}."
        )
        permissions = f"""<h3>Permissions</h3>
<p>{status}</p>
<table>
<caption>The permission each clip is shown under.</caption>
<thead><tr><th scope="col">Clip</th><th scope="col">Narrator</th><th scope="col">Basis</th>
<th scope="col">Permitted uses</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>"""
    return f"""<section id="credits" aria-labelledby="credits-heading">
<h2 id="credits-heading">Credits</h2>
<ul>
{items}
</ul>
{permissions}
</section>"""


_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; line-height: 1.5; color: #111;
  background: #fff; max-width: 50em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 2.2em; margin: 0.2em 0; }
.kicker { text-transform: uppercase; letter-spacing: 0.1em; color: #444; }
.lede { font-size: 1.2em; }
.facts { display: grid; grid-template-columns: max-content auto; gap: 0.3em 1em; }
.facts dt { font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
caption { text-align: left; padding: 0.3em 0; }
th, td { border: 1px solid #888; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
time { font-variant-numeric: tabular-nums; white-space: nowrap; }
.content-note { border-left: 4px solid #a40; padding-left: 0.6em; }
.card-text, .note { font-style: italic; }
blockquote { border-left: 4px solid #246; margin-left: 0; padding-left: 1em; }
.map-card { border: 2px solid #111; padding: 1em 1.2em; margin: 2em 0; }
.map-card h3 { font-size: 2em; margin: 0.2em 0; }
.card-step { color: #444; }
.scale { position: relative; height: 8em; margin: 1em 0; border-left: 6px solid #111; }
.scale .high { position: absolute; top: 0; left: 0.8em; }
.scale .low { position: absolute; bottom: 0; left: 0.8em; }
.line { height: 2.4em; border-bottom: 1px solid #666; }
a { color: #024; }
@page { size: A4; margin: 16mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 11pt; }
  .contents, .screen-only { display: none; }
  .cover { min-height: 240mm; }
  section { break-before: page; page-break-before: always; }
  #cards > h2 { display: none; }
  #cards { break-before: auto; page-break-before: auto; }
  .map-card { break-before: page; page-break-before: always; break-inside: avoid;
    height: 255mm; box-sizing: border-box; margin: 0; display: flex; flex-direction: column; }
  .map-card .scale { flex: 1; }
  tr, article { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

"""What the pages show, shaped from the workspace: plain dicts for the templates and the JSON the
page scripts read. Numbers are formatted exactly as ``triggerfilm plan`` prints them."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from markupsafe import Markup, escape

from ..app.workspace import PassageView, Workspace
from ..timefmt import mmss
from ..transcripts.model import Transcript

# A paragraph closes at the first sentence end after this many words: long transcripts are laid
# out (and skipped by the browser when off screen) paragraph by paragraph.
PARAGRAPH_WORDS = 100
_ENDS = (".", "?", "!", '."', '?"', '!"', "…")


def page_json(data: Any) -> str:
    """JSON safe to put inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def transcript_html(transcript: Transcript) -> Markup:
    """The transcript as paragraphs of word spans, built in one pass: an hour-long interview
    has ~9,000 words, which a template loop renders about thirty times slower."""
    parts: list[str] = []
    for paragraph in paragraphs(transcript):
        parts.append('<p class="para">')
        for w in paragraph:
            classes = (
                "w" + (" doubt" if w["doubts"] else "") + (" estimated" if w["estimated"] else "")
            )
            extra = ' tabindex="0"' if w["i"] == 0 else ""
            if w["doubts"]:
                extra += f' title="Doubtful: {escape(", ".join(w["doubts"]))}"'
            elif w["estimated"]:
                extra += ' title="Not heard by Whisper: time estimated"'
            parts.append(
                f'<span class="{classes}" data-i="{w["i"]}"{extra}>{escape(w["text"])}</span> '
            )
        parts.append("</p>\n")
    return Markup("".join(parts))


def paragraphs(transcript: Transcript) -> list[list[dict[str, Any]]]:
    """The transcript's words in paragraphs of about PARAGRAPH_WORDS, ending at a sentence end."""
    aligned = transcript.options.get("aligned") == "verbatim"
    result: list[list[dict[str, Any]]] = [[]]
    for i, word in enumerate(transcript.words):
        doubts = [d for d in word.doubts if not (aligned and d == "interpolated")]
        result[-1].append(
            {
                "i": i,
                "text": word.clean,
                "start": word.start,
                "doubts": doubts,
                # A verbatim word Whisper did not hear: its time is an estimate.
                "estimated": aligned and "interpolated" in word.doubts,
            }
        )
        if len(result[-1]) >= PARAGRAPH_WORDS and word.clean.endswith(_ENDS):
            result.append([])
    return [p for p in result if p]


def board_json(ws: Workspace) -> dict[str, Any]:
    """The touchpoints, their passages and the live plan, for the board and the clip pages."""
    plan = ws.plan
    times = {t.index: t for t in plan.touchpoints} if plan else {}
    return {
        "sha256": ws.sha256,
        "title": ws.manifest.title,
        "problem": ws.problem,
        "warnings": [str(n) for n in ws.notices],
        "refused": list(ws.consent.refused),
        "use": ws.consent.use,
        "touchpoints": [
            {
                **{k: v for k, v in asdict(tp).items() if k != "passages"},
                "time": mmss(times[tp.index].seconds) if tp.index in times else None,
                "passages": [passage_json(p) for p in tp.passages],
            }
            for tp in ws.touchpoints
        ],
        "plan": plan_json(ws),
    }


# The keys the page scripts read for a passage's place in the film, all null while the edit plan
# cannot be built.
UNRESOLVED = dict.fromkeys(
    ("text", "seconds", "source_in", "source_out", "first_word", "last_word", "length", "in_clock")
)


def passage_json(p: PassageView) -> dict[str, Any]:
    """One passage as the board's script reads it: flat, its resolved part's keys beside the
    others (null when unresolved), with its length and start in the clip written out."""
    r = p.resolved
    resolved = UNRESOLVED
    if r is not None:
        first, last = r.words or (None, None)
        resolved = {
            "text": r.text,
            "seconds": r.seconds,
            "source_in": r.source_in,
            "source_out": r.source_out,
            "first_word": first,
            "last_word": last,
            "length": f"{r.seconds:.1f} s",
            "in_clock": mmss(r.source_in),
        }
    fields = {k: v for k, v in asdict(p).items() if k != "resolved"}
    return {**fields, **resolved}


def plan_json(ws: Workspace) -> dict[str, Any] | None:
    plan = ws.plan
    if plan is None:
        return None
    diff = plan.total_seconds - plan.target_seconds
    return {
        "total": mmss(plan.total_seconds),
        "total_seconds": f"{plan.total_seconds:.1f} s",
        "target": mmss(plan.target_seconds),
        "against_target": (
            f"{mmss(abs(diff))} {'over' if diff > 0 else 'under'} "
            f"({plan.total_seconds / plan.target_seconds:.0%} of target)"
        ),
        "fraction": min(plan.total_seconds / plan.target_seconds, 1.5)
        if plan.target_seconds
        else 0,
        # The opening and credits cards: the film's time outside every touchpoint.
        "other_cards": mmss(plan.total_seconds - sum(t.seconds for t in plan.touchpoints)),
        "touchpoints": [
            {
                "title": t.title,
                "time": mmss(t.seconds),
                "seconds": f"{t.seconds:.1f} s",
                "cuts": t.cuts,
                "valence": t.valence,
            }
            for t in plan.touchpoints
        ],
        "narrators": [
            {
                "narrator": n.narrator,
                "share": f"{n.share:.1%}",
                "fraction": n.share,
                "time": f"{n.seconds:.1f} s",
                "cuts": n.cuts,
                **n.facts(),
                "media": ", ".join(n.media_types),
            }
            for n in plan.narrators
        ],
        "representation": plan.representation,
        "warnings": [{"code": w.code, "message": w.message} for w in plan.warnings],
        "rows": [
            {
                "position": r.position + 1,
                "kind": r.kind,
                "touchpoint": r.touchpoint,
                "label": r.label,
                "narrator": r.narrator,
                "film": f"{mmss(r.film_in)}–{mmss(r.film_out)}",
                "valence": r.cut.valence if r.cut else None,
            }
            for r in plan.rows
        ],
    }


def preview_json(ws: Workspace) -> dict[str, Any]:
    total = ws.timeline.duration if ws.timeline else 0.0
    return {
        "sha256": ws.sha256,
        "duration": total,
        "problem": ws.problem,
        "refused": list(ws.consent.refused),
        "touchpoints": [tp.title for tp in ws.touchpoints],
        "entries": [asdict(e) for e in ws.playlist],
    }

"""The quotes of an approval pack: the words of each passage of one narrator's film, in film
order, for them to read and approve (``approval-pack`` writes them beside the short film)."""

from __future__ import annotations

from ..editplan.timeline import Cut, Timeline


def approval_quotes(timeline: Timeline, narrator: str) -> str:
    """The words of each passage, in film order, for the narrator to read and approve."""
    lines = [
        f"Passages from {narrator} chosen for the film “{timeline.title}”.",
        "Please tell the team if any of them must not be used, or should be changed.",
        "",
    ]
    number = 0
    for item in timeline.items:
        if not isinstance(item, Cut):
            continue
        number += 1
        start, end = item.source_in, timeline.source_out(item)
        words = " ".join("".join(w.text for w in item.words).split())
        lines += [
            f"{number}. {timeline.touchpoints[item.touchpoint]} "
            f"(clip {item.clip_id}, {start:.1f}–{end:.1f} s)",
            f"   “{words}”",
            "",
        ]
    return "\n".join(lines)

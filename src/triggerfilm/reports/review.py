"""The review report: every doubted word of every clip, how well each verbatim transcript
matched the audio, and words that may identify someone; and how it is printed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from ..timefmt import mmss_tenths
from ..transcripts.align import COVERAGE_WARNING
from ..transcripts.doubts import Doubt
from ..transcripts.personal import Candidate

TEXT_WIDTH = 60


@dataclass(frozen=True)
class ReviewReport:
    """What to check in a manifest's transcripts before the film is shown: every doubted word, how
    much of each verbatim transcript Whisper heard, and words that may identify someone."""

    manifest: str
    doubts: tuple[Doubt, ...]
    # Per clip: the fraction of its verbatim words Whisper heard, None when it has no verbatim.
    coverage: dict[str, float | None]
    # Things to know that did not stop the review (low alignment coverage, ...), as text.
    warnings: tuple[str, ...]
    # Words that may identify someone, per clip: candidates for a selection's ``redact:``.
    personal: tuple[tuple[str, Candidate], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "manifest": self.manifest,
            "coverage": self.coverage,
            "coverage_warning_below": COVERAGE_WARNING,
            "warnings": list(self.warnings),
            "doubts": [d.to_dict() for d in self.doubts],
            "personal": [{"clip": clip, **asdict(c)} for clip, c in self.personal],
        }


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_WIDTH else text[: TEXT_WIDTH - 1] + "…"


def format_table(report: ReviewReport) -> str:
    rows = [("clip", "time", "text", "reason")]
    rows += [(d.clip, mmss_tenths(d.start), _short(d.text), d.reason) for d in report.doubts]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    ]
    if not report.doubts:
        lines = ["No doubts: every word has speech under it and nothing else looks wrong."]
    aligned = {c: v for c, v in report.coverage.items() if v is not None}
    if aligned:
        lines.append("")
        lines.append(
            "Verbatim alignment coverage: "
            + ", ".join(f"{cid} {value:.0%}" for cid, value in aligned.items())
        )
    if report.personal:
        lines += ["", "Possible personal details (names, places, dates, phone numbers):"]
        lines += [
            f"  {clip}  {mmss_tenths(c.start)}  {c.kind}: {_short(c.text)}"
            for clip, c in report.personal
        ]
        lines.append("  To remove one, add it to the selection's `redact:` list.")
    lines += [f"warning: {note}" for note in report.warnings]
    return "\n".join(lines) + "\n"


def format_json(report: ReviewReport) -> str:
    return json.dumps(report.to_dict(), indent=1, ensure_ascii=False) + "\n"


FORMATTERS = {"table": format_table, "json": format_json}

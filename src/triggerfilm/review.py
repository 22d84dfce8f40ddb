"""What to check before a film is shown: every doubted word of every clip, and how well each
verbatim transcript matched the audio.

Like ``pipeline`` this only strings stages together (manifest → sources → transcripts) so the
``review`` command calls one function here.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

from . import pipeline
from .transcripts.align import COVERAGE_WARNING, alignment_coverage
from .transcripts.checked import AlignmentWarning
from .transcripts.doubts import Doubt, list_doubts
from .transcripts.options import TranscribeOptions
from .transcripts.personal import Candidate, personal_candidates

TEXT_WIDTH = 60


@dataclass(frozen=True)
class ReviewReport:
    manifest: str
    doubts: tuple[Doubt, ...]
    # Per clip: the fraction of its verbatim words Whisper heard, None when it has no verbatim.
    coverage: dict[str, float | None]
    warnings: tuple[str, ...]
    # Words that may identify someone, per clip: candidates for a selection's ``redact:``.
    personal: tuple[tuple[str, Candidate], ...] = ()

    def to_dict(self) -> dict:
        return {
            "manifest": self.manifest,
            "coverage": self.coverage,
            "coverage_warning_below": COVERAGE_WARNING,
            "warnings": list(self.warnings),
            "doubts": [d.to_dict() for d in self.doubts],
            "personal": [{"clip": clip, **asdict(c)} for clip, c in self.personal],
        }


def review_manifest(
    manifest_path: str | Path,
    options: TranscribeOptions | None = None,
    progress: pipeline.Progress | None = None,
) -> ReviewReport:
    """Transcribe (or read from the cache) every clip of the manifest and list its doubts."""
    prepared = pipeline.prepare(manifest_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AlignmentWarning)
        pipeline.transcribe_all(prepared, options or TranscribeOptions(), progress)
    for warning in caught:
        if not issubclass(warning.category, AlignmentWarning):
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    doubts = [d for cid, t in prepared.transcripts.items() for d in list_doubts(cid, t)]
    coverage = {cid: alignment_coverage(t) for cid, t in prepared.transcripts.items()}
    notes = [
        f"{cid}: only {value:.0%} of the verbatim transcript was heard by Whisper; "
        "its caption times are mostly estimates"
        for cid, value in coverage.items()
        if value is not None and value < COVERAGE_WARNING
    ]
    personal = tuple(
        (cid, candidate)
        for cid, transcript in prepared.transcripts.items()
        for candidate in personal_candidates(transcript)
    )
    return ReviewReport(
        str(prepared.manifest.path), tuple(doubts), coverage, tuple(notes), personal
    )


def clock(seconds: float) -> str:
    """``mm:ss.s``.

    >>> clock(0), clock(89.96), clock(3600.04)
    ('00:00.0', '01:30.0', '60:00.0')
    """
    minutes, rest = divmod(round(seconds, 1), 60)
    return f"{int(minutes):02d}:{rest:04.1f}"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_WIDTH else text[: TEXT_WIDTH - 1] + "…"


def format_table(report: ReviewReport) -> str:
    rows = [("clip", "time", "text", "reason")]
    rows += [(d.clip, clock(d.start), _short(d.text), d.reason) for d in report.doubts]
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
            f"  {clip}  {clock(c.start)}  {c.kind}: {_short(c.text)}" for clip, c in report.personal
        ]
        lines.append("  To remove one, add it to the selection's `redact:` list.")
    lines += [f"warning: {note}" for note in report.warnings]
    return "\n".join(lines) + "\n"


def format_json(report: ReviewReport) -> str:
    return json.dumps(report.to_dict(), indent=1, ensure_ascii=False) + "\n"


FORMATTERS = {"table": format_table, "json": format_json}

"""Formatters for the plan report: an aligned text table, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection

from ..timefmt import mmss
from .plan import PlanReport

CSV_COLUMNS = (
    "position", "kind", "touchpoint", "narrator", "clip", "words", "source_in", "source_out",
    "film_in", "film_out", "seconds", "valence", "media_type",
)  # fmt: skip


def _table(header: list[str], rows: list[list[str]], right: Collection[int] = ()) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        parts = [
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _trim(text: str | None, width: int) -> str:
    text = text or ""
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(report: PlanReport) -> str:
    out = [f"Plan: {report.title}", "", "Running order"]
    rows = []
    for row in report.rows:
        label, source, valence = f"[card] {row.label}", "", ""
        if cut := row.cut:
            label, source = row.label, f"{mmss(cut.source_in)}–{mmss(cut.source_out)}"
            valence = cut.valence or ""
        rows.append(
            [
                str(row.position + 1),
                _trim(row.touchpoint or "", 28),
                row.narrator or "",
                _trim(label.replace("\n", " "), 44),
                source,
                f"{mmss(row.film_in)}–{mmss(row.film_out)}",
                valence,
            ]
        )
    header = ["#", "Touchpoint", "Narrator", "First words", "Source", "Film", "Valence"]
    out += _table(header, rows, right={0})

    out += ["", "Time per touchpoint (title card included)"]
    rows = []
    for tp in report.touchpoints:
        v = tp.valence
        balance = f"+{v['positive']} -{v['negative']} ~{v['mixed']}" + (
            f" ?{v['unmarked']}" if v["unmarked"] else ""
        )
        rows.append([tp.title, mmss(tp.seconds), f"{tp.seconds:.1f} s", str(tp.cuts), balance])
    rows.append(
        ["Other cards", mmss(_other_cards(report)), f"{_other_cards(report):.1f} s", "", ""]
    )
    diff = report.total_seconds - report.target_seconds
    rows.append(
        [
            "Total",
            mmss(report.total_seconds),
            f"{report.total_seconds:.1f} s",
            str(sum(t.cuts for t in report.touchpoints)),
            f"target {mmss(report.target_seconds)}: {mmss(abs(diff))} "
            f"{'over' if diff > 0 else 'under'} ({report.total_seconds / report.target_seconds:.0%}"
            " of target)"
            if report.target_seconds
            else "",
        ]
    )
    out += _table(["Touchpoint", "Time", "Seconds", "Cuts", "Valence +/-/~"], rows, right={1, 2, 3})

    out += ["", "Narrators' share of the film (cuts only)"]
    rows = [
        [
            n.narrator,
            f"{n.share:.1%}",
            f"{n.seconds:.1f} s",
            str(n.cuts),
            *n.facts().values(),
            ", ".join(n.media_types),
        ]
        for n in report.narrators
    ]
    header = ["Narrator", "Share", "Time", "Cuts", "Role", "Sex", "Age band", "Media"]
    out += _table(header, rows, right={1, 2, 3})

    out += ["", "Representation (number of narrators)"]
    for category, counts in report.representation.items():
        listed = ", ".join(f"{value} {n}" for value, n in counts.items()) or "none"
        out.append(f"  {category.replace('_', ' ')}: {listed}")

    out += [""]
    if report.warnings:
        out += ["Warnings"] + [f"  ! {w.message}" for w in report.warnings]
    else:
        out.append("No warnings.")
    return "\n".join(out) + "\n"


def _other_cards(report: PlanReport) -> float:
    return report.total_seconds - sum(t.seconds for t in report.touchpoints)


def format_json(report: PlanReport) -> str:
    return json.dumps(report.to_dict(), indent=1, ensure_ascii=False) + "\n"


def format_csv(report: PlanReport) -> str:
    """The running order, one row per card or cut, times in seconds; then a Total row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in report.rows:
        # A card's row leaves the cut's columns empty.
        clip, source_in, source_out, valence, media_type = "", "", "", "", ""
        if cut := r.cut:
            clip, valence, media_type = cut.clip, cut.valence or "", cut.media_type
            source_in, source_out = _num(cut.source_in), _num(cut.source_out)
        writer.writerow(
            [
                r.position + 1,
                r.kind,
                r.touchpoint or "",
                r.narrator or "",
                clip,
                r.label.replace("\n", " "),
                source_in,
                source_out,
                _num(r.film_in),
                _num(r.film_out),
                _num(r.film_out - r.film_in),
                valence,
                media_type,
            ]
        )
    total = report.total_seconds
    writer.writerow(["", "total", "", "", "", "Total", "", "", 0, _num(total), _num(total), "", ""])
    return buffer.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}".rstrip("0").rstrip(".")


FORMATTERS = {"table": format_table, "json": format_json, "csv": format_csv}

"""The visual QC report of a subtitle file: one self-contained, accessible HTML page.

Per finding: a thumbnail of the frame at the cue with the caption drawn as the viewer sees it
(when the film is given), the cue's time and text, the rule, what it means and how to fix it.
A severity filter (checkboxes; the page works without scripts, which only hide rows), and a
chart of reading speed over the film as inline SVG with the profile's limits, followed by the
same numbers as a table. Nothing is fetched from anywhere: images are data: URIs, no CDN.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping

from ..captions.check.model import CheckReport, Finding, ParsedCue
from ..captions.profiles import CaptionProfile
from ..timefmt import cue_time

# What to do about each rule: the "fix" column.
FIXES = {
    "format.timing": "Rewrite the timing line as HH:MM:SS,mmm --> HH:MM:SS,mmm (SRT) or "
    "HH:MM:SS.mmm --> HH:MM:SS.mmm (WebVTT).",
    "format.timestamp": "Use the standard form: two-digit fields and three-digit milliseconds "
    "(check-subs --fix does this).",
    "format.unrecognised": "Number the first cue and put spaces around the arrow (check-subs "
    "--fix does this).",
    "format.counter": "Number every cue 1, 2, 3... (check-subs --fix does this).",
    "format.blank-line": "Put one empty line after every cue (check-subs --fix does this).",
    "format.orphan-text": "Give the text a timing line, or join it to the cue it belongs to.",
    "format.header": "Start the file with a line reading WEBVTT, then an empty line.",
    "format.encoding": "Re-save the file as UTF-8 (check-subs --fix does this).",
    "format.line-endings": "Re-save with LF line endings (check-subs --fix does this).",
    "timing.overlap": "End the earlier cue before the next one starts (check-subs --fix).",
    "timing.order": "Put the cues in time order (check-subs --fix does this).",
    "timing.zero-duration": "Give the cue an end time after its start (check-subs --fix).",
    "text.empty": "Delete the empty cue or give it the words spoken (check-subs --fix deletes).",
    "text.line-length": "Break the line at a clause boundary or split the cue.",
    "text.lines": "Split the cue into two cues of at most two lines.",
    "speed.cps": "Give the cue more time, or split it, so it can be read; never cut words.",
    "speed.wpm": "Give the cue more time, or split it.",
    "duration.min": "Extend the cue into the silence after it (check-subs --fix), or join it "
    "to a neighbour.",
    "duration.max": "Split the cue at a sentence or clause boundary.",
    "gap.min": "Close the gap to the profile's minimum (check-subs --fix does this).",
    "gap.close": "Close the gap to the profile's minimum gap (check-subs --fix does this).",
    "speaker.inconsistent": "Use one spelling of the speaker's name throughout.",
    "sync.start": "Move the cue's start to the start of the speech it captions.",
    "sync.end": "End the cue with the speech it captions.",
    "sync.no-speech": "Check the cue belongs here: no speech is detected under it.",
    "sync.uncaptioned-speech": "Caption the speech here.",
}
_SEVERITY_LABEL = {"error": "Error", "warning": "Warning", "info": "Note"}

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1a1a1a;background:#fff;
line-height:1.45;max-width:75rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #767676;padding:.4rem;
vertical-align:top;text-align:left}
.sev{font-weight:bold;padding:.1rem .4rem;border-radius:.2rem;color:#fff}
.sev-error{background:#a4000f}.sev-warning{background:#6b4700}.sev-info{background:#2f4f6f}
img{display:block;max-width:320px;height:auto}
fieldset{margin:1rem 0}label{margin-right:1.2rem}
.cue{white-space:pre-line;font-family:ui-monospace,monospace}
"""
_SCRIPT = """
for (const box of document.querySelectorAll('input[data-severity]')) {
  box.addEventListener('change', () => {
    for (const row of document.querySelectorAll('tr[data-severity="' + box.dataset.severity +
                                                 '"]')) {
      row.hidden = !box.checked;
    }
  });
}
"""


def caption_qc_html(
    report: CheckReport,
    cues: list[ParsedCue],
    profile: CaptionProfile,
    stills: Mapping[int, bytes] | None = None,
    media_name: str | None = None,
) -> str:
    """The report page; ``stills`` maps cue numbers to JPEG thumbnails."""
    stills = stills or {}
    by_index = {c.index: c for c in cues}
    e = html.escape
    counts = {s: report.count(s) for s in ("error", "warning", "info")}
    rows = []
    for number, finding in enumerate(report.findings, start=1):
        rows.append(_row(number, finding, by_index.get(finding.cue or -1), stills))
    filters = "".join(
        f'<label><input type="checkbox" checked data-severity="{s}"> '
        f"{_SEVERITY_LABEL[s]}s ({counts[s]})</label>"
        for s in ("error", "warning", "info")
    )
    media = f" against <b>{e(media_name)}</b>" if media_name else ""
    summary = (
        f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s) "
        f"under profile <b>{e(profile.name)}</b> ({e(profile.description)}){media}."
    )
    table = (
        "<table><caption>Findings in file order</caption><thead><tr>"
        '<th scope="col">#</th><th scope="col">Severity</th><th scope="col">Frame</th>'
        '<th scope="col">ParsedCue</th><th scope="col">Rule and message</th>'
        '<th scope="col">How to fix</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
        if rows
        else "<p>No findings: the file meets the profile.</p>"
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Caption QC: {e(report.file)}</title><style>{_STYLE}</style></head><body>"
        f"<main><h1>Caption QC report</h1><p>File: <b>{e(report.file)}</b>. {summary}</p>"
        "<h2>Reading speed over the film</h2>"
        + _speed_chart(cues, profile)
        + "<h2>Findings</h2>"
        + f"<fieldset><legend>Show findings of severity</legend>{filters}</fieldset>"
        + table
        + f"</main><script>{_SCRIPT}</script></body></html>\n"
    )


def _row(number: int, finding: Finding, cue: ParsedCue | None, stills: Mapping[int, bytes]) -> str:
    e = html.escape
    severity = finding.severity
    picture = "<td>no frame</td>"
    if cue is not None and cue.index in stills:
        data = base64.b64encode(stills[cue.index]).decode("ascii")
        alt = f"Frame at {cue_time(cue.start)} with the caption: {cue.text}"
        picture = f'<td><img src="data:image/jpeg;base64,{data}" alt="{e(alt)}"></td>'
    if cue is not None:
        where = f"cue {cue.index}, {cue_time(cue.start)} to {cue_time(cue.end)}"
        text = f'<div class="cue">{e(cue.text) or "(no text)"}</div>'
    else:
        where, text = "whole file" if finding.line is None else f"line {finding.line}", ""
    if finding.line is not None and cue is not None:
        where += f", line {finding.line}"
    fix = FIXES.get(finding.rule, "Check the cue against the profile.")
    return (
        f'<tr data-severity="{severity}"><td>{number}</td>'
        f'<td><span class="sev sev-{severity}">{_SEVERITY_LABEL[severity]}</span></td>'
        f"{picture}<td>{e(where)}{text}</td>"
        f"<td><code>{e(finding.rule)}</code>: {e(finding.message)}</td><td>{e(fix)}</td></tr>"
    )


def _speed_chart(cues: list[ParsedCue], profile: CaptionProfile) -> str:
    """Characters per second of every cue over time, with the profile's limits, as SVG."""
    shown = [c for c in cues if c.duration > 0 and c.text]
    if not shown:
        return "<p>No timed cues to chart.</p>"
    width, height, pad = 900, 240, 40
    end = max(c.end for c in shown) or 1.0
    speeds = [len(c.text) / c.duration for c in shown]
    limits = [x for x in (profile.max_cps_warn, profile.max_cps_error) if x]
    top = max([*speeds, *limits, 1.0]) * 1.1

    def x(t: float) -> float:
        return pad + (width - 2 * pad) * t / end

    def y(v: float) -> float:
        return height - pad - (height - 2 * pad) * min(v, top) / top

    bars = []
    for cue, cps in zip(shown, speeds, strict=True):
        over = profile.max_cps_error is not None and cps > profile.max_cps_error
        colour = "#a4000f" if over else "#2f4f6f"
        bars.append(
            f'<rect x="{x(cue.start):.1f}" y="{y(cps):.1f}" '
            f'width="{max(1.0, x(cue.end) - x(cue.start)):.1f}" '
            f'height="{height - pad - y(cps):.1f}" fill="{colour}"/>'
        )
    lines = "".join(
        f'<line x1="{pad}" x2="{width - pad}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
        f'stroke="#6b4700" stroke-dasharray="6 4"/>'
        f'<text x="{width - pad + 4}" y="{y(v) + 4:.1f}" font-size="12">{v:g}</text>'
        for v in sorted(set(limits))
    )
    axis = (
        f'<line x1="{pad}" x2="{width - pad}" y1="{height - pad}" y2="{height - pad}" '
        'stroke="#1a1a1a"/>'
        f'<text x="{pad}" y="{height - 12}" font-size="12">0:00</text>'
        f'<text x="{width - pad - 40}" y="{height - 12}" font-size="12">{cue_time(end)}</text>'
        f'<text x="4" y="{pad - 12}" font-size="12">characters per second</text>'
    )
    fastest = max(range(len(shown)), key=lambda k: speeds[k])
    description = (
        f"{len(shown)} cues; the fastest, cue {shown[fastest].index} at "
        f"{cue_time(shown[fastest].start)}, needs {speeds[fastest]:.1f} characters per second"
        + (f"; the profile allows {max(limits):g}" if limits else "")
        + ". The table below gives every value."
    )
    svg = (
        f'<svg role="img" aria-labelledby="speed-title speed-desc" viewBox="0 0 {width} '
        f'{height}" width="100%" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="speed-title">Reading speed of each cue over the film</title>'
        f'<desc id="speed-desc">{html.escape(description)}</desc>'
        + "".join(bars)
        + lines
        + axis
        + "</svg>"
    )
    rows = "".join(
        f"<tr><td>{c.index}</td><td>{cue_time(c.start)}</td><td>{cps:.1f}</td></tr>"
        for c, cps in zip(shown, speeds, strict=True)
    )
    table = (
        "<details><summary>Reading speed of every cue as a table</summary><table>"
        "<caption>Characters per second per cue</caption><thead><tr>"
        '<th scope="col">ParsedCue</th><th scope="col">Starts</th>'
        f'<th scope="col">Characters per second</th></tr></thead><tbody>{rows}</tbody>'
        "</table></details>"
    )
    return f"<figure>{svg}<figcaption>{html.escape(description)}</figcaption></figure>{table}"

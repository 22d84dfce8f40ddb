"""Safe automatic repairs for a subtitle file, and what is left for a person.

``check-subs FILE --fix OUT`` reads FILE as leniently as the checker does and writes the cues it
could read as a clean file: standard timestamps, cues numbered 1, 2, 3..., in time order,
empty cues removed, overlaps and too-short gaps closed to the profile's minimum gap, and short
durations extended into the silence after them (never past the next cue or the profile's
longest duration). Repairs that need judgement are not guessed: stray text whose cue is
unknown, cue text under an unreadable timing line, reading speed, line length and wording are
listed for a person, with the fixed file re-checked so the list is what really remains.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from pathlib import Path

from ...timefmt import cue_time
from ..profiles import CaptionProfile
from .model import CheckReport, Finding, ParsedCue, SubtitleDocument, visible_text

_GONE = ("format.orphan-text", "format.timing")
_SRT_ENTITY = re.compile(
    r"&(?!lt;|gt;)(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});"
)


@dataclass(frozen=True)
class FixResult:
    """The repaired file's text, what was changed, and the findings a person must look at."""

    text: str
    fmt: str
    changes: tuple[str, ...]
    dropped: tuple[Finding, ...]  # text that could not be placed in any cue

    def describe(self, remaining: CheckReport) -> str:
        lines = [f"changed ({len(self.changes)}):"] + [f"  {c}" for c in self.changes]
        if not self.changes:
            lines = ["changed nothing: every automatic repair was already in place"]
        left = [f for f in remaining.findings if f.severity != "info"]
        lines.append(f"left for a person ({len(self.dropped) + len(left)}):")
        lines += [f"  line {f.line}: {f.message}" for f in self.dropped]
        for f in left:
            cue = f"cue {f.cue}: " if f.cue is not None else ""
            lines.append(f"  {cue}{f.severity} {f.rule}: {f.message}")
        return "\n".join(lines) + "\n"


def fix_document(
    document: SubtitleDocument, profile: CaptionProfile, fps: float, fmt: str | None = None
) -> FixResult:
    """Repair ``document`` under ``profile``; ``fmt`` is the output format (default: the same)."""
    fmt = fmt or document.format
    changes: list[str] = []
    gap = profile.min_gap_frames / fps
    cues = list(document.cues)

    kept = []
    for cue in cues:
        if not cue.visible_lines:
            changes.append(f"cue {cue.index} (line {cue.line}): removed, it has no visible text")
        else:
            kept.append(cue)
    cues = kept

    latest = float("-inf")
    for cue in cues:
        if cue.start < latest:
            changes.append(
                f"cue {cue.index} (line {cue.line}): moved back into time order "
                f"(it starts at {cue_time(cue.start)})"
            )
        latest = max(latest, cue.start)
    cues = sorted(cues, key=lambda c: (c.start, c.index))

    # Cues that start together (within a frame and the minimum gap) are shown stacked by every
    # player; trimming one to nothing would lose its words, so they become one cue, as seen.
    merged: list[ParsedCue] = []
    for cue in cues:
        last = merged[-1] if merged else None
        if last is not None and cue.start - last.start < gap + 1 / fps and cue.end > last.start:
            changes.append(
                f"cue {cue.index} (line {cue.line}): merged into cue {last.index}: they start "
                "together, so players showed them stacked"
            )
            merged[-1] = _joined(last, cue)
        else:
            merged.append(cue)
    cues = merged

    fixed: list[ParsedCue] = []
    for k, cue in enumerate(cues):
        following = cues[k + 1] if k + 1 < len(cues) else None
        ceiling = following.start - gap if following is not None else None
        words = len(cue.text.split())
        wanted = profile.min_duration_for(words)
        longest = profile.max_duration_warn or profile.max_duration_error or 10.0
        start, end = cue.start, cue.end
        reasons = []
        if end <= start:
            end = start + wanted
            reasons.append("it had no duration")
        if following is not None and ceiling is not None and end > ceiling + 1e-6:
            if ceiling - start >= 1 / fps:
                reasons.append(
                    f"it overlapped cue {following.index}"
                    if end > following.start
                    else f"the gap before cue {following.index} was under "
                    f"{profile.min_gap_frames} frames"
                )
                end = ceiling
            else:
                reasons.append(f"it starts with cue {following.index}: needs a person")
        elif end - start + 1e-6 < wanted:
            longer = min(start + wanted, start + longest)
            if ceiling is not None:
                longer = min(longer, ceiling)
            if longer > end + 1e-6:
                reasons.append(
                    f"it was shown {end - start:.3f} s, under the profile's {wanted:.3f} s"
                )
                end = longer
        if following is not None and profile.close_gap_frames and ceiling is not None:
            # Netflix: a gap under close_gap_frames flickers; close it to the minimum gap.
            space = following.start - end
            if gap + 1e-6 < space < profile.close_gap_frames / fps and ceiling - start <= longest:
                reasons.append(f"the gap before cue {following.index} flickered")
                end = ceiling
        end = round(end, 3)
        if reasons:
            changes.append(
                f"cue {cue.index} (line {cue.line}): end {cue_time(cue.end)} -> {cue_time(end)} "
                f"because {'; '.join(reasons)}"
            )
        fixed.append(replace(cue, start=start, end=end))

    if any(f.rule == "format.timestamp" for f in document.findings):
        count = sum(1 for f in document.findings if f.rule == "format.timestamp")
        changes.append(f"rewrote {count} timing line(s) in standard {fmt.upper()} form")
    numbered = [c.identifier for c in document.cues]
    if document.format == "srt" and numbered != [str(i) for i in range(1, len(numbered) + 1)]:
        changes.append("numbered the cues 1, 2, 3...")
    if document.encoding.split(" ")[0] != "utf-8":
        changes.append(f"re-encoded from {document.encoding} to UTF-8")
    if any(f.rule in ("format.line-endings", "format.blank-line") for f in document.findings):
        changes.append("one blank line after every cue, LF line endings")
    if fmt != document.format:
        changes.append(f"converted {document.format.upper()} to {fmt.upper()}")

    dropped = tuple(f for f in document.findings if f.rule in _GONE)
    return FixResult(format_cues(fixed, fmt, document.format), fmt, tuple(changes), dropped)


def _joined(first: ParsedCue, second: ParsedCue) -> ParsedCue:
    """One cue showing both cues' lines, for as long as either was shown."""
    return ParsedCue(
        index=first.index,
        start=first.start,
        end=max(first.end, second.end),
        lines=(*first.lines, *second.lines),
        line=first.line,
        identifier=first.identifier,
        settings=first.settings,
        speaker=first.speaker,
        fmt=first.fmt,
    )


def format_cues(cues: list[ParsedCue], fmt: str, source_fmt: str) -> str:
    """Checked cues as a standard SRT or WebVTT file, their text kept as written where the
    format allows (markup of the other format is converted to plain text)."""
    from ..writers import escape_srt

    def text_lines(cue: ParsedCue) -> list[str]:
        raw = [line for line in cue.lines if line.strip()]
        if fmt == source_fmt == "srt":
            # SubRip players show entities as written: put the characters back (not < and >,
            # which would become markup).
            return [_SRT_ENTITY.sub(lambda m: html.unescape(m.group()), line) for line in raw]
        if fmt == source_fmt and fmt != "ttml":
            return raw
        shown = [visible_text(line, source_fmt) for line in raw]
        shown = [line for line in shown if line]
        if fmt == "srt":
            return [escape_srt(line) for line in shown]
        return [
            line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for line in shown
        ]

    if fmt == "ttml":
        from ..model import Cue as CaptionCue
        from ..ttml import format_ttml

        shown = [CaptionCue(c.start, c.end, tuple(x for x in c.visible_lines if x)) for c in cues]
        return format_ttml(shown)
    if fmt == "srt":
        blocks = []
        for number, cue in enumerate(cues, start=1):
            timing = f"{_srt_time(cue.start)} --> {_srt_time(cue.end)}"
            blocks.append("\n".join([str(number), timing, *text_lines(cue)]) + "\n")
        return "\n".join(blocks)
    blocks = ["WEBVTT\n"]
    for cue in cues:
        timing = f"{cue_time(cue.start)} --> {cue_time(cue.end)}"
        if cue.settings and source_fmt == "vtt":
            timing += " " + cue.settings
        head = [cue.identifier] if cue.identifier and source_fmt == "vtt" else []
        blocks.append("\n".join([*head, timing, *text_lines(cue)]) + "\n")
    return "\n".join(blocks)


def _srt_time(seconds: float) -> str:
    return cue_time(seconds).replace(".", ",")


def output_format(path: Path, default: str) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("ttml", "dfxp", "xml"):
        return "ttml"
    return suffix if suffix in ("srt", "vtt") else default

"""The checks a subtitle file must pass under a caption profile.

Each rule has a stable id (``timing.overlap``...) and says in its message which profile and
which number it applied. Severity is calibrated on real players (tests/test_player_severity.py
feeds every defect class to the shipped ffmpeg and to Chromium's WebVTT parser): "error" when a
player drops, merges, mis-times or mis-shows a cue, or when the cue breaks a hard limit of the
profile (line length, number of lines, reading speed, longest duration); "warning" for style a
careful captioner would fix; "info" for notes that need no action.
"""

from __future__ import annotations

import difflib
import html
import re
from collections import Counter

from ...timefmt import cue_time
from ..profiles import CaptionProfile
from .model import Finding, ParsedCue, Severity, visible_text


def check_cues(cues: list[ParsedCue], profile: CaptionProfile, fps: float) -> list[Finding]:
    """Every rule that needs only the cues (no media)."""
    findings: list[Finding] = []
    findings += _timing(cues)
    for cue in cues:
        findings += _text(cue, profile)
        findings += _speed(cue, profile)
        findings += _duration(cue, profile)
    findings += _gaps(cues, profile, fps)
    findings += _speakers(cues)
    return findings


# A character reference such as &amp; or &#233; (what HTML would decode).
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")


def _finding(
    rule: str, severity: Severity, cue: ParsedCue, message: str, line: int | None = None
) -> Finding:
    return Finding(rule, severity, cue.index, cue.line if line is None else line, message)


def _timing(cues: list[ParsedCue]) -> list[Finding]:
    findings = []
    previous: ParsedCue | None = None
    for cue in cues:
        if cue.end <= cue.start:
            what = "zero" if cue.end == cue.start else "negative"
            findings.append(
                _finding(
                    "timing.zero-duration",
                    "error",
                    cue,
                    f"cue has {what} duration ({cue_time(cue.start)} --> {cue_time(cue.end)}): "
                    "players never show it"
                    + (" (ffmpeg reads the end as hours later)" if what == "negative" else ""),
                )
            )
        if previous is not None and cue.start < previous.start:
            findings.append(
                _finding(
                    "timing.order",
                    "error",
                    cue,
                    f"cue starts at {cue_time(cue.start)}, before cue {previous.index} "
                    f"({cue_time(previous.start)}); cues must be in time order",
                )
            )
        previous = cue
    # Overlaps in time order, so a misplaced cue is compared with its real neighbours; a cue
    # overlaps when it starts before the longest-running earlier cue has ended.
    latest: ParsedCue | None = None
    for cue in sorted((c for c in cues if c.end > c.start), key=lambda c: (c.start, c.index)):
        if latest is not None and cue.start < latest.end:
            findings.append(
                _finding(
                    "timing.overlap",
                    "error",
                    cue,
                    f"cue starts at {cue_time(cue.start)} while cue {latest.index} is still on "
                    f"screen (until {cue_time(latest.end)}): players show two captions at once, "
                    "one above the other",
                )
            )
        if latest is None or cue.end > latest.end:
            latest = cue
    return findings


def _text(cue: ParsedCue, profile: CaptionProfile) -> list[Finding]:
    shown = [(number, line) for number, line in enumerate(_shown_lines(cue), start=1)]
    if not shown:
        return [
            _finding(
                "text.empty",
                "error",
                cue,
                "cue has no visible text: ffmpeg and players built on it drop it, and "
                "browsers show an empty caption",
            )
        ]
    findings = []
    if cue.fmt == "srt":
        for offset, raw in enumerate(cue.lines, start=1):
            entity = _ENTITY.search(raw)
            if entity:
                findings.append(
                    _finding(
                        "text.entity",
                        "error",
                        cue,
                        f"{entity.group()!r} is HTML, which SubRip does not have: ffmpeg and "
                        f"players built on it show {entity.group()!r} as written, not "
                        f"{html.unescape(entity.group())!r}; write the character itself",
                        line=cue.line + offset,
                    )
                )
                break
    for number, (file_line, text) in shown:
        length = len(text)
        if length > profile.chars_per_line_warn:
            severity: Severity = "error" if length > profile.chars_per_line_error else "warning"
            limit = (
                profile.chars_per_line_error if severity == "error" else profile.chars_per_line_warn
            )
            findings.append(
                _finding(
                    "text.line-length",
                    severity,
                    cue,
                    f"line {number} has {length} characters; profile {profile.name} allows {limit}",
                    line=file_line,
                )
            )
    if len(shown) > profile.max_lines:
        findings.append(
            _finding(
                "text.lines",
                "error",
                cue,
                f"cue has {len(shown)} lines; profile {profile.name} allows "
                f"{profile.max_lines} (a hard limit: the extra line covers the picture)",
            )
        )
    return findings


def _shown_lines(cue: ParsedCue) -> list[tuple[int, str]]:
    """(file line number, visible text) for each line a viewer sees."""
    shown = []
    for offset, raw in enumerate(cue.lines, start=1):
        text = visible_text(raw, cue.fmt)
        if text:
            shown.append((cue.line + offset, text))
    return shown


def _speed(cue: ParsedCue, profile: CaptionProfile) -> list[Finding]:
    if cue.duration <= 0 or not cue.visible_lines:
        return []
    findings = []
    # A line break counts as one character: it separates words just as a space does.
    chars = len(cue.text)
    cps = chars / cue.duration
    if profile.max_cps_warn is not None and cps > profile.max_cps_warn:
        error = profile.max_cps_error is not None and cps > profile.max_cps_error
        limit = profile.max_cps_error if error else profile.max_cps_warn
        findings.append(
            _finding(
                "speed.cps",
                "error" if error else "warning",
                cue,
                f"{chars} characters in {cue.duration:.2f} s is {cps:.1f} characters per "
                f"second; profile {profile.name} allows {limit:g}",
            )
        )
    words = len(cue.text.split())
    wpm = words / cue.duration * 60
    if profile.words_per_minute is not None and wpm > profile.words_per_minute:
        findings.append(
            _finding(
                "speed.wpm",
                "warning",
                cue,
                f"{words} words in {cue.duration:.2f} s is {wpm:.0f} words per minute; "
                f"profile {profile.name} allows {profile.words_per_minute:g}",
            )
        )
    return findings


def _duration(cue: ParsedCue, profile: CaptionProfile) -> list[Finding]:
    if cue.duration <= 0 or not cue.visible_lines:
        return []
    words = len(cue.text.split())
    minimum = profile.min_duration_for(words)
    if cue.duration < minimum:
        return [
            _finding(
                "duration.min",
                "warning",
                cue,
                f"cue of {words} word(s) is shown for {cue.duration:.3f} s; profile "
                f"{profile.name} wants at least {minimum:.3f} s",
            )
        ]
    limits: tuple[tuple[Severity, float | None], ...] = (
        ("error", profile.max_duration_error),
        ("warning", profile.max_duration_warn),
    )
    for severity, limit in limits:
        if limit is not None and cue.duration > limit:
            return [
                _finding(
                    "duration.max",
                    severity,
                    cue,
                    f"cue is shown for {cue.duration:.2f} s; profile {profile.name} allows "
                    f"{limit:g} s",
                )
            ]
    return []


def _gaps(cues: list[ParsedCue], profile: CaptionProfile, fps: float) -> list[Finding]:
    """Gaps between consecutive cues, in frames at ``fps``; overlaps are reported elsewhere."""
    findings = []
    shown = sorted((c for c in cues if c.end > c.start), key=lambda c: (c.start, c.index))
    for before, cue in zip(shown, shown[1:], strict=False):
        gap = cue.start - before.end
        if gap < 0:
            continue
        frames = gap * fps
        # A hair under a frame boundary is rounding in the file, not a shorter gap.
        if frames + 1e-6 < profile.min_gap_frames:
            findings.append(
                _finding(
                    "gap.min",
                    "warning",
                    cue,
                    f"gap after cue {before.index} is {gap * 1000:.0f} ms ({frames:.1f} frames "
                    f"at {fps:g} fps); profile {profile.name} wants at least "
                    f"{profile.min_gap_frames} frames so the change is visible",
                )
            )
        elif profile.close_gap_frames is not None and frames + 1e-6 < profile.close_gap_frames:
            findings.append(
                _finding(
                    "gap.close",
                    "info",
                    cue,
                    f"gap after cue {before.index} is {frames:.1f} frames; profile "
                    f"{profile.name} closes gaps under {profile.close_gap_frames} frames to "
                    f"{profile.min_gap_frames}",
                )
            )
    return findings


def _speakers(cues: list[ParsedCue]) -> list[Finding]:
    """Near-identical speaker names (a typo, or a case change) used for different cues."""
    uses = Counter(c.speaker for c in cues if c.speaker)
    first_cue = {}
    for cue in cues:
        if cue.speaker and cue.speaker not in first_cue:
            first_cue[cue.speaker] = cue
    findings = []
    names = sorted(uses, key=lambda n: (-uses[n], first_cue[n].index))
    for i, common in enumerate(names):
        for rare in names[i + 1 :]:
            a, b = common.casefold(), rare.casefold()
            similar = a == b or (
                min(len(a), len(b)) >= 4 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.85
            )
            if similar:
                findings.append(
                    _finding(
                        "speaker.inconsistent",
                        "warning",
                        first_cue[rare],
                        f"speaker {rare!r} ({uses[rare]} cue(s)) looks like a misspelling of "
                        f"{common!r} ({uses[common]} cue(s), first in cue "
                        f"{first_cue[common].index})",
                    )
                )
    return findings

"""The subtitle checker: judge an SRT, WebVTT or TTML file against a caption profile.

For accessibility reviewers: it reads sloppy files leniently, reports each problem with the
cue and line it is on and the profile number it broke, and, given the media, compares the
cues with the speech it detects.

>>> from pathlib import Path
>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "film.srt"
>>> _ = path.write_text("1\\n00:00:01,000 --> 00:00:03,000\\nHello there.\\n")
>>> check_subtitles(path, "default").findings
[]
"""

from __future__ import annotations

import math
from pathlib import Path

from ...errors import TriggerfilmError
from ..profiles import CaptionProfile, get_profile
from .model import SEVERITIES, CheckReport, Finding, ParsedCue, SubtitleDocument, visible_text
from .read import DEFAULT_MAX_BYTES, read_subtitles
from .rules import check_cues

__all__ = [
    "CheckReport",
    "ParsedCue",
    "Finding",
    "SubtitleDocument",
    "check_subtitles",
    "format_text",
    "read_subtitles",
    "visible_text",
]


def check_subtitles(
    path: str | Path,
    profile: str | CaptionProfile = "default",
    fps: float = 25.0,
    media: str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> CheckReport:
    """Check one subtitle file; with ``media``, also check it against the detected speech.

    Raises SubtitleFormatError when the file is not subtitles at all, MediaError when the
    media cannot be decoded, TriggerfilmError for an unknown profile.
    """
    if isinstance(profile, str):
        profile = get_profile(profile)
    if not (isinstance(fps, int | float) and math.isfinite(fps) and 1 <= fps <= 120):
        raise TriggerfilmError(
            f"frame rate {fps!r} is not usable", field="fps", expected="a number from 1 to 120"
        )
    document = read_subtitles(path, max_bytes)
    findings = list(document.findings) + check_cues(document.cues, profile, fps)
    if media is not None:
        from .sync import check_sync, detect_speech

        findings += check_sync(document.cues, detect_speech(media), profile)
    # File-wide findings first, then in file order; the rule breaks ties for a stable report.
    findings.sort(key=lambda f: (f.line is not None, f.line or 0, f.cue or 0, f.rule))
    return CheckReport(str(path), profile.name, findings)


def format_text(report: CheckReport) -> str:
    """One line per finding (``film.srt:12: cue 3: error timing.overlap: ...``), then totals."""
    lines = []
    for f in report.findings:
        where = report.file + (f":{f.line}" if f.line is not None else "")
        cue = f" cue {f.cue}:" if f.cue is not None else ""
        lines.append(f"{where}:{cue} {f.severity} {f.rule}: {f.message}")
    counts = ", ".join(
        f"{report.count(s)} {s}{'s' if report.count(s) != 1 else ''}" for s in SEVERITIES
    )
    lines.append(f"{report.file}: {counts} (profile {report.profile})")
    return "\n".join(lines)

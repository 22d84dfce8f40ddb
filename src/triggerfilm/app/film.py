"""Render the film and check its captions, as one use case: what the studio's Render button does.

The same ``render_manifest`` as ``triggerfilm render`` (cached segments make a re-render quick),
followed by the same checks as ``triggerfilm check-subs`` on the captions it wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..captions.check import Finding, check_subtitles
from ..manifest.load import load_manifest
from .notices import Progress
from .render import RenderOptions, RenderReport, render_manifest


@dataclass(frozen=True)
class CheckedFilm:
    """The render's report and the caption check of the film it wrote, under the manifest's
    caption profile."""

    report: RenderReport
    film: Path
    captions: Path  # the WebVTT file beside the film
    findings: tuple[Finding, ...]


def render_and_check(
    manifest_path: str | Path,
    out_dir: str | Path,
    options: RenderOptions | None = None,
    progress: Progress | None = None,
) -> CheckedFilm:
    options = options or RenderOptions()
    report = render_manifest(manifest_path, out_dir, options, progress)
    film = next(p for p in report.files if p.suffix == ".mp4")
    srt = film.with_suffix(".srt")
    output = load_manifest(manifest_path).output
    checked = check_subtitles(srt, output.caption_profile, fps=output.fps)
    return CheckedFilm(report, film, film.with_suffix(".vtt"), tuple(checked.findings))

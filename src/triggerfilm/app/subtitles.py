"""The subtitle use cases: check a file, repair it into another or in place, and write its
visual QC report, each under a caption profile named by the caller."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..captions.check import check_subtitles, read_subtitles
from ..captions.check.fix import FixResult, fix_document, output_format
from ..captions.check.model import CheckReport
from ..captions.check.read import DEFAULT_MAX_BYTES
from ..captions.profiles import get_profile
from ..errors import TriggerfilmError
from ..store import write_text
from .notices import Progress


def check_subtitle_file(
    file: str | Path,
    profile: str = "default",
    *,
    fps: float = 25.0,
    media: str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> CheckReport:
    """Check ``file`` under the caption profile called ``profile``; with ``media``, also
    against the speech detected in it. An unknown profile name is a TriggerfilmError."""
    return check_subtitles(file, get_profile(profile), fps=fps, media=media, max_bytes=max_bytes)


@dataclass(frozen=True)
class FixOutcome:
    """What ``fix_subtitle_file`` wrote, what it changed, and the fixed file's own check."""

    written: Path
    fix: FixResult
    remaining: CheckReport

    def to_text(self) -> str:
        return f"wrote {self.written}\n" + self.fix.describe(self.remaining)


class OverwritesChecked(TriggerfilmError):
    """The repaired copy was to be written over the file being repaired, which was not asked
    for (repairing in place is its own choice); a face says how its user makes either."""


def fix_subtitle_file(
    file: str | Path,
    out: str | Path | None,
    profile: str = "default",
    *,
    fps: float = 25.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> FixOutcome:
    """Repair ``file`` into ``out``, or into ``file`` itself when ``out`` is None, and re-check it.

    The source is modified only when ``out`` is None; naming the source itself as ``out`` is
    refused (:class:`OverwritesChecked`), since a mistyped output name must not replace the
    file. The output is written atomically, so a failure leaves nothing half-written.
    """
    file = Path(file)
    target = file if out is None else Path(out)
    if out is not None and target.resolve() == file.resolve():
        raise OverwritesChecked(
            "the repaired copy would overwrite the file being checked",
            where=target,
            hint="Give the copy another name, or repair the file in place",
        )
    caption_profile = get_profile(profile)
    check_subtitles(file, caption_profile, fps=fps, max_bytes=max_bytes)  # validates fps too
    document = read_subtitles(file, max_bytes)
    result = fix_document(document, caption_profile, fps, output_format(target, document.format))
    try:
        write_text(target, result.text, preserve_format=False, parents=False)
    except OSError as error:
        raise TriggerfilmError(
            f"cannot write the repaired file ({error.strerror})",
            where=target,
            hint="Check that the folder exists and is writable",
        ) from None
    remaining = check_subtitles(target, caption_profile, fps=fps, max_bytes=max_bytes)
    return FixOutcome(target, result, remaining)


# A report on a badly broken file stays readable and quick: this many thumbnails at most.
MAX_STILLS = 150


@dataclass(frozen=True)
class QcOutcome:
    """The check behind a QC report and where the report was written."""

    report: CheckReport
    written: Path
    stills: int


def caption_qc_report(
    file: str | Path,
    out: str | Path,
    profile: str = "default",
    *,
    fps: float = 25.0,
    media: str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
) -> QcOutcome:
    """Check ``file`` and write the visual QC report to ``out`` (HTML, self-contained).

    With ``media``, each finding on a cue gets a thumbnail of the film at that cue with the
    caption drawn by libass, as the viewer sees it, and the sync checks run too.
    """
    from ..captions.writers import escape_srt
    from ..media.probe import probe
    from ..media.stills import caption_still
    from ..reports.caption_qc import caption_qc_html

    caption_profile = get_profile(profile)
    report = check_subtitles(file, caption_profile, fps=fps, media=media, max_bytes=max_bytes)
    cues = read_subtitles(file, max_bytes).cues
    stills: dict[int, bytes] = {}
    if media is not None:
        info = probe(media)
        wanted = sorted({f.cue for f in report.findings if f.cue is not None})[:MAX_STILLS]
        by_index = {c.index: c for c in cues}
        for done, index in enumerate(wanted, start=1):
            cue = by_index.get(index)
            if cue is None:
                continue
            text = "\n".join(escape_srt(line) for line in cue.visible_lines)
            moment = cue.start + min(0.5, max(cue.duration, 0.0) / 2)
            still = caption_still(Path(media), moment, text, has_video=info.has_video)
            if still is not None:
                stills[index] = still
            if progress:
                progress("thumbnails", done, len(wanted))
    page = caption_qc_html(
        report, cues, caption_profile, stills, Path(media).name if media else None
    )
    target = Path(out)
    try:
        write_text(target, page, preserve_format=False, parents=False)
    except OSError as error:
        raise TriggerfilmError(
            f"cannot write the report ({error.strerror})",
            where=target,
            hint="Check that the folder exists and is writable",
        ) from None
    return QcOutcome(report, target, len(stills))

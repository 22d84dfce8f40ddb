"""The subtitle use cases: check a file, repair it (``check-subs --fix``)."""

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


@dataclass(frozen=True)
class FixOutcome:
    """What ``fix_subtitle_file`` wrote, what it changed, and the fixed file's own check."""

    written: Path
    fix: FixResult
    remaining: CheckReport

    def to_text(self) -> str:
        return f"wrote {self.written}\n" + self.fix.describe(self.remaining)


def fix_subtitle_file(
    file: str | Path,
    out: str | Path | None,
    profile: str = "default",
    *,
    fps: float = 25.0,
    in_place: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> FixOutcome:
    """Repair ``file`` into ``out`` (or into ``file`` itself with ``in_place``) and re-check it.

    The source is never modified unless ``in_place``; the output is written atomically, so a
    failure leaves nothing half-written.
    """
    file = Path(file)
    if (out is None) == (not in_place):
        raise TriggerfilmError(
            "give exactly one of --fix OUT or --in-place",
            where=file,
            hint="--fix film.fixed.srt writes a new file; --in-place rewrites this one",
        )
    target = file if in_place else Path(out)  # type: ignore[arg-type]
    if not in_place and target.resolve() == file.resolve():
        raise TriggerfilmError(
            "--fix would overwrite the file being checked",
            where=target,
            hint="Give another output name, or use --in-place to rewrite the file itself",
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

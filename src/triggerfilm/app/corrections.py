"""The ``correct`` use case: a person fixes the words of one clip's transcript.

``correction_document`` gives the text to edit (the clip's current words, corrected or as
heard, one sentence per line with ``[mm:ss]`` marks); ``correct_clip`` stores an edited text as
the clip's verbatim transcript and aligns it to the audio at once, so captions, quotes, search
and the studio use the corrected words from then on. Both faces (``triggerfilm correct`` with
``$EDITOR``, the studio's inline edits) call these.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ManifestError
from ..transcripts.align import alignment_coverage
from ..transcripts.checked import alignment_problem, checked_transcript
from ..transcripts.corrections import (
    Correction,
    corrections_folder,
    editable_text,
    save_correction,
    words_of,
)
from ..transcripts.options import TranscribeOptions
from .notices import Notice, Progress
from .prepared import Prepared, prepare, transcribe_all


@dataclass(frozen=True)
class CorrectionReport:
    """What storing a correction did."""

    clip: str
    correction: Correction | None  # None: the text was not changed, nothing was stored
    words_changed: int
    coverage: float | None  # share of the corrected words Whisper heard
    notices: tuple[Notice, ...] = ()

    def to_text(self) -> str:
        if self.correction is None:
            return f"{self.clip}: no change; nothing was stored\n"
        lines = [
            f"{self.clip}: stored the corrected transcript ({self.words_changed} word(s) "
            f"changed) in {self.correction.path}"
        ]
        if self.coverage is not None:
            lines.append(f"{self.clip}: {self.coverage:.0%} of its words were heard by Whisper")
        return "\n".join(lines) + "\n"


def _clip(prepared: Prepared, clip: str) -> None:
    if clip not in prepared.sources:
        raise ManifestError(
            f"no clip is called {clip!r}",
            where=prepared.manifest.path,
            field="clips",
            expected="one of " + ", ".join(prepared.sources),
        )


def correction_document(
    manifest_path: str | Path,
    clip: str,
    options: TranscribeOptions | None = None,
    progress: Progress | None = None,
    notices: list[Notice] | None = None,
) -> str:
    """The text a person edits to correct ``clip``: its current words with [mm:ss] marks.

    What resolving and transcribing noticed goes on ``notices``."""
    prepared = prepare(manifest_path)
    _clip(prepared, clip)
    transcribed = transcribe_all(prepared, options or TranscribeOptions(), progress)
    if notices is not None:
        notices.extend(transcribed.notices)
    return editable_text(clip, prepared.transcripts[clip])


def correct_clip(
    manifest_path: str | Path,
    clip: str,
    edited: str,
    options: TranscribeOptions | None = None,
    progress: Progress | None = None,
) -> CorrectionReport:
    """Store ``edited`` as ``clip``'s verbatim transcript and align it to the audio.

    The report's notices are what resolving and transcribing noticed, and how well the new
    words align (which replaces what was said of the words they correct).
    """
    options = options or TranscribeOptions()
    prepared = prepare(manifest_path)
    _clip(prepared, clip)
    transcribed = transcribe_all(prepared, options, progress)
    notices = [n for n in transcribed.notices if (n.topic, n.where) != ("alignment", clip)]
    before = words_of(editable_text(clip, prepared.transcripts[clip]))
    after = words_of(edited)
    if after.split() == before.split():
        return CorrectionReport(clip, None, 0, None, tuple(transcribed.notices))
    source = prepared.sources[clip]
    correction = save_correction(
        corrections_folder(prepared.manifest.path), clip, edited, source.sha256
    )
    aligned = checked_transcript(source.path, options, correction.text, notices=notices)
    matcher = difflib.SequenceMatcher(None, before.split(), after.split(), autojunk=False)
    changed = sum(
        max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"
    )
    problem = alignment_problem(aligned)
    if problem:
        notices.append(Notice("alignment", problem, where=clip))
    coverage = alignment_coverage(aligned)
    return CorrectionReport(clip, correction, changed, coverage, tuple(notices))

"""The ``review`` use case: what to check before a film is shown."""

from __future__ import annotations

from pathlib import Path

from ..reports.review import ReviewReport
from ..transcripts.align import COVERAGE_WARNING, alignment_coverage
from ..transcripts.doubts import list_doubts
from ..transcripts.options import TranscribeOptions
from ..transcripts.personal import personal_candidates
from .notices import Notice, Progress
from .prepared import prepare, transcribe_all


def review_manifest(
    manifest_path: str | Path,
    options: TranscribeOptions | None = None,
    progress: Progress | None = None,
    notices: list[Notice] | None = None,
) -> ReviewReport:
    """Transcribe (or read from the cache) every clip of the manifest and list its doubts;
    what resolving the sources and transcribing noticed goes on ``notices``."""
    prepared = prepare(manifest_path)
    counts = transcribe_all(prepared, options or TranscribeOptions(), progress)
    if notices is not None:
        # The sources' notices come first on these. Low alignment coverage is reported below
        # as one line per clip, so the transcription's own notice about it would say the same
        # thing twice; every other one (a damaged cache entry made again) is passed on.
        notices.extend(n for n in counts.notices if n.topic != "alignment")
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

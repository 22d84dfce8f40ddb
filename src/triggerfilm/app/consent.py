"""Consent and provenance use cases: the ledger, a withdrawal, verifying a film's folder, and
the facilitator pack."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from ..consent import ConsentReport, check_consent
from ..consent.withdraw import withdraw
from ..manifest.load import load_manifest
from ..reports.pack import facilitator_pack, write_pack
from ..reports.provenance import VerifyReport, verify_folder
from ..transcripts.options import TranscribeOptions
from .notices import Notice, Progress
from .prepared import planned


def consent_report(
    manifest_path: str | Path,
    use: str = "joint-event",
    today: datetime.date | None = None,
    notices: list[Notice] | None = None,
) -> ConsentReport:
    """The consent ledger of a manifest and every problem with showing it at ``use``.

    Reads the manifest and the archive catalogues, never the media; what reading the
    catalogues noticed (an archive over plain http://) goes on ``notices``.
    """
    return check_consent(load_manifest(manifest_path), use, today, notices=notices)


# Recording a withdrawal is the consent stage's own job from start to end (read the manifest,
# mark the clips, rewrite it, list the selections affected): the use case is that function,
# not a wrapper repeating its signature.
withdraw_consent = withdraw


def verify_outputs(folder: str | Path) -> VerifyReport:
    """Re-hash the sources, manifest and outputs recorded in a film folder's provenance."""
    return verify_folder(folder)


@dataclass(frozen=True)
class PackReport:
    """The facilitator pack written (``path``, pack.html), with the consent report it summarises.
    Consent problems do not stop a pack: they are among its ``notices``."""

    path: Path
    consent: ConsentReport
    notices: tuple[Notice, ...] = ()


def make_pack(
    manifest_path: str | Path,
    out_dir: str | Path,
    *,
    use: str = "joint-event",
    today: datetime.date | None = None,
    options: TranscribeOptions | None = None,
    progress: Progress | None = None,
) -> PackReport:
    """Write the facilitator pack (pack.html) for the manifest's film into ``out_dir``.

    Consent problems do not stop the pack (the facilitator needs it to sort them out); they
    come back as notices and are summarised in the pack's credits.
    """
    prepared, timeline, counts = planned(manifest_path, options, progress)
    consent = check_consent(prepared.manifest, use, today, sources=prepared.sources)
    page = facilitator_pack(
        prepared.manifest, timeline, prepared.sources, consent=consent, today=today
    )
    path = write_pack(out_dir, page)
    notices = counts.notices + tuple(Notice("consent", line) for line in consent.problem_lines())
    return PackReport(path, consent, notices)

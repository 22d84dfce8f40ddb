"""Consent: which clips may be shown where, and recording a narrator's withdrawal.

A stage of its own between sources and transcripts. It reads the manifest's clip references and
the archive catalogues (never the media), so the ledger can be checked before anything is
downloaded, transcribed or rendered, and it is consulted again by render (refusal), the
provenance record and the facilitator pack. It is not part of ``sources``: fetching a file and
deciding whether it may be shown are different questions with different owners.
"""

from .ledger import (
    DEFAULT_ARCHIVE_USES,
    ConsentEntry,
    ConsentError,
    ConsentProblem,
    ConsentReport,
    check_consent,
    consent_ledger,
    refuse_unconsented,
)

__all__ = [
    "DEFAULT_ARCHIVE_USES", "ConsentEntry", "ConsentError", "ConsentProblem", "ConsentReport",
    "check_consent", "consent_ledger", "refuse_unconsented",
]  # fmt: skip

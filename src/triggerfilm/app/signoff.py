"""The ``signoff`` use case: an accessibility reviewer approves a film's captions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..reports.signoff import sign_off


@dataclass(frozen=True)
class SignoffReport:
    """An accessibility reviewer's approval of a film's captions as recorded in its provenance
    (``signoff``: who, when, under which profile, each caption file's sha256 and the checker's
    findings then); verifying the folder reports it invalid once a caption file changes."""

    out_dir: Path
    signoff: dict[str, Any]

    def to_text(self) -> str:
        s = self.signoff
        counts = s["findings"]
        files = ", ".join(f"{name} ({digest[:12]}…)" for name, digest in s["files"].items())
        return (
            f"signed off by {s['reviewer']} on {s['date']}: {files}\n"
            f"findings at sign-off under profile {s['profile']}: {counts['error']} error(s), "
            f"{counts['warning']} warning(s), {counts['info']} note(s)\n"
            f"recorded in {self.out_dir}; `triggerfilm verify {self.out_dir}` reports it "
            "invalid if any of these files changes\n"
        )


def sign_off_captions(
    out_dir: str | Path, reviewer: str, stem: str = "film", today: datetime.date | None = None
) -> SignoffReport:
    """Record in the film's provenance that ``reviewer`` approved its captions as they are."""
    return SignoffReport(Path(out_dir), sign_off(out_dir, reviewer, stem, today))

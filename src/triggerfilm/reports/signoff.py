"""Sign-off: a named reviewer approves a film's captions, recorded in its provenance record.

A sign-off holds the reviewer's name, the date, the SHA-256 of every caption file it covers
(``film.srt``, ``film.vtt``, ``film.ttml``) and the checker's findings at that moment under the
film's caption profile. It stays valid only while those files are byte for byte the ones
signed: ``verify`` re-hashes them and reports a sign-off invalidated by any later change,
including a new render (which carries old sign-offs over so that their loss is visible).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..captions.check import check_subtitles
from ..errors import TriggerfilmError
from ..store import sha256_of, write_text
from .provenance import PROVENANCE, PROVENANCE_SUFFIX

CAPTION_SUFFIXES = (".srt", ".vtt", ".ttml")


@dataclass(frozen=True)
class SignoffCheck:
    """One recorded sign-off and whether it still holds."""

    reviewer: str
    date: str
    changed: tuple[str, ...]  # caption files changed or missing since the sign-off

    @property
    def valid(self) -> bool:
        return not self.changed

    def describe(self) -> str:
        if self.valid:
            return f"sign-off by {self.reviewer} ({self.date}): valid, captions unchanged"
        return (
            f"sign-off by {self.reviewer} ({self.date}): INVALIDATED, "
            + ", ".join(self.changed)
            + " changed since it was signed; the captions need a new sign-off"
        )


def sign_off(
    out_dir: str | Path, reviewer: str, stem: str = "film", today: datetime.date | None = None
) -> dict[str, Any]:
    """Record ``reviewer``'s approval of the captions in ``out_dir``; return the sign-off."""
    out_dir = Path(out_dir)
    name = " ".join(str(reviewer).split())
    if not name or len(name) > 200:
        raise TriggerfilmError(
            "the reviewer's name is empty or too long",
            field="reviewer",
            expected="the name of the person who approves the captions (1-200 characters)",
        )
    path = out_dir / f"{stem}{PROVENANCE_SUFFIX}"
    record = PROVENANCE.read(path)
    files = {
        f"{stem}{suffix}": sha256_of(out_dir / f"{stem}{suffix}")
        for suffix in CAPTION_SUFFIXES
        if (out_dir / f"{stem}{suffix}").is_file()
    }
    if not files:
        raise TriggerfilmError(
            "no caption files to sign off",
            where=out_dir,
            expected=f"{stem}.srt, {stem}.vtt or {stem}.ttml",
        )
    with PROVENANCE.fields(path):
        profile = (record.get("caption_profile") or {}).get("name", "default")
        fps = float(record.get("fps") or 25)
        # Checked before the record is written back: a hand-edited record must fail with its
        # file's name, not part-way through with a traceback.
        if not isinstance(profile, str):
            raise TypeError(f"caption_profile.name is {type(profile).__name__}, not text")
        if not isinstance(record.setdefault("signoffs", []), list):
            raise TypeError("signoffs is not a list")
    first = next(iter(files))
    report = check_subtitles(out_dir / first, profile, fps=fps)
    signoff = {
        "reviewer": name,
        "date": (today or datetime.datetime.now(datetime.UTC).date()).isoformat(),
        "files": files,
        "profile": profile,
        "checked": first,
        "findings": {s: report.count(s) for s in ("error", "warning", "info")},
        "finding_list": [
            {"rule": f.rule, "severity": f.severity, "cue": f.cue, "message": f.message}
            for f in report.findings
        ],
    }
    record["signoffs"].append(signoff)
    write_text(path, json.dumps(record, indent=1, ensure_ascii=False) + "\n", preserve_format=False)
    return signoff


def check_signoffs(
    record: dict[str, Any], out_dir: Path, hashed: dict[str, str | None]
) -> list[SignoffCheck]:
    """Whether each sign-off in ``record`` still holds; ``hashed`` maps the caption file names
    verify already hashed to their current digest (None: missing)."""
    checks = []
    for signoff in record.get("signoffs") or []:
        files = signoff.get("files") or {}
        changed = tuple(
            name for name, digest in sorted(files.items()) if hashed.get(name) != digest
        )
        checks.append(SignoffCheck(str(signoff.get("reviewer")), str(signoff.get("date")), changed))
    return checks

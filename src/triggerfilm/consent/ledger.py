"""The consent ledger: every clip's permission, and the problems for one use on one day.

Narrators consent to the specific clips used, for specific events; archive material is reused by
the archive's permission. A clip's ``consent:`` block in the manifest says what was agreed.
Where it is missing, an archive clip falls back on its catalogue's permission text for the
three EBCD events, and a local clip is "unknown" and refused for every use: a film that shows
someone without a record of their consent is the one mistake this tool must not make quietly.

Only clips that a selection uses can stop a film; the ledger still lists the others.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from ..errors import TriggerfilmError
from ..manifest.model import CONSENT_USES, ClipRef, Manifest
from ..notices import Notice
from ..sources.cache import ContentCache
from ..sources.catalogue_model import Archive, ArchiveTerms
from ..sources.resolve import SourceClip

# An archive clip without terms of its own may be shown at the three EBCD events, the reuse
# its permission is sought for; training and online showing need terms written down.
DEFAULT_ARCHIVE_USES = ("staff-event", "patient-event", "joint-event")

ProblemCode = Literal["unknown", "withdrawn", "expired", "not-covered", "no-basis", "not-approved"]


class ConsentError(TriggerfilmError):
    """The film would show clips whose consent does not cover the intended use."""


@dataclass(frozen=True)
class ConsentEntry:
    """One clip's permission with defaults applied, and where each part came from."""

    clip: str
    narrator: str
    kind: Literal["archive", "local"]
    basis: str | None
    # "manifest", "catalogue" or "none".
    basis_from: str
    uses: tuple[str, ...]
    # "manifest", "catalogue", "manifest+catalogue" (both: only uses in both), "default"
    # (archive clips without a list) or "none".
    uses_from: str
    expires: datetime.date | None
    withdrawn: bool
    approved_clips: bool
    # False for a local clip with no consent block at all.
    recorded: bool
    field: str
    line: int | None
    # The selections (field paths) that show this clip.
    selections: tuple[str, ...] = ()
    archive_clip: str | None = None

    @property
    def used(self) -> bool:
        return bool(self.selections)


@dataclass(frozen=True)
class ConsentProblem:
    """One reason a clip the film uses may not be shown at the intended use on that day (withdrawn,
    expired, ...). ``field`` and ``line`` point at the clip's consent in the manifest."""

    clip: str
    narrator: str
    code: ProblemCode
    message: str
    field: str
    line: int | None


@dataclass(frozen=True)
class ConsentReport:
    """The consent ledger of a manifest for one use on one day: every clip's entry, and the problems
    of the clips the film uses. The film may be shown only when there are none: a render is refused
    before anything is made (``refuse_unconsented``)."""

    manifest: Path
    use: str
    today: datetime.date
    entries: tuple[ConsentEntry, ...]
    problems: tuple[ConsentProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def refused(self) -> tuple[str, ...]:
        """The ids of clips that may not be shown, in manifest order."""
        return tuple(dict.fromkeys(p.clip for p in self.problems))

    def entry(self, clip: str) -> ConsentEntry:
        return next(e for e in self.entries if e.clip == clip)

    def problem_lines(self) -> list[str]:
        """One line per refused clip: ``file:line: clip (narrator): reason; reason``."""
        lines = []
        for clip in self.refused:
            mine = [p for p in self.problems if p.clip == clip]
            first = mine[0]
            where = f"{self.manifest.name}:{first.line}" if first.line else self.manifest.name
            reasons = "; ".join(p.message for p in mine)
            lines.append(f"{where}: {clip} ({first.narrator}): {reasons}")
        return lines

    def to_text(self) -> str:
        out = [
            f"Consent ledger for {self.manifest.name}: use {self.use}, "
            f"checked on {self.today.isoformat()}",
            "",
        ]
        refused = set(self.refused)
        for e in self.entries:
            what = f"archive clip {e.archive_clip}" if e.kind == "archive" else "local clip"
            shown = f"{len(e.selections)} selection(s)" if e.used else "not in the film"
            out.append(f"{e.clip}  {e.narrator}  {what}, {shown}")
            basis = e.basis or "none recorded"
            out.append(f"    basis:     {basis}" + (f"  [{e.basis_from}]" if e.basis else ""))
            default = "  [default]" if e.uses_from == "default" else ""
            uses = (", ".join(e.uses) or "none") + default
            out.append(f"    uses:      {uses}")
            out.append(f"    expires:   {e.expires.isoformat() if e.expires else 'no expiry'}")
            if e.kind == "local":
                approved = "yes" if e.approved_clips else "no"
                out.append(f"    narrator approved these clips: {approved}")
            if e.withdrawn:
                out.append("    WITHDRAWN")
            if not e.used:
                status = "not checked (not in the film)"
            elif e.clip in refused:
                status = f"REFUSED for {self.use}"
            else:
                status = f"ok for {self.use}"
            out.append(f"    status:    {status}")
            out.append("")
        if self.problems:
            out.append(f"Problems for {self.use} ({len(self.refused)} clip(s) refused):")
            out += [f"  {line}" for line in self.problem_lines()]
        else:
            out.append(f"No problems: every clip in the film may be shown at a {self.use}.")
        return "\n".join(out) + "\n"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["manifest"] = str(self.manifest)
        data["today"] = self.today.isoformat()
        for entry in data["entries"]:
            entry["expires"] = entry["expires"].isoformat() if entry["expires"] else None
        data["refused"] = list(self.refused)
        return data


def consent_ledger(
    manifest: Manifest,
    sources: Mapping[str, SourceClip] | None = None,
    cache: ContentCache | str | Path | None = None,
    notices: list[Notice] | None = None,
) -> tuple[ConsentEntry, ...]:
    """Every clip's consent with defaults applied.

    ``sources`` (from ``resolve_sources``) saves reading the catalogues again; without it,
    archive catalogues are read (never their media) for the permission text and narrator code,
    and what reading them noticed (an archive over plain http://) goes on ``notices``.
    """
    used: dict[str, list[str]] = {}
    for touchpoint in manifest.touchpoints:
        for selection in touchpoint.selections:
            used.setdefault(selection.clip, []).append(selection.origin.field)
    archives: dict[str, Archive] = {}
    entries = []
    for ref in manifest.clips:
        narrator, archive_terms = _from_source(manifest, ref, sources, archives, cache, notices)
        entries.append(_entry(ref, narrator, archive_terms, tuple(used.get(ref.id, ()))))
    return tuple(entries)


def _from_source(
    manifest: Manifest,
    ref: ClipRef,
    sources: Mapping[str, SourceClip] | None,
    archives: dict[str, Archive],
    cache: ContentCache | str | Path | None,
    notices: list[Notice] | None,
) -> tuple[str, ArchiveTerms | None]:
    """The narrator's code and, for archive clips, the catalogue's terms."""
    if sources is not None and ref.id in sources:
        source = sources[ref.id]
        return source.narrator, source.terms
    if ref.archive is None:
        return ref.narrator or ref.id, None
    from ..sources.catalogue import load_archive

    if ref.archive not in archives:
        archives[ref.archive] = load_archive(manifest, ref.archive, cache, notices)
    assert ref.archive_clip is not None  # the manifest loader requires it with an archive
    entry = archives[ref.archive].clip(ref.archive_clip)
    return ref.narrator or entry.interview, entry.terms


def _entry(
    ref: ClipRef,
    narrator: str,
    archive_terms: ArchiveTerms | None,
    selections: tuple[str, ...],
) -> ConsentEntry:
    """Merge the manifest's consent with the catalogue's terms: the team may narrow what the
    archive allows (fewer uses, an earlier expiry, a withdrawal), never widen it."""
    consent = ref.consent
    terms = archive_terms.consent if archive_terms is not None else None
    permission = archive_terms.permission if archive_terms is not None else None
    is_archive = ref.archive is not None
    layers = [c for c in (consent, terms) if c is not None]
    basis, basis_from = None, "none"
    if consent is not None and consent.basis:
        basis, basis_from = consent.basis, "manifest"
    elif terms is not None and terms.basis:
        basis, basis_from = terms.basis, "catalogue"
    elif is_archive and permission:
        basis, basis_from = permission, "catalogue"
    written = [(c.uses, c is consent) for c in layers if c.uses is not None]
    if written:
        uses = tuple(u for u in written[0][0] if all(u in w for w, _ in written[1:]))
        uses_from = "+".join("manifest" if mine else "catalogue" for _, mine in written)
    elif is_archive:
        uses, uses_from = DEFAULT_ARCHIVE_USES, "default"
    else:
        uses, uses_from = (), "none"
    expiries = [c.expires for c in layers if c.expires is not None]
    origin = consent.origin if consent is not None else ref.origin
    return ConsentEntry(
        clip=ref.id,
        narrator=narrator,
        kind="archive" if is_archive else "local",
        basis=basis,
        basis_from=basis_from,
        uses=uses,
        uses_from=uses_from,
        expires=min(expiries) if expiries else None,
        withdrawn=any(c.withdrawn for c in layers),
        # Approval of specific clips is the local narrator's; the archive's terms cover its own.
        approved_clips=consent.approved_clips if consent else False,
        recorded=consent is not None or is_archive,
        field=origin.field,
        line=origin.line,
        selections=selections,
        archive_clip=ref.archive_clip,
    )


def problems_for(
    entry: ConsentEntry, use: str, today: datetime.date
) -> list[tuple[ProblemCode, str]]:
    """Why ``entry`` may not be shown at ``use`` on ``today`` (empty: it may)."""
    if not entry.recorded:
        return [
            (
                "unknown",
                "no consent recorded: a local clip needs a consent: block "
                "(basis, uses, expires, approved_clips)",
            )
        ]
    found: list[tuple[ProblemCode, str]] = []
    if entry.withdrawn:
        found.append(("withdrawn", "consent withdrawn"))
    if entry.expires is not None and entry.expires < today:
        found.append(("expired", f"consent expired on {entry.expires.isoformat()}"))
    if use not in entry.uses:
        covers = ", ".join(entry.uses) if entry.uses else "no uses recorded"
        found.append(("not-covered", f"consent does not cover {use} (covers: {covers})"))
    if entry.basis is None:
        found.append(("no-basis", "no basis recorded (a consent form id or permission reference)"))
    if entry.kind == "local" and not entry.approved_clips:
        found.append(
            ("not-approved", "the narrator has not approved these clips (approved_clips: true)")
        )
    return found


def check_consent(
    manifest: Manifest,
    use: str = "joint-event",
    today: datetime.date | None = None,
    *,
    sources: Mapping[str, SourceClip] | None = None,
    notices: list[Notice] | None = None,
) -> ConsentReport:
    """The ledger and every problem for showing the film at ``use`` on ``today``.

    ``sources`` (from ``resolve_sources``) supply the catalogue permissions already read;
    without them the archive catalogues are read (never their media), reporting on ``notices``.
    """
    if use not in CONSENT_USES:
        raise ConsentError(
            f"unknown use '{use}'", field="use", expected="one of " + ", ".join(CONSENT_USES)
        )
    today = today or datetime.date.today()
    entries = consent_ledger(manifest, sources, notices=notices)
    problems = tuple(
        ConsentProblem(entry.clip, entry.narrator, code, message, entry.field, entry.line)
        for entry in entries
        if entry.used
        for code, message in problems_for(entry, use, today)
    )
    return ConsentReport(manifest.path, use, today, entries, problems)


def refuse_unconsented(
    manifest: Manifest,
    use: str = "joint-event",
    today: datetime.date | None = None,
    *,
    sources: Mapping[str, SourceClip] | None = None,
) -> ConsentReport:
    """Raise ``ConsentError`` listing every refused clip, before anything is rendered."""
    report = check_consent(manifest, use, today, sources=sources)
    if report.ok:
        return report
    listing = "".join(f"\n  - {line}" for line in report.problem_lines())
    raise ConsentError(
        f"{len(report.refused)} clip(s) may not be shown at a {use}:{listing}\n"
        "Nothing was rendered",
        where=report.manifest,
        hint=f"Check the consent ledger for {use}. Remove their selections, or record the "
        "consent under each clip's consent: block",
    )

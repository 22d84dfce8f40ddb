"""Record a withdrawal of consent in the manifest, and say what it takes out of the film.

A narrator may withdraw at any time. The withdrawal is written where the facilitator will see
it, as ``withdrawn: true`` in each clip's ``consent:`` block, with ruamel.yaml's round trip
(``manifest.rewrite``) so comments, key order and quoting survive. The selections are left in
place on purpose: the film is then refused until someone re-edits those touchpoints, and the
report lists each one, so nothing is silently cut from a touchpoint's story.

Consent shared through a YAML anchor (``consent: &couple`` / ``consent: *couple``) is unshared
first: the withdrawn clip gets its own copy and the report says whose consent it shared, which
stays as it was. Before the file is replaced, the edited manifest is checked to change no other
clip's consent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from ..errors import ManifestError
from ..manifest.model import Consent, Manifest
from ..manifest.rewrite import ManifestEditor
from ..notices import Notice
from .ledger import consent_ledger


@dataclass(frozen=True)
class AffectedSelection:
    """A selection that shows a withdrawn clip."""

    touchpoint: str
    touchpoint_index: int
    selection_index: int
    field: str
    line: int | None
    clip: str
    passage: str  # "from" – "to", as written


@dataclass(frozen=True)
class Withdrawal:
    """What recording a withdrawal did: the clips now marked withdrawn in the manifest, and the
    selections that still show them, which someone must remove or replace before the film can be
    made again."""

    manifest: Path
    # Clips marked withdrawn by this call, and those that already were.
    withdrawn: tuple[str, ...]
    already: tuple[str, ...]
    affected: tuple[AffectedSelection, ...]
    # What had to be unshared (YAML anchors) so that no other clip was withdrawn with these.
    notes: tuple[str, ...] = ()

    @property
    def touchpoints(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.touchpoint for a in self.affected))

    def to_text(self) -> str:
        name = self.manifest.name
        out = []
        if self.withdrawn:
            out.append(f"Recorded withdrawal in {name} for: {', '.join(self.withdrawn)}.")
        if self.already:
            out.append(f"Already withdrawn: {', '.join(self.already)}.")
        out += [f"Note: {note}." for note in self.notes]
        if not self.affected:
            out.append("No selection uses these clips: the film is unaffected.")
            return "\n".join(out) + "\n"
        out.append(
            f"{len(self.affected)} selection(s) in {len(self.touchpoints)} touchpoint(s) show "
            "them; the film will be refused until they are removed or replaced:"
        )
        for touchpoint in self.touchpoints:
            out.append(f"  {touchpoint}")
            for a in self.affected:
                if a.touchpoint == touchpoint:
                    where = f"{name}:{a.line}" if a.line else name
                    out.append(f"    {where}: {a.field}: {a.clip} {a.passage}")
        return "\n".join(out) + "\n"


def withdraw(
    manifest_path: str | Path,
    *,
    narrator: str | None = None,
    clip: str | None = None,
    notices: list[Notice] | None = None,
) -> Withdrawal:
    """Mark every clip of ``narrator`` (a pseudonymous code), or the one ``clip``, withdrawn.

    Narrator codes come from the archives' catalogues too; what reading them noticed (an
    archive over plain http://) goes on ``notices``."""
    if (narrator is None) == (clip is None):
        raise ManifestError("give either a narrator code or a clip id", field="withdraw")
    editor = ManifestEditor(manifest_path)
    manifest = editor.manifest
    ledger = consent_ledger(manifest, notices=notices)
    if clip is not None:
        chosen = [e for e in ledger if e.clip == clip]
        known, what = [e.clip for e in ledger], f"clip '{clip}'"
    else:
        assert narrator is not None  # exactly one of the two, checked above
        wanted = narrator.strip().lower()
        chosen = [e for e in ledger if e.narrator.lower() == wanted]
        known, what = sorted({e.narrator for e in ledger}), f"narrator '{narrator}'"
    if not chosen:
        raise ManifestError(
            f"no {what} in the manifest",
            where=manifest.path,
            field="clips",
            expected="one of: " + ", ".join(known),
        )
    already = tuple(e.clip for e in chosen if e.withdrawn)
    newly = tuple(e.clip for e in chosen if not e.withdrawn)
    ids = [c.id for c in manifest.clips]
    for clip_id in newly:
        _mark_withdrawn(editor, ids.index(clip_id))
    if newly:
        manifest = editor.save(verify=_only_these_withdrawn(manifest, set(newly)))
    return Withdrawal(
        manifest.path,
        newly,
        already,
        _affected(manifest, {e.clip for e in chosen}),
        tuple(editor.notes),
    )


def _mark_withdrawn(editor: ManifestEditor, index: int) -> None:
    entry = editor.own("clips", index)
    assert isinstance(entry, CommentedMap)  # the loader checked every clip is a mapping
    if isinstance(entry.get("consent"), dict):
        # Its own copy when the consent is shared with another clip (see the module notes).
        editor.own("clips", index, "consent")["withdrawn"] = True
        return
    block = CommentedMap([("withdrawn", True)])
    if entry.fa.flow_style():
        block.fa.set_flow_style()
    entry["consent"] = block


def _terms(consent: Consent | None) -> tuple[object, ...] | None:
    if consent is None:
        return None
    return (consent.basis, consent.uses, consent.expires, consent.withdrawn, consent.approved_clips)


def _only_these_withdrawn(before: Manifest, clips: set[str]) -> Callable[[Manifest], None]:
    """A check for ``save``: the edit withdrew ``clips`` and changed no other clip's consent."""
    was = {c.id: _terms(c.consent) for c in before.clips}

    def verify(after: Manifest) -> None:
        touched = [
            c.id for c in after.clips if c.id not in clips and _terms(c.consent) != was[c.id]
        ]
        missed = [
            c.id for c in after.clips if c.id in clips and not (c.consent and c.consent.withdrawn)
        ]
        if touched or missed:
            raise ManifestError(
                "withdrawing "
                + ", ".join(sorted(clips))
                + " would "
                + (f"also change the consent of {', '.join(touched)}" if touched else "")
                + (" and " if touched and missed else "")
                + (f"not mark {', '.join(missed)} withdrawn" if missed else ""),
                where=before.path,
                field="clips",
                hint="The manifest was left unchanged. Give each clip its own consent: block "
                "and run the command again",
            )

    return verify


def _affected(manifest: Manifest, clips: set[str]) -> tuple[AffectedSelection, ...]:
    found = []
    for t, touchpoint in enumerate(manifest.touchpoints):
        for s, selection in enumerate(touchpoint.selections):
            if selection.clip in clips:
                found.append(
                    AffectedSelection(
                        touchpoint=touchpoint.title,
                        touchpoint_index=t,
                        selection_index=s,
                        field=selection.origin.field,
                        line=selection.origin.line,
                        clip=selection.clip,
                        passage=f"{selection.start.describe()} – {selection.end.describe()}",
                    )
                )
    return tuple(found)

"""Changes to the film's touchpoints and passages, made safely on a manifest a person also edits.

Every change names the version of the manifest it was made on (its content hash). When the file
on disk is no longer that version (someone edited it, or ran ``cutsheet --apply``), nothing is
written: ``ManifestChanged`` carries the file's current text and a diff against the version the
change was made on, so neither edit is lost. Otherwise the change goes through the same
comment-preserving editor as ``cutsheet --apply`` and ``search --add``, which checks the result
loads strictly before it atomically replaces the file.

Passages are selected by words; ``editplan.passage`` decides whether an end is written as a
quote (when a few words find exactly that place) or as a time.
"""

from __future__ import annotations

import difflib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..editplan.passage import anchor_resolves, anchors, from_anchor, to_anchor
from ..editplan.search import SearchQuery
from ..errors import ManifestError, TriggerfilmError
from ..manifest.model import VALENCES
from ..manifest.rewrite import ManifestEditor, NewSelection
from ..transcripts.model import Transcript
from .selecting import append_hit, search_clips
from .target import Target
from .workspace import PassageView, TouchpointView, Workspace, content_hash


class ManifestChanged(TriggerfilmError):
    """The manifest on disk is not the version a change was made on."""

    def __init__(self, where: Path, current_sha256: str, current_text: str, diff: str) -> None:
        super().__init__(
            "the manifest was changed on disk since this page loaded it",
            where=where,
            hint="Nothing was written. Reload to see the other change, then make yours again",
        )
        self.current_sha256 = current_sha256
        self.current_text = current_text
        self.diff = diff

    def __reduce__(self) -> tuple[type[Any], tuple[object, ...]]:  # pragma: no cover
        return (type(self), (self.where, self.current_sha256, self.current_text, self.diff))


@dataclass(frozen=True)
class AddPassage:
    """Add a passage of ``clip`` to touchpoint ``touchpoint`` (from 0), chosen by its first and last
    word; each end is written as a quote where a few words find that place, else as a time. At
    position ``at`` of the touchpoint (from 0), or appended when None."""

    touchpoint: int
    clip: str
    first: int  # first and last word (inclusive), indexes into the clip's transcript words
    last: int
    valence: str | None = None
    note: str | None = None
    at: int | None = None  # position in the touchpoint; None appends


@dataclass(frozen=True)
class PassageChange:
    """A change to one passage of the film: the ``index``-th of touchpoint ``touchpoint``
    (both from 0). The passage must exist before any change to it is made."""

    touchpoint: int
    index: int


@dataclass(frozen=True)
class MovePassage(PassageChange):
    """Move a passage to position ``to_index`` (from 0) of touchpoint ``to_touchpoint``."""

    to_touchpoint: int
    to_index: int


@dataclass(frozen=True)
class RemovePassage(PassageChange):
    """Take a passage out of the film; its clip stays declared in the manifest."""


@dataclass(frozen=True)
class SetPassage(PassageChange):
    """Set a passage's valence and note (an empty text removes the key)."""

    valence: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class TrimPassage(PassageChange):
    """Move one end of a passage by whole words: ``by`` > 0 moves it later, < 0 earlier."""

    end: str  # "from" or "to"
    by: int


@dataclass(frozen=True)
class NudgePassage(PassageChange):
    """Move one end of a passage by whole frames of the film (> 0 later, < 0 earlier); that end
    is then written as a time."""

    end: str  # "from" or "to"
    frames: int


@dataclass(frozen=True)
class AddHit:
    """Add the sentence of search hit ``pick`` (1-based, in the order ``search`` lists them for
    ``query``) to a touchpoint; an archive clip the film does not use yet is declared first."""

    query: str
    pick: int
    touchpoint: int
    valence: str | None = None


@dataclass(frozen=True)
class DeclareClip:
    """Make a clip of one of the manifest's archives one of the film's clips."""

    archive: str
    clip: str


@dataclass(frozen=True)
class AddTouchpoint:
    """Add an empty touchpoint at position ``at`` (from 0), or at the end when None; ``description``
    is the line under its title on the card."""

    title: str
    description: str | None = None
    at: int | None = None


@dataclass(frozen=True)
class TouchpointChange:
    """A change to the film's ``index``-th touchpoint (from 0), which must exist."""

    index: int


@dataclass(frozen=True)
class EditTouchpoint(TouchpointChange):
    """Retitle a touchpoint and set the line under its title on the card (an empty or None
    ``description`` removes it)."""

    title: str
    description: str | None = None


@dataclass(frozen=True)
class MoveTouchpoint(TouchpointChange):
    """Move a touchpoint, its passages with it, to position ``to_index`` (from 0)."""

    to_index: int


@dataclass(frozen=True)
class RemoveTouchpoint(TouchpointChange):
    """Remove a touchpoint: refused while it has passages, or when it is the film's only one."""


Change = (
    AddPassage | AddHit | MovePassage | RemovePassage | SetPassage | TrimPassage | NudgePassage
    | DeclareClip | AddTouchpoint
    | EditTouchpoint | MoveTouchpoint | RemoveTouchpoint
)  # fmt: skip


@dataclass(frozen=True)
class Saved:
    """A change written to the manifest: the file's new content hash, which the page's next change
    names as the version it was made on, and what changed, in words."""

    sha256: str
    summary: str  # what changed, in words, for the page's "saved" message


# One writer at a time in this process: the hash check and the rename belong together.
_LOCK = threading.Lock()


def apply_change(
    workspace: Workspace, change: Change, expected_sha256: str, base_text: str | None = None
) -> Saved:
    """Apply ``change`` to the manifest, if it is still the version ``expected_sha256``.

    ``workspace`` must be the workspace opened on the manifest as it is on disk (its
    transcripts resolve words); ``base_text``, the text of the version the change was made on,
    if known, for the diff. Raises ManifestChanged when the file is not that version,
    TriggerfilmError for an impossible change.
    """
    path = workspace.path
    with _LOCK:
        _check_version(workspace, expected_sha256, base_text)
        editor = ManifestEditor(path)
        summary = _apply(editor, workspace, change)
        # The file may have moved on while we worked.
        _check_version(workspace, expected_sha256, base_text)
        editor.save()
        return Saved(content_hash(path.read_bytes()), summary)


def _check_version(workspace: Workspace, expected: str, base_text: str | None) -> None:
    data = workspace.path.read_bytes()
    current = content_hash(data)
    if current == expected and current == workspace.sha256:
        return
    text = data.decode("utf-8", errors="replace")
    base = workspace.text if workspace.sha256 == expected else (base_text or "")
    diff = "".join(
        difflib.unified_diff(
            base.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile="as this page loaded it",
            tofile="on disk now",
        )
    )
    raise ManifestChanged(workspace.path, current, text, diff)


def _apply(editor: ManifestEditor, ws: Workspace, change: Change) -> str:
    tps = ws.touchpoints
    if isinstance(change, AddTouchpoint | EditTouchpoint):
        title = " ".join(change.title.split())
        if not title:
            raise TriggerfilmError("a touchpoint needs a title", field="title")
    # What a change names must exist before anything is changed.
    if isinstance(change, PassageChange):
        passage = _passage(tps, change.touchpoint, change.index)
    if isinstance(change, TouchpointChange):
        tp = _touchpoint(tps, change.index)
    if isinstance(change, AddPassage):
        _touchpoint(tps, change.touchpoint)
        transcript = _transcript(ws, change.clip)
        words = transcript.words
        if not 0 <= change.first <= change.last < len(words):
            raise TriggerfilmError(
                f"words {change.first}–{change.last} are not in clip '{change.clip}'",
                expected=f"word numbers from 0 to {len(words) - 1}",
            )
        _valence(change.valence)
        start, end = anchors(transcript, change.first, change.last)
        selection = NewSelection(change.clip, start, end, change.valence, change.note or None)
        editor.append_selection(change.touchpoint, selection)
        if change.at is not None:
            last = len(tps[change.touchpoint].passages)
            editor.move_selection(change.touchpoint, last, change.touchpoint, change.at)
        return f"Added {change.clip} to “{tps[change.touchpoint].title}”"
    if isinstance(change, AddHit):
        _touchpoint(tps, change.touchpoint)
        _valence(change.valence)
        hits = search_clips(SearchQuery(change.query), Target(manifest=ws.path), ws.options)
        if not 1 <= change.pick <= len(hits):
            raise TriggerfilmError(
                f"the search for “{change.query}” has no match {change.pick} now",
                expected=f"a number from 1 to {len(hits)}" if hits else "a match",
                hint="Search again: the clips may have changed",
            )
        hit = hits[change.pick - 1]
        selection = append_hit(editor, change.touchpoint, hit, change.valence)
        return f"Added {selection.clip} to “{tps[change.touchpoint].title}”"
    if isinstance(change, DeclareClip):
        entry = next(
            (
                view.clip
                for view in ws.archive_clips
                if (view.archive, view.clip.id) == (change.archive, change.clip)
            ),
            None,
        )
        if entry is None:
            raise TriggerfilmError(
                f"clip '{change.clip}' of archive '{change.archive}' is not one to add",
                expected="a clip of the manifest's archives that the film does not use yet",
            )
        if entry.media_type == "text-only":
            raise TriggerfilmError(
                f"archive clip '{entry.id}' is text-only: it has no audio or video to show",
                hint="Quote it on a card in the facilitator pack instead",
            )
        clip_id = editor.add_archive_clip(change.archive, change.clip)
        return f"Added {entry.interview}'s clip “{entry.title}” as {clip_id}"
    if isinstance(change, MovePassage):
        _touchpoint(tps, change.to_touchpoint)
        editor.move_selection(
            change.touchpoint, change.index, change.to_touchpoint, change.to_index
        )
        return f"Moved to “{tps[change.to_touchpoint].title}”, position {change.to_index + 1}"
    if isinstance(change, RemovePassage):
        editor.remove_selection(change.touchpoint, change.index)
        return f"Removed {passage.clip} from “{tps[change.touchpoint].title}”"
    if isinstance(change, SetPassage):
        _valence(change.valence)
        editor.set_selection_key(change.touchpoint, change.index, "valence", change.valence)
        editor.set_selection_key(change.touchpoint, change.index, "note", change.note)
        return "Valence and note saved"
    if isinstance(change, TrimPassage):
        return _trim(editor, ws, change, passage)
    if isinstance(change, NudgePassage):
        return _nudge(editor, ws, change, passage)
    if isinstance(change, AddTouchpoint):
        index = editor.add_touchpoint(title, change.description or None, change.at)
        return f"Added touchpoint {index + 1}, “{title}”"
    if isinstance(change, EditTouchpoint):
        editor.set_touchpoint_key(change.index, "title", title)
        editor.set_touchpoint_key(change.index, "description", change.description)
        return f"Touchpoint {change.index + 1} is now “{title}”"
    if isinstance(change, MoveTouchpoint):
        _touchpoint(tps, change.to_index)
        editor.move_touchpoint(change.index, change.to_index)
        return f"Moved “{tps[change.index].title}” to position {change.to_index + 1}"
    if isinstance(change, RemoveTouchpoint):
        if tp.passages:
            raise TriggerfilmError(
                f"touchpoint “{tp.title}” still has passages",
                expected="an empty touchpoint",
                hint="Move or remove its passages first",
            )
        if len(tps) == 1:
            raise TriggerfilmError("a film needs at least one touchpoint")
        editor.remove_touchpoint(change.index)
        return f"Removed touchpoint “{tp.title}”"
    raise TypeError(change)  # pragma: no cover


def _trim(editor: ManifestEditor, ws: Workspace, change: TrimPassage, passage: PassageView) -> str:
    if passage.resolved is None or passage.resolved.words is None:
        raise TriggerfilmError(
            "this passage's words are not known",
            hint="Fix the problem shown at the top of the page first",
        )
    transcript = _transcript(ws, passage.clip)
    words = transcript.words
    first, last = passage.resolved.words
    if change.end == "from":
        first += change.by
    elif change.end == "to":
        last += change.by
    else:
        raise TriggerfilmError(f"cannot trim the '{change.end}' end", expected="from or to")
    if not 0 <= first <= last < len(words):
        raise TriggerfilmError(
            "a passage cannot be trimmed past its other end or the clip's edges",
            expected="at least one word inside the clip",
        )
    selection = ws.manifest.touchpoints[change.touchpoint].selections[change.index]
    t, i = change.touchpoint, change.index
    duration = transcript.duration
    if change.end == "from":
        start = from_anchor(words, first, last)
        editor.set_selection_key(t, i, "from", start)
        after = words[first].start if isinstance(start, str) else start
        # The other end stays as written while it still finds the same word from the new start.
        kept = selection.end.quote
        if kept is not None and not anchor_resolves(words, kept, last, "to", after):
            editor.set_selection_key(t, i, "to", to_anchor(words, first, last, after, duration))
    else:
        written = selection.start
        after = written.seconds if written.seconds is not None else words[first].start
        editor.set_selection_key(t, i, "to", to_anchor(words, first, last, after, duration))
    which = "start" if change.end == "from" else "end"
    direction = "later" if change.by > 0 else "earlier"
    count = abs(change.by)
    words_moved = "a word" if count == 1 else f"{count} words"
    return f"Moved the {which} of {passage.clip}'s passage {words_moved} {direction}"


def _nudge(
    editor: ManifestEditor, ws: Workspace, change: NudgePassage, passage: PassageView
) -> str:
    resolved = passage.resolved
    if resolved is None:
        raise TriggerfilmError(
            "this passage's times are not known",
            hint="Fix the problem shown at the top of the page first",
        )
    if change.end not in ("from", "to"):
        raise TriggerfilmError(f"cannot move the '{change.end}' end", expected="from or to")
    fps = ws.manifest.output.fps
    duration = ws.transcripts[passage.clip].duration
    start, end = resolved.source_in, resolved.source_out
    if change.end == "from":
        start = min(max(0.0, start + change.frames / fps), end - 1 / fps)
        value = start
    else:
        end = max(min(duration, end + change.frames / fps), start + 1 / fps)
        value = end
    editor.set_selection_key(change.touchpoint, change.index, change.end, value)
    if change.end == "from":
        # A quoted end is searched for from the start: keep it only while it still finds the
        # same place; otherwise write where the passage ends now.
        selection = ws.manifest.touchpoints[change.touchpoint].selections[change.index]
        words = ws.transcripts[passage.clip].words
        found = resolved.words
        if selection.end.quote is not None and (
            found is None or not anchor_resolves(words, selection.end.quote, found[1], "to", start)
        ):
            editor.set_selection_key(change.touchpoint, change.index, "to", end)
    which = "start" if change.end == "from" else "end"
    return f"Moved the {which} of {passage.clip}'s passage to {value:.2f} s"


def _touchpoint(tps: tuple[TouchpointView, ...], t: int) -> TouchpointView:
    if not 0 <= t < len(tps):
        raise TriggerfilmError(f"there is no touchpoint {t + 1}", expected=f"1 to {len(tps)}")
    return tps[t]


def _passage(tps: tuple[TouchpointView, ...], t: int, i: int) -> PassageView:
    tp = _touchpoint(tps, t)
    if not 0 <= i < len(tp.passages):
        raise TriggerfilmError(
            f"touchpoint “{tp.title}” has no passage {i + 1}", expected=f"1 to {len(tp.passages)}"
        )
    return tp.passages[i]


def _transcript(ws: Workspace, clip: str) -> Transcript:
    if clip not in ws.transcripts:
        raise ManifestError(f"no clip has the id '{clip}'", where=ws.path, field="clips")
    return ws.transcripts[clip]


def _valence(value: str | None) -> None:
    if value and value not in VALENCES:
        raise TriggerfilmError(f"valence '{value}'", expected=", ".join(VALENCES))

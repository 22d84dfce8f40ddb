"""Change a manifest the way a careful person would: in place, keeping everything else.

A manifest is a facilitator's document: comments explain choices, keys are in an order they
chose, quotes are written as they like. Tools that add or replace selections (``search --add``,
``cutsheet --apply``) therefore edit it with ruamel.yaml's round-trip mode, which keeps comments,
key order, quoting and flow style, and touch only the selections they were asked to. The result
is written to a temporary file beside the manifest, loaded strictly with ``load_manifest``, and
only then renamed over the original: a change that would break the manifest is refused and the
file is left exactly as it was.

YAML anchors let one mapping serve several places (``consent: &couple {...}`` for carol and
``consent: *couple`` for dave, or ``<<: *defaults``). Editing such a shared node in place would
change every place that uses it, silently: withdrawing carol would withdraw dave. So before a
node is edited it is made the editing place's own (``own``): a node used anywhere else, or
inherited through a ``<<`` merge, is replaced there by a copy, the others keep the original, and
a note says who shared it. ``save`` can also check the result's meaning (``verify``) before
anything is written.
"""

from __future__ import annotations

import copy
import dataclasses
import errno
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.tokens import CommentToken

from ..errors import ManifestError
from ..store.atomic import encode_like, staged_path
from .load import load_manifest
from .model import Manifest


@dataclass(frozen=True)
class NewSelection:
    """A selection to write: ``start``/``end`` in seconds, or as quotes of the words spoken."""

    clip: str
    start: float | str
    end: float | str
    valence: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class KeptSelection:
    """An existing selection (by index in its touchpoint), with new times or as written."""

    index: int
    start: float | None = None
    end: float | None = None


def slug(title: str) -> str:
    """A touchpoint title as a tag: ``"Nights on the unit"`` → ``nights-on-the-unit``."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "touchpoint"


class ManifestEditor:
    """Load a manifest for editing; ``save()`` checks and writes it atomically."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).resolve()
        self.manifest: Manifest = load_manifest(self.path)
        text = self.path.read_text(encoding="utf-8")
        self.yaml = YAML()
        self.yaml.preserve_quotes = True
        # Never re-wrap long lines a person wrote on one line.
        self.yaml.width = 4096
        mapping, sequence, offset = _guess_indent(text)
        self.yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        # What editing had to unshare (see ``own``), for the command to tell the user.
        self.notes: list[str] = []
        try:
            self.data = self.yaml.load(text)
        except YAMLError as error:  # PyYAML accepted it; ruamel's stricter YAML 1.2 did not
            raise ManifestError(
                f"cannot be edited safely: {error}",
                where=self.path,
                hint="Edit it by hand, or simplify the YAML on that line",
            ) from None

    def touchpoint_index(self, name: str) -> int:
        """The index of the touchpoint titled ``name`` (case-insensitive) or with that slug."""
        wanted = name.strip().lower()
        for i, touchpoint in enumerate(self.manifest.touchpoints):
            if touchpoint.title.lower() == wanted or slug(touchpoint.title) == slug(wanted):
                return i
        titles = "; ".join(t.title for t in self.manifest.touchpoints)
        raise ManifestError(
            f"no touchpoint titled '{name}'",
            where=self.path,
            field="touchpoints",
            expected=f"one of: {titles}",
        )

    # --- shared nodes (YAML anchors and merges) ------------------------------------------------

    def own(self, *path: str | int) -> CommentedMap | CommentedSeq:
        """The mapping or list at ``path`` (e.g. ``"clips", 2, "consent"``), made this place's
        own so that editing it changes nothing else; see the module notes. Notes on what was
        unshared collect in ``self.notes``."""
        parent = self.data
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        node = parent[key]
        if not isinstance(node, CommentedMap | CommentedSeq):
            # Only mappings and lists can be shared through an anchor; a caller asking for
            # anything else has the wrong path.
            raise TypeError(f"{path!r} is not a mapping or a list in the manifest")
        inherited = isinstance(parent, CommentedMap) and key not in dict(parent.non_merged_items())
        others = [p for p in _references(self.data).get(id(node), []) if p != path]
        if not inherited and not others:
            return node
        mine = copy.deepcopy(node)
        if node.anchor.value is not None:
            # The original keeps its anchor as written even if nothing else refers to it now,
            # so the text where it is defined stays as the person wrote it.
            node.anchor.always_dump = True
            mine.yaml_set_anchor(None)
        # A comment on the anchor's line (``consent: &couple  # one form``) goes with the
        # original; ruamel keeps it both on the node and on each key that refers to it, and a
        # copy carrying it would print it on a line of its own or break the list after it.
        mine.ca.comment = None
        if isinstance(parent, CommentedMap) and key in parent.ca.items:
            tokens = list(parent.ca.items[key])
            if len(tokens) > 3:
                tokens[3] = None
            parent.ca.items[key] = tokens
        parent[key] = mine
        who = self.describe(path)
        if inherited:
            self.notes.append(
                f"{who} was inherited through a YAML merge (<<); it was given its own copy, "
                "so the merged-in mapping is not changed with it"
            )
        if others:
            names = ", ".join(dict.fromkeys(self.describe(p) for p in others))
            self.notes.append(
                f"{who} was shared through a YAML anchor with {names}; it was given its own "
                f"copy, so editing it does not change {names}"
            )
        return mine

    def describe(self, path: tuple[str | int, ...]) -> str:
        """A place in the manifest as a person would name it: ``clip 'dave' consent``."""
        words = []
        if len(path) >= 2 and path[0] == "clips" and isinstance(path[1], int):
            clips = self.manifest.clips
            name = clips[path[1]].id if path[1] < len(clips) else f"#{path[1] + 1}"
            words.append(f"clip '{name}'")
            rest = path[2:]
        elif len(path) >= 2 and path[0] == "touchpoints" and isinstance(path[1], int):
            points = self.manifest.touchpoints
            name = points[path[1]].title if path[1] < len(points) else f"#{path[1] + 1}"
            words.append(f"touchpoint '{name}'")
            rest = path[2:]
        else:
            rest = path
        for key in rest:
            words.append(f"#{key + 1}" if isinstance(key, int) else str(key))
        return " ".join(words) or "the manifest"

    def _selections(self, t: int) -> CommentedSeq:
        self.own("touchpoints", t)
        selections = self.own("touchpoints", t, "selections")
        assert isinstance(selections, CommentedSeq)  # the loader checked it is a list
        return selections

    def append_selection(self, t: int, selection: NewSelection) -> None:
        items = self._ensure_selections(t)
        previous = items[-1] if len(items) else None
        items.append(_selection_map(selection))
        if isinstance(previous, CommentedMap):
            _move_trailing_comment(previous, items[-1])

    def set_selections(self, t: int, entries: list[KeptSelection | NewSelection]) -> None:
        """Replace touchpoint ``t``'s selections with ``entries``, in that order.

        Kept selections keep their own keys and comments; only times given are changed.
        """
        items = self._selections(t)
        old = list(items)
        last_old = old[-1] if old else None
        final = []
        for entry in entries:
            if isinstance(entry, KeptSelection):
                item = old[entry.index]
                if entry.start is not None or entry.end is not None:
                    item = self.own("touchpoints", t, "selections", entry.index)
                if entry.start is not None:
                    item["from"] = _seconds(entry.start)
                if entry.end is not None:
                    item["to"] = _seconds(entry.end)
                final.append(item)
            else:
                final.append(_selection_map(entry))
        del items[:]
        items.extend(final)
        if final and isinstance(last_old, CommentedMap) and final[-1] is not last_old:
            # The blank line or comment after a touchpoint hangs on its last selection.
            _move_trailing_comment(last_old, final[-1])

    def add_archive_clip(self, archive: str, archive_clip: str) -> str:
        """Declare an archive clip under ``clips`` and return its new, unique id."""
        taken = {c.id for c in self.manifest.clips}
        base = slug(archive_clip).replace("-", "") or "clip"
        clip_id, n = base, 2
        while clip_id in taken:
            clip_id, n = f"{base}-{n}", n + 1
        entry = CommentedMap([("id", clip_id), ("archive", archive), ("clip", archive_clip)])
        clips = self.own("clips")
        assert isinstance(clips, CommentedSeq)  # the loader checked it is a list
        if len(clips) and getattr(clips[-1], "fa", None) is not None and clips[-1].fa.flow_style():
            entry.fa.set_flow_style()  # match a list written as {id: ..., archive: ...} lines
        clips.append(entry)
        return clip_id

    # --- the studio's edits: each keeps every other key, comment and blank line --------------

    def move_selection(self, t: int, i: int, to_t: int, to_i: int) -> None:
        """Move selection ``i`` of touchpoint ``t`` to position ``to_i`` of touchpoint ``to_t``."""
        source, target = self._selections(t), self._ensure_selections(to_t)
        last_source, last_target = _last(source), _last(target)
        item = source.pop(i)
        target.insert(min(max(to_i, 0), len(target)), item)
        _keep_trailing(source, last_source)
        _keep_trailing(target, last_target)
        self._drop_comment_if_emptied(t)

    def remove_selection(self, t: int, i: int) -> None:
        items = self._selections(t)
        last = _last(items)
        del items[i]
        _keep_trailing(items, last)
        self._drop_comment_if_emptied(t)

    def _drop_comment_if_emptied(self, t: int) -> None:
        """A touchpoint left without selections loses the comment that stood above its first
        one: ruamel.yaml writes an empty list as ``[]`` on the line after such a comment, at
        the margin, which is not YAML (the comment spoke of a passage that is gone)."""
        entry = self.data["touchpoints"][t]
        items = entry.get("selections")
        if isinstance(items, CommentedSeq) and not len(items):
            items.ca.comment = None
            tokens = entry.ca.items.get("selections")
            if tokens and len(tokens) > 3:
                tokens[3] = None

    def set_selection_key(self, t: int, i: int, key: str, value: str | float | None) -> None:
        """Set (or, with None, remove) one key of a selection, e.g. valence or note."""
        self._selections(t)
        item = self.own("touchpoints", t, "selections", i)
        assert isinstance(item, CommentedMap)  # the loader checked every selection is a mapping
        if value is None or value == "":
            item.pop(key, None)
        elif key in ("from", "to"):
            item[key] = value if isinstance(value, str) else _seconds(value)
        else:
            item[key] = value

    def add_touchpoint(self, title: str, description: str | None, at: int | None = None) -> int:
        touchpoints = self.data["touchpoints"]
        entry = CommentedMap([("title", title)])
        if description:
            entry["description"] = description
        entry["selections"] = CommentedSeq()
        index = len(touchpoints) if at is None else min(max(at, 0), len(touchpoints))
        last = _last(touchpoints)
        touchpoints.insert(index, entry)
        _keep_trailing(touchpoints, last)
        _space_like_neighbours(touchpoints)
        return index

    def set_touchpoint_key(self, t: int, key: str, value: str | None) -> None:
        entry = self.data["touchpoints"][t]
        if value is None or value == "":
            entry.pop(key, None)
            return
        if key not in entry and key == "description" and "title" in entry:
            entry.insert(list(entry).index("title") + 1, key, value)
        else:
            entry[key] = value

    def move_touchpoint(self, t: int, to: int) -> None:
        touchpoints = self.data["touchpoints"]
        last = _last(touchpoints)
        entry = touchpoints.pop(t)
        touchpoints.insert(min(max(to, 0), len(touchpoints)), entry)
        _keep_trailing(touchpoints, last)
        _space_like_neighbours(touchpoints)

    def remove_touchpoint(self, t: int) -> None:
        touchpoints = self.data["touchpoints"]
        last = _last(touchpoints)
        del touchpoints[t]
        _keep_trailing(touchpoints, last)

    def _ensure_selections(self, t: int) -> CommentedSeq:
        entry = self.own("touchpoints", t)
        assert isinstance(entry, CommentedMap)  # the loader checked every touchpoint is a mapping
        if entry.get("selections") is None:
            entry["selections"] = CommentedSeq()
        items = self.own("touchpoints", t, "selections")
        assert isinstance(items, CommentedSeq)
        if not len(items):
            items.fa.set_block_style()  # an empty list reads back as `[]`, in flow style
        return items

    def text(self) -> str:
        out = io.StringIO()
        self.yaml.dump(self.data, out)
        return _rejoin_anchor_comments(out.getvalue())

    def save(self, verify: Callable[[Manifest], None] | None = None) -> Manifest:
        """Check the edited manifest loads strictly (and passes ``verify``, which raises to
        refuse it), then replace the file; return it loaded."""
        # Checked from a staged copy next to the manifest, so relative clip paths resolve
        # as they will once it is in place; it is renamed over the manifest only if the check
        # passes, and keeps the manifest's mode, byte-order mark and line endings.
        try:
            with staged_path(self.path) as staged:
                staged.write_bytes(encode_like(self.path, self.text()))
                try:
                    edited = load_manifest(staged)
                except ManifestError as error:
                    # The line is one of the edited text, which was never saved: name the field.
                    error.where, error.line = self.path, None
                    error.message = f"the edit would make the manifest invalid: {error.message}"
                    error.hint = "The manifest was left unchanged. " + (error.hint or "")
                    raise
                if verify is not None:
                    verify(edited)
        except OSError as error:
            # A read-only folder or file system: the user's to fix, not a traceback.
            if error.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise
            raise ManifestError(
                f"cannot be rewritten ({error.strerror}): triggerfilm writes a new copy beside "
                "it and renames it into place, which needs write access to its folder",
                where=self.path,
                hint="The manifest was left unchanged. Make the folder writable, or copy the "
                "project somewhere you can write, and run the command again",
            ) from None
        self.manifest = load_manifest(self.path)
        return self.manifest


def _meaning(value: object) -> object:
    """A loaded manifest value without where it was written (lines move when text is added)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(
            (f.name, _meaning(getattr(value, f.name)))
            for f in dataclasses.fields(value)
            if f.name not in ("origin", "line")
        )
    if isinstance(value, tuple | list):
        return tuple(_meaning(v) for v in value)
    return value


def keeps_all_but(
    before: Manifest, touchpoints: set[int], *, added_clips: int = 0
) -> Callable[[Manifest], None]:
    """A ``save`` check: compared with ``before``, only ``touchpoints`` (by index) changed and
    ``added_clips`` clips were appended; every other clip and touchpoint means what it meant.

    This is what catches an edit that leaked through a shared YAML node into another place.
    """

    def verify(after: Manifest) -> None:
        changed = [
            f"clip '{old.id}'"
            for old, new in zip(before.clips, after.clips, strict=False)
            if _meaning(old) != _meaning(new)
        ]
        if len(after.clips) != len(before.clips) + added_clips:
            changed.append("the list of clips")
        changed += [
            f"touchpoint '{old.title}'"
            for t, (old, new) in enumerate(zip(before.touchpoints, after.touchpoints, strict=False))
            if t not in touchpoints and _meaning(old) != _meaning(new)
        ]
        if len(after.touchpoints) != len(before.touchpoints):
            changed.append("the list of touchpoints")
        if changed:
            raise ManifestError(
                "the edit would also change " + ", ".join(changed),
                where=before.path,
                hint="The manifest was left unchanged. Something in it is shared through a "
                "YAML anchor in a way triggerfilm cannot unshare: write those parts out in "
                "full and run the command again",
            )

    return verify


def _references(root: object) -> dict[int, list[tuple[str | int, ...]]]:
    """Every place each mapping or list is used: ``{id(node): [path, ...]}``.

    A ``<<`` merge counts as a use of the merged mapping (at ``path + ("<<",)``); values a
    mapping only inherits through a merge are not walked again.
    """
    found: dict[int, list[tuple[str | int, ...]]] = {}
    stack: list[tuple[object, tuple[str | int, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if not isinstance(node, CommentedMap | CommentedSeq):
            continue
        uses = found.setdefault(id(node), [])
        uses.append(path)
        if len(uses) > 1:
            continue  # its children were walked at its first use
        # Pushed in reverse so they are popped, and listed, in document order.
        if isinstance(node, CommentedMap):
            children = [(base, (*path, "<<")) for _, base in node.merge]
            children += [(value, (*path, key)) for key, value in node.non_merged_items()]
        else:
            children = [(value, (*path, i)) for i, value in enumerate(node)]
        stack.extend(reversed(children))
    return found


# ruamel.yaml writes a comment that followed an anchor or alias (``consent: &couple  # one
# form``) on a line of its own below it, at its old column. Put it back where it was written.
_DISPLACED_COMMENT = re.compile(
    r"^(?P<head>[^\n#]*[&*][\w.-]+)\n(?P<pad> +)(?P<comment>#[^\n]*)$", re.M
)


def _rejoin_anchor_comments(text: str) -> str:
    def rejoin(match: re.Match[str]) -> str:
        head, pad = match["head"], match["pad"]
        if len(pad) <= len(head):
            return match[0]  # it was a comment line of its own
        return head + " " * (len(pad) - len(head)) + match["comment"]

    return _DISPLACED_COMMENT.sub(rejoin, text)


def _seconds(value: float) -> float | int:
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def _anchor_value(value: float | str) -> float | int | str:
    return value if isinstance(value, str) else _seconds(value)


def _selection_map(selection: NewSelection) -> CommentedMap:
    entry = CommentedMap(
        [
            ("clip", selection.clip),
            ("from", _anchor_value(selection.start)),
            ("to", _anchor_value(selection.end)),
        ]
    )
    if selection.valence:
        entry["valence"] = selection.valence
    if selection.note:
        entry["note"] = selection.note
    return entry


def _last(items: CommentedSeq) -> CommentedMap | None:
    return items[-1] if len(items) and isinstance(items[-1], CommentedMap) else None


def _keep_trailing(items: CommentedSeq, old_last: CommentedMap | None) -> None:
    """After a list changed, hang the blank line or comment that followed its old last entry
    on its new last entry, so it still separates this list from what comes next."""
    new_last = _last(items)
    if old_last is None or new_last is None or new_last is old_last:
        return
    _move_trailing_comment(_deepest_last(old_last), _deepest_last(new_last))


def _space_like_neighbours(items: CommentedSeq) -> None:
    """Where the entries of a list are separated by blank lines, give a newly placed entry one
    too (the last entry's blank line would separate the list from what follows)."""
    entries = [e for e in items if isinstance(e, CommentedMap) and len(e)]
    spaced = [_trailing(_deepest_last(e)) is not None for e in entries[:-1]]
    if not any(spaced):
        return
    for entry, has in zip(entries[:-1], spaced, strict=True):
        if not has:
            inner = _deepest_last(entry)
            inner.ca.items[list(inner)[-1]] = [
                None,
                None,
                CommentToken("\n\n", CommentMark(0)),
                None,
            ]


def _trailing(entry: CommentedMap) -> object | None:
    tokens = entry.ca.items.get(list(entry)[-1]) if len(entry) else None
    return tokens[2] if tokens and len(tokens) > 2 else None


def _deepest_last(entry: CommentedMap) -> CommentedMap:
    """Where ruamel keeps a mapping's trailing comment: on its last key, or inside it when that
    key holds a list of mappings (a touchpoint's selections)."""
    value = entry[list(entry)[-1]] if len(entry) else None
    if isinstance(value, CommentedSeq) and len(value) and isinstance(value[-1], CommentedMap):
        return _deepest_last(value[-1])
    return entry


def _move_trailing_comment(source: CommentedMap, target: CommentedMap) -> None:
    """Move the comment/blank lines after ``source``'s last key to after ``target``'s."""
    if not len(source) or not len(target):
        return
    key = list(source)[-1]
    tokens = source.ca.items.get(key)
    if not tokens or len(tokens) < 3 or tokens[2] is None:
        return
    target.ca.items[list(target)[-1]] = [None, None, tokens[2], None]
    tokens[2] = None


def _guess_indent(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as the file already uses them."""
    mapping, sequence, offset = 2, 4, 2
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    for above, below in zip(lines, lines[1:], strict=False):
        if not above.rstrip().endswith(":"):
            continue
        depth = len(above) - len(above.lstrip())
        inner = len(below) - len(below.lstrip())
        if inner <= depth and not below.lstrip().startswith("- "):
            continue
        if below.lstrip().startswith("- "):
            offset = inner - depth
            sequence = offset + 2
        elif above.lstrip() and not above.lstrip().startswith("- "):
            mapping = inner - depth
    return mapping, sequence, offset

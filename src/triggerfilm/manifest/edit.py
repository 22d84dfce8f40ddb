"""Change a manifest the way a careful person would: in place, keeping everything else.

A manifest is a facilitator's document: comments explain choices, keys are in an order they
chose, quotes are written as they like. Tools that add or replace selections (``search --add``,
``cutsheet --apply``) therefore edit it with ruamel.yaml's round-trip mode, which keeps comments,
key order, quoting and flow style, and touch only the selections they were asked to. The result
is written to a temporary file beside the manifest, loaded strictly with ``load_manifest``, and
only then renamed over the original: a change that would break the manifest is refused and the
file is left exactly as it was.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from ..errors import ManifestError
from ..store.atomic import encode_like, staged_path
from .load import load_manifest
from .model import Manifest


@dataclass(frozen=True)
class NewSelection:
    """A selection to write: ``start``/``end`` in seconds."""

    clip: str
    start: float
    end: float
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

    def _selections(self, t: int) -> CommentedSeq:
        return self.data["touchpoints"][t]["selections"]

    def append_selection(self, t: int, selection: NewSelection) -> None:
        items = self._selections(t)
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
        clips = self.data["clips"]
        if len(clips) and getattr(clips[-1], "fa", None) is not None and clips[-1].fa.flow_style():
            entry.fa.set_flow_style()  # match a list written as {id: ..., archive: ...} lines
        clips.append(entry)
        return clip_id

    def text(self) -> str:
        out = io.StringIO()
        self.yaml.dump(self.data, out)
        return out.getvalue()

    def save(self) -> Manifest:
        """Check the edited manifest loads strictly, then replace the file; return it loaded."""
        # Checked from a staged copy next to the manifest, so relative clip paths resolve
        # as they will once it is in place; it is renamed over the manifest only if the check
        # passes, and keeps the manifest's mode, byte-order mark and line endings.
        with staged_path(self.path) as staged:
            staged.write_bytes(encode_like(self.path, self.text()))
            try:
                load_manifest(staged)
            except ManifestError as error:
                error.where = self.path
                error.hint = "The manifest was left unchanged. " + (error.hint or "")
                raise
        self.manifest = load_manifest(self.path)
        return self.manifest


def _seconds(value: float) -> float | int:
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def _selection_map(selection: NewSelection) -> CommentedMap:
    entry = CommentedMap(
        [
            ("clip", selection.clip),
            ("from", _seconds(selection.start)),
            ("to", _seconds(selection.end)),
        ]
    )
    if selection.valence:
        entry["valence"] = selection.valence
    if selection.note:
        entry["note"] = selection.note
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

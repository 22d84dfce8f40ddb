"""YAML parsing that remembers where every value came from, within limits.

PyYAML's composer keeps a start mark on every node; we turn the node tree into plain Python
values plus a map from field path (``touchpoints[1].selections[0].to``) to 1-based line, so that
validation errors can point at the exact line a facilitator has to fix.

Manifests and catalogues may come from anyone (a catalogue is fetched from an archive), so the
parse refuses, with a located error rather than a traceback or a machine out of memory:

- documents over :data:`MAX_DOCUMENT_BYTES` (``$TRIGGERFILM_MAX_YAML_BYTES`` overrides it);
- more than :data:`MAX_ALIASES` aliases, or aliases that expand the document by more than
  :data:`MAX_NODES` values (a "billion laughs" bomb is a few hundred bytes; the check counts
  the expansion on the composed node graph, before anything is expanded);
- an alias inside the node it names (a recursive alias);
- any tag but YAML's plain ones (``!!python/...``, ``!custom``), on a scalar or a collection;
- impossible dates (2025-02-30), NaN or infinite numbers, and integers too large to be a time
  or a size (a 400-digit number would otherwise overflow later, far from its line).
"""

from __future__ import annotations

import datetime
import math
import os
from pathlib import Path
from typing import Any, NoReturn

import yaml

from ..errors import ManifestError, TriggerfilmError

MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
MAX_ALIASES = 10_000
MAX_NODES = 100_000
# Larger integers cannot be held exactly as floats; nothing triggerfilm reads needs them.
MAX_INTEGER = 2**53

_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}
_SAFE = yaml.SafeLoader.yaml_constructors


class _Refused(Exception):
    """A limit was hit at ``mark``; turned into the caller's error type with the file name."""

    def __init__(
        self,
        message: str,
        mark: Any,
        expected: str | None,
        hint: str | None,
        at: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message, self.mark, self.expected, self.hint = message, mark, expected, hint
        self.at = at or None


# libyaml's parser (when PyYAML was built with it) reads events about ten times faster than
# the pure-Python one, so a document near the size limit takes seconds, not minutes; the
# composer below stays Python so every node still passes through the checks.
_Parser = getattr(yaml, "CParser", None) or getattr(getattr(yaml, "_yaml", None), "CParser", None)


if _Parser is not None:
    # The parser class is found at run time, so mypy cannot check it as a base.
    class _EventSource(
        yaml.composer.Composer,
        _Parser,  # type: ignore[valid-type,misc]
        yaml.constructor.SafeConstructor,
        yaml.resolver.Resolver,
    ):
        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)  # type: ignore[misc]
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            yaml.composer.Composer.__init__(self)

else:  # pragma: no cover (PyYAML without libyaml)
    _EventSource = yaml.SafeLoader  # type: ignore[misc,assignment]


class _LimitedLoader(_EventSource):
    """The safe composer, counting aliases and refusing one that refers to its own ancestor."""

    def __init__(self, stream: str, max_aliases: int) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._max_aliases = max_aliases
        self._open: set[str] = set()

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open:
                raise _Refused(
                    f"the alias *{event.anchor} is inside the node it refers to",
                    event.start_mark,
                    "an alias to a node defined before it, not to one of its parents",
                    "Remove the recursive alias",
                )
            self._aliases += 1
            if self._aliases > self._max_aliases:
                raise _Refused(
                    f"more than {self._max_aliases} aliases",
                    event.start_mark,
                    "a document with few *aliases",
                    "Write the values out instead of repeating aliases",
                )
            return super().compose_node(parent, index)
        anchor = getattr(event, "anchor", None)
        if anchor is None:
            return super().compose_node(parent, index)
        self._open.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._open.discard(anchor)


def join_path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def _max_bytes(max_bytes: int | None) -> int:
    if max_bytes is not None:
        return max_bytes
    configured = os.environ.get("TRIGGERFILM_MAX_YAML_BYTES", "")
    return int(configured) if configured.isdigit() else MAX_DOCUMENT_BYTES


def check_document_size(
    text: str, where: str | Path, error: type[TriggerfilmError], max_bytes: int | None = None
) -> None:
    """Refuse a document over the size limit (for JSON read by ``json`` rather than here)."""
    limit = _max_bytes(max_bytes)
    if len(text) > limit:
        _too_large(limit, where, error)


def _too_large(limit: int, where: str | Path, error: type[TriggerfilmError]) -> NoReturn:
    raise error(
        f"is larger than {limit} bytes",
        where=where,
        expected="a YAML document of at most a few megabytes",
        hint="Check that this is the right file; set TRIGGERFILM_MAX_YAML_BYTES to allow more",
    )


def load_located(
    path: Path, error: type[TriggerfilmError] = ManifestError, *, max_bytes: int | None = None
) -> tuple[Any, dict[str, int]]:
    """Parse a YAML file into plain values and a ``{field path: line}`` map."""
    limit = _max_bytes(max_bytes)
    content = read_document(path, error, max_bytes=limit)
    text = decode_utf8(content, path, error, "a UTF-8 YAML file")
    return parse_located(text, path, error, max_bytes=limit)


def read_document(
    path: Path, error: type[TriggerfilmError] = ManifestError, *, max_bytes: int | None = None
) -> bytes:
    """A document's bytes, refusing one over the size limit without reading all of it."""
    limit = _max_bytes(max_bytes)
    try:
        with path.open("rb") as handle:
            content = handle.read(limit + 1)  # never more, whatever the file claims to be
    except FileNotFoundError:
        raise error(
            "file not found",
            where=path,
            hint="Check the path, or create one with `triggerfilm init`",
        ) from None
    except IsADirectoryError:
        raise error("is a folder", where=path, expected="a YAML file") from None
    if len(content) > limit:
        _too_large(limit, path, error)
    return content


# How compressed files begin: such a file is not text until it is unpacked.
_COMPRESSED = (
    (b"\x1f\x8b", "gzip", "gunzip"),
    (b"BZh", "bzip2", "bunzip2"),
    (b"\xfd7zXZ\x00", "xz", "unxz"),
    (b"(\xb5/\xfd", "zstd", "unzstd"),
    (b"PK\x03\x04", "zip", "unzip"),
)


def decode_utf8(
    content: bytes, where: str | Path, error: type[TriggerfilmError], expected: str
) -> str:
    """Text from UTF-8 bytes, or ``error`` naming the byte where it is not UTF-8 (or saying
    that the file is compressed, and how to unpack it)."""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as problem:
        for magic, kind, tool in _COMPRESSED:
            if content.startswith(magic):
                raise error(
                    f"is a {kind}-compressed file, not text",
                    where=where,
                    expected=expected,
                    hint=f"Unpack it first (for example with `{tool}`) and give the unpacked file",
                ) from None
        raise error(
            f"not UTF-8 text ({problem.reason} at byte {problem.start})",
            where=where,
            expected=expected,
        ) from None


def parse_located(
    text: str,
    where: str | Path,
    error: type[TriggerfilmError] = ManifestError,
    *,
    max_bytes: int | None = None,
    max_aliases: int = MAX_ALIASES,
    max_nodes: int = MAX_NODES,
) -> tuple[Any, dict[str, int]]:
    """Parse YAML text into plain values and a ``{field path: line}`` map.

    Problems are raised as ``error`` naming ``where``: manifests and archive catalogues share
    this reader but report through their own error types.
    """
    check_document_size(text, where, error, max_bytes)
    lines: dict[str, int] = {}
    try:
        loader = _LimitedLoader(text, max_aliases)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        if node is None:
            return None, lines
        _check_expansion(node, max_nodes)
        return _convert(node, "", lines), lines
    except _Refused as refused:
        raise error(
            refused.message,
            where=where,
            line=refused.mark.line + 1 if refused.mark else None,
            field=refused.at,
            expected=refused.expected,
            hint=refused.hint,
        ) from None
    except yaml.MarkedYAMLError as problem:
        mark = problem.problem_mark
        raise error(
            f"not valid YAML: {problem.problem}",
            where=where,
            line=mark.line + 1 if mark else None,
            hint="Check indentation and quoting on that line",
        ) from None
    except yaml.reader.ReaderError as problem:
        # A character YAML forbids (NUL, other control characters): not a MarkedYAMLError,
        # so it carries a position in the text rather than a line.
        raise error(
            f"not valid YAML: the control character U+{problem.character:04X} is not allowed",
            where=where,
            line=text.count("\n", 0, max(problem.position, 0)) + 1,
            expected="printable text",
            hint="Remove the character (it is often left by copying from another program)",
        ) from None
    except RecursionError:
        raise error(
            "is nested too deeply to read",
            where=where,
            expected="a document nested a few levels deep",
        ) from None


def _check_expansion(root: yaml.Node, max_nodes: int) -> None:
    """Refuse a node graph whose aliases would expand it by more than ``max_nodes`` values.

    Works on the composed graph, where an aliased node is shared, so a bomb is measured in
    microseconds without being expanded.
    """
    distinct: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in distinct:
            continue
        distinct.add(id(node))
        stack.extend(_children(node))
    ceiling = len(distinct) + max_nodes
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        total = 1 + sum(size(child) for child in _children(node))
        if total > ceiling:
            raise _Refused(
                f"aliases here expand to more than {max_nodes} values",
                node.start_mark,
                "aliases that repeat a value a few times",
                "This looks like an alias bomb; write the values out instead",
            )
        sizes[id(node)] = total
        return total

    size(root)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _refuse_tag(node: yaml.Node, at: str) -> NoReturn:
    if node.tag == "tag:yaml.org,2002:merge":
        # The user wrote `<<: *name`, not a tag: say what it is.
        raise _Refused(
            "YAML merge keys (<<) are not supported",
            node.start_mark,
            "every key written out",
            "Write the keys out in full; an &anchor and *alias can still share a whole value",
            at,
        )
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    raise _Refused(
        f"the tag {tag} is not allowed",
        node.start_mark,
        "plain YAML values (text, numbers, true/false, dates, lists, mappings)",
        "Remove the tag",
        at,
    )


def _convert(node: yaml.Node, at: str, lines: dict[str, int]) -> Any:
    lines[at] = node.start_mark.line + 1
    if node.tag not in _PLAIN_TAGS:
        _refuse_tag(node, at)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if not isinstance(key_node, yaml.ScalarNode) or not isinstance(key, str):
                raise _Refused("keys must be plain names", key_node.start_mark, None, None, at)
            if key_node.tag not in _PLAIN_TAGS:
                # A tag on a key (``!!binary title:``) is refused as on a value, not ignored.
                _refuse_tag(key_node, join_path(at, key))
            if key in result:
                raise _Refused(
                    f"key '{key}' appears twice",
                    key_node.start_mark,
                    None,
                    "Remove one of them",
                    join_path(at, key),
                )
            child = join_path(at, key)
            result[key] = _convert(value_node, child, lines)
            # A key's line is where the key is written, which is what an editor shows.
            lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, join_path(at, i), lines) for i, item in enumerate(node.value)]
    if not isinstance(node, yaml.ScalarNode) or node.tag.endswith(("map", "seq")):
        _refuse_tag(node, at)
    return _scalar(node, at)


_SCALAR_LOADER = yaml.SafeLoader("")


def _scalar(node: yaml.ScalarNode, at: str) -> Any:
    # The safe constructors decide int/float/bool/str as YAML specifies (including YAML 1.1's
    # sexagesimal numbers, so an unquoted 1:30 reads as 90 seconds). Called directly rather
    # than through construct_object, whose memo would keep every node alive.
    try:
        value = _SAFE[node.tag](_SCALAR_LOADER, node)
    except ValueError as problem:
        what = "date" if node.tag.endswith("timestamp") else "value"
        raise _Refused(
            f"'{node.value}' is not a real {what} ({problem})",
            node.start_mark,
            "a date that exists, written YYYY-MM-DD" if what == "date" else None,
            None,
            at,
        ) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise _Refused(
            f"'{node.value}' is not a finite number",
            node.start_mark,
            "an ordinary number",
            None,
            at,
        )
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
        raise _Refused(
            f"the number {node.value[:20]}... is too large",
            node.start_mark,
            f"a number below {MAX_INTEGER}",
            None,
            at,
        )
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value


def describe_value(value: Any) -> str:
    """How a wrong value reads in an error message: ``a number (3)``, ``text ('abc')``."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"a true/false value ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ('{value[:40]}')" if value.strip() else "empty text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__

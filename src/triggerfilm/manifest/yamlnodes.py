"""YAML loading that remembers where every value came from.

PyYAML's ``compose`` keeps a start mark on every node; we turn the node tree into plain Python
values plus a map from field path (``touchpoints[1].selections[0].to``) to 1-based line, so that
validation errors can point at the exact line a facilitator has to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import ManifestError, TriggerfilmError


def join_path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def load_located(path: Path) -> tuple[Any, dict[str, int]]:
    """Parse a YAML file into plain values and a ``{field path: line}`` map."""
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError(
            "file not found",
            where=path,
            hint="Check the path, or create one with `triggerfilm init`",
        ) from None
    return parse_located(decode_utf8(content, path, ManifestError, "a UTF-8 YAML file"), path)


def decode_utf8(
    content: bytes, where: str | Path, error: type[TriggerfilmError], expected: str
) -> str:
    """Text from UTF-8 bytes, or ``error`` naming the byte where it is not UTF-8."""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise error(
            f"not UTF-8 text ({problem.reason} at byte {problem.start})",
            where=where,
            expected=expected,
        ) from None


def parse_located(
    text: str, where: str | Path, error: type[TriggerfilmError] = ManifestError
) -> tuple[Any, dict[str, int]]:
    """Parse YAML text into plain values and a ``{field path: line}`` map.

    Problems are raised as ``error`` naming ``where``: manifests and archive catalogues share
    this reader but report through their own error types.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as problem:
        mark = problem.problem_mark
        raise error(
            f"not valid YAML: {problem.problem}",
            where=where,
            line=mark.line + 1 if mark else None,
            hint="Check indentation and quoting on that line",
        ) from None
    lines: dict[str, int] = {}
    if node is None:
        return None, lines
    return _convert(node, "", lines, where, error), lines


def _convert(
    node: yaml.Node, at: str, lines: dict[str, int], where, error: type[TriggerfilmError]
) -> Any:
    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if not isinstance(key_node, yaml.ScalarNode) or not isinstance(key, str):
                raise error(
                    "keys must be plain names",
                    where=where,
                    line=key_node.start_mark.line + 1,
                    field=at or None,
                )
            if key in result:
                raise error(
                    f"key '{key}' appears twice",
                    where=where,
                    line=key_node.start_mark.line + 1,
                    field=join_path(at, key),
                    hint="Remove one of them",
                )
            child = join_path(at, key)
            result[key] = _convert(value_node, child, lines, where, error)
            # A key's line is where the key is written, which is what an editor shows.
            lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, join_path(at, i), lines, where, error)
            for i, item in enumerate(node.value)
        ]
    # Scalars: the safe constructor decides int/float/bool/str as YAML specifies (including
    # YAML 1.1's sexagesimal numbers, so an unquoted 1:30 reads as 90 seconds).
    return _SCALARS.construct_object(node, deep=True)


_SCALARS = yaml.SafeLoader("")


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

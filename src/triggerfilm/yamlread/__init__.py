"""The one strict YAML reader, for manifests, archive catalogues and the consent keys in both.

A stage-neutral parsing layer beside :mod:`triggerfilm.store`: it imports nothing but
:mod:`triggerfilm.errors`, so every stage can use it without importing another stage.

- :mod:`.located` parses text into plain values plus a ``{field path: line}`` map, within
  limits (document size, alias expansion, recursive aliases, tags, real dates, finite numbers)
  so that hostile YAML fails fast with a located error instead of a traceback.
- :mod:`.reader` checks parsed values (:class:`StrictReader`): unknown keys, types, choices,
  raising one error that names the file, line, field path, what was expected and a hint.
"""

from .located import (
    MAX_ALIASES,
    MAX_DOCUMENT_BYTES,
    MAX_NODES,
    check_document_size,
    decode_utf8,
    describe_value,
    join_path,
    load_located,
    parse_located,
    read_document,
)
from .reader import StrictReader

__all__ = [
    "MAX_ALIASES",
    "MAX_DOCUMENT_BYTES",
    "MAX_NODES",
    "StrictReader",
    "check_document_size",
    "decode_utf8",
    "describe_value",
    "join_path",
    "load_located",
    "parse_located",
    "read_document",
]

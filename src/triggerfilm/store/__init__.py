"""The bottom layer: where caches live, how content is hashed, and the one way to write a file.

Every stage writes through :mod:`triggerfilm.store.atomic` and finds its cache folders through
:mod:`triggerfilm.store.cache`; :mod:`triggerfilm.store.files` says what a path is before a
stage reads it; :mod:`triggerfilm.store.records` reads back a JSON document triggerfilm wrote.
Nothing in ``store`` imports a stage.
"""

from .atomic import move_into_place, staged_path, write_bytes, write_text
from .cache import cache_root, sharded_path
from .files import file_kind, regular_file_problem
from .hashing import json_key, normalise_sha256, sha256_of
from .records import JsonDocument, Unreadable, load_json_object

__all__ = [
    "JsonDocument",
    "Unreadable",
    "cache_root",
    "file_kind",
    "json_key",
    "load_json_object",
    "move_into_place",
    "normalise_sha256",
    "regular_file_problem",
    "sha256_of",
    "sharded_path",
    "staged_path",
    "write_bytes",
    "write_text",
]

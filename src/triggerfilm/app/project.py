"""The ``init`` use case: start a project from a folder of recorded interviews."""

from __future__ import annotations

from pathlib import Path

from ..manifest.init import starter_manifest


def start_project(folder: str | Path, manifest_name: str = "film.yaml") -> Path:
    """Write a starter manifest ``folder/manifest_name`` listing every media file below
    ``folder`` (narrators, consent and touchpoints to fill in); returns its path. An existing
    manifest is never replaced."""
    return starter_manifest(Path(folder), manifest_name)

"""Hostile inputs found by an adversarial audit after the fixes of the first hostile-input round:
variations of the same families (manifests, catalogues, media, cut sheets, environment) that
those fixes missed.

Each case goes through the real command line in a subprocess: exit code 2, one message naming
the file and line or field, no traceback, nothing written. The files live in
tests/data/hostile/ (``au_*``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"


def run_cli(*args: str | Path, cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "triggerfilm", *map(str, args)],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


def assert_refused(result, *words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    # One line: a control character in a name is escaped, never printed raw.
    assert errors[0].isprintable(), errors[0]
    for word in words:
        assert word in errors[0], (word, result.stderr)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# --- manifests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "words"),
    [
        # A NUL in the text is a yaml ReaderError, not a MarkedYAMLError: it was a traceback.
        ("au_nul_in_text.yaml", [":1:", "control character U+0000"]),
        # Tags on keys were ignored (only values were checked).
        ("au_tag_on_key.yaml", [":2:", "the tag !!binary is not allowed"]),
        ("au_tag_on_nested_key.yaml", [":8:", "the tag !!python/name:os.system is not allowed"]),
        # A NUL in a path made os.stat raise ValueError: a traceback.
        ("au_media_nul.yaml", [":3:", "clips[0].media", "clip\\x00.mp4", "NUL character"]),
        ("au_archive_nul.yaml", [":3:", "archives.sample", "clips\\x00", "NUL character"]),
        # A newline in a path split the message over two lines.
        ("au_media_newline.yaml", [":3:", "clips[0].media", "clip\\nname.mp4", "does not exist"]),
    ],
)
def test_hostile_manifest_is_refused_at_its_line(tmp_path: Path, name: str, words) -> None:
    manifest = tmp_path / name
    shutil.copyfile(HOSTILE / name, manifest)
    before = snapshot(tmp_path)
    result = run_cli("plan", manifest, cwd=tmp_path)
    assert_refused(result, str(manifest), *words)
    assert snapshot(tmp_path) == before

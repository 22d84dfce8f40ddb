"""Hostile inputs on the input side: cut sheets, shared YAML anchors, transcript cache entries,
media paths that are not media files, a full disk.

Each case goes through the real command line in a subprocess: exit code 2, one message that
names the file (and line) at fault, no traceback, nothing written. The files live in
tests/data/hostile/ (``in_*``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import demo_copy

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


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_refused(result, *words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


# --- cut sheets -------------------------------------------------------------------------------


def line_of(path: Path, snippet: str) -> int:
    text = path.read_text(encoding="utf-8")
    return next(i for i, line in enumerate(text.splitlines(), 1) if snippet in line)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return demo_copy(tmp_path)


def test_binary_cut_sheet_is_not_a_text_cut_sheet(demo: Path) -> None:
    before = digest(demo)
    sheet = HOSTILE / "in_binary_cutsheet.md"
    result = run_cli("cutsheet", demo, "--apply", sheet, cwd=demo.parent)
    assert_refused(result, str(sheet), "not a text cut sheet")
    assert digest(demo) == before


@pytest.mark.parametrize(
    ("name", "snippet", "words"),
    [
        ("in_cutsheet_seconds_over_59.md", "0:75.00", "0:75.00"),
        ("in_cutsheet_end_before_start.md", "0:09.00", "before it starts"),
        ("in_cutsheet_garbled_time.md", "0:04.5O", "cannot read this sentence line's times"),
        ("in_cutsheet_huge_time.md", "999999", "not a time in a recording"),
        ("in_cutsheet_past_clip_end.md", "9:00.00", "after the end of clip 'icu07'"),
        ("in_cutsheet_unknown_clip.md", "0:01.00", "clip 'icu99' is not in the manifest"),
    ],
)
def test_bad_time_is_reported_at_the_cut_sheet_line(demo: Path, name, snippet, words) -> None:
    before = digest(demo)
    sheet = HOSTILE / name
    result = run_cli("cutsheet", demo, "--apply", sheet, cwd=demo.parent)
    # The sheet's own file and line, never a line of the manifest.
    assert_refused(result, f"{sheet}:{line_of(sheet, snippet)}:", words)
    assert str(demo) not in result.stderr
    assert digest(demo) == before
    assert not list(demo.parent.glob(".demo.yaml*"))  # no staged copy left behind


@pytest.mark.parametrize("name", ["in_cutsheet_empty.md", "in_cutsheet_nothing_ticked.md"])
def test_sheet_selecting_nothing_changes_nothing(demo: Path, name: str) -> None:
    before = digest(demo)
    result = run_cli("cutsheet", demo, "--apply", HOSTILE / name, cwd=demo.parent)
    assert_refused(result, "nothing was selected", "left unchanged")
    assert "Updated" not in result.stdout
    assert digest(demo) == before


@pytest.mark.parametrize("kind", ["directory", "fifo", "dev-zero"])
def test_cut_sheet_that_is_not_a_file(demo: Path, tmp_path: Path, kind: str) -> None:
    if kind == "directory":
        target, words = tmp_path / "sheet.md", "is a directory"
        target.mkdir()
    elif kind == "fifo":
        target, words = tmp_path / "sheet.md", "is a named pipe (FIFO)"
        os.mkfifo(target)
    else:
        target, words = Path("/dev/zero"), "is a character device"
    before = digest(demo)
    result = run_cli("cutsheet", demo, "--apply", target, cwd=demo.parent)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    # click itself refuses a directory for a file option; the rest is ours.
    assert words in result.stderr or "is a directory" in result.stderr, result.stderr
    assert digest(demo) == before

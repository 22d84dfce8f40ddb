"""Shared test setup: real files, a private cache, and where the shared data lives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# The loopback archive servers, test certificate authority and download cache, offered to every
# test module by name; no_proxies (autouse) keeps loopback requests off any proxy in every test.
from tests.conftest_archive import (  # noqa: F401 (fixtures are found by name)
    ca_file,
    cache,
    http_server,
    https_server,
    no_proxies,
    test_ca,
)

ROOT = Path(__file__).resolve().parents[1]
CLIPS = ROOT / "clips"
SHARED_DATA = ROOT.parent / "shared" / "data"
DEMO = ROOT / "manifests" / "demo.yaml"
# Hostile inputs for the tests that feed them to the command line (test_hostile_*.py).
HOSTILE = ROOT / "tests" / "data" / "hostile"


def run_cli(*args: str | Path, cwd: Path, env: dict[str, str] | None = None):
    """triggerfilm's command line in a subprocess, as a user runs it (exit code, stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "triggerfilm", *map(str, args)],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


def editor_command(folder: Path, body: str) -> str:
    """An $EDITOR command: a small Python script that edits the file it is given (``body``
    changes the variable ``text``)."""
    script = folder / "editor.py"
    script.write_text(
        "import pathlib, sys\n"
        "path = pathlib.Path(sys.argv[1])\n"
        "text = path.read_text(encoding='utf-8')\n" + body + "\n"
        "path.write_text(text, encoding='utf-8')\n",
        encoding="utf-8",
    )
    return f'"{sys.executable}" "{script}"'


def demo_copy(folder: Path) -> Path:
    """The demo manifest, comments and all, in ``folder`` with its archive path made absolute,
    for tests that edit a manifest."""
    text = DEMO.read_text(encoding="utf-8").replace("sample: ../clips", f"sample: {CLIPS}")
    path = folder / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _hypothesis_profile() -> None:
    # Property tests must not fail on a slow or busy machine (no per-example deadline, no
    # too-slow health check) nor differ from run to run (derandomised: the same examples on
    # every machine, so a red CI can be replayed here).
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "triggerfilm",
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile("triggerfilm")


def pytest_configure(config: pytest.Config) -> None:
    _hypothesis_profile()
    # One private cache for the whole run: tests never touch the user's ~/.cache, and clips
    # transcribed by one test are reused by the next, as they would be for a real user.
    if "TRIGGERFILM_CACHE" not in os.environ:
        import tempfile

        os.environ["TRIGGERFILM_CACHE"] = tempfile.mkdtemp(prefix="triggerfilm-test-cache-")
    # Tests that do not name a model transcribe with tiny, whatever the user's
    # $TRIGGERFILM_MODEL or the built-in default: their ceilings and quotes were measured with
    # it, and it keeps the suite fast. Tests of another model name it explicitly.
    os.environ["TRIGGERFILM_MODEL"] = "tiny"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DATA} (it sits beside the repo in CI)")
    return SHARED_DATA

"""Hostile YAML through the real command line: exit 2, a located message, no traceback, nothing
written, and little memory (an alias bomb used to take gigabytes before a MemoryError)."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from triggerfilm.errors import ManifestError
from triggerfilm.yamlread import parse_located

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
# Far below the 2.7 GB an expanded bomb took; far above what reading a manifest needs.
MEMORY_CAP = 1024 * 1024 * 1024

# file -> (a snippet of the line the error must name, words the message must hold)
CASES = {
    "alias_bomb.yaml": (None, "alias"),
    "recursive_alias.yaml": ("selections: *loop", "alias"),
    "python_tag.yaml": ("!!python/name", "tag !!python/name:os.system is not allowed"),
    "unknown_tag_mapping.yaml": ("!settings", "tag !settings is not allowed"),
    "impossible_date.yaml": ("2025-02-30", "not a real date"),
    "nan_time.yaml": (".nan", "not a finite number"),
    "inf_card_seconds.yaml": (".inf", "not a finite number"),
    "huge_time.yaml": ("999999", "too large"),
}


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "triggerfilm", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        preexec_fn=_cap_memory,
        timeout=60,
    )


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.slow
@pytest.mark.parametrize("command", ["plan", "render"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_manifest_exits_2_naming_file_and_line(tmp_path, name, command):
    manifest = tmp_path / name
    shutil.copy(HOSTILE / name, manifest)
    before = tree(tmp_path)
    args = [command, str(manifest)] + (["-o", str(tmp_path / "out")] if command == "render" else [])
    result = run_cli(*args, cwd=tmp_path, env={"TRIGGERFILM_CACHE": str(tmp_path / "cache")})

    snippet, words = CASES[name]
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert words in result.stderr
    text = manifest.read_text(encoding="utf-8")
    if snippet is None:
        assert f"{name}:" in result.stderr  # some line of the bomb; which one is not the point
    else:
        line = next(i for i, s in enumerate(text.splitlines(), 1) if snippet in s)
        assert f"{name}:{line}:" in result.stderr
    assert tree(tmp_path) == before  # no output folder, no cache, no stray file


@pytest.mark.slow
def test_oversized_document_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("title: x\n" + "# padding\n" * 2000, encoding="utf-8")
    result = run_cli("plan", str(path), cwd=tmp_path, env={"TRIGGERFILM_MAX_YAML_BYTES": "1000"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "larger than 1000 bytes" in result.stderr and "big.yaml" in result.stderr


def test_plain_anchors_and_aliases_still_work():
    data, lines = parse_located(
        "shared: &c {basis: form-1}\na: *c\nb: *c\nwhen: 2026-03-31\nat: 1:30\n", "x.yaml"
    )
    assert data["a"] == data["b"] == {"basis": "form-1"}
    assert data["at"] == 90 and lines["b"] == 3


def test_deep_nesting_is_a_located_error_not_a_recursion_error():
    with pytest.raises(ManifestError, match="nested too deeply|not valid YAML"):
        parse_located("a: " + "[" * 50_000 + "]" * 50_000, "deep.yaml")


@pytest.mark.slow
def test_hostile_catalogue_fetched_over_loopback_exits_2(tmp_path, http_server):
    bomb = (HOSTILE / "alias_bomb.yaml").read_bytes()
    http_server.add("/archive/catalogue.yaml", bomb)
    url = http_server.url("/archive/catalogue.yaml")
    manifest = tmp_path / "film.yaml"
    manifest.write_text(
        textwrap.dedent(
            f"""\
            title: Remote
            archives:
              # Plain http is refused unless the entry says insecure (a loopback test server).
              remote: {{location: "{url}", insecure: true}}
            clips:
              - id: a
                archive: remote
                clip: x
            touchpoints:
              - title: One
                selections:
                  - clip: a
                    from: 0
                    to: 2
            """
        ),
        encoding="utf-8",
    )
    result = run_cli(
        "plan", str(manifest), cwd=tmp_path, env={"TRIGGERFILM_CACHE": str(tmp_path / "c")}
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert url in result.stderr and "alias" in result.stderr
    # The download itself is cached by content (as any fetched catalogue is); nothing else.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "film.yaml"]

"""`verify` refuses a crafted provenance record before reading any file it names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from triggerfilm.cli import cli
from triggerfilm.reports import provenance


def _record(source: str, manifest: str, outputs: dict[str, str]) -> dict:
    return {
        "clips": [{"id": "c1", "path": source, "sha256": "0" * 64}],
        "manifest": {"path": manifest, "sha256": "0" * 64},
        "outputs": outputs,
    }


CRAFTED = [
    ("source", _record("/etc/shadow", "/tmp/film.yaml", {})),
    ("source", _record("/etc/passwd", "/tmp/film.yaml", {})),
    ("manifest", _record("/tmp/a.mp4", "/etc/shadow", {})),
    ("output", _record("/tmp/a.mp4", "/tmp/film.yaml", {"../../../etc/shadow": "0" * 64})),
    ("output", _record("/tmp/a.mp4", "/tmp/film.yaml", {"/etc/shadow": "0" * 64})),
]


@pytest.mark.parametrize(("kind", "record"), CRAFTED)
def test_a_record_naming_files_outside_is_refused_unread(tmp_path, monkeypatch, kind, record):
    out = tmp_path / "out"
    out.mkdir()
    (out / provenance.PROVENANCE_NAME).write_text(json.dumps(record))
    hashed: list[Path] = []
    real = provenance.sha256_of

    def spy(path):  # records what verify hashes; the hashing itself is real
        hashed.append(Path(path))
        return real(path)

    monkeypatch.setattr(provenance, "sha256_of", spy)
    result = CliRunner().invoke(cli, ["verify", str(out)])
    assert result.exit_code == 2, result.output
    assert hashed == []
    assert kind in result.output and "nothing was read" in result.output
    # Nothing about the file: no hash prefix, no "missing" / "changed" verdict.
    assert "missing" not in result.output and "changed" not in result.output
    assert "Traceback" not in result.output


def test_a_symlink_in_the_folder_pointing_outside_is_refused(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (out / "film.srt").symlink_to(secret)
    record = _record("/tmp/a.mp4", "/tmp/film.yaml", {"film.srt": "0" * 64})
    (out / provenance.PROVENANCE_NAME).write_text(json.dumps(record))
    result = CliRunner().invoke(cli, ["verify", str(out)])
    assert result.exit_code == 2 and "not a file inside" in result.output

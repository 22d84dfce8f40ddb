"""`triggerfilm signoff`: a reviewer's approval recorded with the captions' hashes and findings,
and `verify` saying when a later change invalidates it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.caption_files import write_srt, write_ttml, write_vtt
from triggerfilm.captions.model import Cue
from triggerfilm.captions.profiles import get_profile
from triggerfilm.cli import cli
from triggerfilm.reports.provenance import PROVENANCE_NAME, write_provenance
from triggerfilm.store import sha256_of


def _film_folder(tmp_path: Path) -> Path:
    """A film folder as render leaves it, as far as captions and provenance go."""
    out = tmp_path / "out"
    out.mkdir()
    cues = [Cue(1.0, 3.5, ("A caption that is fine.",)), Cue(4.0, 6.0, ("And another.",))]
    write_srt(cues, out / "film.srt")
    write_vtt(cues, out / "film.vtt")
    write_ttml(cues, out / "film.ttml", get_profile("default"))
    media = tmp_path / "clip.mp4"
    media.write_bytes(b"not really a film")
    manifest = tmp_path / "film.yaml"
    manifest.write_text("title: t\n", encoding="utf-8")
    record = {
        "clips": [{"id": "c1", "path": str(media), "sha256": sha256_of(media)}],
        "manifest": {"path": str(manifest), "sha256": sha256_of(manifest)},
        "fps": 25,
        "caption_profile": {"name": "bbc"},
    }
    write_provenance(out, record, files=["film.srt", "film.vtt", "film.ttml"])
    return out


def test_signoff_records_hashes_and_findings_and_verify_checks_it(tmp_path):
    out = _film_folder(tmp_path)
    done = CliRunner().invoke(cli, ["signoff", str(out), "--reviewer", "Dr Ana Ruiz"])
    assert done.exit_code == 0, done.output
    assert "signed off by Dr Ana Ruiz" in done.output and "profile bbc" in done.output
    record = json.loads((out / PROVENANCE_NAME).read_text(encoding="utf-8"))
    (signoff,) = record["signoffs"]
    assert signoff["reviewer"] == "Dr Ana Ruiz" and signoff["profile"] == "bbc"
    assert set(signoff["files"]) == {"film.srt", "film.vtt", "film.ttml"}
    assert signoff["files"]["film.ttml"] == sha256_of(out / "film.ttml")
    assert signoff["findings"]["error"] == 0 and isinstance(signoff["finding_list"], list)

    ok = CliRunner().invoke(cli, ["verify", str(out)])
    assert ok.exit_code == 0, ok.output
    assert "sign-off by Dr Ana Ruiz" in ok.output and "valid" in ok.output

    # Any later change to a signed caption file invalidates the sign-off.
    text = (out / "film.vtt").read_text(encoding="utf-8").replace("another", "an other")
    (out / "film.vtt").write_text(text, encoding="utf-8")
    changed = CliRunner().invoke(cli, ["verify", str(out)])
    assert changed.exit_code == 1
    assert "INVALIDATED" in changed.output and "film.vtt" in changed.output


@pytest.mark.slow
def test_a_new_render_keeps_old_signoffs_so_their_loss_shows(tmp_path):
    out = _film_folder(tmp_path)
    CliRunner().invoke(cli, ["signoff", str(out), "--reviewer", "Sam"])
    write_srt([Cue(1.0, 3.0, ("Different words now.",))], out / "film.srt")
    record = json.loads((out / PROVENANCE_NAME).read_text(encoding="utf-8"))
    record.pop("signoffs")
    write_provenance(out, record, files=["film.srt", "film.vtt", "film.ttml"])
    result = CliRunner().invoke(cli, ["verify", str(out)])
    assert result.exit_code == 1 and "sign-off by Sam" in result.output
    assert "INVALIDATED" in result.output and "film.srt" in result.output


def test_signoff_refusals(tmp_path):
    empty = CliRunner().invoke(cli, ["signoff", str(tmp_path), "--reviewer", "Sam"])
    assert empty.exit_code == 2 and "no provenance record" in empty.output
    out = _film_folder(tmp_path)
    blank = CliRunner().invoke(cli, ["signoff", str(out), "--reviewer", "   "])
    assert blank.exit_code == 2 and "reviewer" in blank.output
    # A crafted sign-off naming a file outside the folder is refused unread.
    record = json.loads((out / PROVENANCE_NAME).read_text(encoding="utf-8"))
    record["signoffs"] = [{"reviewer": "x", "files": {"../../etc/shadow": "0" * 64}}]
    (out / PROVENANCE_NAME).write_text(json.dumps(record), encoding="utf-8")
    crafted = CliRunner().invoke(cli, ["verify", str(out)])
    assert crafted.exit_code == 2 and "nothing was read" in crafted.output


def test_signoff_names_a_damaged_record(tmp_path):
    record = tmp_path / PROVENANCE_NAME
    record.write_text("[]")
    result = CliRunner().invoke(cli, ["signoff", str(tmp_path), "--reviewer", "Sam"])
    assert result.exit_code == 2 and "is a JSON array, not a JSON object" in result.output
    # A record whose caption profile is not an object: named, not a traceback.
    write_srt([Cue(1.0, 3.0, ("Words.",))], tmp_path / "film.srt")
    record.write_text('{"caption_profile": "default"}')
    result = CliRunner().invoke(cli, ["signoff", str(tmp_path), "--reviewer", "Sam"])
    assert result.exit_code == 2, result.output
    assert "malformed field" in result.output and str(record) in result.output
    assert "signoffs" not in record.read_text()  # nothing was signed


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [("signoffs", 5, "signoffs is not a list"), ("caption_profile", {"name": [1]}, "not text")],
)
def test_a_hand_edited_record_is_named_and_left_as_it_was(tmp_path, field, value, named):
    out = _film_folder(tmp_path)
    path = out / PROVENANCE_NAME
    record = json.loads(path.read_text(encoding="utf-8"))
    record[field] = value
    path.write_text(json.dumps(record), encoding="utf-8")
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["signoff", str(out), "--reviewer", "Sam"])
    assert result.exit_code == 2, result.output
    assert named in result.output and str(path) in result.output
    assert path.read_bytes() == before

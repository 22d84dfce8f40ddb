"""`triggerfilm init`: a starter manifest that lists the media found and loads strictly."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from triggerfilm.cli import cli
from triggerfilm.manifest.load import load_manifest

from .conftest import CLIPS


def test_init_lists_media_and_writes_a_manifest_that_loads(tmp_path):
    (tmp_path / "interviews").mkdir()
    shutil.copy(CLIPS / "ICU07-01.mp4", tmp_path / "interviews" / "ICU07-01.mp4")
    shutil.copy(CLIPS / "ICU15-01.m4a", tmp_path / "ICU15-01.m4a")
    (tmp_path / "notes.txt").write_text("not media")
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    manifest = load_manifest(tmp_path / "film.yaml")
    media = sorted(c.media.name for c in manifest.clips)
    assert media == ["ICU07-01.mp4", "ICU15-01.m4a"]
    audio = next(c for c in manifest.clips if c.media.suffix == ".m4a")
    assert audio.media_type == "audio-only"
    assert "# triggerfilm manifest" in (tmp_path / "film.yaml").read_text()


def test_init_refuses_to_overwrite_and_an_empty_folder(tmp_path):
    runner = CliRunner()
    empty = runner.invoke(cli, ["init", str(tmp_path)])
    assert empty.exit_code == 2 and "no audio or video" in empty.output
    shutil.copy(CLIPS / "ICU15-01.m4a", tmp_path / "a.m4a")
    assert runner.invoke(cli, ["init", str(tmp_path)]).exit_code == 0
    before = (tmp_path / "film.yaml").read_text()
    again = runner.invoke(cli, ["init", str(tmp_path)])
    assert again.exit_code == 2 and "already exists" in again.output
    assert (tmp_path / "film.yaml").read_text() == before


def test_a_starter_manifest_is_refused_until_consent_is_recorded(tmp_path):
    from triggerfilm.consent import check_consent

    shutil.copy(CLIPS / "ICU15-01.m4a", tmp_path / "a.m4a")
    assert CliRunner().invoke(cli, ["init", str(tmp_path)]).exit_code == 0
    report = check_consent(load_manifest(tmp_path / "film.yaml"), "joint-event")
    assert [p.code for p in report.problems] == ["not-approved"]

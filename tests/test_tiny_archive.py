"""Archive-wide use cases on a tiny archive, fast: transcribe (all from the cache), the search
index and its search, search --add into a manifest; and the words of a film's clips: the review
of doubtful words and a person's correction of them.

The same use cases on the real sample archive are in test_archive_index.py, test_search.py and
test_correct.py (slow).
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.conftest import editor_command
from tests.tiny_project import tiny_archive, tiny_project
from triggerfilm import app
from triggerfilm.app.transcription import transcribe_target
from triggerfilm.app.workspace import open_workspace
from triggerfilm.captions.build import build_captions
from triggerfilm.captions.profiles import get_profile
from triggerfilm.cli import cli
from triggerfilm.manifest.load import load_manifest
from triggerfilm.transcripts.corrections import corrections_folder, load_correction
from triggerfilm.transcripts.options import TranscribeOptions


def _run(*args: str, **env: str):
    result = CliRunner().invoke(cli, [str(a) for a in args], env=env or None)
    assert result.exit_code == 0, result.output
    return result.output


def test_transcribe_index_and_search_an_archive(tmp_path, monkeypatch) -> None:
    archive = tiny_archive(tmp_path, monkeypatch)
    output = _run("transcribe", archive)  # both clips from the cache: nothing transcribed
    report = transcribe_target(str(archive), TranscribeOptions())
    assert (report.cached, report.transcribed) == (2, 0)
    # Without an index every transcript is scanned.
    scanned = _run("search", "nurses", "--archive", archive)
    assert "WARD-01" in scanned and "HOME-01" not in scanned
    assert "archive index" not in scanned
    output = _run("index", archive, "--no-meaning", "--no-transcribe")
    assert "Indexed 2 clip(s): 2 added, 0 updated, 0 removed, 0 unchanged" in output
    assert "Search by meaning is not available" in output
    indexed = _run("search", "nurses", "--archive", archive)
    assert "(searched the archive index" in indexed
    assert "1. WARD-01" in indexed and "[Nurses] helped." in indexed and "1 match(es)" in indexed
    assert "HOME-01" in _run("search", "hom*", "--archive", archive)  # a prefix, from the index
    assert "HOME-01" in _run("search", "home", "--archive", archive, "--role", "family member")
    assert "WARD-01" not in _run("search", "home", "--archive", archive, "--topic", "nights")
    again = _run("index", archive, "--no-meaning", "--no-transcribe")
    assert "0 added, 0 updated, 0 removed, 2 unchanged" in again


def test_search_add_appends_the_sentence_with_its_clip(tmp_path, monkeypatch) -> None:
    project = tiny_project(tmp_path, monkeypatch)
    output = _run("search", "truly", "--manifest", project.manifest, "--add", "Nights on the ward")
    assert "[Truly]." in output and "Added home 0:01.52–0:02.33 to 'Nights on the ward'" in output
    selections = load_manifest(project.manifest).touchpoints[0].selections
    assert [s.clip for s in selections] == ["ward", "home"]
    assert "# Touchpoints in care-pathway order." in project.text()
    ws = open_workspace(project.manifest)
    added = ws.touchpoints[0].passages[-1].resolved
    assert added is not None and added.text == "Truly."


def test_a_correction_in_the_editor_becomes_the_captions(tmp_path, monkeypatch) -> None:
    project = tiny_project(tmp_path, monkeypatch)
    editor = editor_command(
        tmp_path,
        "assert text.splitlines()[-2:] == ['[00:00] Nights were long.', '[00:01] Nurses helped.'], text\n"
        "text = text.replace('Nights were long.', 'Nights were so long.')",
    )
    output = _run("correct", project.manifest, "--clip", "ward", EDITOR=editor, VISUAL="")
    assert "ward: stored the corrected transcript (1 word(s) changed)" in output
    stored = load_correction(corrections_folder(project.manifest), "ward")
    assert stored is not None and stored.text.splitlines()[0] == "Nights were so long."
    _, timeline, _ = app.planned(project.manifest)
    cues = build_captions(timeline, get_profile("default"))
    assert "Nights were so long." in " ".join(" ".join(c.lines) for c in cues)
    # Unchanged: nothing stored; emptied: refused; an unknown clip: named.
    unchanged = _run(
        "correct",
        project.manifest,
        "--clip",
        "home",
        EDITOR=editor_command(tmp_path, "pass"),
        VISUAL="",
    )
    assert "home: no change; nothing was stored" in unchanged
    emptied = CliRunner().invoke(
        cli,
        ["correct", str(project.manifest), "--clip", "home"],
        env={"EDITOR": editor_command(tmp_path, "text = '# nothing left'"), "VISUAL": ""},
    )
    assert emptied.exit_code == 2 and "no words" in emptied.output
    assert load_correction(corrections_folder(project.manifest), "home") is None
    unknown = CliRunner().invoke(cli, ["correct", str(project.manifest), "--clip", "nobody"])
    assert unknown.exit_code == 2 and "no clip is called 'nobody'" in unknown.output


@pytest.mark.parametrize("fmt", ["txt", "srt", "json"])
def test_the_transcript_command_prints_a_seeded_clip(tmp_path, monkeypatch, fmt) -> None:
    project = tiny_project(tmp_path, monkeypatch)
    output = _run("transcript", project.media["home"], "--format", fmt)
    assert "Going home was hard." in output


def test_review_lists_the_words_to_check(tmp_path, monkeypatch) -> None:
    project = tiny_project(tmp_path, monkeypatch)
    output = _run("review", project.manifest)
    # One line per doubtful word: the clip, where it is said, the word and why.
    lines = [line.split() for line in output.splitlines() if line.strip() and "Clips" not in line]
    doubts = [line for line in lines if "low-probability" in line]
    assert doubts == [["home", "00:01.6", "Truly.", "low-probability"]]
    assert "Nurses" not in output  # words heard with confidence are not listed


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        (["review"], "Truly."),
        (["export", "-o", "{folder}/tiny.otio"], "Wrote"),
        (["cutsheet", "-o", "{folder}/tiny.cutsheet.md"], "Wrote"),
        (["correct", "--clip", "ward"], "stored the corrected transcript"),
    ],
    ids=lambda v: v[0] if isinstance(v, list) else None,
)
def test_use_cases_pass_on_what_transcribing_noticed(tmp_path, monkeypatch, command, shown):
    # A checked transcript damaged on disk is made again from Whisper's cached words; each
    # command says so, as render does, instead of dropping the notice.
    from triggerfilm.transcripts.checked import checked_cache_path

    project = tiny_project(tmp_path, monkeypatch)
    damaged = checked_cache_path(project.media["ward"], TranscribeOptions(), None)
    damaged.write_text("[]", encoding="utf-8")
    name, *rest = (part.format(folder=tmp_path) for part in command)
    editor = editor_command(tmp_path, "text = text.replace('Nurses helped.', 'Nurses helped us.')")
    result = CliRunner().invoke(
        cli, [name, str(project.manifest), *rest], env={"EDITOR": editor, "VISUAL": ""}
    )
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: cache:")]
    assert len(warnings) == 1 and str(damaged) in warnings[0], result.output
    assert shown in result.output  # the work itself is whole


def test_search_passes_on_a_damaged_transcript_it_skipped(tmp_path, monkeypatch) -> None:
    from triggerfilm.transcripts.store import cache_path

    archive = tiny_archive(tmp_path, monkeypatch)
    damaged = cache_path(archive / "ward.mp4", TranscribeOptions())
    damaged.write_text("[]", encoding="utf-8")
    result = CliRunner().invoke(cli, ["search", "home", "--archive", str(archive)])
    assert result.exit_code == 0, result.output
    assert f"warning: cache: {damaged}" in result.output
    assert "HOME-01" in result.output  # the clip with a sound transcript is still searched


def test_withdraw_passes_on_what_reading_the_archives_noticed(tmp_path, monkeypatch, http_server):
    # An archive over plain http:// (allowed by `insecure: true`) is worth a warning on every
    # use; withdraw reads its catalogue for the narrator codes and must say so too.
    http_server.add(
        "/a/catalogue.yaml",
        b"archive:\n  name: remote test\n  attribution: Synthetic.\nclips:\n"
        b"  - id: C1\n    interview: INT01\n    title: Nights at home\n"
        b"    media_type: text-only\n    transcript: Nights were quiet at home.\n"
        b"    narrator: {descriptor: 'woman, 40s', role: patient}\n"
        b"    permission: Synthetic sample.\n",
    )
    project = tiny_project(tmp_path, monkeypatch)
    entry = f"archives:\n  remote: {{location: {http_server.url('/a/')}, insecure: true}}\n"
    clip = "  - id: quiet\n    archive: remote\n    clip: C1\n"
    text = project.text().replace("clips:\n", entry + "clips:\n" + clip, 1)
    project.manifest.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["withdraw", str(project.manifest), "--narrator", "INT01"])
    assert result.exit_code == 0, result.output
    assert "Recorded withdrawal" in result.output and "quiet" in result.output
    assert "warning: archive:" in result.output and "plain http://" in result.output

"""`triggerfilm correct`: a person fixes a clip's words in $EDITOR (a scripted editor here) and
captions, quotes and the provenance record use them, whatever transcribes the clip next."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from triggerfilm import app
from triggerfilm.app.target import Target
from triggerfilm.captions.build import build_captions
from triggerfilm.captions.profiles import get_profile
from triggerfilm.cli import cli
from triggerfilm.transcripts.corrections import (
    corrections_folder,
    load_correction,
    save_correction,
    words_of,
)
from triggerfilm.transcripts.options import TranscribeOptions

from .conftest import CLIPS, editor_command

# The words a person corrects: Whisper may hear them capitalised or with a comma between
# ("Again, and again"), differently on different CPUs; the correction is the same.
AGAIN = r"(?i)again,? and again"


def _manifest(folder: Path) -> Path:
    path = folder / "film.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            title: Corrections
            output: {{width: 320, height: 180, fps: 25, card_seconds: 1}}
            archives: {{sample: {CLIPS}}}
            clips:
              - {{id: icu07, archive: sample, clip: ICU07-01}}
            touchpoints:
              - title: Nights on the unit
                selections:
                  - {{clip: icu07, from: "She told me where I was", to: "lost her patience"}}
            """
        ),
        encoding="utf-8",
    )
    return path


def _caption_text(manifest: Path, options: TranscribeOptions | None = None) -> str:
    _, timeline, _ = app.planned(manifest, options)
    cues = build_captions(timeline, get_profile("default"))
    return " ".join(" ".join(c.lines) for c in cues)


def test_words_of_drops_marks_and_comments():
    assert words_of("# x\n[01:02] One two.\n  three.  [bad mark stays]\n") == (
        "One two.\nthree.\n[bad mark stays]"
    )


@pytest.mark.slow
def test_correct_with_a_scripted_editor_puts_the_true_words_in_the_captions(tmp_path):
    manifest = _manifest(tmp_path)
    assert "over and over" not in _caption_text(manifest)
    # The editor also checks that it was given marked sentences, one per line.
    editor = editor_command(
        tmp_path,
        "assert any(l.startswith('[00:') for l in text.splitlines()), text\n"
        "import re\n"
        f"text = re.sub({AGAIN!r}, 'over and over', text)",
    )
    result = CliRunner().invoke(
        cli, ["correct", str(manifest), "--clip", "icu07"], env={"EDITOR": editor, "VISUAL": ""}
    )
    assert result.exit_code == 0, result.output
    assert "stored the corrected transcript" in result.output
    stored = load_correction(corrections_folder(manifest), "icu07")
    assert stored is not None and "over and over" in stored.text
    assert "[00:" not in stored.text  # marks are not words
    captions = _caption_text(manifest)
    assert "over and over" in captions and not re.search(AGAIN, captions)

    # Re-transcription with other settings (a new Whisper cache entry) keeps the correction.
    again = _caption_text(manifest, TranscribeOptions(beam_size=2))
    assert "over and over" in again


@pytest.mark.slow
def test_an_unchanged_or_emptied_text_stores_nothing(tmp_path):
    manifest = _manifest(tmp_path)
    unchanged = CliRunner().invoke(
        cli,
        ["correct", str(manifest), "--clip", "icu07"],
        env={"EDITOR": editor_command(tmp_path, "pass"), "VISUAL": ""},
    )
    assert unchanged.exit_code == 0 and "no change" in unchanged.output
    emptied = CliRunner().invoke(
        cli,
        ["correct", str(manifest), "--clip", "icu07"],
        env={"EDITOR": editor_command(tmp_path, "text = '# nothing left'"), "VISUAL": ""},
    )
    assert emptied.exit_code == 2 and "no words" in emptied.output
    assert not corrections_folder(manifest).exists()
    unknown = CliRunner().invoke(
        cli, ["correct", str(manifest), "--clip", "nobody"], env={"EDITOR": "true"}
    )
    assert unknown.exit_code == 2 and "no clip is called 'nobody'" in unknown.output


@pytest.mark.slow
def test_render_uses_the_correction_and_provenance_says_so(tmp_path):
    manifest = _manifest(tmp_path)
    document = app.correction_document(manifest, "icu07")
    report = app.correct_clip(manifest, "icu07", re.sub(AGAIN, "over and over", document))
    assert report.correction is not None and report.words_changed >= 2
    out = tmp_path / "out"
    app.render_manifest(manifest, out, app.RenderOptions(preset="ultrafast", preview=True))
    srt = (out / "preview.srt").read_text(encoding="utf-8")
    assert "over and over" in srt
    record = json.loads((out / "preview.provenance.json").read_text(encoding="utf-8"))
    (clip,) = record["clips"]
    assert clip["captions_corrected_by_person"] is True
    assert clip["correction_sha256"] == report.correction.sha256


def test_the_store_api_for_the_studio(tmp_path):
    folder = tmp_path / "film.corrections"
    saved = save_correction(folder, "icu07", "[00:01] He was there.  Then he left.", "ab" * 32)
    loaded = load_correction(folder, "icu07")
    assert loaded == saved and loaded.text == "He was there.\nThen he left."
    assert loaded.media_sha256 == "ab" * 32
    assert load_correction(folder, "other") is None


@pytest.mark.slow
def test_quotes_and_search_use_the_corrected_words(tmp_path):
    from triggerfilm.editplan.search import SearchQuery

    manifest = _manifest(tmp_path)
    document = app.correction_document(manifest, "icu07")
    app.correct_clip(manifest, "icu07", document.replace("lost her patience", "lost her temper"))
    # A selection quoting the corrected words resolves; the heard words no longer exist.
    text = manifest.read_text(encoding="utf-8").replace(
        'to: "lost her patience"', 'to: "lost her temper"'
    )
    manifest.write_text(text, encoding="utf-8")
    _, timeline, _ = app.planned(manifest)
    assert "lost her temper" in " ".join(
        w.text.strip() for item in timeline.items for w in getattr(item, "words", ())
    )
    hits = app.search_clips(SearchQuery("her temper"), Target(manifest=manifest))
    assert any(hit.clip == "icu07" for hit in hits)


@pytest.mark.slow
def test_the_correction_survives_a_change_of_engine(tmp_path):
    pytest.importorskip("torch", reason="torch is not installed (optional extra 'openai')")
    pytest.importorskip(
        "whisper", reason="openai-whisper is not installed (optional extra 'openai')"
    )
    manifest = _manifest(tmp_path)
    document = app.correction_document(manifest, "icu07")
    app.correct_clip(manifest, "icu07", re.sub(AGAIN, "over and over", document))
    other = TranscribeOptions(engine="openai-whisper")
    assert "over and over" in _caption_text(manifest, other)

"""Manifest validation: every mistake names the file, the field, the line and what was expected."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from triggerfilm.cli import cli
from triggerfilm.errors import ManifestError
from triggerfilm.manifest.load import load_manifest
from triggerfilm.manifest.model import Narrator

from .conftest import CLIPS

VALID = f"""\
title: Test film
clips:
  - id: a
    media: {CLIPS / "ICU07-01.mp4"}
    narrator: ICU07
  - id: b
    media: {CLIPS / "ICU15-01.m4a"}
    narrator: ICU15
    media_type: audio-only
touchpoints:
  - title: Nights
    selections:
      - clip: a
        from: 1.5
        to: "0:04"
      - clip: b
        from: "Some nights she did"
        to: "broke my heart"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "film.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_valid_manifest_loads_with_times_and_quotes(tmp_path):
    manifest = load_manifest(write(tmp_path, VALID))
    assert [c.id for c in manifest.clips] == ["a", "b"]
    first, second = manifest.touchpoints[0].selections
    assert (first.start.seconds, first.end.seconds) == (1.5, 4.0)
    assert second.start.quote == "Some nights she did"
    assert second.origin.field == "touchpoints[0].selections[1]"
    assert manifest.output.fps == 25 and manifest.output.width == 1280


@pytest.mark.parametrize(
    ("old", "new", "field", "line", "words"),
    [
        # unknown key, with a suggestion
        ("    narrator: ICU07\n", "    narator: ICU07\n", "clips[0].narator", 5, "unknown key"),
        # wrong type
        ("title: Test film", "title: [1, 2]", "title", 1, "expected non-empty text"),
        # missing media file
        ("ICU07-01.mp4", "ICU99-01.mp4", "clips[0].media", 4, "does not exist"),
        # reversed times
        ("        from: 1.5", "        from: 9.5", "touchpoints[0].selections[0].to", 15, "not after"),
        # selection naming a clip that does not exist
        ("      - clip: b", "      - clip: c", "touchpoints[0].selections[1].clip", 16, "no clip"),
        # negative time
        ("        from: 1.5", "        from: -2", "touchpoints[0].selections[0].from", 14, "0 seconds"),
        # bad valence value
        ("        to: \"0:04\"\n", "        to: \"0:04\"\n        valence: sad\n",
         "touchpoints[0].selections[0].valence", 16, "positive, negative, mixed"),
        # missing required key
        ("    narrator: ICU07\n", "", "clips[0].narrator", 3, "is missing"),
        # duplicate id
        ("  - id: b", "  - id: a", "clips[1].id", 6, "used twice"),
        # single-word quote
        ('        from: "Some nights she did"', '        from: "Some"',
         "touchpoints[0].selections[1].from", 17, "single word"),
    ],
)  # fmt: skip
def test_invalid_manifest_names_field_and_line(tmp_path, old, new, field, line, words):
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    error = caught.value
    assert error.field == field
    assert error.line == line
    message = str(error)
    assert str(path) in message and field in message and words in message


def test_yaml_syntax_error_reports_line(tmp_path):
    path = write(tmp_path, "title: x\nclips: [\n  - a\n")
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    assert caught.value.line is not None and "not valid YAML" in str(caught.value)


@pytest.mark.slow
def test_unknown_key_on_command_line_exits_2_and_writes_nothing(tmp_path):
    path = write(tmp_path, VALID.replace("title: Test film", "title: Test film\ncolour: blue"))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["render", str(path), "-o", str(out)])
    assert result.exit_code == 2
    assert "colour" in result.output and "film.yaml:2" in result.output
    assert not out.exists()


@pytest.mark.slow
def test_missing_clip_exits_2_in_a_real_process(tmp_path):
    path = write(tmp_path, VALID.replace("ICU15-01.m4a", "missing.m4a"))
    result = subprocess.run(
        [sys.executable, "-m", "triggerfilm", "transcribe", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "clips[1].media" in result.stderr and "missing.m4a" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_top_level_key_points_at_the_document(tmp_path):
    path = write(tmp_path, VALID[: VALID.index("touchpoints:")])
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    assert caught.value.field == "touchpoints" and caught.value.line == 1
    assert "is missing" in str(caught.value)


def test_errors_keep_every_field_across_processes():
    import pickle

    error = ManifestError("is missing", where="film.yaml", line=3, field="title", hint="Add it")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.where, copy.line, copy.field, copy.hint) == ("film.yaml", 3, "title", "Add it")
    assert str(copy) == str(error)


def test_the_manifest_overrides_the_catalogues_narrator_fact_by_fact():
    published = Narrator("man, 60s, patient", "patient", "male", "60-69")
    assert published.overridden_by(Narrator()) == published
    # What the manifest gives wins; what it leaves out (or leaves empty) is the catalogue's.
    merged = published.overridden_by(Narrator(descriptor="", role="family member", age_band="70s"))
    assert merged == Narrator("man, 60s, patient", "family member", "male", "70s")
    # A clip with nothing published takes the manifest's facts as they are.
    assert Narrator().overridden_by(merged) == merged

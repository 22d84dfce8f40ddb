"""Inputs that used to be accepted silently or refused unhelpfully: each is now one message that
names the file, the line or field, what was expected and what to do, with exit code 2.

- a selection a hair long (from 0.5 to 0.5000000001 s) made a silent one-frame film;
- a cut sheet line with two ``#tp:`` tags went to whichever tag came last;
- a gzip-compressed catalogue was "not UTF-8 text";
- a JSON catalogue's syntax error named its line but not where on the line.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.tiny_project import tiny_project
from triggerfilm.cli import cli
from triggerfilm.editplan.build import MIN_PASSAGE_SECONDS
from triggerfilm.editplan.cutsheet import parse_cutsheet
from triggerfilm.errors import ManifestError, SourceError
from triggerfilm.manifest.load import load_manifest
from triggerfilm.sources.catalogue import load_catalogue


@pytest.fixture
def project(tmp_path, monkeypatch):
    return tiny_project(tmp_path, monkeypatch)


def _refused(result, *words: str) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, (word, result.output)
    return result.output


@pytest.mark.parametrize(
    ("start", "end", "length"),
    [("0.5", "0.5000000001", "1e-10"), ("0.5", "0.9", "0.4"), ("0.0", "1.0e-300", "1e-300")],
)
def test_a_selection_too_short_for_a_film_is_refused_naming_it(
    project, tmp_path, start, end, length
) -> None:
    text = project.text().replace("from: 0.0", f"from: {start}").replace("to: 1.5", f"to: {end}")
    project.manifest.write_text(text, encoding="utf-8")
    line = text.splitlines().index(f"        to: {end}") + 1
    for command in (["plan"], ["render", "-o", str(tmp_path / "out")]):
        result = CliRunner().invoke(cli, [*command, str(project.manifest)])
        _refused(
            result,
            f"tiny.yaml:{line}: touchpoints[1].selections[0].to: the passage of clip 'home' in "
            f"touchpoint 'Going home' lasts only {length} s",
            f"(expected a passage of at least {MIN_PASSAGE_SECONDS} s)",
        )
    assert not (tmp_path / "out" / "film.mp4").exists()


def test_a_passage_of_half_a_second_is_still_a_passage(project) -> None:
    text = project.text().replace("from: 0.0", "from: 1.6").replace("to: 1.5", "to: 2.1")
    project.manifest.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["plan", str(project.manifest)])
    assert result.exit_code == 0, result.output
    assert "Truly." in result.output


def _sheet(project, tmp_path: Path) -> tuple[Path, str]:
    result = CliRunner().invoke(
        cli, ["cutsheet", str(project.manifest), "-o", str(tmp_path / "s.md")]
    )
    assert result.exit_code == 0, result.output
    return tmp_path / "s.md", (tmp_path / "s.md").read_text(encoding="utf-8")


def test_the_cut_sheet_round_trip_on_the_tiny_project(project, tmp_path) -> None:
    path, sheet = _sheet(project, tmp_path)
    lines = [line for line in sheet.splitlines() if line.startswith("- [")]
    assert lines == [
        "- [x] `0:00.05–0:01.43` Nights were long. #tp:nights-on-the-ward",
        "- [x] `0:01.42–0:02.35` Nurses helped. #tp:nights-on-the-ward",
        "- [x] `0:00.05–0:01.53` Going home was hard. #tp:going-home",
        "- [ ] `0:01.52–0:02.33` Truly. #tp:?",
    ]
    # Untick "Nurses helped." and give "Truly." to going home.
    sheet = sheet.replace("Nurses helped. #tp:nights-on-the-ward", "Nurses helped. #tp:?")
    sheet = re.sub(r"- \[x\] (`[^`]*` Nurses helped\.)", r"- [ ] \1", sheet)
    sheet = re.sub(r"- \[ \] (`[^`]*` Truly\.) #tp:\?", r"- [x] \1 #tp:going-home", sheet)
    path.write_text(sheet, encoding="utf-8")
    result = CliRunner().invoke(cli, ["cutsheet", str(project.manifest), "--apply", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Updated {project.manifest}" in result.output
    m = load_manifest(project.manifest)
    first, second = m.touchpoints
    assert [s.clip for s in first.selections] == ["ward"]
    # The kept selection now cuts other sentences: it gets their times, keeps its valence.
    assert (first.selections[0].start.seconds, first.selections[0].end.seconds) == (0.05, 1.43)
    assert first.selections[0].valence == "positive"
    # "Going home was hard." and "Truly." are next to each other with one tag: one passage.
    assert [s.clip for s in second.selections] == ["home"]
    assert (second.selections[0].start.seconds, second.selections[0].end.seconds) == (0.05, 2.33)
    assert "# Touchpoints in care-pathway order." in project.text()


@pytest.mark.parametrize(
    ("ending", "words"),
    [
        (
            "#tp:going-home #tp:nights-on-the-ward",
            "the sentence has more than one touchpoint tag (#tp:going-home and #tp:nights-on-the-ward)",
        ),
        (
            "#tp:going-home and more",
            "the touchpoint tag #tp:going-home is not at the end of the line",
        ),
    ],
)
def test_a_sheet_line_with_two_tags_is_refused(project, tmp_path, ending, words) -> None:
    path, sheet = _sheet(project, tmp_path)
    sheet = re.sub(r"(Going home was hard\.) #tp:\S+", rf"\1 {ending}", sheet)
    path.write_text(sheet, encoding="utf-8")
    before = project.text()
    line = (
        sheet.splitlines().index(next(x for x in sheet.splitlines() if "Going home was" in x)) + 1
    )
    result = CliRunner().invoke(cli, ["cutsheet", str(project.manifest), "--apply", str(path)])
    _refused(result, f"s.md:{line}: {words}", "one #tp:touchpoint tag")
    assert project.text() == before


def test_a_tag_like_word_inside_the_text_is_no_tag() -> None:
    # "#tp:" only counts as a tag at the start of a word.
    lines = parse_cutsheet("## c\n- [x] `0:01.00–0:02.00` See page#tp:3 #tp:a\n", "s.md")
    assert [(line.tag, line.text) for line in lines] == [("a", "See page#tp:3")]
    with pytest.raises(ManifestError, match="more than one touchpoint tag"):
        parse_cutsheet("## c\n- [x] `0:01.00–0:02.00` #tp:b Said #tp:a\n", "s.md")


CATALOGUE = {
    "archive": {"name": "Test", "attribution": "Test archive"},
    "clips": [
        {
            "id": "A-01",
            "interview": "A",
            "title": "A clip",
            "media": "a.mp4",
            "media_type": "video",
            "narrator": {"descriptor": "patient", "role": "patient"},
            "permission": "test",
        }
    ],
}


@pytest.mark.parametrize("name", ["catalogue.yaml", "catalogue.json", "catalogue.yaml.gz"])
def test_a_compressed_catalogue_is_named_as_compressed(tmp_path, name) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(json.dumps(CATALOGUE).encode()))
    with pytest.raises(SourceError) as caught:
        load_catalogue(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: is a gzip-compressed file, not text")
    assert "gunzip" in message and "not UTF-8" not in message


def test_a_zip_or_binary_catalogue(tmp_path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xa0\xff")
    with pytest.raises(SourceError, match="is a zip-compressed file, not text.*unzip"):
        load_catalogue(path)
    path.write_bytes(b"archive: \xff\xfe\n")  # plain damage stays a UTF-8 message with its byte
    with pytest.raises(SourceError, match=r"not UTF-8 text \(invalid start byte at byte 9\)"):
        load_catalogue(path)


def test_a_compressed_manifest_is_named_too(tmp_path) -> None:
    path = tmp_path / "film.yaml"
    path.write_bytes(gzip.compress(b"title: x\n"))
    with pytest.raises(ManifestError, match="film.yaml: is a gzip-compressed file, not text"):
        load_manifest(path)


@pytest.mark.parametrize(
    ("broken", "line", "column", "what"),
    [
        (
            '"clips": [\n  {"id": "A-01",, "title": "x"}',
            3,
            17,
            "Expecting property name enclosed in double quotes",
        ),
        ('"clips": [\n  {"id": "A-01" "title": "x"}', 3, 17, "Expecting ',' delimiter"),
    ],
)
def test_a_json_syntax_error_names_its_line_and_column(
    tmp_path, broken, line, column, what
) -> None:
    text = '{"archive": {"name": "T", "attribution": "T"},\n' + broken + "]}\n"
    path = tmp_path / "catalogue.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_catalogue(path)
    error = caught.value
    assert error.line == line
    assert str(error).startswith(f"{path}:{line}: not valid JSON: {what} at column {column}")
    assert "comma" in str(error)
    result = CliRunner().invoke(cli, ["search", "clip", "--archive", str(path)])
    _refused(result, f"{path}:{line}: not valid JSON: {what} at column {column}")

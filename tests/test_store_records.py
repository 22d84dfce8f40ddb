"""Reading back a JSON document triggerfilm wrote (store.records): real files, every way they fail."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from triggerfilm.errors import TriggerfilmError
from triggerfilm.store import JsonDocument, Unreadable, load_json_object


class WidgetError(TriggerfilmError):
    """Stands for a stage's own error class (TimelineError, ...)."""


WIDGET = JsonDocument(
    what="widget record",
    expected="the widget.json a widget run writes",
    error=WidgetError,
    hint="Run the widget again",
    missing_hint="Give the folder a widget ran in",
)


def test_a_good_document_is_its_object(tmp_path: Path) -> None:
    path = tmp_path / "widget.json"
    path.write_text(json.dumps({"name": "Zoë", "parts": [1, 2]}, ensure_ascii=False), "utf-8")
    assert load_json_object(path) == {"name": "Zoë", "parts": [1, 2]}
    assert WIDGET.read(path) == {"name": "Zoë", "parts": [1, 2]}


def test_a_missing_file_is_told_apart_from_a_damaged_one(tmp_path: Path) -> None:
    path = tmp_path / "widget.json"
    assert load_json_object(path) == Unreadable("does not exist", missing=True)
    with pytest.raises(WidgetError) as caught:
        WIDGET.read(path)
    error = caught.value
    assert error.where == path and error.expected == "the widget.json a widget run writes"
    assert error.message == "does not exist, so there is no widget record to read"
    assert error.hint == "Give the folder a widget ran in"  # the missing file's own hint
    assert str(error).startswith(f"{path}: does not exist")


def test_a_missing_folder_on_the_path_counts_as_missing(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    found = load_json_object(tmp_path / "file" / "widget.json")
    assert isinstance(found, Unreadable) and found.missing
    assert "a folder on its path is a file" in found.problem


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\xff\xfe{\x00}\x00", "cannot be read as JSON (it is not UTF-8 text: invalid start byte"),
        (
            '{"name": "Zo\u00eb"}'.encode("latin-1"),
            "cannot be read as JSON (it is not UTF-8 text: invalid continuation",
        ),
        (b'{"name": ', "cannot be read as JSON (Expecting value: line 1 column 10"),
        (b"{not json}", "cannot be read as JSON (Expecting property name"),
        (b"[1, 2]", "is a JSON array, not a JSON object"),
        (b'"text"', "is a JSON string, not a JSON object"),
        (b"3.5", "is a JSON number, not a JSON object"),
        (b"true", "is a JSON true/false, not a JSON object"),
        (b"null", "is a JSON null, not a JSON object"),
        (b"", "is empty (0 bytes), not a JSON file"),
        (b"[" * 100_000 + b"]" * 100_000, "cannot be read as JSON (it is nested too deeply)"),
    ],
)
def test_a_damaged_file_says_what_is_wrong_with_it(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "widget.json"
    path.write_bytes(content)
    found = load_json_object(path)
    assert isinstance(found, Unreadable) and not found.missing
    assert found.problem.startswith(problem), found.problem
    with pytest.raises(WidgetError) as caught:
        WIDGET.read(path)
    error = caught.value
    assert error.message == found.problem and error.where == path
    assert error.expected == "the widget.json a widget run writes"
    assert error.hint == "Run the widget again"  # a damaged file's hint, not the missing one's


def test_something_other_than_a_file_is_refused_without_opening_it(tmp_path: Path) -> None:
    folder = tmp_path / "widget.json"
    folder.mkdir()
    assert load_json_object(folder) == Unreadable("is a directory, not a JSON file")
    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)  # opening it to read would wait for a writer forever
    assert load_json_object(pipe) == Unreadable("is a named pipe (FIFO), not a JSON file")
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "gone.json")
    found = load_json_object(link)
    assert isinstance(found, Unreadable) and found.problem.startswith("is a broken symbolic link")
    assert not found.missing  # something is there, and it is wrong


def test_an_unreadable_file_is_damaged_not_missing(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    path = tmp_path / "widget.json"
    path.write_text("{}")
    path.chmod(0)
    assert load_json_object(path) == Unreadable("cannot be read (permission denied)")


def test_a_malformed_field_names_the_file_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "widget.json"
    path.write_text('{"parts": 3}')
    data = WIDGET.read(path)
    with pytest.raises(WidgetError) as caught, WIDGET.fields(path):
        data["name"]
    error = caught.value
    assert error.where == path and error.hint == "Run the widget again"
    assert error.message == (
        "has a malformed field, so it is not a widget record this triggerfilm can read "
        "(KeyError: no field 'name')"
    )
    for convert, kind in [
        (lambda: list(data["parts"]), "TypeError"),
        (lambda: int("three"), "ValueError"),
        (lambda: data["parts"].get("x"), "AttributeError"),
    ]:
        with pytest.raises(WidgetError, match=f"\\({kind}: "), WIDGET.fields(path):
            convert()


def test_fields_lets_other_errors_through_and_passes_a_good_block(tmp_path: Path) -> None:
    path = tmp_path / "widget.json"
    with WIDGET.fields(path):
        total = sum([1, 2])
    assert total == 3
    with pytest.raises(OSError), WIDGET.fields(path):
        raise OSError("not a shape problem: it is not hidden as one")


def test_a_document_without_its_own_error_class_raises_triggerfilm_error(tmp_path: Path) -> None:
    plain = JsonDocument(what="marker", expected="a marker", hint="Remove it")
    with pytest.raises(TriggerfilmError) as caught:
        plain.read(tmp_path / "marker.json")
    assert type(caught.value) is TriggerfilmError and caught.value.hint == "Remove it"

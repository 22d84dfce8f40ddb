"""The one atomic writer and the keyed cache layout (store layer)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from triggerfilm.store import sharded_path, staged_path, write_bytes, write_text
from triggerfilm.store.cache import cache_root


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_rewrite_keeps_the_existing_file_mode(tmp_path):
    target = tmp_path / "manifest.yaml"
    target.write_text("a: 1\n")
    os.chmod(target, 0o640)
    write_text(target, "a: 2\n")
    assert _mode(target) == 0o640
    assert target.read_text() == "a: 2\n"


def test_new_file_gets_the_umask_mode_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        target = write_bytes(tmp_path / "new.bin", b"x")
    finally:
        os.umask(old)
    assert _mode(target) == 0o644


def test_rewrite_keeps_bom_and_crlf(tmp_path):
    target = tmp_path / "m.yaml"
    target.write_bytes(b"\xef\xbb\xbfa: 1\r\nb: 2\r\n")
    write_text(target, "a: 1\nb: 3\n")
    assert target.read_bytes() == b"\xef\xbb\xbfa: 1\r\nb: 3\r\n"


def test_preserve_format_off_writes_plain_utf8(tmp_path):
    target = tmp_path / "m.srt"
    target.write_bytes(b"\xef\xbb\xbfold\r\n")
    write_text(target, "new\n", preserve_format=False)
    assert target.read_bytes() == b"new\n"


class _Boom(Exception):
    pass


class _Exploding(str):
    """A str whose encoding fails part-way, like a disk filling up while writing."""

    def encode(self, *args, **kwargs):  # type: ignore[override]
        raise _Boom


def test_a_failure_leaves_the_old_file_and_no_stray_temp(tmp_path):
    target = tmp_path / "keep.txt"
    target.write_text("old\n")
    with pytest.raises(_Boom):
        write_text(target, _Exploding("new\n"), preserve_format=False)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]

    with pytest.raises(_Boom), staged_path(target) as staged:
        staged.write_text("half")
        raise _Boom
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_staging_is_next_to_the_target_even_with_tmpdir_elsewhere(tmp_path, monkeypatch):
    elsewhere = tmp_path / "tmp"
    elsewhere.mkdir()
    monkeypatch.setenv("TMPDIR", str(elsewhere))
    target = tmp_path / "out" / "film.mp4"
    with staged_path(target) as staged:
        assert staged.parent == target.parent
        assert staged.suffix == ".mp4"  # ffmpeg picks the format from the name
        staged.write_bytes(b"film")
    assert target.read_bytes() == b"film"
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in target.parent.iterdir()) == ["film.mp4"]


def test_cross_device_tmpdir_does_not_break_writes(tmp_path, monkeypatch):
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK):
        pytest.skip("/dev/shm is not available to put TMPDIR on another file system")
    if shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("/dev/shm is on the same device as the test folder; no cross-device case")
    monkeypatch.setenv("TMPDIR", str(shm))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    target = tmp_path / "cache" / "seg.mkv"
    with staged_path(target) as staged:
        staged.write_bytes(b"segment")
    write_text(tmp_path / "cache" / "index.json", "{}")
    assert target.read_bytes() == b"segment"
    assert (tmp_path / "cache" / "index.json").read_text() == "{}"


def test_sharded_path_is_the_one_layout(tmp_path):
    key = "ab" + "0" * 62
    assert sharded_path(tmp_path, key, ".json") == tmp_path / "ab" / f"{key}.json"
    with pytest.raises(ValueError):
        sharded_path(tmp_path, "../x")


def test_cache_root_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(tmp_path))
    assert cache_root() == tmp_path


def test_withdraw_keeps_the_manifests_mode_bom_and_crlf(tmp_path):
    from triggerfilm.consent.withdraw import withdraw

    from .consent_project import make_project

    path = make_project(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    os.chmod(path, 0o640)
    withdraw(path, clip="icu15")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"withdrawn: true" in data
    assert data.count(b"\r\n") == data.count(b"\n")  # every line still ends in CRLF
    assert _mode(path) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p.mkdir(), "is a directory, not a media file"),
        (lambda p: os.mkfifo(p), "is a named pipe (FIFO), not a media file"),
        (lambda p: p.write_bytes(b""), "is empty (0 bytes), not a media file"),
        (lambda p: p.symlink_to(p.with_name("gone")), "is a broken symbolic link"),
        (lambda p: p.symlink_to(p), "is a symbolic link loop"),
        (lambda p: None, "does not exist"),
    ],
)
def test_what_a_path_is_in_words(tmp_path, make, words):
    from triggerfilm.store import regular_file_problem

    path = tmp_path / "clip.mp4"
    make(path)
    assert regular_file_problem(path, "a media file").startswith(words)


def test_a_readable_file_has_no_problem_and_odd_paths_are_named(tmp_path):
    from triggerfilm.store import regular_file_problem

    assert regular_file_problem(tmp_path / "x\0y", "a media file").startswith("is not a usable")
    (tmp_path / "fine.mp4").write_bytes(b"x")
    assert regular_file_problem(tmp_path / "fine.mp4", "a media file") is None
    assert regular_file_problem(tmp_path / "fine.mp4" / "below", "a media file") == (
        "does not exist (a folder on its path is a file)"
    )

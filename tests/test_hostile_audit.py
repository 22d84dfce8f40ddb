"""Hostile inputs found by an adversarial audit after the fixes of the first hostile-input round:
variations of the same families (manifests, catalogues, media, cut sheets, environment) that
those fixes missed.

Each case goes through the real command line in a subprocess: exit code 2, one message naming
the file and line or field, no traceback, nothing written. The files live in
tests/data/hostile/ (``au_*``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import HOSTILE, run_cli


def assert_refused(result, *words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    # One line: a control character in a name is escaped, never printed raw.
    assert errors[0].isprintable(), errors[0]
    for word in words:
        assert word in errors[0], (word, result.stderr)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# --- manifests ---------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "words"),
    [
        # A NUL in the text is a yaml ReaderError, not a MarkedYAMLError: it was a traceback.
        ("au_nul_in_text.yaml", [":1:", "control character U+0000"]),
        # Tags on keys were ignored (only values were checked).
        ("au_tag_on_key.yaml", [":2:", "the tag !!binary is not allowed"]),
        ("au_tag_on_nested_key.yaml", [":8:", "the tag !!python/name:os.system is not allowed"]),
        # A NUL in a path made os.stat raise ValueError: a traceback.
        ("au_media_nul.yaml", [":3:", "clips[0].media", "control character U+0000"]),
        ("au_archive_nul.yaml", [":3:", "archives.sample", "clips\\x00", "NUL character"]),
        # A newline in a path split the message over two lines.
        ("au_media_newline.yaml", [":3:", "clips[0].media", "clip\\nname.mp4", "does not exist"]),
        # An unknown caption profile was found only by the render, after transcribing every
        # clip, in a message naming no file or line.
        ("au_caption_profile_unknown.yaml", [":3:", "output.caption_profile", "'netflix'"]),
        # 1.0e+308 (a float, unlike 1e308 which YAML 1.1 reads as text) overflowed into frames.
        ("au_card_seconds_huge.yaml", [":3:", "output.card_seconds", "from 0 to 600"]),
        # urllib's ValueError for a malformed host or port was a traceback.
        ("au_archive_bad_ipv6.yaml", [":5:", "archives.sample", "not a valid address"]),
        ("au_archive_bad_port.yaml", [":5:", "archives.sample", "not a valid address"]),
        # Was looked up as the host name "archivist:hunter2secret@127.0.0.1", 4 times, and the
        # message printed the password.
        ("au_archive_credentials.yaml", [":5:", "archives.sample", "user name or password"]),
        # A terminal escape sequence in a title reached the terminal through `plan`.
        ("au_title_escape.yaml", [":1:", "title", "control character U+001B"]),
        # A merge key read as "the tag !!merge is not allowed ... Remove the tag" (or as an
        # unknown key '<<'): the user wrote no tag.
        ("au_merge_key_first.yaml", [":3:", "output.<<", "merge keys (<<) are not supported"]),
    ],
)
def test_hostile_manifest_is_refused_at_its_line(tmp_path: Path, name: str, words) -> None:
    manifest = tmp_path / name
    shutil.copyfile(HOSTILE / name, manifest)
    before = snapshot(tmp_path)
    result = run_cli("plan", manifest, cwd=tmp_path)
    assert_refused(result, str(manifest), *words)
    assert "hunter2secret" not in result.stderr + result.stdout
    assert snapshot(tmp_path) == before


# --- catalogues -------------------------------------------------------------------------------

CATALOGUE_MANIFEST = """title: Film
archives:
  sample: archive
clips:
  - {id: a, archive: sample, clip: C1}
touchpoints:
  - title: T
    selections:
      - {clip: a, from: 0, to: 1}
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "words"),
    [
        # json.loads: RecursionError, and Python's 4300-digit ValueError, were tracebacks.
        ("au_cat_deep.json", ["nested too deeply"]),
        ("au_cat_bigint.json", ["too large"]),
        # 1e999 was read as infinity without complaint (NaN and Infinity were refused).
        ("au_cat_infinity.json", ["1e999 is not a finite number"]),
        # A BOM was "Unexpected UTF-8 BOM (decode using utf-8-sig)"; now the catalogue is read.
        ("au_cat_bom.json", [":1:", "clips", "expected a list"]),
        ("au_cat_title_escape.yaml", [":9:", "clips[0].title", "control character U+001B"]),
        ("au_cat_media_credentials.yaml", [":10:", "clips[0].media", "user name or password"]),
    ],
)
def test_hostile_catalogue_is_refused(tmp_path: Path, name: str, words) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    catalogue = archive / ("catalogue" + Path(name).suffix)
    shutil.copyfile(HOSTILE / name, catalogue)
    manifest = tmp_path / "film.yaml"
    manifest.write_text(CATALOGUE_MANIFEST, encoding="utf-8")
    before = snapshot(tmp_path)
    result = run_cli("plan", manifest, cwd=tmp_path)
    assert_refused(result, str(catalogue), *words)
    assert "hunter2secret" not in result.stderr + result.stdout
    assert snapshot(tmp_path) == before


def test_manifest_knows_every_caption_profile() -> None:
    from triggerfilm.captions.profiles import PROFILES
    from triggerfilm.manifest.model import CAPTION_PROFILES

    assert set(CAPTION_PROFILES) == set(PROFILES)


# --- catalogues over loopback http ------------------------------------------------------------


# The loopback server is the shared http_server fixture (tests/conftest_archive.py).


@pytest.mark.slow
@pytest.mark.parametrize(
    ("redirect", "words"),
    [
        # urllib raised ValueError on the Location before any redirect handler: a traceback.
        ("http://[::1/catalogue.yaml", ["cannot be followed", "Invalid IPv6 URL"]),
        # urllib's message ran over three lines ("The last 30x error message was: ...").
        ("/a/catalogue.yaml", ["redirect in a loop"]),
    ],
)
def test_hostile_redirect_is_refused(http_server, tmp_path: Path, redirect: str, words) -> None:
    http_server.add("/a/catalogue.yaml", b"", redirect=redirect)
    manifest = tmp_path / "film.yaml"
    entry = f"{{location: '{http_server.url('/a/')}', insecure: true}}"
    manifest.write_text(CATALOGUE_MANIFEST.replace("sample: archive", f"sample: {entry}"))
    result = run_cli("consent", manifest, cwd=tmp_path, env={"TRIGGERFILM_CACHE": str(tmp_path)})
    assert_refused(result, http_server.url("/a/catalogue.yaml"), *words)
    assert not list(tmp_path.rglob("*.yaml*"))[1:]  # only the manifest: nothing downloaded


# --- cut sheets -------------------------------------------------------------------------------


@pytest.mark.slow
def test_cut_sheet_text_quoted_in_a_message_cannot_drive_the_terminal(tmp_path: Path) -> None:
    from .conftest import demo_copy

    demo = demo_copy(tmp_path)
    before = snapshot(tmp_path)
    sheet = HOSTILE / "au_cutsheet_escape_tag.md"
    result = run_cli("cutsheet", demo, "--apply", sheet, cwd=tmp_path)
    # The tag was echoed with its escape sequences, which the terminal then obeyed.
    assert_refused(result, f"{sheet}:11:", "#tp:coming\\x1b]0;owned\\x07\\x1b[2J-into")
    # On a cold cache the clips are transcribed first, and tqdm moves the cursor up between its
    # two progress bars (ESC [ A); that is the tool's own output. Nothing else may be an escape.
    assert "\x1b" not in result.stderr.replace("\x1b[A", "")
    assert snapshot(tmp_path) == before


# --- environment ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("below", [False, True])
def test_cache_that_is_a_file_is_refused(tmp_path: Path, below: bool) -> None:
    from .conftest import demo_copy

    demo = demo_copy(tmp_path)
    taken = tmp_path / "not-a-folder"
    taken.write_text("a file where the cache should be\n")
    cache = taken / "sub" if below else taken
    before = snapshot(tmp_path)
    result = run_cli("plan", demo, cwd=tmp_path, env={"TRIGGERFILM_CACHE": str(cache)})
    # Was a NotADirectoryError traceback naming a transcript cache file.
    assert_refused(result, str(cache), "TRIGGERFILM_CACHE", "is a file, not a folder")
    assert snapshot(tmp_path) == before


# --- media ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_wav_whose_header_claims_one_sample_a_second(tmp_path: Path) -> None:
    # 8 KB of samples at a claimed 1 Hz decode to hours of audio: `transcript` ran for as long
    # as Whisper took on them (past any patience). Now the probe refuses the header.
    clip = tmp_path / "interview.wav"
    shutil.copyfile(HOSTILE / "au_wav_1hz_header.wav", clip)
    before = snapshot(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "triggerfilm", "transcript", str(clip)],
        cwd=tmp_path,
        env={**os.environ, "TRIGGERFILM_CACHE": str(tmp_path / "cache")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert_refused(result, str(clip), "sampled 1 times a second")
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "cache").exists()


# --- output paths -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["socket", "below-a-file"])
def test_output_that_is_not_a_writable_file(tmp_path: Path, kind: str) -> None:
    import socket
    import stat

    from .conftest import demo_copy

    demo = demo_copy(tmp_path)
    if kind == "socket":
        # The rename replaced whatever had the name: `-o /dev/full` as root swapped the device
        # node for a regular file. A socket stands in for the device here.
        target = tmp_path / "sheet.md"
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
        words = ["is a socket, not a file triggerfilm can replace"]
    else:
        (tmp_path / "taken").write_text("a file\n")
        target = tmp_path / "taken" / "sheet.md"  # was a NotADirectoryError traceback
        words = ["a folder on its path is a file"]
    before = {p.name for p in tmp_path.iterdir()}
    result = run_cli("cutsheet", demo, "-o", target, cwd=tmp_path)
    assert_refused(result, str(target), *words)
    assert {p.name for p in tmp_path.iterdir()} == before
    if kind == "socket":
        assert stat.S_ISSOCK(os.stat(target).st_mode)
        server.close()


@pytest.mark.slow
def test_absurd_thread_count_is_refused_before_the_engine(tmp_path: Path) -> None:
    from .conftest import CLIPS

    result = run_cli("transcript", CLIPS / "ICU15-01.m4a", "--threads", "100000", cwd=tmp_path)
    # Was a segmentation fault (exit -11) inside CTranslate2, with no message at all.
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert "--threads" in result.stderr and "100000" in result.stderr


@pytest.mark.slow
def test_utf32_cut_sheet_is_not_read_as_utf16(tmp_path: Path) -> None:
    from .conftest import demo_copy

    demo = demo_copy(tmp_path)
    before = snapshot(tmp_path)
    sheet = HOSTILE / "au_cutsheet_utf32.md"
    result = run_cli("cutsheet", demo, "--apply", sheet, cwd=tmp_path)
    # Its BOM begins like UTF-16's, so it was decoded as UTF-16 and reported as a sheet with
    # "no sentence lines" -- nothing was selected -- which blamed the user's ticks.
    assert_refused(result, str(sheet), "not a text cut sheet")
    assert "nothing was selected" not in result.stderr
    assert snapshot(tmp_path) == before

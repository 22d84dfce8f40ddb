"""Hostile inputs on the input side: cut sheets, shared YAML anchors, transcript cache entries,
media paths that are not media files, a full disk.

Each case goes through the real command line in a subprocess: exit code 2, one message that
names the file (and line) at fault, no traceback, nothing written. The files live in
tests/data/hostile/ (``in_*``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CLIPS, HOSTILE, demo_copy, run_cli


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_refused(result, *words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    # One message (progress bars may come before it).
    assert [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")], result.stderr
    assert result.stderr.count("error: ") == 1, result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


# --- cut sheets -------------------------------------------------------------------------------


def line_of(path: Path, snippet: str) -> int:
    text = path.read_text(encoding="utf-8")
    return next(i for i, line in enumerate(text.splitlines(), 1) if snippet in line)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return demo_copy(tmp_path)


@pytest.mark.slow
def test_binary_cut_sheet_is_not_a_text_cut_sheet(demo: Path) -> None:
    before = digest(demo)
    sheet = HOSTILE / "in_binary_cutsheet.md"
    result = run_cli("cutsheet", demo, "--apply", sheet, cwd=demo.parent)
    assert_refused(result, str(sheet), "not a text cut sheet")
    assert digest(demo) == before


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "snippet", "words"),
    [
        ("in_cutsheet_seconds_over_59.md", "0:75.00", "0:75.00"),
        ("in_cutsheet_end_before_start.md", "0:09.00", "is not after its start"),
        ("in_cutsheet_garbled_time.md", "0:04.5O", "cannot read this sentence line's times"),
        ("in_cutsheet_huge_time.md", "999999", "not a time in a recording"),
        ("in_cutsheet_past_clip_end.md", "9:00.00", "after the end of clip 'icu07'"),
        ("in_cutsheet_unknown_clip.md", "0:01.00", "clip 'icu99' is not in the manifest"),
    ],
)
def test_bad_time_is_reported_at_the_cut_sheet_line(demo: Path, name, snippet, words) -> None:
    before = digest(demo)
    sheet = HOSTILE / name
    result = run_cli("cutsheet", demo, "--apply", sheet, cwd=demo.parent)
    # The sheet's own file and line, never a line of the manifest.
    assert_refused(result, f"{sheet}:{line_of(sheet, snippet)}:", words)
    assert str(demo) not in result.stderr
    assert digest(demo) == before
    assert not list(demo.parent.glob(".demo.yaml*"))  # no staged copy left behind


@pytest.mark.slow
@pytest.mark.parametrize("name", ["in_cutsheet_empty.md", "in_cutsheet_nothing_ticked.md"])
def test_sheet_selecting_nothing_changes_nothing(demo: Path, name: str) -> None:
    before = digest(demo)
    result = run_cli("cutsheet", demo, "--apply", HOSTILE / name, cwd=demo.parent)
    assert_refused(result, "nothing was selected", "left unchanged")
    assert "Updated" not in result.stdout
    assert digest(demo) == before


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["directory", "fifo", "dev-zero"])
def test_cut_sheet_that_is_not_a_file(demo: Path, tmp_path: Path, kind: str) -> None:
    if kind == "directory":
        target, words = tmp_path / "sheet.md", "is a directory"
        target.mkdir()
    elif kind == "fifo":
        target, words = tmp_path / "sheet.md", "is a named pipe (FIFO)"
        os.mkfifo(target)
    else:
        target, words = Path("/dev/zero"), "is a character device"
    before = digest(demo)
    result = run_cli("cutsheet", demo, "--apply", target, cwd=demo.parent)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    # click itself refuses a directory for a file option; the rest is ours.
    assert words in result.stderr or "is a directory" in result.stderr, result.stderr
    assert digest(demo) == before


# --- edits through shared YAML anchors --------------------------------------------------------


def shared_consent(folder: Path) -> Path:
    text = (HOSTILE / "in_withdraw_shared_consent.yaml").read_text(encoding="utf-8")
    path = folder / "shared.yaml"
    path.write_text(text.replace("{clips}", str(CLIPS)), encoding="utf-8")
    return path


def consent_of(path: Path) -> dict[str, tuple]:
    from triggerfilm.manifest.load import load_manifest

    return {
        c.id: (c.consent.basis, c.consent.uses, c.consent.withdrawn, c.consent.approved_clips)
        for c in load_manifest(path).clips
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("clip", "others"), [("carol", ("dave", "erin")), ("dave", ("carol", "erin"))]
)
def test_withdraw_one_clip_of_a_shared_consent_leaves_the_others(
    tmp_path: Path, clip: str, others: tuple[str, ...]
) -> None:
    path = shared_consent(tmp_path)
    before = consent_of(path)
    result = run_cli("withdraw", path, "--clip", clip, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    after = consent_of(path)
    assert after[clip][2] is True
    assert after[clip][:2] == before[clip][:2]  # same form, same uses: only withdrawn
    for other in others:
        assert after[other] == before[other], other
    # The user is told whose consent was shared, and that it is unchanged.
    assert "shared through a YAML anchor" in result.stdout
    assert "'dave'" in result.stdout if clip == "carol" else "'carol'" in result.stdout
    text = path.read_text(encoding="utf-8")
    assert "# A couple filmed together" in text and "# dave stays in the film" in text


def test_manifest_editor_unshares_selections_before_editing(tmp_path: Path) -> None:
    from triggerfilm.manifest.load import load_manifest
    from triggerfilm.manifest.rewrite import KeptSelection, ManifestEditor, NewSelection

    path = tmp_path / "shared.yaml"
    path.write_text(
        f"""title: Shared selections
clips:
  - {{id: a, media: {CLIPS}/ICU03-01.mp4, narrator: A01}}
  - {{id: b, media: {CLIPS}/ICU07-01.mp4, narrator: B01}}
touchpoints:
  - title: Opening
    selections: &same   # the same passages open and close the film
      - &first {{clip: a, from: 1, to: 4}}
  - title: Closing
    selections: *same
  - title: Middle
    selections:
      - *first
      - {{clip: b, from: 2, to: 5}}
""",
        encoding="utf-8",
    )
    editor = ManifestEditor(path)
    editor.append_selection(1, NewSelection("b", 6, 9))  # Closing only
    editor.set_selections(2, [KeptSelection(0, 1.5, 4.5), KeptSelection(1)])  # Middle only
    editor.save()
    manifest = load_manifest(path)
    spans = [
        [(s.clip, s.start.seconds, s.end.seconds) for s in t.selections]
        for t in manifest.touchpoints
    ]
    assert spans == [
        [("a", 1, 4)],
        [("a", 1, 4), ("b", 6, 9)],
        [("a", 1.5, 4.5), ("b", 2, 5)],
    ]
    assert any("touchpoint 'Opening'" in note for note in editor.notes)


@pytest.mark.slow
def test_search_add_into_a_shared_selections_list(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(
        f"""title: Small film  # a comment to keep
archives:
  sample: {CLIPS}
clips:
  - {{id: icu03, archive: sample, clip: ICU03-01}}
  - {{id: icu21, archive: sample, clip: ICU21-01}}
touchpoints:
  - title: Coming in
    selections: &both   # the same passage opens and closes the film
      - {{clip: icu03, from: 34.9, to: 40.5, valence: positive}}
  - title: Going home
    selections: *both
""",
        encoding="utf-8",
    )
    result = run_cli(
        "search", "support group", "--manifest", path, "--add", "Going home", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    from triggerfilm.manifest.load import load_manifest

    coming_in, going_home = load_manifest(path).touchpoints
    assert [s.clip for s in coming_in.selections] == ["icu03"]
    assert [s.clip for s in going_home.selections] == ["icu03", "icu21"]
    assert "touchpoint 'Coming in'" in result.stdout
    assert "# a comment to keep" in path.read_text(encoding="utf-8")


# --- media paths that are not media files -----------------------------------------------------


def one_clip_manifest(folder: Path, media: Path | str) -> Path:
    path = folder / "film.yaml"
    path.write_text(
        f"""title: Hostile media
clips:
  - id: x
    media: "{media}"
    narrator: X01
touchpoints:
  - title: Arrival
    selections:
      - {{clip: x, from: 0, to: 1}}
""",
        encoding="utf-8",
    )
    return path


def make_media(kind: str, folder: Path) -> Path:
    """A path that is not a playable media file, of the given kind."""
    if kind == "directory":
        path = folder / "clip.mp4"
        path.mkdir()
    elif kind == "fifo":
        path = folder / "clip.mp4"
        os.mkfifo(path)
    elif kind == "dev-zero":
        path = Path("/dev/zero")
    elif kind == "link-loop":
        path = folder / "clip.mp4"
        os.symlink(folder / "other.mp4", path)
        os.symlink(path, folder / "other.mp4")
    elif kind == "broken-link":
        path = folder / "clip.mp4"
        os.symlink(folder / "gone.mp4", path)
    elif kind == "missing":
        path = folder / "clip.mp4"
    else:
        path = HOSTILE / kind
    return path


MEDIA_CASES = [
    ("directory", "is a directory, not a media file"),
    ("fifo", "is a named pipe (FIFO), not a media file"),
    ("dev-zero", "is a character device, not a media file"),
    ("link-loop", "is a symbolic link loop"),
    ("broken-link", "is a broken symbolic link"),
    ("missing", "does not exist"),
]
# Regular files that are not media: the probe names the file and says what is wrong.
PROBE_CASES = [
    ("in_empty_clip.mp4", "is empty (0 bytes), not a media file"),
    ("in_corrupt_clip.mp4", "cannot be read as audio or video"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "words"), MEDIA_CASES)
def test_manifest_media_that_is_not_a_media_file(tmp_path: Path, kind: str, words: str) -> None:
    media = make_media(kind, tmp_path)
    manifest = one_clip_manifest(tmp_path, media)
    cache = tmp_path / "cache"
    result = run_cli("transcribe", manifest, cwd=tmp_path, env={"TRIGGERFILM_CACHE": str(cache)})
    # The manifest's line and field, the path as written, and what it is.
    assert_refused(result, f"{manifest}:4: clips[0].media:", words)
    if kind != "missing":
        assert "does not exist" not in result.stderr
    assert not cache.exists()


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "words"), MEDIA_CASES + PROBE_CASES)
def test_transcript_of_a_path_that_is_not_media(tmp_path: Path, kind: str, words: str) -> None:
    media = make_media(kind, tmp_path)
    cache = tmp_path / "cache"
    result = run_cli("transcript", media, cwd=tmp_path, env={"TRIGGERFILM_CACHE": str(cache)})
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    if kind == "directory":  # click refuses a folder for a file argument before we see it
        assert "is a directory" in result.stderr
    else:
        assert_refused(result, str(media), words)
    assert not cache.exists()


@pytest.mark.slow
@pytest.mark.parametrize(("name", "words"), PROBE_CASES)
def test_corrupt_or_empty_clip_in_a_manifest_is_a_probe_error_naming_it(
    tmp_path: Path, name: str, words: str
) -> None:
    media = HOSTILE / name
    manifest = one_clip_manifest(tmp_path, media)
    cache = tmp_path / "cache"
    result = run_cli("transcribe", manifest, cwd=tmp_path, env={"TRIGGERFILM_CACHE": str(cache)})
    assert_refused(result, f"{media}: {words}")
    assert not cache.exists()


# --- damaged transcript cache entries ---------------------------------------------------------

GOOD_SHAPE = (
    '{"schema": 1, "segments": %s, "language": "en", "duration": %s, "engine": "x", "model": "y"}'
)
DAMAGE = {
    "empty-list": b"[]",
    "truncated": b'{"schema": 1, "segments": [{"start": 0.0, "end": 1.',
    "segments-not-a-list": (GOOD_SHAPE % ('{"start": 0}', "2.9")).encode(),
    "nan-duration": (GOOD_SHAPE % ("[]", "NaN")).encode(),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_transcript_cache_entry_is_discarded_and_redone(
    tmp_path: Path, shared_data: Path, monkeypatch, damage: str
) -> None:
    from triggerfilm.transcripts.checked import checked_cache_path
    from triggerfilm.transcripts.options import TranscribeOptions
    from triggerfilm.transcripts.store import cache_path

    media = shared_data / "speech_audio" / "deepspeech__LDC93S1_timit.wav"  # 3 s of speech
    cache = tmp_path / "cache"
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(cache))
    # Where the command will look, found exactly as it finds it; both layers damaged.
    whisper = cache_path(media, TranscribeOptions())
    checked = checked_cache_path(media, TranscribeOptions(), None)
    for entry in (whisper, checked):
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_bytes(DAMAGE[damage])
    result = run_cli("transcript", media, "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"warning: cache: {whisper}: the cached transcript is damaged" in result.stderr
    assert "discarded" in result.stderr
    words = [w for s in json.loads(result.stdout)["segments"] for w in s["words"]]
    assert words  # transcribed again, not served from the damaged entry
    for entry in (whisper, checked):
        assert json.loads(entry.read_text(encoding="utf-8"))["schema"] == 1  # rebuilt


@pytest.mark.slow
def test_transcribing_a_manifest_reports_the_damaged_entry_it_redid(
    tmp_path: Path, shared_data: Path, monkeypatch
) -> None:
    from triggerfilm.transcripts.options import TranscribeOptions
    from triggerfilm.transcripts.store import cache_path

    media = shared_data / "speech_audio" / "deepspeech__LDC93S1_timit.wav"  # 3 s of speech
    cache = tmp_path / "cache"
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(cache))
    whisper = cache_path(media, TranscribeOptions())
    whisper.parent.mkdir(parents=True, exist_ok=True)
    whisper.write_bytes(DAMAGE["truncated"])
    manifest = one_clip_manifest(tmp_path, media)
    result = run_cli("transcribe", manifest, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # Found while deciding what to transcribe, then made again: the user still hears of it.
    assert f"warning: cache: {whisper}: the cached transcript is damaged" in result.stderr
    assert json.loads(whisper.read_text(encoding="utf-8"))["schema"] == 1


# --- a full disk ------------------------------------------------------------------------------


def _can_mount_tmpfs() -> str | None:
    """None when this machine lets a test mount a tmpfs in its own namespaces, else why not."""
    if shutil.which("unshare") is None:
        return "no `unshare` command"
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
         "mount -t tmpfs -o size=16k tmpfs /mnt && umount /mnt"],
        capture_output=True,
        text=True,
    )  # fmt: skip
    return None if probe.returncode == 0 else f"cannot mount a tmpfs: {probe.stderr.strip()}"


def on_a_full_disk(folder: Path, *argv: str | Path) -> list[str]:
    """``argv`` run with ``folder`` on a tiny tmpfs that is already full (a real ENOSPC), in
    private user and mount namespaces, so nothing outside the test sees it. What the folder
    held afterwards (its files) is listed in ``FOLDER.listing`` (the tmpfs goes with the namespace)."""
    script = (
        'dir="$1"; shift; mount -t tmpfs -o size=64k tmpfs "$dir" || exit 99; '
        'head -c 1048576 /dev/zero > "$dir/.filler" 2>/dev/null; '
        '"$@"; rc=$?; find "$dir" -type f -printf "%P\\n" > "$dir.listing"; exit $rc'
    )
    return [
        "unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, "sh",
        str(folder), sys.executable, "-m", "triggerfilm", *map(str, argv),
    ]  # fmt: skip


def left_in(folder: Path) -> list[str]:
    """What ``on_a_full_disk`` found in ``folder`` once the command had finished."""
    listing = folder.parent / f"{folder.name}.listing"
    return sorted(listing.read_text().split())


@pytest.fixture
def tmpfs_ok() -> None:
    why = _can_mount_tmpfs()
    if why:
        pytest.skip(f"a full-disk test needs a private tmpfs ({why})")


@pytest.mark.slow
def test_full_disk_while_caching_a_transcript(tmp_path: Path, shared_data: Path, tmpfs_ok) -> None:
    media = shared_data / "speech_audio" / "deepspeech__LDC93S1_timit.wav"
    cache = tmp_path / "cache"
    (cache / "transcripts").mkdir(parents=True)
    result = subprocess.run(
        on_a_full_disk(cache / "transcripts", "transcript", media),
        cwd=tmp_path,
        env={**os.environ, "TRIGGERFILM_CACHE": str(cache)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert_refused(
        result,
        f"{cache / 'transcripts'}",
        "the disk is full",
        "no space left on the disk",
        "Free some space",
    )
    assert left_in(cache / "transcripts") == [".filler"]  # nothing half-written, no stray part


@pytest.mark.slow
def test_full_disk_while_writing_the_pack(demo: Path, tmpfs_ok) -> None:
    out = demo.parent / "pack-out"
    out.mkdir()
    result = subprocess.run(
        on_a_full_disk(out, "pack", demo, "-o", out),
        cwd=demo.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert_refused(result, f"{out / 'pack.html'}: the disk is full", "Free some space")
    assert left_in(out) == [".filler"]  # no pack.html, no staged copy left behind


@pytest.mark.slow
def test_withdraw_on_a_crlf_bom_manifest_with_shared_anchors(tmp_path: Path) -> None:
    """Mode, byte-order mark, CRLF line endings and every comment survive; only carol changes."""
    path = shared_consent(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    os.chmod(path, 0o644)
    before = consent_of(path)
    result = run_cli("withdraw", path, "--clip", "carol", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "shared through a YAML anchor with clip 'dave' consent" in result.stdout
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2)
    assert data.count(b"\r\n") == data.count(b"\n")  # every line still ends in CRLF
    assert os.stat(path).st_mode & 0o777 == 0o644
    after_text = data.decode("utf-8-sig").replace("\r\n", "\n")
    comments = [line[line.index("#") :] for line in text.splitlines() if "#" in line]
    for comment in comments:
        assert comment in after_text, comment
    after = consent_of(path)
    assert after["carol"][2] is True
    assert after["dave"] == before["dave"] and after["erin"] == before["erin"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.yaml"]  # no staged copy


@pytest.mark.parametrize("kind", ["directory", "binary", "utf16-json"])
def test_read_cached_discards_what_is_not_a_transcript(tmp_path: Path, kind: str) -> None:
    from triggerfilm.transcripts.store import read_cached

    entry = tmp_path / "ab" / "entry.json"
    entry.parent.mkdir()
    if kind == "directory":
        entry.mkdir()
        (entry / "inside").write_text("x")
    elif kind == "binary":
        entry.write_bytes(bytes(range(256)) * 4)
    else:
        entry.write_bytes('{"schema": 1}'.encode("utf-16"))
    notices: list = []
    assert read_cached(entry, "doing it again", notices) is None
    (notice,) = notices
    assert notice.topic == "cache" and notice.where == str(entry)
    assert re.search("damaged.*discarded, doing it again", notice.message)
    assert not entry.exists()  # out of the way of the entry made again


def test_damaged_loudness_cache_entry_is_measured_again(tmp_path: Path, monkeypatch) -> None:
    from tests.tiny_project import clip_file
    from triggerfilm.media.loudness import clip_loudness
    from triggerfilm.sources.local import file_sha256

    monkeypatch.setenv("TRIGGERFILM_CACHE", str(tmp_path))
    clip = clip_file("home")  # a tone of 2.4 s: measured three times, so short is better
    entry = tmp_path / "loudness" / f"{file_sha256(clip)}.json"
    entry.parent.mkdir()
    for damage in ("[]", '{"integrated": NaN, "true_peak": -1, "lra": 3}', '{"integrated": "x"}'):
        entry.write_text(damage)
        level = clip_loudness(clip)
        assert -70 < level.integrated < 0 and level.true_peak < 0  # measured, not the entry
        assert "NaN" not in entry.read_text() and entry.read_text() != damage


def test_utf16_cut_sheet_is_read_as_text(tmp_path: Path) -> None:
    from triggerfilm.editplan.cutsheet import parse_cutsheet, read_cutsheet

    original = HOSTILE / "in_cutsheet_seconds_over_59.md"
    text = original.read_text(encoding="utf-8").replace("0:75.00", "0:07.50")
    sheet = tmp_path / "sheet.md"
    sheet.write_bytes(text.encode("utf-16"))
    lines = parse_cutsheet(read_cutsheet(sheet), sheet)
    assert [(ln.clip, ln.start, ln.end, ln.ticked) for ln in lines] == [
        ("icu07", 1.0, 4.5, True),
        ("icu07", 4.5, 7.5, True),
    ]


@pytest.mark.slow
def test_init_lists_only_real_media_files(tmp_path: Path) -> None:
    from triggerfilm.manifest.load import load_manifest

    folder = tmp_path / "interviews"
    folder.mkdir()
    shutil.copy(CLIPS / "ICU15-01.m4a", folder / "real.m4a")
    os.mkfifo(folder / "pipe.mp4")
    (folder / "empty.mp4").write_bytes(b"")
    os.symlink(folder / "loop-b.mp4", folder / "loop-a.mp4")
    os.symlink(folder / "loop-a.mp4", folder / "loop-b.mp4")
    result = run_cli("init", folder, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = load_manifest(folder / "film.yaml")  # it loads: nothing unreadable listed
    assert [c.media.name for c in manifest.clips] == ["real.m4a"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("location", "words"),
    [
        ("/dev/zero", "/dev/zero is a character device, not a folder"),
        (str(CLIPS / "ICU15-01.m4a"), "is a file, not a folder"),
        ("no-such-archive", "does not exist"),
    ],
)
def test_archive_folder_that_is_not_a_folder(tmp_path: Path, location: str, words: str) -> None:
    manifest = tmp_path / "film.yaml"
    manifest.write_text(
        f"""title: T
archives:
  sample: {location}
clips:
  - {{id: x, archive: sample, clip: ICU15-01}}
touchpoints:
  - title: A
    selections:
      - {{clip: x, from: 0, to: 1}}
""",
        encoding="utf-8",
    )
    result = run_cli("consent", manifest, cwd=tmp_path)
    assert_refused(result, f"{manifest}:3: archives.sample:", words)


@pytest.mark.slow
def test_withdraw_in_a_read_only_folder(tmp_path: Path, tmpfs_ok) -> None:
    """A manifest on a read-only file system: exit 2 and a message, the file untouched."""
    project = tmp_path / "project"
    project.mkdir()
    path = shared_consent(project)
    before = path.read_bytes()
    script = (
        'dir="$1"; shift; mount --bind "$dir" "$dir" && mount -o remount,bind,ro "$dir" || '
        'exit 99; exec "$@"'
    )
    result = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, "sh",
         str(project), sys.executable, "-m", "triggerfilm", "withdraw", str(path), "--clip",
         "carol"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert_refused(result, f"{path}: cannot be rewritten", "left unchanged")
    assert path.read_bytes() == before


def test_an_edited_cache_entry_fails_its_checksum(tmp_path: Path) -> None:
    import json

    from triggerfilm.transcripts.model import Segment, Transcript, Word
    from triggerfilm.transcripts.store import read_cached, write_cached

    words = (Word(0.0, 0.4, " Every", 0.9), Word(0.4, 0.8, " night", 0.8))
    made = Transcript((Segment(0.0, 0.8, " Every night", words),), "en", 3.0, "fw", "tiny.en")
    entry = tmp_path / "entry.json"
    write_cached(entry, made)
    assert read_cached(entry, "again") == made  # as written: trusted
    data = json.loads(entry.read_text())
    data["segments"][0]["words"][1]["text"] = " day"  # still valid JSON, still the right shape
    entry.write_text(json.dumps(data))
    notices: list = []
    assert read_cached(entry, "again", notices) is None
    assert "does not match the checksum" in notices[0].message
    assert not entry.exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("dev-zero", "is a character device, not a manifest"),
        ("fifo", "is a named pipe (FIFO), not a manifest"),
        ("link-loop", "is a symbolic link loop"),
    ],
)
def test_manifest_that_is_not_a_file(tmp_path: Path, kind: str, words: str) -> None:
    path = make_media(kind, tmp_path)  # the same hostile kinds, given as the manifest
    result = run_cli("consent", path, cwd=tmp_path)
    assert_refused(result, f"{path}: {words}")

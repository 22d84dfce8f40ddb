"""Hostile conditions for the render: temp folders, damaged caches, broken sources, locked,
read-only and full output folders, signals, and caption text that looks like markup.

Every render here is real (ffmpeg, Whisper on a generated tone clip) and tiny: a few seconds
at preview size.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import pytest
import yaml

from triggerfilm.app import RenderOptions, render_manifest
from triggerfilm.errors import ManifestError
from triggerfilm.manifest.load import load_manifest
from triggerfilm.media.ffmpeg import RenderError, run_ffmpeg
from triggerfilm.render.ass import compose_ass
from triggerfilm.render.film import mov_text_safe_srt
from triggerfilm.render.outputs import LOCK_NAME, locked_output_folder
from triggerfilm.render.workspace import RUN_PREFIX
from triggerfilm.reports.provenance import verify_folder

from . import media_factory as media

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = Path(__file__).parent / "data" / "hostile"
# Verbatim words that every caption format reads as markup of its own.
HOSTILE_WORDS = (HOSTILE / "markup_transcript.txt").read_text(encoding="utf-8").strip()
WORD_JOINER = "\u2060"


def _manifest(folder: Path, clip: Path, end: float, **clip_fields) -> Path:
    spec = {
        "title": "Hostile",
        "output": {"width": 320, "height": 180, "fps": 25, "card_seconds": 0},
        "clips": [
            {"id": "tone", "media": str(clip), "narrator": "N01", "consent": media.CONSENT}
            | clip_fields
        ],
        "touchpoints": [{"title": "All", "selections": [{"clip": "tone", "from": 0.0, "to": end}]}],
    }
    path = folder / "film.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tone(tmp_path_factory) -> Path:
    return media.tone_clip(tmp_path_factory.mktemp("media") / "tone.mp4", seconds=3)


def _cli(args: list[str], env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "triggerfilm", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        **kwargs,
    )


def _frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for p in container.demux(container.streams.video[0]) if p.size)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mov_text(path: Path) -> list[tuple[str, bytes]]:
    """The text and style boxes of each sample of the film's mov_text track."""
    samples = []
    with av.open(str(path)) as container:
        for packet in container.demux(container.streams.subtitles[0]):
            data = bytes(packet)
            if len(data) < 2:
                continue
            length = int.from_bytes(data[:2], "big")
            if length:
                samples.append((data[2 : 2 + length].decode("utf-8"), data[2 + length :]))
    return samples


# --- limits (no render) -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("huge_width", "output.width"),
        ("over_8k_height", "output.height"),
        ("tiny_width", "output.width"),
        ("huge_fps", "output.fps"),
        ("fast_fps", "output.fps"),
        ("zero_fps", "output.fps"),
    ],
)
def test_picture_size_and_frame_rate_are_bounded(tmp_path, name, field):
    manifest = HOSTILE / f"{name}.yaml"
    with pytest.raises(ManifestError) as caught:
        load_manifest(manifest)
    assert caught.value.field == field and caught.value.line == 3
    result = _cli(["render", str(manifest), "-o", str(tmp_path / "out")])
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert field in result.stderr and not (tmp_path / "out").exists()


def test_the_largest_allowed_picture_loads(tmp_path):
    (tmp_path / "a.mp4").write_bytes(b"")
    manifest = tmp_path / "film.yaml"
    manifest.write_text(
        "title: Big\noutput: {width: 7680, height: 4320, fps: 120}\n"
        "clips:\n  - {id: a, media: a.mp4, narrator: N01}\n"
        "touchpoints:\n  - {title: T, selections: [{clip: a, from: 0, to: 1}]}\n",
        encoding="utf-8",
    )
    output = load_manifest(manifest).output
    assert (output.width, output.height, output.fps) == (7680, 4320, 120)


# --- caption text as written ---------------------------------------------------------------


def test_burned_in_caption_text_is_escaped_for_libass():
    from triggerfilm.captions.model import Cue

    cue = Cue(start=0.0, end=2.0, lines=(HOSTILE_WORDS, "{x} \\n \\"), item=0)
    script = compose_ass([cue], 640, 360)
    event = next(line for line in script.splitlines() if line.startswith("Dialogue:"))
    text = event.split(",", 9)[9]
    # What libass shows: escaped braces as braces, the invisible word joiner as nothing.
    shown = [
        line.replace("\\{", "{").replace("\\}", "}").replace(WORD_JOINER, "")
        for line in text.split("\\N")
    ]
    assert shown == list(cue.lines)
    # Nothing libass reads as markup is left: every brace is escaped, and no backslash is
    # directly followed by N, n or h.
    bare = text.replace("\\N", "")
    assert "{" not in bare.replace("\\{", "") and "}" not in bare.replace("\\}", "")
    for escape in ("\\N", "\\n", "\\h"):
        assert escape not in bare


@pytest.mark.slow
def test_soft_track_keeps_markup_like_text_as_written(tmp_path):
    srt = f"1\n00:00:00,000 --> 00:00:01,500\n{HOSTILE_WORDS}\n<i>second line</i>\n"
    (tmp_path / "cues.srt").write_text(mov_text_safe_srt(srt), encoding="utf-8")
    run_ffmpeg(
        ["-f", "lavfi", "-i", "color=c=black:s=64x36:d=2", "-f", "srt", "-i", "cues.srt"]
        + ["-map", "0:v", "-map", "1:0", "-c:s", "mov_text", "out.mp4"],
        "making a test film",
        cwd=tmp_path,
    )
    ((text, styles),) = _mov_text(tmp_path / "out.mp4")
    assert text.replace(WORD_JOINER, "") == f"{HOSTILE_WORDS}\n<i>second line</i>"
    assert b"styl" not in styles  # nothing was turned into bold or italics


# --- cross-device temp, hostile $TMPDIR, caption markup: one real render -------------------


def _other_filesystem(than: Path) -> Path | None:
    for candidate in ("/dev/shm", "/run/user", tempfile.gettempdir(), "/tmp"):
        path = Path(candidate)
        with contextlib.suppress(OSError):
            writable = path.is_dir() and os.access(path, os.W_OK)
            if writable and path.stat().st_dev != than.stat().st_dev:
                return path
    return None


@pytest.mark.slow
def test_render_with_tmpdir_on_another_filesystem_and_hostile_name(tmp_path, tone):
    cache = tmp_path / "cache"
    cache.mkdir()
    other = _other_filesystem(cache)
    if other is None:
        pytest.skip("no writable file system other than the cache's (tried /dev/shm, /tmp)")
    hostile_tmp = Path(tempfile.mkdtemp(dir=other, prefix="tf 'q:c=e\\b,[x]%d "))
    try:
        manifest = _manifest(tmp_path, tone, 3.0, transcript=HOSTILE_WORDS)
        out = tmp_path / "out"
        result = _cli(
            ["render", str(manifest), "-o", str(out), "--preview", "--loudness", "off"],
            env={"TMPDIR": str(hostile_tmp), "TRIGGERFILM_CACHE": str(cache)},
        )
        assert result.returncode == 0, result.stderr
        assert "error" not in result.stderr.lower()
        assert not list(cache.rglob("*.part*")), "a partial segment was left in the cache"
        assert not [p for p in hostile_tmp.iterdir() if p.name.startswith("triggerfilm-")]
        timeline = json.loads((out / "preview.timeline.json").read_text(encoding="utf-8"))
        assert _frames(out / "preview.mp4") == sum(i["frames"] for i in timeline["items"])
        # The soft track shows the verbatim words, markup and all, with no styling.
        samples = _mov_text(out / "preview.mp4")
        shown = " ".join(t.replace(WORD_JOINER, "") for t, _ in samples)
        assert " ".join(shown.split()) == " ".join(HOSTILE_WORDS.split())
        assert not [s for _, s in samples if b"styl" in s]
    finally:
        import shutil

        shutil.rmtree(hostile_tmp, ignore_errors=True)


# --- damaged cache and truncated source ----------------------------------------------------


@pytest.mark.slow
def test_a_damaged_cached_segment_is_rebuilt_with_a_warning(tmp_path, tone, monkeypatch):
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(tmp_path / "cache"))
    manifest = _manifest(tmp_path, tone, 3.0)
    out = tmp_path / "out"
    options = RenderOptions(preset="ultrafast", loudness="off")
    first = render_manifest(manifest, out, options)
    expected = _frames(out / "film.mp4")
    assert expected == round(3.0 * 25) and first.reused == 0
    (segment,) = [p for p in (tmp_path / "cache").rglob("*.mkv")]
    data = segment.read_bytes()
    segment.write_bytes(data[: len(data) // 3])  # a truncated cache entry
    again = render_manifest(manifest, out, options)
    assert again.reused == 0
    assert any("damaged" in n.message for n in again.notices), again.notices
    assert _frames(out / "film.mp4") == expected
    assert segment.stat().st_size == len(data)
    assert verify_folder(out).ok
    # And an intact entry is trusted again, with no warning.
    third = render_manifest(manifest, out, options)
    assert third.reused == 1 and not any("damaged" in n.message for n in third.notices)


@pytest.mark.slow
def test_verify_notices_a_film_shorter_than_its_timeline(tmp_path, tone, monkeypatch):
    # What an earlier version made from a truncated cached segment: a short film whose record
    # hashes it as it is. Its hash matches; its length does not.
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "out"
    render_manifest(_manifest(tmp_path, tone, 3.0), out, RenderOptions(loudness="off"))
    film = out / "film.mp4"
    run_ffmpeg(["-i", str(film), "-frames:v", "30", "-c", "copy", str(tmp_path / "short.mp4")], "")
    os.replace(tmp_path / "short.mp4", film)
    record_path = out / "film.provenance.json"
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record["outputs"]["film.mp4"] = _sha(film)
    record_path.write_text(json.dumps(record), encoding="utf-8")
    report = verify_folder(out)
    assert not report.ok
    (drift,) = report.drift
    assert drift.kind == "picture" and "30 frames" in drift.describe()


@pytest.mark.slow
def test_a_truncated_source_fails_naming_clip_and_time_and_caches_nothing(tmp_path):
    whole = tmp_path / "whole.mp4"
    media.run(
        ["-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=6", "-f", "lavfi"]
        + ["-i", "sine=f=440:d=6"]
        + [*media.VIDEO, *media.AUDIO, "-movflags", "+faststart", str(whole)]
    )
    data = whole.read_bytes()
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(data[: len(data) * 2 // 5])  # the header says 6 s; the data stops early
    manifest = _manifest(tmp_path, broken, 5.5)
    out = tmp_path / "out"
    cache = tmp_path / "cache"
    env = {"TRIGGERFILM_CACHE": str(cache)}
    args = ["render", str(manifest), "-o", str(out), "--loudness", "off", "--preset", "ultrafast"]
    for _ in range(2):  # a re-run fails the same clear way: nothing broken was cached
        result = _cli(args, env=env)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert "tone" in result.stderr and "decoded past" in result.stderr, result.stderr
        assert not list(cache.rglob("*.mkv")) and not list(cache.rglob("*.part*"))
        assert not out.exists()  # a failed render leaves no output folder it created


# --- the output folder ------------------------------------------------------------------------


@pytest.mark.slow
def test_a_second_render_into_a_locked_folder_says_who_holds_it(tmp_path, tone):
    manifest = _manifest(tmp_path, tone, 3.0)
    out = tmp_path / "out"
    with locked_output_folder(out):
        result = _cli(["render", str(manifest), "-o", str(out), "--preview"])
        assert (out / LOCK_NAME).exists()
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"process {os.getpid()}" in result.stderr and "another render" in result.stderr
    assert not (out / LOCK_NAME).exists()
    assert sorted(p.name for p in out.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", ["preview.mp4", "preview.srt"])
def test_outputs_never_overwrite_a_clip(tmp_path, tone, name):
    out = tmp_path / "out"
    out.mkdir()
    clip = out / name
    clip.write_bytes(tone.read_bytes())
    manifest = _manifest(tmp_path, clip, 3.0)
    before = _sha(clip)
    result = _cli(["render", str(manifest), "-o", str(out), "--preview"])
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert name in result.stderr and "which the film uses" in result.stderr
    assert _sha(clip) == before and sorted(p.name for p in out.iterdir()) == [name]


@pytest.mark.slow
def test_outputs_never_overwrite_the_manifest(tmp_path, tone):
    out = tmp_path / "out"
    out.mkdir()
    manifest = _manifest(tmp_path, tone, 3.0).rename(out / "transcript.txt")
    before = _sha(manifest)
    result = _cli(["render", str(manifest), "-o", str(out)])
    assert result.returncode == 2 and "transcript.txt" in result.stderr
    assert _sha(manifest) == before


@contextlib.contextmanager
def _mounted(path: Path, options: str):
    """A small tmpfs at ``path`` (needs root; skips where mounting is not allowed)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a test file system needs root")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode(errors='replace').strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.mark.slow
def test_a_read_only_output_folder_is_refused_before_any_work(tmp_path, tone, monkeypatch):
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(tmp_path / "cache"))
    manifest = _manifest(tmp_path, tone, 3.0)
    folder = tmp_path / "readonly"
    if os.geteuid() == 0:
        context = _mounted(folder, "ro,size=64k")
    else:
        folder.mkdir()
        folder.chmod(0o555)
        context = contextlib.nullcontext(folder)
    with context:
        with pytest.raises(RenderError) as caught:
            render_manifest(manifest, folder / "out", RenderOptions(preview=True))
        assert "read-only" in str(caught.value) or "cannot be written" in str(caught.value)
        # Refused before transcription or encoding: nothing was cached.
        assert not (tmp_path / "cache").exists()


@pytest.mark.slow
def test_a_full_disk_is_reported_as_a_full_disk(tmp_path):
    with pytest.raises(RenderError) as caught:
        run_ffmpeg(
            ["-f", "lavfi", "-i", "color=s=64x36:d=1", "-f", "rawvideo", "/dev/full"],
            "writing a test film",
        )
    message = str(caught.value)
    assert "disk is full" in message and "source file plays" not in message


@pytest.mark.slow
def test_a_render_into_a_full_file_system_says_so(tmp_path, tone):
    manifest = _manifest(tmp_path, tone, 3.0)
    with _mounted(tmp_path / "small", "size=48k") as small:
        result = _cli(
            ["render", str(manifest), "-o", str(small / "out"), "--loudness", "off"],
            env={"TRIGGERFILM_CACHE": str(tmp_path / "cache")},
        )
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert "disk is full" in result.stderr and "source file plays" not in result.stderr
        assert not (small / "out").exists()


# --- signals -----------------------------------------------------------------------------------


def _processes() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, command name, state) for every process, read from /proc (Linux)."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # it ended while we looked
        name = text[text.index("(") + 1 : text.rindex(")")]
        state, ppid = text[text.rindex(")") + 2 :].split()[:2]
        table[int(stat.parent.name)] = (int(ppid), name, state)
    return table


def _children(pid: int) -> list[int]:
    """The ffmpeg processes descended from ``pid``."""
    table = _processes()
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for child, (ppid, _, _) in table.items():
            if ppid == parent:
                frontier.append(child)
                found.append(child)
    return [p for p in found if "ffmpeg" in table[p][1]]


def _alive(pids: list[int], wait: float = 10) -> list[int]:
    """Those of ``pids`` still running (not gone, not a zombie) after up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        table = _processes()
        alive = [p for p in pids if p in table and table[p][2] != "Z"]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def _start_long_render(tmp_path: Path, clip: Path) -> tuple[subprocess.Popen, Path, list[int]]:
    """Start a slow render; return it, its temp folder and the ffmpeg encoders it is running.

    A render also runs short ffmpeg/ffprobe calls (probes, stills), which can end between two
    looks at /proc; only an ffmpeg seen in two looks 0.5 s apart counts as the encoder.
    """
    manifest = _manifest(tmp_path, clip, 20.0)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {
        **os.environ,
        "TMPDIR": str(temp),
        "TRIGGERFILM_CACHE": str(tmp_path / "cache"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "triggerfilm", "render", str(manifest), "-o", str(tmp_path / "o")]
        + ["--loudness", "off", "--preset", "veryslow"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if list(temp.glob(f"{RUN_PREFIX}*")) and (first := _children(process.pid)):
            time.sleep(0.5)
            if lasting := sorted(set(first) & set(_children(process.pid))):
                return process, temp, lasting
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"the render never started encoding: {process.communicate()[1][-2000:]}")


@pytest.fixture(scope="module")
def long_tone(tmp_path_factory) -> Path:
    """21 s of a tone over moving noise: unlike a flat grey picture, noise keeps a veryslow
    encode busy for many seconds on any machine, so the signal lands while ffmpeg runs."""
    path = tmp_path_factory.mktemp("long") / "long.mp4"
    media.run(
        [
            "-f", "lavfi", "-i", "color=c=gray:s=320x180:r=25:d=21,noise=alls=80:allf=t",
            "-f", "lavfi", "-i", "sine=f=440:r=48000:d=21",
            *media.VIDEO, *media.AUDIO, "-t", "21", str(path),
        ]
    )  # fmt: skip
    return path


LINUX = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc; the parent-death signal is Linux's"
)


@LINUX
@pytest.mark.slow
def test_sigterm_mid_encode_leaves_no_temp_folder_and_no_ffmpeg(tmp_path, long_tone):
    process, temp, encoders = _start_long_render(tmp_path, long_tone)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0 and "Traceback" not in stderr
    assert encoders and not _alive(encoders), "an ffmpeg child outlived the render"
    assert not list(temp.glob("triggerfilm-*")), "the run's temp folder was left behind"
    assert not list((tmp_path / "cache").rglob("*.part*"))


@LINUX
@pytest.mark.slow
def test_sigkill_of_the_render_kills_its_ffmpeg_and_the_next_run_sweeps_up(tmp_path, long_tone):
    process, temp, encoders = _start_long_render(tmp_path, long_tone)
    process.kill()
    process.wait(timeout=30)
    assert encoders and not _alive(encoders), "ffmpeg outlived its killed parent"
    # The abandoned run folder is removed by the next render.
    assert list(temp.glob(f"{RUN_PREFIX}*"))
    from triggerfilm.render.workspace import run_folder

    os.environ["TMPDIR"], saved = str(temp), os.environ.get("TMPDIR")
    tempfile.tempdir = None
    try:
        with run_folder() as mine:
            assert list(temp.glob("triggerfilm-*")) == [mine]
    finally:
        if saved is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = saved
        tempfile.tempdir = None
    assert not list(temp.glob("triggerfilm-*"))


@pytest.mark.slow
def test_a_failed_run_does_not_stop_the_next_one_in_the_same_process(tmp_path):
    from triggerfilm.render.workspace import run_folder

    with pytest.raises(RenderError), run_folder():
        run_ffmpeg(["-f", "lavfi", "-i", "nosuchsource", "-f", "null", "-"], "failing on purpose")
    # The studio renders again in the same process after a failure: ffmpeg must still start.
    run_ffmpeg(["-f", "lavfi", "-i", "color=s=16x16:d=0.1", "-f", "null", "-"], "a second run")


def _caption_rows(tmp_path: Path, lines: tuple[str, ...]) -> int:
    """How many picture rows the burned-in caption box covers, rendered by libass."""
    from triggerfilm.captions.model import Cue
    from triggerfilm.render.fonts import FONT_DIR

    (tmp_path / "c.ass").write_text(compose_ass([Cue(0.0, 2.0, lines)], 640, 360), "utf-8")
    if not (tmp_path / "fonts").exists():
        (tmp_path / "fonts").symlink_to(FONT_DIR)
    run_ffmpeg(
        ["-f", "lavfi", "-i", "color=c=gray:s=640x360:d=1", "-vf", "subtitles=c.ass:fontsdir=fonts"]
        + ["-frames:v", "1", "-pix_fmt", "gray", "-f", "rawvideo", "frame.raw"],
        "drawing a caption",
        cwd=tmp_path,
    )
    import numpy as np

    frame = np.frombuffer((tmp_path / "frame.raw").read_bytes(), np.uint8).reshape(360, 640)
    return int(((frame < 20).sum(axis=1) > 40).sum())  # rows crossed by the black box


@pytest.mark.slow
def test_a_backslash_n_in_the_words_is_not_a_line_break_on_screen(tmp_path):
    one = _caption_rows(tmp_path, (r"Nights \N were long",))
    two = _caption_rows(tmp_path, ("Nights", "were long"))
    assert one > 0 and one < two * 0.75


@pytest.mark.slow
def test_an_approval_pack_never_overwrites_a_clip(tmp_path, tone):
    out = tmp_path / "out"
    out.mkdir()
    clip = out / "approval-N01.mp4"
    clip.write_bytes(tone.read_bytes())
    before = _sha(clip)
    manifest = _manifest(tmp_path, clip, 3.0)
    result = _cli(["approval-pack", str(manifest), "--narrator", "N01", "-o", str(out)])
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "approval-N01.mp4" in result.stderr and "which the film uses" in result.stderr
    assert _sha(clip) == before and sorted(p.name for p in out.iterdir()) == [clip.name]


@pytest.mark.parametrize("marker", ["[]", "{not json", '{"manifest": 3}'])
def test_a_damaged_output_marker_protects_nothing_and_breaks_nothing(tmp_path, marker):
    from triggerfilm.render.film import MARKER, check_output_folder

    (tmp_path / MARKER).write_text(marker)
    check_output_folder(tmp_path, "film.yaml", force=False)  # no manifest named: no refusal

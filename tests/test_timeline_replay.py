"""A film re-made from its timeline.json alone is the same film; unknown versions are refused."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import av
import pytest

from triggerfilm.app import RenderOptions, render_manifest
from triggerfilm.editplan.timeline import TIMELINE_VERSION, TimelineError, load_timeline

from .conftest import CLIPS


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "triggerfilm", *map(str, args)], capture_output=True, text=True
    )


def video_frames(path: Path) -> int:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sum(1 for packet in container.demux(stream) if packet.size)


@pytest.fixture(scope="module")
def film(tmp_path_factory) -> Path:
    """A subset of the demo: two touchpoints, three passages, small and fast."""
    folder = tmp_path_factory.mktemp("replay")
    manifest = folder / "subset.yaml"
    manifest.write_text(
        textwrap.dedent(
            f"""\
            title: Replay test
            output: {{width: 640, height: 360, fps: 25, card_seconds: 1}}
            archives: {{sample: {CLIPS}}}
            clips:
              - {{id: icu07, archive: sample, clip: ICU07-01}}
              - {{id: icu15, archive: sample, clip: ICU15-01}}
            touchpoints:
              - title: Nights on the unit
                selections:
                  - {{clip: icu07, from: "The nights were the worst part", to: "lost her patience"}}
                  - {{clip: icu15, from: "The nurses kept a diary", to: "again and again"}}
              - title: Going home
                selections:
                  - {{clip: icu07, from: 0.0, to: 4.0}}
            """
        ),
        encoding="utf-8",
    )
    out = folder / "film"
    render_manifest(manifest, out, RenderOptions(preset="ultrafast"))
    return out


@pytest.mark.slow
def test_rerender_from_timeline_gives_the_same_film(film, tmp_path):
    again = tmp_path / "again"
    result = _cli(
        "render", "--timeline", film / "timeline.json", "-o", again, "--preset", "ultrafast"
    )
    assert result.returncode == 0, result.stderr
    assert video_frames(again / "film.mp4") == video_frames(film / "film.mp4")
    assert video_frames(film / "film.mp4") == load_timeline(film / "timeline.json").frames
    for name in ("film.vtt", "film.srt", "film.ttml", "timeline.json", "transcript.txt"):
        assert (again / name).read_text(encoding="utf-8") == (film / name).read_text(
            encoding="utf-8"
        ), name
    # The soft caption track inside the film too: a replay encodes through the same path.
    assert _soft_track(again / "film.mp4") == _soft_track(film / "film.mp4")


def _soft_track(film: Path) -> str:
    import imageio_ffmpeg

    run = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(film), "-map", "0:s:0",
         "-f", "srt", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert run.stdout.strip(), f"{film} has no soft caption track"
    return run.stdout


def _saved(film: Path, tmp_path: Path, change) -> Path:
    data = json.loads((film / "timeline.json").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda d: d.update(version=TIMELINE_VERSION + 1), "newer than this triggerfilm reads"),
        (lambda d: d.update(version="one"), "no usable format version"),
        (lambda d: d.pop("version"), "no usable format version"),
        (lambda d: d.update(version=0), "does not know"),
        (lambda d: d["items"][2].update(source="/nowhere/ICU07-01.mp4"), "which is not there"),
        (lambda d: d["items"][2].update(source_sha256="0" * 64), "content differs"),
        (lambda d: d["items"][2].pop("frames"), "malformed"),
    ],
)
def test_a_timeline_that_cannot_be_replayed_is_refused_with_exit_2(film, tmp_path, change, said):
    path = _saved(film, tmp_path, change)
    out = tmp_path / "out"
    result = _cli("render", "--timeline", path, "-o", out)
    assert result.returncode == 2, result.stdout
    assert said in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.stderr
    assert not (out / "film.mp4").exists()


@pytest.mark.slow
def test_not_json_is_refused(tmp_path):
    path = tmp_path / "timeline.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(TimelineError, match="cannot be read as JSON"):
        load_timeline(path)
    result = _cli("render", "--timeline", path)
    assert result.returncode == 2 and "cannot be read as JSON" in result.stderr


@pytest.mark.parametrize(
    ("content", "said", "hint"),
    [
        (None, "does not exist, so there is no timeline to read", "Check the path"),
        ("[]", "is a JSON array, not a JSON object", "Render the film again"),
        ('{"version": 1}', "is not a triggerfilm timeline", "Check the path"),
        ('{"version": 1, "items": [[]]}', "has a malformed field", "Render the film again"),
    ],
)
def test_a_missing_or_misshapen_timeline_is_named(tmp_path, content, said, hint):
    path = tmp_path / "timeline.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(TimelineError) as caught:
        load_timeline(path)
    assert caught.value.where == path and said in caught.value.message
    assert "a timeline.json written beside a rendered film" in str(caught.value.expected)
    assert str(caught.value.hint).startswith(hint)


@pytest.mark.slow
def test_render_wants_a_manifest_or_a_timeline(tmp_path):
    result = _cli("render")
    assert result.returncode == 2 and "MANIFEST or --timeline" in result.stderr

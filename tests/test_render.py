"""End to end: manifest → transcripts → timeline → captions → film, checked on the real output."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import av
import pytest

from triggerfilm.app import RenderOptions, render_manifest
from triggerfilm.captions.check import check_subtitles, read_subtitles
from triggerfilm.captions.profiles import get_profile
from triggerfilm.store import cache_root

from .conftest import CLIPS

FPS = 25


@pytest.fixture(scope="module")
def film(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("film")
    manifest = folder / "small.yaml"
    manifest.write_text(
        textwrap.dedent(
            f"""\
            title: Small test film
            output: {{width: 640, height: 360, fps: {FPS}, card_seconds: 1.5}}
            archives: {{sample: {CLIPS}}}
            clips:
              - {{id: icu07, archive: sample, clip: ICU07-01}}
              - {{id: icu15, archive: sample, clip: ICU15-01}}
              - {{id: icu12, archive: sample, clip: ICU12-01}}
            touchpoints:
              - title: Nights on the unit
                selections:
                  - {{clip: icu07, from: "She told me where I was", to: "lost her patience"}}
                  - {{clip: icu15, from: "The nurses kept a diary", to: "again and again"}}
              - title: Going home
                selections:
                  - {{clip: icu12, from: 25.0, to: 32.7}}
            """
        ),
        encoding="utf-8",
    )
    out = folder / "out"
    render_manifest(manifest, out, RenderOptions(preset="ultrafast"))
    return out


def _stream_seconds(path: Path) -> dict[str, float]:
    """Duration of each stream, from its last packet's end, not from the container's header."""
    ends: dict[str, float] = {}
    with av.open(str(path)) as container:
        for packet in container.demux():
            if packet.pts is None or packet.stream.type not in ("video", "audio"):
                continue
            end = float((packet.pts + (packet.duration or 0)) * packet.stream.time_base)
            ends[packet.stream.type] = max(ends.get(packet.stream.type, 0.0), end)
    return ends


@pytest.mark.slow
def test_outputs_exist_and_nothing_half_written(film):
    names = {p.name for p in film.iterdir()}
    assert {"film.mp4", "film.srt", "film.vtt", "film.ttml", "timeline.json"} <= names
    assert "transcript.html" in names
    assert not [n for n in names if n.endswith((".tmp", ".part")) or n.startswith(".film.")]


@pytest.mark.slow
def test_streams_are_equal_length_and_sum_of_cards_and_selections(film):
    timeline = json.loads((film / "timeline.json").read_text())
    expected = sum(item["frames"] for item in timeline["items"]) / FPS
    cards = [i for i in timeline["items"] if i["kind"] == "card"]
    assert len(cards) == 4  # opening, two touchpoints, credits
    lengths = _stream_seconds(film / "film.mp4")
    assert abs(lengths["video"] - lengths["audio"]) <= 1 / FPS
    assert abs(lengths["video"] - expected) <= 1 / FPS
    with av.open(str(film / "film.mp4")) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (640, 360)
        assert video.codec_context.name == "h264"
        assert container.streams.audio[0].codec_context.name == "aac"
        assert any(s.type == "subtitle" for s in container.streams)


@pytest.mark.slow
def test_every_cue_lies_inside_its_selection_and_says_its_words(film):
    import pysrt

    timeline = json.loads((film / "timeline.json").read_text())
    cues = pysrt.open(str(film / "film.srt"))
    assert len(cues) >= 3
    position, spans = 0, []
    for item in timeline["items"]:
        if item["kind"] == "cut":
            spans.append((position / FPS, (position + item["frames"]) / FPS, item))
        position += item["frames"]
    film_end = position / FPS
    spoken_by_cut = {id(item): [] for _, _, item in spans}
    for cue in cues:
        start, end = cue.start.ordinal / 1000, cue.end.ordinal / 1000
        assert 0 <= start < end <= film_end
        owners = [item for a, b, item in spans if a - 0.001 <= start and end <= b + 0.001]
        assert len(owners) == 1, f"cue {cue.index} ({start}-{end}) is not inside one selection"
        text = cue.text
        if text.startswith("ICU15: "):  # the audio-only clip names its narrator
            text = text.removeprefix("ICU15: ")
        spoken_by_cut[id(owners[0])].append(text)
    for _, _, item in spans:
        words = " ".join("".join(w["text"] for w in item["words"]).split())
        captions = " ".join(" ".join(spoken_by_cut[id(item)]).split())
        assert captions == words
        assert words  # each selection has speech


@pytest.mark.slow
def test_film_captions_pass_the_checker_under_their_profile(film):
    counts = set()
    for name in ("film.srt", "film.vtt", "film.ttml"):
        report = check_subtitles(film / name, get_profile("default"), fps=FPS)
        errors = [f for f in report.findings if f.severity == "error"]
        assert errors == [], errors
        assert not [f for f in report.findings if f.rule == "duration.min"], report.findings
        counts.add(len(read_subtitles(film / name).cues))
    # The same cues in every format: film.ttml has one <p> per cue of film.srt.
    assert len(counts) == 1
    assert (film / "film.ttml").read_text(encoding="utf-8").count("<p ") == counts.pop()


def _chapters(path: Path) -> list[tuple[float, str]]:
    """Chapter starts and titles, as ffmpeg reports them."""
    import re
    import subprocess

    from triggerfilm.media.ffmpeg import ffmpeg_exe

    info = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True
    )
    starts = [float(m) for m in re.findall(r"Chapter #\d+:\d+: start (\d+\.\d+)", info.stderr)]
    titles = re.findall(
        r"Chapter #\d+:\d+: start .*?\n\s+Metadata:\n\s+title\s+: (.*)", info.stderr
    )
    return list(zip(starts, titles, strict=True))


@pytest.mark.slow
def test_chapters_are_named_after_touchpoints(film):
    chapters = _chapters(film / "film.mp4")
    titles = [title for _, title in chapters]
    assert titles == ["Opening", "Nights on the unit", "Going home", "Credits"]
    timeline = json.loads((film / "timeline.json").read_text())
    starts, position = [], 0
    for item in timeline["items"]:
        if item["kind"] == "card":
            starts.append(position / FPS)
        position += item["frames"]
    assert [round(s, 2) for s, _ in chapters] == [round(s, 2) for s in starts]


@pytest.mark.slow
def test_film_loudness_meets_ebu_r128(film):
    from triggerfilm.media.loudness import measure

    level = measure(["-i", str(film / "film.mp4")], "test")
    assert abs(level.integrated - (-23.0)) <= 1.0
    assert level.true_peak <= -1.0 + 0.2  # AAC encoding may add a fraction of a dB


@pytest.mark.slow
def test_one_touchpoint_renders_alone_reusing_cached_segments(film):
    manifest = film.parent / "small.yaml"
    report = render_manifest(
        manifest, film, RenderOptions(preset="ultrafast", touchpoint="going home")
    )
    part = film / "touchpoint-02-going-home.mp4"
    assert part.exists() and (film / "touchpoint-02-going-home.srt").exists()
    assert report.reused == report.segments == 3  # card, cut and credits all came from the cache
    whole = json.loads((film / "timeline.json").read_text())
    going_home = [
        i for i in whole["items"] if i.get("touchpoint") == 1 or i.get("role") == "credits"
    ]
    assert (
        abs(_stream_seconds(part)["video"] - sum(i["frames"] for i in going_home) / FPS) <= 1 / FPS
    )


@pytest.mark.slow
def test_folder_of_another_manifest_is_not_overwritten_without_force(film):
    from click.testing import CliRunner

    from triggerfilm.cli import cli

    other = film.parent / "other.yaml"
    other.write_text((film.parent / "small.yaml").read_text().replace("Small test film", "Other"))
    before = (film / "film.mp4").stat().st_mtime_ns
    result = CliRunner().invoke(cli, ["render", str(other), "-o", str(film)])
    assert result.exit_code == 2 and "--force" in result.output and "small.yaml" in result.output
    assert (film / "film.mp4").stat().st_mtime_ns == before


@pytest.mark.slow
def test_approval_pack_holds_only_that_narrators_passages(film):
    from triggerfilm.app import approval_pack

    manifest = film.parent / "small.yaml"
    out = film.parent / "approval"
    report = approval_pack(manifest, "ICU15", out, RenderOptions(preset="ultrafast"))
    timeline = json.loads((out / "approval-ICU15.timeline.json").read_text())
    cuts = [i for i in timeline["items"] if i["kind"] == "cut"]
    assert [c["narrator"] for c in cuts] == ["ICU15"]
    titles = [i["title"] for i in timeline["items"] if i["kind"] == "card"]
    assert titles == ["For ICU15 to approve", "Nights on the unit", "Credits"]
    quotes = (out / "approval-ICU15-quotes.txt").read_text()
    assert "The nurses kept a diary" in quotes and "ICU07" not in quotes.split("\n", 1)[1]
    assert (out / "approval-ICU15.mp4") in report.files


@pytest.mark.slow
def test_approval_pack_for_an_unknown_narrator_names_the_known_ones(film):
    from click.testing import CliRunner

    from triggerfilm.cli import cli

    manifest = film.parent / "small.yaml"
    result = CliRunner().invoke(
        cli, ["approval-pack", str(manifest), "--narrator", "ICU99", "-o", str(film.parent / "x")]
    )
    assert (
        result.exit_code == 2
        and "ICU99" in result.output
        and "ICU07, ICU12, ICU15" in result.output
    )


@pytest.mark.slow
def test_a_recut_from_cache_matches_a_full_render_of_the_same_manifest(film, tmp_path, monkeypatch):
    changed = film.parent / "recut.yaml"
    changed.write_text(
        (film.parent / "small.yaml")
        .read_text()
        .replace("from: 25.0, to: 32.7", "from: 26.0, to: 31.0")
    )
    # A segment cache of this test's own, warmed by the original film, so that an earlier
    # run's cache (which may hold the re-cut's segment already) cannot change what is reused.
    # The rest of the cache (transcripts, models) is shared, so nothing is transcribed again.
    own = tmp_path / "own-cache"
    own.mkdir()
    for entry in cache_root().iterdir():
        if entry.name != "render":
            (own / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(own))
    render_manifest(
        film.parent / "small.yaml", tmp_path / "first", RenderOptions(preset="ultrafast")
    )
    warm = render_manifest(changed, tmp_path / "warm", RenderOptions(preset="ultrafast"))
    assert warm.reused == warm.segments - 1  # only the changed selection was rendered
    # A fresh cache: every segment (and transcript) is made anew.
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(tmp_path / "empty-cache"))
    cold = render_manifest(changed, tmp_path / "cold", RenderOptions(preset="ultrafast"))
    assert cold.reused == 0
    warm_plan = json.loads((tmp_path / "warm" / "timeline.json").read_text())
    cold_plan = json.loads((tmp_path / "cold" / "timeline.json").read_text())
    assert warm_plan == cold_plan
    assert _stream_seconds(tmp_path / "warm" / "film.mp4") == _stream_seconds(
        tmp_path / "cold" / "film.mp4"
    )
    assert (tmp_path / "warm" / "film.srt").read_text() == (
        tmp_path / "cold" / "film.srt"
    ).read_text()
    # The re-cut's loudness, computed from cached segments' blocks, is the cold render's, and
    # both meet the target (EBU R 128: -23 LUFS) and the true-peak limit.
    assert warm.loudness is not None and cold.loudness is not None
    assert warm.loudness.target == cold.loudness.target == -23.0
    assert abs(warm.loudness.measured.integrated - cold.loudness.measured.integrated) <= 0.2
    for level in (warm.loudness.measured, cold.loudness.measured):
        assert abs(level.integrated - (-23.0)) <= 0.5
        assert level.true_peak <= -1.0 + 0.2  # AAC encoding may add a fraction of a dB


@pytest.mark.slow
def test_render_refuses_withdrawn_and_expired_clips_listing_both(film, tmp_path):
    from click.testing import CliRunner

    from triggerfilm.cli import cli

    text = (film.parent / "small.yaml").read_text()
    text = text.replace(
        "{id: icu07, archive: sample, clip: ICU07-01}",
        "{id: icu07, archive: sample, clip: ICU07-01, consent: {withdrawn: true}}",
    ).replace(
        "{id: icu12, archive: sample, clip: ICU12-01}",
        "{id: icu12, archive: sample, clip: ICU12-01, consent: {expires: 2020-01-31}}",
    )
    manifest = tmp_path / "refused.yaml"
    manifest.write_text(text)
    result = CliRunner().invoke(cli, ["render", str(manifest), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "icu07" in result.output and "withdrawn" in result.output
    assert "icu12" in result.output and "expired" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_speaker_labels_always_names_every_narrator_in_srt(film, tmp_path):
    from triggerfilm import app
    from triggerfilm.captions.build import build_captions
    from triggerfilm.captions.profiles import get_profile
    from triggerfilm.captions.writers import format_srt
    from triggerfilm.transcripts.options import TranscribeOptions

    manifest = tmp_path / "labels.yaml"
    manifest.write_text(
        (film.parent / "small.yaml")
        .read_text()
        .replace("card_seconds: 1.5}", "card_seconds: 1.5, speaker_labels: always}")
    )
    prepared = app.prepare(manifest)
    app.transcribe_all(prepared, TranscribeOptions())
    timeline = app.plan(prepared)
    assert timeline.speaker_labels == "always"
    srt = format_srt(
        build_captions(timeline, get_profile("default"), label_speakers=timeline.speaker_labels)
    )
    assert all(f"{code}: " in srt for code in ("ICU07", "ICU15", "ICU12"))

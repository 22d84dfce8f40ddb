"""Exports for editing software: every format read back, the XML counted, the EDL's timecodes."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from triggerfilm import app
from triggerfilm.app import interchange
from triggerfilm.editplan.timeline import Card, Cut, Timeline
from triggerfilm.exports import FORMATS, export_text, read_file
from triggerfilm.exports.otio_build import build_otio

from .conftest import CLIPS, DEMO

EVENT = re.compile(r"^(\d{3})\s+(\S+)\s+V\s+C\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$", re.MULTILINE)


def timecode(frame: int, fps: Fraction) -> str:
    """SMPTE timecode written out by hand (drop-frame at 29.97), to check the adapter's."""
    nominal = round(fps)
    drop = fps.denominator == 1001 and nominal == 30
    if drop:
        # Frame numbers 0 and 1 are skipped at every minute except each tenth.
        tens, rest = divmod(frame, 17982)
        frame += 18 * tens + (2 * ((rest - 2) // 1798) if rest > 2 else 0)
    ff, seconds = frame % nominal, frame // nominal
    separator = ";" if drop else ":"
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{separator}{ff:02d}"


@pytest.fixture(scope="module")
def demo():
    prepared, timeline, _ = app.planned(DEMO)
    return prepared, timeline


@pytest.fixture(scope="module")
def exported(demo, tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    files = {}
    for fmt in FORMATS:
        out = folder / f"demo{FORMATS[fmt].suffix}"
        interchange.export_edit(DEMO, out, fmt)
        files[fmt] = out
    return files


def _cuts(timeline: Timeline) -> list[Cut]:
    return [i for i in timeline.items if isinstance(i, Cut)]


@pytest.mark.slow
def test_otio_has_a_clip_per_cut_at_the_real_path_and_rate(demo, exported):
    prepared, timeline = demo
    back = otio.adapters.read_from_file(str(exported["otio"]))
    (track,) = back.video_tracks()
    clips = list(track.find_clips())
    cuts = _cuts(timeline)
    assert [c.name for c in clips] == [c.clip_id for c in cuts]
    rates = {str(s.path): prepared.media[cid].fps for cid, s in prepared.sources.items()}
    for clip, cut in zip(clips, cuts, strict=True):
        path = Path(clip.media_reference.target_url.removeprefix("file://"))
        assert path.is_absolute() and path.is_file() and path == Path(cut.source).resolve()
        start = clip.source_range.start_time
        assert start.rate == pytest.approx(rates[cut.source] or timeline.fps)
        assert start.to_seconds() == pytest.approx(cut.source_in, abs=1e-6)
        assert clip.source_range.duration.to_seconds() == pytest.approx(cut.frames / 25)
        meta = clip.metadata["triggerfilm"]
        assert meta["narrator"] == cut.narrator and meta["origin"] == cut.origin
        assert meta["origin"].startswith("touchpoints[")
    # Cards are gaps named after them, in place.
    gaps = [g.name for g in track if isinstance(g, otio.schema.Gap)]
    assert gaps == [i.title for i in timeline.items if isinstance(i, Card)]
    assert back.duration().to_seconds() == pytest.approx(timeline.duration)


@pytest.mark.slow
def test_touchpoint_markers_are_named_and_coloured_by_balance(demo, exported):
    _, timeline = demo
    back = otio.adapters.read_from_file(str(exported["otio"]))
    markers = [m for c in back.find_clips() for m in c.markers]
    named = [m for m in markers if m.name.startswith("Touchpoint ")]
    assert [m.name for m in named] == [
        f"Touchpoint {n}: {t}" for n, t in enumerate(timeline.touchpoints, 1)
    ]
    # The demo: 1 negative, 1 mixed, 1 positive → even; 1 negative, 2 mixed → negative;
    # 2 negative, 1 positive, 1 mixed → negative.
    assert [m.color for m in named] == ["YELLOW", "RED", "RED"]
    captions = [m for m in markers if m.metadata.get("triggerfilm", {}).get("caption")]
    assert len(captions) >= 20 and all(m.name.strip() for m in captions)


@pytest.mark.slow
def test_fcp7_xml_parses_with_a_clipitem_per_cut(demo, exported):
    _, timeline = demo
    root = ET.parse(exported["fcp7xml"]).getroot()
    assert root.tag == "xmeml"
    items = root.findall(".//sequence/media/video/track/clipitem")
    assert len(items) == len(_cuts(timeline))
    paths = {e.text for e in root.iter("pathurl")}
    assert paths == {Path(c.source).resolve().as_uri() for c in _cuts(timeline)}
    names = [e.findtext("name") for e in root.iter("marker")]
    assert all(f"Touchpoint {n}: {t}" in names for n, t in enumerate(timeline.touchpoints, 1))
    back = read_file(exported["fcp7xml"], 25)
    assert len(list(back.find_clips())) == len(_cuts(timeline))


@pytest.mark.slow
def test_fcpxml_parses_with_clips_gaps_and_assets(demo, exported):
    _, timeline = demo
    root = ET.parse(exported["fcpxml"]).getroot()
    assert root.tag == "fcpxml"
    spine = root.find(".//project/sequence/spine")
    assert len(spine.findall("clip")) == len(_cuts(timeline))
    cards = [i.title for i in timeline.items if isinstance(i, Card)]
    assert [g.get("name") for g in spine.findall("gap")] == cards
    assets = root.findall("./resources/asset")
    assert {a.get("src") for a in assets} == {
        Path(c.source).resolve().as_uri() for c in _cuts(timeline)
    }
    assert all(a.get("hasAudio") == "1" for a in assets)
    values = [m.get("value") for m in spine.iter("marker")]
    assert "Touchpoint 2: Nights on the unit" in values
    back = read_file(exported["fcpxml"], 25)
    assert len(list(back.find_clips())) == len(_cuts(timeline))


def _check_edl(text: str, timeline: Timeline, fps: Fraction, source_fps: Fraction) -> None:
    events = EVENT.findall(text)
    cuts = _cuts(timeline)
    assert len(events) == len(cuts)
    starts = dict(zip(map(id, timeline.items), timeline.starts(), strict=True))
    for (number, _reel, src_in, src_out, rec_in, rec_out), cut in zip(events, cuts, strict=True):
        assert int(number) == cuts.index(cut) + 1
        first = round(cut.source_in * source_fps)
        record = starts[id(cut)]
        assert (src_in, src_out) == (timecode(first, fps), timecode(first + cut.frames, fps))
        assert (rec_in, rec_out) == (timecode(record, fps), timecode(record + cut.frames, fps))


@pytest.mark.slow
def test_edl_at_25_fps_lists_every_event_with_its_timecodes(demo, exported):
    _, timeline = demo
    text = exported["edl"].read_text(encoding="utf-8")
    assert "FCM: NON-DROP FRAME" in text
    # Every demo clip is cut on the film's 25 fps grid; the EDL counts in film frames.
    _check_edl(text, timeline, Fraction(25), Fraction(25))
    assert "TOUCHPOINT 1: COMING INTO INTENSIVE CARE" in text.upper()
    back = read_file(exported["edl"], 25)
    assert [c.source_range.start_time.to_seconds() for c in back.find_clips()] == pytest.approx(
        [c.source_in for c in _cuts(timeline)], abs=0.021
    )


def ntsc_timeline() -> Timeline:
    """A film at 29.97 fps long enough to cross minute boundaries, where drop-frame skips."""
    fps = Fraction(30000, 1001)
    frame = 1 / fps

    def cut(clip: str, first: int, frames: int, touchpoint: int) -> Cut:
        return Cut(
            clip_id=clip.lower(),
            source=str(CLIPS / f"{clip}-01.mp4"),
            source_sha256="0" * 64,
            source_in=float(first * frame),
            frames=frames,
            touchpoint=touchpoint,
            narrator=clip,
            descriptor=None,
            media_type="video",
            valence="positive",
        )

    items = (
        Card("opening", "At 29.97", 120),
        Card("touchpoint", "One", 120, touchpoint=0),
        cut("ICU07", 3, 1700, 0),  # ends past 00:01:00;02
        cut("ICU12", 1201, 900, 0),
        Card("touchpoint", "Two", 120, touchpoint=1),
        cut("ICU21", 17, 1500, 1),  # crosses the second minute
        cut("ICU03", 1795, 40, 1),  # source in just before a minute's skipped frames
        Card("credits", "Credits", 90),
    )
    return Timeline("NTSC test", float(fps), 640, 360, items, touchpoints=("One", "Two"))


def test_edl_at_29_97_uses_drop_frame_timecode(tmp_path):
    timeline = ntsc_timeline()
    fps = Fraction(30000, 1001)
    rates = {c.source: float(fps) for c in _cuts(timeline)}
    text = export_text(timeline, FORMATS["edl"], source_rates=rates)
    assert "FCM: DROP FRAME" in text
    _check_edl(text, timeline, fps, fps)
    # Past the first minute the counts differ from non-drop by two frames a minute.
    assert timecode(1800, fps) == "00:01:00;02" and timecode(17982, fps) == "00:10:00;00"
    assert all(";" in event[4] for event in EVENT.findall(text))
    edl = tmp_path / "ntsc.edl"
    edl.write_text(text, encoding="utf-8")
    back = read_file(edl, float(fps))
    assert [round(c.source_range.duration.value) for c in back.find_clips()] == [
        c.frames for c in _cuts(timeline)
    ]


def test_a_source_of_unknown_length_is_available_up_to_where_its_cut_ends():
    # FCPXML needs each asset's length; without it the least the cut needs is given: from
    # the source's start to Timeline.source_out, the one place a cut's end is computed.
    timeline = ntsc_timeline()
    built = build_otio(timeline, source_durations={})
    clips = list(built.find_clips())
    for clip, cut in zip(clips, _cuts(timeline), strict=True):
        available = clip.media_reference.available_range
        assert available.start_time.value == 0
        assert available.duration.to_seconds() == pytest.approx(timeline.source_out(cut))
    # A known length is used as it is.
    source = _cuts(timeline)[0].source
    built = build_otio(timeline, source_durations={source: 600.0})
    first = next(iter(built.find_clips()))
    assert first.media_reference.available_range.duration.to_seconds() == pytest.approx(600.0)


def test_every_format_reads_back_at_29_97(tmp_path):
    timeline = ntsc_timeline()
    for fmt in FORMATS.values():
        path = tmp_path / f"ntsc{fmt.suffix}"
        path.write_text(export_text(timeline, fmt), encoding="utf-8")
        back = read_file(path, 30000 / 1001)
        assert len(list(back.find_clips())) == 4, fmt.name


@pytest.mark.slow
def test_export_command_writes_the_file(tmp_path):
    out = tmp_path / "edit.edl"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "triggerfilm",
            "export",
            str(DEMO),
            "--format",
            "edl",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "10 clips, 5 cards, 3 touchpoint markers" in result.stdout
    assert len(EVENT.findall(out.read_text(encoding="utf-8"))) == 10

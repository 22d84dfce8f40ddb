"""What makes a re-cut cheap, checked on real ffmpeg output: each segment keeps its loudness
blocks (so the film's loudness is computed, not measured again), and the film's sound is
encoded in pieces that join sample-exact inside the silent cards."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

from triggerfilm.editplan.timeline import Cut
from triggerfilm.media.ffmpeg import run_ffmpeg
from triggerfilm.media.loudness import gated_loudness, measure
from triggerfilm.render.segments import EncodeSettings, render_segment
from triggerfilm.render.sound import (
    FRAME,
    MARGIN,
    PRIMING,
    adts_frames,
    encode_sound,
    plan_pieces,
)

from . import media_factory as media

RATE = 48000


def test_gated_loudness_gates_as_bs1770():
    assert gated_loudness([-23.0] * 50) == pytest.approx(-23.0, abs=1e-9)
    # Silence (below -70 LUFS) is left out, not averaged in.
    assert gated_loudness([-23.0] * 50 + [-120.0] * 500) == pytest.approx(-23.0, abs=1e-9)
    # Blocks 10 LU under the mean of the rest are left out too.
    assert gated_loudness([-20.0] * 50 + [-40.0] * 50) == pytest.approx(-20.0, abs=1e-9)
    # A quieter block within 10 LU counts: the mean of the energies, not of the levels.
    assert gated_loudness([-20.0, -26.0]) == pytest.approx(-22.03, abs=0.01)
    assert gated_loudness([]) == -70.0
    assert gated_loudness([-120.0] * 10) == -70.0


# A film's items at 25 fps: cards (silent) of 4 s, cuts of 10, 10 and 7.3 s.
LENGTHS = [192000, 480000, 192000, 480000, 192000, 350400, 192000]
SILENT = [True, False, True, False, True, False, True]


def test_pieces_join_inside_silence_on_the_frame_grid():
    pieces = plan_pieces(LENGTHS, SILENT, 4)
    total = sum(LENGTHS)
    starts = np.cumsum([0, *LENGTHS])
    assert len(pieces) >= 2
    assert pieces[0].start == 0 and pieces[-1].end == total and pieces[-1].frames is None
    for before, after in zip(pieces, pieces[1:], strict=False):
        assert before.end == after.start  # nothing left out or played twice
        assert before.frames is not None and before.frames * FRAME == before.end - before.start
        # The join lies deep inside a silent item, and that item is where the piece starts.
        item = after.item
        assert SILENT[item] and starts[item] + MARGIN <= after.start
        assert after.start + PRIMING + MARGIN <= starts[item + 1]


def test_a_film_that_cannot_be_split_is_one_piece():
    total = sum(LENGTHS)
    # No silent opening: the first piece's priming frame would replace sound.
    assert len(plan_pieces(LENGTHS, [False, *SILENT[1:]], 4)) == 1
    # Cards too short to hold a join half a second from each edge.
    assert len(plan_pieces([192000, 480000, 40000, 480000], [True, False, True, False], 4)) == 1
    assert plan_pieces(LENGTHS, SILENT, 1)[0].end == total


def _segment(path: Path, source: list[str], seconds: float) -> None:
    # PCM in Matroska, as render.segments writes segments (no picture: the sound is tested).
    samples = round(seconds * RATE)
    run_ffmpeg(
        [*source, "-af", f"aformat=sample_rates={RATE}:channel_layouts=stereo,"
         f"apad,atrim=end_sample={samples}", "-c:a", "pcm_s16le", "-f", "matroska", str(path)],
        "making a test segment",
    )  # fmt: skip


def _decoded(path: Path) -> np.ndarray:
    """The sound of ``path`` as a (2, samples) array."""
    frames = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            array = frame.to_ndarray()
            # Planar formats come as (channels, samples); packed ones interleaved in one row.
            frames.append(array if frame.format.is_planar else array.reshape(-1, 2).T)
    return np.concatenate(frames, axis=1)


@pytest.mark.slow
@pytest.mark.parametrize("gain", [None, "volume=-6dB,alimiter=limit=0.79:level=disabled:latency=1"])
def test_sound_in_pieces_lines_up_with_the_picture_sample_for_sample(tmp_path, gain):
    seconds = [2.0, 3.0, 2.0, 3.0, 2.0, 2.6, 2.0]
    silent = [True, False, True, False, True, False, True]
    segments = []
    for index, (length, quiet) in enumerate(zip(seconds, silent, strict=True)):
        path = tmp_path / f"seg{index}.mkv"
        if quiet:
            source = ["-f", "lavfi", "-i", f"anullsrc=r={RATE}:cl=stereo", "-t", str(length)]
        else:  # a different tone in each cut, faded at both ends as cuts are
            tone = f"sine=f={300 + 150 * index}:r={RATE}:d={length}"
            fade = f"afade=t=in:d=0.01,afade=t=out:st={length - 0.01}:d=0.01"
            source = ["-f", "lavfi", "-i", f"{tone},{fade}"]
        _segment(path, source, length)
        segments.append(path)
    lengths = [round(s * RATE) for s in seconds]
    assert encode_sound(segments, lengths, silent, gain, "sound.aac", tmp_path, jobs=2)

    listing = tmp_path / "all.txt"
    listing.write_text("".join(f"file '{p}'\n" for p in segments))
    run_ffmpeg(
        ["-f", "concat", "-safe", "0", "-i", str(listing), *(["-af", gain] if gain else []),
         "-c:a", "pcm_f32le", "-f", "wav", str(tmp_path / "reference.wav")],
        "the reference",
    )  # fmt: skip
    reference = _decoded(tmp_path / "reference.wav")
    sound = _decoded(tmp_path / "sound.aac")
    total = sum(lengths)
    assert reference.shape[1] == total
    assert total <= sound.shape[1] < total + FRAME  # only the last frame's padding at the end
    sound = sound[:, :total]
    # Sample-exact: the coding noise is far under the signal at no shift, and any shift of a
    # sample or more is much worse (tones of 450 Hz and up move a lot in one sample).
    noise = {
        lag: float(np.sum((np.roll(sound, lag, axis=1) - reference) ** 2))
        for lag in (-2, -1, 0, 1, 2)
    }
    snr = 10 * np.log10(float(np.sum(reference**2)) / noise[0])
    assert snr > 30, snr
    assert min(noise, key=noise.__getitem__) == 0
    # No click where two pieces meet: the sound is silent around every join.
    starts = np.cumsum([0, *lengths])
    for piece in plan_pieces(lengths, silent, 4)[1:]:
        assert np.abs(sound[:, piece.start - 4800 : piece.start + 4800]).max() < 1e-3
        assert starts[piece.item] < piece.start < starts[piece.item + 1]
    # The pieces' frames are the file's frames, all of them.
    with av.open(str(tmp_path / "sound.aac")) as container:
        packets = sum(1 for p in container.demux(audio=0) if p.size)
    assert adts_frames((tmp_path / "sound.aac").read_bytes()) == packets


def test_adts_frames_refuses_what_is_not_adts():
    with pytest.raises(ValueError):
        adts_frames(b"\x00" * 64)
    assert adts_frames(b"") == 0


def _cut(clip: Path, seconds: float) -> Cut:
    return Cut(
        clip_id="tone",
        source=str(clip),
        source_sha256="tone",
        source_in=0.0,
        frames=round(seconds * 25),
        touchpoint=0,
        narrator="N01",
        descriptor=None,
        media_type="video",
    )


@pytest.mark.slow
def test_a_segment_keeps_its_loudness_blocks_and_damaged_ones_are_measured_again(tmp_path):
    clip = media.tone_clip(tmp_path / "tone.mp4", seconds=3)
    settings = EncodeSettings(320, 180, 25, preset="ultrafast", strap_seconds=0)
    cut, cache = _cut(clip, 2.0), tmp_path / "segments"
    first = render_segment(cut, [], 0.0, settings, cache, gain_db=-6.0, loudness=True)
    assert not first.reused and first.blocks is not None
    assert abs(len(first.blocks) - 20) <= 2  # one block per 100 ms
    # The blocks give the loudness that measuring the segment's sound gives.
    measured = measure(["-i", str(first.path)], "measuring the segment")
    assert abs(gated_loudness(first.blocks) - measured.integrated) <= 0.2
    record_path = first.path.with_suffix(".json")
    record = json.loads(record_path.read_text())
    assert record["loudness"]["sha256"] == record["sha256"]

    damaged = {
        "missing (an older cache)": {k: v for k, v in record.items() if k != "loudness"},
        "not numbers": {**record, "loudness": {**record["loudness"], "blocks": ["x"] * 20}},
        "too few": {**record, "loudness": {**record["loudness"], "blocks": [-23.0]}},
        "another file's": {**record, "loudness": {**record["loudness"], "sha256": "0" * 64}},
        "measured another way": {**record, "loudness": {**record["loudness"], "format": 0}},
        "not an object": {**record, "loudness": [1, 2, 3]},
    }
    for why, text in [*((w, json.dumps(r)) for w, r in damaged.items()),
                      ("NaN", record_path.read_text().replace(
                          str(record["loudness"]["blocks"][5]), "NaN", 1))]:  # fmt: skip
        record_path.write_text(text)
        again = render_segment(cut, [], 0.0, settings, cache, gain_db=-6.0, loudness=True)
        assert again.reused and again.path == first.path, why  # the segment itself is sound
        assert again.blocks is not None and len(again.blocks) == len(first.blocks), why
        assert abs(gated_loudness(again.blocks) - gated_loudness(first.blocks)) <= 0.1, why
        rebuilt = json.loads(record_path.read_text())
        assert rebuilt["loudness"]["sha256"] == record["sha256"], why
        assert rebuilt["loudness"]["format"] == record["loudness"]["format"], why
    # A render without loudness leaves the blocks alone, and a later one reads them back.
    plain = render_segment(cut, [], 0.0, settings, cache, gain_db=-6.0)
    assert plain.reused and plain.blocks is None
    assert render_segment(cut, [], 0.0, settings, cache, gain_db=-6.0, loudness=True).blocks

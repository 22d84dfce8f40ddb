"""Real media made on the spot with the bundled ffmpeg's lavfi sources, for render tests.

Each maker writes one small file (a few seconds, low resolution where the point allows) and
returns its path. The files are deterministic for a given ffmpeg build, so the transcript and
segment caches of one test run reuse them. Every clip is H.264 + AAC (or AAC alone) in MP4,
like the phone and camera footage the renderer meets, so codec delays and edit lists are real.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run(args: list[str]) -> None:
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"ffmpeg failed making test media: {result.stderr[-2000:]}")


# Generated media shows no one: manifests using it record that as the clip's consent, since a
# local clip without a consent block is refused for every use.
CONSENT = {"basis": "generated test media", "uses": ["joint-event"], "approved_clips": True}

VIDEO = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
AUDIO = ["-c:a", "aac", "-b:a", "128k"]


@dataclass(frozen=True)
class FlashBeep:
    """Where the flashes are: one every ``period`` seconds, starting at ``offset``."""

    path: Path
    seconds: float
    fps: int
    offset: float
    period: float = 1.0

    def flash_times(self, start: float = 0.0, end: float | None = None) -> list[float]:
        end = self.seconds if end is None else end
        times, k = [], 0
        while (t := self.offset + k * self.period) < self.seconds:
            if start <= t < end:
                times.append(t)
            k += 1
        return times


def _flash_graph(seconds: float, fps: int, offset: float, frames: int, size: str) -> str:
    """A black picture that turns white for ``frames`` frames every second from ``offset``."""
    first = round(offset * fps)
    enable = f"lt(mod(n-{first}\\,{fps})\\,{frames})*gte(n\\,{first})"
    return (
        f"color=c=black:s={size}:r={fps}:d={seconds},"
        f"drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='{enable}'"
    )


def _beep_graph(seconds: float, offset: float, length: float, rate: int = 48000) -> str:
    """Silence with a 1 kHz beep of ``length`` seconds every second from ``offset``."""
    on = f"gte(t,{offset})*lt(mod(t-{offset},1),{length})"
    return f"aevalsrc='0.8*sin(2*PI*1000*t)*{on}':s={rate}:d={seconds}:c=stereo"


def flash_beep_clip(
    path: Path, seconds: float = 20, fps: int = 25, offset: float = 0.52, size: str = "320x180"
) -> FlashBeep:
    """Black picture and silence; every second from ``offset`` one WHITE frame and a one-frame
    1 kHz beep start at the same instant. ``offset`` is put on the clip's frame grid."""
    offset = round(offset * fps) / fps
    run(
        [
            "-f", "lavfi", "-i", _flash_graph(seconds, fps, offset, 1, size),
            "-f", "lavfi", "-i", _beep_graph(seconds, offset, 1 / fps),
            *VIDEO, "-g", str(fps), *AUDIO, "-t", str(seconds), str(path),
        ]
    )  # fmt: skip
    return FlashBeep(path, seconds, fps, offset)


def tone_clip(path: Path, seconds: float = 12, fps: int = 25, size: str = "320x180") -> Path:
    """A steady 440 Hz tone over a grey picture: any cut without a fade would click."""
    run(
        [
            "-f", "lavfi", "-i", f"color=c=gray:s={size}:r={fps}:d={seconds}",
            "-f", "lavfi", "-i", f"sine=f=440:r=48000:d={seconds}",
            "-af", "volume=0.9,aformat=channel_layouts=stereo",
            *VIDEO, *AUDIO, "-t", str(seconds), str(path),
        ]
    )  # fmt: skip
    return path


def vfr_clip(path: Path, part_seconds: float = 4, size: str = "320x180") -> FlashBeep:
    """A flash-and-beep clip whose first half is 24 fps and second half 30 fps, stored with the
    source timestamps (variable frame rate). Flashes are two frames long so that conforming
    30 fps to 25 fps, which drops one frame in six, can never drop a whole flash."""
    offset = 0.5  # on both grids: frame 12 at 24 fps, frame 15 at 30 fps
    graph = ";".join(
        [
            _flash_graph(part_seconds, 24, offset, 2, size) + ",setpts=PTS-STARTPTS[v0]",
            _flash_graph(part_seconds, 30, offset, 2, size) + ",setpts=PTS-STARTPTS[v1]",
            _beep_graph(part_seconds, offset, 2 / 30) + "[a0]",
            _beep_graph(part_seconds, offset, 2 / 30) + "[a1]",
            "[v0][a0][v1][a1]concat=n=2:v=1:a=1[v][a]",
        ]
    )
    run(
        [
            "-filter_complex", graph, "-map", "[v]", "-map", "[a]",
            "-fps_mode", "passthrough", "-video_track_timescale", "600",
            *VIDEO, *AUDIO, str(path),
        ]
    )  # fmt: skip
    return FlashBeep(path, 2 * part_seconds, 0, offset)


def frame_intervals(path: Path) -> set[Fraction]:
    """The distinct gaps between consecutive video frames' timestamps (one for CFR)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        pts = sorted(p.pts for p in container.demux(stream) if p.pts is not None)
        base = stream.time_base
    return {(b - a) * base for a, b in zip(pts, pts[1:], strict=False)}


def picture_clip(
    path: Path,
    seconds: float = 3,
    size: str = "320x180",
    fps: float | str = 25,
    sar: str | None = None,
    audio: str | None = "sine=f=440:r=48000",
    colour: str = "orange",
) -> Path:
    """A bright flat picture (so letterbox bars are easy to tell apart) with optional sound.

    ``audio`` is a lavfi audio source graph, or None for a file with no audio stream at all.
    """
    video = f"color=c={colour}:s={size}:r={fps}:d={seconds}"
    if sar:
        video += f",setsar={sar}"
    args = ["-f", "lavfi", "-i", video]
    if audio:
        args += ["-f", "lavfi", "-i", f"{audio},atrim=0:{seconds}"]
    args += [*VIDEO]
    args += [*AUDIO] if audio else ["-an"]
    run([*args, "-t", str(seconds), str(path)])
    return path


def anamorphic_clip(path: Path, seconds: float = 3) -> Path:
    """PAL widescreen: 720x576 stored, SAR 64:45, so it displays 16:9 (1024x576)."""
    return picture_clip(path, seconds, size="720x576", sar="64/45")


def surround_clip(path: Path, seconds: float = 3) -> Path:
    """5.1 sound at 44.1 kHz with the tone in the centre channel only, where films put speech:
    a downmix that dropped the centre would play silence."""
    run(
        [
            "-f", "lavfi", "-i", f"color=c=teal:s=320x180:r=25:d={seconds}",
            "-f", "lavfi", "-i", f"sine=f=440:r=44100:d={seconds},pan=5.1|FC=c0",
            *VIDEO, *AUDIO, "-t", str(seconds), str(path),
        ]
    )  # fmt: skip
    return path


def mono_clip(path: Path, seconds: float = 3) -> Path:
    """Mono sound at 22.05 kHz."""
    return picture_clip(path, seconds, audio="sine=f=440:r=22050", colour="purple")


def silent_video_clip(path: Path, seconds: float = 3) -> Path:
    """A video file with no audio stream at all."""
    return picture_clip(path, seconds, audio=None, colour="lime")


def hd_clip(path: Path, seconds: float = 2) -> Path:
    """1920x1080, the size phones and cameras record."""
    return picture_clip(path, seconds, size="1920x1080", colour="skyblue")


def portrait_clip(path: Path, seconds: float = 3) -> Path:
    """9:16 portrait phone video: pillarboxed in a landscape film."""
    return picture_clip(path, seconds, size="180x320", colour="orange")


def audio_only_clip(path: Path, seconds: float = 3) -> Path:
    """AAC in .m4a with no picture."""
    run(["-f", "lavfi", "-i", f"sine=f=330:r=44100:d={seconds}", *AUDIO, str(path)])
    return path


# Measuring what a film shows and plays, for the sync checks.


def white_frame_times(path: Path, threshold: float = 200) -> list[float]:
    """Start times of the frames whose mean luma is above ``threshold`` (a white flash)."""
    times = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            luma = frame.to_ndarray(format="gray")
            if luma.mean() > threshold:
                times.append(float(frame.pts * stream.time_base))
    return times


def decode_audio(path: Path) -> tuple[int, float, np.ndarray]:
    """(sample rate, time of the first sample, samples as float32, channels x samples)."""
    chunks, start, rate = [], None, 0
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        for frame in container.decode(stream):
            if start is None:
                start = float(frame.pts * stream.time_base) if frame.pts is not None else 0.0
            rate = frame.sample_rate
            data = frame.to_ndarray()
            if frame.format.is_packed:
                data = data.reshape(-1, len(frame.layout.channels)).T
            if np.issubdtype(data.dtype, np.integer):  # PCM: scale to -1..1 like decoded AAC
                data = data / float(np.iinfo(data.dtype).max + 1)
            chunks.append(data.astype(np.float32))
    return rate, start or 0.0, np.concatenate(chunks, axis=1)


def beep_onsets(
    rate: int, start: float, samples, window: float = 0.001, on: float = 0.1, quiet: float = 0.02
) -> list[float]:
    """Times where sound rises out of silence: a 1 ms RMS window above ``on`` after at least
    20 ms of windows below ``quiet``."""
    mono = samples.mean(axis=0)
    n = max(1, round(rate * window))
    usable = len(mono) // n * n
    rms = np.sqrt((mono[:usable].reshape(-1, n) ** 2).mean(axis=1))
    onsets, silent_for, need = [], 0, round(0.02 / window)
    for index, value in enumerate(rms):
        if value >= on and silent_for >= need:
            onsets.append(start + index * window)
        silent_for = silent_for + 1 if value < quiet else 0
    return onsets

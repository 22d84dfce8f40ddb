"""What is inside a media file, read with PyAV (imageio-ffmpeg ships no ffprobe)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from ..errors import MediaError
from ..store import regular_file_problem

# The longest recording triggerfilm reads, as the manifest's times are bounded (24 hours).
MAX_MEDIA_SECONDS = 24 * 3600
# Telephone speech is 8000 Hz; below 4000 Hz no words survive.
MIN_SAMPLE_RATE = 4000


@dataclass(frozen=True)
class MediaInfo:
    """What ``probe`` found in a source file: its length in seconds, whether it has picture and
    sound, and their formats. Width, height, frame rate, sample rate and channels are 0 where the
    file has no such stream (an audio-only file has no picture)."""

    path: str
    duration: float
    has_video: bool
    has_audio: bool
    width: int = 0
    height: int = 0
    # Average frame rate as a float; variable-frame-rate sources are conformed at render time.
    fps: float = 0.0
    sample_aspect_ratio: float = 1.0
    sample_rate: int = 0
    channels: int = 0

    @property
    def media_type(self) -> str:
        return "video" if self.has_video else "audio-only"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def probe(path: str | Path) -> MediaInfo:
    path = Path(path)
    problem = regular_file_problem(path, "a media file")
    if problem:
        raise MediaError(
            problem,
            where=path,
            expected="an audio or video file",
            hint="Check the path in the manifest"
            if problem == "does not exist"
            else "Give the path of the recording itself, or re-export it if it is damaged",
        )
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError) as error:
        raise MediaError(
            f"cannot be read as audio or video ({error})",
            where=path,
            expected="a media file such as .mp4, .mov, .mkv, .m4a, .wav, .mp3",
            hint="Re-export the file, or check that it was copied completely",
        ) from None
    with container:
        video = next((s for s in container.streams.video if _is_moving_picture(s)), None)
        audio = container.streams.audio[0] if container.streams.audio else None
        if video is None and audio is None:
            raise MediaError(
                "has no audio or video stream",
                where=path,
                expected="a file with sound and/or picture",
            )
        duration = _duration(container, video, audio)
        if not duration > 0:  # also NaN
            raise MediaError("has no measurable duration", where=path, hint="Re-export the file")
        if duration > MAX_MEDIA_SECONDS:
            # A damaged or crafted header (a WAV claiming 4 GB at 1 byte a second) would have
            # every later step plan for, and wait on, years of media.
            raise MediaError(
                f"claims to last {duration / 3600:,.0f} hours",
                where=path,
                expected="a recording of at most 24 hours",
                hint="Its header is probably damaged: re-export the file, or cut the part "
                "you need into a file of its own",
            )
        fields: dict[str, Any] = {"has_video": video is not None, "has_audio": audio is not None}
        if video is not None:
            ctx = video.codec_context
            rate = video.average_rate or video.guessed_rate or Fraction(25)
            sar = ctx.sample_aspect_ratio or Fraction(1)
            fields |= {
                "width": ctx.width,
                "height": ctx.height,
                "fps": float(rate),
                "sample_aspect_ratio": float(sar) or 1.0,
            }
        if audio is not None:
            sound = audio.codec_context
            if 0 < (sound.sample_rate or 0) < MIN_SAMPLE_RATE:
                # Each byte would be seconds of sound: a small file decodes to days of audio
                # for Whisper to wait on. Only a damaged or crafted header says this.
                raise MediaError(
                    f"claims audio sampled {sound.sample_rate} times a second",
                    where=path,
                    expected=f"audio sampled at least {MIN_SAMPLE_RATE} times a second "
                    "(speech is usually 16000 or more)",
                    hint="Its header is probably damaged: re-export the file",
                )
            fields |= {"sample_rate": sound.sample_rate or 0, "channels": sound.channels or 0}
        return MediaInfo(path=str(path), duration=duration, **fields)


def _is_moving_picture(stream: av.video.stream.VideoStream) -> bool:
    # Cover art in an .m4a/.mp3 shows up as a one-frame "video" stream: that is not a picture track.
    return not (stream.disposition & av.stream.Disposition.attached_pic)


def _duration(
    container: av.container.InputContainer,
    video: av.video.stream.VideoStream | None,
    audio: av.audio.stream.AudioStream | None,
) -> float:
    candidates = []
    for stream in (video, audio):
        if stream is not None and stream.duration is not None and stream.time_base:
            candidates.append(float(stream.duration * stream.time_base))
    if candidates:
        return max(candidates)
    if container.duration:
        return float(container.duration / av.time_base)
    return 0.0


def count_frames(path: Path) -> int:
    """The number of video frames in ``path``, counted from its packets (nothing decoded).

    0 for a file that cannot be read or has no picture: callers compare it with the frames
    they expect, so a short or broken file is never taken for a whole one.
    """
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                return 0
            stream = container.streams.video[0]
            return sum(1 for packet in container.demux(stream) if packet.size)
    except (av.error.FFmpegError, OSError):
        return 0

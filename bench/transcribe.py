"""Benchmark the two transcription engines on the same minute of real speech.

    .venv/bin/python bench/transcribe.py [--model tiny,base] [--engine faster-whisper]
                                         [--threads N] [--beam 5] [--repeat 1]

Builds one 16 kHz mono WAV (in a temporary folder) from English recordings in
``../shared/data/speech_audio`` whose reference texts are human transcripts, each levelled to
the same RMS and joined with 0.5 s of silence, and transcribes it with faster-whisper and
openai-whisper through triggerfilm's own engine functions, each on every model named by
``--model`` (default: the bundled tiny.en), with the same beam, threads and VAD. Models named
together run in the same invocation, one after the other, so their times share the machine's
load and their ratio (printed as ``<model>/<first model> time ratio``) means more than either
time alone on a busy machine.

Each engine runs in its own child process, so its peak RSS is its own and neither pays for the
other's imports. In the child the model is loaded and warmed up on a short clip first (model
load, and for openai-whisper the numba compile of its DTW, are one-off costs reported apart);
``seconds`` is then the best of ``--repeat`` transcriptions of the whole WAV.

WER is ``triggerfilm.transcripts.wer.word_error_rate``, the one the accuracy tests' ceilings
use, so the two can be compared: word edits / reference words under its declared normalisation
(lower case, punctuation a word break, apostrophes dropped, digits spelled out).

With both engines, the last line is ``ratio=<openai seconds / faster seconds>`` (first model).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from triggerfilm.transcripts.wer import word_error_rate  # noqa: E402  (after the path)

SHARED_DATA = ROOT.parent / "shared" / "data"
SAMPLE_RATE = 16000
GAP_S = 0.5
TARGET_RMS = 0.05  # about -26 dBFS, ordinary speech level
# English speech with human reference transcripts; together a little over a minute.
PIECES = (
    "speech_audio/whisper__jfk.flac",
    "speech_audio/deepspeech__LDC93S1_timit.wav",
    "speech_audio/joinly__OSR_us_000_0034_8k_harvard.wav",
    "speech_audio/deepspeech__new-home-in-the-stars-16k.wav",
    "speech_audio/cuttledoc__fleurs-en-002.ogg",
)
WARM_UP = "speech_audio/deepspeech__LDC93S1_timit.wav"
ENGINES = ("faster-whisper", "openai-whisper")


def build_wav(folder: Path) -> tuple[Path, str]:
    """Join the pieces into one WAV; return it and the joined reference text."""
    from faster_whisper.audio import decode_audio

    references = json.loads((SHARED_DATA / "references.json").read_text(encoding="utf-8"))
    gap = np.zeros(int(GAP_S * SAMPLE_RATE), dtype=np.float32)
    parts, texts = [], []
    for piece in PIECES:
        audio = decode_audio(str(SHARED_DATA / piece), sampling_rate=SAMPLE_RATE)
        # The recordings differ by up to 46 dB (FLEURS peaks at -44 dBFS); next to a loud one,
        # Whisper skips a quiet one entirely. Levelling them measures the engines, not that.
        audio *= TARGET_RMS / float(np.sqrt(np.mean(np.square(audio))))
        parts += [audio, gap]
        texts.append(references[piece]["reference_text"])
    audio = np.concatenate(parts)
    target = folder / "speech.wav"
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return target, " ".join(texts)


def child(engine: str, model: str, wav: Path, threads: int, beam: int, repeat: int) -> None:
    """Run in a fresh process: warm up, transcribe, print one JSON line."""
    from triggerfilm.transcripts.options import TranscribeOptions

    options = TranscribeOptions(engine=engine, model=model, beam_size=beam, threads=threads)
    transcribe = _transcribe_function(engine)
    started = time.perf_counter()
    transcribe(SHARED_DATA / WARM_UP, options)
    warm_up_s = time.perf_counter() - started
    best, best_cpu, transcript = float("inf"), float("inf"), None
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        transcript = transcribe(wav, options)
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, _cpu_seconds() - cpu_started)
    assert transcript is not None
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    result = {
        "engine": engine,
        "model": model,
        "warm_up_s": warm_up_s,
        "seconds": best,
        "cpu_seconds": best_cpu,
        "duration": transcript.duration,
        "peak_rss_mib": peak_kib / 1024,
        "text": transcript.text,
    }
    print(json.dumps(result))


def _cpu_seconds() -> float:
    # CPU time of this process (all its threads): other helpers' load on a shared machine
    # stretches wall time far more than it stretches this, so its ratio between models holds
    # better than the ratio of wall times.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _transcribe_function(engine: str):
    # The engines' own public functions: what `triggerfilm transcribe --engine` runs.
    if engine == "faster-whisper":
        from triggerfilm.transcripts.engines.faster_whisper import transcribe_file
    else:
        from triggerfilm.transcripts.engines.openai_whisper import transcribe_file
    return transcribe_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run every model's child this many times, models interleaved, and keep each "
        "model's best time: on a shared machine the best of interleaved runs is the least "
        "disturbed by other work",
    )
    parser.add_argument(
        "--model",
        default="tiny",
        help="comma-separated models to compare in this run: tiny, base or a folder",
    )
    parser.add_argument(
        "--engine",
        action="append",
        choices=ENGINES,
        help="run only this engine (repeatable) [default: both]",
    )
    parser.add_argument("--texts", action="store_true", help="also print each engine's text")
    parser.add_argument(
        "--child", nargs=3, metavar=("ENGINE", "MODEL", "WAV"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        engine, model, wav = args.child
        child(engine, model, Path(wav), args.threads, args.beam, args.repeat)
        return
    models = [m.strip() for m in args.model.split(",") if m.strip()]
    engines = tuple(args.engine or ENGINES)
    if not SHARED_DATA.is_dir():
        sys.exit(f"shared test data not found at {SHARED_DATA}")

    results = {}
    with tempfile.TemporaryDirectory(prefix="triggerfilm-bench-") as folder:
        wav, reference = build_wav(Path(folder))
        # Models alternate inside each engine so a burst of load elsewhere hits both alike.
        for engine in engines:
            for _ in range(args.rounds):
                for model in models:
                    command = [sys.executable, __file__, "--child", engine, model, str(wav)]
                    command += ["--threads", str(args.threads), "--beam", str(args.beam)]
                    command += ["--repeat", str(args.repeat)]
                    done = subprocess.run(command, check=True, capture_output=True, text=True)
                    result = json.loads(done.stdout.strip().splitlines()[-1])
                    best = results.get((engine, model))
                    if best is None or result["seconds"] < best["seconds"]:
                        results[engine, model] = result

    duration = next(iter(results.values()))["duration"]
    print(
        f"audio: {duration:.1f} s, {len(PIECES)} recordings; models {', '.join(models)}; "
        f"beam {args.beam}, {args.threads} threads, VAD on; best of {args.repeat} x "
        f"{args.rounds} round(s)"
    )
    print(
        f"{'engine':16}{'model':8}{'load+warm s':>12}{'seconds':>9}{'RTF':>8}{'CPU s':>8}"
        f"{'peak RSS MiB':>14}{'WER':>8}"
    )
    for (engine, model), r in results.items():
        wer = word_error_rate(reference, r["text"])
        print(
            f"{engine:16}{model:8}{r['warm_up_s']:12.1f}{r['seconds']:9.2f}"
            f"{r['seconds'] / duration:8.3f}{r['cpu_seconds']:8.2f}{r['peak_rss_mib']:14.0f}"
            f"{wer:8.1%}"
        )
    if args.texts:
        for (engine, model), r in results.items():
            print(f"{engine} {model}: {r['text']}")
    for engine in engines:
        for model in models[1:]:
            ratio = results[engine, model]["seconds"] / results[engine, models[0]]["seconds"]
            cpu_ratio = (
                results[engine, model]["cpu_seconds"] / results[engine, models[0]]["cpu_seconds"]
            )
            print(
                f"{engine}: {model}/{models[0]} time ratio {ratio:.2f}, "
                f"CPU time ratio {cpu_ratio:.2f}"
            )
    if len(engines) == 2:
        first = models[0]
        ratio = (
            results["openai-whisper", first]["seconds"]
            / results["faster-whisper", first]["seconds"]
        )
        print(f"ratio={ratio:.2f}")


if __name__ == "__main__":
    main()

"""The alternative engine: openai-whisper (PyTorch), offline on weights converted from tiny.en.

It returns the same :class:`Transcript` as the faster-whisper engine and treats the options the
same way, so the two can be swapped and compared:

- audio is decoded with faster-whisper's PyAV decoder (16 kHz mono float32), because
  openai-whisper's own ``load_audio`` runs an ``ffmpeg`` binary that user machines lack;
- ``vad`` runs faster-whisper's bundled Silero VAD with its default options, transcribes only
  the speech joined together and maps word times back, exactly as ``WhisperModel.transcribe``
  does with ``vad_filter=True``;
- ``condition_on_previous_text=False`` for the same reason as the default engine: conditioning
  on earlier windows is what lets Whisper fall into repetition loops on pause-filled narratives;
- ``fp16=False``: there is no GPU, and PyTorch on CPU computes in float32 anyway.

It is about 4–5× slower than faster-whisper and needs the ``openai-whisper`` extra plus
openai-whisper itself installed without its GPU-only dependencies (``make openai`` does both).
"""

from __future__ import annotations

import contextlib
import importlib
import types
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import MediaError, TriggerfilmError
from ..model import Segment, Transcript, Word
from ..options import TranscribeOptions, check_language
from ..speech import SAMPLE_RATE, voice_activity
from ..whisper_models import display_name, ensure_checkpoint, list_offline_models, resolve_model

ENGINE = "openai-whisper"


def _require_whisper() -> Any:
    try:
        import whisper
    except ImportError:
        raise TriggerfilmError(
            "the openai-whisper engine is not installed",
            hint="Install it with `make openai`, or `pip install 'triggerfilm[openai-whisper]'` "
            "then `pip install --no-deps openai-whisper` (a CPU-only torch wheel first: see the "
            "README), or use the faster-whisper engine",
        ) from None
    return whisper


def _offline_names() -> str:
    offline = list_offline_models()
    return ", ".join(sorted({display_name(m.name) for m in offline if m.engine == ENGINE}))


@lru_cache(maxsize=2)
def _load(location: str) -> Any:
    whisper = _require_whisper()
    import torch

    if not Path(location).is_file():
        # A model name: openai-whisper finds it in its download folder or downloads it.
        try:
            return whisper.load_model(location, device="cpu")
        except (OSError, RuntimeError) as error:  # URLError is an OSError
            raise TriggerfilmError(
                f"cannot load openai-whisper model '{location}': {error}",
                expected=f"one of the models available offline: {_offline_names()}",
                hint="Run `triggerfilm models` to list them; other names need a network",
            ) from None
    try:
        checkpoint = torch.load(location, map_location="cpu", weights_only=True)
        model = whisper.model.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"]))
        # strict: a missing or misnamed tensor must fail here, not produce garbage text.
        model.load_state_dict(checkpoint["model_state_dict"], strict=True)
    except (OSError, RuntimeError, KeyError, TypeError) as error:
        raise TriggerfilmError(
            f"cannot load the openai-whisper checkpoint ({type(error).__name__}: {error})",
            where=location,
            expected="a checkpoint with 'dims' and 'model_state_dict'",
            hint="Delete it and run `triggerfilm models export-openai` to convert it again",
        ) from None
    heads = checkpoint.get("alignment_heads")
    if heads:
        # Without these, word timestamps fall back to all heads of the upper decoder layers.
        mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
        for layer, head in heads:
            mask[layer, head] = True
        model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
    return model.eval()


def load_model(name: str) -> Any:
    """The openai-whisper model for a ``--model`` value.

    ``whisper_models.prepare_model`` converts the checkpoint on first use and says so before a
    transcript is made; converting here too keeps a direct call to the engine working."""
    resolved = resolve_model(name, ENGINE)
    _require_whisper()
    ensure_checkpoint(resolved)
    return _load(resolved.location)


def decode(path: Path) -> np.ndarray:
    """16 kHz mono float32 samples of any file PyAV reads (video files included)."""
    import av
    from faster_whisper.audio import decode_audio

    try:
        samples: np.ndarray = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
        return samples
    except (av.FFmpegError, OSError, ValueError) as error:
        raise MediaError(
            f"cannot decode the audio ({error})",
            where=path,
            expected="a media file with an audio stream",
        ) from None


def _speech_only(audio: np.ndarray) -> tuple[np.ndarray, Any]:
    """The speech parts joined together and a map back to original times (None: no speech)."""
    from faster_whisper.vad import SpeechTimestampsMap

    chunks = [{"start": a, "end": b} for a, b in voice_activity(audio)]
    if not chunks:
        return audio[:0], None
    speech = np.concatenate([audio[c["start"] : c["end"]] for c in chunks])
    return speech, SpeechTimestampsMap(chunks, SAMPLE_RATE)


@contextlib.contextmanager
def _progress_hook(
    progress: Callable[[float], None] | None, seconds_per_frame: float
) -> Iterator[None]:
    """Route openai-whisper's per-window tqdm updates to ``progress`` (seconds of audio done)."""
    # importlib, because ``whisper.transcribe`` the attribute is the function, not the module.
    module = importlib.import_module("whisper.transcribe")

    if progress is None:
        yield
        return
    report = progress

    class _Bar:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.frames = 0

        def __enter__(self) -> _Bar:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def update(self, frames: int) -> None:
            self.frames += frames
            report(self.frames * seconds_per_frame)

    original = getattr(module, "tqdm")  # noqa: B009  (a module attribute mypy cannot see)
    setattr(module, "tqdm", types.SimpleNamespace(tqdm=_Bar))  # noqa: B010
    try:
        yield
    finally:
        setattr(module, "tqdm", original)  # noqa: B010


def _segment(raw: dict[str, Any], timeline: Any) -> Segment | None:
    words = []
    for w in raw.get("words") or ():
        start, end = float(w["start"]), float(w["end"])
        if timeline is not None:
            # Both ends from the chunk holding the word's middle, as faster-whisper does.
            chunk = timeline.get_chunk_index((start + end) / 2)
            start = timeline.get_original_time(start, chunk)
            end = timeline.get_original_time(end, chunk)
        words.append(Word(start, end, str(w["word"]), float(w["probability"])))
    if words:
        start, end = words[0].start, words[-1].end
    else:
        start, end = float(raw["start"]), float(raw["end"])
        if timeline is not None:
            start = timeline.get_original_time(start)
            end = timeline.get_original_time(end, is_end=True)
    if not raw["text"].strip() and not words:
        return None
    return Segment(
        start=start,
        end=end,
        text=str(raw["text"]),
        words=tuple(words),
        avg_logprob=float(raw["avg_logprob"]),
        no_speech_prob=float(raw["no_speech_prob"]),
    )


def transcribe_file(
    path: Path,
    options: TranscribeOptions,
    progress: Callable[[float], None] | None = None,
) -> Transcript:
    """openai-whisper's ``transcribe_file`` (see ``transcripts.store.Engine``)."""
    model = load_model(options.model)
    check_language(options, model.is_multilingual)
    language = options.language
    if options.threads > 0:
        import torch

        torch.set_num_threads(options.threads)

    audio = decode(Path(path))
    duration = audio.shape[0] / SAMPLE_RATE
    speech, timeline = _speech_only(audio) if options.vad else (audio, None)
    segments: list[Segment] = []
    detected = language or "en"
    if speech.size:
        scale = duration / (speech.shape[0] / SAMPLE_RATE)
        with _progress_hook(progress, 0.01 * scale):  # a mel frame is 10 ms
            result = model.transcribe(
                speech,
                language=language,
                beam_size=options.beam_size,
                word_timestamps=True,
                condition_on_previous_text=False,
                fp16=False,
                verbose=None,  # neither print the text nor draw a bar of its own
            )
        detected = str(result.get("language") or detected)
        segments = [s for raw in result["segments"] if (s := _segment(raw, timeline))]
    if progress:
        progress(duration)
    return Transcript(
        segments=tuple(segments),
        language=detected,
        duration=float(duration),
        engine=ENGINE,
        model=options.model,
        options=options.to_dict(),
    )

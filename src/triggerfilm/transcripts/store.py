"""Transcripts on disk, keyed by what produced them, so a second run does no work.

The key is the media's content hash plus the engine, the model, the decoding options and the
triggerfilm version: change any of them and the transcript is made again; rename or move the
file and it is still found. A cache entry that does not parse is redone, never trusted.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .. import __version__
from ..sources.local import file_sha256
from ..store import cache_root, json_key, sharded_path, write_text
from .model import Transcript
from .options import TranscribeOptions

Engine = Callable[..., Transcript]


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


def read_cached(path: Path, redo: str) -> Transcript | None:
    """A cached transcript, or None when there is none or it is damaged (with a warning
    saying what will be redone: a damaged entry is never trusted)."""
    if not path.exists():
        return None
    try:
        return Transcript.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as error:
        warnings.warn(f"transcript cache entry {path} is corrupt ({error}); {redo}", stacklevel=3)
        return None


def cached_transcript(
    media: Path, options: TranscribeOptions, root: Path | None = None
) -> Transcript | None:
    return read_cached(cache_path(media, options, root), f"transcribing {media} again")


def transcript_for(
    media: Path,
    options: TranscribeOptions,
    progress: Callable[[float], None] | None = None,
    threads: int | None = None,
    root: Path | None = None,
) -> Transcript:
    """The transcript of ``media``, from the cache or made now and stored.

    ``threads`` overrides the engine's CPU threads for this run only (batch runs split the
    cores between processes); the cache key keeps the caller's options. ``root`` is another
    cache root than this process's (a cluster worker writing into a shared cache).
    """
    found = cached_transcript(media, options, root)
    if found is not None:
        if progress:
            progress(found.duration)
        return found
    run = options if threads is None else replace(options, threads=threads)
    transcript = _engine(options.engine)(media, run, progress)
    write_text(cache_path(media, options, root), json.dumps(transcript.to_dict()))
    return transcript

"""Transcript corrections made by a person: the store, and the text a person edits.

A correction is the clip's verbatim transcript as a person fixed it ("the" back to "he", a
dropped word put back). It is stored as plain text in the project, beside the manifest, in
``<manifest stem>.corrections/<clip id>.txt``: one sentence per line, under a header naming the
clip and the SHA-256 of the recording it was made for. It is not part of the transcript cache,
so it survives re-transcription, a change of engine or model, and a cleared cache; later stages
use it as the clip's verbatim transcript, aligned to the audio by :mod:`.align`.

The text a person edits (``editable_text``) has one sentence per line with a ``[mm:ss]`` mark
at the start of each line; ``words_of`` takes the marks away again, so they may be left alone,
moved or deleted. Lines starting with ``#`` are comments. The studio edits the same text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import TriggerfilmError
from ..store import write_text
from ..timefmt import mmss
from .model import Transcript

_MARK = re.compile(r"^\s*\[\s*\d{1,3}:\d{2}(?:\.\d+)?\s*\]\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
HEADER = "# Corrected transcript"


@dataclass(frozen=True)
class Correction:
    """A person's correction of one clip's transcript."""

    clip: str
    text: str  # the verbatim words, one sentence per line
    media_sha256: str | None
    path: Path

    @property
    def sha256(self) -> str:
        """A hash of the words (not of the file's header), for provenance records."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def corrections_folder(manifest_path: str | Path) -> Path:
    """Where a project's corrections live: ``<manifest stem>.corrections`` beside it."""
    manifest_path = Path(manifest_path)
    return manifest_path.parent / f"{manifest_path.stem}.corrections"


def correction_path(folder: Path, clip: str) -> Path:
    """``<folder>/<clip>.txt``; a clip id that cannot be a file name (a slash, a space...) is
    written as a slug plus a short hash of the id, so two ids never share a file.

    >>> correction_path(Path("c"), "icu07").name, correction_path(Path("c"), "../x y").name
    ('icu07.txt', 'x-y-46c740c6.txt')
    """
    if _SAFE_ID.match(clip) and clip not in (".", ".."):
        return folder / f"{clip}.txt"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", clip).strip("-.") or "clip"
    digest = hashlib.sha256(clip.encode("utf-8")).hexdigest()[:8]
    return folder / f"{slug}-{digest}.txt"


def load_correction(folder: str | Path, clip: str) -> Correction | None:
    """The stored correction of ``clip``, or None when no person has corrected it."""
    path = correction_path(Path(folder), clip)
    if not path.is_file():
        return None
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise TriggerfilmError(
            f"cannot read the correction ({error})",
            where=path,
            hint="Re-save it as UTF-8 text, or delete it to use the transcript as heard",
        ) from None
    media = None
    for line in raw.splitlines():
        match = re.match(r"^#.*\bsha256 ([0-9a-f]{64})", line)
        if match:
            media = match.group(1)
    text = words_of(raw)
    if not text:
        return None
    return Correction(clip, text, media, path)


def save_correction(
    folder: str | Path, clip: str, edited: str, media_sha256: str | None = None
) -> Correction:
    """Store ``edited`` (with or without ``[mm:ss]`` marks) as the correction of ``clip``.

    Written atomically; raises TriggerfilmError when the edit leaves no words.
    """
    folder = Path(folder)
    path = correction_path(folder, clip)
    text = words_of(edited)
    if not text:
        raise TriggerfilmError(
            "the corrected transcript has no words, so nothing was stored",
            where=path,
            hint="To go back to the transcript as heard, delete the corrections file",
        )
    header = f"{HEADER} of clip {clip}"
    if media_sha256:
        header += f", recording sha256 {media_sha256}"
    write_text(path, f"{header}\n{text}\n", preserve_format=False)
    return Correction(clip, text, media_sha256, path)


def words_of(edited: str) -> str:
    """The verbatim words of an edited text: marks and comments gone, one sentence a line.

    >>> words_of("# notes\\n[00:01] He was  sat there.\\n[00:04] Then he left.  Fine.\\n")
    'He was sat there.\\nThen he left.\\nFine.'
    """
    lines = []
    for raw in edited.splitlines():
        if raw.lstrip().startswith("#"):
            continue
        line = " ".join(_MARK.sub("", raw).split())
        if line:
            lines.append(line)
    return "\n".join(split_sentences(" ".join(lines)))


def split_sentences(text: str) -> list[str]:
    """Sentences of running text, split after . ! ? or … and any closing quote."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def editable_text(clip: str, transcript: Transcript) -> str:
    """The clip's words for a person to correct: one sentence per line, ``[mm:ss]`` first."""
    lines = [
        f"# Correct the words of clip {clip}: one sentence per line. The [mm:ss] marks only",
        "# say where each sentence starts; leave them, move them or delete them. Lines",
        "# starting with # are ignored. Save and close the editor to store the correction.",
    ]
    words = [w for s in transcript.segments for w in s.words if w.text.strip()]
    sentence: list[str] = []
    start = None
    for word in words:
        if start is None:
            start = word.start
        sentence.append(word.text.strip())
        if re.search(r"[.!?…][\"'”’)\]]*$", word.text.strip()):
            lines.append(f"{_mark(start)} {' '.join(sentence)}")
            sentence, start = [], None
    if sentence:
        lines.append(f"{_mark(start or 0.0)} {' '.join(sentence)}")
    if not words:  # segments without word times
        lines += [f"{_mark(s.start)} {' '.join(s.text.split())}" for s in transcript.segments]
    return "\n".join(lines) + "\n"


def _mark(seconds: float) -> str:
    return f"[{mmss(max(0.0, seconds))}]"

"""Writing caption files in tests: the writers only format, the test writes the text."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from triggerfilm.captions.model import Cue
from triggerfilm.captions.profiles import CaptionProfile
from triggerfilm.captions.writers import format_srt, format_ttml, format_vtt


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def write_srt(cues: Sequence[Cue], path: Path) -> Path:
    return _write(Path(path), format_srt(cues))


def write_vtt(cues: Sequence[Cue], path: Path) -> Path:
    return _write(Path(path), format_vtt(cues))


def write_ttml(cues: Sequence[Cue], path: Path, profile: CaptionProfile | None = None) -> Path:
    return _write(Path(path), format_ttml(cues, profile))

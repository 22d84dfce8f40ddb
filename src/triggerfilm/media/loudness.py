"""Loudness as EBU R 128 measures it, with ffmpeg's ebur128 filter.

Archive clips vary a lot in level; measuring each source once (cached by content) lets every
cut be brought to the same loudness before mixing, so narrators sound equally loud.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ..sources.local import file_sha256
from ..store import cache_root, load_json_object, write_text
from .ffmpeg import run_ffmpeg

TARGETS = {"broadcast": -23.0, "web": -16.0}

_INTEGRATED = re.compile(r"\bI:\s+(-?[\d.]+|-inf) LUFS")
_RANGE = re.compile(r"\bLRA:\s+(-?[\d.]+) LU\b")
_PEAK = re.compile(r"\bPeak:\s+(-?[\d.]+|-inf) dBFS")
# One line per 100 ms with ebur128's framelog: M is the loudness of the 400 ms block ending there.
_MOMENTARY = re.compile(r"\bt:\s*[\d.]+\s+TARGET:\S+ LUFS\s+M:\s*(-?[\d.]+|-inf|nan)")
# BS.1770-4 gating: blocks quieter than -70 LUFS, then those 10 LU under the mean, are left out.
ABSOLUTE_GATE = -70.0
# ebur128's options that log every block (at ffmpeg's "info" level), as block_loudness uses it.
EBUR128_BLOCKS = {"framelog": "info"}
RELATIVE_GATE = 10.0


@dataclass(frozen=True)
class Loudness:
    """A loudness measurement as EBU R 128 defines it (ffmpeg's ebur128): of a whole source file,
    cached by content, from which the render finds the gain that brings it to the loudness target,
    or of the finished film."""

    integrated: float  # LUFS; -70 or below means no measurable programme (silence)
    true_peak: float  # dBTP
    lra: float  # LU

    @property
    def silent(self) -> bool:
        return self.integrated <= -70.0


def _parse(stderr: str) -> Loudness:
    summary = stderr[stderr.rfind("Summary:") :]
    found = [pattern.search(summary) for pattern in (_INTEGRATED, _PEAK, _RANGE)]
    if not all(found):
        raise ValueError("ebur128 printed no summary")

    def number(match: re.Match[str] | None) -> float:
        assert match is not None  # all three were found
        return -120.0 if match[1] == "-inf" else float(match[1])

    return Loudness(*(number(m) for m in found))


def measure(args: list[str], what: str, cwd: Path | None = None) -> Loudness:
    """Measure the audio that ``args`` (ffmpeg input options and inputs) produce."""
    return _parse(_ebur128(args, "peak=true:framelog=quiet", what, cwd))


def block_loudness(args: list[str], what: str, cwd: Path | None = None) -> tuple[float, ...]:
    """The loudness (LUFS) of each 400 ms block, every 100 ms, of the audio ``args`` produce.

    These are the blocks BS.1770 gates to make the integrated loudness, so the loudness of
    sound made by joining measured pieces is computed from their blocks (:func:`gated_loudness`)
    without decoding and measuring the joined sound again. No true peak: it is not needed here,
    and oversampling is most of ebur128's cost.
    """
    return parse_blocks(_ebur128(args, "framelog=info", what, cwd))


def _ebur128(args: list[str], settings: str, what: str, cwd: Path | None) -> str:
    """Run ffmpeg's ebur128 filter over the sound of ``args``; its log is what it measured."""
    return run_ffmpeg(
        [*args, "-vn", "-sn", "-af", f"ebur128={settings}", "-f", "null", "-"],
        what,
        loglevel="info",
        cwd=cwd,
    )


def parse_blocks(stderr: str) -> tuple[float, ...]:
    """The block loudness values that ebur128 (with ``EBUR128_BLOCKS``) logged in ``stderr``."""
    return tuple(
        -120.0 if m in ("-inf", "nan") else max(-120.0, float(m))
        for m in _MOMENTARY.findall(stderr)
    )


def gated_loudness(blocks: Iterable[float]) -> float:
    """The integrated loudness (LUFS) of ``blocks`` (see :func:`block_loudness`), gated as
    ITU-R BS.1770-4 gates it; -70 (silent) when no block passes the absolute gate."""

    def energy(level: float) -> float:
        return float(10 ** ((level + 0.691) / 10))

    def loudness(levels: list[float]) -> float:
        return -0.691 + 10 * math.log10(sum(map(energy, levels)) / len(levels))

    audible = [b for b in blocks if b > ABSOLUTE_GATE]
    if not audible:
        return ABSOLUTE_GATE
    threshold = loudness(audible) - RELATIVE_GATE
    return loudness([b for b in audible if b > threshold])


def clip_loudness(path: Path) -> Loudness:
    """The loudness of a whole source file, measured once per content and cached."""
    sha = file_sha256(path)
    entry = cache_root() / "loudness" / f"{sha}.json"
    # A damaged entry ([], strings, NaN, missing or extra fields) is measured again, never trusted.
    kept = load_json_object(entry)
    if (
        isinstance(kept, dict)
        and kept.keys() == {f.name for f in fields(Loudness)}
        and all(isinstance(v, int | float) and math.isfinite(v) for v in kept.values())
    ):
        return Loudness(**kept)
    result = measure(["-i", str(path)], f"measuring the loudness of {path.name}")
    write_text(entry, json.dumps(asdict(result)))
    return result

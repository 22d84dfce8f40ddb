"""The provenance record beside every film, and re-checking it later.

A trigger film may later serve as evidence of improvement work, so it must say exactly what it
contains: the manifest it was made from (by hash), every clip it shows (source, sha256, the
passages as written and as cut, the permission they were shown under), and the tools that made
it. ``film.provenance.json`` holds no clock time on purpose: the same inputs give the same
record, byte for byte, so two renders can be compared with ``cmp``.

``verify_folder`` re-hashes the sources (and the film's own files) listed in a record and
reports any that changed or went missing.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .. import __version__
from ..captions.profiles import CaptionProfile
from ..consent.ledger import ConsentEntry, consent_ledger
from ..editplan.timeline import Cut, Timeline
from ..errors import TriggerfilmError
from ..manifest.init import MEDIA_SUFFIXES
from ..manifest.model import Anchor, ClipRef, Manifest
from ..media.probe import count_frames
from ..sources.resolve import SourceClip
from ..store import JsonDocument, load_json_object, sha256_of, write_text
from ..transcripts.model import Transcript
from ..transcripts.options import TranscribeOptions

PROVENANCE_NAME = "film.provenance.json"
PROVENANCE_SUFFIX = ".provenance.json"
PROVENANCE_VERSION = 1
# How a record is read back (by verify and signoff), and what is said when it cannot be.
PROVENANCE = JsonDocument(
    what="provenance record",
    expected=f"the JSON that `triggerfilm render` writes as {PROVENANCE_NAME}",
    hint="Restore the record from a copy, or render the film again",
    missing_hint="Give the folder a film was rendered into",
)
# The film's own files, hashed when present so ``verify`` also notices an edited output.
OUTPUT_FILES = (
    "film.mp4", "film.srt", "film.vtt", "film.ttml", "timeline.json", "transcript.txt",
    "transcript.html",
)  # fmt: skip


def timeline_sha256(timeline: Timeline) -> str:
    """A hash of the timeline's content, independent of how its JSON was indented."""
    text = json.dumps(timeline.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def provenance_record(
    manifest: Manifest,
    timeline: Timeline,
    *,
    sources: Mapping[str, SourceClip],
    transcripts: Mapping[str, Transcript],
    transcribe_options: TranscribeOptions,
    caption_profile: CaptionProfile,
    corrections: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What the film contains and how it was made, as plain JSON-ready data.

    ``corrections`` maps the clips whose transcript a person corrected to the SHA-256 of the
    corrected words; every clip's entry says whether its captions were corrected by a person.
    """
    ledger = {e.clip: e for e in consent_ledger(manifest, sources)}
    selections = {
        s.origin.field: s for touchpoint in manifest.touchpoints for s in touchpoint.selections
    }
    clips: dict[str, dict[str, Any]] = {}
    for item, first in zip(timeline.items, timeline.starts(), strict=True):
        if not isinstance(item, Cut):
            continue
        if item.clip_id not in clips:
            clips[item.clip_id] = _clip_entry(
                manifest, item, sources.get(item.clip_id), ledger.get(item.clip_id),
                transcripts.get(item.clip_id),
            )  # fmt: skip
            correction = (corrections or {}).get(item.clip_id)
            clips[item.clip_id]["captions_corrected_by_person"] = correction is not None
            if correction is not None:
                clips[item.clip_id]["correction_sha256"] = correction
        selection = selections.get(item.origin)
        out = timeline.source_out(item)
        clips[item.clip_id]["cuts"].append(
            {
                "touchpoint": timeline.touchpoints[item.touchpoint]
                if item.touchpoint < len(timeline.touchpoints)
                else item.touchpoint,
                "selection": item.origin,
                "line": selection.origin.line if selection else None,
                "from": _as_written(selection.start) if selection else None,
                "to": _as_written(selection.end) if selection else None,
                "in": round(item.source_in, 3),
                "out": round(out, 3),
                "film_in": round(first / timeline.fps, 3),
                "spoken": " ".join(w.text.strip() for w in item.words),
                "valence": item.valence,
            }
        )
    return {
        "provenance_version": PROVENANCE_VERSION,
        "title": timeline.title,
        "manifest": {
            "path": str(manifest.path),
            "sha256": sha256_of(manifest.path),
        },
        "timeline_sha256": timeline_sha256(timeline),
        "duration_seconds": round(timeline.duration, 3),
        "frames": timeline.frames,
        "fps": timeline.fps,
        "clips": list(clips.values()),
        "transcription": transcribe_options.to_dict(),
        "caption_profile": {
            "name": caption_profile.name,
            "settings": asdict(caption_profile),
        },
        "versions": tool_versions(),
    }


def _clip_entry(
    manifest: Manifest,
    cut: Cut,
    source: SourceClip | None,
    consent: ConsentEntry | None,
    transcript: Transcript | None,
) -> dict[str, Any]:
    ref = manifest.clip(cut.clip_id)
    path = str(source.path) if source is not None else cut.source
    entry: dict[str, Any] = {
        "id": cut.clip_id,
        "narrator": cut.narrator,
        "kind": "archive" if ref.archive else "local",
        "source": _archive_url(manifest, ref) or path,
        "path": path,
        "sha256": cut.source_sha256,
        "media_type": cut.media_type,
    }
    if ref.archive:
        entry["archive"] = {
            "name": ref.archive,
            "catalogue": manifest.archives.get(ref.archive),
            "clip": ref.archive_clip,
            "attribution": source.terms.attribution if source and source.terms else None,
        }
    if consent is not None:
        entry["permission"] = {
            "basis": consent.basis,
            "basis_from": consent.basis_from,
            "uses": list(consent.uses),
            "expires": consent.expires.isoformat() if consent.expires else None,
            "withdrawn": consent.withdrawn,
            "approved_clips": consent.approved_clips if consent.kind == "local" else None,
        }
    if transcript is not None:
        entry["transcript"] = {"engine": transcript.engine, "model": transcript.model}
    entry["cuts"] = []
    return entry


def _archive_url(manifest: Manifest, ref: ClipRef) -> str | None:
    """The media's URL for clips of a URL archive (the local path is a cache copy)."""
    location = manifest.archives.get(ref.archive or "")
    if not location or "://" not in location:
        return None
    from ..sources.catalogue import load_archive

    assert ref.archive_clip is not None  # the manifest loader requires it with an archive
    assert ref.archive is not None  # checked above: only archive clips have a URL
    # Resolving the sources already read this archive and reported what it noticed.
    archive = load_archive(manifest, ref.archive)
    return archive.media_location(archive.clip(ref.archive_clip))


def _as_written(anchor: Anchor) -> str | float | None:
    return anchor.quote if anchor.quote is not None else anchor.seconds


def tool_versions() -> dict[str, str | None]:
    """Versions of the tools that shape the picture, sound, words and captions."""

    def package(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    try:
        import imageio_ffmpeg

        ffmpeg = imageio_ffmpeg.get_ffmpeg_version()
    except Exception:  # a missing or broken ffmpeg must not stop the record being written
        ffmpeg = None
    return {
        "triggerfilm": __version__,
        "ffmpeg": ffmpeg,
        "imageio-ffmpeg": package("imageio-ffmpeg"),
        # Pillow draws the cards and straps; the film's pixels otherwise come from ffmpeg.
        "pillow": package("pillow"),
        "faster-whisper": package("faster-whisper"),
        "python": platform.python_version(),
    }


def write_provenance(
    out_dir: str | Path,
    record: dict[str, Any],
    files: Iterable[str | Path] | None = None,
    stem: str = "film",
) -> Path:
    """Write ``record`` as ``out_dir/<stem>.provenance.json`` with the outputs' hashes.

    ``files`` are the outputs to hash (names relative to ``out_dir`` or paths in it); by
    default the usual film.* companions that exist.
    """
    out_dir = Path(out_dir)
    names = [Path(f).name for f in files] if files is not None else list(OUTPUT_FILES)
    record = dict(record)
    record["outputs"] = {
        name: sha256_of(out_dir / name) for name in names if (out_dir / name).is_file()
    }
    path = out_dir / f"{stem}{PROVENANCE_SUFFIX}"
    previous = _previous_signoffs(path)
    if previous:
        # A new render keeps earlier sign-offs so that verify can say they no longer hold.
        record["signoffs"] = previous
    write_text(path, json.dumps(record, indent=1, ensure_ascii=False) + "\n", preserve_format=False)
    return path


def _previous_signoffs(path: Path) -> list[Any]:
    # No earlier record, or one too damaged to read, has no sign-offs to carry over.
    old = load_json_object(path)
    signoffs = old.get("signoffs") if isinstance(old, dict) else None
    return signoffs if isinstance(signoffs, list) else []


@dataclass(frozen=True)
class Drift:
    """A file whose content is not what the record says."""

    kind: str  # "source", "output", "manifest" or "picture" (the film's length is wrong)
    name: str
    path: str
    expected: str
    found: str | None  # None: the file is missing

    def describe(self) -> str:
        if self.found is None:
            return f"{self.kind} {self.name}: missing ({self.path})"
        if self.kind == "picture":
            return (
                f"output {self.name}: has {self.found} where the timeline has {self.expected} "
                f"({self.path}); render it again"
            )
        return (
            f"{self.kind} {self.name}: changed ({self.path}): "
            f"sha256 {self.found[:12]}…, recorded {self.expected[:12]}…"
        )


@dataclass(frozen=True)
class VerifyReport:
    """What checking a film's folder against its provenance found: how many recorded files were
    hashed again, those that drifted, and whether each caption sign-off still holds. ``records`` are
    the provenance files read."""

    records: tuple[Path, ...]
    checked: int
    drift: tuple[Drift, ...]
    signoffs: tuple[Any, ...] = ()  # reports.signoff.SignoffCheck, one per recorded sign-off

    @property
    def ok(self) -> bool:
        return not self.drift and all(s.valid for s in self.signoffs)

    def to_text(self) -> str:
        names = ", ".join(str(r) for r in self.records)
        if not self.drift:
            lines = [f"{names}: all {self.checked} files match their recorded sha256."]
        else:
            lines = [f"{names}: {len(self.drift)} of {self.checked} files drifted:"]
            lines += [f"  {d.describe()}" for d in self.drift]
        lines += [s.describe() for s in self.signoffs]
        return "\n".join(lines) + "\n"


def verify_folder(out_dir: str | Path) -> VerifyReport:
    """Re-hash the sources, manifest and outputs listed in every record in ``out_dir``.

    A folder normally holds ``film.provenance.json``; previews and touchpoint films rendered
    into it have records of their own (``<stem>.provenance.json``), checked too.
    """
    out_dir = Path(out_dir)
    records = sorted(out_dir.glob(f"*{PROVENANCE_SUFFIX}")) if out_dir.is_dir() else []
    if not records:
        raise TriggerfilmError(
            "no provenance record",
            where=out_dir / PROVENANCE_NAME,
            hint="Give the folder a film was rendered into",
        )
    checked, drift, signoffs = 0, [], []
    for record_path in records:
        count, found, signed = _verify_record(record_path, out_dir)
        checked += count
        drift += found
        signoffs += signed
    return VerifyReport(tuple(records), checked, tuple(drift), tuple(signoffs))


def _verify_record(record_path: Path, out_dir: Path) -> tuple[int, list[Drift], list[Any]]:
    record = PROVENANCE.read(record_path)
    with PROVENANCE.fields(record_path):
        checks = [("source", clip["id"], clip["path"], clip["sha256"]) for clip in record["clips"]]
        checks.append(
            ("manifest", Path(record["manifest"]["path"]).name, record["manifest"]["path"],
             record["manifest"]["sha256"])
        )  # fmt: skip
        checks += [
            ("output", name, str(Path(out_dir) / name), digest)
            for name, digest in record.get("outputs", {}).items()
        ]
    # Refuse the whole record before touching any file: a crafted record must learn nothing
    # about a file it names (not even whether it exists).
    for kind, name, path, expected in checks:
        problem = _not_ours(kind, name, path, expected, out_dir)
        if problem:
            raise TriggerfilmError(
                f"{kind} {name!r} names {path!r}, {problem}; nothing was read",
                where=record_path,
                expected="a record written by `triggerfilm render`: outputs inside the folder, "
                "sources that are media files, a manifest that is YAML",
                hint="verify reads only files inside the folder it checks and the media and "
                "manifest a render records; restore the record or render again",
            )
    with PROVENANCE.fields(record_path):
        signed = {
            name
            for signoff in record.get("signoffs") or []
            if isinstance(signoff, dict)
            for name in (signoff.get("files") or {})
        }
    for name in sorted(signed):
        problem = _not_ours("output", name, str(out_dir / name), "", out_dir)
        if problem:
            raise TriggerfilmError(
                f"a sign-off names {name!r}, {problem}; nothing was read",
                where=record_path,
                hint="restore the record or sign off again",
            )
    drift = []
    hashed: dict[str, str | None] = {}
    for kind, name, path, expected in checks:
        file = Path(path)
        found = sha256_of(file) if file.is_file() else None
        if kind == "output":
            hashed[name] = found
        if found != expected:
            drift.append(Drift(kind, name, path, expected, found))
    for name in signed - hashed.keys():
        file = out_dir / name
        hashed[name] = sha256_of(file) if file.is_file() else None
    drift += _picture_drift(record, out_dir, drift)
    from .signoff import check_signoffs

    with PROVENANCE.fields(record_path):
        return len(checks), drift, check_signoffs(record, out_dir, hashed)


def _not_ours(kind: str, name: str, path: str, expected: str, out_dir: Path) -> str | None:
    """Why ``path`` is not a file a render records (None when it may be read)."""
    if not all(isinstance(x, str) for x in (name, path, expected)) or "\0" in path:
        return "which is not a path"
    file = Path(path)
    if kind == "output":
        inside = Path(name).name == name and name not in ("", ".", "..")
        if not inside or file.resolve().parent != out_dir.resolve():
            return f"which is not a file inside {out_dir}"
        return None
    if kind == "manifest":
        return None if file.suffix.lower() in (".yaml", ".yml") else "which is not a manifest"
    # A source is a media file, or an archive download stored under its own SHA-256.
    if file.suffix.lower() in MEDIA_SUFFIXES:
        return None
    if (
        file.name == expected.lower()
        and len(expected) == 64
        and file.parent.parent.name == "sha256"
    ):
        return None
    return "which is not a media file"


def _picture_drift(record: dict[str, Any], out_dir: Path, drift: list[Drift]) -> list[Drift]:
    """The film's frame count against the timeline's: a film joined from a damaged segment has
    the hash it was written with, but not the length it was meant to have."""
    frames = record.get("frames")
    if not isinstance(frames, int):
        return []
    changed = {d.name for d in drift}
    found = []
    for name in record.get("outputs", {}):
        film = Path(out_dir) / str(name)
        if film.suffix != ".mp4" or film.parent != Path(out_dir) or name in changed:
            continue
        if film.is_file() and (count := count_frames(film)) != frames:
            found.append(Drift("picture", name, str(film), f"{frames} frames", f"{count} frames"))
    return found

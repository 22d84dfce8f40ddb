"""Start a new project: a manifest listing the media files found in a folder, ready to fill in."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from ..errors import ManifestError
from ..store import regular_file_problem, write_text

MEDIA_SUFFIXES = {
    ".mp4",
    ".mov",
    ".m4v",
    ".mkv",
    ".webm",
    ".avi",
    ".mts",
    ".m4a",
    ".mp3",
    ".wav",
    ".flac",
    ".ogg",
    ".opus",
    ".aac",
}
AUDIO_SUFFIXES = {".m4a", ".mp3", ".wav", ".flac", ".ogg", ".opus", ".aac"}


def find_media(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        # Our own outputs and hidden folders are not narratives.
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "out")
        found += [
            Path(root) / f
            for f in sorted(files)
            if Path(f).suffix.lower() in MEDIA_SUFFIXES
            # Only regular, non-empty files: a named pipe, a link loop or an empty "clip.mp4"
            # would only make the manifest fail to load.
            and regular_file_problem(Path(root) / f, "a media file") is None
        ]
    return found


def starter_manifest(folder: Path, manifest_name: str = "film.yaml") -> Path:
    """Write ``folder/manifest_name`` listing every media file below ``folder``."""
    if not folder.is_dir():  # False for a link loop too, which resolve() would raise on
        raise ManifestError("is not a folder", where=folder, expected="a folder of media files")
    folder = folder.resolve()
    target = folder / manifest_name
    if target.exists():
        raise ManifestError(
            "already exists", where=target, hint="Edit it, or remove it to start again"
        )
    media = find_media(folder)
    if not media:
        raise ManifestError(
            "holds no audio or video files",
            where=folder,
            expected="files ending " + ", ".join(sorted(MEDIA_SUFFIXES)),
        )
    clips = []
    for number, path in enumerate(media, start=1):
        clip = {
            "id": f"clip{number:02d}",
            "media": path.relative_to(folder).as_posix(),
            "narrator": f"NARRATOR{number:02d}",
            "descriptor": "describe the narrator, e.g. 'daughter of a patient, 50s'",
            # Films refuse local clips without a consent record: start one to fill in.
            "consent": {
                "basis": "the consent form's id",
                "uses": ["joint-event"],
                "approved_clips": False,
            },
        }
        if path.suffix.lower() in AUDIO_SUFFIXES:
            clip["media_type"] = "audio-only"
        clips.append(clip)
    body = {
        "title": "Our trigger film",
        "clips": clips,
        "touchpoints": [
            {
                "title": "First touchpoint, e.g. Receiving the diagnosis",
                "selections": [{"clip": clips[0]["id"], "from": 0.0, "to": 10.0}],
            }
        ],
    }
    header = (
        "# triggerfilm manifest: see docs/manifest.md for every key.\n"
        "# 1. Give each clip its narrator's pseudonymous code and a short descriptor.\n"
        "# 2. Run `triggerfilm transcribe film.yaml`, then read the transcripts.\n"
        "# 3. List touchpoints in care-pathway order; select passages by time\n"
        "#    (seconds or m:ss) or by quoting the first and last few words.\n"
        "# 4. Record each narrator's consent; set approved_clips: true once they\n"
        "#    have approved these passages (`triggerfilm approval-pack` helps).\n"
    )
    text = header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
    write_text(target, text)
    return target

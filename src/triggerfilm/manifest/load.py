"""Load a manifest strictly: every key known, every type checked, every file present.

Errors name the manifest file, the field path and line, and what was expected, because the person
fixing them is a facilitator with a text editor, not a programmer with a debugger.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from ..errors import ManifestError
from .consent_keys import parse_consent
from .model import (
    MEDIA_TYPES,
    SPEAKER_LABELS,
    VALENCES,
    Anchor,
    ClipRef,
    Consent,
    Manifest,
    Origin,
    OutputSettings,
    Selection,
    Touchpoint,
)
from .redaction_keys import parse_redactions
from .yamlnodes import describe_value, join_path, load_located

TOP_KEYS = (
    "title", "description", "credits", "output", "transcription", "archives", "clips",
    "touchpoints",
)  # fmt: skip
TRANSCRIPTION_KEYS = ("model",)
OUTPUT_KEYS = (
    "width", "height", "fps", "card_seconds", "caption_profile", "speaker_labels",
    "redaction_text",
)  # fmt: skip
CLIP_KEYS = (
    "id", "media", "archive", "clip", "narrator", "descriptor", "media_type", "transcript",
    "consent",
)  # fmt: skip
TOUCHPOINT_KEYS = ("title", "description", "content_note", "interleave", "selections")
SELECTION_KEYS = ("clip", "from", "to", "valence", "note", "redact")

# "75", "1:15", "0:01:15.5": a timecode written as a string. Anything else is a quote.
_TIMECODE = re.compile(r"^\s*(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)\s*$")


class _Reader:
    def __init__(self, path: Path, lines: dict[str, int]) -> None:
        self.path = path
        self.lines = lines

    def origin(self, at: str) -> Origin:
        return Origin(self.path, at, self._line(at))

    def _line(self, at: str) -> int | None:
        # A missing key has no line of its own: report the mapping that should hold it.
        while at not in self.lines and at:
            parent = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", at)
            at = "" if parent == at else parent  # a top-level key's parent is the document
        return self.lines.get(at)

    def fail(self, at: str, message: str, expected: str | None = None, hint: str | None = None):
        raise ManifestError(
            message,
            where=self.path,
            line=self._line(at),
            field=at or None,
            expected=expected,
            hint=hint,
        )

    def mapping(self, value: Any, at: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(at, f"is {describe_value(value)}", expected="a mapping of keys to values")
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"Did you mean '{close[0]}'?" if close else None
                self.fail(
                    join_path(at, key),
                    f"unknown key '{key}'",
                    expected="one of " + ", ".join(allowed),
                    hint=hint,
                )
        return value

    def text(self, data: dict, at: str, key: str, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(join_path(at, key), "is missing", expected="some text")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(join_path(at, key), f"is {describe_value(value)}", expected="non-empty text")
        return value.strip()

    def number(self, data: dict, at: str, key: str, default, *, minimum: float, integer=False):
        value = data.get(key, default)
        wanted = "a whole number" if integer else "a number"
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok:
            self.fail(join_path(at, key), f"is {describe_value(value)}", expected=wanted)
        if value < minimum:
            self.fail(join_path(at, key), f"is {value}", expected=f"{wanted} of at least {minimum}")
        return value

    def sequence(self, data: dict, at: str, key: str, required: bool = True) -> list:
        value = data.get(key)
        where = join_path(at, key)
        if value is None:
            if required:
                self.fail(where, "is missing", expected="a list")
            return []
        if not isinstance(value, list):
            self.fail(where, f"is {describe_value(value)}", expected="a list")
        if required and not value:
            self.fail(where, "is empty", expected="at least one entry")
        return value


def load_manifest(path: str | Path) -> Manifest:
    """Read and validate a manifest; paths inside it resolve relative to the manifest file."""
    path = Path(path).resolve()
    data, lines = load_located(path)
    r = _Reader(path, lines)
    if data is None:
        r.fail("", "is empty", expected="a manifest with title, clips and touchpoints")
    top = r.mapping(data, "", TOP_KEYS)
    title = r.text(top, "", "title", required=True)

    output = _output(r, top.get("output"))
    transcription_model = _transcription_model(r, top.get("transcription"), path.parent)
    archives = _archives(r, top.get("archives"))
    clips = tuple(
        _clip(r, item, join_path("clips", i), archives)
        for i, item in enumerate(r.sequence(top, "", "clips"))
    )
    seen: dict[str, str] = {}
    for clip in clips:
        if clip.id in seen:
            r.fail(
                join_path(clip.origin.field, "id"),
                f"'{clip.id}' is used twice",
                expected="a unique id",
                hint=f"It is also the id of {seen[clip.id]}",
            )
        seen[clip.id] = clip.origin.field

    touchpoints = tuple(
        _touchpoint(r, item, join_path("touchpoints", i), seen)
        for i, item in enumerate(r.sequence(top, "", "touchpoints"))
    )
    return Manifest(
        path=path,
        title=title,
        clips=clips,
        touchpoints=touchpoints,
        output=output,
        archives=archives,
        description=r.text(top, "", "description"),
        credits=r.text(top, "", "credits"),
        transcription_model=transcription_model,
    )


def _transcription_model(r: _Reader, value: Any, folder: Path) -> str | None:
    """The Whisper model the manifest asks for: a name (tiny, base) or a folder/file path,
    relative to the manifest. Whether the name is usable is checked where models are known."""
    if value is None:
        return None
    data = r.mapping(value, "transcription", TRANSCRIPTION_KEYS)
    model = r.text(data, "transcription", "model")
    if model and ("/" in model or "\\" in model or model.startswith(".")):
        return str((folder / model).resolve())
    return model


def _output(r: _Reader, value: Any) -> OutputSettings:
    if value is None:
        return OutputSettings()
    data = r.mapping(value, "output", OUTPUT_KEYS)
    defaults = OutputSettings()
    width = r.number(data, "output", "width", defaults.width, minimum=16, integer=True)
    height = r.number(data, "output", "height", defaults.height, minimum=16, integer=True)
    for key, size in (("width", width), ("height", height)):
        if size % 2:
            r.fail(f"output.{key}", f"is {size}", expected="an even number (H.264 needs it)")
    return OutputSettings(
        width=width,
        height=height,
        fps=r.number(data, "output", "fps", defaults.fps, minimum=1, integer=True),
        card_seconds=float(
            r.number(data, "output", "card_seconds", defaults.card_seconds, minimum=0)
        ),
        caption_profile=r.text(data, "output", "caption_profile") or defaults.caption_profile,
        speaker_labels=_choice(r, data, "output", "speaker_labels", SPEAKER_LABELS, "auto"),
        redaction_text=r.text(data, "output", "redaction_text") or defaults.redaction_text,
    )


def _choice(r: _Reader, data: dict, at: str, key: str, allowed: tuple[str, ...], default: str):
    value = r.text(data, at, key) or default
    if value not in allowed:
        r.fail(join_path(at, key), f"is '{value}'", expected=" or ".join(allowed))
    return value


def _archives(r: _Reader, value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        r.fail(
            "archives",
            f"is {describe_value(value)}",
            expected="a mapping of archive name to folder or URL",
        )
    result = {}
    for name, location in value.items():
        at = join_path("archives", name)
        if not isinstance(location, str) or not location.strip():
            r.fail(at, f"is {describe_value(location)}", expected="a folder path or an https URL")
        if re.match(r"^[a-z][a-z0-9+.-]*://", location):
            result[name] = location
        else:
            folder = (r.path.parent / location).resolve()
            if not folder.is_dir():
                r.fail(
                    at,
                    f"folder {folder} does not exist",
                    expected="an archive folder",
                    hint="Paths are relative to the manifest file",
                )
            result[name] = str(folder)
    return result


def _clip(r: _Reader, value: Any, at: str, archives: dict[str, str]) -> ClipRef:
    data = r.mapping(value, at, CLIP_KEYS)
    clip_id = r.text(data, at, "id", required=True)
    media_text = r.text(data, at, "media")
    archive = r.text(data, at, "archive")
    archive_clip = r.text(data, at, "clip")
    media = None
    if media_text and archive:
        r.fail(
            join_path(at, "archive"),
            "is given together with 'media'",
            expected="either a local 'media' file or an 'archive' with a 'clip' id",
        )
    if media_text:
        media = (r.path.parent / media_text).resolve()
        if not media.is_file():
            r.fail(
                join_path(at, "media"),
                f"file {media} does not exist",
                expected="a path to an audio or video file",
                hint="Paths are relative to the manifest file",
            )
    elif archive:
        if archive not in archives:
            known = ", ".join(archives) or "none are declared under 'archives'"
            r.fail(
                join_path(at, "archive"),
                f"archive '{archive}' is not declared",
                expected=f"one of: {known}",
            )
        if not archive_clip:
            r.fail(join_path(at, "clip"), "is missing", expected="the clip id in the archive")
    else:
        r.fail(
            join_path(at, "media"),
            "is missing",
            expected="'media: path/to/file' or 'archive: NAME' with 'clip: ID'",
        )
    if archive_clip and not archive:
        r.fail(join_path(at, "clip"), "is given without 'archive'", expected="'archive: NAME'")
    media_type = r.text(data, at, "media_type")
    if media_type is not None and media_type not in MEDIA_TYPES:
        r.fail(join_path(at, "media_type"), f"is '{media_type}'", expected=" or ".join(MEDIA_TYPES))
    narrator = r.text(data, at, "narrator")
    if media and not narrator:
        r.fail(
            join_path(at, "narrator"),
            "is missing",
            expected="the narrator's pseudonymous code, e.g. ICU07",
        )
    return ClipRef(
        id=clip_id,
        origin=r.origin(at),
        media=media,
        archive=archive,
        archive_clip=archive_clip,
        narrator=narrator,
        descriptor=r.text(data, at, "descriptor"),
        media_type=media_type,
        transcript=r.text(data, at, "transcript"),
        consent=_consent(r, data.get("consent"), join_path(at, "consent")),
    )


def _consent(r: _Reader, value: Any, at: str) -> Consent | None:
    """A clip's ``consent:`` block; what is missing is decided by the consent ledger."""

    def fail(field: str, message: str, expected: str | None, hint: str | None):
        r.fail(field, message, expected=expected, hint=hint)

    return parse_consent(value, at, r.origin(at), fail)


def _touchpoint(r: _Reader, value: Any, at: str, clip_ids: dict[str, str]) -> Touchpoint:
    data = r.mapping(value, at, TOUCHPOINT_KEYS)
    selections = tuple(
        _selection(r, item, join_path(join_path(at, "selections"), i), clip_ids)
        for i, item in enumerate(r.sequence(data, at, "selections"))
    )
    return Touchpoint(
        title=r.text(data, at, "title", required=True),
        selections=selections,
        origin=r.origin(at),
        description=r.text(data, at, "description"),
        content_note=r.text(data, at, "content_note"),
        interleave=_flag(r, data, at, "interleave", default=True),
    )


def _flag(r: _Reader, data: dict, at: str, key: str, *, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        r.fail(join_path(at, key), f"is {describe_value(value)}", expected="true or false")
    return value


def _selection(r: _Reader, value: Any, at: str, clip_ids: dict[str, str]) -> Selection:
    data = r.mapping(value, at, SELECTION_KEYS)
    clip = r.text(data, at, "clip", required=True)
    if clip not in clip_ids:
        close = difflib.get_close_matches(clip, list(clip_ids), n=1)
        r.fail(
            join_path(at, "clip"),
            f"no clip has the id '{clip}'",
            expected="the id of an entry under 'clips'",
            hint=f"Did you mean '{close[0]}'?" if close else None,
        )
    start = _anchor(r, data, at, "from")
    end = _anchor(r, data, at, "to")
    if start.seconds is not None and end.seconds is not None and end.seconds <= start.seconds:
        r.fail(
            join_path(at, "to"),
            f"is {end.seconds:g} s, not after 'from' ({start.seconds:g} s)",
            expected="an end time later than the start time",
        )
    valence = r.text(data, at, "valence")
    if valence is not None and valence not in VALENCES:
        r.fail(join_path(at, "valence"), f"is '{valence}'", expected=", ".join(VALENCES))
    return Selection(
        clip=clip,
        start=start,
        end=end,
        origin=r.origin(at),
        valence=valence,
        note=r.text(data, at, "note"),
        redact=parse_redactions(r, data.get("redact"), join_path(at, "redact")),
    )


def _anchor(r: _Reader, data: dict, at: str, key: str) -> Anchor:
    where = join_path(at, key)
    value = data.get(key)
    if value is None:
        r.fail(
            where, "is missing", expected="a time (seconds or m:ss) or a quote of the words spoken"
        )
    if isinstance(value, bool):
        r.fail(where, f"is {describe_value(value)}", expected="a time or a quote")
    if isinstance(value, int | float):
        if value < 0:
            r.fail(where, f"is {value}", expected="a time of 0 seconds or more")
        return Anchor(seconds=float(value), line=r.lines.get(where))
    if not isinstance(value, str) or not value.strip():
        r.fail(where, f"is {describe_value(value)}", expected="a time or a quote")
    match = _TIMECODE.match(value)
    if match:
        hours_or_minutes, minutes, seconds = match.groups()
        parts = [float(p) for p in (hours_or_minutes, minutes) if p is not None]
        total = 0.0
        for part in parts:
            total = total * 60 + part
        seconds_total = total * 60 + float(seconds) if parts else float(seconds)
        return Anchor(seconds=seconds_total, line=r.lines.get(where))
    if len(value.split()) < 2:
        r.fail(
            where,
            f"quote '{value}' is a single word",
            expected="a quote of at least two words, so it can be found unambiguously",
        )
    return Anchor(quote=" ".join(value.split()), line=r.lines.get(where))

"""Load a manifest strictly: every key known, every type checked, every file present.

Errors name the manifest file, the field path and line, and what was expected, because the person
fixing them is a facilitator with a text editor, not a programmer with a debugger.
"""

from __future__ import annotations

import difflib
import os
import re
import urllib.parse
from pathlib import Path
from typing import Any

from ..errors import ManifestError, shown
from ..store import regular_file_problem
from ..yamlread import StrictReader, describe_value, join_path, load_located
from .consent_keys import parse_consent
from .model import (
    CAPTION_PROFILES,
    MEDIA_TYPES,
    NARRATOR_ROLES,
    SPEAKER_LABELS,
    VALENCES,
    Anchor,
    ClipRef,
    Consent,
    Manifest,
    Narrator,
    Origin,
    OutputSettings,
    Selection,
    Touchpoint,
)
from .redaction_keys import parse_redactions

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
    "consent", "role", "sex", "age_band",
)  # fmt: skip
ARCHIVE_KEYS = ("location", "insecure")
TOUCHPOINT_KEYS = ("title", "description", "content_note", "prompt", "interleave", "selections")
SELECTION_KEYS = ("clip", "from", "to", "valence", "note", "redact")

# "75", "1:15", "0:01:15.5": a timecode written as a string. Anything else is a quote.
_TIMECODE = re.compile(r"^\s*(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)\s*$")


class _Reader(StrictReader):
    """The strict reader, plus the origin a manifest records for every clip and selection."""

    def __init__(self, path: Path, lines: dict[str, int]) -> None:
        super().__init__(path, lines, ManifestError)
        self.path = path

    def origin(self, at: str) -> Origin:
        return Origin(self.path, at, self.line(at))


def load_manifest(path: str | Path) -> Manifest:
    """Read and validate a manifest; paths inside it resolve relative to the manifest file."""
    path = Path(path)
    problem = regular_file_problem(path, "a manifest (a YAML text file)", allow_empty=True)
    if problem and problem != "does not exist":  # a missing file: load_located says how to start
        raise ManifestError(problem, where=path, expected="the manifest's YAML file")
    path = path.resolve()
    data, lines = load_located(path)
    r = _Reader(path, lines)
    if data is None:
        r.fail("", "is empty", expected="a manifest with title, clips and touchpoints")
    top = r.mapping(data, "", TOP_KEYS)
    title = r.text(top, "", "title", required=True)

    output = _output(r, top.get("output"))
    transcription_model = _transcription_model(r, top.get("transcription"), path.parent)
    archives, insecure = _archives(r, top.get("archives"))
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
        insecure_archives=insecure,
    )


# The largest picture and frame rate a film may ask for: 8K UHD at 120 frames a second. Beyond
# them ffmpeg and Pillow would try to allocate gigabytes before failing.
MAX_WIDTH, MAX_HEIGHT, MAX_FPS = 7680, 4320, 120
# A title card longer than this is a mistake (1e308 overflowed when turned into frames).
MAX_CARD_SECONDS = 600


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
    width = r.whole_number(data, "output", "width", defaults.width, minimum=16)
    height = r.whole_number(data, "output", "height", defaults.height, minimum=16)
    for key, size, largest in (("width", width, MAX_WIDTH), ("height", height, MAX_HEIGHT)):
        if size > largest:
            r.fail(f"output.{key}", f"is {size}", expected=f"at most {largest} (8K UHD)")
        if size % 2:
            r.fail(f"output.{key}", f"is {size}", expected="an even number (H.264 needs it)")
    fps = r.whole_number(data, "output", "fps", defaults.fps, minimum=1)
    if fps > MAX_FPS:
        r.fail("output.fps", f"is {fps}", expected=f"a frame rate from 1 to {MAX_FPS}")
    return OutputSettings(
        width=width,
        height=height,
        fps=fps,
        card_seconds=float(
            r.number(
                data,
                "output",
                "card_seconds",
                defaults.card_seconds,
                minimum=0,
                maximum=MAX_CARD_SECONDS,
            )
        ),
        caption_profile=_choice(
            r, data, "output", "caption_profile", CAPTION_PROFILES, defaults.caption_profile
        ),
        speaker_labels=_choice(r, data, "output", "speaker_labels", SPEAKER_LABELS, "auto"),
        redaction_text=r.text(data, "output", "redaction_text") or defaults.redaction_text,
    )


def _choice(
    r: _Reader, data: dict[str, Any], at: str, key: str, allowed: tuple[str, ...], default: str
) -> str:
    value = r.text(data, at, key) or default
    if value not in allowed:
        r.fail(join_path(at, key), f"is '{value}'", expected=" or ".join(allowed))
    return value


def _archives(r: _Reader, value: Any) -> tuple[dict[str, str], frozenset[str]]:
    """Each archive's folder or URL, and the names of those marked ``insecure: true``.

    An entry is a folder or https URL, or a mapping ``{location: ..., insecure: true}``: plain
    http:// is refused unless the entry says insecure, because the catalogue it serves supplies
    the checksums and permissions that make archive clips trustworthy.
    """
    if value is None:
        return {}, frozenset()
    if not isinstance(value, dict):
        r.fail(
            "archives",
            f"is {describe_value(value)}",
            expected="a mapping of archive name to folder or URL",
        )
    result = {}
    insecure = set()
    for name, entry in value.items():
        at = join_path("archives", name)
        where = at
        flagged = False
        if isinstance(entry, dict):
            data = r.mapping(entry, at, ARCHIVE_KEYS)
            where = join_path(at, "location")
            location = data.get("location")
            if location is None:
                r.fail(where, "is missing", expected="the archive's folder or https URL")
            flagged = r.flag(data, at, "insecure", default=False)
        else:
            location = entry
        if not isinstance(location, str) or not location.strip():
            r.fail(
                where, f"is {describe_value(location)}", expected="a folder path or an https URL"
            )
        scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://", location)
        if scheme:
            kind = scheme.group(1).lower()
            if kind == "http" and not flagged:
                r.fail(
                    where,
                    f"archive '{name}' is a plain http:// address; its catalogue supplies the "
                    "checksums and permissions, which prove nothing over an unencrypted "
                    "connection",
                    expected="an https:// URL or an archive folder",
                    hint="Use the archive's https:// address. Only if there is none and you "
                    "trust every network between you and the server, write "
                    f"`{name}: {{location: {location}, insecure: true}}`; triggerfilm then "
                    "warns on every use",
                )
            if kind not in ("http", "https"):
                r.fail(
                    where,
                    f"'{kind}://' addresses are not archives",
                    expected="an https:// URL or an archive folder",
                )
            try:
                parts = urllib.parse.urlsplit(location)
                parts.port  # noqa: B018 (a bad port is only found when asked for)
            except ValueError as bad_address:
                r.fail(where, f"is not a valid address ({bad_address})", expected="an https:// URL")
            if parts.username is not None or parts.password is not None:
                # Never echoed: the message would print the password.
                r.fail(
                    where,
                    "has a user name or password in the address",
                    expected="an https:// URL without user:password@",
                    hint="Download the archive by hand into a folder and give that folder; "
                    "never write a password into a manifest",
                )
            result[name] = location
        else:
            folder = r.path.parent / location
            # is_dir() is False for a link loop too, so resolve only once it is a folder.
            folder = folder.resolve() if folder.is_dir() else Path(os.path.normpath(folder))
            if not folder.is_dir():
                # Say what is there instead: nothing, a file, a device, a link loop.
                problem = regular_file_problem(folder, "a folder", allow_empty=True)
                r.fail(
                    where,
                    f"{shown(folder)} {problem or 'is a file, not a folder'}",
                    expected="an archive folder holding catalogue.yaml",
                    hint="Paths are relative to the manifest file",
                )
            result[name] = str(folder)
        if flagged:
            # Also lets an https or folder catalogue list http:// media (warned on each use).
            insecure.add(name)
    return result, frozenset(insecure)


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
        media = r.path.parent / media_text
        # Only a regular file is read as media: say what else it is, not "does not exist".
        # (An empty or damaged file is the probe's to report, naming the file.)
        problem = regular_file_problem(media, "a media file", allow_empty=True)
        if problem:
            r.fail(
                join_path(at, "media"),
                f"{shown(os.path.normpath(media))} {problem}",
                expected="a path to an audio or video file",
                hint="Paths are relative to the manifest file"
                if problem == "does not exist"
                else "Give the path of the recording itself",
            )
        media = media.resolve()  # safe now: it is a regular file, so no link loops
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
    role = r.text(data, at, "role")
    if role is not None and role not in NARRATOR_ROLES:
        r.fail(join_path(at, "role"), f"is '{role}'", expected=", ".join(NARRATOR_ROLES))
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
        who=Narrator(
            descriptor=r.text(data, at, "descriptor"),
            role=role,
            sex=r.text(data, at, "sex"),
            age_band=r.text(data, at, "age_band"),
        ),
        media_type=media_type,
        transcript=r.text(data, at, "transcript"),
        consent=_consent(r, data.get("consent"), join_path(at, "consent")),
    )


def _consent(r: _Reader, value: Any, at: str) -> Consent | None:
    """A clip's ``consent:`` block; what is missing is decided by the consent ledger."""
    return parse_consent(r, value, at, r.origin(at))


def _touchpoint(r: _Reader, value: Any, at: str, clip_ids: dict[str, str]) -> Touchpoint:
    data = r.mapping(value, at, TOUCHPOINT_KEYS)
    selections = tuple(
        _selection(r, item, join_path(join_path(at, "selections"), i), clip_ids)
        # An empty touchpoint is a plan in progress (a heading the studio just added); the
        # plan report warns about it.
        for i, item in enumerate(r.sequence(data, at, "selections", required=False))
    )
    return Touchpoint(
        title=r.text(data, at, "title", required=True),
        selections=selections,
        origin=r.origin(at),
        description=r.text(data, at, "description"),
        content_note=r.text(data, at, "content_note"),
        prompt=r.text(data, at, "prompt"),
        interleave=r.flag(data, at, "interleave", default=True),
    )


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


def _anchor(r: _Reader, data: dict[str, Any], at: str, key: str) -> Anchor:
    where = join_path(at, key)
    value = data.get(key)
    if value is None:
        r.fail(
            where, "is missing", expected="a time (seconds or m:ss) or a quote of the words spoken"
        )
    if isinstance(value, bool):
        r.fail(where, f"is {describe_value(value)}", expected="a time or a quote")
    if isinstance(value, int | float):
        return Anchor(seconds=_time(r, where, value), line=r.lines.get(where))
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
        return Anchor(seconds=_time(r, where, seconds_total), line=r.lines.get(where))
    if len(value.split()) < 2:
        r.fail(
            where,
            f"quote '{value}' is a single word",
            expected="a quote of at least two words, so it can be found unambiguously",
        )
    return Anchor(quote=" ".join(value.split()), line=r.lines.get(where))


MAX_SECONDS = 24 * 60 * 60


def _time(r: _Reader, where: str, value: float) -> float:
    """A time in seconds from the start of a clip: finite, not negative, at most a day."""
    if value < 0:
        r.fail(where, f"is {value}", expected="a time of 0 seconds or more")
    if not value <= MAX_SECONDS:  # also catches NaN, which compares false with everything
        r.fail(where, f"is {value:g} s", expected="a time of at most 24 hours (86400 s)")
    return float(value)

"""Reading a catalogue file strictly, with the line of every problem.

YAML is composed into nodes first, so each value's field path (``clips[2].media_type``) maps to
the line it was written on; JSON is parsed by ``json`` and its lines found the same way (JSON
is, near enough, YAML). Unknown keys are errors: a misspelt ``permision`` silently ignored is
how a clip gets shown without the permission anyone thought it had.
"""

from __future__ import annotations

import difflib
import json
import urllib.parse
from pathlib import Path
from typing import Any

from ..errors import SourceError
from ..manifest.consent_keys import parse_consent
from ..manifest.model import Origin
from ..manifest.yamlnodes import describe_value, join_path, parse_located
from .cache import normalise_sha256
from .catalogue_model import MEDIA_TYPES, ROLES, Archive, ArchiveClip, Narrator, is_url
from .download import check_url

_TOP_KEYS = {"archive", "clips"}
_ARCHIVE_KEYS = {"name", "attribution", "licence", "condition"}
_CLIP_KEYS = {
    "id", "interview", "title", "media", "sha256", "media_type", "condition", "topics",
    "narrator", "permission", "attribution", "transcript", "consent",
}  # fmt: skip
_NARRATOR_KEYS = {"descriptor", "role", "sex", "age_band"}


def parse_catalogue(text: str, where: str) -> Archive:
    """Check a catalogue's text and build its Archive; ``where`` is its path or URL."""
    is_json = urllib.parse.urlsplit(where).path.lower().endswith(".json")
    data, lines = _parse_json(text, where) if is_json else _parse_yaml(text, where)
    return _Validator(where, lines).archive(data)


def _parse_yaml(text: str, where: str) -> tuple[Any, dict[str, int]]:
    return parse_located(text, where, SourceError)


def _parse_json(text: str, where: str) -> tuple[Any, dict[str, int]]:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                raise SourceError(f"key {key!r} appears twice in one object", where=where)
            seen[key] = value
        return seen

    try:
        data = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as error:
        raise SourceError(f"not valid JSON: {error.msg}", where=where, line=error.lineno) from None
    # JSON is (nearly) YAML, so the YAML composer can usually tell us the lines too.
    try:
        _, lines = parse_located(text, where, SourceError)
    except SourceError:
        lines = {}
    return data, lines


class _Validator:
    """Turns parsed catalogue values into an Archive, failing at the first problem."""

    def __init__(self, where: str, lines: dict[str, int]) -> None:
        self.where = where
        self.lines = lines
        self.remote = is_url(where)

    def fail(
        self, at: str, message: str, expected: str | None = None, hint: str | None = None
    ) -> SourceError:
        line = self.lines.get(at)
        parent = at
        while line is None and parent:  # a missing field: point at its parent
            parent = parent[: max(parent.rfind("."), parent.rfind("["), 0)]
            line = self.lines.get(parent)
        return SourceError(
            message, where=self.where, line=line, field=at or None, expected=expected, hint=hint
        )

    def mapping(self, value: Any, at: str, allowed: set[str], required: set[str]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(
                at, f"expected a mapping, found {describe_value(value)}", "key: value pairs"
            )
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                raise self.fail(
                    join_path(at, key),
                    f"unknown key {key!r}",
                    "one of " + ", ".join(sorted(allowed)),
                    f"Did you mean {close[0]!r}?" if close else "Remove it",
                )
        for key in sorted(required):
            if value.get(key) is None:
                raise self.fail(join_path(at, key), f"{key!r} is required", hint=f"Add {key}: ...")
        return value

    def text(self, mapping: dict, key: str, at: str) -> str | None:
        value = mapping.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(
                join_path(at, key),
                f"expected text, found {describe_value(value)}",
                "non-empty text",
                "Put the value in quotes",
            )
        return value

    def choice(self, mapping: dict, key: str, at: str, options: tuple[str, ...]) -> str | None:
        value = self.text(mapping, key, at)
        if value is not None and value not in options:
            raise self.fail(
                join_path(at, key), f"{value!r} is not allowed", "one of " + ", ".join(options)
            )
        return value

    def archive(self, data: Any) -> Archive:
        top = self.mapping(data, "", _TOP_KEYS, _TOP_KEYS)
        meta = self.mapping(top["archive"], "archive", _ARCHIVE_KEYS, {"name", "attribution"})
        items = top["clips"]
        if not isinstance(items, list) or not items:
            raise self.fail("clips", f"expected a list of clips, found {describe_value(items)}")
        condition = self.text(meta, "condition", "archive")
        clips: list[ArchiveClip] = []
        first_seen: dict[str, str] = {}
        for index, item in enumerate(items):
            clip = self.clip(item, f"clips[{index}]", condition)
            if clip.id in first_seen:
                line = self.lines.get(first_seen[clip.id])
                raise self.fail(
                    f"clips[{index}].id",
                    f"duplicate clip id {clip.id!r} (first used at {first_seen[clip.id]}"
                    + (f", line {line})" if line else ")"),
                    "a unique id per clip",
                )
            first_seen[clip.id] = f"clips[{index}].id"
            clips.append(clip)
        return Archive(
            name=self.text(meta, "name", "archive"),
            location=self.where,
            attribution=self.text(meta, "attribution", "archive"),
            licence=self.text(meta, "licence", "archive"),
            condition=condition,
            clips=tuple(clips),
        )

    def clip(self, item: Any, at: str, archive_condition: str | None) -> ArchiveClip:
        required = {"id", "interview", "title", "media_type", "narrator", "permission"}
        value = self.mapping(item, at, _CLIP_KEYS, required)
        media_type = self.choice(value, "media_type", at, MEDIA_TYPES)
        media = self.text(value, "media", at)
        sha256 = self.sha256(value, at)
        transcript = self.text(value, "transcript", at)
        if media_type == "text-only":
            for key in ("media", "sha256"):
                if value.get(key) is not None:
                    raise self.fail(
                        join_path(at, key),
                        f"a text-only clip has no {key}",
                        hint="Remove it, or set media_type to video or audio-only",
                    )
            if transcript is None:
                raise self.fail(
                    join_path(at, "transcript"), "a text-only clip needs its transcript"
                )
        else:
            if media is None:
                raise self.fail(
                    join_path(at, "media"),
                    f"'media' is required for a {media_type} clip",
                    "a path relative to the catalogue, or an https:// URL",
                )
            self.check_media(media, sha256, at)
        return ArchiveClip(
            id=self.text(value, "id", at),
            interview=self.text(value, "interview", at),
            title=self.text(value, "title", at),
            media=media,
            sha256=sha256,
            media_type=media_type,
            condition=self.text(value, "condition", at) or archive_condition,
            topics=self.topics(value, at),
            narrator=self.narrator(value["narrator"], join_path(at, "narrator")),
            permission=self.text(value, "permission", at),
            attribution=self.text(value, "attribution", at),
            transcript=transcript,
            line=self.lines.get(at),
            consent=self.consent(value.get("consent"), join_path(at, "consent")),
        )

    def consent(self, value: Any, at: str):
        def fail(field: str, message: str, expected: str | None, hint: str | None):
            raise self.fail(field, message, expected, hint)

        origin = Origin(Path(self.where), at, self.lines.get(at))
        return parse_consent(value, at, origin, fail)

    def check_media(self, media: str, sha256: str | None, at: str) -> None:
        at_media = join_path(at, "media")
        if is_url(media):
            try:
                # Only the kind of address here: whether plain http is allowed depends on the
                # manifest's archive entry, and is decided when the clip is fetched.
                check_url(media, insecure=True)
            except SourceError as error:
                raise self.fail(at_media, error.message, error.expected, error.hint) from None
        elif Path(media).is_absolute() or media.startswith("~"):
            raise self.fail(
                at_media,
                f"{media!r} is an absolute path",
                "a path relative to the catalogue, or an https:// URL",
                "Move the file into the archive folder and give its relative path",
            )
        elif ".." in Path(media).parts:
            raise self.fail(
                at_media,
                f"{media!r} climbs out of the archive folder with '..'",
                "a path inside the archive folder, or an https:// URL",
                "A catalogue may only use files in its own folder: copy the file in and give "
                "its relative path",
            )
        if sha256 is None and (self.remote or is_url(media)):
            raise self.fail(
                join_path(at, "sha256"),
                "media downloaded from the internet needs a sha256",
                "the SHA-256 of the media file (64 hex digits)",
                "Run `sha256sum` on the original file and add sha256: <hex>",
            )

    def sha256(self, value: dict, at: str) -> str | None:
        text = self.text(value, "sha256", at)
        if text is None:
            return None
        try:
            return normalise_sha256(text)
        except ValueError:
            raise self.fail(
                join_path(at, "sha256"),
                f"{text!r} is not a SHA-256",
                "64 hexadecimal digits",
                "Copy the hash exactly as `sha256sum` prints it",
            ) from None

    def topics(self, value: dict, at: str) -> tuple[str, ...]:
        topics = value.get("topics")
        if topics is None:
            return ()
        if not isinstance(topics, list):
            raise self.fail(
                join_path(at, "topics"), f"expected a list, found {describe_value(topics)}"
            )
        for index, topic in enumerate(topics):
            if not isinstance(topic, str) or not topic.strip():
                raise self.fail(
                    join_path(at, f"topics[{index}]"),
                    f"expected text, found {describe_value(topic)}",
                    "a list of topic names",
                )
        return tuple(topics)

    def narrator(self, item: Any, at: str) -> Narrator:
        value = self.mapping(item, at, _NARRATOR_KEYS, {"descriptor", "role"})
        return Narrator(
            descriptor=self.text(value, "descriptor", at),
            role=self.choice(value, "role", at, ROLES),
            sex=self.text(value, "sex", at),
            age_band=self.text(value, "age_band", at),
        )

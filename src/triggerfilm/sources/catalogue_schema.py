"""Reading a catalogue file strictly, with the line of every problem.

YAML is composed into nodes first, so each value's field path (``clips[2].media_type``) maps to
the line it was written on; JSON is parsed by ``json`` and its lines found the same way (JSON
is, near enough, YAML). Unknown keys are errors: a misspelt ``permision`` silently ignored is
how a clip gets shown without the permission anyone thought it had.
"""

from __future__ import annotations

import json
import math
import urllib.parse
from pathlib import Path
from typing import Any

from ..errors import SourceError
from ..manifest.consent_keys import parse_consent
from ..manifest.model import NARRATOR_ROLES, Consent, Narrator, Origin
from ..store import normalise_sha256
from ..store.hashing import is_sha256
from ..yamlread import (
    StrictReader,
    check_document_size,
    describe_value,
    join_path,
    parse_located,
)
from .catalogue_model import MEDIA_TYPES, Archive, ArchiveClip, ArchiveTerms, is_url
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

    def no_constants(name: str) -> Any:
        raise SourceError(f"{name} is not a finite number", where=where, expected="a number")

    def finite(number: str) -> float:
        value = float(number)
        if not math.isfinite(value):  # 1e999 reads as infinity without any complaint
            no_constants(number)
        return value

    def bounded(number: str) -> int:
        # Python refuses to convert more than 4300 digits with a ValueError; no catalogue
        # value needs more than a handful.
        if len(number.lstrip("-")) > 18:
            raise SourceError(f"the number {number[:20]}... is too large", where=where)
        return int(number)

    check_document_size(text, where, SourceError)
    text = text.removeprefix("\ufeff")  # a UTF-8 BOM, as some editors on Windows write
    try:
        data = json.loads(
            text,
            object_pairs_hook=no_duplicates,
            parse_constant=no_constants,
            parse_float=finite,
            parse_int=bounded,
        )
    except json.JSONDecodeError as error:
        raise SourceError(
            f"not valid JSON: {error.msg} at column {error.colno}",
            where=where,
            line=error.lineno,
            hint="Check the punctuation on that line and the one before it (a missing or extra "
            "comma, bracket or quote)",
        ) from None
    except RecursionError:
        raise SourceError(
            "is nested too deeply to read",
            where=where,
            expected="a catalogue nested a few levels deep",
        ) from None
    # JSON is (nearly) YAML, so the YAML composer can usually tell us the lines too.
    try:
        _, lines = parse_located(text, where, SourceError)
    except SourceError:
        lines = {}
    return data, lines


class _Validator(StrictReader):
    """Turns parsed catalogue values into an Archive, failing at the first problem."""

    def __init__(self, where: str, lines: dict[str, int]) -> None:
        super().__init__(where, lines, SourceError)
        self.remote = is_url(where)

    def archive(self, data: Any) -> Archive:
        top = self.mapping(data, "", _TOP_KEYS, _TOP_KEYS)
        meta = self.mapping(top["archive"], "archive", _ARCHIVE_KEYS, {"name", "attribution"})
        items = top["clips"]
        if not isinstance(items, list) or not items:
            self.fail("clips", f"expected a list of clips, found {describe_value(items)}")
        condition = self.text(meta, "archive", "condition")
        attribution = self.text(meta, "archive", "attribution", required=True)
        clips: list[ArchiveClip] = []
        first_seen: dict[str, str] = {}
        for index, item in enumerate(items):
            clip = self.clip(item, f"clips[{index}]", condition, attribution)
            if clip.id in first_seen:
                line = self.lines.get(first_seen[clip.id])
                self.fail(
                    f"clips[{index}].id",
                    f"duplicate clip id {clip.id!r} (first used at {first_seen[clip.id]}"
                    + (f", line {line})" if line else ")"),
                    "a unique id per clip",
                )
            first_seen[clip.id] = f"clips[{index}].id"
            clips.append(clip)
        return Archive(
            name=self.text(meta, "archive", "name", required=True),
            location=str(self.where),
            attribution=attribution,
            licence=self.text(meta, "archive", "licence"),
            condition=condition,
            clips=tuple(clips),
        )

    def clip(
        self, item: Any, at: str, archive_condition: str | None, archive_attribution: str
    ) -> ArchiveClip:
        required = {"id", "interview", "title", "media_type", "narrator", "permission"}
        value = self.mapping(item, at, _CLIP_KEYS, required)
        media_type = self.one_of(value, at, "media_type", MEDIA_TYPES)
        media = self.text(value, at, "media")
        sha256 = self.sha256(value, at)
        transcript = self.text(value, at, "transcript")
        if media_type == "text-only":
            for key in ("media", "sha256"):
                if value.get(key) is not None:
                    self.fail(
                        join_path(at, key),
                        f"a text-only clip has no {key}",
                        hint="Remove it, or set media_type to video or audio-only",
                    )
            if transcript is None:
                self.fail(join_path(at, "transcript"), "a text-only clip needs its transcript")
        else:
            if media is None:
                self.fail(
                    join_path(at, "media"),
                    f"'media' is required for a {media_type} clip",
                    "a path relative to the catalogue, or an https:// URL",
                )
            self.check_media(media, sha256, at)
        return ArchiveClip(
            id=self.text(value, at, "id", required=True),
            interview=self.text(value, at, "interview", required=True),
            title=self.text(value, at, "title", required=True),
            media=media,
            sha256=sha256,
            media_type=media_type,
            condition=self.text(value, at, "condition") or archive_condition,
            topics=self.topics(value, at),
            who=self.narrator(value["narrator"], join_path(at, "narrator")),
            terms=ArchiveTerms(
                permission=self.text(value, at, "permission", required=True),
                attribution=self.text(value, at, "attribution") or archive_attribution,
                consent=self.consent(value.get("consent"), join_path(at, "consent")),
            ),
            transcript=transcript,
            line=self.lines.get(at),
        )

    def consent(self, value: Any, at: str) -> Consent | None:
        origin = Origin(Path(self.where), at, self.lines.get(at))
        return parse_consent(self, value, at, origin)

    def check_media(self, media: str, sha256: str | None, at: str) -> None:
        at_media = join_path(at, "media")
        if is_url(media):
            try:
                # Only the kind of address here: whether plain http is allowed depends on the
                # manifest's archive entry, and is decided when the clip is fetched.
                check_url(media, insecure=True)
            except SourceError as error:
                problem: SourceError | None = error
            else:
                problem = None
            if problem is not None:  # re-raised outside the handler: located, without chaining
                self.fail(at_media, problem.message, problem.expected, problem.hint)
        elif Path(media).is_absolute() or media.startswith("~"):
            self.fail(
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
            self.fail(
                join_path(at, "sha256"),
                "media downloaded from the internet needs a sha256",
                "the SHA-256 of the media file (64 hex digits)",
                "Run `sha256sum` on the original file and add sha256: <hex>",
            )

    def sha256(self, value: dict[str, Any], at: str) -> str | None:
        text = self.text(value, at, "sha256")
        if text is None:
            return None
        if not is_sha256(text.lower()):
            self.fail(
                join_path(at, "sha256"),
                f"{text!r} is not a SHA-256",
                "64 hexadecimal digits",
                "Copy the hash exactly as `sha256sum` prints it",
            )
        return normalise_sha256(text)

    def topics(self, value: dict[str, Any], at: str) -> tuple[str, ...]:
        topics = value.get("topics")
        if topics is None:
            return ()
        if not isinstance(topics, list):
            self.fail(join_path(at, "topics"), f"expected a list, found {describe_value(topics)}")
        for index, topic in enumerate(topics):
            if not isinstance(topic, str) or not topic.strip():
                self.fail(
                    join_path(at, f"topics[{index}]"),
                    f"expected text, found {describe_value(topic)}",
                    "a list of topic names",
                )
        return tuple(topics)

    def narrator(self, item: Any, at: str) -> Narrator:
        value = self.mapping(item, at, _NARRATOR_KEYS, {"descriptor", "role"})
        return Narrator(
            descriptor=self.text(value, at, "descriptor", required=True),
            role=self.one_of(value, at, "role", NARRATOR_ROLES),
            sex=self.text(value, at, "sex"),
            age_band=self.text(value, at, "age_band"),
        )

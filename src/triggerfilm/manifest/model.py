"""The manifest artefact: what film to make, from which clips, in which touchpoints.

A selection's ``start``/``end`` is either a time in seconds or a quote (a few words as spoken)
that the edit-plan stage resolves against the clip's transcript. Every value keeps a ``Origin``
so later stages can point errors at the manifest line that caused them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path

VALENCES = ("positive", "negative", "mixed")
SPEAKER_LABELS = ("auto", "always", "never")
# The caption profiles a manifest may name (their settings live in captions/profiles.py, a later
# stage; a test keeps the two lists equal), so a typo is refused at its line on load, not after
# every clip is transcribed.
CAPTION_PROFILES = ("default", "bbc", "netflix-en", "dcmp")
MEDIA_TYPES = ("video", "audio-only")
# A narrator's role, as archive catalogues publish it; reports count narrators by it.
NARRATOR_ROLES = ("patient", "family member", "staff")
# Where a film may be shown; a clip's consent lists the ones its narrator or archive allowed.
CONSENT_USES = ("staff-event", "patient-event", "joint-event", "training", "online")


@dataclass(frozen=True)
class Origin:
    """Where a value was written: manifest file, field path and 1-based line."""

    file: Path
    field: str
    line: int | None = None


@dataclass(frozen=True)
class Anchor:
    """One end of a selection: seconds into the clip, or a quote of the words spoken there."""

    seconds: float | None = None
    quote: str | None = None
    # The manifest line the anchor is written on.
    line: int | None = None

    def describe(self) -> str:
        return f"{self.seconds:.2f} s" if self.seconds is not None else f'"{self.quote}"'


@dataclass(frozen=True)
class Redaction:
    """Something to remove from a selection: spoken words (wherever they occur in it) or a
    time range in the clip's seconds."""

    words: str | None = None
    start: float | None = None
    end: float | None = None
    line: int | None = None


@dataclass(frozen=True)
class Selection:
    """A passage of one clip to show under a touchpoint, from ``start`` to ``end`` (each a time or a
    quote until the edit plan resolves it). ``valence`` is how the moment feels (None: not marked),
    for the plan's balance check; ``note`` is for the editors and never reaches the film."""

    clip: str
    start: Anchor
    end: Anchor
    origin: Origin
    valence: str | None = None
    note: str | None = None
    redact: tuple[Redaction, ...] = ()


@dataclass(frozen=True)
class Touchpoint:
    """One section of the film: a moment of the care pathway (being admitted, nights on the ward),
    its title card and the passages shown under it. The event player shows ``content_note`` before
    the film and pauses on ``prompt`` after it (None: a question made from the title)."""

    title: str
    selections: tuple[Selection, ...]
    origin: Origin
    description: str | None = None
    content_note: str | None = None
    # The question the event player shows when it pauses after this touchpoint.
    prompt: str | None = None
    # Reorder selections so one narrator's passages do not follow each other (editplan.ordering).
    interleave: bool = True


@dataclass(frozen=True)
class Consent:
    """A clip's permission as written in the manifest; ``consent.ledger`` applies defaults.

    ``uses`` is None when not written (archive clips then get the event defaults), so that
    "not written" and "written as an empty list" stay different.
    """

    origin: Origin
    basis: str | None = None
    uses: tuple[str, ...] | None = None
    expires: date | None = None
    withdrawn: bool = False
    approved_clips: bool = False


@dataclass(frozen=True)
class Narrator:
    """Who narrates a clip, described but never named: what the manifest or an archive's
    catalogue says about them. Any of it may be unknown (a local clip the team did not describe).

    The narrator's pseudonymous code (``ICU07``), which labels captions and tells voices apart,
    is not one of these facts: every clip has one, so it stays beside this value as ``narrator``.
    """

    # A short description such as "daughter of a patient, 50s", shown for audio-only clips.
    descriptor: str | None = None
    role: str | None = None  # one of NARRATOR_ROLES
    sex: str | None = None
    age_band: str | None = None

    def overridden_by(self, other: Narrator) -> Narrator:
        """These facts, with each one ``other`` gives in its place: an archive clip's narrator
        as the catalogue publishes them, overridden field by field by what the manifest says."""
        given = {f.name: value for f in fields(other) if (value := getattr(other, f.name))}
        return replace(self, **given)


@dataclass(frozen=True)
class ClipRef:
    """A clip the film may use: a local media file, or a clip in a named archive."""

    id: str
    origin: Origin
    media: Path | None = None
    archive: str | None = None
    archive_clip: str | None = None
    # The narrator's pseudonymous code; archive clips default to the catalogue's interview.
    narrator: str | None = None
    # Who the narrator is (archive clips: the catalogue's facts unless given here), so the
    # plan's representation counts are not "unknown" for local clips.
    who: Narrator = Narrator()
    media_type: str | None = None
    # The verbatim words spoken, when the team or the archive has them.
    transcript: str | None = None
    consent: Consent | None = None


@dataclass(frozen=True)
class OutputSettings:
    """The manifest's ``output:`` block: the picture every source is conformed to (pixels, frames a
    second) and how cards and captions look. ``card_seconds`` is each card's length; 0 leaves the
    cards out."""

    width: int = 1280
    height: int = 720
    fps: int = 25
    card_seconds: float = 4.0
    caption_profile: str = "default"
    # Name the narrator in SRT and burned-in captions: "auto" where the picture does not show
    # who speaks (audio-only clips), "always", or "never". WebVTT always carries a voice span.
    speaker_labels: str = "auto"
    # What the captions show where words were redacted (the sound is muted there).
    redaction_text: str = "[name removed]"


@dataclass(frozen=True)
class Manifest:
    """One film, as its manifest describes it and ``load_manifest`` has checked it: the clips it may
    use and the passages it shows of them, touchpoint by touchpoint. Every stage starts from it;
    ``archives`` maps an archive's name to its location (a folder or an https URL)."""

    path: Path
    title: str
    clips: tuple[ClipRef, ...]
    touchpoints: tuple[Touchpoint, ...]
    output: OutputSettings = field(default_factory=OutputSettings)
    archives: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    credits: str | None = None
    # `transcription: {model: ...}`: the Whisper model this film's clips are transcribed with
    # unless --model names another (a name such as tiny or base, or an absolute path).
    transcription_model: str | None = None
    # Archives whose entry says ``insecure: true``: plain http:// is then allowed, with a warning.
    insecure_archives: frozenset[str] = frozenset()

    def clip(self, clip_id: str) -> ClipRef:
        for clip in self.clips:
            if clip.id == clip_id:
                return clip
        raise KeyError(clip_id)

"""Caption profiles: the numbers a caption must meet, one named set per standard.

Standards disagree (see docs/captions.md), so captions are built and checked against a named
profile and every verdict says which one was applied. This module holds numbers only: the
caption builder reads them to lay captions out, the subtitle checker to judge a file.

Where a standard gives one number, the warning and error thresholds are equal: exceeding the
standard is an error. Only the product default has a warning band below its error limit.
``None`` means the standard sets no limit for that parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import TriggerfilmError


@dataclass(frozen=True)
class CaptionProfile:
    """Limits for one captioning standard. Durations and tolerances are in seconds."""

    name: str
    description: str
    chars_per_line_warn: int
    chars_per_line_error: int
    # A caption stays up at least max(min_duration, min_seconds_per_word * words).
    min_duration: float
    # Every profile below says only what its standard sets; the rest is "no limit" (None).
    min_seconds_per_word: float | None = None
    max_lines: int = 2
    max_cps_warn: float | None = None
    max_cps_error: float | None = None
    # Reading speed in words per minute, for standards that state it that way (BBC, DCMP).
    words_per_minute: float | None = None
    max_duration_warn: float | None = None
    max_duration_error: float | None = None
    min_gap_frames: int = 2
    # Gaps shorter than this many frames look like flicker: close them to min_gap_frames.
    close_gap_frames: int | None = None
    # Sync against detected speech (checked only when the media is given).
    sync_start_early: float = 1.5
    sync_start_late: float = 2.0
    sync_end_late: float = 1.5

    def min_duration_for(self, words: int) -> float:
        """The shortest time a caption of ``words`` words may stay on screen.

        >>> PROFILES["default"].min_duration_for(5)
        1.5
        """
        per_word = (self.min_seconds_per_word or 0.0) * words
        return round(max(self.min_duration, per_word), 3)


PROFILES: dict[str, CaptionProfile] = {
    profile.name: profile
    for profile in (
        CaptionProfile(
            name="default",
            description="triggerfilm default for UK healthcare screening (docs/captions.md)",
            chars_per_line_warn=37,
            chars_per_line_error=42,
            max_cps_warn=17.0,
            max_cps_error=20.0,
            min_duration=0.833,
            min_seconds_per_word=0.3,
            max_duration_warn=7.0,
            max_duration_error=8.0,
        ),
        CaptionProfile(
            name="bbc",
            description="BBC Subtitle Guidelines v1.2.5 (broadcast)",
            chars_per_line_warn=37,
            chars_per_line_error=37,
            # The guideline range is 160-180 wpm; the top of the range is the limit.
            words_per_minute=180.0,
            min_duration=0.3,
            min_seconds_per_word=0.3,
        ),
        CaptionProfile(
            name="netflix-en",
            description="Netflix Timed Text Style Guide, English (USA), adult programmes",
            chars_per_line_warn=42,
            chars_per_line_error=42,
            max_cps_warn=20.0,
            max_cps_error=20.0,
            min_duration=5 / 6,
            max_duration_warn=7.0,
            max_duration_error=7.0,
            close_gap_frames=12,
            # "In-time within 1-2 frames of speech onset" at 24 fps; out-time <= 0.5 s late.
            sync_start_early=2 / 24,
            sync_start_late=2 / 24,
            sync_end_late=0.5,
        ),
        CaptionProfile(
            name="dcmp",
            description="DCMP Captioning Key (open captions)",
            chars_per_line_warn=32,
            chars_per_line_error=32,
            # 120-160 wpm depending on audience; the top of the range is the limit.
            words_per_minute=160.0,
            min_duration=2.0,
        ),
    )
}


def get_profile(name: str) -> CaptionProfile:
    """Return the profile called ``name``; raise TriggerfilmError naming the valid ones."""
    try:
        return PROFILES[name]
    except KeyError:
        raise TriggerfilmError(
            f"unknown caption profile {name!r}",
            field="profile",
            expected="one of " + ", ".join(PROFILES),
            hint="Pick one of those names, e.g. default",
        ) from None

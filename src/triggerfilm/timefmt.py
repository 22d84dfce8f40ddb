"""Every way triggerfilm writes a time, in one place.

Each format exists because a reader needs it: caption files and ASS scripts have their own
syntax; people read ``mm:ss`` in reports; a time in a source clip keeps hundredths because it can
be pasted back into a manifest as a cut point. Stages import this module; it imports none of
them.

Whole-second formats round *down* (with a micro-second of slack for float noise), so a row's out
time equals the next row's in time; formats with a fraction round to nearest.
"""

from __future__ import annotations

# Float noise (74.99999999) must not lose a whole second when a format rounds down.
_SLACK = 1e-6


def milliseconds(seconds: float) -> int:
    """Whole milliseconds, never negative.

    >>> milliseconds(1.0005), milliseconds(-0.2)
    (1000, 0)
    """
    return max(0, round(seconds * 1000))


def _hms(units: int, per_second: int) -> tuple[int, int, int, int]:
    hours, units = divmod(units, 3600 * per_second)
    minutes, units = divmod(units, 60 * per_second)
    secs, fraction = divmod(units, per_second)
    return hours, minutes, secs, fraction


def cue_time(seconds: float, decimal: str = ".") -> str:
    """A caption file's timestamp, always with hours: WebVTT (``.``), SubRip (``,``).

    >>> cue_time(3723.04), cue_time(0.5, decimal=",")
    ('01:02:03.040', '00:00:00,500')
    """
    hours, minutes, secs, millis = _hms(milliseconds(seconds), 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal}{millis:03d}"


def ass_time(seconds: float) -> str:
    """An ASS (Advanced SubStation) timestamp: one hour digit, centiseconds.

    >>> ass_time(3723.456)
    '1:02:03.46'
    """
    hours, minutes, secs, centis = _hms(max(0, round(seconds * 100)), 100)
    return f"{hours}:{minutes:02d}:{secs:02d}.{centis:02d}"


def mmss(seconds: float) -> str:
    """``mm:ss`` in whole seconds, rounded down; minutes run past 59.

    >>> mmss(0), mmss(75.9), mmss(3725), mmss(74.9999999)
    ('00:00', '01:15', '62:05', '01:15')
    """
    whole = int(seconds + _SLACK)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def mmss_tenths(seconds: float) -> str:
    """``mm:ss.s``, rounded to the nearest tenth.

    >>> mmss_tenths(0), mmss_tenths(89.96), mmss_tenths(3600.04)
    ('00:00.0', '01:30.0', '60:00.0')
    """
    minutes, rest = divmod(round(seconds, 1), 60)
    return f"{int(minutes):02d}:{rest:04.1f}"


def source_time(seconds: float) -> str:
    """A time inside a source clip, ``m:ss.ss``: what a manifest's ``from``/``to`` accepts.

    >>> source_time(62.5), source_time(5)
    ('1:02.50', '0:05.00')
    """
    minutes, rest = divmod(round(seconds, 2), 60)
    return f"{int(minutes)}:{rest:05.2f}"


def iso_duration(seconds: float) -> str:
    """An ISO 8601 duration in whole seconds, as HTML's ``<time datetime>`` wants it.

    >>> iso_duration(75.9)
    'PT1M15S'
    """
    whole = int(seconds + _SLACK)
    return f"PT{whole // 60}M{whole % 60}S"


def time_element(seconds: float) -> str:
    """An HTML ``<time>`` element showing ``mm:ss``, machine-readable as a duration.

    >>> time_element(75)
    '<time datetime="PT1M15S">01:15</time>'
    """
    return f'<time datetime="{iso_duration(seconds)}">{mmss(seconds)}</time>'


def length_words(seconds: float, places: int = 0) -> str:
    """A length for reading aloud: ``3 min 05 s``, or ``45 s`` under a minute.

    >>> length_words(185), length_words(45), length_words(64.26, places=1)
    ('3 min 05 s', '45 s', '1 min 04.3 s')
    """
    if places:
        minutes, rest = divmod(round(seconds, places), 60)
        width = 3 + places
        secs = f"{rest:0{width}.{places}f}" if minutes else f"{rest:.{places}f}"
    else:
        minutes, whole = divmod(round(seconds), 60)
        secs = f"{whole:02d}" if minutes else f"{whole}"
    return f"{int(minutes)} min {secs} s" if minutes else f"{secs} s"

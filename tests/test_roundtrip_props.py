"""Property-based round trips: what a writer writes, its reader reads back the same.

SRT and WebVTT are written by ``captions.writers`` and read by the subtitle checker's reader
(``captions.check.read``); a timeline goes through ``Timeline.to_dict``, JSON and
``Timeline.from_dict`` as ``timeline.json`` does. Hypothesis generates the cues and timelines,
shrinking any failure to a smallest example.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from triggerfilm.captions.check.read import read_subtitles
from triggerfilm.captions.model import Cue
from triggerfilm.captions.writers import format_srt, format_vtt
from triggerfilm.editplan.timeline import Card, Cut, Timeline
from triggerfilm.transcripts.model import Word

# Caption text as people write it. SubRip has no escapes, so characters that players read as
# markup (<, >, {, }, \) are left out of the SubRip text; WebVTT escapes &, < and >.
_PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,!?'\"-:;()éüß’…"
_VTT_EXTRA = "&<>"


def _line(alphabet: str) -> st.SearchStrategy[str]:
    # At least one letter: a line of digits alone reads as a cue number in SubRip.
    return st.text(alphabet, min_size=1, max_size=40).filter(
        lambda s: any(c.isalpha() for c in s) and "-->" not in s
    )


def _cues(alphabet: str, speakers: bool) -> st.SearchStrategy[list[Cue]]:
    @st.composite
    def build(draw: st.DrawFn) -> list[Cue]:
        count = draw(st.integers(1, 8))
        cues, at = [], draw(st.integers(0, 36_000_000))  # milliseconds, up to ten hours in
        for _ in range(count):
            at += draw(st.integers(0, 5_000))
            length = draw(st.integers(1, 10_000))
            lines = tuple(draw(st.lists(_line(alphabet), min_size=1, max_size=3)))
            speaker = draw(st.sampled_from(["ICU07", "Ana B", None])) if speakers else None
            label = draw(st.booleans()) if speaker else False
            cues.append(Cue(at / 1000, (at + length) / 1000, lines, speaker, label))
            at += length
        return cues

    return build()


def _shown(cue: Cue) -> tuple[str, ...]:
    """What a viewer should see: white space folded, and the name where the cue is labelled."""
    lines = [" ".join(line.split()) for line in cue.lines]
    lines = [line for line in lines if line]
    if cue.label and cue.speaker and lines:
        lines[0] = f"{cue.speaker}: {lines[0]}"
    return tuple(lines)


def _read_back(text: str, suffix: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"film{suffix}"
        path.write_text(text, encoding="utf-8")
        return read_subtitles(path)


def _assert_same_cues(document, fmt: str, cues) -> None:
    """``document`` is ``cues`` read back: no errors, same times to the millisecond, same
    visible lines."""
    assert document.format == fmt
    assert [f for f in document.findings if f.severity == "error"] == []
    assert len(document.cues) == len(cues)
    for read, cue in zip(document.cues, cues, strict=True):
        assert round(read.start * 1000) == round(cue.start * 1000)
        assert round(read.end * 1000) == round(cue.end * 1000)
        assert read.visible_lines == _shown(cue)


@settings(max_examples=40, deadline=None)
@given(_cues(_PLAIN, speakers=True))
def test_srt_round_trip(cues):
    _assert_same_cues(_read_back(format_srt(cues), ".srt"), "srt", cues)


@settings(max_examples=40, deadline=None)
@given(_cues(_PLAIN + _VTT_EXTRA, speakers=True))
def test_webvtt_round_trip(cues):
    document = _read_back(format_vtt(cues), ".vtt")
    _assert_same_cues(document, "vtt", cues)
    assert [read.speaker for read in document.cues] == [cue.speaker for cue in cues]


_finite = st.floats(min_value=0, max_value=1e5, allow_nan=False, allow_infinity=False)
_text = st.text(max_size=20)
_words = st.lists(
    st.builds(
        Word,
        start=_finite,
        end=_finite,
        text=_text,
        probability=st.floats(0, 1),
        doubts=st.lists(st.sampled_from(["no-speech", "low-probability"]), max_size=2).map(tuple),
    ),
    max_size=4,
).map(tuple)
_cards = st.builds(
    Card,
    role=st.sampled_from(["opening", "touchpoint", "credits"]),
    title=_text,
    frames=st.integers(1, 10_000),
    subtitle=st.none() | _text,
    touchpoint=st.none() | st.integers(0, 20),
)
_cuts = st.builds(
    Cut,
    clip_id=_text,
    source=_text,
    source_sha256=st.text("0123456789abcdef", min_size=64, max_size=64),
    source_in=_finite,
    frames=st.integers(1, 100_000),
    touchpoint=st.integers(0, 20),
    narrator=_text,
    descriptor=st.none() | _text,
    media_type=st.sampled_from(["video", "audio-only"]),
    words=_words,
    has_audio=st.booleans(),
    redactions=st.lists(st.tuples(_finite, _finite), max_size=2).map(tuple),
    valence=st.none() | st.sampled_from(["positive", "negative", "mixed"]),
    origin=_text,
)
_timelines = st.builds(
    Timeline,
    title=_text,
    fps=st.sampled_from([24, 25, 30, 50]),
    width=st.integers(16, 4096),
    height=st.integers(16, 4096),
    items=st.lists(_cards | _cuts, max_size=6).map(tuple),
    touchpoints=st.lists(_text, max_size=4).map(tuple),
    caption_profile=st.sampled_from(["default", "bbc", "netflix-en", "dcmp"]),
    speaker_labels=st.sampled_from(["auto", "always", "never"]),
    manifest=_text,
    manifest_sha256=_text,
    warnings=st.lists(_text, max_size=3).map(tuple),
)


@settings(max_examples=50, deadline=None)
@given(_timelines)
def test_timeline_json_round_trip(timeline):
    text = json.dumps(timeline.to_dict(), indent=1)
    again = Timeline.from_dict(json.loads(text))
    assert again == timeline
    assert again.to_dict() == timeline.to_dict()

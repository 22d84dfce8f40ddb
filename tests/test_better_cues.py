"""Cues follow sentences: no orphans, no cue under the profile's minimum when a neighbour can take
its words, and render names the cue when speech is too fast to meet the profile."""

from __future__ import annotations

import pytest

from tests.caption_files import write_srt
from triggerfilm.captions.build import build_captions, timing_warnings
from triggerfilm.captions.check import check_subtitles
from triggerfilm.captions.linebreak import SENTENCE_END
from triggerfilm.captions.profiles import PROFILES, get_profile
from triggerfilm.editplan.timeline import Card, Timeline
from triggerfilm.transcripts.model import Word

from .test_captions_build import FPS, cut_for, speak


def _ends_sentence(text: str) -> bool:
    return text.rstrip("\"'”’)").endswith(SENTENCE_END)


def orphans(cues) -> list[str]:
    """Cues of at most three words cut from a longer sentence of the same passage."""
    found = []
    for k, cue in enumerate(cues):
        words = " ".join(cue.lines).split()
        before = cues[k - 1] if k and cues[k - 1].item == cue.item else None
        after = cues[k + 1] if k + 1 < len(cues) and cues[k + 1].item == cue.item else None
        starts_sentence = before is None or _ends_sentence(before.lines[-1])
        whole = starts_sentence and _ends_sentence(words[-1])
        if len(words) <= 3 and not whole and (before or after):
            found.append(" ".join(words))
    return found


def _timeline(*cuts) -> Timeline:
    return Timeline(
        title="t",
        fps=FPS,
        width=1280,
        height=720,
        items=(Card("opening", "t", 50), *cuts),
        touchpoints=("a",),
    )


def test_a_sentence_start_is_not_left_alone():
    # The case: "My first memory" for 0.96 s, then "of the unit is a nurse...", with
    # the word times Whisper gave for the demo narrator.
    timed = [
        (6.04, 6.14, "My"), (6.14, 6.56, "first"), (6.56, 7.02, "memory"), (7.02, 7.34, "of"),
        (7.34, 7.5, "the"), (7.5, 7.74, "unit"), (7.74, 8.08, "is"), (8.08, 8.12, "a"),
        (8.12, 8.46, "nurse"), (8.46, 8.8, "saying"), (8.8, 9.12, "my"), (9.12, 9.6, "name"),
        (9.6, 9.92, "very"), (9.92, 10.48, "gently."),
    ]  # fmt: skip
    words = tuple(Word(a, b, " " + w, 0.9) for a, b, w in timed)
    words += speak("Everyone explained what they were doing before they touched me.", 11.85)
    timeline = _timeline(cut_for(words, narrator="ICU07"))
    for name in sorted(PROFILES):
        cues = build_captions(timeline, get_profile(name))
        assert orphans(cues) == [], (name, [c.lines for c in cues])


def test_a_short_cue_gives_its_words_to_a_neighbour(tmp_path):
    text = (
        "The nights were long. I was sure the nurses were trying to hurt me. "
        "One nurse sat with me in the middle of the night and held my hand."
    )
    timeline = _timeline(cut_for(speak(text, 3.0, pace=1.2), narrator="ICU07"))
    for name in sorted(PROFILES):
        profile = get_profile(name)
        cues = build_captions(timeline, profile)
        assert orphans(cues) == [], (name, [c.lines for c in cues])
        report = check_subtitles(write_srt(cues, tmp_path / f"{name}.srt"), profile, fps=FPS)
        assert not [f for f in report.findings if f.rule == "duration.min"], report.findings
        assert not report.has_errors, report.findings


@pytest.mark.slow
def test_render_names_the_cue_when_speech_is_too_fast():
    # Six words in well under a second, tight against both ends of the cut: no partition or
    # timing can give them the profile's reading time.
    words = tuple(
        Word(round(1.0 + 0.13 * k, 3), round(1.12 + 0.13 * k, 3), f" {w}", 0.9)
        for k, w in enumerate(["Quick", "quick", "quick", "quick", "quick", "stop."])
    )
    timeline = _timeline(cut_for(words, narrator="ICU07", pad=0.05))
    profile = get_profile("default")
    cues = build_captions(timeline, profile)
    warnings = timing_warnings(cues, profile)
    assert warnings
    assert "caption 1 at" in warnings[0] and "Quick quick" in warnings[0]
    assert "profile default wants" in warnings[0] and "faster" in warnings[0]


@pytest.mark.slow
def test_demo_film_has_no_orphans_and_no_short_cues(tmp_path):
    from .test_demo_captions import demo_timeline_for_tests

    timeline = demo_timeline_for_tests()
    for name in sorted(PROFILES):
        profile = get_profile(name)
        cues = build_captions(timeline, profile)
        assert orphans(cues) == [], name
        report = check_subtitles(
            write_srt(cues, tmp_path / f"{name}.srt"), profile, fps=timeline.fps
        )
        assert not report.has_errors, (name, report.findings)
        assert not [f for f in report.findings if f.rule == "duration.min"], (name, report.findings)
        assert timing_warnings(cues, profile) == []

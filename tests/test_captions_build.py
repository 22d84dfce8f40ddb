"""The caption builder, line breaking, the SRT/WebVTT writers and the descriptive transcript.

Word lists are built by hand with the timing of real speech (about 3 words a second, short
pauses at commas, longer ones at sentence ends), plus one real transcript of the JFK recording.
"""

from __future__ import annotations

import doctest
import math
import re
from pathlib import Path

import pysrt
import pytest

from triggerfilm.captions import build, linebreak, transcript_doc, writers
from triggerfilm.captions.build import build_captions, cues_from_segments
from triggerfilm.captions.linebreak import DETERMINERS, break_lines
from triggerfilm.captions.model import Cue
from triggerfilm.captions.profiles import PROFILES, CaptionProfile
from triggerfilm.captions.transcript_doc import descriptive_transcript
from triggerfilm.captions.writers import WRITERS, format_srt, format_vtt
from triggerfilm.editplan.timeline import Card, Cut, Timeline
from triggerfilm.transcripts.model import Word

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FPS = 25

WAKING = (
    "When I woke up in intensive care, I didn't know where I was. The nurse who looked after "
    "me, Pablo Molina, sat with me and told me what had happened. He explained every machine "
    "and every tube, and that made such a difference to me and to my wife. Yes."
)
HOME = (
    "Coming home was the hardest part. Nobody told us what to expect, and my husband had to "
    "learn everything himself. I remember the first night, I couldn't sleep at all."
)
# One long sentence without a comma, spoken fast: it has to be split at clause boundaries.
FAST = (
    "And the doctor came in and said that they were going to have to take me back down to "
    "theatre because the wound had opened up again and there was nothing else they could do "
    "for me at that point so I just lay there and waited for my husband to come back"
)


def speak(text: str, start: float, pace: float = 1.0, stop: float = 0.55) -> tuple[Word, ...]:
    """Words with the timing of real speech; ``pace`` above 1 speaks faster; ``stop`` is the
    pause after a sentence."""
    words, t = [], start
    for token in text.split():
        length = (0.12 + 0.055 * len(token.strip(".,?!"))) / pace
        words.append(Word(round(t, 3), round(t + length, 3), " " + token, 0.9))
        t += length + 0.04 / pace
        if token.endswith((".", "?", "!")):
            t += stop
        elif token.endswith(","):
            t += 0.25
    return tuple(words)


def cut_for(words, *, narrator, media_type="video", touchpoint=0, descriptor=None, pad=0.4):
    source_in = math.floor((words[0].start - pad) * FPS) / FPS
    frames = math.ceil((words[-1].end + pad - source_in) * FPS)
    return Cut(
        clip_id=narrator.lower(),
        source=f"{narrator}.mp4",
        source_sha256="0" * 64,
        source_in=source_in,
        frames=frames,
        touchpoint=touchpoint,
        narrator=narrator,
        descriptor=descriptor,
        media_type=media_type,
        words=words,
    )


def film() -> Timeline:
    waking = cut_for(speak(WAKING, 12.0), narrator="ICU07", descriptor="man, 60s, patient")
    # Words outside the cut (Whisper's, before source_in and after the end) must be left out,
    # as must empty words.
    home_words = speak("Before the cut. " + HOME + " After the cut.", 40.0)
    inner = home_words[3:-3]
    home = cut_for(inner, narrator="ICU12", media_type="audio-only", touchpoint=1, pad=0.3)
    empty = Word(home_words[5].start, home_words[5].start, " ")
    home = Cut(**{**home.__dict__, "words": home_words[:5] + (empty,) + home_words[5:]})
    fast = cut_for(speak(FAST, 100.0, pace=1.6), narrator="ICU07", touchpoint=1)
    return Timeline(
        title="Intensive care: patients' stories",
        fps=FPS,
        width=1280,
        height=720,
        items=(
            Card("opening", "Intensive care: patients' stories", 75, subtitle="A trigger film"),
            Card("touchpoint", "Waking up", 75, touchpoint=0),
            waking,
            Card("touchpoint", "Going home", 75, touchpoint=1),
            home,
            fast,
            Card("credits", "Credits", 100, subtitle="Narrators: ICU07, ICU12"),
        ),
        touchpoints=("Waking up", "Going home"),
    )


def cut_text(timeline: Timeline, index: int) -> str:
    return " ".join(w.text.strip() for w in build.words_in_cut(timeline.items[index], timeline))


def normalised(text: str) -> str:
    return " ".join(text.split())


def test_doctests_pass():
    for module in (linebreak, build, writers, transcript_doc):
        failed, _ = doctest.testmod(module)
        assert failed == 0, module.__name__


# --- line breaking ----------------------------------------------------------------------------


def test_keeps_one_line_when_it_fits():
    assert break_lines("  I was in intensive care.  ", 37, 2) == ["I was in intensive care."]


def test_breaks_after_a_comma_rather_than_balancing():
    lines = break_lines("When I woke up, I didn't know where I was.", 37, 2)
    assert lines == ["When I woke up,", "I didn't know where I was."]


def test_returns_none_when_text_cannot_fit():
    assert break_lines("one two three " * 10, 37, 2) is None
    assert break_lines("Supercalifragilisticexpialidocious-ness-again", 37, 2) is None


@pytest.mark.parametrize(
    "text",
    [
        "The consultant was Pablo Molina and he was very kind to us",
        "My wife phoned Pablo Molina every single morning to ask",
        "I remember the nurse who sat with me all through the night",
        "They said I had a very serious infection in both my lungs",
        "We were given a leaflet about the intensive care unit",
    ],
)
@pytest.mark.parametrize("width", [32, 37, 42])
def test_never_splits_article_noun_or_names(text, width):
    lines = break_lines(text, width, 2)
    assert lines is not None
    assert " ".join(lines) == text
    assert all(len(line) <= width for line in lines)
    for upper, lower in zip(lines, lines[1:], strict=False):
        last, first = upper.split()[-1], lower.split()[0]
        assert last.lower() not in DETERMINERS, lines
        assert (last, first) != ("Pablo", "Molina"), lines
        assert last.lower() not in {"i", "he", "she", "we", "they", "was", "had", "could"}, lines


def test_prefers_a_bottom_heavy_pyramid():
    lines = break_lines("They moved me to the ward on Tuesday and my family came", 37, 2)
    assert lines is not None and len(lines) == 2
    assert len(lines[0]) <= len(lines[1])


def test_reserves_room_for_a_label():
    lines = break_lines("Coming home was the hardest part.", 37, 2, indent=len("ICU12: "))
    assert lines is not None and len(lines) == 2 and len("ICU12: " + lines[0]) <= 37


# --- building cues ----------------------------------------------------------------------------


def cut_bounds(timeline: Timeline, index: int) -> tuple[float, float]:
    start = timeline.starts()[index] / timeline.fps
    return start, start + timeline.items[index].frames / timeline.fps


def assert_well_formed(timeline: Timeline, cues: tuple[Cue, ...], profile: CaptionProfile):
    fps, gap = timeline.fps, profile.min_gap_frames / timeline.fps
    assert cues
    for cue in cues:
        low, high = cut_bounds(timeline, cue.item)
        assert low - 1e-9 <= cue.start < cue.end <= high - gap + 1e-9, cue
        for t in (cue.start, cue.end):
            assert abs(t * fps - round(t * fps)) < 1e-6, cue
        assert 1 <= len(cue.lines) <= profile.max_lines, cue
        shown = [f"{cue.speaker}: {cue.lines[0]}" if cue.label else cue.lines[0], *cue.lines[1:]]
        assert all(len(line) <= profile.chars_per_line_warn for line in shown), cue
        if profile.max_duration_error:
            assert cue.end - cue.start <= profile.max_duration_error + 1e-9, cue
    for before, after in zip(cues, cues[1:], strict=False):
        assert after.start - before.end >= gap - 1e-9, (before, after)
    for index, item in enumerate(timeline.items):
        if isinstance(item, Cut):
            text = " ".join(" ".join(c.lines) for c in cues if c.item == index)
            assert normalised(text) == normalised(cut_text(timeline, index))


def blocked(cue: Cue, following: Cue | None, timeline: Timeline, profile: CaptionProfile):
    """Whether the cue could not stay up longer: the next cue or the cut's end is in the way."""
    limit = following.start if following and following.item == cue.item else None
    if limit is None:
        limit = cut_bounds(timeline, cue.item)[1]
    return cue.end >= limit - profile.min_gap_frames / timeline.fps - 1e-9


@pytest.mark.parametrize("name", list(PROFILES))
def test_cues_follow_the_profile(name):
    profile, timeline = PROFILES[name], film()
    cues = build_captions(timeline, profile)
    assert_well_formed(timeline, cues, profile)
    for cue, following in zip(cues, [*cues[1:], None], strict=True):
        duration = cue.end - cue.start
        words = len(" ".join(cue.lines).split())
        chars = sum(len(line) for line in cue.lines) + (len(cue.speaker) + 2) * cue.label
        readable = duration + 1e-9 >= profile.min_duration_for(words)
        if profile.max_cps_error:
            readable = readable and chars / duration <= profile.max_cps_error + 1e-9
        if profile.words_per_minute:
            readable = readable and words / duration * 60 <= profile.words_per_minute + 1e-9
        # Where the speech allows a cue more time, it gets it.
        assert readable or blocked(cue, following, timeline, profile), cue


def test_words_outside_the_cut_and_empty_words_are_left_out():
    timeline = film()
    cues = build_captions(timeline, PROFILES["default"])
    home = " ".join(" ".join(c.lines) for c in cues if c.item == 4)
    assert home.startswith("Coming home was the hardest part.")
    assert home.endswith("I couldn't sleep at all.")
    assert "Before" not in home and "After the cut" not in home


def test_one_sentence_per_cue_where_possible():
    cues = build_captions(film(), PROFILES["netflix-en"])
    texts = [" ".join(c.lines) for c in cues]
    assert "When I woke up in intensive care, I didn't know where I was." in texts
    assert "Coming home was the hardest part." in texts
    # The closing "Yes." is too short to read on its own before the cut ends, so it joins the
    # sentence before it; given silence after it, it keeps a cue of its own.
    assert any(t.endswith("to my wife. Yes.") for t in texts)
    words = speak(WAKING, 12.0)
    timeline = Timeline("t", FPS, 1280, 720, (cut_for(words, narrator="ICU07", pad=1.5),))
    texts = [" ".join(c.lines) for c in build_captions(timeline, PROFILES["netflix-en"])]
    assert texts[-1] == "Yes."


@pytest.mark.parametrize("name", list(PROFILES))
def test_a_long_fast_sentence_is_split_at_clause_boundaries(name):
    profile, timeline = PROFILES[name], film()
    cues = [c for c in build_captions(timeline, profile) if c.item == 5]
    assert len(cues) >= 4
    for cue in cues:
        # Splits fall before conjunctions and prepositions or at ordinary word boundaries,
        # never after an article.
        assert cue.lines[-1].split()[-1].lower() not in DETERMINERS, cue
        assert cue.end - cue.start <= (profile.max_duration_warn or 10.0) + 1e-9


def test_speaker_identification():
    timeline = film()
    auto = build_captions(timeline, PROFILES["default"])
    assert {c.speaker for c in auto if c.item == 2} == {"ICU07"}
    assert [c.item for c in auto if c.label] == [4]  # only the audio-only cut, first cue
    first_home = next(c for c in auto if c.item == 4)
    assert first_home.label
    always = build_captions(timeline, PROFILES["default"], label_speakers="always")
    assert [c.item for c in always if c.label] == [2, 4, 5]
    never = build_captions(timeline, PROFILES["default"], label_speakers="never")
    assert not any(c.label for c in never)
    assert all(c.speaker for c in never)


def test_close_gaps_are_chained_to_the_minimum_gap():
    profile = PROFILES["netflix-en"]
    text = "I was frightened. Really frightened. I thought I was dying."
    for stop, closed in ((0.2, True), (0.9, False)):
        words = speak(text, 5.0, 0.8, stop=stop)
        timeline = Timeline("t", FPS, 1280, 720, (cut_for(words, narrator="ICU07"),))
        cues = build_captions(timeline, profile)
        assert len(cues) == 3
        gaps = [round((b.start - a.end) * FPS) for a, b in zip(cues, cues[1:], strict=False)]
        if closed:  # pauses of 5 frames: closed to 2
            assert gaps == [profile.min_gap_frames] * 2
        else:  # pauses of 22 frames stay open
            assert all(g >= profile.close_gap_frames for g in gaps)


def test_a_cue_never_reaches_the_next_item():
    # Speech right up to the end of the cut: the last cue stops two frames short of the card.
    words = speak("It was the longest night of my life.", 2.0)
    cut = cut_for(words, narrator="ICU07", pad=0.04)
    timeline = Timeline("t", FPS, 1280, 720, (cut, Card("credits", "Credits", 50)))
    profile = PROFILES["dcmp"]  # two seconds minimum: more than the speech leaves
    (cue,) = build_captions(timeline, profile)
    assert cue.end == pytest.approx((cut.frames - profile.min_gap_frames) / FPS)


# --- writers ----------------------------------------------------------------------------------


def test_srt_labels_only_audio_only_cuts(tmp_path):
    timeline = film()
    cues = build_captions(timeline, PROFILES["default"])
    path = tmp_path / "film.srt"
    path.write_text(format_srt(cues), encoding="utf-8")
    items = pysrt.open(str(path), encoding="utf-8")
    assert len(items) == len(cues)
    labelled = [i for i in items if re.match(r"ICU\d+: ", i.text)]
    assert [i.text.split(":")[0] for i in labelled] == ["ICU12"]
    assert labelled[0].text.startswith("ICU12: Coming")
    for item, cue in zip(items, cues, strict=True):
        assert item.start.ordinal == round(cue.start * 1000)
        assert item.end.ordinal == round(cue.end * 1000)


def test_vtt_has_a_voice_span_on_every_cue_and_escapes(tmp_path):
    cues = build_captions(film(), PROFILES["default"])
    text = format_vtt(cues)
    assert text.startswith("WEBVTT\n\n")
    blocks = text.strip().split("\n\n")[1:]
    assert len(blocks) == len(cues)
    for block, cue in zip(blocks, cues, strict=True):
        timing, first = block.split("\n")[:2]
        assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}", timing)
        assert first.startswith(f"<v {cue.speaker}>")
    odd = Cue(1.0, 2.0, ("Salt & pepper <b>", "a --> b"), "Dr <Who>")
    assert "<v Dr &lt;Who&gt;>Salt &amp; pepper &lt;b&gt;\na --&gt; b" in format_vtt([odd])


# --- descriptive transcript -------------------------------------------------------------------


def test_descriptive_transcript_in_film_order():
    timeline = film()
    doc = descriptive_transcript(timeline)
    text = doc.to_text()
    assert text.startswith("Intensive care: patients' stories\n")
    headings = [text.index("Touchpoint 1: Waking up"), text.index("Touchpoint 2: Going home")]
    assert headings == sorted(headings) and text.index("Credits") > headings[-1]
    assert "[00:06] ICU07 (man, 60s, patient): When I woke up in intensive care," in text
    assert "ICU12: [audio only; the narrator is not shown] Coming home" in text
    assert "Before the cut" not in text and "After the cut" not in text
    assert text.index("I didn't know where I was.") < text.index("Coming home was")


def test_descriptive_transcript_html_is_a_standalone_accessible_page():
    timeline = film()
    title = Card("opening", "Fish & chips <tea>", 50)
    timeline = Timeline(**{**timeline.__dict__, "items": (title, *timeline.items)})
    page = descriptive_transcript(timeline).to_html()
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<h1>Intensive care: patients&#x27; stories</h1>" in page
    assert page.index("<h2>Touchpoint 1: Waking up</h2>") < page.index("<h2>Touchpoint 2:")
    assert "Fish &amp; chips &lt;tea&gt;" in page and "<tea>" not in page
    assert '<time datetime="PT0M2S">00:02</time>' in page
    assert not re.search(r"<script|<link|src=|https?://", page)


# --- a real transcript ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jfk():
    audio = SHARED_DATA / "speech_audio" / "whisper__jfk.flac"
    if not audio.is_file():
        pytest.skip(f"shared test data not found at {audio}")
    from triggerfilm.transcripts.engines.faster_whisper import transcribe_file
    from triggerfilm.transcripts.options import TranscribeOptions

    return transcribe_file(audio, TranscribeOptions())


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PROFILES))
def test_real_transcript_in_a_cut(jfk, name):
    profile = PROFILES[name]
    cut = Cut("jfk", "jfk.flac", "0" * 64, 0.0, round(jfk.duration * FPS), 0, "JFK", None, "audio-only", tuple(jfk.words))  # fmt: skip
    timeline = Timeline("Inaugural", FPS, 1280, 720, (Card("opening", "Inaugural", 50), cut))
    cues = build_captions(timeline, profile)
    assert_well_formed(timeline, cues, profile)
    assert len(cues) >= 2 and cues[0].label
    assert "fellow Americans" in normalised(" ".join(" ".join(c.lines) for c in cues))


@pytest.mark.slow
def test_real_transcript_as_plain_subtitles(jfk):
    cues = cues_from_segments(jfk, PROFILES["default"])
    assert all(c.speaker is None and not c.label for c in cues)
    srt = format_srt(cues)
    items = pysrt.from_string(srt)
    assert normalised(" ".join(i.text for i in items)) == normalised(
        " ".join(w.text for w in jfk.words)
    )
    assert "<v " not in format_vtt(cues)


# --- the subtitle checker agrees ------------------------------------------------------------


@pytest.mark.parametrize("name", list(PROFILES))
@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_checker_finds_no_errors(tmp_path, name, fmt):
    check = pytest.importorskip("triggerfilm.captions.check")
    profile = PROFILES[name]
    cues = build_captions(film(), profile)
    path = tmp_path / f"film.{fmt}"
    path.write_text(WRITERS[fmt].format(cues), encoding="utf-8")
    report = check.check_subtitles(path, profile, fps=FPS)
    errors = [f for f in report.findings if f.severity == "error"]
    assert errors == []

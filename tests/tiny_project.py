"""A real project small enough for the fast tests: two clips of 2.4 seconds made with the
bundled ffmpeg, a manifest with comments, and each clip's transcript written into a private
cache as the checked transcript the pipeline would have stored.

Everything after the transcript is the real pipeline (probing, quotes, the edit plan, captions,
the manifest editor, the renderer), so the use cases, the studio and the command line can be
exercised in a fraction of a second each; the slow tests keep Whisper and the real interviews.

The words are written down rather than heard because the clips hold a tone, not speech: what a
transcript says is the recogniser's business, tested by the slow tests with real recordings.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from triggerfilm.transcripts.checked import checked_cache_path
from triggerfilm.transcripts.model import Segment, Transcript, Word
from triggerfilm.transcripts.options import TranscribeOptions
from triggerfilm.transcripts.store import cache_path, write_cached

from . import media_factory

SECONDS = 2.4
FPS = 25

# Each clip's words as (start, end, text), sentence by sentence, at a pace captions can follow.
# Every word is said once per clip, so two words quote one place; between sentences, silence.
WORDS: dict[str, tuple[tuple[tuple[float, float, str], ...], ...]] = {
    "ward": (
        ((0.10, 0.50, " Nights"), (0.50, 0.75, " were"), (0.75, 1.30, " long.")),
        ((1.55, 1.90, " Nurses"), (1.90, 2.30, " helped.")),
    ),
    "home": (
        (
            (0.10, 0.45, " Going"),
            (0.45, 0.80, " home"),
            (0.80, 1.00, " was"),
            (1.00, 1.40, " hard."),
        ),  # fmt: skip
        ((1.65, 2.25, " Truly."),),
    ),
}

MANIFEST = """\
# A tiny film for the fast tests.
title: Tiny film
description: Two narrators, two touchpoints
output:
  width: 320
  height: 180
  fps: 25
  card_seconds: {card_seconds}

clips:
  - id: ward
    media: {ward}
    narrator: Ann
    descriptor: patient
    consent: {{basis: generated test media, uses: [joint-event], approved_clips: true}}
  - id: home
    media: {home}
    narrator: Bob
    descriptor: relative
    consent: {{basis: generated test media, uses: [joint-event], approved_clips: true}}

# Touchpoints in care-pathway order.
touchpoints:
  - title: Nights on the ward
    prompt: What would help at night?
    selections:
      - clip: ward
        from: "Nights were"
        to: "Nurses helped"
        valence: positive
  - title: Going home
    content_note: Talks about a hard day
    selections:
      # Selected by time: "Going home was hard."
      - clip: home
        from: 0.0
        to: 1.5
        valence: negative
"""

_made: dict[str, Path] = {}


def clip_file(name: str) -> Path:
    """The clip ``name`` (ward or home), made once per test run: a test copies or reads it."""
    if name not in _made:
        folder = Path(tempfile.mkdtemp(prefix="triggerfilm-tiny-media-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / f"{name}.mp4"
        # A tone whose pitch tells the clips apart (so their content hashes differ), over a
        # moving test picture; 25 fps, H.264 and AAC like the footage the renderer meets.
        pitch = {"ward": 330, "home": 523}[name]
        media_factory.run(
            [
                "-f", "lavfi", "-i", f"testsrc2=s=160x90:r={FPS}:d={SECONDS}",
                "-f", "lavfi", "-i", f"sine=f={pitch}:r=48000:d={SECONDS}",
                "-af", "aformat=channel_layouts=stereo",
                *media_factory.VIDEO, *media_factory.AUDIO, "-t", str(SECONDS), str(path),
            ]
        )  # fmt: skip
        _made[name] = path
    return _made[name]


# A word the recogniser was unsure of, marked as the doubt checks mark one: `review` lists it.
UNSURE = {("home", " Truly.")}


def _word(name: str, start: float, end: float, text: str) -> Word:
    if (name, text) in UNSURE:
        return Word(start, end, text, 0.2, ("low-probability",))
    return Word(start, end, text, 0.95)


def transcript_of(name: str, options: TranscribeOptions) -> Transcript:
    segments = tuple(
        Segment(
            start=sentence[0][0],
            end=sentence[-1][1],
            text="".join(text for _, _, text in sentence),
            words=tuple(_word(name, a, b, text) for a, b, text in sentence),
        )
        for sentence in WORDS[name]
    )
    speech = tuple((s.start - 0.05, s.end + 0.05) for s in segments)
    return Transcript(
        segments, "en", SECONDS, options.engine, options.model, options.to_dict(), speech
    )


def seed_transcripts(media: dict[str, Path], options: TranscribeOptions | None = None) -> None:
    """Store each clip's transcript where the pipeline looks for it (the current cache root):
    Whisper's entry, so nothing is transcribed, and the checked one later stages read."""
    options = options or TranscribeOptions()
    for name, path in media.items():
        transcript = transcript_of(name, options)
        write_cached(cache_path(path, options), transcript)
        write_cached(checked_cache_path(path, options, None), transcript)


@dataclass(frozen=True)
class TinyProject:
    folder: Path
    manifest: Path
    media: dict[str, Path]

    def text(self) -> str:
        return self.manifest.read_text(encoding="utf-8")


def tiny_project(
    folder: Path, monkeypatch: pytest.MonkeyPatch, *, card_seconds: float = 0
) -> TinyProject:
    """The tiny project in ``folder`` with its own cache (also used by subprocesses)."""
    folder.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(folder / "cache"))
    media = {}
    for name in WORDS:
        media[name] = folder / f"{name}.mp4"
        shutil.copyfile(clip_file(name), media[name])
    manifest = folder / "tiny.yaml"
    text = MANIFEST.format(card_seconds=card_seconds, ward=media["ward"], home=media["home"])
    manifest.write_text(text, encoding="utf-8")
    seed_transcripts(media)
    return TinyProject(folder, manifest, media)


CATALOGUE = """\
archive:
  name: Tiny archive
  attribution: Generated test media
clips:
  - id: WARD-01
    interview: WARD
    title: Nights on the ward
    media: ward.mp4
    media_type: video
    topics: [nights]
    narrator: {descriptor: patient, role: patient}
    permission: Generated test media
  - id: HOME-01
    interview: HOME
    title: The day I went home
    media: home.mp4
    media_type: audio-only
    topics: [going-home]
    narrator: {descriptor: relative, role: family member}
    permission: Generated test media
"""


def tiny_archive(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An archive folder of the two clips (catalogue.yaml beside the media), transcripts seeded
    in its own cache; returns the folder."""
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(folder / "cache"))
    archive = folder / "archive"
    archive.mkdir()
    media = {}
    for name in WORDS:
        media[name] = archive / f"{name}.mp4"
        shutil.copyfile(clip_file(name), media[name])
    (archive / "catalogue.yaml").write_text(CATALOGUE, encoding="utf-8")
    seed_transcripts(media)
    return archive

"""A small real project for the consent, provenance and pack tests.

Two archive clips in an archive folder of its own (copies of the sample archive's media, with a
catalogue written here, so the tests can change a source without touching clips/) and one local
clip with a consent form. Selections are by time, except one quote, so the timeline does not
hang on how the recogniser hears every word.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLIPS = ROOT / "clips"

CATALOGUE = """archive:
  name: test archive
  attribution: "Test archive, by permission of its narrators."
clips:
  - id: ICU07-01
    interview: ICU07
    title: Waking up on the unit
    media: ICU07-01.mp4
    media_type: video
    narrator: {descriptor: "man, 60s, patient", role: patient}
    permission: "Archive permission ref TA-7"
  - id: ICU15-01
    interview: ICU15
    title: Sitting with my wife at night
    media: ICU15-01.m4a
    media_type: audio-only
    narrator: {descriptor: "husband of a patient, 70s", role: family member}
    permission: "Archive permission ref TA-15"
"""

MANIFEST = """# Consent test film: comments must survive a withdrawal.
title: Consent test film
description: Three narrators, two touchpoints
credits: Made for the tests.
output: {{card_seconds: 1}}
archives:
  ta: archive
clips:
  - {{id: icu07, archive: ta, clip: ICU07-01}}
  - id: icu15
    archive: ta
    clip: ICU15-01
    consent: {{basis: "Letter 2025/3", uses: [joint-event, training], expires: 2030-01-01}}
  - id: loc01
    media: local/LOC01.mp4   # the local interview
    narrator: LOC01
    consent:
      basis: CF-014
      uses: [patient-event, joint-event]
      expires: {loc01_expires}
      approved_clips: true
touchpoints:
  - title: Nights on the unit
    description: Noise and confusion
    content_note: Describes confusion and fear at night
    selections:
      - clip: icu07
        from: "The nights were the worst part"
        to: 24.7
        valence: negative
      - {{clip: loc01, from: 0.5, to: 4.0, valence: positive}}
  - title: Going home
    selections:
      - {{clip: icu15, from: 1.0, to: 5.0, valence: mixed}}
"""


def make_project(folder: Path, loc01_expires: str = "2030-12-31") -> Path:
    """Write the project under ``folder`` and return its manifest's path."""
    needed = [CLIPS / n for n in ("ICU07-01.mp4", "ICU15-01.m4a", "ICU21-01.mp4")]
    if not all(p.is_file() for p in needed):
        pytest.skip(f"the sample archive's media is not in {CLIPS}")
    archive = folder / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    shutil.copy(needed[0], archive / "ICU07-01.mp4")
    shutil.copy(needed[1], archive / "ICU15-01.m4a")
    (archive / "catalogue.yaml").write_text(CATALOGUE, encoding="utf-8")
    (folder / "local").mkdir(exist_ok=True)
    shutil.copy(needed[2], folder / "local" / "LOC01.mp4")
    path = folder / "film.yaml"
    path.write_text(MANIFEST.format(loc01_expires=loc01_expires), encoding="utf-8")
    return path


def planned(manifest: Path):
    """(prepared, timeline) for ``manifest``, transcribing with the bundled model (cached)."""
    from triggerfilm import app
    from triggerfilm.transcripts.options import TranscribeOptions

    prepared = app.prepare(manifest)
    app.transcribe_all(prepared, TranscribeOptions())
    return prepared, app.plan(prepared)

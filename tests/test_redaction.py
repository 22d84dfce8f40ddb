"""Redaction: named words are muted in the sound and replaced in every caption."""

from __future__ import annotations

import json

import numpy as np
import pytest

from triggerfilm.app import RenderOptions, render_manifest
from triggerfilm.errors import ManifestError

from .conftest import CLIPS
from .media_factory import decode_audio

MANIFEST = f"""\
title: Redaction test
output: {{width: 320, height: 180, card_seconds: 0, redaction_text: "[name removed]"}}
archives: {{sample: {CLIPS}}}
clips:
  - {{id: icu12, archive: sample, clip: ICU12-01}}
touchpoints:
  - title: Arriving
    selections:
      - clip: icu12
        from: "When I walked onto the unit"
        to: "covered in wires and tubes"
        redact: ["my father"]
"""


@pytest.mark.slow
def test_redacted_words_are_silent_and_captioned_as_removed(tmp_path):
    manifest = tmp_path / "film.yaml"
    manifest.write_text(MANIFEST)
    render_manifest(manifest, tmp_path / "out", RenderOptions(preset="ultrafast"))
    cut = json.loads((tmp_path / "out" / "timeline.json").read_text())["items"][0]
    assert len(cut["redactions"]) == 1
    text = "".join(w["text"] for w in cut["words"])
    assert "[name removed]" in text and "father" not in text.lower()
    srt = (tmp_path / "out" / "film.srt").read_text()
    assert "[name removed]" in srt and "father" not in srt.lower()
    vtt = (tmp_path / "out" / "film.vtt").read_text()
    assert "father" not in vtt.lower()

    rate, start, samples = decode_audio(tmp_path / "out" / "film.mp4")
    mono = samples.mean(axis=0)  # channels x samples
    a, b = (t - cut["source_in"] for t in cut["redactions"][0])

    def rms(t0: float, t1: float) -> float:
        part = mono[int((t0 - start) * rate) : int((t1 - start) * rate)]
        return float(np.sqrt(np.mean(np.square(part.astype(np.float64)))))

    assert rms(a + 0.05, b - 0.05) < 1e-3  # muted (AAC leaves only a trace)
    assert rms(0.3, a - 0.05) > 0.01  # the rest of the passage still speaks


@pytest.mark.slow
def test_redaction_of_words_not_spoken_names_the_field(tmp_path):
    manifest = tmp_path / "film.yaml"
    manifest.write_text(MANIFEST.replace('["my father"]', '["Doctor Patel"]'))
    with pytest.raises(ManifestError) as caught:
        render_manifest(manifest, tmp_path / "out", RenderOptions(preset="ultrafast"))
    assert caught.value.field == "touchpoints[0].selections[0].redact[0]"
    assert "Doctor Patel" in str(caught.value) and caught.value.line == 12
    assert not (tmp_path / "out" / "film.mp4").exists()


def test_redact_entries_are_validated_strictly(tmp_path):
    from triggerfilm.manifest.load import load_manifest

    manifest = tmp_path / "film.yaml"
    manifest.write_text(MANIFEST.replace('["my father"]', "[{from: 9, to: 8}]"))
    with pytest.raises(ManifestError) as caught:
        load_manifest(manifest)
    assert caught.value.field == "touchpoints[0].selections[0].redact[0].to"

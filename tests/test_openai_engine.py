"""The openai-whisper engine, offline on tiny.en converted from the bundled CTranslate2 model."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from triggerfilm.errors import TriggerfilmError
from triggerfilm.transcripts.convert import ConversionError, read_ct2_model, to_openai_state
from triggerfilm.transcripts.model import Transcript
from triggerfilm.transcripts.options import TranscribeOptions
from triggerfilm.transcripts.whisper_models import (
    bundled_model_dir,
    ensure_checkpoint,
    list_offline_models,
    openai_export_path,
    resolve_model,
)

from .conftest import run_cli

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
JFK = SHARED_DATA / "speech_audio" / "whisper__jfk.flac"
NO_SPEECH = SHARED_DATA / "speech_audio" / "whispertimestamped__empty_nospeech.mp3"


def _needs_whisper():
    torch = pytest.importorskip("torch", reason="torch is not installed (optional extra 'openai')")
    whisper = pytest.importorskip(
        "whisper", reason="openai-whisper is not installed (optional extra 'openai')"
    )
    return torch, whisper


def _needs(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"shared test data not found at {path} (it sits beside the repo in CI)")
    return path


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()


@pytest.fixture(scope="module")
def checkpoint() -> Path:
    """The bundled model exported once into the test session's private cache."""
    _needs_whisper()
    resolved = resolve_model("bundled", "openai-whisper")
    ensure_checkpoint(resolved)
    return Path(resolved.location)


@pytest.fixture(scope="module")
def jfk_openai(checkpoint: Path) -> Transcript:
    from triggerfilm.transcripts.engines.openai_whisper import transcribe_file

    return transcribe_file(_needs(JFK), TranscribeOptions(engine="openai-whisper"))


def test_ct2_tensors_map_onto_openai_names():
    model = read_ct2_model(bundled_model_dir() / "model.bin")
    dims, state = to_openai_state(model, bundled_model_dir() / "model.bin")
    assert dims["n_vocab"] == 51864 and dims["n_audio_layer"] == 4 and dims["n_text_head"] == 6
    fused = model.variables["decoder/layer_1/self_attention/linear_0/weight"].astype(np.float32)
    width = dims["n_text_state"]
    # The fused projection splits in query, key, value order; the key has no bias.
    assert np.array_equal(state["decoder.blocks.1.attn.value.weight"], fused[2 * width :])
    assert "decoder.blocks.1.attn.key.bias" not in state
    assert all(array.dtype == np.float32 for array in state.values())


def test_truncated_model_bin_is_a_user_error(tmp_path: Path):
    broken = tmp_path / "model.bin"
    broken.write_bytes((bundled_model_dir() / "model.bin").read_bytes()[:5000])
    with pytest.raises(ConversionError, match="ends early"):
        read_ct2_model(broken)


@pytest.mark.slow
def test_conversion_loads_strictly_into_openai_whisper(checkpoint: Path):
    torch, whisper = _needs_whisper()
    assert checkpoint == openai_export_path()
    assert re.fullmatch(r"tiny\.en-from-ct2-[0-9a-f]{12}\.pt", checkpoint.name)
    saved = torch.load(checkpoint, map_location="cpu", weights_only=True)
    model = whisper.model.Whisper(whisper.model.ModelDimensions(**saved["dims"]))
    missing, unexpected = model.load_state_dict(saved["model_state_dict"], strict=True)
    assert not missing and not unexpected
    # The heads word timestamps use: tiny.en's from config.json, as openai-whisper ships them.
    assert saved["alignment_heads"][0] == [1, 0] and len(saved["alignment_heads"]) == 8
    # openai-whisper's own loader takes the file too (without the alignment heads).
    assert whisper.load_model(str(checkpoint), device="cpu").dims.n_text_layer == 4


@pytest.mark.slow
def test_exported_checkpoint_is_listed_offline(checkpoint: Path):
    listed = {(m.engine, m.name): m for m in list_offline_models()}
    assert Path(listed[("openai-whisper", "bundled")].location) == checkpoint
    assert listed[("openai-whisper", "bundled")].ready
    assert Path(listed[("faster-whisper", "bundled")].location) == bundled_model_dir()


@pytest.mark.slow
def test_openai_engine_transcribes_jfk_with_word_times(jfk_openai: Transcript):
    assert "ask not what your country can do for you" in " ".join(_words(jfk_openai.text))
    assert jfk_openai.engine == "openai-whisper" and jfk_openai.language == "en"
    assert jfk_openai.duration == pytest.approx(11.0, abs=0.05)
    americans = [w for w in jfk_openai.words if w.clean.strip(",.").lower() == "americans"]
    assert len(americans) == 1
    assert americans[0].start <= 1.8 <= americans[0].end  # openai-whisper's own test
    words = jfk_openai.words
    assert all(0 <= w.start <= w.end <= jfk_openai.duration for w in words)
    assert all(a.start <= b.start and a.end <= b.end for a, b in itertools.pairwise(words))
    assert all(0 < w.probability <= 1 for w in words)


@pytest.mark.slow
def test_openai_and_faster_engines_agree_on_type_and_words(jfk_openai: Transcript):
    from triggerfilm.transcripts.engines.faster_whisper import transcribe_file

    faster = transcribe_file(JFK, TranscribeOptions(engine="faster-whisper"))
    assert type(jfk_openai) is type(faster) is Transcript
    assert Transcript.from_dict(jfk_openai.to_dict()) == jfk_openai
    # Same weights, same beam: the same words (punctuation may differ).
    assert _words(jfk_openai.text) == _words(faster.text)


@pytest.mark.slow
def test_vad_drops_a_file_without_speech(checkpoint: Path):
    from triggerfilm.transcripts.engines.openai_whisper import transcribe_file

    seen: list[float] = []
    result = transcribe_file(
        _needs(NO_SPEECH), TranscribeOptions(engine="openai-whisper"), seen.append
    )
    assert result.segments == () and result.words == []
    assert result.duration == pytest.approx(3.17, abs=0.05)
    assert seen[-1] == result.duration  # progress still reaches the end


@pytest.mark.slow
def test_unknown_model_offline_names_the_offline_ones(checkpoint: Path):
    from triggerfilm.transcripts.engines.openai_whisper import load_model

    with pytest.raises(TriggerfilmError, match=r"available offline: .*\btiny\b"):
        load_model("no-such-model")


@pytest.mark.slow
def test_first_use_says_once_that_the_checkpoint_was_converted(tmp_path, shared_data, monkeypatch):
    _needs_whisper()
    # An empty model cache, as on a user's machine before openai-whisper first ran.
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(tmp_path / "cache"))
    checkpoint = openai_export_path()
    manifest = tmp_path / "film.yaml"
    speech = shared_data / "speech_audio"
    manifest.write_text(
        f"""title: First use
clips:
  - {{id: timit, media: {speech / "deepspeech__LDC93S1_timit.wav"}, narrator: T01}}
  - {{id: jfk, media: {speech / "whisper__jfk.flac"}, narrator: JFK}}
touchpoints:
  - title: Words
    selections:
      - {{clip: timit, from: 0, to: 2}}
""",
        encoding="utf-8",
    )
    engine = ("--engine", "openai-whisper", "--model", "tiny")
    # Two clips: on two or more cores a batch of worker processes, which must not each convert.
    first = run_cli("transcribe", manifest, *engine, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "2 clip(s) transcribed" in first.stdout
    said = [line for line in first.stderr.splitlines() if line.startswith("warning: model:")]
    assert said == [
        "warning: model: first use of model 'tiny' with openai-whisper: converted once into "
        f"{checkpoint}"
    ]
    assert checkpoint.is_file()
    # Other options, so the engine runs again on both clips: the checkpoint is there to use.
    again = run_cli("transcribe", manifest, *engine, "--beam-size", "1", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "2 clip(s) transcribed" in again.stdout
    assert "warning: model" not in again.stderr and "converted" not in again.stderr

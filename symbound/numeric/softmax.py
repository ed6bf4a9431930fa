r"""Row-wise softmax with optional attention masks.

:math:`\mathrm{softm}(A) = D^{-1}\exp(A)` with :math:`D = \mathrm{diag}(\exp(A)\mathbf 1)`
(Alman & Song's Definition 3.1 as reconstructed in paper-math.md §4.2), computed
stably: each row is shifted by its largest allowed logit first, so logits of size
:math:`10^6` neither overflow nor lose the row's structure.  Masked positions get
probability exactly zero (never ``-inf`` arithmetic), and a row with no allowed
position is an error.

>>> import numpy as np
>>> p = softmax(np.array([[1e6, 1e6 - 1.0, -1e6]]))
>>> np.round(p, 6).tolist()
[[0.731059, 0.268941, 0.0]]
>>> softmax(np.zeros((3, 3)), mask=causal_mask(3)).round(3).tolist()
[[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.333, 0.333, 0.333]]
"""

from __future__ import annotations

import numpy as np

from symbound.errors import UsageError
from symbound.numeric.backends.base import AbstractBackend
from symbound.numeric.backends.float64 import Float64Backend

__all__ = ["causal_mask", "local_mask", "softmax", "softmax_matmul", "softmax_parts"]

_F64 = Float64Backend()


def causal_mask(n: int) -> np.ndarray:
    """Boolean ``(n, n)`` mask allowing position ``j`` for query ``i`` iff ``j <= i``.

    >>> causal_mask(3).astype(int).tolist()
    [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    """
    _check_size("n", n, 1)
    return np.tril(np.ones((n, n), dtype=bool))


def local_mask(n: int, w: int, *, causal: bool = False) -> np.ndarray:
    """Local (sliding-window) mask: query ``i`` sees ``j`` iff ``|i - j| <= w``.

    ``w`` is the window's half-width: each token sees itself and ``w`` neighbours on
    each side (with ``causal=True``, only the ``w`` preceding ones).  ``w = 0`` is
    the identity (every token attends only to itself).

    >>> local_mask(4, 1).astype(int).tolist()
    [[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1], [0, 0, 1, 1]]
    >>> local_mask(3, 1, causal=True).astype(int).tolist()
    [[1, 0, 0], [1, 1, 0], [0, 1, 1]]
    """
    _check_size("n", n, 1)
    _check_size("w", w, 0)
    i, j = np.indices((n, n))
    allowed = np.abs(i - j) <= w
    return allowed & (j <= i) if causal else allowed


def _check_size(name: str, value, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
        raise UsageError(f"{name} must be an integer >= {least}, got {value!r}")


def _validated_mask(mask, shape) -> np.ndarray:
    """The boolean mask broadcast to ``shape``; every row must allow a position."""
    mask = np.asarray(mask, dtype=bool)
    try:
        mask = np.broadcast_to(mask, shape)
    except ValueError:
        raise UsageError(
            f"mask of shape {mask.shape} does not fit logits of shape {shape}"
        ) from None
    empty = ~mask.any(axis=-1)
    if empty.any():
        row = tuple(int(i) for i in np.argwhere(empty)[0])
        raise UsageError(f"mask row {row} allows no position; every query must see a key")
    return mask


def softmax_matmul(s, v, *, mask=None, backend: AbstractBackend = _F64):
    r""":math:`\mathrm{softm}(S)\,V` (masked), through the backend's fused kernel if it has one
    (:class:`~symbound.numeric.backends.base.FusedSoftmax`).

    >>> import numpy as np
    >>> softmax_matmul(np.zeros((2, 2)), np.array([[1.0], [3.0]])).tolist()
    [[2.0], [2.0]]
    """
    s = backend.asarray(s)
    if mask is not None:
        mask = _validated_mask(mask, s.shape)
    return _softmax_matmul(s, backend.asarray(v), mask, backend)


def _softmax_matmul(s, v, mask, backend: AbstractBackend):
    """``softmax(s, mask) @ v`` (mask already validated): the backend's fused kernel if
    it has one for these inputs, else ``(e @ v) / total`` from :func:`softmax_parts`."""
    fused = getattr(backend, "fused_softmax_matmul", None)  # FusedSoftmax, cheaply
    if fused is not None:
        out = fused(s, v, mask)
        if out is not None:
            return out
    e, total = softmax_parts(s, mask=mask, backend=backend)
    with backend.scope():
        return backend.matmul(e, v) / np.asarray(total)[..., None]


def softmax_parts(s, *, mask=None, backend: AbstractBackend = _F64):
    r"""Unnormalised weights and row sums: ``softmax(s) = e / total[..., None]``.

    ``e`` is :math:`\exp(s - c)` with a per-row shift :math:`c` (the largest allowed
    logit), zero at masked positions; ``total`` its row sums (each at least 1).
    Attention uses it to divide the ``n x d`` product ``e @ V`` instead of the
    ``n x n`` matrix ``e``.
    """
    s = backend.asarray(s)
    if s.ndim < 1 or s.shape[-1] == 0:
        raise UsageError(f"softmax needs at least one logit per row, got shape {s.shape}")
    zero = backend.number(0)
    if mask is None:
        shift = backend.representative(backend.max(s, axis=-1))
        e = backend.exp_shifted(s, np.asarray(shift)[..., None])
    else:
        mask = _validated_mask(mask, s.shape)
        first = mask.argmax(axis=-1)[..., None]
        reference = np.take_along_axis(s, first, axis=-1)
        filled = np.where(mask, s, reference)
        shift = backend.representative(backend.max(filled, axis=-1))
        e = np.where(mask, backend.exp_shifted(filled, np.asarray(shift)[..., None]), zero)
    return e, backend.sum(e, axis=-1)


def softmax(s, *, mask=None, backend: AbstractBackend = _F64):
    r"""Row-wise softmax of ``s`` (shape ``(..., n, m)``), optionally masked.

    ``mask`` is a boolean array broadcastable to ``s``; ``False`` entries get
    probability exactly 0.  Every row must allow at least one position.

    >>> from symbound.numeric.backends import MpmathBackend
    >>> hp = MpmathBackend(dps=25)
    >>> p = softmax(hp.asarray([[0, -40]]), backend=hp)
    >>> print(p[0, 1])  # e^-40 / (1 + e^-40), far below float64's resolution of 1
    4.248354255291588977280721e-18
    """
    e, total = softmax_parts(s, mask=mask, backend=backend)
    with backend.scope():
        return e / np.asarray(total)[..., None]

"""The float64 backend: IEEE double precision with NumPy, for screening.

>>> Float64Backend().exp(Float64Backend().asarray([0.0, 1.0])).round(6).tolist()
[1.0, 2.718282]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from symbound.numeric.backends.base import AbstractBackend, divide_by_beta, to_fraction

__all__ = ["Float64Backend"]


@dataclass(frozen=True)
class Float64Backend(AbstractBackend):
    """IEEE double precision with NumPy: fast, for screening; never a proof.

    Its scope changes nothing: NumPy's own floating-point error settings apply (the
    checker silences them around its search, where non-finite results simply mark
    an instance as unevaluable).
    """

    name: ClassVar[str] = "float64"

    def number(self, x):
        # np.float64, not float: division by zero gives inf (under errstate), no exception
        return np.float64(float(to_fraction(x)) if isinstance(x, str) else float(x))

    def asarray(self, x):
        if isinstance(x, np.ndarray) and x.dtype != object:
            return x.astype(np.float64, copy=False)
        arr = np.asarray(x, dtype=object)
        return np.array([self.number(v) for v in arr.ravel().tolist()], dtype=np.float64).reshape(
            arr.shape
        )

    def to_float(self, x):
        return np.asarray(x, dtype=np.float64)

    def zeros(self, shape):
        return np.zeros(shape)

    def fused_head(self, x, W_Q, W_K, W_V, beta, mask):
        """One head without biases or mask on float64 arrays, in raw NumPy: the very
        operations of the generic path (:func:`symbound.numeric.attention.attention_head`),
        in the same order, so the same bits, without its per-call dispatch (a search
        evaluates one small head at a time).  ``beta`` is a number or one per batch row.
        None for anything else."""
        if mask is not None:
            return None
        for a in (x, W_Q, W_K, W_V):
            if not isinstance(a, np.ndarray) or a.dtype != np.float64:
                return None
        dk = W_Q.shape[-1]
        qkv = np.matmul(x, np.concatenate((W_Q, W_K, W_V), axis=-1))
        q, k, v = qkv[..., :dk], qkv[..., dk : 2 * dk], qkv[..., 2 * dk :]
        q = divide_by_beta(q, beta, self)
        logits = np.matmul(q, np.swapaxes(k, -1, -2))
        # the methods are the functions' own reductions, without their dispatch
        e = np.exp(logits - logits.max(axis=-1, keepdims=True))
        return np.matmul(e, v) / e.sum(axis=-1, keepdims=True)

    def exp(self, x):
        return np.exp(x)

    def expm1(self, x):
        return np.expm1(x)

    def log(self, x):
        return np.log(x)

    def sqrt(self, x):
        return np.sqrt(x)

    def tanh(self, x):
        return np.tanh(x)

    def pi(self):
        return np.pi

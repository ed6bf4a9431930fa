r"""The mpmath backend: high precision at ``dps`` digits, on a private context.

Its matrix products, array exponentials and ``softmax(S) V`` run through the
vectorised fixed-point kernels of :mod:`symbound.numeric.backends._fixedpoint`; it
has the :class:`~symbound.numeric.backends.base.FusedSoftmax` capability.

>>> hp = MpmathBackend(dps=30)
>>> print(hp.exp(hp.asarray([[1, 2], [3, 4]]))[0, 0])
2.71828182845904523536028747135
>>> import mpmath
>>> mpmath.mp.dps  # the global context is untouched
15
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import ClassVar

import mpmath
import numpy as np
from mpmath.libmp import from_float, from_int, from_rational, mpf_exp, round_nearest

from symbound.errors import UsageError
from symbound.numeric.backends._fixedpoint import mpf_exp_array, mpf_matmul, mpf_softmax_matmul
from symbound.numeric.backends.base import AbstractBackend, object_array, to_fraction

__all__ = ["MpmathBackend"]


@functools.lru_cache(maxsize=32)
def _mp_context(prec: int) -> mpmath.MPContext:
    ctx = mpmath.MPContext()
    ctx.prec = prec
    return ctx


@dataclass(frozen=True)
class MpmathBackend(AbstractBackend):
    """mpmath at ``dps`` decimal digits, on a private context (the global one is untouched).

    The per-entry Python work of ``mpmath.matrix`` is what this avoids (see
    :mod:`symbound.numeric.backends._fixedpoint`): matrix products are exact integer products
    rounded once per entry, ``exp`` of an array is one vectorised fixed-point
    evaluation, and ``softmax(S) @ V`` is fused so that the probabilities are never
    mpf objects.  Results agree with mpmath's own to within an ulp or two.

    >>> hp = MpmathBackend(dps=30)
    >>> print(hp.matmul([[0.5, 2]], [[1], [0.25]])[0, 0])  # floats convert exactly
    1.0
    """

    dps: int = 50
    name: ClassVar[str] = "mpmath"

    def __post_init__(self):
        if isinstance(self.dps, bool) or not isinstance(self.dps, int) or self.dps < 1:
            raise UsageError(f"dps must be a positive integer, got {self.dps!r}")

    @functools.cached_property
    def prec(self) -> int:
        """Working precision in bits."""
        return mpmath.libmp.dps_to_prec(self.dps)

    @functools.cached_property
    def ctx(self) -> mpmath.MPContext:
        """The private mpmath context holding this backend's precision."""
        return _mp_context(self.prec)

    def number(self, x):
        ctx = self.ctx
        if type(x) is ctx.mpf:
            return x
        if isinstance(x, float | np.floating):
            return ctx.make_mpf(from_float(float(x)))
        if isinstance(x, int | np.integer) and not isinstance(x, bool):
            return ctx.make_mpf(from_int(int(x), self.prec, round_nearest))
        if hasattr(x, "_mpf_"):
            return ctx.make_mpf(mpmath.libmp.normalize(*x._mpf_, self.prec, round_nearest))
        q = to_fraction(x)
        return ctx.make_mpf(from_rational(q.numerator, q.denominator, self.prec, round_nearest))

    def to_float(self, x):
        if isinstance(x, np.ndarray):
            return np.array([float(v) for v in x.ravel().tolist()]).reshape(x.shape)
        return np.float64(float(x))

    def exp(self, x):
        make = self.ctx.make_mpf
        if not isinstance(x, np.ndarray):
            return make(mpf_exp(self.number(x)._mpf_, self.prec, round_nearest))
        raw = [v._mpf_ for v in self.asarray(x).ravel().tolist()]
        return object_array([make(v) for v in mpf_exp_array(raw, self.prec)], x.shape)

    def exp_shifted(self, x, shift):
        # x - c is formed exactly in fixed point inside the kernel, not rounded first
        x = self.asarray(x)
        c = np.broadcast_to(self.asarray(shift), x.shape)
        raw = [v._mpf_ for v in x.ravel().tolist()]
        cs = [v._mpf_ for v in c.ravel().tolist()]
        make = self.ctx.make_mpf
        return object_array([make(v) for v in mpf_exp_array(raw, self.prec, cs)], x.shape)

    def fused_softmax_matmul(self, s, v, mask):
        """``softmax(s) @ v`` of matrices, fused: the probabilities never become mpf
        objects (see :func:`~symbound.numeric.backends._fixedpoint.mpf_softmax_matmul`);
        None for batches (the generic code takes them)."""
        s, v = self.asarray(s), self.asarray(v)
        if s.ndim != 2 or v.ndim != 2:
            return None
        return mpf_softmax_matmul(s, v, mask, self.prec, self.ctx.make_mpf)

    def asarray(self, x):
        if isinstance(x, np.ndarray) and x.dtype == object:
            mpf = self.ctx.mpf
            if all(type(v) is mpf for v in x.ravel().tolist()):
                return x
        return super().asarray(x)

    def expm1(self, x):
        return self._map(self.ctx.expm1, x)

    def log(self, x):
        return self._map(self.ctx.log, x)

    def sqrt(self, x):
        return self._map(self.ctx.sqrt, x)

    def tanh(self, x):
        return self._map(self.ctx.tanh, x)

    def pi(self):
        return +self.ctx.pi

    def matmul(self, x, y):
        x = self.asarray(x)
        y = self.asarray(y)
        if x.ndim == 2 and y.ndim == 2:
            return mpf_matmul(x, y, self.prec, self.ctx.make_mpf)
        if x.ndim < 2 or y.ndim < 2:
            return np.matmul(x, y)
        shape = np.broadcast_shapes(x.shape[:-2], y.shape[:-2])
        xb = np.broadcast_to(x, (*shape, *x.shape[-2:]))
        yb = np.broadcast_to(y, (*shape, *y.shape[-2:]))
        out = np.empty((*shape, x.shape[-2], y.shape[-1]), dtype=object)
        for idx in np.ndindex(*shape):
            out[idx] = self.matmul(xb[idx], yb[idx])
        return out

r"""The Arb backend: outward-rounded ball arithmetic with python-flint, fast where it counts.

Every result is a ball that contains the exact value of the operation on the exact
inputs.  Comparisons of balls are never used to decide anything here: maxima and
minima go through ``arb.max``/``arb.min`` (which enclose the true extremum), and
verdicts are read from balls' endpoints by the caller.

Precision lives in python-flint's global context, so every operation runs inside
:meth:`ArbBackend.scope` (``flint.ctx.workprec``); note that even ``abs`` and unary
minus round to the current precision.

Speed: the per-entry Python work is kept to what cannot be avoided.  A head of
float (or integer) weights goes through the compiled kernel ``_arbkernel`` when it
is built (``symbound/numeric/backends/_arbkernel.c``, against Arb's C library: one C call
for logits, exponentials, row sums and the product with ``V``, the balls coming back
as integers on a common power of two; see :data:`COMPILED`).  Otherwise, and for
other inputs, a head stays in ``arb_mat`` from input to logits (products in C; float
inputs enter exactly, without a detour), ``softmax(S) @ V`` is one ``exp`` per entry
followed by the row sums and the product with ``V`` as ``arb_mat`` products, and no
softmax shift is needed: Arb's exponents are unbounded.  python-flint has no
elementwise exponential, so there the ``exp`` loop is the floor.  Both paths return
enclosures of the same exact values (tested against each other and against mpmath).

>>> import numpy as np
>>> arb = ArbBackend(prec=200)
>>> p = arb.fused_softmax_matmul(arb.asarray([[0.0, -40.0]]), arb.asarray([[1.0], [0.0]]), None)
>>> ball = p[0, 0]
>>> ball.contains(1) or ball.rad() < 1e-55   # 1/(1 + e^-40), to 60 digits
True
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import operator
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

import flint
import numpy as np

from symbound.errors import UsageError
from symbound.numeric.backends.base import AbstractBackend, object_array, to_fraction

try:
    from symbound.numeric.backends import _arbkernel
except ImportError:  # built without Arb's C library: the python-flint path
    _arbkernel = None

__all__ = ["COMPILED", "ArbBackend", "ball_endpoints"]

_ARB = flint.arb

#: The version of Arb's C library the compiled head kernel was built against, or None
#: when it was not built (then every head goes through python-flint).
COMPILED: str | None = None if _arbkernel is None else _arbkernel.arb_version


def ball_endpoints(ball) -> tuple[Fraction, Fraction]:
    """The exact endpoints ``mid - rad`` and ``mid + rad`` of an Arb ball, as Fractions.

    >>> import flint
    >>> ball_endpoints(flint.arb(1, 0.5))[0] <= Fraction(1, 2)
    True
    """

    def exact(x) -> Fraction:
        man, exp = x.man_exp()
        man, exp = int(man), int(exp)
        return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)

    mid, rad = exact(ball.mid()), exact(ball.rad().mid())
    return mid - rad, mid + rad


def _dyadic(a) -> tuple[flint.fmpz_mat, int] | None:
    """``a`` as ``M * 2**e`` with an integer matrix ``M`` (exact), or None.

    For float and integer arrays whose nonzero entries span fewer than 900 binary
    orders of magnitude; anything else (objects, inf/nan, huge spans) gets None and
    the caller takes the general path.

    >>> M, e = _dyadic(np.array([[0.75, -2.0]]))
    >>> [int(v) * 2.0**e for v in M.entries()]
    [0.75, -2.0]
    >>> _dyadic(np.array([[1e-300, 1e300]])) is None
    True
    """
    a = np.asarray(a)
    if a.dtype.kind in "iu":
        return flint.fmpz_mat(a.tolist()), 0
    if a.dtype.kind != "f" or not np.all(np.isfinite(a)):
        return None
    a = a.astype(np.float64, copy=False)
    nonzero = a[a != 0]
    if nonzero.size == 0:
        return flint.fmpz_mat(*a.shape), 0
    exps = np.frexp(nonzero)[1]
    lo = int(exps.min()) - 53
    if int(exps.max()) - lo > 900:
        return None
    scaled = np.ldexp(a, -lo)  # every entry an integer, exactly (53-bit mantissas)
    rows, cols = (a.shape[0], 1) if a.ndim == 1 else a.shape
    if int(exps.max()) - lo < 63:  # fits int64: convert in NumPy
        flat = scaled.astype(np.int64).ravel().tolist()
    else:
        flat = list(map(int, scaled.ravel().tolist()))
    return flint.fmpz_mat(rows, cols, flat), lo


def _float_matrix(a) -> np.ndarray | None:
    """``a`` as a C-ordered float64 matrix holding exactly its values, or None."""
    a = np.asarray(a)
    if a.ndim != 2 or a.dtype.kind not in "fiu" or a.size == 0:
        return None
    if a.dtype.kind in "iu" and not (-(2**53) <= int(a.min()) and int(a.max()) <= 2**53):
        return None  # integers that a double would round
    f = np.ascontiguousarray(a, dtype=np.float64)
    return f if np.all(np.isfinite(f)) else None


def _balls_on_grid(found, n: int, v: int) -> np.ndarray:
    """The n x v balls of the compiled kernel's integers (inside the scope): entry (i, c)
    contains [mid - rad, mid + rad] 2^e (the product by the grid rounds outward).

    python-flint builds every ball from a Python int: this, not the kernel, is most of a
    small head's time (see benchmarks/bench_arb_scaling.py)."""
    mids, rads, e = found
    grid = _ARB((1, e))
    ball = flint.arb_mat(flint.fmpz_mat(n, v, mids)) * grid
    ball = ball + flint.arb_mat(flint.fmpz_mat(n, v, rads)) * _ARB(0, grid)
    # fromiter: a tenth of the time of assigning the list into an object array
    return np.fromiter(ball.entries(), dtype=object, count=n * v).reshape(n, v)


@dataclass(frozen=True)
class ArbBackend(AbstractBackend):
    """Ball arithmetic with python-flint's ``arb`` at ``prec`` bits (see the module notes).

    ``compiled=False`` keeps heads off the compiled kernel (for comparisons; the
    results are enclosures either way)."""

    prec: int = 256
    compiled: bool = True
    name: ClassVar[str] = "arb"
    rigorous: ClassVar[bool] = True

    def __post_init__(self):
        if isinstance(self.prec, bool) or not isinstance(self.prec, int) or self.prec < 2:
            raise UsageError(f"prec must be an integer number of bits >= 2, got {self.prec!r}")
        if not isinstance(self.compiled, bool):
            raise UsageError(f"compiled must be True or False, got {self.compiled!r}")

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        with flint.ctx.workprec(self.prec):
            yield

    # -- conversion ----------------------------------------------------------------
    def number(self, x):
        if type(x) is _ARB:
            return x
        if isinstance(x, float | np.floating | int | np.integer) and not isinstance(x, bool):
            return _ARB(float(x) if isinstance(x, float | np.floating) else int(x))  # exact
        q = to_fraction(x)
        with self.scope():
            if q.denominator == 1:
                return _ARB(flint.fmpz(q.numerator))
            return _ARB(flint.fmpq(q.numerator, q.denominator))

    def asarray(self, x):
        if isinstance(x, np.ndarray):
            flat = x.ravel().tolist()
            if x.dtype == object and all(type(v) is _ARB for v in flat):
                return x
            if x.dtype.kind in "fiu":  # floats and ints convert exactly, without a detour
                return object_array([_ARB(v) for v in flat], x.shape)
        return super().asarray(x)

    def to_float(self, x):
        if isinstance(x, np.ndarray):
            return np.array([float(v.mid()) for v in x.ravel().tolist()]).reshape(x.shape)
        return np.float64(float(x.mid()))

    # -- elementwise ---------------------------------------------------------------
    def exp(self, x):
        return self._map(lambda v: v.exp(), x)

    def expm1(self, x):
        return self._map(lambda v: v.expm1(), x)

    def log(self, x):
        return self._map(lambda v: v.log(), x)

    def sqrt(self, x):
        return self._map(lambda v: v.sqrt(), x)

    def tanh(self, x):
        return self._map(lambda v: v.tanh(), x)

    def pi(self):
        with self.scope():
            return _ARB.pi()

    # -- reductions that compare ----------------------------------------------------
    def _reduce(self, op: str, x, axis):
        x = np.asarray(x, dtype=object)
        if axis is None:
            flat = x.ravel().tolist()
            with self.scope():
                return functools.reduce(lambda u, v: getattr(u, op)(v), flat)
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        axes = tuple(sorted(a % x.ndim for a in axes))
        keep = [i for i in range(x.ndim) if i not in axes]
        moved = np.transpose(x, keep + list(axes))
        lead = moved.shape[: len(keep)]
        rows = moved.reshape(*lead, -1)
        out = np.empty(lead, dtype=object)
        with self.scope():
            for idx in np.ndindex(*lead):
                out[idx] = functools.reduce(lambda u, v: getattr(u, op)(v), rows[idx].tolist())
        return out if out.ndim else out[()]

    def max(self, x, axis=None):
        return self._reduce("max", x, axis)

    def min(self, x, axis=None):
        return self._reduce("min", x, axis)

    def maximum(self, x, y):
        x, y = np.broadcast_arrays(np.asarray(x, dtype=object), np.asarray(y, dtype=object))
        with self.scope():
            flat = [u.max(v) for u, v in zip(x.ravel().tolist(), y.ravel().tolist(), strict=True)]
        return object_array(flat, x.shape)

    def minimum(self, x, y):
        x, y = np.broadcast_arrays(np.asarray(x, dtype=object), np.asarray(y, dtype=object))
        with self.scope():
            flat = [u.min(v) for u, v in zip(x.ravel().tolist(), y.ravel().tolist(), strict=True)]
        return object_array(flat, x.shape)

    # -- products -------------------------------------------------------------------
    def matmul(self, x, y):
        x, y = self.asarray(x), self.asarray(y)
        if x.ndim != 2 or y.ndim != 2:
            with self.scope():
                return np.matmul(x, y)
        with self.scope():
            prod = flint.arb_mat(x.tolist()) * flint.arb_mat(y.tolist())
            return object_array(prod.entries(), (prod.nrows(), prod.ncols()))

    def _mat(self, a) -> flint.arb_mat:
        """An arb_mat of a 2-D array (floats and ints go in exactly, without a detour)."""
        a = np.asarray(a)
        if a.dtype.kind in "fiu":
            return flint.arb_mat(a.tolist())
        return flint.arb_mat(self.asarray(a).tolist())

    def _compiled_head(self, x, W_Q, W_K, W_V, beta, mask):
        """The head through ``_arbkernel``, or None when its inputs are not for it.

        Entry (i, c) comes back as integers with [mid - rad, mid + rad] * 2^e containing
        the kernel's ball; the rebuilt ball contains that interval (the products round
        outward), so it encloses the exact value."""
        if self.prec > _arbkernel.MAX_PREC:
            return None
        mats = [_float_matrix(a) for a in (x, W_Q, W_K, W_V)]
        if any(a is None for a in mats):
            return None
        X, Q, K, V = mats
        (n, m), k, v = X.shape, Q.shape[1], V.shape[1]
        if Q.shape[0] != m or K.shape != (m, k) or V.shape[0] != m:
            return None
        if isinstance(beta, bool) or not isinstance(beta, int | float | np.integer | np.floating):
            return None
        if not (np.isfinite(beta) and beta > 0 and float(beta) == beta):
            return None
        keep = None
        if mask is not None:
            keep = np.asarray(mask, dtype=bool)
            if keep.shape != (n, n):
                return None
            keep = np.ascontiguousarray(keep, dtype=np.uint8)
        found = _arbkernel.head(X, Q, K, V, n, m, k, v, float(beta), keep, self.prec)
        if found is None:  # a logit beyond 2^40, a row with nothing to attend to, ...
            return None
        with self.scope():
            return _balls_on_grid(found, n, v)

    def fused_head(self, x, W_Q, W_K, W_V, beta, mask):
        """One head of matrices (see :class:`~symbound.numeric.backends.base.FusedHead`):
        the compiled kernel, else exact integer logits, else ``arb_mat`` throughout;
        None for batches."""
        if any(np.ndim(w) != 2 for w in (x, W_Q, W_K, W_V)):
            return None
        if self.compiled and _arbkernel is not None:
            out = self._compiled_head(x, W_Q, W_K, W_V, beta, mask)
            if out is not None:
                return out
        n = np.shape(x)[0]
        exact = [_dyadic(a) for a in (x, W_Q, W_K, W_V)]
        if all(e is not None for e in exact):
            (Xi, ex), (Qi, eq), (Ki, ek), (Vi, ev) = exact
            # the logits X W_Q W_K^T X^T are computed exactly in integers (fmpz_mat)
            S_int = (Xi * Qi) * (Xi * Ki).transpose()
            with self.scope():
                scale = _ARB(2) ** (2 * ex + eq + ek)
                if not (isinstance(beta, int | float) and beta == 1):
                    scale = scale / self.number(beta)
                S = flint.arb_mat(S_int) * scale
                V = flint.arb_mat(Xi * Vi) * _ARB(2) ** (ex + ev)
                return self._softmax_rows(S.entries(), mask, n, V)
        with self.scope():
            X = self._mat(x)
            Q, K, V = (X * self._mat(w) for w in (W_Q, W_K, W_V))
            if not (isinstance(beta, int | float) and beta == 1):
                Q = Q * (_ARB(1) / self.number(beta))
            return self._softmax_rows((Q * K.transpose()).entries(), mask, n, V)

    def _softmax_rows(self, logits, mask, n, V):
        """``softmax(S) @ V`` from the flat logits and an arb_mat V (inside the scope).

        No shift: Arb's exponents are unbounded, so exp(1e6) is a ball like any other and
        softm(s) = exp(s) / sum exp(s) holds as written."""
        m = len(logits) // n
        if mask is None:
            weights = list(map(_ARB.exp, logits))
        else:
            zero = _ARB(0)
            ok = np.asarray(mask, dtype=bool).ravel().tolist()
            weights = [x.exp() if a else zero for x, a in zip(logits, ok, strict=True)]
        E = flint.arb_mat(n, m, weights)
        inverse = [1 / s for s in (E * flint.arb_mat(m, 1, [1] * m)).entries()]
        EV = E * V
        d = EV.ncols()
        per_entry = itertools.chain.from_iterable(itertools.repeat(v, d) for v in inverse)
        return object_array(list(map(operator.mul, EV.entries(), per_entry)), (n, d))

    def fused_softmax_matmul(self, s, v, mask):
        """``softmax(s) @ v`` of matrices without a shift, in ``arb_mat`` products (see
        :class:`~symbound.numeric.backends.base.FusedSoftmax`); None for batches."""
        s = self.asarray(s)
        if s.ndim != 2 or np.ndim(v) != 2:
            return None
        with self.scope():
            return self._softmax_rows(s.ravel().tolist(), mask, s.shape[0], self._mat(v))

    def exp_shifted(self, x, shift):
        # no shift needed (unbounded exponents), and none wanted: it would widen the balls
        return self.exp(self.asarray(x))

    def representative(self, x):
        with self.scope():
            if isinstance(x, np.ndarray):
                return object_array([_ARB(v.mid()) for v in x.ravel().tolist()], x.shape)
            return _ARB(x.mid())

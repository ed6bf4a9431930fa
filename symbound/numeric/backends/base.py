r"""Numeric backends: one interface, four kinds of number.

Every function of the numeric core takes a ``backend`` keyword and does all its
arithmetic through it.  Arrays are NumPy arrays throughout: ``float64`` for
:class:`Float64Backend`, ``object`` arrays of the backend's scalars otherwise.

=====================  =========================  ==========================
backend                numbers                    guarantee
=====================  =========================  ==========================
:class:`Float64Backend`  IEEE double               none (fast screening)
:class:`MpmathBackend`   ``mpf`` at ``dps`` digits  high precision, not rigorous
:class:`ExactBackend`    ``fractions.Fraction``     exact; refuses ``exp``
:class:`ArbBackend`      python-flint ``arb`` balls rigorous enclosures
=====================  =========================  ==========================

Precision is an explicit argument and never a mutated global: the mpmath backend
owns a private ``mpmath.MPContext`` at its precision (numbers carry their context,
so arithmetic on them stays at that precision), and the Arb backend sets
python-flint's precision only inside :meth:`AbstractBackend.scope`.

>>> import numpy as np
>>> hp = MpmathBackend(dps=30)
>>> x = hp.asarray([[1, 2], [3, 4]])
>>> print(hp.exp(x)[0, 0])
2.71828182845904523536028747135
>>> import mpmath
>>> mpmath.mp.dps  # the global context is untouched
15
"""

from __future__ import annotations

import abc
import contextlib
import functools
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

import mpmath
import numpy as np
import sympy as sp
from mpmath.libmp import from_float, from_int, from_rational, mpf_exp, round_nearest

from symbound.errors import NotExactError, UsageError
from symbound.numeric._fixedpoint import mpf_exp_array, mpf_matmul, mpf_softmax_matmul

__all__ = [
    "BACKENDS",
    "AbstractBackend",
    "ArbBackend",
    "ExactBackend",
    "Float64Backend",
    "MpmathBackend",
    "ball_endpoints",
    "get_backend",
    "to_fraction",
]

Array = np.ndarray


def to_fraction(x: Any) -> Fraction:
    """Convert a number to an exact :class:`~fractions.Fraction`, without rounding.

    Floats are converted exactly (they are dyadic rationals); strings are parsed as
    decimals or ``p/q``; mpmath numbers by their mantissa and exponent.

    >>> to_fraction(0.5), to_fraction("1/3"), to_fraction("0.1")
    (Fraction(1, 2), Fraction(1, 3), Fraction(1, 10))
    >>> to_fraction(0.1) == Fraction(1, 10)  # the double nearest 0.1 is not 1/10
    False
    """
    if isinstance(x, Fraction):
        return x
    if isinstance(x, bool):
        raise TypeError("booleans are not numbers here")
    if isinstance(x, numbers.Integral):
        return Fraction(int(x))
    if isinstance(x, float | np.floating):
        if not math.isfinite(x):
            raise ValueError(f"cannot convert non-finite {x!r} to a rational")
        return Fraction(float(x))
    if isinstance(x, str):  # digits and exponent bounded: "1e999999999" would never finish
        from symbound.parse import exact_number

        return exact_number(x)
    if isinstance(x, sp.Rational):
        return Fraction(int(x.p), int(x.q))
    if hasattr(x, "_mpf_"):
        sign, man, exp, _bc = x._mpf_
        if not man:
            if x._mpf_ != mpmath.libmp.fzero:
                raise ValueError(f"cannot convert non-finite {x!r} to a rational")
            return Fraction(0)
        value = Fraction(int(man)) * (Fraction(2) ** exp)
        return -value if sign else value
    if isinstance(x, numbers.Rational):
        return Fraction(x.numerator, x.denominator)
    raise TypeError(f"cannot convert {type(x).__name__} to an exact rational")


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


def _object_array(values, shape) -> Array:
    out = np.empty(shape, dtype=object)
    out.ravel()[:] = values
    return out if out.ndim else out[()]


class AbstractBackend(abc.ABC):
    """Array arithmetic at one precision, with one set of operations.

    Elementwise ``+ - * /`` are NumPy's operators on the arrays; everything that
    differs between kinds of number (conversion, transcendental functions,
    reductions that compare, products) is a method here.  Concrete backends are
    final: they implement the abstract methods, and override a default only where
    their numbers need it (Arb: extrema of balls; mpmath: vectorised kernels).
    """

    #: Short name used by :func:`get_backend` and in reports.
    name: ClassVar[str]
    #: Results are exact rationals.
    exact: ClassVar[bool] = False
    #: Results are enclosures of the true value (exact results count).
    rigorous: ClassVar[bool] = False

    # -- precision ------------------------------------------------------------
    def scope(self) -> contextlib.AbstractContextManager:
        """Context in which this backend's arithmetic runs (precision, warnings)."""
        return contextlib.nullcontext()

    # -- conversion -----------------------------------------------------------
    @abc.abstractmethod
    def number(self, x: Any) -> Any:
        """Convert one number (int, float, str, Fraction, SymPy rational, mpf)."""

    def asarray(self, x: Any) -> Array:
        """Convert an array-like of numbers to this backend's array (exactly where it can)."""
        arr = np.asarray(x, dtype=object)
        with self.scope():
            return _object_array([self.number(v) for v in arr.ravel().tolist()], arr.shape)

    @abc.abstractmethod
    def to_float(self, x: Any) -> Array:
        """Nearest float64 values (for display and screening only)."""

    def zeros(self, shape) -> Array:
        return self.asarray(np.zeros(shape, dtype=np.int64))

    # -- elementwise ----------------------------------------------------------
    def _map(self, f: Callable, x: Any) -> Any:
        if isinstance(x, np.ndarray):
            with self.scope():
                return _object_array([f(v) for v in x.ravel().tolist()], x.shape)
        with self.scope():
            return f(x)

    @abc.abstractmethod
    def exp(self, x):
        """Elementwise :math:`e^x`."""

    def exp_shifted(self, x, shift):
        """Elementwise :math:`e^{x - c}` with ``c = shift`` broadcast against ``x``."""
        with self.scope():
            return self.exp(x - shift)

    @abc.abstractmethod
    def expm1(self, x):
        """Elementwise :math:`e^x - 1`, accurate for small ``x``."""

    @abc.abstractmethod
    def log(self, x):
        """Elementwise natural logarithm."""

    @abc.abstractmethod
    def sqrt(self, x):
        """Elementwise square root."""

    @abc.abstractmethod
    def tanh(self, x):
        """Elementwise hyperbolic tangent."""

    @abc.abstractmethod
    def pi(self):
        """The constant :math:`\\pi`."""

    def abs(self, x):
        # inside the scope: python-flint's abs and negation round to the current precision
        with self.scope():
            return np.abs(x)

    def maximum(self, x, y):
        """Elementwise maximum."""
        return np.maximum(x, y)

    def minimum(self, x, y):
        """Elementwise minimum."""
        return np.minimum(x, y)

    # -- reductions -----------------------------------------------------------
    def max(self, x, axis=None):
        with self.scope():
            return np.max(x, axis=axis)

    def min(self, x, axis=None):
        with self.scope():
            return np.min(x, axis=axis)

    def sum(self, x, axis=None):
        with self.scope():
            return np.sum(x, axis=axis)

    def matmul(self, x, y):
        with self.scope():
            return np.matmul(x, y)

    def representative(self, x):
        """An exactly representable number in (or equal to) ``x``; identity except for balls."""
        return x

    def head_output(self, x, W_Q, W_K, W_V, beta, mask):
        """One head without biases or output projection: ``softmax(X W_Q (X W_K)^T / beta) X W_V``.

        The generic version forms the three projections as one product; backends may
        fuse more (Arb keeps every intermediate an ``arb_mat``).
        """
        from symbound.numeric.attention import divide_by_beta

        x = self.asarray(x)
        dk = np.shape(W_Q)[-1]
        weights = np.concatenate([np.asarray(w) for w in (W_Q, W_K, W_V)], axis=-1)
        qkv = self.matmul(x, self.asarray(weights))
        q, k, v = qkv[..., :dk], qkv[..., dk : 2 * dk], qkv[..., 2 * dk :]
        q = divide_by_beta(q, beta, self)
        logits = self.matmul(q, np.swapaxes(k, -1, -2))
        return self.softmax_matmul(logits, v, mask)

    def softmax_matmul(self, s, v, mask):
        """``softmax(s, mask) @ v`` as ``(e @ v) / total`` (mask already validated)."""
        from symbound.numeric.softmax import softmax_parts

        e, total = softmax_parts(s, mask=mask, backend=self)
        with self.scope():
            return self.matmul(e, v) / np.asarray(total)[..., None]


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


@functools.lru_cache(maxsize=32)
def _mp_context(prec: int) -> mpmath.MPContext:
    ctx = mpmath.MPContext()
    ctx.prec = prec
    return ctx


@dataclass(frozen=True)
class MpmathBackend(AbstractBackend):
    """mpmath at ``dps`` decimal digits, on a private context (the global one is untouched).

    The per-entry Python work of ``mpmath.matrix`` is what this avoids (see
    :mod:`symbound.numeric._fixedpoint`): matrix products are exact integer products
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
        return _object_array([make(v) for v in mpf_exp_array(raw, self.prec)], x.shape)

    def exp_shifted(self, x, shift):
        # x - c is formed exactly in fixed point inside the kernel, not rounded first
        x = self.asarray(x)
        c = np.broadcast_to(self.asarray(shift), x.shape)
        raw = [v._mpf_ for v in x.ravel().tolist()]
        cs = [v._mpf_ for v in c.ravel().tolist()]
        make = self.ctx.make_mpf
        return _object_array([make(v) for v in mpf_exp_array(raw, self.prec, cs)], x.shape)

    def softmax_matmul(self, s, v, mask):
        # fused: the probabilities never become mpf objects (see mpf_softmax_matmul)
        s, v = self.asarray(s), self.asarray(v)
        if s.ndim != 2 or v.ndim != 2:
            return super().softmax_matmul(s, v, mask)
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


@dataclass(frozen=True)
class ExactBackend(AbstractBackend):
    """Exact rational arithmetic with :class:`fractions.Fraction`.

    Operations whose result is not rational (``exp``, ``sqrt``, ...) raise
    :class:`~symbound.errors.NotExactError`; the checker then falls back to Arb.

    >>> E = ExactBackend()
    >>> E.asarray([0.5, "1/3"]).tolist()
    [Fraction(1, 2), Fraction(1, 3)]
    >>> E.exp(E.number(1))
    Traceback (most recent call last):
      ...
    symbound.errors.NotExactError: exp is not rational; use the Arb backend for it
    """

    name: ClassVar[str] = "exact"
    exact: ClassVar[bool] = True
    rigorous: ClassVar[bool] = True

    def number(self, x):
        return to_fraction(x)

    def to_float(self, x):
        if isinstance(x, np.ndarray):
            return np.array([float(v) for v in x.ravel().tolist()]).reshape(x.shape)
        return np.float64(float(x))

    @staticmethod
    def _refuse(what):
        raise NotExactError(f"{what} is not rational; use the Arb backend for it")

    def exp(self, x):
        self._refuse("exp")

    def expm1(self, x):
        self._refuse("expm1")

    def log(self, x):
        self._refuse("log")

    def sqrt(self, x):
        self._refuse("sqrt")

    def tanh(self, x):
        self._refuse("tanh")

    def pi(self):
        self._refuse("pi")


from symbound.numeric.arb import ArbBackend  # noqa: E402  (it subclasses AbstractBackend)

#: Backend classes by name (dispatch through this mapping, not on strings).
BACKENDS: dict[str, type[AbstractBackend]] = {
    cls.name: cls for cls in (Float64Backend, MpmathBackend, ExactBackend, ArbBackend)
}


def get_backend(name: str, **options: Any) -> AbstractBackend:
    """A backend by name: ``float64``, ``mpmath`` (``dps=``), ``exact``, ``arb`` (``prec=``).

    >>> get_backend("mpmath", dps=40)
    MpmathBackend(dps=40)
    >>> get_backend("quad")
    Traceback (most recent call last):
      ...
    symbound.errors.UsageError: unknown backend 'quad'; choose one of arb, exact, float64, mpmath
    """
    try:
        cls = BACKENDS[name]
    except KeyError:
        raise UsageError(
            f"unknown backend {name!r}; choose one of {', '.join(sorted(BACKENDS))}"
        ) from None
    return cls(**options)

r"""What every backend is: :class:`AbstractBackend`, exact conversion, object arrays.

A backend does all the arithmetic of the numeric core at one precision.  Arrays are
NumPy arrays throughout: ``float64`` for the float64 backend, ``object`` arrays of
the backend's scalars otherwise.  Elementwise ``+ - * /`` are NumPy's operators;
everything that differs between kinds of number is a method of
:class:`AbstractBackend`.

Two kernels are optional *capabilities*, not methods every backend has: a backend
that can compute ``softmax(S) V`` or a whole attention head faster than the generic
code (:mod:`symbound.numeric.softmax`, :mod:`symbound.numeric.attention`) says so by
implementing :class:`FusedSoftmax` or :class:`FusedHead`; the generic code asks
for them and computes the rest itself.

>>> object_array([1, 2, 3, 4], (2, 2)).tolist()
[[1, 2], [3, 4]]
"""

from __future__ import annotations

import abc
import contextlib
import math
import numbers
from collections.abc import Callable
from fractions import Fraction
from typing import Any, ClassVar, Protocol, runtime_checkable

import mpmath
import numpy as np
import sympy as sp

__all__ = [
    "AbstractBackend",
    "FusedHead",
    "FusedSoftmax",
    "divide_by_beta",
    "object_array",
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


def object_array(values, shape) -> Array:
    """An ``object`` array of ``shape`` holding ``values`` (a flat sequence, C order); a
    0-d shape gives the value itself."""
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
            return object_array([self.number(v) for v in arr.ravel().tolist()], arr.shape)

    @abc.abstractmethod
    def to_float(self, x: Any) -> Array:
        """Nearest float64 values (for display and screening only)."""

    def zeros(self, shape) -> Array:
        return self.asarray(np.zeros(shape, dtype=np.int64))

    # -- elementwise ----------------------------------------------------------
    def _map(self, f: Callable, x: Any) -> Any:
        if isinstance(x, np.ndarray):
            with self.scope():
                return object_array([f(v) for v in x.ravel().tolist()], x.shape)
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


def divide_by_beta(q, beta, backend: AbstractBackend):
    """q / beta, folding 1/beta into the n x d_k factor rather than the n x n logits
    (attention's logit scale; the generic head and the float64 fused head both use it).

    ``beta`` is a number, or (float64 batches) one number per batch row.

    >>> from symbound.numeric.backends import Float64Backend
    >>> divide_by_beta(np.ones((2, 1, 1)), np.array([2.0, 4.0]), Float64Backend()).ravel().tolist()
    [0.5, 0.25]
    """
    if np.ndim(beta) == 0:
        if isinstance(beta, int | float) and beta == 1:
            return q
        with backend.scope():
            return q / backend.number(beta)
    with backend.scope():
        return q / np.asarray(beta)[..., None, None]


@runtime_checkable
class FusedSoftmax(Protocol):
    """A backend with its own kernel for ``softmax(s, mask) @ v``.

    ``fused_softmax_matmul`` returns the product, or None when the inputs are not for
    it (then :func:`symbound.numeric.softmax.softmax_matmul` computes it generically);
    ``mask`` is None or a boolean array already validated against ``s``.
    """

    def fused_softmax_matmul(self, s, v, mask): ...


@runtime_checkable
class FusedHead(Protocol):
    """A backend with its own kernel for one attention head without biases,
    ``softmax(X W_Q (X W_K)^T / beta, mask) X W_V``.

    ``fused_head`` returns the head's output, or None when the inputs are not for it
    (then :func:`symbound.numeric.attention.attention_head` computes it generically).
    """

    def fused_head(self, x, W_Q, W_K, W_V, beta, mask): ...

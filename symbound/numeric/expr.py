r"""Evaluate SymPy bounds on any backend, without ``eval``.

A bound's right-hand side is a SymPy expression.  :func:`compile_expr` walks its
tree once and returns a closure that evaluates it with a backend's arithmetic:
exactly (``Fraction``), at high precision (mpmath), as a rigorous ball (Arb), or as
float64 arrays (whole batches at once).  No code is generated and nothing is
``eval``-ed, so expressions can be evaluated rigorously: rationals stay exact (never
become float literals, as they would through ``lambdify``), and integer powers of
balls use repeated multiplication (python-flint's ``**`` gives ``nan`` on a ball
containing 0).

>>> from symbound.notation import eps, n, t, g
>>> from symbound.numeric.backends import ExactBackend, ArbBackend
>>> f = compile_expr(2 * (1 - 1 / n) * eps)
>>> f({"n": 3, "eps": ExactBackend().number("1/2")}, ExactBackend())
Fraction(2, 3)
>>> print(compile_expr(g(2 * t))({"t": 1}, ArbBackend(prec=64)))  # e^2 - 1, rigorously
[6.38905609893065 +/- 2.28e-16]
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from symbound.errors import InvalidLemmaError
from symbound.notation import as_expr, g
from symbound.numeric.backends import AbstractBackend

__all__ = ["compile_expr", "free_names"]

Evaluator = Callable[[Mapping[str, Any], AbstractBackend], Any]

_UNARY: dict[type, str] = {
    sp.exp: "exp",
    sp.log: "log",
    sp.tanh: "tanh",
    g: "expm1",
}


def free_names(expr: sp.Basic) -> frozenset[str]:
    """Names of the free symbols of ``expr``."""
    return frozenset(s.name for s in expr.free_symbols)


def _pow_int(x, k: int, backend: AbstractBackend):
    """x**k by repeated squaring (log k products; each an enclosure on balls, never nan)."""
    if k == 0:
        return backend.number(1)
    with backend.scope():
        result, base, e = None, x, abs(k)
        while e:
            if e & 1:
                result = base if result is None else result * base
            e >>= 1
            if e:
                base = base * base
        return backend.number(1) / result if k < 0 else result


def _integer_value(e) -> int | None:
    """``e`` as a Python int if it is exactly an integer (any backend's scalar), else None."""
    if isinstance(e, np.ndarray):
        if e.ndim:
            return None
        e = e[()]
    if isinstance(e, int | np.integer) and not isinstance(e, bool):
        return int(e)
    if isinstance(e, Fraction):
        return int(e) if e.denominator == 1 else None
    if isinstance(e, float | np.floating):
        return int(e) if float(e).is_integer() and abs(e) < 2**53 else None
    if hasattr(e, "is_exact"):  # an Arb ball (it also has an _mpf_ attribute)
        if e.is_exact() and e.is_integer():
            man, exp = e.mid().man_exp()
            return int(man) << int(exp)
        return None
    if hasattr(e, "_mpf_"):
        return int(e) if e == int(e) else None
    return None


def compile_expr(expr: sp.Basic) -> Evaluator:
    """Compile ``expr`` into ``f(values, backend)``; ``values`` maps symbol names to numbers.

    Supported: symbols, integers and rationals, ``pi``, ``E``, ``+``, ``*``, integer and
    half-integer powers, ``exp``, ``log``, ``tanh``, ``sqrt``, ``Abs``, ``Max``, ``Min``
    and the notation's ``g``.  Anything else (floats included: a bound's constants
    are exact) is refused when compiling, not when evaluating.
    """
    return _compiled(as_expr(expr))


@functools.lru_cache(maxsize=4096)
def _compiled(e: sp.Basic) -> Evaluator:
    """:func:`_compile`, once per expression (an evaluator is a pure function of it)."""
    return _compile(e)


def _compile(e: sp.Basic) -> Evaluator:
    if isinstance(e, sp.Symbol):
        name = e.name

        def symbol(v, b):
            try:
                value = v[name]
            except KeyError:
                raise InvalidLemmaError(f"no value given for symbol {name!r}") from None
            return value if isinstance(value, np.ndarray) else b.number(value)

        return symbol
    if isinstance(e, sp.Rational):  # Integer included
        q = Fraction(int(e.p), int(e.q))  # every backend reads a Fraction exactly
        return lambda v, b: b.number(q)
    if e is sp.pi:
        return lambda v, b: b.pi()
    if e is sp.E:
        return lambda v, b: b.exp(b.number(1))
    if isinstance(e, sp.Float):
        raise InvalidLemmaError(
            f"bound contains the float {e}; write exact constants (sympy.Rational) instead"
        )
    if isinstance(e, sp.Add | sp.Mul):
        parts = [_compile(a) for a in e.args]
        combine = operator.add if isinstance(e, sp.Add) else operator.mul

        def fold(v, b):
            values = [p(v, b) for p in parts]
            with b.scope():
                return functools.reduce(combine, values)

        return fold
    if isinstance(e, sp.Pow):
        base = _compile(e.base)
        k = e.exp
        if k.is_Integer:
            ki = int(k)
            return lambda v, b: _pow_int(base(v, b), ki, b)
        if k.is_Rational and k.q == 2:
            ki = int(k.p)
            return lambda v, b: _pow_int(b.sqrt(base(v, b)), ki, b)
        expo = _compile(k)

        def power(v, b):
            x, e = base(v, b), expo(v, b)
            whole = _integer_value(e)
            if whole is not None:  # exact integer exponent: repeated squaring, exact if x is
                return _pow_int(x, whole, b)
            with b.scope():
                return b.exp(e * b.log(x))

        return power
    if isinstance(e, sp.Abs):
        inner = _compile(e.args[0])
        return lambda v, b: b.abs(inner(v, b))
    if isinstance(e, sp.Max | sp.Min):
        parts = [_compile(a) for a in e.args]
        op = "maximum" if isinstance(e, sp.Max) else "minimum"

        def extremum(v, b):
            values = [p(v, b) for p in parts]
            out = values[0]
            for x in values[1:]:
                out = getattr(b, op)(out, x)
            return out

        return extremum
    for func, method in _UNARY.items():
        if isinstance(e, func):
            inner = _compile(e.args[0])
            return lambda v, b, m=method: getattr(b, m)(inner(v, b))
    raise InvalidLemmaError(
        f"cannot evaluate {type(e).__name__} ({e}) numerically; "
        "supported: + * ** exp log tanh sqrt Abs Max Min g pi E"
    )

r"""Interval enclosures of SymPy expressions, with Arb endpoints.

An :class:`Interval` is a pair of exact Arb numbers ``lo <= hi`` (radius 0).  Every
operation computes each endpoint as an Arb ball and keeps its outward bound
(``ball.lower()``, ``ball.upper()``), so the result contains the exact image of the
inputs: ordinary interval arithmetic whose rounding is done by Arb.  Decisions are
only ever taken by comparing exact endpoints, which Arb answers exactly.

Why endpoints and not balls: midpoint-radius arithmetic loses the sign of wide
inputs (``[0, 2] * [0, 2]`` as balls is ``[-2, 4]``), and ``exp`` of a wide ball has
a negative lower bound; python-flint's ``**`` gives ``nan`` on a ball containing
0.  Endpoint arithmetic has none of these problems: monotone functions map
endpoints to endpoints, products take the four corner products, and integer powers
are split by sign.

An operation that has no finite enclosure on its input (a division by an interval
containing 0, a logarithm reaching 0) raises :class:`Unbounded`; callers split the
box or give up, never guess.

>>> import sympy as sp
>>> from fractions import Fraction
>>> x = sp.Symbol("x")
>>> f = compile_interval(x * (1 - x))
>>> with flint_precision(64):
...     box = {"x": from_rationals(Fraction(0), Fraction(1))}
...     enc = f(box)
>>> (float(enc.lo), float(enc.hi))  # naive interval arithmetic: the dependency effect
(0.0, 1.0)
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

import flint
import mpmath
import sympy as sp

from symbound.notation import g

__all__ = [
    "Interval",
    "Unbounded",
    "approx",
    "compile_interval",
    "flint_precision",
    "from_rationals",
    "point",
    "to_fraction",
]

_ARB = flint.arb


class Unbounded(ArithmeticError):
    """The expression has no finite enclosure on this box (split it or give up)."""


@contextlib.contextmanager
def flint_precision(prec: int) -> Iterator[None]:
    """python-flint's working precision, scoped (even negation rounds to it)."""
    with flint.ctx.workprec(prec):
        yield


@dataclass(frozen=True, slots=True)
class Interval:
    """A closed interval ``[lo, hi]`` with exact Arb endpoints."""

    lo: flint.arb
    hi: flint.arb

    def __str__(self) -> str:
        return f"[{self.lo.mid().str(10, radius=False)}, {self.hi.mid().str(10, radius=False)}]"


def _of_ball(b: flint.arb) -> Interval:
    if not b.is_finite():
        raise Unbounded(f"no finite enclosure ({b})")
    return Interval(b.lower(), b.upper())


def _hull(balls) -> Interval:
    balls = list(balls)
    for b in balls:
        if not b.is_finite():
            raise Unbounded(f"no finite enclosure ({b})")
    lows = [b.lower() for b in balls]
    highs = [b.upper() for b in balls]
    return Interval(
        functools.reduce(lambda u, v: v if v < u else u, lows),
        functools.reduce(lambda u, v: v if v > u else u, highs),
    )


def from_rationals(lo: Fraction, hi: Fraction) -> Interval:
    """The interval ``[lo, hi]`` of two exact rationals (outward where not dyadic)."""
    a = _ARB(flint.fmpq(lo.numerator, lo.denominator))
    b = _ARB(flint.fmpq(hi.numerator, hi.denominator))
    return Interval(a.lower(), b.upper())


def point(q: Fraction) -> Interval:
    """The thinnest interval containing the rational ``q``."""
    return from_rationals(q, q)


def to_fraction(x: flint.arb) -> Fraction:
    """An exact Arb number (radius 0) as a Fraction."""
    man, exp = x.mid().man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)


def approx(q: Fraction, digits: int = 6) -> str:
    """A short decimal of an exact rational of any size (for people, never for decisions).

    >>> approx(Fraction(10**400, 3))
    '3.33333e+399'
    """
    return mpmath.nstr(mpmath.mpf(q.numerator) / q.denominator, digits)


def _add(a: Interval, b: Interval) -> Interval:
    return Interval((a.lo + b.lo).lower(), (a.hi + b.hi).upper())


def _mul(a: Interval, b: Interval) -> Interval:
    return _hull([a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi])


def _recip(a: Interval) -> Interval:
    if not (a.lo > 0 or a.hi < 0):
        raise Unbounded("division by an interval containing 0")
    return Interval((1 / a.hi).lower(), (1 / a.lo).upper())


def _pow_int(a: Interval, k: int) -> Interval:
    if k < 0:
        return _recip(_pow_int(a, -k))
    if k == 0:
        return Interval(_ARB(1), _ARB(1))
    lo_k, hi_k = a.lo**k, a.hi**k  # exact points: Arb's integer power of a point is fine
    if a.lo >= 0 or k % 2 == 1:
        return Interval(lo_k.lower(), hi_k.upper())
    if a.hi <= 0:
        return Interval(hi_k.lower(), lo_k.upper())
    return Interval(_ARB(0), _hull([lo_k, hi_k]).hi)  # even power across 0


def _increasing(f: Callable, domain_lo=None, strict: bool = False):
    """Lift an increasing function of balls to intervals (endpoints to endpoints)."""

    def lifted(a: Interval) -> Interval:
        if domain_lo is not None and (a.lo <= domain_lo if strict else a.lo < domain_lo):
            raise Unbounded(f"argument {a} leaves the domain")
        lo, hi = f(a.lo), f(a.hi)
        if not (lo.is_finite() and hi.is_finite()):
            raise Unbounded(f"no finite enclosure on {a}")
        return Interval(lo.lower(), hi.upper())

    return lifted


_EXP = _increasing(lambda v: v.exp())
_LOG = _increasing(lambda v: v.log(), _ARB(0), strict=True)
_SQRT = _increasing(lambda v: v.sqrt(), _ARB(0))
_UNARY = {
    sp.exp: _EXP,
    sp.log: _LOG,
    sp.tanh: _increasing(lambda v: v.tanh()),
    g: _increasing(lambda v: v.expm1()),
}

Enclosure = Callable[[Mapping[str, Interval]], Interval]


def compile_interval(expr: sp.Basic) -> Enclosure:
    """Compile ``expr`` into ``f(box) -> Interval``; call it inside :func:`flint_precision`.

    Supported: symbols, rationals, ``pi``, ``E``, ``+``, ``*``, powers (integer,
    half-integer, and real exponents of positive bases), ``exp``, ``log``, ``tanh``,
    ``sqrt``, ``Abs``, ``Max``, ``Min`` and the notation's ``g``.  Floats are refused:
    constants are exact.
    """
    if isinstance(expr, sp.Symbol):
        name = expr.name
        return lambda box: box[name]
    if isinstance(expr, sp.Rational):
        q = Fraction(int(expr.p), int(expr.q))
        return lambda box: point(q)
    if expr is sp.pi:
        return lambda box: _of_ball(_ARB.pi())
    if expr is sp.E:
        return lambda box: _of_ball(_ARB(1).exp())
    if isinstance(expr, sp.Float):
        raise ValueError(f"the expression contains the float {expr}; write exact rationals")
    if isinstance(expr, sp.Add | sp.Mul):
        parts = [compile_interval(a) for a in expr.args]
        op = _add if isinstance(expr, sp.Add) else _mul
        return lambda box: functools.reduce(op, [p(box) for p in parts])
    if isinstance(expr, sp.Pow):
        base = compile_interval(expr.base)
        k = expr.exp
        if k.is_Integer:
            ki = int(k)
            return lambda box: _pow_int(base(box), ki)
        if k.is_Rational and k.q == 2:
            ki = int(k.p)
            return lambda box: _pow_int(_SQRT(base(box)), ki)
        expo = compile_interval(k)
        return lambda box: _EXP(_mul(expo(box), _LOG(base(box))))
    if isinstance(expr, sp.Abs):
        inner = compile_interval(expr.args[0])

        def absolute(box):
            a = inner(box)
            if a.lo >= 0:
                return a
            if a.hi <= 0:
                return Interval(-a.hi, -a.lo)
            return Interval(_ARB(0), a.hi if a.hi > -a.lo else -a.lo)

        return absolute
    if isinstance(expr, sp.Max | sp.Min):
        parts = [compile_interval(a) for a in expr.args]
        pick = (lambda u, v: v if v > u else u) if isinstance(expr, sp.Max) else None
        pick = pick or (lambda u, v: v if v < u else u)

        def extremum(box):
            values = [p(box) for p in parts]
            return Interval(
                functools.reduce(pick, [v.lo for v in values]),
                functools.reduce(pick, [v.hi for v in values]),
            )

        return extremum
    for func, lifted in _UNARY.items():
        if isinstance(expr, func):
            inner = compile_interval(expr.args[0])
            return lambda box, f=lifted: f(inner(box))
    raise ValueError(
        f"cannot enclose {type(expr).__name__} ({expr}); "
        "supported: + * ** exp log tanh sqrt Abs Max Min g pi E"
    )

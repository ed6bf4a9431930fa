r"""Closed forms for the numbers a repair finds, and how far they can be trusted.

- :func:`identify_constant` -- a number as :math:`(p/q)\,K` with :math:`K` one of
  :math:`1, \ln 2, \pi, e, \sqrt 2` (an integer relation found by mpmath's
  :func:`~mpmath.pslq` in a private context), the simplest one within a tolerance;
- :func:`fit_rational` -- exact values at several sizes as one rational function of the
  size (SymPy's ``rational_interpolate``), fitted on the fewest points and confirmed
  exactly on the others;
- :func:`growth_exponent` -- the slope of :math:`\log` value against :math:`\log`
  size (a least-squares fit), for a sup ratio that grows with a size.

An identification is a hypothesis, never a result: a repair checks every closed form it
proposes as a new claim, and says on how many digits or sizes the proposal rested.

>>> identify_constant("0.69314718", 1e-7).text
'log(2)'
>>> from fractions import Fraction as F
>>> n = sp.Symbol("n")
>>> fit_rational([(2, F(1)), (3, F(4, 3)), (4, F(3, 2)), (5, F(8, 5))], n).expr
2*(n - 1)/n
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

__all__ = [
    "CONSTANTS",
    "Fit",
    "Identified",
    "digits_of",
    "fit_rational",
    "growth_exponent",
    "identify_constant",
    "simplest_between",
]

#: The constants a number is tried against, simplest first (1: a rational).
CONSTANTS: tuple[tuple[str, sp.Expr], ...] = (
    ("1", sp.Integer(1)),
    ("log(2)", sp.log(2)),
    ("pi", sp.pi),
    ("E", sp.E),
    ("sqrt(2)", sp.sqrt(2)),
)


@dataclass(frozen=True)
class Identified:
    """A closed form proposed for a number: ``expr`` (SymPy), its text, and the relative
    tolerance (``digits`` significant digits) it matched within."""

    expr: sp.Expr
    digits: int
    how: str

    @property
    def text(self) -> str:
        return str(self.expr)


def digits_of(rel_width: float) -> int:
    """Significant digits a relative width leaves (``1e-6`` -> 6; at least 0).

    >>> digits_of(2.5e-4), digits_of(0.5)
    (3, 0)
    """
    if rel_width <= 0:
        return 30
    return max(0, math.floor(-math.log10(rel_width)))


def identify_constant(
    x, rel_tol: float, *, max_coeff: int = 60, dps: int = 40
) -> Identified | None:
    r"""The simplest :math:`a + b K` within ``rel_tol`` of ``x`` (a decimal string, a
    Fraction or a number), :math:`a, b` rationals and ``K`` from :data:`CONSTANTS`, found
    as an integer relation by :func:`mpmath.pslq` (coefficients at most ``max_coeff``);
    ``None`` if there is none.  A relation is only accepted if the digits explain it:
    the sum of the decimal lengths of its coefficients must stay below the number of
    digits ``rel_tol`` leaves (three digits identify :math:`\ln 2`, never a relation
    with three two-digit coefficients).  Simplest: that sum, then the earlier constant.

    >>> identify_constant("1.6666666666", 1e-9).text
    '5/3'
    >>> identify_constant("1.718281828459", 1e-11).text
    '-1 + E'
    >>> identify_constant("1.2564312086261697", 1e-12) is None
    True
    """
    ctx = mpmath.MPContext()  # a private context: the global precision is never touched
    ctx.dps = dps
    xv = ctx.mpf(str(x)) if not isinstance(x, Fraction) else ctx.mpf(x.numerator) / x.denominator
    digits = digits_of(rel_tol)
    if xv == 0:
        return Identified(sp.Integer(0), digits, "exactly 0")
    scale = abs(xv)
    best = None
    for index, (name, K) in enumerate(CONSTANTS):
        kv = ctx.mpf(str(sp.N(K, dps + 5)))
        shapes = [[xv, kv]] if name == "1" else [[xv, kv], [xv, ctx.mpf(1), kv]]
        for vector in shapes:
            rel = ctx.pslq(
                [v / scale for v in vector], tol=rel_tol * max_coeff, maxcoeff=max_coeff,
                maxsteps=2000,
            )  # fmt: skip
            if rel is None or rel[0] == 0:
                continue
            cost = sum(math.log10(abs(c)) for c in rel if c)
            if cost > digits - 1:
                continue
            parts = [Fraction(-c, rel[0]) for c in rel[1:]]  # x = -(sum c_i v_i)/c_0
            value = ctx.fsum(
                ctx.mpf(q.numerator) / q.denominator * v
                for q, v in zip(parts, vector[1:], strict=True)
            )
            if abs(value - xv) > rel_tol * scale:
                continue
            terms = [sp.Rational(q.numerator, q.denominator) for q in parts]
            expr = terms[0] * K if len(terms) == 1 else terms[0] + terms[1] * K
            if expr == 0:
                continue
            score = (cost, index, len(vector))
            if best is None or score < best[0]:
                how = (
                    "an exact rational" if name == "1"
                    else f"a rational multiple of {name}" if len(terms) == 1
                    else f"a rational combination of 1 and {name}"
                )  # fmt: skip
                best = (score, Identified(expr, digits, f"{how} (pslq)"))
    return best[1] if best else None


def simplest_between(lo: Fraction, hi: Fraction) -> Fraction:
    """The rational of smallest denominator in ``[lo, hi]`` (then the smallest numerator
    in absolute value): a probe point that keeps witnesses simple.

    >>> simplest_between(Fraction(69, 100), Fraction(7, 10))
    Fraction(7, 10)
    >>> simplest_between(Fraction(1, 3), Fraction(1, 2))
    Fraction(1, 2)
    >>> simplest_between(Fraction(3141592, 10**6), Fraction(3141593, 10**6))
    Fraction(355, 113)
    """
    if lo > hi:
        lo, hi = hi, lo
    if lo <= 0 <= hi:
        return Fraction(0)
    if hi < 0:
        return -simplest_between(-hi, -lo)
    whole = math.ceil(lo)
    if whole <= hi:  # an integer: the smallest one in range
        return Fraction(whole)
    base = whole - 1  # lo and hi lie in (base, base + 1): continue with the reciprocals
    return base + 1 / simplest_between(1 / (hi - base), 1 / (lo - base))


@dataclass(frozen=True)
class Fit:
    """A rational function of one size fitted to exact values: fitted on ``fitted`` points,
    confirmed exactly at ``confirmed`` more."""

    expr: sp.Expr
    fitted: int
    confirmed: int


def fit_rational(
    points: Sequence[tuple[int, Fraction]], var: sp.Symbol, *, max_degree: int = 2
) -> Fit | None:
    r"""The rational function of ``var`` of lowest total degree (numerator and denominator
    each at most ``max_degree``) through exact ``points`` ``(size, value)``: fitted on
    the first :math:`\deg p + \deg q + 1` of them and equal at every other one, which
    must leave at least one to confirm.  ``None`` if there is none.

    >>> from fractions import Fraction as F
    >>> fit_rational([(1, F(1)), (2, F(1)), (3, F(1))], sp.Symbol("d")).expr
    1
    >>> fit_rational([(2, F(1)), (3, F(2))], sp.Symbol("n")) is None
    True
    """
    from sympy.polys.polyfuncs import rational_interpolate

    pts = sorted((int(s), Fraction(v)) for s, v in points)
    data = [(s, sp.Rational(v.numerator, v.denominator)) for s, v in pts]
    for total in range(0, 2 * max_degree + 1):
        for degnum in range(min(total, max_degree), -1, -1):
            degden = total - degnum
            if degden > max_degree:
                continue
            need = total + 1
            if need >= len(data):
                continue
            if total == 0:
                expr = data[0][1]
            else:
                try:
                    expr = sp.cancel(rational_interpolate(data[:need], degnum, X=var))
                except (ZeroDivisionError, ValueError, sp.PolynomialError):
                    continue
            if _fits(expr, var, data):
                return Fit(sp.factor(expr) if total else expr, need, len(data) - need)
    return None


def _fits(expr: sp.Expr, var: sp.Symbol, data) -> bool:
    for s, v in data:
        num, den = sp.fraction(sp.together(expr))
        d = den.subs(var, s)
        if d == 0 or sp.simplify(num.subs(var, s) / d - v) != 0:
            return False
    return True


def growth_exponent(points: Sequence[tuple[int, float]]) -> float | None:
    """The least-squares slope of ``log value`` against ``log size`` over the points with a
    positive size and value (``None`` with fewer than two).

    >>> round(growth_exponent([(1, 1.0), (2, 4.0), (3, 9.0)]), 6)
    2.0
    """
    pts = [(s, v) for s, v in points if s > 0 and v > 0 and math.isfinite(v)]
    if len({s for s, _ in pts}) < 2:
        return None
    x = np.log([float(s) for s, _ in pts])
    y = np.log([float(v) for _, v in pts])
    slope = np.polyfit(x, y, 1)[0]
    return float(slope)

r"""Enclosures in exact rational arithmetic, outward by construction: the re-check's numbers.

An enclosure is a :class:`RationalInterval` ``[lo, hi]`` of two exact
:class:`~fractions.Fraction` endpoints with the true value (or the exact image of a
box) between them.  No floating point, mpmath or Arb is involved -- the re-check must
not share code with the prover's Arb endpoints, and mpmath's interval ``exp`` is not an
enclosure (mpmath issue #1181: its upper end can land one ulp below
:math:`e^x`).  Why every result contains the truth:

* **Rounding.** Each operation is done exactly in rationals, then each endpoint is
  rounded *outward* to a dyadic with ``prec`` significant bits (floor for ``lo``,
  ceiling for ``hi``; :func:`down`, :func:`up`).  Magnitudes below
  :math:`2^{-E}` (``E = EMAX``) are rounded outward to 0 or :math:`\pm 2^{-E}`;
  above :math:`2^{E}` there is no enclosure (:class:`NoEnclosure`), so sizes stay
  bounded and nothing is ever rounded inward.
* **Arithmetic.** ``+`` adds ends; ``*`` takes the four corner products; a reciprocal
  needs ``0 \notin [lo, hi]``; an integer power is computed on magnitudes by repeated
  squaring with every partial product rounded in the direction of its end (products of
  non-negative numbers are monotone), the sign read from the parity.
* **Monotone functions** are evaluated at the two exact endpoints: ``sqrt`` (integer
  square roots of scaled endpoints, :func:`math.isqrt`), ``exp``, ``expm1`` (the
  notation's ``g``), ``log`` and ``tanh``; a real power is
  :math:`b^k = e^{k \ln b}` for :math:`b > 0`.
* **Series with proved remainders** (each function's docstring states its bound):
  :math:`e^x - 1` for :math:`0 \le x` from its Taylor series at
  :math:`r = x/2^m \le 1/16` (positive terms, tail :math:`\le 2 t_N r/(N+1)`), then
  :math:`\operatorname{expm1}(2y) = \operatorname{expm1}(y)(\operatorname{expm1}(y) +
  2)` ``m`` times; :math:`\ln x = e \ln 2 + 2\operatorname{artanh} z` with
  :math:`x = 2^e y`, :math:`y \in [2/3, 4/3)`, :math:`z = (y-1)/(y+1)`, and
  :math:`\ln 2 = 2 \operatorname{artanh}(1/3)` (positive terms, tail
  :math:`\le 2 z^{2N+3}/(2N+3)`); :math:`\pi = 16\arctan\frac15 - 4\arctan\frac1{239}`
  (alternating series, error at most the first omitted term).  Every other value is
  derived by monotone identities: :math:`e^{-x} = 1/e^x`, :math:`\operatorname{expm1}(-x)
  = -E/(1+E)`, :math:`\tanh x = E/(E+2)` with :math:`E = \operatorname{expm1}(2x)`.

Series are summed in fixed point (integers scaled by :math:`2^W`): a lower sum floors
every product and quotient of lower bounds of the (positive) terms, an upper sum ceils
those of upper bounds, so each bounds the true sum, every partial operation being
monotone in its inputs; the doubling steps cut their mantissas toward the same side.
For :math:`x > \mathrm{prec} + 8`, :math:`\tanh x \in [\tanh(\mathrm{prec} + 8), 1]`
(increasing, below 1).  ``Abs``, ``Max`` and ``Min`` act on the ends.  Tightness (not
rigour) depends on the guard bits added to ``prec``.

>>> x = Fraction(1381846513289487, 2**46)   # mpmath 1.3.0's iv.exp is 7.2e-30 low here
>>> e = exp(point(x, 113), 113)
>>> e.lo < e.hi and e.hi - e.lo < Fraction(1, 10**25)
True
>>> t = sp.Symbol("t", real=True)
>>> enclose(t * (1 - t), {"t": RationalInterval(Fraction(0), Fraction(1))}, 64)  # no dependency
RationalInterval(lo=Fraction(0, 1), hi=Fraction(1, 1))
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from symbound.notation import g

__all__ = [
    "EMAX",
    "NoEnclosure",
    "RationalInterval",
    "add",
    "down",
    "enclose",
    "exp",
    "expm1",
    "log",
    "mul",
    "pi",
    "point",
    "pow_int",
    "recip",
    "sqrt",
    "tanh",
    "up",
]

#: Magnitudes are kept within ``[2**-EMAX, 2**EMAX]`` (outward rounding below, no enclosure above).
EMAX = 2**20
_TINY = Fraction(1, 2**EMAX)


class NoEnclosure(ArithmeticError):
    """No finite enclosure (a division by an interval containing 0, a logarithm reaching
    0, a magnitude beyond ``2**EMAX``, an operation outside the supported set)."""


@dataclass(frozen=True, slots=True)
class RationalInterval:
    """``lo <= x <= hi`` with exact rational ends."""

    lo: Fraction
    hi: Fraction


# -- outward rounding ----------------------------------------------------------------------
def _round(q: Fraction, prec: int, upward: bool) -> Fraction:
    if q == 0:
        return q
    n, d = q.numerator, q.denominator
    e = abs(n).bit_length() - d.bit_length()  # 2^(e-1) < |q| < 2^(e+1)
    if e > EMAX:
        raise NoEnclosure(f"a magnitude beyond 2^{EMAX}")
    if e < -EMAX:  # |q| < 2^-EMAX: round outward to 0 or to +-2^-EMAX
        if q > 0:
            return _TINY if upward else Fraction(0)
        return Fraction(0) if upward else -_TINY
    s = prec - e
    num, den = (n << s, d) if s >= 0 else (n, d << -s)
    m, rest = divmod(num, den)  # floor, for either sign
    if upward and rest:
        m += 1
    return Fraction(m, 1 << s) if s >= 0 else Fraction(m << -s)


def down(q: Fraction, prec: int) -> Fraction:
    """``q`` rounded down to a dyadic ``m / 2**s`` whose ``m`` has ``prec`` (or ``prec + 1``) bits.

    >>> down(Fraction(1, 3), 4), up(Fraction(1, 3), 4)
    (Fraction(5, 16), Fraction(11, 32))
    """
    return _round(q, prec, False)


def up(q: Fraction, prec: int) -> Fraction:
    """``q`` rounded up to a dyadic ``m / 2**s``, ``m`` as in :func:`down`."""
    return _round(q, prec, True)


def point(q: Fraction, prec: int) -> RationalInterval:
    """The rational ``q`` (rounded outward when it is not a short dyadic)."""
    return RationalInterval(down(q, prec), up(q, prec))


# -- arithmetic ----------------------------------------------------------------------------
def add(a: RationalInterval, b: RationalInterval, prec: int) -> RationalInterval:
    return RationalInterval(down(a.lo + b.lo, prec), up(a.hi + b.hi, prec))


def _neg(a: RationalInterval) -> RationalInterval:
    return RationalInterval(-a.hi, -a.lo)


def mul(a: RationalInterval, b: RationalInterval, prec: int) -> RationalInterval:
    corners = (a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi)
    return RationalInterval(down(min(corners), prec), up(max(corners), prec))


def recip(a: RationalInterval, prec: int) -> RationalInterval:
    """``1/a`` for an interval not containing 0."""
    if not (a.lo > 0 or a.hi < 0):
        raise NoEnclosure("division by an interval containing 0")
    return RationalInterval(down(1 / a.hi, prec), up(1 / a.lo, prec))


def _pow_magnitude(x: Fraction, k: int, prec: int, upward: bool) -> Fraction:
    """A bound of ``x**k`` for ``x >= 0``, ``k >= 0`` (repeated squaring, each product rounded
    the same way: the products of non-negative numbers are monotone in their factors)."""
    out, base = Fraction(1), x
    while k:
        if k & 1:
            out = _round(out * base, prec, upward)
        k >>= 1
        if k:
            base = _round(base * base, prec, upward)
    return out


def pow_int(a: RationalInterval, k: int, prec: int) -> RationalInterval:
    """``a**k`` for an integer ``k`` (negative: the reciprocal of ``a**-k``).

    >>> pow_int(RationalInterval(Fraction(-1), Fraction(2)), 2, 53)
    RationalInterval(lo=Fraction(0, 1), hi=Fraction(4, 1))
    """
    if k < 0:
        if not (a.lo > 0 or a.hi < 0):
            raise NoEnclosure("division by an interval containing 0")
        return recip(pow_int(a, -k, prec), prec)
    if k == 0:
        return RationalInterval(Fraction(1), Fraction(1))
    if a.lo >= 0:
        return RationalInterval(
            _pow_magnitude(a.lo, k, prec, False), _pow_magnitude(a.hi, k, prec, True)
        )
    if a.hi <= 0:
        mag = pow_int(_neg(a), k, prec)
        return mag if k % 2 == 0 else _neg(mag)
    left, right = _pow_magnitude(-a.lo, k, prec, True), _pow_magnitude(a.hi, k, prec, True)
    if k % 2 == 0:
        return RationalInterval(Fraction(0), max(left, right))
    return RationalInterval(-left, right)


def _sqrt_end(q: Fraction, prec: int, upward: bool) -> Fraction:
    if q == 0:
        return q
    e = q.numerator.bit_length() - q.denominator.bit_length()
    s = prec - e // 2  # sqrt(q) * 2^s has about prec bits
    scaled = q * Fraction(4) ** s  # exact: sqrt(q) = sqrt(scaled) / 2^s
    if upward:
        c = -((-scaled.numerator) // scaled.denominator)  # ceiling
        r = math.isqrt(c)
        r += r * r < c  # ceil(sqrt(c)) >= sqrt(scaled)
    else:
        r = math.isqrt(scaled.numerator // scaled.denominator)  # = floor(sqrt(scaled))
    return Fraction(r, 1 << s) if s >= 0 else Fraction(r << -s)


def sqrt(a: RationalInterval, prec: int) -> RationalInterval:
    if a.lo < 0:
        raise NoEnclosure("square root of an interval reaching below 0")
    return RationalInterval(_sqrt_end(a.lo, prec, False), _sqrt_end(a.hi, prec, True))


# -- the exponential family -----------------------------------------------------------------
# Series are summed in fixed point: integers scaled by 2^W, each product floored for a lower
# bound and ceiled for an upper one (floor(a*b/c) <= a*b/c for a, b, c >= 0, and the partial
# results are monotone in their inputs), so the integer sums bound the true sums.
def _fixed(q: Fraction, w: int) -> tuple[int, int]:
    """``floor(q * 2**w)`` and ``ceil(q * 2**w)`` for ``q >= 0``."""
    m, rest = divmod(q.numerator << w, q.denominator)
    return m, m + (rest != 0)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _expm1_nonneg(x: Fraction, prec: int) -> tuple[Fraction, Fraction]:
    r"""Bounds of :math:`e^x - 1` for :math:`x \ge 0`.

    With :math:`r = x/2^m \le 1/16` (exact), :math:`e^r - 1 = \sum_{k \ge 1} r^k/k!`;
    after the terms up to :math:`t_N = r^N/N!` the tail is
    :math:`\sum_{k > N} r^k/k! \le t_N \frac{r/(N+1)}{1 - r/(N+1)} \le 2 t_N r/(N+1)`.
    Then :math:`\operatorname{expm1}(2y) = E(E+2)`, increasing in :math:`E \ge 0`, ``m`` times.
    """
    if x == 0:
        return Fraction(0), Fraction(0)
    if x >= EMAX:
        raise NoEnclosure(f"exp of a number beyond {EMAX} exceeds 2^{EMAX}")
    m = max(0, x.numerator.bit_length() - x.denominator.bit_length() + 5)
    r = x / 2**m  # 2^(e-1) < x < 2^(e+1), so r < 2^-4
    w = prec + m + 16
    scale = w - (r.numerator.bit_length() - r.denominator.bit_length())  # r * 2^scale ~ 2^w
    one = 1 << scale
    r_lo, r_hi = _fixed(r, scale)
    t_lo, t_hi, s_lo, s_hi, k = r_lo, r_hi, r_lo, r_hi, 1
    while k < w and t_hi > 1:  # down to one unit (the bound below holds wherever it stops)
        k += 1
        t_lo, t_hi = t_lo * r_lo // (k * one), _ceil_div(t_hi * r_hi, k * one)
        s_lo, s_hi = s_lo + t_lo, s_hi + t_hi
    s_hi += _ceil_div(2 * t_hi * r_hi, (k + 1) * one)
    return _doubled(s_lo, scale, m, w, prec, False), _doubled(s_hi, scale, m, w, prec, True)


def _doubled(a: int, scale: int, m: int, w: int, prec: int, upward: bool) -> Fraction:
    """From a bound ``a / 2**scale`` of ``expm1(y) >= 0``, the same bound of ``expm1(2**m y)``:
    ``E -> E (E + 2)`` ``m`` times, the mantissa cut to ``w`` bits toward its bound's side."""
    for _ in range(m):
        if scale >= 0:
            a, scale = a * (a + (2 << scale)), 2 * scale
        else:  # E = a 2^|scale|: E (E + 2) = a (a 2^|scale| + 2) 2^|scale|
            a = a * ((a << -scale) + 2)
        excess = a.bit_length() - w
        if excess > 0:
            a = -(-a >> excess) if upward else a >> excess
            scale -= excess
    value = Fraction(a, 1 << scale) if scale >= 0 else Fraction(a << -scale)
    return _round(value, prec, upward)


def _exp_at(x: Fraction, prec: int) -> tuple[Fraction, Fraction]:
    if x >= 0:
        lo, hi = _expm1_nonneg(x, prec + 2)
        return down(1 + lo, prec), up(1 + hi, prec)
    if x <= -EMAX:  # e^x <= e^-EMAX < 2^-EMAX
        return Fraction(0), _TINY
    lo, hi = _exp_at(-x, prec + 2)
    return down(1 / hi, prec), up(1 / lo, prec)


def _expm1_at(x: Fraction, prec: int) -> tuple[Fraction, Fraction]:
    if x >= 0:
        return _expm1_nonneg(x, prec)
    if x <= -EMAX:  # -1 < e^x - 1 <= -1 + 2^-EMAX
        return Fraction(-1), up(-1 + _TINY, prec)
    e_lo, e_hi = _expm1_nonneg(-x, prec + 2)  # e^x - 1 = -E/(1+E), decreasing in E
    return -up(e_hi / (1 + e_hi), prec), -down(e_lo / (1 + e_lo), prec)


def _tanh_at(x: Fraction, prec: int) -> tuple[Fraction, Fraction]:
    if x < 0:
        lo, hi = _tanh_at(-x, prec)
        return -hi, -lo
    if x == 0:
        return Fraction(0), Fraction(0)
    cap = Fraction(prec + 8)
    if x > cap:  # tanh increasing and below 1: tanh(cap) <= tanh(x) < 1
        return _tanh_at(cap, prec)[0], Fraction(1)
    e_lo, e_hi = _expm1_nonneg(2 * x, prec + 2)  # tanh x = E/(E+2), increasing in E
    return down(e_lo / (e_lo + 2), prec), min(Fraction(1), up(e_hi / (e_hi + 2), prec))


def _atanh_series(z: Fraction, prec: int) -> tuple[Fraction, Fraction]:
    r"""Bounds of :math:`\operatorname{artanh} z = \sum_{k\ge0} z^{2k+1}/(2k+1)` for
    :math:`0 \le z \le 1/3`; after the term :math:`k = N` the tail is at most
    :math:`\frac{z^{2N+3}}{(2N+3)(1-z^2)} \le 2 z^{2N+3}/(2N+3)`."""
    if z == 0:
        return Fraction(0), Fraction(0)
    scale = prec + 8 - (z.numerator.bit_length() - z.denominator.bit_length())
    one = 1 << scale
    z_lo, z_hi = _fixed(z, scale)
    z2_lo, z2_hi = z_lo * z_lo >> scale, _ceil_div(z_hi * z_hi, one)
    p_lo, p_hi, s_lo, s_hi, k = z_lo, z_hi, z_lo, z_hi, 0  # p = z^(2k+1)
    while k < prec and p_hi > 1:
        k += 1
        p_lo, p_hi = p_lo * z2_lo >> scale, _ceil_div(p_hi * z2_hi, one)
        s_lo, s_hi = s_lo + p_lo // (2 * k + 1), s_hi + _ceil_div(p_hi, 2 * k + 1)
    s_hi += _ceil_div(2 * p_hi * z2_hi, (2 * k + 3) * one)
    return Fraction(s_lo, one), Fraction(s_hi, one)


@functools.lru_cache(maxsize=64)
def _ln2(prec: int) -> tuple[Fraction, Fraction]:
    lo, hi = _atanh_series(Fraction(1, 3), prec)  # ln 2 = 2 artanh(1/3)
    return 2 * lo, 2 * hi


def _log_at(x: Fraction, prec: int) -> tuple[Fraction, Fraction]:
    if x <= 0:
        raise NoEnclosure("logarithm of a number <= 0")
    if x == 1:
        return Fraction(0), Fraction(0)
    e = x.numerator.bit_length() - x.denominator.bit_length()
    y = x / Fraction(2) ** e  # in (1/2, 2)
    if y >= Fraction(4, 3):
        y, e = y / 2, e + 1
    elif y < Fraction(2, 3):
        y, e = y * 2, e - 1
    w = prec + abs(e).bit_length() + 8
    z = (y - 1) / (y + 1)  # |z| <= 1/5, ln y = 2 artanh z (odd)
    a_lo, a_hi = _atanh_series(abs(z), w)
    if z < 0:
        a_lo, a_hi = -a_hi, -a_lo
    l_lo, l_hi = _ln2(w)
    e_lo, e_hi = (e * l_lo, e * l_hi) if e >= 0 else (e * l_hi, e * l_lo)
    return down(e_lo + 2 * a_lo, prec), up(e_hi + 2 * a_hi, prec)


def _monotone(f, a: RationalInterval, prec: int) -> RationalInterval:
    lo, hi = f(a.lo, prec)[0], f(a.hi, prec)[1]
    return RationalInterval(lo, hi)


def exp(a: RationalInterval, prec: int) -> RationalInterval:
    return _monotone(_exp_at, a, prec)


def expm1(a: RationalInterval, prec: int) -> RationalInterval:
    """:math:`e^x - 1`, accurate near 0 (the notation's ``g``)."""
    return _monotone(_expm1_at, a, prec)


def tanh(a: RationalInterval, prec: int) -> RationalInterval:
    return _monotone(_tanh_at, a, prec)


def log(a: RationalInterval, prec: int) -> RationalInterval:
    if a.lo <= 0:
        raise NoEnclosure("logarithm of an interval reaching 0")
    return _monotone(_log_at, a, prec)


def _atan_inverse(n: int, prec: int) -> tuple[Fraction, Fraction]:
    """Bounds of :math:`\\arctan(1/n)`, ``n >= 2``: an alternating series with decreasing
    terms :math:`1/((2k+1) n^{2k+1})`, whose error is at most the first omitted term."""
    scale = prec + 8
    s_lo = s_hi = 0
    k, power = 0, n  # power = n^(2k+1)
    while True:
        den = (2 * k + 1) * power
        t_lo, t_hi = (1 << scale) // den, _ceil_div(1 << scale, den)
        if t_hi <= 2:
            return Fraction(s_lo - t_hi, 1 << scale), Fraction(s_hi + t_hi, 1 << scale)
        if k % 2 == 0:
            s_lo, s_hi = s_lo + t_lo, s_hi + t_hi
        else:
            s_lo, s_hi = s_lo - t_hi, s_hi - t_lo
        k, power = k + 1, power * n * n


@functools.lru_cache(maxsize=64)
def pi(prec: int) -> RationalInterval:
    """:math:`\\pi = 16 \\arctan(1/5) - 4 \\arctan(1/239)` (Machin)."""
    w = prec + 8
    a_lo, a_hi = _atan_inverse(5, w)
    b_lo, b_hi = _atan_inverse(239, w)
    return RationalInterval(down(16 * a_lo - 4 * b_hi, prec), up(16 * a_hi - 4 * b_lo, prec))


# -- SymPy expressions ---------------------------------------------------------------------
def _abs(a: RationalInterval) -> RationalInterval:
    if a.lo >= 0:
        return a
    if a.hi <= 0:
        return _neg(a)
    return RationalInterval(Fraction(0), max(-a.lo, a.hi))


def _power(expr: sp.Pow, box, prec: int) -> RationalInterval:
    base = enclose(expr.base, box, prec)
    k = expr.exp
    if k.is_Integer:
        return pow_int(base, int(k), prec)
    if k.is_Rational and k.q == 2:  # half-integer: sqrt, then an integer power
        return pow_int(sqrt(base, prec), int(k.p), prec)
    if base.lo <= 0:
        raise NoEnclosure(f"a real power of an interval reaching 0 ({expr})")
    return exp(mul(enclose(k, box, prec), log(base, prec), prec), prec)


_UNARY = {sp.exp: exp, sp.log: log, sp.tanh: tanh, g: expm1}


def enclose(expr: sp.Basic, box: Mapping[str, RationalInterval], prec: int) -> RationalInterval:
    """An enclosure of ``expr`` over ``box`` (symbols by name), endpoints at ``prec`` bits.

    Supported: symbols, rationals, ``pi``, ``E``, ``+``, ``*``, integer and half-integer
    powers, real powers of positive bases, ``exp``, ``log``, ``tanh``, ``g``, ``Abs``,
    ``Max``, ``Min``; anything else raises :class:`NoEnclosure`.
    """
    if isinstance(expr, sp.Symbol):
        if expr.name not in box:
            raise NoEnclosure(f"no range for {expr.name}")
        return box[expr.name]
    if isinstance(expr, sp.Rational):
        return point(Fraction(int(expr.p), int(expr.q)), prec)
    if expr is sp.pi:
        return pi(prec)
    if expr is sp.E:
        return exp(point(Fraction(1), prec), prec)
    if isinstance(expr, sp.Add | sp.Mul):
        op = add if isinstance(expr, sp.Add) else mul
        parts = [enclose(a, box, prec) for a in expr.args]
        return functools.reduce(lambda u, v: op(u, v, prec), parts)
    if isinstance(expr, sp.Pow):
        return _power(expr, box, prec)
    if isinstance(expr, sp.Abs):
        return _abs(enclose(expr.args[0], box, prec))
    if isinstance(expr, sp.Max | sp.Min):
        parts = [enclose(a, box, prec) for a in expr.args]
        pick = max if isinstance(expr, sp.Max) else min
        return RationalInterval(pick(p.lo for p in parts), pick(p.hi for p in parts))
    for func, lifted in _UNARY.items():
        if isinstance(expr, func):
            return lifted(enclose(expr.args[0], box, prec), prec)
    raise NoEnclosure(f"cannot enclose {type(expr).__name__}")

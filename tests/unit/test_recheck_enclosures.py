"""The re-check's exact rational enclosures: the reproducers of issue 17, rounding, domains."""

from __future__ import annotations

import math
from fractions import Fraction

import flint
import pytest
import sympy as sp

from symbound.notation import g
from symbound.prove import rational_enclosure as rq

# mpmath 1.3.0's iv.exp puts its upper end below exp(x) here (issue 17, mpmath #1181)
REPRODUCERS = [(Fraction(3893924827815215, 2**50), 53), (Fraction(1381846513289487, 2**46), 113)]


def taylor_bounds(x: Fraction, terms: int = 200) -> tuple[Fraction, Fraction]:
    """Exact bounds of e^x, 0 < x < terms: the partial sum and the partial sum plus the
    tail bound x^(N+1)/(N+1)! / (1 - x/(N+2)) (plain Fractions, nothing of symbound)."""
    s, term = Fraction(0), Fraction(1)
    for k in range(terms + 1):
        s += term
        term = term * x / (k + 1)
    return s, s + term / (1 - x / (terms + 2))


def arb(q: Fraction) -> flint.arb:
    return flint.arb(flint.fmpq(q.numerator, q.denominator))


def inside(enclosure: rq.RationalInterval, ball: flint.arb) -> bool:
    """The Arb ball lies in the enclosure: the true value certainly does."""
    return bool(arb(enclosure.lo) <= ball) and bool(ball <= arb(enclosure.hi))


@pytest.mark.parametrize("x, prec", REPRODUCERS)
def test_the_reproducers_enclose_exp(x, prec):
    e = rq.exp(rq.point(x, prec), prec)
    lower, upper = taylor_bounds(x)
    assert upper - lower < Fraction(1, 2**300)
    assert e.lo <= lower and upper <= e.hi  # exact: e.lo <= e^x <= e.hi
    with flint.ctx.workprec(1000):
        assert inside(e, arb(x).exp())
    assert (e.hi - e.lo) / e.lo < Fraction(1, 2 ** (prec - 2))  # and tight


def test_outward_rounding_is_dyadic_and_bounded():
    for q in (Fraction(1, 3), Fraction(-22, 7), Fraction(10**50 + 1, 7**30), Fraction(-1, 10**40)):
        for prec in (2, 17, 64, 300):
            lo, hi = rq.down(q, prec), rq.up(q, prec)
            assert lo <= q <= hi and hi - lo <= abs(q) / 2 ** (prec - 1)
            for v in (lo, hi):
                assert v.denominator & (v.denominator - 1) == 0  # a power of two
                man = v.numerator // math.gcd(v.numerator, 2 ** v.numerator.bit_length())
                assert abs(man).bit_length() <= prec + 1
    assert (rq.down(Fraction(11, 16), 2), rq.up(Fraction(11, 16), 2)) == (
        Fraction(5, 8),
        Fraction(3, 4),
    )


def test_magnitudes_are_bounded_outward():
    tiny = Fraction(1, 2 ** (rq.EMAX + 5))
    assert rq.down(tiny, 64) == 0 and 0 < tiny < rq.up(tiny, 64)
    assert rq.up(-tiny, 64) == 0 and rq.down(-tiny, 64) < -tiny
    with pytest.raises(rq.NoEnclosure):
        rq.up(Fraction(2 ** (rq.EMAX + 5)), 64)
    with pytest.raises(rq.NoEnclosure):
        rq.exp(rq.point(Fraction(10**7), 64), 64)
    e = rq.exp(rq.point(Fraction(-(10**7)), 64), 64)  # e^-1e7 in [0, 2^-EMAX]
    assert e.lo == 0 < e.hi <= Fraction(1, 2**rq.EMAX)
    t = rq.tanh(rq.point(Fraction(10**6), 64), 64)
    assert t.hi == 1 and 1 - t.lo <= Fraction(1, 2**64)


@pytest.mark.parametrize(
    "lo, hi, k",
    [
        ("-2", "-1/3", -3),
        ("-2", "-1/3", -2),
        ("-1/3", "5/2", 3),
        ("-1/3", "5/2", 4),
        ("1/7", "9", -5),
        ("-3", "2", 0),
        ("-7/5", "-1/9", 7),
    ],
)
def test_integer_powers_contain_every_exact_power(lo, hi, k):
    a, b = Fraction(lo), Fraction(hi)
    enc = rq.pow_int(rq.RationalInterval(a, b), k, 24)
    for i in range(21):
        v = a + (b - a) * Fraction(i, 20)
        if v != 0 or k >= 0:
            assert enc.lo <= v**k <= enc.hi


def test_negative_powers_and_reciprocals_of_intervals_reaching_zero_have_no_enclosure():
    for k in (-1, -2, -3):
        with pytest.raises(rq.NoEnclosure):
            rq.pow_int(rq.RationalInterval(Fraction(0), Fraction(1)), k, 53)
    with pytest.raises(rq.NoEnclosure):
        rq.recip(rq.RationalInterval(Fraction(-1), Fraction(1)), 53)


def test_square_roots_are_exact_integer_roots():
    for q in (Fraction(2), Fraction(1, 3), Fraction(10**40 + 7), Fraction(9, 4), Fraction(0)):
        for prec in (4, 53, 200):
            enc = rq.sqrt(rq.point(q, prec + 8), prec)
            assert enc.lo**2 <= q <= enc.hi**2
    with pytest.raises(rq.NoEnclosure):
        rq.sqrt(rq.RationalInterval(Fraction(-1, 10**30), Fraction(1)), 53)


def test_pi_and_e():
    for prec in (8, 64, 1000):
        p = rq.pi(prec)
        assert p.lo <= Fraction(355, 113) and Fraction(333, 106) <= p.hi
        assert p.hi - p.lo <= Fraction(8, 2**prec)
        with flint.ctx.workprec(prec + 200):
            assert inside(p, flint.arb.pi())
    e = rq.enclose(sp.E, {}, 128)
    lower, upper = taylor_bounds(Fraction(1))
    assert e.lo <= lower and upper <= e.hi


def test_expressions_over_boxes():
    x = sp.Symbol("x", real=True)
    box = {"x": rq.RationalInterval(Fraction(-1, 2), Fraction(1, 3))}
    for expr in (
        x**3 - x / 7,
        sp.exp(x) * sp.tanh(x),
        g(x) / (2 + x),
        sp.sqrt(1 + x**2),
        (2 + x) ** sp.Rational(1, 3),
        sp.Abs(x),
        sp.Max(x, 1 - x),
        sp.Min(x, x**2),
        sp.log(2 + x) * sp.pi,
        (1 + x) ** (x + 2),
    ):
        enc = rq.enclose(expr, box, 80)
        for i in range(11):
            v = Fraction(-1, 2) + Fraction(5, 6) * Fraction(i, 10)
            value = sp.N(expr.subs(x, sp.Rational(v.numerator, v.denominator)), 40)
            slack = Fraction(1, 10**30)
            assert enc.lo - slack <= Fraction(str(value)) <= enc.hi + slack, expr


@pytest.mark.parametrize(
    "expr",
    [
        sp.sign(sp.Symbol("x")),
        sp.I * sp.Symbol("x"),
        sp.zoo,
        sp.Float(0.1) * sp.Symbol("x"),
        sp.log(sp.Symbol("x") - 1),
        sp.Symbol("x") ** sp.Symbol("x"),
        (sp.Symbol("x") - 1) ** sp.Rational(1, 2),
        sp.Symbol("y"),
    ],
)
def test_what_has_no_enclosure_raises(expr):
    with pytest.raises(rq.NoEnclosure):
        rq.enclose(expr, {"x": rq.RationalInterval(Fraction(0), Fraction(1))}, 64)

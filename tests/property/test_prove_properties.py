"""Interval enclosures contain every point value; the prover never proves a false claim."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from symbound.prove.claim import Box
from symbound.prove.interval import (
    Unbounded,
    compile_interval,
    flint_precision,
    from_rationals,
    to_fraction,
)
from symbound.prove.prover import prove

x, y = sp.symbols("x y", real=True)
EXPRESSIONS = [
    x * y - x**2,
    sp.exp(x) * (1 - y) - x * y**3,
    (1 + x**2) ** y - sp.exp(x * y),
    sp.tanh(x - y) * x,
    sp.sqrt(1 + x**2) / (2 + y**2) - sp.log(3 + x * y),
    (x - y) ** 4 - 3 * x**3 * y,
]

rationals = st.fractions(min_value=-3, max_value=3, max_denominator=64)


def point_value(expr, px, py):
    with mpmath.workdps(60):
        f = sp.lambdify((x, y), expr, modules="mpmath")  # trusted expressions, test only
        return f(
            mpmath.mpf(px.numerator) / px.denominator, mpmath.mpf(py.numerator) / py.denominator
        )


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(EXPRESSIONS), rationals, rationals, rationals, rationals, st.data())
def test_enclosures_contain_point_values(expr, a, b, c, d, data):
    (xlo, xhi), (ylo, yhi) = sorted((a, b)), sorted((c, d))
    with flint_precision(80):
        box = {"x": from_rationals(xlo, xhi), "y": from_rationals(ylo, yhi)}
        try:
            enc = compile_interval(expr)(box)
        except Unbounded:  # e.g. log reaching 0 on the box: no enclosure is claimed
            assume(False)
    lo, hi = to_fraction(enc.lo), to_fraction(enc.hi)
    for _ in range(5):
        t = data.draw(st.fractions(0, 1, max_denominator=100))
        u = data.draw(st.fractions(0, 1, max_denominator=100))
        v = point_value(expr, xlo + t * (xhi - xlo), ylo + u * (yhi - ylo))
        with mpmath.workdps(60):
            assert (
                lo - Fraction(1, 10**40) <= Fraction(mpmath.nstr(v, 50)) <= hi + Fraction(1, 10**40)
            )


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(EXPRESSIONS), rationals, rationals)
def test_a_claim_just_below_the_maximum_is_never_proved(expr, px, py):
    """f <= f(p) - 1e-9 is false (p is in the box): the prover refutes it or gives up."""
    box = Box.of({"x": (min(px, 0), max(px, 0) + 1), "y": (min(py, 0), max(py, 0) + 1)})
    with mpmath.workdps(60):
        v = Fraction(mpmath.nstr(point_value(expr, px, py), 40))
    bound = sp.Rational(v.numerator, v.denominator) - sp.Rational(1, 10**9)
    proof = prove(expr, bound, box, max_boxes=60)
    assert proof.verdict in ("refuted", "inconclusive")

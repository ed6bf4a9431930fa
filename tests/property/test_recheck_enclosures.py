"""The re-check's rational enclosures contain the true value: Arb balls at a much higher
precision lie inside them, for random dyadic and rational inputs, intervals, precisions and
expressions (containment of the truth is what is asserted, never the converse)."""

from __future__ import annotations

from fractions import Fraction

import flint
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st

from symbound.notation import g
from symbound.prove import rational_enclosure as rq
from symbound.prove.interval import Unbounded, compile_interval, flint_precision, point

# the function, its Arb counterpart, and its proved bounds (an end may sit exactly on one)
FUNCTIONS = {
    "exp": (rq.exp, lambda b: b.exp(), (0, None)),
    "expm1": (rq.expm1, lambda b: b.expm1(), (-1, None)),
    "tanh": (rq.tanh, lambda b: b.tanh(), (-1, 1)),
    "log": (rq.log, lambda b: b.log(), (None, None)),
    "sqrt": (rq.sqrt, lambda b: b.sqrt(), (0, None)),
}

dyadics = st.builds(
    lambda m, e: Fraction(m, 2**e),
    st.integers(-(2**70), 2**70),
    st.integers(0, 90),
)
rationals = st.fractions(min_value=-60, max_value=60, max_denominator=10**12)
precisions = st.integers(8, 400)


def arb(q: Fraction) -> flint.arb:
    return flint.arb(flint.fmpq(q.numerator, q.denominator))


def certainly_inside(enc: rq.RationalInterval, ball: flint.arb, bounds) -> bool:
    low, high = bounds
    lo_ok = bool(arb(enc.lo) <= ball) or (low is not None and enc.lo == low)
    hi_ok = bool(ball <= arb(enc.hi)) or (high is not None and enc.hi == high)
    return enc.lo <= enc.hi and lo_ok and hi_ok


@given(st.sampled_from(sorted(FUNCTIONS)), st.one_of(dyadics, rationals), precisions)
def test_point_enclosures_contain_the_true_value(name, x, prec):
    f, ball, bounds = FUNCTIONS[name]
    if name in ("log", "sqrt"):
        x = abs(x) + (Fraction(1, 2**40) if name == "log" else 0)
    try:
        enc = f(rq.point(x, prec), prec)
    except rq.NoEnclosure:
        assume(False)
    with flint.ctx.workprec(4 * prec + 300):
        assert certainly_inside(enc, ball(arb(x)), bounds), (name, x, prec, enc)
    if enc.lo not in (0, -1, 1) and enc.hi not in (0, -1, 1):  # and tight, away from clamps
        scale = max(abs(enc.lo), abs(enc.hi))
        assert enc.hi - enc.lo <= scale * Fraction(1, 2 ** (prec - 8)) * (1 + abs(x))


@given(st.sampled_from(sorted(FUNCTIONS)), rationals, rationals, st.fractions(0, 1), precisions)
def test_interval_enclosures_contain_the_image_of_every_point(name, a, b, u, prec):
    f, ball, bounds = FUNCTIONS[name]
    lo, hi = sorted((a, b))
    if name in ("log", "sqrt"):
        lo, hi = abs(lo) + Fraction(1, 1000), abs(lo) + abs(hi) + Fraction(1, 1000)
    enc = f(rq.RationalInterval(lo, hi), prec)
    inner = lo + u * (hi - lo)
    with flint.ctx.workprec(4 * prec + 300):
        assert certainly_inside(enc, ball(arb(inner)), bounds)


@given(
    st.fractions(min_value=-3, max_value=3, max_denominator=64),
    st.fractions(min_value=-3, max_value=3, max_denominator=64),
    st.integers(-9, 9),
    st.fractions(0, 1),
    precisions,
)
def test_integer_and_real_powers(a, b, k, u, prec):
    lo, hi = sorted((a, b))
    v = lo + u * (hi - lo)
    box = rq.RationalInterval(lo, hi)
    if k >= 0 or lo > 0 or hi < 0:
        enc = rq.pow_int(box, k, prec)
        assert enc.lo <= v**k <= enc.hi  # exact
    if lo > 0 and k % 7:  # a real power (irrational but at v = 1, which Arb gives exactly)
        x = sp.Symbol("x", real=True)
        enc = rq.enclose(x ** (sp.Rational(k, 7)), {"x": box}, prec)
        with flint.ctx.workprec(4 * prec + 300):
            assert certainly_inside(enc, arb(v) ** arb(Fraction(k, 7)), (None, None))


x, y = sp.symbols("x y", real=True)
LEAVES = st.sampled_from([x, y, sp.Rational(1, 3), sp.Integer(2), sp.Rational(-5, 7), sp.pi, sp.E])


def _combine(children):
    unary = st.sampled_from([sp.exp, sp.tanh, g, sp.Abs, lambda e: sp.log(1 + e**2)])
    return st.one_of(
        st.builds(lambda a, b: a + b, children, children),
        st.builds(lambda a, b: a * b, children, children),
        st.builds(lambda a, b: a - b, children, children),
        st.builds(lambda a, b: a / (1 + b**2), children, children),
        st.builds(lambda a, k: a**k, children, st.integers(-3, 4)),
        st.builds(lambda a: sp.sqrt(1 + a**2), children),
        st.builds(lambda a, b: (2 + sp.tanh(a)) ** b, children, children),
        st.builds(lambda f, a: f(a), unary, children),
        st.builds(sp.Max, children, children),
        st.builds(sp.Min, children, children),
    )


EXPRESSIONS = st.recursive(LEAVES, _combine, max_leaves=6)
box_ends = st.fractions(min_value=-2, max_value=2, max_denominator=32)


@given(EXPRESSIONS, box_ends, box_ends, box_ends, box_ends, st.fractions(0, 1), st.fractions(0, 1))
def test_expression_enclosures_contain_arb_values_at_points_of_the_box(expr, a, b, c, d, u, v):
    (xlo, xhi), (ylo, yhi) = sorted((a, b)), sorted((c, d))
    box = {  # rounded outward, as the re-check does: exact in Arb
        "x": rq.RationalInterval(rq.down(xlo, 96), rq.up(xhi, 96)),
        "y": rq.RationalInterval(rq.down(ylo, 96), rq.up(yhi, 96)),
    }
    try:
        enc = rq.enclose(expr, box, 96)
    except rq.NoEnclosure:
        assume(False)
    px, py = xlo + u * (xhi - xlo), ylo + v * (yhi - ylo)
    with flint_precision(800):
        try:
            value = compile_interval(expr)({"x": point(px), "y": point(py)})
        except (Unbounded, ValueError):
            assume(False)
        assert arb(enc.lo) <= value.lo and value.hi <= arb(enc.hi), expr

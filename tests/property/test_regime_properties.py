"""Every symbolic bracket contains the certified numeric eta_max, on random bounds."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from symbound.notation import eta, g
from symbound.regimes import eta_max, is_increasing, symbolic_bracket

# exponents of (1 + u)^k: 0 < k < 1 (where Bernoulli's 1 + ku is false), integers, reals
_R = sp.Rational
EXPONENTS = st.sampled_from(
    [_R(1, 3), _R(1, 2), _R(3, 4), 1, 2, 3, 12, _R(3, 2), _R(5, 2), _R(7, 3)]
)
COEFFICIENTS = st.sampled_from([sp.Rational(1, 4), sp.Rational(1, 2), 1, 2, 3, 8])


@st.composite
def growth(draw, depth: int = 1):
    r"""A positive non-decreasing part of the catalogue's forms: c eta, (1 + c u)^k with u
    itself such a part, e^(c eta), g(c eta) = e^(c eta) - 1, tanh, log(1 + u), products."""
    c = draw(COEFFICIENTS)
    if depth == 0:
        return c * eta
    kind = draw(st.sampled_from(["eta", "power", "power", "exp", "g", "product", "sum", "log"]))
    if kind == "eta":
        return c * eta
    if kind == "power":
        return (1 + c * draw(growth(depth - 1))) ** draw(EXPONENTS)
    if kind == "exp":
        return sp.exp(c * eta)
    if kind == "g":
        return g(c * eta)
    if kind == "log":
        return sp.log(1 + c * draw(growth(depth - 1)))
    if kind == "sum":
        return draw(growth(depth - 1)) + draw(growth(depth - 1))
    return c * eta * draw(growth(depth - 1))


@st.composite
def bounds(draw):
    """A bound as the catalogue writes them: a product with eta, or a power minus one."""
    part = draw(growth())
    shape = draw(st.sampled_from(["times-eta", "minus-one", "as-is"]))
    if shape == "times-eta":
        return draw(COEFFICIENTS) * eta * part
    if shape == "minus-one":
        return (1 + draw(COEFFICIENTS) * eta) ** draw(EXPONENTS) - 1 + part
    return part


def _value(e: sp.Expr) -> Fraction:
    with mpmath.workdps(60):
        return Fraction(mpmath.nstr(mpmath.mpf(sp.N(e, 60)), 55))


@settings(max_examples=20, deadline=None)
@given(
    bounds(), st.sampled_from([sp.Rational(1, 10), sp.Rational(1, 2), sp.Integer(1), sp.Integer(3)])
)
def test_symbolic_brackets_contain_the_certified_eta_max(bound, tau):
    assume(is_increasing(bound))
    bracket = symbolic_bracket(bound, tau)
    assume(bracket.lower is not None or bracket.upper is not None)
    r = eta_max(bound, {}, Fraction(int(tau.p), int(tau.q)))
    tiny = Fraction(1, 10**40)  # the symbolic ends are evaluated to 55 digits
    if bracket.lower is not None:  # eta_max >= lower, and eta_max < hi
        assert r.hi is None or _value(bracket.lower) <= r.hi + tiny, (bound, tau, bracket, r)
    if bracket.upper is not None:  # lo <= eta_max <= upper
        assert r.lo <= _value(bracket.upper) + tiny, (bound, tau, bracket, r)


def test_bernoulli_is_not_used_below_exponent_one():
    # (1 + eta)^(1/2) - 1 <= 1/10 exactly for eta <= 21/100; Bernoulli's 1 + eta/2 would
    # give 1/5, below eta_max
    bracket = symbolic_bracket(sp.sqrt(1 + eta) - 1, sp.Rational(1, 10))
    assert bracket.lower <= sp.Rational(21, 100) <= bracket.upper
    assert bracket.upper == sp.Rational(1, 4)  # from 1 + k u/(1 + u)

"""Composition through depth and the certified regime solver."""

from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from symbound import load_catalogue
from symbound.compose import (
    STEP,
    ComposedBound,
    Recurrence,
    prove_closed_form,
    prove_envelope,
    verify_closed_form,
)
from symbound.errors import UsageError
from symbound.lemmas.model import Parameter
from symbound.notation import DOMAINS, H, L, beta, eta, kappa, phi0, tau
from symbound.regimes import (
    eta_max,
    feasibility_grid,
    is_increasing,
    symbolic_bracket,
    validate_values,
)

CAT = load_catalogue()
EPS = 2 * eta * phi0 * (1 + H * eta) ** L


@pytest.mark.parametrize("key", list(CAT.composed))
def test_every_closed_form_matches_its_recurrence_exactly_up_to_depth_50(key):
    bound = CAT.composed[key]
    record = verify_closed_form(bound, depths=50, points=2)
    assert record["agree"], record
    assert all(u in CAT for u in bound.uses)  # a composed bound cites catalogue lemmas
    assert bound.increasing_in(eta)


def test_a_wrong_closed_form_is_caught():
    bound = CAT.composed["as25.phi-L"]
    assert not verify_closed_form(bound, depths=10, formula=phi0 * (1 + H * eta) ** (L + 1))[
        "agree"
    ]
    assert verify_closed_form(bound, depths=10, formula=phi0 * (1 + H * eta) ** L)["agree"]


def test_known_closed_forms():
    assert sp.simplify(CAT.composed["as25.eps-L"].closed_form - EPS) == 0
    baseline = CAT.composed["as25.identity-baseline-L"].closed_form
    assert sp.simplify(baseline - ((1 + H * eta) ** L - 1) * phi0) == 0
    collapse = CAT.composed["as25.collapse-L"]
    envelope = collapse.envelope
    values = {H: 2, eta: sp.Rational(1, 7), kappa: 3, beta: 2, phi0: sp.Rational(1, 2)}
    for depth in range(1, 8):  # the composed form is sharper than the stated envelope
        assert (collapse.closed_form - envelope).subs({**values, L: depth}) <= 0


def test_substitution_re_proves_monotonicity():
    base = CAT.composed["as25.collapse-L"]
    d = sp.Symbol("d", positive=True, integer=True)
    tied = base.substitute({eta: d * eta, kappa: d * eta**2, phi0: d, beta: sp.sqrt(d)})
    assert tied.increasing_in(eta)
    assert not Recurrence(q=1 - eta, b=0, initial=1).increasing_in(eta)


# the values the anchors report for 2 eta phi0 (1 + H eta)^L <= tau, H = 8, phi0 = 1, tau = 0.1
ANCHORS = {
    4: "0.024461827651295274232",
    12: "0.013993936537242860375",
    24: "0.0091596934757459918434",
    96: "0.003507946156483238839",
    1000: "0.000562241528377119256",
}


@pytest.mark.parametrize("depth", sorted(ANCHORS))
def test_brackets_are_certified_narrow_and_contain_the_known_value(depth):
    r = eta_max(CAT.composed["as25.eps-L"], {"H": 8, "L": depth, "phi0": 1}, Fraction(1, 10))
    assert r.monotone and r.lo < r.hi
    assert (r.hi - r.lo) / r.lo < Fraction(1, 10**10)
    known = Fraction(ANCHORS[depth])
    assert r.lo <= known + Fraction(1, 10**20) and known - Fraction(1, 10**20) <= r.hi
    with mpmath.workdps(60):  # an independent evaluation of both ends
        f = lambda x: 2 * x * (1 + 8 * x) ** depth  # noqa: E731
        assert f(mpmath.mpf(r.lo.numerator) / r.lo.denominator) <= mpmath.mpf(1) / 10
        assert f(mpmath.mpf(r.hi.numerator) / r.hi.denominator) > mpmath.mpf(1) / 10


def test_depth_ten_thousand():
    r = eta_max(EPS, {"H": 8, "L": 10_000, "phi0": 1}, Fraction(1, 10))
    assert r.monotone and 0 < r.lo < r.hi and (r.hi - r.lo) / r.lo < Fraction(1, 10**9)


def test_symbolic_bracket_holds_the_numeric_brackets():
    bracket = symbolic_bracket(EPS.subs({H: 8, phi0: 1}), sp.Rational(1, 10))
    assert bracket.lower.has(sp.LambertW)
    for depth in (1, 4, 24, 1000):
        r = eta_max(EPS, {"H": 8, "L": depth, "phi0": 1}, Fraction(1, 10))
        assert float(bracket.lower.subs(L, depth)) <= float(r.hi)  # lower <= eta_max
        assert float(r.lo) <= float(bracket.upper.subs(L, depth))  # eta_max <= upper
    leading = symbolic_bracket(CAT.composed["as25.collapse-L"].envelope, tau).lower
    assert sp.simplify(leading * 3 * H * L - sp.LambertW(3 * beta * tau / (kappa * phi0**3))) == 0


def test_malformed_or_infeasible_queries_are_refused():
    params = CAT.composed["as25.eps-L"].parameters
    good = {"H": 8, "L": 4, "phi0": 1}
    with pytest.raises(UsageError, match="tau must be positive"):
        eta_max(EPS, good, 0)
    with pytest.raises(UsageError, match=r"H = 0 is out of its domain \{1, 2, 3, ...\}"):
        validate_values(params, {**good, "H": 0})
    with pytest.raises(UsageError, match=r"L must be an integer, got 2\.5"):
        validate_values(params, {**good, "L": "2.5"})
    with pytest.raises(UsageError, match=r"L = -1 is out of its domain \{0, 1, 2, ...\}"):
        validate_values(params, {**good, "L": -1})
    with pytest.raises(UsageError, match="missing a value for phi0"):
        validate_values(params, {"H": 1, "L": 1})
    with pytest.raises(UsageError, match="unknown parameter 'kappa'"):
        validate_values(params, {**good, "kappa": 1})
    with pytest.raises(UsageError, match="no regime is feasible"):
        eta_max(1 + eta, {}, Fraction(1, 2))


def test_feasibility_grid_and_monotonicity_checks():
    rows = [eta_max(EPS, {"H": 8, "L": depth, "phi0": 1}, Fraction(1, 10)) for depth in (4, 24)]
    assert feasibility_grid(rows, ["0.001", "0.01", "0.1"]) == [
        ["feasible", "feasible", "infeasible"],
        ["feasible", "infeasible", "infeasible"],
    ]
    assert is_increasing(EPS) and not is_increasing(1 / eta) and not is_increasing(eta - eta**2)


def test_recurrence_index_and_domains():
    r = Recurrence(q=2, b=STEP, initial=0)
    assert r.unroll({}, 3) == [0, 1, 4, 11]
    assert DOMAINS[H] == sp.Range(1, sp.oo)
    bound = ComposedBound("t.x", "x", "x", r, (Parameter(H, DOMAINS[H], "h"),), uses=())
    assert verify_closed_form(bound, depths=20)["agree"]


def _tradeoff_bounds():
    from derivations.alman_song_2025 import APPENDIX

    return [s.bound for s in APPENDIX.comparison.scalings]


@pytest.mark.parametrize("key", list(CAT.composed))
def test_every_closed_form_is_proved_to_solve_its_recurrence_at_every_depth(key):
    bound = CAT.composed[key]
    proof = prove_closed_form(bound)
    assert proof.proved, proof
    assert "for every L" in proof.statement
    assert verify_closed_form(bound, depths=5, points=1)["proved"]


def test_the_trade_off_bounds_are_proved_too():
    for bound in _tradeoff_bounds():
        assert prove_closed_form(bound).proved, bound.key


def test_wrong_closed_forms_are_not_proved():
    bound = CAT.composed["as25.collapse-L"]
    closed = bound.closed_form
    assert not prove_closed_form(bound, closed * (1 + eta)).proved  # wrong at every depth
    assert not prove_closed_form(bound, closed + L * (L - 1) * (L - 2)).proved  # right at 0, 1, 2
    growth = CAT.composed["as25.phi-L"]
    assert not prove_closed_form(growth, phi0 * (1 + H * eta) ** L + 1).proved  # wrong start
    record = verify_closed_form(growth, depths=5, points=1, formula=phi0 * (1 + H * eta) ** L + 1)
    assert not record["proved"] and record["statement"].startswith("MISMATCH")


def test_envelopes_are_proved_and_a_false_one_is_not():
    from dataclasses import replace

    for key in ("as25.identity-baseline-L", "as25.collapse-L"):
        assert prove_envelope(CAT.composed[key]).proved, key
    collapse = CAT.composed["as25.collapse-L"]
    # (1 + H eta)^(2L) instead of ^(3L): below the closed form from L = 4 on
    low = L * H * eta * (kappa * phi0**2 / beta) * (1 + H * eta) ** (2 * L) * phi0
    assert not prove_envelope(replace(collapse, envelope=low)).proved
    baseline = CAT.composed["as25.identity-baseline-L"]
    assert not prove_envelope(replace(baseline, envelope=L * H * eta * phi0)).proved
    # without a proved envelope the symbolic bracket gives no lower end
    assert symbolic_bracket(replace(collapse, envelope=low), tau).lower is None


def test_an_unproved_closed_form_is_never_used():
    # x_L = sum_k (1 + H eta)^(L - k) eta / k: SymPy's sum keeps a case split
    bound = ComposedBound(
        "t.h", "t", "t", Recurrence(q=1 + H * eta, b=eta / STEP, initial=0), (), ()
    )
    assert not prove_closed_form(bound).proved
    r = eta_max(bound, {"H": 2, "L": 30}, Fraction(1, 10))
    assert r.evaluated.startswith("the recurrence, unrolled")
    xs = bound.recurrence.unroll({"H": 2, "eta": r.lo}, 30)
    assert xs[-1] <= Fraction(1, 10) < bound.recurrence.unroll({"H": 2, "eta": r.hi}, 30)[-1]
    bracket = symbolic_bracket(bound, tau)
    assert (bracket.lower, bracket.upper) == (None, None) and "not proved" in bracket.notes


def test_a_bracket_says_exactly_what_was_proved():
    r = eta_max(eta - eta**2 + eta**3, {}, Fraction(1, 10))  # increasing, not proved so
    assert not r.monotone
    text = str(r)
    assert "eta_max in" not in text and text.startswith(f"eta_max >= {float(r.lo):.15g}")
    assert "one crossing bracketed" in text and "eta_max may be larger than hi" in text
    assert r.to_dict()["proved"] == text
    proved = eta_max(EPS, {"H": 8, "L": 4, "phi0": 1}, Fraction(1, 10))
    assert str(proved).startswith("eta_max in [") and "f non-decreasing in eta" in str(proved)
    assert "closed form" not in proved.evaluated
    composed = eta_max(CAT.composed["as25.eps-L"], {"H": 8, "L": 4, "phi0": 1}, Fraction(1, 10))
    assert composed.evaluated.startswith("the closed form proved to satisfy")


def test_a_wrong_closed_form_is_neither_evaluated_nor_solved():
    # a bound handed another bound's closed form (increasing, and wrong for it)
    growth = CAT.composed["as25.phi-L"]
    wrong = ComposedBound(
        "t.w",
        "t",
        "t",
        Recurrence(q=1 + 2 * H * eta, b=0, initial=phi0),
        (),
        (),
        substituted_from=(growth, ()),
    )
    assert wrong.closed_form == growth.closed_form and not wrong.closed_form_proof.proved
    bracket = symbolic_bracket(wrong, tau)
    assert (bracket.lower, bracket.upper) == (None, None)
    r = eta_max(wrong, {"H": 1, "L": 3, "phi0": 1}, Fraction(2))
    assert r.monotone and r.evaluated.startswith("the recurrence, unrolled")
    assert (1 + 2 * r.lo) ** 3 <= 2 < (1 + 2 * r.hi) ** 3  # (1 + 2 H eta)^L, not (1 + H eta)^L
    kappa_too = ComposedBound(
        "t.k",
        "t",
        "t",
        Recurrence(q=1 + kappa * H * eta, b=0, initial=phi0),
        (),
        (),
        substituted_from=(growth, ()),
    )
    with pytest.raises(UsageError, match="missing a value for kappa"):  # the recurrence's
        eta_max(kappa_too, {"H": 1, "L": 3, "phi0": 1}, Fraction(2))

"""The repair's parts: closed forms, certified ratios, the claims it checks, the threshold
search, the result value."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
import sympy as sp

import symbound.claims as sb
from symbound import load_catalogue
from symbound.errors import UsageError
from symbound.lemmas.model import Citation, Form, Provenance, provenance_problem
from symbound.notation import eps, n
from symbound.repair.evidence import ball_bounds, decimal, ratio_bounds_of, value_at
from symbound.repair.identify import (
    fit_rational,
    growth_exponent,
    identify_constant,
    simplest_between,
)
from symbound.repair.result import Bound, Repair
from symbound.repair.threshold import Probe, find_threshold
from symbound.repair.variants import (
    parameter_expr,
    repaired_entry,
    restate,
    split_constant,
    with_bound,
    with_constant,
)

CAT = load_catalogue()


# -- closed forms ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "tol", "expected"),
    [
        ("0.6931", 1e-3, sp.log(2)),  # eps0's threshold, from three digits
        ("0.11552453", 1e-6, sp.log(2) / 6),
        ("1.66666666667", 1e-10, sp.Rational(5, 3)),
        ("1.718281828459", 1e-11, sp.E - 1),
        ("2", 1e-20, sp.Integer(2)),
    ],
)
def test_identify_constant_finds_simple_closed_forms(x, tol, expected):
    found = identify_constant(x, tol)
    assert found is not None and sp.simplify(found.expr - expected) == 0


def test_identify_constant_refuses_what_its_digits_do_not_explain():
    # the root of e^x = 1 + 2x is no simple multiple of a known constant
    assert identify_constant("1.25643120862617", 1e-13) is None
    # three digits do not identify 49/50 (nor any relation with two-digit coefficients)
    assert identify_constant("0.98074657", 1e-3) is None
    assert identify_constant("0.123456", 1e-4) is None


def test_fit_rational_through_exact_values_and_its_confirmation():
    points = [(v, Fraction(2 * (v - 1), v)) for v in range(2, 7)]
    fit = fit_rational(points, n)
    assert sp.simplify(fit.expr - 2 * (1 - 1 / n)) == 0
    assert (fit.fitted, fit.confirmed) == (3, 2)
    # one wrong value: no rational function of low degree passes through all of them
    broken = [*points[:4], (6, Fraction(7, 4))]
    found = fit_rational(broken, n)
    assert found is None or sp.simplify(found.expr - 2 * (1 - 1 / n)) != 0
    assert fit_rational(points[:2], n) is None  # nothing left to confirm a line


def test_growth_exponent_is_the_log_log_slope():
    assert growth_exponent([(1, 1.0), (3, 3.0)]) == pytest.approx(1.0)
    assert growth_exponent([(2, 1.0)]) is None


def test_simplest_between_is_the_smallest_denominator():
    assert simplest_between(Fraction(3141592, 10**6), Fraction(3141593, 10**6)) == Fraction(
        355, 113
    )
    assert simplest_between(Fraction(9, 20), Fraction(11, 20)) == Fraction(1, 2)
    assert simplest_between(Fraction(-3, 4), Fraction(-2, 3)) == Fraction(-2, 3)


# -- certified ratios ------------------------------------------------------------------


def test_ball_bounds_read_exact_numbers_and_arb_balls():
    assert ball_bounds("3/2") == (Fraction(3, 2), Fraction(3, 2))
    lo, hi = ball_bounds("[4.0501162548861230634e+34 +/- 4.41e+14]")
    assert lo < 40501162548861230634 * 10**15 < hi and hi - lo == 882 * 10**12
    assert ball_bounds("inf") is None and ball_bounds("nan") is None


def test_ratio_bounds_enclose_and_need_a_positive_bound():
    lo, hi = ratio_bounds_of("[2.5 +/- 0.5]", "[2 +/- 1]")
    assert (lo, hi) == (Fraction(2, 3), Fraction(3))
    assert ratio_bounds_of("1", "[0 +/- 1]") is None  # rhs may be 0: no ratio
    assert ratio_bounds_of("[+/- 1]", "2")[0] == 0  # lhs may be 0: the lower bound is 0


@pytest.mark.parametrize(
    "q", [Fraction(5, 3), Fraction(-7, 9), Fraction(10**40 + 1, 3), Fraction(1, 3 * 10**9)]
)
def test_decimal_rounds_in_the_direction_asked(q):
    down, up = Fraction(decimal(q, 6)), Fraction(decimal(q, 6, rounding="up"))
    assert down <= q <= up and up - down <= abs(q) * Fraction(2, 10**5)


def test_value_at_an_exact_instance():
    assert value_at(2 * sp.Symbol("H") * eps, {"H": 3, "eps": Fraction(1, 7)}) == Fraction(6, 7)
    assert value_at(sp.log(eps), {"eps": Fraction(2)}) is None


# -- the claims a repair checks ------------------------------------------------------


def test_split_constant_reads_the_leading_factor():
    assert split_constant(CAT["as25.lemma4.1"]).c == 1
    mean = split_constant(CAT["as25.mean-res"])
    assert mean.c == 2 and sp.simplify(mean.f - eps * (1 - 1 / n)) == 0
    planted = CAT["as25.mean-res"].with_rhs(sp.Rational(999, 500) * (1 - 1 / n) * eps, key="x.y")
    assert split_constant(planted).c == sp.Rational(999, 500)  # SymPy distributes; not here


def test_split_constant_of_a_term_bound():
    P, X, W = (
        sb.matrix("P", "n", "n", domain=sb.row_stochastic()),
        sb.matrix("X", "n", "d"),
        (sb.matrix("W", "d", "d")),
    )
    lemma = sb.claim(
        "x.term", then=sb.norm(P @ X @ W, "row") <= 2 * (sb.norm(X, "row") * sb.norm(W, "row"))
    )
    split = split_constant(lemma)
    assert split.c == 2 and split.term.text == "‖X‖_∞·‖W‖_∞"
    halved = with_constant(lemma, split, sp.Rational(1, 2), key="x.half")
    assert halved.statement_text == "For all instances: ‖P X W‖_∞ ≤ 1/2·‖X‖_∞·‖W‖_∞."


def test_named_constants_are_checked_before_anything_runs():
    lemma = CAT["as25.lemma4.1"]
    with pytest.raises(UsageError, match="no parameter 'C'"):
        split_constant(lemma, "C")
    with pytest.raises(UsageError, match="appears in the hypothesis"):
        split_constant(lemma, "eps")  # eps bounds the hypothesis too


def test_parameter_expr_names_and_expressions():
    lemma = CAT["as25.eps0.relative"]
    assert parameter_expr(lemma, "eps").name == "eps"
    assert parameter_expr(lemma, "2*H*eps") == 2 * sp.Symbol("H", positive=True, integer=True) * (
        eps
    )
    for bad, why in [("zz", "no parameter 'zz'"), ("H", "real parameter"), ("exp(", "--parameter")]:
        with pytest.raises(UsageError, match=why):
            parameter_expr(lemma, bad)


def test_restate_reproduces_every_claim_of_the_claim_language():
    for lemma in CAT.values():
        if lemma.statement is None:
            continue
        again = restate(lemma)
        assert again.statement_text == lemma.statement_text
        assert again.space.description == lemma.space.description
        assert [r.text for r in again.search_region] == [r.text for r in lemma.search_region]
        assert [p.meaning for p in again.parameters] == [p.meaning for p in lemma.parameters]


def test_with_bound_narrows_a_range_in_the_claim_language_and_filters_otherwise():
    softmax = CAT["as25.softmax-l1"]  # claim language: t's range becomes (0, 1/2]
    narrowed = with_bound(
        softmax, sp.Symbol("t", positive=True), "<=", sp.Rational(1, 2), key="x.a"
    )
    assert len(narrowed.hypotheses) == 1 and narrowed.parameter("t").domain == sp.Interval.Lopen(
        0, sp.Rational(1, 2)
    )
    hand = CAT["as25.eps0.relative"]  # written by hand: one more (filtered) hypothesis
    bounded = with_bound(hand, 2 * sp.Symbol("H", positive=True, integer=True) * eps, "<=",
                         sp.log(2), key="x.b")  # fmt: skip
    assert len(bounded.hypotheses) == 2 and not bounded.hypotheses[-1].guaranteed
    assert bounded.statement_text.startswith("If ‖Δ‖_max ≤ 2*H*ε and 2*H*ε ≤ log(2), then")
    above = with_bound(hand, eps, ">=", sp.Rational(1, 3), key="x.c")
    assert "1/3 ≤ ε" in above.statement_text


def test_repaired_entry_is_a_correction_repaired_here():
    lemma = CAT["as25.lemma4.1"]
    entry = repaired_entry(lemma, with_constant(lemma, split_constant(lemma), 2, key="x.d"),
                           what="constant 2", how="seed 0")  # fmt: skip
    assert entry.key == "as25.lemma4.1.repaired" and entry.corrects == "as25.lemma4.1"
    assert (entry.form, entry.provenance) == (Form.CORRECTED, Provenance.REPAIRED)
    assert not entry.citation.primary
    # a repaired statement is never the source's text, nor a reading
    assert provenance_problem(Form.READING, Provenance.REPAIRED, Citation("s", "x"))
    assert provenance_problem(Form.CORRECTED, Provenance.REPAIRED, Citation("s", "x", True))


# -- the threshold search ------------------------------------------------------------


def _probe(threshold: Fraction, calls: list):
    def probe(m: Fraction) -> Probe:
        calls.append(m)
        if m <= threshold:
            return Probe(True, None, None)
        # the witness sits between the threshold and the probe, like a shrunk one
        return Probe(False, (threshold + m) / 2, None)

    return probe


def test_find_threshold_brackets_a_threshold_from_both_sides():
    calls: list = []
    t = Fraction(7, 10)
    b = find_threshold(_probe(t, calls), "<=", Fraction(2), None, lo=Fraction(0))
    assert b.hold <= t < b.fail and b.fail - b.hold <= Fraction(1, 5000) * b.fail
    assert b.probes == len(calls) <= 12


def _smooth_probe(threshold: Fraction, log_ratio, calls: list, with_ratios=True):
    """A claim whose largest ratio at u <= m is exp(log_ratio(m)), failing above
    ``threshold`` (where log_ratio crosses 0), its witness at the probe."""

    def probe(m: Fraction) -> Probe:
        calls.append(m)
        r = math.exp(min(log_ratio(float(m)), 700)) if with_ratios else None
        return Probe(True, None, None, r) if m <= threshold else Probe(False, m, None, r)

    return probe


@pytest.mark.parametrize("curve", ["linear", "convex", "steep"])
def test_find_threshold_steered_by_the_ratios_closes_in_fewer_probes(curve):
    # log ratio crossing 0 at t = ln 2: convex, where plain regula falsi keeps one end (the
    # Illinois rule moves it), and steep (a huge first ratio, as eps0's relative reading)
    t = math.log(2)
    log_ratio = {
        "linear": lambda x: x - t,
        "convex": lambda x: math.expm1(6 * (x - t)),
        "steep": lambda x: 40 * (x - t) ** 3 + (x - t),
    }[curve]
    threshold = Fraction(t).limit_denominator(10**12)
    steered: list = []
    b = find_threshold(
        _smooth_probe(threshold, log_ratio, steered), "<=", Fraction(2), None,
        lo=Fraction(0), fail_ratio=math.exp(min(log_ratio(2.0), 700)),
    )  # fmt: skip
    assert b.hold <= threshold < b.fail and b.rel_width <= Fraction(1, 5000)
    assert b.probes == len(steered) <= 7
    # the same claim without its ratios (a prover's probes): bisection, which runs out
    plain = find_threshold(
        _smooth_probe(threshold, log_ratio, [], False), "<=", Fraction(2), None, lo=Fraction(0)
    )
    assert plain.probes == 12 and plain.rel_width > Fraction(1, 5000)


def test_find_threshold_above_and_when_nothing_holds():
    # holds for u >= 3/2 only, up to 4
    def probe(m):
        return Probe(True, None, None) if m >= Fraction(3, 2) else Probe(False, m, None)

    b = find_threshold(probe, ">=", Fraction(1), None, lo=Fraction(0), hi=Fraction(4))
    assert b.fail < Fraction(3, 2) <= b.hold
    never = find_threshold(lambda m: Probe(False, m, None), "<=", Fraction(1), None, lo=Fraction(0))
    assert never is None


# -- the result ------------------------------------------------------------------------


def test_repair_value_repr_json_and_exit_status():
    r = Repair(
        "x.key", "statement", "repaired", "constant", quantity="c* = sup lhs/f for f = ε",
        lower=Bound("2", "certified", "a witness"), upper=Bound("2", "survived", "a search"),
        closed_form="2",
    )  # fmt: skip
    assert repr(r) == "Repair(x.key: repaired, constant; c* = 2; c* in [2, 2])"
    doc = json.loads(r.to_json())
    assert doc["lower"] == {"value": "2", "kind": "certified", "how": "a witness"}
    assert doc["exit_status"] == 0 and "elapsed_s" not in doc
    with pytest.raises(AttributeError):
        r.kind = "other"  # frozen
    assert Repair("k", "s", "not applicable", "structural").exit_code == 1
    assert Repair("k", "s", "nothing to repair", "constant").exit_code == 2
    assert Repair("k", "s", "inconclusive", "constant").exit_code == 3

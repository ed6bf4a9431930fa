"""The refuter's quality on a quick subset of the public refuter suite.

``benchmarks/bench_refuter.py`` runs the whole suite against Hypothesis and SciPy;
here a few of its claims, one of each difficulty (a constant off by 0.001 % that
sampling alone misses, 0.1 % off, a missing factor d, a violation visible only below
float64's resolution, two tight true claims, one of them tight only below float64's
resolution), are checked at the default settings: each false one refuted with a
witness the suite's judge confirms, each true one not refuted.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import symbound.claims as sb
from symbound import Verdict, check
from symbound.check.evaluate import float_ratios
from tests.quality.refuter_suite import (
    QUICK,
    SUITE,
    SUITE_BY_KEY,
    digits,
    exact_instance,
    judge,
    size_of,
)


def test_the_suite_has_its_flaws_and_one_size_per_claim():
    false = [c for c in SUITE if c.false]
    assert len(SUITE) >= 30 and len(false) >= 20 and len(SUITE) - len(false) >= 10
    flaws = Counter(c.flaw.split(",")[0] for c in false)
    for flaw in ("constant -50%", "constant -10%", "constant -1%", "constant -0.1%",
                 "wrong norm", "missing d", "hypothesis dropped", "below float64"):  # fmt: skip
        assert flaws[flaw] >= 1, flaw
    assert len(SUITE_BY_KEY) == len(SUITE)
    for c in SUITE:  # one size combination: every method searches the same vector z
        assert c.lemma.space.dimension(size_of(c.lemma)) > 0


def _judged(key: str, z) -> str:
    lemma = SUITE_BY_KEY[key].lemma
    assert len(z) == lemma.space.dimension(size_of(lemma))
    return judge(lemma, exact_instance(lemma, z)).verdict


def _float(key: str, z) -> float:
    lemma = SUITE_BY_KEY[key].lemma
    return float(float_ratios(lemma, np.array([z], dtype=float), size_of(lemma))[0])


def _logits(t_z: float, gap: float, n: int) -> list[float]:
    """z of the relative softmax claims (t, Delta, A): +t on A_11, -t on the rest of row 1,
    and A_11 a logit ``gap`` below the rest of its row."""
    delta, logits = np.zeros((n, n)), np.zeros((n, n))
    delta[0] = -1.0
    delta[0, 0] = 1.0
    logits[0, 0] = -gap
    return [t_z, *delta.ravel(), *logits.ravel()]


def test_the_judge_decides_exactly_where_float64_cannot():
    # B = (1, 1, -3), A - B = (1, -1, 1) at eps = 1: Res moves by exactly 2 eps, which the
    # tight bound allows and the bound off by half does not
    corner = [0.0, 1, 0, 1, 0, -3, 0, 1, 0, -1, 0, 1, 0]
    assert _judged("suite.res", corner) == "holds"
    assert _judged("suite.res.const-50", corner) == "violated"
    # where Hypothesis's float-guided shrinking ends on that claim: float64 says lhs/rhs =
    # 1.0000000000000004, exactly it is 1
    shrunk = [-2.0] * 7 + [1.0] + [-2.0] * 5
    assert _float("suite.res.const-50", shrunk) > 1
    assert _judged("suite.res.const-50", shrunk) == "holds"
    # the relative softmax bound, t = 2, a logit 42 below: float64 1 + 2e-16, Arb: holds
    assert _float("suite.relative", _logits(0.0, 42.0, 3)) > 1
    assert _judged("suite.relative", _logits(0.0, 42.0, 3)) == "holds"
    # the bound 1e-18 below it, t = 1, a logit 44 below: float64 1 - 1e-16, Arb: violated
    below = _logits(-1.0, 44.0, 2)
    assert _float("suite.relative.below-float-1e-18", below) < 1
    assert _judged("suite.relative.below-float-1e-18", below) == "violated"
    assert digits({"n": 3, "x": Fraction(-12, 7), "A": np.array([Fraction(3)])}) == 4


@pytest.mark.parametrize("key", QUICK)
def test_quick_subset_false_refuted_with_a_confirmed_witness_true_not_refuted(key):
    entry = SUITE_BY_KEY[key]
    result = check(entry.lemma, seed=0)
    if entry.false:
        assert result.verdict is Verdict.REFUTED, result.summary()
        assert judge(entry.lemma, result.witness.instance).verdict == "violated"
    else:
        assert result.verdict is Verdict.SURVIVED, result.summary()


def test_a_witness_meets_its_hypotheses_that_are_not_rational():
    """The rigorous stage once returned an exact conclusion without deciding the
    hypotheses that are not rational: a shrunk witness broke one (fixed)."""
    # false (A = 5 J: softmax 1/2, norm 5), with a filtered transcendental hypothesis
    A = sb.matrix("A", "n", "n")
    lemma = sb.claim(
        "suite.filtered-hypothesis",
        given=[sb.norm(sb.softmax(A), "max") <= sp.Rational(3, 5)],
        then=sb.norm(A, "max") <= sp.Rational(1, 100),
        sizes={"n": (2, 2)},
    )
    assert not lemma.hypotheses[0].guaranteed
    result = check(lemma, seed=0)
    assert result.verdict is Verdict.REFUTED
    assert judge(lemma, result.witness.instance).verdict == "violated", result.summary()


@pytest.mark.parametrize("key", QUICK)
def test_quick_subset_at_the_first_confirmed_witness(key):
    # check(first=True) stops at the first witness confirmed among its samples: still
    # judged violated by the suite's own judge; a true claim goes the whole way, to the
    # same verdict and largest ratio as the full check
    entry = SUITE_BY_KEY[key]
    fast = check(entry.lemma, seed=0, first=True)
    if entry.false:
        assert fast.verdict is Verdict.REFUTED, fast.summary()
        assert judge(entry.lemma, fast.witness.instance).verdict == "violated"
    else:
        full = check(entry.lemma, seed=0)
        assert fast.verdict is full.verdict is Verdict.SURVIVED
        assert fast.sup.ratio == full.sup.ratio and fast.settings["first"] is True

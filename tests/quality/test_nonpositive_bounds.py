"""A bound of zero or below against a nonnegative quantity is refuted, with a witness.

Such claims were once reported INCONCLUSIVE ("float rounding, not violations"): the
float64 stage marks an exceeded bound <= 0 with an infinite ratio, and those
candidates were dropped before the high-precision stage.
"""

from __future__ import annotations

import pytest
import sympy as sp

from symbound import check, load_catalogue
from symbound.check.result import Verdict
from symbound.notation import eps


@pytest.mark.parametrize("rhs", [-eps, sp.S.Zero, -1000 * eps], ids=["-eps", "0", "-1000eps"])
def test_a_nonpositive_bound_is_refuted_with_an_exact_witness(rhs):
    lemma = load_catalogue()["as25.lemma4.1.corrected"].with_rhs(rhs, key="planted.nonpositive")
    result = check(lemma, samples=300)
    assert result.verdict is Verdict.REFUTED
    w = result.witness
    assert w.method == "exact rational arithmetic"
    lhs, bound = sp.Rational(w.lhs), sp.Rational(w.rhs)
    assert bound <= 0 and lhs > bound

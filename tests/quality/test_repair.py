"""Repairs of the catalogue's refuted claims, and of planted wrong constants, against the
corrections of the reference notes (paper-math.md §7): the tight constant 2 of Lemma 4.1,
2(1 - 1/n) with the mean, the factor d of the entry readings, 2Hε ≤ ln 2 for ε₀ as a
relative bound, the root of e^x = 1 + 2x by the prover; a structural fault refused."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from symbound import load_catalogue
from symbound.lemmas.model import Form, Provenance
from symbound.notation import eps, n
from symbound.prove import Box, ScalarClaim
from symbound.repair import repair

CAT = load_catalogue()


def _inside(value, r) -> bool:
    lo, hi = Fraction(r.lower.value), Fraction(r.upper.value)
    return lo <= value <= hi


def test_lemma_4_1_needs_the_constant_2_tight_from_both_sides():
    r = repair("as25.lemma4.1", samples=400)
    assert (r.outcome, r.kind, r.closed_form) == ("repaired", "constant", "2")
    # below: an exact witness, its ratio exactly 2 in exact rational arithmetic
    assert r.lower.kind == "certified" and r.lower.value == "2"
    assert "= 2 (exact rational arithmetic)" in r.lower.how
    # above: a fresh search at c = 2 found nothing; never called proved
    assert r.upper.kind == "survived" and "not a proof" in r.upper.how
    assert r.checks[1].seed != r.checks[0].seed
    assert r.bracket == "[2, 2]" and _inside(2, r)  # the note's constant, zero width
    entry = r.repaired
    assert entry.conclusion.rhs == 2 * eps and entry.corrects == "as25.lemma4.1"
    assert (entry.provenance, entry.form) == (Provenance.REPAIRED, Form.CORRECTED)
    check = r.repaired_check.result
    assert check.verdict.value == "survived" and check.sup.equality  # tight: attained


def test_line_442_needs_the_constant_2():
    r = repair("as25.lemma5.2.line442", samples=400)
    assert (r.outcome, r.closed_form, r.bracket) == ("repaired", "2", "[2, 2]")


@pytest.mark.parametrize("share", ["1/2", "9/10", "999/1000"])
def test_planted_wrong_constants_are_repaired_back_to_2(share):
    planted = CAT["as25.lemma4.1.corrected"].with_rhs(
        sp.Rational(share) * 2 * eps, key="mine.lemma4.1-planted"
    )
    r = repair(planted, samples=400)
    assert (r.outcome, r.closed_form) == ("repaired", "2")
    assert r.repaired.conclusion.rhs == 2 * eps


def test_a_planted_constant_below_2_1_minus_1_over_n_is_repaired_back():
    planted = CAT["as25.mean-res"].with_rhs(
        sp.Rational(999, 1000) * 2 * (1 - 1 / n) * eps, key="mine.mean-res-planted"
    )
    r = repair(planted, samples=400)
    assert (r.outcome, r.closed_form) == ("repaired", "2")
    assert sp.simplify(r.repaired.conclusion.rhs - 2 * (1 - 1 / n) * eps) == 0


def test_mean_res_with_constant_1_needs_2_1_minus_1_over_n_identified_from_several_n():
    stated = CAT["as25.mean-res"].with_rhs(eps, key="mine.mean-res-1")
    r = repair(stated, samples=400)
    assert (r.outcome, r.kind) == ("repaired", "closed form")
    assert r.closed_form == "2*(n - 1)/n"
    assert sp.simplify(r.repaired.conclusion.rhs - 2 * (1 - 1 / n) * eps) == 0
    assert any("1, 4/3, 3/2, 8/5, 5/3" in e for e in r.evidence)  # exact, n = 2..6
    assert any("fitted on 3 of these sizes and equal at the other 2" in e for e in r.evidence)
    check = r.repaired_check.result
    assert check.verdict.value == "survived" and check.sup.equality


def test_a_true_claim_reports_its_slack_and_changes_nothing():
    r = repair("as25.eps0.rowsum", samples=400)  # survives, loose by more than 3
    assert (r.outcome, r.exit_code, r.repaired) == ("nothing to repair", 2, None)
    assert r.lower.kind == "certified" and Fraction(r.lower.value) < 3  # c* < c = 3
    assert r.upper.value == "3" and r.evidence[0].startswith("slack")
    tight = repair("as25.lemma4.1.corrected", samples=400)
    assert tight.lower.value == "2" and tight.evidence[0].startswith("no slack")


def test_an_entry_reading_misses_the_factor_d_inside_1_plus_H_d_eta():
    r = repair("as25.norm-growth.entrywise", samples=400)
    assert (r.outcome, r.kind, r.closed_form) == ("repaired", "factor", "η -> d*η")
    assert "grows" in r.evidence[0] or "each d" in r.evidence[0]
    eta, H, L, d, phi0 = (r.repaired.parameter(k).symbol for k in ("eta", "H", "L", "d", "phi0"))
    assert sp.simplify(r.repaired.conclusion.rhs - phi0 * (1 + H * d * eta) ** L) == 0
    assert r.repaired_check.verdict == "survived"


def test_eps0_as_a_relative_bound_holds_for_2_H_eps_up_to_ln_2():
    r = repair("as25.eps0.relative", parameter="2*H*eps", samples=400)
    assert (r.outcome, r.kind) == ("repaired", "hypothesis")
    assert r.closed_form == "2*H*ε ≤ log(2)"
    assert r.lower.kind == "survived" and r.upper.kind == "certified"
    assert "Arb ball arithmetic" in r.upper.how  # the failing side: a rigorous witness
    ln2 = Fraction(str(mpmath.log(2)))
    assert _inside(ln2, r)
    assert r.repaired_check.verdict == "survived"


def test_e_to_the_x_below_1_plus_2x_up_to_its_root_proved_on_the_holding_side():
    box = Box.parse(["x=0..2"])
    (x,) = box.symbols()
    claim = ScalarClaim("mine.exp-line", "e^x <= 1 + 2x", _citation(), Provenance.USER,
                        Form.AS_STATED, sp.exp(x), 1 + 2 * x, box)  # fmt: skip
    r = repair(claim, parameter="x")
    ctx = mpmath.MPContext()
    ctx.dps = 40
    root = ctx.findroot(lambda v: ctx.exp(v) - 1 - 2 * v, 1.25)
    lo, hi = Fraction(r.lower.value), Fraction(r.upper.value)
    assert lo <= Fraction(str(root)) <= hi and (hi - lo) / hi < Fraction(1, 10**10)
    assert r.lower.kind == "proved" and r.upper.kind == "certified"
    assert r.repaired_check.verdict == "proved" and r.repaired.box["x"][1] <= Fraction(str(root))


def _citation():
    from symbound.lemmas.model import Citation

    return Citation("your own statement", "mine", primary=True)


def test_the_entrywise_exponential_is_a_structural_fault_not_a_constant():
    r = repair("as25.lemma5.1.step-entrywise-exp", samples=400)
    assert (r.outcome, r.kind, r.exit_code, r.repaired) == ("not applicable", "structural", 1, None)
    assert any("vanishes where the quantity does not" in e for e in r.evidence)
    # asking for a threshold does not change that
    again = repair("as25.lemma5.1.step-entrywise-exp", parameter="theta", samples=400)
    assert again.kind == "structural"


def test_a_ratio_that_does_not_settle_asks_for_a_hypothesis():
    r = repair("as25.eps0.relative", samples=400)
    assert (r.outcome, r.kind) == ("not applicable", "no constant")
    assert any("--parameter" in e for e in r.evidence)


def test_the_same_seed_gives_the_same_repair_byte_for_byte():
    a = repair("as25.lemma4.1", samples=300, seed=3).to_json()
    b = repair("as25.lemma4.1", samples=300, seed=3).to_json()
    assert a == b


def test_the_same_repair_with_one_job_and_two():
    # N3 with entry bounds: its corrections of one power are run ahead two at a time, the
    # size ends of every size at once; what is not needed is stopped and left out
    one = repair("as25.collapse-one-layer.entrywise", samples=300, jobs=1)
    two = repair("as25.collapse-one-layer.entrywise", samples=300, jobs=2)
    assert one.outcome == "repaired" and len(one.checks) >= 4
    assert one.to_json() == two.to_json()

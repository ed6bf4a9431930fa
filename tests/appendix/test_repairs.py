"""The section "What each refuted claim needs": each repair beside the notes' corrections.

The repairs here are the section's own (:func:`symbound.appendix.repairs.run_repair`);
planted corrections (a looser constant, one below the certified witness, thresholds on
either side of ln 2) show that a disagreement is worded, and which way.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest
import sympy as sp

from symbound import load_catalogue
from symbound.appendix.repair_table import repair_lines, repairs_json, summary
from symbound.appendix.repairs import (
    RepairRecord,
    agreement,
    repair_rows,
    repair_subjects,
    run_repair,
)
from symbound.appendix.spec import RepairCase
from symbound.errors import UsageError
from symbound.lemmas.model import Inequality, expr_quantity
from symbound.notation import H, eps, n
from symbound.repair import Bound, Repair

CAT = load_catalogue()
PAPER = CAT.paper()
SPEC = CAT.appendices[PAPER]
SAMPLES = 300  # the appendix's default: what the section shows


@pytest.fixture(scope="module")
def lemma_4_1():
    return run_repair(CAT["as25.lemma4.1"], samples=SAMPLES)


def test_lemma_4_1_needs_2_and_agrees_with_its_correction(lemma_4_1):
    r = lemma_4_1.repair
    assert (r.outcome, r.kind, r.closed_form, r.bracket) == ("repaired", "constant", "2", "[2, 2]")
    assert lemma_4_1.entry == "as25.lemma4.1.repaired" and lemma_4_1.bound == 2 * eps
    assert r.repaired is None and lemma_4_1.record["repaired"]["key"] == lemma_4_1.entry
    a = agreement(CAT["as25.lemma4.1"], lemma_4_1, CAT["as25.lemma4.1.corrected"], "survived")
    assert (a.word, a.text) == ("agree", "the same bound, 2*ε, exactly")
    # the midpoint's corrections that bound another quantity are not compared
    other = agreement(CAT["as25.lemma4.1"], lemma_4_1, CAT["as25.mean-res"])
    assert other.word == "not compared" and "another quantity" in other.text
    lines = repair_lines(lemma_4_1, "as25.lemma4.1")
    assert lines[0] == "repaired, constant: c* = 2"
    assert lines[1].startswith("c* ≥ 2, certified: n=3") and "exact rational" in lines[1]
    assert lines[2].startswith("c* ≤ 2, survived: ") and "not a proof" in lines[2]


def test_a_looser_correction_is_worded_tighter_with_the_witness(lemma_4_1):
    claim = CAT["as25.lemma4.1"]
    loose = CAT["as25.lemma4.1.corrected"].with_rhs(3 * eps, key="mine.lemma4.1.loose")
    a = agreement(claim, lemma_4_1, loose)
    assert a.word == "repair tighter"
    assert a.text.startswith("the repair is tighter: 3*ε (the correction) against 2*ε")
    assert "larger by a factor 3/2" in a.text and "survived its own check" in a.text
    assert "lower side: certified: n=3" in a.text  # the witness it rests on
    # a correction below the certified witness's ratio is contradicted by it
    low = CAT["as25.lemma4.1.corrected"].with_rhs(3 * eps / 2, key="mine.lemma4.1.low")
    b = agreement(claim, lemma_4_1, low)
    assert b.word == "conflict" and "below the repair's certified lower bound" in b.text
    assert "certified: n=3" in b.text


def test_a_closed_form_in_n_is_ordered_on_the_sizes_searched():
    """The mean-Res reading's 2(n - 1)/n against planted corrections: n starts at 2."""
    claim = CAT["as25.lemma4.1"]
    side = "exact witnesses attain it at n = 2, 3, 4, 5, 6"
    repair = Repair(
        claim.key,
        "",
        "repaired",
        "closed form",
        lower=Bound("2*(n - 1)/n", "certified", side),
        upper=Bound("2*(n - 1)/n", "survived", "no counterexample: not a proof"),
        closed_form="2*(n - 1)/n",
    )
    record = RepairRecord(repair, {}, "x", 2 * (n - 1) / n * eps)
    mean = CAT["as25.mean-res"].with_rhs(eps, key="mine.mean")  # the quantity of the reading
    words = {}
    for label, rhs in {
        "notes": 2 * (1 - 1 / n) * eps,
        "midpoint's": 2 * eps,  # n/(n - 1) > 1 from n = 2 on (at n = 1 it is not defined)
        "low": sp.Rational(9, 10) * 2 * (1 - 1 / n) * eps,  # below the certified ratio
    }.items():
        a = agreement(
            mean.with_rhs(eps, key="mine.claim"), record, mean.with_rhs(rhs, key="mine.correction")
        )
        words[label] = (a.word, a.text)
    assert words["notes"] == ("agree", "the same bound, ε*(2 - 2/n), exactly")
    assert words["midpoint's"][0] == "repair tighter"
    assert "throughout the domains (sizes from the least searched)" in words["midpoint's"][1]
    assert words["low"][0] == "conflict" and side in words["low"][1]


def _threshold(lower: str, upper: str, closed: str, holds: str = "≤") -> RepairRecord:
    """A hypothesis repair of ε₀'s relative reading, holding for 2Hε ``holds`` t*, its
    bracket as given (no search)."""
    hold, fail = (lower, upper) if holds == "≤" else (upper, lower)
    sides = {
        hold: Bound(hold, "survived", f"no counterexample with 2*H*ε {holds} {hold}: not a proof"),
        fail: Bound(fail, "certified", f"fails at 2*H*ε = {fail}: witness n=4 H=1"),
    }
    repair = Repair(
        "as25.eps0.relative",
        CAT["as25.eps0.relative"].statement_text,
        "repaired",
        "hypothesis",
        quantity="t* for 2*H*ε",
        lower=sides[lower],
        upper=sides[upper],
        closed_form=f"2*H*ε {holds} {closed}",
    )
    return RepairRecord(repair, {})


def _eps0_correction(bound, lhs=H * eps) -> object:
    corrected = CAT["as25.eps0.relative.corrected"]
    extra = Inequality(expr_quantity(lhs), bound)
    return corrected.variant(key="mine.eps0", hypotheses=(corrected.hypotheses[0], extra))


EPS0 = RepairCase("as25.eps0.relative", parameter="2*H*eps")


def test_thresholds_are_compared_exactly_and_a_disagreement_says_which_is_tighter():
    claim = CAT["as25.eps0.relative"]
    record = _threshold("0.693103448275", "0.693181818182", "log(2)")
    notes = agreement(claim, record, CAT["as25.eps0.relative.corrected"], "survived", EPS0)
    # the notes' rational H ε <= 1/3 (2Hε <= 2/3 < ln 2): the repair's hypothesis is weaker
    assert notes.word == "repair tighter"
    assert "the correction's H*ε ≤ 1/3 is 2*H*ε ≤ 2/3, the repair's 2*H*ε ≤ log(2)" in notes.text
    assert "holds beyond the correction's, survived" in notes.text
    assert "fails past t*, certified: fails at 2*H*ε = 0.693181818182: witness" in notes.text
    same = agreement(claim, record, _eps0_correction(sp.log(2) / 2), "", EPS0)
    assert same.word == "agree"
    wide = agreement(claim, record, _eps0_correction(sp.Rational(1, 2)), "", EPS0)
    assert wide.word == "conflict" and "admits the repair's certified witness" in wide.text
    # inside the bracket but above the identified ln 2: tighter, not contradicted
    inside = agreement(claim, record, _eps0_correction(sp.Rational(34658, 100000)), "", EPS0)
    assert inside.word == "correction tighter"
    # without the parameter the thresholds are not compared
    assert agreement(claim, record, CAT["as25.eps0.relative.corrected"]).word == "not compared"
    # a bound from the other side (-H ε <= -1/3 is 2Hε >= 2/3) is not the repair's kind
    other = agreement(claim, record, _eps0_correction(-sp.Rational(1, 3), -H * eps), "", EPS0)
    assert other.word == "not compared" and "from the other side" in other.text


def test_a_threshold_held_above_it_is_compared_the_other_way():
    """A claim holding for u >= t*: a larger end is the stricter hypothesis."""
    claim = CAT["as25.eps0.relative"]
    record = _threshold("0.4", "0.6", "1/2", holds="≥")
    strict = agreement(claim, record, _eps0_correction(-sp.Rational(1, 3), -H * eps), "", EPS0)
    assert (
        strict.word == "repair tighter" and "2*H*ε ≥ 2/3, the repair's 2*H*ε ≥ 1/2" in strict.text
    )
    loose = agreement(claim, record, _eps0_correction(-sp.Rational(1, 10), -H * eps), "", EPS0)
    assert loose.word == "conflict"  # 2Hε >= 1/5 admits the certified witness at 0.4
    between = agreement(claim, record, _eps0_correction(-sp.Rational(9, 40), -H * eps), "", EPS0)
    assert between.word == "correction tighter"  # 2Hε >= 9/20, inside the bracket


def test_a_structural_fault_beside_a_correction_of_another_quantity():
    record = run_repair(CAT["as25.lemma5.1.step-entrywise-exp"], samples=SAMPLES)
    assert (record.repair.outcome, record.repair.kind) == ("not applicable", "structural")
    a = agreement(
        CAT["as25.lemma5.1.step-entrywise-exp"], record, CAT["as25.lemma5.1.step-matrix-exp"]
    )
    assert a.word == "consistent" and "‖expm(D) − I‖_max" in a.text
    assert repair_lines(record, "x")[0] == "not applicable (structural)"


def _claim_rows(verdicts):
    return [
        SimpleNamespace(lemma=CAT[k], result=SimpleNamespace(verdict=SimpleNamespace(value=v)))
        for k, v in verdicts.items()
    ]


def test_rows_follow_the_claims_table_and_keep_every_refuted_claim(lemma_4_1):
    subjects = repair_subjects(SPEC, CAT, PAPER, {"as25.lemma4.1"})
    claims = _claim_rows(
        {
            "as25.lemma4.1": "refuted",
            "as25.lemma4.1.corrected": "survived",
            "as25.lemma5.1.bounded-entries": "refuted",
            "as25.lemma5.1": "survived",
        }
    )
    rows = repair_rows(subjects, [lemma_4_1], claims, CAT)
    assert [r.claim.key for r in rows] == ["as25.lemma4.1", "as25.lemma5.1.bounded-entries"]
    first, second = rows
    assert [a.correction.key for a in first.agreements] == [
        "as25.lemma4.1.corrected",
        "as25.res-norm-lipschitz",
        "as25.mean-res",
    ]
    assert first.agreements[0].verdict == "survived" and first.agreements[0].word == "agree"
    assert second.repair is None and [a.word for a in second.agreements] == ["not repaired here"]
    data = SimpleNamespace(repairs=rows, repair_samples=SAMPLES)
    doc = repairs_json(data, {"seed": 0})
    assert doc["settings"] == {"seed": 0, "repair_samples": SAMPLES}
    assert doc["rows"][0]["repair"]["closed_form"] == "2" and doc["rows"][1]["repair"] is None
    assert summary(rows) == (
        "2 claims (2 refuted), 1 of them repaired here; beside the corrections: 1 agree, "
        "2 not compared."
    )


def test_the_specification_declares_its_repairs_and_bad_names_are_one_line_errors():
    keys = [case.key for case, _ in repair_subjects(SPEC, CAT, PAPER)]
    assert keys[0] == "as25.eps0.relative" and "as25.lemma4.1.mean" in keys
    (mean,) = [c for c in SPEC.repairs if c.key == "as25.lemma4.1.mean"]
    assert mean.compare == ("as25.mean-res",) and "as25.lemma4.1.mean" not in CAT.claims
    with pytest.raises(UsageError, match=r"repairs no 'nope'; it repairs: as25.eps0.relative"):
        repair_subjects(SPEC, CAT, PAPER, {"nope"})
    bad = dataclasses.replace(SPEC, repairs=(RepairCase("as23.entry-bound"),))
    with pytest.raises(UsageError, match="not one of its claims"):
        repair_subjects(bad, CAT, PAPER)
    twice = dataclasses.replace(SPEC, repairs=(RepairCase("as25.lemma4.1"),) * 2)
    with pytest.raises(UsageError, match="twice"):
        repair_subjects(twice, CAT, PAPER)


def test_the_notes_corrections_and_the_repairs_agree():
    """Every repair the built-in appendix declares, at its default samples, beside the
    notes: Lemma 4.1, line 442 -> 2; mean Res -> 2(1 - 1/n); the entry readings' factor
    d inside (1 + H d η); ε₀'s relative reading -> 2Hε ≤ ln 2 (the notes' rational
    H ε ≤ 1/3 is stricter); the entrywise exponential is structural."""
    words = {}
    for case, claim in repair_subjects(SPEC, CAT, PAPER):
        record = run_repair(claim, case.parameter, case.constant, samples=SAMPLES)
        keys = [c.key for c in CAT.corrections_of(case.key)] + list(case.compare)
        for key in keys:
            words[case.key, key] = agreement(claim, record, CAT[key], "", case).word
    assert words == {
        ("as25.eps0.relative", "as25.eps0.relative.corrected"): "repair tighter",
        ("as25.eps-ell.entrywise", "as25.eps-ell.entrywise.corrected"): "agree",
        ("as25.norm-growth.entrywise", "as25.norm-growth.entrywise.corrected"): "agree",
        ("as25.lemma4.1.mean", "as25.mean-res"): "agree",
        ("as25.lemma4.1", "as25.lemma4.1.corrected"): "agree",
        ("as25.lemma4.1", "as25.res-norm-lipschitz"): "not compared",
        ("as25.lemma4.1", "as25.mean-res"): "not compared",
        ("as25.lemma5.2.line442", "as25.lemma5.2.line442.corrected"): "agree",
        ("as25.lemma5.1.step-entrywise-exp", "as25.lemma5.1.step-matrix-exp"): "consistent",
    }

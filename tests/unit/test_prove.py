"""The prover: interval enclosures, reductions, branch and bound, certificates, re-checking."""

from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest
import sympy as sp

from symbound import __version__
from symbound.errors import UsageError
from symbound.lemmas.catalogue import load_catalogue
from symbound.prove.bnb import branch_and_bound
from symbound.prove.claim import Box
from symbound.prove.interval import (
    Unbounded,
    compile_interval,
    flint_precision,
    from_rationals,
    to_fraction,
)
from symbound.prove.prover import prove, prove_claim
from symbound.prove.recheck import recheck, recheck_file
from symbound.prove.reduce import Goal, power_exp, reduce_goal

x = sp.Symbol("x", real=True)
BOX = Box.parse(["eta=0..1/10", "H=1..64", "L=1..1000"])
# claims are stated in plain real symbols; the box says what each parameter is
eta, H, L = BOX.symbols("eta", "H", "L")
t, theta = sp.symbols("t theta", real=True)
ENVELOPE = ((1 + H * eta) ** L - 1, L * H * eta * sp.exp(L * H * eta))


def enclose(expr, **ranges):
    with flint_precision(64):
        box = {k: from_rationals(Fraction(lo), Fraction(hi)) for k, (lo, hi) in ranges.items()}
        out = compile_interval(expr)(box)
        return to_fraction(out.lo), to_fraction(out.hi)


# -- interval arithmetic -------------------------------------------------------------------
def test_products_and_even_powers_keep_their_sign():
    assert enclose(x * x, x=(0, 2)) == (0, 4)  # balls would give [-2, 4]
    assert enclose(x**2, x=(-1, 2)) == (0, 4)
    assert enclose(x**3, x=(-1, 2)) == (-1, 8)
    lo, hi = enclose(sp.exp(x), x=(0, 100))
    assert lo == 1 and hi > 10**43  # endpoints, not a wide ball around e^50


def test_operations_without_a_finite_enclosure_raise():
    for expr, rng in ((1 / x, (-1, 1)), (sp.log(x), (0, 1)), (sp.sqrt(x), (-1, 1))):
        with pytest.raises(Unbounded):
            enclose(expr, x=rng)


def test_floats_are_refused():
    with pytest.raises(ValueError, match="float"):
        compile_interval(sp.Float(0.1) * x)


# -- reductions ----------------------------------------------------------------------------
def test_power_exp_needs_a_nonnegative_coefficient_and_a_positive_base():
    box = Box.parse(["eta=0..1/10", "H=1..64", "L=1..1000"])
    _, steps = power_exp(-((1 + H * eta) ** L), box)
    assert steps == []  # replacing would weaken the claim
    _, steps = power_exp((H * eta - 1) ** L, box)
    assert steps == []  # base may be <= 0
    f, steps = power_exp(3 * (1 + H * eta) ** L, box)
    assert [s.rule for s in steps] == ["power-exp"] and f == 3 * sp.exp(H * L * eta)


def test_substitution_ranges_are_exact_images():
    goal, steps = reduce_goal(ENVELOPE[0] - ENVELOPE[1], BOX, strengthen=False)
    assert [(s.variable, s.monomial, s.lo, s.hi) for s in steps] == [
        ("t", H * eta, 0, Fraction(32, 5))
    ]
    assert set(goal.box.names) == {"L", "t"} and goal.box.integers == ("L",)


# -- branch and bound ----------------------------------------------------------------------
def test_the_envelope_is_proved_in_a_few_boxes_after_reduction():
    proof = prove(*ENVELOPE, BOX)
    assert proof.verdict == "proved" and proof.search.boxes <= 10
    assert [r.rule for r in proof.reductions] == ["power-exp", "substitute"]


def test_the_naive_search_gives_up_and_says_what_would_help():
    proof = prove(*ENVELOPE, BOX, reduce=False, max_boxes=300)
    assert proof.verdict == "inconclusive" and proof.search.boxes == 300
    assert proof.search.open and "more boxes" in proof.search.advice
    assert "INCONCLUSIVE" in proof.summary() and "would help" in proof.summary()


def test_a_false_claim_is_refuted_with_an_exact_admissible_witness():
    proof = prove((1 + H * eta) ** L - 1, L * H * eta, BOX)
    assert proof.verdict == "refuted"
    w = proof.witness
    assert w["H"].denominator == 1 and w["L"].denominator == 1
    assert all(BOX[k][0] <= v <= BOX[k][1] for k, v in w.items())
    exact = (1 + w["H"] * w["eta"]) ** int(w["L"]) - 1 - w["L"] * w["H"] * w["eta"]
    assert exact > 0 and exact >= proof.witness_lower > 0  # independent: plain Fractions
    assert proof.confirmed_by == ("Arb", "exact rational intervals")


def test_tight_claims_are_proved_through_monotonicity():
    assert prove(x * (1 - x), sp.Rational(1, 4), Box.parse(["x=0..1"])).verdict == "proved"
    assert prove(2 * sp.tanh(t / 2), t, Box.parse(["t=0..100"])).verdict == "proved"


def test_a_claim_off_by_a_tiny_margin_is_refuted_not_proved():
    box = Box.parse(["x=0..1"])
    proof = prove(x * (1 - x), sp.Rational(1, 4) - sp.Rational(1, 10**12), box)
    assert proof.verdict == "refuted"


def test_integer_parameters_split_between_integers():
    goal = Goal(sp.Integer(2) ** L - 3 * L, Box.parse(["L=1..4"]))  # -1, -2, -1, then 4 > 0
    result = branch_and_bound(goal)
    assert result.verdict == "refuted" and result.witness == {"L": 4}
    # (L-1)(2-L) <= 0 at every integer, but not between 1 and 2: true for integers only
    integers = branch_and_bound(Goal((L - 1) * (2 - L), Box.parse(["L=1..5"])))
    assert integers.verdict == "proved"
    reals = branch_and_bound(Goal((L - 1) * (2 - L), Box.parse(["L=1..5"], integers=())))
    assert reals.verdict == "refuted" and reals.witness["L"].denominator != 1


def test_catalogue_scalar_claims():
    cat = load_catalogue()
    verdicts = {k: prove_claim(c).verdict for k, c in cat.scalars.items()}
    assert verdicts == {
        "as25.theorem5.3.envelope": "proved",
        "as25.s3.linear": "proved",
        "as25.s4.linear": "proved",
        "as25.s3.tv-core": "inconclusive",  # tight along a curve: must not be called proved
    }


# -- certificates --------------------------------------------------------------------------
def certificate(*claim, box=BOX, **options):
    proof = prove(*claim, box, **options)
    return json.loads(json.dumps(proof.to_json(__version__)))


def test_certificates_recheck_independently():
    doc = certificate(*ENVELOPE)
    result = recheck(doc)
    assert result.ok and result.verdict == "proved" and result.nodes >= 2
    bigger = certificate(x * (1 - x), sp.Rational(1, 4), box=Box.parse(["x=0..1"]))
    assert recheck(bigger).ok
    split = certificate(
        theta * (2 - theta), sp.Integer(1), box=Box.parse(["theta=0..2"]), reduce=False
    )
    assert recheck(split).ok


def tampered(doc, edit):
    doc = copy.deepcopy(doc)
    edit(doc)
    return recheck(doc)


def test_tampered_certificates_fail():
    doc = certificate(*ENVELOPE)
    weaker = tampered(doc, lambda d: d["claim"].update(rhs="H*L*eta*exp(H*L*eta)/2"))
    assert not weaker.ok
    wider = tampered(doc, lambda d: d["reductions"][1].update(range=["0", "64"]))
    assert not wider.ok  # the monomial reaches 6400
    bigger_box = tampered(doc, lambda d: d["claim"]["box"].update(eta=["0", "1"]))
    assert not bigger_box.ok
    negative = tampered(doc, lambda d: d["reductions"][0].update(coefficient="-1"))
    assert not negative.ok


def test_tampered_tree_fails():
    doc = certificate(x * (1 - x), sp.Rational(1, 4), box=Box.parse(["x=0..1"]))
    assert recheck(doc).ok

    def move_split(d):
        node = d["tree"]
        while node["by"] != "split":
            node = node.get("face") or node["children"][0]
        node["at"] = "1/3"

    assert not tampered(doc, move_split).ok


def test_refutation_records_recheck():
    doc = certificate((1 + H * eta) ** L - 1, L * H * eta)
    result = recheck(doc)
    assert doc["verdict"] == "refuted" and result.status == "refuted" and not result.ok
    moved = tampered(doc, lambda d: d["witness"].update(L="1"))  # Bernoulli holds at L=1
    assert moved.status == "rejected"


def test_recheck_file_errors_are_one_line(tmp_path):
    with pytest.raises(UsageError, match="no certificate at"):
        recheck_file(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(UsageError, match="cannot read the certificate"):
        recheck_file(bad)
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    with pytest.raises(UsageError, match="not a symbound certificate"):
        recheck_file(other)


def test_a_scalar_claim_obeys_the_provenance_rules_of_lemmas():
    from symbound.errors import InvalidLemmaError
    from symbound.lemmas.model import Citation, Form, Provenance
    from symbound.prove.claim import ScalarClaim

    with pytest.raises(InvalidLemmaError, match="is a reading, not 'as stated'"):
        ScalarClaim(
            "x.reconstructed", "t", Citation("notes", "§1"), Provenance.RECONSTRUCTED,
            Form.AS_STATED, "t", "1", Box.parse(["t=0..1"]),
        )  # fmt: skip

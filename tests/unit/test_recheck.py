"""The re-check: statuses, forged certificates (issues 11 and 17), every step re-derived."""

from __future__ import annotations

import copy
import json
from fractions import Fraction

import flint
import pytest
import sympy as sp

from symbound.prove.claim import Box
from symbound.prove.prover import prove
from symbound.prove.recheck import STATUSES, RecheckResult, iv_lower_at, recheck

x, y, t, n, eta = sp.symbols("x y t n eta", real=True)
H, L = sp.symbols("H L", real=True)

# issue 17: mpmath 1.3.0's iv.exp(A) at 113 bits has its upper end 7.2e-30 below exp(A)
A = Fraction(1381846513289487, 2**46)
U = Fraction(816142420449745890825644183934475, 2417851639229258349412352)  # below exp(A)


def certificate(lhs, rhs, specs, integers=None, **options) -> dict:
    proof = prove(lhs, rhs, Box.parse(specs, integers=integers), **options)
    return json.loads(json.dumps(proof.to_json("test")))


def edited(doc: dict, edit) -> dict:
    doc = copy.deepcopy(doc)
    edit(doc)
    return doc


def leaves(node):
    if node["by"] == "monotone":
        yield from leaves(node["face"])
    elif node["by"] == "split":
        for c in node["children"]:
            yield from leaves(c)
    else:
        yield node


def arb_exp_minus(q: Fraction, bound: Fraction, prec: int = 300) -> flint.arb:
    with flint.ctx.workprec(prec):
        return flint.arb(flint.fmpq(q.numerator, q.denominator)).exp() - flint.arb(
            flint.fmpq(bound.numerator, bound.denominator)
        )


# -- statuses ------------------------------------------------------------------------------
def test_each_verdict_has_its_status_and_only_proved_is_ok():
    proved = recheck(certificate(x * (1 - x), sp.Rational(1, 4), ["x=0..1"]))
    refuted = recheck(certificate(x * (1 - x), sp.Rational(1, 5), ["x=0..1"]))
    inconclusive = certificate(
        x * (1 - x), sp.Rational(1, 4), ["x=0..1"], reduce=False, max_boxes=1
    )
    assert inconclusive["verdict"] == "inconclusive"
    unverified = recheck(inconclusive)
    rejected = recheck(
        edited(
            certificate(x * (1 - x), sp.Rational(1, 4), ["x=0..1"]),
            lambda d: d["claim"].update(rhs="1/5"),
        )
    )
    got = [(r.status, r.ok) for r in (proved, refuted, unverified, rejected)]
    assert got == [("proved", True), ("refuted", False), ("unverified", False), ("rejected", False)]
    assert tuple(s for s, _ in got) == STATUSES
    assert "x ∈ [0, 1]" in proved.message and "real symbols" in proved.message
    assert refuted.verdict == "refuted" and "is false" in refuted.message
    assert "nothing proved" in unverified.message
    assert RecheckResult("refuted", "refuted", 1, "").ok is False


# -- issue 17: a leaf bound false by 7.2e-30 -----------------------------------------------
def test_exp_one_ulp_below_is_rejected_and_the_true_bound_accepted():
    above = U + Fraction(1, 2**90)
    assert arb_exp_minus(A, U) > 0 and arb_exp_minus(A, above) < 0  # the forgery is false
    good = certificate(
        sp.exp(t), sp.Rational(above.numerator, above.denominator), [f"t={A}..{A}"], prec=49
    )
    result = recheck(good)
    assert result.status == "proved" and "where needed" in result.message  # the ladder rose

    def forge(d):
        d["claim"]["rhs"] = f"{U.numerator}/{U.denominator}"
        d["goal"]["f"] = f"exp(t) - {U.numerator}/{U.denominator}"

    forged = recheck(edited(good, forge))
    assert forged.status == "rejected" and "enclosure upper end 7.19" in forged.message


# -- issue 11: a substitution named after an integer parameter ------------------------------
def integer_goal_certificate() -> dict:
    """The prover's certificate of 4n(1-n) <= 0 for integers n in [0, 1] (true)."""
    doc = certificate(4 * n * (1 - n), sp.Integer(0), ["n=0..1"], integers=["n"])
    assert doc["verdict"] == "proved" and doc["tree"]["by"] == "split"
    return doc


def claim_4eta(d, variable="n", goal_integers=None):
    """4 eta (1 - eta) <= 0 over eta in [0, 1] (false), through eta = <variable>."""
    d["claim"] = {
        "lhs": "4*eta*(1 - eta)",
        "rhs": "0",
        "box": {"eta": ["0", "1"], "n": ["1", "1"]},
        "integers": ["n"],
    }
    d["reductions"] = [
        {"rule": "substitute", "variable": variable, "monomial": "eta", "range": ["0", "1"]}
    ]
    if variable != "n":
        d["goal"]["f"] = f"4*{variable}*(1 - {variable})"
        d["goal"]["box"] = {variable: ["0", "1"]}
        d["tree"] = json.loads(json.dumps(d["tree"]).replace('"n"', json.dumps(variable)))
    d["goal"]["integers"] = goal_integers if goal_integers is not None else d["goal"]["integers"]


def test_a_substituted_variable_named_after_an_integer_parameter_is_rejected():
    forged = recheck(edited(integer_goal_certificate(), claim_4eta))
    assert forged.status == "rejected" and "must be fresh" in forged.message


@pytest.mark.parametrize(
    "variable, goal_integers, why",
    [
        ("s", ["s"], "at integers only"),  # fresh, but the goal calls it integer
        ("s", [], "split point"),  # fresh and real: the integer split leaves a gap
        ("eta", [], "must be fresh"),
    ],
)
def test_a_substitution_must_be_fresh_and_real(variable, goal_integers, why):
    result = recheck(
        edited(integer_goal_certificate(), lambda d: claim_4eta(d, variable, goal_integers))
    )
    assert result.status == "rejected" and why in result.message


def test_a_variable_cannot_be_introduced_twice():
    doc = certificate((1 + H * eta) ** L - 1, L * H * eta * sp.exp(L * H * eta), BOX3)
    step = next(r for r in doc["reductions"] if r["rule"] == "substitute")

    def twice(d):
        d["reductions"].append(dict(step))

    result = recheck(edited(doc, twice))
    assert result.status == "rejected" and "introduced before" in result.message


BOX3 = ["eta=0..1/10", "H=1..64", "L=1..1000"]


def test_power_exp_must_come_before_substitutions():
    doc = certificate((1 + H * eta) ** L - 1, L * H * eta * sp.exp(L * H * eta), BOX3)
    assert [r["rule"] for r in doc["reductions"]] == ["power-exp", "substitute"]
    assert recheck(doc).status == "proved"
    swapped = recheck(edited(doc, lambda d: d["reductions"].reverse()))
    assert swapped.status == "rejected" and "after a substitution" in swapped.message


def test_the_goal_box_must_cover_the_monomials_image():
    doc = certificate((1 + H * eta) ** L - 1, L * H * eta * sp.exp(L * H * eta), BOX3)
    narrow = recheck(edited(doc, lambda d: d["goal"]["box"].update(t=["0", "640"])))
    assert narrow.status == "rejected" and "misses part" in narrow.message


def test_a_goal_parameter_must_come_from_the_claim():
    doc = certificate(x * (1 - x), sp.Rational(1, 4), ["x=0..1"])

    def extra(d):
        d["goal"]["box"]["z"] = ["0", "1"]
        d["goal"]["f"] = d["goal"]["f"] + " + 0*z"

    result = recheck(edited(doc, extra))
    assert result.status == "rejected" and "neither the claim's" in result.message


# -- plain real symbols --------------------------------------------------------------------
def test_claims_are_read_with_real_symbols():
    """sqrt(eta**2) <= 0 over [-1, 0] (false) was accepted with a proof of eta <= 0."""
    doc = certificate(eta, sp.Integer(0), ["eta=-1..0"], integers=[])
    assert recheck(doc).status == "proved"
    forged = recheck(edited(doc, lambda d: d["claim"].update(lhs="sqrt(eta**2)")))
    assert forged.status == "rejected" and "substituted back" in forged.message


def test_an_unranged_name_is_rejected_not_read_with_an_assumption():
    doc = certificate(x * (1 - x), sp.Rational(1, 4), ["x=0..1"])
    result = recheck(edited(doc, lambda d: d["claim"].update(rhs="1/4 + sqrt(eta**2) - eta")))
    assert result.status == "rejected" and "eta, without a range" in result.message


# -- the tree ------------------------------------------------------------------------------
def test_mean_value_leaves_are_re_derived():
    doc = certificate(sp.exp(x) - 1 - x - x**2, sp.Rational(1, 10), ["x=-1/2..1/2"], reduce=False)
    assert recheck(doc).status == "proved"
    mv = [leaf for leaf in leaves(doc["tree"]) if leaf["by"] == "mean-value"]
    assert mv

    def move_centre(d):
        leaf = next(v for v in leaves(d["tree"]) if v["by"] == "mean-value")
        leaf["center"] = {"x": "7"}

    result = recheck(edited(doc, move_centre))
    assert result.status == "rejected" and "centre" in result.message


def test_edited_leaf_boxes_and_false_leaves_are_rejected():
    doc = certificate(x * (1 - x), sp.Rational(1, 4), ["x=0..1"])

    def widen_leaf(d):
        leaf = next(leaves(d["tree"]))
        leaf["box"]["x"][1] = "2"

    assert "not the one its parent covers" in recheck(edited(doc, widen_leaf)).message

    def mislabel(d):
        d["tree"]["by"] = "enclosure"  # the whole box by one enclosure: x(1-x) <= 1 only

    assert "enclosure upper end" in recheck(edited(doc, mislabel)).message
    assert "proves nothing" in recheck(edited(doc, lambda d: d["tree"].update(by="open"))).message


def test_monotone_steps_need_the_stated_sign():
    doc = certificate(x**2 - x / 2, sp.Rational(1, 2), ["x=-1/2..1"], reduce=False)

    def flip(d):
        stack = [d["tree"]]
        while stack[-1]["by"] != "monotone":
            node = stack.pop()
            stack.extend(node.get("children", []))
        node = stack[-1]
        spec = next(iter(node["fixed"].values()))
        spec["at"] = "lo" if spec["at"] == "hi" else "hi"

    result = recheck(edited(doc, flip))
    assert result.status == "rejected" and "has no sign" in result.message


# -- refutations ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "edit, why",
    [
        (lambda d: d["witness"].update(x="2"), "not a point of the claim's box"),
        (lambda d: d["witness"].update(z="0"), "not a parameter of the claim"),
        (lambda d: d["witness"].pop("x"), "unset"),
        (lambda d: d["witness"].update(x="0"), "not certainly > 0"),
    ],
)
def test_witnesses_are_re_confirmed(edit, why):
    doc = certificate(x * (1 - x), sp.Rational(1, 5), ["x=0..1"])
    assert recheck(doc).status == "refuted"
    result = recheck(edited(doc, edit))
    assert result.status == "rejected" and why in result.message


def test_integer_witnesses_must_be_integers():
    doc = certificate((1 + H * eta) ** L - 1, L * H * eta, BOX3)
    assert recheck(doc).status == "refuted"
    result = recheck(edited(doc, lambda d: d["witness"].update(L="5/2")))
    assert result.status == "rejected" and "not a point" in result.message


# -- the prover's second confirmation ------------------------------------------------------
def test_iv_lower_at_is_a_proved_lower_bound():
    low = iv_lower_at(sp.exp(t) - sp.Rational(U.numerator, U.denominator), {"t": A}, 400)
    assert 0 < low <= Fraction(72, 10**31)
    assert iv_lower_at(sp.log(t), {"t": Fraction(0)}) == -1  # no enclosure: -1, not a guess

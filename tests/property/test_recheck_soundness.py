"""The re-check never says "proved" of a claim that is false at a point of its box (issue 11,
"How we know", the re-check's half).

Random small claims over boxes (crossing zero included, integer parameters, composite
variables and power-exp strengthenings), real certificates from the prover, then mutated:
the claim's right-hand side, its box, its integer flags, the substitution's variable, a
leaf's box, a split point, the goal, the precision.  Whenever the re-check says
"proved", the claim *as the certificate states it* is evaluated at rational points of its
box (exact rationals, or Arb at 1000 bits for transcendental claims) and must not be
certainly violated; whenever it says "refuted", the claim must certainly fail at the
witness.
"""

from __future__ import annotations

import copy
import json
from fractions import Fraction

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symbound.errors import UsageError
from symbound.parse import exact_number, parse_bound
from symbound.prove.claim import Box
from symbound.prove.interval import Unbounded, compile_interval, flint_precision, point
from symbound.prove.prover import prove
from symbound.prove.recheck import recheck

x, y, n = sp.symbols("x y n", real=True)
small = st.fractions(min_value=-3, max_value=3, max_denominator=8)
positive = st.fractions(min_value=Fraction(1, 8), max_value=2, max_denominator=8)


@st.composite
def claims(draw):
    """(lhs, rhs, box specs, integer names)."""
    kind = draw(st.sampled_from(["poly", "composite", "integer", "transcendental"]))
    a, b, c = draw(small), draw(small), draw(small)
    r = draw(st.fractions(min_value=-2, max_value=4, max_denominator=16))
    lo = draw(st.fractions(min_value=-2, max_value=1, max_denominator=4))
    width = draw(positive)
    q = sp.Rational
    if kind == "poly":
        lhs = q(a.numerator, a.denominator) * x**3 + q(b.numerator, b.denominator) * x**2 + x
        return lhs, q(r.numerator, r.denominator), [f"x={lo}..{lo + width}"], []
    if kind == "composite":  # through t = x*y (x, y >= 0)
        t = x * y
        lhs = q(b.numerator, b.denominator) * t**2 + t - sp.Rational(1, 2) * sp.exp(t) + 1
        return lhs, q(r.numerator, r.denominator), [f"x=0..{width}", f"y=0..{abs(lo) + 1}"], []
    if kind == "integer":  # (1 + x)^n - 1 against n x e^(n x) (power-exp) or a shifted bound
        top = draw(st.integers(1, 6))
        scale = draw(st.sampled_from([1, q(1, 2), 2]))
        lhs, rhs = (1 + x) ** n - 1, scale * n * x * sp.exp(n * x)
        return lhs, rhs, [f"x=0..{min(width, 1)}", f"n=1..{top}"], ["n"]
    lhs = sp.exp(x) - 1 - x - q(c.numerator, c.denominator) * sp.tanh(x) * x
    return lhs, q(r.numerator, r.denominator), [f"x={lo}..{lo + width}"], []


def certificate(lhs, rhs, specs, integers) -> dict | None:
    proof = prove(lhs, rhs, Box.parse(specs, integers=integers), prec=64, max_boxes=300)
    if proof.verdict == "inconclusive":
        return None
    return json.loads(json.dumps(proof.to_json("test")))


def violated_at(doc: dict, where: dict[str, Fraction]) -> bool:
    """The claim as the certificate states it is *certainly* false at ``where``."""
    names = {k: sp.Symbol(k, real=True) for k in doc["claim"]["box"]}
    f = parse_bound(doc["claim"]["lhs"], names) - parse_bound(doc["claim"]["rhs"], names)
    exact = f.xreplace(
        {names[k]: sp.Rational(v.numerator, v.denominator) for k, v in where.items()}
    )
    if exact.is_Rational:
        return exact > 0
    with flint_precision(1000):
        try:
            value = compile_interval(f)({k: point(v) for k, v in where.items()})
        except (Unbounded, ValueError):
            return False  # undefined there: not a counterexample that can be certified
        return bool(value.lo > 0)


def sample_points(doc: dict, draw) -> list[dict[str, Fraction]]:
    box = {k: (exact_number(lo), exact_number(hi)) for k, (lo, hi) in doc["claim"]["box"].items()}
    integers = set(doc["claim"]["integers"])
    points = []
    for i in range(12):
        where = {}
        for k, (lo, hi) in box.items():
            u = Fraction(i % 3, 2) if i < 3 else draw(st.fractions(0, 1, max_denominator=1000))
            v = lo + u * (hi - lo)
            if k in integers:
                v = Fraction(int(v) if v >= 0 else -int(-v))
                v = min(max(v, lo), hi)
            where[k] = v
        points.append(where)
    return points


def leaves(node):
    if node["by"] == "monotone":
        yield from leaves(node["face"])
    elif node["by"] == "split":
        for child in node["children"]:
            yield from leaves(child)
    else:
        yield node


def splits(node):
    if node["by"] == "split":
        yield node
        for child in node["children"]:
            yield from splits(child)
    elif node["by"] == "monotone":
        yield from splits(node["face"])


def mutations(doc: dict, draw) -> list[dict]:
    delta = draw(st.sampled_from([Fraction(1, 10**12), Fraction(1, 100), Fraction(1), Fraction(5)]))
    out = []

    def add(change):
        new = copy.deepcopy(doc)
        if change(new) is not False:
            out.append(new)

    def lower_rhs(d):
        d["claim"]["rhs"] = f"({d['claim']['rhs']}) - {delta}"

    def lower_rhs_and_goal(d):  # the issue 17 forgery: claim and goal moved together
        lower_rhs(d)
        d["goal"]["f"] = f"({d['goal']['f']}) + {delta}"

    def widen(d):
        name = draw(st.sampled_from(sorted(d["claim"]["box"])))
        lo, hi = d["claim"]["box"][name]
        side = draw(st.integers(0, 1))
        d["claim"]["box"][name] = (
            [str(exact_number(lo) - delta), hi]
            if side == 0
            else [
                lo,
                str(exact_number(hi) + delta),
            ]
        )

    def toggle_integer(d):
        name = draw(st.sampled_from(sorted(d["claim"]["box"])))
        for part in ("claim", "goal"):
            ints = d[part]["integers"]
            if name in ints:
                ints.remove(name)
            elif part == "claim" or name in d["goal"]["box"]:
                ints.append(name)

    def rename_variable(d):
        subs = [r for r in d["reductions"] if r["rule"] == "substitute"]
        if not subs or "tree" not in d:
            return False
        old = subs[0]["variable"]
        new = draw(st.sampled_from([*sorted(d["claim"]["box"]), "s", "n"]))
        subs[0]["variable"] = new
        text = json.dumps(d["tree"]).replace(json.dumps(old), json.dumps(new))
        d["tree"] = json.loads(text)
        d["goal"]["box"] = {new if k == old else k: v for k, v in d["goal"]["box"].items()}
        known = [old, new, *doc["claim"]["box"], *doc["goal"]["box"]]
        goal_names = {k: sp.Symbol(k, real=True) for k in known}
        goal = parse_bound(doc["goal"]["f"], goal_names).xreplace(
            {goal_names[old]: goal_names[new]}
        )
        d["goal"]["f"] = str(goal)
        if draw(st.booleans()):
            d["goal"]["integers"].append(new)
        return None

    def edit_leaf(d):
        if "tree" not in d:
            return False
        leaf = draw(st.sampled_from(list(leaves(d["tree"]))))
        name = draw(st.sampled_from(sorted(leaf["box"])))
        lo, hi = leaf["box"][name]
        leaf["box"][name] = [lo, str(exact_number(hi) + delta)]
        return None

    def move_split(d):
        found = list(splits(d["tree"])) if "tree" in d else []
        if not found:
            return False
        node = draw(st.sampled_from(found))
        node["at"] = str(exact_number(node["at"]) + delta)
        return None

    def shrink_goal(d):
        name = draw(st.sampled_from(sorted(d["goal"]["box"]))) if d["goal"]["box"] else None
        if name is None:
            return False
        lo, hi = d["goal"]["box"][name]
        d["goal"]["box"][name] = [lo, str(exact_number(hi) - delta)]
        return None

    def coarse(d):
        d["precision_bits"] = 2

    def widen_and_lower(d):
        widen(d)
        lower_rhs(d)

    for change in (
        lower_rhs,
        lower_rhs_and_goal,
        widen,
        toggle_integer,
        rename_variable,
        edit_leaf,
        move_split,
        shrink_goal,
        coarse,
        widen_and_lower,
    ):
        add(change)
    return out


@given(claims(), st.data())
def test_recheck_never_proves_a_false_claim(claim, data):
    doc = certificate(*claim)
    if doc is None:
        return
    original = recheck(doc)
    assert original.status == doc["verdict"], original  # the prover's own are re-verified
    for mutated in [doc, *mutations(doc, data.draw)]:
        try:
            result = recheck(mutated)
        except UsageError:
            continue  # malformed after the edit: nothing is said of the claim
        if result.status == "proved":
            for where in sample_points(mutated, data.draw):
                assert not violated_at(mutated, where), (mutated["claim"], where, result.message)
        elif result.status == "refuted":
            witness = {k: exact_number(v) for k, v in mutated["witness"].items()}
            assert violated_at(mutated, witness), (mutated["claim"], witness)


# -- forgery families: certificates of true goals attached to false claims -----------------
@st.composite
def integer_only_claims(draw):
    """s (m - k)(k + 1 - m) - u (m - k)^2 <= 0: true at every integer m, false on (k, k+1)."""
    k = draw(st.integers(-3, 3))
    top = k + draw(st.integers(1, 4))
    s = Fraction(draw(st.integers(1, 16)), 8)  # dyadic: the prover decides 0 <= 0 exactly
    u = Fraction(draw(st.integers(0, 4)), 32)
    m = sp.Symbol("m", real=True)
    q = sp.Rational
    g = (
        q(s.numerator, s.denominator) * (m - k) * (k + 1 - m)
        - q(u.numerator, u.denominator) * (m - k) ** 2
    )
    return g, k, top


def _forge(doc: dict, claim_box: dict, integers: list, variable: str, lo, hi, goal_integers):
    """The certificate of the goal g(m) <= 0, re-labelled as a claim about eta = variable."""
    forged = copy.deepcopy(doc)
    text = json.dumps(forged["tree"]).replace('"m"', json.dumps(variable))
    forged["tree"] = json.loads(text)
    goal_f = str(parse_bound(doc["goal"]["f"], {"m": sp.Symbol(variable, real=True)}))
    forged["goal"] = {
        "f": goal_f,
        "box": {variable: doc["goal"]["box"]["m"]},
        "integers": goal_integers,
    }
    claim_f = str(parse_bound(doc["goal"]["f"], {"m": sp.Symbol("eta", real=True)}))
    forged["claim"] = {"lhs": claim_f, "rhs": "0", "box": claim_box, "integers": integers}
    forged["reductions"] = [
        {"rule": "substitute", "variable": variable, "monomial": "eta", "range": [str(lo), str(hi)]}
    ]
    return forged


def assert_sound(doc: dict, draw) -> None:
    try:
        result = recheck(doc)
    except UsageError:
        return
    if result.status == "proved":
        for where in sample_points(doc, draw):
            assert not violated_at(doc, where), (doc["claim"], doc["reductions"], where)


@given(integer_only_claims(), st.data())
def test_a_proof_at_integers_never_proves_a_claim_over_the_reals(claim, data):
    g, k, top = claim
    doc = certificate(g, sp.Integer(0), [f"m={k}..{top}"], ["m"])
    assert doc is not None and doc["verdict"] == "proved"
    eta_box = {"eta": [str(k), str(top)]}
    for variable, extra, integers, goal_integers in (
        ("N", {"N": ["1", "1"]}, ["N"], ["N"]),  # issue 11: named after an integer parameter
        ("s", {}, [], ["s"]),  # fresh, but declared integer in the goal
        ("eta", {}, [], ["eta"]),  # the claim's own parameter
    ):
        forged = _forge(doc, {**eta_box, **extra}, integers, variable, k, top, goal_integers)
        assert_sound(forged, data.draw)


eighths = st.integers(1, 16).map(lambda i: Fraction(i, 8))


@given(st.integers(-16, 16).map(lambda i: Fraction(i, 8)), eighths, eighths, st.data())
def test_a_substitution_range_must_hold_the_whole_image(a, width, extension, data):
    """m - b <= 0 holds on [a, b], fails beyond: a range [a, b] for eta over [a, b + ext]."""
    b = a + width
    m = sp.Symbol("m", real=True)
    doc = certificate(m, sp.Rational(b.numerator, b.denominator), [f"m={a}..{b}"], [])
    assert doc is not None and doc["verdict"] == "proved"
    claim_box = {"eta": [str(a), str(b + extension)]}
    assert_sound(_forge(doc, claim_box, [], "s", a, b, []), data.draw)

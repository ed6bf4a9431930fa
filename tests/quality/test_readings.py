"""The readings of the main theorem and of Lemmas 5.1, 5.2 and C.1: what is refuted, with
which witness, re-verified by code that shares nothing with symbound's numeric core
(plain Fractions and plain mpmath), and what survives.

The issue's witnesses are checked as given: X = ones(2 x 2), W_V = ones/10, L = H = 1
against the identity baseline read with entry bounds (0.2 > 0.1, and > 0.1105 for its
envelope); the row (1, -1, ..., -1) at n = 6 against Lemma 5.1 with |A_ij| <= theta.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from symbound import Verdict, check, load_catalogue
from symbound.check.evaluate import EXACT, convert_instance, evaluate_sides, hypotheses_hold
from symbound.numeric import ArbBackend
from tests.helpers import matrix, max_abs, midpoint_res, mp_softmax_rows, q

CAT = load_catalogue()
ARB = ArbBackend(prec=256)
DPS = 80


def mp(x) -> mpmath.mpf:
    x = Fraction(x)
    return mpmath.mpf(x.numerator) / x.denominator


def mp_matmul(a, b):
    return [
        [mpmath.fsum(x * y for x, y in zip(row, col, strict=True)) for col in zip(*b, strict=True)]
        for row in a
    ]


def mp_transpose(a):
    return [list(c) for c in zip(*a, strict=True)]


def mp_add(a, b):
    return [[x + y for x, y in zip(ra, rb, strict=True)] for ra, rb in zip(a, b, strict=True)]


def mp_sub(a, b):
    return [[x - y for x, y in zip(ra, rb, strict=True)] for ra, rb in zip(a, b, strict=True)]


def mp_softmax(logits):
    out = []
    for row in logits:
        top = max(row)
        e = [mpmath.exp(v - top) for v in row]
        s = mpmath.fsum(e)
        out.append([x / s for x in e])
    return out


def mp_matrix(rows):
    return [[mp(v) for v in row] for row in rows]


def mp_head(x, m, v, beta):
    logits = [[val / beta for val in row] for row in mp_matmul(mp_matmul(x, m), mp_transpose(x))]
    return mp_matmul(mp_softmax(logits), mp_matmul(x, v))


def logit_matrices(inst):
    """M per layer and head, from M or from the factors W_Q, W_K (exact Fractions)."""
    if "M" in inst:
        return [[mp_matrix(m) for m in layer] for layer in inst["M"]]
    return [
        [
            mp_matmul(mp_matrix(wq), mp_transpose(mp_matrix(wk)))
            for wq, wk in zip(lq, lk, strict=True)
        ]
        for lq, lk in zip(inst["WQ"], inst["WK"], strict=True)
    ]


def mp_network(inst):
    """S(X): residual layers, heads summed, plain mpmath."""
    state = mp_matrix(inst["X"])
    beta = mp(inst.get("beta", 1))
    for ms, vs in zip(logit_matrices(inst), inst["V"], strict=True):
        out = state
        for m, v in zip(ms, vs, strict=True):
            out = mp_add(out, mp_head(state, m, mp_matrix(v), beta))
        state = out
    return state


def mp_surrogate(inst):
    """S'(X) = X + (J/n) X W~, W~ = prod_l (I + sum_h V_lh) - I."""
    X = mp_matrix(inst["X"])
    d = len(X[0])
    eye = [[mpmath.mpf(int(i == j)) for j in range(d)] for i in range(d)]
    total = eye
    for vs in inst["V"]:
        step = eye
        for v in vs:
            step = mp_add(step, mp_matrix(v))
        total = mp_matmul(total, step)
    XW = mp_matmul(X, mp_sub(total, eye))
    mean = [mpmath.fsum(col) / len(X) for col in zip(*XW, strict=True)]
    return [[x + m for x, m in zip(row, mean, strict=True)] for row in X]


def largest_entry(a) -> mpmath.mpf:
    return max(abs(v) for row in a for v in row)


def rhs_value(lemma, inst):
    values = {s: sp.Rational(str(q(inst[s.name]))) for s in lemma.conclusion.rhs.free_symbols}
    return mpmath.mpf(str(sp.N(lemma.conclusion.rhs.subs(values), DPS)))


def near(ball, value: Fraction) -> bool:
    """Whether the Arb ball is within 10^-60 of the exact rational ``value``."""
    with ARB.scope():
        return bool(abs(ball - ARB.number(value)) < ARB.number(Fraction(1, 10**60)))


def arb_sides(lemma, inst):
    point = {k: (np.array(v, dtype=object) if isinstance(v, list) else v) for k, v in inst.items()}
    point = {
        k: (np.vectorize(Fraction, otypes=[object])(v) if isinstance(v, np.ndarray) else v)
        for k, v in point.items()
    }
    point = {k: (Fraction(v) if isinstance(v, str) else v) for k, v in point.items()}
    ball = convert_instance(point, ARB)
    return point, evaluate_sides(lemma, ball, ARB)


# -- the issue's witnesses ------------------------------------------------------------

ONES = {
    "n": 2,
    "d": 2,
    "H": 1,
    "L": 1,
    "phi0": "1",
    "eta": "1/10",
    "X": [["1", "1"], ["1", "1"]],
    "M": [[[["0", "0"], ["0", "0"]]]],
    "V": [[[["1/10", "1/10"], ["1/10", "1/10"]]]],
}


def test_the_identity_baseline_read_with_entry_bounds_fails_at_the_issues_witness():
    lemma = CAT["as25.identity-baseline.entrywise"]
    point, (lhs, rhs) = arb_sides(lemma, ONES)
    assert hypotheses_hold(lemma, point, EXACT)  # entries of X <= 1, of W_V <= 1/10, exactly
    assert bool(lhs > rhs) and near(lhs, Fraction(1, 5))
    assert near(rhs, Fraction(1, 10))
    # independently: the rows of X are equal, so P X W_V = X W_V for every stochastic P
    X, V = matrix(ONES["X"]), matrix(ONES["V"][0][0])
    step = [
        [sum(a * b for a, b in zip(r, c, strict=True)) for c in zip(*V, strict=True)] for r in X
    ]
    assert max_abs(step) == Fraction(1, 5) > Fraction(1, 10)
    with mpmath.workdps(DPS):
        envelope = mpmath.mpf(1) / 10 * mpmath.exp(mpmath.mpf(1) / 10)  # L H eta e^(L H eta) phi0
        assert mpmath.mpf(1) / 5 > envelope > mpmath.mpf("0.1105")
        assert mpmath.nstr(envelope, 4) == "0.1105"
    # the factor d restores it, with equality: ((1 + H d eta)^L - 1) phi0 = 1/5
    corrected = CAT["as25.identity-baseline.entrywise.corrected"]
    _, (lhs, rhs) = arb_sides(corrected, ONES)
    assert near(rhs, Fraction(1, 5)) and near(lhs, Fraction(1, 5))
    # the row-sum reading holds there too: ||X||_inf = 2, ||W_V||_inf = 1/5, bound 2/5
    rowsum = {**ONES, "phi0": "2", "eta": "1/5"}
    _, (lhs, rhs) = arb_sides(CAT["as25.identity-baseline"], rowsum)
    assert near(rhs, Fraction(2, 5)) and near(lhs, Fraction(2, 5))


def test_lemma_5_1_with_bounded_entries_fails_at_the_issues_witness():
    n, theta = 6, 1
    A = [[theta] + [-theta] * (n - 1)] + [[0] * n for _ in range(n - 1)]
    inst = {"n": n, "theta": theta, "A": [[str(v) for v in row] for row in A]}
    lemma = CAT["as25.lemma5.1.bounded-entries"]
    point, (lhs, rhs) = arb_sides(lemma, inst)
    assert hypotheses_hold(lemma, point, EXACT) and bool(lhs > rhs)
    with mpmath.workdps(DPS):
        P = mp_softmax_rows(matrix(inst["A"]))
        gap = max(abs(p - mpmath.mpf(1) / n) for row in P for p in row)
        bound = (mpmath.e - 1) / n
        assert mpmath.nstr(gap, 4) == "0.4298" and mpmath.nstr(bound, 4) == "0.2864"
        assert gap > bound
        assert gap <= (mpmath.e**2 - 1) / n  # the corrected bound g(2 theta)/n
    # under the row-spread reading this row is 2-balanced, not 1-balanced: not an instance
    assert not hypotheses_hold(CAT["as25.lemma5.1"], point, EXACT)
    _, (lhs, rhs) = arb_sides(CAT["as25.lemma5.1.bounded-entries.corrected"], inst)
    assert bool(lhs < rhs)


def test_scaling_w_v_alone_breaks_lemma_5_2_as_the_theorem_uses_it():
    lemma = CAT["as25.lemma5.2.satt"]
    corrected = CAT["as25.lemma5.2.satt.corrected"]
    ratios = []
    for scale in (1, 10, 100):
        inst = {
            "n": 2,
            "d": 1,
            "H": 1,
            "eps": "1/10",
            "eta": str(scale),
            "kappa": "1",
            "beta": "1",
            "phi": "1/10",
            "X": [["0"], ["0"]],
            "A": [[["1/10"], ["0"]]],
            "B": [["1/10"], ["0"]],
            "M": [["0"]],  # zero logits: uniform attention, SAtt(Y) = (J/n) Y W_V
            "V": [[str(scale)]],
        }
        point, (lhs, rhs) = arb_sides(lemma, inst)
        assert hypotheses_hold(lemma, point, EXACT)
        assert near(lhs, Fraction(scale, 20))  # (J/n)(B - X) W_V
        with ARB.scope():
            ratios.append(lhs / rhs)
        _, (clhs, crhs) = arb_sides(corrected, inst)
        assert bool(clhs <= crhs)  # d eta H eps (1 + 2 d^2 kappa phi^2 / beta) grows with eta
    assert bool(ratios[0] < 1) and bool(ratios[2] > 1)  # 3 g(2/10) = 0.664 is free of eta
    with ARB.scope():
        assert near(ratios[2] / ratios[0], Fraction(100))


# -- what the checker finds: every reading refuted where expected, re-verified ------------

NETWORK_REFUTED = {
    # key: (distance to, norm)
    "as25.identity-baseline.entrywise": "identity",
    "as25.collapse-one-layer.entrywise": "surrogate",
    "as25.theorem5.3.entrywise": "surrogate",
}


@pytest.mark.parametrize("key", sorted(NETWORK_REFUTED))
def test_entry_readings_of_the_depth_bounds_are_refuted_and_reverified(key):
    lemma = CAT[key]
    result = check(lemma, seed=0, samples=800)
    assert result.verdict is Verdict.REFUTED, result.summary()
    inst = result.witness.instance_json
    with mpmath.workdps(DPS):
        # hypotheses, exactly: every entry within its bound
        assert max_abs(matrix(inst["X"])) <= q(inst["phi0"])
        weights = ("WQ", "WK", "V") if "WQ" in inst else ("V",)
        for name in weights:
            assert all(max_abs(matrix(m)) <= q(inst["eta"]) for layer in inst[name] for m in layer)
        if "kappa" in inst:
            assert all(max_abs(matrix(m)) <= q(inst["kappa"]) for layer in inst["M"] for m in layer)
        out = mp_network(inst)
        other = mp_matrix(inst["X"]) if NETWORK_REFUTED[key] == "identity" else mp_surrogate(inst)
        lhs = largest_entry(mp_sub(out, other))
        assert lhs > rhs_value(lemma, inst) + mpmath.mpf(10) ** -60, (key, lhs)
    corrected = CAT[f"{key}.corrected"]
    fixed = check(corrected, seed=0, samples=800)
    assert fixed.verdict is Verdict.SURVIVED, fixed.summary()


def test_lemma_c_1_with_small_weights_is_still_refuted_and_reverified():
    lemma = CAT["as25.lemma-c.1.small-weights"]
    result = check(lemma, seed=0, samples=800)
    assert result.verdict is Verdict.REFUTED, result.summary()
    inst = result.witness.instance_json
    eta, eps = q(inst["eta"]), q(inst["eps"])
    assert 0 < eta <= Fraction(1, 10) and 0 < q(inst["phi0"]) <= 1 and eps > 0
    for name in ("QR", "KR", "VR"):
        assert all(max_abs(matrix(m)) <= eta for m in inst[name])
    assert max_abs(matrix(inst["Q"])) <= eta and max_abs(matrix(inst["K"])) <= eta
    with mpmath.workdps(DPS):
        X = mp_matrix(inst["X"])
        heads = [
            mp_head(X, mp_matmul(mp_matrix(qr), mp_transpose(mp_matrix(kr))), mp_matrix(vr), 1)
            for qr, kr, vr in zip(inst["QR"], inst["KR"], inst["VR"], strict=True)
        ]
        for head in heads:  # the hypothesis: every removed head's Res is within eps
            assert largest_entry(midpoint_res(head)) <= mp(eps) + mpmath.mpf(10) ** -70
        moved = X
        for head in heads:
            moved = mp_add(moved, head)
        M = mp_matmul(mp_matrix(inst["Q"]), mp_transpose(mp_matrix(inst["K"])))
        change = mp_sub(
            mp_softmax(mp_matmul(mp_matmul(moved, M), mp_transpose(moved))),
            mp_softmax(mp_matmul(mp_matmul(X, M), mp_transpose(X))),
        )
        assert largest_entry(change) > rhs_value(lemma, inst) + mpmath.mpf(10) ** -60


def test_the_row_sum_readings_of_the_main_theorem_survive_and_come_close():
    for key, at_least in (
        ("as25.identity-baseline", 0.999),
        ("as25.collapse-one-layer", 0.5),
        ("as25.theorem5.3", 0.5),
        ("as25.theorem5.3.entrywise.corrected", 0.5),
    ):
        result = check(CAT[key], seed=0, samples=800)
        assert result.verdict is Verdict.SURVIVED, result.summary()
        assert at_least < float(result.sup.ratio) <= 1, (key, result.sup.ratio)
        assert "2 ≤ n ≤ 4" in result.tightness and "1 ≤ L ≤ 3" in result.tightness

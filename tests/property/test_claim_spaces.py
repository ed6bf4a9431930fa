"""Every derived instance space satisfies the hypotheses it builds in, exactly.

Random rational vectors (Hypothesis) are mapped through spaces derived from claims'
declarations and hypotheses; each built-in hypothesis and each parameter range is
then decided in exact rational arithmetic, with code that shares nothing with the
derivation (plain Fractions).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symbound.claims as sb
from symbound.numeric import ExactBackend

E = ExactBackend()
t, eps, theta, eta = sp.symbols("t eps theta eta", positive=True)
A, B = sb.matrix("A", "n", "d"), sb.matrix("B", "n", "d")
L = sb.matrix("Lg", "n", "n")
P = sb.matrix("P", "n", "n", domain=sb.row_stochastic())
Dg = sb.matrix("Dg", "n", "n", domain=sb.diagonal())
x = sb.vector("x", "n")
V = sb.tensor("V", "L", "H", "d", "d")

CLAIMS = {
    "max-ball-around": sb.claim(
        "p.max", given=[sb.norm(A - B, "max") <= eps], then=sb.norm(A, "max") <= eps
    ),
    "row-ball": sb.claim("p.row", given=[sb.norm(A, "row") <= 2 * eps], then=sb.norm(A) <= eps),
    "col-ball": sb.claim("p.col", given=[sb.norm(A, "col") <= eps / 3], then=sb.norm(A) <= eps),
    "l1-ball": sb.claim("p.l1", given=[sb.norm(x, "l1") <= t], then=sb.norm(x, "l1") <= t),
    "spread": sb.claim(
        "p.spread", given=[sb.row_spread(L) <= theta], then=sb.norm(sb.softmax(L)) <= 1,
        ranges={"theta": (0, 4)},
    ),
    "stochastic": sb.claim("p.stoch", then=sb.norm(P, "row") <= 1),
    "diagonal": sb.claim("p.diag", then=sb.norm(Dg) <= sb.norm(Dg, "row")),
    "stack": sb.claim(
        "p.stack", given=[sb.norm(V, "row") <= eta], then=sb.norm(V, "max") <= eta,
        ranges={"eta": (0, 1)},
    ),
}  # fmt: skip


def plain_row_sums(m):
    return [sum(abs(v) for v in row) for row in m]


def check_instance(name, inst):
    """Each built-in hypothesis, decided with plain Fractions."""
    n = inst.get("n")
    if name == "max-ball-around":
        assert inst["eps"] > 0
        pairs = zip(inst["A"].ravel(), inst["B"].ravel(), strict=True)
        assert max(abs(a - b) for a, b in pairs) <= inst["eps"]
    elif name == "row-ball":
        assert max(plain_row_sums(inst["A"].tolist())) <= 2 * inst["eps"]
    elif name == "col-ball":
        assert max(plain_row_sums(inst["A"].T.tolist())) <= inst["eps"] / 3
    elif name == "l1-ball":
        assert sum(abs(v) for v in inst["x"].tolist()) <= inst["t"]
    elif name == "spread":
        assert 0 < inst["theta"] < 4
        assert all(max(r) - min(r) <= inst["theta"] for r in inst["Lg"].tolist())
    elif name == "stochastic":
        rows = inst["P"].tolist()
        assert all(v >= 0 for r in rows for v in r) and all(sum(r) == 1 for r in rows)
        assert len(rows) == n
    elif name == "diagonal":
        m = inst["Dg"].tolist()
        assert all(m[i][j] == 0 for i in range(n) for j in range(n) if i != j)
    elif name == "stack":
        assert 0 < inst["eta"] < 1
        V_ = inst["V"]
        for index in np.ndindex(*V_.shape[:-2]):
            assert max(plain_row_sums(V_[index].tolist())) <= inst["eta"]


rationals = st.fractions(min_value=-50, max_value=50, max_denominator=1000)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(CLAIMS)), st.data())
def test_derived_spaces_satisfy_their_hypotheses_exactly(name, data):
    lemma = CLAIMS[name]
    sizes = {
        p.name: data.draw(st.integers(int(p.search[0]), int(p.search[1])))
        for p in lemma.size_parameters
    }
    dim = lemma.space.dimension(sizes)
    z = np.empty(dim, dtype=object)
    z[:] = data.draw(
        st.lists(st.one_of(rationals, st.just(Fraction(0))), min_size=dim, max_size=dim)
    )
    inst = dict(sizes)
    inst.update(lemma.space.build(z, sizes, E))
    for v in inst.values():
        assert not isinstance(v, np.ndarray) or all(
            isinstance(e, Fraction | int) for e in v.ravel()
        )
    check_instance(name, inst)


def test_a_filtered_hypothesis_is_reported_not_built_in():
    lemma = sb.claim(
        "p.fro", given=[sb.norm(A - B, "fro") <= eps], then=sb.norm(A - B, "max") <= eps
    )
    assert [h.guaranteed for h in lemma.hypotheses] == [False]
    assert "B = z" in lemma.space.description


def test_a_second_bound_on_one_variable_is_filtered():
    lemma = sb.claim(
        "p.two", given=[sb.norm(A, "max") <= eps, sb.norm(A, "row") <= eps],
        then=sb.norm(A, "row") <= eps,
    )  # fmt: skip
    assert [h.guaranteed for h in lemma.hypotheses] == [True, False]

"""The claim language: terms, their text and LaTeX, evaluation on every backend, claims."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import symbound.claims as sb
from symbound import check
from symbound.check.result import Verdict
from symbound.claims.files import claim_from_text, load_claims
from symbound.errors import UsageError
from symbound.numeric import ArbBackend, ExactBackend, Float64Backend, MpmathBackend

t, eps = sp.symbols("t eps", positive=True)
A, B, D = sb.matrix("A", "n", "d"), sb.matrix("B", "n", "d"), sb.matrix("D", "n", "n")
S = sb.matrix("S", "n", "n")


def test_statements_print_from_the_terms():
    lemma = sb.claim(
        "u.res", given=[sb.norm(A - B) <= eps], then=sb.norm(sb.res(A) - sb.res(B)) <= 2 * eps
    )
    assert lemma.statement_text == "If ‖A − B‖_max ≤ ε, then ‖Res(A) − Res(B)‖_max ≤ 2*ε."
    assert lemma.statement_latex == (
        r"\|A - B\|_{\max} \le \varepsilon \;\Longrightarrow\; "
        r"\|\mathrm{Res}\left(A\right) - \mathrm{Res}\left(B\right)\|_{\max} \le 2 \varepsilon"
    )  # fmt: skip


def test_brackets_where_a_sum_is_subtracted():
    assert (A - (A + B)).text == "A − (A + B)"
    assert (A - (A + B)).latex == r"A - \left(A + B\right)"


@pytest.mark.parametrize(
    "bad",
    [lambda: A + D, lambda: A @ A, lambda: A * B, lambda: sb.norm(A, "spectral"), lambda: A <= 1],
    ids=["shapes", "inner", "elementwise", "norm", "matrix-relation"],
)
def test_ill_formed_terms_are_refused_in_one_line(bad):
    with pytest.raises(UsageError):
        bad()


def test_one_term_evaluates_alike_on_every_backend():
    term = sb.norm(sb.softmax(S + S.T) - sb.softmax(S), "row") + sb.tanh(sb.norm(sb.res(S), "col"))
    values = [[Fraction(1, 2), Fraction(-3, 4)], [Fraction(2), Fraction(1, 3)]]
    results = []
    for backend in (Float64Backend(), MpmathBackend(dps=40), ArbBackend(prec=140)):
        inst = {"n": 2, "S": backend.asarray(values)}
        results.append(float(backend.to_float(sb.evaluate(term, inst, backend))))
    assert results[0] == pytest.approx(results[1], rel=1e-12)
    assert results[1] == pytest.approx(results[2], rel=1e-30)


def test_exact_evaluation_stays_rational():
    E = ExactBackend()
    inst = {"n": 3, "d": 1, "A": E.asarray([[2], [0], [-2]]), "B": E.asarray([[1], [1], [-3]])}
    assert sb.evaluate(sb.norm(sb.res(A) - sb.res(B)), inst, E) == Fraction(2)


def test_evaluation_enters_the_precision_scope_itself():
    """A user cannot lose digits by forgetting backend.scope(): the 74-digit loss is gone."""
    arb = ArbBackend(prec=300)
    x = sb.matrix("X", 1, 1)
    inst = {"X": arb.asarray([[Fraction(1, 3)]])}
    ball = sb.evaluate(sb.norm(x - x * sp.Rational(1, 3)), inst, arb)
    assert ball.rad() < 2.0**-290


def test_the_issue_example_in_six_lines_checks_and_a_wrong_constant_is_refuted():
    M, P = sb.matrix("A", "n", "n"), sb.matrix("D", "n", "n")
    claim = sb.claim("mine.softmax-l1", given=[sb.norm(P, "max") <= t],
                     then=sb.norm(sb.softmax(M + P) - sb.softmax(M), "row") <= 2 * sp.tanh(t / 2),
                     ranges={"t": (0, 4)})  # fmt: skip
    assert check(claim, samples=400).verdict is Verdict.SURVIVED
    wrong = sb.claim("mine.softmax-l1.half", given=[sb.norm(P, "max") <= t],
                     then=sb.norm(sb.softmax(M + P) - sb.softmax(M), "row") <= sp.tanh(t / 2),
                     ranges={"t": (0, 4)})  # fmt: skip
    result = check(wrong, samples=400)
    assert result.verdict is Verdict.REFUTED and result.witness.method.startswith("Arb")


def test_a_relation_between_two_terms_is_checked_as_their_ratio():
    P = sb.matrix("P", "n", "n", domain=sb.row_stochastic())
    X, W = sb.matrix("X", "n", "d"), sb.matrix("W", "d", "d")
    true = sb.claim(
        "u.pxw", then=sb.norm(P @ X @ W, "row") <= sb.norm(X, "row") * sb.norm(W, "row")
    )
    assert true.conclusion.text == "‖P X W‖_∞ ≤ ‖X‖_∞·‖W‖_∞"
    assert check(true, samples=300).verdict is Verdict.SURVIVED
    false = sb.claim(
        "u.pxw-max", then=sb.norm(P @ X @ W, "row") <= sb.norm(X, "max") * sb.norm(W, "row")
    )
    assert check(false, samples=300).verdict is Verdict.REFUTED


def test_a_space_that_breaks_its_hypotheses_is_refused_with_the_hypothesis_named():
    lemma = sb.claim("u.broken", given=[sb.norm(A, "max") <= eps], then=sb.norm(A) <= eps)
    space = lemma.space

    def too_wide(z, sizes, backend):
        inst = space.build(z, sizes, backend)
        inst["A"] = inst["A"] * 3
        return inst

    broken = lemma.variant(space=type(space)(space.dimension, too_wide, "A = 3 eps clip(z)"))
    with pytest.raises(UsageError, match=r"breaks its hypothesis ‖A‖_max ≤ ε"):
        check(broken, samples=100)


def test_rarely_met_hypotheses_are_inconclusive_not_survived():
    lemma = sb.claim(
        "u.rare", given=[sb.norm(A, "fro") <= sp.Rational(1, 10**6)],
        then=sb.norm(sb.res(A)) <= sp.Rational(2, 10**6),
    )  # fmt: skip
    result = check(lemma, samples=300)
    assert result.verdict is Verdict.INCONCLUSIVE
    assert any("no sampled instance met" in n for n in result.notes)


def test_text_and_python_give_byte_identical_results():
    py = sb.claim("u.tv", given=[sb.norm(D, "max") <= t],
                  then=sb.norm(sb.softmax(S + D) - sb.softmax(S), "row") <= 2 * sp.tanh(t / 2),
                  ranges={"t": (0, 4)})  # fmt: skip
    text = claim_from_text(
        "u.tv", then="norm(softmax(S + D) - softmax(S), 'row') <= 2*tanh(t/2)",
        given=["norm(D, 'max') <= t"], matrices={"S": "n,n", "D": "n,n"}, parameters={"t": "0..4"},
    )  # fmt: skip
    a, b = (json.dumps(check(x, samples=200).to_dict(), sort_keys=True) for x in (py, text))
    assert a == b


def test_a_claims_file_with_citations(tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text(
        """
        [source]
        name = "Me 2026"

        [[claims]]
        key = "me26.l1"
        citation = "Lemma 1"
        provenance = "verbatim"
        matrices = { A = "n,d", B = "n,d" }
        parameters = { eps = "0.." }
        given = ["norm(A - B, 'max') <= eps"]
        then = "norm(res(A) - res(B), 'max') <= eps"
        """
    )
    (lemma,) = load_claims(path)
    assert str(lemma.citation) == "Me 2026, Lemma 1" and lemma.provenance.value == "verbatim"
    result = check(lemma, samples=300)
    assert result.verdict is Verdict.REFUTED  # Lemma 4.1 as the reviewer quotes it


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ('[[claims]]\nkey = "a.b"\nthen = 3', "'then' is the conclusion"),
        ('[[claims]]\nthen = "1 <= 2"', "needs a key"),
        ('[[claims]]\nkey = "a.b"\nthen = "norm(X) <= 1"', "unknown name 'X'"),
        ('[[claims]]\nkey = "a.b"\nthen = "1 <= 2"\nprovenance = "rumour"', "unknown provenance"),
        ('[[claims]]\nkey = "a.b"\nthen = "1 <= 2"\nsurprise = 1', "unknown field"),
        (
            '[[claims]]\nkey = "a.b"\nthen = "1 <= 2"\n[[claims]]\nkey = "a.b"\nthen = "1 <= 2"',
            "twice",
        ),
        ("key = ", "not valid TOML"),
    ],
)
def test_claims_file_errors_name_the_claim_and_field(tmp_path, body, match):
    path = tmp_path / "c.toml"
    path.write_text(body)
    with pytest.raises(UsageError, match=match):
        load_claims(path)


def test_stacks_of_matrices_take_the_largest_norm():
    V = sb.tensor("V", 2, 1, 2, 2)
    E = ExactBackend()
    values = np.zeros((2, 1, 2, 2), dtype=object)
    values[:] = Fraction(0)
    values[1, 0, 0, 1] = Fraction(-5, 2)
    assert sb.evaluate(sb.norm(V, "max"), {"V": E.asarray(values)}, E) == Fraction(5, 2)


def test_rational_hypotheses_on_their_bound_are_decided_exactly_beside_transcendental_ones():
    """Balls cannot decide ‖A‖_max ≤ t when A sits on the bound at t = 4/3; exact
    arithmetic can, while tanh(‖A‖) ≤ 1 (and the conclusion) go to Arb alone."""
    from symbound.check.exact import rigorous
    from symbound.numeric.backends import MpmathBackend

    A1 = sb.matrix("A", 1, 2)
    lemma = sb.claim(
        "u.boundary", given=[sb.norm(A1, "max") <= t, sb.tanh(sb.norm(A1, "max")) <= 1],
        then=sb.tanh(sb.norm(A1, "max")) <= t / 2, ranges={"t": (0, 4)},
    )  # fmt: skip
    zq = [Fraction(-1, 2), Fraction(5), Fraction(-7)]  # t = 4 open_unit(-1/2) = 4/3; A = ±t
    got = rigorous(lemma, zq, {}, MpmathBackend(dps=50))
    assert got is not None, "the boundary instance was refused"
    inst = got.instance
    assert inst["t"] == Fraction(4, 3) and list(inst["A"].ravel()) == [
        Fraction(4, 3),
        Fraction(-4, 3),
    ]


def test_the_sup_of_a_claim_with_a_filtered_hypothesis_meets_it():
    """Shrinking the extremal instance must not leave the hypotheses the space filters."""
    lemma = sb.claim(
        "u.fro",
        given=[sb.norm(A - B, "fro") <= eps],
        then=sb.norm(sb.res(A) - sb.res(B)) <= 2 * eps,
    )
    result = check(lemma, samples=500)
    assert result.verdict is Verdict.SURVIVED and result.sup is not None
    inst = result.sup.instance
    diff = [a - b for a, b in zip(inst["A"].ravel(), inst["B"].ravel(), strict=True)]
    assert sum(v * v for v in diff) <= inst["eps"] ** 2


def test_a_size_that_only_enters_a_bound_is_declared_by_its_range():
    from symbound.notation import H, g

    relative = sb.norm((sb.softmax(S + D) - sb.softmax(S)) / sb.softmax(S), "max")
    lemma = sb.claim(
        "u.eps0", given=[sb.norm(D, "max") <= 2 * H * eps], then=relative <= 3 * g(2 * H * eps),
        sizes={"H": (1, 3)}, ranges={"eps": (0, 1)},
    )  # fmt: skip
    assert [p.name for p in lemma.size_parameters] == ["n", "H"]
    assert check(lemma, samples=300).verdict is Verdict.REFUTED  # eps0 as a relative bound


def test_the_search_region_says_open_or_closed_as_the_range_is():
    """A closed range is reported closed (its ends are produced); an open one open; a
    hand-written space's real parameter stays open (nothing says it reaches its ends)."""
    from symbound.claims.domains import Interval
    from symbound.lemmas.catalogue import load_catalogue

    M, P = sb.matrix("A", "n", "n"), sb.matrix("D", "n", "n")

    def region(interval):
        c = sb.claim("mine.region", given=[sb.norm(P, "max") <= t],
                     then=sb.norm(sb.softmax(M + P) - sb.softmax(M), "row") <= 2 * t,
                     ranges={"t": interval})  # fmt: skip
        return ", ".join(r.text for r in c.search_region)

    assert region((0, 4)).endswith("0 < t < 4")
    assert region(Interval.closed(1, 4)).endswith("1 ≤ t ≤ 4")
    assert region(Interval(Fraction(0), Fraction(4), True, False)).endswith("0 < t ≤ 4")
    # the domain (0, 1/10] of a hand-written space does not make its search closed
    hand = load_catalogue()["as25.lemma-c.1.small-weights"]
    assert "0 < η < 1/10" in ", ".join(r.text for r in hand.search_region)

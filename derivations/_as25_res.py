r"""Alman & Song 2025, Lemma 4.1 and the softmax lemmas behind the argument.

Lemma 4.1 *as stated* is known only through ICLR 2026 Reviewer 2's quotation; it is
false.  Its corrections (constant 2 with the midpoint Res; the residual norm is
1-Lipschitz; constant :math:`2(1 - 1/n)` with the mean Res) and the exp and softmax
lemmas S1--S4 are the replacement mathematics of the reference notes (§7), proved
there: not the paper's text.  The paper's Lemma 4.2 is probably of this kind, but
its statement is not recoverable.

>>> from symbound.numeric import ExactBackend
>>> E = ExactBackend()
>>> inst = {"n": 3, "d": 1, "eps": E.number(1),
...         "A": E.asarray([[2], [0], [-2]]), "B": E.asarray([[1], [1], [-3]])}
>>> LEMMA_4_1.conclusion.lhs.evaluate(inst, E)   # reviewer 2: 2 > eps = 1
Fraction(2, 1)
"""

from __future__ import annotations

import sympy as sp

import symbound.claims as sb
from symbound.lemmas.model import Choice, Citation, Form, Lemma, Provenance
from symbound.notation import a, eps, g, n, t, theta

from ._as25_common import A_MAX, NOTES, PAPER, T_MAX, THETA_MAX

# -- the statements, in the claim language -------------------------------------------
# The instance spaces are derived from the hypotheses (symbound.claims.domains): a pair
# within eps in the max norm, logits moved by at most t, logits whose rows spread by at
# most theta, a scalar perturbation |x| <= t.

A, B = sb.matrix("A", "n", "d"), sb.matrix("B", "n", "d")
LOGITS = sb.matrix("A", "n", "n", meaning="attention logits")
DELTA_VAR = sb.matrix("Delta", "n", "n", meaning="a logit perturbation")
X_SCALAR = sb.scalar("x", meaning="a perturbation of a")
_CLOSE = sb.norm(A - B, "max") <= eps
_MOVED = sb.norm(DELTA_VAR, "max") <= t
_RANGES = {"t": (0, T_MAX)}
_MEANINGS = {
    "n": "tokens (rows)",
    "d": "columns",
    "eps": "entrywise perturbation size",
    "t": "entrywise logit perturbation",
    "theta": "logit spread within a row",
    "a": "a logit",
}

#: ‖Δ‖_max, for the lemmas elsewhere that bound the logits' move differently
DELTA = sb.quantity(sb.norm(DELTA_VAR, "max"))


def _correction(of: Lemma, **fields) -> Lemma:
    """A correction proved in the notes, stated afresh in the claim language."""
    return sb.claim(
        provenance=Provenance.PROVED_HERE, form=Form.CORRECTED, corrects=of.key, **fields
    )


LEMMA_4_1 = sb.claim(
    "as25.lemma4.1",
    given=[_CLOSE],
    then=sb.norm(sb.res(A) - sb.res(B), "max") <= eps,
    title="Res perturbation (Lemma 4.1)",
    citation=Citation(PAPER, "Lemma 4.1, as quoted by Reviewer 2 (ICLR 2026 review)", primary=True),
    provenance=Provenance.REVIEWER,
    form=Form.AS_STATED,
    meanings=_MEANINGS,
    norm="entrywise max norm; Res subtracts the column midpoint (the reviewers' reading)",
    reading=(
        Choice("‖.‖∞", "the largest entry (the reviewers' arithmetic uses it)"),
        Choice(
            "Res",
            "subtracts the column midpoint (the only centring giving both reviewers' numbers)",
        ),
    ),
    notes=(
        "False. Reviewer 2: A = (2, 0, -2)^T, B = (1, 1, -3)^T gives 2 > 1; "
        "Reviewer 4: A = (-2, 4, -2), B = (-2, 2, 2) gives 5 > 4. The paper uses it at "
        "line 442 (proof of Lemma 5.2) in the form ||Res(B - R_A) - Res(B)|| <= ||R_A||."
    ),
)

LEMMA_4_1_CORRECTED = _correction(
    LEMMA_4_1,
    key="as25.lemma4.1.corrected",
    given=[_CLOSE],
    then=sb.norm(sb.res(A) - sb.res(B), "max") <= 2 * eps,
    title="Res perturbation, constant 2",
    citation=Citation(NOTES, "§7 L2, correcting Lemma 4.1 of " + PAPER),
    meanings=_MEANINGS,
    norm="entrywise max norm; Res subtracts the column midpoint",
    reading=(Choice("‖.‖∞", "the largest entry"), Choice("Res", "subtracts the column midpoint")),
    tightness="attained: A = (2, 0, ..., 0, -2)^T, B = (1, 1, ..., 1, -3)^T for every n >= 3",
    notes="max_i and min_i are 1-Lipschitz, so the midpoint moves by at most eps.",
)

RES_NORM_LIPSCHITZ = _correction(
    LEMMA_4_1,
    key="as25.res-norm-lipschitz",
    given=[_CLOSE],
    then=sb.abs_(sb.norm(sb.res(A), "max") - sb.norm(sb.res(B), "max")) <= eps,
    title="The residual norm is 1-Lipschitz",
    citation=Citation(NOTES, "§7 L3, the statement with constant 1 behind Lemma 4.1 of " + PAPER),
    meanings=_MEANINGS,
    norm="entrywise max norm; Res subtracts the column midpoint",
    reading=(Choice("‖.‖∞", "the largest entry"), Choice("Res", "subtracts the column midpoint")),
    tightness="attained (e.g. B = A + eps on the largest entry of a column)",
    notes="‖Res(X)‖_max is the distance from X to the constant-row matrices.",
)

MEAN_RES = _correction(
    LEMMA_4_1,
    key="as25.mean-res",
    given=[_CLOSE],
    then=sb.norm(sb.res(A, "mean") - sb.res(B, "mean"), "max")
    <= sp.Mul(2, 1 - 1 / n, eps, evaluate=False),
    title="Res perturbation with the column mean",
    citation=Citation(NOTES, "§7 L4, Lemma 4.1 of " + PAPER + " under the mean-Res reading"),
    meanings=_MEANINGS,
    norm="entrywise max norm; Res subtracts the column mean, (I - J/n) X",
    reading=(
        Choice("‖.‖∞", "the largest entry"),
        Choice("Res", "subtracts the column mean (the linear projection; not the reviewers')"),
    ),
    tightness="attained: A - B = (1, -1, ..., -1)^T",
    notes="Res_mean is linear, so the claim is ‖(I - J/n) C‖_max <= 2(1 - 1/n) ‖C‖_max.",
)

EXP_PERTURBATION = sb.claim(
    "as25.exp-perturbation",
    given=[sb.abs_(X_SCALAR) <= t],
    then=sb.abs_(sb.exp(a + X_SCALAR) - sb.exp(a)) <= g(t) * sp.exp(a),
    ranges={"a": (-A_MAX, A_MAX), **_RANGES},
    title="Exp perturbation",
    citation=Citation(
        NOTES,
        "§7 S1; the exp perturbation bound behind g (likely Lemma 4.2 of "
        + PAPER
        + ", whose statement is not recoverable)",
    ),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    meanings=_MEANINGS,
    norm="scalars",
    tightness="attained with equality at x = t",
)

_SOFTMAX_MOVE = sb.softmax(LOGITS + DELTA_VAR) - sb.softmax(LOGITS)

SOFTMAX_RELATIVE = sb.claim(
    "as25.softmax-relative",
    given=[_MOVED],
    then=sb.norm(_SOFTMAX_MOVE / sb.softmax(LOGITS), "max") <= g(2 * t),
    ranges=_RANGES,
    title="Softmax relative perturbation",
    citation=Citation(NOTES, "§7 S2 (the softmax form of g)"),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    meanings=_MEANINGS,
    norm="entrywise max norm on logits; relative error per entry",
    tightness=(
        "asymptotic: approached as softm(A)_ij -> 0 with Delta_ij = +t and -t elsewhere in "
        "the row (e.g. logits (-40, 0): a gap near 1e-18, below float64's resolution)"
    ),
)

SOFTMAX_L1 = sb.claim(
    "as25.softmax-l1",
    given=[_MOVED],
    then=sb.norm(_SOFTMAX_MOVE, "row") <= 2 * sp.tanh(t / 2),
    ranges=_RANGES,
    title="Softmax total-variation perturbation",
    citation=Citation(NOTES, "§7 S3"),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    meanings=_MEANINGS,
    norm="entrywise max norm on logits; row-sum norm (max row l1) on probabilities",
    tightness="attained: +t on a set of probability mass 1/(1 + e^t), -t elsewhere",
)

#: the row spread of the logits bounded by theta (theta-balanced, read as notes §4.4 do)
BALANCED = sb.row_spread(LOGITS) <= theta
UNIFORM = sb.ones("n", "n") / n

BALANCED_NEAR_UNIFORM = sb.claim(
    "as25.balanced-near-uniform",
    given=[BALANCED],
    then=sb.norm(sb.softmax(LOGITS) - UNIFORM, "row") <= 2 * sp.tanh(theta / 4),
    ranges={"theta": (0, THETA_MAX)},
    title="Balanced logits give near-uniform attention",
    citation=Citation(
        NOTES,
        "§7 S4; the natural form of Lemma 5.1 of "
        + PAPER
        + " (theta-balanced read as row spread <= theta; reconstructed)",
    ),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    meanings=_MEANINGS,
    norm="row-sum norm (max row l1) on probabilities",
    tightness="approached: attained at n = 3, theta = 2 ln 2 (one logit at +theta/2)",
)

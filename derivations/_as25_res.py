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

import numpy as np
import sympy as sp

from symbound.lemmas.model import (
    Choice,
    Citation,
    Form,
    Inequality,
    Lemma,
    Provenance,
    Quantity,
    Variable,
)
from symbound.lemmas.space import InstanceSpace, Reader, open_unit, positive, unit_box
from symbound.notation import a, eps, g, n, t, theta
from symbound.numeric import max_norm, res, res_norm, row_sum_norm, softmax

from ._as25_common import (
    _A,
    _B,
    A_MAX,
    NOTES,
    PAPER,
    T_MAX,
    THETA_MAX,
    _a,
    _d,
    _eps,
    _n,
    _n2,
    _t,
    _theta,
    corrected,
)

# -- instance spaces ----------------------------------------------------------------


def _pair_within_eps(z, sizes, backend):
    """eps > 0, A free, B = A + eps * box: every z gives ||A - B||_max <= eps."""
    r = Reader(z)
    eps_ = positive(r.scalar())
    A = r.array(sizes["n"], sizes["d"])
    B = A + np.asarray(eps_)[..., None, None] * unit_box(r.array(sizes["n"], sizes["d"]))
    return {"eps": eps_, "A": A, "B": B}


PAIR_WITHIN_EPS = InstanceSpace(
    dimension=lambda s: 2 * s["n"] * s["d"] + 1,
    build=_pair_within_eps,
    description="eps = positive(z0); A = z; B = A + eps * clip(z', -1, 1)",
)


def _logits_perturbed(z, sizes, backend):
    """t in (0, T_MAX), logits A free, perturbation Delta with ||Delta||_max <= t."""
    r = Reader(z)
    t_ = T_MAX * open_unit(r.scalar())
    A = r.array(sizes["n"], sizes["n"])
    Delta = np.asarray(t_)[..., None, None] * unit_box(r.array(sizes["n"], sizes["n"]))
    return {"t": t_, "A": A, "Delta": Delta}


LOGITS_PERTURBED = InstanceSpace(
    dimension=lambda s: 2 * s["n"] ** 2 + 1,
    build=_logits_perturbed,
    description="t = T_MAX * open_unit(z0); A = z (n x n logits); Delta = t * clip(z', -1, 1)",
)


def _balanced_logits(z, sizes, backend):
    """theta in (0, THETA_MAX); row i of A is c_i + (theta/2) * box, so its spread <= theta."""
    r = Reader(z)
    theta_ = THETA_MAX * open_unit(r.scalar())
    c = r.array(sizes["n"], 1)
    half = np.asarray(theta_)[..., None, None] / 2
    A = c + half * unit_box(r.array(sizes["n"], sizes["n"]))
    return {"theta": theta_, "A": A}


BALANCED_LOGITS = InstanceSpace(
    dimension=lambda s: s["n"] ** 2 + s["n"] + 1,
    build=_balanced_logits,
    description="theta = THETA_MAX * open_unit(z0); A_ij = c_i + (theta/2) * clip(z_ij, -1, 1)",
)


def _scalar_perturbed(z, sizes, backend):
    """a in (-A_MAX, A_MAX), t in (0, T_MAX), x = t * box (so |x| <= t)."""
    r = Reader(z)
    a_ = A_MAX * (2 * open_unit(r.scalar()) - 1)
    t_ = T_MAX * open_unit(r.scalar())
    x = t_ * unit_box(r.scalar())
    return {"a": a_, "t": t_, "x": x}


SCALAR_PERTURBED = InstanceSpace(
    dimension=lambda s: 3,
    build=_scalar_perturbed,
    description=(
        "a = A_MAX * (2 open_unit(z0) - 1); t = T_MAX * open_unit(z1); x = t * clip(z2, -1, 1)"
    ),
)

# -- quantities ---------------------------------------------------------------------


def _diff_max(inst, B):
    with B.scope():
        diff = inst["A"] - inst["B"]
    return max_norm(diff, backend=B)


def _res_diff(inst, B, center="midpoint"):
    ra = res(inst["A"], center=center, backend=B)
    rb = res(inst["B"], center=center, backend=B)
    with B.scope():
        diff = ra - rb
    return max_norm(diff, backend=B)


def _res_norm_gap(inst, B):
    na = res_norm(inst["A"], backend=B)
    nb = res_norm(inst["B"], backend=B)
    with B.scope():
        return B.abs(na - nb)


def _delta_max(inst, B):
    return max_norm(inst["Delta"], backend=B)


def _softmax_pair(inst, B):
    A = B.asarray(inst["A"])
    with B.scope():
        moved = A + B.asarray(inst["Delta"])
    return softmax(A, backend=B), softmax(moved, backend=B)


def _softmax_relative(inst, B):
    p, q = _softmax_pair(inst, B)
    with B.scope():
        rel = B.abs(q - p) / p
    return B.max(rel, axis=(-2, -1))


def _softmax_l1(inst, B):
    p, q = _softmax_pair(inst, B)
    with B.scope():
        diff = q - p
    return row_sum_norm(diff, backend=B)


def _row_spread(inst, B):
    A = B.asarray(inst["A"])
    hi, lo = B.max(A, axis=-1), B.min(A, axis=-1)
    with B.scope():
        spread = hi - lo
    return B.max(spread, axis=-1)


def _distance_to_uniform(inst, B):
    p = softmax(inst["A"], backend=B)
    with B.scope():
        diff = p - B.number(1) / p.shape[-1]
    return row_sum_norm(diff, backend=B)


def _abs_x(inst, B):
    return B.abs(B.asarray(inst["x"]))


def _exp_change(inst, B):
    a_, x = B.asarray(inst["a"]), B.asarray(inst["x"])
    with B.scope():
        return B.abs(B.exp(a_ + x) - B.exp(a_))


DIFF = Quantity("‖A − B‖_max", r"\|A - B\|_{\max}", _diff_max)
RES_DIFF = Quantity(
    "‖Res(A) − Res(B)‖_max", r"\|\mathrm{Res}(A) - \mathrm{Res}(B)\|_{\max}", _res_diff
)
DELTA = Quantity("‖Δ‖_max", r"\|\Delta\|_{\max}", _delta_max)

# -- the lemmas ---------------------------------------------------------------------

LEMMA_4_1 = Lemma(
    key="as25.lemma4.1",
    title="Res perturbation (Lemma 4.1)",
    citation=Citation(PAPER, "Lemma 4.1, as quoted by Reviewer 2 (ICLR 2026 review)", primary=True),
    provenance=Provenance.REVIEWER,
    form=Form.AS_STATED,
    parameters=(_n, _d, _eps),
    variables=(_A, _B),
    hypotheses=(Inequality(DIFF, eps),),
    conclusion=Inequality(RES_DIFF, eps),
    norm="entrywise max norm; Res subtracts the column midpoint (the reviewers' reading)",
    space=PAIR_WITHIN_EPS,
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

# The corrections share the statement's setting (parameters, hypothesis, instances);
# each replaces the provenance, the conclusion and everything said about it.
LEMMA_4_1_CORRECTED = corrected(
    LEMMA_4_1,
    key="as25.lemma4.1.corrected",
    title="Res perturbation, constant 2",
    citation=Citation(NOTES, "§7 L2, correcting Lemma 4.1 of " + PAPER),
    conclusion=Inequality(RES_DIFF, 2 * eps),
    norm="entrywise max norm; Res subtracts the column midpoint",
    reading=(Choice("‖.‖∞", "the largest entry"), Choice("Res", "subtracts the column midpoint")),
    tightness="attained: A = (2, 0, ..., 0, -2)^T, B = (1, 1, ..., 1, -3)^T for every n >= 3",
    notes="max_i and min_i are 1-Lipschitz, so the midpoint moves by at most eps.",
)

RES_NORM_LIPSCHITZ = LEMMA_4_1_CORRECTED.variant(
    key="as25.res-norm-lipschitz",
    title="The residual norm is 1-Lipschitz",
    citation=Citation(NOTES, "§7 L3, the statement with constant 1 behind Lemma 4.1 of " + PAPER),
    conclusion=Inequality(
        Quantity(
            "|‖Res(A)‖_max − ‖Res(B)‖_max|",
            r"\bigl|\|\mathrm{Res}(A)\|_{\max} - \|\mathrm{Res}(B)\|_{\max}\bigr|",
            _res_norm_gap,
        ),
        eps,
    ),
    tightness="attained (e.g. B = A + eps on the largest entry of a column)",
    notes="‖Res(X)‖_max is the distance from X to the constant-row matrices.",
)

MEAN_RES = LEMMA_4_1_CORRECTED.variant(
    key="as25.mean-res",
    title="Res perturbation with the column mean",
    citation=Citation(NOTES, "§7 L4, Lemma 4.1 of " + PAPER + " under the mean-Res reading"),
    parameters=(_n2, _d, _eps),
    conclusion=Inequality(
        Quantity(
            "‖Res_mean(A) − Res_mean(B)‖_max",
            r"\|\mathrm{Res}_{\mathrm{mean}}(A) - \mathrm{Res}_{\mathrm{mean}}(B)\|_{\max}",
            lambda inst, B: _res_diff(inst, B, center="mean"),
        ),
        sp.Mul(2, 1 - 1 / n, eps, evaluate=False),
    ),
    norm="entrywise max norm; Res subtracts the column mean, (I - J/n) X",
    reading=(
        Choice("‖.‖∞", "the largest entry"),
        Choice("Res", "subtracts the column mean (the linear projection; not the reviewers')"),
    ),
    tightness="attained: A - B = (1, -1, ..., -1)^T",
    notes="Res_mean is linear, so the claim is ‖(I - J/n) C‖_max <= 2(1 - 1/n) ‖C‖_max.",
)

EXP_PERTURBATION = Lemma(
    key="as25.exp-perturbation",
    title="Exp perturbation",
    citation=Citation(
        NOTES,
        "§7 S1; the exp perturbation bound behind g (likely Lemma 4.2 of "
        + PAPER
        + ", whose statement is not recoverable)",
    ),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    parameters=(_a, _t),
    variables=(Variable("x", (), "a perturbation of a", "x"),),
    hypotheses=(Inequality(Quantity("|x|", "|x|", _abs_x), t),),
    conclusion=Inequality(
        Quantity("|e^(a+x) − e^a|", r"\left|e^{a+x} - e^{a}\right|", _exp_change), g(t) * sp.exp(a)
    ),
    norm="scalars",
    space=SCALAR_PERTURBED,
    tightness="attained with equality at x = t",
)

SOFTMAX_RELATIVE = Lemma(
    key="as25.softmax-relative",
    title="Softmax relative perturbation",
    citation=Citation(NOTES, "§7 S2 (the softmax form of g)"),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    parameters=(_n, _t),
    variables=(
        Variable("A", ("n", "n"), "attention logits", "A"),
        Variable("Delta", ("n", "n"), "a logit perturbation", r"\Delta"),
    ),
    hypotheses=(Inequality(DELTA, t),),
    conclusion=Inequality(
        Quantity(
            "max_ij |softm(A+Δ)_ij − softm(A)_ij| / softm(A)_ij",
            r"\max_{ij} \frac{|\mathrm{softm}(A+\Delta)_{ij} - \mathrm{softm}(A)_{ij}|}"
            r"{\mathrm{softm}(A)_{ij}}",
            _softmax_relative,
        ),
        g(2 * t),
    ),
    norm="entrywise max norm on logits; relative error per entry",
    space=LOGITS_PERTURBED,
    tightness=(
        "asymptotic: approached as softm(A)_ij -> 0 with Delta_ij = +t and -t elsewhere in "
        "the row (e.g. logits (-40, 0): a gap near 1e-18, below float64's resolution)"
    ),
)

SOFTMAX_L1 = SOFTMAX_RELATIVE.variant(
    key="as25.softmax-l1",
    title="Softmax total-variation perturbation",
    citation=Citation(NOTES, "§7 S3"),
    conclusion=Inequality(
        Quantity(
            "‖softm(A+Δ) − softm(A)‖_∞",
            r"\|\mathrm{softm}(A+\Delta) - \mathrm{softm}(A)\|_{\infty}",
            _softmax_l1,
        ),
        2 * sp.tanh(t / 2),
    ),
    norm="entrywise max norm on logits; row-sum norm (max row l1) on probabilities",
    tightness="attained: +t on a set of probability mass 1/(1 + e^t), -t elsewhere",
)

BALANCED_NEAR_UNIFORM = Lemma(
    key="as25.balanced-near-uniform",
    title="Balanced logits give near-uniform attention",
    citation=Citation(
        NOTES,
        "§7 S4; the natural form of Lemma 5.1 of "
        + PAPER
        + " (theta-balanced read as row spread <= theta; reconstructed)",
    ),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    parameters=(_n, _theta),
    variables=(Variable("A", ("n", "n"), "attention logits, each row spread <= theta", "A"),),
    hypotheses=(
        Inequality(
            Quantity(
                "max_i (max_j A_ij − min_j A_ij)",
                r"\max_i \bigl(\max_j A_{ij} - \min_j A_{ij}\bigr)",
                _row_spread,
            ),
            theta,
        ),
    ),
    conclusion=Inequality(
        Quantity(
            "‖softm(A) − J/n‖_∞", r"\|\mathrm{softm}(A) - J/n\|_{\infty}", _distance_to_uniform
        ),
        2 * sp.tanh(theta / 4),
    ),
    norm="row-sum norm (max row l1) on probabilities",
    space=BALANCED_LOGITS,
    tightness="approached: attained at n = 3, theta = 2 ln 2 (one logit at +theta/2)",
)

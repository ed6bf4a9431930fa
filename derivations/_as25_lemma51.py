r"""Alman & Song 2025, Lemma 5.1: theta-balanced logits give near-uniform attention,
in every reading the sources allow.

The paper's text of Lemma 5.1 is not available.  What is known (reference notes
§3.2, §4.4): it is probably "θ-balanced ⇒ softmax ≈ uniform"; its proof replaces
:math:`e^D - 1` by :math:`e^\theta - 1` inside a norm (Reviewer 4's objection,
lines 404--406); seed 003 gives it the form
:math:`\|\mathrm{Res}(\mathrm{SAtt}(X))\| \le K \|\mathrm{Res}(X)\|`.  So every
entry here is a *reading* that names its choices -- what θ-balanced means, which norm,
which constant :math:`K` -- or a correction proved in the notes.  Refuting a reading
refutes that reading, not the paper.

>>> LEMMA_5_1_BOUNDED_ENTRIES.reading[0].chosen
'every logit |A_ij| ≤ θ (the alternative of the notes, §4.4)'
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import symbound.claims as sb
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
from symbound.lemmas.space import InstanceSpace, Reader
from symbound.notation import d, eta, g, n, rho, theta
from symbound.numeric import max_norm, res, row_sum_norm

from ._as25_common import (
    NOTES,
    PAPER,
    SUMMARY,
    THETA_MAX,
    _d,
    _eta,
    _n,
    _rho,
    _theta_spread,
    corrected,
    norm_of,
    satt,
)
from ._as25_res import BALANCED, LOGITS, UNIFORM

# == Lemma 5.1: theta-balanced logits, and the step reviewer 4 objects to ==============

#: what Lemma 5.1 concludes in both readings below: the e^theta - 1 of Reviewer 4's remark
_NEAR_UNIFORM = Choice(
    "conclusion",
    "every probability within (e^θ − 1)/n of 1/n (the e^θ − 1 of Reviewer 4's remark)",
)
#: max_ij |softm(A)_ij - 1/n|: how far attention is from uniform, entry by entry
UNIFORM_GAP = sb.norm(sb.softmax(LOGITS) - UNIFORM, "max")
_THETA_RANGE = {"theta": (0, THETA_MAX)}
_MEANINGS = {"n": "tokens (rows)", "theta": "a bound on the logits' imbalance"}

LEMMA_5_1 = sb.claim(
    "as25.lemma5.1",
    given=[BALANCED],
    then=UNIFORM_GAP <= g(theta) / n,
    ranges=_THETA_RANGE,
    title="Lemma 5.1 read with theta-balanced as row spread <= theta",
    citation=Citation(
        PAPER,
        "Lemma 5.1, statement reconstructed (paper-math.md §4.4, §7 S4); the paper's text is "
        "not available",
        primary=True,
    ),
    provenance=Provenance.RECONSTRUCTED,
    form=Form.READING,
    meanings=_MEANINGS,
    norm="entrywise on probabilities",
    reading=(
        Choice("θ-balanced", "every row's spread max_j A_ij − min_j A_ij ≤ θ (notes §4.4)"),
        _NEAR_UNIFORM,
    ),
    tightness="approached only as n grows: the largest ratio at size n is (n-1)/(e^theta+n-1)",
    notes="every entry of softm(A) lies in [e^-theta/n, e^theta/n]",
)

_BOUNDED_ENTRIES = sb.norm(LOGITS, "max") <= theta

LEMMA_5_1_BOUNDED_ENTRIES = sb.claim(
    "as25.lemma5.1.bounded-entries",
    given=[_BOUNDED_ENTRIES],
    then=UNIFORM_GAP <= g(theta) / n,
    ranges=_THETA_RANGE,
    title="Lemma 5.1 read with theta-balanced as |A_ij| <= theta",
    citation=LEMMA_5_1.citation,
    provenance=Provenance.RECONSTRUCTED,
    form=Form.READING,
    meanings=_MEANINGS,
    norm="entrywise on probabilities",
    reading=(
        Choice("θ-balanced", "every logit |A_ij| ≤ θ (the alternative of the notes, §4.4)"),
        _NEAR_UNIFORM,
    ),
    notes="|A_ij| <= theta only makes each row 2 theta-balanced in the first sense: the row "
    "(theta, -theta, ..., -theta) at n = 6, theta = 1 gives 0.4298 > (e - 1)/6 = 0.2864.",
)

LEMMA_5_1_BOUNDED_ENTRIES_CORRECTED = sb.claim(
    "as25.lemma5.1.bounded-entries.corrected",
    given=[_BOUNDED_ENTRIES],
    then=UNIFORM_GAP <= g(2 * theta) / n,
    ranges=_THETA_RANGE,
    title="Lemma 5.1 with |A_ij| <= theta: every probability within (e^(2 theta) - 1)/n of 1/n",
    citation=Citation(NOTES, "§4.4 and §7 S4: |A_ij| <= theta makes every row spread <= 2 theta"),
    provenance=Provenance.PROVED_HERE,
    form=Form.CORRECTED,
    corrects=LEMMA_5_1_BOUNDED_ENTRIES.key,
    meanings=_MEANINGS,
    norm="entrywise on probabilities",
    reading=LEMMA_5_1_BOUNDED_ENTRIES.reading,
    tightness="approached only as n grows: the ratio at the row (theta, -theta, ..., -theta) is "
    "(n-1)/(e^(2 theta)+n-1)",
    notes="every entry of softm(A) lies in [e^(-2 theta)/n, e^(2 theta)/n]",
)

#: a diagonal D with |D_ii| <= theta < 1, the matrix of the step reviewer 4 objects to
D_DIAG = sb.matrix("D", "n", "n", domain=sb.diagonal(), meaning="a diagonal matrix")
_SMALL_DIAGONAL = sb.norm(D_DIAG, "max") <= theta
_STEP_MEANINGS = {"n": "tokens (rows)", "theta": "a bound on |D_ii|"}

LEMMA_5_1_STEP_ENTRYWISE = sb.claim(
    "as25.lemma5.1.step-entrywise-exp",
    given=[_SMALL_DIAGONAL],
    then=sb.norm(sb.entrywise_exp(D_DIAG) - sb.eye("n"), "max") <= g(theta),
    ranges={"theta": (0, 1)},
    title="The e^D step of Lemma 5.1, exp read entrywise",
    citation=Citation(
        PAPER,
        "proof of Lemma 5.1, lines 404-406, replacing (e^D - 1) by (e^theta - 1); objection "
        "of Reviewer 4 (ICLR 2026 review): 'if theta < 0.69 then the infinite norm of the "
        "matrix is 1'",
        primary=True,
    ),
    provenance=Provenance.REVIEWER,
    form=Form.READING,
    meanings=_STEP_MEANINGS,
    norm="entrywise max norm; exp applied entry by entry (off-diagonal e^0 = 1 survive)",
    reading=(
        Choice(
            "e^D", "exp applied entry by entry, off-diagonal e^0 = 1 kept (Reviewer 4's reading)"
        ),
        Choice("‖.‖∞", "the largest entry"),
    ),
    notes="False for theta < ln 2 and n >= 2: the off-diagonal ones give norm max(1, e^theta - 1).",
)

LEMMA_5_1_STEP_MATRIX_EXP = sb.claim(
    "as25.lemma5.1.step-matrix-exp",
    given=[_SMALL_DIAGONAL],
    then=sb.norm(sb.expm(D_DIAG) - sb.eye("n"), "max") <= g(theta),
    ranges={"theta": (0, 1)},
    title="The e^D step of Lemma 5.1 with the matrix exponential",
    citation=Citation(NOTES, "§7 S4 (the diagonal-D step done correctly)"),
    provenance=Provenance.PROVED_HERE,
    form=Form.CORRECTED,
    corrects=LEMMA_5_1_STEP_ENTRYWISE.key,
    meanings=_STEP_MEANINGS,
    norm="entrywise max norm (the row-sum norm too, D being diagonal); e^D = diag(e^{D_ii})",
    reading=(
        Choice("e^D", "the matrix exponential diag(e^(D_ii))"),
        Choice("‖.‖∞", "the largest entry"),
    ),
    tightness="attained at D_ii = theta",
)

# == Lemma 5.1 in the seeds' form, with S6 behind it ======================================


def _res_satt_instances(z, sizes, backend, entrywise=False, center="midpoint"):
    r = Reader(z)
    n_, d_ = sizes["n"], sizes["d"]
    X = r.array(n_, d_)
    M = r.array(d_, d_)
    V = r.array(d_, d_)
    with backend.scope():
        Xb, Mb = backend.asarray(X), backend.asarray(M)
        eye = backend.asarray(np.broadcast_to(np.eye(d_, dtype=np.int64), np.shape(M)))
        from symbound.numeric import Head, attention_logits

        S = attention_logits(Xb, Head(W_Q=Mb, W_K=eye, W_V=eye), backend=backend)
        spread = backend.max(backend.max(S, axis=-1) - backend.min(S, axis=-1), axis=-1)
        norm = max_norm if entrywise else row_sum_norm
        rho_ = norm(res(Xb, center=center, backend=backend), backend=backend)
        eta_ = norm(backend.asarray(V), backend=backend)
    return {"theta": spread, "rho": rho_, "eta": eta_, "X": X, "M": M, "V": V}


RES_SATT_INSTANCES = InstanceSpace(
    dimension=lambda s: s["n"] * s["d"] + 2 * s["d"] ** 2,
    build=_res_satt_instances,
    description="X, M, V free; theta = largest row spread of X M X^T; rho = ||Res(X)||; "
    "eta = ||V|| (row-sum norms)",
)

RES_SATT_INSTANCES_MAX = InstanceSpace(
    dimension=RES_SATT_INSTANCES.dimension,
    build=lambda z, sizes, backend: _res_satt_instances(z, sizes, backend, entrywise=True),
    description="X, M, V free; theta = largest row spread of X M X^T; rho = ||Res(X)||_max; "
    "eta = ||V||_max",
)


def _res_of_satt(inst, B):
    out = satt(inst["X"], inst["M"], inst["V"], 1, B)
    return max_norm(res(out, backend=B), backend=B)


def _logit_spread(inst, B):
    from symbound.numeric import Head, attention_logits

    M = B.asarray(inst["M"])
    eye = B.asarray(np.broadcast_to(np.eye(np.shape(M)[-1], dtype=np.int64), np.shape(M)))
    S = attention_logits(inst["X"], Head(W_Q=M, W_K=eye, W_V=eye), backend=B)
    with B.scope():
        return B.max(B.max(S, axis=-1) - B.min(S, axis=-1), axis=-1)


_X = Variable("X", ("n", "d"), "the input", "X")
_M = Variable("M", ("d", "d"), "W_Q W_K^T (beta = 1)", "M")
_V = Variable("V", ("d", "d"), "W_V", "W_V")
SPREAD = Quantity(
    "max_i spread_j (X M Xᵀ)_ij", r"\max_i \operatorname{spread}_j (X M X^\top)_{ij}", _logit_spread
)
RES_SATT = Quantity(
    "‖Res(SAtt(X))‖_max", r"\|\mathrm{Res}(\mathrm{SAtt}(X))\|_{\max}", _res_of_satt
)

RES_SATT_SMALL = Lemma(
    key="as25.res-satt-small",
    title="Res(SAtt(X)) is small, for any centring of X (S6)",
    citation=Citation(NOTES, "§7 S6, with y the column mean (S6 holds for every y)"),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    parameters=(_n, _d, _theta_spread, _rho, _eta),
    variables=(_X, _M, _V),
    hypotheses=(
        Inequality(SPREAD, theta),
        Inequality(
            Quantity(
                "‖X − 1 x̄ᵀ‖_∞",
                r"\|X - \mathbf{1}\bar x^\top\|_{\infty}",
                lambda inst, B: row_sum_norm(
                    res(B.asarray(inst["X"]), center="mean", backend=B), backend=B
                ),
            ),
            rho,
        ),
        Inequality(norm_of("V"), eta),
    ),
    conclusion=Inequality(RES_SATT, 2 * sp.tanh(theta / 4) * eta * rho),
    norm="max norm on the output's Res; row-sum norm on X - 1 xbar^T (xbar: column mean), W_V",
    space=InstanceSpace(
        dimension=lambda s: s["n"] * s["d"] + 2 * s["d"] ** 2,
        build=lambda z, sizes, backend: _res_satt_instances(z, sizes, backend, center="mean"),
        description="X, M, V free; theta = largest row spread of X M X^T; rho = ||X - 1 xbar^T||;"
        " eta = ||V|| (row-sum norms)",
    ),
    notes="(P - J/n) 1 = 0, so SAtt(X) - 1 (xbar W_V) = (P - J/n)(X - 1 y^T) W_V for every y.",
)

LEMMA_5_1_SEEDS = RES_SATT_SMALL.variant(
    key="as25.lemma5.1.seeds",
    title="Lemma 5.1 in the seeds' form, K = 2 tanh(theta/4) ||W_V||",
    citation=Citation(
        SUMMARY,
        "Mechanism 1: 'Lemma 5.1 bounds how much attention output deviates from constant "
        "across tokens: ||Res(SAtt(X))|| <= K ||Res(X)||'; the paper's Lemma 5.1 is not "
        "available, K is not given there: chosen here from paper-math.md §7 S6",
    ),
    provenance=Provenance.SUMMARY,
    form=Form.READING,
    hypotheses=(
        Inequality(SPREAD, theta),
        Inequality(
            Quantity(
                "‖Res(X)‖_∞",
                r"\|\mathrm{Res}(X)\|_{\infty}",
                lambda inst, B: row_sum_norm(res(B.asarray(inst["X"]), backend=B), backend=B),
            ),
            rho,
        ),
        Inequality(norm_of("V"), eta),
    ),
    norm="max norm on the output's Res; row-sum norm on Res(X) and W_V (the mixed form S6 proves)",
    space=RES_SATT_INSTANCES,
    reading=(
        Choice("K", "2 tanh(θ/4) ‖W_V‖_∞, the constant S6 proves (chosen here)"),
        Choice("θ", "the largest spread within a row of the logits X M Xᵀ (β = 1)"),
        Choice("norms", "largest entry on Res(SAtt(X)); row sums on Res(X) and W_V"),
        Choice("Res", "subtracts the column midpoint"),
    ),
    tightness="close to tight (paper-math.md §8 7c: sup ratio 0.995; its search region is "
    "not stated there)",
    notes="",
)

LEMMA_5_1_SEEDS_ENTRYWISE = LEMMA_5_1_SEEDS.variant(
    key="as25.lemma5.1.seeds-entrywise",
    title="Lemma 5.1 in the seeds' form, every norm entrywise",
    citation=Citation(
        SUMMARY,
        "Mechanism 1, ||Res(SAtt(X))|| <= K ||Res(X)||, with ||.||_inf read as the largest "
        "entry throughout (the summaries' 'weights with ||W||_inf <= eta'); K chosen here",
    ),
    hypotheses=(
        Inequality(SPREAD, theta),
        Inequality(
            Quantity(
                "‖Res(X)‖_max",
                r"\|\mathrm{Res}(X)\|_{\max}",
                lambda inst, B: max_norm(res(B.asarray(inst["X"]), backend=B), backend=B),
            ),
            rho,
        ),
        Inequality(norm_of("V", "max"), eta),
    ),
    norm="entrywise max norm everywhere",
    space=RES_SATT_INSTANCES_MAX,
    reading=(
        Choice("K", "2 tanh(θ/4) ‖W_V‖_max, S6's constant with entry norms (chosen here)"),
        Choice("θ", "the largest spread within a row of the logits X M Xᵀ (β = 1)"),
        Choice("norms", "the largest entry everywhere"),
        Choice("Res", "subtracts the column midpoint"),
    ),
    tightness="",
    notes="With d >= 2 columns the value product can add d entries: expected to fail without "
    "a factor d.",
)

LEMMA_5_1_SEEDS_ENTRYWISE_CORRECTED = corrected(
    LEMMA_5_1_SEEDS_ENTRYWISE,
    key="as25.lemma5.1.seeds-entrywise.corrected",
    title="Lemma 5.1, entrywise norms, with the factor d",
    citation=Citation(NOTES, "§7 S6 with ||(X - 1y^T) W||_max <= d ||Res(X)||_max ||W||_max"),
    conclusion=Inequality(RES_SATT, 2 * sp.tanh(theta / 4) * d * eta * rho),
    reading=(
        Choice("K", "2 tanh(θ/4) d ‖W_V‖_max"),
        *LEMMA_5_1_SEEDS_ENTRYWISE.reading[1:],
    ),
    notes="",
)

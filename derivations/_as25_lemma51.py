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

from symbound.lemmas.model import (
    Choice,
    Citation,
    Form,
    Inequality,
    Lemma,
    Parameter,
    Provenance,
    Quantity,
    Variable,
)
from symbound.lemmas.space import InstanceSpace, Reader, open_unit, unit_box
from symbound.notation import d, eta, g, n, rho, theta
from symbound.numeric import max_norm, res, row_sum_norm, softmax

from ._as25_common import (
    NOTES,
    PAPER,
    SUMMARY,
    THETA_MAX,
    _d,
    _eta,
    _n,
    _rho,
    _theta,
    _theta_spread,
    corrected,
    norm_of,
    satt,
)
from ._as25_res import BALANCED_LOGITS, BALANCED_NEAR_UNIFORM

# == Lemma 5.1: theta-balanced logits, and the step reviewer 4 objects to ==============

_theta_only = Parameter(theta, sp.Interval.open(0, sp.oo), "a bound on |D_ii|", search=(0, 1))


def _diagonal(z, sizes, backend):
    """theta in (0, 1); D = diag(d) with |d_i| <= theta."""
    r = Reader(z)
    theta_ = open_unit(r.scalar())
    dvec = np.asarray(theta_)[..., None] * unit_box(r.array(sizes["n"]))
    return {"theta": theta_, "D": dvec}


DIAGONAL = InstanceSpace(
    dimension=lambda s: s["n"] + 1,
    build=_diagonal,
    description="theta = open_unit(z0) in (0, 1); D = diag(theta * clip(z, -1, 1))",
)


def _diag_max(inst, B):
    return B.max(B.abs(B.asarray(inst["D"])), axis=-1)


def _entrywise_exp_minus_identity(inst, B):
    dvec = B.asarray(inst["D"])
    n_ = dvec.shape[-1]
    zero = B.number(0)
    D = np.where(np.eye(n_, dtype=bool), dvec[..., None, :], zero)
    with B.scope():
        diff = B.exp(D) - B.asarray(np.eye(n_, dtype=np.int64))
    return max_norm(diff, backend=B)


def _matrix_exp_minus_identity(inst, B):
    # the matrix exponential of a diagonal matrix is diag(e^{d_i})
    with B.scope():
        return B.max(B.abs(B.expm1(B.asarray(inst["D"]))), axis=-1)


DIAG = Quantity("max_i |D_ii|", r"\max_i |D_{ii}|", _diag_max)


def _uniform_gap(inst, B):
    p = softmax(inst["A"], backend=B)
    with B.scope():
        diff = p - B.number(1) / p.shape[-1]
    return max_norm(diff, backend=B)


UNIFORM_GAP = Quantity(
    "max_ij |softm(A)_ij − 1/n|", r"\max_{ij} |\mathrm{softm}(A)_{ij} - 1/n|", _uniform_gap
)
#: what Lemma 5.1 concludes in both readings below: the e^theta - 1 of Reviewer 4's remark
_NEAR_UNIFORM = Choice(
    "conclusion",
    "every probability within (e^θ − 1)/n of 1/n (the e^θ − 1 of Reviewer 4's remark)",
)

LEMMA_5_1 = Lemma(
    key="as25.lemma5.1",
    title="Lemma 5.1 read with theta-balanced as row spread <= theta",
    citation=Citation(
        PAPER,
        "Lemma 5.1, statement reconstructed (paper-math.md §4.4, §7 S4); the paper's text is "
        "not available",
        primary=True,
    ),
    provenance=Provenance.RECONSTRUCTED,
    form=Form.READING,
    parameters=(_n, _theta),
    variables=BALANCED_NEAR_UNIFORM.variables,
    hypotheses=BALANCED_NEAR_UNIFORM.hypotheses,
    conclusion=Inequality(UNIFORM_GAP, g(theta) / n),
    norm="entrywise on probabilities",
    space=BALANCED_LOGITS,
    reading=(
        Choice("θ-balanced", "every row's spread max_j A_ij − min_j A_ij ≤ θ (notes §4.4)"),
        _NEAR_UNIFORM,
    ),
    tightness="approached only as n grows: the largest ratio at size n is (n-1)/(e^theta+n-1)",
    notes="every entry of softm(A) lies in [e^-theta/n, e^theta/n]",
)


def _bounded_logits(z, sizes, backend):
    """theta in (0, THETA_MAX); every logit |A_ij| <= theta."""
    r = Reader(z)
    theta_ = THETA_MAX * open_unit(r.scalar())
    A = np.asarray(theta_)[..., None, None] * unit_box(r.array(sizes["n"], sizes["n"]))
    return {"theta": theta_, "A": A}


LEMMA_5_1_BOUNDED_ENTRIES = LEMMA_5_1.variant(
    key="as25.lemma5.1.bounded-entries",
    title="Lemma 5.1 read with theta-balanced as |A_ij| <= theta",
    variables=(Variable("A", ("n", "n"), "attention logits, each |A_ij| <= theta", "A"),),
    hypotheses=(
        Inequality(
            Quantity(
                "max_ij |A_ij|", r"\max_{ij} |A_{ij}|", lambda i, B: max_norm(i["A"], backend=B)
            ),
            theta,
        ),
    ),
    space=InstanceSpace(
        dimension=lambda s: s["n"] ** 2 + 1,
        build=_bounded_logits,
        description="theta = THETA_MAX * open_unit(z0); A = theta * clip(z, -1, 1)",
    ),
    reading=(
        Choice("θ-balanced", "every logit |A_ij| ≤ θ (the alternative of the notes, §4.4)"),
        _NEAR_UNIFORM,
    ),
    tightness="",
    notes="|A_ij| <= theta only makes each row 2 theta-balanced in the first sense: the row "
    "(theta, -theta, ..., -theta) at n = 6, theta = 1 gives 0.4298 > (e - 1)/6 = 0.2864.",
)

LEMMA_5_1_BOUNDED_ENTRIES_CORRECTED = corrected(
    LEMMA_5_1_BOUNDED_ENTRIES,
    key="as25.lemma5.1.bounded-entries.corrected",
    title="Lemma 5.1 with |A_ij| <= theta: every probability within (e^(2 theta) - 1)/n of 1/n",
    citation=Citation(NOTES, "§4.4 and §7 S4: |A_ij| <= theta makes every row spread <= 2 theta"),
    conclusion=Inequality(UNIFORM_GAP, g(2 * theta) / n),
    tightness="approached only as n grows: the ratio at the row (theta, -theta, ..., -theta) is "
    "(n-1)/(e^(2 theta)+n-1)",
    notes="every entry of softm(A) lies in [e^(-2 theta)/n, e^(2 theta)/n]",
)

LEMMA_5_1_STEP_ENTRYWISE = Lemma(
    key="as25.lemma5.1.step-entrywise-exp",
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
    parameters=(_n, _theta_only),
    variables=(Variable("D", ("n",), "the diagonal of D", "D"),),
    hypotheses=(Inequality(DIAG, theta),),
    conclusion=Inequality(
        Quantity(
            "‖exp_entrywise(D) − I‖_max",
            r"\|\exp_{\circ}(D) - I\|_{\max}",
            _entrywise_exp_minus_identity,
        ),
        g(theta),
    ),
    norm="entrywise max norm; exp applied entry by entry (off-diagonal e^0 = 1 survive)",
    space=DIAGONAL,
    reading=(
        Choice(
            "e^D", "exp applied entry by entry, off-diagonal e^0 = 1 kept (Reviewer 4's reading)"
        ),
        Choice("‖.‖∞", "the largest entry"),
    ),
    notes="False for theta < ln 2 and n >= 2: the off-diagonal ones give norm max(1, e^theta - 1).",
)

LEMMA_5_1_STEP_MATRIX_EXP = corrected(
    LEMMA_5_1_STEP_ENTRYWISE,
    key="as25.lemma5.1.step-matrix-exp",
    title="The e^D step of Lemma 5.1 with the matrix exponential",
    citation=Citation(NOTES, "§7 S4 (the diagonal-D step done correctly)"),
    conclusion=Inequality(
        Quantity("‖expm(D) − I‖_max", r"\|e^{D} - I\|_{\max}", _matrix_exp_minus_identity),
        g(theta),
    ),
    norm="entrywise max norm (the row-sum norm too, D being diagonal); e^D = diag(e^{D_ii})",
    reading=(
        Choice("e^D", "the matrix exponential diag(e^(D_ii))"),
        Choice("‖.‖∞", "the largest entry"),
    ),
    tightness="attained at D_ii = theta",
    notes="",
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

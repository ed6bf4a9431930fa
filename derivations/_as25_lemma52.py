r"""Alman & Song 2025, Lemma 5.2: the step at line 442, the inequality the main theorem
needs from it, and the self-attention Lipschitz bound that replaces it.

Reviewer 2 quotes the step at lines 442--443 (an application of the false Lemma 4.1)
and objects that Lemma 5.2 bounds softm, not SAtt, while the main theorem needs
:math:`\|\mathrm{SAtt}(B) - \mathrm{SAtt}(X)\|_\infty \le \varepsilon_0` with the
design card's dimensionless :math:`\varepsilon_0 = 3 g(2 H \varepsilon)`.  That
inequality is encoded as a reading (the relation of B to X and the norm are ours) and
left to the checker; the notes' S5 is the correct bound, and an entrywise form of it
corrects the reading.

>>> LEMMA_5_2_SATT.conclusion.text
'‖SAtt(B) − SAtt(X)‖_max ≤ 3*g(2*H*ε)'
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
from symbound.lemmas.space import InstanceSpace, Reader, positive, row_ball, unit_box
from symbound.notation import H, beta, d, eps, eta, g, kappa, phi
from symbound.numeric import max_norm, res, row_sum_norm

from ._as25_common import (
    _H3,
    DESIGN_CARD,
    NOTES,
    PAPER,
    _beta,
    _d,
    _d_small,
    _eps,
    _eta,
    _kappa,
    _n,
    _n_small,
    _phi,
    corrected,
    norm_of,
    satt,
)
from ._as25_res import LEMMA_4_1, LEMMA_4_1_CORRECTED

# == Lemma 5.2, line 442: Res of a perturbed matrix ======================================

_R = Variable("R", ("n", "d"), "a perturbation, ||R||_max <= eps", "R")


def _perturbed(z, sizes, backend):
    r = Reader(z)
    eps_ = positive(r.scalar())
    Bm = r.array(sizes["n"], sizes["d"])
    R = np.asarray(eps_)[..., None, None] * unit_box(r.array(sizes["n"], sizes["d"]))
    return {"eps": eps_, "B": Bm, "R": R}


PERTURBED = InstanceSpace(
    dimension=lambda s: 2 * s["n"] * s["d"] + 1,
    build=_perturbed,
    description="eps = positive(z0); B = z; R = eps * clip(z', -1, 1)",
)


def _res_shift(inst, B):
    Bm = B.asarray(inst["B"])
    with B.scope():
        moved = Bm + B.asarray(inst["R"])
    diff_ = res(moved, backend=B) - res(Bm, backend=B)
    with B.scope():
        return max_norm(diff_, backend=B)


R_MAX = Quantity(
    "‖R‖_max", r"\|R\|_{\max}", lambda inst, B: max_norm(B.asarray(inst["R"]), backend=B)
)
RES_SHIFT = Quantity(
    "‖Res(B + R) − Res(B)‖_max", r"\|\mathrm{Res}(B + R) - \mathrm{Res}(B)\|_{\max}", _res_shift
)

LEMMA_5_2_LINE_442 = Lemma(
    key="as25.lemma5.2.line442",
    title="Lemma 5.2, the step at line 442",
    citation=Citation(
        PAPER,
        "proof of Lemma 5.2, lines 442-443, ||Res(B - R_A) - Res(B)|| <= ||R_A||, as quoted by "
        "Reviewers 2 and 4 (ICLR 2026 reviews)",
        primary=True,
    ),
    provenance=Provenance.REVIEWER,
    form=Form.AS_STATED,
    parameters=(_n, _d, _eps),
    variables=(Variable("B", ("n", "d"), "a matrix", "B"), _R),
    hypotheses=(Inequality(R_MAX, eps),),
    conclusion=Inequality(RES_SHIFT, eps),
    norm="entrywise max norm; Res subtracts the column midpoint",
    space=PERTURBED,
    reading=LEMMA_4_1.reading,
    notes="An application of Lemma 4.1 (false); the sign of R is immaterial.",
)

LEMMA_5_2_LINE_442_CORRECTED = corrected(
    LEMMA_5_2_LINE_442,
    key="as25.lemma5.2.line442.corrected",
    title="Lemma 5.2, the step at line 442, constant 2",
    citation=Citation(NOTES, "§7 L2 (equivalent form of the corrected Lemma 4.1)"),
    conclusion=Inequality(RES_SHIFT, 2 * eps),
    reading=LEMMA_4_1_CORRECTED.reading,
    tightness="attained (B = (1, 1, -3)^T, R = (1, -1, 1)^T)",
    notes="Every use of the step loses a factor 2; nested uses compound it.",
)

# == S5, S6: self-attention Lipschitz bound, Res(SAtt(X)) is small ======================


def _lipschitz_instances(z, sizes, backend):
    r = Reader(z)
    n_, d_ = sizes["n"], sizes["d"]
    phi_ = positive(r.scalar())
    kappa_ = positive(r.scalar())
    eta_ = positive(r.scalar())
    beta_ = positive(r.scalar())
    X = row_ball(r.array(n_, d_), phi_)
    Bm = row_ball(r.array(n_, d_), phi_)
    M = np.asarray(kappa_)[..., None, None] * unit_box(r.array(d_, d_))
    V = row_ball(r.array(d_, d_), eta_)
    with backend.scope():
        eps_ = row_sum_norm(backend.asarray(Bm) - backend.asarray(X), backend=backend)
    return {
        "phi": phi_,
        "kappa": kappa_,
        "eta": eta_,
        "beta": beta_,
        "eps": eps_,
        "X": X,
        "B": Bm,
        "M": M,
        "V": V,
    }


LIPSCHITZ_INSTANCES = InstanceSpace(
    dimension=lambda s: 4 + 2 * s["n"] * s["d"] + 2 * s["d"] ** 2,
    build=_lipschitz_instances,
    description=(
        "phi, kappa, eta, beta = positive(z); X, B rows in the l1 ball of radius phi; "
        "M = kappa * clip(z); V rows in the l1 ball of radius eta; eps = ||B - X|| (row-sum)"
    ),
)


def _satt_change(norm):
    """||SAtt(B) - SAtt(X)|| in ``norm`` (row_sum_norm or max_norm), one head with beta."""

    def evaluate(inst, B):
        moved = satt(inst["B"], inst["M"], inst["V"], inst["beta"], B)
        base = satt(inst["X"], inst["M"], inst["V"], inst["beta"], B)
        with B.scope():
            diff = moved - base
        return norm(diff, backend=B)

    return evaluate


def _b_minus_x(inst, B):
    with B.scope():
        diff = B.asarray(inst["B"]) - B.asarray(inst["X"])
    return row_sum_norm(diff, backend=B)


SATT_LIPSCHITZ = Lemma(
    key="as25.satt-lipschitz",
    title="Self-attention is Lipschitz (the bound Lemma 5.2 needs, for SAtt)",
    citation=Citation(
        NOTES,
        "§7 S5; the statement Lemma 5.2 of "
        + PAPER
        + " needs with SAtt instead of softm (Reviewer 2's objection)",
    ),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    parameters=(_n, _d, _phi, _kappa, _eta, _beta, _eps),
    variables=(
        Variable("X", ("n", "d"), "an input", "X"),
        Variable("B", ("n", "d"), "another input", "B"),
        Variable("M", ("d", "d"), "W_Q W_K^T", "M"),
        Variable("V", ("d", "d"), "W_V", "V"),
    ),
    hypotheses=(
        Inequality(norm_of("X"), phi),
        Inequality(norm_of("B"), phi),
        Inequality(norm_of("M", "max"), kappa),
        Inequality(norm_of("V"), eta),
        Inequality(Quantity("‖B − X‖_∞", r"\|B - X\|_{\infty}", _b_minus_x), eps),
    ),
    conclusion=Inequality(
        Quantity(
            "‖SAtt(B) − SAtt(X)‖_∞",
            r"\|\mathrm{SAtt}(B) - \mathrm{SAtt}(X)\|_{\infty}",
            _satt_change(row_sum_norm),
        ),
        eta * eps * (1 + 2 * kappa * phi**2 / beta),
    ),
    norm="row-sum norm (max row l1) on X, B, V and the outputs; entrywise max on M",
    space=LIPSCHITZ_INSTANCES,
    tightness="close to tight (paper-math.md §8 7b: sup ratio 0.990)",
)


# == Lemma 5.2 as the main theorem uses it: ||SAtt(B) - SAtt(X)|| <= eps_0 ===============


def _removed_layer_pair(z, sizes, backend):
    """X free; the removed layer's heads A_h = eps * box; B = X + sum_h A_h; the later
    layer's M = kappa * box, W_V = eta * box; phi = max(||X||_max, ||B||_max)."""
    r = Reader(z)
    n_, d_, h_ = sizes["n"], sizes["d"], sizes["H"]
    eps_, eta_, kappa_, beta_ = (positive(r.scalar()) for _ in range(4))
    X = r.array(n_, d_)
    A = np.asarray(eps_)[..., None, None, None] * unit_box(r.array(h_, n_, d_))
    M = np.asarray(kappa_)[..., None, None] * unit_box(r.array(d_, d_))
    V = np.asarray(eta_)[..., None, None] * unit_box(r.array(d_, d_))
    Bm = X + np.sum(A, axis=-3)
    with backend.scope():
        phi_ = backend.maximum(
            max_norm(backend.asarray(X), backend=backend),
            max_norm(backend.asarray(Bm), backend=backend),
        )
    out = {"eps": eps_, "eta": eta_, "kappa": kappa_, "beta": beta_, "phi": phi_}
    return {**out, "X": X, "A": A, "B": Bm, "M": M, "V": V}


def _construction_gap(inst, B):
    with B.scope():
        gap = B.asarray(inst["B"]) - B.asarray(inst["X"]) - B.sum(B.asarray(inst["A"]), axis=-3)
    return max_norm(gap, backend=B)


def _largest_head_output(inst, B):
    return B.max(max_norm(B.asarray(inst["A"]), backend=B), axis=-1)


def _largest_input(inst, B):
    return B.maximum(
        max_norm(B.asarray(inst["X"]), backend=B), max_norm(B.asarray(inst["B"]), backend=B)
    )


SATT_CHANGE = Quantity(
    "‖SAtt(B) − SAtt(X)‖_max",
    r"\|\mathrm{SAtt}(B) - \mathrm{SAtt}(X)\|_{\max}",
    _satt_change(max_norm),
)

LEMMA_5_2_SATT = Lemma(
    key="as25.lemma5.2.satt",
    title="Lemma 5.2 as the main theorem uses it: ||SAtt(B) - SAtt(X)|| <= eps_0 = 3 g(2 H eps)",
    citation=Citation(
        PAPER,
        "the inequality the proof of Theorem 5.3 needs from Lemma 5.2, ||SAtt(B) - SAtt(X)||_inf "
        "<= eps_0 (Reviewer 2, ICLR 2026 review: the lemmas only bound softm and softmv); "
        "eps_0 = 3g(2H eps) is from " + DESIGN_CARD,
        primary=True,
    ),
    provenance=Provenance.REVIEWER,
    form=Form.READING,
    parameters=(_n_small, _d_small, _H3, _eps, _phi, _kappa, _eta, _beta),
    variables=(
        Variable("X", ("n", "d"), "the input without the removed layer", "X"),
        Variable("A", ("H", "n", "d"), "the removed layer's head outputs", "A"),
        Variable("B", ("n", "d"), "the input with it, X + sum_h A_h", "B"),
        Variable("M", ("d", "d"), "the later layer's W_Q W_K^T", "M"),
        Variable("V", ("d", "d"), "the later layer's W_V", "W_V"),
    ),
    hypotheses=(
        Inequality(
            Quantity(
                "‖B − X − Σ_h A_h‖_max",
                r"\|B - X - \textstyle\sum_h A_h\|_{\max}",
                _construction_gap,
            ),
            sp.Integer(0),
        ),
        Inequality(
            Quantity("max_h ‖A_h‖_max", r"\max_h \|A_h\|_{\max}", _largest_head_output), eps
        ),
        Inequality(
            Quantity(
                "max(‖X‖_max, ‖B‖_max)",
                r"\max(\|X\|_{\max}, \|B\|_{\max})",
                _largest_input,
            ),
            phi,
        ),
        Inequality(norm_of("M", "max"), kappa),
        Inequality(norm_of("V", "max"), eta),
    ),
    conclusion=Inequality(SATT_CHANGE, 3 * g(2 * H * eps)),
    norm="entrywise max norm on inputs, weights and outputs",
    space=InstanceSpace(
        dimension=lambda s: 4 + s["n"] * s["d"] * (1 + s["H"]) + 2 * s["d"] ** 2,
        build=_removed_layer_pair,
        description="eps, eta, kappa, beta = positive(z); X free; A_h = eps * clip(z); "
        "B = X + sum_h A_h; M = kappa * clip(z); W_V = eta * clip(z); phi = max(||X||, ||B||)",
    ),
    reading=(
        Choice(
            "B",
            "X plus the removed layer's head outputs A_h, each ‖A_h‖_max ≤ ε: the whole "
            "output small, not only its Res (so stronger than the literal hypothesis)",
        ),
        Choice(
            "SAtt",
            "one head softm(Y M Yᵀ/β) Y W_V of the next layer, ‖M‖_max ≤ κ, ‖W_V‖_max ≤ η",
        ),
        Choice("‖.‖∞", "the largest entry"),
        Choice("ε₀", "3 g(2Hε), g(x) = e^x − 1 (design card and seed 003): free of η, φ, κ, β"),
    ),
    notes="Reviewer 2's central objection: SAtt(B) - SAtt(X) scales with W_V and with the "
    "inputs, eps_0 does not; scaling W_V alone must break the inequality.",
)

LEMMA_5_2_SATT_CORRECTED = corrected(
    LEMMA_5_2_SATT,
    key="as25.lemma5.2.satt.corrected",
    title="Lemma 5.2 for SAtt with entry norms: d eta H eps (1 + 2 d^2 kappa phi^2 / beta)",
    citation=Citation(
        NOTES,
        "§7 S5 with entry norms (derived here: ||Y W||_max <= d ||Y||_max ||W||_max and "
        "|u^T M v| <= d^2 ||u||_max ||M||_max ||v||_max, so the logits move by at most "
        "2 d^2 kappa H eps phi / beta)",
    ),
    conclusion=Inequality(SATT_CHANGE, d * eta * H * eps * (1 + 2 * d**2 * kappa * phi**2 / beta)),
    reading=LEMMA_5_2_SATT.reading[:3],
    notes="SAtt(B) - SAtt(X) = (P_B - P_X) B W_V + P_X (B - X) W_V; the first term by S3.",
)

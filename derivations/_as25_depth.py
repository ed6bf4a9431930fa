r"""Alman & Song 2025, the design card's formulas: the per-layer deviation
:math:`\varepsilon_\ell = 2\eta\varphi_0(1+H\eta)^\ell`, and
:math:`\varepsilon_0 = 3 g(2H\varepsilon)` of Lemma C.1.

These formulas come from the project's design card and seed 003 (an AI-generated
summary of the paper), not from any text of the paper that could be read.  What
they bound is not said there, so each entry is a *reading* naming the quantity it
chose; refuting one refutes that reading, not the paper.

>>> EPS_ELL.reading[0].topic
'quantity bounded'
"""

from __future__ import annotations

from fractions import Fraction as F

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
    expr_quantity,
)
from symbound.lemmas.space import InstanceSpace, Reader, open_unit, positive, unit_box
from symbound.notation import H, d, ell, eps, eta, g, phi0
from symbound.numeric import max_norm, res

from ._as25_common import _H3, DESIGN_CARD, NOTES, _d_small, _eps, _n, _n_small, corrected, norm_of
from ._as25_network import (
    _ENTRY_BOUNDS,
    _H,
    _NET_VARIABLES,
    _d_net,
    _ell,
    _eta_v,
    _n_net,
    _net_hypotheses,
    _network_space,
    _phi0,
)
from ._as25_res import DELTA, SOFTMAX_L1, SOFTMAX_RELATIVE

# == eps_ell: the per-layer deviation ======================================================


def _token_spread_next_layer(inst, B):
    from symbound.lemmas.networks import head_outputs, run

    ell_ = int(inst["ell"])
    x = run(inst, B, upto=ell_)[-1]
    best = None
    for Y in head_outputs(inst, B, x, ell_):
        hi, lo = B.max(Y, axis=-2), B.min(Y, axis=-2)
        with B.scope():
            spread = B.max(hi - lo, axis=-1)
        best = spread if best is None else B.maximum(best, spread)
    return best


TOKEN_SPREAD = Quantity(
    "max_h max_i,k ‖SAtt_(ℓ+1,h)(X^(ℓ))_i − SAtt_(ℓ+1,h)(X^(ℓ))_k‖_∞",
    r"\max_h \max_{i,k} \|\mathrm{SAtt}_{\ell+1,h}(X^{(\ell)})_{i} - "
    r"\mathrm{SAtt}_{\ell+1,h}(X^{(\ell)})_{k}\|_{\infty}",
    _token_spread_next_layer,
)

EPS_ELL = Lemma(
    key="as25.eps-ell",
    title="Per-layer deviation eps_ell = 2 eta phi0 (1 + H eta)^ell",
    citation=Citation(
        DESIGN_CARD,
        "the formula eps_ell = 2 eta phi0 (1+H eta)^ell; seed 003, Critical path: 'eps_ell = "
        "2 eta phi0 (1+H eta)^ell bounds per-layer deviation'; the quantity it bounds is not "
        "said: reconstructed (paper-math.md §4.5)",
    ),
    provenance=Provenance.DESIGN_CARD,
    form=Form.READING,
    parameters=(_n_net, _d_net, _H, _ell, _eta_v, _phi0),
    variables=_NET_VARIABLES,
    hypotheses=_net_hypotheses("row-sum"),
    conclusion=Inequality(TOKEN_SPREAD, 2 * eta * phi0 * (1 + H * eta) ** ell),
    norm="row-sum norm: eta bounds ||W_V||_inf (max row l1), phi0 bounds ||X||_inf",
    space=_network_space("row-sum", "ell"),
    reading=(
        Choice(
            "quantity bounded",
            "the largest difference between two tokens' outputs of one head of layer ℓ + 1, "
            "max_h max_i,k ‖SAtt_h(X^(ℓ))_i − SAtt_h(X^(ℓ))_k‖ (reconstructed, notes §4.5)",
        ),
        Choice("η, φ₀", "bound the row sums of every W_V and of X"),
    ),
    notes="Holds for any W_Q, W_K: head outputs are convex combinations of rows of X W_V.",
)

EPS_ELL_ENTRYWISE = EPS_ELL.variant(
    key="as25.eps-ell.entrywise",
    title="Per-layer deviation eps_ell, eta read as an entry bound",
    citation=Citation(
        DESIGN_CARD,
        "the formula eps_ell with ||W||_inf <= eta read as the largest entry (the summaries' "
        "reading); quantity reconstructed as for as25.eps-ell",
    ),
    hypotheses=_net_hypotheses("max"),
    norm="entrywise max: eta bounds every |(W_V)_ij|, phi0 every |X_ij|",
    space=_network_space("max", "ell"),
    reading=(EPS_ELL.reading[0], _ENTRY_BOUNDS),
    notes="||X W||_max can reach d ||X||_max ||W||_max: without a factor d this fails for d >= 2.",
)

EPS_ELL_ENTRYWISE_CORRECTED = corrected(
    EPS_ELL_ENTRYWISE,
    key="as25.eps-ell.entrywise.corrected",
    title="Per-layer deviation with entry bounds: 2 d eta phi0 (1 + H d eta)^ell",
    citation=Citation(NOTES, "§4.1 and §7 N1 (entrywise reading: eta becomes d eta)"),
    conclusion=Inequality(TOKEN_SPREAD, 2 * d * eta * phi0 * (1 + H * d * eta) ** ell),
    notes="",
)

# -- eps_0 = 3 g(2 H eps): Lemma C.1 ------------------------------------------------------


def _shifted_inputs(z, sizes, backend):
    r = Reader(z)
    n_, d_, h_ = sizes["n"], sizes["d"], sizes["H"]
    eps_ = positive(r.scalar())
    X = r.array(n_, d_)
    M = r.array(d_, d_)
    rows = r.array(h_, 1, d_)  # y_h^T, the constant-row part of each removed head's output
    R = np.asarray(eps_)[..., None, None, None] * unit_box(r.array(h_, n_, d_))
    return {"eps": eps_, "X": X, "M": M, "A": rows + R}


def _largest_res_of_A(inst, B):
    A = B.asarray(inst["A"])
    return B.max(max_norm(res(A, backend=B), backend=B), axis=-1)


def _softmax_shift_change(inst, B):
    from symbound.numeric import Head, attention_matrix

    X, M = B.asarray(inst["X"]), B.asarray(inst["M"])
    A = B.asarray(inst["A"])
    eye = B.asarray(np.broadcast_to(np.eye(np.shape(M)[-1], dtype=np.int64), np.shape(M)))
    head = Head(W_Q=M, W_K=eye, W_V=eye)
    with B.scope():
        moved = X + B.sum(A, axis=-3)
    P = attention_matrix(X, head, backend=B)
    Q = attention_matrix(moved, head, backend=B)
    with B.scope():
        diff = Q - P
    return max_norm(diff, backend=B)


LEMMA_C_1_LITERAL = Lemma(
    key="as25.lemma-c.1.literal",
    title="Lemma C.1 read literally: small Res(A_i) keeps later softmax within 3 g(2 H eps)",
    citation=Citation(
        DESIGN_CARD,
        "Lemma C.1 as seed 003 describes it (Mechanism 2: 'if ||Res(A_i)|| is small, "
        "subsequent layers' softmax outputs differ by at most eps_0 = 3g(2H eps)'); the paper's "
        "statement is not available: this is the literal reading",
    ),
    provenance=Provenance.DESIGN_CARD,
    form=Form.READING,
    parameters=(_n_small, _d_small, _H3, _eps),
    variables=(
        Variable("X", ("n", "d"), "a later layer's input", "X"),
        Variable("M", ("d", "d"), "its logit matrix W_Q W_K^T", "M"),
        Variable("A", ("H", "n", "d"), "the removed layer's head outputs", "A"),
    ),
    hypotheses=(
        Inequality(
            Quantity(
                "max_i ‖Res(A_i)‖_max", r"\max_i \|\mathrm{Res}(A_i)\|_{\max}", _largest_res_of_A
            ),
            eps,
        ),
    ),
    conclusion=Inequality(
        Quantity(
            "‖softm(X′MX′ᵀ) − softm(XMXᵀ)‖_max, X′ = X + Σ_i A_i",
            r"\|\mathrm{softm}(X' M X'^\top) - \mathrm{softm}(X M X^\top)\|_{\max},"
            r"\ X' = X + \textstyle\sum_i A_i",
            _softmax_shift_change,
        ),
        3 * g(2 * H * eps),
    ),
    norm="entrywise max norm",
    space=InstanceSpace(
        dimension=lambda s: (
            1 + s["n"] * s["d"] + s["d"] ** 2 + s["H"] * s["d"] + s["H"] * s["n"] * s["d"]
        ),
        build=_shifted_inputs,
        description="eps = positive(z0); X, M free; A_i = 1 y_i^T + eps * clip(z) (y_i free)",
    ),
    reading=(
        Choice(
            "hypothesis",
            "only max_i ‖Res(A_i)‖_max ≤ ε, as the summary words it: nothing bounds the "
            "constant rows of the A_i, the later layer's weights or its input",
        ),
        Choice(
            "softmax outputs differ",
            "the largest entry of softm(X′MX′ᵀ) − softm(XMXᵀ), X′ = X + Σ_i A_i (β = 1)",
        ),
        Choice("ε₀", "3 g(2Hε), g(x) = e^x − 1 (notes §4.5)"),
    ),
    notes=(
        "Res(A_i) ignores the constant-row part 1 y_i^T, but the logits do not: the key side "
        "X' M X'^T picks up 1 y^T M X^T, which moves every row's softmax."
    ),
)

# Lemma C.1 with the paper's small weights: the removed layer is a real residual layer
# on X, every weight entry is at most eta <= 1/10 and every input entry at most 1.

_eta_small = Parameter(
    eta, sp.Interval.Lopen(0, sp.Rational(1, 10)), "a bound on every weight entry", (0, F(1, 10))
)
_phi0_unit = Parameter(phi0, sp.Interval.Lopen(0, 1), "a bound on every input entry", (0, 1))


def _removed_heads(X, inst, B):
    """The removed layer's head outputs A_h = softm(X W_Q W_K^T X^T) X W_V, stacked."""
    from symbound.numeric import Head, attention_head

    heads = [
        attention_head(
            X,
            Head(
                W_Q=inst["QR"][..., h, :, :],
                W_K=inst["KR"][..., h, :, :],
                W_V=inst["VR"][..., h, :, :],
            ),
            backend=B,
        )
        for h in range(np.shape(inst["QR"])[-3])
    ]
    return np.stack(heads, axis=-3)


def _inside(z):
    """z / (1 + |z|): onto the open interval (-1, 1), exact on rationals."""
    return 2 * open_unit(z) - 1


def _small_weight_layers(z, sizes, backend):
    """eta = open_unit/10, phi0 = open_unit; X = phi0 * z/(1+|z|), every W = eta * z/(1+|z|)
    (strictly inside their bounds); eps the
    S6 bound max_h (theta_h / 2) ||X - 1 xbar^T||_inf ||W_V,h||_inf >= ||Res(A_h)||_max plus
    a slack open_unit(z)^12 > 0 (so eps > 0 even where the bound is 0)."""
    from symbound.numeric import Head, attention_logits, row_sum_norm

    r = Reader(z)
    n_, d_, h_ = sizes["n"], sizes["d"], sizes["H"]
    eta_ = open_unit(r.scalar()) / 10
    phi0_ = open_unit(r.scalar())
    slack = open_unit(r.scalar()) ** 12
    # strictly inside the boxes: the rational hypotheses must be decidable in Arb too,
    # beside the softmax one (no entry on the boundary |x| = bound)
    X = np.asarray(phi0_)[..., None, None] * _inside(r.array(n_, d_))
    w = {
        k: np.asarray(eta_)[..., None, None, None] * _inside(r.array(h_, d_, d_))
        for k in ("QR", "KR", "VR")
    }
    for k in ("Q", "K"):
        w[k] = np.asarray(eta_)[..., None, None] * _inside(r.array(d_, d_))
    with backend.scope():
        Xb = backend.asarray(X)
        rho_ = row_sum_norm(res(Xb, center="mean", backend=backend), backend=backend)
        bounds = []
        for h in range(h_):
            kr = w["KR"][..., h, :, :]
            head = Head(W_Q=w["QR"][..., h, :, :], W_K=kr, W_V=kr)  # W_V unused
            S = attention_logits(Xb, head, backend=backend)
            theta_h = backend.max(backend.max(S, axis=-1) - backend.min(S, axis=-1), axis=-1)
            eta_h = row_sum_norm(backend.asarray(w["VR"][..., h, :, :]), backend=backend)
            bounds.append(theta_h / 2 * rho_ * eta_h)
        eps_ = bounds[0]
        for b in bounds[1:]:
            eps_ = backend.maximum(eps_, b)
        eps_ = eps_ + slack
    return {"eps": eps_, "eta": eta_, "phi0": phi0_, "X": X, **w}


def _largest_small_weight(inst, B):
    per = [B.max(max_norm(B.asarray(inst[k]), backend=B), axis=-1) for k in ("QR", "KR", "VR")]
    per += [max_norm(B.asarray(inst[k]), backend=B) for k in ("Q", "K")]
    out = per[0]
    for p in per[1:]:
        out = B.maximum(out, p)
    return out


def _largest_removed_res(inst, B):
    A = _removed_heads(B.asarray(inst["X"]), inst, B)
    return B.max(max_norm(res(A, backend=B), backend=B), axis=-1)


def _later_softmax_change(inst, B):
    from symbound.numeric import Head, attention_matrix

    X = B.asarray(inst["X"])
    with B.scope():
        moved = X + B.sum(_removed_heads(X, inst, B), axis=-3)
    K = B.asarray(inst["K"])
    head = Head(W_Q=B.asarray(inst["Q"]), W_K=K, W_V=K)  # W_V unused
    P = attention_matrix(X, head, backend=B)
    Q = attention_matrix(moved, head, backend=B)
    with B.scope():
        diff = Q - P
    return max_norm(diff, backend=B)


LEMMA_C_1_SMALL_WEIGHTS = LEMMA_C_1_LITERAL.variant(
    key="as25.lemma-c.1.small-weights",
    title="Lemma C.1 with small weights: every weight entry <= eta <= 1/10, inputs <= 1",
    citation=Citation(
        DESIGN_CARD,
        "Lemma C.1 as seed 003 describes it (Mechanism 2), read with the paper's small weights: "
        "the removed layer a real residual layer on X, every weight entry at most eta <= 1/10, "
        "every input entry at most 1 (reconstructed; the paper's statement is not available)",
    ),
    parameters=(_n_small, _d_small, _H3, _eps, _eta_small, _phi0_unit),
    variables=(
        Variable("X", ("n", "d"), "the removed layer's input", "X"),
        Variable("QR", ("H", "d", "d"), "its W_Q", r"W_Q^{(h)}"),
        Variable("KR", ("H", "d", "d"), "its W_K", r"W_K^{(h)}"),
        Variable("VR", ("H", "d", "d"), "its W_V", r"W_V^{(h)}"),
        Variable("Q", ("d", "d"), "the later layer's W_Q", "W_Q"),
        Variable("K", ("d", "d"), "the later layer's W_K", "W_K"),
    ),
    hypotheses=(
        Inequality(norm_of("X", "max"), phi0),
        Inequality(
            Quantity(
                "max ‖W‖_max over every W_Q, W_K, W_V",
                r"\max_W \|W\|_{\max}",
                _largest_small_weight,
            ),
            eta,
        ),
        Inequality(
            Quantity(
                "max_h ‖Res(A_h)‖_max, A_h = SAtt_h(X)",
                r"\max_h \|\mathrm{Res}(\mathrm{SAtt}_h(X))\|_{\max}",
                _largest_removed_res,
            ),
            eps,
        ),
    ),
    conclusion=Inequality(
        Quantity(
            "‖softm(X′W_QW_KᵀX′ᵀ) − softm(XW_QW_KᵀXᵀ)‖_max, X′ = X + Σ_h SAtt_h(X)",
            r"\|\mathrm{softm}(X' W_Q W_K^\top X'^\top) - \mathrm{softm}(X W_Q W_K^\top X^\top)"
            r"\|_{\max},\ X' = X + \textstyle\sum_h \mathrm{SAtt}_h(X)",
            _later_softmax_change,
        ),
        3 * g(2 * H * eps),
    ),
    space=InstanceSpace(
        dimension=lambda s: 3 + s["n"] * s["d"] + (3 * s["H"] + 2) * s["d"] ** 2,
        build=_small_weight_layers,
        description="eta = open_unit(z)/10; phi0 = open_unit(z); X = phi0 * z/(1+|z|); every "
        "W_Q, W_K, W_V = eta * z/(1+|z|); eps = max_h (theta_h/2) ||X - 1 xbar^T||_inf "
        "||W_V,h||_inf (S6: at least max_h ||Res(A_h)||_max) + open_unit(z)^12",
    ),
    reading=(
        Choice(
            "A_h",
            "the outputs of a real removed layer's heads on its input X (β = 1), so their "
            "constant rows are bounded by the weights, not by ε",
        ),
        Choice("small weights", "every entry of every W_Q, W_K, W_V at most η ≤ 1/10"),
        Choice("inputs", "every entry of X at most φ₀ ≤ 1"),
        *LEMMA_C_1_LITERAL.reading[1:],
    ),
    notes="The hypothesis still bounds only Res(A_h): a removed layer with nearly uniform "
    "attention has Res(A_h) near 0 while its constant rows 1 xbar^T W_V shift the keys.",
)

_eps_removed = Parameter(eps, sp.Interval.open(0, sp.oo), "the removed heads' residual bound")


def _logit_perturbation(z, sizes, backend, bounded=False):
    r = Reader(z)
    n_, h_ = sizes["n"], sizes["H"]
    eps_ = open_unit(r.scalar()) / (3 * h_) if bounded else positive(r.scalar())
    A = r.array(n_, n_)
    Delta = np.asarray(2 * h_ * eps_)[..., None, None] * unit_box(r.array(n_, n_))
    return {"eps": eps_, "A": A, "Delta": Delta}


def _logit_space(bounded):
    return InstanceSpace(
        dimension=lambda s: 2 * s["n"] ** 2 + 1,
        build=lambda z, sizes, backend: _logit_perturbation(z, sizes, backend, bounded),
        description=(
            ("eps = open_unit(z0) / (3H)" if bounded else "eps = positive(z0)")
            + "; A = z (logits); Delta = 2 H eps * clip(z', -1, 1)"
        ),
    )


DELTA_2HEPS = Inequality(DELTA, 2 * H * eps)

EPS0_RELATIVE = Lemma(
    key="as25.eps0.relative",
    title="eps_0 = 3 g(2 H eps) as a relative softmax bound for logits moved by 2 H eps",
    citation=Citation(
        DESIGN_CARD,
        "the formula eps_0 = 3g(2H eps) (Lemma C.1 per seed 003), read at the softmax step: "
        "logits moved by at most 2H eps change each probability by at most a factor eps_0 "
        "(reconstructed: the statement is not recoverable)",
    ),
    provenance=Provenance.DESIGN_CARD,
    form=Form.READING,
    parameters=(_n, _H3, _eps_removed),
    variables=SOFTMAX_RELATIVE.variables,
    hypotheses=(DELTA_2HEPS,),
    conclusion=Inequality(SOFTMAX_RELATIVE.conclusion.lhs, 3 * g(2 * H * eps)),
    norm="entrywise max norm on logits; relative change per probability",
    space=_logit_space(bounded=False),
    reading=(
        Choice(
            "quantity bounded",
            "the largest relative change of a probability, |softm(A+Δ)_ij − softm(A)_ij| / "
            "softm(A)_ij, when every logit moves by at most 2Hε",
        ),
        Choice("g", "g(x) = e^x − 1 (notes §4.5)"),
    ),
    notes="S2 gives the sharp factor g(4 H eps) = g(2H eps)(g(2H eps) + 2), at most 3 g(2H eps) "
    "only while g(2H eps) <= 1, i.e. 2H eps <= ln 2.",
)

EPS0_RELATIVE_CORRECTED = corrected(
    EPS0_RELATIVE,
    key="as25.eps0.relative.corrected",
    title="eps_0 = 3 g(2 H eps) as a relative bound, for H eps <= 1/3",
    citation=Citation(NOTES, "§7 S2 with g(4x) = g(2x)(g(2x) + 2) <= 3 g(2x) for g(2x) <= 1"),
    hypotheses=(DELTA_2HEPS, Inequality(expr_quantity(H * eps), sp.Rational(1, 3))),
    space=_logit_space(bounded=True),
    tightness="approached as a probability -> 0 and 2H eps -> ln 2 (checked on H eps <= 1/3, "
    "where the best ratio is g(4/3)/(3 g(2/3)) = 0.983)",
    notes="True exactly when 2H eps <= ln 2; the rational side condition H eps <= 1/3 < ln2/2 "
    "keeps instances exact.",
)

EPS0_ROWSUM = EPS0_RELATIVE.variant(
    key="as25.eps0.rowsum",
    title="eps_0 = 3 g(2 H eps) as a row-sum (total variation) bound",
    citation=Citation(
        DESIGN_CARD,
        "the formula eps_0 = 3g(2H eps) read with the row-sum norm on the softmax outputs "
        "(reconstructed)",
    ),
    conclusion=Inequality(SOFTMAX_L1.conclusion.lhs, 3 * g(2 * H * eps)),
    norm="entrywise max norm on logits; row-sum norm (max row l1) on probabilities",
    reading=(
        Choice(
            "quantity bounded",
            "the row-sum distance ‖softm(A+Δ) − softm(A)‖_∞ (twice the largest total "
            "variation of a row) when every logit moves by at most 2Hε",
        ),
        Choice("g", "g(x) = e^x − 1 (notes §4.5)"),
    ),
    tightness="loose: S3 gives 2 tanh(H eps) <= 2 H eps",
    notes="True but loose by more than a factor 3.",
)

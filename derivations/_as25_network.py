r"""Alman & Song 2025 through depth: norm growth (N1), the identity baseline (N2), layer
collapse to one uniform-attention layer (N3), and Theorem 5.3 itself, each in the
row-sum reading and the entry reading of the weight bounds.

The paper's Theorem 5.3 (= Theorem 1.2) is known only as summaries and reviews
paraphrase it (reference notes §3.1): a network S with skip connections, H heads, L
layers and :math:`\|W_Q\|_\infty, \|W_K\|_\infty, \|W_V\|_\infty \le \eta` is
within :math:`O(\eta)\,\|X\|_\infty` of a one-layer S'.  Neither S' nor the constant
is known, and the identity (N2) already meets that form with a constant depending on
L and H, so the entries below say which S' and which constant they take:

- ``as25.identity-baseline``: S' = the identity (N2), ``((1 + H eta)^L - 1) phi0``;
- ``as25.collapse-one-layer``: S' = one uniform-attention layer (N3), with the logit
  weights bounded through :math:`\kappa \ge \|W_Q W_K^\top\|_{\max}`;
- ``as25.theorem5.3``: the theorem's own hypotheses on :math:`W_Q, W_K, W_V`, S' as in
  N3 and the explicit constant :math:`C = L H \eta^2 \varphi_0^2 (1+H\eta)^{3L}/\beta`
  that N3 gives with :math:`\kappa \le \eta^2`.

Each comes again with ``.entrywise`` (every bound read as the largest entry, the
notes' reading of the summaries' :math:`\|W\|_\infty \le \eta`), which needs a
factor d, and its ``.corrected`` form with that factor: in the entry reading
:math:`\|XW\|_{\max} \le d\|X\|_{\max}\|W\|_{\max}` and
:math:`|u^\top M v| \le d^2 \|u\|_{\max}\|M\|_{\max}\|v\|_{\max}`, so N1--N3 hold with
:math:`\eta \to d\eta` and the logit spread :math:`2 d^2 \kappa \varphi^2/\beta`.

>>> THEOREM_5_3.reading[0].topic, THEOREM_5_3_ENTRYWISE.conclusion.lhs.text[:18]
("S'", '‖S(X) − S′(X)‖_max')
"""

from __future__ import annotations

import sympy as sp

import symbound.claims as sb
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
from symbound.lemmas.space import InstanceSpace, Reader, positive
from symbound.notation import H, L, beta, d, ell, eta, kappa, n, phi0
from symbound.numeric import max_norm, row_sum_norm

from ._as25_common import NOTES, PAPER, _beta, corrected, norm_of

_H = Parameter(H, sp.Range(1, sp.oo), "heads per layer", search=(1, 2))
_L = Parameter(L, sp.Range(1, sp.oo), "layers", search=(1, 3))
_ell = Parameter(ell, sp.Range(0, sp.oo), "layer index", search=(0, 2))
_n_net = Parameter(n, sp.Range(1, sp.oo), "tokens (rows)", search=(2, 4))
_d_net = Parameter(d, sp.Range(1, sp.oo), "columns", search=(1, 3))
_eta_v = Parameter(eta, sp.Interval.open(0, sp.oo), "a bound on every value matrix W_V")
_phi0 = Parameter(phi0, sp.Interval.open(0, sp.oo), "a bound on the input X")


def _network_instances(z, sizes, backend, *, norm, layers_key):
    """phi0, eta positive; X and every W_V bounded in ``norm``; logit matrices free."""
    from symbound.lemmas.networks import read_logit_matrices, read_matrix, read_values

    r = Reader(z)
    n_, d_, h_ = sizes["n"], sizes["d"], sizes["H"]
    layers = sizes[layers_key] + (1 if layers_key == "ell" else 0)
    out = {"phi0": positive(r.scalar()), "eta": positive(r.scalar())}
    out["X"] = read_matrix(r, n_, d_, bound=out["phi0"], norm=norm)
    out["M"] = read_logit_matrices(r, layers=layers, heads=h_, d=d_)
    out["V"] = read_values(r, layers=layers, heads=h_, d=d_, bound=out["eta"], norm=norm)
    return out


def _network_space(norm, layers_key):
    """The networks of the depth lemmas (eps_ell: layers_key "ell", one layer more)."""

    def dimension(s):
        layers = s[layers_key] + (1 if layers_key == "ell" else 0)
        return 2 + s["n"] * s["d"] + 2 * layers * s["H"] * s["d"] ** 2

    bound = "row-sum norm" if norm == "row-sum" else "largest entry"
    return InstanceSpace(
        dimension=dimension,
        build=lambda z, sizes, backend: _network_instances(
            z, sizes, backend, norm=norm, layers_key=layers_key
        ),
        description=(
            f"phi0, eta = positive(z); X with {bound} <= phi0; every W_V with {bound} <= eta; "
            "logit matrices M = W_Q W_K^T free"
        ),
    )


def _factored_instances(z, sizes, backend, *, norm):
    """phi0, eta, beta positive; X, and every W_Q, W_K, W_V, bounded in ``norm``."""
    from symbound.lemmas.networks import read_matrix, read_values

    r = Reader(z)
    n_, d_, h_, l_ = sizes["n"], sizes["d"], sizes["H"], sizes["L"]
    out = {"phi0": positive(r.scalar()), "eta": positive(r.scalar())}
    out["beta"] = positive(r.scalar())
    out["X"] = read_matrix(r, n_, d_, bound=out["phi0"], norm=norm)
    for name in ("WQ", "WK", "V"):
        out[name] = read_values(r, layers=l_, heads=h_, d=d_, bound=out["eta"], norm=norm)
    return out


def _factored_space(norm):
    bound = "row-sum norm" if norm == "row-sum" else "largest entry"
    return InstanceSpace(
        dimension=lambda s: 3 + s["n"] * s["d"] + 3 * s["L"] * s["H"] * s["d"] ** 2,
        build=lambda z, sizes, backend: _factored_instances(z, sizes, backend, norm=norm),
        description=(
            f"phi0, eta, beta = positive(z); X with {bound} <= phi0; every W_Q, W_K, W_V "
            f"with {bound} <= eta"
        ),
    )


def _largest_weight_norm(norm):
    """max over layers and heads of ||W_Q||, ||W_K||, ||W_V||: one hypothesis for eta."""

    def evaluate(inst, B):
        f = row_sum_norm if norm == "row-sum" else max_norm
        per = [B.max(f(B.asarray(inst[k]), backend=B), axis=(-2, -1)) for k in ("WQ", "WK", "V")]
        return B.maximum(B.maximum(per[0], per[1]), per[2])

    sub, lsub = ("∞", r"\infty") if norm == "row-sum" else ("max", r"\max")
    return Quantity(
        f"max_ℓh max(‖W_Q^(ℓ,h)‖_{sub}, ‖W_K^(ℓ,h)‖_{sub}, ‖W_V^(ℓ,h)‖_{sub})",
        rf"\max_{{\ell,h}} \max(\|W_Q^{{(\ell,h)}}\|_{{{lsub}}}, \|W_K^{{(\ell,h)}}\|_{{{lsub}}},"
        rf" \|W_V^{{(\ell,h)}}\|_{{{lsub}}})",
        evaluate,
    )


def _largest_value_norm(norm):
    def evaluate(inst, B):
        V = B.asarray(inst["V"])
        f = row_sum_norm if norm == "row-sum" else max_norm
        per = f(V, backend=B)  # shape (layers, heads)
        return B.max(per, axis=(-2, -1))

    sub = "∞" if norm == "row-sum" else "max"
    lsub = r"\infty" if norm == "row-sum" else r"\max"
    return Quantity(
        f"max_ℓh ‖W_V^(ℓ,h)‖_{sub}", rf"\max_{{\ell,h}} \|W_V^{{(\ell,h)}}\|_{{{lsub}}}", evaluate
    )


def _net_hypotheses(norm):
    return (Inequality(norm_of("X", norm), phi0), Inequality(_largest_value_norm(norm), eta))


_NET_VARIABLES = (
    Variable("X", ("n", "d"), "the input", "X"),
    Variable("M", ("L", "H", "d", "d"), "logit matrices W_Q W_K^T", "M"),
    Variable("V", ("L", "H", "d", "d"), "value matrices W_V", "W_V"),
)

#: the entry reading of the weight bounds, shared by every .entrywise entry
_ENTRY_BOUNDS = Choice(
    "η, φ₀",
    "bound the largest entry of every weight matrix and of X (the summaries' ‖W‖∞ ≤ η read "
    "as an entry bound, the notes' reading §4.1, medium confidence)",
)
_ENTRY_DISTANCE = Choice("distance", "the largest entry of the difference")


# -- N1, N2, N3 and Theorem 5.3 -----------------------------------------------------------


# N1 and N2 in the claim language: the instance spaces (X in a phi0-ball, every W_V in an
# eta-ball of the same norm, logit matrices free) are derived from the hypotheses.
X_IN = sb.matrix("X", "n", "d", meaning="the input")
M_STACK = sb.tensor("M", "L", "H", "d", "d", meaning="logit matrices W_Q W_K^T")
V_STACK = sb.tensor("V", "L", "H", "d", "d", meaning="value matrices W_V", latex="W_V")
S_OUT = sb.network(X_IN, M_STACK, V_STACK)
_NET_SIZES = {"n": (2, 4), "d": (1, 3), "H": (1, 2), "L": (1, 3)}
_NET_MEANINGS = {
    "kappa": "a bound on ||M||_max, M = W_Q W_K^T",
    "beta": "logit normalisation",
    "n": "tokens (rows)",
    "d": "columns",
    "H": "heads per layer",
    "L": "layers",
    "eta": "a bound on every value matrix W_V",
    "phi0": "a bound on the input X",
}


def _bounds(kind: str) -> list:
    """X within phi0 and every W_V within eta, in the row-sum norm or entry by entry."""
    return [sb.norm(X_IN, kind) <= phi0, sb.norm(V_STACK, kind) <= eta]


def _net_claim(key: str, *, given, then, **fields) -> Lemma:
    return sb.claim(key, given=given, then=then, sizes=_NET_SIZES, meanings=_NET_MEANINGS,
                    **fields)  # fmt: skip


NORM_GROWTH = _net_claim(
    "as25.norm-growth",
    given=_bounds("row"),
    then=sb.norm(S_OUT, "row") <= phi0 * (1 + H * eta) ** L,
    title="Norm growth through residual layers, phi0 (1 + H eta)^L",
    citation=Citation(NOTES, "§7 N1 (the (1+H eta)^ell of eps_ell)"),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    norm="row-sum norm (max row l1) on X and W_V",
    tightness="attained when the attention is a permutation aligned with the values",
)

NORM_GROWTH_ENTRYWISE = _net_claim(
    "as25.norm-growth.entrywise",
    given=_bounds("max"),
    then=sb.norm(S_OUT, "max") <= phi0 * (1 + H * eta) ** L,
    title="Norm growth with entry bounds, phi0 (1 + H eta)^L",
    citation=Citation(
        NOTES,
        "§4.1: the growth factor (1+H eta)^L read with entry bounds (reconstructed; there "
        "||X W||_max <= d ||X||_max ||W||_max)",
    ),
    provenance=Provenance.RECONSTRUCTED,
    form=Form.READING,
    norm="entrywise max norm on X and W_V",
    reading=(_ENTRY_BOUNDS, Choice("growth factor", "the row-sum reading's (1 + Hη)^L, unchanged")),
    notes="The growth factor the entrywise reading would need, without its factor d.",
)

NORM_GROWTH_ENTRYWISE_CORRECTED = _net_claim(
    "as25.norm-growth.entrywise.corrected",
    given=_bounds("max"),
    then=sb.norm(S_OUT, "max") <= phi0 * (1 + H * d * eta) ** L,
    title="Norm growth with entry bounds, phi0 (1 + H d eta)^L",
    citation=Citation(NOTES, "§7 N1, entrywise reading"),
    provenance=Provenance.PROVED_HERE,
    form=Form.CORRECTED,
    corrects=NORM_GROWTH_ENTRYWISE.key,
    norm="entrywise max norm on X and W_V",
    reading=(_ENTRY_BOUNDS,),
)


def _distance_to_surrogate(norm):
    def evaluate(inst, B):
        from symbound.lemmas.networks import run, surrogate_one_layer, with_logit_matrices

        out = run(with_logit_matrices(inst, B), B, beta=inst["beta"])[-1]
        with B.scope():
            diff = out - surrogate_one_layer(inst, B)
        return (row_sum_norm if norm == "row-sum" else max_norm)(diff, backend=B)

    sub, lsub = ("∞", r"\infty") if norm == "row-sum" else ("max", r"\max")
    return Quantity(
        f"‖S(X) − S′(X)‖_{sub}, S′ one uniform-attention layer",
        rf"\|S(X) - S'(X)\|_{{{lsub}}}",
        evaluate,
    )


SURROGATE_DISTANCE = _distance_to_surrogate("row-sum")


IDENTITY_BASELINE = _net_claim(
    "as25.identity-baseline",
    given=_bounds("row"),
    then=sb.norm(S_OUT - X_IN, "row") <= ((1 + H * eta) ** L - 1) * phi0,
    title="The identity baseline: zero layers are within ((1 + H eta)^L - 1) phi0",
    citation=Citation(NOTES, "§7 N2 (why the literal O(eta) headline is nearly trivial)"),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    norm="row-sum norm (max row l1) on X and W_V",
    tightness="paper-math.md §8 check 7: sup ratio 0.43 over random networks (the check's "
    "stated region: n <= 8, d <= 5, L <= 6, H <= 3, eta <= 0.3)",
)


def _collapse(kind: str) -> tuple[list, sb.Relation]:
    """N3's hypotheses (X, every W_V and every M bounded) and its distance to S'."""
    given = [*_bounds(kind), sb.norm(M_STACK, "max") <= kappa]
    distance = sb.norm(
        sb.network(X_IN, M_STACK, V_STACK, beta=beta) - sb.surrogate(X_IN, V_STACK), kind
    )
    return given, distance


_N3_ROW, _N3_ROW_DISTANCE = _collapse("row")
_N3_MAX, _N3_MAX_DISTANCE = _collapse("max")
_N3_CONSTANT = L * H * eta * (kappa * phi0**2 / beta) * (1 + H * eta) ** (3 * L) * phi0

COLLAPSE_ONE_LAYER = _net_claim(
    "as25.collapse-one-layer",
    given=_N3_ROW,
    then=_N3_ROW_DISTANCE <= _N3_CONSTANT,
    title="Layer collapse: the network is within L H eta (kappa phi0^2/beta)(1+H eta)^(3L) phi0 "
    "of ONE uniform-attention layer",
    citation=Citation(NOTES, "§7 N3 (correct, strong form of layer collapse)"),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    norm="row-sum norm on X, W_V and the outputs; entrywise max on M = W_Q W_K^T",
    tightness="paper-math.md §8 check 7: sup ratio 0.213 over 300 random networks (n <= 8, "
    "d <= 5, L <= 6, H <= 3, eta <= 0.3)",
    notes="S'(X) = X + (J/n) X W~, W~ = prod_l (I + sum_h V_lh) - I: one residual layer, one "
    "head with zero logits. Third order in the weight scale, against first order for N2.",
)

IDENTITY_BASELINE_ENTRYWISE = _net_claim(
    "as25.identity-baseline.entrywise",
    given=_bounds("max"),
    then=sb.norm(S_OUT - X_IN, "max") <= ((1 + H * eta) ** L - 1) * phi0,
    title="The identity baseline with entry bounds, ((1 + H eta)^L - 1) phi0",
    citation=Citation(
        NOTES, "§4.1 and §7 N2: N2's constant read with entry bounds (reconstructed)"
    ),
    provenance=Provenance.RECONSTRUCTED,
    form=Form.READING,
    norm="entrywise max norm on X, W_V and the output",
    reading=(
        _ENTRY_BOUNDS,
        _ENTRY_DISTANCE,
        Choice("constant", "N2's ((1 + Hη)^L − 1)φ₀ of the row-sum reading, unchanged"),
    ),
    notes="X = ones(2 x 2), W_V = ones/10, L = H = 1: S(X) - X = X W_V = (1/5) ones, so "
    "0.2 > 0.1 (and > 0.1105, the envelope L H eta e^(L H eta) phi0).",
)

IDENTITY_BASELINE_ENTRYWISE_CORRECTED = _net_claim(
    "as25.identity-baseline.entrywise.corrected",
    given=_bounds("max"),
    then=sb.norm(S_OUT - X_IN, "max") <= ((1 + H * d * eta) ** L - 1) * phi0,
    title="The identity baseline with entry bounds, ((1 + H d eta)^L - 1) phi0",
    citation=Citation(NOTES, "§7 N1, N2 in the entrywise reading (eta becomes d eta)"),
    provenance=Provenance.PROVED_HERE,
    form=Form.CORRECTED,
    corrects=IDENTITY_BASELINE_ENTRYWISE.key,
    norm="entrywise max norm on X, W_V and the output",
    reading=(_ENTRY_BOUNDS, _ENTRY_DISTANCE),
    tightness="attained: X = ones(n x d), every W_V = eta ones",
)

COLLAPSE_ONE_LAYER_ENTRYWISE = _net_claim(
    "as25.collapse-one-layer.entrywise",
    given=_N3_MAX,
    then=_N3_MAX_DISTANCE <= _N3_CONSTANT,
    title="Layer collapse with entry bounds, N3's constant unchanged",
    citation=Citation(NOTES, "§7 N3 read with entry bounds, its constant kept (reconstructed)"),
    provenance=Provenance.RECONSTRUCTED,
    form=Form.READING,
    norm="entrywise max norm on X, W_V, M = W_Q W_K^T and the outputs",
    reading=(
        _ENTRY_BOUNDS,
        _ENTRY_DISTANCE,
        Choice(
            "constant", "N3's L H η (κφ₀^2/β)(1 + Hη)^(3L) φ₀ of the row-sum reading, unchanged"
        ),
    ),
)

COLLAPSE_ONE_LAYER_ENTRYWISE_CORRECTED = _net_claim(
    "as25.collapse-one-layer.entrywise.corrected",
    given=_N3_MAX,
    then=_N3_MAX_DISTANCE
    <= L * H * d * eta * (d**2 * kappa * phi0**2 / beta) * (1 + H * d * eta) ** (3 * L) * phi0,
    title="Layer collapse with entry bounds: L H d eta (d^2 kappa phi0^2/beta)(1+H d eta)^(3L) "
    "phi0",
    citation=Citation(
        NOTES,
        "§7 N3 in the entrywise reading (derived here): D_l <= (1 + H d eta) D_(l-1) + H d eta "
        "delta_l phi_(l-1), the logit spread at most 2 d^2 kappa phi_(l-1)^2/beta, "
        "phi_l <= phi0 (1 + H d eta)^l",
    ),
    provenance=Provenance.PROVED_HERE,
    form=Form.CORRECTED,
    corrects=COLLAPSE_ONE_LAYER_ENTRYWISE.key,
    norm="entrywise max norm on X, W_V, M = W_Q W_K^T and the outputs",
    reading=(_ENTRY_BOUNDS, _ENTRY_DISTANCE),
)

# -- Theorem 5.3: the theorem's hypotheses, S' one uniform-attention layer ----------------

_eta_w = Parameter(eta, sp.Interval.open(0, sp.oo), "a bound on every W_Q, W_K and W_V")
_FACTORED_VARIABLES = (
    Variable("X", ("n", "d"), "the input", "X"),
    Variable("WQ", ("L", "H", "d", "d"), "query matrices W_Q", "W_Q"),
    Variable("WK", ("L", "H", "d", "d"), "key matrices W_K", "W_K"),
    Variable("V", ("L", "H", "d", "d"), "value matrices W_V", "W_V"),
)
_S_PRIME = Choice(
    "S'",
    "one residual layer with one head whose logits are zero (uniform attention) and value "
    "matrix W~ = prod_ℓ (I + Σ_h W_V^(ℓ,h)) − I: the notes' N3 surrogate (chosen here)",
)
_HEADS = Choice("heads", "summed within a layer, the output projection absorbed into W_V")

THEOREM_5_3 = Lemma(
    key="as25.theorem5.3",
    title="Theorem 5.3 (layer collapse) with S' and its constant made explicit",
    citation=Citation(
        PAPER,
        "Theorem 1.2 / 5.3, 'there is a one-layer S' with ||S(X) - S'(X)||_inf <= O(eta) "
        "||X||_inf' when ||W_Q||, ||W_K||, ||W_V|| <= eta, as summaries and reviews paraphrase "
        "it (paper-math.md §3.1); S' and the constant are not given there: both reconstructed "
        "from paper-math.md §7 N3",
        primary=True,
    ),
    provenance=Provenance.RECONSTRUCTED,
    form=Form.READING,
    parameters=(
        COLLAPSE_ONE_LAYER.parameters[0],
        COLLAPSE_ONE_LAYER.parameters[1],
        _H,
        _L,
        _eta_w,
        _phi0,
        _beta,
    ),
    variables=_FACTORED_VARIABLES,
    hypotheses=(
        Inequality(norm_of("X"), phi0),
        Inequality(_largest_weight_norm("row-sum"), eta),
    ),
    conclusion=Inequality(
        SURROGATE_DISTANCE,
        (L * H * eta**2 * phi0**2 * (1 + H * eta) ** (3 * L) / beta) * eta * phi0,
    ),
    norm="row-sum norm (max row l1) on X, W_Q, W_K, W_V and the outputs",
    space=_factored_space("row-sum"),
    reading=(
        _S_PRIME,
        Choice(
            "constant",
            "C = L H η^2 φ₀^2 (1 + Hη)^(3L)/β in C η φ₀, φ₀ ≥ ‖X‖: N3 with ‖W_Q W_Kᵀ‖_max ≤ η^2 "
            "(chosen here)",
        ),
        Choice("‖.‖∞", "row sums (max row ℓ1), on every weight matrix and on X"),
        _HEADS,
        Choice("β", "a free positive normalisation of the logits"),
    ),
    notes="In the row-sum reading |(W_Q W_K^T)_ab| <= ||W_Q||_inf ||W_K||_max <= eta^2, so this "
    "follows from as25.collapse-one-layer; the identity (as25.identity-baseline) meets the "
    "O(eta) form too, but only at first order.",
)

THEOREM_5_3_ENTRYWISE = THEOREM_5_3.variant(
    key="as25.theorem5.3.entrywise",
    title="Theorem 5.3 with entry bounds, the row-sum reading's constant",
    hypotheses=(
        Inequality(norm_of("X", "max"), phi0),
        Inequality(_largest_weight_norm("max"), eta),
    ),
    conclusion=Inequality(_distance_to_surrogate("max"), THEOREM_5_3.conclusion.rhs),
    norm="entrywise max norm on X, W_Q, W_K, W_V and the outputs",
    space=_factored_space("max"),
    reading=(
        _S_PRIME,
        Choice("constant", "the row-sum reading's C = L H η^2 φ₀^2 (1 + Hη)^(3L)/β, unchanged"),
        _ENTRY_BOUNDS,
        _ENTRY_DISTANCE,
        _HEADS,
        THEOREM_5_3.reading[-1],
    ),
    notes="",
)

THEOREM_5_3_ENTRYWISE_CORRECTED = corrected(
    THEOREM_5_3_ENTRYWISE,
    key="as25.theorem5.3.entrywise.corrected",
    title="Theorem 5.3 with entry bounds: C = L H d^4 eta^2 phi0^2 (1 + H d eta)^(3L)/beta",
    citation=Citation(
        NOTES,
        "§7 N3 in the entrywise reading (as for as25.collapse-one-layer.entrywise.corrected) "
        "with ||W_Q W_K^T||_max <= d eta^2",
    ),
    conclusion=Inequality(
        _distance_to_surrogate("max"),
        (L * H * d**4 * eta**2 * phi0**2 * (1 + H * d * eta) ** (3 * L) / beta) * eta * phi0,
    ),
    reading=(_S_PRIME, _ENTRY_BOUNDS, _ENTRY_DISTANCE, _HEADS),
    notes="",
)

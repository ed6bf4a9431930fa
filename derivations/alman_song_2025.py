r"""Alman & Song 2025, "Only Large Weights (And Not Skip Connections) Can Prevent the
Perils of Rank Collapse" (arXiv:2505.16284), as far as its mathematics is known.

The paper's full text could not be retrieved.  What is encoded here, and how sure
each piece is, follows ``shared/reference/paper-math.md`` (cited as *paper-math*).
Every entry has a form that says what it is relative to the paper:

- *as stated*: the paper's statement as a reviewer quotes it (Lemma 4.1, the step
  at line 442).  Only these can refute the paper's text.
- *a reading*: an interpretation of a statement whose text is not available -- the
  lemmas behind the reviews' objections, the forms the AI-generated summary of
  seed 003 gives, the design card's formulas, Theorem 5.3 itself -- naming the
  choices it made (:class:`~symbound.lemmas.model.Choice`: the norm, the meaning of
  θ-balanced, the quantity a formula bounds, the constant chosen).  Refuting one
  refutes that reading, not the paper.
- *corrected* and *supporting*: the replacement mathematics of paper-math §7,
  proved there (provenance: proved here), not the paper's text.

The entries live in private modules by subject (``_as25_res``: Lemma 4.1 and the
softmax lemmas; ``_as25_lemma51``, ``_as25_lemma52``; ``_as25_depth``: the design
card's formulas and Lemma C.1; ``_as25_network``: N1--N3 and Theorem 5.3); this
module collects them, with the scalar claims the prover settles, the composed depth
bounds and the appendix's tables.

Norm convention: :math:`\|\cdot\|_{\max}` is the largest absolute entry, and the
row-sum norm :math:`\|\cdot\|_\infty` is the induced :math:`\ell_\infty` operator
norm; Res subtracts the column midpoint unless a lemma says otherwise.

>>> sorted({lemma.form.value for lemma in LEMMAS})
['a reading', 'as stated', 'corrected', 'supporting']
>>> [lemma.key for lemma in LEMMAS if lemma.form.value == "as stated"]
['as25.lemma4.1', 'as25.lemma5.2.line442']
"""

from __future__ import annotations

import sympy as sp

import symbound.claims as sb
from symbound.lemmas.model import Choice, Citation, Form, Parameter, Provenance
from symbound.notation import H, L, beta, eps, eta, kappa, phi0

from ._as25_common import NOTES, PAPER
from ._as25_depth import (
    EPS0_RELATIVE,
    EPS0_RELATIVE_CORRECTED,
    EPS0_ROWSUM,
    EPS_ELL,
    EPS_ELL_ENTRYWISE,
    EPS_ELL_ENTRYWISE_CORRECTED,
    LEMMA_C_1_LITERAL,
    LEMMA_C_1_SMALL_WEIGHTS,
)
from ._as25_lemma51 import (
    LEMMA_5_1,
    LEMMA_5_1_BOUNDED_ENTRIES,
    LEMMA_5_1_BOUNDED_ENTRIES_CORRECTED,
    LEMMA_5_1_SEEDS,
    LEMMA_5_1_SEEDS_ENTRYWISE,
    LEMMA_5_1_SEEDS_ENTRYWISE_CORRECTED,
    LEMMA_5_1_STEP_ENTRYWISE,
    LEMMA_5_1_STEP_MATRIX_EXP,
    RES_SATT_SMALL,
)
from ._as25_lemma52 import (
    LEMMA_5_2_LINE_442,
    LEMMA_5_2_LINE_442_CORRECTED,
    LEMMA_5_2_SATT,
    LEMMA_5_2_SATT_CORRECTED,
    SATT_LIPSCHITZ,
)
from ._as25_network import (
    COLLAPSE_ONE_LAYER,
    COLLAPSE_ONE_LAYER_ENTRYWISE,
    COLLAPSE_ONE_LAYER_ENTRYWISE_CORRECTED,
    IDENTITY_BASELINE,
    IDENTITY_BASELINE_ENTRYWISE,
    IDENTITY_BASELINE_ENTRYWISE_CORRECTED,
    NORM_GROWTH,
    NORM_GROWTH_ENTRYWISE,
    NORM_GROWTH_ENTRYWISE_CORRECTED,
    THEOREM_5_3,
    THEOREM_5_3_ENTRYWISE,
    THEOREM_5_3_ENTRYWISE_CORRECTED,
)
from ._as25_res import (
    BALANCED_NEAR_UNIFORM,
    EXP_PERTURBATION,
    LEMMA_4_1,
    LEMMA_4_1_CORRECTED,
    MEAN_RES,
    RES_NORM_LIPSCHITZ,
    SOFTMAX_L1,
    SOFTMAX_RELATIVE,
)

LEMMAS = (
    LEMMA_4_1,
    LEMMA_4_1_CORRECTED,
    RES_NORM_LIPSCHITZ,
    MEAN_RES,
    EXP_PERTURBATION,
    SOFTMAX_RELATIVE,
    SOFTMAX_L1,
    BALANCED_NEAR_UNIFORM,
    LEMMA_5_1,
    LEMMA_5_1_BOUNDED_ENTRIES,
    LEMMA_5_1_BOUNDED_ENTRIES_CORRECTED,
    LEMMA_5_1_STEP_ENTRYWISE,
    LEMMA_5_1_STEP_MATRIX_EXP,
    RES_SATT_SMALL,
    LEMMA_5_1_SEEDS,
    LEMMA_5_1_SEEDS_ENTRYWISE,
    LEMMA_5_1_SEEDS_ENTRYWISE_CORRECTED,
    LEMMA_5_2_LINE_442,
    LEMMA_5_2_LINE_442_CORRECTED,
    LEMMA_5_2_SATT,
    LEMMA_5_2_SATT_CORRECTED,
    SATT_LIPSCHITZ,
    EPS_ELL,
    EPS_ELL_ENTRYWISE,
    EPS_ELL_ENTRYWISE_CORRECTED,
    LEMMA_C_1_LITERAL,
    LEMMA_C_1_SMALL_WEIGHTS,
    EPS0_RELATIVE,
    EPS0_RELATIVE_CORRECTED,
    EPS0_ROWSUM,
    NORM_GROWTH,
    NORM_GROWTH_ENTRYWISE,
    NORM_GROWTH_ENTRYWISE_CORRECTED,
    IDENTITY_BASELINE,
    IDENTITY_BASELINE_ENTRYWISE,
    IDENTITY_BASELINE_ENTRYWISE_CORRECTED,
    COLLAPSE_ONE_LAYER,
    COLLAPSE_ONE_LAYER_ENTRYWISE,
    COLLAPSE_ONE_LAYER_ENTRYWISE_CORRECTED,
    THEOREM_5_3,
    THEOREM_5_3_ENTRYWISE,
    THEOREM_5_3_ENTRYWISE_CORRECTED,
)

# == Composition through depth ===========================================================
# Per-layer recurrences from the lemmas above, composed into closed forms for symbolic
# depth L (symbound.compose); the regime tables solve them for eta.

# == Scalar claims the prover settles (proved, with certificates, or left open honestly) ==
from symbound.prove.claim import Box, ScalarClaim  # noqa: E402

# Each side is text, read with plain real symbols for the box's parameters: the claim
# is proved as written over exactly its box (no positivity SymPy could simplify with).

ENVELOPE = ScalarClaim(
    key="as25.theorem5.3.envelope",
    title="The identity baseline meets Theorem 5.3's O(eta) form: "
    "(1 + H eta)^L - 1 <= L H eta e^(L H eta)",
    citation=Citation(
        NOTES,
        "§7 N2: ||S(X) - X|| <= ((1 + H eta)^L - 1) phi0 <= C eta phi0 with C = L H e^(L H eta)",
    ),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    lhs="(1 + H*eta)**L - 1",
    rhs="L*H*eta*exp(L*H*eta)",
    box=Box.parse(["eta=0..1/10", "H=1..64", "L=1..1000"]),
    notes="With as25.identity-baseline: S' = the identity already meets the O(eta) ||X|| "
    "form, with a constant depending on L and H, over the whole box; the prover uses "
    "(1+x)^k <= e^(kx) and t = L H eta.",
)

S3_LINEAR = ScalarClaim(
    key="as25.s3.linear",
    title="S3's last step: 2 tanh(t/2) <= t",
    citation=Citation(NOTES, "§7 S3 (softmax perturbation, l1 form)"),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    lhs="2*tanh(t/2)",
    rhs="t",
    box=Box.parse(["t=0..100"]),
)

S4_LINEAR = ScalarClaim(
    key="as25.s4.linear",
    title="S4's last step: 2 tanh(theta/4) <= theta/2",
    citation=Citation(NOTES, "§7 S4 (theta-balanced rows)"),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    lhs="2*tanh(theta/4)",
    rhs="theta/2",
    box=Box.parse(["theta=0..100"]),
)

TV_CORE = ScalarClaim(
    key="as25.s3.tv-core",
    title="S3's scalar core: the two-level total variation q r/(q r + 1 - q) - q, r = e^(2t), "
    "is at most tanh(t/2)",
    citation=Citation(NOTES, "§7 S3 proof (maximised at q = 1/(1 + sqrt r))"),
    provenance=Provenance.PROVED_HERE,
    form=Form.SUPPORTING,
    lhs="q*exp(2*t)/(q*exp(2*t) + 1 - q) - q",
    rhs="tanh(t/2)",
    box=Box.parse(["q=0..1", "t=0..10"]),
    budget=2000,
    notes="Equality holds along the whole curve q = 1/(1 + e^t) (and on t = 0), so no "
    "enclosure can prove it: the prover must say inconclusive; the proof is the calculus "
    "argument in the notes.",
)

SCALAR_CLAIMS = (ENVELOPE, S3_LINEAR, S4_LINEAR, TV_CORE)

from symbound.compose import STEP, ComposedBound, Recurrence  # noqa: E402

_depth_parameters = (
    Parameter(eta, sp.Interval.open(0, sp.oo), "a bound on every W_V (row-sum)"),
    Parameter(phi0, sp.Interval.open(0, sp.oo), "a bound on the input (row-sum)"),
    Parameter(H, sp.Range(1, sp.oo), "heads per layer"),
    Parameter(L, sp.Range(0, sp.oo), "layers"),
)

NORM_GROWTH_L = ComposedBound(
    key="as25.phi-L",
    title="Norm after L layers",
    quantity="‖X^(L)‖_∞",
    quantity_latex=r"\|X^{(L)}\|_\infty",
    recurrence=Recurrence(q=1 + H * eta, b=0, initial=phi0),
    parameters=_depth_parameters,
    uses=("as25.norm-growth",),
)

EPS_L = ComposedBound(
    key="as25.eps-L",
    title="Per-layer deviation eps_L = 2 eta phi_L",
    quantity="largest token difference of a head of layer L+1",
    quantity_latex=r"\max_{h,i,k} \|\mathrm{SAtt}_{L+1,h}(X^{(L)})_i"
    r" - \mathrm{SAtt}_{L+1,h}(X^{(L)})_k\|_\infty",
    recurrence=NORM_GROWTH_L.recurrence,
    post=2 * eta * sp.Symbol("x_L", nonnegative=True),
    parameters=_depth_parameters,
    uses=("as25.eps-ell", "as25.norm-growth"),
)

IDENTITY_BASELINE_L = ComposedBound(
    key="as25.identity-baseline-L",
    title="Distance to the identity after L layers",
    quantity="‖S(X) − X‖_∞",
    quantity_latex=r"\|S(X) - X\|_\infty",
    recurrence=Recurrence(q=1, b=H * eta * phi0 * (1 + H * eta) ** (STEP - 1), initial=0),
    parameters=_depth_parameters,
    uses=("as25.identity-baseline", "as25.norm-growth"),
    envelope=L * H * sp.exp(L * H * eta) * eta * phi0,
)

COLLAPSE_L = ComposedBound(
    key="as25.collapse-L",
    title="Distance to one uniform-attention layer after L layers",
    quantity="‖S(X) − S′(X)‖_∞",
    quantity_latex=r"\|S(X) - S'(X)\|_\infty",
    recurrence=Recurrence(
        q=1 + H * eta,
        b=H * eta * (kappa / beta) * phi0**3 * (1 + H * eta) ** (3 * (STEP - 1)),
        initial=0,
    ),
    parameters=(
        *_depth_parameters,
        Parameter(kappa, sp.Interval.open(0, sp.oo), "a bound on every ||W_Q W_K^T||_max"),
        Parameter(beta, sp.Interval.open(0, sp.oo), "logit normalisation"),
    ),
    uses=("as25.collapse-one-layer", "as25.balanced-near-uniform", "as25.norm-growth"),
    envelope=L * H * eta * (kappa * phi0**2 / beta) * (1 + H * eta) ** (3 * L) * phi0,
    notes="D_l <= (1 + H eta) D_(l-1) + H eta delta_l rho_(l-1), delta_l <= kappa phi_(l-1)^2/"
    "beta, rho_(l-1) <= phi_(l-1) (paper-math.md §7 N3); the closed form is sharper than the "
    "envelope L H eta (kappa phi0^2/beta)(1+H eta)^(3L) phi0",
)

COMPOSED = (NORM_GROWTH_L, EPS_L, IDENTITY_BASELINE_L, COLLAPSE_L)

# == The appendix: which tables, with which settings ======================================

from symbound.appendix.spec import AppendixSpec, RegimeTable, RepairCase  # noqa: E402

from ._as25_one_layer import ONE_LAYER  # noqa: E402
from ._as25_tradeoff import tradeoff  # noqa: E402

_LAYERS = (1, 2, 4, 8, 16, 32, 64, 128)
_HEADS = (1, 4, 8, 16)

# The layer-collapse experiments the reviewers asked for: N2 and N3 measured on random
# networks against their bounds, and the residual ratio through depth (rank collapse)
# under the architectures of the prior work.
from symbound.empirical.spec import (  # noqa: E402
    Architecture,
    Distance,
    DistanceSweep,
    Finding,
    ResidualStudy,
)

LAYER_COLLAPSE = DistanceSweep(
    key="layer-collapse",
    title="Distance to the identity and to one uniform-attention layer",
    caption=(
        "Random residual self-attention networks (skip connections, H heads summed) whose "
        "W_Q, W_K, W_V have largest entry η, with β the square root of d: the distance to the "
        "input ‖S(X) − X‖ (N2) and to the one-layer uniform-attention surrogate ‖S(X) − S′(X)‖ "
        "(N3), measured (solid), beside the bounds proved here (paper-math.md §7 N2, N3; dashed: "
        "the lemma, dotted: the composed recurrence), each at the network's own φ₀ = ‖X‖, "
        "η = max ‖W_V‖ (row sums) and κ = max ‖M‖_max. The surrogate distance falls at third "
        "order in η, the identity distance at first order: layer collapse, measured."
    ),
    distances=(
        Distance("as25.identity-baseline", "‖S(X) − X‖ (N2)", ("as25.identity-baseline",)),
        Distance(
            "as25.collapse-one-layer",
            "‖S(X) − S′(X)‖ (N3)",
            ("as25.collapse-one-layer", "as25.collapse-L"),
        ),
    ),
)

_DCL = "Dong et al. 2021, Theorem 2.2 (reconstructed)"
_WU = "Wu et al. 2024 (seed summary)"

RESIDUAL_RATIO = ResidualStudy(
    key="residual-ratio",
    title="Rank collapse through depth: the residual ratio layer by layer",
    caption=(
        "The residual ratio ‖Res(X^(ℓ))‖_max / ‖X^(ℓ)‖_max (column-midpoint Res) of the same "
        "random one-head networks under six architectures: pure attention (no skip), with skip "
        "connections, with a causal mask, with a causal local window of width 1, with "
        "LayerNorm after each layer (no skip), and with both skip and LayerNorm. For pure "
        "attention the triangles are the one-step bound S6 (paper-math.md §7 S6, proved here) "
        "on the next layer's ratio, evaluated at each layer's measured input."
    ),
    architectures=(
        Architecture("pure attention", one_step_bound=True),
        Architecture("skip", skip=True),
        Architecture("causal mask", mask="causal"),
        Architecture("local window (w=1)", mask="local", window=1),
        Architecture("LayerNorm", layernorm="post"),
        Architecture("skip + LayerNorm", skip=True, layernorm="post"),
    ),
    one_step_bound="as25.res-satt-small",
    findings=(
        Finding("doubly-exponential", "pure attention", _DCL),
        Finding("slower", "skip", "Dong et al. 2021, §3.1 (reconstructed)", than="pure attention"),
        Finding("slower", "local window (w=1)", _WU, than="causal mask"),
    ),
)

# "What each refuted claim needs": the refuted claims the notes correct, each repaired
# beside its correction (paper-math §7 L2, L4, S2 and the entry readings' factor d).
# Lemma 4.1 read with the mean Res is not a catalogue entry: the notes (§7 L4) say its
# constant 1 fails too, and correct it with 2(1 - 1/n) (as25.mean-res).
from ._as25_res import A as _A  # noqa: E402
from ._as25_res import B as _B  # noqa: E402

LEMMA_4_1_MEAN = sb.claim(
    "as25.lemma4.1.mean",
    given=[sb.norm(_A - _B, "max") <= eps],
    then=sb.norm(sb.res(_A, "mean") - sb.res(_B, "mean"), "max") <= eps,
    title="Res perturbation (Lemma 4.1) with the column mean",
    citation=Citation(NOTES, "§7 L4: Reviewer 2's pair has ratio 4/3 under the mean"),
    provenance=Provenance.RECONSTRUCTED,
    form=Form.READING,
    meanings={"n": "tokens (rows)", "d": "columns", "eps": "entrywise perturbation size"},
    norm="entrywise max norm; Res subtracts the column mean, (I - J/n) X",
    reading=(
        Choice("‖.‖∞", "the largest entry"),
        Choice("Res", "subtracts the column mean (the linear projection; not the reviewers')"),
    ),
)

#: longest first: they go to the workers in this order (the rows follow the claims table)
REPAIRS = (
    RepairCase("as25.eps0.relative", parameter="2*H*eps"),
    RepairCase("as25.eps-ell.entrywise"),
    RepairCase("as25.norm-growth.entrywise"),
    RepairCase(LEMMA_4_1_MEAN.key, claim=LEMMA_4_1_MEAN, compare=(MEAN_RES.key,)),
    RepairCase("as25.lemma4.1"),
    RepairCase("as25.lemma5.2.line442"),
    RepairCase("as25.lemma5.1.step-entrywise-exp"),
)

APPENDIX = AppendixSpec(
    paper=PAPER,
    title="Alman and Song 2025: claims, corrections and parameter regimes",
    regime_tables=(
        RegimeTable(
            key="collapse-regime",
            title="Layer-collapse regime",
            caption=(
                "Largest eta (row-sum bound on every value matrix) for which the network is "
                "within tau = 1/10 of ONE uniform-attention layer, by the composed N3 bound, "
                "with phi0 = 1 and kappa/beta = 1. Every printed value is proved feasible "
                "(rounded down); the JSON holds the certified brackets [lo, hi]."
            ),
            bound=COLLAPSE_L,
            fixed={"phi0": 1, "kappa": 1, "beta": 1},
            tau=sp.Rational(1, 10),
            rows=_LAYERS,
            cols=_HEADS,
        ),
        RegimeTable(
            key="eps-regime",
            title="Per-layer deviation regime",
            caption=(
                "Largest eta with eps_L = 2 eta phi0 (1 + H eta)^L <= tau = 1/10 at phi0 = 1 "
                "(row-sum reading). Every printed value is proved feasible (rounded down)."
            ),
            bound=EPS_L,
            fixed={"phi0": 1},
            tau=sp.Rational(1, 10),
            rows=_LAYERS,
            cols=_HEADS,
        ),
    ),
    comparison=tradeoff(COLLAPSE_L),
    studies=(LAYER_COLLAPSE, RESIDUAL_RATIO, ONE_LAYER),
    repairs=REPAIRS,
)

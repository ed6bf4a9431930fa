r"""Dong, Cordonnier & Loukas 2021, "Attention is not all you need: pure attention
loses rank doubly exponentially with depth" (ICML 2021, arXiv:2103.03404).

Only the introduction of the primary text could be read; the statements below follow
five secondary notes that agree on the formulas (paper-math.md §9.1, tagged
MEMORY/SECONDARY there), so every entry's provenance is *reconstructed*.  Their γ
("a term that depends on the attention entries") was not recovered: it is kept an
explicit parameter, and the experiment below measures the γ that Theorem 2.2's
one-layer inequality needs on each instance.

Conventions (theirs): res(X) = X - 1 x^T with the column mean (their code), and the
composite :math:`\|X\|_{1,\infty} = \sqrt{\|X\|_1 \|X\|_\infty}`; a layer without skip
is :math:`\sum_h P_h X W_h` (no biases here).

>>> from symbound.lemmas.experiment import run_experiment
>>> run_experiment(PATH_DECOMPOSITION, seed=1, dps=30).reproduced
True
"""

from __future__ import annotations

import copy
import itertools

import numpy as np

from symbound.lemmas.experiment import Experiment, Outcome
from symbound.lemmas.model import Citation, Provenance
from symbound.numeric import (
    ArbBackend,
    Float64Backend,
    Head,
    Layer,
    MpmathBackend,
    attention_layer,
    attention_matrix,
    col_sum_norm,
    composite_norm,
    max_norm,
    res,
)
from symbound.numeric.precision import agreement

PAPER = "Dong, Cordonnier & Loukas 2021 (ICML, arXiv:2103.03404)"


def _heads(rng, d, heads, scale):
    return tuple(
        Head(
            W_Q=rng.standard_normal((d, d)) * scale,
            W_K=rng.standard_normal((d, d)) * scale,
            W_V=rng.standard_normal((d, d)) * scale,
        )
        for _ in range(heads)
    )


def _path_sum(x0, layers, attention, skip, hp):
    """Sum over all paths of P_path X W_path, P_path = P^L ... P^1, W_path = W^1 ... W^L."""
    n, d = x0.shape
    eye_n = hp.asarray(np.eye(n, dtype=np.int64))
    eye_d = hp.asarray(np.eye(d, dtype=np.int64))
    choices = range(-1 if skip else 0, len(layers[0].heads))
    total, count = None, 0
    for path in itertools.product(choices, repeat=len(layers)):
        P, W = eye_n, eye_d
        for depth, h in enumerate(path):
            if h >= 0:  # -1 is the skip: P = I, W = I
                P = hp.matmul(attention[depth][h], P)
                W = hp.matmul(W, hp.asarray(layers[depth].heads[h].W_V))
        term = hp.matmul(hp.matmul(P, x0), W)
        with hp.scope():
            total = term if total is None else total + term
        count += 1
    return total, count


def _path_decomposition(seed: int, dps: int) -> Outcome:
    rng = np.random.default_rng(seed)
    n, d, heads, depth = 4, 3, 2, 3
    hp = MpmathBackend(dps=dps)
    x0 = hp.asarray(rng.standard_normal((n, d)))
    measured, ok = {}, True
    for skip in (False, True):
        layers = [Layer(heads=_heads(rng, d, heads, 0.5), skip=skip) for _ in range(depth)]
        states, attention = [x0], []
        for layer in layers:
            attention.append([attention_matrix(states[-1], h, backend=hp) for h in layer.heads])
            states.append(attention_layer(states[-1], layer, backend=hp))
        total, count = _path_sum(x0, layers, attention, skip, hp)
        with hp.scope():
            gap = max_norm(states[-1] - total, backend=hp)
        scale = max_norm(states[-1], backend=hp)
        label = "with_skip" if skip else "without_skip"
        measured[label] = {
            "paths": count,
            "expected_paths": (1 + heads) ** depth if skip else heads**depth,
            "max_deviation": hp.ctx.nstr(gap, 3),
            "output_scale": hp.ctx.nstr(scale, 6),
        }
        ok &= count == measured[label]["expected_paths"]
        ok &= gap <= scale * hp.ctx.mpf(10) ** (5 - dps)
    summary = (
        f"sum over {heads}^{depth} paths (no skip) and (1+{heads})^{depth} paths (skip) "
        f"matches the forward pass to within {measured['without_skip']['max_deviation']} and "
        f"{measured['with_skip']['max_deviation']} at {dps} digits"
    )
    return Outcome(ok, summary, measured)


PATH_DECOMPOSITION = Experiment(
    key="dcl21.path-decomposition",
    title="Path decomposition (Theorem 2.1)",
    citation=Citation(
        PAPER, "Theorem 2.1 and §3.1 (with skip connections), per secondary notes; reconstructed"
    ),
    provenance=Provenance.RECONSTRUCTED,
    claim="A depth-L, width-H SAN equals the sum over its H^L paths of P_path X W_path; with "
    "skip connections, over (1+H)^L paths (the skip is a head with P = I, W = I).",
    criterion="the path sum agrees with the forward pass to dps - 5 digits, with H^L and "
    "(1+H)^L paths (n=4, d=3, H=2, L=3)",
    run=_path_decomposition,
)


def _residual(x, backend):
    return composite_norm(res(x, center="mean", backend=backend), backend=backend)


def _collapse_run(rng, heads: int, depth: int, hp):
    """Residuals of a no-skip SAN with ``heads`` heads, at high precision and in float64."""
    n, d = 4, 3
    f64 = Float64Backend()
    x0 = rng.standard_normal((n, d))
    layer = Layer(heads=_heads(rng, d, heads, 0.5 / heads), skip=False)
    # DCL's beta bounds ||W_QK||_1 ||W_V||_{1,inf} for every head
    beta = max(col_sum_norm(h.W_Q @ h.W_K.T) * composite_norm(h.W_V) for h in layer.heads)
    x_hp, x_f = hp.asarray(x0), x0
    r_hp, r_f = [], []
    for _ in range(depth + 1):
        r_hp.append(_residual(x_hp, hp))
        r_f.append(float(_residual(x_f, f64)))
        x_hp = attention_layer(x_hp, layer, backend=hp)
        x_f = attention_layer(x_f, layer)
    logs = [hp.ctx.log10(r) for r in r_hp]
    rates = [(logs[i + 2] - logs[i + 1]) / (logs[i + 1] - logs[i]) for i in range(depth - 1)]
    # the gamma each layer needs: r_(l+1) = (4 gamma beta H / sqrt(d_qk)) r_l^3
    gammas = [
        r_hp[i + 1] * hp.ctx.sqrt(d) / (4 * hp.number(beta) * heads * r_hp[i] ** 3)
        for i in range(depth)
    ]
    return r_hp, r_f, rates, gammas, beta


def _doubly_exponential(seed: int, dps: int) -> Outcome:
    rng = np.random.default_rng(seed)
    depth = 5
    hp = MpmathBackend(dps=max(dps, 400))  # the residual reaches 1e-200 and below
    check = MpmathBackend(dps=2 * hp.dps)  # the same run again: which digits survive?
    measured, ok, parts = {}, True, []
    for heads in (1, 2):
        state = copy.deepcopy(rng.bit_generator.state)
        r_hp, r_f, rates, gammas, beta = _collapse_run(rng, heads, depth, hp)
        rng.bit_generator.state = state
        r_check = _collapse_run(rng, heads, depth, check)[0]
        kept = [
            agreement(a, b, dps=hp.dps, check_dps=check.dps)
            for a, b in zip(r_hp, r_check, strict=True)
        ]
        ok &= all(2.5 <= rate <= 3.5 for rate in rates[-2:]) and r_hp[-1] < hp.ctx.mpf(10) ** -40
        ok &= kept[-1].digits >= 10  # the last residual is a number, not rounding noise
        lost = next((i for i, r in enumerate(r_f) if r < 1e-14 * r_f[0]), None)
        measured[f"H={heads}"] = {
            "residual_high_precision": [hp.ctx.nstr(r, 3) for r in r_hp],
            "residual_float64": [f"{r:.3g}" for r in r_f],
            "log_decrement_ratios": [hp.ctx.nstr(rate, 3) for rate in rates],
            "beta": f"{beta:.4g}",
            "gamma_needed_per_layer": [hp.ctx.nstr(g_, 3) for g_ in gammas],
            "float64_loses_it_at_layer": lost,
            "digits_agreeing_at_twice_the_precision": [k.digits for k in kept],
        }
        parts.append(
            f"H={heads}: residual {hp.ctx.nstr(r_hp[0], 3)} -> {hp.ctx.nstr(r_hp[-1], 3)} in "
            f"{depth} layers, log-decrements grow by "
            + ", ".join(hp.ctx.nstr(rate, 3) for rate in rates)
            + (f"; float64 rounds the rows together by layer {lost}" if lost is not None else "")
            + f"; the last residual keeps {kept[-1].digits} of {hp.dps} digits at {check.dps}"
        )
    return Outcome(bool(ok), "; ".join(parts) + " (cubic: 3)", measured)


DOUBLY_EXPONENTIAL = Experiment(
    key="dcl21.doubly-exponential",
    title="Pure attention loses rank doubly exponentially (Theorem 2.2, one head)",
    citation=Citation(
        PAPER, "Theorem 2.2 and its proof sketch (cubic rate), per secondary notes; reconstructed"
    ),
    provenance=Provenance.RECONSTRUCTED,
    claim="Without skip connections ||res(X^(l+1))|| <= (4 gamma beta H / sqrt(d_qk)) "
    "||res(X^(l))||^3 (composite norm, gamma explicit): the residual falls doubly "
    "exponentially, log-decrements growing by 3.",
    criterion="for H = 1 and H = 2 heads, the last two ratios of successive log-decrements of "
    "the residual lie in [2.5, 3.5] and the residual after 5 layers is below 1e-40 (at 400 "
    "digits, with at least 10 digits agreeing when rerun at 800); the gamma each layer "
    "needs, with DCL's beta, is reported",
    run=_doubly_exponential,
)


def _skip_preserves_residual(seed: int, dps: int) -> Outcome:
    rng = np.random.default_rng(seed)
    n, d, heads = 4, 3, 2
    arb = ArbBackend(prec=int(dps * 3.33) + 16)
    x0 = arb.asarray(rng.standard_normal((n, d)))
    exact = []
    state = x0
    zero = np.zeros((d, d), dtype=np.int64)
    for _ in range(10):
        layer = Layer(
            heads=tuple(
                Head(W_Q=rng.standard_normal((d, d)), W_K=rng.standard_normal((d, d)), W_V=zero)
                for _ in range(heads)
            )
        )
        state = attention_layer(state, layer, backend=arb)
        same = all(
            a.is_exact() and b.is_exact() and a == b
            for a, b in zip(state.ravel(), x0.ravel(), strict=True)
        )
        exact.append(same)
    return Outcome(
        all(exact),
        "with skip connections and W_V = 0, X^(L) = X (so res(X^(L)) = res(X)) exactly, "
        "for L = 1..10, in ball arithmetic with zero radius",
        {"exact_equality_per_layer": exact},
    )


SKIP_PRESERVES_RESIDUAL = Experiment(
    key="dcl21.skip-preserves-residual",
    title="Skip connections can keep the residual (Corollary 3.1)",
    citation=Citation(PAPER, "§3.1, Corollary 3.1, per secondary notes; reconstructed"),
    provenance=Provenance.RECONSTRUCTED,
    claim="With skip connections there are parameterisations with ||res(X^(L))|| >= ||res(X)|| "
    "for every depth, e.g. W_V = 0 (the length-0 path).",
    criterion="res(X^(L)) = res(X) exactly (Arb balls of radius 0) for L = 1..10",
    run=_skip_preserves_residual,
)


def _mlp_slows_collapse(seed: int, dps: int) -> Outcome:
    rng = np.random.default_rng(seed)
    n, d, depth = 4, 3, 3
    hp = MpmathBackend(dps=max(dps, 60))
    x0 = rng.standard_normal((n, d))
    layer = Layer(heads=_heads(rng, d, 1, 0.5), skip=False)
    finals = {}
    for lam in (1, 2, 4):
        x = hp.asarray(x0)
        for _ in range(depth):
            with hp.scope():
                x = attention_layer(x, layer, backend=hp) * lam  # a lam-Lipschitz linear MLP
        finals[lam] = _residual(x, hp)
    r0 = _residual(hp.asarray(x0), hp)
    values = [finals[lam] for lam in (1, 2, 4)]
    ok = values[0] < values[1] < values[2] < r0
    return Outcome(
        bool(ok),
        f"residual after {depth} layers with a lam-Lipschitz MLP: "
        + ", ".join(f"lam={lam}: {hp.ctx.nstr(finals[lam], 3)}" for lam in (1, 2, 4))
        + f" (input {hp.ctx.nstr(r0, 3)}): slower, still collapsing",
        {
            "input_residual": hp.ctx.nstr(r0, 3),
            "final_residual": {str(k): hp.ctx.nstr(v, 3) for k, v in finals.items()},
        },
    )


MLP_SLOWS_COLLAPSE = Experiment(
    key="dcl21.mlp-slows-collapse",
    title="MLPs slow the collapse but do not stop it (Corollary 3.2)",
    citation=Citation(
        PAPER,
        "§3.2, Corollary 3.2 (rate (4 gamma beta H lam/sqrt(d_qk)) per "
        "layer), per secondary notes; reconstructed",
    ),
    provenance=Provenance.RECONSTRUCTED,
    claim="A lam-Lipschitz MLP after each attention layer multiplies the per-layer constant by "
    "lam: collapse is slower for larger lam but still happens.",
    criterion="after 3 layers the residual increases with lam in {1, 2, 4} and stays below "
    "the input's",
    run=_mlp_slows_collapse,
)

EXPERIMENTS = (PATH_DECOMPOSITION, DOUBLY_EXPONENTIAL, SKIP_PRESERVES_RESIDUAL, MLP_SLOWS_COLLAPSE)

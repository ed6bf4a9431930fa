r"""Wu et al. 2024, "On the Role of Attention Masks and LayerNorm in Transformers"
(NeurIPS 2024; seed 004 is a summary of it).

The seed gives the claims, not the theorems' statements, so each claim is encoded as
a reproducible experiment on small instances (provenance: reconstructed):

- pure masked (causal) attention still collapses to a rank-one subspace,
  exponentially;
- a local window slows the collapse;
- with LayerNorm, attention need not collapse: the same weights that collapse
  without it keep tokens apart.

Collapse is measured by the distance to constant rows, :math:`\|\mathrm{Res}(X)\|`
over :math:`\|X\|` (midpoint Res, max norm).

>>> from symbound.lemmas.experiment import run_experiment
>>> run_experiment(CAUSAL_COLLAPSE, seed=0, dps=30).reproduced
True
"""

from __future__ import annotations

import numpy as np

from symbound.lemmas.experiment import Experiment, Outcome
from symbound.lemmas.model import Citation, Provenance
from symbound.numeric import (
    Float64Backend,
    Head,
    Layer,
    LayerNorm,
    MpmathBackend,
    attention_layer,
    causal_mask,
    local_mask,
    max_norm,
    res_norm,
)

PAPER = "Wu et al. 2024 (NeurIPS), 'On the role of attention masks and LayerNorm in transformers'"
SEED = "seed 004 (summary of the paper's findings); reconstructed"
_F64 = Float64Backend()


def _collapse_ratio(x, backend):
    return res_norm(x, backend=backend) / max_norm(x, backend=backend)


def _decay(seed: int, dps: int, mask_of, depth: int = 40):
    """Residual ratios of pure attention (no skip, W_V = I) under a mask, at high precision."""
    rng = np.random.default_rng(seed)
    n, d = 6, 3
    hp = MpmathBackend(dps=max(dps, 40))
    x = hp.asarray(rng.standard_normal((n, d)))
    head = Head(
        W_Q=rng.standard_normal((d, d)) / 2, W_K=rng.standard_normal((d, d)) / 2, W_V=np.eye(d)
    )
    layer = Layer(heads=(head,), skip=False, mask=mask_of(n))
    ratios = [_collapse_ratio(x, hp)]
    for _ in range(depth):
        x = attention_layer(x, layer, backend=hp)
        ratios.append(_collapse_ratio(x, hp))
    logs = [float(hp.ctx.log10(r)) for r in ratios]
    half = depth // 2
    slope = (logs[-1] - logs[half]) / (depth - half)  # decades per layer, second half
    return ratios, logs, slope, hp


def _causal_collapse(seed: int, dps: int) -> Outcome:
    ratios, logs, slope, hp = _decay(seed, dps, causal_mask)
    steps = np.diff(logs[len(logs) // 2 :])
    geometric = bool(np.all(steps < 0) and np.std(steps) < 0.25 * abs(np.mean(steps)))
    ok = slope < 0 and geometric and ratios[-1] < ratios[0] * 1e-3
    return Outcome(
        bool(ok),
        f"causal mask: collapse ratio {hp.ctx.nstr(ratios[0], 3)} -> {hp.ctx.nstr(ratios[-1], 3)} "
        f"in {len(ratios) - 1} layers, {slope:.3f} decades per layer, steady (geometric)",
        {
            "collapse_ratio": [hp.ctx.nstr(r, 3) for r in ratios[::5]],
            "decades_per_layer": f"{slope:.4f}",
            "geometric": geometric,
        },
    )


CAUSAL_COLLAPSE = Experiment(
    key="wu24.causal-collapse",
    title="Masked attention still collapses exponentially",
    citation=Citation(PAPER, SEED),
    provenance=Provenance.RECONSTRUCTED,
    claim="Pure self-attention with a causal mask converges to a rank-one (constant-row) "
    "subspace at an exponential rate.",
    criterion="n=6, d=3, W_V = I, 40 layers: the collapse ratio falls below 1e-3 of its start "
    "and its log decreases by steady steps (geometric decay) over the last 20 layers",
    run=_causal_collapse,
)


def _local_slower(seed: int, dps: int) -> Outcome:
    _, _, causal_slope, _ = _decay(seed, dps, causal_mask)
    _, _, local_slope, _ = _decay(seed, dps, lambda n: local_mask(n, 1, causal=True))
    ok = local_slope < 0 and causal_slope < local_slope
    return Outcome(
        bool(ok),
        f"decades per layer: causal {causal_slope:.3f}, local window (w=1, causal) "
        f"{local_slope:.3f}: the local window collapses more slowly",
        {
            "causal_decades_per_layer": f"{causal_slope:.4f}",
            "local_decades_per_layer": f"{local_slope:.4f}",
        },
    )


LOCAL_SLOWER = Experiment(
    key="wu24.local-window-slower",
    title="Local attention windows slow the collapse",
    citation=Citation(PAPER, SEED),
    provenance=Provenance.RECONSTRUCTED,
    claim="With a local (sliding-window) mask the collapse is still exponential but slower "
    "than with the full causal mask.",
    criterion="same weights and input: the local window's decay rate (decades per layer) is "
    "negative and smaller in magnitude than the causal mask's",
    run=_local_slower,
)


def _layernorm_keeps_rank(seed: int, dps: int) -> Outcome:
    rng = np.random.default_rng(seed)
    n, d, depth, tries = 4, 4, 200, 1500
    x0 = rng.standard_normal((tries, n, d))
    WQ, WK = rng.standard_normal((tries, d, d)), rng.standard_normal((tries, d, d))
    flip = rng.random(tries) < 0.5
    signs = np.where(flip[:, None], -1.0, rng.choice([-1.0, 1.0], (tries, d)))
    WV = signs[:, :, None] * np.eye(d)  # -I, or a random +-1 diagonal
    head = Head(W_Q=WQ, W_K=WK, W_V=WV)  # all tries at once: a float64 batch
    finals = {}
    for ln in (None, "post"):
        layer = Layer(heads=(head,), skip=False, layernorm=ln, ln=LayerNorm(eps=0))
        x = x0
        with np.errstate(all="ignore"):
            for _ in range(depth):
                x = attention_layer(x, layer)
        finals[ln] = x
    with np.errstate(all="ignore"):
        with_ln = np.asarray(_collapse_ratio(finals["post"], _F64))
        without = np.asarray(_collapse_ratio(finals[None], _F64))
    for trial in range(tries):
        centred = finals["post"][trial] - finals["post"][trial].mean(axis=0)
        s = np.linalg.svd(centred, compute_uv=False)
        rank = int(np.sum(s > 1e-3 * s.max())) if s.max() > 1e-9 else 0
        if not (with_ln[trial] > 0.1 and rank >= 2 and without[trial] < 1e-12):
            continue
        hp = MpmathBackend(dps=max(dps, 30))
        one = Head(W_Q=WQ[trial], W_K=WK[trial], W_V=WV[trial])
        layer = Layer(heads=(one,), skip=False, layernorm="post", ln=LayerNorm(eps=0))
        x = hp.asarray(x0[trial])
        for _ in range(depth):
            x = attention_layer(x, layer, backend=hp)
        check = _collapse_ratio(x, hp)
        return Outcome(
            bool(check > 0.1),
            f"example {trial}: after {depth} layers the collapse ratio is "
            f"{hp.ctx.nstr(check, 3)} with post-LayerNorm (residual rank {rank}) and "
            f"{without[trial]:.2g} without it, same weights",
            {
                "example": trial,
                "with_layernorm": hp.ctx.nstr(check, 4),
                "without_layernorm": f"{without[trial]:.3g}",
                "residual_rank": rank,
                "W_V_diagonal": [int(v) for v in np.diag(WV[trial])],
            },
        )
    return Outcome(False, f"no example found in {tries} seeded tries", {"tries": tries})


LAYERNORM_KEEPS_RANK = Experiment(
    key="wu24.layernorm-keeps-rank",
    title="With LayerNorm, attention need not collapse",
    citation=Citation(PAPER, SEED + "; the paper constructs equilibria of every rank"),
    provenance=Provenance.RECONSTRUCTED,
    claim="With LayerNorm and suitable value matrices, pure self-attention does not converge "
    "to a rank-one subspace, where the same weights without LayerNorm do.",
    criterion="a seeded search (1500 tries, n=d=4, W_V diagonal +-1, 200 layers) finds weights "
    "whose post-LayerNorm dynamics keep a collapse ratio > 0.1 and residual rank >= 2 (checked "
    "again at high precision) while without LayerNorm the ratio falls below 1e-12",
    run=_layernorm_keeps_rank,
)

EXPERIMENTS = (CAUSAL_COLLAPSE, LOCAL_SLOWER, LAYERNORM_KEEPS_RANK)

r"""Random self-attention networks with every weight entry bounded by η.

Directions are drawn once per (study, seed, case) from their own stream
(``SeedSequence(seed, spawn_key=...)``) and scaled by η afterwards, so one random
family of networks is followed across the whole η grid, and a task draws the same
network whichever worker runs it.

>>> X, W = directions(0, "demo", (1,), n=3, d=2, layers=2, heads=1)
>>> inst = at_entry_bound(X, W, 0.5)
>>> inst["M"].shape, inst["V"].shape, float(abs(inst["V"]).max())
((2, 1, 2, 2), (2, 1, 2, 2), 0.5)
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["at_entry_bound", "directions", "rng_for"]


def rng_for(seed: int, key: str, case: Sequence[int]) -> np.random.Generator:
    """The random stream of one case of a study: a function of the seed, the study's
    key and the case's integers only."""
    spawn_key = (zlib.crc32(key.encode()), *(int(c) for c in case))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=spawn_key))


def directions(
    seed: int, key: str, case: Sequence[int], *, n: int, d: int, layers: int, heads: int
) -> tuple[np.ndarray, np.ndarray]:
    r"""An input ``X`` (entries uniform in [−1, 1]) and weight directions
    ``W[k, l, h]`` for :math:`k \in \{Q, K, V\}`, each matrix rescaled so that its
    largest entry is exactly 1 in absolute value."""
    rng = rng_for(seed, key, case)
    X = rng.uniform(-1.0, 1.0, (n, d))
    W = rng.uniform(-1.0, 1.0, (3, layers, heads, d, d))
    W /= np.max(np.abs(W), axis=(-2, -1), keepdims=True)  # x / x is exactly 1
    return X, W


def at_entry_bound(X: np.ndarray, W: np.ndarray, eta: float) -> dict[str, Any]:
    r"""The network with weights ``eta * W`` in the catalogue's network form.

    :math:`W_Q, W_K, W_V` have largest entry ``eta``; the logit matrices are
    :math:`M = W_Q W_K^\top / \sqrt{d}` (so the instance's own ``beta`` is 1) and the
    value matrices :math:`V = W_V`.  Sizes ``n, d, H, L`` and ``ell = L - 1`` come
    along for the lemmas that name them.
    """
    n, d = X.shape
    WQ, WK, WV = W * eta
    M = WQ @ np.swapaxes(WK, -1, -2) / math.sqrt(d)
    layers, heads = WV.shape[:2]
    return {
        "n": n,
        "d": d,
        "H": heads,
        "L": layers,
        "ell": layers - 1,
        "X": X,
        "M": M,
        "V": WV,
        "beta": 1,
    }

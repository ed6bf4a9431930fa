"""The float64 backend's fused head gives the generic head's bits.

:meth:`Float64Backend.fused_head` skips the generic path's dispatch for speed; it must
do the very same operations in the same order: equal bits for batches of heads, logit
scales ``beta`` of 1, a number, or one per batch row, and logits large enough to
underflow most weights.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from symbound.numeric import Head, attention_head
from symbound.numeric.backends import Float64Backend


class _Generic(Float64Backend):
    """float64 without the fused head: the generic path."""

    fused_head = None


@settings(max_examples=150, deadline=None)
@given(
    batch=st.integers(0, 3),
    n=st.integers(1, 5),
    d=st.integers(1, 4),
    beta=st.sampled_from(["one", "number", "rows"]),
    scale=st.sampled_from([1.0, 30.0, 1e3]),
    seed=st.integers(0, 2**32 - 1),
)
def test_fused_head_has_the_generic_bits(batch, n, d, beta, scale, seed):
    rng = np.random.default_rng(seed)
    lead = (batch,) if batch else ()
    x = rng.standard_normal((*lead, n, d)) * scale
    head = Head(
        W_Q=rng.standard_normal((*lead, d, d)),
        W_K=rng.standard_normal((*lead, d, d)),
        W_V=rng.standard_normal((*lead, d, d)),
    )
    b = {"one": 1, "number": float(rng.uniform(0.1, 3)), "rows": rng.uniform(0.1, 3, lead)}[beta]
    with np.errstate(all="ignore"):
        fused = attention_head(x, head, beta=b, backend=Float64Backend())
        generic = attention_head(x, head, beta=b, backend=_Generic())
    assert fused.shape == generic.shape
    assert fused.tobytes() == generic.tobytes()

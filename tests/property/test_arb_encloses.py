"""The Arb backend's balls contain the mpmath backend's values, for the whole numeric core.

mpmath runs at 120 digits, Arb at 200 bits (~60 digits), so the mpmath value is an
approximation far more accurate than the ball is wide: it must lie in the ball
(enlarged by mpmath's own error, 1e-110 relative).  The balls must also be narrow
(40 digits at least), so that an infinite or useless ball cannot pass.  Covered:
norms, Res (both centrings), softmax with and without masks, heads with biases and
W_O, layers with and without skip, causal and local masks, LayerNorm pre and post,
whole networks.
"""

from __future__ import annotations

import flint
import mpmath
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from symbound.numeric import (
    ArbBackend,
    Head,
    Layer,
    LayerNorm,
    MpmathBackend,
    causal_mask,
    col_sum_norm,
    composite_norm,
    frobenius_norm,
    local_mask,
    max_norm,
    network,
    res,
    res_norm,
    row_sum_norm,
    softmax,
)

MP = MpmathBackend(dps=120)
ARB = ArbBackend(prec=200)
_MP_ERR = mpmath.mpf(10) ** -110


def _point(v) -> flint.arb:
    """The mpmath value ``v`` as an Arb ball of radius 1e-110 max(1, |v|) (its own error)."""
    # no mpmath.mpf(v): that would round to the global 53 bits
    sign, man, exp, _ = v._mpf_ if v else (0, 0, 0, 0)
    man = -int(man) if sign else int(man)
    rad = float(_MP_ERR * max(1, abs(float(v)) * 2))
    with flint.ctx.workprec(max(64, int(man).bit_length() + 8)):  # exact midpoint
        return flint.arb(flint.arf((man, int(exp))), rad)


def assert_encloses(balls, values, *, digits=40):
    balls = np.asarray(balls, dtype=object).ravel().tolist()
    values = np.asarray(values, dtype=object).ravel().tolist()
    assert len(balls) == len(values)
    for ball, v in zip(balls, values, strict=True):
        assert isinstance(ball, flint.arb) and ball.is_finite(), ball
        assert ball.overlaps(_point(v)), (ball, mpmath.nstr(v, 30))
        assert float(ball.rad()) <= 10.0**-digits * max(1.0, abs(float(ball.mid()))), ball


def _matrix(draw, n, d, scale):
    flat = draw(st.lists(st.floats(-scale, scale), min_size=n * d, max_size=n * d))
    return np.array(flat, dtype=float).reshape(n, d)


@st.composite
def networks(draw):
    n = draw(st.integers(2, 5))
    d = draw(st.integers(1, 3))
    depth = draw(st.integers(1, 3))
    x = _matrix(draw, n, d, 3.0)
    layers = []
    for _ in range(depth):
        heads = []
        for _ in range(draw(st.integers(1, 2))):
            w = [_matrix(draw, d, d, 1.0) for _ in range(3)]
            with_out = draw(st.booleans())
            with_bias = draw(st.booleans())
            heads.append(
                Head(
                    W_Q=w[0],
                    W_K=w[1],
                    W_V=w[2],
                    W_O=_matrix(draw, d, d, 1.0) if with_out else None,
                    b_Q=_matrix(draw, 1, d, 1.0)[0] if with_bias else None,
                    b_V=_matrix(draw, 1, d, 1.0)[0] if with_bias else None,
                )
            )
        mask = draw(st.sampled_from([None, "causal", "local"]))
        mask = {None: None, "causal": causal_mask(n), "local": local_mask(n, 1)}[mask]
        layers.append(
            Layer(
                heads=tuple(heads),
                beta=draw(st.sampled_from([1, 2, 0.5])),
                skip=draw(st.booleans()),
                mask=mask,
                layernorm=draw(st.sampled_from([None, "pre", "post"])),
                ln=LayerNorm(weight=_matrix(draw, 1, d, 2.0)[0], bias=None, eps="1e-5"),
            )
        )
    return x, layers


@settings(max_examples=40, deadline=None)
@given(networks())
def test_network_states_lie_in_the_arb_balls(case):
    x, layers = case
    hp = network(x, layers, backend=MP)
    balls = network(x, layers, backend=ARB)
    assert len(hp) == len(balls) == len(layers) + 1
    for state_hp, state_arb in zip(hp, balls, strict=True):
        assert_encloses(state_arb, state_hp, digits=30)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.data())
def test_norms_res_and_softmax_lie_in_the_arb_balls(n, d, data):
    x = _matrix(data.draw, n, d, 50.0)
    for norm in (max_norm, row_sum_norm, col_sum_norm, composite_norm, frobenius_norm):
        assert_encloses([norm(x, backend=ARB)], [norm(x, backend=MP)])
    for center in ("midpoint", "mean"):
        assert_encloses(res(x, center=center, backend=ARB), res(x, center=center, backend=MP))
        assert_encloses(
            [res_norm(x, center=center, backend=ARB)], [res_norm(x, center=center, backend=MP)]
        )
    s = _matrix(data.draw, n, n, 200.0)  # logits up to 200 apart: tiny weights stay covered
    for mask in (None, causal_mask(n), local_mask(n, 1)):
        assert_encloses(softmax(s, mask=mask, backend=ARB), softmax(s, mask=mask, backend=MP))


def test_a_wrong_value_is_not_enclosed():
    """The check can fail: a value off by 1e-50 is outside a 60-digit ball."""
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    ball = res(x, backend=ARB)
    value = res(x, backend=MP)
    with mpmath.workdps(120):
        shifted = value.copy()
        shifted[0, 0] = mpmath.mpf(shifted[0, 0]) + mpmath.mpf(10) ** -50
    assert_encloses(ball, value)
    try:
        assert_encloses(ball, shifted)
    except AssertionError:
        return
    raise AssertionError("a value 1e-50 away was accepted")

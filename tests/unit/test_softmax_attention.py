"""Softmax with masks, heads, layers, LayerNorm and networks on hand-computed cases."""

import itertools
import math

import numpy as np
import pytest

from symbound.errors import UsageError
from symbound.numeric import (
    ExactBackend,
    Head,
    Layer,
    LayerNorm,
    MpmathBackend,
    attention_head,
    attention_layer,
    attention_matrix,
    causal_mask,
    layer_norm,
    local_mask,
    network,
    softmax,
)

HP = MpmathBackend(dps=50)


def test_softmax_hand_computed():
    p = softmax(np.array([[0.0, math.log(3.0)]]))
    assert p == pytest.approx(np.array([[0.25, 0.75]]))


@pytest.mark.parametrize("scale", [1e3, 1e6, -1e6])
def test_softmax_is_stable_for_huge_logits(scale):
    s = np.array([[scale, scale - 1.0, scale - 2.0, scale - 2e6]])
    p = softmax(s)
    e = np.exp([0.0, -1.0, -2.0])
    assert np.all(np.isfinite(p))
    assert p[0, :3] == pytest.approx(e / e.sum())


def test_softmax_huge_logits_at_high_precision_keep_every_digit():
    # the shift is formed exactly, so 1e6 - 1 vs 1e6 costs no accuracy
    p = softmax(HP.asarray([[10**6, 10**6 - 1]]), backend=HP)
    expected = 1 / (1 + HP.ctx.e)
    assert abs(p[0, 1] - expected) < HP.ctx.mpf(10) ** -48


def test_masks_by_hand():
    assert causal_mask(3).tolist() == [
        [True, False, False],
        [True, True, False],
        [True, True, True],
    ]
    assert local_mask(4, 1).sum() == 10
    assert local_mask(4, 0).tolist() == np.eye(4, dtype=bool).tolist()
    assert local_mask(3, 1, causal=True).tolist() == [
        [True, False, False],
        [True, True, False],
        [False, True, True],
    ]


def test_masked_probabilities_are_exactly_zero_on_every_backend():
    s = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    mask = causal_mask(3)
    p = softmax(HP.asarray(s), mask=mask, backend=HP)
    assert p[0, 1] == 0 and p[0, 2] == 0 and p[1, 2] == 0
    assert p[0, 0] == 1
    assert abs(p[1, 0] - 1 / (1 + HP.ctx.e)) < HP.ctx.mpf(10) ** -48
    pf = softmax(np.array(s, dtype=float), mask=mask)
    assert pf[0].tolist() == [1.0, 0.0, 0.0]


def test_arbitrary_boolean_mask_and_masked_huge_logits():
    s = np.array([[0.0, 1e300, 1.0]])
    p = softmax(s, mask=np.array([[True, False, True]]))
    assert p == pytest.approx(np.array([[1 / (1 + math.e), 0.0, math.e / (1 + math.e)]]))


def test_mask_errors_are_one_line_and_say_what_to_do():
    with pytest.raises(UsageError, match=r"mask row \(1,\) allows no position"):
        softmax(np.zeros((2, 2)), mask=np.array([[True, True], [False, False]]))
    with pytest.raises(UsageError, match="does not fit logits"):
        softmax(np.zeros((2, 2)), mask=np.ones((3, 3), dtype=bool))
    with pytest.raises(UsageError, match="w must be an integer >= 0"):
        local_mask(3, -1)


def test_uniform_attention_averages_rows():
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 9.0]])
    h = Head(W_Q=np.zeros((2, 2)), W_K=np.zeros((2, 2)), W_V=np.eye(2))
    out = attention_head(X, h)
    assert out == pytest.approx(np.tile(X.mean(axis=0), (3, 1)))


def test_head_with_output_projection_and_beta():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 3))
    WQ, WK, WV, WO = (rng.standard_normal((3, 3)) for _ in range(4))
    h = Head(W_Q=WQ, W_K=WK, W_V=WV, W_O=WO)
    P = attention_matrix(X, h, beta=2.5)
    logits = (X @ WQ) @ (X @ WK).T / 2.5
    ref = np.exp(logits - logits.max(axis=1, keepdims=True))
    ref /= ref.sum(axis=1, keepdims=True)
    assert P == pytest.approx(ref)
    assert attention_head(X, h, beta=2.5) == pytest.approx(ref @ X @ WV @ WO)


def test_layer_skip_switch_heads_are_summed():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5, 2))
    heads = tuple(Head(*(rng.standard_normal((2, 2)) for _ in range(3))) for _ in range(2))
    total = sum(attention_head(X, h) for h in heads)
    assert attention_layer(X, Layer(heads=heads)) == pytest.approx(X + total)
    assert attention_layer(X, Layer(heads=heads, skip=False)) == pytest.approx(total)


def test_layernorm_pre_and_post():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((4, 3)) * 3 + 1
    ln = LayerNorm(weight=np.array([1.0, 2.0, 3.0]), bias=np.array([0.5, 0.0, -0.5]), eps=0)
    y = layer_norm(X, ln)
    centred = X - X.mean(axis=1, keepdims=True)
    ref = centred / np.sqrt((centred**2).mean(axis=1, keepdims=True)) * ln.weight + ln.bias
    assert y == pytest.approx(ref)
    h = Head(*(rng.standard_normal((3, 3)) for _ in range(3)))
    pre = attention_layer(X, Layer(heads=(h,), layernorm="pre", ln=ln))
    assert pre == pytest.approx(X + attention_head(layer_norm(X, ln), h))
    post = attention_layer(X, Layer(heads=(h,), layernorm="post", ln=ln))
    assert post == pytest.approx(layer_norm(X + attention_head(X, h), ln))


def test_network_returns_every_state():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((3, 2))
    layers = [Layer(heads=(Head(*(rng.standard_normal((2, 2)) / 3 for _ in range(3))),))] * 4
    states = network(X, layers)
    assert len(states) == 5
    assert states[0] == pytest.approx(X)
    assert states[2] == pytest.approx(attention_layer(states[1], layers[1]))


def test_bad_shapes_and_options_are_refused():
    with pytest.raises(UsageError, match="head weights must be"):
        Head(W_Q=np.zeros((2, 3)), W_K=np.zeros((2, 2)), W_V=np.zeros((2, 2)))
    with pytest.raises(UsageError, match="layernorm must be None, 'pre' or 'post'"):
        Layer(heads=(Head(np.eye(2), np.eye(2), np.eye(2)),), layernorm="middle")
    with pytest.raises(UsageError, match="at least one head"):
        Layer(heads=())


def test_exact_backend_evaluates_uniform_attention_exactly_and_refuses_exp():
    E = ExactBackend()
    with pytest.raises(Exception, match="exp is not rational"):
        softmax(E.asarray([[0, 1]]), backend=E)


def _generic_head(x, W_Q, W_K, W_V, beta):
    """The generic path, the float64 backend's fused head turned off."""
    from symbound.numeric.attention import Head, attention_head
    from symbound.numeric.backends import Float64Backend

    class Generic(Float64Backend):
        fused_head = None

    return attention_head(x, Head(W_Q=W_Q, W_K=W_K, W_V=W_V), beta=beta, backend=Generic())


def test_float64_fused_head_gives_the_generic_bits():
    """The float64 head in raw NumPy is the generic path's operations in its order:
    the same bits, batched or not, for any beta (a search relies on it: same files)."""
    from symbound.numeric.attention import Head, attention_head

    rng = np.random.default_rng(5)
    rows = rng.uniform(0.1, 3, 7)  # one beta per batch row (a typed claim's beta)
    cases = [((), 1), ((), 3), ((7,), 1), ((7,), 0.5), ((2, 3), 2.0), ((7,), rows)]
    for (batch, beta), scale in itertools.product(cases, (0.3, 7, 1e3)):  # 1e3: underflows
        x = rng.standard_normal((*batch, 5, 4)) * scale
        W_Q, W_K = rng.standard_normal((2, *batch, 4, 2)) * 3
        W_V = rng.standard_normal((*batch, 4, 3))
        fused = attention_head(x, Head(W_Q=W_Q, W_K=W_K, W_V=W_V), beta=beta)
        generic = _generic_head(x, W_Q, W_K, W_V, beta)
        assert fused.tobytes() == generic.tobytes()


def test_float64_fused_head_declines_what_it_does_not_do():
    from symbound.numeric.backends import Float64Backend

    b, x, w = Float64Backend(), np.ones((3, 2)), np.ones((2, 2))
    assert b.fused_head(x, w, w, w, 1, np.ones((3, 3), dtype=bool)) is None  # a mask
    assert b.fused_head(x.astype(object), w, w, w, 1, None) is None  # not float64
    assert b.fused_head(x, w, w, w, 1, None) is not None

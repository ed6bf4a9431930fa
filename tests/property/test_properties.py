"""Property tests: Res shift invariance, stochastic rows, backend agreement, exact kernels."""

from fractions import Fraction as F

import mpmath
import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from symbound.numeric import (
    ArbBackend,
    ExactBackend,
    Head,
    Layer,
    LayerNorm,
    MpmathBackend,
    attention_head,
    causal_mask,
    local_mask,
    network,
    res,
    softmax,
    to_fraction,
)

E = ExactBackend()
HP = MpmathBackend(dps=40)

rationals = st.fractions(min_value=-100, max_value=100, max_denominator=50)


@st.composite
def rational_matrices(draw, max_rows=6, max_cols=4):
    n = draw(st.integers(1, max_rows))
    d = draw(st.integers(1, max_cols))
    rows = draw(st.lists(st.lists(rationals, min_size=d, max_size=d), min_size=n, max_size=n))
    return rows


@given(rational_matrices(), st.data(), st.sampled_from(["midpoint", "mean"]))
def test_res_is_shift_invariant_exactly(rows, data, center):
    d = len(rows[0])
    shift = data.draw(st.lists(rationals, min_size=d, max_size=d))
    X = E.asarray(rows)
    shifted = X + E.asarray(shift)[None, :]
    assert (res(shifted, center=center, backend=E) == res(X, center=center, backend=E)).all()


@given(rational_matrices())
def test_midpoint_res_is_the_minimiser(rows):
    X = E.asarray(rows)
    best = np.max(np.abs(res(X, backend=E)))
    for y in (np.mean(X, axis=0), X[0], np.zeros(X.shape[1], dtype=object) + F(1, 3)):
        assert best <= np.max(np.abs(X - y[None, :]))


finite_logits = arrays(
    np.float64,
    st.tuples(st.integers(1, 6), st.integers(1, 7)),
    elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)


@given(finite_logits)
@example(np.array([[1e6, -1e6, 0.0]]))
def test_softmax_rows_are_probability_vectors(s):
    p = softmax(s)
    assert np.all(p >= 0)
    assert np.allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-12)


@given(finite_logits, st.integers(0, 3))
def test_masked_softmax_rows_sum_to_one_with_zeros_where_masked(s, w):
    n, m = s.shape
    mask = local_mask(max(n, m), w)[:n, :m] | np.eye(n, m, dtype=bool)
    mask[:, 0] |= ~mask.any(axis=1)
    p = softmax(s, mask=mask)
    assert np.all(p[~mask] == 0)
    assert np.allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-12)


@given(arrays(np.float64, (3, 5), elements=st.floats(-50, 50)))
def test_high_precision_rows_sum_to_one_to_all_digits(s):
    p = softmax(s, backend=HP)
    for row in p:
        assert abs(HP.ctx.fsum(row) - 1) < HP.ctx.mpf(10) ** -38


@st.composite
def small_networks(draw):
    n = draw(st.integers(2, 6))
    d = draw(st.integers(1, 4))
    heads = draw(st.integers(1, 2))
    depth = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    options = draw(
        st.fixed_dictionaries(
            {
                "skip": st.booleans(),
                "layernorm": st.sampled_from([None, "pre", "post"]),
                "masked": st.booleans(),
                "beta": st.sampled_from([1, 2, F(1, 2)]),
            }
        )
    )
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    layers = []
    for _ in range(depth):
        hs = tuple(
            Head(
                W_Q=rng.standard_normal((d, d)) / 2,
                W_K=rng.standard_normal((d, d)) / 2,
                W_V=rng.standard_normal((d, d)) / 2,
                W_O=rng.standard_normal((d, d)) / 2 if seed % 2 else None,
            )
            for _ in range(heads)
        )
        layers.append(
            Layer(
                heads=hs,
                beta=options["beta"],
                skip=options["skip"],
                mask=causal_mask(n) if options["masked"] else None,
                layernorm=options["layernorm"] if d > 1 else None,
                ln=LayerNorm(eps="1/10"),
            )
        )
    return X, layers


@given(small_networks())
def test_float64_and_mpmath_agree_to_float64_accuracy(net):
    X, layers = net
    fl = network(X, layers)
    hp = network(X, layers, backend=HP)
    for a, b in zip(fl, hp, strict=True):
        b = HP.to_float(b)
        scale = max(1.0, float(np.max(np.abs(b))))
        assert np.max(np.abs(a - b)) <= 1e-11 * scale


@given(small_networks())
def test_every_mpmath_value_lies_in_the_arb_ball(net):
    X, layers = net
    layer = layers[0]
    arb = ArbBackend(prec=200)
    h = layer.heads[0]
    ball = attention_head(X, h, beta=layer.beta, mask=layer.mask, backend=arb)
    hp = attention_head(X, h, beta=layer.beta, mask=layer.mask, backend=HP)
    for b, v in zip(ball.ravel(), hp.ravel(), strict=True):
        assert b.rad() < 1e-40
        assert abs(float((b - arb.number(to_fraction(v))).mid())) <= float(b.rad()) + 1e-38


@given(
    st.lists(st.lists(st.floats(-1e3, 1e3), min_size=4, max_size=4), min_size=3, max_size=3),
    st.lists(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=2), min_size=4, max_size=4),
)
def test_fixed_point_matmul_matches_mpmath_matrix(a, b):
    with mpmath.workdps(40):
        ref = mpmath.matrix(a) * mpmath.matrix(b)
        got = HP.matmul(HP.asarray(a), HP.asarray(b))
        for i in range(3):
            for j in range(2):
                scale = sum(abs(a[i][k] * b[k][j]) for k in range(4)) + 1e-300
                assert abs(got[i, j] - ref[i, j]) <= scale * mpmath.mpf(10) ** -38


@st.composite
def attention_rows(draw):
    n = draw(st.integers(1, 4))
    m = draw(st.integers(1, 6))
    d = draw(st.integers(1, 3))
    spread = draw(st.sampled_from([1.0, 50.0, 1e3, 1e6]))
    logits = draw(arrays(np.float64, (n, m), elements=st.floats(-1, 1).map(lambda x: x * spread)))
    values = draw(arrays(np.float64, (m, d), elements=st.floats(-10, 10)))
    mask = draw(arrays(np.bool_, (n, m), elements=st.booleans()))
    mask[:, 0] = True
    return logits, values, mask


def reference_softmax_matmul(logits, values, mask, dps):
    with mpmath.workdps(dps):
        out = []
        for row, ok in zip(logits.tolist(), mask.tolist(), strict=True):
            allowed = [mpmath.mpf(x) for x, a in zip(row, ok, strict=True) if a]
            top = max(allowed)
            e = [
                mpmath.exp(mpmath.mpf(x) - top) if a else mpmath.mpf(0)
                for x, a in zip(row, ok, strict=True)
            ]
            total = mpmath.fsum(e)
            out.append(
                [
                    mpmath.fsum(
                        w * mpmath.mpf(v[c]) for w, v in zip(e, values.tolist(), strict=True)
                    )
                    / total
                    for c in range(values.shape[1])
                ]
            )
            out[-1] = [
                (
                    x,
                    mpmath.fsum(
                        abs(w * mpmath.mpf(v[c])) for w, v in zip(e, values.tolist(), strict=True)
                    )
                    / total,
                )
                for c, x in enumerate(out[-1])
            ]
        return out


@given(attention_rows())
@example(
    (
        np.array([[0.0, -60.0]]),
        np.array([[-8.75651076269652e-27], [1.0]]),
        np.ones((1, 2), dtype=bool),
    )
)
def test_fused_softmax_matmul_is_accurate_to_the_working_precision(case):
    from symbound.numeric.softmax import softmax_matmul

    logits, values, mask = case
    got = softmax_matmul(logits, values, mask=mask, backend=HP)
    ref = reference_softmax_matmul(logits, values, mask, 120)
    with mpmath.workdps(120):
        for i, row in enumerate(ref):
            for c, (exact, scale) in enumerate(row):
                err = abs(mpmath.mpf(got[i, c]) - exact)
                # one rounding of the result, plus working-precision noise in the weights
                assert err <= abs(exact) * mpmath.mpf(2) ** (1 - HP.prec) + scale * mpmath.mpf(
                    2
                ) ** (-HP.prec - 20)

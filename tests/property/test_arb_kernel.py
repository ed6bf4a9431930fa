"""The compiled Arb head (symbound/numeric/backends/_arbkernel.c) encloses the exact head output.

Each case is checked three ways: the compiled ball contains mpmath's value at twice
the digits (enlarged by mpmath's own error), it overlaps the python-flint path's ball
(``ArbBackend(compiled=False)``), and it is narrow (within 2^-(prec - 24) of the
output's scale), so that a wide or infinite ball cannot pass.  Inputs span many
binary orders (zeros, 1e-30 beside 1e3), masks and softmax temperatures vary, and
logits reach 1e4 (weights e^-10000 beside 1).
"""

from __future__ import annotations

import flint
import mpmath
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from symbound.numeric import ArbBackend, Head, MpmathBackend, attention_head
from symbound.numeric.backends import arb as arb_module

pytestmark = pytest.mark.skipif(arb_module.COMPILED is None, reason="kernel not built")


def _point(v, digits) -> flint.arb:
    """The mpmath value ``v`` as a ball of radius 10^-(digits - 5) max(1, |v|)."""
    sign, man, exp, _ = v._mpf_ if v else (0, 0, 0, 0)
    man = -int(man) if sign else int(man)
    rad = float(mpmath.mpf(10) ** -(digits - 5) * max(1, abs(float(v))))
    with flint.ctx.workprec(max(64, int(man).bit_length() + 8)):
        return flint.arb(flint.arf((man, int(exp))), rad)


_ENTRY = st.one_of(
    st.floats(-3.0, 3.0),
    st.sampled_from([0.0, 1e-30, -2.5e-17, 1e3, -7.0, 2.0**-60]),
)


@st.composite
def heads(draw):
    n, m, k, v = (draw(st.integers(1, b)) for b in (7, 4, 4, 4))

    def matrix(rows, cols):
        return np.array(draw(st.lists(_ENTRY, min_size=rows * cols, max_size=rows * cols)))

    x = matrix(n, m).reshape(n, m)
    w = [matrix(m, c).reshape(m, c) for c in (k, k, v)]
    mask = None
    if draw(st.booleans()):
        mask = np.array(draw(st.lists(st.booleans(), min_size=n * n, max_size=n * n)))
        mask = mask.reshape(n, n)
        mask[np.arange(n), draw(st.permutations(range(n)))] = True  # every row attends
    beta = draw(st.sampled_from([1, 0.5, 3.0, 1e-3, 16]))
    prec = draw(st.sampled_from([53, 128, 336]))
    return x, Head(W_Q=w[0], W_K=w[1], W_V=w[2]), beta, mask, prec


def _logits_below(x, head, beta, bound=1e4) -> bool:
    """Whether every logit is at most ``bound`` in size (exp(1e6) takes mpmath long)."""
    m, k = head.W_Q.shape
    size = k * m * m * np.abs(x).max() ** 2 * np.abs(head.W_Q).max() * np.abs(head.W_K).max()
    return size / beta <= bound


@settings(max_examples=60, deadline=None)
@given(heads())
def test_the_compiled_head_encloses_the_exact_output(case):
    x, head, beta, mask, prec = case
    assume(_logits_below(x, head, beta))
    compiled = attention_head(x, head, beta=beta, mask=mask, backend=ArbBackend(prec=prec))
    python = attention_head(
        x, head, beta=beta, mask=mask, backend=ArbBackend(prec=prec, compiled=False)
    )
    digits = 2 * int(prec * 0.30103) + 20
    exact = attention_head(x, head, beta=beta, mask=mask, backend=MpmathBackend(dps=digits))
    scale = max(1.0, float(np.abs(x @ head.W_V).max()))
    for ball, other, value in zip(compiled.ravel(), python.ravel(), exact.ravel(), strict=True):
        assert isinstance(ball, flint.arb) and ball.is_finite(), ball
        assert ball.overlaps(_point(value, digits)), (ball, mpmath.nstr(value, 30))
        assert ball.overlaps(other), (ball, other)
        assert float(ball.rad()) <= 2.0 ** -(prec - 24) * scale, (ball, prec)


def test_a_wrong_output_is_not_enclosed():
    """The check can fail: the compiled ball excludes a value moved by 1e-60."""
    x = np.array([[0.5, -1.0], [2.0, 0.25], [-1.5, 1.0]])
    head = Head(W_Q=np.eye(2), W_K=np.array([[0.5, 1], [0, 2]]), W_V=np.array([[1, 2], [3, -4.0]]))
    ball = attention_head(x, head, backend=ArbBackend(prec=336))[1, 1]
    value = attention_head(x, head, backend=MpmathBackend(dps=200))[1, 1]
    assert ball.overlaps(_point(value, 200))
    with mpmath.workdps(200):
        moved = mpmath.mpf(value) + mpmath.mpf(10) ** -60
    assert not ball.overlaps(_point(moved, 200))


def test_the_kernel_checks_its_buffers():
    from symbound.numeric.backends import _arbkernel

    x = np.ones((2, 2))
    with pytest.raises(ValueError, match="expected 4 float64"):
        _arbkernel.head(np.ones(3), x, x, x, 2, 2, 2, 2, 1.0, None, 64)
    with pytest.raises(ValueError, match="finite"):
        _arbkernel.head(np.array([[1.0, np.nan], [0, 0]]), x, x, x, 2, 2, 2, 2, 1.0, None, 64)
    with pytest.raises(ValueError, match="mask"):
        _arbkernel.head(x, x, x, x, 2, 2, 2, 2, 1.0, b"\x01", 64)
    with pytest.raises(ValueError, match="sizes"):
        _arbkernel.head(x, x, x, x, 2, 2, 2, 2, -1.0, None, 64)
    # a row with nothing to attend to: no softmax, the caller takes the general path
    assert _arbkernel.head(x, x, x, x, 2, 2, 2, 2, 1.0, b"\x01\x01\x00\x00", 64) is None
    # logits beyond 2^40 (exp(1e13)): the general path too, which still encloses them
    huge = np.array([[1e6, 0.0], [0.0, 1.0]])
    assert _arbkernel.head(huge, huge, x, x, 2, 2, 2, 2, 1.0, None, 64) is None
    out = attention_head(huge, Head(W_Q=huge, W_K=x, W_V=x), backend=ArbBackend(prec=64))
    # every token attends to token 0 (logits 1e18 and 1e6 against 1e12 and 1): V_0 = 1e6
    assert all(b.is_finite() and b.overlaps(flint.arb(10**6)) for b in out.ravel())
    assert all(float(b.rad()) < 1e-6 for b in out.ravel())


def test_inputs_not_for_the_kernel_take_the_python_flint_path():
    """Integers beyond 2^53, rational temperatures: the same enclosures, by python-flint."""
    from fractions import Fraction

    big = np.array([[2**60 + 1, 1], [0, 1]], dtype=np.int64)
    head = Head(W_Q=np.eye(2) * 2.0**-120, W_K=np.eye(2), W_V=np.eye(2))  # logits ~ 1
    arb = ArbBackend(prec=128)
    assert arb._compiled_head(big, head.W_Q, head.W_K, head.W_V, 1, None) is None
    eye = np.eye(2)
    assert arb._compiled_head(eye, eye, eye, eye, Fraction(1, 3), None) is None
    exact = attention_head(big, head, backend=MpmathBackend(dps=80))
    out = attention_head(big, head, backend=arb)
    for ball, value in zip(out.ravel(), exact.ravel(), strict=True):
        assert ball.overlaps(_point(value, 80))
        assert float(ball.rad()) < 1e-30 * max(1.0, abs(float(ball.mid())))


def _exact_product(a, b, r, s, t):
    return [sum(a[i * s + j] * b[j * t + c] for j in range(s)) for i in range(r) for c in range(t)]


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(1, 30),
    st.integers(1, 18),
    st.sampled_from([1, 23, 24, 25, 63, 64, 65, 130, 700]),
    st.randoms(use_true_random=False),
)
def test_the_kernel_multiplies_integer_matrices_exactly(r, s, t, bits, rnd):
    """The products behind the logits and weighted sums (signed digit planes, carried into
    limbs) against Python's exact integers: mixed signs and sizes, zeros, and all-extreme
    entries (every digit at its largest, every product of one sign)."""
    from symbound.numeric.backends import _arbkernel

    def entry():
        x = rnd.getrandbits(rnd.randint(0, bits))
        return -x if rnd.random() < 0.5 else x

    a = [entry() for _ in range(r * s)]
    b = [entry() for _ in range(s * t)]
    assert _arbkernel.matmul(a, b, r, s, t) == _exact_product(a, b, r, s, t)
    top = 2**bits - 1
    a, b = [-top] * (r * s), [top] * (s * t)
    assert _arbkernel.matmul(a, b, r, s, t) == _exact_product(a, b, r, s, t)


def test_long_sums_of_wide_entries_stay_exact():
    """Enough terms of enough digits that a 64-bit lane would overflow if not emptied into
    its 128-bit total in time (2^15 digit products a lane): 700 terms of 100 digits."""
    from symbound.numeric.backends import _arbkernel

    top = 2**2400 - 1
    for a, b in (([-top] * 1400, [top] * 2100), ([top] * 1400, [top] * 2100)):
        assert _arbkernel.matmul(a, b, 2, 700, 3) == _exact_product(a, b, 2, 700, 3)
    with pytest.raises(TypeError, match="ints"):
        _arbkernel.matmul([1.5], [1], 1, 1, 1)
    with pytest.raises(ValueError, match="lists"):
        _arbkernel.matmul([1, 2], [1], 1, 1, 1)


def test_the_kernel_reports_its_phases():
    """The benchmark's breakdown: wall time of each phase of the last head."""
    from symbound.numeric.backends import _arbkernel

    x = np.eye(3)
    assert _arbkernel.head(x, x, x, x, 3, 3, 3, 3, 1.0, None, 128) is not None
    phases = _arbkernel.phases()
    assert list(phases) == [
        "inputs",
        "logits and values",
        "exp",
        "weighted sums",
        "division",
        "output",
    ]
    assert all(t >= 0 for t in phases.values()) and sum(phases.values()) > 0

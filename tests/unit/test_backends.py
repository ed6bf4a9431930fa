"""Backends: scoped precision, exact kernels, ball semantics, expression evaluation."""

import random
from fractions import Fraction as F

import flint
import mpmath
import numpy as np
import pytest
import sympy as sp
from mpmath.libmp import from_man_exp, mpf_exp, round_nearest

from symbound.errors import InvalidLemmaError, NotExactError, UsageError
from symbound.notation import eps, g, n, t
from symbound.numeric import (
    ArbBackend,
    ExactBackend,
    Float64Backend,
    MpmathBackend,
    compile_expr,
    get_backend,
    to_fraction,
)
from symbound.numeric.backends._fixedpoint import (
    int_matmul,
    mpf_exp_array,
    mpf_matmul,
    mpf_softmax_matmul,
    round_raw,
)


def test_precision_is_never_a_mutated_global():
    hp = MpmathBackend(dps=80)
    arb = ArbBackend(prec=300)
    x = hp.exp(hp.asarray([[1, 2]]))
    with arb.scope():
        assert flint.ctx.prec == 300
    ball = arb.exp(arb.number(1))
    assert (mpmath.mp.dps, mpmath.iv.prec, flint.ctx.prec) == (15, 53, 53)
    assert abs(x[0, 0] - hp.ctx.e) < hp.ctx.mpf(10) ** -78
    assert ball.rad() < 2.0**-290


def test_backend_options_are_validated():
    with pytest.raises(UsageError, match="dps must be a positive integer"):
        MpmathBackend(dps=0)
    with pytest.raises(UsageError, match="prec must be an integer number of bits"):
        ArbBackend(prec=1.5)
    with pytest.raises(UsageError, match="compiled must be True or False"):
        ArbBackend(compiled="yes")
    with pytest.raises(UsageError, match="unknown backend 'quad'"):
        get_backend("quad")


def test_conversions_are_exact():
    assert to_fraction(0.1) == F(3602879701896397, 36028797018963968)
    assert to_fraction("0.1") == F(1, 10)
    assert to_fraction(sp.Rational(2, 3)) == F(2, 3)
    hp = MpmathBackend(dps=30)
    assert to_fraction(hp.number(0.375)) == F(3, 8)
    with pytest.raises(ValueError, match="non-finite"):
        to_fraction(float("nan"))


def test_exact_backend_refuses_what_is_not_rational():
    E = ExactBackend()
    for op in (E.exp, E.expm1, E.log, E.sqrt, E.tanh):
        with pytest.raises(NotExactError, match="use the Arb backend"):
            op(E.number(1))


def test_arb_comparisons_are_true_only_when_certain():
    # the checker decides from ball endpoints through these predicates; pin them
    assert not (flint.arb(0, 1) > 0)
    assert not (flint.arb(0, 1) < 0)
    assert flint.arb(1, 0.5) > 0
    assert not (flint.arb(1, 1) > 0)


def test_arb_results_keep_the_working_precision():
    # python-flint's abs() and negation round to the *global* precision (53 bits)
    # unless run inside the backend's scope; every lemma quantity must stay narrow
    from symbound import load_catalogue
    from symbound.check.evaluate import convert_instance

    arb = ArbBackend(prec=233)
    lemma = load_catalogue()["as25.softmax-l1"]
    inst = {
        "n": 2,
        "t": F(2),
        "A": np.array([[F(0), F(1, 3)], [F(0), F(0)]], dtype=object),
        "Delta": np.array([[F(0), F(0)], [F(-2), F(2)]], dtype=object),
    }
    lhs = lemma.conclusion.lhs.evaluate(convert_instance(inst, arb), arb)
    assert lhs.rad() < 2.0**-220
    assert arb.abs(arb.number(F(-1, 3))).rad() < 2.0**-230


def test_arb_extrema_enclose_the_true_extremum():
    arb = ArbBackend(prec=64)
    x = np.array([flint.arb(1, 0.5), flint.arb(2), flint.arb(-3)], dtype=object)
    m = arb.max(x)
    assert m.contains(2) and not m.contains(3)
    assert arb.min(x).contains(-3)


def test_int_matmul_is_exact():
    r = random.Random(5)
    for rows, k, m, bits in [
        (32, 16, 32, 350),
        (5, 7, 3, 1000),
        (20, 20, 20, 20),
        (9, 40, 9, 3000),
    ]:
        A = [
            [r.getrandbits(r.randint(1, bits)) * r.choice((-1, 1)) for _ in range(k)]
            for _ in range(rows)
        ]
        B = [
            [r.getrandbits(r.randint(1, bits)) * r.choice((-1, 1)) for _ in range(m)]
            for _ in range(k)
        ]
        expected = np.array(A, dtype=object) @ np.array(B, dtype=object)
        assert (int_matmul(A, B) == expected).all()


def test_round_raw_matches_mpmath_rounding():
    r = random.Random(7)
    for _ in range(20000):
        man = r.getrandbits(r.randint(1, 200)) * r.choice((-1, 1))
        if r.random() < 0.2:
            k = r.randint(1, 60)
            man = (r.getrandbits(40) << k) | (1 << (k - 1))  # exact ties
        exp, prec = r.randint(-300, 300), r.randint(2, 120)
        assert round_raw(man, exp, prec) == from_man_exp(man, exp, prec, round_nearest)


def test_mpf_matmul_is_the_correctly_rounded_exact_product():
    ctx = mpmath.MPContext()
    ctx.prec = 120
    rng = np.random.default_rng(0)
    A = np.array([[ctx.mpf(v) for v in row] for row in rng.standard_normal((6, 5))], dtype=object)
    B = np.array(
        [[ctx.mpf(v) / 3 for v in row] for row in rng.standard_normal((5, 4))], dtype=object
    )
    C = mpf_matmul(A, B, 120, ctx.make_mpf)
    for i in range(6):
        for j in range(4):
            exact = sum(to_fraction(A[i, k]) * to_fraction(B[k, j]) for k in range(5))
            num, den = exact.numerator, exact.denominator
            expected = mpmath.libmp.from_rational(num, den, 120, round_nearest)
            assert C[i, j]._mpf_ == expected


def test_mpf_exp_array_is_within_one_ulp_of_mpmath():
    rng = np.random.default_rng(1)
    prec = 200
    ctx = mpmath.MPContext()
    ctx.prec = prec + 60
    values = [*(rng.standard_normal(300) * 30), 0.0, -745.5, 1e-30, 2.0**40, -(2.0**35), 700.25]
    raw = [mpmath.mpf(v)._mpf_ for v in values]
    got = mpf_exp_array(raw, prec)
    for x, y in zip(raw, got, strict=True):
        exact = ctx.exp(ctx.make_mpf(x))
        err = abs(ctx.make_mpf(y) - exact) / exact
        assert err <= ctx.mpf(2) ** (1 - prec)
        if mpf_exp(x, prec, round_nearest) != y:  # only ties-adjacent cases may differ
            assert err <= ctx.mpf(2) ** (1 - prec)


def test_mpf_softmax_matmul_with_huge_logit_gaps():
    """Weights from e^0 down to e^-1e8 (below any working scale: zero, without building
    the integers they would scale to) and near the edge of the working scale: each entry
    the correctly rounded softmax(s) v, from mpmath at twice the precision."""
    prec = 120
    ctx = mpmath.MPContext()
    ctx.prec = prec
    fine = mpmath.MPContext()
    fine.prec = 2 * prec + 64
    gaps = [0, -1, -80, -130, -(10**4), -(10**8)]  # e^-80: 115 bits down; e^-130: 188
    s = np.array([[ctx.mpf(v) for v in gaps], [ctx.mpf(-v) / 7 for v in gaps]], dtype=object)
    v = np.array([[ctx.mpf(1 + 3 * j), ctx.mpf(-j) / 5] for j in range(6)], dtype=object)
    out = mpf_softmax_matmul(s, v, None, prec, ctx.make_mpf)
    for i in range(2):
        logits = [fine.mpf(x) for x in s[i]]
        top = max(logits)
        w = [fine.exp(x - top) for x in logits]
        for j in range(2):
            exact = fine.fsum(wk * fine.mpf(v[k, j]) for k, wk in enumerate(w)) / fine.fsum(w)
            assert abs(fine.mpf(out[i, j]) - exact) <= abs(exact) * fine.mpf(2) ** (1 - prec)


def test_mpf_exp_array_shift_is_exact_for_huge_offsets():
    # x - c is formed exactly: rounding 10**9 + 1/4 - 10**9 to 40 digits first would
    # already be exact here, but the plain mpf subtraction path loses nothing either way;
    # what matters is that no digits of the small difference are lost to the offset
    hp = MpmathBackend(dps=40)
    x = hp.asarray([10**9 + F(1, 4), 10**12 - F(1, 8)])
    e = hp.exp_shifted(x, hp.asarray([10**9, 10**12]))
    assert abs(e[0] - hp.ctx.exp(hp.ctx.mpf(1) / 4)) < hp.ctx.mpf(10) ** -39
    assert abs(e[1] - hp.ctx.exp(-hp.ctx.mpf(1) / 8)) < hp.ctx.mpf(10) ** -39


def test_compile_expr_on_every_backend():
    expr = 2 * (1 - 1 / n) * eps + g(2 * t) - sp.tanh(t / 2) ** 2 + sp.sqrt(t)
    values = {"n": 3, "eps": F(1, 2), "t": F(1, 5)}
    f = compile_expr(expr)
    exact_part = compile_expr(2 * (1 - 1 / n) * eps)(values, ExactBackend())
    assert exact_part == F(2, 3)
    reference = float(expr.subs({n: 3, eps: sp.Rational(1, 2), t: sp.Rational(1, 5)}).evalf(30))
    assert float(f(values, Float64Backend())) == pytest.approx(reference, rel=1e-14)
    hp = MpmathBackend(dps=40)
    exact40 = expr.subs({n: 3, eps: sp.Rational(1, 2), t: sp.Rational(1, 5)}).evalf(45)
    assert abs(f(values, hp) - hp.number(str(exact40))) < hp.ctx.mpf(10) ** -38
    ball = f(values, ArbBackend(prec=200))
    assert ball.contains(flint.arb(str(exact40))) or ball.overlaps(flint.arb(str(exact40)))
    assert ball.rad() < 1e-55


def test_compile_expr_refuses_floats_and_unknown_functions():
    with pytest.raises(InvalidLemmaError, match="write exact constants"):
        compile_expr(sp.Float("0.5") * t)
    with pytest.raises(InvalidLemmaError, match="cannot evaluate sin"):
        compile_expr(sp.sin(t))


def test_integer_powers_of_balls_containing_zero_are_not_nan():
    ball = compile_expr(t**2)({"t": flint.arb(0, 1)}, ArbBackend(prec=64))
    assert ball.is_finite() and ball.contains(0) and ball.contains(1)

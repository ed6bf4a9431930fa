"""Fixed-point exp of a whole array of integers: the kernel behind the high-precision
softmax (:mod:`symbound.numeric.backends._fixedpoint`).

>>> mans, ks = _exp_fixed([1 << 100], 100)  # exp(1) with 100 working bits
>>> abs(mans[0] * 2.0 ** (ks[0] - 100) - 2.718281828459045) < 1e-15
True
"""

from __future__ import annotations

import functools
import math

import mpmath
import numpy as np

# -- exp of a whole array -------------------------------------------------------
#
# exp(x) = 2**k * exp(r), r = x - k ln 2 in [0, ln 2); then r is split into four
# 8-bit table indices and a remainder below 2**-32:
#     exp(r) = T1[k1] * T2[k2] * T3[k3] * T4[k4] * exp(r4),  T_j[k] = exp(k 2**(-8j)),
# and exp(r4) is a short Taylor series, evaluated by Horner's rule at decreasing
# precision (the term of degree m needs only wp - 32 m bits, since r4 < 2**-32), so
# its multiplications shrink as it goes and no division is needed.  All of it is
# fixed-point integer arithmetic on object arrays: each step is one NumPy loop in C
# over all entries instead of one interpreted mpf_exp per entry.  With
# ``wp = prec + 30`` working bits the accumulated truncation error (a few dozen
# units at wp) stays far below the final rounding, so results agree with mpmath's
# correctly rounded exp to within 1 ulp.

_TABLE_BITS = 8
_TABLE_LEVELS = 4
_EXP_GUARD = 30
_LN2_GUARD = 48
_HORNER_GUARD = 8
#: Beyond this magnitude the reduction k = floor(x / ln 2) needs more guard bits;
#: such entries (exp(2**30) overflows any float anyway) go to mpf_exp one by one.
_EXP_MAX_MAG = 30


@functools.lru_cache(maxsize=16)
def _exp_tables(wp: int) -> tuple[list[np.ndarray], int, list[tuple[int, int]]]:
    """Tables T_j, ln 2 (at wp + 48 bits) and the Horner plan [(p_m, round(2**p_m / m!))]."""
    ctx = mpmath.MPContext()
    ctx.prec = wp + 20
    scale = ctx.mpf(2) ** wp
    tables = [
        np.array(
            [
                int(ctx.nint(ctx.exp(ctx.mpf(k) / 2 ** (_TABLE_BITS * j)) * scale))
                for k in range(256)
            ],
            dtype=object,
        )
        for j in range(1, _TABLE_LEVELS + 1)
    ]
    ln2 = int(ctx.nint(ctx.ln2 * 2 ** (wp + _LN2_GUARD)))
    reduced = _TABLE_BITS * _TABLE_LEVELS
    top = 1  # degree: the first omitted term r**(top+1)/(top+1)! is below 2**-(wp+4)
    while reduced * (top + 1) + math.lgamma(top + 2) / math.log(2) < wp + 4:
        top += 1
    plan = []
    for m in range(top, -1, -1):
        p = wp if m == 0 else max(wp - reduced * m + _HORNER_GUARD, _HORNER_GUARD)
        plan.append((p, (2**p + math.factorial(m) // 2) // math.factorial(m)))
    return tables, ln2, plan


def _exp_fixed(z: list[int], wp: int) -> tuple[list[int], list[int]]:
    """exp(z 2**-wp) = man 2**(k - wp) for each fixed-point z (|z| < 2**(30 + wp))."""
    tables, ln2, plan = _exp_tables(wp)
    zz = np.array(z, dtype=object) << _LN2_GUARD
    k = zz // ln2
    r = (zz - k * ln2) >> _LN2_GUARD
    acc = None
    for j, table in enumerate(tables, start=1):
        sh = wp - _TABLE_BITS * j
        digit = r >> sh
        r = r - (digit << sh)
        factor = table[digit.astype(np.int64)]
        acc = factor if acc is None else (acc * factor) >> wp
    p_prev, series = plan[0]
    for p, coeff in plan[1:]:
        series = coeff + (((r >> (wp - p)) * series) >> p_prev)
        p_prev = p
    acc = (acc * series) >> wp
    return acc.tolist(), k.tolist()


def _to_fixed(x: tuple, wp: int) -> int:
    """floor(x * 2**wp) of a finite raw mpf (as mpmath's ``to_fixed``)."""
    sign, man, exp, _bc = x
    k = exp + wp
    v = man << k if k >= 0 else man >> -k
    return -v if sign else v

"""Independent re-computation for the quality tests: plain Fractions and plain mpmath.

Nothing here uses symbound's numeric code, so a witness confirmed by symbound and
re-confirmed here has been checked twice, by two different programs.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath


def q(text) -> Fraction:
    return Fraction(text)


def matrix(rows) -> list[list[Fraction]]:
    return [[q(v) for v in row] for row in rows]


def columns(m):
    return [list(c) for c in zip(*m, strict=True)]


def midpoint_res(m):
    out_cols = []
    for col in columns(m):
        mid = (max(col) + min(col)) / 2
        out_cols.append([v - mid for v in col])
    return [list(r) for r in zip(*out_cols, strict=True)]


def mean_res(m):
    out_cols = []
    for col in columns(m):
        mean = sum(col) / len(col)
        out_cols.append([v - mean for v in col])
    return [list(r) for r in zip(*out_cols, strict=True)]


def max_abs(m) -> Fraction:
    return max(abs(v) for row in m for v in row)


def sub(a, b):
    return [[x - y for x, y in zip(ra, rb, strict=True)] for ra, rb in zip(a, b, strict=True)]


def mp_softmax_rows(rows, dps=80):
    """Row-wise softmax of rational logits with plain mpmath at ``dps`` digits."""
    with mpmath.workdps(dps):
        out = []
        for row in rows:
            vals = [mpmath.mpf(v.numerator) / v.denominator for v in row]
            m = max(vals)
            e = [mpmath.exp(v - m) for v in vals]
            s = mpmath.fsum(e)
            out.append([x / s for x in e])
        return out

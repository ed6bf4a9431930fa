"""Norms and Res on hand-computed cases, including both reviewers' counterexamples."""

from fractions import Fraction as F

import numpy as np
import pytest

from symbound.errors import UsageError
from symbound.numeric import (
    ExactBackend,
    MpmathBackend,
    col_sum_norm,
    composite_norm,
    frobenius_norm,
    max_norm,
    res,
    res_norm,
    row_sum_norm,
)

E = ExactBackend()


def ex(rows):
    return E.asarray(rows)


@pytest.mark.parametrize(
    ("norm", "expected"),
    [(max_norm, F(5)), (row_sum_norm, F(9)), (col_sum_norm, F(8))],
)
def test_norms_hand_computed(norm, expected):
    X = ex([[1, -2, 3], [-4, 0, 5], [F(1, 2), 0, 0]])  # row sums 6, 9, 1/2; columns 11/2, 2, 8
    assert norm(X, backend=E) == expected


def test_composite_and_frobenius():
    X = np.array([[3.0, 0.0], [0.0, -4.0]])
    assert composite_norm(X) == pytest.approx(4.0)  # sqrt(4 * 4)
    assert frobenius_norm(X) == pytest.approx(5.0)
    Y = np.array([[1.0, 1.0], [0.0, 0.0]])
    assert composite_norm(Y) == pytest.approx(np.sqrt(1.0 * 2.0))


def test_norms_reduce_over_last_two_axes_of_a_batch():
    X = np.arange(24.0).reshape(2, 3, 4) - 10
    assert max_norm(X).tolist() == [10.0, 13.0]
    assert row_sum_norm(X).tolist() == [row_sum_norm(X[0]), row_sum_norm(X[1])]


def test_midpoint_res_of_reviewer_2_pair():
    A, B = ex([[2], [0], [-2]]), ex([[1], [1], [-3]])
    assert res(A, backend=E).ravel().tolist() == [2, 0, -2]
    assert res(B, backend=E).ravel().tolist() == [2, 2, -2]  # B - (-1)


def ratio(A, B, center="midpoint"):
    A, B = ex(A), ex(B)
    num = max_norm(res(A, center=center, backend=E) - res(B, center=center, backend=E), backend=E)
    return num / max_norm(A - B, backend=E)


def test_reviewer_counterexamples_give_exactly_2_and_5_over_4():
    assert ratio([[2], [0], [-2]], [[1], [1], [-3]]) == 2
    assert ratio([[-2], [4], [-2]], [[-2], [2], [2]]) == F(5, 4)


def test_reviewer_counterexamples_under_the_mean_convention():
    # paper-math §4.3: the mean gives 4/3 and (10/3)/4, so the reviewers used the midpoint
    assert ratio([[2], [0], [-2]], [[1], [1], [-3]], "mean") == F(4, 3)
    assert ratio([[-2], [4], [-2]], [[-2], [2], [2]], "mean") == F(10, 3) / 4


def test_res_norm_is_half_the_largest_column_range():
    X = ex([[1, 10], [3, -2], [2, 0]])
    assert res_norm(X, backend=E) == F(6)


def test_res_unknown_centre_is_refused():
    with pytest.raises(UsageError, match="unknown Res centre 'median'; choose one of"):
        res(np.zeros((2, 2)), center="median")


def test_mpmath_norms_match_exact():
    hp = MpmathBackend(dps=40)
    rows = [[F(1, 3), F(-2, 7)], [F(5, 11), F(1, 13)]]
    exact = row_sum_norm(ex(rows), backend=E)
    approx = row_sum_norm(hp.asarray(rows), backend=hp)
    assert abs(approx - hp.number(exact)) < hp.ctx.mpf(10) ** -38

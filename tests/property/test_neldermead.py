"""symbound's batched Nelder--Mead follows SciPy's adaptive Nelder--Mead point for point.

The search's optimiser evaluates every point an iteration may need in one batch; which
values it uses and counts must be SciPy's, so that its result is SciPy's vector, bit
for bit, with the same count of evaluations -- including where the budget runs out in
the middle of an iteration or a shrink, on objectives with ties (steps), with the
sentinel values the search uses for non-finite ratios, and where a batch raises.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from symbound.check.neldermead import nelder_mead

OBJECTIVES = {
    "rosenbrock": lambda Z: (
        np.sum(100 * (Z[:, 1:] - Z[:, :-1] ** 2) ** 2 + (1 - Z[:, :-1]) ** 2, axis=1) + Z[:, 0] ** 2
    ),
    "steps": lambda Z: np.floor(3 * np.sum(np.abs(Z), axis=1)),
    "sentinels": lambda Z: np.where(np.sum(Z, axis=1) > 1, 1e300, -np.sum(Z**2, axis=1)),
    "kink": lambda Z: np.max(np.abs(Z - 0.3), axis=1),
}


def _scipy(f, simplex, maxfev):
    res = minimize(
        lambda z: f(z[None, :])[0],
        simplex[0],
        method="Nelder-Mead",
        options={
            "maxfev": maxfev,
            "xatol": 1e-12,
            "fatol": 1e-15,
            "adaptive": True,
            "initial_simplex": simplex,
        },
    )
    return res.x, res.nfev


@settings(max_examples=120, deadline=None)
@given(
    name=st.sampled_from(sorted(OBJECTIVES)),
    dim=st.integers(1, 24),
    maxfev=st.integers(1, 260),
    seed=st.integers(0, 2**32 - 1),
)
def test_same_points_and_count_as_scipy(name, dim, maxfev, seed):
    f = OBJECTIVES[name]
    z0 = np.random.default_rng(seed).standard_normal(dim) * 3
    simplex = np.vstack([z0, z0 + np.diag(0.1 * np.maximum(np.abs(z0), 1.0))])
    x_ref, nfev_ref = _scipy(f, simplex, maxfev)
    x, nfev = nelder_mead(f, simplex, maxfev=maxfev, xatol=1e-12, fatol=1e-15)
    assert nfev == nfev_ref
    assert x.tobytes() == x_ref.tobytes()


def test_the_points_of_an_iteration_are_one_batch():
    calls = []

    def f(Z):
        calls.append(len(Z))
        return OBJECTIVES["rosenbrock"](Z)

    simplex = np.vstack([np.zeros(10), np.eye(10)])
    _, nfev = nelder_mead(f, simplex, maxfev=300, xatol=1e-12, fatol=1e-15)
    assert calls[0] == 11  # the initial simplex, at once
    assert set(calls[1:]) <= {4, 10}  # the four candidate points, or the shrunk vertices
    assert len(calls) < nfev  # fewer calls than counted evaluations


def test_a_batch_that_raises_is_asked_point_by_point():
    """A point the method never uses cannot raise: a batch that raises is evaluated one
    row at a time, as the iteration asks."""

    def f(Z):
        if len(Z) > 1 and np.any(Z[:, 0] > 0.5):
            raise FloatingPointError("a batch with a bad row")
        return OBJECTIVES["rosenbrock"](Z)

    simplex = np.vstack([np.zeros(3), np.eye(3)])
    x_ref, nfev_ref = _scipy(OBJECTIVES["rosenbrock"], simplex, 200)
    x, nfev = nelder_mead(f, simplex, maxfev=200, xatol=1e-12, fatol=1e-15)
    assert (x.tobytes(), nfev) == (x_ref.tobytes(), nfev_ref)

    def bad(Z):
        raise FloatingPointError("every row")

    with pytest.raises(FloatingPointError):
        nelder_mead(bad, simplex, maxfev=200, xatol=1e-12, fatol=1e-15)


def test_a_simplex_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="shape"):
        nelder_mead(OBJECTIVES["kink"], np.zeros((2, 2)), maxfev=10, xatol=0, fatol=0)

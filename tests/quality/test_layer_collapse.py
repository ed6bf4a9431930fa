"""Layer collapse, measured: the measurements are right, under their bounds, and catch lies.

Small sizes throughout; the measured values are re-computed here by a plain NumPy
forward pass that shares no code with symbound's numeric core.
"""

import dataclasses
import math
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from multiprocessing import get_context

import numpy as np
import pytest

from symbound import load_catalogue
from symbound.empirical.collapse import run_distance_sweep
from symbound.empirical.networks import at_entry_bound, directions
from symbound.empirical.residual import run_residual_study
from symbound.empirical.spec import Distance, eta_grid, scaled
from symbound.notation import H, L, eta, phi0


def _study(key):
    """A study the built-in paper's appendix declares."""
    studies = [s for spec in load_catalogue().appendices.values() for s in spec.studies]
    return next(s for s in studies if s.key == key)


SMALL = scaled(_study("layer-collapse"), instances=1, eta_points=4, depths=(1, 2, 4), n=5, d=4)


@pytest.fixture(scope="module")
def small():
    return run_distance_sweep(SMALL, seed=0)


def test_every_measured_distance_is_certainly_below_its_bounds(small):
    assert small.all_hold and small.violations == 0
    assert len(small.points) == 2 * 3 * 2 * 4  # distances x depths x heads x etas


def _slope(result, distance, L_, H_):
    """d log(measured) / d log(eta) between the two smallest etas of the grid."""
    pts = {
        p.eta: float(p.measured)
        for p in result.points
        if (p.distance, p.L, p.H) == (distance, L_, H_)
    }
    lo, hi = result.etas[:2]
    return math.log(pts[hi] / pts[lo]) / math.log(float(Fraction(hi)) / float(Fraction(lo)))


@pytest.mark.parametrize("L_", [2, 4])
def test_the_surrogate_distance_is_third_order_and_the_identity_distance_first(small, L_):
    assert 2.8 < _slope(small, "as25.collapse-one-layer", L_, 4) < 3.2
    assert 0.9 < _slope(small, "as25.identity-baseline", L_, 4) < 1.1


def _plain_forward(X, M, V):
    """X^(l) = X^(l-1) + sum_h softmax(X M X^T) X V, in plain NumPy."""
    x = X.copy()
    for layer_M, layer_V in zip(M, V, strict=True):
        total = np.zeros_like(x)
        for m, v in zip(layer_M, layer_V, strict=True):
            s = x @ m @ x.T
            p = np.exp(s - s.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            total += p @ x @ v
        x = x + total
    return x


def _plain_surrogate(X, V):
    d = X.shape[1]
    W = np.eye(d)
    for layer_V in V:
        W = W @ (np.eye(d) + layer_V.sum(axis=0))
    return X + X.mean(axis=0) @ (W - np.eye(d))


def test_measurements_agree_with_an_independent_forward_pass(small):
    for p in small.points:
        if p.instance != 0 or p.eta != small.etas[2]:
            continue
        X, W = directions(0, SMALL.key, (p.L, p.H, 0), n=SMALL.n, d=SMALL.d, layers=p.L, heads=p.H)
        inst = at_entry_bound(X, W, float(Fraction(p.eta)))
        out = _plain_forward(inst["X"], inst["M"], inst["V"])
        other = (
            inst["X"]
            if p.distance == "as25.identity-baseline"
            else _plain_surrogate(inst["X"], inst["V"])
        )
        expected = np.abs(out - other).sum(axis=1).max()  # row-sum norm
        assert float(p.measured) == pytest.approx(expected, rel=1e-9)
        params = dict(p.parameters)
        assert float(params["phi0"]) == pytest.approx(np.abs(X).sum(axis=1).max(), rel=1e-9)


def test_a_planted_false_bound_is_caught_with_certainty():
    too_small = ((1 + H * eta) ** L - 1) * phi0 / 10  # N2's bound, ten times too small
    spec = dataclasses.replace(
        SMALL,
        distances=(
            Distance("as25.identity-baseline", "N2", ("as25.identity-baseline", too_small)),
        ),
    )
    result = run_distance_sweep(spec, seed=0)
    assert result.violations > 0 and not result.all_hold
    for p in result.points:
        true_bound, planted = p.bounds
        assert true_bound.holds and not true_bound.violated
        assert planted.key == str(too_small)
    assert "certainly above" in result.summary()


def test_results_do_not_depend_on_the_workers(small):
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        pooled = run_distance_sweep(SMALL, seed=0, executor=pool)
    assert pooled.to_dict() == small.to_dict()
    assert run_distance_sweep(SMALL, seed=1).to_dict() != small.to_dict()


def test_the_grid_reaches_weights_whose_balls_need_more_precision():
    # L = 16, H = 4 at eta = 1: the state grows like 15^16 and the logits overflow 128
    # bits' resolution; the sweep raises the precision until the balls resolve
    spec = scaled(
        dataclasses.replace(SMALL, eta_range=("1", "1"), heads=(4,)), eta_points=1, depths=(16,)
    )
    result = run_distance_sweep(spec, seed=0)
    assert result.all_hold
    assert all(float(p.measured) > 1 for p in result.points)


@pytest.fixture(scope="module")
def residual():
    return run_residual_study(_study("residual-ratio"), seed=0)


def test_the_literature_s_findings_reproduce(residual):
    assert [f.reproduced for f in residual.findings] == [True, True, True]
    for c in residual.of("pure attention"):
        # doubly exponential: below what 1024-bit balls resolve long before depth 16
        assert c.resolved_to < c.depth and c.logs[-1] < -50
    for c in residual.of("skip"):
        assert c.resolved_to == c.depth


def test_the_one_step_bound_holds_at_every_layer_it_applies(residual):
    for c in residual.of("pure attention"):
        assert len(c.bound_holds) == c.resolved_to and all(c.bound_holds)
        # a bound: never below the measured ratio it bounds
        assert all(b >= m - 1e-9 for b, m in zip(c.bound_logs, c.logs[1:], strict=True))
    assert not any(c.bound_logs for c in residual.of("skip"))


def test_residual_ratios_agree_with_float64_while_float64_can_see_them(residual):
    spec = _study("residual-ratio")
    X, W = directions(0, spec.key, (0,), n=spec.n, d=spec.d, layers=spec.depth, heads=1)
    inst = at_entry_bound(X, W, float(Fraction(spec.eta)))
    x = inst["X"]
    ratios = []
    for m, v in zip(inst["M"][:, 0], inst["V"][:, 0], strict=True):
        ratios.append(np.max(np.ptp(x, axis=0)) / 2 / np.abs(x).max())
        s = x @ m @ x.T
        p = np.exp(s - s.max(axis=1, keepdims=True))
        x = (p / p.sum(axis=1, keepdims=True)) @ x @ v
    pure = residual.of("pure attention")[0]
    for k in range(3):  # float64 loses the residual after a few layers
        assert pure.logs[k] == pytest.approx(math.log10(ratios[k]), abs=1e-9)


def test_eta_grid_of_the_built_in_sweep():
    assert eta_grid(_study("layer-collapse"))[0] == "0.001"

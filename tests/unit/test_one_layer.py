"""The one-layer study's parts: the batched network, the one-layer model and its Jacobian, fits."""

import dataclasses

import numpy as np

from symbound.empirical.networks import at_entry_bound, directions
from symbound.empirical.onelayer import (
    OneLayerStudy,
    forward,
    one_layer,
    run_one_layer_study,
    surrogate_values,
)
from symbound.lemmas.networks import run, surrogate_one_layer
from symbound.numeric.backends import Float64Backend

F64 = Float64Backend()
SMALL = OneLayerStudy(
    "unit", "t", "c", eta_points=3, depths=(1, 3), instances=1, n=4, d=2, train=6, test=6
)


def network(L=3, H=2, eta=0.7):
    X, W = directions(0, "unit", (L, H), n=5, d=3, layers=L, heads=H)
    return at_entry_bound(X, W, eta)


def test_the_batched_network_is_the_catalogues_network():
    inst = network()
    ours = forward(inst["X"][None], inst["M"], inst["V"])[0]
    assert np.allclose(ours, run(inst, F64)[-1], rtol=1e-13, atol=1e-13)


def test_the_n3_surrogate_is_a_one_layer_network_with_zero_logits():
    inst = network()
    d = inst["X"].shape[-1]
    theta = np.zeros((2, 1, d, d))
    theta[1, 0] = surrogate_values(inst["V"])
    Y, _ = one_layer(theta.ravel(), inst["X"][None], 1)
    assert np.allclose(Y[0], surrogate_one_layer(inst, F64), rtol=1e-13, atol=1e-13)


def test_the_jacobian_is_the_derivative():
    rng = np.random.default_rng(3)
    Xs = rng.uniform(-1, 1, (3, 4, 3))
    theta = rng.normal(size=2 * 2 * 3 * 3)
    _, J = one_layer(theta, Xs, 2, jacobian=True)
    step = 1e-6
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = step
        numeric = (one_layer(theta + e, Xs, 2)[0] - one_layer(theta - e, Xs, 2)[0]) / (2 * step)
        assert np.allclose(J[:, k], numeric.ravel(), atol=1e-7), k


def test_a_one_layer_network_is_fitted_exactly_and_deeper_ones_are_not():
    r = run_one_layer_study(SMALL, seed=0)
    one = [p for p in r.points if p.L == 1]
    assert all(p.best < 1e-6 * p.identity for p in one)  # S itself is in the family
    deep = [p for p in r.points if p.L == 3]
    assert deep[-1].best > 1e-3 * deep[-1].identity  # at eta = 1 no exact single layer is found
    assert [p.eta for p in deep] == ["0.01", "0.1", "1"]


def test_the_study_is_deterministic_and_rounded():
    a = run_one_layer_study(SMALL, seed=1)
    assert a.to_dict() == run_one_layer_study(SMALL, seed=1).to_dict()
    assert a.to_dict() != run_one_layer_study(SMALL, seed=2).to_dict()
    assert all(float(f"{p.best:.6g}") == p.best for p in a.points)
    more = run_one_layer_study(dataclasses.replace(SMALL, starts=3), seed=1)
    assert len(more.points) == len(a.points)
    assert "upper bound" in a.summary() and "best/identity" in a.summary()

"""The one-layer study at the appendix's sizes: what the README says it finds, byte-stable files.

The held-out distances are recomputed here with the catalogue's own network code
(symbound.lemmas.networks.run on the Float64 backend), not the study's batched one.
"""

from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from multiprocessing import get_context

import numpy as np
import pytest

from symbound import load_catalogue
from symbound.empirical import onelayer
from symbound.empirical.networks import at_entry_bound, directions, rng_for
from symbound.empirical.report import experiment_files
from symbound.lemmas.networks import run
from symbound.numeric.backends import Float64Backend


def _study():
    studies = [s for spec in load_catalogue().appendices.values() for s in spec.studies]
    return next(s for s in studies if s.key == "one-layer")


@pytest.fixture(scope="module")
def result():
    return onelayer.run_one_layer_study(_study(), seed=0)


def test_small_weights_collapse_and_large_ones_leave_most_of_the_network(result):
    lo, hi = result.etas[0], result.etas[-1]
    assert (lo, hi) == ("0.01", "1")
    # at eta = 0.01 a single layer reproduces all but < 1e-3 of what the network does
    assert result.captured_range(lo)[1] < 1e-3
    # at eta = 1 the best single layer found leaves more than half of it at every depth
    assert result.captured_range(hi)[0] > 0.5
    # the share left grows with eta, for every depth
    for L in result.spec.depths:
        shares = [result.median(L, 1, e, "captured") for e in result.etas]
        assert shares == sorted(shares), (L, shares)


def test_the_identity_distance_is_the_catalogues_network_measured_independently(result):
    spec = result.spec
    f64 = Float64Backend()
    L, instance = 4, 1
    _, W = directions(0, spec.key, (L, 1, instance), n=spec.n, d=spec.d, layers=L, heads=1)
    inputs = rng_for(0, f"{spec.key}/inputs", (L, 1, instance)).uniform(
        -1.0, 1.0, (spec.train + spec.test, spec.n, spec.d)
    )
    for eta in result.etas:
        worst = 0.0
        for X in inputs[spec.train :]:
            inst = at_entry_bound(X, W, float(Fraction(eta)))
            out = run(inst, f64)[-1]
            worst = max(worst, np.abs(out - X).sum(axis=1).max() / np.abs(X).sum(axis=1).max())
        (point,) = [p for p in result.cell(L, 1, eta) if p.instance == instance]
        assert point.identity == pytest.approx(worst, rel=1e-5)


def test_files_are_byte_identical_whatever_the_number_of_workers(result):
    settings = {"seed": 0}
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        pooled = onelayer.run_one_layer_study(_study(), seed=0, executor=pool)
    assert experiment_files([pooled], settings) == experiment_files([result], settings)

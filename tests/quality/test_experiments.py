"""Reproducible experiments: each reproduces, deterministically, for several seeds."""

import json

import pytest

from symbound import load_catalogue
from symbound.lemmas.experiment import run_experiment

CAT = load_catalogue()


@pytest.mark.parametrize("key", list(CAT.experiments))
@pytest.mark.parametrize("seed", [0, 1])
def test_experiment_reproduces(key, seed):
    result = run_experiment(CAT.experiments[key], seed=seed, dps=40)
    assert result.reproduced, result.summary
    assert result.summary


@pytest.mark.parametrize("key", list(CAT.experiments))
def test_experiment_is_deterministic(key):
    first = run_experiment(CAT.experiments[key], seed=3, dps=40).to_dict()
    second = run_experiment(CAT.experiments[key], seed=3, dps=40).to_dict()
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_doubly_exponential_collapse_needs_high_precision():
    measured = run_experiment(CAT.experiments["dcl21.doubly-exponential"], seed=0, dps=40).measured
    for heads in ("H=1", "H=2"):
        m = measured[heads]
        assert float(m["residual_high_precision"][-1]) < 1e-40
        assert m["float64_loses_it_at_layer"] is not None  # float64 cannot follow it to the end
        assert all(float(g) > 0 for g in m["gamma_needed_per_layer"])


def test_remarks_say_why_they_are_not_checked():
    for remark in CAT.remarks.values():
        assert remark.unchecked_because and remark.statement

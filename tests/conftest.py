"""Shared test set-up: global precision reset around every test, Hypothesis profiles.

symbound never changes mpmath's or python-flint's global precision; the autouse
fixture checks that promise after every test, then restores the defaults anyway.
"""

from __future__ import annotations

import os

import flint
import mpmath
import pytest
from hypothesis import HealthCheck, settings

# Deterministic by default (CI and the README's test command); "explore" searches more.
settings.register_profile(
    "default",
    derandomize=True,
    database=None,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _global_precision_untouched():
    before = (mpmath.mp.prec, mpmath.iv.prec, flint.ctx.prec)
    yield
    after = (mpmath.mp.prec, mpmath.iv.prec, flint.ctx.prec)
    mpmath.mp.prec, mpmath.iv.prec, flint.ctx.prec = 53, 53, 53
    assert after == before, f"global precision changed by the test: {before} -> {after}"

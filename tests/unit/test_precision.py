"""Precision you can trust: repeated evaluations, agreeing digits, cancellation flagged."""

from __future__ import annotations

import mpmath

from symbound import load_catalogue
from symbound.check import check
from symbound.lemmas.experiment import run_experiment
from symbound.numeric import MpmathBackend
from symbound.numeric.precision import Agreement, agreement, trusted_string


def test_cancellation_is_measured_and_flagged():
    lo, hi = MpmathBackend(dps=30).ctx, MpmathBackend(dps=60).ctx
    a = lo.mpf(1) + lo.mpf(10) ** -25 - 1  # 5 digits survive the subtraction at 30 digits
    b = hi.mpf(1) + hi.mpf(10) ** -25 - 1
    ag = agreement(a, b, dps=30, check_dps=60)
    assert ag.digits <= 6 and ag.lost_to_cancellation
    assert "cancellation" in ag.text
    clean = agreement(lo.mpf(2) / 3, hi.mpf(2) / 3, dps=30, check_dps=60)
    assert clean.digits >= 29 and not clean.lost_to_cancellation
    assert agreement(lo.mpf(0), hi.mpf(0), dps=30).digits == 30
    assert agreement(lo.inf, hi.inf, dps=30).digits == 30
    assert agreement(lo.mpf(1), hi.mpf(2), dps=30).digits == 0


def test_only_agreeing_digits_are_printed():
    assert trusted_string(mpmath.mpf("0.123456789"), Agreement(50, 100, 4)) == "0.1235"
    assert len(trusted_string(mpmath.mpf(1) / 3, Agreement(50, 100, 50))) == 27  # 25 digits


def test_check_results_report_agreeing_digits():
    result = check(load_catalogue()["as25.softmax-relative"], samples=200)
    p = result.sup.to_dict()["precision"]
    assert p["dps"] == 50 and p["check_dps"] == 100 and 40 <= p["agreeing_digits"] <= 50
    assert "digits agree at 50 vs 100" in result.summary()


def test_the_collapse_experiment_reports_surviving_digits():
    exp = load_catalogue().experiments["dcl21.doubly-exponential"]
    out = run_experiment(exp, seed=0, dps=50)
    kept = out.to_dict()["measured"]["H=1"]["digits_agreeing_at_twice_the_precision"]
    assert kept[0] >= 395 and kept[-1] < kept[0]  # the residual is a cancellation
    assert out.reproduced

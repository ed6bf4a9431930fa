"""Evaluating a lemma on instances, on any backend.

The same lemma code runs on float64 batches (screening), on mpmath (high
precision), on exact rationals and on Arb balls (rigorous).  This module holds the
glue: building instances, converting them between backends, and the lhs/rhs ratio.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from symbound.lemmas.model import Lemma
from symbound.numeric.backends import AbstractBackend, ExactBackend, Float64Backend
from symbound.numeric.expr import compile_expr

__all__ = [
    "F64",
    "build_exact",
    "convert_instance",
    "evaluate_sides",
    "float_ratios",
    "hypotheses_hold",
    "measured_parameters",
]

F64 = Float64Backend()
EXACT = ExactBackend()


@functools.lru_cache(maxsize=256)
def _compiled(expr: sp.Expr):
    return compile_expr(expr)


def _values(inst: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in inst.items():
        if isinstance(v, np.ndarray) and v.ndim == 0:
            v = v[()]
        out[k] = v
    return out


def evaluate_sides(lemma: Lemma, inst: Mapping[str, Any], backend: AbstractBackend, part=None):
    """``(lhs, rhs)`` of the conclusion (or of ``part``, a hypothesis) on ``backend``."""
    part = part if part is not None else lemma.conclusion
    lhs = part.lhs.evaluate(inst, backend)
    rhs = _compiled(part.rhs)(_values(inst), backend)
    return lhs, rhs


def float_ratios(lemma: Lemma, z: np.ndarray, sizes: Mapping[str, int]) -> np.ndarray:
    """lhs/rhs in float64 for a batch of vectors; ``-inf`` where evaluation failed.

    Where the bound is not positive, the ratio is ``+inf`` if it is exceeded (a
    violation) and ``-inf`` otherwise (a bound of 0 met by 0 says nothing about
    tightness).
    """
    with np.errstate(all="ignore"):
        inst = dict(lemma.space.build(z, sizes, F64))
        inst.update(sizes)
        lhs, rhs = evaluate_sides(lemma, inst, F64)
        lhs = np.broadcast_to(np.asarray(lhs, dtype=float), z.shape[:-1])
        rhs = np.broadcast_to(np.asarray(rhs, dtype=float), z.shape[:-1])
        ratio = np.where(
            rhs > 0, lhs / np.where(rhs > 0, rhs, 1.0), np.where(lhs > rhs, np.inf, -np.inf)
        )
        return np.where(np.isfinite(lhs) & np.isfinite(rhs), ratio, -np.inf)


def build_exact(lemma: Lemma, z: list[Fraction], sizes: Mapping[str, int]) -> dict[str, Any]:
    """The instance of an exact rational vector, built in exact arithmetic."""
    arr = np.empty(len(z), dtype=object)
    arr[:] = list(z)
    inst: dict[str, Any] = dict(sizes)
    inst.update(lemma.space.build(arr, sizes, EXACT))
    return _values(inst)


def convert_instance(inst: Mapping[str, Any], backend: AbstractBackend) -> dict[str, Any]:
    """An exact instance on another backend (sizes stay Python ints)."""
    out: dict[str, Any] = {}
    for k, v in inst.items():
        if isinstance(v, int) and not isinstance(v, bool):
            out[k] = v
        elif isinstance(v, np.ndarray):
            out[k] = backend.asarray(v)
        else:
            out[k] = backend.number(v)
    return out


def hypotheses_hold(lemma: Lemma, inst: Mapping[str, Any], backend: AbstractBackend) -> bool:
    """Whether every hypothesis and parameter domain certainly holds (exact or ball)."""
    for p in lemma.parameters:
        value = inst.get(p.name)
        if value is None:
            continue
        if backend.exact and not p.contains(value):
            return False
    for h in lemma.hypotheses:
        lhs, rhs = evaluate_sides(lemma, inst, backend, part=h)
        if not certainly_le(lhs, rhs, backend):
            return False
    return True


def measured_parameters(lemma: Lemma, inst: Mapping[str, Any], backend: AbstractBackend):
    """The tightest parameter values for which the lemma's hypotheses hold on ``inst``.

    Each hypothesis ``quantity <= p`` whose right-hand side is a lone parameter ``p``
    sets ``p`` to the quantity measured on ``inst``; on a ball backend to the ball's
    upper end (an exact number), so the hypothesis certainly holds.  The bound,
    evaluated there, is what the lemma proves about this very instance.
    """
    balls = backend.rigorous and not backend.exact
    values = {}
    with backend.scope():
        for h in lemma.hypotheses:
            if h.rhs.is_Symbol:
                value = h.lhs.evaluate(inst, backend)
                values[h.rhs.name] = value.upper() if balls else value
    return values


def certainly_le(x, y, backend: AbstractBackend) -> bool:
    """``x <= y`` decided exactly, or from ball endpoints (True only if certain)."""
    with backend.scope():
        diff = y - x
    if backend.exact:
        return diff >= 0
    return _certainly_nonnegative(diff)


def certainly_gt(x, y, backend: AbstractBackend) -> bool:
    """``x > y`` decided exactly, or from ball endpoints (True only if certain)."""
    with backend.scope():
        diff = x - y
    if backend.exact:
        return diff > 0
    return _certainly_positive(diff)


def _certainly_positive(ball) -> bool:
    # python-flint: a comparison is True only if it holds for every point of the
    # balls (mid - rad > 0 here); "unknown" reads as False.  Pinned by a unit test.
    return bool(ball > 0)


def _certainly_nonnegative(ball) -> bool:
    return bool(ball >= 0)

"""Evaluating a lemma on instances, on any backend.

The same lemma code runs on float64 batches (screening), on mpmath (high
precision), on exact rationals and on Arb balls (rigorous).  This module holds the
glue: building instances, converting them between backends, and the lhs/rhs ratio.
"""

from __future__ import annotations

import functools
import math
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
    "float_screen",
    "health_check",
    "hypotheses_hold",
    "hypotheses_not_rational",
    "measured_parameters",
]

F64 = Float64Backend()
EXACT = ExactBackend()


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
    rhs = compile_expr(part.rhs)(_values(inst), backend)
    return lhs, rhs


def float_ratios(lemma: Lemma, z: np.ndarray, sizes: Mapping[str, int]) -> np.ndarray:
    """lhs/rhs in float64 for a batch of vectors; ``-inf`` where evaluation failed or
    a hypothesis the instance space does not build in is broken (filtered out).

    Where the bound is not positive, the ratio is ``+inf`` if it is exceeded (a
    violation) and ``-inf`` otherwise (a bound of 0 met by 0 says nothing about
    tightness).
    """
    return float_screen(lemma, z, sizes)[0]


def float_screen(
    lemma: Lemma, z: np.ndarray, sizes: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """``(ratios, met)``: :func:`float_ratios` and whether each instance met the
    hypotheses that are filtered rather than built in (all True when none are)."""
    batch = z.shape[:-1]
    with np.errstate(all="ignore"):
        inst = dict(lemma.space.build(z, sizes, F64))
        inst.update(sizes)
        lhs, rhs = evaluate_sides(lemma, inst, F64)
        lhs = np.broadcast_to(np.asarray(lhs, dtype=float), batch)
        rhs = np.broadcast_to(np.asarray(rhs, dtype=float), batch)
        ratio = np.where(
            rhs > 0, lhs / np.where(rhs > 0, rhs, 1.0), np.where(lhs > rhs, np.inf, -np.inf)
        )
        met = np.ones(batch, dtype=bool)
        for h in lemma.hypotheses:
            if not h.guaranteed:
                h_lhs, h_rhs = evaluate_sides(lemma, inst, F64, part=h)
                met &= np.broadcast_to(np.asarray(h_lhs <= h_rhs, dtype=bool), batch)
        ok = np.isfinite(lhs) & np.isfinite(rhs) & met
        return np.where(ok, ratio, -np.inf), met


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


def hypotheses_hold(
    lemma: Lemma, inst: Mapping[str, Any], backend: AbstractBackend, parts=None
) -> bool:
    """Whether every hypothesis (or those of ``parts``) and, exactly, every parameter
    domain certainly holds (exact or ball)."""
    for p in lemma.parameters:
        value = inst.get(p.name)
        if value is None:
            continue
        if backend.exact and not p.contains(value):
            return False
    for h in lemma.hypotheses if parts is None else parts:
        lhs, rhs = evaluate_sides(lemma, inst, backend, part=h)
        if not certainly_le(lhs, rhs, backend):
            return False
    return True


def hypotheses_not_rational(lemma: Lemma, inst: Mapping[str, Any]) -> list | None:
    """Decide each hypothesis and parameter domain exactly where it is rational.

    ``None`` if one certainly fails; otherwise the hypotheses that are not rational
    (an exponential, say), left for ball arithmetic.  Deciding the rational ones
    exactly matters: instances sit on their bounds, where balls cannot decide.
    """
    from symbound.errors import NotExactError

    if not hypotheses_hold(lemma, inst, EXACT, parts=()):
        return None
    pending = []
    for h in lemma.hypotheses:
        try:
            lhs, rhs = evaluate_sides(lemma, inst, EXACT, part=h)
        except NotExactError:
            pending.append(h)
            continue
        if not certainly_le(lhs, rhs, EXACT):
            return None
    return pending


def measured_parameters(lemma: Lemma, inst: Mapping[str, Any], backend: AbstractBackend):
    """The tightest parameter values for which the lemma's hypotheses hold on ``inst``.

    Each hypothesis ``quantity <= p`` whose right-hand side is a lone parameter ``p``
    sets ``p`` to the quantity measured on ``inst`` (the largest, where several bound
    the same ``p``: ``‖X‖ <= φ`` and ``‖B‖ <= φ``); on a ball backend to the ball's
    upper end (an exact number), so the hypothesis certainly holds.  The bound,
    evaluated there, is what the lemma proves about this very instance.
    """
    balls = backend.rigorous and not backend.exact
    values = {}
    with backend.scope():
        for h in lemma.hypotheses:
            if h.rhs.is_Symbol:
                value = h.lhs.evaluate(inst, backend)
                value = value.upper() if balls else value
                if h.rhs.name in values:  # exact endpoints or floats: max is exact
                    value = backend.maximum(values[h.rhs.name], value)
                    if isinstance(value, np.ndarray) and value.ndim == 0:
                        value = value[()]
                values[h.rhs.name] = value
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


def health_check(lemma: Lemma, seed: int = 0, count: int = 8) -> None:
    """Refuse, in one line, an instance space that breaks its own hypotheses.

    ``count`` instances at the smallest and at the largest sizes searched are built
    exactly from rational vectors and every hypothesis the space claims to build in
    is decided on them (exactly, or in Arb where it is not rational): one that is
    certainly broken is a :class:`~symbound.errors.UsageError` naming the hypothesis
    and the instance.  (A space that fails silently would make every verdict about
    the wrong set of instances.)
    """
    from symbound.errors import NotExactError, UsageError
    from symbound.numeric.backends import ArbBackend

    params = lemma.size_parameters
    corners = [{p.name: int(p.search[i]) for p in params} for i in (0, 1)]
    if corners[0] == corners[1]:
        corners = corners[:1]
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5EED]))
    for sizes in corners:
        dim = lemma.space.dimension(sizes)
        for row in lemma.space.sample(rng, dim, count):
            inst = build_exact(lemma, [Fraction(float(v)) for v in row], sizes)
            for p in lemma.parameters:
                value = inst.get(p.name)
                if (
                    value is not None
                    and not isinstance(value, np.ndarray)
                    and not _in_closure(p, value)
                ):
                    raise UsageError(
                        f"{lemma.key}: the instance space gives {p.name} = {value}, outside its "
                        f"domain; fix the space (at {_brief(inst)})"
                    )
            for h in lemma.hypotheses:
                if not h.guaranteed:
                    continue
                try:
                    lhs, rhs = evaluate_sides(lemma, inst, EXACT, part=h)
                    broken = not certainly_le(lhs, rhs, EXACT)
                except NotExactError:
                    arb = ArbBackend(prec=128)
                    ball = convert_instance(inst, arb)
                    lhs, rhs = evaluate_sides(lemma, ball, arb, part=h)
                    broken = certainly_gt(lhs, rhs, arb)
                if broken:
                    raise UsageError(
                        f"{lemma.key}: the instance space breaks its hypothesis {h.text} "
                        f"(at {_brief(inst)}); fix the space, or mark the hypothesis as "
                        "filtered (guaranteed=False)"
                    )


def _in_closure(p, value) -> bool:
    """Whether ``value`` lies in the closure of ``p``'s domain.  Spaces that set a
    parameter to the quantity it bounds (its tightest value) reach the boundary of an
    open domain at degenerate instances (a spread of 0); those instances are excluded
    by the rigorous stage, which decides the domain itself, so only values beyond the
    boundary mean a broken space."""
    q = Fraction(value)
    lo, hi, integer = _bounds(p.domain)
    if lo is None:  # not an interval or a range: ask SymPy
        closure = p.domain if isinstance(p.domain, sp.Range) else p.domain.closure
        return closure.contains(sp.Rational(q.numerator, q.denominator)) is sp.true
    return lo <= q <= hi and (not integer or q.denominator == 1)


@functools.lru_cache(maxsize=256)
def _bounds(domain: sp.Set):
    """``(inf, sup, integer)`` of an interval or a range as exact numbers (or floats
    ±inf); ``(None, None, False)`` for other sets."""

    def end(x):
        if x in (sp.oo, -sp.oo):
            return float(x)
        return Fraction(int(x.p), int(x.q)) if isinstance(x, sp.Rational) else None

    if domain == sp.Reals:
        return -math.inf, math.inf, False
    if isinstance(domain, sp.Interval | sp.Range):
        lo, hi = end(domain.inf), end(domain.sup)
        if lo is not None and hi is not None:
            return lo, hi, isinstance(domain, sp.Range)
    return None, None, False


def _brief(inst: Mapping[str, Any], most: int = 120) -> str:
    from symbound.check.result import instance_to_json

    text = " ".join(f"{k}={v}" for k, v in instance_to_json(inst).items())
    return text if len(text) <= most else text[: most - 3] + "..."

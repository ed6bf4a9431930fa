r"""Layer collapse, measured: distances through depth against their proved bounds.

:func:`run_distance_sweep` runs a :class:`~symbound.empirical.spec.DistanceSweep`:
for every depth L, head count H and instance it draws one random network family
(:mod:`symbound.empirical.networks`), and at every η of the grid

1. measures each distance with its lemma's own left-hand side, in Arb ball
   arithmetic (the value is enclosed, not estimated);
2. sets the lemma's parameters to the tightest values its hypotheses allow on that
   network (φ₀ = ‖X‖, η = max ‖W_V‖, κ = max ‖M‖_max, ... as upper ends of balls);
3. evaluates each bound there -- the lemma's right-hand side and any composed closed
   form -- and records whether measured ≤ bound is *certain* from the balls.

Every case is a task for :func:`symbound.parallel.run_tasks`, so it runs on a
process pool or a Dask cluster; each case has its own random stream, so the
result is byte-identical whatever the number of workers.

>>> from symbound.empirical.spec import Distance, DistanceSweep
>>> spec = DistanceSweep("demo", "t", "c",
...     (Distance("as25.identity-baseline", "|S(X) - X|", ("as25.identity-baseline",)),),
...     eta_points=2, depths=(2,), heads=(1,), n=3, d=2, instances=1)
>>> r = run_distance_sweep(spec, seed=0)
>>> [(p.eta, p.bounds[0].holds) for p in r.points]
[('0.001', True), ('1', True)]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from symbound.check.evaluate import certainly_gt, certainly_le, measured_parameters
from symbound.empirical.networks import at_entry_bound, directions
from symbound.empirical.spec import DistanceSweep, bound_label, eta_grid
from symbound.errors import UsageError
from symbound.numeric.backends import ArbBackend
from symbound.numeric.expr import compile_expr
from symbound.numeric.precision import resolved
from symbound.parallel import Progress, run_tasks

__all__ = ["BoundValue", "DistancePoint", "DistanceSweepResult", "run_distance_sweep"]


def short(ball) -> str:
    """A ball's midpoint to 10 significant digits (``'1.234567890e-5'``)."""
    return ball.mid().str(10, radius=False)


@dataclass(frozen=True)
class BoundValue:
    """One bound at one network: its value, whether measured ≤ value is certain
    (``holds``) and whether measured > value is (``violated``); neither when the balls
    overlap even at the highest precision tried."""

    key: str
    value: str
    holds: bool
    violated: bool = False


@dataclass(frozen=True)
class DistancePoint:
    """One distance measured on one network (one L, H, instance and η)."""

    distance: str
    L: int
    H: int
    instance: int
    eta: str
    measured: str
    parameters: tuple[tuple[str, str], ...]
    bounds: tuple[BoundValue, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "distance": self.distance,
            "L": self.L,
            "H": self.H,
            "instance": self.instance,
            "eta": self.eta,
            "measured": self.measured,
            "parameters": dict(self.parameters),
            "bounds": {
                b.key: {"value": b.value, "holds": b.holds, "violated": b.violated}
                for b in self.bounds
            },
        }


@dataclass(frozen=True)
class DistanceSweepResult:
    """Every point of a sweep, in a fixed order (distance, L, H, instance, η)."""

    spec: DistanceSweep
    seed: int
    etas: tuple[str, ...]
    points: tuple[DistancePoint, ...]

    @property
    def all_hold(self) -> bool:
        return all(b.holds for p in self.points for b in p.bounds)

    @property
    def ok(self) -> bool:
        """No measurement certainly above a bound (undecided ones are reported, not failed)."""
        return self.violations == 0

    @property
    def violations(self) -> int:
        """How many (measurement, bound) pairs are certainly violated."""
        return sum(b.violated for p in self.points for b in p.bounds)

    def worst(self, distance: str, L: int, H: int) -> tuple[float, str, str]:
        """The largest measured/bound ratio (tightest bound) over η and instances of one
        cell, with the η attaining it and that bound's key."""
        best = (-1.0, "", "")
        for p in self.points:
            if (p.distance, p.L, p.H) != (distance, L, H):
                continue
            for b in p.bounds:
                value = float(b.value)
                ratio = float(p.measured) / value if value > 0 else float("inf")
                if ratio > best[0]:
                    best = (ratio, p.eta, b.key)
        return best

    def to_dict(self) -> dict[str, Any]:
        s = self.spec
        return {
            "key": s.key,
            "seed": self.seed,
            "sizes": {"n": s.n, "d": s.d, "instances": s.instances, "prec": s.prec},
            "etas": list(self.etas),
            "depths": list(s.depths),
            "heads": list(s.heads),
            "distances": [
                {"lemma": d.lemma, "label": d.label, "bounds": [bound_label(b) for b in d.bounds]}
                for d in s.distances
            ],
            "every_bound_holds": self.all_hold,
            "violations": self.violations,
            "points": [p.to_dict() for p in self.points],
        }

    def summary(self) -> str:
        s = self.spec
        lines = [
            f"{s.key}: {len(self.points)} measurements (n={s.n}, d={s.d}, L in "
            f"{list(s.depths)}, H in {list(s.heads)}, {len(self.etas)} values of eta from "
            f"{self.etas[0]} to {self.etas[-1]}, {s.instances} networks each, seed {self.seed})",
            "every measured distance certainly below its bounds: "
            + ("yes" if self.all_hold else f"NO ({self.violations} certainly above)"),
        ]
        for dist in s.distances:
            worst = max(
                ((*self.worst(dist.lemma, L, H), L, H) for L in s.depths for H in s.heads),
                key=lambda t: t[0],
            )
            lines.append(
                f"  {dist.label}: largest measured/bound {worst[0]:.3g} "
                f"(L={worst[3]}, H={worst[4]}, eta={worst[1]}, bound {worst[2]})"
            )
        return "\n".join(lines)


def _bound_expression(key, cat):
    if not isinstance(key, str):
        return key
    if key in cat.composed:
        return cat.composed[key].closed_form
    if key in cat:
        return cat[key].conclusion.rhs
    raise UsageError(f"unknown bound {key!r}: give a lemma or a composed bound of the catalogue")


#: the precision is doubled, up to this many times the study's, until each ball resolves
PRECISION_STEPS = 5


def _measure(lemma, inst, bound_exprs, prec: int):
    """The measured ball, the parameters and the bound balls of one lemma on one network,
    at the first precision (doubling from ``prec``) where they all resolve."""
    for step in range(PRECISION_STEPS):
        arb = ArbBackend(prec=prec << step)
        balls = {k: (arb.asarray(v) if isinstance(v, np.ndarray) else v) for k, v in inst.items()}
        params = measured_parameters(lemma, balls, arb)
        point = {**balls, **params}
        measured = lemma.conclusion.lhs.evaluate(point, arb)
        values = {k: v for k, v in point.items() if not isinstance(v, np.ndarray)}
        bounds = [f(values, arb) for f in bound_exprs]
        if all(resolved(b) for b in [measured, *bounds]):
            break
    return arb, measured, params, bounds


def _case_task(spec: DistanceSweep, seed: int, L: int, H: int, instance: int):
    """Every η and distance of one (L, H, instance): a list of DistancePoint."""
    from symbound.lemmas.catalogue import load_catalogue

    cat = load_catalogue()
    X, W = directions(seed, spec.key, (L, H, instance), n=spec.n, d=spec.d, layers=L, heads=H)
    compiled = {
        d.lemma: [compile_expr(_bound_expression(k, cat)) for k in d.bounds] for d in spec.distances
    }
    out = []
    for eta in eta_grid(spec):
        inst = at_entry_bound(X, W, float(Fraction(eta)))
        for dist in spec.distances:
            arb, measured, params, bounds = _measure(
                cat[dist.lemma], inst, compiled[dist.lemma], spec.prec
            )
            out.append(
                DistancePoint(
                    distance=dist.lemma,
                    L=L,
                    H=H,
                    instance=instance,
                    eta=eta,
                    measured=short(measured),
                    parameters=tuple((k, short(v)) for k, v in sorted(params.items())),
                    bounds=tuple(
                        BoundValue(
                            bound_label(key),
                            short(value),
                            certainly_le(measured, value, arb),
                            certainly_gt(measured, value, arb),
                        )
                        for key, value in zip(dist.bounds, bounds, strict=True)
                    ),
                )
            )
    return out


def _validate(spec: DistanceSweep) -> None:
    from symbound.lemmas.catalogue import load_catalogue

    cat = load_catalogue()
    for dist in spec.distances:
        if dist.lemma not in cat:
            raise UsageError(f"{spec.key}: unknown lemma {dist.lemma!r}")
        names = {v.name for v in cat[dist.lemma].variables}
        if names != {"X", "M", "V"}:
            raise UsageError(f"{spec.key}: {dist.lemma} is not a network lemma (X, M, V)")
        for key in dist.bounds:
            _bound_expression(key, cat)


def run_distance_sweep(
    spec: DistanceSweep,
    *,
    seed: int = 0,
    executor=None,
    progress: Progress | None = None,
) -> DistanceSweepResult:
    """Run ``spec`` (see the module notes); the tasks go to ``executor`` if given."""
    _validate(spec)
    cases = [
        (spec, seed, L, H, i)
        for L in spec.depths
        for H in spec.heads
        for i in range(spec.instances)
    ]
    cases.sort(key=lambda case: -case[2] * case[3])  # deepest and widest first: workers balance
    progress = progress or Progress(False)
    progress.start(f"layer collapse {spec.key}", len(cases), "networks")
    chunks = run_tasks(executor, _case_task, cases, progress)
    order = {d.lemma: k for k, d in enumerate(spec.distances)}
    points = sorted(
        (p for chunk in chunks for p in chunk),
        key=lambda p: (order[p.distance], p.L, p.H, p.instance, Fraction(p.eta)),
    )
    return DistanceSweepResult(spec, seed, eta_grid(spec), tuple(points))


def cell_curves(
    result: DistanceSweepResult, distance: str, L: int, H: int
) -> Mapping[str, list[float]]:
    """Per η (in grid order): the largest measured value over instances (``"measured"``)
    and, per bound key, the largest bound value over instances -- what a plot draws."""
    curves: dict[str, list[float]] = {"measured": []}
    for eta in result.etas:
        here = [p for p in result.points if (p.distance, p.L, p.H, p.eta) == (distance, L, H, eta)]
        curves["measured"].append(max(float(p.measured) for p in here))
        for k, _ in enumerate(here[0].bounds):
            key = here[0].bounds[k].key
            curves.setdefault(key, []).append(max(float(p.bounds[k].value) for p in here))
    return curves

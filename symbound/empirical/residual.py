r"""The residual ratio through depth: rank collapse, measured under several architectures.

:func:`run_residual_study` runs a :class:`~symbound.empirical.spec.ResidualStudy`.
Per instance it draws one random network (one head per layer, entries of
:math:`W_Q, W_K, W_V` bounded by the study's η) and runs it under every
architecture -- no skip, skip, causal or local masks, LayerNorm -- recording

.. math:: r_\ell = \|\mathrm{Res}(X^{(\ell)})\|_{\max} / \|X^{(\ell)}\|_{\max}

(column-midpoint Res, the minimiser for the max norm) layer by layer, as Arb
balls.  Pure attention collapses doubly exponentially, so its ratio soon drops
below any fixed precision: a curve ends at the first layer whose ratio the balls
no longer resolve, and the result says where.  For architectures marked
``one_step_bound``, the study's one-step lemma (e.g. S6) is evaluated on each
layer's input at its tightest parameters: a proved bound on the next layer's
ratio, drawn beside the measured one, with measured ≤ bound certified from the
balls.

>>> from symbound.empirical.spec import Architecture, ResidualStudy
>>> spec = ResidualStudy("demo", "t", "c", (Architecture("skip", skip=True),), depth=2,
...                      n=3, d=2, instances=1, prec=128)
>>> r = run_residual_study(spec, seed=0)
>>> len(r.curves[0].logs)   # layers 0, 1, 2 all resolved
3
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint

from symbound.check.evaluate import certainly_le, measured_parameters
from symbound.empirical.networks import at_entry_bound, directions
from symbound.empirical.spec import Architecture, Finding, ResidualStudy
from symbound.errors import UsageError
from symbound.numeric.attention import LayerNorm, network
from symbound.numeric.backends import ArbBackend
from symbound.numeric.expr import compile_expr
from symbound.numeric.norms import max_norm
from symbound.numeric.precision import resolved
from symbound.numeric.residual import res_norm
from symbound.numeric.softmax import causal_mask, local_mask
from symbound.parallel import Progress, run_tasks

__all__ = ["Curve", "FindingResult", "ResidualResult", "run_residual_study"]


@dataclass(frozen=True)
class Curve:
    """One architecture on one instance: log10 of the ratio at layers 0, 1, ... while
    resolved, and the one-step bound's log10 at layers 1, 2, ... (empty if none)."""

    architecture: str
    instance: int
    logs: tuple[float, ...]
    depth: int
    bound_logs: tuple[float, ...] = ()
    bound_holds: tuple[bool, ...] = ()

    @property
    def resolved_to(self) -> int:
        """The last layer whose ratio the balls resolve."""
        return len(self.logs) - 1

    def decades_per_layer(self) -> float | None:
        """The mean slope of log10 ratio over the second half of the resolved layers."""
        if len(self.logs) < 3:
            return None
        half = (len(self.logs) - 1) // 2
        return (self.logs[-1] - self.logs[half]) / (len(self.logs) - 1 - half)

    def decrement_growth(self) -> float | None:
        """How much the log-decrement grows per layer over the last resolved layers (3 at a
        cubic rate), from the last two ratios of successive decrements."""
        steps = [a - b for a, b in zip(self.logs, self.logs[1:], strict=False)]
        ratios = [b / a for a, b in itertools.pairwise(steps) if a > 0.1]
        return statistics.mean(ratios[-2:]) if len(ratios) >= 2 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "architecture": self.architecture,
            "instance": self.instance,
            "log10_ratio": [round(v, 6) for v in self.logs],
            "resolved_to_layer": self.resolved_to,
            "one_step_bound_log10": [round(v, 6) for v in self.bound_logs],
            "one_step_bound_holds": list(self.bound_holds),
        }


@dataclass(frozen=True)
class FindingResult:
    finding: Finding
    reproduced: bool
    summary: str


@dataclass(frozen=True)
class ResidualResult:
    spec: ResidualStudy
    seed: int
    curves: tuple[Curve, ...]
    findings: tuple[FindingResult, ...]

    @property
    def ok(self) -> bool:
        """Every finding reproduced and every one-step bound certainly held."""
        held = all(h for c in self.curves for h in c.bound_holds)
        return held and all(f.reproduced for f in self.findings)

    def of(self, label: str) -> list[Curve]:
        return [c for c in self.curves if c.architecture == label]

    def median(self, label: str, statistic: str) -> float | None:
        values = [getattr(c, statistic)() for c in self.of(label)]
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    def to_dict(self) -> dict[str, Any]:
        s = self.spec
        return {
            "key": s.key,
            "seed": self.seed,
            "sizes": {"n": s.n, "d": s.d, "depth": s.depth, "eta": s.eta, "prec": s.prec},
            "instances": s.instances,
            "one_step_bound": s.one_step_bound,
            "curves": [c.to_dict() for c in self.curves],
            "findings": [
                {
                    "kind": f.finding.kind,
                    "architecture": f.finding.architecture,
                    "than": f.finding.than,
                    "source": f.finding.source,
                    "reproduced": f.reproduced,
                    "summary": f.summary,
                }
                for f in self.findings
            ],
        }

    def summary(self) -> str:
        s = self.spec
        lines = [
            f"{s.key}: residual ratio over {s.depth} layers (n={s.n}, d={s.d}, entries <= "
            f"{s.eta}, {s.instances} networks, Arb at {s.prec} bits, seed {self.seed})"
        ]
        for arch in s.architectures:
            curves = self.of(arch.label)
            to = min(c.resolved_to for c in curves)
            last = statistics.median(c.logs[to] for c in curves)
            rate = self.median(arch.label, "decades_per_layer")
            text = f"  {arch.label}: log10 ratio {last:.3g} at layer {to}"
            if rate is not None:
                text += f", {rate:.3g} decades per layer"
            lines.append(text)
        for f in self.findings:
            lines.append(f"  {'REPRODUCED' if f.reproduced else 'NOT REPRODUCED'}: {f.summary}")
        return "\n".join(lines)


def _log10(ball) -> float:
    with flint.ctx.workprec(64):
        return float((ball.log() / flint.arb(10).log()).mid())


def _layer_options(arch: Architecture, n: int) -> dict[str, Any]:
    mask = None
    if arch.mask == "causal":
        mask = causal_mask(n)
    elif arch.mask == "local":
        mask = local_mask(n, arch.window, causal=True)
    return {"mask": mask, "layernorm": arch.layernorm, "ln": LayerNorm(eps=0)}


def _instance_task(spec: ResidualStudy, seed: int, instance: int) -> list[Curve]:
    from symbound.lemmas.catalogue import load_catalogue
    from symbound.lemmas.networks import layers_of

    arb = ArbBackend(prec=spec.prec)
    X, W = directions(seed, spec.key, (instance,), n=spec.n, d=spec.d, layers=spec.depth, heads=1)
    inst = at_entry_bound(X, W, float(Fraction(spec.eta)))
    lemma = load_catalogue()[spec.one_step_bound] if spec.one_step_bound else None
    curves = []
    for arch in spec.architectures:
        layers = layers_of(inst, arb, skip=arch.skip, **_layer_options(arch, spec.n))
        states = network(inst["X"], layers, backend=arb)
        logs = []
        with arb.scope():
            for x in states:
                ratio = res_norm(x, backend=arb) / max_norm(x, backend=arb)
                if not (resolved(ratio) and ratio > 0):
                    break
                logs.append(_log10(ratio))
        bound_logs, holds = [], []
        if lemma is not None and arch.one_step_bound:
            rhs = compile_expr(lemma.conclusion.rhs)
            for ell in range(len(logs) - 1):
                one = {
                    "n": spec.n,
                    "d": spec.d,
                    "X": states[ell],
                    "M": arb.asarray(inst["M"][ell, 0]),
                    "V": arb.asarray(inst["V"][ell, 0]),
                    "beta": 1,
                }
                params = measured_parameters(lemma, one, arb)
                bound = rhs({"n": spec.n, "d": spec.d, **params}, arb)
                holds.append(certainly_le(lemma.conclusion.lhs.evaluate(one, arb), bound, arb))
                with arb.scope():
                    bound_ratio = bound / max_norm(states[ell + 1], backend=arb)
                bound_logs.append(_log10(bound_ratio))
        curves.append(
            Curve(arch.label, instance, tuple(logs), spec.depth, tuple(bound_logs), tuple(holds))
        )
    return curves


def _judge(finding: Finding, result: ResidualResult) -> FindingResult:
    if finding.kind == "doubly-exponential":
        growth = result.median(finding.architecture, "decrement_growth")
        ok = growth is not None and 2.5 <= growth <= 3.5
        shown = "n/a" if growth is None else f"{growth:.2f}"
        text = (
            f"{finding.architecture}: log-decrements grow by {shown} per layer (cubic: 3), "
            f"{finding.source}"
        )
        return FindingResult(finding, ok, text)
    slow = result.median(finding.architecture, "decades_per_layer")
    fast = result.median(finding.than, "decades_per_layer")
    ok = slow is not None and fast is not None and abs(slow) < abs(fast) and fast < 0
    text = (
        f"{finding.architecture} loses "
        + ("n/a" if slow is None else f"{-slow:.3g}")
        + f" decades per layer against {finding.than}'s "
        + ("n/a" if fast is None else f"{-fast:.3g}")
        + f", {finding.source}"
    )
    return FindingResult(finding, ok, text)


def _validate(spec: ResidualStudy) -> None:
    labels = [a.label for a in spec.architectures]
    if len(set(labels)) != len(labels):
        raise UsageError(f"{spec.key}: architecture labels must differ")
    for f in spec.findings:
        for label in (f.architecture, f.than):
            if label is not None and label not in labels:
                raise UsageError(f"{spec.key}: a finding names no architecture {label!r}")
    if spec.one_step_bound is not None:
        from symbound.lemmas.catalogue import load_catalogue

        cat = load_catalogue()
        if spec.one_step_bound not in cat:
            raise UsageError(f"{spec.key}: unknown one-step bound {spec.one_step_bound!r}")


def run_residual_study(
    spec: ResidualStudy,
    *,
    seed: int = 0,
    executor=None,
    progress: Progress | None = None,
) -> ResidualResult:
    """Run ``spec`` (see the module notes); one task per instance, on ``executor`` if given."""
    _validate(spec)
    progress = progress or Progress(False)
    progress.start(f"residual ratio {spec.key}", spec.instances, "networks")
    chunks = run_tasks(
        executor, _instance_task, [(spec, seed, i) for i in range(spec.instances)], progress
    )
    order = {a.label: k for k, a in enumerate(spec.architectures)}
    curves = tuple(
        sorted((c for ch in chunks for c in ch), key=lambda c: (order[c.architecture], c.instance))
    )
    partial = ResidualResult(spec, seed, curves, ())
    findings = tuple(_judge(f, partial) for f in spec.findings)
    return ResidualResult(spec, seed, curves, findings)

"""What a sweep reports: its float64 screen, the confirmed worst instances, the result.

:class:`SweepResult` is what :func:`symbound.check.sweep.sweep` returns; its JSON is
byte-identical for the same seed whatever the executor.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from symbound.check.result import Evaluation, Verdict

__all__ = [
    "HOLDS",
    "QUANTILE_INSTANCES",
    "UNCERTIFIED",
    "UNDECIDED",
    "UNEVALUABLE",
    "VIOLATED",
    "Candidate",
    "Screen",
    "SweepResult",
    "json_float",
]

#: Rigorous outcomes of a confirmed candidate (anything else was not evaluated).
HOLDS, VIOLATED, UNDECIDED = "holds", "violated", "undecided"
UNCERTIFIED, UNEVALUABLE = "hypotheses not certified", "unevaluable"


def json_float(x: float) -> float | str:
    """A float for JSON: itself if finite, else ``"inf"``, ``"-inf"`` or ``"nan"``."""
    x = float(x)
    return x if np.isfinite(x) else ("inf" if x > 0 else "-inf" if x < 0 else "nan")


@dataclass(frozen=True)
class Candidate:
    """One of the worst instances of the float64 screen, confirmed.

    ``status`` is the rigorous outcome (``holds``, ``violated``, ``undecided``,
    ``hypotheses not certified`` or ``unevaluable``); ``ratio`` encloses lhs/rhs
    rigorously (an Arb ball, or the exact ratio to 20 digits); ``hp_ratio`` is the
    mpmath ratio to 15 digits.

    >>> Candidate(3, 0.5, "holds", "exact rational arithmetic", "0.5", "0.5").to_dict()["status"]
    'holds'
    """

    index: int
    float64_ratio: float
    status: str
    method: str = ""
    hp_ratio: str = ""
    ratio: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "float64_ratio": json_float(self.float64_ratio),
            "status": self.status,
            "method": self.method,
            "hp_ratio": self.hp_ratio,
            "ratio": self.ratio,
        }


@dataclass(frozen=True)
class SweepResult:
    """The outcome of :func:`sweep`.

    - ``verdict``: refuted (``witness``: a violation confirmed rigorously at instance
      ``witness_index``, with its exact instance), survived, or inconclusive;
    - ``sup``: the confirmed instance with the largest high-precision ratio (its
      instance is left out of the JSON: :func:`rebuild_instance` rebuilds it from
      ``seed`` and ``sup_index``);
    - ``candidates``: the confirmed worst instances, worst first;
    - ``counts``, ``float64``: what the float64 screen saw; ``settings``: seed,
      counts, precision and library versions; ``elapsed`` is not part of the JSON.
    """

    key: str
    sizes: Mapping[str, int]
    verdict: Verdict
    witness: Evaluation | None
    witness_index: int | None
    sup: Evaluation | None
    sup_index: int | None
    candidates: tuple[Candidate, ...]
    counts: Mapping[str, int]
    float64: Mapping[str, Any]
    settings: Mapping[str, Any]
    notes: tuple[str, ...] = ()
    elapsed: float = field(default=0.0, compare=False)

    @property
    def refuted(self) -> bool:
        return self.verdict is Verdict.REFUTED

    def to_dict(self) -> dict[str, Any]:
        sup = None
        if self.sup is not None:
            sup = {k: v for k, v in self.sup.to_dict().items() if k != "instance"}
            sup["index"] = self.sup_index
        witness = None
        if self.witness is not None:
            witness = {**self.witness.to_dict(), "index": self.witness_index}
        return {
            "key": self.key,
            "sizes": dict(self.sizes),
            "verdict": self.verdict.value,
            "witness": witness,
            "sup": sup,
            "candidates": [c.to_dict() for c in self.candidates],
            "counts": dict(self.counts),
            "float64": dict(self.float64),
            "settings": dict(self.settings),
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        """The result as JSON, keys sorted: byte-identical for the same seed."""
        return json.dumps(self.to_dict(), sort_keys=True, indent=2)

    def summary(self) -> str:
        """A few lines for a terminal."""
        sizes = " ".join(f"{k}={v}" for k, v in self.sizes.items())
        c, f = self.counts, self.float64
        lines = [
            f"{self.key} at {sizes or 'its fixed sizes'}: {self.verdict.value.upper()} "
            f"({c['instances']} instances, seed {self.settings['seed']})",
            f"  float64 screen: largest lhs/rhs {_g(f['max'])}, median {_g(f['median'])}; "
            f"{c['float64_ratio_above_1']} above 1, {c['float64_unevaluable']} unevaluable",
        ]
        statuses = {s: sum(cand.status == s for cand in self.candidates) for s in _STATUSES}
        methods = sorted({cand.method for cand in self.candidates if cand.method})
        lines.append(
            f"  confirmed the {len(self.candidates)} worst at {self.settings['dps']} digits"
            + (f" and rigorously ({'; '.join(methods)})" if methods else "")
            + ": "
            + ", ".join(f"{_STATUSES[s]} at {n}" for s, n in statuses.items() if n)
        )
        if self.witness is not None:
            w = self.witness
            lines.append(f"  witness  instance {self.witness_index}: lhs/rhs = {w.ratio}")
            lines.append(f"  lhs = {_clip(w.lhs)} > rhs = {_clip(w.rhs)}   ({w.method})")
        if self.sup is not None and self.sup_index != self.witness_index:
            lines.append(
                f"  largest lhs/rhs confirmed: {self.sup.ratio} at instance {self.sup_index} "
                f"(gap 1 - ratio = {self.sup.gap})"
            )
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


_STATUSES = {
    VIOLATED: "bound violated",
    UNDECIDED: "undecided",
    HOLDS: "bound holds",
    UNCERTIFIED: "hypotheses not certified",
    UNEVALUABLE: "unevaluable",
}


def _g(x: float | str) -> str:
    return f"{x:.4g}" if isinstance(x, float) else x


def _clip(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[: most - 3] + "..."


#: The float64 median and 99th percentile are computed over the first instances only
#: (exactly, for sweeps of up to this many): a sweep's memory must not grow with it.
QUANTILE_INSTANCES = 100_000


class Screen:
    """The float64 screen, folded chunk by chunk: counts, the maximum, the ``confirm``
    worst instances (ties to the smaller index) and the first ratios for quantiles."""

    def __init__(self, confirm: int):
        self.confirm = confirm
        self.instances = self.above_1 = self.unevaluable = 0
        self.max = -np.inf
        self.worst: list[tuple[float, int]] = []  # (ratio, index), worst first
        self.first: list[np.ndarray] = []

    def add(self, start: int, ratios: np.ndarray) -> None:
        self.instances += len(ratios)
        self.above_1 += int(np.sum(ratios > 1))
        self.unevaluable += int(np.sum(ratios == -np.inf))
        if len(ratios):
            self.max = max(self.max, float(ratios.max()))
        evaluable = np.flatnonzero(ratios > -np.inf)
        top = sorted(evaluable.tolist(), key=lambda j: (-ratios[j], j))[: self.confirm]
        merged = self.worst + [(float(ratios[j]), start + j) for j in top]
        self.worst = sorted(merged, key=lambda c: (-c[0], c[1]))[: self.confirm]
        room = QUANTILE_INSTANCES - start
        if room > 0:
            self.first.append(ratios[:room])

    def ratio(self, index: int) -> float:
        return next(r for r, i in self.worst if i == index)

    def quantiles(self) -> dict[str, Any]:
        kept = np.concatenate(self.first) if self.first else np.zeros(0)
        finite = kept[np.isfinite(kept)]
        out = {
            "max": json_float(self.max),
            "median": json_float(np.median(finite)) if finite.size else "nan",
            "p99": json_float(np.quantile(finite, 0.99)) if finite.size else "nan",
        }
        if self.instances > QUANTILE_INSTANCES:
            out["quantiles_over_first"] = QUANTILE_INSTANCES
        return out

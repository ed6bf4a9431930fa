"""Reproducible experiments: claims that are facts about computations, not inequalities.

Some statements of the literature are best checked by running something: Dong et
al.'s path decomposition reproduces the forward pass; pure attention collapses
doubly exponentially; masked attention collapses exponentially, more slowly under a
local window.  An :class:`Experiment` is a frozen value like a lemma -- key,
citation, provenance, the claim in words, the criterion that decides whether the
run reproduces it -- plus a ``run(seed, dps)`` function returning measurements.

Runs are deterministic: the same seed and precision give the same measurements,
which are reported as strings with a fixed number of digits.

>>> from symbound import load_catalogue
>>> exp = load_catalogue().experiments["dcl21.path-decomposition"]
>>> result = run_experiment(exp, seed=0, dps=30)
>>> result.reproduced
True
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from symbound.errors import InvalidLemmaError
from symbound.lemmas.model import Citation, Provenance
from symbound.versions import versions

__all__ = ["Experiment", "ExperimentResult", "Outcome", "Remark", "run_experiment"]

_KEY = re.compile(r"^[a-z0-9][a-z0-9.\-]*[a-z0-9]$")


@dataclass(frozen=True)
class Outcome:
    """What a run returns: whether the claim was reproduced, a one-line summary, and
    the measurements (JSON-ready: strings, ints, bools, lists of them)."""

    reproduced: bool
    summary: str
    measured: Mapping[str, Any]


@dataclass(frozen=True)
class Experiment:
    """A claim checked by a deterministic computation."""

    key: str
    title: str
    citation: Citation
    provenance: Provenance
    claim: str
    criterion: str
    run: Callable[[int, int], Outcome] = field(compare=False)

    def __post_init__(self):
        if not isinstance(self.key, str) or not _KEY.match(self.key):
            raise InvalidLemmaError(
                f"experiment {self.key!r}: key must be lowercase letters, digits, '.' and '-'"
            )
        if not isinstance(self.provenance, Provenance):
            raise InvalidLemmaError(f"experiment {self.key!r}: provenance must be a Provenance")

    def __repr__(self) -> str:
        return f"<Experiment {self.key} [{self.provenance.value}]: {self.claim}>"


@dataclass(frozen=True)
class Remark:
    """A statement recorded with its provenance that no evaluation can check (an
    asymptotic complexity bound, say); tables list it as not checkable, with why."""

    key: str
    title: str
    citation: Citation
    provenance: Provenance
    statement: str
    unchecked_because: str

    def __post_init__(self):
        if not isinstance(self.key, str) or not _KEY.match(self.key):
            raise InvalidLemmaError(
                f"remark {self.key!r}: key must be lowercase letters, digits, '.' and '-'"
            )

    def __repr__(self) -> str:
        return f"<Remark {self.key} [{self.provenance.value}; not checkable]: {self.statement}>"


@dataclass(frozen=True)
class ExperimentResult:
    """The outcome of :func:`run_experiment`, with its settings (seed, dps, versions)."""

    key: str
    reproduced: bool
    summary: str
    measured: Mapping[str, Any]
    settings: Mapping[str, Any]
    elapsed: float = field(default=0.0, compare=False)

    @property
    def verdict(self) -> str:
        return "reproduced" if self.reproduced else "not reproduced"

    def __repr__(self) -> str:
        return f"<ExperimentResult {self.key}: {self.verdict.upper()}, {self.summary}>"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "verdict": self.verdict,
            "summary": self.summary,
            "measured": dict(self.measured),
            "settings": dict(self.settings),
        }


def run_experiment(experiment: Experiment, *, seed: int = 0, dps: int = 50) -> ExperimentResult:
    """Run ``experiment`` with ``seed`` at ``dps`` digits."""
    t0 = time.perf_counter()
    outcome = experiment.run(seed, dps)
    return ExperimentResult(
        key=experiment.key,
        reproduced=bool(outcome.reproduced),
        summary=outcome.summary,
        measured=dict(outcome.measured),
        settings={"seed": seed, "dps": dps, "versions": versions()},
        elapsed=time.perf_counter() - t0,
    )

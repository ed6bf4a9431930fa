r"""The stages of a counterexample search, each public and named.

A lemma's instances are vectors ``z`` mapped through its instance space (so the
built-in hypotheses hold).  :func:`symbound.check.check` runs every stage;
:func:`symbound.check.sweep.sweep` runs the evaluating ones on its own instances.

1. **sample** (:meth:`Search.sample`) -- vectors for every size of the lemma's
   search ranges, evaluated in float64 batches;
2. **optimise** (:meth:`Search.optimise`) -- Nelder--Mead on ``-lhs/rhs`` from the
   best samples (SciPy's adaptive method, float64, each iteration's candidate points
   evaluated as one batch: :mod:`symbound.check.neldermead`);
3. **high precision** (:meth:`Search.high_precision`,
   :func:`~symbound.check.exact.hp_ratio`) -- the best candidates rebuilt *exactly*
   from their rational vectors and re-evaluated with mpmath: bounds tight only
   asymptotically look violated in float64 by rounding;
4. **confirm** (:meth:`Search.confirm`, :func:`~symbound.check.exact.rigorous`) -- lhs
   and rhs in exact rational arithmetic, or in outward-rounded Arb balls, at the exact
   instance; never a float comparison;
5. **shrink** (:meth:`Search.shrink`) -- the instance simplified to shorter
   rationals, each step confirmed again (:func:`symbound.check.shrink.shrink`);
6. **conclude** (:func:`symbound.check.conclude.conclude`) -- the verdict and its
   notes from what the stages found.

>>> from symbound import load_catalogue
>>> search = Search(load_catalogue()["as25.lemma4.1"], seed=1, samples=300, dps=30,
...                 starts=0, keep=2)
>>> best = max(search.high_precision(search.sample()), key=lambda s: s.ratio)
>>> found = search.confirmation(best.zq, search.grid[best.combo])
>>> found.method, found.violated
('exact rational arithmetic', True)
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import time
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from symbound.check.evaluate import build_exact, float_ratios, float_screen
from symbound.check.exact import (
    NUMERIC_ERRORS,
    Rigorous,
    certified,
    evaluation,
    hp_ratio,
    witnessed,
)
from symbound.check.neldermead import nelder_mead
from symbound.check.result import Evaluation
from symbound.check.shrink import shrink
from symbound.errors import NotExactError, UsageError
from symbound.lemmas.model import Lemma
from symbound.numeric.backends import MpmathBackend
from symbound.numeric.precision import Agreement

__all__ = [
    "Candidate",
    "Scored",
    "Search",
    "Shrinking",
    "integer_setting",
    "size_grid",
]


def integer_setting(name: str, value: Any, lo: int, hi: int) -> int:
    """``value`` as an int in ``[lo, hi]``, or a one-line :class:`UsageError`.

    >>> integer_setting("seed", 3, 0, 10)
    3
    >>> integer_setting("seed", True, 0, 10)
    Traceback (most recent call last):
      ...
    symbound.errors.UsageError: seed must be an integer, got True
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise UsageError(f"{name} must be an integer, got {value!r}")
    if not lo <= value <= hi:
        raise UsageError(f"{name} must be between {lo} and {hi}, got {value}")
    return int(value)


def size_grid(lemma: Lemma) -> list[dict[str, int]]:
    """Every combination of the lemma's integer sizes over their search ranges."""
    params = lemma.size_parameters
    ranges = [range(int(p.search[0]), int(p.search[1]) + 1) for p in params]
    return [
        dict(zip((p.name for p in params), combo, strict=True))
        for combo in itertools.product(*ranges)
    ]


@dataclasses.dataclass(frozen=True)
class Candidate:
    """A float64 candidate: its ratio lhs/rhs, its sizes (an index into the grid), its vector."""

    ratio: float
    combo: int
    z: np.ndarray


@dataclasses.dataclass(frozen=True)
class Scored:
    """A candidate at high precision: its mpmath ratio and its exact vector."""

    ratio: Any
    combo: int
    zq: list[Fraction]


@dataclasses.dataclass(frozen=True)
class Shrinking:
    """What a shrinking trial must keep: ``keeps(trial)``, decided exactly or at high
    precision, and ``screen(z, i, candidates)``, a cheap float64 test of the trials ``z``
    with coordinate ``i`` replaced by each candidate, True where one surely fails
    ``keeps``."""

    keeps: Callable[[list[Fraction]], bool]
    screen: Callable[[list[Fraction], int, list[Fraction]], Iterable[bool]]


def _best(pool: Sequence[Candidate], k: int) -> list[Candidate]:
    order = sorted(range(len(pool)), key=lambda i: (-pool[i].ratio, pool[i].combo, i))
    return [pool[i] for i in order[:k]]


class Search:
    """One check's search: its settings, the sizes it covers, and what each stage counted.

    ``counts`` (the check's JSON reports them) and ``cancellation`` (agreements that
    lost digits) grow as the stages run.
    """

    COUNTS = (
        "size_combinations",
        "samples",
        "optimizer_starts",
        "optimizer_evaluations",
        "float64_ratio_above_1",
        "hp_evaluations",
        "hp_ratio_above_1",
        "rigorous_confirmations",
        "shrink_steps",
        "skipped_unevaluable",
        "filtered_out",
    )

    def __init__(self, lemma: Lemma, *, seed: int, samples: int, dps: int, starts: int, keep: int):
        self.lemma = lemma
        self.seed, self.samples, self.dps, self.starts, self.keep = seed, samples, dps, starts, keep
        self.hp = MpmathBackend(dps=dps)
        self.cancellation: list[Agreement] = []
        self.grid = size_grid(lemma)
        self.counts = dict.fromkeys(self.COUNTS, 0)
        self.counts["size_combinations"] = len(self.grid)
        self._cheap_batches: dict[tuple, bool] = {}

    def batches_cheaply(self, sizes, z) -> bool:
        """Whether float64 evaluates a batch of rows at these sizes for little more than
        one row (numpy's per-call overhead dominates the catalogue's small instances):
        then Nelder--Mead's candidate points and a shrinking coordinate's trials go as
        batches; otherwise one at a time, as they are used (an objective whose cost grows
        with its rows, a matrix exponential per row).  Timed once per sizes at ``z``
        (eight rows against one, after a warm-up call); only the time depends on it, not
        the values, which are the same row by row."""
        key = tuple(sorted(sizes.items()))
        if key not in self._cheap_batches:
            one = np.array([[float(v) for v in z]])
            eight = np.repeat(one, 8, axis=0)
            with np.errstate(all="ignore"):
                try:
                    float_ratios(self.lemma, one, sizes)
                    t0 = time.perf_counter()
                    float_ratios(self.lemma, one, sizes)
                    t1 = time.perf_counter()
                    float_ratios(self.lemma, eight, sizes)
                    t2 = time.perf_counter()
                    cheap = t2 - t1 < 3 * (t1 - t0)
                except (*NUMERIC_ERRORS, NotExactError):
                    cheap = True  # the batch's own fallback goes row by row
            self._cheap_batches[key] = cheap
        return self._cheap_batches[key]

    # -- stage 1 ------------------------------------------------------------------------
    def sample(self) -> list[Candidate]:
        """The ``keep`` best float64 samples of each size (per-size seeded streams)."""
        seeds = np.random.SeedSequence(self.seed).spawn(len(self.grid))
        base, extra = divmod(self.samples, len(self.grid))
        pool: list[Candidate] = []
        for i, sizes in enumerate(self.grid):
            count = base + (1 if i < extra else 0)
            if count == 0:
                continue
            rng = np.random.default_rng(seeds[i])
            dim = self.lemma.space.dimension(sizes)
            z = self.lemma.space.sample(rng, dim, count)
            ratios, met = float_screen(self.lemma, z, sizes)
            self.counts["filtered_out"] += int(np.sum(~met))
            self.counts["samples"] += count
            self.counts["float64_ratio_above_1"] += int(np.sum(ratios > 1))
            order = np.argsort(-ratios, kind="stable")[: self.keep]
            pool.extend(Candidate(float(ratios[j]), i, z[j].copy()) for j in order)
        return pool

    # -- stage 2 ------------------------------------------------------------------------
    def optimise(self, pool: list[Candidate], jobs: int = 1) -> list[Candidate]:
        """Nelder--Mead from the ``starts`` best candidates; the points it ends at.

        Each iteration's candidate points are evaluated as one float64 batch where that is
        cheap (:func:`~symbound.check.neldermead.nelder_mead`: SciPy's adaptive
        Nelder--Mead, the same points and result).  With ``jobs`` > 1 the runs go to up
        to ``jobs`` forked workers at once (:func:`symbound.parallel.fork_imap`); each
        run is the same wherever it runs."""
        from symbound.parallel import fork_imap

        starts = _best(pool, self.starts)
        out = []
        for cand, (x, nfev) in zip(starts, fork_imap(self._descend, starts, jobs), strict=True):
            self.counts["optimizer_starts"] += 1
            self.counts["optimizer_evaluations"] += nfev
            ratio = float_ratios(self.lemma, x[None, :], self.grid[cand.combo])[0]
            self.counts["float64_ratio_above_1"] += int(ratio > 1)
            out.append(Candidate(float(ratio), cand.combo, x))
        return out

    def _descend(self, cand: Candidate) -> tuple[np.ndarray, int]:
        """One Nelder--Mead run from ``cand``: the point it ends at, its evaluations."""
        sizes = self.grid[cand.combo]

        def objective(zz):
            ratios = float_ratios(self.lemma, zz, sizes)
            return [-r if np.isfinite(r) else (1e300 if r < 0 else -1e300) for r in ratios]

        z0 = cand.z
        step = 0.1 * np.maximum(np.abs(z0), 1.0)
        with np.errstate(all="ignore"):
            return nelder_mead(
                objective,
                np.vstack([z0, z0 + np.diag(step)]),
                maxfev=min(400, 100 + 10 * len(z0)),
                xatol=1e-12,
                fatol=1e-15,
                speculate=self.batches_cheaply(sizes, z0),
            )

    # -- stage 3 ------------------------------------------------------------------------
    def high_precision(self, pool: list[Candidate]) -> list[Scored]:
        """Each chosen candidate that could be evaluated, at high precision."""
        per_combo_best = {}
        for c in pool:
            if c.combo not in per_combo_best or c.ratio > per_combo_best[c.combo].ratio:
                per_combo_best[c.combo] = c
        # the best overall, then the best of other sizes (at most ``keep`` of them)
        chosen = _best(pool, self.keep + self.starts) + _best(
            list(per_combo_best.values()), self.keep
        )
        seen, evaluated = set(), []
        for c in chosen:
            ident = (c.combo, c.z.tobytes())
            # +inf marks a bound <= 0 exceeded in float64: a candidate violation, kept;
            # -inf (unevaluable, or a bound of 0 met) and nan say nothing
            if ident in seen or np.isnan(c.ratio) or c.ratio == -np.inf:
                continue
            seen.add(ident)
            zq = [Fraction(float(v)) for v in c.z]
            try:
                ratio = hp_ratio(self.lemma, zq, self.grid[c.combo], self.hp)
            except (*NUMERIC_ERRORS, NotExactError):
                self.counts["skipped_unevaluable"] += 1
                continue
            if ratio is None or ratio == -self.hp.ctx.inf:  # unevaluable, or a bound of 0 met
                self.counts["skipped_unevaluable"] += 1
                continue
            self.counts["hp_evaluations"] += 1
            self.counts["hp_ratio_above_1"] += int(ratio > 1)
            evaluated.append(Scored(ratio, c.combo, zq))
        return evaluated

    # -- stage 4 ------------------------------------------------------------------------
    def confirm(self, zq: list[Fraction], sizes) -> bool:
        """Whether ``zq`` is a witness (:meth:`confirmation`), counted."""
        return self.confirmation(zq, sizes) is not None

    def confirmation(self, zq: list[Fraction], sizes) -> Rigorous | None:
        """The rigorous evaluation that makes ``zq`` a witness (counted), or None when it
        is not one (:func:`~symbound.check.exact.witnessed`)."""
        self.counts["rigorous_confirmations"] += 1
        return witnessed(self.lemma, zq, sizes, self.hp)

    # -- stage 5 ------------------------------------------------------------------------
    def shrink(self, zq: list[Fraction], criterion: Shrinking, budget: int = 600) -> list[Fraction]:
        """``zq`` simplified while ``criterion.keeps`` stays true (its calls counted)."""
        small, steps = shrink(zq, criterion.keeps, budget=budget, screen=criterion.screen)
        self.counts["shrink_steps"] += steps
        return small

    def shrink_all(
        self, tasks: list[tuple[list[Fraction], Shrinking, int]], jobs: int = 1
    ) -> list[list[Fraction]]:
        """:meth:`shrink` of each ``(zq, criterion, budget)``, up to ``jobs`` at once in
        forked workers (:func:`symbound.parallel.fork_imap`); each shrink is independent
        of the others, and its counts are added here in order, so the results and counts
        are those of shrinking one after another."""
        from symbound.parallel import fork_imap

        def one(task):
            before = dict(self.counts)
            small = self.shrink(*task)
            spent = {k: self.counts[k] - before[k] for k in before}
            self.counts.update(before)  # added below, wherever the shrink ran
            return small, spent

        out = []
        for small, spent in fork_imap(one, tasks, jobs):
            for k, v in spent.items():
                self.counts[k] += v
            out.append(small)
        return out

    def keeps_ratio(self, sizes, least) -> Shrinking:
        """Whether a vector's high-precision ratio stays at least ``least``; trials
        float64 finds clearly below it are rejected first (acceptance is decided at high
        precision only)."""

        filtered = any(not h.guaranteed for h in self.lemma.hypotheses)

        def keeps(trial: list[Fraction]) -> bool:
            try:
                r = hp_ratio(self.lemma, trial, sizes, self.hp)
            except (*NUMERIC_ERRORS, NotExactError):
                return False
            if r is None or not r >= least:
                return False
            # a hypothesis the space does not build in must still hold where it moved to
            if not filtered:
                return True
            return certified(self.lemma, build_exact(self.lemma, trial, sizes), self.hp) is not None

        return Shrinking(
            keeps, functools.partial(self.clearly_below, sizes=sizes, least=float(least))
        )

    def still_violated(self, sizes) -> Shrinking:
        """Whether a shrinking trial is still a witness: :meth:`confirm`, for the trials
        float64 does not find clearly below 1 (a rejection only costs a shrinking step;
        a witness is accepted only rigorously)."""
        return Shrinking(
            lambda trial: self.confirm(trial, sizes),
            functools.partial(self.clearly_below, sizes=sizes, least=1.0),
        )

    def clearly_below(
        self, z: list[Fraction], i: int, candidates: list[Fraction], sizes, least: float
    ) -> Iterable[bool]:
        """For ``z`` with coordinate ``i`` replaced by each candidate: float64 says its
        ratio is below ``least`` by more than a relative 1e-6 (far beyond float64's
        rounding on these small instances).  One batch; where the batch cannot be
        evaluated, trial by trial (False where a trial cannot be).  Where batches are
        not cheap (:meth:`batches_cheaply`), a generator: each trial as it is used."""
        if len(candidates) > 1 and not self.batches_cheaply(sizes, z):
            return (self.clearly_below(z, i, [c], sizes, least)[0] for c in candidates)
        with np.errstate(all="ignore"):
            try:
                trials = np.tile(np.array([float(v) for v in z]), (len(candidates), 1))
                trials[:, i] = [float(c) for c in candidates]
                ratios = float_ratios(self.lemma, trials, sizes)
            except (*NUMERIC_ERRORS, NotExactError):
                if len(candidates) == 1:
                    return [False]
                return [self.clearly_below(z, i, [c], sizes, least)[0] for c in candidates]
        return [
            bool(np.isfinite(r) and np.isfinite(least) and r < least - 1e-6 * abs(least))
            for r in ratios
        ]

    # -- reporting ----------------------------------------------------------------------
    def evaluation(
        self, zq: list[Fraction], sizes, *, ratio=None, found: Rigorous | None = None
    ) -> Evaluation | None:
        """:func:`evaluation` at this search's precision (digits lost are recorded);
        ``ratio`` and ``found``, where known, are ``zq``'s high-precision ratio and
        rigorous evaluation."""
        if ratio is None:
            ratio = hp_ratio(self.lemma, zq, sizes, self.hp)
        found = evaluation(self.lemma, zq, sizes, ratio, self.hp, found)
        if found is None:
            return None
        report, ag = found
        if ag.lost_to_cancellation:
            self.cancellation.append(ag)
        return report

"""The refuter against Hypothesis and SciPy's global optimisers, on the same claims and budget.

Every claim of the public suite (tests/quality/refuter_suite.py: false claims with a
known flaw, true ones, most of them tight) is searched by four methods over the same
unconstrained vector z of its derived instance space, at one size combination, each
with the same budget of float64 lhs/rhs evaluations (4000 by default):

- symbound: ``check`` at its defaults (2000 samples, 4 Nelder--Mead starts, 50 digits;
  its float64 evaluations, samples plus optimiser, stay within the budget; its
  high-precision and exact evaluations are counted apart);
- symbound --first: the same with ``first=True``: it stops at the first witness
  confirmed among its samples (no optimisation, no shrinking, no tightness stage), as
  the peers stop at their first float violation; where the samples hold none it is
  the whole check;
- Hypothesis: ``@given`` over float vectors z in the box, the property lhs/rhs <= 1 in
  float64, ``target(lhs/rhs)``, ``max_examples`` = the budget, shrinking on (its
  evaluations come on top), seeded, no database, no deadline, the explain phase off;
- SciPy ``differential_evolution`` (vectorised, default population 15 per dimension,
  as many generations as the budget allows, no polish) and ``dual_annealing``
  (``maxfun`` = the budget, its default local search), minimising -lhs/rhs in float64
  over the box, seeded; both stop at the first float ratio above 1.

The box is [-30, 30]^dim by default: the scale of symbound's own sampler (normal
vectors times a scale up to 30).  Each peer runs twice: reporting a violation at a
float ratio above 1, and above 1 + 1e-9 (``--tolerance``), which a user wary of
rounding would write.  A method's "refutation" is its best z rationalised
(``Fraction`` of each float), built exactly, and decided by the suite's ``judge``
(exact rational arithmetic, or Arb balls with doubling precision); symbound's witness
is judged by the same code.  Counted apart: confirmed refutations; float violations
the judge does not confirm, on false claims and (false alarms) on true ones.  Times
are wall clock from the method's start to its judged answer (for symbound the whole
check, its tightness stage included), the methods interleaved claim by claim, in one
run.  Results are deterministic (seeded); times are not.

    python benchmarks/bench_refuter.py [--budget 4000] [--seed 0] [--box 30]
                                       [--tolerance 1e-9] [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from symbound.check import check
from symbound.check.evaluate import float_ratios
from tests.quality.refuter_suite import (
    QUICK,
    SUITE,
    SuiteClaim,
    digits,
    exact_instance,
    judge,
    size_of,
)


@dataclass(frozen=True)
class Setup:
    """What every method gets: the budget of float64 evaluations, the seed, the box
    [-box, box]^dim for z, and the margin above 1 a peer needs to report a violation."""

    budget: int = 4000
    seed: int = 0
    box: float = 30.0
    tol: float = 0.0


@dataclass(frozen=True)
class Outcome:
    """One method on one claim: what it said, what the judge said, at what cost."""

    method: str
    key: str
    false: bool
    flaw: str
    float_violation: bool  # the method reported lhs/rhs > 1
    judged: str  # "violated", "holds", "undecided", or "" when nothing was reported
    judge_method: str
    seconds: float
    evaluations: int  # float64 lhs/rhs evaluations
    precise: int  # high-precision and exact evaluations (symbound's stages)
    witness_digits: int | None
    best_ratio: float

    @property
    def confirmed(self) -> bool:
        return self.float_violation and self.judged == "violated"


def _ratio(lemma, z, sizes) -> np.ndarray:
    with np.errstate(all="ignore"):
        return float_ratios(lemma, np.atleast_2d(z), sizes)


class Stop(Exception):
    """The search is over: a ratio above the threshold, or the budget spent."""


class Tracker:
    """lhs/rhs of a batch of vectors, counted, the best kept; stops a SciPy optimiser
    (by raising :class:`Stop`) at the first ratio above ``1 + tol`` or at the budget."""

    def __init__(self, entry: SuiteClaim, setup: Setup):
        self.lemma, self.sizes = entry.lemma, size_of(entry.lemma)
        self.dim = self.lemma.space.dimension(self.sizes)
        self.budget, self.threshold = setup.budget, 1 + setup.tol
        self.bounds = [(-setup.box, setup.box)] * self.dim
        self.calls, self.best, self.z = 0, -np.inf, np.zeros(self.dim)

    def ratios(self, zz: np.ndarray) -> np.ndarray:
        zz = np.atleast_2d(zz)[: max(self.budget - self.calls, 0)]
        if not len(zz):
            raise Stop
        r = _ratio(self.lemma, zz, self.sizes)
        self.calls += len(zz)
        i = int(np.argmax(np.where(np.isnan(r), -np.inf, r)))
        if r[i] > self.best:
            self.best, self.z = float(r[i]), zz[i].copy()
        if self.best > self.threshold:
            raise Stop
        return r

    def objective(self, zz: np.ndarray) -> np.ndarray:
        """-lhs/rhs to minimise: +inf (a bound <= 0 exceeded) best, -inf (unevaluable)
        worst, as the checker's own Nelder--Mead objective."""
        r = self.ratios(zz)
        return np.where(np.isfinite(r), -r, np.where(r > 0, -1e300, 1e300))


def _judged(method, entry, z, t0, best, setup: Setup, evaluations) -> Outcome:
    """A peer's answer: a violation if its best float ratio exceeds 1 + tol, judged exactly."""
    lemma = entry.lemma
    violation = bool(best > 1 + setup.tol)
    verdict, how, size = "", "", None
    if violation:
        inst = exact_instance(lemma, z)
        j = judge(lemma, inst)
        verdict, how, size = j.verdict, j.method, digits(inst)
    name = f"{method}, ratio > 1 + {setup.tol:g}" if setup.tol else method
    seconds = time.perf_counter() - t0
    return Outcome(
        method=name, key=entry.key, false=entry.false, flaw=entry.flaw,
        float_violation=violation, judged=verdict, judge_method=how, seconds=seconds,
        evaluations=evaluations, precise=int(violation), witness_digits=size,
        best_ratio=float(best),
    )  # fmt: skip


#: The most float64 evaluations ``check`` spends at its defaults: 2000 samples and four
#: Nelder--Mead runs of at most 400 evaluations each.
SYMBOUND_MOST = 2000 + 4 * 400


def run_symbound(entry: SuiteClaim, setup: Setup, *, first: bool = False) -> Outcome:
    """``check`` at its defaults; its witness judged by the same judge as the peers'."""
    t0 = time.perf_counter()
    r = check(entry.lemma, seed=setup.seed, first=first)
    k = r.counts
    evaluations = k["samples"] + k["optimizer_evaluations"]
    precise = k["hp_evaluations"] + k["rigorous_confirmations"] + k["shrink_steps"]
    verdict, how, size = "", "", None
    if r.witness is not None:
        j = judge(entry.lemma, r.witness.instance)
        verdict, how, size = j.verdict, j.method, digits(r.witness.instance)
    best = float("inf") if r.witness is not None else float(r.sup.ratio if r.sup else "nan")
    seconds = time.perf_counter() - t0
    return Outcome(
        method="symbound --first" if first else "symbound", key=entry.key,
        false=entry.false, flaw=entry.flaw,
        float_violation=r.witness is not None, judged=verdict, judge_method=how,
        seconds=seconds, evaluations=evaluations, precise=precise, witness_digits=size,
        best_ratio=best,
    )  # fmt: skip


def run_symbound_first(entry: SuiteClaim, setup: Setup) -> Outcome:
    """``check(first=True)``: it stops at the first witness confirmed among its samples,
    as the peers stop at their first float violation (then judged the same way)."""
    return run_symbound(entry, setup, first=True)


def run_hypothesis(entry: SuiteClaim, setup: Setup) -> Outcome:
    """``@given`` float vectors in the box; the property lhs/rhs <= 1 + tol; shrinking on."""
    from hypothesis import HealthCheck, Phase, given, settings, target
    from hypothesis import seed as seeded
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import arrays

    lemma, sizes = entry.lemma, size_of(entry.lemma)
    dim = lemma.space.dimension(sizes)
    seen = {"calls": 0, "failing": np.zeros(dim), "best": -np.inf}
    elements = st.floats(-setup.box, setup.box, allow_nan=False, allow_infinity=False)

    @seeded(setup.seed)
    @settings(
        max_examples=setup.budget,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.explicit, Phase.generate, Phase.target, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(arrays(np.float64, dim, elements=elements))
    def lhs_le_rhs(z):
        seen["calls"] += 1
        r = float(_ratio(lemma, z, sizes)[0])
        if np.isfinite(r):
            target(r, label="lhs/rhs")
        if r > 1 + setup.tol:
            seen["failing"], seen["best"] = z.copy(), r  # the last failing call is the shrunk one
            raise AssertionError(f"lhs/rhs = {r}")

    t0 = time.perf_counter()
    with contextlib.suppress(AssertionError):
        lhs_le_rhs()
    return _judged("hypothesis", entry, seen["failing"], t0, seen["best"], setup, seen["calls"])


def run_differential_evolution(entry: SuiteClaim, setup: Setup) -> Outcome:
    """SciPy's defaults (population 15 per dimension), vectorised, as many generations as
    the budget allows, no polish (it would spend evaluations beyond the budget)."""
    from scipy.optimize import differential_evolution

    track = Tracker(entry, setup)
    popsize = 15
    t0 = time.perf_counter()
    with contextlib.suppress(Stop):
        differential_evolution(
            lambda zz: track.objective(zz.T),
            track.bounds,
            popsize=popsize,
            maxiter=max(setup.budget // (popsize * track.dim) - 1, 0),
            seed=setup.seed,
            polish=False,
            vectorized=True,
            updating="deferred",
        )
    return _judged("differential_evolution", entry, track.z, t0, track.best, setup, track.calls)


def run_dual_annealing(entry: SuiteClaim, setup: Setup) -> Outcome:
    """SciPy's defaults (its local search included), ``maxfun`` the budget."""
    from scipy.optimize import dual_annealing

    track = Tracker(entry, setup)
    t0 = time.perf_counter()
    with contextlib.suppress(Stop):
        dual_annealing(
            lambda z: float(track.objective(z)[0]),
            track.bounds,
            maxfun=setup.budget,
            seed=setup.seed,
        )
    return _judged("dual_annealing", entry, track.z, t0, track.best, setup, track.calls)


PEERS = (run_hypothesis, run_differential_evolution, run_dual_annealing)


def summary(outcomes: list[Outcome], method: str) -> dict:
    """One method's figures over the suite (times over the false claims it refuted)."""
    mine = [o for o in outcomes if o.method == method]
    false = [o for o in mine if o.false]
    true = [o for o in mine if not o.false]
    hits = [o for o in false if o.confirmed]
    times = [o.seconds for o in hits]
    ours = {o.key: o for o in outcomes if o.method == "symbound" and o.confirmed}
    paired = [o.seconds / ours[o.key].seconds for o in hits if o.key in ours]

    def median(xs):
        return statistics.median(xs) if xs else None

    return {
        "method": method,
        "false_claims": len(false),
        "refuted": len(hits),
        "unconfirmed_on_false": sum(o.float_violation and not o.confirmed for o in false),
        "true_claims": len(true),
        "false_alarms": sum(o.float_violation and not o.confirmed for o in true),
        "refuted_true": sum(o.confirmed for o in true),  # 0 unless the judge is wrong
        "median_s": median(times),
        "worst_s": max(times) if times else None,
        "median_time_vs_symbound": median(paired),
        "median_digits": median([o.witness_digits for o in hits]),
        "median_evaluations": median([o.evaluations for o in mine]),
        "median_precise": median([o.precise for o in mine]),
        "total_s": sum(o.seconds for o in mine),
    }


def _fmt(x, spec=".3g") -> str:
    return "–" if x is None else format(x, spec)


def table(summaries: list[dict]) -> str:
    """The summaries as a Markdown table (the README's)."""
    head = (
        "| method | false claims refuted, witness confirmed | float64 violations not "
        "confirmed, on false claims | false alarms on true claims | time to a confirmed "
        "witness, median / worst | time / symbound's, median over claims both refute | "
        "witness digits, median | float64 evaluations, median | exact or high-precision "
        "evaluations, median |"
    )
    rows = [head, "|---|" + "--:|" * 8]
    for s in summaries:
        rows.append(
            f"| {s['method']} | {s['refuted']} / {s['false_claims']} | "
            f"{s['unconfirmed_on_false']} | {s['false_alarms']} / {s['true_claims']} | "
            f"{_fmt(s['median_s'])} s / {_fmt(s['worst_s'])} s | "
            f"{_fmt(s['median_time_vs_symbound'])} | {_fmt(s['median_digits'], 'g')} | "
            f"{_fmt(s['median_evaluations'], 'g')} | {_fmt(s['median_precise'], 'g')} |"
        )
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=int, default=4000, help="float64 evaluations per method")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--box", type=float, default=30.0, help="the peers search z in [-box, box]")
    ap.add_argument(
        "--tolerance",
        type=float,
        default=1e-9,
        help="the peers run again, reporting a violation only above 1 + this (0: not)",
    )
    ap.add_argument("--quick", action="store_true", help="only the test suite's quick subset")
    ap.add_argument("--json", type=Path, help="write every outcome and the summaries here")
    args = ap.parse_args()
    if args.budget < SYMBOUND_MOST:
        ap.error(
            f"--budget must be at least {SYMBOUND_MOST}: symbound's defaults may use that many"
        )
    entries = [e for e in SUITE if not args.quick or e.key in QUICK]
    plain = Setup(args.budget, args.seed, args.box)
    runs = [(run_symbound, plain), (run_symbound_first, plain), *((peer, plain) for peer in PEERS)]
    if args.tolerance:
        margin = Setup(args.budget, args.seed, args.box, args.tolerance)
        runs += [(peer, margin) for peer in PEERS]
    for e in entries:  # imports, compiled bounds and caches: untimed
        _ratio(e.lemma, np.zeros(e.lemma.space.dimension(size_of(e.lemma))), size_of(e.lemma))
    for runner, setup in runs:
        runner(entries[0], Setup(50, setup.seed, setup.box, setup.tol))
    t_all = time.perf_counter()
    outcomes = []
    for e in entries:  # methods interleaved claim by claim: the machine's drift hits all
        line = [f"{e.key:34s} {'false' if e.false else 'true ':5s}"]
        for runner, setup in runs:
            o = runner(e, setup)
            if o.evaluations > setup.budget and runner is not run_hypothesis:  # shrinks: extra
                raise SystemExit(f"{e.key}: {o.method} used {o.evaluations} > {setup.budget}")
            outcomes.append(o)
            line.append(
                ("R" if o.confirmed else "x" if o.float_violation else ".") + f"{o.seconds:6.2f}"
            )
        print(" ".join(line), flush=True)
    methods = list(dict.fromkeys(o.method for o in outcomes))
    print(
        f"\n{len(entries)} claims ({sum(e.false for e in entries)} false), budget "
        f"{args.budget} float64 evaluations per method, seed {args.seed}, box "
        f"[-{args.box:g}, {args.box:g}]^dim; {time.perf_counter() - t_all:.0f} s in all; "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d')}\ncolumns: {', '.join(methods)}\n"
        "R: refuted, witness confirmed; x: float64 said violated, the judge did not confirm\n"
    )
    summaries = [summary(outcomes, m) for m in methods]
    print(table(summaries) + "\n")
    for o in outcomes:
        if o.float_violation and not o.confirmed:
            print(
                f"  {o.method}: {o.key}: float64 ratio {o.best_ratio:.17g}, judge: "
                f"{o.judged} ({o.judge_method})"
            )
    if args.json:
        record = {"outcomes": [asdict(o) for o in outcomes], "summaries": summaries}
        args.json.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()

r"""Sweeps: one lemma checked on many random instances of fixed sizes, in parallel.

:func:`sweep` draws ``instances`` random instances of a lemma at the integer sizes
it is given (``n=16, d=8, H=4, L=6``), screens them all in float64 (vectorised over
chunks of ``chunk`` instances), then confirms the ``confirm`` worst -- the largest
lhs/rhs ratios -- at high precision (mpmath at ``dps`` digits) and rigorously
(exact rational arithmetic, or outward-rounded Arb balls), with the checker's own
functions (:mod:`symbound.check`).

- **Verdict.**  ``refuted`` only when rigorous arithmetic shows lhs > rhs at an
  exact instance (the witness, reported with its exact instance); ``inconclusive``
  when a high-precision ratio exceeds 1 that rigorous arithmetic cannot confirm, or
  nothing could be evaluated; ``survived`` otherwise, with the largest confirmed
  ratio printed with the digits that agree at twice the precision.  Witnesses are
  not shrunk (the checker's shrinking is for its small search sizes).
- **Parallel.**  Chunks and confirmations are tasks for any
  ``concurrent.futures.Executor``: by default a local process pool (``spawn``)
  sized to the cores; ``jobs=1`` runs everything in this process; a Dask cluster
  works by passing ``distributed.Client(...).get_executor()``.  Use process-based
  executors: Arb's precision is a process-global setting of python-flint.
- **Reproducible.**  Instance ``i`` is drawn from its own stream,
  ``SeedSequence(seed).spawn(instances)[i]``, so it is the same whatever the
  chunking, and results are gathered in instance order: the same seed gives the
  same JSON, byte for byte, whatever the number of workers.  Timing stays out of
  the JSON.

>>> from symbound.sweep import sweep
>>> r = sweep("as25.lemma4.1", sizes={"n": 3, "d": 1}, instances=40, confirm=2,
...           jobs=1, progress=False)
>>> r.verdict.value, r.witness.method
('refuted', 'exact rational arithmetic')
"""

from __future__ import annotations

import json
import pickle
import time
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from symbound.check.evaluate import certainly_gt, certainly_le, float_ratios
from symbound.check.result import Evaluation, Verdict
from symbound.errors import NotExactError, UsageError
from symbound.lemmas.model import Lemma
from symbound.numeric.backends import MpmathBackend
from symbound.parallel import Progress, cores, process_pool, run_tasks, stream_tasks
from symbound.versions import versions

__all__ = [
    "Candidate",
    "SweepResult",
    "instance_vectors",
    "rebuild_instance",
    "sweep",
    "validated_sizes",
]

#: Failures that mean "this instance cannot be evaluated" (as in the checker).
_NUMERIC_ERRORS = (ArithmeticError, ValueError, OverflowError)

#: Rigorous outcomes of a confirmed candidate (anything else was not evaluated).
HOLDS, VIOLATED, UNDECIDED = "holds", "violated", "undecided"
UNCERTIFIED, UNEVALUABLE = "hypotheses not certified", "unevaluable"


# -- instances ------------------------------------------------------------------------


def instance_vectors(lemma: Lemma, sizes: Mapping[str, int], seed: int, indices) -> np.ndarray:
    """The unconstrained vectors of instances ``indices`` (one row each) of a sweep.

    Instance ``i`` comes from its own stream, ``SeedSequence(seed, spawn_key=(i,))``
    -- the ``i``-th child of ``SeedSequence(seed).spawn`` -- so it does not depend
    on which chunk or worker draws it.

    >>> from symbound import load_catalogue
    >>> lemma = load_catalogue()["as25.lemma4.1"]
    >>> both = instance_vectors(lemma, {"n": 2, "d": 1}, 0, [3, 4])
    >>> both.shape, bool((both[1] == instance_vectors(lemma, {"n": 2, "d": 1}, 0, [4])[0]).all())
    ((2, 5), True)
    """
    dim = lemma.space.dimension(sizes)
    rows = [
        lemma.space.sample(
            np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(int(i),))), dim, 1
        )[0]
        for i in indices
    ]
    return np.array(rows, dtype=float).reshape(len(rows), dim)


def _exact_vector(lemma: Lemma, sizes: Mapping[str, int], seed: int, index: int) -> list:
    return [Fraction(float(v)) for v in instance_vectors(lemma, sizes, seed, [index])[0]]


def rebuild_instance(
    lemma: Lemma, sizes: Mapping[str, int], *, seed: int, index: int
) -> dict[str, Any]:
    """Instance ``index`` of the sweep with ``seed``, built exactly (as confirmed).

    >>> from symbound import load_catalogue
    >>> inst = rebuild_instance(load_catalogue()["as25.lemma4.1"], {"n": 2, "d": 1},
    ...                         seed=0, index=7)
    >>> sorted(inst), type(inst["eps"]).__name__
    (['A', 'B', 'd', 'eps', 'n'], 'Fraction')
    """
    from symbound.check.evaluate import build_exact

    return build_exact(lemma, _exact_vector(lemma, sizes, seed, index), sizes)


# -- tasks (top-level functions: they run in worker processes) -------------------------


def _resolve(ref: str | Lemma) -> Lemma:
    """A lemma from what a task receives: a catalogue key, or the lemma itself."""
    if isinstance(ref, Lemma):
        return ref
    from symbound.lemmas.catalogue import load_catalogue

    return load_catalogue()[ref]


def _runner(lemma: Lemma, dps: int):
    """The checker's high-precision and rigorous stages, for one lemma at ``dps`` digits."""
    from symbound.check.checker import _Run

    return _Run(lemma, seed=0, samples=1, dps=dps, starts=0, keep=1)


def _screen_task(ref, sizes: dict[str, int], seed: int, start: int, stop: int) -> np.ndarray:
    """float64 lhs/rhs of instances ``start..stop-1`` (``-inf`` where unevaluable)."""
    lemma = _resolve(ref)
    z = instance_vectors(lemma, sizes, seed, range(start, stop))
    ratios = np.asarray(float_ratios(lemma, z, sizes), dtype=float)
    return np.where(np.isnan(ratios), -np.inf, ratios)


@dataclass(frozen=True)
class _Confirmed:
    """What a confirmation task sends back (small; the evaluation only when asked)."""

    index: int
    status: str
    method: str = ""
    hp: tuple | None = None  # the mpmath ratio, exactly (its ``_mpf_`` tuple)
    hp_text: str = ""
    ratio_text: str = ""
    evaluation: Evaluation | None = None


def _ratio_text(lhs, rhs, backend) -> str:
    """lhs/rhs from rigorous values: the exact ratio to 20 digits, or an Arb ball."""
    if backend.exact:
        lhs, rhs = Fraction(lhs), Fraction(rhs)
        if rhs <= 0:
            return "inf" if lhs > rhs else "-inf"
        ctx = MpmathBackend(dps=30).ctx
        q = lhs / rhs
        return ctx.nstr(ctx.mpf(q.numerator) / q.denominator, 20)
    with backend.scope():
        return (lhs / rhs).str(15, radius=True)


def _confirm_task(
    ref, sizes: dict[str, int], seed: int, index: int, dps: int, full: bool
) -> _Confirmed:
    """Instance ``index`` at ``dps`` digits (mpmath) and rigorously; with ``full``, also
    the checker's :class:`Evaluation` (digits checked at twice the precision)."""
    lemma = _resolve(ref)
    run = _runner(lemma, dps)
    zq = _exact_vector(lemma, sizes, seed, index)
    try:
        hp = run.hp_ratio(zq, sizes)
    except (*_NUMERIC_ERRORS, NotExactError):
        hp = None
    try:
        got = run.rigorous(zq, sizes)
    except _NUMERIC_ERRORS:
        return _Confirmed(index, UNEVALUABLE)
    if got is None:
        return _Confirmed(index, UNCERTIFIED)
    _inst, lhs, rhs, method, backend = got
    if certainly_gt(lhs, rhs, backend):
        status = VIOLATED
    elif certainly_le(lhs, rhs, backend):
        status = HOLDS
    else:
        status = UNDECIDED
    evaluation = run.evaluation(zq, sizes, hp) if full and hp is not None else None
    return _Confirmed(
        index,
        status,
        method,
        None if hp is None else hp._mpf_,
        "" if hp is None else run.hp.ctx.nstr(hp, 15),
        _ratio_text(lhs, rhs, backend),
        evaluation,
    )


def _evaluate_task(ref, sizes: dict[str, int], seed: int, index: int, dps: int) -> Evaluation:
    """The checker's :class:`Evaluation` of instance ``index`` (high precision, rigorous)."""
    lemma = _resolve(ref)
    run = _runner(lemma, dps)
    zq = _exact_vector(lemma, sizes, seed, index)
    return run.evaluation(zq, sizes, run.hp_ratio(zq, sizes))


# -- results --------------------------------------------------------------------------


def _json_float(x: float) -> float | str:
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
            "float64_ratio": _json_float(self.float64_ratio),
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


# -- validation -----------------------------------------------------------------------


def _int(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise UsageError(f"{name} must be an integer, got {value!r}")
    if not lo <= value <= hi:
        raise UsageError(f"{name} must be between {lo} and {hi}, got {value}")
    return int(value)


def validated_sizes(lemma: Lemma, sizes: Mapping[str, Any] | None) -> dict[str, int]:
    """The integer sizes in the lemma's order, each given, integral and in its domain (a
    :class:`UsageError` otherwise).

    >>> from symbound import load_catalogue
    >>> validated_sizes(load_catalogue()["as25.lemma4.1"], {"d": 1, "n": 3})
    {'n': 3, 'd': 1}
    """
    from symbound.notation import domain_text

    sizes = dict(sizes or {})
    params = lemma.size_parameters
    names = [p.name for p in params]
    for name in sizes:
        if name not in names:
            known = ", ".join(names) or "none"
            raise UsageError(
                f"{lemma.key} has no size parameter {name!r} (its integer parameters: {known})"
            )
    out = {}
    for p in params:
        if p.name not in sizes:
            lo, hi = p.search
            raise UsageError(
                f"{lemma.key} needs the size {p.name}: give {p.name}=VALUE "
                f"(the checker searches {p.name} in {lo}..{hi})"
            )
        value = sizes[p.name]
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise UsageError(f"size {p.name} must be an integer, got {value!r}")
        if not p.contains(int(value)):
            raise UsageError(f"size {p.name} must be in {domain_text(p.domain)}, got {value}")
        out[p.name] = int(value)
    return out


def _reference(lemma: Lemma) -> str | Lemma | None:
    """What to send workers for ``lemma``: its key (catalogue), itself, or None."""
    from symbound.lemmas.catalogue import load_catalogue

    cat = load_catalogue()
    # ``key in cat`` and ``cat.get`` raise UnknownLemmaError (a LookupError) for other keys
    if lemma.key in frozenset(cat) and cat[lemma.key] is lemma:
        return lemma.key
    try:
        pickle.dumps(lemma)
    except Exception:  # lemmas hold local functions; pickle's errors vary by kind
        return None
    return lemma


# -- the sweep ------------------------------------------------------------------------


def sweep(
    lemma: Lemma | str,
    *,
    sizes: Mapping[str, int] | None = None,
    instances: int = 1000,
    seed: int = 0,
    confirm: int = 20,
    dps: int = 50,
    chunk: int = 50,
    jobs: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
) -> SweepResult:
    r"""Check ``lemma`` on ``instances`` random instances at ``sizes``; confirm the worst.

    - ``sizes``: a value for every integer parameter (``{"n": 16, "d": 8, ...}``);
    - ``seed``: instance ``i`` is drawn from ``SeedSequence(seed).spawn(...)[i]``;
    - ``confirm``: how many of the worst float64 ratios are re-evaluated at ``dps``
      digits and rigorously (ties go to the smaller instance index);
    - ``chunk``: instances per float64 screening task (recorded: float64 batches of
      another size may round differently);
    - ``executor``: any ``concurrent.futures.Executor`` (it stays open); without
      one, ``jobs`` worker processes are started (default: the cores), or none with
      ``jobs=1``.  A lemma outside the catalogue that cannot be pickled runs here
      (a ``ProcessPoolExecutor`` given for it is a :class:`UsageError`);
    - ``progress``: a progress bar on standard error; by default when it is a
      terminal.

    The result is the same whatever the executor and the number of workers.
    """
    if isinstance(lemma, str):
        from symbound.lemmas.catalogue import load_catalogue

        lemma = load_catalogue()[lemma]
    if not isinstance(lemma, Lemma):
        raise UsageError(f"sweep needs a Lemma or a catalogue key, got {type(lemma).__name__}")
    sizes = validated_sizes(lemma, sizes)
    instances = _int("instances", instances, 1, 10**8)
    seed = _int("seed", seed, 0, 2**63 - 1)
    confirm = _int("confirm", confirm, 1, 10**4)
    dps = _int("dps", dps, 16, 5000)
    chunk = _int("chunk", chunk, 1, 10**6)
    if jobs is not None:
        jobs = _int("jobs", jobs, 1, 4096)
    if executor is not None and jobs is not None:
        raise UsageError("give an executor or a number of jobs, not both")
    if executor is not None and not isinstance(executor, Executor):
        raise UsageError(f"executor must be a concurrent.futures.Executor, got {executor!r}")
    bar = Progress(progress)  # None: shown when standard error is a terminal

    t0 = time.perf_counter()
    ref = _reference(lemma)
    _check_memory(lemma, sizes, chunk)
    starts = range(0, instances, chunk)
    own = None
    if ref is None:
        from concurrent.futures import ProcessPoolExecutor

        if isinstance(executor, ProcessPoolExecutor):
            raise UsageError(
                f"lemma {lemma.key!r} is not in the catalogue and cannot be pickled for worker "
                "processes; sweep it with jobs=1"
            )
        if executor is None:
            jobs = 1
        ref = lemma
    if executor is None and (jobs or cores()) > 1:
        own = process_pool(min(jobs or cores(), max(len(starts), confirm)))
        executor = own
    window = 4 * (jobs or cores())  # chunks in flight: memory independent of instances
    try:
        bar.start(f"sweep {lemma.key}", instances, "instances")
        tasks = ((ref, sizes, seed, s, min(s + chunk, instances)) for s in starts)
        screen = _Screen(confirm)
        for start, ratios in zip(
            starts,
            stream_tasks(executor, _screen_task, tasks, bar, lambda a: a[4] - a[3], window),
            strict=True,
        ):
            screen.add(start, ratios)
        worst = [i for _, i in screen.worst]
        if worst:
            bar.start(f"confirm {lemma.key}", len(worst), "worst")
        confirmed = run_tasks(
            executor,
            _confirm_task,
            # the worst one is likely the sup: its task computes the full evaluation too
            [(ref, sizes, seed, i, dps, rank == 0) for rank, i in enumerate(worst)],
            bar,
            [1] * len(worst),
        )
        plan = _Plan(lemma, ref, sizes, seed, confirm, dps, chunk)
        return _conclude(plan, screen, confirmed, executor, t0)
    finally:
        if own is not None:
            own.shutdown(cancel_futures=True)


@dataclass(frozen=True)
class _Plan:
    """A sweep's lemma (and what workers get for it) and its validated settings."""

    lemma: Lemma
    ref: str | Lemma
    sizes: Mapping[str, int]
    seed: int
    confirm: int
    dps: int
    chunk: int


#: The float64 median and 99th percentile are computed over the first instances only
#: (exactly, for sweeps of up to this many): a sweep's memory must not grow with it.
QUANTILE_INSTANCES = 100_000


class _Screen:
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
            "max": _json_float(self.max),
            "median": _json_float(np.median(finite)) if finite.size else "nan",
            "p99": _json_float(np.quantile(finite, 0.99)) if finite.size else "nan",
        }
        if self.instances > QUANTILE_INSTANCES:
            out["quantiles_over_first"] = QUANTILE_INSTANCES
        return out


def _check_memory(lemma: Lemma, sizes: Mapping[str, int], chunk: int) -> None:
    """Refuse sizes whose float64 screen would not fit :data:`MEMORY_BUDGET` (before
    anything is allocated).  The estimate counts a chunk's instance vectors and, for
    attention, one n x n matrix per head and layer and instance, four times over for
    the intermediates."""
    dim = lemma.space.dimension(sizes)
    n, heads, layers = sizes.get("n", 1), sizes.get("H", 1), max(sizes.get("L", 1), 1)
    per_instance = 8 * (dim + 4 * n * n * heads * layers)
    need = chunk * per_instance
    if dim > 10**8 or need > MEMORY_BUDGET:
        shown = ", ".join(f"{k}={v}" for k, v in sizes.items())
        raise UsageError(
            f"{lemma.key} at {shown} needs about {need / 2**30:.1f} GiB per chunk of {chunk} "
            f"instances; the sweep's budget is {MEMORY_BUDGET / 2**30:.0f} GiB: give smaller "
            "sizes or a smaller --chunk"
        )


#: The most memory one float64 screening chunk may take.
MEMORY_BUDGET = 2**30


def _conclude(
    plan: _Plan,
    screen: _Screen,
    confirmed: list[_Confirmed],
    executor: Executor | None,
    t0: float,
) -> SweepResult:
    """Verdict, witness and sup from the confirmed candidates (in rank order)."""
    dps = plan.dps
    ctx = MpmathBackend(dps=dps).ctx
    rigorous = (HOLDS, VIOLATED, UNDECIDED)

    def hp(c: _Confirmed):
        return ctx.make_mpf(c.hp)

    def best(pool: list[_Confirmed]) -> _Confirmed | None:
        ranked = sorted(pool, key=lambda c: (-hp(c), c.index))
        return ranked[0] if ranked else None

    def evaluation(c: _Confirmed | None) -> Evaluation | None:
        if c is None:
            return None
        if c.evaluation is not None:
            return c.evaluation
        args = (plan.ref, plan.sizes, plan.seed, c.index, dps)
        return (
            executor.submit(_evaluate_task, *args).result() if executor else _evaluate_task(*args)
        )

    scored = [c for c in confirmed if c.status in rigorous and c.hp is not None]
    scored = [c for c in scored if hp(c) != -ctx.inf]  # a bound of 0 met: not a ratio
    violated = [c for c in confirmed if c.status == VIOLATED]
    witness = best([c for c in violated if c.hp is not None])
    sup = best(scored)
    sup_eval = evaluation(sup)
    witness_eval = sup_eval if witness is sup else evaluation(witness)

    notes = []
    tolerance = ctx.mpf(10) ** (-(dps // 2))
    above = sum(1 for c in scored if hp(c) > 1)
    if witness is not None:
        verdict = Verdict.REFUTED
    elif violated:  # rigorous lhs > rhs, but no high-precision ratio to report with it
        verdict = Verdict.INCONCLUSIVE
        notes.append(
            f"instance {violated[0].index} violates the bound rigorously but could not be "
            f"evaluated at {dps} digits; try a larger dps"
        )
    elif any(hp(c) > 1 + tolerance for c in scored):
        verdict = Verdict.INCONCLUSIVE
        notes.append(
            f"a ratio above 1 at {dps} digits could not be confirmed rigorously; try a larger dps"
        )
    elif sup is None:
        verdict = Verdict.INCONCLUSIVE
        notes.append("no instance could be evaluated rigorously; check the lemma's instance space")
    else:
        verdict = Verdict.SURVIVED
    float_above = screen.above_1
    if verdict is not Verdict.REFUTED and float_above:
        notes.append(
            f"float64 showed lhs/rhs > 1 at {float_above} instance(s); none of the confirmed "
            f"held at {dps} digits (float rounding, not violations)"
        )
    candidates = tuple(
        Candidate(c.index, screen.ratio(c.index), c.status, c.method, c.hp_text, c.ratio_text)
        for c in confirmed
    )
    counts = {
        "instances": screen.instances,
        "float64_ratio_above_1": float_above,
        "float64_unevaluable": screen.unevaluable,
        "confirmed": len(confirmed),
        "hp_ratio_above_1": above,
        "rigorous_violations": sum(c.status == VIOLATED for c in confirmed),
    }
    float64 = screen.quantiles()
    settings = {
        "seed": plan.seed,
        "instances": screen.instances,
        "confirm": plan.confirm,
        "dps": dps,
        "chunk": plan.chunk,
        "versions": versions(),
    }
    return SweepResult(
        key=plan.lemma.key,
        sizes=dict(plan.sizes),
        verdict=verdict,
        witness=witness_eval,
        witness_index=None if witness is None else witness.index,
        sup=sup_eval,
        sup_index=None if sup is None else sup.index,
        candidates=candidates,
        counts=counts,
        float64=float64,
        settings=settings,
        notes=tuple(notes),
        elapsed=time.perf_counter() - t0,
    )

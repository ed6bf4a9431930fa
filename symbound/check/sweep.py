r"""Sweeps: one lemma checked on many random instances of fixed sizes, in parallel.

:func:`sweep` draws ``instances`` random instances of a lemma at the integer sizes
it is given (``n=16, d=8, H=4, L=6``), screens them all in float64 (vectorised over
chunks of ``chunk`` instances), then confirms the ``confirm`` worst -- the largest
lhs/rhs ratios -- at high precision (mpmath at ``dps`` digits) and rigorously
(exact rational arithmetic, or outward-rounded Arb balls), with the checker's own
stages (:mod:`symbound.check.stages`) and verdict (:mod:`symbound.check.conclude`).

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

>>> r = sweep("as25.lemma4.1", sizes={"n": 3, "d": 1}, instances=40, confirm=2,
...           jobs=1, progress=False)
>>> r.verdict.value, r.witness.method
('refuted', 'exact rational arithmetic')
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from symbound.check.conclude import conclude
from symbound.check.evaluate import float_ratios
from symbound.check.exact import NUMERIC_ERRORS, evaluation, hp_ratio, rigorous
from symbound.check.result import Evaluation
from symbound.check.stages import integer_setting
from symbound.check.sweep_result import (
    HOLDS,
    UNCERTIFIED,
    UNDECIDED,
    UNEVALUABLE,
    VIOLATED,
    Candidate,
    Screen,
    SweepResult,
)
from symbound.check.tasks import reference, resolve
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


def _screen_task(ref, sizes: dict[str, int], seed: int, start: int, stop: int) -> np.ndarray:
    """float64 lhs/rhs of instances ``start..stop-1`` (``-inf`` where unevaluable)."""
    lemma = resolve(ref)
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
    lemma = resolve(ref)
    hp = MpmathBackend(dps=dps)
    zq = _exact_vector(lemma, sizes, seed, index)
    try:
        ratio = hp_ratio(lemma, zq, sizes, hp)
    except (*NUMERIC_ERRORS, NotExactError):
        ratio = None
    try:
        found = rigorous(lemma, zq, sizes, hp)
    except NUMERIC_ERRORS:
        return _Confirmed(index, UNEVALUABLE)
    if found is None:
        return _Confirmed(index, UNCERTIFIED)
    status = VIOLATED if found.violated else HOLDS if found.holds else UNDECIDED
    reported = evaluation(lemma, zq, sizes, ratio, hp) if full and ratio is not None else None
    return _Confirmed(
        index,
        status,
        found.method,
        None if ratio is None else ratio._mpf_,
        "" if ratio is None else hp.ctx.nstr(ratio, 15),
        _ratio_text(found.lhs, found.rhs, found.backend),
        None if reported is None else reported[0],
    )


def _evaluate_task(
    ref, sizes: dict[str, int], seed: int, index: int, dps: int
) -> Evaluation | None:
    """The checker's :class:`Evaluation` of instance ``index`` (high precision, rigorous)."""
    lemma = resolve(ref)
    hp = MpmathBackend(dps=dps)
    zq = _exact_vector(lemma, sizes, seed, index)
    reported = evaluation(lemma, zq, sizes, hp_ratio(lemma, zq, sizes, hp), hp)
    return None if reported is None else reported[0]


# -- validation -----------------------------------------------------------------------


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
    instances = integer_setting("instances", instances, 1, 10**8)
    seed = integer_setting("seed", seed, 0, 2**63 - 1)
    confirm = integer_setting("confirm", confirm, 1, 10**4)
    dps = integer_setting("dps", dps, 16, 5000)
    chunk = integer_setting("chunk", chunk, 1, 10**6)
    if jobs is not None:
        jobs = integer_setting("jobs", jobs, 1, 4096)
    if executor is not None and jobs is not None:
        raise UsageError("give an executor or a number of jobs, not both")
    if executor is not None and not isinstance(executor, Executor):
        raise UsageError(f"executor must be a concurrent.futures.Executor, got {executor!r}")
    bar = Progress(progress)  # None: shown when standard error is a terminal

    t0 = time.perf_counter()
    ref = reference(lemma)
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
        screen = Screen(confirm)
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
    screen: Screen,
    confirmed: list[_Confirmed],
    executor: Executor | None,
    t0: float,
) -> SweepResult:
    """Verdict, witness and sup from the confirmed candidates (in rank order)."""
    dps = plan.dps
    ctx = MpmathBackend(dps=dps).ctx
    decided = (HOLDS, VIOLATED, UNDECIDED)

    def hp(c: _Confirmed):
        return ctx.make_mpf(c.hp)

    def best(pool: list[_Confirmed]) -> _Confirmed | None:
        ranked = sorted(pool, key=lambda c: (-hp(c), c.index))
        return ranked[0] if ranked else None

    def reported(c: _Confirmed | None) -> Evaluation | None:
        if c is None:
            return None
        if c.evaluation is not None:
            return c.evaluation
        args = (plan.ref, plan.sizes, plan.seed, c.index, dps)
        return (
            executor.submit(_evaluate_task, *args).result() if executor else _evaluate_task(*args)
        )

    scored = [c for c in confirmed if c.status in decided and c.hp is not None]
    scored = [c for c in scored if hp(c) != -ctx.inf]  # a bound of 0 met: not a ratio
    violations = [c for c in confirmed if c.status == VIOLATED]
    witness = best([c for c in violations if c.hp is not None])
    sup = best(scored)
    sup_eval = reported(sup)
    witness_eval = sup_eval if witness is sup else reported(witness)
    above = sum(1 for c in scored if hp(c) > 1)
    conclusion = conclude(
        refuted=witness is not None,
        # rigorous lhs > rhs, but no high-precision ratio to report with it
        unrated_violation=(
            f"instance {violations[0].index} violates the bound rigorously but could not be "
            f"evaluated at {dps} digits; try a larger --dps"
            if violations and witness is None
            else None
        ),
        best_ratio=None if sup is None else hp(sup),
        dps=dps,
        nothing_evaluated="no instance could be evaluated rigorously; check the lemma's "
        "instance space",
        float64_above=screen.above_1,
        float64_seen="none of the confirmed held",
    )
    verdict, notes = conclusion.verdict, conclusion.notes
    float_above = screen.above_1
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
        notes=notes,
        elapsed=time.perf_counter() - t0,
    )

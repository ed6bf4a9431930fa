r""":func:`repair`: what a refuted claim needs, certified from both sides.

Given a catalogue key, a :class:`~symbound.lemmas.model.Lemma` (written by hand or in
the claim language) or a :class:`~symbound.prove.ScalarClaim`:

1. the claim is checked as given (seed ``seed``: the check ``symbound check`` runs
   with the same seed and samples); a claim that survives has nothing to repair (its
   slack is reported), an inconclusive one stays inconclusive;
2. the first check is read (:func:`~symbound.repair.constant.diagnose`): a bound that
   vanishes where the quantity does not is a structural fault, and no repair applies;
3. with ``parameter=`` (a parameter, or an expression such as ``"2*H*eps"``): the
   threshold where the claim starts to fail (:mod:`~symbound.repair.threshold`);
4. otherwise the constant (the leading numeric factor of the bound, or the symbol
   ``constant=`` names): a ratio that does not settle needs a hypothesis (no constant
   is offered); a ratio that depends on a size is a closed form in it or a missing
   factor (:mod:`~symbound.repair.growth`); else :math:`c^*` is bracketed
   (:mod:`~symbound.repair.constant`).

Scalar claims go to the prover (:mod:`~symbound.repair.scalar`).  Every bad name is a
one-line :class:`~symbound.errors.UsageError` before anything is computed.

>>> r = repair("as25.lemma4.1", samples=300)
>>> r.outcome, r.closed_form, r.lower.kind, r.upper.kind
('repaired', '2', 'certified', 'survived')
"""

from __future__ import annotations

import dataclasses
import time

import sympy as sp

from symbound.errors import UsageError
from symbound.repair.constant import bracket, diagnose, lower_bound, slack
from symbound.repair.growth import (
    STRONG,
    factor_repair,
    growth,
    points_text,
    profiles,
    rational_repair,
    top_sizes,
)
from symbound.repair.result import Repair
from symbound.repair.session import Session
from symbound.repair.threshold import threshold_repair
from symbound.repair.variants import Split, parameter_expr, split_constant, with_constant

__all__ = ["repair"]


def _int(name: str, value, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"{name} must be an integer, got {value!r}")
    if not lo <= value <= hi:
        raise UsageError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _resolve(target):
    from symbound.lemmas.catalogue import Kind, load_catalogue
    from symbound.lemmas.model import Lemma
    from symbound.prove import ScalarClaim

    if isinstance(target, Lemma | ScalarClaim):
        return target
    if not isinstance(target, str):
        raise UsageError(
            f"repair takes a catalogue key, a Lemma or a ScalarClaim, got {type(target).__name__}"
        )
    # an unknown key, or one of another kind: one line, with the closest keys
    return load_catalogue().entry(target, (Kind.CLAIM, Kind.SCALAR), command="'symbound repair'")


def repair(
    target,
    *,
    constant: str | None = None,
    parameter: str | None = None,
    seed: int = 0,
    samples: int = 1000,
    dps: int = 50,
    jobs: int = 1,
) -> Repair:
    """Repair a refuted claim (see the module notes); the same seed gives the same result.

    - ``constant``: the symbol of the bound to take as the constant (default: its
      leading numeric factor);
    - ``parameter``: find the threshold of this parameter (or expression) instead;
    - ``seed``, ``samples``, ``dps``: the searches' seed (each later search takes the
      next seed), float64 samples of each search (intermediate ones take a half or a
      quarter), and
      the digits of their high-precision stage;
    - ``jobs``: processes for the searches that do not wait on each other (the searches
      at each size, the corrections of one power); the result is the same for any number.
    """
    seed = _int("seed", seed, 0, 2**63 - 1)
    samples = _int("samples", samples, 1, 10**6)
    dps = _int("dps", dps, 16, 5000)
    jobs = _int("jobs", jobs, 1, 256)
    if constant is not None and parameter is not None:
        raise UsageError("give a constant or a parameter to repair, not both")
    for name, value in (("constant", constant), ("parameter", parameter)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise UsageError(f"{name} is a name (or, for parameter, an expression), got {value!r}")
    subject = _resolve(target)
    session = Session(seed, samples, dps, jobs=jobs)
    t0 = time.perf_counter()
    from symbound.prove import ScalarClaim

    if isinstance(subject, ScalarClaim):
        result = _repair_scalar(session, subject, constant, parameter)
    else:
        result = _repair_lemma(session, subject, constant, parameter)
    settings = {"seed": seed, "samples": samples, "dps": dps, "constant": constant,
                "parameter": parameter}  # fmt: skip
    return dataclasses.replace(result, settings=settings, elapsed=time.perf_counter() - t0)


def _repair_scalar(session, claim, constant, parameter) -> Repair:
    from symbound.repair.scalar import scalar_constant, scalar_threshold

    if parameter is not None:
        return scalar_threshold(
            session, claim.lhs, claim.rhs, claim.box, parameter.strip(), key=claim.key,
            title=claim.title, statement=claim.text,
        )  # fmt: skip
    return scalar_constant(
        session, claim.lhs, claim.rhs, claim.box, key=claim.key, constant=constant,
        title=claim.title, statement=claim.text,
    )  # fmt: skip


def _repair_lemma(session: Session, lemma, constant, parameter) -> Repair:
    split = split_constant(lemma, constant.strip() if constant else None)  # names checked
    u = parameter_expr(lemma, parameter.strip()) if parameter is not None else None
    statement = lemma.statement_text
    purpose = "the claim as given"
    if split.symbol is not None:  # the named constant set to 1: c* = sup lhs/f
        lemma = with_constant(lemma, split, 1, key=lemma.key)
        split = Split(sp.Integer(1), split.f, None, split.term)
        purpose = f"the claim with {constant} = 1"
    base = session.check(lemma, purpose)
    if base.verdict.value == "survived":
        return slack(lemma, base, split, session, statement)
    if base.verdict.value != "refuted":
        return session.result(
            lemma.key,
            statement,
            "inconclusive",
            "constant",
            evidence=("the claim's own check was inconclusive: " + "; ".join(base.notes),),
        )
    diagnosis = diagnose(lemma, base)
    if diagnosis is not None and diagnosis.structural:
        return session.result(
            lemma.key, statement, "not applicable", "structural", evidence=diagnosis.evidence
        )
    if u is not None:
        return threshold_repair(session, lemma, base, u, statement)
    if diagnosis is not None:
        return session.result(
            lemma.key, statement, "not applicable", "no constant", evidence=diagnosis.evidence
        )
    c = split.c
    K = sp.Rational(c) if c.is_Rational else sp.nsimplify(c)
    from fractions import Fraction

    Kq = Fraction(int(K.p), int(K.q))
    f_text = split.f_text
    lower = lower_bound(base, Kq, f_text)
    if lower is None:
        return session.result(
            lemma.key,
            statement,
            "inconclusive",
            "constant",
            evidence=("no rigorous ratio was found to bound the constant from below",),
        )
    varying = profiles(session, lemma, Kq, top_sizes(lemma, base.sup))
    for size, points in varying[:1]:
        found = rational_repair(session, lemma, split, size, points, statement)
        if found is not None:
            return found
    strong = [(size, points) for size, points in varying if growth(points) >= STRONG]
    if strong:
        return factor_repair(session, lemma, split, strong, statement)
    found = bracket(session, lemma, split, lower, base.sup, statement)
    if varying:  # a ratio that grows less than twofold: a constant, on the searched sizes only
        size, points = varying[0]
        caveat = (
            f"the largest ratio grows with {size.name} ({points_text(size.name, points)}), "
            f"less than twofold over {size.name}'s range: the constant holds on the sizes "
            "searched, not beyond"
        )
        found = dataclasses.replace(found, evidence=(*found.evidence, caveat))
    return found

r"""One exact instance evaluated: at high precision, rigorously, and as it is reported.

The search's stages 3 and 4 (:mod:`symbound.check.stages`) and the sweep use these on
an exact rational vector ``zq``: :func:`hp_ratio` (mpmath, for ranking and shrinking),
:func:`rigorous` (exact rational arithmetic, or outward-rounded Arb balls, never a float
comparison; hypotheses first, :func:`certified`), :func:`witnessed` (a confirmed
witness), :func:`evaluation` (lhs, rhs and the ratio as reported).

>>> from fractions import Fraction
>>> from symbound import load_catalogue
>>> from symbound.numeric.backends import MpmathBackend
>>> lemma = load_catalogue()["as25.lemma4.1"]
>>> sizes = {"n": 2, "d": 1}
>>> zq = [Fraction(v) for v in (1, 1, 1, -1, 1)][: lemma.space.dimension(sizes)]
>>> rigorous(lemma, zq, sizes, MpmathBackend(dps=30)).method
'exact rational arithmetic'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from symbound.check.evaluate import (
    EXACT,
    build_exact,
    certainly_gt,
    certainly_le,
    convert_instance,
    evaluate_sides,
    hypotheses_hold,
    hypotheses_not_rational,
)
from symbound.check.result import Evaluation, exact_string, instance_to_json
from symbound.errors import NotExactError
from symbound.lemmas.model import Lemma
from symbound.numeric.backends import AbstractBackend, ArbBackend, MpmathBackend
from symbound.numeric.precision import Agreement, agreement, trusted_string

__all__ = [
    "NUMERIC_ERRORS",
    "Rigorous",
    "certified",
    "evaluation",
    "hp_ratio",
    "rigorous",
    "witnessed",
]

#: Failures that mean "this instance cannot be evaluated", not "the code is wrong".
NUMERIC_ERRORS = (ArithmeticError, ValueError, OverflowError)


@dataclasses.dataclass(frozen=True)
class Rigorous:
    """lhs and rhs of one exact instance, exactly or as Arb balls (``backend`` says which)."""

    instance: dict
    lhs: Any
    rhs: Any
    method: str
    backend: AbstractBackend

    @property
    def violated(self) -> bool:
        """lhs > rhs, certainly."""
        return certainly_gt(self.lhs, self.rhs, self.backend)

    @property
    def holds(self) -> bool:
        """lhs <= rhs, certainly."""
        return certainly_le(self.lhs, self.rhs, self.backend)


def hp_ratio(lemma: Lemma, zq: list[Fraction], sizes, hp: MpmathBackend):
    """lhs/rhs of the exact instance ``zq`` at ``hp``'s precision: None if not finite,
    ``+inf`` for a bound <= 0 exceeded (a violation), ``-inf`` for one met."""
    inst = build_exact(lemma, zq, sizes)
    lhs, rhs = evaluate_sides(lemma, convert_instance(inst, hp), hp)
    if not (hp.ctx.isfinite(lhs) and hp.ctx.isfinite(rhs)):
        return None
    if rhs > 0:
        return lhs / rhs
    # a bound <= 0 that holds says nothing about tightness; one exceeded is a violation
    return hp.ctx.inf if lhs > rhs else -hp.ctx.inf


def rigorous(lemma: Lemma, zq: list[Fraction], sizes, hp: MpmathBackend) -> Rigorous | None:
    """The exact instance ``zq`` evaluated exactly, or in Arb; None if its hypotheses
    cannot be certified.

    Hypotheses are decided exactly whenever they are rational (instances sit on
    their boundary, where balls cannot decide); only what is not rational goes to
    Arb, from ``hp``'s precision plus 64 bits, doubled while the comparison stays
    undecided (up to 8 times ``hp``'s precision).
    """
    inst = build_exact(lemma, zq, sizes)
    prec = certified(lemma, inst, hp)
    if prec is None:
        return None
    try:
        lhs, rhs = evaluate_sides(lemma, inst, EXACT)
        return Rigorous(inst, lhs, rhs, "exact rational arithmetic", EXACT)
    except NotExactError:
        pass
    while True:
        arb = ArbBackend(prec=prec)
        lhs, rhs = evaluate_sides(lemma, convert_instance(inst, arb), arb)
        decided = certainly_gt(lhs, rhs, arb) or certainly_le(lhs, rhs, arb)
        if decided or prec >= 8 * hp.prec:
            return Rigorous(inst, lhs, rhs, f"Arb ball arithmetic at {prec} bits", arb)
        prec *= 2


def certified(lemma: Lemma, inst: Mapping[str, Any], hp: MpmathBackend) -> int | None:
    """Whether the exact instance ``inst`` certainly meets the lemma's hypotheses, as
    :func:`rigorous` decides it: the Arb precision it took (``hp``'s plus 64 bits when
    none needed Arb), or None."""
    pending = hypotheses_not_rational(lemma, inst)  # the rational ones: exactly
    if pending is None:
        return None
    prec = hp.prec + 64
    while pending:  # the others in Arb, before anything is concluded
        ball_inst = convert_instance(inst, ArbBackend(prec=prec))
        if hypotheses_hold(lemma, ball_inst, ArbBackend(prec=prec), parts=pending):
            break
        if prec >= 8 * hp.prec:
            return None
        prec *= 2
    return prec


def witnessed(lemma: Lemma, zq: list[Fraction], sizes, hp: MpmathBackend) -> Rigorous | None:
    """The rigorous evaluation that makes ``zq`` a witness (its hypotheses certified and
    lhs > rhs, rigorously), or None when it is not one."""
    try:
        found = rigorous(lemma, zq, sizes, hp)
    except NUMERIC_ERRORS:
        return None
    return found if found is not None and found.violated else None


def _number_string(x, backend) -> str:
    if backend.exact:
        return exact_string(x)
    return x.str(20, radius=True)


def evaluation(
    lemma: Lemma, zq: list[Fraction], sizes, ratio, hp: MpmathBackend, found: Rigorous | None = None
) -> tuple[Evaluation, Agreement] | None:
    """The reported form of an instance whose high-precision ratio is ``ratio``: lhs and
    rhs rigorously (``found``, if :func:`rigorous` was already run on it), the ratio
    again at twice the precision (only the digits that agree are printed), and how many
    digits agreed; None if its hypotheses cannot be certified."""
    found = found if found is not None else rigorous(lemma, zq, sizes, hp)
    if found is None:
        return None
    check_hp = MpmathBackend(dps=2 * hp.dps)
    try:
        again = hp_ratio(lemma, zq, sizes, check_hp)
    except (*NUMERIC_ERRORS, NotExactError):
        again = None
    ctx = check_hp.ctx
    if again is None:
        again = ratio
    ag = agreement(ratio, again, dps=hp.dps, check_dps=check_hp.dps)
    gap = ctx.mpf(1) - again
    backend = found.backend
    report = Evaluation(
        instance=found.instance,
        instance_json=instance_to_json(found.instance),
        lhs=_number_string(found.lhs, backend),
        rhs=_number_string(found.rhs, backend),
        method=found.method,
        ratio=trusted_string(again, ag) if ctx.isfinite(again) else "inf",
        gap=ctx.nstr(gap, 3) if ctx.isfinite(gap) else "-inf",
        equality=bool(backend.exact and found.lhs == found.rhs),
        precision=ag.to_dict(),
    )
    return report, ag

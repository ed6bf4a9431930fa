r"""The re-check's steps before the tree: enclosures with a precision ladder, and the goal
re-derived from the claim (see :mod:`symbound.prove.recheck`).

:func:`rederive_goal` rebuilds the certificate's reductions from its claim and checks
what each needs: a ``power-exp`` step adds :math:`c\,(e^{k(b-1)} - b^k)`, which is
:math:`\ge 0` because :math:`\ln b \le b - 1` once :math:`c \ge 0`, :math:`b > 0` and
:math:`k \ge 0` on the claim's box (all such steps come first); a ``substitute`` step
names a *fresh* variable (not a parameter of the claim, not introduced before, so never
an integer) for a monomial of non-negative parameters whose exact image lies in the
stated range.  The goal must then be the strengthened claim once substituted back
(SymPy ``expand`` of a bounded size, an identity valid for all values), its box must
contain every value the claim's box produces, and its integer parameters must be integer
parameters of the claim.  Then a proof of the goal on its box proves the claim.

>>> ladder = Ladder(100)
>>> ladder.settle(lambda prec: None if prec >= 400 else "too coarse")
>>> ladder.used
400
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import sympy as sp

from symbound.errors import UsageError
from symbound.prove import rational_enclosure as rq
from symbound.prove.cert_fields import (
    ExprReader,
    box_field,
    field,
    free_names,
    integers_field,
    number_range,
    param_name,
)

__all__ = ["GUARD_BITS", "MAX_PREC", "MAX_WORK_BITS", "Ladder", "Rejected", "hull", "rederive_goal"]

#: The most bits a certificate may ask for (the prover's own limit).
MAX_PREC = 4096
#: Bits added to the certificate's precision for the re-check.
GUARD_BITS = 64
#: The most bits a decision may be raised to (see :class:`Ladder`).
MAX_WORK_BITS = 4 * (MAX_PREC + GUARD_BITS)

_MAX_MONOMIAL_BITS = 1_000_000
_MAX_EXPANSION = 5_000


class Rejected(Exception):
    """The certificate is well formed but does not verify."""


def hull(expr: sp.Expr, box, prec: int, what: str) -> tuple[Fraction, Fraction]:
    """Proved bounds of ``expr`` on ``box`` (name -> exact (lo, hi)); :class:`Rejected`
    saying ``what`` if it has no enclosure there."""
    env = {
        n: rq.RationalInterval(rq.down(lo, prec), rq.up(hi, prec)) for n, (lo, hi) in box.items()
    }
    try:
        out = rq.enclose(expr, env, prec)
    except rq.NoEnclosure as exc:
        raise Rejected(f"{what}: no enclosure ({exc})") from None
    return out.lo, out.hi


class Ladder:
    """The working precision: the certificate's plus :data:`GUARD_BITS`, raised 4-fold and
    16-fold (to at most :data:`MAX_WORK_BITS`) for a decision that needs it -- every
    enclosure is rigorous at any precision; only its tightness grows."""

    def __init__(self, prec: int):
        self.base = self.used = prec

    def settle(self, check) -> None:
        """``check(prec)`` returns None when the decision holds, else why not."""
        failure = None
        for p in sorted({min(self.base * k, max(self.base, MAX_WORK_BITS)) for k in (1, 4, 16)}):
            try:
                failure = check(p)
            except Rejected as exc:
                failure = str(exc)
            if failure is None:
                self.used = max(self.used, p)
                return
        raise Rejected(failure)


# -- re-deriving the goal from the claim ---------------------------------------------------
def _monomial_image(mono: sp.Expr, box, path: str) -> tuple[Fraction, Fraction]:
    """Exact image of a product of integer powers of non-negative parameters over a box."""
    lo = hi = Fraction(1)
    bits = 0
    for factor in sp.Mul.make_args(mono):
        base, e = factor.as_base_exp()
        if not isinstance(base, sp.Symbol) or not e.is_Integer or e == 0 or base.name not in box:
            raise Rejected(f"{path}: {mono} is not a monomial of the parameters so far")
        a, b = box[base.name]
        k = int(e)
        if a < 0 or (k < 0 and a == 0):
            raise Rejected(f"{path}: {base} is not positive on its range")
        bits += abs(k) * max(x.numerator.bit_length() + x.denominator.bit_length() for x in (a, b))
        if bits > _MAX_MONOMIAL_BITS:
            raise Rejected(f"{path}: the image of {mono} is too large to compute exactly")
        lo, hi = (lo * a**k, hi * b**k) if k > 0 else (lo * b**k, hi * a**k)
    return lo, hi


def _expansion(expr: sp.Basic) -> tuple[int, int]:
    """(terms of ``expand(expr)``, most terms of any subexpression), capped past the limit."""
    if not expr.args:
        return 1, 1
    parts = [_expansion(a) for a in expr.args]
    worst = max(w for _, w in parts)
    cap = _MAX_EXPANSION + 1
    terms = 1
    if isinstance(expr, sp.Add):
        terms = min(cap, sum(t for t, _ in parts))
    elif isinstance(expr, sp.Mul):
        for t, _ in parts:
            terms = min(cap, terms * t)
    elif isinstance(expr, sp.Pow) and expr.exp.is_Rational and parts[0][0] > 1:
        k = abs(int(expr.exp.p)) // int(expr.exp.q)
        base = parts[0][0]
        terms = cap if k * base.bit_length() > cap.bit_length() else min(cap, base**k)
    return terms, max(worst, terms)


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    if a == b:
        return True
    diff = a - b
    if _expansion(diff)[1] > _MAX_EXPANSION:
        raise Rejected("the goal and the claim are too large to compare symbolically")
    return sp.expand(diff) == 0


def _sign_check(expr, box, strict: bool, what: str):
    """A check for :meth:`Ladder.settle`: ``expr > 0`` (strict) or ``>= 0`` on the box."""

    def check(prec: int) -> str | None:
        lo = hull(expr, box, prec, what)[0]
        if lo > 0 or (lo == 0 and not strict):
            return None
        return f"{what} may be {'<= 0' if strict else 'negative'}"

    return check


def rederive_goal(doc: Mapping, f: sp.Expr, box0, integers0, reader: ExprReader, ladder: Ladder):
    """The goal (f, box, integers), once every reduction is re-derived from the claim."""
    stage = dict(box0)
    subs: list[tuple[sp.Symbol, sp.Expr]] = []
    strengthened = f
    for i, r in enumerate(field(doc, "reductions", list, "reductions")):
        path = f"reductions[{i}]"
        if not isinstance(r, dict):
            raise UsageError(f"malformed certificate: {path} must be an object")
        rule = field(r, "rule", str, f"{path}.rule")
        if rule == "power-exp":
            if subs:
                raise Rejected(f"{path}: a power-exp step after a substitution is not re-derived")
            term = reader.expr(r, "term", f"{path}.term")
            coeff = reader.expr(r, "coefficient", f"{path}.coefficient")
            if not isinstance(term, sp.Pow):
                raise Rejected(f"{path}: {term} is not a power")
            if (free_names(term) | free_names(coeff)) - set(box0):
                raise Rejected(f"{path}: the step mentions a name that is not the claim's")
            base, k = term.base, term.exp
            for expr, strict, what in ((coeff, False, "coefficient"), (base, True, "base")):
                ladder.settle(_sign_check(expr, box0, strict, f"{path}: the {what} {expr}"))
            ladder.settle(_sign_check(k, box0, False, f"{path}: the exponent {k}"))
            strengthened = strengthened + coeff * (sp.exp(k * (base - 1)) - term)
        elif rule == "substitute":
            var = param_name(field(r, "variable", str, f"{path}.variable"), f"{path}.variable")
            if var in box0:
                raise Rejected(
                    f"{path}: the new variable {var} is a parameter of the claim; "
                    "a substituted variable must be fresh"
                )
            if var in stage:
                raise Rejected(f"{path}: the variable {var} was introduced before")
            mono = reader.expr(r, "monomial", f"{path}.monomial")
            lo, hi = number_range(field(r, "range", list, f"{path}.range"), f"{path}.range")
            mlo, mhi = _monomial_image(mono, stage, path)
            if mlo < lo or mhi > hi:
                raise Rejected(f"{path}: {mono} ranges over [{mlo}, {mhi}], beyond [{lo}, {hi}]")
            stage[var] = (lo, hi)
            subs.append((reader.symbol(var), mono))
        else:
            raise UsageError(
                f"malformed certificate: {path}.rule {rule[:40]!r} is not a known rule"
            )
    goal = field(doc, "goal", dict, "goal")
    goal_box = box_field(goal, "box", "goal.box")
    goal_integers = integers_field(goal, goal_box, "goal.integers")
    goal_f = reader.expr(goal, "f", "goal.f")
    for n in goal_box:
        if n not in stage:
            raise Rejected(f"the goal's parameter {n} is neither the claim's nor substituted")
    for n in free_names(goal_f):
        if n not in goal_box:
            raise Rejected(f"the goal has no range for {n}")
        (lo, hi), (slo, shi) = goal_box[n], stage[n]
        if lo > slo or hi < shi:
            raise Rejected(f"the goal's range for {n} misses part of [{slo}, {shi}]")
    if not goal_integers <= integers0:
        extra = ", ".join(sorted(goal_integers - integers0))
        raise Rejected(f"the goal takes {extra} at integers only, which the claim does not")
    back = goal_f
    for var, mono in reversed(subs):
        back = back.xreplace({var: mono})
    if not _same(back, strengthened):
        raise Rejected("the goal, substituted back, is not the (strengthened) claim")
    return goal_f, goal_box, goal_integers

r"""The tight constant of a refuted claim :math:`\mathrm{lhs} \le c f`, from both sides.

:math:`c^* = \sup \mathrm{lhs}/f` over the claim's instances.  From below, every
witness and largest-ratio instance a check confirms gives an exact rational lower
bound :math:`c \cdot \mathrm{lhs}/\mathrm{rhs}` (exact rational or Arb arithmetic): no
smaller constant can work.  From above, a candidate :math:`\hat c` -- the exact ratio
when the largest one is attained, a closed form identified from its trusted digits
(:func:`~symbound.repair.identify.identify_constant`), or the lower bound raised by
:math:`10^{-6}` -- is checked as a new claim with a fresh seed: if it survives, the
bracket is :math:`[c_{lo}, \hat c]` with the search's figures (never called proved);
if it is refuted, its witness raises the lower bound and the next candidate is tried.

Before that, two readings of the first check decide whether a constant is the right
repair at all (:func:`diagnose`): a largest ratio a thousand times the first
witness's, reached where the bound fell a thousandfold while the quantity did not
grow, is a *structural* fault (the bound vanishes where the quantity does not); one
reached where the quantity grew a thousandfold is a ratio that does not settle (a
hypothesis on a parameter may repair it).  And the sizes at whose largest value the
ratio peaks are searched one value at a time (:mod:`symbound.repair.growth`): a ratio
that depends on a size is a closed form in it or a missing factor, not a constant.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from symbound.notation import to_text
from symbound.repair.evidence import ball_bounds, decimal, ratio_bounds
from symbound.repair.identify import identify_constant
from symbound.repair.result import Bound, Repair
from symbound.repair.session import Session, slug
from symbound.repair.variants import Split, repaired_entry, with_constant

__all__ = ["Diagnosis", "Lower", "bracket", "diagnose", "lower_bound", "slack"]

#: Candidates tried above the lower bound before the bracket is called inconclusive.
ROUNDS = 3
#: How far above the certified lower bound an unidentified candidate sits (relative).
MARGIN = Fraction(1, 10**6)
#: A fresh search must reach this share of the certified lower bound, or the largest
#: ratio is not reproduced and no constant is bracketed.
REPRODUCED = Fraction(9, 10)
#: Why a candidate is only the lower bound raised (no closed form proposed).
RAISED = "no closed form: the certified lower bound raised by 1e-6, rounded up to 7 digits"


@dataclass(frozen=True)
class Lower:
    """A certified lower bound on :math:`c^*`: ``value`` exact, ``exact`` when the ratio
    itself is exact (attained), ``how`` the instance and the arithmetic."""

    value: Fraction
    exact: bool
    how: str


def lower_bound(result, K: Fraction, f_text: str) -> Lower | None:
    """The best certified lower bound on :math:`c^*` a check of ``lhs <= K f`` gives (its
    witness or its largest-ratio instance), or ``None``."""
    best = None
    for e in (result.witness, result.sup):
        bounds = ratio_bounds(e)
        if bounds is None or bounds[0] <= 0:
            continue
        lo, hi = bounds[0] * K, bounds[1] * K
        exact = e.method.startswith("exact") and lo == hi
        if best is None or lo > best.value:
            rel = "=" if exact else "≥"
            how = f"{e.describe()}: lhs/({f_text}) {rel} {_show(lo, 'down')} ({e.method})"
            best = Lower(lo, exact, how)
    return best


def _show(q: Fraction, rounding: str) -> str:
    if q.denominator < 10**6 and len(str(q.numerator)) < 12:
        return _exact(q)
    return decimal(q, 15, rounding=rounding)


def _exact(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


@dataclass(frozen=True)
class Diagnosis:
    """Why no constant repairs a claim: ``structural`` (the bound vanishes where the
    quantity does not) or not (the quantity outgrows the bound), with the evidence."""

    structural: bool
    evidence: tuple[str, ...]


def diagnose(lemma, base) -> Diagnosis | None:
    r"""Read the first check: ``None`` if its ratios look settled; otherwise why not.

    The witness (shrunk to simple rationals) and the largest-ratio instance are both
    rigorous.  If the second's ratio is at least 1000 times the first's, and either the
    bound fell 1000-fold (:math:`\mathrm{rhs}_{sup} \le 10^{-3}\,\mathrm{rhs}_w`) or the
    quantity grew 1000-fold, the ratio did not settle in one search; it is *structural*
    when the bound fell while the quantity grew at most tenfold.  A reading of what the
    search saw, stated with its numbers, not a proof of unboundedness.
    """
    w, s = base.witness, base.sup
    rw, rs = ratio_bounds(w), ratio_bounds(s)
    if rw is None or rs is None or rw[1] <= 0 or rs[0] < 1000 * rw[1]:
        return None
    lw, ls = ball_bounds(w.lhs), ball_bounds(s.lhs)
    bw, bs = ball_bounds(w.rhs), ball_bounds(s.rhs)
    if None in (lw, ls, bw, bs) or bw[0] <= 0 or lw[0] <= 0:
        return None
    fell = bs[1] / bw[0]
    grew = ls[1] / lw[0]
    if not (fell <= Fraction(1, 1000) or grew >= 1000):
        return None
    structural = fell <= Fraction(1, 1000) and grew <= 10
    moved = _moved(lemma, w.instance, s.instance)
    ratio = (
        f"the largest ratio found, {decimal(rs[0], 4)} (certified), is "
        f"{decimal(rs[0] / rw[1], 3)} times the first witness's ({decimal(rw[0], 4)})"
    )
    sides = (
        f"the bound went from {decimal(bw[0], 4)} to {decimal(bs[1], 4, rounding='up')} while "
        f"the quantity went from {decimal(lw[0], 4)} to {decimal(ls[1], 4, rounding='up')}"
    )
    lines = [ratio, sides + (f" ({moved})" if moved else "")]
    if structural:
        lines.append(
            "the bound vanishes where the quantity does not: no constant multiple of it can "
            "hold there, and a hypothesis that keeps away from that limit removes the regime "
            "the bound is for; the statement needs another form (repair does not apply)"
        )
    else:
        lines.append(
            "the quantity outgrows the bound: no constant settles it in the search; a "
            "hypothesis on the parameter that moved may (repair with parameter=..., "
            "--parameter on the command line)"
        )
    return Diagnosis(structural, tuple(lines))


def _moved(lemma, a, b) -> str:
    parts = []
    for p in lemma.parameters:
        if p.is_integer or p.name not in a or p.name not in b:
            continue
        x, y = Fraction(a[p.name]), Fraction(b[p.name])
        if x > 0 and y > 0 and (y / x >= 10 or x / y >= 10):
            parts.append(f"{p.name}: {_show(x, 'down')} -> {_show(y, 'down')}")
    return ", ".join(parts)


def slack(lemma, base, split: Split, session: Session, statement: str) -> Repair:
    """A claim that survived its check: nothing to repair; the constant's slack, from the
    largest ratio the search found (certified) up to the stated constant."""
    K = _number(split.c)
    lower = lower_bound(base, K, split.f_text)
    stated = to_text(split.c)
    upper = Bound(stated, "survived", f"the claim as stated survived ({_figures(session, 0)})")
    lines = []
    lo = None
    if lower is not None:
        lo = Bound(_show(lower.value, "down"), "certified", lower.how)
        if K > 0 and lower.value >= K:
            lines.append(f"no slack: the stated constant {stated} is attained in the search")
        else:
            lines.append(
                f"slack: the search needs only c >= {_show(lower.value, 'down')} of the stated "
                f"{stated} (a constant in between is not checked here)"
            )
    return session.result(
        lemma.key,
        statement,
        "nothing to repair",
        "constant",
        quantity=f"c* = sup lhs/f for {split.text}",
        lower=lo,
        upper=upper,
        evidence=tuple(lines),
    )


def _number(c) -> Fraction:
    """``c`` as an exact rational; an irrational closed form rounded *down* (it scales
    certified lower bounds): 50 digits, less a relative 1e-45 for evalf's last digits."""
    c = sp.nsimplify(c)
    if c.is_Rational:
        return Fraction(int(c.p), int(c.q))
    approx = Fraction(str(sp.N(c, 50)))
    return approx - abs(approx) / 10**45


def _figures(session: Session, index: int) -> str:
    return session.figures[index].searched


def candidate_above(lower: Lower, sup) -> tuple[Fraction | sp.Expr, str]:
    """The first constant to try above the certified lower bound, and why: the exact
    ratio when it is attained, a closed form matching the trusted digits of the
    largest ratio, or the lower bound raised by :data:`MARGIN`."""
    if lower.exact:
        return lower.value, "the exact ratio of the largest instance (attained)"
    if sup is not None and sup.precision and sup.ratio not in ("inf", ""):
        digits = int(sup.precision.get("agreeing_digits", 0))
        if digits >= 8:
            found = identify_constant(lower.value, 10.0 ** -(digits - 2))
            if found is not None and _at_least(found.expr, lower.value):
                return found.expr, f"{found.how}, from {digits} trusted digits of the largest ratio"
    raised = lower.value * (1 + MARGIN)
    return Fraction(decimal(raised, 7, rounding="up")), RAISED


def _at_least(expr: sp.Expr, q: Fraction) -> bool:
    return bool(sp.N(expr, 40) >= sp.Rational(q.numerator, q.denominator))


def bracket(session: Session, lemma, split: Split, lower: Lower, sup, statement: str) -> Repair:
    """Bracket :math:`c^*` above ``lower`` (see the module notes) and state the repair."""
    f_text = split.f_text
    candidate, why = candidate_above(lower, sup)
    for _ in range(ROUNDS):
        value = (
            candidate
            if isinstance(candidate, sp.Basic)
            else sp.Rational(candidate.numerator, candidate.denominator)
        )
        text = str(value)
        what = f"constant {text}"
        entry = repaired_entry(
            lemma,
            with_constant(lemma, split, value, key=slug(lemma.key, "repaired")),
            what=what,
            how=f"c* bracketed by witnesses and searches from seed {session.seed}",
        )
        result = session.check(entry, f"the claim with c = {text}")
        figure = session.figures[-1]
        got = lower_bound(result, _number(value), f_text)
        if result.verdict.value == "survived":
            if got is None or got.value < lower.value * REPRODUCED:
                return _unsettled(session, lemma, statement, split, lower, got, value)
            if got.value > lower.value:
                lower = got
            return _constant_repair(
                lemma, statement, split, lower, value, why, entry, figure, session
            )
        if got is not None and got.value > lower.value:
            lower = got
        if result.verdict.value != "refuted":
            break
        candidate, why = candidate_above(lower, result.sup)
    why = f"no candidate above the lower bound survived in {ROUNDS} tries"
    return _inconclusive(session, lemma, statement, split, lower, why)


def _inconclusive(session, lemma, statement, split, lower, why: str) -> Repair:
    return session.result(
        lemma.key,
        statement,
        "inconclusive",
        "constant",
        quantity=f"c* = sup lhs/f for {split.text}",
        lower=Bound(_show(lower.value, "down"), "certified", lower.how),
        evidence=(why,),
    )


def _unsettled(session, lemma, statement, split, lower, got, value) -> Repair:
    reached = "nothing" if got is None else _show(got.value, "down")
    why = (
        f"the claim with c = {value} survived a fresh search, but that search reached only "
        f"lhs/f = {reached} against the certified {_show(lower.value, 'down')}: the largest "
        "ratio is not reproduced from one search to the next, so no constant is bracketed "
        "(it may grow without bound along a scaling the search does not follow)"
    )
    return _inconclusive(session, lemma, statement, split, lower, why)


def _constant_repair(lemma, statement, split, lower, value, why, entry, figure, session):
    check = figure.result
    tight = check.sup is not None and (check.sup.equality or abs(float(check.sup.gap)) < 1e-6)
    lo = Bound(_show(lower.value, "down"), "certified", lower.how + ": no smaller constant works")
    up = Bound(
        str(value),
        "survived",
        f"no counterexample at c = {value} ({figure.searched}): not a proof",
    )
    width = (_number(value) - lower.value) / _number(value) if _number(value) else Fraction(0)
    evidence = [f"{why}; relative width of the bracket {decimal(width, 3, rounding='up')}"]
    if tight:
        exactly = " exactly" if check.sup.equality else " to 6 digits"
        evidence.append("tight: the repaired claim's largest ratio is 1" + exactly)
    elif check.sup is not None:
        evidence.append(f"the fresh search reached {check.sup.ratio[:12]} of c = {value}")
    return session.result(
        lemma.key,
        statement,
        "repaired",
        "constant",
        entry=entry,
        figure=figure,
        quantity=f"c* = sup lhs/f for {split.text}",
        lower=lo,
        upper=up,
        closed_form=None if why == RAISED else str(value),
        evidence=tuple(evidence),
    )

r"""The hypothesis a refuted claim needs: the threshold :math:`t^*` of a parameter.

For a claim that holds only on part of a parameter's range (or of an expression in the
parameters, ``2*H*eps``), :func:`find_threshold` brackets the point :math:`t^*` where
it starts to fail between a *holding* point (the claim with the extra hypothesis
:math:`u \le m` survived a search, or was proved) and a *failing* one (an exact
witness at :math:`u = x`, confirmed in exact or Arb arithmetic, or by the prover):

1. from the first witness, toward the side where the claim may hold (the side away
   from where the largest ratio was found), a probe every factor 4 until one holds;
2. between the two, each probe where the logarithm of the largest ratio found at the
   ends, interpolated linearly, crosses 0 (regula falsi, with the Illinois rule: an end
   kept twice in a row has its value halved, so both ends close in; kept three times,
   bisection until the other end moves), at the simplest rational nearby; where an
   end's ratio is not known (a proof, a search that evaluated nothing), the simplest
   rational in the middle tenth of the bracket (bisection).  A failing probe's witness
   is the new failing point (it may lie below the probe), a holding probe the new
   holding point.

Which points are probed only decides how fast the bracket closes; each end stays what
a probe established there (a witness, or a search that survived).

:func:`threshold_repair` runs it on a lemma with the checker, proposes a closed form
for the bracket (:func:`~symbound.repair.identify.identify_constant`, saying on how
many digits it rests) and checks the repaired claim -- the claim with the hypothesis
:math:`u \le t^*` -- with a fresh seed.  The failing side needs no further check: the
last failing witness sits at most the bracket's width above :math:`t^*`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from symbound.notation import to_text
from symbound.repair.evidence import CheckFigure, decimal, ratio_bounds, value_at
from symbound.repair.identify import digits_of, identify_constant, simplest_between
from symbound.repair.result import Bound, Repair
from symbound.repair.session import Session, slug
from symbound.repair.variants import repaired_entry, with_bound

__all__ = ["Bracket", "Probe", "find_threshold", "threshold_repair"]

#: Probes (searches or proofs) a threshold may spend, and the relative width it stops at.
PROBES = 12
REL_WIDTH = Fraction(1, 5000)


@dataclass(frozen=True)
class Probe:
    """One probe at ``u <= m`` (or ``u >= m``): ``holds`` True (survived or proved), False
    (a certified witness, at ``fail_at``), or None (inconclusive); ``ratio`` the largest
    lhs/rhs the probe found (None when it has none: a proof), which steers the next probe."""

    holds: bool | None
    fail_at: Fraction | None
    figure: CheckFigure
    ratio: float | None = None


@dataclass(frozen=True)
class Bracket:
    """The threshold between ``hold`` (the claim holds with ``u`` up to it) and ``fail``
    (a certified witness there), with the probes that decided each end."""

    side: str
    hold: Fraction
    fail: Fraction
    hold_by: CheckFigure
    fail_by: CheckFigure
    probes: int

    @property
    def rel_width(self) -> Fraction:
        mid = abs(self.hold + self.fail) / 2
        return abs(self.fail - self.hold) / mid if mid else abs(self.fail - self.hold)


def find_threshold(
    probe: Callable[[Fraction], Probe],
    side: str,
    fail: Fraction,
    fail_by: CheckFigure,
    *,
    lo: Fraction | None = None,
    hi: Fraction | None = None,
    probes: int = PROBES,
    rel_width: Fraction = REL_WIDTH,
    fail_ratio: float | None = None,
) -> Bracket | None:
    """Bracket the threshold (see the module notes); ``side`` ``"<="``: the claim may hold
    below ``fail`` (down to ``lo``), ``">="``: above it (up to ``hi``); ``fail_ratio`` the
    largest ratio found where the claim failed first.  ``None`` if no probe holds."""
    sign = 1 if side == "<=" else -1
    x_fail = sign * fail
    x_lo = lo if side == "<=" else (-hi if hi is not None else None)
    hold_x = hold_by = None
    g_hold, g_fail = None, _log(fail_ratio)  # log of the largest ratio found at each end
    kept, streak = None, 0  # the end the last probes in the bracket moved, how many in a row
    used = k = 0
    while used < probes:
        if hold_x is None:  # toward the holding side, a factor 4 each time
            k += 1
            if k > 5:
                break
            if x_lo is not None:
                m = x_lo + (x_fail - x_lo) / 4**k
                m = simplest_between(max(x_lo, m - (x_fail - m) / 20), m)
                if m <= x_lo:
                    break
            else:
                m = x_fail - (abs(x_fail) + 1) * (4**k - 1) / 3
        else:
            width = x_fail - hold_x
            if width <= rel_width * max(abs(x_fail), abs(hold_x)):
                break
            if streak >= 3:  # one end kept three times: bisect until the other moves
                m = _next_probe(hold_x, x_fail, None, None)
            else:
                m = _next_probe(hold_x, x_fail, g_hold, g_fail)
        got = probe(sign * m)
        used += 1
        in_bracket = hold_x is not None
        if got.holds:
            streak = streak + 1 if in_bracket and kept == "hold" else 1
            if streak >= 2 and g_fail is not None:
                g_fail /= 2  # Illinois: the failing end was kept twice
            hold_x, hold_by, g_hold = m, got.figure, _log(got.ratio)
            kept = "hold" if in_bracket else None
        elif got.holds is False:
            at = min(sign * got.fail_at, m) if got.fail_at is not None else m
            if hold_x is not None and at <= hold_x:  # a witness where a search had found none
                hold_x, hold_by, k, g_hold, kept, in_bracket = None, None, 0, None, None, False
            if at < x_fail:
                streak = streak + 1 if in_bracket and kept == "fail" else 1
                if streak >= 2 and g_hold is not None:
                    g_hold /= 2  # Illinois: the holding end was kept twice
                x_fail, fail_by, g_fail = at, got.figure, _log(got.ratio)
                kept = "fail" if in_bracket else None
        elif hold_x is not None:
            break
    if hold_x is None:
        return None
    return Bracket(side, sign * hold_x, sign * x_fail, hold_by, fail_by, used)


def _log(ratio: float | None) -> float | None:
    """The logarithm of a positive, finite ratio; None otherwise."""
    if ratio is None or not 0 < ratio < math.inf:
        return None
    return math.log(ratio)


def _next_probe(hold: Fraction, fail: Fraction, g_hold: float | None, g_fail: float | None):
    """The next probe in the bracket ``(hold, fail)`` (``hold < fail``): where the line
    through ``(hold, g_hold)`` and ``(fail, g_fail)`` crosses 0, on the scale
    :math:`g / (1 + |g|)` (at ``hold`` when ``g_hold`` is 0 or more: the claim is tight
    there), kept 1 % inside the ends, at the simplest rational within half a percent of
    the width; the simplest rational in the middle tenth when a value is missing.

    >>> _next_probe(Fraction(0), Fraction(1), -1.0, 3.0)
    Fraction(2, 5)
    >>> _next_probe(Fraction(0), Fraction(1), None, 3.0)
    Fraction(1, 2)
    >>> _next_probe(Fraction(0), Fraction(1), 0.0, 3.0)  # the holding end is tight: 1 % in
    Fraction(1, 67)
    """
    width = fail - hold
    if g_hold is None or g_fail is None or not g_fail > 0:
        return simplest_between(hold + width * Fraction(9, 20), hold + width * Fraction(11, 20))
    # on g / (1 + |g|): near 0 the same, and a ratio of 10^16 at the far end counts as
    # 1, not as 38; a holding end with ratio 1 (a tight claim) is where the line crosses 0
    a, b = max(0.0, -g_hold) / (1 + abs(g_hold)), g_fail / (1 + g_fail)
    t = Fraction(a / (a + b)).limit_denominator(10**9)
    t = min(max(t, Fraction(1, 100)), Fraction(99, 100))
    return simplest_between(
        hold + width * (t - Fraction(1, 200)), hold + width * (t + Fraction(1, 200))
    )


def _domain(lemma, u: sp.Expr) -> tuple[Fraction | None, Fraction | None]:
    """Bounds of ``u``'s range when ``u`` is one parameter (or positive: below by 0)."""
    if isinstance(u, sp.Symbol):
        dom = lemma.parameter(u.name).domain
        if isinstance(dom, sp.Interval):
            lo = None if dom.inf == -sp.oo else Fraction(str(dom.inf))
            hi = None if dom.sup == sp.oo else Fraction(str(dom.sup))
            return lo, hi
    if u.is_positive:
        return Fraction(0), None
    return None, None


def _text(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def threshold_repair(session: Session, lemma, base, u: sp.Expr, statement: str) -> Repair:
    """The hypothesis on ``u`` that the refuted ``lemma`` needs (see the module notes)."""
    u_text = to_text(u)
    fail0 = value_at(u, base.witness.instance)
    at_sup = value_at(u, base.sup.instance) if base.sup is not None else None
    if fail0 is None:
        return _none(lemma, statement, u_text, session, f"{u_text} is not rational at the witness")
    lo, hi = _domain(lemma, u)
    # the largest ratio lies on the failing side: look for the holding side away from it
    first = "<=" if at_sup is None or at_sup >= fail0 else ">="
    sides = (first, ">=" if first == "<=" else "<=")

    def probe_at(side):
        def probe(m: Fraction) -> Probe:
            variant = with_bound(lemma, u, side, m, key=slug(lemma.key, f"{u_text} {side} {m}"))
            result = session.check(
                variant,
                f"with {u_text} {'≤' if side == '<=' else '≥'} {_text(m)}",
                samples=session.stage_samples,
            )
            figure = session.figures[-1]
            ratio = _ratio_at(result)
            if result.verdict.value == "survived":
                return Probe(True, None, figure, ratio)
            if result.verdict.value == "refuted":
                return Probe(False, value_at(u, result.witness.instance), figure, ratio)
            return Probe(None, None, figure, ratio)

        return probe

    found = None
    for side in sides:
        found = find_threshold(
            probe_at(side), side, fail0, session.figures[0], lo=lo, hi=hi,
            fail_ratio=_ratio_at(base),
        )  # fmt: skip
        if found is not None:
            break
    if found is None:
        return _none(
            lemma, statement, u_text, session,
            f"every probe of {u_text} on either side of the first witness was refuted or "
            "inconclusive: no range of it where the claim holds was found",
        )  # fmt: skip
    return _state(session, lemma, u, u_text, found, statement)


def _ratio_at(result) -> float | None:
    """The ratio a check certifies at the point it leaves: its witness's where it found
    one (exactly at the failing point), else its largest ratio (the lower end of their
    certified bounds; both are lower bounds of the largest ratio there)."""
    bounds = ratio_bounds(result.witness if result.witness is not None else result.sup)
    return float(bounds[0]) if bounds is not None and bounds[0] > 0 else None


def _none(lemma, statement, u_text, session, why) -> Repair:
    return session.result(
        lemma.key,
        statement,
        "not applicable",
        "no threshold",
        quantity=f"t* for {u_text}",
        evidence=(why,),
    )


def _state(session: Session, lemma, u, u_text: str, b: Bracket, statement: str) -> Repair:
    holds = "below" if b.side == "<=" else "above"
    sign = "≤" if b.side == "<=" else "≥"
    fails = "above" if b.side == "<=" else "below"
    quantity = f"t* for {u_text}: the claim holds with {u_text} {sign} t*, fails {fails}"
    digits = digits_of(float(b.rel_width))
    mid = (b.hold + b.fail) / 2
    found = identify_constant(mid, max(float(b.rel_width), 1e-12)) if digits >= 2 else None
    if found is not None and not _inside(found.expr, b):
        found = None
    bound = found.expr if found is not None else sp.Rational(b.hold.numerator, b.hold.denominator)
    entry = repaired_entry(
        lemma,
        with_bound(lemma, u, b.side, bound, key=slug(lemma.key, "repaired")),
        what=f"hypothesis {u_text} {sign} {bound}",
        how=f"threshold bracketed by witnesses and searches from seed {session.seed}",
    )
    result = session.check(entry, f"the claim with {u_text} {sign} {bound}")
    figure = session.figures[-1]
    hold_side = Bound(
        decimal(b.hold, 12, rounding="down" if b.side == "<=" else "up"),
        "survived",
        f"no counterexample with {u_text} {sign} {_text(b.hold)} ({b.hold_by.searched}): "
        "not a proof",
    )
    w = b.fail_by.result.witness if b.fail_by.tool == "check" else None
    fail_how = (
        f"witness {w.describe()}: lhs = {w.lhs} > rhs = {w.rhs} ({w.method})"
        if w is not None
        else b.fail_by.witness or "a certified witness"
    )
    fail_side = Bound(
        decimal(b.fail, 12, rounding="up" if b.side == "<=" else "down"),
        "certified",
        f"fails at {u_text} = {_text(b.fail)}: {fail_how}",
    )
    lower, upper = (hold_side, fail_side) if b.side == "<=" else (fail_side, hold_side)
    evidence = [
        f"{b.probes} probes; the claim holds {holds} {u_text} = {_text(b.hold)} in the search "
        f"and fails at {_text(b.fail)} (relative width {decimal(b.rel_width, 3, rounding='up')}, "
        f"{digits} digits)"
    ]
    if found is not None:
        delta = abs(sp.Rational(b.fail.numerator, b.fail.denominator) - found.expr)
        evidence.append(
            f"closed form {found.text}: {found.how} of the bracket's midpoint, resting on "
            f"{digits} digits; the certified witness fails at t* + δ with "
            f"δ = {sp.N(delta, 3)} ({u_text} = {_text(b.fail)})"
        )
    else:
        evidence.append(
            f"no closed form a + b K (a, b rational, K = 1, log(2), pi, E, sqrt(2)) "
            f"fits the {digits} digits of the bracket; the repaired claim takes the holding end"
        )
    outcome = "repaired" if result.verdict.value == "survived" else "inconclusive"
    if outcome != "repaired":
        evidence.append(f"the repaired claim was {result.verdict.value} in its own check")
    return session.result(
        lemma.key,
        statement,
        outcome,
        "hypothesis",
        quantity=quantity,
        lower=lower,
        upper=upper,
        closed_form=f"{u_text} {sign} {bound}",
        evidence=tuple(evidence),
        repaired=entry if outcome == "repaired" else None,
        repaired_statement=entry.statement_text if outcome == "repaired" else None,
        repaired_check=figure,
    )


def _inside(expr: sp.Expr, b: Bracket) -> bool:
    value = sp.N(expr, 40)
    lo, hi = sorted((b.hold, b.fail))
    return bool(
        sp.Rational(lo.numerator, lo.denominator)
        <= value
        <= sp.Rational(hi.numerator, hi.denominator)
    )

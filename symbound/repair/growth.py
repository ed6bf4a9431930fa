r"""When the largest ratio depends on a size: a closed form in the size, or a missing factor.

The first check reports the instance with the largest ratio, at the smallest sizes
that reach it.  A size at the top of its searched range there is one the ratio may
grow with, so the claim is searched again at each value of that size alone
(:func:`profile`), the others over their full ranges:

- the largest ratios are all exact and attained: they are fitted by one rational
  function of the size (:func:`~symbound.repair.identify.fit_rational`, fitted on the
  fewest values, confirmed exactly on the others), and that function times ``f`` is
  checked as the repaired claim: a closed form such as :math:`2(1 - 1/n)`;
- they grow otherwise (``d``-fold, say, where an entrywise norm bound lost the factor
  :math:`d` of :math:`\|XW\|_{\max} \le d\|X\|_{\max}\|W\|_{\max}`): the growth law is
  fitted (the log-log slope), and corrections with the factor :math:`s^k` are checked
  for :math:`k = 1, 2, 3` -- on each real parameter of the bound (:math:`\eta \to d\eta`,
  where a norm bound enters) and in front of it -- until one survives; of the survivors
  the tightest (largest ratio) is the repair, and every candidate's verdict is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from symbound.notation import to_text
from symbound.repair.evidence import decimal, ratio_bounds
from symbound.repair.identify import fit_rational, growth_exponent
from symbound.repair.result import Bound, Repair
from symbound.repair.session import Session, slug
from symbound.repair.variants import Split, at_size, repaired_entry, with_constant

__all__ = [
    "Point",
    "factor_repair",
    "growth",
    "profile",
    "profiles",
    "rational_repair",
    "top_sizes",
    "varies",
]

#: Largest power of a size tried as a factor.
MAX_POWER = 3
#: A growth over a size's range that stops the search of the other sizes.
STRONG = 2
#: A survivor whose largest ratio reaches this is tight (to six digits).
TIGHT = 1 - Fraction(1, 10**6)


@dataclass(frozen=True)
class Point:
    """The largest ratio found at one value of a size: certified bounds ``lo`` (exact and
    equal to ``hi`` when attained) on :math:`c^*` there, and the search's verdict."""

    size: int
    lo: Fraction | None
    hi: Fraction | None
    exact: bool
    verdict: str


def top_sizes(lemma, sup) -> list:
    """The sizes whose searched range has more than one value and whose largest value the
    largest-ratio instance sits at."""
    if sup is None:
        return []
    return [
        p
        for p in lemma.size_parameters
        if p.search[0] < p.search[1] and sup.instance.get(p.name) == p.search[1]
    ]


def point_of(size: int, result, c: Fraction) -> Point:
    """The :class:`Point` a check's largest-ratio instance gives at one value of a size."""
    bounds = ratio_bounds(result.sup)
    if bounds is None:
        return Point(size, None, None, False, result.verdict.value)
    exact = result.sup.method.startswith("exact") and bounds[0] == bounds[1]
    return Point(size, bounds[0] * c, bounds[1] * c, exact, result.verdict.value)


def profile(session: Session, lemma, c: Fraction, size, values) -> list[Point]:
    """The claim searched at each of ``values`` of ``size``, the other sizes over their
    ranges."""
    results = session.ahead([(_at(lemma, size, v), session.profile_samples) for v in values])
    return [
        point_of(v, session.record(result, f"{size.name} = {v} only"), c)
        for v, result in zip(values, results, strict=True)
    ]


def _at(lemma, size, v):
    return at_size(lemma, size.name, v, key=slug(lemma.key, f"{size.name} {v}"))


def profiles(session: Session, lemma, c: Fraction, sizes) -> list[tuple]:
    """``(size, points)`` for the sizes whose largest ratio varies: each size is searched at
    both ends of its range, with the same budget (in the lemma's order, stopping at the
    first whose ratio at least doubles: :data:`STRONG`), and the one that varies most at
    every value between when both its ends are exact (a rational function is fitted only
    to exact values).  The first check's own largest ratio is not used as an end: a
    search with more samples finds more, which would read as growth."""
    ends = []
    # the ends of every size, in the loop's order and with the seeds it gives them: with
    # more than one job they are searched ahead, and those after a strong growth stopped
    run = [(size, int(v)) for size in sizes for v in size.search[:2]]
    results = session.ahead([(_at(lemma, size, v), session.profile_samples) for size, v in run])
    try:
        for size in sizes:
            points = [
                point_of(v, session.record(next(results), f"{size.name} = {v} only"), c)
                for v in (int(size.search[0]), int(size.search[1]))
            ]
            ends.append((size, points))
            if varies(points) and growth(points) >= STRONG:
                break
    finally:
        results.close()
    varying = [(size, points) for size, points in ends if varies(points)]
    if not varying:
        return []
    varying.sort(key=lambda item: -growth(item[1]))
    size, points = varying[0]
    if not all(p.exact for p in points):  # only exact values are fitted: the ends suffice
        return varying
    lo, hi = int(size.search[0]), int(size.search[1])
    middle = profile(session, lemma, c, size, range(lo + 1, hi))
    full = sorted([*points, *middle], key=lambda p: p.size)
    return [(size, full), *varying[1:]]


def points_text(name: str, points: list[Point]) -> str:
    def show(p: Point) -> str:
        if p.lo is None:
            return "none"
        if p.exact:
            q = p.lo
            return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"
        return decimal(p.lo, 5)

    sizes = ", ".join(str(p.size) for p in points)
    return f"{name} = {sizes}: " + ", ".join(show(p) for p in points)


def varies(points: list[Point]) -> bool:
    """Whether the largest ratio depends on the size: exact values that differ (beyond
    1e-9), or a ratio at the largest size above the one at the smallest (a ratio found
    lower at the largest size than the first check found there is the search's noise,
    not a dependence)."""
    known = [p for p in points if p.lo is not None and p.lo > 0]
    if len(known) < 2:
        return False
    values = [p.lo for p in known]
    if all(p.exact for p in known):
        return max(values) > min(values) * (1 + Fraction(1, 10**9))
    first, last = min(known, key=lambda p: p.size), max(known, key=lambda p: p.size)
    return last.lo > first.lo * (1 + Fraction(1, 10**9))


def growth(points: list[Point]) -> Fraction:
    """How much the largest ratio grows over the size's range (largest over smallest)."""
    values = [p.lo for p in points if p.lo is not None and p.lo > 0]
    return max(values) / min(values) if values else Fraction(1)


def rational_repair(
    session: Session, lemma, split: Split, size, points: list[Point], statement: str
) -> Repair | None:
    """A closed form in ``size`` through exact, attained values, checked as the repaired
    claim; ``None`` if the values are not all exact or fit no rational function."""
    if not points or not all(p.exact and p.lo is not None for p in points):
        return None
    fit = fit_rational([(p.size, p.lo) for p in points], size.symbol)
    if fit is None:
        return None
    expr = fit.expr
    entry = repaired_entry(
        lemma,
        with_constant(lemma, split, expr, key=slug(lemma.key, "repaired")),
        what=f"constant {expr}",
        how=f"closed form in {size.name} fitted to exact witnesses, seed {session.seed}",
    )
    result = session.check(entry, f"the claim with c = {expr}")
    figure = session.figures[-1]
    evidence = [
        "c x (largest ratio found), exact and attained, at " + points_text(size.name, points),
        f"{expr} fitted on {fit.fitted} of these sizes and equal at the other {fit.confirmed} "
        "(exact rational arithmetic)",
    ]
    values = ", ".join(str(p.size) for p in points)
    lower = Bound(
        str(expr),
        "certified",
        f"exact witnesses attain it at {size.name} = {values}: no smaller constant works there",
    )
    if result.verdict.value != "survived":
        return session.result(
            lemma.key,
            statement,
            "inconclusive",
            "closed form",
            quantity=f"c*({size.name}) = sup lhs/f for {split.text}",
            lower=lower,
            closed_form=str(expr),
            evidence=(*evidence, f"the claim with c = {expr} was {result.verdict.value}"),
        )
    tight = result.sup is not None and (result.sup.equality or abs(float(result.sup.gap)) < 1e-6)
    evidence.append(
        "tight: the repaired claim's largest ratio is 1"
        if tight
        else f"not tight: the repaired claim's largest ratio is {result.sup.ratio[:12]}"
    )
    return session.result(
        lemma.key,
        statement,
        "repaired",
        "closed form",
        entry=entry,
        figure=figure,
        quantity=f"c*({size.name}) = sup lhs/f for {split.text}",
        lower=lower,
        upper=Bound(
            str(expr),
            "survived",
            f"no counterexample with c = {expr} ({figure.searched}): not a proof",
        ),
        closed_form=str(expr),
        evidence=tuple(evidence),
    )


def _candidates(lemma, split: Split, size, k: int) -> list[tuple[str, sp.Expr | None]]:
    """``(label, new f)`` for the factor ``size**k``: on each real parameter of ``f``, then
    in front of it (``None``: in front of a term bound)."""
    s = size.symbol**k
    out = []
    if split.term is None:
        reals = sorted((x for x in split.f.free_symbols if not x.is_integer), key=lambda x: x.name)
        seen = []
        for x in reals:
            seen.append((f"{to_text(x)} -> {to_text(s * x)}", split.f.subs(x, s * x)))
        seen.append((f"{to_text(s)} * ({to_text(split.f)})", s * split.f))
        for label, f_new in seen:  # phi0 -> d phi0 is d * f when phi0 is a factor: once
            if all(f_new != other for _, other in out):
                out.append((label, f_new))
    else:
        out.append((f"{to_text(s)} * ({split.term.text})", None))
    return out


def factor_repair(
    session: Session, lemma, split: Split, profiles: list[tuple], statement: str
) -> Repair:
    """Corrections with a factor ``size**k`` (see the module notes), checked in turn: the
    sizes in order of growth, ``k = 1, 2, 3``; the first tight survivor is the repair,
    else the survivor with the largest ratio."""
    profiles = sorted(profiles, key=lambda sp_: -growth(sp_[1]))
    laws, tried, survivors = [], [], []
    for size, points in profiles:
        slope = growth_exponent([(p.size, float(p.lo)) for p in points if p.lo])
        laws.append(
            f"the largest ratio found at each {size.name}: "
            + points_text(size.name, points)
            + " (certified lower bounds of c* at each)"
            + (f"; log-log slope {slope:.2f}" if slope is not None else "")
        )
    for size, _points in profiles:
        for k in range(1, MAX_POWER + 1):
            found = []
            candidates = [
                (label, _entry(session, lemma, split, size, k, label, f_new))
                for label, f_new in _candidates(lemma, split, size, k)
            ]
            # searched in turn; with more than one job the next ones run ahead, and are
            # stopped when a tight survivor makes them unneeded
            results = session.ahead([(entry, None) for _, entry in candidates])
            for label, entry in candidates:
                if any(s[0] >= TIGHT for s in found):  # a tight survivor: nothing tighter
                    results.close()
                    tried.append(f"{label}: not checked (a tight correction came first)")
                    continue
                result = session.record(
                    next(results), f"the factor {to_text(size.symbol**k)}: {label}"
                )
                figure = session.figures[-1]
                tried.append(f"{label}: {result.verdict.value}" + _ratio(result))
                if result.verdict.value == "survived":
                    bounds = ratio_bounds(result.sup)
                    found.append((bounds[0] if bounds else Fraction(0), label, entry, figure))
            if found:
                survivors.extend(found)
                break
        if any(s[0] >= TIGHT for s in survivors):
            break
    evidence = (*laws, "corrections tried: " + "; ".join(tried))
    names = ", ".join(size.name for size, _ in profiles)
    quantity = f"the factor missing from {split.text}, a power of {names}"
    if not survivors:
        return session.result(
            lemma.key,
            statement,
            "inconclusive",
            "factor",
            quantity=quantity,
            evidence=(*evidence, f"no correction with a power <= {MAX_POWER} survived"),
        )
    ratio, label, entry, figure = max(survivors, key=lambda s: s[0])
    tight = ratio >= TIGHT
    return session.result(
        lemma.key,
        statement,
        "repaired",
        "factor",
        entry=entry,
        figure=figure,
        quantity=quantity,
        closed_form=label,
        evidence=(
            *evidence,
            f"chosen: {label}, the survivor with the largest ratio ({decimal(ratio, 8)}, "
            + ("tight" if tight else "not tight")
            + ")",
        ),
    )


def _entry(session, lemma, split, size, k, label, f_new):
    """The claim corrected by the factor ``size**k`` as ``label`` says."""
    factor = size.symbol**k
    if f_new is None:
        variant = with_constant(lemma, split, split.c * factor, key=slug(lemma.key, "repaired"))
    else:
        variant = with_constant(
            lemma,
            Split(split.c, f_new, split.symbol, split.term),
            split.c,
            key=slug(lemma.key, "repaired"),
        )
    return repaired_entry(
        lemma, variant, what=f"the factor {to_text(factor)}: {label}",
        how=f"growth in {size.name} read from searches at each {size.name}, seed {session.seed}",
    )  # fmt: skip


def _ratio(result) -> str:
    if result.verdict.value == "refuted" and result.witness is not None:
        w = result.witness
        return f" (witness: lhs = {w.lhs} > rhs = {w.rhs})"
    if result.sup is not None:
        return f" (largest ratio {result.sup.ratio[:10]})"
    return ""

r"""The section "What each refuted claim needs": every refuted claim of a paper, its
automatic repair (:func:`symbound.repair.repair`, with the arguments the paper's
:class:`~symbound.appendix.spec.RepairCase` gives) beside the corrections of the
reference notes, and whether the two agree.

A correction is compared with a repair only where both say the same kind of thing:
the same quantity under the same hypotheses with another bound (a constant, a closed
form, a factor: the bounds are compared exactly, by SymPy, on the parameters' domains,
the sizes from the least searched), or the same bound under one more hypothesis on the
repair's parameter (the thresholds are compared exactly).  The outcome
(:class:`Agreement`) is one of

- ``agree``: the same bound, or the same threshold, exactly;
- ``repair tighter`` / ``correction tighter``: which is tighter, with what it rests
  on (the repair's certified witness, its survived search);
- ``conflict``: the correction claims more than the repair's certified witness
  allows (the witness meets the correction's hypotheses and breaks its bound);
- ``consistent``: the repair finds the fault structural and the correction bounds
  another quantity;
- ``undecided``: no exact comparison was possible (it says why);
- ``not compared``: the two say different kinds of thing (it says what differs).

Nothing here is searched or proved: the repairs' own figures are all it rests on.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from symbound.appendix.cells import short_brackets
from symbound.appendix.spec import AppendixSpec, RepairCase
from symbound.errors import UsageError
from symbound.lemmas.model import Lemma
from symbound.notation import to_text

__all__ = [
    "WORDS",
    "Agreement",
    "RepairRecord",
    "RepairRow",
    "agreement",
    "repair_rows",
    "repair_subjects",
    "run_repair",
]

#: every outcome of a comparison, in the order the section explains them
WORDS = (
    "agree",
    "repair tighter",
    "correction tighter",
    "conflict",
    "consistent",
    "undecided",
    "not compared",
    "not repaired here",
)


@dataclass(frozen=True)
class Agreement:
    """A repair beside one correction: ``word`` (one of :data:`WORDS`) and why."""

    correction: Lemma
    verdict: str  # the correction's own verdict in the claims table ("" if not there)
    word: str
    text: str


@dataclass(frozen=True)
class RepairRecord:
    """A repair as the appendix keeps it, in values that travel between processes: the
    :class:`~symbound.repair.Repair` without its repaired entry (a lemma written by hand
    holds functions, and so does its repaired form), its record (``to_dict``, taken
    with the entry), and the entry's key and bound."""

    repair: Any  # symbound.repair.Repair, repaired=None
    record: Mapping[str, Any]
    entry: str | None = None
    bound: sp.Expr | None = None


def run_repair(claim: Lemma, parameter=None, constant=None, *, seed=0, samples=300, dps=50):
    """:func:`symbound.repair.repair` of ``claim`` (the arguments of a
    :class:`~symbound.appendix.spec.RepairCase`), as a :class:`RepairRecord`: the same
    wherever it runs."""
    import dataclasses

    from symbound.repair import repair

    r = repair(claim, parameter=parameter, constant=constant, seed=seed, samples=samples, dps=dps)
    entry = r.repaired
    return RepairRecord(
        dataclasses.replace(r, repaired=None),
        r.to_dict(),
        None if entry is None else entry.key,
        None if entry is None else entry.conclusion.rhs,
    )


@dataclass(frozen=True)
class RepairRow:
    """One refuted claim: its verdict, its repair (None: not repaired here, ``case``
    None too) and each correction beside it."""

    claim: Lemma
    verdict: str
    case: RepairCase | None
    repair: RepairRecord | None
    agreements: tuple[Agreement, ...]


def repair_subjects(
    spec: AppendixSpec, cat, paper: str, only: Collection[str] | None = None
) -> list[tuple[RepairCase, Lemma]]:
    """The cases of ``spec`` to repair (those named in ``only``, if given), each with its
    claim; every bad name is a one-line :class:`~symbound.errors.UsageError`."""
    cases = {}
    for case in spec.repairs:
        if case.key in cases:
            raise UsageError(f"the appendix of {paper} repairs {case.key!r} twice")
        if case.claim is None:
            if case.key not in cat.claims or cat.source_of(case.key) != paper:
                raise UsageError(
                    f"the appendix of {paper} repairs {case.key!r}, which is not one of its "
                    "claims (a reading of its own is given as RepairCase(claim=...))"
                )
            claim = cat.claims[case.key]
        else:
            claim = case.claim
            if not isinstance(claim, Lemma) or claim.key != case.key or case.key in cat.claims:
                raise UsageError(
                    f"the appendix of {paper} repairs {case.key!r}: a claim given with the "
                    "case is a Lemma of that key, and not one of the catalogue's"
                )
        for key in case.compare:
            if key not in cat.claims:
                raise UsageError(f"the repair of {case.key!r} is compared with {key!r}: no claim")
        cases[case.key] = (case, claim)
    if only is None:
        return list(cases.values())
    unknown = sorted(set(only) - set(cases))
    if unknown:
        raise UsageError(
            f"the appendix of {paper} repairs no {unknown[0]!r}; it repairs: "
            + (", ".join(cases) or "nothing")
        )
    return [cases[key] for key in cases if key in only]


def repair_rows(
    subjects: Sequence[tuple[RepairCase, Lemma]],
    repairs: Sequence[Any],
    claims: Sequence[Any],
    cat,
) -> tuple[RepairRow, ...]:
    """A row for every repaired claim and every other refuted claim of ``claims`` (the
    claims table's :class:`~symbound.appendix.build.ClaimRow` values), in the table's
    order, then the readings the specification states itself."""
    verdicts = {row.lemma.key: row.result.verdict.value for row in claims}
    done = {case.key: (case, lemma, r) for (case, lemma), r in zip(subjects, repairs, strict=True)}

    def row(lemma: Lemma, verdict: str, case=None, repaired=None) -> RepairRow:
        keys = list(dict.fromkeys([c.key for c in cat.corrections_of(lemma.key)]))
        keys += [k for k in (case.compare if case else ()) if k not in keys]
        return RepairRow(
            lemma,
            verdict,
            case,
            repaired,
            tuple(
                agreement(lemma, repaired, cat.claims[k], verdicts.get(k, ""), case) for k in keys
            ),
        )

    rows = []
    for claim_row in claims:
        key = claim_row.lemma.key
        if key in done:
            case, lemma, repaired = done.pop(key)
            rows.append(row(lemma, verdicts[key], case, repaired))
        elif verdicts[key] == "refuted":
            rows.append(row(claim_row.lemma, "refuted"))
    for case, lemma, repaired in done.values():  # a reading stated with the specification
        checks = repaired.repair.checks
        rows.append(row(lemma, checks[0].verdict if checks else "", case, repaired))
    return tuple(rows)


# -- one repair beside one correction -----------------------------------------------------


def agreement(
    claim: Lemma,
    record: RepairRecord | None,
    correction: Lemma,
    verdict: str = "",
    case: RepairCase | None = None,
) -> Agreement:
    """How the repair of ``claim`` (None: not repaired here) compares with
    ``correction`` (see the module notes)."""

    def said(word: str, text: str) -> Agreement:
        return Agreement(correction, verdict, word, text)

    if record is None:
        return said("not repaired here", "")
    repair = record.repair
    other = correction.conclusion.lhs != claim.conclusion.lhs
    if repair.outcome == "not applicable":
        why = f"the repair offers no {repair.kind.removeprefix('no ')} ({_reason(repair)})"
        if repair.kind == "structural":
            why = f"no constant or hypothesis repairs the claim: {_reason(repair)}"
        if other and repair.kind == "structural":
            return said(
                "consistent",
                f"{why}; the correction bounds another quantity, {correction.conclusion.lhs.text}",
            )
        return said("undecided", f"{why}, while the correction states {correction.conclusion.text}")
    if repair.outcome == "inconclusive":
        return said("undecided", f"the repair is inconclusive: {_reason(repair)}")
    if repair.outcome == "nothing to repair":
        return said("not compared", "the claim survived the repair's own search: nothing to repair")
    if other:
        return said(
            "not compared",
            f"the correction bounds another quantity, {correction.conclusion.lhs.text}",
        )
    added = [h for h in correction.hypotheses if h not in claim.hypotheses]
    dropped = [h for h in claim.hypotheses if h not in correction.hypotheses]
    if dropped:
        return said("not compared", f"the correction drops the hypothesis {dropped[0].text}")
    if repair.kind == "hypothesis":
        if correction.conclusion.rhs != claim.conclusion.rhs:
            return said("not compared", "the correction changes the bound, the repair a hypothesis")
        return said(*_thresholds(claim, repair, correction, added, case))
    if added:
        return said(
            "not compared",
            f"the correction adds the hypothesis {added[0].text}, the repair changes the bound",
        )
    return said(*_bounds(claim, record, correction))


def _reason(repair) -> str:
    return repair.evidence[-1] if repair.evidence else repair.outcome


def _names(lemma: Lemma) -> dict[str, sp.Symbol]:
    """The lemma's parameters by name and by how statements print them (``ε``)."""
    out = {}
    for p in lemma.parameters:
        out[p.name] = out[to_text(p.symbol)] = p.symbol
    return out


def _parsed(text: str, lemma: Lemma) -> sp.Expr | None:
    from symbound.parse import parse_bound

    try:
        return parse_bound(text, _names(lemma))
    except UsageError:
        return None


def _assumed(expr: sp.Expr, lemma: Lemma) -> sp.Expr:
    """``expr`` with each parameter replaced by a symbol that knows its domain's sign and
    integrality, so that SymPy may order expressions on the domains; a size starts at
    the least value searched (``n`` as ``2 + k``, ``k`` a nonnegative integer), where
    the repairs' evidence starts."""
    subs = {}
    for p in lemma.parameters:
        low = p.domain.inf
        if p.is_integer and p.search is not None:
            start = max(sp.Integer(p.search[0]), low)
            subs[p.symbol] = start + sp.Symbol(f"{p.name}_", integer=True, nonnegative=True)
            continue
        fields = {"integer": True} if p.is_integer else {"real": True}
        if low.is_extended_nonnegative:
            closed = p.domain.contains(low) is sp.true
            fields["positive" if low.is_positive or not closed else "nonnegative"] = True
        subs[p.symbol] = sp.Symbol(p.name, **fields)
    return expr.xreplace(subs)


def _sign(expr: sp.Expr) -> int | None:
    """The sign of ``expr`` on the domains, when SymPy decides it."""
    e = sp.simplify(expr)
    for sign, holds in ((0, e.is_zero), (1, e.is_positive), (-1, e.is_negative)):
        if holds:
            return sign
    return None


def _side(bound) -> str:
    return f"{bound.kind}: {short_brackets(bound.how)}"


def _bounds(claim: Lemma, record: RepairRecord, correction: Lemma) -> tuple[str, str]:
    """A repaired bound against a correction's, under the same hypotheses."""
    repair = record.repair
    ours, theirs = record.bound, correction.conclusion.rhs
    text = f"{to_text(theirs)} (the correction) against {to_text(ours)} (the repair)"
    ratio = _assumed(theirs / ours, claim)
    if _sign(_assumed(theirs - ours, claim)) == 0:
        return "agree", f"the same bound, {to_text(theirs)}, exactly"
    order = _sign(ratio - 1)
    witness = f"; the repair's lower side: {_side(repair.lower)}" if repair.lower else ""
    holds = f"the repaired claim {_checked(repair)}"
    if order == 1:
        how = f"by a factor {sp.nsimplify(ratio)}" if ratio.is_number else _EVERYWHERE
        return (
            "repair tighter",
            f"the repair is tighter: {text}, the correction larger {how}; {holds}{witness}",
        )
    if order == -1:
        # the repaired bound is c* f, c* the bracket's upper end: the correction's
        # constant is theirs/ours times it, set against the certified lower end
        low, up = (_number(b.value, claim) if b else None for b in (repair.lower, repair.upper))
        scaled = repair.kind in ("constant", "closed form") and repair.lower is not None
        scaled = scaled and repair.lower.kind == "certified"
        if scaled and low is not None and up is not None:
            below = _sign(_assumed(theirs / ours * up - low, claim))
            if below == -1:
                return (
                    "conflict",
                    f"the correction's bound is below the repair's certified lower bound: "
                    f"{text}; {_side(repair.lower)}",
                )
        return "correction tighter", f"the correction is tighter: {text}; {holds}{witness}"
    return (
        "undecided",
        f"{text}: their ratio {to_text(sp.simplify(theirs / ours))} is not ordered against 1 "
        "on the parameters' domains (sizes from the least searched) by SymPy",
    )


_EVERYWHERE = "throughout the domains (sizes from the least searched)"


def _number(text: str, lemma: Lemma) -> sp.Expr | None:
    try:
        q = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return _parsed(text, lemma)
    return sp.Rational(q.numerator, q.denominator)


def _checked(repair) -> str:
    figure = repair.repaired_check
    if figure is None:
        return "was not checked"
    return f"{figure.verdict} its own check ({figure.searched})"


def _thresholds(claim: Lemma, repair, correction: Lemma, added, case) -> tuple[str, str]:
    """A repaired hypothesis u ≤ t* (or ≥) against a correction's added hypothesis."""
    if len(added) != 1 or case is None or case.parameter is None:
        return "not compared", f"the correction adds {len(added)} hypotheses"
    from symbound.repair.variants import parameter_expr

    h = added[0]
    u = parameter_expr(claim, case.parameter)
    e = _parsed(h.lhs.text, claim)
    k = None if e is None else sp.simplify(u / e)
    if k is None or not k.is_number or not k.is_nonzero or not h.rhs.is_number:
        return (
            "undecided",
            f"the correction's hypothesis {h.text} is not a bound on a multiple of "
            f"{to_text(u)}: not compared exactly",
        )
    theirs = sp.nsimplify(k * h.rhs)  # e <= r is u <= k r for k > 0, u >= k r for k < 0
    u_text, rel, value = _split(repair.closed_form)
    ours = _parsed(value, claim) if value else None
    if ours is None:
        return "undecided", f"the repair's threshold {repair.closed_form!r} is not an expression"
    if (rel == "≤") != bool(k.is_positive):
        return "not compared", f"the correction's {h.text} bounds {u_text} from the other side"
    hold, fail = (repair.lower, repair.upper) if rel == "≤" else (repair.upper, repair.lower)
    s = 1 if rel == "≤" else -1  # s * t larger: a weaker hypothesis, more instances
    text = (
        f"the correction's {h.text} is {u_text} {rel} {to_text(theirs)}, the repair's "
        f"{u_text} {rel} {to_text(ours)}"
    )
    order = _sign(s * (ours - theirs))
    if order == 0:
        return "agree", f"the same hypothesis, exactly: {text}"
    if order == 1:
        where = (
            f"beyond the correction's, {_side(hold)}"
            if _sign(s * (_number(hold.value, claim) - theirs)) == 1
            else f"the correction's end lies inside the repair's bracket, {_side(hold)}"
        )
        return (
            "repair tighter",
            f"the repair is tighter (a weaker hypothesis): {text}; the claim holds {where}; it "
            f"fails past t*, {_side(fail)}",
        )
    if order == -1:
        if _sign(s * (theirs - _number(fail.value, claim))) == 1:
            return (
                "conflict",
                f"the correction admits the repair's certified witness: {text}; {_side(fail)}",
            )
        return "correction tighter", f"the correction is tighter (a weaker hypothesis): {text}"
    return "undecided", f"{text}: not ordered by SymPy"


def _split(closed_form: str | None) -> tuple[str, str, str]:
    """``"2*H*ε ≤ log(2)"`` -> ``("2*H*ε", "≤", "log(2)")``."""
    for rel in ("≤", "≥"):
        if closed_form and f" {rel} " in closed_form:
            left, _, right = closed_form.rpartition(f" {rel} ")
            return left, rel, right
    return closed_form or "", "≤", ""

r"""Settle a scalar claim: proved (with a certificate), refuted (exact witness), inconclusive.

:func:`prove` subtracts the sides (``f = lhs - rhs <= 0``), reduces symbolically
(:mod:`symbound.prove.reduce`) and runs the branch and bound
(:mod:`symbound.prove.bnb`):

1. the strengthened goal (``power-exp`` + substitutions), if a strengthening
   applies -- a proof of it proves the claim; anything else from it is discarded;
2. the equivalent goal (substitutions only) -- a proof proves the claim; a witness
   is mapped back to the original parameters and confirmed there twice, by Arb and
   by mpmath's interval arithmetic (independent code), before "refuted" is said.

The :class:`Proof` serialises to a JSON certificate that
:func:`symbound.prove.recheck.recheck` (``symbound recheck CERT``) re-verifies with
exact rational intervals (independent of Arb), re-deriving every reduction and derivative
itself.

>>> from symbound.prove.claim import Box
>>> box = Box.parse(["eta=0..1/10", "H=1..64", "L=1..1000"])
>>> eta, H, L = box.symbols("eta", "H", "L")   # plain real symbols: the box says the rest
>>> p = prove((1 + H * eta) ** L - 1, L * H * eta * sp.exp(L * H * eta), box)
>>> p.verdict, p.search.boxes
('proved', 2)
>>> q = prove((1 + H * eta) ** L - 1, L * H * eta, box)   # Bernoulli the wrong way round
>>> q.verdict, sorted(q.witness)
('refuted', ['H', 'L', 'eta'])
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from symbound.errors import UsageError
from symbound.prove.bnb import SearchResult, branch_and_bound
from symbound.prove.claim import Box, ScalarClaim, as_stated_over
from symbound.prove.interval import approx, compile_interval, flint_precision, point, to_fraction
from symbound.prove.reduce import Goal, Reduction, reduce_goal

__all__ = ["MAX_BOXES", "MAX_PREC", "Proof", "prove", "prove_claim"]

#: The most bits a proof may ask for (Arb's cost grows with it; 4096 bits is 1233 digits).
MAX_PREC = 4096
#: The most boxes one proof may visit: the tree (and the search's queue) is kept in memory.
MAX_BOXES = 200_000
# tracemalloc's peak over the catalogue's hardest claim (as25.s3.tv-core): 1.2 kB a box
# at 2,000 boxes, 0.9 kB at 20,000; so at most ~250 MB for MAX_BOXES
_BYTES_PER_BOX = 1_200


@dataclass(frozen=True)
class Proof:
    """The outcome of :func:`prove` and everything needed to re-check it."""

    verdict: str
    lhs: sp.Expr
    rhs: sp.Expr
    box: Box
    reductions: tuple[Reduction, ...]
    goal: Goal
    search: SearchResult
    key: str | None = None
    witness: dict[str, Fraction] | None = None
    witness_lower: Fraction | None = None
    confirmed_by: tuple[str, ...] = ()
    attempts: tuple[tuple[str, str, int], ...] = ()
    note: str = ""
    elapsed: float = field(default=0.0, compare=False)

    @property
    def proved(self) -> bool:
        return self.verdict == "proved"

    def __repr__(self) -> str:
        """The verdict, the claim over its box, and how it was decided."""
        head = f"{self.key}: " if self.key else ""
        how = f"{self.search.boxes} boxes, Arb {self.search.prec} bits"
        if self.witness is not None:
            where = ", ".join(f"{k} = {v}" for k, v in self.witness.items())
            how = f"witness {where}"
        claim = f"{self.lhs} <= {self.rhs} for {self.box.text}"
        return f"<Proof {head}{self.verdict.upper()} {claim} ({how})>"

    def _repr_latex_(self) -> str:
        from symbound.notation import to_latex

        claim = rf"{to_latex(self.lhs)} \le {to_latex(self.rhs)}\ \text{{for}}\ {self.box.latex}"
        return rf"$$\text{{{self.verdict}:}}\quad {claim}$$"

    def summary(self) -> str:
        head = f"{self.key + ': ' if self.key else ''}{self.verdict.upper()}"
        claim = f"  {self.lhs} <= {self.rhs} for {self.box.text}"
        lines = [head, claim]
        for r in self.reductions:
            lines.append(f"  reduction ({r.rule}): {r.text}")
        if self.reductions:
            lines.append(f"  goal: {self.goal.f} <= 0 for {self.goal.box.text}")
        tried = ", ".join(f"{label}: {v} in {n} boxes" for label, v, n in self.attempts)
        lines.append(f"  search: {tried} (Arb, {self.search.prec} bits)")
        if self.witness is not None:
            where = ", ".join(f"{k} = {v}" for k, v in self.witness.items())
            lines.append(
                f"  witness: {where}; lhs - rhs >= {approx(self.witness_lower)} "
                f"(confirmed by {' and '.join(self.confirmed_by)})"
            )
        if self.verdict == "inconclusive":
            lines.append(f"  open boxes: {len(self.search.open)}, e.g.")
            for node in self.search.open[:3]:
                lines.append("    " + ", ".join(f"{n} ∈ [{a}, {b}]" for n, a, b in node.box))
            if self.search.diagnosis:
                lines.append(f"  {self.search.diagnosis}")
            lines.append(f"  would help: {self.search.advice}")
        if self.note:
            lines.append(f"  note: {self.note}")
        return "\n".join(lines)

    def to_json(self, version: str) -> dict:
        """The certificate (proved) or the verdict record (refuted, inconclusive)."""
        doc = {
            "symbound": version,
            "certificate": 1,
            "verdict": self.verdict,
            "key": self.key,
            "claim": {
                "lhs": str(self.lhs),
                "rhs": str(self.rhs),
                "box": self.box.to_json(),
                "integers": list(self.box.integers),
            },
            "reductions": [r.to_json() for r in self.reductions],
            "goal": {
                "f": str(self.goal.f),
                "box": self.goal.box.to_json(),
                "integers": list(self.goal.box.integers),
            },
            "precision_bits": self.search.prec,
            "boxes": self.search.boxes,
        }
        if self.verdict == "proved":
            doc["tree"] = self.search.tree.to_json()
        if self.witness is not None:
            doc["witness"] = {k: str(v) for k, v in self.witness.items()}
            doc["witness_lower"] = approx(self.witness_lower, 17)
            doc["confirmed_by"] = list(self.confirmed_by)
        if self.verdict == "inconclusive":
            doc["open"] = [n.to_json()["box"] for n in self.search.open[:50]]
            doc["open_count"] = len(self.search.open)
            doc["advice"] = self.search.advice
            doc["diagnosis"] = self.search.diagnosis
        return doc


def _preimage(
    steps: list[Reduction], witness: dict[str, Fraction], box: Box
) -> dict[str, Fraction] | None:
    """Map a witness of the substituted goal back to the original parameters (exactly)."""
    values = dict(witness)
    for step in reversed([s for s in steps if s.rule == "substitute"]):
        target = values.pop(step.variable)
        factors = [f.as_base_exp() for f in sp.Mul.make_args(step.monomial)]
        free = [(b.name, int(e)) for b, e in factors if b.name not in values]
        fixed = math.prod(
            (values[b.name] ** int(e) for b, e in factors if b.name in values), start=Fraction(1)
        )
        found = None
        for solve_idx in range(len(free)):
            name, k = free[solve_idx]
            if abs(k) != 1:
                continue
            others = [f for i, f in enumerate(free) if i != solve_idx]
            choices = []
            for other, _ in others:
                lo, hi = box[other]
                mid = (lo + hi) / 2
                if other in box.integers:
                    mid = Fraction(math.floor(mid))
                choices.append(sorted({lo, hi, mid}))
            for combo in itertools.product(*choices):
                rest = fixed * math.prod(
                    (v**e for v, (_, e) in zip(combo, others, strict=True)), start=Fraction(1)
                )
                if rest == 0:
                    continue
                x = target / rest if k == 1 else rest / target if target else None
                if x is None:
                    continue
                lo, hi = box[name]
                if lo <= x <= hi and (name not in box.integers or x.denominator == 1):
                    found = {**dict(zip([o for o, _ in others], combo, strict=True)), name: x}
                    break
            if found:
                break
        if not found:
            return None
        values.update(found)
    return values


def _confirm(f: sp.Expr, where: dict[str, Fraction]) -> tuple[Fraction | None, tuple[str, ...]]:
    """Lower bounds of f at the exact point by Arb and by the re-check's exact rational
    intervals (both > 0?)."""
    from symbound.prove.recheck import iv_lower_at

    lower = None
    for prec in (128, 512, 2048):
        with flint_precision(prec):
            v = compile_interval(f)({n: point(q) for n, q in where.items()})
        if v.lo > 0:
            lower = to_fraction(v.lo)
            break
    if lower is None:
        return None, ()
    by = ["Arb"]
    if iv_lower_at(f, where) > 0:
        by.append("exact rational intervals")
    return lower, tuple(by)


def prove(
    lhs: sp.Expr,
    rhs: sp.Expr,
    box: Box,
    *,
    key: str | None = None,
    prec: int = 128,
    max_boxes: int = 20_000,
    reduce: bool = True,
) -> Proof:
    """Settle ``lhs <= rhs`` on ``box`` (see the module notes).

    The claim is proved as given over exactly ``box``: a symbol carrying an assumption
    the box does not guarantee (a positive ``eta`` on ``[-1, 0]``, or even on
    ``[0, 1]``) is refused, since SymPy may already have simplified with it
    (:func:`~symbound.prove.claim.as_stated_over`); state such claims with
    ``box.symbols()`` or as text.
    """
    if isinstance(prec, bool) or not isinstance(prec, int) or not 32 <= prec <= MAX_PREC:
        raise UsageError(f"prec is a number of bits between 32 and {MAX_PREC}, got {prec!r}")
    if isinstance(max_boxes, bool) or not isinstance(max_boxes, int):
        raise UsageError(f"max_boxes must be an integer, got {max_boxes!r}")
    if not 1 <= max_boxes <= MAX_BOXES:
        raise UsageError(
            f"max_boxes must be between 1 and {MAX_BOXES:,} (the proof tree is kept in "
            f"memory, about {_BYTES_PER_BOX / 1000:.1f} kB a box), got {max_boxes:,}"
        )
    t0 = time.perf_counter()
    lhs, rhs = as_stated_over(lhs, box), as_stated_over(rhs, box)
    f = lhs - rhs
    try:
        compile_interval(f)
    except ValueError as exc:
        raise UsageError(f"the prover cannot enclose this claim: {exc}") from None
    attempts = []
    if reduce:
        goal, steps = reduce_goal(f, box, strengthen=True)
        if any(s.rule == "power-exp" for s in steps):
            result = branch_and_bound(goal, prec=prec, max_boxes=min(max_boxes, 2000))
            attempts.append(("strengthened", result.verdict, result.boxes))
            if result.verdict == "proved":
                return Proof(
                    "proved", lhs, rhs, box, tuple(steps), goal, result, key,
                    attempts=tuple(attempts), elapsed=time.perf_counter() - t0,
                )  # fmt: skip
        goal, steps = reduce_goal(f, box, strengthen=False)
    else:
        goal, steps = Goal(f, box), []
    result = branch_and_bound(goal, prec=prec, max_boxes=max_boxes)
    attempts.append(("equivalent" if reduce else "direct", result.verdict, result.boxes))
    common = dict(key=key, attempts=tuple(attempts))
    if result.verdict == "refuted":
        where = _preimage(steps, result.witness, box)
        if where is not None:
            lower, by = _confirm(f, where)
            if lower is not None and len(by) == 2:
                return Proof(
                    "refuted", lhs, rhs, box, tuple(steps), goal, result, witness=where,
                    witness_lower=lower, confirmed_by=by, elapsed=time.perf_counter() - t0,
                    **common,
                )  # fmt: skip
        note = "a point of the reduced goal violates it, but no exact preimage was confirmed"
        return Proof(
            "inconclusive", lhs, rhs, box, tuple(steps), goal, result, note=note,
            elapsed=time.perf_counter() - t0, **common,
        )  # fmt: skip
    return Proof(
        result.verdict, lhs, rhs, box, tuple(steps), goal, result,
        elapsed=time.perf_counter() - t0, **common,
    )  # fmt: skip


def prove_claim(claim: ScalarClaim, **options) -> Proof:
    """:func:`prove` for a catalogue :class:`~symbound.prove.claim.ScalarClaim`."""
    options.setdefault("max_boxes", claim.budget)
    return prove(claim.lhs, claim.rhs, claim.box, key=claim.key, **options)

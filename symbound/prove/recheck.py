r"""Re-verify a certificate independently: every step re-derived from the claim, in exact
rational arithmetic.

Nothing of the prover is trusted, and none of its code is run: a certificate states a
claim :math:`\mathrm{lhs} \le \mathrm{rhs}` for every point of a box (integer
parameters at integers only), and :func:`recheck` decides from the certificate's text

1. **the claim**: every expression is parsed by the safe parser with a plain real
   symbol for every name (never the notation's positive ones, so SymPy cannot simplify
   with a positivity the box does not give); ``f = lhs - rhs``;
2. **the reductions**, rebuilt from the claim: a ``power-exp`` step adds
   :math:`c\,(e^{k(b-1)} - b^k) \ge 0` (checked: :math:`c \ge 0`, :math:`b > 0`,
   :math:`k \ge 0` on the claim's box; all such steps come first); a ``substitute``
   step introduces a *fresh* real variable (not a parameter of the claim, not
   introduced before, never an integer) for a monomial of non-negative parameters whose
   exact image lies in the stated range;
3. **the goal**: substituted back it is the strengthened claim (SymPy ``expand``, of a
   bounded size); its box contains every value the claim's box produces; its integer
   parameters are integer parameters of the claim;
4. **the tree**, walked iteratively to a bounded depth: the root is the goal's box,
   splits partition their box (integer parameters between integers), monotone steps
   and mean-value forms use derivatives taken here (SymPy) with the stated sign, on
   boxes where ``f`` itself is enclosed, and every leaf's bound is ``<= 0``;
5. **a refutation**: ``f`` at the exact witness, a point of the box, is certainly ``> 0``.

All numbers are enclosures of :mod:`symbound.prove.rational_enclosure` (exact rationals,
outward-rounded to ``precision_bits + 64`` bits, transcendental functions from series
with proved remainders) -- neither Arb, which the prover used, nor mpmath, whose
interval ``exp`` is not an enclosure.  The outcome's :attr:`RecheckResult.status` is
``proved`` (proof re-verified), ``refuted`` (witness re-confirmed: the claim is
false), ``unverified`` (an inconclusive record: nothing was proved) or ``rejected``
(the certificate does not verify); a malformed document (a missing or mistyped field,
an oversized number, precision or file) raises a one-line
:class:`~symbound.errors.UsageError` naming the field.

>>> import json, sympy as sp
>>> from symbound.prove.claim import Box
>>> from symbound.prove.prover import prove
>>> x = sp.Symbol("x", real=True)
>>> proof = prove(x * (1 - x), sp.Rational(1, 4), Box.parse(["x=0..1"]))
>>> doc = json.loads(json.dumps(proof.to_json("0")))
>>> recheck(doc).status
'proved'
>>> doc["claim"]["rhs"] = "1/5"
>>> recheck(doc).status, recheck(doc).ok
('rejected', False)
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import sympy as sp

from symbound.errors import UsageError
from symbound.prove import rational_enclosure as rq
from symbound.prove.cert_fields import (
    ExprReader,
    box_field,
    box_text,
    field,
    free_names,
    integers_field,
    number,
    param_name,
    short,
)
from symbound.prove.recheck_goal import (
    GUARD_BITS,
    MAX_PREC,
    MAX_WORK_BITS,
    Ladder,
    Rejected,
    hull,
    rederive_goal,
)

__all__ = [
    "GUARD_BITS",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_PREC",
    "MAX_WORK_BITS",
    "STATUSES",
    "RecheckResult",
    "iv_lower_at",
    "recheck",
    "recheck_file",
]

#: The largest certificate file read (bytes): some 90 000 boxes as the prover writes them;
#: Python's JSON objects take up to ~20 times a file's size in memory.
MAX_BYTES = 32 * 2**20
#: The deepest proof tree walked, and the most nodes.
MAX_DEPTH = 10_000
MAX_NODES = 2_000_000
#: The outcomes, in the order of :attr:`RecheckResult.status`'s documentation.
STATUSES = ("proved", "refuted", "unverified", "rejected")


@dataclass(frozen=True)
class RecheckResult:
    """The outcome of :func:`recheck`: ``status`` is one of :data:`STATUSES`; ``verdict``
    is what the certificate says; ``nodes`` the tree nodes re-verified."""

    status: str
    verdict: str
    nodes: int
    message: str

    @property
    def ok(self) -> bool:
        """True only when a proof was re-verified."""
        return self.status == "proved"


# -- enclosures ----------------------------------------------------------------------------
def iv_lower_at(f: sp.Expr, where: Mapping[str, Fraction], prec: int = 256) -> Fraction:
    """A proved lower bound of ``f`` at an exact point (exact rational enclosures at ``prec``
    bits, :mod:`~symbound.prove.rational_enclosure`); ``-1`` if ``f`` has none there.

    >>> iv_lower_at(sp.exp(sp.Symbol("x")) - 2, {"x": Fraction(7, 10)}) > 0
    True
    """
    env = {n: rq.point(q, prec) for n, q in where.items()}
    try:
        return rq.enclose(f, env, prec).lo
    except rq.NoEnclosure:
        return Fraction(-1)


# -- the tree ------------------------------------------------------------------------------
def _where(path) -> str:
    labels = []
    while path is not None:
        path, label = path
        labels.append(label)
    labels.reverse()
    if len(labels) > 12:
        labels = [*labels[:4], f"...({len(labels) - 8} levels)...", *labels[-4:]]
    return ".".join(labels)


def _measure(tree) -> None:
    """Refuse a tree deeper than :data:`MAX_DEPTH` or larger than :data:`MAX_NODES` before
    any computation (counting only; a tree built in Python may even share or loop)."""
    stack, nodes = [(tree, 0)], 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH or nodes > MAX_NODES:
            raise UsageError(
                f"the proof tree is deeper than {MAX_DEPTH} levels or has more than "
                f"{MAX_NODES:,} nodes; not re-checked"
            )
        if isinstance(node, dict):
            face, children = node.get("face"), node.get("children")
            if face is not None:
                stack.append((face, depth + 1))
            if isinstance(children, list):
                stack.extend((c, depth + 1) for c in children)


class _Tree:
    def __init__(self, f: sp.Expr, integers: frozenset[str], ladder: Ladder):
        self.f, self.integers, self.ladder = f, integers, ladder
        self.symbols = {s.name: s for s in f.free_symbols}
        self.grads: dict[str, sp.Expr] = {}

    def grad(self, name: str) -> sp.Expr:
        if name not in self.grads:
            s = self.symbols.get(name)
            self.grads[name] = sp.diff(self.f, s) if s is not None else sp.S.Zero
        return self.grads[name]

    def walk(self, tree, box) -> int:
        _measure(tree)
        stack = [(tree, box, (None, "tree"), 0)]
        nodes = 0
        while stack:
            node, expected, path, depth = stack.pop()
            nodes += 1
            where = _where(path)
            if not isinstance(node, dict):
                raise UsageError(f"malformed certificate: {where} must be an object")
            if box_field(node, "box", f"{where}.box") != expected:
                raise Rejected(f"{where}: the box is not the one its parent covers")
            by = field(node, "by", str, f"{where}.by")
            if by == "enclosure":
                self.ladder.settle(lambda p, b=expected, w=where: self.enclosure(b, w, p))
            elif by == "mean-value":
                center = self.center(node, expected, where)
                self.ladder.settle(
                    lambda p, b=expected, c=center, w=where: self.mean_value(b, c, w, p)
                )
            elif by == "monotone":
                face = self.monotone(node, expected, where)
                child = field(node, "face", dict, f"{where}.face")
                stack.append((child, face, (path, "face"), depth + 1))
            elif by == "split":
                halves = self.split(node, expected, where)
                children = field(node, "children", list, f"{where}.children")
                if len(children) != 2:
                    raise Rejected(f"{where}: a split has two children")
                for i in (1, 0):
                    stack.append((children[i], halves[i], (path, str(i)), depth + 1))
            else:
                raise Rejected(f"{where}: a box settled by {by!r} proves nothing")
        return nodes

    def enclosure(self, box, where: str, prec: int) -> str | None:
        hi = hull(self.f, box, prec, where)[1]
        return None if hi <= 0 else f"{where}: enclosure upper end {short(hi)} > 0"

    def center(self, node, box, where: str) -> dict[str, Fraction]:
        spec = field(node, "center", dict, f"{where}.center")
        center = {
            param_name(n, f"{where}.center key"): number(v, f"{where}.center.{n}")
            for n, v in spec.items()
        }
        if set(center) != set(box) or any(not lo <= center[n] <= hi for n, (lo, hi) in box.items()):
            raise Rejected(f"{where}: the mean-value centre is not a point of the box")
        return center

    def mean_value(self, box, center, where: str, prec: int) -> str | None:
        hull(self.f, box, prec, where)  # f is defined on the whole box, not only at c
        total = hull(self.f, {n: (c, c) for n, c in center.items()}, prec, where)[1]
        for n, (lo, hi) in box.items():
            if lo == hi:
                continue
            glo, ghi = hull(self.grad(n), box, prec, f"{where}: d/d{n}")
            c = center[n]
            total += max(glo * (lo - c), glo * (hi - c), ghi * (lo - c), ghi * (hi - c))
        return None if total <= 0 else f"{where}: mean-value bound {short(total)} > 0"

    def monotone(self, node, box, where: str):
        fixed = field(node, "fixed", dict, f"{where}.fixed")
        self.ladder.settle(lambda p: hull(self.f, box, p, where) and None)  # f defined on box
        face = dict(box)
        for n, spec in fixed.items():
            param_name(n, f"{where}.fixed key")
            if n not in box:
                raise Rejected(f"{where}: fixes {n!r}, which is not a parameter of the box")
            if not isinstance(spec, dict):
                raise UsageError(f"malformed certificate: {where}.fixed.{n} must be an object")
            end = field(spec, "at", str, f"{where}.fixed.{n}.at")
            if end not in ("lo", "hi"):
                raise UsageError(f"malformed certificate: {where}.fixed.{n}.at is lo or hi")

            def sign(p, n=n, end=end):
                glo, ghi = hull(self.grad(n), box, p, f"{where}: d/d{n}")
                if (end == "hi" and glo >= 0) or (end == "lo" and ghi <= 0):
                    return None
                return f"{where}: d/d{n} has no sign fixing {n} at its {end} end"

            self.ladder.settle(sign)
            lo, hi = box[n]
            face[n] = (hi, hi) if end == "hi" else (lo, lo)
        return face

    def split(self, node, box, where: str):
        n = field(node, "variable", str, f"{where}.variable")
        if n not in box:
            raise Rejected(f"{where}: splits {n[:64]!r}, which is not a parameter of the box")
        at = number(field(node, "at", str, f"{where}.at"), f"{where}.at")
        lo, hi = box[n]
        if n in self.integers:
            if at.denominator != 1 or not lo <= at < hi:
                raise Rejected(f"{where}: integer parameter {n} split at {at} in [{lo}, {hi}]")
            return {**box, n: (lo, at)}, {**box, n: (at + 1, hi)}
        if not lo < at < hi:
            raise Rejected(f"{where}: split point {at} is not inside [{lo}, {hi}]")
        return {**box, n: (lo, at)}, {**box, n: (at, hi)}


# -- the certificate -----------------------------------------------------------------------
def _precision(doc: Mapping) -> int:
    prec = field(doc, "precision_bits", int, "precision_bits")
    if not 2 <= prec <= MAX_PREC:
        shown = prec if abs(prec) < 10**12 else f"a number of {len(str(abs(prec)))} digits"
        raise UsageError(
            f"malformed certificate: precision_bits must be between 2 and {MAX_PREC}, got {shown}"
        )
    return prec + GUARD_BITS


def recheck(doc: Mapping) -> RecheckResult:
    """Re-verify a certificate (as loaded from JSON); see the module notes."""
    if not isinstance(doc, Mapping):
        raise UsageError("not a symbound certificate (a JSON object is expected)")
    marker = doc.get("certificate")
    if type(marker) is not int or marker != 1:
        raise UsageError("not a symbound certificate (no 'certificate': 1 field)")
    verdict = field(doc, "verdict", str, "verdict")
    if verdict not in ("proved", "refuted", "inconclusive"):
        raise UsageError(
            f"malformed certificate: verdict must be proved, refuted or inconclusive, "
            f"got {verdict[:40]!r}"
        )
    try:
        return _recheck(doc, verdict)
    except Rejected as exc:
        return RecheckResult("rejected", verdict, 0, f"rejected: {exc}")
    except RecursionError:
        raise UsageError("malformed certificate: nested too deeply to re-check") from None


def _recheck(doc: Mapping, verdict: str) -> RecheckResult:
    reader = ExprReader()
    claim = field(doc, "claim", dict, "claim")
    box0 = box_field(claim, "box", "claim.box")
    integers0 = integers_field(claim, box0, "claim.integers")
    lhs = reader.expr(claim, "lhs", "claim.lhs")
    rhs = reader.expr(claim, "rhs", "claim.rhs")
    f = lhs - rhs
    unranged = free_names(f) - set(box0)
    if unranged:
        raise Rejected(f"the claim mentions {', '.join(sorted(unranged))}, without a range")
    statement = f"{lhs} <= {rhs} for {box_text(box0, integers0)}"
    if verdict == "inconclusive":
        return RecheckResult(
            "unverified", verdict, 0, f"an inconclusive record: nothing proved of {statement}"
        )
    ladder = Ladder(_precision(doc))
    if verdict == "refuted":
        return _witness(doc, f, box0, integers0, ladder, statement)
    goal_f, goal_box, goal_integers = rederive_goal(doc, f, box0, integers0, reader, ladder)
    tree = field(doc, "tree", dict, "tree")
    nodes = _Tree(goal_f, goal_integers, ladder).walk(tree, goal_box)
    bits = f"{ladder.base} bits" + (
        f", {ladder.used} where needed" if ladder.used > ladder.base else ""
    )
    return RecheckResult(
        "proved",
        verdict,
        nodes,
        f"re-verified {statement} (real symbols; {nodes} box{'es' if nodes > 1 else ''} "
        f"in exact rational arithmetic, outward-rounded to {bits})",
    )


def _witness(doc, f, box0, integers0, ladder: Ladder, statement: str) -> RecheckResult:
    spec = field(doc, "witness", dict, "witness")
    where = {param_name(n, "witness key"): number(v, f"witness.{n}") for n, v in spec.items()}
    for n, v in where.items():
        if n not in box0:
            raise Rejected(f"the witness sets {n!r}, which is not a parameter of the claim")
        lo, hi = box0[n]
        if not lo <= v <= hi or (n in integers0 and v.denominator != 1):
            raise Rejected(f"the witness {n} = {v} is not a point of the claim's box")
    unset = free_names(f) - set(where)
    if unset:
        raise Rejected(f"the witness leaves {', '.join(sorted(unset))} unset")
    point = {n: (v, v) for n, v in where.items()}
    low = []

    def above_zero(p):
        low[:] = [hull(f, point, p, "at the witness")[0]]
        return None if low[0] > 0 else "at the witness, lhs - rhs is not certainly > 0"

    ladder.settle(above_zero)
    at = ", ".join(f"{n} = {v}" for n, v in where.items())
    return RecheckResult(
        "refuted",
        "refuted",
        1,
        f"witness re-confirmed: at {at}, lhs - rhs >= {short(low[0])} > 0, so {statement} "
        f"is false (exact rational arithmetic, {ladder.used} bits)",
    )


def recheck_file(path: str | Path) -> RecheckResult:
    """Load a certificate file (at most :data:`MAX_BYTES`) and :func:`recheck` it."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            if os.fstat(fh.fileno()).st_size > MAX_BYTES:  # refused before reading
                raise UsageError(f"the certificate {p} is larger than {MAX_BYTES // 2**20} MiB")
            data = fh.read(MAX_BYTES + 1)  # (and a file that grows, or a device, at most this)
    except FileNotFoundError:
        raise UsageError(f"no certificate at {p}") from None
    except IsADirectoryError:
        raise UsageError(f"{p} is a folder, not a certificate") from None
    except OSError as exc:
        raise UsageError(f"cannot read the certificate {p}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise UsageError(f"the certificate {p} is larger than {MAX_BYTES // 2**20} MiB")
    try:
        doc = json.loads(data.decode("utf-8"))
    except RecursionError:
        raise UsageError(f"cannot read the certificate {p}: nested too deeply") from None
    except (UnicodeDecodeError, ValueError) as exc:
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise UsageError(f"cannot read the certificate {p}: {message}") from None
    if not isinstance(doc, dict):
        raise UsageError(f"{p} is not a symbound certificate (a JSON object is expected)")
    return recheck(doc)

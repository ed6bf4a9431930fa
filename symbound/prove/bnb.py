r"""Branch and bound in Arb: prove ``f <= 0`` on a box, refute it, or say what is missing.

For each box, in this order (every decision read from exact interval endpoints):

1. **enclosure** -- the interval image of ``f`` has upper end ``<= 0``: proved there;
   lower end ``> 0``: refuted (any point of the box is a witness).
2. **monotone** -- a partial derivative's enclosure has a sign on the box, so the
   maximum of ``f`` lies on one face: fix that parameter at that end (the face is a
   smaller problem; a box where every parameter is monotone reduces to one corner).
3. **mean-value** -- :math:`f(c) + \sum_i \partial_i f(\text{box})\,(x_i - c_i)` with
   ``c`` the centre has upper end ``<= 0``.  A centre with :math:`f(c) > 0` is a
   witness.
4. **split** the parameter widest relative to its original range (integer
   parameters split between integers, so every corner and centre is admissible).

A box that cannot be split further, or that the box budget leaves unvisited, is
**open**; the result is then *inconclusive*, with the open boxes and advice.
A point whose value straddles 0 is re-evaluated at higher precision first.

>>> from symbound.notation import t
>>> from symbound.prove.claim import Box
>>> from symbound.prove.reduce import Goal
>>> out = branch_and_bound(Goal(sp.exp(t) - 1 - t * sp.exp(t), Box.parse(["t=0..6400"])))
>>> out.verdict, out.boxes, out.tree.by, out.tree.face.by
('proved', 2, 'monotone', 'enclosure')
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from symbound.prove.interval import (
    Interval,
    Unbounded,
    approx,
    compile_interval,
    flint_precision,
    from_rationals,
    point,
    to_fraction,
)
from symbound.prove.reduce import Goal

__all__ = ["Node", "SearchResult", "branch_and_bound"]

Ranges = dict[str, tuple[Fraction, Fraction]]


@dataclass(frozen=True)
class Node:
    """One box of the proof tree and how it was settled.

    ``by`` is ``enclosure``, ``mean-value``, ``monotone`` (``fixed``: parameter ->
    ``"lo"``/``"hi"`` and the derivative's enclosure; ``face`` the child),
    ``split`` (``variable``, ``at``, two ``children``) or ``open``.  ``upper`` is a
    proved upper bound of ``f`` on the box (exact dyadic rational).
    """

    box: tuple[tuple[str, Fraction, Fraction], ...]
    by: str
    upper: Fraction | None = None
    center: tuple[tuple[str, Fraction], ...] = ()
    fixed: tuple[tuple[str, str, Fraction, Fraction], ...] = ()
    face: Node | None = None
    variable: str | None = None
    at: Fraction | None = None
    children: tuple[Node, ...] = ()

    def to_json(self) -> dict:
        out: dict = {"box": {n: [str(lo), str(hi)] for n, lo, hi in self.box}, "by": self.by}
        if self.upper is not None:
            out["upper"] = str(self.upper)
            out["upper_approx"] = approx(self.upper)
        if self.center:
            out["center"] = {n: str(v) for n, v in self.center}
        if self.fixed:
            out["fixed"] = {
                n: {"at": end, "derivative": [str(a), str(b)]} for n, end, a, b in self.fixed
            }
        if self.face is not None:
            out["face"] = self.face.to_json()
        if self.variable is not None:
            out["variable"] = self.variable
            out["at"] = str(self.at)
            out["children"] = [c.to_json() for c in self.children]
        return out

    def leaves(self):
        """Every node that settles (or leaves open) a box, depth first."""
        if self.by == "monotone":
            yield from self.face.leaves()
        elif self.by == "split":
            for c in self.children:
                yield from c.leaves()
        else:
            yield self


@dataclass(frozen=True)
class SearchResult:
    """``proved`` (with ``tree``), ``refuted`` (``witness`` and ``value``: f there is
    at least ``value`` > 0), or ``inconclusive`` (``open`` boxes, ``advice``)."""

    verdict: str
    boxes: int
    prec: int
    tree: Node | None = None
    witness: dict[str, Fraction] | None = None
    value: Fraction | None = None
    open: tuple[Node, ...] = field(default=())
    advice: str = ""
    diagnosis: str = ""


class _Refuted(Exception):
    def __init__(self, where: dict[str, Fraction], lower: Fraction):
        self.where, self.lower = where, lower


_NO_DERIVATIVE = object()


def _derivative(f: sp.Expr, x: sp.Symbol):
    try:
        return compile_interval(sp.diff(f, x))
    except ValueError:  # e.g. sign(x) from Abs(x)
        return _NO_DERIVATIVE


class _Search:
    def __init__(self, goal: Goal, prec: int, max_boxes: int, max_prec: int):
        self.goal, self.prec, self.max_boxes, self.max_prec = goal, prec, max_boxes, max_prec
        self.integers = set(goal.box.integers)
        self.f = compile_interval(goal.f)
        symbols = {s.name: s for s in goal.f.free_symbols}
        self.names = goal.box.names
        # None: f does not depend on n; _NO_DERIVATIVE: it does, but its derivative has
        # no enclosure here (Abs, Max, Min), so only enclosures and splits settle n
        self.grad = {
            n: _derivative(goal.f, symbols[n]) if n in symbols else None for n in self.names
        }
        self.width0 = {n: hi - lo for n, lo, hi in goal.box.ranges}
        self.count = 0
        self.open: list[Node] = []
        self.precision_limited = False

    # -- evaluation -------------------------------------------------------------------
    def _enclose(self, fn, ranges: Ranges, prec: int | None = None) -> Interval | None:
        with flint_precision(prec or self.prec):
            box = {n: from_rationals(lo, hi) for n, (lo, hi) in ranges.items()}
            try:
                return fn(box)
            except Unbounded:
                return None

    def _at(self, where: dict[str, Fraction]) -> Interval | None:
        """f at a point, at rising precision until its sign is decided (or max_prec)."""
        prec = self.prec
        while True:
            with flint_precision(prec):
                try:
                    v = self.f({n: point(q) for n, q in where.items()})
                except Unbounded:
                    v = None
            if v is None or v.hi <= 0 or v.lo > 0 or prec >= self.max_prec:
                return v
            prec *= 2

    def _center(self, ranges: Ranges) -> dict[str, Fraction]:
        c = {}
        for n, (lo, hi) in ranges.items():
            mid = (lo + hi) / 2
            c[n] = Fraction(math.floor(mid)) if n in self.integers else mid
        return c

    # -- the search ---------------------------------------------------------------------
    def run(self, root: Ranges) -> Node:
        """Breadth first (so a budget is spread over the whole box, not one corner)."""
        queue: deque[tuple[int, Ranges]] = deque([(0, root)])
        done: dict[int, Node | tuple] = {}
        next_id = 1
        while queue:
            ident, ranges = queue.popleft()
            box = tuple((n, lo, hi) for n, (lo, hi) in ranges.items())
            if self.count >= self.max_boxes:
                done[ident] = self._open(box)
                continue
            self.count += 1
            out = self.step(ranges, box)
            if isinstance(out, Node):
                done[ident] = out
                continue
            kind, fields, parts = out
            ids = list(range(next_id, next_id + len(parts)))
            next_id += len(parts)
            queue.extend(zip(ids, parts, strict=True))
            done[ident] = (kind, box, fields, ids)

        def build(ident: int) -> Node:
            item = done[ident]
            if isinstance(item, Node):
                return item
            kind, box, fields, ids = item
            if kind == "monotone":
                return Node(box, "monotone", fixed=fields, face=build(ids[0]))
            var, at = fields
            children = tuple(build(i) for i in ids)
            return Node(box, "split", variable=var, at=at, children=children)

        return build(0)

    def tightest(self, limit: int = 300) -> tuple[Fraction, dict[str, Fraction]] | None:
        """The largest upper value of f at the centres of (up to ``limit``) open boxes."""
        best = None
        for node in self.open[:limit]:
            c = self._center({n: (lo, hi) for n, lo, hi in node.box})
            v = self._at(c)
            if v is not None and (best is None or to_fraction(v.hi) > best[0]):
                best = (to_fraction(v.hi), c)
        return best

    def _open(self, box) -> Node:
        node = Node(box, "open")
        self.open.append(node)
        return node

    def step(self, ranges: Ranges, box):
        """Settle one box: a Node, or ("monotone"|"split", fields, child ranges)."""
        F = self._enclose(self.f, ranges)
        if F is not None and F.hi <= 0:
            return Node(box, "enclosure", upper=to_fraction(F.hi))
        if F is not None and F.lo > 0:
            raise _Refuted(self._center(ranges), to_fraction(F.lo))
        if all(lo == hi for lo, hi in ranges.values()):
            v = self._at({n: lo for n, (lo, _) in ranges.items()})
            if v is not None and v.hi <= 0:
                return Node(box, "enclosure", upper=to_fraction(v.hi))
            if v is not None and v.lo > 0:
                raise _Refuted({n: lo for n, (lo, _) in ranges.items()}, to_fraction(v.lo))
            self.precision_limited = True
            return self._open(box)
        grads = {}
        for n, (lo, hi) in ranges.items():
            if lo < hi and self.grad[n] is not None:
                grad = self.grad[n]
                grads[n] = None if grad is _NO_DERIVATIVE else self._enclose(grad, ranges)
        fixed = []
        face = dict(ranges)
        for n, G in grads.items():
            if G is None:
                continue
            lo, hi = ranges[n]
            if G.lo >= 0:
                face[n] = (hi, hi)
                fixed.append((n, "hi", to_fraction(G.lo), to_fraction(G.hi)))
            elif G.hi <= 0:
                face[n] = (lo, lo)
                fixed.append((n, "lo", to_fraction(G.lo), to_fraction(G.hi)))
        for n, (lo, hi) in ranges.items():  # f does not depend on n at all
            if lo < hi and self.grad[n] is None:
                face[n] = (lo, lo)
                fixed.append((n, "lo", Fraction(0), Fraction(0)))
        if fixed:
            return "monotone", tuple(fixed), [face]
        c = self._center(ranges)
        fc = self._at(c)
        if fc is not None and fc.lo > 0:
            raise _Refuted(c, to_fraction(fc.lo))
        if fc is not None and all(G is not None for G in grads.values()):
            mv = self._mean_value(fc, grads, ranges, c)
            if mv is not None and mv <= 0:
                return Node(box, "mean-value", upper=mv, center=tuple(c.items()))
        return self._split(ranges, box)

    def _mean_value(self, fc: Interval, grads, ranges: Ranges, c) -> Fraction | None:
        with flint_precision(self.prec):
            total = fc
            for n, G in grads.items():
                lo, hi = ranges[n]
                delta = from_rationals(lo - c[n], hi - c[n])
                prods = [G.lo * delta.lo, G.lo * delta.hi, G.hi * delta.lo, G.hi * delta.hi]
                top = max((p.upper() for p in prods), key=to_fraction)
                total = Interval(total.lo, (total.hi + top).upper())
            return to_fraction(total.hi)

    def _split(self, ranges: Ranges, box):
        best, score = None, None
        for n, (lo, hi) in ranges.items():
            if hi == lo:
                continue
            if n not in self.integers and (hi - lo) < self.width0[n] * Fraction(1, 2**60):
                continue
            s = (hi - lo) / self.width0[n]
            if score is None or s > score:
                best, score = n, s
        if best is None:
            self.precision_limited = True
            return self._open(box)
        lo, hi = ranges[best]
        if best in self.integers:
            at = Fraction(math.floor((lo + hi) / 2))
            halves = ((lo, at), (at + 1, hi))
        else:
            at = (lo + hi) / 2
            halves = ((lo, at), (at, hi))
        return "split", (best, at), [{**ranges, best: h} for h in halves]


def branch_and_bound(
    goal: Goal, *, prec: int = 128, max_boxes: int = 20_000, max_prec: int = 1024
) -> SearchResult:
    """Settle ``goal.f <= 0`` on ``goal.box`` (see the module notes)."""
    search = _Search(goal, prec, max_boxes, max_prec)
    try:
        tree = search.run(goal.box.as_dict())
    except _Refuted as r:
        return SearchResult("refuted", search.count, prec, witness=r.where, value=r.lower)
    if not search.open:
        return SearchResult("proved", search.count, prec, tree=tree)
    advice, diagnosis = [], ""
    tightest = search.tightest()
    if tightest is not None:
        value, where = tightest
        at = ", ".join(f"{n} = {approx(v, 4)}" for n, v in where.items())
        diagnosis = f"largest lhs - rhs at an open box's centre: {approx(value, 3)} at {at}"
        if abs(value) < Fraction(1, 10**6):
            diagnosis += " (tight or nearly so there)"
    if search.count >= max_boxes:
        advice.append(f"more boxes (--max-boxes, now {max_boxes})")
    if search.precision_limited:
        advice.append(f"more precision (--prec, now {prec} bits)")
    advice.append(
        "a reduction: a substitution that removes parameters, or a stronger but "
        "simpler envelope; equality attained inside the box cannot be proved by enclosures"
    )
    return SearchResult(
        "inconclusive",
        search.count,
        prec,
        tree=tree,
        open=tuple(search.open),
        advice="; ".join(advice),
        diagnosis=diagnosis,
    )

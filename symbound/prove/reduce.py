r"""Symbolic reductions that turn a hard box problem into an easy one.

A *goal* is "``f <= 0`` on a box".  Two reductions are applied before any box is
split, each recorded (with what it needs) so that ``symbound recheck`` can redo and
re-verify it:

``power-exp`` (a strengthening)
    :math:`(1+x)^k \le e^{kx}` when :math:`1+x > 0` and :math:`k \ge 0` (from
    :math:`\ln(1+x) \le x`).  A term :math:`c\,(1+x)^k` of ``f`` with
    :math:`c \ge 0` is replaced by :math:`c\,e^{kx}`; the new ``f`` is pointwise
    larger, so proving it proves the original.  A refutation of the strengthened
    goal proves nothing, and is not reported.

``substitute`` (composite variables)
    A monomial such as :math:`t = LH\eta` through which the goal depends on several
    parameters is replaced by one new variable ranging over the monomial's exact
    image of the box.  The new box contains every value the old parameters can
    produce, so a proof transfers back; a refutation is mapped back to the
    original parameters and re-confirmed there.

>>> from symbound.notation import H, L, eta
>>> from symbound.prove.claim import Box
>>> box = Box.parse(["eta=0..1/10", "H=1..64", "L=1..1000"])
>>> goal, steps = reduce_goal((1 + H * eta) ** L - 1 - L * H * eta * sp.exp(L * H * eta), box)
>>> goal.f, goal.box.text
(-t*exp(t) + exp(t) - 1, 't ∈ [0, 6400]')
>>> [s.rule for s in steps]
['power-exp', 'substitute']
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from symbound.prove.claim import Box
from symbound.prove.interval import Unbounded, compile_interval, flint_precision, from_rationals

__all__ = ["Goal", "Reduction", "power_exp", "reduce_goal", "substitute"]

_PREC = 128


@dataclass(frozen=True)
class Goal:
    """``f <= 0`` for every point of ``box``."""

    f: sp.Expr
    box: Box


@dataclass(frozen=True)
class Reduction:
    """One recorded step.  ``rule`` is ``"power-exp"`` or ``"substitute"``.

    power-exp: ``term`` = (1+x)^k replaced by exp(k x) with coefficient ``coefficient``.
    substitute: ``variable`` stands for ``monomial`` over ``[lo, hi]``.
    """

    rule: str
    term: sp.Expr | None = None
    coefficient: sp.Expr | None = None
    replacement: sp.Expr | None = None
    variable: str | None = None
    monomial: sp.Expr | None = None
    lo: Fraction | None = None
    hi: Fraction | None = None

    @property
    def text(self) -> str:
        if self.rule == "power-exp":
            return f"{self.term} <= {self.replacement} (coefficient {self.coefficient} >= 0)"
        return f"{self.variable} = {self.monomial} in [{self.lo}, {self.hi}]"

    def to_json(self) -> dict:
        if self.rule == "power-exp":
            return {
                "rule": self.rule,
                "statement": "(1+x)^k <= exp(k*x) for 1+x > 0, k >= 0",
                "term": str(self.term),
                "coefficient": str(self.coefficient),
                "replacement": str(self.replacement),
            }
        return {
            "rule": self.rule,
            "variable": self.variable,
            "monomial": str(self.monomial),
            "range": [str(self.lo), str(self.hi)],
        }


def _enclose(expr: sp.Expr, box: Box):
    """Interval enclosure of ``expr`` on ``box``, or None if it has none."""
    with flint_precision(_PREC):
        values = {n: from_rationals(lo, hi) for n, lo, hi in box.ranges}
        try:
            return compile_interval(expr)(values)
        except Unbounded:
            return None


def power_exp(f: sp.Expr, box: Box) -> tuple[sp.Expr, list[Reduction]]:
    """Replace the terms ``c (1+x)^k`` of ``f`` (non-constant k, c >= 0 on the box)."""
    steps: list[Reduction] = []
    out = []
    for term in sp.Add.make_args(f):
        coeff, powers = sp.S.One, []
        for factor in sp.Mul.make_args(term):
            if isinstance(factor, sp.Pow) and factor.exp.free_symbols and not powers:
                powers.append(factor)
            else:
                coeff *= factor
        if powers:
            p = powers[0]
            x, k = p.base - 1, p.exp
            enc_c, enc_b, enc_k = _enclose(coeff, box), _enclose(p.base, box), _enclose(k, box)
            if (
                enc_c is not None
                and enc_b is not None
                and enc_k is not None
                and enc_c.lo >= 0
                and enc_b.lo > 0
                and enc_k.lo >= 0
            ):
                replacement = sp.exp(sp.expand(k * x))
                steps.append(Reduction("power-exp", p, coeff, replacement))
                out.append(coeff * replacement)
                continue
        out.append(term)
    return sp.Add(*out), steps


def _monomials(f: sp.Expr, names: set[str]) -> list[sp.Expr]:
    found = set()
    for node in sp.preorder_traversal(f):
        if isinstance(node, sp.Mul):
            _, rest = node.as_coeff_Mul()
            factors = sp.Mul.make_args(rest)
            syms = set()
            ok = True
            for fac in factors:
                base, e = fac.as_base_exp()
                if isinstance(base, sp.Symbol) and base.name in names and e.is_Integer:
                    syms.add(base)
                else:
                    ok = False
            if ok and len(syms) >= 2:
                found.add(rest)
    return sorted(found, key=sp.default_sort_key)


def _image(monomial: sp.Expr, box: Box) -> tuple[Fraction, Fraction] | None:
    """Exact range of a monomial of non-negative parameters (monotone in each)."""
    lo = hi = Fraction(1)
    for fac in sp.Mul.make_args(monomial):
        base, e = fac.as_base_exp()
        a, b = box[base.name]
        k = int(e)
        if a < 0 or (k < 0 and a == 0):
            return None
        lo, hi = (lo * a**k, hi * b**k) if k > 0 else (lo * b**k, hi * a**k)
    return lo, hi


def _fresh(used: set[str]) -> sp.Symbol:
    """A new variable's symbol: a name not in use, and no assumption (its range says
    what it is; an assumption would let SymPy simplify with more than the box gives)."""
    for name in ("t", "rho", "gamma", "kappa"):
        if name not in used:
            return sp.Symbol(name, real=True)
    i = 1
    while f"t{i}" in used:
        i += 1
    return sp.Symbol(f"t{i}", real=True)


def substitute(goal: Goal) -> tuple[Goal, list[Reduction]]:
    """Replace monomials by new variables while that removes parameters."""
    steps: list[Reduction] = []
    while True:
        names = {s.name for s in goal.f.free_symbols}
        best = None
        for m in _monomials(goal.f, names):
            image = _image(m, goal.box)
            if image is None:
                continue
            var = _fresh(names | set(goal.box.names))
            g = goal.f.subs(m, var)
            left = {s.name for s in g.free_symbols} - {var.name}
            if len(left) + 1 >= len(names):  # only substitutions that remove parameters
                continue
            score = (len(left), -len(m.free_symbols))
            if best is None or score < best[0]:
                best = (score, m, var, g, image)
        if best is None:
            return goal, steps
        _, m, var, g, (lo, hi) = best
        kept = [r for r in goal.box.ranges if r[0] in {s.name for s in g.free_symbols}]
        integers = tuple(n for n in goal.box.integers if n in {r[0] for r in kept})
        box = Box((*kept, (var.name, lo, hi)), integers)
        steps.append(Reduction("substitute", variable=var.name, monomial=m, lo=lo, hi=hi))
        goal = Goal(g, box)


def reduce_goal(f: sp.Expr, box: Box, *, strengthen: bool = True) -> tuple[Goal, list[Reduction]]:
    """Apply ``power-exp`` (if ``strengthen``) and then ``substitute`` to ``f <= 0``."""
    steps: list[Reduction] = []
    if strengthen:
        f, steps = power_exp(f, box)
    used = {s.name for s in f.free_symbols}
    kept = tuple(r for r in box.ranges if r[0] in used)
    goal = Goal(f, Box(kept, tuple(n for n in box.integers if n in used)))
    goal, subs = substitute(goal)
    return goal, steps + subs

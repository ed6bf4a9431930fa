r"""Composition through depth: per-layer recurrences into closed forms, checked exactly.

Bounds on deep networks come from one-layer lemmas applied layer after layer: a
first-order linear recurrence

.. math::  x_\ell = q\,x_{\ell-1} + b(\ell) \quad (\ell \ge 1), \qquad x_0 \text{ given},

whose closed form :math:`x_L = q^L x_0 + \sum_{\ell=1}^{L} q^{L-\ell}\, b(\ell)` SymPy
can sum for symbolic depth :math:`L` when :math:`b` is geometric.  A
:class:`ComposedBound` records the recurrence, the closed form (computed on first
use, not at import), what it bounds, and which lemmas it used -- so a table can cite
them.  :func:`verify_closed_form` checks the closed form against the unrolled
recurrence in exact rational arithmetic for every depth up to 50.

>>> from symbound.notation import H, L, eta, phi0
>>> growth = Recurrence(q=1 + H * eta, b=0, initial=phi0)
>>> growth.closed_form()
phi0*(H*eta + 1)**L
>>> growth.unroll({"H": 2, "eta": Fraction(1, 4), "phi0": 1}, 3)
[Fraction(1, 1), Fraction(3, 2), Fraction(9, 4), Fraction(27, 8)]
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from symbound.errors import InvalidLemmaError
from symbound.lemmas.model import Parameter
from symbound.notation import L, as_expr, to_latex, to_text
from symbound.numeric.backends import ExactBackend
from symbound.numeric.expr import compile_expr

__all__ = ["STEP", "ComposedBound", "Recurrence", "verify_closed_form"]

_E = ExactBackend()
#: The placeholder for x_L in a ComposedBound's ``post`` expression.
X_L = sp.Symbol("x_L", nonnegative=True)
#: The step index of a recurrence, k = 1, 2, ... (so k - 1 >= 0 is known to SymPy).
STEP = sp.Symbol("k", integer=True, positive=True)


@dataclass(frozen=True)
class Recurrence:
    r"""A first-order linear recurrence :math:`x_\ell = q x_{\ell-1} + b(\ell)`, :math:`x_0`.

    ``q`` must not depend on the index :math:`\ell`; ``b`` may.
    """

    q: sp.Expr
    b: sp.Expr
    initial: sp.Expr
    index: sp.Symbol = STEP

    def __post_init__(self):
        for name in ("q", "b", "initial"):
            object.__setattr__(self, name, as_expr(getattr(self, name)))
        if self.index in self.q.free_symbols:
            raise InvalidLemmaError("the factor q of a recurrence must not depend on the index")

    def unroll(self, values: Mapping[str, Any], steps: int) -> list[Fraction]:
        """:math:`x_0, \\dots, x_{steps}` in exact rational arithmetic."""
        q = compile_expr(self.q)(values, _E)
        b = compile_expr(self.b)
        x = [compile_expr(self.initial)(values, _E)]
        for step in range(1, steps + 1):
            x.append(q * x[-1] + b({**values, self.index.name: step}, _E))
        return x

    def closed_form(self, depth: sp.Symbol = L) -> sp.Expr:
        r""":math:`x_{depth}` for symbolic depth, summed and simplified by SymPy."""
        return _closed_form(self, depth)

    def substitute(self, mapping: Mapping[sp.Symbol, sp.Expr]) -> Recurrence:
        """The same recurrence with parameters replaced (e.g. kappa -> d eta^2)."""
        return Recurrence(
            self.q.subs(mapping), self.b.subs(mapping), self.initial.subs(mapping), self.index
        )

    def increasing_in(self, x: sp.Symbol) -> bool:
        r"""Whether every :math:`x_\ell` is provably non-decreasing in ``x`` (and >= 0).

        By induction: :math:`x_0 \ge 0`, :math:`q > 0` and :math:`b \ge 0` non-decreasing
        make :math:`x_\ell = q x_{\ell-1} + b(\ell)` non-negative and non-decreasing.
        """
        from symbound.regimes import is_increasing

        return (
            bool(self.q.is_positive)
            and (self.b == 0 or bool(self.b.is_nonnegative))
            and bool(self.initial.is_nonnegative)
            and all(is_increasing(e, x) for e in (self.q, self.b, self.initial))
        )


def _drop_impossible_branches(expr: sp.Expr) -> sp.Expr:
    """Resolve ``Piecewise((a, Eq(u, v)), (b, True))`` when ``u - v`` is provably non-zero.

    A geometric sum's closed form splits on "ratio == 1"; with positive parameters
    the ratio is often provably not 1 once expanded, which ``simplify`` does not see.
    """

    def resolve(*pairs):
        kept = []
        for value, cond in pairs:
            if isinstance(cond, sp.Eq) and sp.expand(cond.lhs - cond.rhs).is_zero is False:
                continue
            kept.append((value, cond))
        if kept and kept[0][1] is sp.true:
            return kept[0][0]
        return sp.Piecewise(*kept)

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: resolve(*e.args))


@functools.lru_cache(maxsize=64)
def _closed_form(rec: Recurrence, depth: sp.Symbol) -> sp.Expr:
    total = rec.q**depth * rec.initial + sp.summation(
        rec.q ** (depth - rec.index) * rec.b, (rec.index, 1, depth)
    )
    return sp.simplify(_drop_impossible_branches(total))


@dataclass(frozen=True)
class ComposedBound:
    r"""A bound through depth: what it bounds, its recurrence, its closed form, its sources.

    - ``recurrence``: the per-layer recurrence; ``post`` maps its value :math:`x_L`
      (the symbol ``x_L``) to the bound (default: the value itself), e.g.
      :math:`\varepsilon_L = 2\eta x_L` for :math:`x_L = \varphi_L`;
    - ``parameters``: the symbols the bound depends on, with their domains (the
      regime solver validates queries against them);
    - ``uses``: the catalogue keys of the lemmas the composition applies;
    - ``envelope``: optionally, a simpler upper bound the catalogue states.
    """

    key: str
    title: str
    quantity: str
    recurrence: Recurrence
    parameters: tuple[Parameter, ...]
    uses: tuple[str, ...]
    quantity_latex: str = ""
    post: sp.Expr = X_L
    envelope: sp.Expr | None = None
    notes: str = ""
    depth: sp.Symbol = field(default=L)

    @functools.cached_property
    def closed_form(self) -> sp.Expr:
        """The bound for symbolic depth ``L`` (computed once, on first use)."""
        return sp.simplify(as_expr(self.post).subs(X_L, self.recurrence.closed_form(self.depth)))

    def substitute(
        self,
        mapping: Mapping[sp.Symbol, sp.Expr],
        *,
        key: str | None = None,
        title: str | None = None,
    ) -> ComposedBound:
        """The bound with parameters replaced by expressions (a reading, a tie such as
        kappa = d eta^2); the recurrence is substituted too, so monotonicity is re-proved."""
        from dataclasses import replace

        return replace(
            self,
            key=key or self.key,
            title=title or self.title,
            recurrence=self.recurrence.substitute(mapping),
            post=as_expr(self.post).subs(mapping),
            envelope=None if self.envelope is None else self.envelope.subs(mapping),
        )

    def increasing_in(self, x: sp.Symbol) -> bool:
        """Whether the bound is provably non-decreasing in ``x`` (via the recurrence)."""
        return _bound_increasing(self.recurrence, as_expr(self.post), x)

    def unrolled(self, values: Mapping[str, Any], steps: int) -> list[Fraction]:
        """The bound at depths 0..steps from the unrolled recurrence, exactly."""
        post = compile_expr(as_expr(self.post)) if self.post != X_L else None
        out = []
        for step, x in enumerate(self.recurrence.unroll(values, steps)):
            out.append(x if post is None else post({**values, "x_L": x, self.depth.name: step}, _E))
        return out

    @property
    def text(self) -> str:
        return f"{self.quantity} ≤ {to_text(self.closed_form)}"

    def _repr_latex_(self) -> str:
        return f"$${to_latex(self.closed_form)}$$"


@functools.lru_cache(maxsize=128)
def _bound_increasing(recurrence: Recurrence, post: sp.Expr, x: sp.Symbol) -> bool:
    from symbound.regimes import is_increasing

    in_x_l = post == X_L or (post.diff(X_L).is_nonnegative and is_increasing(post, X_L))
    return bool(recurrence.increasing_in(x) and in_x_l and is_increasing(post, x))


def verify_closed_form(
    bound: ComposedBound,
    *,
    depths: int = 50,
    points: int = 3,
    seed: int = 0,
    formula: sp.Expr | None = None,
) -> dict[str, Any]:
    """Check the closed form against the unrolled recurrence, exactly, for depths 0..``depths``.

    Parameters get random small rationals (integers for integer symbols); the closed
    form (or ``formula``, to check a closed form from elsewhere, e.g. a paper) is
    evaluated by SymPy with exact rational substitution.  Returns a record
    ``{"key", "depths", "points", "agree"}``; ``agree`` is True only if every value
    matched exactly.

    >>> from symbound.notation import H, eta, phi0
    >>> from symbound.lemmas.model import Parameter
    >>> b = ComposedBound("x", "x", "x", Recurrence(1 + H * eta, 0, phi0),
    ...                   (), uses=())
    >>> verify_closed_form(b, depths=10)["agree"]
    True
    """
    rng = random.Random(seed)
    form = bound.closed_form if formula is None else as_expr(formula)
    skip = {bound.depth, bound.recurrence.index, X_L}
    free = sorted(
        (form.free_symbols | bound.recurrence.b.free_symbols) - skip, key=lambda s: s.name
    )
    agree = True
    for _ in range(points):
        chosen = {
            s: sp.Integer(rng.randint(1, 4))
            if s.is_integer
            else sp.Rational(rng.randint(1, 9), rng.randint(1, 9))
            for s in free
        }
        values = {s.name: Fraction(int(v.p), int(v.q)) for s, v in chosen.items()}
        for depth, expected in enumerate(bound.unrolled(values, depths)):
            got = form.subs({**chosen, bound.depth: depth})
            if not got.is_Rational:
                got = sp.simplify(got)
            if not (got.is_Rational and Fraction(int(got.p), int(got.q)) == expected):
                agree = False
                break
    return {"key": bound.key, "depths": depths, "points": points, "agree": agree}

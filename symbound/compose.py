r"""Composition through depth: per-layer recurrences into closed forms, checked exactly.

Bounds on deep networks come from one-layer lemmas applied layer after layer: a
first-order linear recurrence

.. math::  x_\ell = q\,x_{\ell-1} + b(\ell) \quad (\ell \ge 1), \qquad x_0 \text{ given},

whose closed form :math:`x_L = q^L x_0 + \sum_{\ell=1}^{L} q^{L-\ell}\, b(\ell)` SymPy
can sum for symbolic depth :math:`L` when :math:`b` is geometric.  A
:class:`ComposedBound` records the recurrence, the closed form (computed on first
use, not at import), what it bounds, and which lemmas it used -- so a table can cite
them.  :func:`prove_closed_form` proves the closed form satisfies the recurrence for
every depth (substituted into the recurrence and the initial value, the difference
vanishes as a rational function, exactly); :func:`verify_closed_form` also checks it
against the unrolled recurrence in exact rational arithmetic for every depth up to 50.
A bound whose closed form is not proved is evaluated by unrolling its recurrence
(:meth:`ComposedBound.evaluator`), never through the unproved formula.

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

from symbound.errors import InvalidLemmaError, UsageError
from symbound.lemmas.model import Parameter
from symbound.notation import L, as_expr, to_latex, to_text
from symbound.numeric.backends import ExactBackend
from symbound.numeric.expr import compile_expr

__all__ = [
    "STEP",
    "ClosedFormProof",
    "ComposedBound",
    "Recurrence",
    "prove_closed_form",
    "prove_envelope",
    "verify_closed_form",
]

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

    def unroll(self, values: Mapping[str, Any], steps: int, backend=_E) -> list:
        """:math:`x_0, \\dots, x_{steps}` with ``backend``'s arithmetic (default: exact
        rationals)."""
        q = compile_expr(self.q)(values, backend)
        b = compile_expr(self.b)
        x = [compile_expr(self.initial)(values, backend)]
        for step in range(1, steps + 1):
            with backend.scope():
                x.append(q * x[-1] + b({**values, self.index.name: step}, backend))
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
        from symbound.monotone import is_increasing

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
class ClosedFormProof:
    r"""Whether a closed form :math:`C(L)` was proved to be the recurrence's value at every
    depth: :math:`C(0) = x_0` and :math:`C(L+1) - q\,C(L) - b(L+1) = 0` for symbolic
    :math:`L` (so :math:`C(L) = x_L` for every :math:`L \ge 0` by induction), and, for a
    composed bound, that its closed form equals ``post`` of it.  ``statement`` says
    what was shown, or why nothing was."""

    proved: bool
    statement: str


def _depth_free(expr: sp.Expr, depth: sp.Symbol) -> sp.Expr:
    r"""``expr`` with every positive base's power :math:`b^{cL + r}` (and every
    :math:`e^{cL + r}`) written :math:`b^r Z_b^c` (:math:`e^r Z_c`), each ``Z`` a fresh
    symbol standing for :math:`b^L` (:math:`e^{cL}`).

    An identity of the result that holds for every value of the ``Z`` symbols holds
    in particular at :math:`Z_b = b^L`, so proving it proves the original identity."""
    names: dict[Any, sp.Symbol] = {}

    def z(key) -> sp.Symbol:
        return names.setdefault(key, sp.Dummy(f"Z{len(names)}", positive=True))

    def split(exponent):
        e = sp.expand(exponent)
        c = e.coeff(depth)
        rest = sp.expand(e - c * depth)
        if depth in c.free_symbols or depth in rest.free_symbols:
            return None
        return c, rest

    def power(e):
        parts = split(e.exp)
        if parts is None or not e.base.is_positive:
            return e
        c, rest = parts
        return e.base**rest * z(("pow", e.base)) ** c

    def exponential(e):
        parts = split(e.args[0])
        if parts is None:
            return e
        c, rest = parts
        return sp.exp(rest) * z(("exp", c))

    out = expr.replace(lambda e: isinstance(e, sp.Pow) and depth in e.exp.free_symbols, power)
    return out.replace(lambda e: isinstance(e, sp.exp) and depth in e.free_symbols, exponential)


def _vanishes(expr: sp.Expr, depth: sp.Symbol) -> bool:
    """True only if ``expr`` is identically zero, shown by exact rational-function
    arithmetic (``cancel``) after :func:`_depth_free`; False means not shown."""
    try:
        return sp.cancel(sp.together(_depth_free(sp.sympify(expr), depth))) == 0
    except (sp.PolynomialError, sp.GeneratorsNeeded, ValueError, TypeError):
        return False


def _satisfies(rec: Recurrence, closed: sp.Expr, depth: sp.Symbol) -> str | None:
    """None if ``closed`` is proved to solve ``rec`` at every depth, else what failed."""
    if closed.has(sp.Piecewise, sp.Sum):
        return "the closed form keeps a case split or an unevaluated sum"
    if not _vanishes(closed.subs(depth, 0) - rec.initial, depth):
        return "the closed form at L = 0 was not shown to equal the initial value"
    step = closed.subs(depth, depth + 1) - rec.q * closed - rec.b.subs(rec.index, depth + 1)
    if not _vanishes(step, depth):
        return "C(L+1) - q C(L) - b(L+1) was not shown to vanish"
    return None


def _from_zero(depth: sp.Symbol) -> sp.Symbol:
    """A symbol for the depth that SymPy knows only as an integer >= 0 (the notation's
    ``L`` is positive, which would let an induction skip its first step)."""
    return sp.Dummy(depth.name, integer=True, nonnegative=True)


@functools.lru_cache(maxsize=64)
def _prove(rec: Recurrence, post: sp.Expr, closed: sp.Expr, depth: sp.Symbol) -> ClosedFormProof:
    k = _from_zero(depth)
    if post == X_L:  # the closed form is the recurrence's value itself
        own = closed.subs(depth, k)
        failure = _satisfies(rec, own, k)
    else:  # the recurrence's own closed form, then the bound applied to it
        own = rec.closed_form(depth).subs(depth, k)
        failure = _satisfies(rec, own, k)
    if failure is None and not _vanishes((closed - post.subs(X_L, own)).subs(depth, k), k):
        failure = "the closed form was not shown to equal the bound applied to the recurrence's"
    if failure is not None:
        return ClosedFormProof(False, f"closed form not proved ({failure})")
    return ClosedFormProof(
        True,
        f"closed form proved to satisfy the recurrence for every {depth} (exact identity)",
    )


def prove_closed_form(bound: ComposedBound, formula: sp.Expr | None = None) -> ClosedFormProof:
    r"""Prove that ``bound``'s closed form (or ``formula``) is its recurrence's value,
    post-mapped, at every depth -- an exact identity, not a check at sample points.

    >>> from symbound.notation import H, L, eta, phi0
    >>> b = ComposedBound("x", "x", "x", Recurrence(1 + H * eta, 0, phi0), (), uses=())
    >>> prove_closed_form(b).proved, prove_closed_form(b, phi0 * (1 + H * eta) ** (L + 1)).proved
    (True, False)
    """
    closed = bound.closed_form if formula is None else as_expr(formula)
    return _prove(bound.recurrence, as_expr(bound.post), closed, bound.depth)


def prove_envelope(bound: ComposedBound) -> ClosedFormProof:
    r"""Prove ``bound.envelope`` :math:`E(L)` lies above the bound at every depth, by
    induction: :math:`E(0) \ge x_0` and :math:`E(L+1) - q E(L) - b(L+1) \ge 0` for every
    :math:`L \ge 0` (with :math:`q \ge 0`), each difference shown non-negative by
    SymPy's sign rules after writing powers of :math:`L` as fresh positive symbols
    and bounding every power :math:`(1+u)^k` of a negative term by :math:`e^{ku}`.

    Only for bounds that are their recurrence's value (``post`` the identity).

    >>> from symbound.notation import H, L, eta, phi0
    >>> b = ComposedBound("x", "x", "x", Recurrence(1 + H * eta, 0, phi0), (), uses=(),
    ...                   envelope=phi0 * sp.exp(L * H * eta))
    >>> prove_envelope(b).proved
    True
    """
    if bound.envelope is None:
        return ClosedFormProof(False, "no envelope")
    return _prove_envelope(bound.recurrence, as_expr(bound.post), bound.envelope, bound.depth)


def _nonnegative(expr: sp.Expr, depth: sp.Symbol) -> bool:
    """True only if SymPy proves ``expr >= 0`` after every negative term's powers of a
    base 1 + u (u >= 0, exponent >= 0) are raised to e^(ku), their upper bounds."""
    terms = sp.Add.make_args(sp.expand(expr))

    def raised(term):
        factors = sp.Mul.make_args(-term)
        if not all(f.is_positive for f in factors):  # -term = a product of positive factors
            return term
        return -sp.Mul(
            *[
                sp.exp(f.exp * (f.base - 1))
                if isinstance(f, sp.Pow)
                and (f.base - 1).is_nonnegative is True
                and f.exp.is_nonnegative is True
                else f
                for f in factors
            ]
        )

    free = _depth_free(sp.Add(*[raised(t) for t in terms]), depth)
    # e^a is 1 + a + y for some y >= 0 (e^a >= 1 + a): a fresh symbol y >= 0 ranges over more
    grows = sorted(free.atoms(sp.exp), key=sp.default_sort_key)
    free = free.xreplace(
        {e: 1 + e.args[0] + sp.Dummy(f"y{k}", nonnegative=True) for k, e in enumerate(grows)}
    )
    return any(c.is_nonnegative for c in (free, sp.expand(free), sp.factor(free)))


@functools.lru_cache(maxsize=32)
def _prove_envelope(
    rec: Recurrence, post: sp.Expr, envelope: sp.Expr, depth: sp.Symbol
) -> ClosedFormProof:
    if post != X_L:
        return ClosedFormProof(False, "envelope not proved (the bound is not its recurrence)")
    if not rec.q.is_nonnegative:
        return ClosedFormProof(False, "envelope not proved (q not shown non-negative)")
    k = _from_zero(depth)
    at = envelope.subs(depth, k)
    start = envelope.subs(depth, 0) - rec.initial
    step = at.subs(k, k + 1) - rec.q * at - rec.b.subs(rec.index, k + 1)
    if not (_nonnegative(start, k) and _nonnegative(step, k)):
        return ClosedFormProof(False, "envelope not proved (an induction step was not shown)")
    return ClosedFormProof(True, f"envelope proved above the bound for every {depth} (induction)")


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
    #: (the bound, the mapping) this one was substituted from: its closed form is that
    #: bound's, substituted (proved again for this recurrence all the same)
    substituted_from: tuple | None = None

    @functools.cached_property
    def closed_form(self) -> sp.Expr:
        """The bound for symbolic depth ``L`` (computed once, on first use)."""
        if self.substituted_from is not None:
            base, mapping = self.substituted_from
            return base.closed_form.subs(dict(mapping))
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
            substituted_from=(self, tuple(sorted(mapping.items(), key=sp.default_sort_key))),
        )

    def increasing_in(self, x: sp.Symbol) -> bool:
        """Whether the bound is provably non-decreasing in ``x`` (via the recurrence)."""
        return _bound_increasing(self.recurrence, as_expr(self.post), x)

    @property
    def closed_form_proof(self) -> ClosedFormProof:
        """:func:`prove_closed_form` of this bound (cached)."""
        return prove_closed_form(self)

    def evaluator(self):
        """``f(values, backend)``: the bound at the depth ``values[L]``, from the closed form
        when it is proved (:attr:`closed_form_proof`), else by unrolling the recurrence
        (``L`` must then be a non-negative integer)."""
        if self.closed_form_proof.proved:
            return compile_expr(self.closed_form)
        post = compile_expr(as_expr(self.post))
        name = self.depth.name

        def unrolled(values, backend):
            depth = Fraction(values[name])
            if depth.denominator != 1 or depth < 0:
                raise UsageError(f"{name} must be a non-negative integer, got {depth}")
            x = self.recurrence.unroll(values, int(depth), backend)[-1]
            return post({**values, X_L.name: x}, backend)

        return unrolled

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

    def __repr__(self) -> str:
        proof = self.closed_form_proof
        how = "closed form proved for every L" if proof.proved else "recurrence unrolled"
        return f"<ComposedBound {self.key}: {self.text} ({how})>"


@functools.lru_cache(maxsize=128)
def _bound_increasing(recurrence: Recurrence, post: sp.Expr, x: sp.Symbol) -> bool:
    from symbound.monotone import is_increasing

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
    ``{"key", "depths", "points", "agree", "proved", "statement"}``: ``agree`` is True
    only if every value matched exactly; ``proved`` and ``statement`` come from
    :func:`prove_closed_form` and say whether the closed form is proved for every
    depth or only checked at these.

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
    proof = prove_closed_form(bound, formula)
    checked = f"checked exactly for L = 0..{depths} at {points} points"
    return {
        "key": bound.key,
        "depths": depths,
        "points": points,
        "agree": agree,
        "proved": proof.proved,
        "statement": f"{proof.statement}; {checked}" if agree else f"MISMATCH: {checked} failed",
    }

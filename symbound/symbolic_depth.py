r"""Symbolic depth: bounds on :math:`\eta_{\max}` valid for every depth :math:`L`.

:func:`symbolic_bracket` bounds the bound: every power :math:`(1+u)^k` with an
:math:`\eta`-free exponent is replaced by :math:`e^{ku}` (above it, :math:`k \ge 0`) and
by :math:`1 + ku` (Bernoulli, below it, only where :math:`k \ge 1`, :math:`k \le 0` or
:math:`k` a non-negative integer is proved) or :math:`1 + ku/(1+u)` (below it for every
:math:`k \ge 0`), along the monotone structure :func:`symbound.monotone.is_increasing`
proves, and SymPy solves both for :math:`\eta`, each root substituted back and
confirmed.  The certified numeric solver for a fixed depth is
:func:`symbound.regimes.eta_max`.

>>> from symbound.notation import H, L, eta, phi0, tau
>>> symbolic_bracket(2 * eta * phi0 * (1 + H * eta) ** L, tau).lower
LambertW(H*L*tau/(2*phi0))/(H*L)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from symbound.monotone import envelopes, is_increasing
from symbound.notation import as_expr, eta, to_latex

__all__ = ["SymbolicBracket", "symbolic_bracket"]


@dataclass(frozen=True)
class SymbolicBracket:
    r"""Bounds on :math:`\eta_{\max}` valid for every depth.

    - ``lower``: a root of an upper envelope :math:`U \ge f` (:math:`(1+u)^k \le e^{ku}`),
      so :math:`f(\mathrm{lower}) \le \tau` and :math:`\eta_{\max} \ge \mathrm{lower}`;
      also the leading order as :math:`\eta \to 0`;
    - ``upper``: a root of a lower envelope :math:`\Lambda \le f` (Bernoulli's
      :math:`(1+u)^k \ge 1 + ku` where its hypotheses are proved, else
      :math:`(1+u)^k \ge 1 + ku/(1+u)`), so with :math:`f` non-decreasing every
      :math:`\eta \ge \mathrm{upper}` has :math:`f(\eta) \ge \tau`: :math:`\eta_{\max} \le
      \mathrm{upper}` wherever :math:`f` crosses :math:`\tau` strictly.

    Each holds at the parameter values where it is real and positive; ``None`` when
    none was found (or, for a composed bound, its closed form or envelope is not
    proved).  ``notes`` says where each came from.
    """

    lower: sp.Expr | None
    upper: sp.Expr | None
    notes: str = ""

    def _repr_latex_(self) -> str:
        lo = to_latex(self.lower) if self.lower is not None else "0"
        hi = to_latex(self.upper) if self.upper is not None else r"\infty"
        return rf"$${lo} \le \eta_{{\max}} \le {hi}$$"

    def __repr__(self) -> str:
        lo = "0" if self.lower is None else str(self.lower)
        hi = "unknown" if self.upper is None else str(self.upper)
        return f"<SymbolicBracket {lo} <= eta_max <= {hi}>"

    def plot(self, depths: tuple[int, int] = (1, 1000)):
        """Both bounds against the depth over ``depths`` (every other parameter fixed):
        a matplotlib Figure (:func:`symbound.regime_figures.symbolic_figure`)."""
        from symbound.regime_figures import symbolic_figure

        return symbolic_figure(self, depths)


def _is_root(e: sp.Expr, root: sp.Expr, tau) -> bool:
    r"""Whether ``e`` equals ``tau`` at :math:`\eta` = ``root``: a filter for the spurious
    roots ``solve`` can return (e.g. after squaring).  A symbolic root is substituted
    and simplified by SymPy (:math:`e^{W(z)} = z/W(z)` applied first: ``simplify`` does
    not know it); a number is compared at 60 digits (a spurious root is off by far
    more; radicals of cubics make ``simplify`` slow)."""
    at = e.subs(eta, root) - tau
    if not at.free_symbols:
        value = sp.N(at, 60)
        return value.is_number and abs(value) < sp.Rational(1, 10**45)
    at = at.replace(
        lambda x: isinstance(x, sp.exp) and isinstance(x.args[0], sp.LambertW),
        lambda x: x.args[0].args[0] / x.args[0],
    )
    try:
        return sp.simplify(at) == 0
    except (NotImplementedError, ValueError, TypeError):
        return False


def _solvable(e: sp.Expr) -> bool:
    r"""Whether ``e = tau`` is of a shape ``solve`` answers quickly: a rational function
    of :math:`\eta` (numerator of degree at most 4 when other symbols appear) or one with
    a single :math:`e^{c\eta}` (a Lambert-W form).  Others (two exponentials, an
    exponential beside a logarithm) can keep SymPy busy for minutes, so they are not
    tried and the bracket stays open."""
    parts = [
        a
        for a in e.atoms(sp.Function, sp.Pow)
        if eta in a.free_symbols and not (isinstance(a, sp.Pow) and a.exp.is_Integer)
    ]
    if not parts:
        numerator = sp.numer(sp.together(e))
        try:
            degree = sp.degree(numerator, eta)
        except sp.PolynomialError:
            return False
        return degree <= 4 or numerator.free_symbols <= {eta}
    if len(parts) != 1 or not isinstance(parts[0], sp.exp):
        return False
    return sp.degree(parts[0].args[0], eta) == 1 if parts[0].args[0].is_polynomial(eta) else False


def _positive_root(e: sp.Expr, tau) -> sp.Expr | None:
    """The one real root of e = tau not proved non-positive, confirmed by substitution;
    None otherwise (and when :func:`_solvable` says not to try)."""
    if not _solvable(e):
        return None
    try:
        roots = sp.solve(sp.Eq(e, tau), eta)
    except (NotImplementedError, ValueError):
        return None
    good = [r for r in roots if r.is_positive is not False and not r.has(sp.I)]
    if len(good) != 1:
        return None
    root = sp.simplify(good[0]) if good[0].free_symbols else good[0]
    return root if _is_root(e, root, tau) else None


def symbolic_bracket(bound, tau, values: Mapping[str, Any] | None = None) -> SymbolicBracket:
    r"""Symbolic bounds on :math:`\eta_{\max}` for symbolic depth (see :class:`SymbolicBracket`).

    ``bound`` is an expression or a :class:`~symbound.compose.ComposedBound`; for the
    latter the closed form is used only if it is proved to solve the recurrence for
    every depth, and, when the closed form is not provably increasing, the lower bound
    comes from its stated envelope if that is proved to lie above the bound.
    ``values`` fixes some parameters first.

    >>> from symbound.notation import H, L, phi0, tau
    >>> symbolic_bracket(2 * eta * phi0 * (1 + H * eta) ** L, tau).lower
    LambertW(H*L*tau/(2*phi0))/(H*L)
    >>> b = symbolic_bracket(sp.sqrt(1 + eta) - 1, sp.Rational(1, 10))  # eta_max = 21/100
    >>> b.lower <= sp.Rational(21, 100) <= b.upper, b.upper
    (True, 1/4)
    """
    from symbound.compose import ComposedBound, prove_envelope

    def fix(e):
        if not values:
            return e
        return e.subs(
            {s: sp.Rational(str(values[s.name])) for s in e.free_symbols if s.name in values}
        )

    if isinstance(bound, ComposedBound):
        proof = bound.closed_form_proof
        if not proof.proved:
            return SymbolicBracket(None, None, proof.statement)
        direct = symbolic_bracket(fix(bound.closed_form), tau)
        if direct.lower is None and bound.envelope is not None:
            enveloped = prove_envelope(bound)
            if enveloped.proved:
                lower = symbolic_bracket(fix(bound.envelope), tau).lower
                notes = f"{proof.statement}; lower bound from the {enveloped.statement}"
                return SymbolicBracket(lower, direct.upper, notes)
        return SymbolicBracket(direct.lower, direct.upper, proof.statement)
    expr = fix(as_expr(bound))
    tau = as_expr(tau) if not isinstance(tau, str) else sp.Symbol("tau", positive=True)
    if not is_increasing(expr):
        return SymbolicBracket(None, None, "the bound is not proved non-decreasing in eta")
    upper_env, lower_env = envelopes(expr)
    return SymbolicBracket(_positive_root(upper_env, tau), _positive_root(lower_env, tau))

r"""Certified parameter regimes: the largest :math:`\eta` with bound :math:`\le \tau`.

For a bound :math:`f(\eta; L, H, \varphi_0, \dots)` and a target :math:`\tau`,
:func:`eta_max` returns a bracket :math:`[\mathrm{lo}, \mathrm{hi}]` of exact dyadic
rationals with

- :math:`f(\mathrm{lo}) \le \tau` **proved** (Arb ball arithmetic, outward rounded), and
- :math:`f(\mathrm{hi}) > \tau` **proved** the same way.

Floats only *propose* the bracket (a float root-finder); every claim is decided from
ball endpoints.  When :func:`is_increasing` proves :math:`f` non-decreasing in
:math:`\eta` (a syntactic check over sums and products of positive increasing
parts), every :math:`\eta \le \mathrm{lo}` is feasible and every :math:`\eta \ge
\mathrm{hi}` infeasible, so :math:`\eta_{\max} \in [\mathrm{lo}, \mathrm{hi}]`.

For symbolic depth, :func:`symbolic_bracket` replaces :math:`(1+u)^k` by
:math:`e^{ku}` (an upper envelope) and by :math:`1 + ku` (Bernoulli, a lower
envelope) and solves both with SymPy: a lower bound on :math:`\eta_{\max}` valid for
every :math:`L` (often a Lambert-W form, also the leading order as
:math:`\eta \to 0`, e.g. :math:`W(HL\tau/2\varphi_0)/(HL)`) and an upper bound.

>>> from fractions import Fraction
>>> from symbound.notation import H, L, eta, phi0
>>> r = eta_max(2 * eta * phi0 * (1 + H * eta) ** L, {"H": 8, "L": 24, "phi0": 1}, Fraction(1, 10))
>>> print(r)  # doctest: +ELLIPSIS
eta_max in [0.00915969347574..., 0.00915969347574...] (proved; f increasing in eta)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from symbound.errors import UsageError
from symbound.lemmas.model import Parameter
from symbound.notation import as_expr, eta, g, to_latex
from symbound.numeric.backends import ArbBackend, Float64Backend, to_fraction
from symbound.numeric.expr import compile_expr

__all__ = [
    "RegimeResult",
    "SymbolicBracket",
    "eta_max",
    "feasibility_grid",
    "is_increasing",
    "symbolic_bracket",
    "validate_values",
]

_F64 = Float64Backend()
#: The smallest eta the solver looks at.
_SMALLEST = 2.0**-60


# -- monotonicity -------------------------------------------------------------------


def _positive(e: sp.Expr) -> bool:
    return bool(e.is_positive)


@functools.lru_cache(maxsize=256)
def is_increasing(expr: sp.Expr, x: sp.Symbol = eta) -> bool:
    r"""True if ``expr`` is provably non-decreasing in ``x`` for ``x > 0`` (syntactic).

    Sums of non-decreasing terms; products of non-negative non-decreasing factors;
    powers with a positive constant exponent of a positive non-decreasing base;
    ``exp``, ``log``, ``tanh``, ``g`` of a non-decreasing argument.  False means
    "not proved", not "decreasing".

    >>> from symbound.notation import H, L, phi0
    >>> is_increasing(2 * eta * phi0 * (1 + H * eta) ** L), is_increasing(1 / eta)
    (True, False)
    """
    if x not in expr.free_symbols:
        return True
    if expr == x:
        return True
    if isinstance(expr, sp.Add):
        return all(is_increasing(t, x) for t in expr.args)
    if isinstance(expr, sp.Mul):
        return all(bool(f.is_nonnegative) and is_increasing(f, x) for f in expr.args)
    if isinstance(expr, sp.Pow):
        base, k = expr.args
        if x not in k.free_symbols:
            return bool(k.is_nonnegative) and _positive(base) and is_increasing(base, x)
        return x not in base.free_symbols and bool((base - 1).is_positive) and is_increasing(k, x)
    if isinstance(expr, sp.exp | sp.tanh | g):
        return is_increasing(expr.args[0], x)
    if isinstance(expr, sp.log):
        return _positive(expr.args[0]) and is_increasing(expr.args[0], x)
    return False


# -- validation ---------------------------------------------------------------------


def validate_values(
    parameters: Sequence[Parameter], values: Mapping[str, Any], *, free: str = "eta"
) -> dict[str, Fraction]:
    """Exact values for every parameter but ``free``, each checked against its domain.

    >>> from symbound.notation import H
    >>> validate_values([Parameter(H, sp.Range(1, sp.oo), "heads")], {"H": 0})
    Traceback (most recent call last):
      ...
    symbound.errors.UsageError: H = 0 is out of its domain {1, 2, 3, ...} (heads)
    """
    from symbound.notation import domain_text

    out: dict[str, Fraction] = {}
    names = {p.name for p in parameters}
    for key in values:
        if key not in names:
            known = ", ".join(sorted(names - {free}))
            raise UsageError(f"unknown parameter {key!r}; this bound takes {known}")
    for p in parameters:
        if p.name == free:
            continue
        if p.name not in values:
            raise UsageError(f"missing a value for {p.name} ({p.meaning})")
        try:
            q = to_fraction(values[p.name])
        except (TypeError, ValueError, ZeroDivisionError):
            raise UsageError(
                f"{p.name} must be a number (an integer, a decimal or p/q), got {values[p.name]!r}"
            ) from None
        if p.is_integer and q.denominator != 1:
            raise UsageError(f"{p.name} must be an integer, got {values[p.name]}")
        if not p.contains(q):
            raise UsageError(
                f"{p.name} = {values[p.name]} is out of its domain {domain_text(p.domain)} "
                f"({p.meaning})"
            )
        out[p.name] = q
    return out


# -- the solver ---------------------------------------------------------------------


@dataclass(frozen=True)
class RegimeResult:
    r"""A certified bracket for :math:`\eta_{\max}`: ``lo`` proved feasible, ``hi`` proved
    infeasible (``None`` when the bound stays below :math:`\tau` up to ``cap``).

    ``monotone`` says whether :func:`is_increasing` proved the bound non-decreasing,
    which is what makes :math:`[0, lo]` feasible and :math:`[hi, \infty)` infeasible.
    """

    lo: Fraction
    hi: Fraction | None
    monotone: bool
    tau: Fraction
    values: Mapping[str, Fraction] = field(compare=False)
    prec: int = 128
    evaluations: int = 0

    @property
    def width(self) -> Fraction | None:
        return None if self.hi is None else self.hi - self.lo

    def __str__(self) -> str:
        hi = "inf" if self.hi is None else f"{float(self.hi):.15g}"
        why = "f increasing in eta" if self.monotone else "monotonicity not proved"
        return f"eta_max in [{float(self.lo):.15g}, {hi}] (proved; {why})"

    def to_dict(self) -> dict[str, Any]:
        from symbound.check.result import exact_string

        return {
            "lo": exact_string(self.lo),
            "hi": None if self.hi is None else exact_string(self.hi),
            "lo_decimal": f"{float(self.lo):.12e}",
            "hi_decimal": None if self.hi is None else f"{float(self.hi):.12e}",
            "monotone": self.monotone,
            "tau": exact_string(self.tau),
            "values": {k: exact_string(v) for k, v in sorted(self.values.items())},
            "prec_bits": self.prec,
        }

    def _repr_latex_(self) -> str:
        hi = r"\infty" if self.hi is None else f"{float(self.hi):.10g}"
        return rf"$\eta_{{\max}} \in [{float(self.lo):.10g},\ {hi}]$"


@functools.lru_cache(maxsize=256)
def _compiled(expr: sp.Expr):
    return compile_expr(expr)


def _float_value(f, values, x: float) -> float:
    with np.errstate(all="ignore"):
        v = float(f({**values, "eta": x}, _F64))
    return v if math.isfinite(v) else math.inf


def eta_max(
    bound,
    values: Mapping[str, Any],
    tau,
    *,
    prec: int = 128,
    rel_width: float = 2.0**-40,
    cap: float = 1e12,
) -> RegimeResult:
    r"""The largest :math:`\eta` with ``bound`` :math:`\le \tau`, as a certified bracket.

    ``bound`` is a SymPy expression in :math:`\eta` and the names in ``values``
    (exact numbers: ints, ``Fraction``, decimal strings), or a
    :class:`~symbound.compose.ComposedBound` (its closed form, monotonicity proved
    from its recurrence).  Raises :class:`~symbound.errors.UsageError` when the query
    is malformed or infeasible at every :math:`\eta > 0`.
    """
    from symbound.compose import ComposedBound

    if isinstance(bound, ComposedBound):
        expr = bound.closed_form
        monotone = bound.increasing_in(eta) or is_increasing(expr)
    else:
        expr = as_expr(bound)
        monotone = is_increasing(expr)
    tau_q = _positive_fraction("tau", tau)
    exact = {k: _exact(k, v) for k, v in values.items()}
    missing = sorted(s.name for s in expr.free_symbols if s.name not in exact and s != eta)
    if missing:
        raise UsageError(f"missing a value for {', '.join(missing)}")
    f = _compiled(expr)
    arb = ArbBackend(prec=prec)
    evaluations = 0

    def side(x: Fraction) -> bool | None:
        """True: f(x) <= tau proved; False: f(x) > tau proved; None: the ball straddles tau."""
        nonlocal evaluations
        evaluations += 1
        with arb.scope():
            ball = f({**exact, "eta": x}, arb) - arb.number(tau_q)
        if bool(ball <= 0):
            return True
        if bool(ball > 0):
            return False
        return None

    def certainly(x: Fraction, feasible: bool) -> bool:
        return side(x) is feasible

    fvals = {k: float(v) for k, v in exact.items()}
    log_tau = math.log(float(tau_q))

    def h(u: float) -> float:  # log(f(e^u) / tau): nearly linear in u for power-law bounds
        v = _float_value(f, fvals, math.exp(u))
        if v <= 0:
            return -1e300
        return min(math.log(v) - log_tau, 1e300)

    # bracket within a factor 16 by geometric steps from eta = 1, then Brent's method
    u, step, floor_u = 0.0, math.log(16.0), math.log(_SMALLEST)
    if h(u) <= 0:
        while h(u + step) <= 0:
            u += step
            if math.exp(u) > cap:
                lo = Fraction(cap)
                if certainly(lo, True):
                    return RegimeResult(lo, None, monotone, tau_q, exact, prec, evaluations)
                break
        u_lo, u_hi = u, u + step
    else:
        while h(u - step) > 0:
            u -= step
            if u - step < floor_u:
                smallest = Fraction(_SMALLEST)
                if certainly(smallest, False):
                    raise UsageError(
                        f"the bound exceeds tau = {tau} already at eta = 2^-60: no regime is "
                        "feasible (check tau and the other parameters)"
                    )
                u -= step
                break
        u_lo, u_hi = u - step, u
    from scipy.optimize import brentq

    root = brentq(h, u_lo, u_hi, xtol=1e-15, rtol=1e-15, maxiter=200)
    lo_f, hi_f = math.exp(root) * (1 - 1e-15), math.exp(root) * (1 + 1e-15)
    lo = Fraction(lo_f)
    hi = Fraction(hi_f)
    step = Fraction(rel_width)
    lo_side = hi_side = None
    for _ in range(60):  # widen a wrong side; sharpen the balls where they straddle tau
        if lo_side is not True:
            lo_side = side(lo)
        if hi_side is not False:
            hi_side = side(hi)
        if lo_side is True and hi_side is False:
            break
        if None in (lo_side, hi_side) and prec < 4096:
            prec *= 2
            arb = ArbBackend(prec=prec)
            continue
        if lo_side is not True:
            lo = lo * (1 - step)
        if hi_side is not False:
            hi = hi * (1 + step)
        step *= 4
    else:
        raise UsageError("could not certify a bracket; the bound may not be monotone in eta")
    return RegimeResult(lo, hi, monotone, tau_q, exact, prec, evaluations)


def _exact(name: str, value) -> Fraction:
    try:
        return to_fraction(value)
    except (TypeError, ValueError, ZeroDivisionError):
        raise UsageError(
            f"{name} must be a number (integer, decimal or p/q), got {value!r}"
        ) from None


def _positive_fraction(name: str, value) -> Fraction:
    q = _exact(name, value)
    if q <= 0:
        raise UsageError(f"{name} must be positive, got {value}")
    return q


def feasibility_grid(results: Sequence[RegimeResult], etas: Sequence) -> list[list[str]]:
    """For each bracket (one per row) and each eta: 'feasible', 'infeasible' or 'undecided'.

    Decided only where the bracket's bound is proved monotone.
    """
    grid = []
    for r in results:
        row = []
        for x in etas:
            q = to_fraction(x)
            if r.monotone and q <= r.lo:
                row.append("feasible")
            elif r.monotone and r.hi is not None and q >= r.hi:
                row.append("infeasible")
            else:
                row.append("undecided")
        grid.append(row)
    return grid


# -- symbolic depth -------------------------------------------------------------------


@dataclass(frozen=True)
class SymbolicBracket:
    r"""Bounds on :math:`\eta_{\max}` valid for every depth: ``lower`` (feasible, from the
    upper envelope :math:`(1+u)^k \le e^{ku}`), ``upper`` (infeasible beyond, from
    Bernoulli's :math:`(1+u)^k \ge 1 + ku`).  ``lower`` is also the leading order as
    :math:`\eta \to 0`."""

    lower: sp.Expr | None
    upper: sp.Expr | None

    def _repr_latex_(self) -> str:
        lo = to_latex(self.lower) if self.lower is not None else "0"
        hi = to_latex(self.upper) if self.upper is not None else r"\infty"
        return rf"$${lo} \le \eta_{{\max}} \le {hi}$$"


def _envelopes(expr: sp.Expr):
    def is_one_plus(base):
        return isinstance(base, sp.Add) and sp.S.One in base.args and eta in base.free_symbols

    pows = [p for p in expr.atoms(sp.Pow) if is_one_plus(p.base) and eta not in p.exp.free_symbols]
    upper = expr.subs({p: sp.exp(p.exp * (p.base - 1)) for p in pows})
    lower = expr.subs({p: 1 + p.exp * (p.base - 1) for p in pows})
    return upper, lower


def symbolic_bracket(bound, tau, values: Mapping[str, Any] | None = None) -> SymbolicBracket:
    r"""Symbolic bounds on :math:`\eta_{\max}` for symbolic depth (see :class:`SymbolicBracket`).

    ``bound`` is an expression or a :class:`~symbound.compose.ComposedBound`; for the
    latter, when its closed form is not provably increasing, the lower bound comes
    from its stated envelope (valid: the closed form lies below it).  ``values``
    fixes some parameters first.

    >>> from symbound.notation import H, L, phi0, tau
    >>> symbolic_bracket(2 * eta * phi0 * (1 + H * eta) ** L, tau).lower
    LambertW(H*L*tau/(2*phi0))/(H*L)
    """
    from symbound.compose import ComposedBound

    def fix(e):
        if not values:
            return e
        return e.subs(
            {s: sp.Rational(str(values[s.name])) for s in e.free_symbols if s.name in values}
        )

    if isinstance(bound, ComposedBound):
        direct = symbolic_bracket(fix(bound.closed_form), tau)
        if direct.lower is None and bound.envelope is not None:
            return SymbolicBracket(symbolic_bracket(fix(bound.envelope), tau).lower, direct.upper)
        return direct
    expr = fix(as_expr(bound))
    tau = as_expr(tau) if not isinstance(tau, str) else sp.Symbol("tau", positive=True)
    if not is_increasing(expr):
        return SymbolicBracket(None, None)
    upper_env, lower_env = _envelopes(expr)

    def positive_root(e):
        try:
            roots = sp.solve(sp.Eq(e, tau), eta)
        except (NotImplementedError, ValueError):
            return None
        good = [r for r in roots if r.is_positive is not False and not r.has(sp.I)]
        return sp.simplify(good[0]) if len(good) == 1 else None

    return SymbolicBracket(positive_root(upper_env), positive_root(lower_env))

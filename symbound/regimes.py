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

Without that proof only what was computed is claimed: :math:`f(\mathrm{lo}) \le \tau <
f(\mathrm{hi})`, one crossing bracketed, so :math:`\eta_{\max} \ge \mathrm{lo}` and
:math:`\eta_{\max}` may lie above ``hi``.

For symbolic depth, :func:`symbolic_bracket` bounds the bound: every power
:math:`(1+u)^k` with an :math:`\eta`-free exponent is replaced by :math:`e^{ku}` (above
it, :math:`k \ge 0`) and by :math:`1 + ku` (Bernoulli, below it, only where
:math:`k \ge 1`, :math:`k \le 0` or :math:`k` a non-negative integer is proved) or
:math:`1 + ku/(1+u)` (below it for every :math:`k \ge 0`), along the same monotone
structure :func:`is_increasing` proves, and SymPy solves both for :math:`\eta`: a
lower bound on :math:`\eta_{\max}` valid for every :math:`L` (often a Lambert-W form,
also the leading order as :math:`\eta \to 0`, e.g. :math:`W(HL\tau/2\varphi_0)/(HL)`)
and an upper bound.

>>> from fractions import Fraction
>>> from symbound.notation import H, L, eta, phi0
>>> r = eta_max(2 * eta * phi0 * (1 + H * eta) ** L, {"H": 8, "L": 24, "phi0": 1}, Fraction(1, 10))
>>> print(r)  # doctest: +ELLIPSIS
eta_max in [0.00915969347574..., 0.00915969347574...] (proved: f(lo) <= tau < f(hi), ...)
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
from symbound.monotone import is_increasing
from symbound.notation import as_expr, eta
from symbound.numeric.backends import ArbBackend, Float64Backend, to_fraction
from symbound.numeric.expr import compile_expr
from symbound.parse import exact_number
from symbound.symbolic_depth import SymbolicBracket, symbolic_bracket

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
        except UsageError:
            raise
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
    r"""A certified crossing of :math:`\tau`: ``lo`` proved feasible (:math:`f \le \tau`),
    ``hi`` proved infeasible (:math:`f > \tau`; ``None`` when the bound stays below
    :math:`\tau` up to ``cap``).

    ``monotone`` says whether :func:`is_increasing` proved the bound non-decreasing,
    which is what makes :math:`[0, lo]` feasible and :math:`[hi, \infty)` infeasible,
    i.e. :math:`\eta_{\max} \in [lo, hi]`; without it only :math:`\eta_{\max} \ge lo`
    follows.  ``evaluated`` says what was evaluated (a composed bound's closed form,
    and whether it is proved, or its recurrence unrolled).
    """

    lo: Fraction
    hi: Fraction | None
    monotone: bool
    tau: Fraction
    values: Mapping[str, Fraction] = field(compare=False)
    prec: int = 128
    evaluations: int = 0
    evaluated: str = "the expression given"
    #: what was solved (an expression or a composed bound), kept to draw it
    bound: Any = field(default=None, compare=False, repr=False)

    @property
    def width(self) -> Fraction | None:
        return None if self.hi is None else self.hi - self.lo

    @property
    def proved(self) -> str:
        """Exactly what was proved, in words."""
        lo = f"{float(self.lo):.15g}"
        if self.hi is None:
            shown = f"f(lo) <= tau proved at lo = {lo}, the cap"
            if self.monotone:
                return f"eta_max >= {lo} ({shown}; f non-decreasing in eta)"
            return f"eta_max >= {lo} ({shown}; monotonicity not proved)"
        hi = f"{float(self.hi):.15g}"
        if self.monotone:
            shown = "f(lo) <= tau < f(hi), f non-decreasing in eta"
            return f"eta_max in [{lo}, {hi}] (proved: {shown})"
        return (
            f"eta_max >= {lo} (f(lo) <= tau < f(hi) proved at lo = {lo}, hi = {hi}: one crossing "
            "bracketed; monotonicity not proved, so eta_max may be larger than hi)"
        )

    def __str__(self) -> str:
        return self.proved

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v}" for k, v in sorted(self.values.items()))
        return f"<RegimeResult at {given}, tau={self.tau}: {self.proved}>"

    def bound_values(self, etas: Sequence[float]) -> list[float]:
        """The bound at each eta in float64, for drawing only (``inf`` where it is not
        finite); nothing proved rests on these numbers."""
        if self.bound is None:
            raise UsageError("this result does not carry its bound; solve it with eta_max")
        f = _function(self.bound)
        fvals = {k: float(v) for k, v in self.values.items()}
        return [_float_value(f, fvals, float(x)) for x in etas]

    def plot(self):
        """The bound against eta near its crossing of tau, with the certified bracket:
        a matplotlib Figure (:func:`symbound.regime_figures.crossing_figure`)."""
        from symbound.regime_figures import crossing_figure

        return crossing_figure(self)

    def to_dict(self) -> dict[str, Any]:
        from symbound.check.result import exact_string

        return {
            "lo": exact_string(self.lo),
            "hi": None if self.hi is None else exact_string(self.hi),
            "lo_decimal": f"{float(self.lo):.12e}",
            "hi_decimal": None if self.hi is None else f"{float(self.hi):.12e}",
            "monotone": self.monotone,
            "proved": self.proved,
            "evaluated": self.evaluated,
            "tau": exact_string(self.tau),
            "values": {k: exact_string(v) for k, v in sorted(self.values.items())},
            "prec_bits": self.prec,
        }

    def _repr_latex_(self) -> str:
        lo = f"{float(self.lo):.10g}"
        if not self.monotone or self.hi is None:
            return rf"$\eta_{{\max}} \ge {lo}$"
        return rf"$\eta_{{\max}} \in [{lo},\ {float(self.hi):.10g}]$"


@functools.lru_cache(maxsize=256)
def _compiled(expr: sp.Expr):
    return compile_expr(expr)


@functools.lru_cache(maxsize=64)
def _evaluator(bound):
    return bound.evaluator()


def _function(bound):
    """The evaluator of a bound: a composed bound's (closed form or recurrence), or the
    compiled expression."""
    from symbound.compose import ComposedBound

    return _evaluator(bound) if isinstance(bound, ComposedBound) else _compiled(as_expr(bound))


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
    from symbound.compose import X_L, ComposedBound

    if isinstance(bound, ComposedBound):
        proof = bound.closed_form_proof
        rec = bound.recurrence
        expr = bound.closed_form
        # the symbols of what is evaluated: the closed form, or the recurrence and post
        needed = (
            expr.free_symbols
            if proof.proved
            else set().union(*(e.free_symbols for e in (rec.q, rec.b, rec.initial, bound.post)))
            - {X_L, rec.index}
            | {bound.depth}
        )
        # the recurrence proves monotonicity of x_L; the closed form is x_L only if proved
        monotone = bound.increasing_in(eta) or (proof.proved and is_increasing(expr))
        f = _evaluator(bound)
        evaluated = (
            f"the {proof.statement}"
            if proof.proved
            else f"the recurrence, unrolled to the depth given: {proof.statement}"
        )
    else:
        expr = as_expr(bound)
        monotone = is_increasing(expr)
        f = _compiled(expr)
        evaluated = "the expression given"
        needed = expr.free_symbols
    tau_q = _positive_fraction("tau", tau)
    exact = {k: _exact(k, v) for k, v in values.items()}
    missing = sorted(s.name for s in needed if s.name not in exact and s != eta)
    if missing:
        raise UsageError(f"missing a value for {', '.join(missing)}")
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
                    return RegimeResult(
                        lo, None, monotone, tau_q, exact, prec, evaluations, evaluated, bound
                    )
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

    try:
        root = brentq(h, u_lo, u_hi, xtol=1e-15, rtol=1e-15, maxiter=200)
    except ValueError:  # h does not change sign: the bound is not finite and real there
        raise UsageError(
            f"the bound has no crossing of tau between eta = {math.exp(u_lo):.3g} and "
            f"{math.exp(u_hi):.3g}: it is not finite and real there (e.g. the log of a "
            "negative number) or not monotone; check the bound"
        ) from None
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
    return RegimeResult(lo, hi, monotone, tau_q, exact, prec, evaluations, evaluated, bound)


#: Values the solver accepts: its proposals are made in float64, so a value must be 0
#: or of magnitude between these (exact values; ``1e400`` would overflow to inf).
_MAGNITUDE = (Fraction(1, 10**300), Fraction(10**300))


def _short(q: Fraction) -> str:
    import mpmath

    return mpmath.nstr(mpmath.mpf(q.numerator) / q.denominator, 3)


def _exact(name: str, value) -> Fraction:
    try:
        q = exact_number(value, name) if isinstance(value, str) else to_fraction(value)
    except UsageError:
        raise
    except (TypeError, ValueError, ZeroDivisionError):
        raise UsageError(
            f"{name} must be a number (integer, decimal or p/q), got {value!r}"
        ) from None
    if q != 0 and not _MAGNITUDE[0] <= abs(q) <= _MAGNITUDE[1]:
        raise UsageError(
            f"{name} = {_short(q)} is out of the solver's range: give 0 or a magnitude between "
            "1e-300 and 1e300"
        )
    return q


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

r"""Certified :math:`\eta_{\max}` over many depths in one call, beside the symbolic bracket.

:func:`eta_max_sweep` solves :func:`~symbound.regimes.eta_max` at each depth
:math:`L` given and :func:`~symbound.regimes.symbolic_bracket` once for every depth;
the :class:`DepthSweep` it returns plots itself (:meth:`DepthSweep.plot`, and as a
PNG in Jupyter), states the log-log slope of the certified brackets between the last
two depths and the asymptotic slopes of the symbolic bounds as :math:`L \to \infty`
(SymPy limits of :math:`L\,\partial_L \log`).

>>> from fractions import Fraction
>>> from symbound.notation import H, L, eta, phi0
>>> s = eta_max_sweep(2 * eta * phi0 * (1 + H * eta) ** L, {"H": 8, "phi0": 1},
...                   Fraction(1, 10), [1, 10, 100])
>>> s  # doctest: +ELLIPSIS
<DepthSweep 2*eta*phi0*(H*eta + 1)**L at H=8, phi0=1, tau=1/10: L = 1..100 (3 depths), ...>
>>> s.symbolic.lower, s.asymptotic_slopes()
(LambertW(2*L/5)/(8*L), {'lower': -1, 'upper': -1/2})
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from symbound import notation
from symbound.curves import curve_values, slope_limit
from symbound.errors import UsageError
from symbound.notation import as_expr
from symbound.regimes import RegimeResult, SymbolicBracket, eta_max, symbolic_bracket

__all__ = ["DepthSweep", "eta_max_sweep"]


@dataclass(frozen=True)
class DepthSweep:
    r"""Certified brackets of :math:`\eta_{\max}` at ``depths`` (one
    :class:`~symbound.regimes.RegimeResult` each) and the symbolic bracket valid for
    every depth (``None`` when not asked), at the fixed ``values``."""

    name: str
    tau: Fraction
    values: Mapping[str, Fraction]
    depths: tuple[int, ...]
    results: tuple[RegimeResult, ...]
    symbolic: SymbolicBracket | None = None
    depth: sp.Symbol = notation.L

    @property
    def all_proved(self) -> bool:
        """Whether every bracket holds eta_max (monotone, with both ends)."""
        return all(r.monotone and r.hi is not None for r in self.results)

    @property
    def relative_width(self) -> Fraction | None:
        """The widest bracket's (hi - lo)/lo; ``None`` when some bracket has no hi."""
        if any(r.hi is None for r in self.results):
            return None
        return max((r.hi - r.lo) / r.lo for r in self.results)

    def slope(self) -> float | None:
        """The log-log slope of the brackets' lower ends between the last two depths."""
        if len(self.depths) < 2:
            return None
        (l0, r0), (l1, r1) = list(zip(self.depths, self.results, strict=True))[-2:]
        return (math.log(r1.lo) - math.log(r0.lo)) / (math.log(l1) - math.log(l0))

    def asymptotic_slopes(self) -> dict[str, sp.Expr | None]:
        r""":math:`\lim_{L\to\infty} L\,\partial_L \log b(L)` of each symbolic bound
        :math:`b` (SymPy), ``None`` where there is no bound or no limit was found."""
        out: dict[str, sp.Expr | None] = {}
        for side in ("lower", "upper"):
            e = None if self.symbolic is None else getattr(self.symbolic, side)
            out[side] = None if e is None else slope_limit(e, self.depth)
        return out

    def curve(self, side: str, depths: Sequence[float]) -> list[float]:
        """A symbolic bound (``"lower"`` or ``"upper"``) at each depth, in floats (for
        drawing; ``nan`` where it is not a positive real number)."""
        e = None if self.symbolic is None else getattr(self.symbolic, side)
        return [math.nan] * len(depths) if e is None else curve_values(e, self.depth, depths)

    def plot(self):
        """The brackets against depth on log-log axes, with the symbolic bounds' curves:
        a matplotlib Figure (:func:`symbound.regime_figures.sweep_figure`)."""
        from symbound.regime_figures import sweep_figure

        return sweep_figure([self])

    def _repr_png_(self) -> bytes:
        from symbound.render.figure import render

        return render(self.plot(), ("png",))["png"]

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v}" for k, v in sorted(self.values.items()))
        given = f" at {given}" if given else ""
        span = f"{self.depth} = {self.depths[0]}..{self.depths[-1]} ({len(self.depths)} depths)"
        width = self.relative_width
        proved = "every bracket proved" if self.all_proved else "not every bracket holds eta_max"
        if width is not None:
            proved += f", relative width <= {float(width):.1e}"
        return f"<DepthSweep {self.name}{given}, tau={self.tau}: {span}, {proved}>"

    def to_dict(self) -> dict[str, Any]:
        from symbound.check.result import exact_string

        slopes = self.asymptotic_slopes()
        return {
            "name": self.name,
            "tau": exact_string(self.tau),
            "values": {k: exact_string(v) for k, v in sorted(self.values.items())},
            "rows": [
                {str(self.depth): L_, **r.to_dict()}
                for L_, r in zip(self.depths, self.results, strict=True)
            ],
            "symbolic_lower": None
            if self.symbolic is None or self.symbolic.lower is None
            else str(self.symbolic.lower),
            "symbolic_upper": None
            if self.symbolic is None or self.symbolic.upper is None
            else str(self.symbolic.upper),
            "slope_last_two_depths": None if self.slope() is None else round(self.slope(), 6),
            "asymptotic_slopes": {k: None if v is None else str(v) for k, v in slopes.items()},
        }


def _depths(depths: Sequence[Any]) -> tuple[int, ...]:
    out = []
    for d in depths:
        if isinstance(d, bool) or not isinstance(d, int | str) or not str(d).strip().isdigit():
            raise UsageError(f"a depth is a positive integer, got {d!r}")
        out.append(int(d))
    if not out or min(out) < 1:
        raise UsageError("give at least one depth, each a positive integer")
    if len(set(out)) != len(out):
        raise UsageError("each depth once, please")
    return tuple(sorted(out))


def eta_max_sweep(
    bound, values: Mapping[str, Any], tau, depths: Sequence[int], *, symbolic: bool = True
) -> DepthSweep:
    r"""Certified :math:`\eta_{\max}` of ``bound`` at each of ``depths`` (the other
    parameters fixed by ``values``), and the symbolic bracket for every depth.

    ``bound`` is an expression in :math:`\eta`, the depth :math:`L` and the names in
    ``values``, or a :class:`~symbound.compose.ComposedBound`.
    """
    from symbound.compose import ComposedBound

    steps = _depths(depths)
    if isinstance(bound, ComposedBound):
        depth, name = bound.depth, bound.key
        present = depth in bound.closed_form.free_symbols or not bound.closed_form_proof.proved
    else:
        expr = as_expr(bound)
        depth = next((s for s in expr.free_symbols if s.name == "L"), None)
        present, name = depth is not None, str(expr)
    if not present:
        raise UsageError("the bound does not depend on the depth L; nothing to sweep over")
    if depth.name in values:
        raise UsageError(f"the sweep sets {depth.name} itself; leave it out of the values")
    results = tuple(eta_max(bound, {**values, depth.name: L_}, tau) for L_ in steps)
    tau_q = results[0].tau
    fixed = dict(results[0].values)
    fixed.pop(depth.name)
    bracket = (
        symbolic_bracket(bound, sp.Rational(tau_q.numerator, tau_q.denominator), fixed)
        if symbolic
        else None
    )
    return DepthSweep(name, tau_q, fixed, steps, results, bracket, depth)

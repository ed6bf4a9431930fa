r"""Figures of regimes: a bound crossing :math:`\tau`, :math:`\eta_{\max}` against depth,
the feasibility map of the :math:`(\eta, L)` plane.

Every certified number is drawn as what was proved: a bracket :math:`[lo, hi]` of
:math:`\eta_{\max}` as a band from lo to hi (narrower than the line at the default
relative width :math:`2^{-40}`, which the legend states), the feasible side
:math:`\eta \le lo` and the infeasible side :math:`\eta \ge hi` shaded only where the
bound is proved non-decreasing in :math:`\eta`.  Curves of the bound itself are
float64 evaluations, for the eye only; the symbolic bounds are drawn through every
depth.  Drawn with matplotlib's object API under its default style
(:mod:`symbound.render.figure`), so the same data gives the same bytes.

>>> from fractions import Fraction
>>> from symbound.depth_sweep import eta_max_sweep
>>> from symbound.notation import H, L, eta, phi0
>>> s = eta_max_sweep(2 * eta * phi0 * (1 + H * eta) ** L, {"H": 8, "phi0": 1},
...                   Fraction(1, 10), [1, 4, 16])
>>> fig = sweep_figure([s])
>>> [ax.get_xscale() for ax in fig.axes], fig.axes[0].get_title()
(['log'], '2*eta*phi0*(H*eta + 1)**L at H=8, phi0=1, tau=1/10')
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.patches import Patch

from symbound.curves import curve_values, slope_limit
from symbound.errors import UsageError
from symbound.render.figure import Figure, colours, new_figure, style

__all__ = [
    "FEASIBLE",
    "INFEASIBLE",
    "UNDECIDED",
    "crossing_figure",
    "draw_feasibility",
    "draw_sweeps",
    "eta_span",
    "feasibility_figure",
    "feasibility_legend",
    "slope_text",
    "sweep_figure",
    "symbolic_figure",
]

#: shades of the feasibility map: proved <= tau, proved > tau, neither
FEASIBLE, INFEASIBLE, UNDECIDED = "#4c9f70", "#c8553d", "#777777"
_POINTS = 24  # points of each symbolic curve (smooth on log-log axes)


def _name(bound) -> str:
    from symbound.compose import ComposedBound
    from symbound.notation import as_expr

    return bound.key if isinstance(bound, ComposedBound) else str(as_expr(bound))


def _given(values, skip=()) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(values.items()) if k not in skip)


def crossing_figure(result) -> Figure:
    r"""The bound (float64, for the eye) against :math:`\eta` around its crossing of
    :math:`\tau`, on log-log axes, with what was proved: the bracket's ends, and the
    feasible and infeasible sides where the bound is proved non-decreasing."""
    lo = float(result.lo)
    top = lo * 30 if result.hi is None else float(result.hi) * 30
    etas = np.geomspace(lo / 30, top, 240)
    values = np.array(result.bound_values(etas))
    tau = float(result.tau)
    with style():
        fig = new_figure((6.4, 4.2))
        fig.subplots_adjust(left=0.13, right=0.97, bottom=0.24, top=0.9)
        ax = fig.subplots()
        shown = np.isfinite(values) & (values > 0)
        ax.plot(etas[shown], values[shown], "-", color="black", lw=1.2, label="bound (float64)")
        ax.axhline(tau, color="black", ls=":", lw=1, label=rf"$\tau$ = {result.tau}")
        if result.monotone:
            ax.axvspan(etas[0], lo, color=FEASIBLE, alpha=0.18, lw=0, label=r"proved $\leq \tau$")
            if result.hi is not None:
                ax.axvspan(
                    float(result.hi),
                    top,
                    color=INFEASIBLE,
                    alpha=0.18,
                    lw=0,
                    label=r"proved $> \tau$",
                )
        ax.axvline(lo, color=FEASIBLE, lw=1)
        if result.hi is not None:
            ax.axvline(float(result.hi), color=INFEASIBLE, lw=1, ls="--")
        ax.set_xscale("log")
        if shown.any():
            ax.set_yscale("log")
        ax.set_xlabel(r"$\eta$")
        ax.set_title(f"{_name(result.bound)} at {_given(result.values)}", fontsize=9)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
        fig.text(0.02, 0.02, _wrap(result.proved, 110), fontsize=7, va="bottom")
        return fig


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def slope_text(sweep) -> str:
    """The slopes a sweep states: the certified brackets' between the last two depths and
    the symbolic bounds' as the depth grows (SymPy limits)."""
    parts = []
    s = sweep.slope()
    if s is not None:
        parts.append(f"slope {s:.3f} at {sweep.depth} = {sweep.depths[-2]}..{sweep.depths[-1]}")
    limits = sweep.asymptotic_slopes()
    named = [f"{side} {limits[side]}" for side in ("lower", "upper") if limits[side] is not None]
    if named:
        parts.append(f"{sweep.depth} → ∞: " + ", ".join(named))
    return "; ".join(parts)


def draw_sweeps(ax, sweeps: Sequence, labels: Sequence[str] | None = None) -> None:
    r""":math:`\eta_{\max}` against depth on ``ax``: each sweep's brackets as a band with
    markers, its symbolic lower bound dashed and upper bound dotted, one colour each."""
    labels = labels or [_given(s.values) or "certified" for s in sweeps]
    first = min(s.depths[0] for s in sweeps)
    last = max(s.depths[-1] for s in sweeps)
    grid = np.geomspace(first, last, _POINTS) if last > first else np.array([first])
    for colour, sweep, label in zip(colours(len(sweeps)), sweeps, labels, strict=True):
        depths = np.array(sweep.depths, dtype=float)
        lo = np.array([float(r.lo) for r in sweep.results])
        hi = np.array([float(r.hi) if r.hi is not None else math.nan for r in sweep.results])
        ax.fill_between(depths, lo, np.where(np.isnan(hi), lo, hi), color=colour, alpha=0.5, lw=0)
        ax.plot(depths, lo, "o", ms=3.5, color=colour, label=label)
        for side, ls in (("lower", "--"), ("upper", ":")):
            ys = np.array(sweep.curve(side, grid))
            if np.isfinite(ys).any():
                ax.plot(grid, ys, ls, color=colour, lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"depth {sweeps[0].depth}")
    ax.set_ylabel(r"$\eta_{\max}$")
    ax.grid(True, which="major", alpha=0.3)


def _style_legend(ax, sweeps, loc="lower left") -> None:
    from matplotlib.lines import Line2D

    widths = [s.relative_width for s in sweeps]
    width = "" if None in widths else f", relative width ≤ {float(max(widths)):.0e}"
    handles, _ = ax.get_legend_handles_labels()
    handles = [
        *handles,
        Line2D(
            [], [], color="black", marker="o", ls="none", ms=3.5, label=f"certified [lo, hi]{width}"
        ),
        Line2D([], [], color="black", ls="--", lw=1, label="symbolic lower bound, every L"),
        Line2D([], [], color="black", ls=":", lw=1, label="symbolic upper bound, every L"),
    ]
    ax.legend(handles=handles, fontsize=7, loc=loc)


def sweep_figure(sweeps: Sequence, labels: Sequence[str] | None = None, title: str = "") -> Figure:
    """One or more :class:`~symbound.depth_sweep.DepthSweep` values on one log-log plot,
    with their slopes stated below it."""
    with style():
        fig = new_figure((6.4, 4.6))
        fig.subplots_adjust(left=0.13, right=0.97, bottom=0.2, top=0.9)
        ax = fig.subplots()
        draw_sweeps(ax, sweeps, labels)
        _style_legend(ax, sweeps)
        first = sweeps[0]
        ax.set_title(
            title or f"{first.name} at {_given(first.values)}, tau={first.tau}", fontsize=9
        )
        lines = [slope_text(s) for s in sweeps]
        fig.text(0.02, 0.02, "\n".join(x for x in lines if x), fontsize=7, va="bottom")
        return fig


def draw_feasibility(ax, sweep, eta_range: tuple[float, float]) -> None:
    r"""The :math:`(\eta, L)` plane at ``sweep``'s depths: each depth a bar, shaded
    proved :math:`\leq \tau` up to lo and proved :math:`> \tau` from hi where the bound is
    proved non-decreasing, undecided in between (and everywhere else without that
    proof); the symbolic bounds drawn through every depth."""
    left, right = eta_range
    ys = np.log2(np.array(sweep.depths, dtype=float))
    gaps = np.diff(ys)
    height = 0.7 * (float(gaps.min()) if len(gaps) else 1.0)
    for y, r in zip(ys, sweep.results, strict=True):
        lo = float(r.lo)
        hi = right if r.hi is None else float(r.hi)
        if r.monotone:
            spans = [(left, lo, FEASIBLE), (lo, hi, UNDECIDED), (hi, right, INFEASIBLE)]
        else:
            spans = [(left, right, UNDECIDED)]
        spans = [(a, b - a, colour) for a, b, colour in spans if b > a]
        ax.broken_barh(
            [(a, w) for a, w, _ in spans],
            (y - height / 2, height),
            facecolors=[c for _, _, c in spans],
            lw=0,
        )
    grid = np.geomspace(sweep.depths[0], sweep.depths[-1], _POINTS)
    for side, ls in (("lower", "--"), ("upper", ":")):
        xs = np.array(sweep.curve(side, grid))
        if np.isfinite(xs).any():
            ax.plot(xs, np.log2(grid), ls, color="black", lw=1)
    ax.set_xscale("log")
    ax.set_xlim(left, right)
    ax.set_yticks(ys, [str(L_) for L_ in sweep.depths])
    ax.set_xlabel(r"$\eta$")
    ax.set_ylabel(f"depth {sweep.depth}")


def feasibility_legend(where, **placement) -> None:
    """The map's three shades, as a legend of an axes or a figure (``placement``: the
    legend's ``loc`` and ``bbox_to_anchor``; upper right by default)."""
    handles = [
        Patch(color=FEASIBLE, label=r"proved $\leq \tau$"),
        Patch(color=INFEASIBLE, label=r"proved $> \tau$"),
        Patch(color=UNDECIDED, label="undecided"),
    ]
    where.legend(handles=handles, fontsize=7, **({"loc": "upper right"} | placement))


def eta_span(sweeps: Sequence) -> tuple[float, float]:
    """An eta range holding every bracket with room on both sides (a factor 4)."""
    los = [float(r.lo) for s in sweeps for r in s.results]
    his = [float(r.hi if r.hi is not None else r.lo) for s in sweeps for r in s.results]
    return min(los) / 4, max(his) * 4


def feasibility_figure(panels: Sequence[tuple[str, object]]) -> Figure:
    """A feasibility map per ``(title, sweep)``, side by side."""
    with style():
        fig = new_figure((4.2 * len(panels) + 0.6, 3.8))
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.9, wspace=0.3)
        axes = fig.subplots(1, len(panels), squeeze=False)[0]
        for ax, (title, sweep) in zip(axes, panels, strict=True):
            draw_feasibility(ax, sweep, eta_span([sweep]))
            ax.set_title(title, fontsize=9)
        feasibility_legend(axes[-1])
        return fig


def symbolic_figure(bracket, depths: tuple[int, int] = (1, 1000)) -> Figure:
    r"""A :class:`~symbound.regimes.SymbolicBracket`'s bounds against the depth
    :math:`L` over ``depths``, on log-log axes; every other parameter must be fixed."""
    from symbound.notation import L

    for e in (bracket.lower, bracket.upper):
        extra = sorted(s.name for s in (e.free_symbols if e is not None else ()) if s != L)
        if extra:
            raise UsageError(f"fix {', '.join(extra)} to draw the bracket against L")
    if bracket.lower is None and bracket.upper is None:
        raise UsageError("no symbolic bound was found: nothing to draw")
    first, last = depths
    if not 1 <= first < last:
        raise UsageError(f"depths to draw are 1 <= first < last, got {depths}")
    grid = np.geomspace(first, last, _POINTS)
    with style():
        fig = new_figure((6.4, 4.4))
        fig.subplots_adjust(left=0.13, right=0.97, bottom=0.2, top=0.9)
        ax = fig.subplots()
        said = []
        for side, ls in (("lower", "--"), ("upper", ":")):
            e = getattr(bracket, side)
            if e is None:
                continue
            ax.plot(grid, curve_values(e, L, grid), ls, color="black", lw=1.2, label=f"{side}: {e}")
            limit = slope_limit(e, L)
            if limit is not None:
                said.append(f"{side} {limit}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("depth L")
        ax.set_ylabel(r"bounds on $\eta_{\max}$")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
        ax.set_title("symbolic bracket, every depth L", fontsize=9)
        if said:
            fig.text(0.02, 0.02, "log-log slope as L → ∞: " + ", ".join(said), fontsize=7)
        return fig

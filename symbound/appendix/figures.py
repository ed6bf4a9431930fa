r"""The appendix's regime figures: :math:`\eta_{\max}` against depth, the feasibility map
and the trade-off, drawn from the brackets the appendix already certified.

Nothing is solved here: every band is a bracket of a regime table or of the trade-off
table (:mod:`symbound.appendix.build`), every curve a symbolic bound of the table or
the comparison's closed-form threshold.  The figures go to ``figures/*.png`` and
``figures/*.pdf`` (byte-stable, :mod:`symbound.render.figure`), their part to
``regime-figures.tex`` with captions that state what was proved, and the numbers the
captions state to ``regime-figures.json``.  This module imports matplotlib.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from symbound.appendix.build import AppendixData, RegimeGrid
from symbound.curves import curve_values
from symbound.depth_sweep import DepthSweep
from symbound.regime_figures import (
    draw_feasibility,
    draw_sweeps,
    eta_span,
    feasibility_legend,
    slope_text,
)
from symbound.regimes import SymbolicBracket
from symbound.render.figure import colours, new_figure, render, style
from symbound.render.tex import tex_escape

__all__ = [
    "ETA_MAX",
    "FEASIBILITY",
    "TRADEOFF",
    "AppendixFigures",
    "figure_files",
    "grid_sweeps",
]

#: the figures' keys: figures/KEY.png and figures/KEY.pdf, and LaTeX labels fig:KEY
ETA_MAX, FEASIBILITY, TRADEOFF = "regime-eta-max", "regime-feasibility", "tradeoff"


def grid_sweeps(grid: RegimeGrid) -> list[DepthSweep]:
    """A regime table as one :class:`~symbound.depth_sweep.DepthSweep` per column
    (its depths the rows), the symbolic bracket at that column's value."""
    spec, bound = grid.spec, grid.spec.bound
    out = []
    for col in spec.cols:
        fix = {s: col for s in bound.closed_form.free_symbols if s.name == spec.col_name}

        def at(e, fix=fix):
            return None if e is None else e.subs(fix)

        symbolic = SymbolicBracket(at(grid.symbolic.lower), at(grid.symbolic.upper))
        results = tuple(grid.cells[row, col] for row in spec.rows)
        values = {**results[0].values}
        values.pop(spec.row_name)
        out.append(
            DepthSweep(bound.key, results[0].tau, values, spec.rows, results, symbolic, bound.depth)
        )
    return out


def _consistent(sweep: DepthSweep) -> bool:
    """Whether every bracket meets the symbolic bounds at its depth (lower <= hi and
    lo <= upper, in floats with a relative slack of 1e-9)."""
    lower = sweep.curve("lower", sweep.depths)
    upper = sweep.curve("upper", sweep.depths)
    for r, a, b in zip(sweep.results, lower, upper, strict=True):
        hi = float(r.hi) if r.hi is not None else math.inf
        if (not math.isnan(a) and a > hi * (1 + 1e-9)) or (
            not math.isnan(b) and b < float(r.lo) * (1 - 1e-9)
        ):
            return False
    return True


def _sweep_record(grid: RegimeGrid, sweeps: Sequence[DepthSweep]) -> dict[str, Any]:
    widths = [s.relative_width for s in sweeps]
    return {
        "table": grid.spec.key,
        "bound": grid.spec.bound.key,
        "columns": {
            f"{grid.spec.col_name}={col}": {
                "slope_last_two_depths": round(s.slope(), 4) if s.slope() is not None else None,
                "asymptotic_slopes": {
                    k: None if v is None else str(v) for k, v in s.asymptotic_slopes().items()
                },
                "brackets_meet_symbolic_bounds": _consistent(s),
            }
            for col, s in zip(grid.spec.cols, sweeps, strict=True)
        },
        "largest_relative_width": None if None in widths else f"{float(max(widths)):.2e}",
        "every_bracket_monotone": all(s.all_proved for s in sweeps),
    }


def _eta_max_figure(grids: Sequence[RegimeGrid], sweeps: Sequence[Sequence[DepthSweep]]):
    with style():
        fig = new_figure((5.0 * len(grids) + 0.4, 4.6))
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.22, top=0.92, wspace=0.22)
        axes = fig.subplots(1, len(grids), squeeze=False)[0]
        for k, (ax, grid, group) in enumerate(zip(axes, grids, sweeps, strict=True)):
            labels = [f"{grid.spec.col_name} = {c}" for c in grid.spec.cols]
            draw_sweeps(ax, group, labels)
            ax.legend(fontsize=7, loc="lower left")
            ax.set_title(f"{grid.spec.bound.key}, tau = {grid.spec.tau}", fontsize=10)
            lines = [f"{lab}: {slope_text(s)}" for lab, s in zip(labels, group, strict=True)]
            x = 0.08 + k / len(grids) * 0.92
            fig.text(x, 0.01, "\n".join(lines), fontsize=6.5, va="bottom")
        return fig


def _mapped(grid: RegimeGrid) -> int:
    """The column a feasibility map shows: the table's middle one."""
    return len(grid.spec.cols) // 2


def _feasibility_figure(grids: Sequence[RegimeGrid], sweeps: Sequence[Sequence[DepthSweep]]):
    with style():
        fig = new_figure((4.0 * len(grids) + 0.6, 3.6))
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.26, top=0.91, wspace=0.3)
        axes = fig.subplots(1, len(grids), squeeze=False)[0]
        for ax, grid, group in zip(axes, grids, sweeps, strict=True):
            k = _mapped(grid)
            draw_feasibility(ax, group[k], eta_span([group[k]]))
            ax.set_title(
                f"{grid.spec.bound.key}, {grid.spec.col_name} = {grid.spec.cols[k]}", fontsize=9
            )
        feasibility_legend(fig, loc="lower center", ncol=3, frameon=False)
        return fig


# -- the trade-off ----------------------------------------------------------------------


def _tradeoff_groups(data: AppendixData):
    """Per value of d: the table's rows (sorted by n)."""
    groups: dict[int, list] = {}
    for row in data.comparison:
        groups.setdefault(row.values["d"], []).append(row)
    return {d_: sorted(rows, key=lambda r: r.values["n"]) for d_, rows in sorted(groups.items())}


def _meeting_n(threshold: sp.Expr, d_: int, hi: Fraction) -> float | None:
    """The n at which ``threshold`` (at this d) equals ``hi``, solved by SymPy over the
    positive reals (an approximation, for the caption); None if not one real root."""
    roots = _threshold_roots(threshold)
    if roots is None:
        return None
    h, dim, root = roots
    value = root.subs({h: sp.Rational(hi.numerator, hi.denominator), dim: d_})
    return float(sp.N(value, 20))


@functools.lru_cache(maxsize=16)
def _threshold_roots(threshold: sp.Expr):
    """``(h, d, n(h, d))``: the one positive root of threshold = h in n, with h and d
    positive symbols; None when SymPy finds not exactly one."""
    x, h, dim = sp.symbols("x h d", positive=True)
    e = threshold.subs({s: {"n": x, "d": dim}[s.name] for s in threshold.free_symbols})
    try:
        roots = sp.solve(sp.Eq(e, h), x)
    except (NotImplementedError, ValueError):
        return None
    return (h, dim, roots[0]) if len(roots) == 1 else None


def _tradeoff_record(data: AppendixData) -> list[dict[str, Any]]:
    spec = data.spec.comparison
    out = []
    for d_, rows in _tradeoff_groups(data).items():
        for k, scaling in enumerate(spec.scalings):
            cells = [r.cells[k] for r in rows]
            verdicts = [c.verdict for c in cells]
            brackets = {(c.bracket.lo, c.bracket.hi) for c in cells}
            record = {
                "d": d_,
                "scaling": scaling.label,
                "n": [r.values["n"] for r in rows],
                "verdicts": verdicts,
                "bracket_same_for_every_n": len(brackets) == 1,
            }
            his = [c.bracket.hi for c in cells if c.bracket.hi is not None]
            if his and all(v == "no" for v in verdicts):
                ratios = [Fraction(c.threshold_lo) / c.bracket.hi for c in cells]
                record["threshold_over_hi"] = [
                    f"{float(min(ratios)):.4g}",
                    f"{float(max(ratios)):.4g}",
                ]
                if len(brackets) == 1:
                    meet = _meeting_n(scaling.threshold, d_, his[0])
                    record["threshold_meets_hi_at_n"] = None if meet is None else f"{meet:.10g}"
            changes = [
                (rows[i].values["n"], rows[i + 1].values["n"])
                for i in range(len(rows) - 1)
                if verdicts[i] != verdicts[i + 1]
            ]
            record["verdict_changes_between_n"] = changes
            out.append(record)
    return out


def _ratio_text(records, d_: int) -> str:
    """eta_fast / hi over the table's n, per scaling, at this d (where every row is 'no')."""
    said = [
        f"{r['scaling']}: {r['threshold_over_hi'][0]} to {r['threshold_over_hi'][1]}"
        for r in records
        if r["d"] == d_ and "threshold_over_hi" in r
    ]
    return "eta_fast / hi:\n" + "\n".join(said) if said else ""


def _tradeoff_figure(data: AppendixData, records):
    spec = data.spec.comparison
    groups = _tradeoff_groups(data)
    ns = sorted({r.values["n"] for r in data.comparison})
    grid = np.geomspace(ns[0], ns[-1], 24)
    shades = colours(len(spec.scalings))
    with style():
        fig = new_figure((3.4 * len(groups) + 0.6, 3.8))
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.25, top=0.9, wspace=0.3)
        axes = fig.subplots(1, len(groups), squeeze=False)[0]
        for ax, (d_, rows) in zip(axes, groups.items(), strict=True):
            for k, (scaling, colour) in enumerate(zip(spec.scalings, shades, strict=True)):
                e = scaling.threshold.subs(
                    {s: d_ for s in scaling.threshold.free_symbols if s.name == "d"}
                )
                n_sym = next(s for s in e.free_symbols if s.name == "n")
                ax.plot(grid, curve_values(e, n_sym, grid), "-", color=colour, lw=1.2,
                        label=f"{spec.threshold_label}, {scaling.label}")  # fmt: skip
                xs = [r.values["n"] for r in rows]
                lo = [float(r.cells[k].bracket.lo) for r in rows]
                hi = [float(r.cells[k].bracket.hi or r.cells[k].bracket.lo) for r in rows]
                ax.fill_between(xs, lo, hi, color=colour, alpha=0.5, lw=0)
                ax.plot(xs, lo, "--o", color=colour, lw=1, ms=3,
                        label=f"eta_collapse [lo, hi], {scaling.label}")  # fmt: skip
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_xlabel("sequence length n")
            ax.set_ylabel(r"$\eta$")
            ax.set_title(f"d = {d_}", fontsize=10)
            ax.grid(True, which="major", alpha=0.3)
            ax.text(0.03, 0.5, _ratio_text(records, d_), transform=ax.transAxes, fontsize=6.5,
                    va="center")  # fmt: skip
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, fontsize=7, loc="lower center", ncol=4, frameon=False)
        return fig


# -- captions and files -------------------------------------------------------------------


def _limits_text(record) -> str:
    """The symbolic bounds' slopes as L grows, once if every column has the same."""
    seen = {
        (c["asymptotic_slopes"]["lower"], c["asymptotic_slopes"]["upper"])
        for c in record["columns"].values()
    }
    if len(seen) != 1:
        return "the symbolic bounds' log-log slopes as L grows differ by column (see the JSON)"
    ((lower, upper),) = seen
    upper = f"the upper {upper}" if upper else "no symbolic upper bound was found"
    return f"as L grows the symbolic lower bound has log-log slope {lower or 'unknown'}, {upper}"


def _eta_max_caption(records) -> str:
    known = [r["largest_relative_width"] for r in records if r["largest_relative_width"]]
    width = (
        f"their relative width is at most {max(known, key=float)}, narrower than the markers"
        if len(known) == len(records)
        else "some have no upper end (the bound stays below τ up to the solver's cap)"
    )
    slopes = "; ".join(f"{r['bound']}: {_limits_text(r)}" for r in records)
    proved = (
        "f proved non-decreasing in η, so the largest η lies in [lo, hi]"
        if all(r["every_bracket_monotone"] for r in records)
        else "where f is proved non-decreasing in η the largest η lies in [lo, hi]; not "
        "everywhere here, see the JSON"
    )
    meet = all(c["brackets_meet_symbolic_bounds"] for r in records for c in r["columns"].values())
    return (
        "The largest η with bound ≤ τ against the depth L, one colour per H. Markers and bands: "
        "the certified brackets [lo, hi] of the regime tables (f(lo) ≤ τ and f(hi) > τ proved "
        f"with Arb balls, {proved}); "
        f"{width}. Dashed: the "
        "symbolic lower bound, dotted: the symbolic upper bound, each derived by SymPy from an "
        "envelope of the bound and drawn through every L (none is drawn where none was found). "
        f"{slopes}. The slope printed below each panel is that of the brackets between the last "
        "two depths. "
        + (
            "Every bracket meets the symbolic bounds at its depth (compared in floating point)."
            if meet
            else "Not every bracket lies between the symbolic bounds (see the JSON)."
        )
    )


def _feasibility_caption(records) -> str:
    widths = ", ".join(
        f"{r['largest_relative_width'] or 'unbounded'} ({r['bound']})" for r in records
    )
    monotone = (
        "both by monotonicity in η, which is proved"
        if all(r["every_bracket_monotone"] for r in records)
        else "both only where the bound is proved non-decreasing in η (not everywhere here: "
        "grey rows are undecided)"
    )
    return (
        "Feasibility maps of the (η, L) plane, one panel per bound at the H named above it, "
        "from the regime tables' certified brackets: green where bound ≤ τ is proved "
        f"(η ≤ lo), red where bound > τ is proved (η ≥ hi), {monotone}; only the depths of the "
        "tables are decided. The undecided strip (lo, hi) between them has relative width at "
        f"most {widths}: too thin to see. The dashed and dotted curves are the symbolic lower "
        "and upper bounds on the largest η, for every L."
    )


def _tradeoff_caption(records) -> str:
    parts = []
    for r in records:
        text = f"d = {r['d']}, {r['scaling']}: "
        if "threshold_over_hi" in r:
            a, b = r["threshold_over_hi"]
            text += f"the threshold exceeds hi by a factor {a} to {b} at every n of the table"
            if r.get("threshold_meets_hi_at_n"):
                meet = float(r["threshold_meets_hi_at_n"])
                text += f" and would meet it only at n = {meet:.6g}"
        elif r["verdict_changes_between_n"]:
            spans = ", ".join(f"{a} and {b}" for a, b in r["verdict_changes_between_n"])
            text += f"the verdict changes between n = {spans}"
        else:
            text += f"{r['verdicts'][0]} at every n of the table"
        parts.append(text)
    same = all(r["bracket_same_for_every_n"] for r in records)
    return (
        "The trade-off table drawn against n, one panel per d: solid, the nominal fast-attention "
        "threshold η_fast under each scaling (the closed forms of the table, drawn through "
        "every n); bands with markers, the certified brackets [lo, hi] of η_collapse at the "
        "table's n"
        + (", each the same at every n (the bound does not involve n)" if same else "")
        + ". "
        + "; ".join(parts)
        + " (meeting points solved by SymPy, rounded)."
    )


@dataclass(frozen=True)
class AppendixFigures:
    """The figures' files (PNG, PDF, ``regime-figures.tex`` and ``.json``), the keys of
    the regime tables they draw, and the trade-off figure's template context (``None``
    without a comparison)."""

    files: dict[str, str | bytes]
    tables: tuple[str, ...]
    tradeoff: dict[str, str] | None


def figure_files(data: AppendixData, env) -> AppendixFigures:
    """Draw the regime figures of ``data`` (``env``: the LaTeX templates' environment)."""
    files: dict[str, str | bytes] = {}
    grids = [g for g in data.regimes if g.spec.row_name == g.spec.bound.depth.name]
    doc: dict[str, Any] = {}
    if grids:
        sweeps = [grid_sweeps(g) for g in grids]
        records = [_sweep_record(g, s) for g, s in zip(grids, sweeps, strict=True)]
        for key, fig in (
            (ETA_MAX, _eta_max_figure(grids, sweeps)),
            (FEASIBILITY, _feasibility_figure(grids, sweeps)),
        ):
            for fmt, blob in render(fig).items():
                files[f"figures/{key}.{fmt}"] = blob
        doc["regimes"] = records
        files["regime-figures.tex"] = env.get_template("appendix/regime-figures.tex.j2").render(
            figures=[
                {"key": ETA_MAX, "caption": tex_escape(_eta_max_caption(records))},
                {"key": FEASIBILITY, "caption": tex_escape(_feasibility_caption(records))},
            ],
            tables=[tex_escape(g.spec.title) for g in grids],
        )
    tradeoff = None
    if data.spec.comparison is not None and data.comparison:
        records = _tradeoff_record(data)
        doc["tradeoff"] = records
        for fmt, blob in render(_tradeoff_figure(data, records)).items():
            files[f"figures/{TRADEOFF}.{fmt}"] = blob
        tradeoff = {"key": TRADEOFF, "caption": tex_escape(_tradeoff_caption(records))}
    if doc:
        files["regime-figures.json"] = (
            json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )
    return AppendixFigures(files, tuple(g.spec.key for g in grids), tradeoff)

r"""Figures of the layer-collapse experiments: measured curves and proved bounds on one plot.

Figures are drawn with matplotlib's object API (no pyplot, no global state) under
matplotlib's default style, whatever the user's ``matplotlibrc``, and rendered to
PNG and PDF bytes without dates or software stamps: the same result gives the same
bytes.

>>> from symbound.empirical.spec import Architecture, ResidualStudy
>>> from symbound.empirical.residual import run_residual_study
>>> spec = ResidualStudy("demo", "t", "c", (Architecture("skip", skip=True),), depth=2,
...                      n=3, d=2, instances=1, prec=128)
>>> files = render(residual_figure(run_residual_study(spec)))
>>> files["png"][:8], files["pdf"][:5]
(b'\x89PNG\r\n\x1a\n', b'%PDF-')
"""

from __future__ import annotations

import math
import statistics
from fractions import Fraction

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from symbound.empirical.collapse import DistanceSweepResult, cell_curves
from symbound.empirical.onelayer import OneLayerResult, cell_medians
from symbound.empirical.residual import ResidualResult
from symbound.empirical.spec import bound_label
from symbound.render.figure import colours as _colours
from symbound.render.figure import new_figure, render
from symbound.render.figure import style as figure_style

__all__ = ["distance_figure", "one_layer_figure", "render", "residual_figure"]

#: line styles of a distance's bounds, in the order the study lists them
_BOUND_STYLES = ("--", ":", "-.")


def _positive(xs, ys):
    pairs = [(x, y) for x, y in zip(xs, ys, strict=True) if 0 < y < math.inf]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _depth_legend(fig: Figure, colours, depths, left: float) -> None:
    """One legend entry per depth L, in its colour, right of the axes (from ``left``)."""
    handles = [
        Line2D([], [], color=k, marker="o", ms=3, label=f"L = {L}")
        for k, L in zip(colours, depths, strict=True)
    ]
    fig.legend(
        handles=handles, loc="center left", bbox_to_anchor=(left, 0.5), fontsize=8, frameon=False
    )


def distance_figure(result: DistanceSweepResult) -> Figure:
    """Rows: the distances; columns: the head counts; one colour per depth L.

    Solid lines are the measured distances (largest over the instances), dashed and
    dotted lines the bounds in the order the study lists them (largest over the
    instances; each instance's own bound lies above its own measurement)."""
    spec = result.spec
    with figure_style():
        rows, cols = len(spec.distances), len(spec.heads)
        fig = new_figure((4.4 * cols + 1.6, 3.4 * rows))
        # a fixed layout: a layout engine would draw every tick label several times
        fig.subplots_adjust(left=0.07, right=0.80, bottom=0.09, top=0.94, wspace=0.25, hspace=0.38)
        axes = fig.subplots(rows, cols, squeeze=False)
        etas = [float(Fraction(e)) for e in result.etas]
        colours = _colours(len(spec.depths))
        for r, dist in enumerate(spec.distances):
            for c, H in enumerate(spec.heads):
                ax = axes[r][c]
                for colour, L in zip(colours, spec.depths, strict=True):
                    curves = cell_curves(result, dist.lemma, L, H)
                    ax.plot(*_positive(etas, curves["measured"]), "-o", color=colour, ms=3)
                    for style, bound in zip(_BOUND_STYLES, dist.bounds, strict=False):
                        values = curves[bound_label(bound)]
                        ax.plot(*_positive(etas, values), style, color=colour, lw=1)
                ax.set_xscale("log")
                ax.set_yscale("log")
                ax.set_title(f"{dist.label}, H = {H}", fontsize=10)
                ax.set_xlabel(r"$\eta$ (largest weight entry)")
                ax.grid(True, which="major", alpha=0.3)
            styles = [Line2D([], [], color="black", label="measured")]
            styles += [
                Line2D([], [], color="black", ls=style, lw=1, label=bound_label(bound))
                for style, bound in zip(_BOUND_STYLES, dist.bounds, strict=False)
            ]
            axes[r][-1].legend(handles=styles, loc="upper left", fontsize=7)
        _depth_legend(fig, colours, spec.depths, 0.81)
        return fig


def residual_figure(result: ResidualResult) -> Figure:
    """Left: every architecture's ratio (median over instances) against depth, on a
    log10 axis cut at 10^-20; right: the architectures with a one-step bound, each
    instance with its bound, over their whole resolved range."""
    spec = result.spec
    bounded = [a for a in spec.architectures if a.one_step_bound and spec.one_step_bound]
    with figure_style():
        fig = new_figure((11 if bounded else 6.5, 4.2))
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.12, top=0.92, wspace=0.18)
        axes = fig.subplots(1, 2 if bounded else 1, squeeze=False)[0]
        ax = axes[0]
        for colour, arch in zip(_colours(len(spec.architectures)), spec.architectures, strict=True):
            curves = result.of(arch.label)
            layers = range(max(len(c.logs) for c in curves))
            med = [statistics.median(c.logs[k] for c in curves if len(c.logs) > k) for k in layers]
            ax.plot(list(layers), med, "-o", ms=3, color=colour, label=arch.label)
        ax.set_ylim(-20, 0.5)
        ax.set_xlabel(r"layer $\ell$")
        ax.set_ylabel(r"$\log_{10} \|\mathrm{Res}(X^{(\ell)})\|_{\max} / \|X^{(\ell)}\|_{\max}$")
        ax.set_title(f"median of {spec.instances} networks", fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        if bounded:
            ax = axes[1]
            for colour, arch in zip(_colours(len(bounded)), bounded, strict=True):
                for k, c in enumerate(result.of(arch.label)):
                    ax.plot(
                        range(len(c.logs)),
                        c.logs,
                        "-",
                        color=colour,
                        lw=1,
                        label=f"{arch.label}, measured" if k == 0 else None,
                    )
                    ax.plot(
                        range(1, len(c.bound_logs) + 1),
                        c.bound_logs,
                        "v",
                        color=colour,
                        ms=4,
                        mfc="none",
                        label=f"{spec.one_step_bound} (proved, one step)" if k == 0 else None,
                    )
            ax.set_xlabel(r"layer $\ell$")
            ax.set_title(f"with the one-step bound {spec.one_step_bound}", fontsize=10)
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=8)
        return fig


def one_layer_figure(result: OneLayerResult) -> Figure:
    """Rows: the head counts; left: the held-out distances against η (medians over the
    networks; solid the best one-layer fit, dashed the N3 surrogate, dotted the
    identity), one colour per depth; right: best/identity against η."""
    spec = result.spec
    with figure_style():
        rows = len(spec.heads)
        fig = new_figure((10.5, 3.6 * rows))
        fig.subplots_adjust(left=0.08, right=0.84, bottom=0.13, top=0.92, wspace=0.25, hspace=0.4)
        axes = fig.subplots(rows, 2, squeeze=False)
        etas = [float(Fraction(e)) for e in result.etas]
        colours = _colours(len(spec.depths))
        for r, H in enumerate(spec.heads):
            left, right = axes[r]
            for colour, L in zip(colours, spec.depths, strict=True):
                curves = cell_medians(result, L, H)
                left.plot(*_positive(etas, curves["best"]), "-o", color=colour, ms=3)
                left.plot(*_positive(etas, curves["uniform"]), "--", color=colour, lw=1)
                left.plot(*_positive(etas, curves["identity"]), ":", color=colour, lw=1)
                right.plot(*_positive(etas, curves["captured"]), "-o", color=colour, ms=3)
            left.set_yscale("log")
            left.set_title(f"held-out max ‖S(X) − S′(X)‖/‖X‖, H = {H}", fontsize=10)
            right.set_yscale("log")
            right.set_title(f"best one-layer / identity, H = {H}", fontsize=10)
            for ax in (left, right):
                ax.set_xscale("log")
                ax.set_xlabel(r"$\eta$ (largest weight entry)")
                ax.grid(True, which="major", alpha=0.3)
            styles = [
                Line2D([], [], color="black", marker="o", ms=3, label="best one layer found"),
                Line2D([], [], color="black", ls="--", lw=1, label="N3 surrogate"),
                Line2D([], [], color="black", ls=":", lw=1, label="identity (N2)"),
            ]
            left.legend(handles=styles, loc="upper left", fontsize=7)
        _depth_legend(fig, colours, spec.depths, 0.85)
        return fig

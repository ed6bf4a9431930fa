r"""The experiments' files: ``experiments.tex`` (Jinja), ``experiments.json`` and the figures.

:func:`experiment_files` renders everything in memory -- text files as ``str``,
figures (``figures/KEY.png`` and ``figures/KEY.pdf``) as ``bytes`` -- for the
appendix writer, which writes them atomically.  Tables give, per cell, the
largest measured/bound ratio (how tight the proved bound is on these networks)
and how many measurements are *certainly* below every bound; the JSON holds every
measurement.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from typing import Any

from symbound.empirical.collapse import DistanceSweepResult
from symbound.empirical.onelayer import OneLayerResult
from symbound.empirical.residual import ResidualResult
from symbound.empirical.spec import bound_label
from symbound.render.latex import environment
from symbound.render.tex import tex_escape, tex_key

__all__ = ["experiment_files", "run_study", "study_summary"]


def _num(x: float) -> str:
    return r"\num{" + f"{x:.3g}" + "}"


def _distance_context(result: DistanceSweepResult) -> dict[str, Any]:
    spec = result.spec
    rows = []
    for H in spec.heads:
        for L in spec.depths:
            cells = []
            for dist in spec.distances:
                ratio, eta, bound = result.worst(dist.lemma, L, H)
                here = [p for p in result.points if (p.distance, p.L, p.H) == (dist.lemma, L, H)]
                held = sum(all(b.holds for b in p.bounds) for p in here)
                cells.append(
                    {
                        "ratio": _num(ratio),
                        "eta": eta,
                        "bound": tex_key(bound),
                        "held": f"{held}/{len(here)}",
                    }
                )
            rows.append({"H": H, "L": L, "cells": cells})
    return {
        "key": spec.key,
        "title": tex_escape(spec.title),
        "caption": tex_escape(spec.caption),
        "distances": [
            {"label": tex_escape(d.label), "bounds": [tex_key(bound_label(b)) for b in d.bounds]}
            for d in spec.distances
        ],
        "rows": rows,
        "n": spec.n,
        "d": spec.d,
        "instances": spec.instances,
        "etas": ", ".join(result.etas),
        "seed": result.seed,
        "all_hold": result.all_hold,
        "points": len(result.points),
    }


def _residual_context(result: ResidualResult) -> dict[str, Any]:
    spec = result.spec
    rows = []
    for arch in spec.architectures:
        curves = result.of(arch.label)
        rate = result.median(arch.label, "decades_per_layer")
        growth = result.median(arch.label, "decrement_growth")
        holds = [h for c in curves for h in c.bound_holds]
        last = min(c.resolved_to for c in curves)
        final = statistics.median(c.logs[last] for c in curves)
        rows.append(
            {
                "label": tex_escape(arch.label),
                "start": f"{statistics.median(c.logs[0] for c in curves):.3g}",
                "final": f"{final:.4g}",
                "layer": last,
                "cut": last < spec.depth,
                "rate": "--" if rate is None else f"{rate:.3g}",
                "growth": "--" if growth is None else f"{growth:.3g}",
                "bound": f"{sum(holds)}/{len(holds)}" if holds else "--",
            }
        )
    return {
        "key": spec.key,
        "title": tex_escape(spec.title),
        "caption": tex_escape(spec.caption),
        "rows": rows,
        "findings": [
            {"reproduced": f.reproduced, "summary": tex_escape(f.summary)} for f in result.findings
        ],
        "one_step_bound": tex_key(spec.one_step_bound) if spec.one_step_bound else None,
        "n": spec.n,
        "d": spec.d,
        "eta": spec.eta,
        "depth": spec.depth,
        "instances": spec.instances,
        "prec": spec.prec,
        "seed": result.seed,
    }


def _one_layer_context(result: OneLayerResult) -> dict[str, Any]:
    spec = result.spec
    rows = []
    for H in spec.heads:
        for L in spec.depths:
            for eta in result.etas:
                rows.append(
                    {
                        "H": H,
                        "L": L,
                        "eta": eta,
                        **{
                            name: _num(result.median(L, H, eta, name))
                            for name in ("identity", "uniform", "best", "captured", "train_rms")
                        },
                    }
                )
    return {
        "key": spec.key,
        "title": tex_escape(spec.title),
        "caption": tex_escape(spec.caption),
        "rows": rows,
        "finding": tex_escape(result.finding()),
        "n": spec.n,
        "d": spec.d,
        "instances": spec.instances,
        "train": spec.train,
        "test": spec.test,
        "starts": spec.starts,
        "evaluations": spec.evaluations,
        "heads_one": spec.heads_one,
        "etas": ", ".join(result.etas),
        "seed": result.seed,
    }


#: Files that mark a folder as an experiments output written by symbound (before
#: symbound.io's marker existed): such a folder may be replaced by the next run.
SIGNATURE = ("experiments.tex", "experiments.json")


def experiment_files(
    results: Sequence[DistanceSweepResult | ResidualResult | OneLayerResult],
    settings: dict[str, Any],
) -> dict[str, str | bytes]:
    """``experiments.tex``, ``experiments.json`` and ``figures/KEY.{png,pdf}``, in memory."""
    from symbound.empirical.figures import (  # matplotlib
        distance_figure,
        one_layer_figure,
        render,
        residual_figure,
    )

    files: dict[str, str | bytes] = {}
    sweeps, studies, fits = [], [], []
    for r in results:
        if isinstance(r, DistanceSweepResult):
            sweeps.append(_distance_context(r))
            fig = distance_figure(r)
        elif isinstance(r, OneLayerResult):
            fits.append(_one_layer_context(r))
            fig = one_layer_figure(r)
        else:
            studies.append(_residual_context(r))
            fig = residual_figure(r)
        for fmt, data in render(fig).items():
            files[f"figures/{r.spec.key}.{fmt}"] = data
    template = environment().get_template("appendix/experiments.tex.j2")
    files["experiments.tex"] = template.render(sweeps=sweeps, studies=studies, fits=fits)
    doc = {"settings": settings, "studies": [r.to_dict() for r in results]}
    files["experiments.json"] = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return files


def run_study(spec, *, seed: int = 0, executor=None, progress=None):
    """Run a distance sweep, a residual study or a one-layer study."""
    from symbound.empirical.collapse import run_distance_sweep
    from symbound.empirical.onelayer import OneLayerStudy, run_one_layer_study
    from symbound.empirical.residual import run_residual_study
    from symbound.empirical.spec import DistanceSweep

    if isinstance(spec, DistanceSweep):
        run = run_distance_sweep
    elif isinstance(spec, OneLayerStudy):
        run = run_one_layer_study
    else:
        run = run_residual_study
    return run(spec, seed=seed, executor=executor, progress=progress)


def study_summary(results: Sequence[DistanceSweepResult | ResidualResult]) -> str:
    return "\n".join(r.summary() for r in results)

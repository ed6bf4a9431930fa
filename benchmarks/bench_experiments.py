"""The layer-collapse experiments at their default sizes: `symbound experiments` wall time.

Target (real-model issue): the default experiments section in under 60 s on a 2-core
machine.  The command runs as a user would (fresh interpreter, start-up included)
with 1 worker and with every core, and both outputs must be byte-identical.  In
process, the parts are timed separately, beside a float64 baseline that measures
the same distances on the same networks without enclosures (what rigour costs).

    python benchmarks/bench_experiments.py [--instances N]   (N networks per cell: bigger)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

TARGET_S = 60.0


def run(out: Path, jobs: int, extra: list[str]) -> float:
    exe = shutil.which("symbound")
    cmd = [exe] if exe else [sys.executable, "-m", "symbound"]
    t0 = time.perf_counter()
    subprocess.run(
        [*cmd, "experiments", "--out", str(out), "--jobs", str(jobs), "--no-progress", *extra],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t0


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def float64_baseline(sweep) -> float:
    """The sweep's measurements in float64 (no balls, no bounds): seconds."""
    from symbound.check.evaluate import F64
    from symbound.empirical.networks import at_entry_bound, directions
    from symbound.empirical.spec import eta_grid
    from symbound.lemmas.catalogue import load_catalogue

    cat = load_catalogue()
    t0 = time.perf_counter()
    for L in sweep.depths:
        for H in sweep.heads:
            for i in range(sweep.instances):
                X, W = directions(0, sweep.key, (L, H, i), n=sweep.n, d=sweep.d, layers=L, heads=H)
                for eta in eta_grid(sweep):
                    inst = at_entry_bound(X, W, float(Fraction(eta)))
                    for dist in sweep.distances:
                        cat[dist.lemma].conclusion.lhs.evaluate(inst, F64)
    return time.perf_counter() - t0


def main() -> None:
    from symbound.empirical.figures import distance_figure, render, residual_figure
    from symbound.empirical.report import run_study
    from symbound.lemmas.catalogue import load_catalogue

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", type=int, default=None)
    args = ap.parse_args()
    extra = [] if args.instances is None else ["--instances", str(args.instances)]
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        one, many = Path(tmp) / "one", Path(tmp) / "many"
        t_one = run(one, 1, extra)
        t_many = run(many, cores, extra)
        same = tree(one) == tree(many)
    studies = [s for a in load_catalogue().appendices.values() for s in a.studies]
    parts = []
    for study in studies:
        t0 = time.perf_counter()
        result = run_study(study)
        t_run = time.perf_counter() - t0
        draw = distance_figure if hasattr(result, "points") else residual_figure
        t0 = time.perf_counter()
        render(draw(result))
        parts.append((study.key, t_run, time.perf_counter() - t0))
    sweep = next(s for s in studies if hasattr(s, "distances"))
    t_float = float64_baseline(sweep)
    sizes = "default sizes" if args.instances is None else f"{args.instances} networks per cell"
    print(f"symbound experiments at the {sizes} (start-up and files included)")
    print(f"  1 worker:   {t_one:6.1f} s wall")
    print(
        f"  {cores} workers:  {t_many:6.1f} s wall; speed-up {t_one / t_many:.2f}x; "
        f"identical files: {same}"
    )
    verdict = "met" if max(t_one, t_many) < TARGET_S else "MISSED"
    print(f"  target < {TARGET_S:.0f} s: {verdict}")
    print("in process, one worker:")
    for key, t_run, t_fig in parts:
        print(f"  {key:16s} measured in {t_run:5.2f} s, figure (PNG + PDF) in {t_fig:5.2f} s")
    t_sweep = next(t for k, t, _ in parts if k == sweep.key)
    print(
        f"  float64 baseline for {sweep.key} (same networks, no enclosures, no bounds): "
        f"{t_float:5.2f} s; Arb with certified bounds costs {t_sweep / t_float:.1f}x"
    )
    if not same:
        raise SystemExit("1 and several workers gave different files")


if __name__ == "__main__":
    main()

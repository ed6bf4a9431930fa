"""What the regime figures cost: the appendix with and without them, the time to draw
each, and the start-up of `symbound check` (matplotlib must stay unimported there).

Same run, same machine:

1. the appendix is built once, as `symbound appendix` builds it (a process pool of
   every core), then written with its regime figures and without them (the figure
   step replaced by one that draws nothing), alternately, ``--repeat`` times each:
   wall time of build + write, both ways, and the medians' difference;
2. each figure's drawing and rendering on its own (the appendix's three, and
   ``RegimeResult.plot``, ``DepthSweep.plot`` and ``SymbolicBracket.plot``);
3. `symbound check as25.lemma4.1` and `symbound list` in a fresh interpreter, now and at
   ``--baseline`` (a commit before the figures; its code loaded from git into a
   temporary folder), alternately, ``--repeat`` times each, and whether check imports
   matplotlib.

    python benchmarks/bench_figures.py [--repeat 3] [--baseline 4e3d99f] [--skip-appendix]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _appendix(repeat: int) -> None:
    import symbound.appendix.figures as figures
    from symbound.appendix import build_appendix
    from symbound.appendix.write import render_appendix
    from symbound.parallel import process_pool

    t0 = time.perf_counter()
    pool = process_pool(None)
    try:
        data = build_appendix(seed=0, executor=pool)
    finally:
        if pool is not None:
            pool.shutdown()
    built = time.perf_counter() - t0
    drawn = figures.figure_files

    def nothing(data, env):
        return figures.AppendixFigures({}, (), None)

    walls: dict[str, list[float]] = {"with": [], "without": []}
    counts = {}
    for _ in range(repeat):
        for label, fn in (("with", drawn), ("without", nothing)):
            figures.figure_files = fn
            t0 = time.perf_counter()
            files = render_appendix(data)
            walls[label].append(time.perf_counter() - t0)
            counts[label] = len(files)
    figures.figure_files = drawn
    w, wo = (statistics.median(walls[k]) for k in ("with", "without"))
    print(f"appendix build (default settings, {os.cpu_count()} workers): {built:.1f} s")
    print(
        f"  write with the regime figures:    {w:5.2f} s (median of {repeat}; "
        f"{counts['with']} files)"
    )
    print(
        f"  write without them:               {wo:5.2f} s (median of {repeat}; "
        f"{counts['without']} files)"
    )
    print(
        f"  build + write: {built + w:.1f} s with, {built + wo:.1f} s without: the figures add "
        f"{w - wo:.2f} s ({100 * (w - wo) / (built + wo):.1f}%)"
    )


def _draw_each() -> None:
    from symbound.appendix.build import AppendixData, comparison_rows, regime_grid
    from symbound.appendix.figures import figure_files
    from symbound.depth_sweep import eta_max_sweep
    from symbound.lemmas.catalogue import load_catalogue
    from symbound.render.figure import render
    from symbound.render.latex import environment
    from symbound.versions import versions

    cat = load_catalogue()
    spec = next(iter(cat.appendices.values()))
    t0 = time.perf_counter()
    data = AppendixData(
        spec=spec,
        claims=(),
        regimes=tuple(regime_grid(t) for t in spec.regime_tables),
        comparison=tuple(comparison_rows(spec.comparison)),
        prior_checks=(),
        experiments=(),
        remarks=(),
        composed=(),
        settings={"seed": 0, "samples": 0, "dps": 50, "versions": versions()},
    )
    solved = time.perf_counter() - t0
    t0 = time.perf_counter()
    figure_files(data, environment())
    print(f"\nthe appendix's three figures, drawn and rendered: {time.perf_counter() - t0:.2f} s")
    print(f"  (their regime and trade-off tables, solved first: {solved:.2f} s)")
    sweep = eta_max_sweep(
        cat.composed["as25.eps-L"], {"H": 8, "phi0": 1}, Fraction(1, 10), [1, 2, 4, 8, 16, 32, 64]
    )
    for label, draw in (
        ("RegimeResult.plot()", sweep.results[3].plot),
        ("DepthSweep.plot() (7 depths)", sweep.plot),
        ("SymbolicBracket.plot()", sweep.symbolic.plot),
    ):
        t0 = time.perf_counter()
        fig = draw()
        t1 = time.perf_counter()
        render(fig, ("png",))
        print(f"  {label}: drawn {t1 - t0:.2f} s, PNG {time.perf_counter() - t1:.2f} s")


def _baseline_tree(commit: str, folder: Path) -> Path:
    """The package at ``commit`` laid out as installed (derivations and templates inside)."""
    archive = subprocess.run(
        ["git", "archive", commit, "symbound", "derivations", "templates"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    tar = folder / "base.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as t:
        t.extractall(folder, filter="data")
    for name in ("derivations", "templates"):
        shutil.move(str(folder / name), str(folder / "symbound" / name))
    for built in (ROOT / "symbound" / "numeric" / "backends").glob("_arbkernel*.so"):
        shutil.copy(built, folder / "symbound" / "numeric" / "backends")
    return folder


def _startup(repeat: int, commit: str) -> None:
    code = (
        "import sys, contextlib, io\n"
        "from symbound.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(sys.argv[1:])\n"
        "print('matplotlib' in sys.modules, __import__('symbound').__file__)\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "base").mkdir()
        (Path(tmp) / "run").mkdir()
        base = _baseline_tree(commit, Path(tmp) / "base")
        envs = {
            "now": dict(os.environ),
            f"baseline {commit}": {**os.environ, "PYTHONPATH": str(base)},
        }
        for argv in (["check", "as25.lemma4.1"], ["list"]):
            walls: dict[str, list[float]] = {k: [] for k in envs}
            seen = {}
            for _ in range(repeat):
                for label, env in envs.items():
                    t0 = time.perf_counter()
                    out = subprocess.run(
                        [sys.executable, "-c", code, *argv],
                        cwd=Path(tmp) / "run",  # not a folder holding a symbound/
                        env=env,
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    walls[label].append(time.perf_counter() - t0)
                    seen[label] = out.stdout.split()
            print(f"\n`symbound {' '.join(argv)}`, fresh interpreter, median of {repeat}:")
            for label in envs:
                imported, where = seen[label]
                print(
                    f"  {label:>20}: {statistics.median(walls[label]):.2f} s "
                    f"(matplotlib imported: {imported}; {Path(where).parent})"
                )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", default="4e3d99f", help="a commit before the figures")
    ap.add_argument("--skip-appendix", action="store_true", help="leave out the full build")
    args = ap.parse_args()
    if not args.skip_appendix:
        _appendix(args.repeat)
    _draw_each()
    _startup(args.repeat, args.baseline)


if __name__ == "__main__":
    main()

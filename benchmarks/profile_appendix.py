"""Where the appendix's time goes: one serial build and write under cProfile, summarised.

Builds the built-in paper's appendix in this process with one worker (so every
function's time is seen), writes it to a temporary folder, and prints the summary
committed as ``benchmarks/profile_appendix.txt``: each phase's time (checks,
repairs, audit, experiments and studies, writing), the check stages' shares, the ten
longest checks and repairs, and the functions with the most time of their own.
Serial times add up to the CPU work the workers share; ``bench_appendix.py`` gives
the wall time with every core.

    python benchmarks/profile_appendix.py [--samples 2000] [--top 15]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time

#: (label, file suffix, function name) of the phases and stages summed from the profile
PHASES: list[tuple[str, str, str]] = [
    ("checks (check_many)", "symbound/check/checker.py", "check_many"),
    ("repairs", "symbound/appendix/build.py", "_repair_task"),
    ("audit of all-MiniLM-L6-v2", "symbound/appendix/build.py", "_audit_task"),
    ("experiments", "symbound/appendix/build.py", "_experiment_task"),
    ("composed bounds verified", "symbound/appendix/build.py", "_verify_task"),
    ("scalar proofs", "symbound/appendix/build.py", "_prove_task"),
    ("layer-collapse studies", "symbound/empirical/report.py", "run_study"),
    ("writing (write_appendix)", "symbound/appendix/write.py", "write_appendix"),
    ("  of which figures (figure_files)", "symbound/appendix/figures.py", "figure_files"),
]
STAGES = [
    ("sample", "symbound/check/stages.py", "sample"),
    ("Nelder-Mead (optimise)", "symbound/check/stages.py", "optimise"),
    ("high precision", "symbound/check/stages.py", "high_precision"),
    ("confirm", "symbound/check/stages.py", "confirm"),
    ("shrink", "symbound/check/stages.py", "shrink"),
]


def _cumulative(stats: pstats.Stats, suffix: str, name: str) -> float:
    """Cumulative seconds of the function ``name`` in the file ending with ``suffix``."""
    return sum(
        ct
        for (path, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items()
        if path.endswith(suffix) and func == name
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--top", type=int, default=15, help="functions listed by time of their own")
    args = ap.parse_args()

    from symbound.appendix import build_appendix, write_appendix

    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    data = build_appendix(samples=args.samples)
    with tempfile.TemporaryDirectory() as tmp:
        write_appendix(data, tmp)
    profiler.disable()
    total = time.perf_counter() - t0
    stats = pstats.Stats(profiler)

    print(f"symbound appendix, serial, under cProfile: {total:.1f} s (profiling adds overhead;")
    print("the shares are the figures to read)\n")
    print("phases (cumulative seconds):")
    for label, suffix, name in PHASES:
        seconds = _cumulative(stats, suffix, name)
        print(f"  {label:32s} {seconds:7.1f} s  {100 * seconds / total:5.1f} %")
    searches = _cumulative(stats, "symbound/check/checker.py", "check") or 1.0
    print(f"\nstages of every search (the checks' and the repairs': {searches:.1f} s in all):")
    for label, suffix, name in STAGES:
        seconds = _cumulative(stats, suffix, name)
        print(f"  {label:32s} {seconds:7.1f} s  {100 * seconds / searches:5.1f} %")
    print("\nlongest checks (their own elapsed time):")
    rows = sorted(data.claims, key=lambda row: -row.result.elapsed)[:10]
    for row in rows:
        print(f"  {row.lemma.key:44s} {row.result.elapsed:6.2f} s  {row.result.verdict.value}")
    if data.repairs:
        print("\nrepairs (their own elapsed time):")
        for row in data.repairs:
            if row.repair is not None:
                r = row.repair.repair
                print(f"  {r.key:44s} {r.elapsed:6.2f} s  {r.outcome}")
    print(f"\nfunctions with the most time of their own (top {args.top}):")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(args.top)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("ncalls"))
    for line in lines[start:]:
        if line.strip():
            print("  " + line.rstrip())


if __name__ == "__main__":
    main()

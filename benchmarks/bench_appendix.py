"""The full appendix, LaTeX compile excluded: `symbound appendix` wall time.

Runs the command as a user would (fresh interpreter, start-up included) with every
core, with and without the section "What each refuted claim needs" (``--no-repairs``)
in turns (``--rounds`` of each: the machine's load drifts, so the figures to compare
are same-round pairs), then once with one worker; checks that one worker and every
core produce the same bytes, and that leaving the repairs out changes no other file;
reports the wall times (target: under 20 s on a 2-core machine).

    python benchmarks/bench_appendix.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(out: Path, jobs: int, *extra: str) -> float:
    exe = shutil.which("symbound")
    cmd = [exe] if exe else [sys.executable, "-m", "symbound"]
    argv = [*cmd, "appendix", "--out", str(out), "--jobs", str(jobs), "--no-progress", *extra]
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - t0


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (certificates/ and figures/ included), by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2, help="pairs with and without repairs")
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    with_repairs, without = [], []
    with tempfile.TemporaryDirectory() as tmp:
        many, bare = Path(tmp) / "many", Path(tmp) / "bare"
        for k in range(args.rounds):
            with_repairs.append(run(many, cores))
            without.append(run(bare, cores, "--no-repairs"))
            print(f"round {k + 1}: {with_repairs[-1]:6.1f} s with the repairs, "
                  f"{without[-1]:6.1f} s without ({cores} workers)", flush=True)  # fmt: skip
        one = Path(tmp) / "one"
        t_one = run(one, 1)
        same = tree(one) == tree(many)
        rest = {k: v for k, v in tree(many).items() if not k.startswith("repairs.")}
        untouched = rest == tree(bare)
    a, b = statistics.median(with_repairs), statistics.median(without)
    ratios = ", ".join(f"{x / y:.2f}" for x, y in zip(with_repairs, without, strict=True))
    print(f"symbound appendix, {cores} workers: {a:6.1f} s median with the repairs, {b:6.1f} s "
          f"without (same-round ratios {ratios}; target < 20 s)")  # fmt: skip
    print(f"symbound appendix, 1 worker:  {t_one:6.1f} s with the repairs")
    print(f"identical files with 1 and {cores} workers: {same}; without the repairs the other "
          f"files unchanged: {untouched}")  # fmt: skip


if __name__ == "__main__":
    main()

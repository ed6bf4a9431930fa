"""The full appendix, LaTeX compile excluded: `symbound appendix` wall time.

Runs the command as a user would (fresh interpreter, start-up included) with one
worker and with every core, checks that both produce the same bytes, and reports
the wall times (target: under 20 s on a 2-core machine).

    python benchmarks/bench_appendix.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(out: Path, jobs: int) -> float:
    exe = shutil.which("symbound")
    cmd = [exe] if exe else [sys.executable, "-m", "symbound"]
    t0 = time.perf_counter()
    subprocess.run(
        [*cmd, "appendix", "--out", str(out), "--jobs", str(jobs)], check=True, capture_output=True
    )
    return time.perf_counter() - t0


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (certificates/ and figures/ included), by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def main() -> None:
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        one, many = Path(tmp) / "one", Path(tmp) / "many"
        t_one = run(one, 1)
        t_many = run(many, cores)
        same = tree(one) == tree(many)
    print(f"symbound appendix, 1 worker:      {t_one:6.1f} s wall")
    print(f"symbound appendix, {cores} workers:     {t_many:6.1f} s wall (target < 20 s)")
    print(f"speed-up {t_one / t_many:.2f}x; identical files: {same}")


if __name__ == "__main__":
    main()

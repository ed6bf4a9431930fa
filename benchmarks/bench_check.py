"""`symbound check` wall time, start-up included, as a user runs it.

Runs the console command (a fresh interpreter each time) on Lemma 4.1 as stated --
the foundation issue's target is "refuted in under 2 s on a 2-core machine" -- and
reports the median, then the in-process time of every catalogue entry.

    python benchmarks/bench_check.py [--repeat 5] [--key as25.lemma4.1]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--key", default="as25.lemma4.1")
    args = ap.parse_args()

    exe = shutil.which("symbound")
    cmd = [exe] if exe else [sys.executable, "-m", "symbound"]
    walls, codes = [], set()
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        out = subprocess.run(
            [*cmd, "check", args.key], capture_output=True, text=True, env=dict(os.environ)
        )
        walls.append(time.perf_counter() - t0)
        codes.add(out.returncode)
    first = out.stdout.splitlines()[0] if out.stdout else out.stderr.strip()
    print(f"`{' '.join(os.path.basename(c) for c in cmd)} check {args.key}` -> {first}")
    print(
        f"wall time, start-up included: median {statistics.median(walls):.2f} s, "
        f"best {min(walls):.2f} s over {args.repeat} runs (target < 2 s); "
        f"exit codes {sorted(codes)}"
    )

    from symbound import check, load_catalogue

    print("\nin-process check times (default settings, seed 0):")
    for key, lemma in load_catalogue().items():
        t0 = time.perf_counter()
        r = check(lemma)
        print(f"  {key:28s} {time.perf_counter() - t0:6.2f} s  {r.verdict.value:9s} {r.tightness}")


if __name__ == "__main__":
    main()

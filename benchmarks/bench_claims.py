"""A typed claim costs no more than its hand-written catalogue twin: `symbound check`
wall times, start-up included, run back to back in pairs.

For the softmax total-variation lemma (S3) and the mean-Res lemma, the catalogue's
hand-written entry and the same statement typed with `--claim` are checked by the
console command in a fresh interpreter each, alternately; the report is the median
of each and the ratio typed / hand-written (target <= 1.2).

    python benchmarks/bench_claims.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

PAIRS = {
    "as25.softmax-l1": [
        "--claim", "norm(softmax(A + Delta) - softmax(A), 'row') <= 2*tanh(t/2)",
        "--given", "norm(Delta, 'max') <= t",
        "--matrix", "A=n,n", "--matrix", "Delta=n,n", "--param", "t=0..4",
        "--key", "typed.softmax-l1",
    ],
    "as25.mean-res": [
        "--claim", "norm(res(A, 'mean') - res(B, 'mean'), 'max') <= 2*(1 - 1/n)*eps",
        "--given", "norm(A - B, 'max') <= eps",
        "--matrix", "A=n,d", "--matrix", "B=n,d", "--key", "typed.mean-res",
    ],
}  # fmt: skip


def timed(cmd: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    first = out.stdout.splitlines()[0] if out.stdout else out.stderr.strip()
    return wall, first


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    exe = shutil.which("symbound")
    base = [exe] if exe else [sys.executable, "-m", "symbound"]
    for key, typed in PAIRS.items():
        hand, mine, ratios = [], [], []
        for _ in range(args.repeat):
            a, first_a = timed([*base, "check", key])
            b, first_b = timed([*base, "check", *typed])
            hand.append(a)
            mine.append(b)
            ratios.append(b / a)
        print(f"{key}: hand-written -> {first_a}")
        print(f"{' ' * len(key)}  typed        -> {first_b}")
        print(
            f"  wall, start-up included, {args.repeat} pairs: hand-written median "
            f"{statistics.median(hand):.2f} s, typed {statistics.median(mine):.2f} s; "
            f"typed/hand-written {statistics.median(mine) / statistics.median(hand):.2f} "
            f"(medians), {statistics.median(ratios):.2f} (median of pairs; target <= 1.2)"
        )


if __name__ == "__main__":
    main()

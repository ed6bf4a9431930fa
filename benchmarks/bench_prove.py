"""Certified proof of (1+Hη)^L − 1 ≤ LHη·e^{LHη} over η ∈ [0, 0.1], H ∈ [1, 64], L ∈ [1, 1000].

Target (rigour issue): under 1 s.  Measured: the whole `prove` call (reductions,
branch and bound in Arb, witness-free proof tree) as the median of repeated runs,
the independent re-check of its certificate (mpmath intervals), the `symbound
prove` command end to end (start-up included), and, as the baseline in the same run,
the naive search over the three parameters without reductions, which gives up
after its box budget.

    python benchmarks/bench_prove.py [--repeat 20] [--naive-boxes 10000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import sympy as sp

from symbound import __version__
from symbound.notation import H, L, eta
from symbound.prove.claim import Box
from symbound.prove.prover import prove
from symbound.prove.recheck import recheck


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--naive-boxes", type=int, default=10_000)
    args = ap.parse_args()

    box = Box.parse(["eta=0..1/10", "H=1..64", "L=1..1000"])
    lhs, rhs = (1 + H * eta) ** L - 1, L * H * eta * sp.exp(L * H * eta)

    times, proof = [], None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        proof = prove(lhs, rhs, box)
        times.append(time.perf_counter() - t0)
    doc = json.loads(json.dumps(proof.to_json(__version__)))
    rtimes = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        checked = recheck(doc)
        rtimes.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    cli = subprocess.run(
        [sys.executable, "-m", "symbound", "prove", "as25.theorem5.3.envelope"],
        capture_output=True,
        text=True,
    )
    cli_time = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive = prove(lhs, rhs, box, reduce=False, max_boxes=args.naive_boxes)
    naive_time = time.perf_counter() - t0

    med = statistics.median(times)
    print("(1+H eta)^L - 1 <= L H eta e^(L H eta), eta in [0, 1/10], H in [1, 64], L in [1, 1000]")
    print(
        f"symbound prove (reduced):  {proof.verdict} in {proof.search.boxes} boxes, "
        f"median {med * 1e3:.1f} ms, best {min(times) * 1e3:.1f} ms, first (cold caches) "
        f"{times[0] * 1e3:.1f} ms "
        f"({'meets' if med < 1 else 'MISSES'} the 1 s target)"
    )
    print(
        f"independent re-check:      {'OK' if checked.ok else 'FAILED'} "
        f"({checked.nodes} nodes), median {statistics.median(rtimes) * 1e3:.1f} ms"
    )
    print(
        f"command line, start-up in: exit {cli.returncode}, {cli_time:.2f} s wall "
        f"({cli.stdout.splitlines()[0] if cli.stdout else cli.stderr.strip()})"
    )
    print(
        f"naive 3-parameter search:  {naive.verdict} after {naive.search.boxes} boxes in "
        f"{naive_time:.2f} s ({len(naive.search.open)} boxes open)"
    )


if __name__ == "__main__":
    main()

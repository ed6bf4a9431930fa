"""Sweep wall time: the N3 collapse check on 1000 random networks, 1 worker against 2.

The issue's target: ``as25.collapse-one-layer`` on 1000 random networks (n=16, d=8,
H=4, L=6), float64 screen plus high-precision and rigorous confirmation of the 20
worst, in under 30 s on a 2-core machine.  The sweep runs once in this process (1
worker) and twice on a fresh 2-worker spawn process pool: first with the workers'
start-up included, then warm; the results must be identical, byte for byte.

    python benchmarks/bench_sweep.py [--instances 1000] [--workers 2] [--seed 0]
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

KEY = "as25.collapse-one-layer"
SIZES = {"n": 16, "d": 8, "H": 4, "L": 6}
TARGET_S = 30.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from symbound import load_catalogue
    from symbound.check.sweep import sweep

    lemma = load_catalogue()[KEY]
    options = {
        "sizes": SIZES,
        "instances": args.instances,
        "confirm": 20,
        "dps": 50,
        "seed": args.seed,
        "progress": False,
    }
    t0 = time.perf_counter()
    one = sweep(lemma, jobs=1, **options)
    t_one = time.perf_counter() - t0

    t0 = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=args.workers, mp_context=context) as pool:
        many = sweep(lemma, executor=pool, **options)
        t_many = time.perf_counter() - t0
        # the same pool again, its workers started and the catalogue loaded: steady state
        t0 = time.perf_counter()
        again = sweep(lemma, executor=pool, **options)
        t_warm = time.perf_counter() - t0

    same = one.to_json() == many.to_json() == again.to_json()
    sizes = ", ".join(f"{k}={v}" for k, v in SIZES.items())
    print(f"{KEY} on {args.instances} random networks ({sizes}), seed {args.seed}:")
    print("  " + one.summary().replace("\n", "\n  "))
    rows = [
        ("1 worker (in process)", t_one),
        (f"{args.workers} workers (spawn pool, start-up included)", t_many),
        (f"{args.workers} workers (the same pool, warm)", t_warm),
    ]
    for label, seconds in rows:
        print(f"{label + ':':<44}{seconds:6.2f} s")
    print(
        f"speed-up: {t_one / t_many:.2f}x with start-up, {t_one / t_warm:.2f}x warm; "
        f"results identical: {same}"
    )
    slowest = max(t_one, t_many)
    verdict = "met" if slowest < TARGET_S else "MISSED"
    print(
        f"target < {TARGET_S:.0f} s on a 2-core machine: {verdict} "
        f"(slowest of 1 and {args.workers} workers: {slowest:.2f} s)"
    )
    if not same:
        raise SystemExit("the 1-worker and the pooled sweeps differ")


if __name__ == "__main__":
    main()

"""One certified regime cell against SymPy's exact solver, in the same run.

The query: the largest eta with 2 eta phi0 (1 + H eta)^L <= tau at H = 8, phi0 = 1,
tau = 1/10 (the eps_L bound).  symbound returns a bracket [lo, hi] proved with Arb
balls; SymPy's solve_univariate_inequality returns exact algebraic numbers (CRootOf)
and is timed only for small L, where it finishes.

    python benchmarks/bench_regime.py [--repeat 50] [--sympy-depths 4,12,24]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from fractions import Fraction

import sympy as sp

from symbound import load_catalogue
from symbound.regimes import eta_max


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--sympy-depths", default="4,12,24")
    args = ap.parse_args()

    bound = load_catalogue().composed["as25.eps-L"]
    eta_max(bound, {"H": 8, "L": 4, "phi0": 1}, Fraction(1, 10))  # warm the caches
    print("certified cell (symbound, Arb-proved bracket):")
    print(f"{'L':>6}  {'median':>9}  {'worst':>9}  bracket")
    for depth in (1, 4, 24, 96, 1000, 10_000):
        times = []
        gc.disable()
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            r = eta_max(bound, {"H": 8, "L": depth, "phi0": 1}, Fraction(1, 10))
            times.append(time.perf_counter() - t0)
        gc.enable()
        print(
            f"{depth:>6}  {statistics.median(times) * 1e3:7.3f}ms  {max(times) * 1e3:7.3f}ms  "
            f"[{float(r.lo):.16g}, {float(r.hi):.16g}]"
        )

    eta = sp.Symbol("eta", positive=True)
    print("\nSymPy solve_univariate_inequality (exact, same query):")
    for depth in (int(x) for x in args.sympy_depths.split(",") if x):
        expr = 2 * eta * (1 + 8 * eta) ** depth - sp.Rational(1, 10)
        t0 = time.perf_counter()
        sol = sp.solve_univariate_inequality(expr <= 0, eta, relational=False)
        elapsed = time.perf_counter() - t0
        print(f"{depth:>6}  {elapsed:8.2f} s   sup = {float(sol.sup):.16g}")


if __name__ == "__main__":
    main()

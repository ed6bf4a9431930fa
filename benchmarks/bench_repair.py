"""`symbound repair` wall time, start-up included, on the catalogue's refuted claims; and
the same sup computed by SciPy's differential_evolution alone, in the same run.

For each repair: the console command in a fresh interpreter (start-up included), its
outcome and bracket.  For the constants: differential_evolution maximising lhs/f in
float64 over the claim's own unconstrained vector z (in [-30, 30]) at the sizes where
the sup is attained, with the same wall-clock order of budget -- how close its float
answer gets to the true constant, and whether it is ever above it (a float optimiser
can overshoot; symbound's lower bound is an exact witness's ratio and never may).

    python benchmarks/bench_repair.py [--samples 1000] [--all]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from fractions import Fraction

import numpy as np

#: (key, extra arguments) repaired by default: one of each kind of repair
CASES = [
    ("as25.lemma4.1", []),
    ("as25.lemma5.2.line442", []),
    ("as25.norm-growth.entrywise", []),
    ("as25.identity-baseline.entrywise", []),
    ("as25.eps-ell.entrywise", []),
    ("as25.eps0.relative", ["--parameter", "2*H*eps"]),
    ("as25.lemma5.1.step-entrywise-exp", []),
]
#: the other refuted claims of the catalogue (--all)
MORE = [
    ("as25.lemma5.1.bounded-entries", []),
    ("as25.lemma5.1.seeds-entrywise", []),
    ("as25.lemma5.2.satt", []),
    ("as25.lemma-c.1.literal", []),
    ("as25.lemma-c.1.small-weights", []),
    ("as25.collapse-one-layer.entrywise", []),
    ("as25.theorem5.3.entrywise", []),
]


def _run(*argv):
    exe = shutil.which("symbound")
    cmd = [exe] if exe else [sys.executable, "-m", "symbound"]
    t0 = time.perf_counter()
    out = subprocess.run([*cmd, *argv], capture_output=True, text=True, env=dict(os.environ))
    return time.perf_counter() - t0, out


def _cli(key, extra, samples):
    wall, out = _run("repair", key, "--samples", str(samples), "--json", *extra)
    try:
        doc = json.loads(out.stdout)
    except json.JSONDecodeError:
        return wall, out.returncode, None
    return wall, out.returncode, doc


def _float_ratio(lemma, sizes, f):
    """lhs/f in float64 at one unconstrained vector z, the claim's own instance map."""
    from symbound.numeric.backends import Float64Backend
    from symbound.numeric.expr import compile_expr

    B = Float64Backend()
    f_of = compile_expr(f)

    def ratio(z):
        with np.errstate(all="ignore"):
            inst = dict(lemma.space.build(np.asarray(z)[None, :], sizes, B))
            inst.update(sizes)
            lhs = float(np.ravel(lemma.conclusion.lhs.evaluate(inst, B))[0])
            values = {k: (v[()] if getattr(v, "ndim", None) == 0 else v) for k, v in inst.items()}
            bound = float(np.ravel(f_of(values, B))[0])
        r = lhs / bound if bound > 0 else -np.inf
        return r if np.isfinite(r) else -np.inf

    return ratio


def _de(lemma, sizes, f, seconds):
    from scipy.optimize import differential_evolution

    ratio = _float_ratio(lemma, sizes, f)
    dim = lemma.space.dimension(sizes)
    t0 = time.perf_counter()
    best, iters = -np.inf, 0
    while time.perf_counter() - t0 < seconds:
        res = differential_evolution(
            lambda z: -ratio(z), [(-30, 30)] * dim, seed=iters, maxiter=200, tol=1e-12,
            polish=True,
        )  # fmt: skip
        best, iters = max(best, -res.fun), iters + 1
    return best, time.perf_counter() - t0, iters


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--all", action="store_true", help="every refuted claim of the catalogue")
    args = ap.parse_args()

    print(
        f"symbound repair KEY --samples {args.samples} (fresh interpreter each), against "
        f"symbound check KEY --samples {args.samples} in the same run:"
    )
    docs = {}
    for key, extra in CASES + (MORE if args.all else []):
        base, _ = _run("check", key, "--samples", str(args.samples))
        wall, code, doc = _cli(key, extra, args.samples)
        docs[key] = doc
        if doc is None:
            print(f"  {key:36s} {wall:6.1f} s  exit {code}  (no JSON)")
            continue
        bracket = ""
        if doc["lower"] and doc["upper"]:
            bracket = f" [{doc['lower']['value']}, {doc['upper']['value']}]"
        form = f" {doc['closed_form']}" if doc["closed_form"] else ""
        print(
            f"  {key:36s} {wall:5.1f} s (check {base:4.1f} s, x{wall / base:4.1f})  exit {code}  "
            f"{doc['outcome']}, {doc['kind']}{form}{bracket}  ({len(doc['checks'])} searches)"
        )

    from symbound import load_catalogue
    from symbound.notation import eps

    cat = load_catalogue()
    print("\ndifferential_evolution alone, float64, same claim and instance map:")
    constants = [
        ("as25.lemma4.1", cat["as25.lemma4.1"], {"n": 3, "d": 1}, eps, Fraction(2)),
        ("as25.lemma5.2.line442", cat["as25.lemma5.2.line442"], {"n": 3, "d": 1}, eps,
         Fraction(2)),
        ("mean-res with c = 1, n = 6", cat["as25.mean-res"].with_rhs(eps, key="x.mean"),
         {"n": 6, "d": 1}, eps, Fraction(5, 3)),
    ]  # fmt: skip
    for label, lemma, sizes, f, true in constants:
        best, took, runs = _de(lemma, sizes, f, seconds=2.0)
        over = "ABOVE the true constant" if best > float(true) else "below or at it"
        print(
            f"  {label:32s} true {true!s:5s}  DE best {best!r} ({runs} runs, {took:.1f} s): "
            f"{over}; gap {float(true) - best:.2e}"
        )


if __name__ == "__main__":
    main()

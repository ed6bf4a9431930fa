"""Certified proof of (1+Hη)^L − 1 ≤ LHη·e^{LHη} over η ∈ [0, 0.1], H ∈ [1, 64], L ∈ [1, 1000],
and the independent re-check of certificates, before and after exact rational enclosures.

Target (rigour issue): under 1 s.  Measured: the whole `prove` call (reductions,
branch and bound in Arb, witness-free proof tree) as the median of repeated runs, the
`symbound prove` command end to end (start-up included), and, as the baseline in the same
run, the naive search over the three parameters without reductions, which gives up after
its box budget.

The re-check (issue 17): the median time of `recheck` on the catalogue's scalar claims'
certificates and on a few larger proofs, now (exact rational arithmetic with proved
remainders, every step re-derived) and before (the mpmath-interval re-check as of
``--baseline``, loaded from git in this same run), with the ratio.

    python benchmarks/bench_prove.py [--repeat 20] [--naive-boxes 10000] [--baseline REV]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sympy as sp

from symbound import __version__
from symbound.lemmas.catalogue import load_catalogue
from symbound.prove.claim import Box
from symbound.prove.prover import prove, prove_claim
from symbound.prove.recheck import recheck

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "0a084ff"  # the last commit whose re-check used mpmath's interval context


def previous_recheck(rev: str):
    """The re-check module as of ``rev`` (git), imported under another name."""
    text = subprocess.run(
        ["git", "show", f"{rev}:symbound/prove/recheck.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "recheck_before.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("recheck_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["recheck_before"] = module
    spec.loader.exec_module(module)
    return module.recheck


def certificates() -> dict[str, dict]:
    docs = {}
    for key, claim in load_catalogue().scalars.items():
        docs[key] = prove_claim(claim).to_json(__version__)
    x, y = sp.symbols("x y", real=True)
    extra = {
        "x y - x^2 - y^2 <= 1/10 on [-1,1]^2": (
            x * y - x**2 - y**2,
            sp.Rational(1, 10),
            ["x=-1..1", "y=-1..1"],
        ),
        "e^x - 1 - x - x^2 <= 1/10 on [-1/2,1/2]": (
            sp.exp(x) - 1 - x - x**2,
            sp.Rational(1, 10),
            ["x=-1/2..1/2"],
        ),
        "x y - x^2 - y^2 <= 1/100 on [-1,1]^2": (
            x * y - x**2 - y**2,
            sp.Rational(1, 100),
            ["x=-1..1", "y=-1..1"],
        ),
        "e^(xy) - 1 - xy - (xy)^2 <= 1/5": (
            sp.exp(x * y) - 1 - x * y - (x * y) ** 2,
            sp.Rational(1, 5),
            ["x=-1/2..1/2", "y=-1..1"],
        ),
        "sqrt(1+x^2) - 1 - x^2/2 + xy/8 <= 1/4": (
            sp.sqrt(1 + x**2) - 1 - x**2 / 2 + x * y / 8,
            sp.Rational(1, 4),
            ["x=-1..1", "y=-1..1"],
        ),
        "log(1+x^2) - xy + y^2/2 <= 3/4 (refuted)": (
            sp.log(1 + x**2) - x * y + y**2 / 2,
            sp.Rational(3, 4),
            ["x=-1..1", "y=-1..1"],
        ),
    }
    for label, (lhs, rhs, specs) in extra.items():
        docs[label] = prove(lhs, rhs, Box.parse(specs), reduce=False).to_json(__version__)
    return {k: json.loads(json.dumps(d)) for k, d in docs.items()}


def median_time(fn, doc, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(doc)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--naive-boxes", type=int, default=10_000)
    ap.add_argument("--baseline", default=BASELINE, help="git revision of the previous re-check")
    args = ap.parse_args()

    box = Box.parse(["eta=0..1/10", "H=1..64", "L=1..1000"])
    eta, H, L = box.symbols("eta", "H", "L")
    lhs, rhs = (1 + H * eta) ** L - 1, L * H * eta * sp.exp(L * H * eta)

    times, proof = [], None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        proof = prove(lhs, rhs, box)
        times.append(time.perf_counter() - t0)
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
        f"command line, start-up in: exit {cli.returncode}, {cli_time:.2f} s wall "
        f"({cli.stdout.splitlines()[0] if cli.stdout else cli.stderr.strip()})"
    )
    print(
        f"naive 3-parameter search:  {naive.verdict} after {naive.search.boxes} boxes in "
        f"{naive_time:.2f} s ({len(naive.search.open)} boxes open)"
    )

    before = previous_recheck(args.baseline)
    print(f"\nindependent re-check, median of {args.repeat} (before: mpmath intervals, ", end="")
    print(f"{args.baseline})")
    total_before = total_after = 0.0
    for label, doc in certificates().items():
        after_result = recheck(doc)
        t_after = median_time(recheck, doc, args.repeat)
        t_before = median_time(before, doc, args.repeat)
        total_before, total_after = total_before + t_before, total_after + t_after
        print(
            f"  {label[:44]:44s} {doc.get('boxes', 0):4d} boxes  {after_result.status:10s} "
            f"before {t_before * 1e3:7.2f} ms  after {t_after * 1e3:7.2f} ms  "
            f"x{t_after / t_before:.2f}"
        )
    print(
        f"  all: before {total_before * 1e3:.1f} ms, after {total_after * 1e3:.1f} ms "
        f"({total_after / total_before:.2f} times the time before)"
    )


if __name__ == "__main__":
    main()

"""The Arb head against float64 as the tokens grow: n = 8, 32, 128, 512 at d = 64, 100 digits.

One head without biases, random float inputs (X standard normal, weights standard normal
/ 4), computed by ``ArbBackend`` (the compiled kernel) and by ``Float64Backend`` in
interleaved back-to-back pairs in the same run: each pair times one Arb head and then
float64 as the median of ``--block`` consecutive calls (so that the cold cache the Arb
head leaves behind does not count against a sub-millisecond function).  Reported per n:
the medians of both, the median of the per-pair ratios (with its range), and the
scaling law time ~ n^k fitted to each (least squares in log-log).  BLAS runs on one
thread (as symbound's workers do) unless the environment says otherwise, so that both
sides use one core.

Then, for ``--breakdown`` sizes, where the Arb head's time goes: the kernel's own phases
(input conversion; exact logits and values; the n^2 Arb exponentials with their rounding
to a common grid; the exact weighted sums; the n d divisions; writing the integers out),
python-flint turning those integers into n d ``arb`` objects, and the rest (Python:
argument checks, dispatch).  Each part is also given as a multiple of float64's whole
head at that n, which says how far the target of 30x can be reached by each part.

    python benchmarks/bench_arb_scaling.py [--ns 8,32,128,512] [--d 64] [--dps 100]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import gc  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from symbound.numeric import ArbBackend, Head, attention_head  # noqa: E402
from symbound.numeric.backends import arb as arb_module  # noqa: E402

_PAIRS = {8: 31, 32: 21, 128: 9, 512: 3}


def _clock(f) -> float:
    """Seconds of one call of ``f``; its result is freed after the clock stops."""
    t0 = time.perf_counter()
    out = f()
    elapsed = time.perf_counter() - t0
    del out
    return elapsed


def pairs(slow, fast, count: int, block: int) -> tuple[list[float], list[float]]:
    """``count`` back-to-back pairs: one ``slow`` call, then the median of ``block``
    ``fast`` calls; the garbage collector off while timing (as timeit does)."""
    t_slow, t_fast = [], []
    gc.collect()
    gc.disable()
    try:
        for _ in range(count):
            t_slow.append(_clock(slow))
            t_fast.append(statistics.median(_clock(fast) for _ in range(block)))
    finally:
        gc.enable()
    return t_slow, t_fast


def problem(n: int, d: int, seed: int) -> tuple[np.ndarray, Head]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    w_q, w_k, w_v = (rng.standard_normal((d, d)) / 4 for _ in range(3))
    return x, Head(W_Q=w_q, W_K=w_k, W_V=w_v)


def exponent(ns, times) -> float:
    """k in time ~ n^k, least squares on the logarithms."""
    return float(np.polyfit(np.log(ns), np.log(times), 1)[0])


class _Timed:
    """The kernel module and the ball rebuilding of ``arb_module``, timed in place (so that
    every part of the breakdown comes from the same head call)."""

    def __init__(self):
        self.kernel, self.rebuild = arb_module._arbkernel, arb_module._balls_on_grid
        self.MAX_PREC = self.kernel.MAX_PREC
        self.times: dict[str, float] = {}

    def head(self, *args):
        t0 = time.perf_counter()
        found = self.kernel.head(*args)
        self.times["call"] = time.perf_counter() - t0
        return found

    def balls(self, *args):
        t0 = time.perf_counter()
        out = self.rebuild(*args)
        self.times["rebuild"] = time.perf_counter() - t0
        return out

    def __enter__(self):
        arb_module._arbkernel, arb_module._balls_on_grid = self, self.balls
        return self

    def __exit__(self, *exc):
        arb_module._arbkernel, arb_module._balls_on_grid = self.kernel, self.rebuild


def breakdown(x, head, arb: ArbBackend, f64_time: float, repeat: int) -> None:
    """Median seconds of each part of the Arb head (see the module notes)."""
    n, v = x.shape[0], head.W_V.shape[1]
    rows: dict[str, list[float]] = {}
    gc.collect()
    gc.disable()
    try:
        with _Timed() as timed:
            for _ in range(repeat):
                total = _clock(lambda: attention_head(x, head, backend=arb))
                phases = timed.kernel.phases()
                for name, t in phases.items():
                    rows.setdefault(f"kernel: {name}", []).append(t)
                call, rebuild = timed.times["call"], timed.times["rebuild"]
                rows.setdefault("kernel: call, arguments", []).append(call - sum(phases.values()))
                rows.setdefault("python-flint: n d integers to arb balls", []).append(rebuild)
                rows.setdefault("Python: checks, dispatch", []).append(total - call - rebuild)
                rows.setdefault("total", []).append(total)
    finally:
        gc.enable()
    print(f"where the Arb head's time goes at n={n}, d={x.shape[1]} (medians of {repeat}):")
    for name, ts in rows.items():
        t = statistics.median(ts)
        note = ""
        if name == "kernel: exp":
            note = f"  ({n * n} exponentials, {t / (n * n) * 1e6:.2f} us each with rounding)"
        elif name.startswith("python-flint"):
            note = f"  ({n * v} balls, {t / (n * v) * 1e6:.2f} us each)"
        print(f"  {name:42s} {t * 1e3:9.3f} ms  {t / f64_time:7.1f}x float64's head{note}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ns", default="8,32,128,512", help="token counts, comma-separated")
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--dps", type=int, default=100)
    ap.add_argument("--block", type=int, default=5, help="float64 calls per pair")
    ap.add_argument("--breakdown", default="32,512", help="sizes to break down ('' for none)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    ns = [int(s) for s in args.ns.split(",")]
    # 100 digits = 333 bits; the next multiple of 16 (as benchmarks/bench_attention.py)
    arb = ArbBackend(prec=-(-int(args.dps * 3.3219280948873626 + 1) // 16) * 16)
    path = f"compiled kernel (Arb {arb_module.COMPILED})" if arb_module.COMPILED else "python-flint"
    threads = os.environ["OPENBLAS_NUM_THREADS"]
    print(f"one head, d={args.d}, {args.dps} digits ({arb.prec} bits), Arb head: {path}")
    print(f"float64: NumPy, BLAS threads {threads}; {args.block} float64 calls per pair")
    print(f"{'n':>5s} {'Arb ms':>10s} {'float64 ms':>11s} {'ratio':>8s}  range of pair ratios")
    arb_med, f64_med = [], []
    for n in ns:
        x, head = problem(n, args.d, args.seed)
        balls = attention_head(x, head, backend=arb)  # warm both, and check one result
        ref = attention_head(x, head)
        mids = np.array([float(b.mid()) for b in balls.ravel()]).reshape(ref.shape)
        assert all(b.is_finite() for b in balls.ravel()) and np.allclose(mids, ref, atol=1e-9)
        t_arb, t_f64 = pairs(
            lambda x=x, h=head: attention_head(x, h, backend=arb),
            lambda x=x, h=head: attention_head(x, h),
            _PAIRS.get(n, 5),
            args.block,
        )
        ratios = [a / f for a, f in zip(t_arb, t_f64, strict=True)]
        arb_med.append(statistics.median(t_arb))
        f64_med.append(statistics.median(t_f64))
        print(
            f"{n:5d} {arb_med[-1] * 1e3:10.3f} {f64_med[-1] * 1e3:11.4f}"
            f" {statistics.median(ratios):7.1f}x  {min(ratios):.1f}-{max(ratios):.1f}"
            f" ({len(ratios)} pairs)"
        )
    if len(ns) > 1:
        print(
            f"scaling time ~ n^k: Arb k = {exponent(ns, arb_med):.2f},"
            f" float64 k = {exponent(ns, f64_med):.2f}"
            f" (least squares over n = {', '.join(map(str, ns))})"
        )
    for n in (int(s) for s in args.breakdown.split(",") if s):
        if not arb_module.COMPILED:
            print("breakdown: the compiled kernel is not built")
            break
        x, head = problem(n, args.d, args.seed)
        if n in ns:  # float64's median from the pairs above
            f64 = f64_med[ns.index(n)]
        else:
            f64 = statistics.median(
                _clock(lambda x=x, h=head: attention_head(x, h)) for _ in range(21)
            )
        breakdown(x, head, arb, f64, 9 if n <= 128 else 3)


if __name__ == "__main__":
    main()

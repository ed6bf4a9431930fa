"""``symbound check``: search for counterexamples; refute with exact witnesses or report
tightness (catalogue claims and experiments, or claims of one's own)."""

from __future__ import annotations

import json
import sys
import time

from symbound.cli.claims import add_claim_arguments, user_claims
from symbound.cli.errors import EXIT_OK, EXIT_REFUTED, UsageExit
from symbound.lemmas.catalogue import Kind
from symbound.parse import int_in

__all__ = ["NAME", "register", "run"]

NAME = "check"
#: The kinds of catalogue entry it takes.
TAKES = (Kind.CLAIM, Kind.EXPERIMENT)


def register(subparsers):
    """The ``check`` command and its arguments."""
    p = subparsers.add_parser(
        "check",
        help="search for counterexamples; refute with exact witnesses or report tightness",
    )
    p.add_argument(
        "keys", nargs="*", metavar="KEY", help="claims and experiments (see 'symbound list')"
    )
    p.add_argument("--all", action="store_true", help="every claim and experiment")
    add_claim_arguments(p)
    p.add_argument("--seed", type=int_in(0, 2**63 - 1), default=0, help="random seed (default 0)")
    p.add_argument(
        "--samples", type=int_in(1, 10**7), default=2000, help="float64 samples (default 2000)"
    )
    p.add_argument(
        "--dps",
        type=int_in(16, 5000),
        default=50,
        help="digits of the high-precision stage (default 50)",
    )
    p.add_argument("--starts", type=int_in(0, 1000), default=4, help="optimiser runs (default 4)")
    p.add_argument(
        "--jobs",
        type=int_in(1, 256),
        default=1,
        help="worker processes (default 1): claims checked at once, or one claim's "
        "Nelder-Mead runs; the results are the same",
    )
    p.add_argument(
        "--first",
        action="store_true",
        help="stop at the first confirmed witness among the samples (not shrunk, no "
        "tightness report); otherwise the full search",
    )
    p.add_argument("--json", action="store_true", help="print JSON (deterministic)")
    return p


def run(args) -> int:
    """Check the claims and run the experiments named; 1 if any is refuted."""
    from symbound import __version__
    from symbound.check.checker import check, check_many
    from symbound.lemmas.catalogue import load_catalogue
    from symbound.lemmas.experiment import run_experiment
    from symbound.parallel import process_pool

    own = user_claims(args)
    if own and args.all:
        raise UsageExit("symbound check: error: --all is the catalogue; not with --claim/--file")
    if own and args.claim is not None and args.keys:
        raise UsageExit("symbound check: error: a typed --claim takes no KEYs (use --key)")
    if args.all and args.keys:
        raise UsageExit("symbound check: error: give KEYs or --all, not both")
    if not own and not args.all and not args.keys:
        raise UsageExit(
            "symbound check: error: name at least one KEY, or --all (see 'symbound list'), "
            "or --claim TEXT, or --file CLAIMS.toml"
        )
    if own:
        by_key = {lemma.key: lemma for lemma in own}
        missing = [k for k in args.keys if k not in by_key]
        if missing:
            raise UsageExit(
                f"symbound check: error: no claim {missing[0]!r} in {args.file}; it has "
                + ", ".join(by_key)
            )
        lemmas, experiments = [by_key[k] for k in args.keys] or own, []
        cat = by_key
    else:
        cat = load_catalogue()
        if args.all:
            lemmas, experiments = list(cat.values()), list(cat.experiments.values())
        else:
            entries = [cat.entry(k, TAKES, command="'symbound check'") for k in args.keys]
            lemmas = [e for e in entries if cat.kind_of(e.key) is Kind.CLAIM]
            experiments = [e for e in entries if cat.kind_of(e.key) is Kind.EXPERIMENT]
    t0 = time.perf_counter()
    options = {"seed": args.seed, "samples": args.samples, "dps": args.dps, "starts": args.starts}
    if args.first:
        options["first"] = True
    if len(lemmas) == 1:  # one claim: the workers run its Nelder-Mead starts
        results = [check(lemmas[0], jobs=args.jobs, **options)]
    else:
        executor = process_pool(args.jobs)
        try:
            results = check_many(lemmas, executor=executor, **options)
        finally:
            if executor is not None:
                executor.shutdown()
    runs = [run_experiment(e, seed=args.seed, dps=args.dps) for e in experiments]
    elapsed = time.perf_counter() - t0
    if args.json:
        doc = {
            "symbound": __version__,
            "results": [r.to_dict() for r in results],
            "experiments": [r.to_dict() for r in runs],
        }
        print(json.dumps(doc, indent=2, sort_keys=True))
    elif len(results) == 1 and not runs:
        print(results[0].summary())
    else:
        if results:
            print(_summary_table(results, cat))
        for r in runs:
            print(f"{r.key}: {r.verdict.upper()}\n  {r.summary}")
    failed = sum(r.refuted for r in results) + sum(not r.reproduced for r in runs)
    print(f"checked {len(results) + len(runs)} entries in {elapsed:.2f} s", file=sys.stderr)
    return EXIT_REFUTED if failed else EXIT_OK


def _summary_table(results, cat) -> str:
    rows = [("claim", "form", "verdict", "evidence")]
    for r in results:
        lemma = cat[r.key]
        if r.witness is not None:
            w = r.witness
            evidence = f"witness {w.describe()}: {w.lhs} > {w.rhs}"
        else:
            evidence = r.tightness
        rows.append((r.key, lemma.form.value, r.verdict.value, evidence))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for j, row in enumerate(rows):
        lines.append("  ".join(f"{row[i]:<{widths[i]}}" for i in range(3)) + "  " + row[3])
        if j == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 8)
    counts = {
        v: sum(r.verdict.value == v for r in results)
        for v in ("refuted", "survived", "inconclusive")
    }
    lines.append("")
    lines.append(", ".join(f"{n} {v}" for v, n in counts.items()))
    return "\n".join(lines)

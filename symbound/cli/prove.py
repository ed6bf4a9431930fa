"""``symbound prove``: prove a scalar claim over a box (branch and bound in Arb), with a
certificate."""

from __future__ import annotations

import json
import sys

from symbound.cli.errors import EXIT_INCONCLUSIVE, EXIT_OK, EXIT_REFUTED, UsageExit
from symbound.lemmas.catalogue import Kind
from symbound.parse import int_in

__all__ = ["NAME", "register", "run"]

NAME = "prove"
#: The kinds of catalogue entry it takes.
TAKES = (Kind.SCALAR,)


def register(subparsers):
    """The ``prove`` command and its arguments."""
    p = subparsers.add_parser(
        "prove",
        help="prove a scalar claim over a box (branch and bound in Arb), with a certificate",
    )
    p.add_argument("keys", nargs="*", metavar="KEY", help="scalar claims (see 'symbound list')")
    p.add_argument("--all", action="store_true", help="every scalar claim of the catalogue")
    p.add_argument("--claim", help="a claim typed as 'LHS <= RHS' in the notation's symbols")
    p.add_argument(
        "--box",
        action="append",
        default=[],
        metavar="NAME=LO..HI",
        help="a parameter range for --claim, exact (eta=0..1/10); repeat for each parameter",
    )
    p.add_argument(
        "--integer",
        action="append",
        default=None,
        metavar="NAME",
        help="a parameter taking integer values only (default: H, L, n, d when boxed)",
    )
    p.add_argument("--prec", type=int_in(32, 4096), default=128, help="Arb bits (128)")
    p.add_argument(
        "--max-boxes",
        type=int_in(1, 200_000),
        default=None,
        help="box budget (default 20000; the proof tree is kept in memory, ~1.2 kB a box)",
    )
    p.add_argument("--no-reduce", action="store_true", help="no symbolic reductions")
    p.add_argument(
        "--cert", metavar="PATH", help="write the certificate (one claim) or a folder of them"
    )
    p.add_argument("--json", action="store_true", help="print the certificates as JSON")
    return p


def _claims_to_prove(args):
    """(key or None, lhs, rhs, box, budget) for each claim named on the command line."""
    from symbound.lemmas.catalogue import load_catalogue
    from symbound.parse import parse_bound
    from symbound.prove.claim import Box

    if args.claim is not None:
        if args.keys or args.all:
            raise UsageExit("symbound prove: error: give KEYs, --all or --claim, not several")
        if not args.box:
            raise UsageExit(
                "symbound prove: error: --claim needs a --box NAME=LO..HI per parameter"
            )
        left, sep, right = args.claim.partition("<=")
        if not sep or "<=" in right:
            raise UsageExit(f"symbound prove: error: a claim is 'LHS <= RHS', got {args.claim!r}")
        box = Box.parse(args.box, args.integer)
        import sympy as sp

        extra = {name: sp.Symbol(name, real=True) for name in box.names}
        lhs, rhs = parse_bound(left, extra), parse_bound(right, extra)
        free = {s.name for s in (lhs - rhs).free_symbols} - set(box.names)
        if free:
            raise UsageExit(f"symbound prove: error: no --box range for {', '.join(sorted(free))}")
        return [(None, lhs, rhs, box, 20_000)]
    if args.box or args.integer:
        raise UsageExit("symbound prove: error: --box and --integer go with --claim")
    cat = load_catalogue()
    if args.all and args.keys:
        raise UsageExit("symbound prove: error: give KEYs or --all, not both")
    if args.all:
        chosen = list(cat.scalars.values())
    elif args.keys:
        chosen = [cat.entry(key, TAKES, command="'symbound prove'") for key in args.keys]
    else:
        raise UsageExit("symbound prove: error: name a KEY, --all, or --claim 'LHS <= RHS'")
    return [(c.key, c.lhs, c.rhs, c.box, c.budget) for c in chosen]


def run(args) -> int:
    """Prove each claim named; 1 if one is refuted, else 3 if one is inconclusive."""
    from pathlib import Path

    from symbound import __version__
    from symbound.io import atomic_write, check_output_file
    from symbound.prove.prover import prove

    todo = _claims_to_prove(args)
    paths = []
    if args.cert:  # where the certificates go is checked before anything is proved
        target = Path(args.cert)
        if len(todo) > 1 and target.suffix == ".json":
            raise UsageExit("symbound prove: error: several claims: --cert takes a folder")
        if len(todo) == 1 and target.suffix == ".json":
            paths = [target]
        else:
            if target.exists() and not target.is_dir():
                raise UsageExit(f"symbound prove: error: --cert: {target} is a file, not a folder")
            paths = [target / f"{key or 'claim'}.json" for key, *_ in todo]
        for path in paths:
            check_output_file(path)
    proofs = []
    for key, lhs, rhs, box, budget in todo:
        proof = prove(
            lhs,
            rhs,
            box,
            key=key,
            prec=args.prec,
            max_boxes=args.max_boxes or budget,
            reduce=not args.no_reduce,
        )
        proofs.append(proof)
        if not args.json:
            print(proof.summary())
        print(f"{key or 'claim'}: {proof.verdict} in {proof.elapsed * 1e3:.1f} ms", file=sys.stderr)
    docs = [p.to_json(__version__) for p in proofs]
    if args.cert:
        texts = [json.dumps(d, indent=1, sort_keys=True) + "\n" for d in docs]
        for path, text in zip(paths, texts, strict=True):
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, text)
        print(f"wrote {len(paths)} certificate(s): {', '.join(map(str, paths))}", file=sys.stderr)
    if args.json:
        print(json.dumps(docs[0] if len(docs) == 1 else docs, indent=1, sort_keys=True))
    verdicts = {p.verdict for p in proofs}
    if "refuted" in verdicts:
        return EXIT_REFUTED
    return EXIT_INCONCLUSIVE if "inconclusive" in verdicts else EXIT_OK

"""``symbound repair``: the tight constant or the hypothesis a refuted claim needs, certified
from both sides (catalogue claims, claims of one's own, scalar claims over a box).

Exit status: 0 a repair found and its repaired claim checked (survived, or proved); 1
no repair of the kind asked applies (a structural fault, a ratio that needs a
hypothesis, no threshold); 2 bad usage, or nothing to repair (the claim survived its
check: one line with its slack); 3 inconclusive (a bracket not closed, or the repaired
claim not surviving its own check)."""

from __future__ import annotations

import sys

from symbound.cli.claims import add_claim_arguments, user_claims
from symbound.cli.errors import UsageExit
from symbound.parse import int_in

__all__ = ["NAME", "register", "run"]

NAME = "repair"


def register(subparsers):
    """The ``repair`` command and its arguments."""
    p = subparsers.add_parser(
        "repair",
        help="the tight constant or the hypothesis a refuted claim needs, certified from both "
        "sides",
    )
    p.add_argument("key", nargs="?", metavar="KEY", help="a claim or scalar claim of the catalogue")
    add_claim_arguments(p)
    p.add_argument(
        "--box",
        action="append",
        default=[],
        metavar="NAME=LO..HI",
        help="with --claim 'LHS <= RHS': a scalar claim over a box, repaired with the prover",
    )
    p.add_argument(
        "--constant", metavar="NAME", help="the symbol of the bound to bracket (default: its "
        "leading numeric factor)",
    )  # fmt: skip
    p.add_argument(
        "--parameter",
        metavar="NAME|EXPR",
        help="find the threshold of this parameter, or of an expression such as 2*H*eps",
    )
    p.add_argument("--seed", type=int_in(0, 2**63 - 1), default=0, help="random seed (default 0)")
    p.add_argument(
        "--samples",
        type=int_in(1, 10**6),
        default=1000,
        help="float64 samples of the first search (default 1000; later searches take fewer)",
    )
    p.add_argument(
        "--dps", type=int_in(16, 5000), default=50, help="digits of the high-precision stage (50)"
    )
    p.add_argument(
        "--jobs",
        type=int_in(1, 256),
        default=None,
        help="processes for the searches that do not wait on each other (default: the cores; "
        "the result is the same for any number)",
    )
    p.add_argument("--json", action="store_true", help="print JSON (deterministic)")
    return p


def _scalar_claim(args):
    """The scalar claim typed with --claim 'LHS <= RHS' and --box."""
    from symbound.lemmas.model import Citation, Form, Provenance
    from symbound.prove.claim import Box, ScalarClaim, parse_claim

    left, sep, right = args.claim.partition("<=")
    if not sep or "<=" in right:
        raise UsageExit(f"symbound repair: error: a claim is 'LHS <= RHS', got {args.claim!r}")
    typed = args.given or args.matrix or args.vector or args.tensor or args.domain or args.param
    if typed or args.size or args.file:
        raise UsageExit(
            "symbound repair: error: --box makes --claim a scalar claim; it takes no "
            "--given, --matrix, --param, --size or --file"
        )
    specs = list(args.box)
    if args.constant and all(b.partition("=")[0].strip() != args.constant for b in specs):
        specs.append(f"{args.constant}=1..1")  # the constant is bracketed, not ranged over
    box = Box.parse(specs)
    lhs, rhs = parse_claim(left, box), parse_claim(right, box)
    free = {s.name for s in (lhs - rhs).free_symbols} - set(box.names)
    if free:
        raise UsageExit(f"symbound repair: error: no --box range for {', '.join(sorted(free))}")
    key = args.claim_key
    return ScalarClaim(
        key=key, title=key, citation=Citation("your own statement", key, primary=True),
        provenance=Provenance.USER, form=Form.AS_STATED, lhs=lhs, rhs=rhs, box=box,
    )  # fmt: skip


def _target(args):
    if args.box:
        if args.claim is None:
            raise UsageExit("symbound repair: error: --box goes with --claim 'LHS <= RHS'")
        if args.key is not None:
            raise UsageExit("symbound repair: error: a typed --claim takes no KEY (use --key)")
        return _scalar_claim(args)
    own = user_claims(args)
    if own:
        if args.claim is not None and args.key is not None:
            raise UsageExit("symbound repair: error: a typed --claim takes no KEY (use --key)")
        chosen = [c for c in own if args.key in (None, c.key)]
        if len(chosen) != 1:
            keys = ", ".join(c.key for c in own)
            what = f"no claim {args.key!r}" if args.key else "several claims"
            raise UsageExit(
                f"symbound repair: error: {what} in {args.file}; name one KEY of: {keys}"
            )
        return chosen[0]
    if args.key is None:
        raise UsageExit(
            "symbound repair: error: name a KEY (see 'symbound list'), or --claim TEXT, or "
            "--file CLAIMS.toml"
        )
    return args.key


def run(args) -> int:
    """Repair the claim named; the exit status says what was found (module notes)."""
    from symbound.parallel import cores
    from symbound.repair import repair

    target = _target(args)
    result = repair(
        target,
        constant=args.constant,
        parameter=args.parameter,
        seed=args.seed,
        samples=args.samples,
        dps=args.dps,
        jobs=args.jobs or cores(),
    )
    if args.json:
        print(result.to_json())
    if result.outcome == "nothing to repair":
        slack = f"; {result.evidence[0]}" if result.evidence else ""
        searched = f" ({result.checks[0].searched})" if result.checks else ""
        print(
            f"symbound repair: {result.key} survived its check{searched}: nothing to repair"
            + slack,
            file=sys.stderr,
        )
        return result.exit_code
    if not args.json:
        print(result.summary())
    print(f"repair of {result.key}: {result.outcome} in {result.elapsed:.2f} s", file=sys.stderr)
    return result.exit_code

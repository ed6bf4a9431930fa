"""A claim of one's own on the command line (``--claim TEXT --given ...`` or ``--file``),
for ``show`` and ``check``."""

from __future__ import annotations

from symbound.cli.errors import UsageExit

__all__ = ["add_claim_arguments", "user_claims"]


def add_claim_arguments(p) -> None:
    """A claim of one's own, typed on the command line or read from a claims file."""
    g = p.add_argument_group("a claim of your own (see 'Check a lemma of your own' in the README)")
    g.add_argument("--claim", metavar="TEXT", help="the conclusion, e.g. \"norm(X, 'row') <= eta\"")
    g.add_argument("--given", action="append", default=[], metavar="TEXT", help="a hypothesis")
    for kind, example in (("matrix", "A=n,d"), ("vector", "x=n"), ("tensor", "V=L,H,d,d")):
        g.add_argument(
            f"--{kind}", action="append", default=[], metavar=example, help=f"declare a {kind}"
        )
    g.add_argument(
        "--domain",
        action="append",
        default=[],
        metavar="P=row-stochastic",
        help="a variable's set: row-stochastic, diagonal or nonnegative",
    )
    g.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="t=0..4",
        help="a real parameter's range: lo..hi (open), [lo, hi] (closed), lo..",
    )
    g.add_argument(
        "--size",
        action="append",
        default=[],
        metavar="n=2..6",
        help="the range a size is searched in (defaults: n 2..6, d 1..3, H and L 1..2)",
    )
    g.add_argument(
        "--key", dest="claim_key", default="claim", help="the typed claim's key (default claim)"
    )
    g.add_argument("--file", metavar="CLAIMS.toml", help="the claims of a TOML claims file")


def _pairs(values, option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageExit(f"symbound: error: {option} takes NAME=VALUE, got {item!r}")
        if name.strip() in out:
            raise UsageExit(f"symbound: error: {option} {name.strip()} is given twice")
        out[name.strip()] = value.strip()
    return out


def user_claims(args) -> list:
    """The claims of ``--claim ...`` or ``--file``, in order (empty if neither)."""
    typed = args.given or args.matrix or args.vector or args.tensor or args.domain or args.param
    if args.claim is None and args.file is None:
        if typed or args.size:
            raise UsageExit("symbound: error: --given, --matrix, --param, ... go with --claim TEXT")
        return []
    if args.claim is not None and args.file is not None:
        raise UsageExit("symbound: error: give --claim or --file, not both")
    if args.file is not None:
        from symbound.claims.files import load_claims

        if typed or args.size:
            raise UsageExit("symbound: error: declarations go in the claims file with --file")
        return load_claims(args.file)
    from symbound.claims.files import claim_from_text

    return [
        claim_from_text(
            args.claim_key,
            then=args.claim,
            given=args.given,
            matrices=_pairs(args.matrix, "--matrix"),
            vectors=_pairs(args.vector, "--vector"),
            tensors=_pairs(args.tensor, "--tensor"),
            domains=_pairs(args.domain, "--domain"),
            parameters=_pairs(args.param, "--param"),
            sizes=_pairs(args.size, "--size"),
        )
    ]

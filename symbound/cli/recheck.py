"""``symbound recheck``: re-verify certificates independently (exact rational intervals)."""

from __future__ import annotations

from symbound.cli.errors import EXIT_INCONCLUSIVE, EXIT_OK, EXIT_REFUTED, EXIT_REJECTED

__all__ = ["NAME", "register", "run"]

NAME = "recheck"


def register(subparsers):
    """The ``recheck`` command and its arguments."""
    p = subparsers.add_parser(
        "recheck", help="re-verify certificates independently (exact rational intervals)"
    )
    p.add_argument("certs", nargs="+", metavar="CERT", help="certificate JSON files")
    return p


def run(args) -> int:
    """Re-check each certificate; the worst outcome decides the exit code."""
    from symbound.prove.recheck import recheck_file

    # the worst outcome decides: a rejected certificate, then nothing proved, then a
    # re-confirmed refutation; 0 only when every certificate is a re-verified proof
    codes = {"proved": EXIT_OK, "refuted": EXIT_REFUTED, "unverified": EXIT_INCONCLUSIVE}
    labels = {"proved": "OK", "refuted": "REFUTED", "unverified": "NOT A PROOF"}
    rank = [EXIT_OK, EXIT_REFUTED, EXIT_INCONCLUSIVE, EXIT_REJECTED]
    worst = EXIT_OK
    for path in args.certs:
        result = recheck_file(path)
        label = labels.get(result.status, "REJECTED")
        print(f"{path}: {label} ({result.status}; the certificate says {result.verdict}): "
              f"{result.message}")  # fmt: skip
        code = codes.get(result.status, EXIT_REJECTED)
        worst = max(worst, code, key=rank.index)
    return worst

"""The ``symbound`` command line.

::

    symbound list                       one line per catalogue entry
    symbound show KEY                   statement (text and LaTeX), hypotheses, citation
    symbound check KEY... | --all       search, refute with exact witnesses, tightness

Exit codes: 0 when nothing was refuted, 1 when a claim was refuted, 2 on bad usage
(one line on stderr saying what is wrong and what to do; no traceback).  Standard
output is deterministic for a given seed; timings go to standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from symbound.errors import SymboundError

__all__ = ["main"]

EXIT_OK, EXIT_REFUTED, EXIT_USAGE = 0, 1, 2


class _UsageExit(Exception):
    """Raised by the parser instead of printing a multi-line usage message."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        raise _UsageExit(f"{self.prog}: error: {message} (see '{self.prog} --help')")


def _int_in(lo: int, hi: int):
    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected an integer between {lo} and {hi}, got {text!r}"
            ) from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be between {lo} and {hi}, got {value}")
        return value

    return parse


def _parser() -> _Parser:
    from symbound import __version__

    p = _Parser(
        prog="symbound",
        description="Check, refute and tighten the bounds of attention-collapse theory.",
    )
    p.add_argument("--version", action="version", version=f"symbound {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    lst = sub.add_parser("list", help="list the catalogue, one line per claim")
    lst.add_argument("--json", action="store_true", help="print JSON")

    show = sub.add_parser("show", help="show one claim: statement, hypotheses, citation, LaTeX")
    show.add_argument("key", help="catalogue key (see 'symbound list')")

    chk = sub.add_parser(
        "check",
        help="search for counterexamples; refute with exact witnesses or report tightness",
    )
    chk.add_argument("keys", nargs="*", metavar="KEY", help="catalogue keys to check")
    chk.add_argument("--all", action="store_true", help="check every catalogue entry")
    chk.add_argument(
        "--seed", type=_int_in(0, 2**63 - 1), default=0, help="random seed (default 0)"
    )
    chk.add_argument(
        "--samples", type=_int_in(1, 10**7), default=2000, help="float64 samples (default 2000)"
    )
    chk.add_argument(
        "--dps",
        type=_int_in(16, 5000),
        default=50,
        help="digits of the high-precision stage (default 50)",
    )
    chk.add_argument(
        "--starts", type=_int_in(0, 1000), default=4, help="optimiser runs (default 4)"
    )
    chk.add_argument("--json", action="store_true", help="print JSON (deterministic)")
    return p


def _cmd_list(args) -> int:
    from symbound.lemmas.catalogue import load_catalogue

    cat = load_catalogue()
    if args.json:
        rows = [
            {
                "key": lemma.key,
                "title": lemma.title,
                "form": lemma.form.value,
                "corrects": lemma.corrects,
                "provenance": lemma.provenance.value,
            }
            for lemma in cat.values()
        ]
        print(json.dumps(rows, indent=2, sort_keys=True))
        return EXIT_OK
    width = max(len(k) for k in cat)
    for lemma in cat.values():
        form = lemma.form.value + (f" ({lemma.corrects})" if lemma.corrects else "")
        print(f"{lemma.key:<{width}}  {lemma.provenance.value:<20}  {form:<32}  {lemma.title}")
    return EXIT_OK


def _cmd_show(args) -> int:
    from symbound.lemmas.catalogue import load_catalogue
    from symbound.notation import domain_text, to_text
    from symbound.render.latex import render_lemma

    cat = load_catalogue()
    lemma = cat[args.key]
    lines = [
        f"{lemma.key} -- {lemma.title}",
        f"  form        {lemma.form.value}"
        + (f" (corrects {lemma.corrects})" if lemma.corrects else ""),
        f"  provenance  {lemma.provenance.value}",
        f"  source      {lemma.citation}",
        f"  statement   {lemma.statement_text}",
        "  hypotheses  " + ("; ".join(h.text for h in lemma.hypotheses) or "none"),
        f"  conclusion  {lemma.conclusion.text}",
        "  parameters  "
        + "; ".join(
            f"{to_text(p.symbol)} ∈ {domain_text(p.domain)} ({p.meaning})" for p in lemma.parameters
        ),
        f"  norm        {lemma.norm}",
        f"  instances   {lemma.space.description}",
    ]
    if lemma.tightness:
        lines.append(f"  tightness   {lemma.tightness}")
    if lemma.notes:
        lines.append(f"  notes       {lemma.notes}")
    corrections = cat.corrections_of(lemma.key)
    if corrections:
        lines.append("  corrected by " + ", ".join(c.key for c in corrections))
    lines.append("  LaTeX:")
    lines.extend("    " + line for line in render_lemma(lemma).rstrip("\n").splitlines())
    print("\n".join(lines))
    return EXIT_OK


def _cmd_check(args) -> int:
    from symbound import __version__
    from symbound.check.checker import check
    from symbound.lemmas.catalogue import load_catalogue

    if args.all and args.keys:
        raise _UsageExit("symbound check: error: give KEYs or --all, not both")
    if not args.all and not args.keys:
        raise _UsageExit(
            "symbound check: error: name at least one KEY, or --all (see 'symbound list')"
        )
    cat = load_catalogue()
    lemmas = list(cat.values()) if args.all else [cat[k] for k in args.keys]
    t0 = time.perf_counter()
    results = [
        check(lemma, seed=args.seed, samples=args.samples, dps=args.dps, starts=args.starts)
        for lemma in lemmas
    ]
    elapsed = time.perf_counter() - t0
    if args.json:
        doc = {"symbound": __version__, "results": [r.to_dict() for r in results]}
        print(json.dumps(doc, indent=2, sort_keys=True))
    elif len(results) == 1:
        print(results[0].summary())
    else:
        print(_summary_table(results, cat))
    refuted = sum(r.refuted for r in results)
    print(f"checked {len(results)} claim(s) in {elapsed:.2f} s", file=sys.stderr)
    return EXIT_REFUTED if refuted else EXIT_OK


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


_COMMANDS = {"list": _cmd_list, "show": _cmd_show, "check": _cmd_check}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    try:
        args = _parser().parse_args(argv)
        return _COMMANDS[args.command](args)
    except _UsageExit as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except SymboundError as exc:
        print(f"symbound: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("symbound: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

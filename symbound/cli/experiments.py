"""``symbound experiments``: a paper's layer-collapse studies alone (figures, LaTeX, JSON),
and the size flags ``appendix`` shares.

Small sizes by default; the flags make the sweeps bigger, and a progress bar shows on
a terminal.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from symbound.cli.errors import EXIT_OK, EXIT_REFUTED
from symbound.errors import UsageError
from symbound.parse import int_in

__all__ = ["NAME", "add_paper_argument", "add_size_arguments", "register", "run", "study_sizes"]

NAME = "experiments"


def _depths(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v, 10) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated depths like 1,2,4,8,16, got {text!r}"
        ) from None
    if not values or any(not 1 <= v <= 512 for v in values):
        raise argparse.ArgumentTypeError(f"depths must be between 1 and 512, got {text!r}")
    return values


def add_size_arguments(parser: argparse.ArgumentParser) -> None:
    """The size flags of the experiments (each overrides the derivation's default)."""
    g = parser.add_argument_group("layer-collapse experiments (default: small sizes)")
    g.add_argument("--instances", type=int_in(1, 1000), help="random networks per cell")
    g.add_argument("--tokens", dest="n", type=int_in(1, 256), help="tokens n per network")
    g.add_argument("--width", dest="d", type=int_in(1, 128), help="width d of every matrix")
    g.add_argument("--eta-points", type=int_in(1, 200), help="log-spaced values of eta")
    g.add_argument("--depths", type=_depths, help="depths of the distance sweep, e.g. 1,2,4,8")
    g.add_argument("--depth", type=int_in(1, 512), help="layers of the residual-ratio study")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")


def add_paper_argument(parser: argparse.ArgumentParser) -> None:
    """``--paper KEY``: which paper (a derivation module with an appendix)."""
    from symbound.lemmas.catalogue import BUILT_IN_PAPER

    parser.add_argument(
        "--paper",
        metavar="KEY",
        help=f"a paper: a derivation module that declares an APPENDIX (default {BUILT_IN_PAPER})",
    )


def study_sizes(args: argparse.Namespace) -> dict[str, Any]:
    """The size flags given on the command line, by study field."""
    names = ("instances", "n", "d", "eta_points", "depths", "depth")
    return {k: getattr(args, k) for k in names if getattr(args, k, None) is not None}


def register(subparsers):
    """The ``experiments`` command and its arguments."""
    p = subparsers.add_parser(
        "experiments",
        help="a paper's layer collapse measured on random networks against the proved "
        "bounds, and the residual ratio through depth (figures, LaTeX, JSON)",
    )
    p.add_argument("--out", default="experiments", help="output folder (default ./experiments)")
    add_paper_argument(p)
    p.add_argument("--seed", type=int_in(0, 2**63 - 1), default=0, help="random seed")
    p.add_argument(
        "--jobs",
        type=int_in(1, 256),
        default=None,
        help="worker processes (default: the number of cores)",
    )
    add_size_arguments(p)
    return p


def run(args: argparse.Namespace) -> int:
    """Run the paper's studies, print their summaries, write the files; 1 if one fails."""
    from pathlib import Path

    from symbound.empirical.report import SIGNATURE, experiment_files, run_study
    from symbound.empirical.spec import with_sizes
    from symbound.io import check_output_folder, write_folder
    from symbound.lemmas.catalogue import load_catalogue
    from symbound.parallel import Progress, process_pool
    from symbound.versions import versions

    check_output_folder(args.out, signature=SIGNATURE)  # before any computing
    cat = load_catalogue()
    paper = cat.paper(args.paper)
    studies = cat.appendices[paper].studies
    if not studies:
        raise UsageError(f"{paper} declares no layer-collapse studies")
    t0 = time.perf_counter()
    progress = Progress(False if args.no_progress else None)
    sizes = study_sizes(args)
    executor = process_pool(args.jobs)
    try:
        results = [
            run_study(with_sizes(s, sizes), seed=args.seed, executor=executor, progress=progress)
            for s in studies
        ]
    finally:
        if executor is not None:
            executor.shutdown()
    settings = {"seed": args.seed, "versions": versions()}
    paths = write_folder(experiment_files(results, settings), Path(args.out), signature=SIGNATURE)
    for r in results:
        print(r.summary())
    print(f"wrote {len(paths)} files to {args.out}", file=sys.stderr)
    print(f"ran in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return EXIT_OK if all(r.ok for r in results) else EXIT_REFUTED

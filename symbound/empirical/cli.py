"""Command-line glue for the layer-collapse experiments.

``symbound experiments`` runs the built-in paper's studies alone and writes their
section (``experiments.tex``, ``experiments.json``, ``figures/``); ``symbound
appendix`` takes the same size flags.  Small sizes by default; the flags make the
sweeps bigger, and a progress bar shows on a terminal.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from symbound.errors import UsageError
from symbound.parse import int_in

__all__ = ["add_size_arguments", "run_cli", "study_sizes"]


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


def study_sizes(args: argparse.Namespace) -> dict[str, Any]:
    """The size flags given on the command line, by study field."""
    names = ("instances", "n", "d", "eta_points", "depths", "depth")
    return {k: getattr(args, k) for k in names if getattr(args, k, None) is not None}


def run_cli(args: argparse.Namespace, executor) -> int:
    """``symbound experiments``: run the studies, print their summaries, write the files."""
    from pathlib import Path

    from symbound.empirical.report import SIGNATURE, experiment_files, run_study
    from symbound.empirical.spec import with_sizes
    from symbound.io import check_output_folder, write_folder
    from symbound.lemmas.catalogue import load_catalogue
    from symbound.parallel import Progress
    from symbound.versions import versions

    check_output_folder(args.out, signature=SIGNATURE)  # before any computing
    cat = load_catalogue()
    studies = [s for spec in cat.appendices.values() for s in spec.studies]
    if not studies:
        raise UsageError("no derivation module declares layer-collapse studies")
    t0 = time.perf_counter()
    progress = Progress(False if args.no_progress else None)
    sizes = study_sizes(args)
    results = [
        run_study(with_sizes(s, sizes), seed=args.seed, executor=executor, progress=progress)
        for s in studies
    ]
    settings = {"seed": args.seed, "versions": versions()}
    paths = write_folder(experiment_files(results, settings), Path(args.out), signature=SIGNATURE)
    for r in results:
        print(r.summary())
    print(f"wrote {len(paths)} files to {args.out}", file=sys.stderr)
    print(f"ran in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0 if all(r.ok for r in results) else 1

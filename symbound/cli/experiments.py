"""``symbound experiments``: the layer-collapse studies alone (figures, LaTeX, JSON), and
the size flags ``appendix`` shares."""

from __future__ import annotations

from symbound.empirical.cli import add_size_arguments, run_cli, study_sizes
from symbound.parse import int_in

__all__ = ["NAME", "add_size_arguments", "register", "run", "study_sizes"]

NAME = "experiments"


def register(subparsers):
    """The ``experiments`` command and its arguments."""
    p = subparsers.add_parser(
        "experiments",
        help="layer collapse measured on random networks against the proved bounds, and the "
        "residual ratio through depth (figures, LaTeX, JSON)",
    )
    p.add_argument("--out", default="experiments", help="output folder (default ./experiments)")
    p.add_argument("--seed", type=int_in(0, 2**63 - 1), default=0, help="random seed")
    p.add_argument(
        "--jobs",
        type=int_in(1, 256),
        default=None,
        help="worker processes (default: the number of cores)",
    )
    add_size_arguments(p)
    return p


def run(args) -> int:
    """Run the studies on a process pool of ``args.jobs`` workers; 1 if one fails."""
    from symbound.parallel import process_pool

    executor = process_pool(args.jobs)
    try:
        return run_cli(args, executor)
    finally:
        if executor is not None:
            executor.shutdown()

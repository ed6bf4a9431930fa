"""``symbound sweep``: one claim over many random instances (a float64 screen, the worst
confirmed rigorously), on a process pool or a Dask cluster."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from symbound.cli.errors import EXIT_OK, EXIT_REFUTED
from symbound.errors import UsageError
from symbound.lemmas.catalogue import Kind
from symbound.parse import int_in

__all__ = ["NAME", "add_arguments", "parse_sets", "register", "run"]

NAME = "sweep"
#: The kinds of catalogue entry it takes.
TAKES = (Kind.CLAIM,)


def register(subparsers):
    """The ``sweep`` command and its arguments (:func:`add_arguments`)."""
    p = subparsers.add_parser(
        "sweep",
        help="one claim over many random instances (float64 screen, the worst confirmed "
        "rigorously), on a process pool or a Dask cluster",
    )
    add_arguments(p)
    return p


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``sweep`` command's arguments (``symbound sweep KEY --set n=16 ...``).

    >>> p = argparse.ArgumentParser()
    >>> add_arguments(p)
    >>> a = p.parse_args(["as25.lemma4.1", "--set", "n=3", "--set", "d=1", "--jobs", "1"])
    >>> a.key, a.set, a.instances, a.jobs, a.scheduler
    ('as25.lemma4.1', ['n=3', 'd=1'], 1000, 1, None)
    """
    parser.add_argument("key", metavar="KEY", help="a claim (see 'symbound list')")
    parser.add_argument(
        "--instances",
        type=int_in(1, 10**8),
        default=1000,
        help="random instances (default 1000)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an integer size (n=16); repeat for each integer parameter",
    )
    parser.add_argument(
        "--seed", type=int_in(0, 2**63 - 1), default=0, help="random seed (default 0)"
    )
    parser.add_argument(
        "--confirm",
        type=int_in(1, 10**4),
        default=20,
        help="worst instances confirmed at high precision and rigorously (default 20)",
    )
    parser.add_argument(
        "--dps",
        type=int_in(16, 5000),
        default=50,
        help="digits of the high-precision stage (default 50)",
    )
    parser.add_argument(
        "--chunk",
        type=int_in(1, 10**6),
        default=50,
        help="instances per float64 task (default 50; part of the reproducible settings)",
    )
    parser.add_argument(
        "--jobs",
        type=int_in(1, 4096),
        default=None,
        help="worker processes (default: the number of cores; 1 runs in this process)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster: its scheduler's address (tcp://host:8786)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON (deterministic)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def parse_sets(pairs: Sequence[str]) -> dict[str, int]:
    """``["n=16", "d=8"]`` as ``{"n": 16, "d": 8}``; anything else is a :class:`UsageError`.

    >>> parse_sets(["n=16", " d = 8 "])
    {'n': 16, 'd': 8}
    """
    out: dict[str, int] = {}
    for pair in pairs:
        name, sep, value = (part.strip() for part in pair.partition("="))
        if not sep or not name or not value:
            raise UsageError(f"--set takes NAME=VALUE, got {pair!r}")
        try:
            out[name] = int(value, 10)
        except ValueError:
            raise UsageError(f"--set {name} needs an integer size, got {value!r}") from None
    return out


def _dask_client(address: str):
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(
            "--scheduler needs Dask's distributed scheduler: pip install 'dask[distributed]'"
        ) from None
    try:
        return Client(address, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise UsageError(f"cannot connect to the Dask scheduler at {address!r}: {reason}") from None


def run(args: argparse.Namespace) -> int:
    """Run a sweep from parsed :func:`add_arguments`; 0 unless refuted (then 1).

    The result goes to standard output (``--json``: deterministic JSON); the time
    and the progress bar go to standard error.
    """
    from symbound.check.sweep import sweep, validated_sizes
    from symbound.lemmas.catalogue import load_catalogue
    from symbound.parallel import cores

    if args.scheduler is not None and args.jobs is not None:
        raise UsageError("give --jobs or --scheduler, not both")
    lemma = load_catalogue().entry(args.key, TAKES, command="'symbound sweep'")
    sizes = validated_sizes(lemma, parse_sets(args.set))
    t0 = time.perf_counter()
    client = _dask_client(args.scheduler) if args.scheduler is not None else None
    try:
        result = sweep(
            lemma,
            sizes=sizes,
            instances=args.instances,
            seed=args.seed,
            confirm=args.confirm,
            dps=args.dps,
            chunk=args.chunk,
            jobs=args.jobs,
            executor=client.get_executor() if client is not None else None,
            progress=False if args.no_progress else None,
        )
    finally:
        if client is not None:
            client.close()
    print(result.to_json() if args.json else result.summary())
    where = f"on {args.scheduler}" if client is not None else f"with {args.jobs or cores()} job(s)"
    print(
        f"swept {args.instances} instances of {lemma.key} in {time.perf_counter() - t0:.2f} s "
        f"{where}",
        file=sys.stderr,
    )
    return EXIT_REFUTED if result.refuted else EXIT_OK

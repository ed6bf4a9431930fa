"""The ``symbound`` program: its parser, built from the command modules, and :func:`main`.

Each command is a module of :mod:`symbound.cli` with ``NAME``, ``register(subparsers)``
(its parser and arguments) and ``run(args) -> exit code``; :data:`COMMANDS` maps the
names to the ``run`` functions.  :func:`main` turns every failure into an exit code
that never reads as a verdict (see :mod:`symbound.cli.errors`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from symbound.cli import (
    appendix,
    audit,
    check,
    experiments,
    listing,
    prove,
    recheck,
    regime,
    repair,
    repl,
    show,
    sweep,
)
from symbound.cli.errors import EXIT_INTERNAL, EXIT_USAGE, Parser, UsageExit
from symbound.errors import SymboundError

__all__ = ["COMMANDS", "main", "parser"]

#: The command modules, in the order ``symbound --help`` lists them.
MODULES = (listing, show, check, regime, appendix, experiments, prove, recheck, audit, sweep, repl,
           repair)  # fmt: skip

#: Each command's ``run``, by name.
COMMANDS: dict[str, Callable] = {module.NAME: module.run for module in MODULES}


def parser() -> Parser:
    """The whole command line's parser (every command registered)."""
    from symbound import __version__

    p = Parser(
        prog="symbound",
        description="Check, refute and tighten the bounds of attention-collapse theory.",
    )
    p.add_argument("--version", action="version", version=f"symbound {__version__}")
    p.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for module in MODULES:
        module.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (see :mod:`symbound.cli.errors`)."""
    from concurrent.futures.process import BrokenProcessPool

    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # accepted anywhere on the line, not only before the command
    argv = [a for a in argv if a != "--debug"]
    try:
        args = parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except UsageExit as exc:
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

"""``symbound repl``: a Python console with symbound, the notation and the catalogue."""

from __future__ import annotations

from symbound.cli.errors import EXIT_OK

__all__ = ["NAME", "register", "run"]

NAME = "repl"


def register(subparsers):
    """The ``repl`` command (no arguments)."""
    return subparsers.add_parser(
        "repl", help="a Python console with symbound, the notation and the catalogue"
    )


def run(args) -> int:
    """Open the console."""
    from symbound.repl import run_console

    run_console()
    return EXIT_OK

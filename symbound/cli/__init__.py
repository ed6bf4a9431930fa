"""The ``symbound`` command line: one module per command.

::

    symbound list                       one line per catalogue entry, with its kind
    symbound show KEY                   any entry: statement (text and LaTeX), citation, ...
    symbound check KEY... | --all       search, refute with exact witnesses, tightness
    symbound regime KEY | --bound EXPR  certified largest eta with bound <= tau
    symbound appendix [--out DIR]       regenerate a paper's appendix (LaTeX + JSON)
    symbound experiments [--out DIR]    layer collapse measured against the bounds (+ figures)
    symbound prove KEY | --claim TEXT   prove a scalar claim over a box, with a certificate
    symbound recheck CERT...            re-verify certificates independently
    symbound audit [MODEL]              a real checkpoint against every depth bound
    symbound sweep KEY --set n=16 ...   one claim over many random instances
    symbound repl                       a Python console with the catalogue loaded

A new command is a module here with ``NAME``, ``register(subparsers)`` and
``run(args)``, listed in :data:`symbound.cli.app.MODULES`.  Exit codes, which scripts
can trust, are in :mod:`symbound.cli.errors`.  Standard output is deterministic for a
given seed; timings go to standard error.
"""

from symbound.cli.app import COMMANDS, main
from symbound.cli.errors import (
    EXIT_INCONCLUSIVE,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_REFUTED,
    EXIT_REJECTED,
    EXIT_USAGE,
)

__all__ = [
    "COMMANDS",
    "EXIT_INCONCLUSIVE",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_REFUTED",
    "EXIT_REJECTED",
    "EXIT_USAGE",
    "main",
]

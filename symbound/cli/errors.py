"""Exit codes and one-line usage errors: what every command of the command line shares.

====  =====================================================================
0     nothing was refuted (every proof or re-check verified); ``repair``: a repair
      found and checked
1     a claim was refuted (an exact witness), or an experiment did not reproduce;
      ``repair``: the claim stays refuted, no repair applies (a structural fault)
2     bad usage: one line on stderr saying what is wrong and what to do (``repair``
      of a claim that survives: nothing to repair)
3     inconclusive: a proof neither found nor refuted, a repair not certified
4     an internal error (a bug, a killed worker, no memory): one line; ``--debug``
      prints the traceback
5     ``recheck``: a certificate was rejected (it does not verify)
====  =====================================================================

A command reports bad usage by raising :class:`UsageExit` with its whole line (or
the engine's :class:`~symbound.errors.UsageError`, which :func:`symbound.cli.main`
prefixes with ``symbound: error:``); :class:`Parser` turns argparse's own errors into
the same one line.

>>> Parser(prog="symbound x").parse_args(["--nope"])
Traceback (most recent call last):
  ...
symbound.cli.errors.UsageExit: symbound x: error: unrecognized arguments: --nope (see ...)
"""

from __future__ import annotations

import argparse

__all__ = [
    "EXIT_INCONCLUSIVE",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_REFUTED",
    "EXIT_REJECTED",
    "EXIT_USAGE",
    "Parser",
    "UsageExit",
]

EXIT_OK, EXIT_REFUTED, EXIT_USAGE, EXIT_INCONCLUSIVE, EXIT_INTERNAL, EXIT_REJECTED = range(6)


class UsageExit(Exception):
    """Bad usage, with the one line to print (the command line exits with 2)."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and :class:`UsageExit`, not a usage dump."""

    def error(self, message: str):
        raise UsageExit(f"{self.prog}: error: {message} (see '{self.prog} --help')")

"""The exceptions symbound raises.

Every message states what was wrong and what to do about it, in one line, so the
CLI can print it as it is (exit code 2, no traceback).
"""

from __future__ import annotations

__all__ = [
    "InvalidLemmaError",
    "NotExactError",
    "SymboundError",
    "UnknownLemmaError",
    "UsageError",
]


class SymboundError(Exception):
    """Base class of every error symbound raises on purpose."""


class UsageError(SymboundError, ValueError):
    """An argument is malformed or out of its range."""


class UnknownLemmaError(SymboundError, LookupError):
    """No catalogue entry has the requested key.

    A ``LookupError`` rather than a ``KeyError``: ``str(KeyError(msg))`` wraps the
    message in quotes.
    """


class InvalidLemmaError(SymboundError, ValueError):
    """A lemma value is malformed (undeclared symbol, bad domain, duplicate key)."""


class NotExactError(SymboundError, ArithmeticError):
    """The exact rational backend met an operation whose result is not rational.

    The checker catches it and falls back to outward-rounded ball arithmetic.
    """

"""The backends by name: :data:`BACKENDS` and :func:`get_backend`.

A new backend is a module of this package with a subclass of
:class:`~symbound.numeric.backends.base.AbstractBackend`, listed here.
"""

from __future__ import annotations

from typing import Any

from symbound.errors import UsageError
from symbound.numeric.backends.arb import ArbBackend
from symbound.numeric.backends.base import AbstractBackend
from symbound.numeric.backends.exact import ExactBackend
from symbound.numeric.backends.float64 import Float64Backend
from symbound.numeric.backends.mpmath import MpmathBackend

__all__ = ["BACKENDS", "get_backend"]

#: Backend classes by name (dispatch through this mapping, not on strings).
BACKENDS: dict[str, type[AbstractBackend]] = {
    cls.name: cls for cls in (Float64Backend, MpmathBackend, ExactBackend, ArbBackend)
}


def get_backend(name: str, **options: Any) -> AbstractBackend:
    """A backend by name: ``float64``, ``mpmath`` (``dps=``), ``exact``, ``arb`` (``prec=``).

    >>> get_backend("mpmath", dps=40)
    MpmathBackend(dps=40)
    >>> get_backend("quad")
    Traceback (most recent call last):
      ...
    symbound.errors.UsageError: unknown backend 'quad'; choose one of arb, exact, float64, mpmath
    """
    try:
        cls = BACKENDS[name]
    except KeyError:
        raise UsageError(
            f"unknown backend {name!r}; choose one of {', '.join(sorted(BACKENDS))}"
        ) from None
    return cls(**options)

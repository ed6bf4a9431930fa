"""Versions of symbound and the libraries whose arithmetic a result depends on."""

from __future__ import annotations

import functools
import platform
from importlib import metadata

__all__ = ["versions"]

_PACKAGES = ("symbound", "numpy", "scipy", "sympy", "mpmath", "python-flint")


@functools.cache
def versions() -> dict[str, str]:
    """``{package: version}`` for Python and the numeric libraries (recorded in results)."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out

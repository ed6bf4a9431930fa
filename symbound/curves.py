r"""Symbolic bounds as curves: their values along the depth, for drawing, and their
asymptotic log-log slopes (SymPy limits).  Plain SymPy: nothing here is proved beyond
what SymPy's ``limit`` and ``evalf`` compute.

>>> from symbound.notation import L
>>> curve_values(sp.sqrt(L), L, [1, 4])
[1.0, 2.0]
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import sympy as sp

__all__ = ["curve_values", "slope_limit"]


@functools.lru_cache(maxsize=128)
def slope_limit(expr: sp.Expr, depth: sp.Symbol) -> sp.Expr | None:
    r""":math:`\lim_{L\to\infty} L\,\partial_L \log e(L)` (SymPy), the asymptotic log-log
    slope of ``expr``; ``None`` when ``expr`` has other symbols or no limit is found.

    >>> from symbound.notation import L
    >>> slope_limit(sp.LambertW(L / 20) / L, L), slope_limit(sp.sqrt(L) / L, L)
    (-1, -1/2)
    """
    if expr.free_symbols != {depth}:
        return None
    try:
        value = sp.limit(depth * sp.diff(sp.log(expr), depth), depth, sp.oo)
    except (NotImplementedError, ValueError, TypeError):
        return None
    return value if value.is_number and value.is_finite else None


def curve_values(expr: sp.Expr, depth: sp.Symbol, xs: Sequence[float]) -> list[float]:
    """``expr`` at each depth in ``xs`` (SymPy's evalf at 15 digits, for drawing), ``nan``
    where it is not a positive real number."""
    return list(_curve(expr, depth, tuple(float(x) for x in xs)))


@functools.lru_cache(maxsize=256)
def _curve(expr: sp.Expr, depth: sp.Symbol, xs: tuple[float, ...]) -> tuple[float, ...]:
    out = []
    for x in xs:
        value = expr.evalf(15, subs={depth: sp.Float(x, 15)})
        ok = value.is_number and value.is_real and value.is_positive
        out.append(float(value) if ok else math.nan)
    return tuple(out)

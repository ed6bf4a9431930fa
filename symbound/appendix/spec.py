"""What an appendix contains: data values a derivation module declares (``APPENDIX``).

The engine knows how to build and typeset each kind of table; which bounds, settings
and rows a paper's appendix shows is paper content, so it lives in ``derivations/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from symbound.compose import ComposedBound

__all__ = ["AppendixSpec", "RegimeTable", "ThresholdComparison"]


@dataclass(frozen=True)
class RegimeTable:
    r"""A grid of certified :math:`\eta_{\max}` brackets: ``rows`` values of L, ``cols`` of H."""

    key: str
    title: str
    caption: str
    bound: ComposedBound
    fixed: Mapping[str, Any]
    tau: sp.Rational
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    row_name: str = "L"
    col_name: str = "H"


@dataclass(frozen=True)
class ThresholdComparison:
    r"""Per row, a closed-form threshold on :math:`\eta` beside a certified :math:`\eta_{\max}`.

    ``threshold`` and ``tau`` are SymPy expressions in the row's symbols (``rows`` are
    dicts of their values); ``bound_values`` are the bound's other parameters.
    """

    key: str
    title: str
    caption: str
    rows: tuple[Mapping[str, int], ...]
    threshold_label: str
    threshold: sp.Expr
    bound: ComposedBound
    bound_values: Mapping[str, Any]
    tau: sp.Expr


@dataclass(frozen=True)
class AppendixSpec:
    """One paper's appendix: its claims (the module's lemmas), regime tables, comparison,
    and the layer-collapse experiments (:mod:`symbound.empirical.spec` values)."""

    paper: str
    title: str
    regime_tables: tuple[RegimeTable, ...]
    comparison: ThresholdComparison | None = None
    studies: tuple[Any, ...] = ()  # DistanceSweep and ResidualStudy values

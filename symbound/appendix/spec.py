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

__all__ = ["AppendixSpec", "RegimeTable", "RepairCase", "Scaling", "ThresholdComparison"]


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
class Scaling:
    r"""One reading of a comparison's set-up (e.g. the logit normalisation
    :math:`\beta`): its label, the closed-form threshold on :math:`\eta` it gives (an
    expression in the row's symbols) and the composed bound evaluated under it."""

    label: str
    threshold: sp.Expr
    bound: ComposedBound
    note: str = ""


@dataclass(frozen=True)
class ThresholdComparison:
    r"""Per row and per scaling, a closed-form threshold on :math:`\eta` beside a
    certified :math:`\eta_{\max}` of the scaling's bound.

    ``rows`` are dicts of the row's symbols; ``bound_values`` are the bounds' other
    parameters; ``tau`` is an expression in the row's symbols.  ``regime``, when given,
    is a condition on the row's symbols (a SymPy relation decided exactly, e.g.
    :math:`2^d \le n`) that marks the rows where the threshold's own hypothesis
    plausibly holds, described by ``regime_label``.
    """

    key: str
    title: str
    caption: str
    rows: tuple[Mapping[str, int], ...]
    threshold_label: str
    scalings: tuple[Scaling, ...]
    bound_values: Mapping[str, Any]
    tau: sp.Expr
    regime: sp.Basic | None = None
    regime_label: str = ""


@dataclass(frozen=True)
class RepairCase:
    """A refuted claim the appendix repairs (:func:`symbound.repair.repair`), with the
    arguments its repair needs, shown beside the corrections it is compared with.

    - ``key``: a claim of the paper, or the key of ``claim``: a further reading stated
      with the specification, which the catalogue does not hold (a Lemma that pickles:
      a claim of the claim language);
    - ``parameter``, ``constant``: the repair's own arguments (the parameter or
      expression whose threshold is sought; the symbol taken as the constant);
    - ``compare``: keys of corrections it is compared with besides those that name
      ``key`` (``corrects``), e.g. the correction of the statement a reading reads.
    """

    key: str
    parameter: str | None = None
    constant: str | None = None
    claim: Any = None
    compare: tuple[str, ...] = ()


@dataclass(frozen=True)
class AppendixSpec:
    """One paper's appendix: its claims (the module's lemmas, scalar claims and composed
    bounds), regime tables, comparison, the layer-collapse experiments
    (:mod:`symbound.empirical.spec` values), and the prior work it reports.

    ``prior`` names the derivation modules whose lemmas, experiments and remarks are
    its prior work (``"wu_2024"``); None: every source that declares no appendix of its
    own (another paper with an appendix is never another's prior work by default).

    ``repairs``: the refuted claims whose repair the section "What each refuted claim
    needs" shows, each with the arguments it needs (every other refuted claim of the
    paper has a row there too, saying it is not repaired here); empty: no such section.
    """

    paper: str
    title: str
    regime_tables: tuple[RegimeTable, ...]
    comparison: ThresholdComparison | None = None
    studies: tuple[Any, ...] = ()  # DistanceSweep and ResidualStudy values
    prior: tuple[str, ...] | None = None
    repairs: tuple[RepairCase, ...] = ()

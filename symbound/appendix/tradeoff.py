"""The trade-off section: per row, a closed-form threshold beside a certified bracket,
what the template receives (:func:`tradeoff_context`), the JSON beside it
(:func:`tradeoff_json`) and the conclusion computed from the rows
(:func:`tradeoff_summary`)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from symbound.appendix.build import AppendixData
from symbound.appendix.cells import floor_significant
from symbound.notation import to_latex
from symbound.render.tex import tex_escape, tex_key

__all__ = [
    "power_of_two",
    "summary_sentence",
    "tradeoff_context",
    "tradeoff_json",
    "tradeoff_summary",
]


def power_of_two(n_) -> str:
    """``n_`` as LaTeX: ``2^{k}`` for a power of two, else its digits."""
    if n_ and n_ & (n_ - 1) == 0:
        return f"2^{{{n_.bit_length() - 1}}}"
    return str(n_)


def tradeoff_summary(data: AppendixData) -> list[dict[str, Any]]:
    """Per scaling: how many rows got each verdict (all rows, and the rows inside the
    regime), and by what factor the threshold exceeds the bracket's upper end where it
    does -- what the trade-off section concludes, computed from its rows."""
    out = []
    for k, scaling in enumerate(data.spec.comparison.scalings):
        cells = [(row, row.cells[k]) for row in data.comparison]
        counts = {v: sum(c.verdict == v for _, c in cells) for v in ("yes", "no", "undecided")}
        inside = [c for row, c in cells if row.in_regime]
        factors = [Fraction(c.threshold_lo) / c.bracket.hi for _, c in cells if c.verdict == "no"]
        out.append(
            {
                "scaling": scaling.label,
                "rows": len(cells),
                "verdicts": counts,
                "rows_in_regime": len(inside),
                "verdicts_in_regime": {
                    v: sum(c.verdict == v for c in inside) for v in ("yes", "no", "undecided")
                },
                "threshold_over_hi": None
                if not factors
                else [floor_significant(min(factors), 3), floor_significant(max(factors), 3)],
            }
        )
    return out


def summary_sentence(summary: Mapping[str, Any]) -> str:
    """One scaling's :func:`tradeoff_summary` as a sentence."""
    v = summary["verdicts"]
    text = (
        f"{summary['scaling']}: no at {v['no']} of {summary['rows']} rows, yes at {v['yes']}, "
        f"undecided at {v['undecided']}"
    )
    if summary["rows_in_regime"]:
        w = summary["verdicts_in_regime"]
        marked = summary["rows_in_regime"]
        text += f" (of the {marked} marked rows: no at {w['no']}, yes at {w['yes']})"
    if summary["threshold_over_hi"]:
        lo, hi = summary["threshold_over_hi"]
        text += f"; where no, the threshold exceeds hi by a factor {lo} to {hi}"
    return text


def tradeoff_context(data: AppendixData) -> dict[str, Any]:
    """What the trade-off template receives."""
    spec = data.spec.comparison
    rows = []
    for row in data.comparison:
        rows.append(
            {
                "n": power_of_two(row.values.get("n")),
                "d": str(row.values.get("d")),
                "marked": bool(row.in_regime),
                "cells": [
                    {
                        "threshold": floor_significant(Fraction(c.threshold_lo)),
                        "collapse": floor_significant(c.bracket.lo),
                        "verdict": c.verdict,
                    }
                    for c in row.cells
                ],
            }
        )
    return {
        "title": tex_escape(spec.title),
        "caption": tex_escape(spec.caption),
        "label": spec.key,
        "threshold_label": tex_escape(spec.threshold_label),
        "scalings": [
            {
                "label": tex_escape(s.label),
                "threshold": to_latex(s.threshold),
                "note": tex_escape(s.note),
                "bound": tex_key(s.bound.key),
            }
            for s in spec.scalings
        ],
        "regime_label": tex_escape(spec.regime_label),
        "has_regime": spec.regime is not None,
        "rows": rows,
        "summary": [tex_escape(summary_sentence(x)) for x in tradeoff_summary(data)],
    }


def tradeoff_json(data: AppendixData, settings: Mapping[str, Any]) -> dict[str, Any]:
    spec = data.spec.comparison
    return {
        "settings": settings,
        "caption": spec.caption,
        "regime": None if spec.regime is None else str(spec.regime),
        "regime_label": spec.regime_label,
        "scalings": [
            {
                "label": s.label,
                "threshold": str(s.threshold),
                "note": s.note,
                "bound": s.bound.key,
                "bound_closed_form": str(s.bound.closed_form),
                "closed_form": s.bound.closed_form_proof.statement,
            }
            for s in spec.scalings
        ],
        "summary": tradeoff_summary(data),
        "rows": [
            {
                **{k: v for k, v in sorted(row.values.items())},
                "in_regime": row.in_regime,
                "cells": [
                    {
                        "scaling": c.scaling,
                        "threshold": [c.threshold_lo, c.threshold_hi],
                        "eta_max": c.bracket.to_dict(),
                        "bound_covers_every_eta_below_threshold": c.verdict,
                    }
                    for c in row.cells
                ],
            }
            for row in data.comparison
        ],
    }

"""The appendix's tables of claims, regimes, prior work and composed bounds: what each
template receives (``*_context``) and the JSON written beside it (``*_json``, a dict).

Each function reads :class:`~symbound.appendix.build.AppendixData` (or one part of it)
and returns plain values; :mod:`symbound.appendix.write` renders and writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from symbound.appendix.build import AppendixData, RegimeGrid
from symbound.appendix.cells import check_evidence, floor_significant, proof_evidence
from symbound.check.result import exact_string
from symbound.lemmas.model import Form
from symbound.notation import to_latex
from symbound.render.tex import tex_escape, tex_key

__all__ = [
    "claims_context",
    "claims_json",
    "composition_check",
    "composition_context",
    "composition_json",
    "prior_context",
    "prior_json",
    "regime_context",
    "regime_json",
]


def claims_context(data: AppendixData) -> dict[str, Any]:
    """The claims table: each statement, its corrections below it, the scalar claims."""
    rows = []
    for row in data.claims:
        lemma, result = row.lemma, row.result
        rows.append(
            {
                "key": tex_key(lemma.key),
                "title": tex_escape(lemma.title),
                "conclusion": lemma.conclusion.latex,
                "form": tex_escape(lemma.form.value),
                "provenance": tex_escape(lemma.provenance.value),
                "verdict": result.verdict.value,
                # a reading's verdict is about that reading, never about the paper
                "scope": "this reading" if lemma.form is Form.READING else "",
                "reading": tex_escape(lemma.reading_text),
                "evidence": tex_escape(check_evidence(result)),
                "correction": row.is_correction,
            }
        )
    for proof, claim in zip(data.proofs, data.scalar_claims, strict=True):
        rows.append(
            {
                "key": tex_key(claim.key),
                "title": tex_escape(claim.title),
                "conclusion": claim.latex + r",\ " + claim.box.latex,
                "form": tex_escape(claim.form.value),
                "provenance": tex_escape(claim.provenance.value),
                "verdict": proof.verdict,
                "scope": "",
                "reading": "",
                "evidence": tex_escape(proof_evidence(proof)),
                "correction": False,
            }
        )
    return {"rows": rows}


def claims_json(data: AppendixData, settings: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "settings": settings,
        "claims": [
            {
                "key": row.lemma.key,
                "form": row.lemma.form.value,
                "corrects": row.lemma.corrects,
                "provenance": row.lemma.provenance.value,
                "citation": str(row.lemma.citation),
                "reading": [{"topic": c.topic, "chosen": c.chosen} for c in row.lemma.reading],
                "statement": row.lemma.statement_text,
                "result": row.result.to_dict(),
            }
            for row in data.claims
        ],
        "scalar_claims": [
            {
                "key": proof.key,
                "statement": claim.text,
                "provenance": claim.provenance.value,
                "citation": str(claim.citation),
                "verdict": proof.verdict,
                "boxes": proof.search.boxes,
                "certificate": f"certificates/{proof.key}.json",
            }
            for proof, claim in zip(data.proofs, data.scalar_claims, strict=True)
        ],
    }


def regime_context(grid: RegimeGrid) -> dict[str, Any]:
    """A regime table: each cell the proved-feasible end of its bracket, rounded down."""
    spec = grid.spec
    body = []
    for L_ in spec.rows:
        body.append(
            {
                "label": str(L_),
                "cells": [floor_significant(grid.cells[L_, H_].lo) for H_ in spec.cols],
            }
        )
    symbolic = []
    if grid.symbolic.lower is not None:
        symbolic.append(r"\eta_{\max} \ge " + to_latex(grid.symbolic.lower))
    if grid.symbolic.upper is not None:
        symbolic.append(r"\eta_{\max} \le " + to_latex(grid.symbolic.upper))
    return {
        "title": tex_escape(spec.title),
        "caption": tex_escape(spec.caption),
        "label": spec.key,
        "row_name": spec.row_name,
        "col_name": spec.col_name,
        "cols": [str(c) for c in spec.cols],
        "body": body,
        "closed_form": to_latex(spec.bound.closed_form),
        "symbolic": symbolic,
        "uses": ", ".join(tex_key(k) for k in spec.bound.uses),
    }


def regime_json(grid: RegimeGrid, settings: Mapping[str, Any]) -> dict[str, Any]:
    spec, symbolic = grid.spec, grid.symbolic
    return {
        "settings": settings,
        "bound": spec.bound.key,
        "closed_form": str(spec.bound.closed_form),
        "tau": exact_string(Fraction(int(spec.tau.p), int(spec.tau.q))),
        "fixed": {k: str(v) for k, v in sorted(spec.fixed.items())},
        "symbolic_lower": None if symbolic.lower is None else str(symbolic.lower),
        "symbolic_upper": None if symbolic.upper is None else str(symbolic.upper),
        "symbolic_notes": symbolic.notes,
        "cells": [
            {spec.row_name: L_, spec.col_name: H_, **r.to_dict()}
            for (L_, H_), r in sorted(grid.cells.items())
        ],
    }


def prior_context(data: AppendixData) -> dict[str, Any]:
    """Prior work: lemmas checked, experiments run, remarks not checkable."""
    rows = []
    for lemma, result in data.prior_checks:
        rows.append(
            {
                "source": tex_escape(lemma.citation.source),
                "key": tex_key(lemma.key),
                "title": tex_escape(lemma.title),
                "kind": "lemma",
                "verdict": result.verdict.value,
                "evidence": tex_escape(check_evidence(result)),
            }
        )
    for experiment, result in data.experiments:
        rows.append(
            {
                "source": tex_escape(experiment.citation.source),
                "key": tex_key(result.key),
                "title": tex_escape(experiment.title),
                "kind": "experiment",
                "verdict": result.verdict,
                "evidence": tex_escape(result.summary),
            }
        )
    for remark in data.remarks:
        rows.append(
            {
                "source": tex_escape(remark.citation.source),
                "key": tex_key(remark.key),
                "title": tex_escape(remark.title),
                "kind": "remark",
                "verdict": "not checkable",
                "evidence": tex_escape(remark.unchecked_because),
            }
        )
    return {"rows": rows}


def prior_json(data: AppendixData, settings: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "settings": settings,
        "lemmas": [r.to_dict() for _, r in data.prior_checks],
        "experiments": [r.to_dict() for _, r in data.experiments],
        "remarks": [
            {
                "key": r.key,
                "statement": r.statement,
                "citation": str(r.citation),
                "provenance": r.provenance.value,
                "unchecked_because": r.unchecked_because,
            }
            for r in data.remarks
        ],
    }


def composition_check(record: Mapping[str, Any]) -> str:
    """What the composition table's last column says about a closed form."""
    checked = f"checked exactly, L = 0..{record['depths']}"
    if not record["agree"]:
        return f"MISMATCH ({checked} failed)"
    if record["proved"]:
        return f"proved for every L (exact identity); {checked}"
    return f"{checked} only (not proved for every L)"


def composition_context(data: AppendixData) -> dict[str, Any]:
    """Composed bounds: closed forms, the lemmas they use, their exact verification."""
    rows = []
    for bound, record in data.composed:
        rows.append(
            {
                "key": tex_key(bound.key),
                "quantity": f"${bound.quantity_latex}$"
                if bound.quantity_latex
                else tex_escape(bound.quantity),
                "closed_form": to_latex(bound.closed_form),
                "uses": ", ".join(tex_key(k) for k in bound.uses),
                "verified": composition_check(record),
            }
        )
    return {"rows": rows}


def composition_json(data: AppendixData, settings: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "settings": settings,
        "bounds": [
            {"key": b.key, "closed_form": str(b.closed_form), "uses": list(b.uses), **rec}
            for b, rec in data.composed
        ],
    }

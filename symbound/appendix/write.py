r"""Writing an appendix: LaTeX tables through Jinja templates, JSON beside each, atomically.

Every file is rendered in memory first; only when all of them exist are they
written, each to a temporary file in the target folder that is then renamed over
the final name (``os.replace``), so a reader never sees half a file and a failure
leaves the previous appendix intact.  Output is deterministic: no dates, sorted
JSON keys, numbers formatted with a fixed number of digits.

Printed :math:`\eta_{\max}` values are the proved-feasible ends of their brackets,
rounded *down*, so every printed number is itself feasible.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any

from symbound.appendix.build import AppendixData
from symbound.check.result import Evaluation, exact_string
from symbound.io import write_folder
from symbound.lemmas.model import Form
from symbound.notation import to_latex
from symbound.render.latex import environment
from symbound.render.tex import tex_escape, tex_key

__all__ = ["SIGNATURE", "floor_significant", "render_appendix", "write_appendix"]


def floor_significant(q: Fraction, digits: int = 4) -> str:
    """``q`` rounded down to ``digits`` significant digits, as a decimal string.

    >>> floor_significant(Fraction(2, 3)), floor_significant(Fraction(1, 81000), 3)
    ('0.6666', '0.0000123')
    """
    if q <= 0:
        return "0"
    exponent = math.floor(math.log10(q))
    if Fraction(10) ** exponent > q:  # log10 rounding at exact powers
        exponent -= 1
    elif Fraction(10) ** (exponent + 1) <= q:
        exponent += 1
    quantum = Decimal(1).scaleb(exponent - digits + 1)
    with localcontext() as ctx:
        ctx.prec = 60
        value = Decimal(q.numerator) / Decimal(q.denominator)
        return format(value.quantize(quantum, rounding=ROUND_FLOOR), "f")


def _short_witness(w: Evaluation, limit: int = 70) -> str:
    parts = []
    for name, value in w.instance_json.items():
        text = f"{name}={value}" if not isinstance(value, list) else f"{name}={_compact(value)}"
        parts.append(text)
    full = " ".join(parts)
    if len(full) <= limit:
        return full
    scalars = [f"{k}={v}" for k, v in w.instance_json.items() if not isinstance(v, list)]
    return " ".join(scalars) + " (matrices in the JSON)"


def _compact(value) -> str:
    if isinstance(value, list):
        return "(" + ", ".join(_compact(v) for v in value) + ")"
    return str(value)


def _short_number(text: str) -> str:
    """An exact rational or a ball, shortened for a table cell."""
    if text.startswith("["):
        return text.split(" +/-")[0].lstrip("[")[:12]
    if len(text) > 14:
        try:
            return f"{float(Fraction(text)):.6g}"
        except (ValueError, ZeroDivisionError):
            return text[:14]
    return text


def _evidence(result) -> str:
    if result.witness is not None:
        w = result.witness
        how = "exact" if w.method.startswith("exact") else "Arb balls"
        return (
            f"witness {_short_witness(w)}: lhs = {_short_number(w.lhs)} > rhs = "
            f"{_short_number(w.rhs)} ({how})"
        )
    return result.tightness


def _claims_context(data: AppendixData) -> dict[str, Any]:
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
                "evidence": tex_escape(_evidence(result)),
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
                "evidence": tex_escape(_proof_evidence(proof)),
                "correction": False,
            }
        )
    return {"rows": rows}


def _proof_evidence(proof) -> str:
    how = "; ".join(r.text for r in proof.reductions)
    how = f" after {how}" if how else ""
    if proof.verdict == "proved":
        return (
            f"branch and bound in Arb ({proof.search.prec} bits){how}: {proof.search.boxes} "
            f"boxes; certificate certificates/{proof.key}.json (symbound recheck)"
        )
    if proof.verdict == "refuted":
        where = ", ".join(f"{k} = {v}" for k, v in proof.witness.items())
        return f"witness {where} (confirmed by {' and '.join(proof.confirmed_by)})"
    return f"no decision in {proof.search.boxes} boxes; {proof.search.diagnosis}"


def _regime_context(grid) -> dict[str, Any]:
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


def _power_of_two(n_) -> str:
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


def _summary_sentence(summary: Mapping[str, Any]) -> str:
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


def _comparison_context(data: AppendixData) -> dict[str, Any]:
    spec = data.spec.comparison
    rows = []
    for row in data.comparison:
        rows.append(
            {
                "n": _power_of_two(row.values.get("n")),
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
        "summary": [tex_escape(_summary_sentence(x)) for x in tradeoff_summary(data)],
    }


def _tradeoff_json(data: AppendixData, settings: Mapping[str, Any]) -> str:
    spec = data.spec.comparison
    return _json(
        {
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
    )


def _prior_context(data: AppendixData) -> dict[str, Any]:
    rows = []
    for lemma, result in data.prior_checks:
        rows.append(
            {
                "source": tex_escape(lemma.citation.source),
                "key": tex_key(lemma.key),
                "title": tex_escape(lemma.title),
                "kind": "lemma",
                "verdict": result.verdict.value,
                "evidence": tex_escape(_evidence(result)),
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


def _composition_check(record: Mapping[str, Any]) -> str:
    """What the composition table's last column says about a closed form."""
    checked = f"checked exactly, L = 0..{record['depths']}"
    if not record["agree"]:
        return f"MISMATCH ({checked} failed)"
    if record["proved"]:
        return f"proved for every L (exact identity); {checked}"
    return f"{checked} only (not proved for every L)"


def _composition_context(data: AppendixData) -> dict[str, Any]:
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
                "verified": _composition_check(record),
            }
        )
    return {"rows": rows}


def _json(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _files(data: AppendixData) -> dict[str, str | bytes]:
    env = environment()
    settings = dict(data.settings)
    files: dict[str, str | bytes] = {}
    files["claims.tex"] = env.get_template("appendix/claims.tex.j2").render(**_claims_context(data))
    files["claims.json"] = _json(
        {
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
    )
    for proof in data.proofs:
        files[f"certificates/{proof.key}.json"] = _json(
            proof.to_json(data.settings["versions"]["symbound"])
        )
    names = ["claims"]
    from symbound.appendix.figures import figure_files  # matplotlib, when writing only

    figures = figure_files(data, env)
    for grid in data.regimes:
        files[f"{grid.spec.key}.tex"] = env.get_template("appendix/regime.tex.j2").render(
            **_regime_context(grid), drawn=grid.spec.key in figures.tables
        )
        files[f"{grid.spec.key}.json"] = _json(
            {
                "settings": settings,
                "bound": grid.spec.bound.key,
                "closed_form": str(grid.spec.bound.closed_form),
                "tau": exact_string(Fraction(int(grid.spec.tau.p), int(grid.spec.tau.q))),
                "fixed": {k: str(v) for k, v in sorted(grid.spec.fixed.items())},
                "symbolic_lower": None if grid.symbolic.lower is None else str(grid.symbolic.lower),
                "symbolic_upper": None if grid.symbolic.upper is None else str(grid.symbolic.upper),
                "symbolic_notes": grid.symbolic.notes,
                "cells": [
                    {grid.spec.row_name: L_, grid.spec.col_name: H_, **r.to_dict()}
                    for (L_, H_), r in sorted(grid.cells.items())
                ],
            }
        )
        names.append(grid.spec.key)
    files.update(figures.files)
    if figures.tables:
        names.append("regime-figures")
    if data.spec.comparison is not None:
        files["tradeoff.tex"] = env.get_template("appendix/tradeoff.tex.j2").render(
            **_comparison_context(data), figure=figures.tradeoff
        )
        files["tradeoff.json"] = _tradeoff_json(data, settings)
        names.append("tradeoff")
    files["prior-work.tex"] = env.get_template("appendix/prior.tex.j2").render(
        **_prior_context(data)
    )
    files["prior-work.json"] = _json(
        {
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
    )
    names.append("prior-work")
    files["composition.tex"] = env.get_template("appendix/composition.tex.j2").render(
        **_composition_context(data)
    )
    files["composition.json"] = _json(
        {
            "settings": settings,
            "bounds": [
                {"key": b.key, "closed_form": str(b.closed_form), "uses": list(b.uses), **rec}
                for b, rec in data.composed
            ],
        }
    )
    names.append("composition")
    if data.audit is not None:
        from symbound.models.audit import audit_files

        files.update(audit_files(data.audit))
        names.append("audit")
    if data.studies:
        from symbound.empirical.report import experiment_files

        files.update(experiment_files(data.studies, settings))
        names.append("experiments")
    versions = ", ".join(f"{k} {v}" for k, v in sorted(settings["versions"].items()))
    files["main.tex"] = env.get_template("appendix/main.tex.j2").render(
        title=tex_escape(data.spec.title),
        paper=tex_escape(data.spec.paper),
        seed=settings["seed"],
        samples=settings["samples"],
        dps=settings["dps"],
        versions=tex_escape(versions),
        parts=names,
    )
    return files


def render_appendix(data: AppendixData) -> Mapping[str, str | bytes]:
    """Every file of the appendix, by name, rendered in memory (figures as bytes)."""
    return _files(data)


#: Files that mark a folder as an appendix written by symbound (before symbound.io's
#: marker existed): such a folder may be replaced by the next run.
SIGNATURE = ("main.tex", "claims.json")


def write_appendix(data: AppendixData, out: Path | str) -> list[Path]:
    """Render every file in memory, then write them as the whole folder ``out`` in one
    step (:func:`symbound.io.write_folder`: a reader sees the old appendix or the new
    one, never a mixture); return their paths."""
    return write_folder(_files(data), out, signature=SIGNATURE)

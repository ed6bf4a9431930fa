"""Writing the section "What each refuted claim needs" (rows of
:mod:`symbound.appendix.repairs`): what its template receives and the JSON beside it.

Each side of a bracket is printed with how it is known -- *certified* (an exact
witness, confirmed in exact or Arb arithmetic), *survived* (a search found no
counterexample: not a proof) or *proved* -- and nothing more is said of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from symbound.appendix.build import AppendixData
from symbound.appendix.cells import short_brackets, tex_text
from symbound.appendix.repairs import WORDS, RepairRow
from symbound.render.tex import tex_key

__all__ = ["repair_lines", "repairs_context", "repairs_json", "summary"]


def repair_lines(record, key: str) -> list[str]:
    """A repair (a :class:`~symbound.appendix.repairs.RepairRecord`) in a few lines of
    plain text (None: not repaired here)."""
    if record is None:
        return [f"not repaired here (symbound repair {key})"]
    repair = record.repair
    if repair.outcome == "not applicable":
        return [f"not applicable ({repair.kind})", *repair.evidence[-1:]]
    if repair.outcome == "inconclusive" and repair.kind != "hypothesis":
        return [f"inconclusive ({repair.kind})", *repair.evidence[-1:]]
    if repair.outcome == "nothing to repair":
        return ["nothing to repair: the claim survived the repair's own search",
                *repair.evidence[:1]]  # fmt: skip
    symbol = repair.symbol
    head = f"{repair.outcome}, {repair.kind}"
    if repair.closed_form:
        head += (
            f": {symbol} = {repair.closed_form}" if symbol == "c*" else f": {repair.closed_form}"
        )
    lines = [head]
    for sign, bound in (("≥", repair.lower), ("≤", repair.upper)):
        if bound is not None:
            lines.append(
                f"{symbol} {sign} {bound.value}, {bound.kind}: {short_brackets(bound.how)}"
            )
    if repair.lower is None and repair.upper is None:
        lines.extend(repair.evidence[:1])
    figure = repair.repaired_check
    if figure is not None:
        entry = record.entry or "the repaired claim"
        lines.append(f"{entry}: {figure.verdict} its own check ({figure.searched})")
    return lines


def _row(row: RepairRow) -> dict[str, Any]:
    claim = row.claim
    return {
        "key": tex_key(claim.key),
        "title": tex_text(claim.title),
        "conclusion": claim.conclusion.latex,
        "reading": tex_text(claim.reading_text),
        "verdict": row.verdict,
        "parameter": tex_text(row.case.parameter) if row.case and row.case.parameter else "",
        "repair": [tex_text(line) for line in repair_lines(row.repair, claim.key)],
        "corrections": [
            {
                "key": tex_key(a.correction.key),
                "conclusion": a.correction.conclusion.latex,
                "added": [h.latex for h in a.correction.hypotheses if h not in claim.hypotheses],
                "verdict": a.verdict,
                "word": a.word,
                "text": tex_text(a.text),
            }
            for a in row.agreements
        ],
    }


def repairs_context(data: AppendixData) -> dict[str, Any]:
    """What ``appendix/repairs.tex.j2`` receives."""
    return {
        "rows": [_row(r) for r in data.repairs],
        "samples": data.repair_samples,
        "seed": data.settings["seed"],
        "summary": tex_text(summary(data.repairs)),
    }


def summary(rows) -> str:
    """How many claims were repaired, and what their comparisons found, in a sentence."""
    repaired = [r for r in rows if r.repair is not None]
    words = [a.word for r in repaired for a in r.agreements]
    counts = ", ".join(f"{words.count(w)} {w}" for w in WORDS if words.count(w))
    refuted = sum(r.verdict == "refuted" for r in rows)
    text = f"{len(rows)} claims ({refuted} refuted), {len(repaired)} of them repaired here"
    return text + (f"; beside the corrections: {counts}." if counts else ".")


def repairs_json(data: AppendixData, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Every row in full: the repair's own record, each correction and the comparison."""
    return {
        "settings": {**settings, "repair_samples": data.repair_samples},
        "rows": [
            {
                "key": row.claim.key,
                "statement": row.claim.statement_text,
                "reading": [{"topic": c.topic, "chosen": c.chosen} for c in row.claim.reading],
                "verdict": row.verdict,
                "arguments": None
                if row.case is None
                else {"parameter": row.case.parameter, "constant": row.case.constant},
                "repair": None if row.repair is None else row.repair.record,
                "corrections": [
                    {
                        "key": a.correction.key,
                        "statement": a.correction.statement_text,
                        "verdict": a.verdict,
                        "agreement": a.word,
                        "why": a.text,
                    }
                    for a in row.agreements
                ],
            }
            for row in data.repairs
        ],
    }

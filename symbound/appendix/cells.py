r"""What the appendix's table cells print: numbers rounded the safe way, witnesses
shortened, evidence in one line, LaTeX for plain text, and the JSON beside each table.

Printed :math:`\eta_{\max}` values are the proved-feasible ends of their brackets,
rounded *down*, so every printed number is itself feasible.
"""

from __future__ import annotations

import json
import math
import re
from decimal import ROUND_FLOOR, Decimal, localcontext
from fractions import Fraction
from typing import Any

from symbound.check.result import Evaluation
from symbound.render.tex import tex_escape

__all__ = [
    "check_evidence",
    "floor_significant",
    "proof_evidence",
    "short_brackets",
    "short_number",
    "short_witness",
    "tex_text",
    "to_json",
]


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


def short_witness(w: Evaluation, limit: int = 70) -> str:
    """A witness's values in one line; its matrices left to the JSON when too long."""
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


def short_brackets(text: str, limit: int = 24) -> str:
    """``text`` with every bracketed group (a matrix printed as nested lists) longer
    than ``limit`` characters replaced by ``[...]``: a table cell shows the scalars,
    the JSON the matrices.

    >>> short_brackets("n=3 A=[[1], [1], [4]] B=[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]]")
    'n=3 A=[[1], [1], [4]] B=[...]'
    """
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "[":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
            if depth == 0:
                group = text[start : i + 1]
                out.append(group if len(group) <= limit else "[...]")
        elif depth == 0:
            out.append(ch)
    if depth:  # unbalanced: the rest as it is
        out.append(text[start:])
    return "".join(out)


def short_number(text: str) -> str:
    """An exact rational or a ball, shortened for a table cell."""
    if text.startswith("["):
        return text.split(" +/-")[0].lstrip("[")[:12]
    if len(text) > 14:
        try:
            return f"{float(Fraction(text)):.6g}"
        except (ValueError, ZeroDivisionError):
            return text[:14]
    return text


def check_evidence(result) -> str:
    """A check's evidence in one line: its witness, or what the search found."""
    if result.witness is not None:
        w = result.witness
        how = "exact" if w.method.startswith("exact") else "Arb balls"
        return (
            f"witness {short_witness(w)}: lhs = {short_number(w.lhs)} > rhs = "
            f"{short_number(w.rhs)} ({how})"
        )
    return result.tightness


def proof_evidence(proof) -> str:
    """A proof's evidence in one line: its boxes and certificate, or its witness."""
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


#: Characters the repair's and the checker's texts use beyond the notation's
_MORE = {
    "δ": r"$\delta$",
    "π": r"$\pi$",
    "√": r"$\surd$",
    "·": r"$\cdot$",
    "…": r"\dots{}",
    "≈": r"$\approx$",
    "∑": r"$\Sigma$",
}
_MORE_RE = re.compile("(" + "|".join(map(re.escape, _MORE)) + ")")


def tex_text(text: str) -> str:
    r"""Plain text as LaTeX: :func:`~symbound.render.tex.tex_escape`, and a few more
    symbols (δ, π, √, ·, …).

    >>> tex_text("t* + δ, δ = 3e-5")
    't* + $\\delta$, $\\delta$ = 3e-5'
    """
    parts = _MORE_RE.split(str(text))
    return "".join(_MORE[p] if i % 2 else tex_escape(p) for i, p in enumerate(parts))


def to_json(obj: Any) -> str:
    """Deterministic JSON: sorted keys, two-space indent, a final newline."""
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

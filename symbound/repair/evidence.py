r"""What a repair may conclude from one check: certified ratios and the search's figures.

A check's witness and largest-ratio instance come with both sides evaluated rigorously:
exact rationals (``"p/q"``) or Arb balls printed as ``"[mid +/- rad]"`` (Arb prints a
ball so that reading it back encloses the original; a number printed without a radius
is exact).  :func:`ratio_bounds` turns them into exact rational bounds on ``lhs/rhs``,
so a lower bound on a constant is never a float.

>>> ratio_bounds_of("3/2", "1")
(Fraction(3, 2), Fraction(3, 2))
>>> lo, hi = ratio_bounds_of("[2.5 +/- 1.0e-20]", "2.0000000000000000000")
>>> float(lo), lo < Fraction(5, 4) < hi
(1.25, True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

__all__ = [
    "CheckFigure",
    "ball_bounds",
    "decimal",
    "ratio_bounds",
    "ratio_bounds_of",
    "value_at",
]

_BALL = re.compile(r"^\[\s*(?P<mid>\S*?)\s*\+/-\s*(?P<rad>[^\s\]]+)\s*\]$")


def ball_bounds(text: str) -> tuple[Fraction, Fraction] | None:
    """Exact bounds ``(lo, hi)`` of a number printed exactly (``"3/2"``, ``"2.5"``) or as an
    Arb ball (``"[2.5 +/- 1e-20]"``, ``"[+/- 3e-5]"``); ``None`` if it is not finite.

    >>> ball_bounds("[+/- 0.5]")
    (Fraction(-1, 2), Fraction(1, 2))
    >>> ball_bounds("[4.0e+34 +/- 1e+14]")[0] == 4 * 10**34 - 10**14
    True
    >>> ball_bounds("inf") is None
    True
    """
    text = text.strip()
    m = _BALL.match(text)
    try:
        if m:
            mid = Fraction(m["mid"]) if m["mid"] else Fraction(0)
            rad = Fraction(m["rad"])
            return mid - rad, mid + rad
        q = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None
    return q, q


def ratio_bounds_of(lhs: str, rhs: str) -> tuple[Fraction, Fraction] | None:
    """Exact bounds on ``lhs/rhs`` from the two printed sides, when ``rhs > 0`` for certain
    (``lo`` is 0 when ``lhs`` may be 0 or below)."""
    a, b = ball_bounds(lhs), ball_bounds(rhs)
    if a is None or b is None or b[0] <= 0:
        return None
    lo = a[0] / b[1] if a[0] > 0 else Fraction(0)
    hi = a[1] / b[0]
    return lo, hi


def ratio_bounds(evaluation) -> tuple[Fraction, Fraction] | None:
    """:func:`ratio_bounds_of` for a check's :class:`~symbound.check.Evaluation`."""
    if evaluation is None:
        return None
    return ratio_bounds_of(evaluation.lhs, evaluation.rhs)


def decimal(q: Fraction, digits: int = 12, *, rounding: str = "down") -> str:
    """A rational as a decimal of ``digits`` significant digits, rounded ``"down"`` (for a
    lower bound) or ``"up"`` (for an upper bound); exact when it fits.

    >>> decimal(Fraction(5, 3)), decimal(Fraction(5, 3), rounding="up"), decimal(Fraction(2))
    ('1.66666666666', '1.66666666667', '2')
    >>> decimal(Fraction(-1, 8)), decimal(Fraction(123456789, 1000), 4, rounding="up")
    ('-0.125', '123500')
    >>> decimal(Fraction(4 * 10**34 + 7), 3), decimal(Fraction(1, 3 * 10**9), 3, rounding="up")
    ('4e+34', '3.34e-10')
    """
    if q == 0:
        return "0"
    sign = -1 if q < 0 else 1
    a = abs(q)
    exponent = len(str(a.numerator // a.denominator)) if a >= 1 else -_leading_zeros(a)
    scale = Fraction(10) ** (digits - exponent)
    down = (rounding == "down") == (sign > 0)
    scaled = a * scale
    n = scaled.numerator // scaled.denominator
    if not down and n != scaled:
        n += 1
    if exponent > max(digits, 6) or exponent < -4:  # scientific: n * 10^(exponent - digits)
        power = exponent - digits + len(str(n)) - 1
        mantissa = str(n)
        frac = mantissa[1:].rstrip("0")
        text = f"{mantissa[0]}{'.' + frac if frac else ''}e{power:+d}"
    else:
        text = _plain(Fraction(n) / scale)
    return text if sign > 0 else "-" + text


def _leading_zeros(a: Fraction) -> int:
    k = 0
    while a * 10 ** (k + 1) < 1:
        k += 1
    return k


def _plain(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    k = 0
    while (value * 10**k).denominator != 1:
        k += 1
    digits = str((value * 10**k).numerator).rjust(k + 1, "0")
    return (digits[:-k] + "." + digits[-k:]).rstrip("0").rstrip(".")


def value_at(expr, instance) -> Fraction | None:
    """``expr`` (SymPy, in the instance's parameter names) at an exact instance, as an exact
    rational, or ``None`` if it is not rational there."""
    import sympy as sp

    subs = {}
    for s in expr.free_symbols:
        if s.name not in instance:
            return None
        v = Fraction(instance[s.name])
        subs[s] = sp.Rational(v.numerator, v.denominator)
    value = sp.nsimplify(expr.subs(subs))
    if not value.is_Rational:
        return None
    return Fraction(int(value.p), int(value.q))


@dataclass(frozen=True)
class CheckFigure:
    """One search or proof a repair ran: what it tested (``purpose``), with which tool and
    figures (``seed``, ``samples``, the region or box), and what it found."""

    purpose: str
    key: str
    tool: str
    verdict: str
    region: str
    seed: int | None = None
    samples: int | None = None
    sup_ratio: str | None = None
    witness: str | None = None
    kept: str | None = None  # the share of samples that met filtered hypotheses
    #: the CheckResult or Proof itself, and its seconds: not compared, not in the JSON
    result: Any = field(default=None, compare=False)
    elapsed: float = field(default=0.0, compare=False)

    @classmethod
    def of_check(cls, result, purpose: str) -> CheckFigure:
        """The figures of a :class:`~symbound.check.CheckResult`."""
        w = result.witness
        total, dropped = result.counts.get("samples", 0), result.counts.get("filtered_out", 0)
        kept = f"{(total - dropped) / total:.1%} of the samples kept" if dropped and total else None
        return cls(
            purpose=purpose,
            key=result.key,
            tool="check",
            verdict=result.verdict.value,
            region=result.region_text,
            seed=int(result.settings["seed"]),
            samples=int(result.settings["samples"]),
            sup_ratio=result.sup.ratio if result.sup is not None else None,
            witness=f"{w.describe()}: lhs = {w.lhs} > rhs = {w.rhs} ({w.method})" if w else None,
            kept=kept,
            result=result,
            elapsed=result.elapsed,
        )

    @classmethod
    def of_proof(cls, proof, purpose: str) -> CheckFigure:
        """The figures of a prover's :class:`~symbound.prove.Proof`."""
        witness = None
        if proof.witness is not None:
            where = ", ".join(f"{k} = {v}" for k, v in proof.witness.items())
            witness = f"{where} (confirmed by {' and '.join(proof.confirmed_by)})"
        return cls(
            purpose=purpose,
            key=proof.key or "claim",
            tool="prove",
            verdict=proof.verdict,
            region=proof.box.text,
            witness=witness,
            result=proof,
            elapsed=proof.elapsed,
        )

    @property
    def searched(self) -> str:
        """The figures in words: ``1000 samples, seed 1, 2 ≤ n ≤ 6, 1 ≤ d ≤ 3``."""
        if self.tool == "prove":
            boxes = getattr(self.result, "search", None)
            count = f", {boxes.boxes} boxes" if boxes is not None else ""
            return f"interval branch and bound over {self.region}{count}"
        kept = f"; {self.kept} (the others broke a hypothesis)" if self.kept else ""
        return f"{self.samples} samples, seed {self.seed}, {self.region or 'no sizes'}{kept}"

    def text(self) -> str:
        line = f"{self.purpose}: {self.verdict}"
        if self.sup_ratio is not None and self.verdict != "refuted":
            line += f", largest ratio {self.sup_ratio[:12]}"
        return line + f" ({self.searched})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "key": self.key,
            "tool": self.tool,
            "verdict": self.verdict,
            "region": self.region,
            "seed": self.seed,
            "samples": self.samples,
            "sup_ratio": self.sup_ratio,
            "witness": self.witness,
            "kept": self.kept,
        }

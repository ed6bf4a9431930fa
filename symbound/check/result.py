"""What a check returns: verdict, exact witness, tightness, counts and settings.

Everything that describes the mathematics is stored as exact rationals (as
``"p/q"`` strings in JSON) or as decimal strings of a fixed number of digits, so the
same seed gives the same JSON, byte for byte.  The elapsed time is kept on the
object but left out of the JSON unless asked for.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from symbound.lemmas.model import SearchRange

__all__ = ["CheckResult", "Evaluation", "Verdict", "exact_string", "instance_to_json"]


class Verdict(enum.Enum):
    """Outcome of a check.  ``proved`` is reserved for rigorous box proofs."""

    REFUTED = "refuted"
    SURVIVED = "survived"
    INCONCLUSIVE = "inconclusive"
    PROVED = "proved"


def exact_string(q: Fraction | int) -> str:
    """``"p/q"`` (or ``"p"``) for an exact rational.

    >>> exact_string(Fraction(-3, 4)), exact_string(Fraction(2))
    ('-3/4', '2')
    """
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def instance_to_json(inst: Mapping[str, Any]) -> dict[str, Any]:
    """An exact instance as JSON: rationals as strings, arrays as nested lists."""

    def enc(v):
        if isinstance(v, np.ndarray):
            return [enc(x) for x in v] if v.ndim else enc(v[()])
        if isinstance(v, bool):
            return v
        if isinstance(v, int):
            return v
        return exact_string(v)

    return {k: enc(v) for k, v in inst.items()}  # sizes first, then parameters, then arrays


def _short(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return "[" + ", ".join(_short(x) for x in v) + "]"
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return exact_string(v)


@dataclass(frozen=True)
class Evaluation:
    """One instance evaluated rigorously (exactly, or with balls) and at high precision.

    ``lhs``/``rhs`` are exact rationals (``"p/q"``) when ``method`` is exact, else Arb
    balls ``"[mid +/- rad]"``; ``ratio`` is the high-precision ratio lhs/rhs as a
    decimal, printed with only the digits that agree when it is evaluated again at
    twice the precision (``precision`` says how many); ``gap`` is ``1 - ratio`` from
    the more precise evaluation.
    """

    instance: Mapping[str, Any] = field(compare=False)
    instance_json: Mapping[str, Any]
    lhs: str
    rhs: str
    method: str
    ratio: str
    gap: str
    equality: bool = False
    precision: Mapping[str, Any] | None = None  # Agreement.to_dict(): digits that survive

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": dict(self.precision) if self.precision else None,
            "instance": dict(self.instance_json),
            "lhs": self.lhs,
            "rhs": self.rhs,
            "method": self.method,
            "ratio": self.ratio,
            "gap": self.gap,
            "equality": self.equality,
        }

    def describe(self) -> str:
        """The instance in one line: ``n=3 d=1 eps=1 A=[[1], [0], [-1]] ...``."""
        return " ".join(f"{k}={_short(self.instance[k])}" for k in self.instance)

    def __repr__(self) -> str:
        return (
            f"<Evaluation {self.describe()}: lhs = {self.lhs}, rhs = {self.rhs}, "
            f"ratio {self.ratio[:12]} ({self.method})>"
        )


@dataclass(frozen=True)
class CheckResult:
    """The outcome of :func:`symbound.check`.

    - ``verdict``: refuted (with ``witness``, a violation confirmed exactly or with
      outward-rounded balls), survived (no violation found; ``sup`` tells how close
      the search came), or inconclusive (a high-precision violation that rigorous
      arithmetic could not confirm, or nothing could be evaluated);
    - ``sup``: the instance with the largest lhs/rhs ratio found, with the ratio at
      high precision and rigorously enclosed;
    - ``counts``, ``settings``: what the search did, and with which seed, precision
      and library versions; ``elapsed`` (seconds) is not part of the JSON;
    - ``region``: the ranges searched (:attr:`symbound.lemmas.Lemma.search_region`):
      every statement about tightness holds over this region only.
    """

    key: str
    verdict: Verdict
    witness: Evaluation | None
    sup: Evaluation | None
    counts: Mapping[str, int]
    settings: Mapping[str, Any]
    notes: tuple[str, ...] = ()
    elapsed: float = field(default=0.0, compare=False)
    region: tuple[SearchRange, ...] = ()

    @property
    def refuted(self) -> bool:
        return self.verdict is Verdict.REFUTED

    def to_dict(self, *, timing: bool = False) -> dict[str, Any]:
        out = {
            "key": self.key,
            "verdict": self.verdict.value,
            "witness": self.witness.to_dict() if self.witness else None,
            "sup": self.sup.to_dict() if self.sup else None,
            "counts": dict(self.counts),
            "settings": dict(self.settings),
            "notes": list(self.notes),
            "region": {r.name: r.to_json() for r in self.region},
        }
        if timing:
            out["elapsed_s"] = round(self.elapsed, 3)
        return out

    def to_json(self, *, timing: bool = False) -> str:
        return json.dumps(self.to_dict(timing=timing), sort_keys=True, indent=2)

    @property
    def region_text(self) -> str:
        """The region searched in one line, e.g. ``2 ≤ n ≤ 6, 1 ≤ d ≤ 3``."""
        return ", ".join(r.text for r in self.region)

    @property
    def tightness(self) -> str:
        """How close the search came to the bound, in words, and over which region."""
        where = f" at {self.region_text}" if self.region else ""
        if self.sup is None:
            return "nothing evaluated"
        if self.sup.equality:
            return "tight: equality attained exactly" + (
                f" (searched {self.region_text})" if self.region else ""
            )
        gap = float(self.sup.gap)
        digits = int(self.settings.get("dps", 50)) // 2
        if abs(gap) < 10.0**-digits:
            return f"tight{where}: ratio 1 to {digits} digits"
        if 0 < gap < 1e-6:
            return f"tight{where}: sup ratio 1 - {self.sup.gap}"
        return f"sup ratio {self.sup.ratio[:10]}{where}"

    def summary(self) -> str:
        """A few lines for a terminal."""
        lines = [f"{self.key}: {self.verdict.value.upper()}"]
        if self.witness is not None:
            w = self.witness
            lines.append(f"  witness  {w.describe()}")
            lines.append(f"  lhs = {w.lhs} > rhs = {w.rhs}   ({w.method})")
        if self.sup is not None:
            lines.append(f"  largest lhs/rhs found: {self.sup.ratio}  ({self.tightness})")
            if self.sup.precision:
                p = self.sup.precision
                flag = ", digits lost to cancellation" if p["lost_to_cancellation"] else ""
                lines.append(
                    f"    {p['agreeing_digits']} digits agree at {p['dps']} vs "
                    f"{p['check_dps']} digits{flag}"
                )
            lines.append(f"    at {self.sup.describe()}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def __repr__(self) -> str:
        """The verdict and the one line that matters: the witness of a refutation, the
        tightness of a survival, the first note of an inconclusive check."""
        if self.witness is not None:
            w = self.witness
            line = f"witness {w.describe()}: lhs = {w.lhs} > rhs = {w.rhs} ({w.method})"
        elif self.verdict is Verdict.INCONCLUSIVE and self.notes:
            line = self.notes[0]
        else:
            line = self.tightness
        return f"<CheckResult {self.key}: {self.verdict.value.upper()}, {line}>"

    def _repr_latex_(self) -> str:
        from symbound.render.tex import tex_escape

        text = f"{self.verdict.value}; {self.tightness}"
        if self.witness is not None:
            w = self.witness
            text += f"; witness {w.describe()}: lhs = {w.lhs} > rhs = {w.rhs}"
        return rf"$\texttt{{{tex_escape(self.key)}}}\;\text{{{tex_escape(text)}}}$"

r"""What :func:`symbound.repair.repair` returns: a frozen :class:`Repair`.

A repair brackets one number -- the tight constant :math:`c^*` of a claim
:math:`\mathrm{lhs} \le c f`, or the threshold :math:`t^*` of a parameter where the
claim starts to fail -- between two :class:`Bound` values, each saying how it is
known: ``certified`` (an exact witness, confirmed in exact or Arb arithmetic: the
claim fails there), ``proved`` (the prover, over exactly the box stated) or
``survived`` (a search found no counterexample: *not* a proof; its figures say where
it looked).  It proposes a closed form only with the evidence it rests on (sizes,
digits), and states the repaired claim with that claim's own check.

=========  ==============================================================  =====
outcome    meaning                                                          exit
=========  ==============================================================  =====
repaired   a constant, closed form, factor or hypothesis found; the           0
           repaired claim survived its check (or was proved)
not        no repair of this kind: a structural fault (the bound vanishes      1
applicable where the quantity does not), a ratio that grows without settling
           (a hypothesis is needed: ``parameter=``), no threshold in range
nothing    the claim survived its check: its slack is reported, nothing        2
to repair  is changed
inconc-    a bracket could not be closed, or the repaired claim did not        3
lusive     survive its own check
=========  ==============================================================  =====
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from symbound.repair.evidence import CheckFigure

__all__ = ["EXIT", "Bound", "Repair"]

#: exit status of each outcome (see the module notes)
EXIT = {"repaired": 0, "not applicable": 1, "nothing to repair": 2, "inconclusive": 3}


@dataclass(frozen=True)
class Bound:
    """One side of a bracket: ``value`` (exact text or a decimal) and how it is known
    (``kind``: certified, proved or survived; ``how``: the evidence in words)."""

    value: str
    kind: str
    how: str

    def to_dict(self) -> dict[str, str]:
        return {"value": self.value, "kind": self.kind, "how": self.how}


@dataclass(frozen=True)
class Repair:
    """The outcome of a repair (see the module notes).

    - ``kind``: constant, closed form (a constant that depends on the sizes), factor, or
      hypothesis; or structural, no constant, no threshold (nothing of this kind
      repairs it);
    - ``quantity``: what is bracketed (``c*`` for the constant of ``1*ε``, ``t*`` for
      ``2*H*eps``), between ``lower`` and ``upper``;
    - ``closed_form``: the proposal, with ``evidence`` (what it rests on, and the
      diagnosis when no repair applies);
    - ``repaired``: the repaired entry (a :class:`~symbound.lemmas.model.Lemma` or a
      :class:`~symbound.prove.ScalarClaim`), with its own ``repaired_check``;
    - ``checks``: every search and proof run, with its figures.
    """

    key: str
    statement: str
    outcome: str
    kind: str
    quantity: str = ""
    lower: Bound | None = None
    upper: Bound | None = None
    closed_form: str | None = None
    evidence: tuple[str, ...] = ()
    repaired: Any = field(default=None, compare=False)
    repaired_statement: str | None = None
    repaired_check: CheckFigure | None = None
    checks: tuple[CheckFigure, ...] = ()
    notes: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    elapsed: float = field(default=0.0, compare=False)

    @property
    def exit_code(self) -> int:
        return EXIT[self.outcome]

    @property
    def symbol(self) -> str:
        """``c*`` (a constant), ``t*`` (a threshold) or ``x`` (anything else)."""
        for symbol in ("c*", "t*"):
            if self.quantity.startswith(symbol):
                return symbol
        return "x"

    @property
    def bracket(self) -> str:
        """``[lower, upper]`` as text (empty without both sides)."""
        if self.lower is None or self.upper is None:
            return ""
        return f"[{self.lower.value}, {self.upper.value}]"

    def __repr__(self) -> str:
        parts = [f"{self.key}: {self.outcome}, {self.kind}"]
        symbol = self.symbol
        if self.closed_form:
            parts.append(f"{symbol} = {self.closed_form}" if symbol == "c*" else self.closed_form)
        if self.bracket:
            parts.append(f"{symbol} in {self.bracket}")
        if self.repaired_check is not None:
            parts.append(f"repaired claim {self.repaired_check.verdict}")
        return f"Repair({'; '.join(parts)})"

    def to_dict(self, *, timing: bool = False) -> dict[str, Any]:
        out = {
            "key": self.key,
            "statement": self.statement,
            "outcome": self.outcome,
            "kind": self.kind,
            "quantity": self.quantity,
            "lower": self.lower.to_dict() if self.lower else None,
            "upper": self.upper.to_dict() if self.upper else None,
            "closed_form": self.closed_form,
            "evidence": list(self.evidence),
            "repaired": _entry_dict(self.repaired, self.repaired_statement),
            "repaired_check": self.repaired_check.to_dict() if self.repaired_check else None,
            "repaired_result": _result_dict(self.repaired_check),
            "checks": [c.to_dict() for c in self.checks],
            "notes": list(self.notes),
            "settings": dict(self.settings),
            "exit_status": self.exit_code,
        }
        if timing:
            out["elapsed_s"] = round(self.elapsed, 3)
        return out

    def to_json(self, *, timing: bool = False) -> str:
        """Deterministic JSON: the same seed gives the same text, byte for byte."""
        return json.dumps(self.to_dict(timing=timing), sort_keys=True, indent=2)

    def summary(self) -> str:
        """One screen for a terminal."""
        lines = [f"{self.key}: {self.outcome.upper()} ({self.kind})"]
        lines.append(f"  claim      {self.statement}")
        if self.quantity:
            lines.append(f"  {self.quantity}")
        for label, bound in (("≥", self.lower), ("≤", self.upper)):
            if bound is not None:
                lines.append(f"    {self.symbol} {label} {bound.value}   {bound.kind}: {bound.how}")
        if self.closed_form:
            lines.append(f"  closed form  {self.closed_form}")
        for line in self.evidence:
            lines.append(f"  - {line}")
        if self.repaired_statement:
            entry = self.repaired
            tag = ""
            if entry is not None:
                tag = f" [{entry.form.value} ({entry.corrects}); {entry.provenance.value}]"
            key = getattr(entry, "key", "repaired")
            lines.append(f"  repaired   {key}{tag}:")
            lines.append(f"             {self.repaired_statement}")
            if self.repaired_check is not None:
                lines.append(f"             its check: {self.repaired_check.text()}")
        if self.checks:
            lines.append(f"  searches and proofs run: {len(self.checks)}")
            shown = list(self.checks)
            if len(shown) > 8:  # one screen: the first and the last few
                hidden = len(shown) - 6
                shown = [*shown[:3], None, *shown[-3:]]
            for c in shown:
                lines.append(f"    {c.text()}" if c else f"    ... {hidden} more (see the JSON)")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def _entry_dict(entry, statement: str | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    out = {
        "key": entry.key,
        "statement": statement,
        "form": entry.form.value,
        "corrects": entry.corrects,
        "provenance": entry.provenance.value,
        "citation": str(entry.citation),
    }
    return out


def _result_dict(figure: CheckFigure | None) -> dict[str, Any] | None:
    if figure is None or figure.result is None:
        return None
    result = figure.result
    if figure.tool == "check":
        return result.to_dict()
    from symbound import __version__

    return result.to_json(__version__)

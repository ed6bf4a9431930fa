r"""The lemma model: a claim as a frozen, self-checking value.

A :class:`Lemma` states

.. math::
    \text{hypotheses} \;\Longrightarrow\;
    \mathrm{lhs}(\text{instance}) \le \mathrm{rhs}(\text{parameters})

where ``rhs`` is a SymPy expression in the lemma's parameters and ``lhs`` a
:class:`Quantity` evaluated numerically on an instance (matrices, vectors and the
parameter values), on any backend.  It carries its citation, its provenance (what
kind of source the statement comes from), whether it is a statement as given or a
correction (and of which key), the norm convention it lives in, and an
:class:`~symbound.lemmas.space.InstanceSpace` producing instances that satisfy the
hypotheses.

Nothing here knows any paper: the paper content lives in ``derivations/``.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from symbound.errors import InvalidLemmaError
from symbound.lemmas.space import InstanceSpace
from symbound.notation import as_expr, to_latex, to_text
from symbound.numeric.backends import AbstractBackend

__all__ = [
    "Citation",
    "Form",
    "Inequality",
    "Lemma",
    "Parameter",
    "Provenance",
    "Quantity",
    "Variable",
    "expr_quantity",
]

_KEY = re.compile(r"^[a-z0-9][a-z0-9.\-]*[a-z0-9]$")


class Provenance(enum.Enum):
    """What kind of source a statement comes from; never blur a reconstruction into text."""

    VERBATIM = "verbatim"
    REVIEWER = "quoted by a reviewer"
    DESIGN_CARD = "design card"
    RECONSTRUCTED = "reconstructed"
    PROVED_HERE = "proved here"


class Form(enum.Enum):
    """A statement as the source gives it, a correction of one, or a supporting lemma.

    Supporting lemmas are proved here for the corrected argument and correct no
    particular statement of the source.
    """

    AS_STATED = "as stated"
    CORRECTED = "corrected"
    SUPPORTING = "supporting"


@dataclass(frozen=True)
class Citation:
    """Where a statement comes from: a source and a locator inside it."""

    source: str
    locator: str

    def __str__(self) -> str:
        return f"{self.source}, {self.locator}"


@dataclass(frozen=True)
class Parameter:
    """A symbolic parameter of a lemma with its domain.

    ``search`` is the range the counterexample search explores (inclusive, for the
    integer parameters that size an instance; informative for real ones, whose
    values the instance space produces).
    """

    symbol: sp.Symbol
    domain: sp.Set
    meaning: str
    search: tuple[Any, Any] | None = None

    @property
    def name(self) -> str:
        return self.symbol.name

    @property
    def is_integer(self) -> bool:
        return bool(self.symbol.is_integer)

    def contains(self, value: Any) -> bool:
        """Whether ``value`` (an int or exact rational) lies in the domain, decided exactly."""
        q = Fraction(value)
        verdict = self.domain.contains(sp.Rational(q.numerator, q.denominator))
        return verdict is sp.true


@dataclass(frozen=True)
class Variable:
    """A numeric object of an instance (a matrix or vector), with its shape in parameters."""

    name: str
    shape: tuple[str | int, ...]
    meaning: str
    latex: str


@dataclass(frozen=True)
class Quantity:
    """A number computed from an instance on a backend: the left side of an inequality.

    ``evaluate(instance, backend)`` returns one number (or, on float64, one per batch
    row); ``text`` and ``latex`` are how statements print it.
    """

    text: str
    latex: str
    evaluate: Callable[[Mapping[str, Any], AbstractBackend], Any] = field(compare=False)


def expr_quantity(expr: sp.Expr) -> Quantity:
    r"""A quantity that is a SymPy expression in the instance's parameters (e.g. ``H*eps``).

    >>> from symbound.notation import H, eps
    >>> q = expr_quantity(H * eps)
    >>> q.text, q.latex
    ('H*ε', 'H \\varepsilon')
    """
    from symbound.numeric.expr import compile_expr

    compiled = compile_expr(expr)

    def evaluate(inst, backend):
        values = {k: (v[()] if getattr(v, "ndim", None) == 0 else v) for k, v in inst.items()}
        return compiled(values, backend)

    return Quantity(to_text(expr), to_latex(expr), evaluate)


@dataclass(frozen=True)
class Inequality:
    r"""``lhs <= rhs``: a :class:`Quantity` bounded by a SymPy expression."""

    lhs: Quantity
    rhs: sp.Expr

    @property
    def text(self) -> str:
        return f"{self.lhs.text} ≤ {to_text(self.rhs)}"

    @property
    def latex(self) -> str:
        return rf"{self.lhs.latex} \le {to_latex(self.rhs)}"


@dataclass(frozen=True)
class Lemma:
    r"""A claim: hypotheses imply ``conclusion.lhs <= conclusion.rhs``, with provenance.

    Construct lemmas in ``derivations/`` (pure data); derive variants with
    :meth:`variant`.  Validation happens at construction: undeclared symbols, a
    correction without the key it corrects, or a malformed key are refused.
    """

    key: str
    title: str
    citation: Citation
    provenance: Provenance
    form: Form
    parameters: tuple[Parameter, ...]
    variables: tuple[Variable, ...]
    hypotheses: tuple[Inequality, ...]
    conclusion: Inequality
    norm: str
    space: InstanceSpace = field(compare=False)
    corrects: str | None = None
    tightness: str = ""
    notes: str = ""

    def __post_init__(self):
        def fail(what: str):
            raise InvalidLemmaError(f"lemma {self.key!r}: {what}")

        if not isinstance(self.key, str) or not _KEY.match(self.key):
            fail("key must be lowercase letters, digits, '.' and '-'")
        if not isinstance(self.provenance, Provenance):
            fail(f"provenance must be a Provenance, got {self.provenance!r}")
        if self.form is Form.CORRECTED and not self.corrects:
            fail("a correction must name the key it corrects (corrects=...)")
        if self.form is not Form.CORRECTED and self.corrects:
            fail(f"only a correction names a key it corrects (form is {self.form.value!r})")
        declared = {p.symbol for p in self.parameters}
        if len(declared) != len(self.parameters):
            fail("a parameter is declared twice")
        for part in (*self.hypotheses, self.conclusion):
            if not isinstance(part.rhs, sp.Expr):
                fail(f"the bound {part.rhs!r} is not a SymPy expression")
            undeclared = part.rhs.free_symbols - declared
            if undeclared:
                names = ", ".join(sorted(s.name for s in undeclared))
                fail(f"bound {part.rhs} uses undeclared symbol(s) {names}")
        for p in self.parameters:
            if p.is_integer and (p.search is None or p.search[0] > p.search[1]):
                fail(f"integer parameter {p.name} needs a search range (lo, hi) with lo <= hi")

    # -- structure ----------------------------------------------------------------
    @property
    def size_parameters(self) -> tuple[Parameter, ...]:
        """The integer parameters: they fix the shapes of an instance."""
        return tuple(p for p in self.parameters if p.is_integer)

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    def variant(self, **changes: Any) -> Lemma:
        """A modified copy (e.g. another ``key`` and ``conclusion``), validated again."""
        return dataclasses.replace(self, **changes)

    def with_rhs(self, rhs: sp.Expr, *, key: str, title: str | None = None) -> Lemma:
        """The same claim with another right-hand side: planted false variants, corrections.

        >>> from symbound import load_catalogue
        >>> from symbound.notation import eps
        >>> lemma = load_catalogue()["as25.lemma4.1.corrected"]
        >>> lemma.with_rhs(3 * eps / 2, key="planted.res-1.5").conclusion.text
        '‖Res(A) − Res(B)‖_max ≤ 3*ε/2'
        """
        conclusion = Inequality(lhs=self.conclusion.lhs, rhs=as_expr(rhs))
        return self.variant(
            key=key, title=title or f"{self.title} (rhs {rhs})", conclusion=conclusion
        )

    # -- rendering ----------------------------------------------------------------
    @property
    def statement_text(self) -> str:
        """The claim in one line of plain text."""
        if not self.hypotheses:
            return f"For all instances: {self.conclusion.text}."
        hyp = " and ".join(h.text for h in self.hypotheses)
        return f"If {hyp}, then {self.conclusion.text}."

    @property
    def statement_latex(self) -> str:
        """The claim as a LaTeX math-mode formula (without delimiters)."""
        if not self.hypotheses:
            return self.conclusion.latex
        hyp = r" \;\wedge\; ".join(h.latex for h in self.hypotheses)
        return rf"{hyp} \;\Longrightarrow\; {self.conclusion.latex}"

    def _repr_latex_(self) -> str:
        return f"$${self.statement_latex}$$"

    def __str__(self) -> str:
        return f"{self.key} [{self.form.value}; {self.provenance.value}]: {self.statement_text}"

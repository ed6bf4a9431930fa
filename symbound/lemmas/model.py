r"""The lemma model: a claim as a frozen, self-checking value.

A :class:`Lemma` states

.. math::
    \text{hypotheses} \;\Longrightarrow\;
    \mathrm{lhs}(\text{instance}) \le \mathrm{rhs}(\text{parameters})

where ``rhs`` is a SymPy expression in the lemma's parameters and ``lhs`` a
:class:`Quantity` evaluated numerically on an instance (matrices, vectors and the
parameter values), on any backend.  It carries its citation, its provenance (what
kind of source the statement comes from), its form (the statement as given, a
reading of it -- with the choices the reading made --, a correction and of which
key, or a supporting lemma), the norm convention it lives in, and an
:class:`~symbound.lemmas.space.InstanceSpace` producing instances that satisfy the
hypotheses.

Nothing here knows any paper: the paper content lives in ``derivations/``.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
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
    "SOURCE_TEXT",
    "Choice",
    "Citation",
    "Form",
    "Inequality",
    "Lemma",
    "Parameter",
    "Provenance",
    "Quantity",
    "SearchRange",
    "Variable",
    "expr_quantity",
    "provenance_problem",
]

_KEY = re.compile(r"^[a-z0-9][a-z0-9.\-]*[a-z0-9]$")


class Provenance(enum.Enum):
    """What kind of source a statement comes from; never blur a reconstruction into text.

    - ``VERBATIM``: the source's own words;
    - ``REVIEWER``: the source's text as a reviewer quotes it;
    - ``PARAPHRASE``: the source's content reworded (by a summary, a review or us);
    - ``DESIGN_CARD``: a formula of the project's design card (and of the AI-generated
      summary it shares them with), not seen in the source's text;
    - ``SUMMARY``: the form an AI-generated summary gives, not seen in the source's text;
    - ``RECONSTRUCTED``: our reconstruction of a statement whose text is not available;
    - ``PROVED_HERE``: a statement proved in the reference notes (not the source's);
    - ``USER``: a claim stated by the user of symbound (in Python or a claims file);
    - ``REPAIRED``: a correction computed by :func:`symbound.repair.repair` from a refuted
      claim (a constant or a hypothesis bracketed by witnesses and searches), with its own
      check; not proved unless its record says so.
    """

    VERBATIM = "verbatim"
    REVIEWER = "quoted by a reviewer"
    PARAPHRASE = "paraphrased"
    DESIGN_CARD = "design card"
    SUMMARY = "AI-generated summary"
    RECONSTRUCTED = "reconstructed"
    PROVED_HERE = "proved here"
    USER = "your own statement"
    REPAIRED = "repaired here"


#: Provenances that claim to be the source's own text (directly or quoted); a user's
#: own statement is its own source.
SOURCE_TEXT = frozenset({Provenance.VERBATIM, Provenance.REVIEWER, Provenance.USER})


class Form(enum.Enum):
    """What a statement is relative to its source.

    - ``AS_STATED``: the source's statement as it gives it (verbatim, or as a reviewer
      quotes it);
    - ``READING``: one interpretation of a statement whose exact text is not available
      or is ambiguous; it names the choices it made (:class:`Choice`), and refuting it
      refutes that interpretation, not the source;
    - ``CORRECTED``: a true replacement of a statement or reading (``corrects``);
    - ``SUPPORTING``: proved here for the corrected argument, correcting nothing in
      particular.
    """

    AS_STATED = "as stated"
    READING = "a reading"
    CORRECTED = "corrected"
    SUPPORTING = "supporting"


@dataclass(frozen=True)
class Choice:
    """One choice a reading makes where the source is silent or ambiguous.

    >>> str(Choice("θ-balanced", "every row spread is at most θ"))
    'θ-balanced: every row spread is at most θ'
    """

    topic: str
    chosen: str

    def __str__(self) -> str:
        return f"{self.topic}: {self.chosen}"


@dataclass(frozen=True)
class Citation:
    """Where a statement comes from: a source and a locator inside it.

    ``primary`` says that ``source`` is the work itself (the paper, whose text a
    reviewer may be quoting), not notes, a summary or a design card about it.
    """

    source: str
    locator: str
    primary: bool = False

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
        """Whether ``value`` (an int or exact rational) lies in the domain, decided exactly.

        An interval with rational (or infinite) ends is decided by comparing fractions;
        any other set by SymPy.

        >>> Parameter(sp.Symbol("eta"), sp.Interval.Lopen(0, 1), "a step").contains(0)
        False
        """
        q = Fraction(value)
        ends = _rational_ends(self.domain)
        if ends is not None:
            lo, lo_open, hi, hi_open = ends
            above = lo is None or (q > lo if lo_open else q >= lo)
            return above and (hi is None or (q < hi if hi_open else q <= hi))
        verdict = self.domain.contains(sp.Rational(q.numerator, q.denominator))
        return verdict is sp.true


@functools.lru_cache(maxsize=256)
def _rational_ends(domain: sp.Set):
    """``(lo, lo_open, hi, hi_open)`` of an interval whose ends are rational or infinite
    (``None`` for an infinite end); ``None`` for any other set."""
    if not isinstance(domain, sp.Interval):
        return None
    ends = []
    for end in (domain.inf, domain.sup):
        if end in (sp.oo, -sp.oo):
            ends.append(None)
        elif isinstance(end, sp.Rational):
            ends.append(Fraction(int(end.p), int(end.q)))
        else:
            return None
    return ends[0], bool(domain.left_open), ends[1], bool(domain.right_open)


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
    r"""``lhs <= rhs``: a :class:`Quantity` bounded by a SymPy expression.

    ``guaranteed``: the lemma's instance space builds the hypothesis in (every
    instance satisfies it); otherwise the checker filters instances that break it.
    ``shown``: the text and LaTeX to print when they differ from ``lhs <= rhs`` (a
    claim language relation ``a <= b`` between two terms is checked as
    ``a / b <= 1``, and printed as written).
    """

    lhs: Quantity
    rhs: sp.Expr
    guaranteed: bool = True
    shown: tuple[str, str] | None = None

    @property
    def text(self) -> str:
        if self.shown is not None:
            return self.shown[0]
        return f"{self.lhs.text} ≤ {to_text(self.rhs)}"

    @property
    def latex(self) -> str:
        if self.shown is not None:
            return self.shown[1]
        return rf"{self.lhs.latex} \le {to_latex(self.rhs)}"


@dataclass(frozen=True)
class SearchRange:
    """A range a search explores: ``lo <= name <= hi`` for a size (an integer); for a
    real parameter an interval, open at an end unless the search produces that end.

    >>> SearchRange("theta", "θ", 0, 4, integer=False).text
    '0 < θ < 4'
    >>> SearchRange("eta", "η", 0, 1, integer=False, left_open=False, right_open=False).text
    '0 ≤ η ≤ 1'
    """

    name: str
    symbol: str
    lo: Any
    hi: Any
    integer: bool
    left_open: bool = True
    right_open: bool = True

    @property
    def text(self) -> str:
        left = "≤" if self.integer or not self.left_open else "<"
        right = "≤" if self.integer or not self.right_open else "<"
        return f"{_number_text(self.lo)} {left} {self.symbol} {right} {_number_text(self.hi)}"

    def to_json(self) -> list:
        """``[lo, hi]``: integers, or exact rationals as strings."""
        return [v if isinstance(v, int) else _number_text(v) for v in (self.lo, self.hi)]


def _search_range(p: Parameter, space: Any) -> SearchRange:
    """``p``'s search range: closed at an end only where the instance space says it
    produces that end (:attr:`~symbound.lemmas.space.InstanceSpace.ends_open`); else a
    real parameter's range is reported open."""
    lo, hi = p.search
    ends = getattr(space, "ends_open", None)
    left_open, right_open = (ends(p.name) if ends is not None else None) or (True, True)
    return SearchRange(p.name, to_text(p.symbol), lo, hi, p.is_integer, left_open, right_open)


def _number_text(v: Any) -> str:
    q = Fraction(v)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def provenance_problem(form: Form, provenance: Provenance, citation: Citation) -> str:
    """What is inconsistent between a statement's form, provenance and citation ("" if
    nothing): a claim tagged as the source's text must cite the source itself; a
    reconstruction, a design-card formula or a summary's form is a reading, never the
    statement "as stated"; what is proved here cites the notes that prove it.

    >>> provenance_problem(Form.AS_STATED, Provenance.RECONSTRUCTED, Citation("P", "x", True))
    "a reconstructed statement is a reading, not 'as stated'"
    """
    if form is Form.AS_STATED and provenance not in SOURCE_TEXT:
        return f"a {provenance.value} statement is a reading, not {form.value!r}"
    if (form is Form.AS_STATED or provenance in SOURCE_TEXT) and not citation.primary:
        return (
            f"tagged as the source's text ({form.value}; {provenance.value}) but cites "
            f"{citation.source!r}, which is not the source (Citation(..., primary=True))"
        )
    if provenance is Provenance.PROVED_HERE:
        if form not in (Form.CORRECTED, Form.SUPPORTING):
            return f"a statement proved here is a correction or supporting, not {form.value!r}"
        if citation.primary:
            return "a statement proved here cites the notes that prove it, not the source"
    if provenance is Provenance.REPAIRED and (form is not Form.CORRECTED or citation.primary):
        return "a repaired statement is a correction that cites the repair, not the source"
    if provenance in (Provenance.DESIGN_CARD, Provenance.SUMMARY) and citation.primary:
        return f"a {provenance.value} formula cites where it was found, not the source"
    return ""


@dataclass(frozen=True)
class Lemma:
    r"""A claim: hypotheses imply ``conclusion.lhs <= conclusion.rhs``, with provenance.

    Construct lemmas in ``derivations/`` (pure data); derive variants with
    :meth:`variant`.  Validation happens at construction: undeclared symbols, a
    correction without the key it corrects, a reading that names no choices, a form,
    provenance and citation that disagree (:func:`provenance_problem`), or a
    malformed key are refused.
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
    #: for claims stated in the claim language: ``(hypotheses, conclusion)`` as terms
    statement: Any = field(default=None, compare=False, repr=False)
    reading: tuple[Choice, ...] = ()
    tightness: str = ""
    notes: str = ""

    def __post_init__(self):
        def fail(what: str):
            raise InvalidLemmaError(f"lemma {self.key!r}: {what}")

        if not isinstance(self.key, str) or not _KEY.match(self.key):
            fail("key must be lowercase letters, digits, '.' and '-'")
        if not isinstance(self.provenance, Provenance):
            fail(f"provenance must be a Provenance, got {self.provenance!r}")
        if not isinstance(self.form, Form):
            fail(f"form must be a Form, got {self.form!r}")
        if self.form is Form.CORRECTED and not self.corrects:
            fail("a correction must name the key it corrects (corrects=...)")
        if self.form is not Form.CORRECTED and self.corrects:
            fail(f"only a correction names a key it corrects (form is {self.form.value!r})")
        problem = provenance_problem(self.form, self.provenance, self.citation)
        if problem:
            fail(problem)
        if not all(isinstance(c, Choice) for c in self.reading):
            fail("reading must be a tuple of Choice values")
        if self.form is Form.READING and not self.reading:
            fail("a reading must name the choices it made (reading=(Choice(...), ...))")
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

    @property
    def search_region(self) -> tuple[SearchRange, ...]:
        """The ranges a counterexample search explores: every size, and each real
        parameter whose instance space keeps it in a bounded range.

        >>> from symbound import load_catalogue
        >>> region = load_catalogue()["as25.softmax-l1"].search_region
        >>> ", ".join(r.text for r in region)
        '2 ≤ n ≤ 6, 0 < t < 4'
        """
        return tuple(_search_range(p, self.space) for p in self.parameters if p.search is not None)

    @property
    def reading_text(self) -> str:
        """The reading's choices in one line (empty when it makes none)."""
        return "; ".join(str(c) for c in self.reading)

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

    def __repr__(self) -> str:
        """Key, form, provenance and the statement in one line.

        >>> from symbound import load_catalogue
        >>> load_catalogue()["as25.lemma4.1"]  # doctest: +ELLIPSIS
        <Lemma as25.lemma4.1 [as stated; quoted by a reviewer]: If ‖A − B‖_max ≤ ε, then ...>
        """
        return f"<Lemma {self}>"

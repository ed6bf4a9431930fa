r"""Scalar claims: ``lhs <= rhs`` for every point of a box of parameters.

A :class:`ScalarClaim` is a frozen value like a :class:`~symbound.lemmas.model.Lemma`
(key, title, citation, provenance, form), but both sides are SymPy expressions of
real parameters ranging over a :class:`Box`, so it can be *proved* by the
branch-and-bound prover (:mod:`symbound.prove.bnb`) rather than only searched.
Integer parameters (``H``, ``L``, ...) range over the integers of their interval.

>>> from symbound.notation import H, L, eta
>>> box = Box.parse(["eta=0..1/10", "H=1..64", "L=1..1000"])
>>> box["eta"], box.integers
((Fraction(0, 1), Fraction(1, 10)), ('H', 'L'))
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from symbound.errors import InvalidLemmaError, UsageError
from symbound.lemmas.model import Citation, Form, Provenance, provenance_problem
from symbound.notation import SYMBOLS, to_latex, to_text
from symbound.parse import exact_number, parse_bound

__all__ = ["Box", "ScalarClaim", "as_stated_over", "parse_claim", "parse_rational"]

_KEY = re.compile(r"^[a-z0-9][a-z0-9.\-]*[a-z0-9]$")


def parse_rational(text: str) -> Fraction:
    """An exact rational from ``"3"``, ``"-1/10"``, ``"0.25"`` or ``"1e-3"`` (never a float;
    digits and exponents bounded, see :func:`symbound.parse.exact_number`)."""
    return exact_number(text, "a box's end")


def _assumption_failures(symbol: sp.Symbol, lo: Fraction, hi: Fraction, integer: bool):
    """The assumptions of ``symbol`` that the range ``[lo, hi]`` does not guarantee."""
    if symbol.is_positive and not lo > 0:
        yield "positive"
    elif symbol.is_nonnegative and not lo >= 0:
        yield "nonnegative"
    if symbol.is_negative and not hi < 0:
        yield "negative"
    elif symbol.is_nonpositive and not hi <= 0:
        yield "nonpositive"
    if symbol.is_integer and not (integer or (lo == hi and lo.denominator == 1)):
        yield "integer"
    if symbol.is_nonzero and not symbol.is_positive and not symbol.is_negative and lo <= 0 <= hi:
        yield "nonzero"


def as_stated_over(expr: sp.Expr, box: Box) -> sp.Expr:
    """``expr`` with every symbol made a plain real symbol, once the box guarantees what
    the symbol assumed; a :class:`~symbound.errors.UsageError` otherwise.

    SymPy simplifies with its symbols' assumptions as an expression is built
    (``sqrt(eta**2)`` is ``eta`` for a positive ``eta``), so a claim built with a
    positive symbol is only the claim the user wrote where the symbol is positive: a
    box that lets it reach 0 or below is refused, never proved.

    >>> from symbound.notation import eta
    >>> as_stated_over(eta**2, Box.parse(["eta=1/10..1"])).free_symbols.pop().is_positive
    >>> as_stated_over(sp.sqrt(eta**2), Box.parse(["eta=-1..0"]))
    Traceback (most recent call last):
      ...
    symbound.errors.UsageError: eta is declared positive but the box lets it be -1..0; narrow ...
    """
    ranges = box.as_dict()
    plain = {}
    for s in sorted(expr.free_symbols, key=lambda s: s.name):
        if s.name not in ranges:
            raise UsageError(f"no range for {s.name} in the box")
        lo, hi = ranges[s.name]
        failed = list(_assumption_failures(s, lo, hi, s.name in box.integers))
        if failed:
            raise UsageError(
                f"{s.name} is declared {' and '.join(failed)} but the box lets it be {lo}..{hi}; "
                f"narrow the box, or state the claim with a plain symbol "
                f"(sympy.Symbol({s.name!r}, real=True), or as text)"
            )
        plain[s] = sp.Symbol(s.name, real=True)
    return expr.xreplace(plain)


@dataclass(frozen=True)
class Box:
    """Closed ranges ``lo <= x <= hi`` for named parameters (exact rationals).

    ``integers`` names the parameters that take integer values only.
    """

    ranges: tuple[tuple[str, Fraction, Fraction], ...]
    integers: tuple[str, ...] = ()

    def __post_init__(self):
        names = [r[0] for r in self.ranges]
        if len(set(names)) != len(names):
            raise UsageError(f"a box names each parameter once, got {', '.join(names)}")
        for name, lo, hi in self.ranges:
            if lo > hi:
                raise UsageError(f"empty range for {name}: {lo} > {hi}")
            if name in self.integers and (lo.denominator != 1 or hi.denominator != 1):
                raise UsageError(f"{name} is an integer parameter; give integer bounds")
        unknown = set(self.integers) - set(names)
        if unknown:
            raise UsageError(f"integer parameters without a range: {', '.join(sorted(unknown))}")

    @classmethod
    def of(cls, ranges: Mapping[str, tuple], integers: Iterable[str] = ()) -> Box:
        """A box from ``{"eta": (0, "1/10"), ...}`` (numbers as ints or exact text)."""
        items = tuple(
            (name, Fraction(str(lo)), Fraction(str(hi))) for name, (lo, hi) in ranges.items()
        )
        return cls(items, tuple(sorted(integers)))

    @classmethod
    def parse(cls, specs: Sequence[str], integers: Iterable[str] | None = None) -> Box:
        """A box from ``["eta=0..1/10", "H=1..64"]``; notation symbols declared integer
        (``H``, ``L``, ``n``, ``d``) are integer parameters unless ``integers`` is given."""
        items = []
        for spec in specs:
            name, sep, rng = spec.partition("=")
            lo, dots, hi = rng.partition("..")
            if not sep or not dots or not name.strip():
                raise UsageError(f"a range is NAME=LO..HI (e.g. eta=0..1/10), got {spec!r}")
            items.append((name.strip(), parse_rational(lo), parse_rational(hi)))
        if integers is None:
            integers = [n for n, _, _ in items if n in SYMBOLS and SYMBOLS[n].is_integer]
        return cls(tuple(items), tuple(sorted(integers)))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(r[0] for r in self.ranges)

    def symbols(self, *names: str) -> tuple[sp.Symbol, ...]:
        """Plain real SymPy symbols for the named parameters (all of them by default):
        the symbols a claim over this box is stated in, with no assumption the box
        would have to guarantee.

        >>> Box.parse(["x=-1..1"]).symbols()
        (x,)
        """
        for name in names:
            if name not in self.names:
                raise UsageError(f"the box has no parameter {name!r}")
        return tuple(sp.Symbol(name, real=True) for name in names or self.names)

    def __getitem__(self, name: str) -> tuple[Fraction, Fraction]:
        for n, lo, hi in self.ranges:
            if n == name:
                return lo, hi
        raise KeyError(name)

    def as_dict(self) -> dict[str, tuple[Fraction, Fraction]]:
        return {n: (lo, hi) for n, lo, hi in self.ranges}

    def to_json(self) -> dict:
        return {n: [str(lo), str(hi)] for n, lo, hi in self.ranges}

    @property
    def text(self) -> str:
        return ", ".join(f"{n} ∈ [{lo}, {hi}]" for n, lo, hi in self.ranges)

    def __repr__(self) -> str:
        integers = f"; integers {', '.join(self.integers)}" if self.integers else ""
        return f"<Box {self.text}{integers}>"

    @property
    def latex(self) -> str:
        parts = []
        for n, lo, hi in self.ranges:
            sym = to_latex(SYMBOLS[n]) if n in SYMBOLS else n
            parts.append(rf"{sym} \in [{_latex_q(lo)}, {_latex_q(hi)}]")
        return ", ".join(parts)


def parse_claim(text: str, box: Box) -> sp.Expr:
    """One side of a claim typed as text, read with plain real symbols for the box's
    parameters (never the notation's positive ones), without eval.

    >>> parse_claim("sqrt(eta**2)", Box.parse(["eta=-1..0"]))
    Abs(eta)
    """
    return parse_bound(text, dict(zip(box.names, box.symbols(), strict=True)))


def _latex_q(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else rf"{q.numerator}/{q.denominator}"


@dataclass(frozen=True)
class ScalarClaim:
    r"""``lhs <= rhs`` over ``box``: a claim the prover can settle, with its provenance."""

    key: str
    title: str
    citation: Citation
    provenance: Provenance
    form: Form
    lhs: sp.Expr | str
    rhs: sp.Expr | str
    box: Box
    notes: str = ""
    corrects: str | None = None
    budget: int = 20_000  # boxes the prover may spend by default

    def __post_init__(self):
        if not _KEY.match(self.key):
            raise InvalidLemmaError(f"bad key {self.key!r}: use lower-case, digits, '.', '-'")
        problem = provenance_problem(self.form, self.provenance, self.citation)
        if problem:  # the same rules as for lemmas: a label never says more than it is
            raise InvalidLemmaError(f"{self.key}: {problem}")
        sides = [
            parse_claim(s, self.box) if isinstance(s, str) else s for s in (self.lhs, self.rhs)
        ]
        free = {s.name for s in (sides[0] - sides[1]).free_symbols}
        missing = free - set(self.box.names)
        if missing:
            raise InvalidLemmaError(f"{self.key}: no range for {', '.join(sorted(missing))}")
        try:
            lhs, rhs = (as_stated_over(s, self.box) for s in sides)
        except UsageError as exc:
            raise InvalidLemmaError(f"{self.key}: {exc}") from None
        object.__setattr__(self, "lhs", lhs)
        object.__setattr__(self, "rhs", rhs)

    @property
    def text(self) -> str:
        return f"{to_text(self.lhs)} ≤ {to_text(self.rhs)} for {self.box.text}"

    @property
    def latex(self) -> str:
        return rf"{to_latex(self.lhs)} \le {to_latex(self.rhs)}"

    def __repr__(self) -> str:
        return f"<ScalarClaim {self.key} [{self.form.value}; {self.provenance.value}]: {self.text}>"

    def _repr_latex_(self) -> str:
        return rf"$${self.latex}\ \text{{for}}\ {self.box.latex}$$"

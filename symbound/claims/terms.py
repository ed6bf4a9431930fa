r"""Terms of the claim language: matrices, the field's quantities, and relations.

A claim is written with terms the way it is written on paper::

    A, D = matrix("A", "n", "n"), matrix("D", "n", "n")
    norm(softmax(A + D) - softmax(A), "row") <= 2 * sp.tanh(t / 2)

Every term is a small frozen value (its operation, its arguments and its shape in
size parameters), so two spellings of the same claim are the same object, the text
and LaTeX printed in the appendix are derived from the term itself, and one
evaluator (:mod:`symbound.claims.evaluation`) runs it on float64, exact rationals,
mpmath and Arb.  Scalars inside terms are SymPy expressions of the claim's real
parameters (``t``, ``eps``, ``eta``); sizes (``n``, ``d``) are names in shapes.  The
operations are in :mod:`symbound.claims.ops`, the functions that build terms in
:mod:`symbound.claims.vocabulary`.

>>> from symbound.claims.vocabulary import matrix, norm, res
>>> A = matrix("A", "n", "d")
>>> (res(A) - res(A + A)).text, norm(A, "max").latex
('Res(A) − Res(A + A)', '\\|A\\|_{\\max}')
>>> relation = norm(A, "row") <= 2 * sp.Symbol("eps", positive=True)
>>> relation.text
'‖A‖_∞ ≤ 2*ε'
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from symbound.claims.ops import NORMS, OPERATIONS, shape_text
from symbound.errors import UsageError
from symbound.notation import to_latex, to_text

__all__ = ["Apply", "Constant", "Dim", "Param", "Relation", "Term", "Var", "lift"]

Dim = str | int

#: Which arguments of an operation need brackets around a sum (``A − (B + C)``).
_LOOSE = {"add", "sub", "neg"}
_BRACKETED = {"sub": (1,), "neg": (0,), "mul": (0, 1), "div": (0, 1), "matmul": (0, 1),
              "transpose": (0,)}  # fmt: skip


def _needs_brackets(parent: str, index: int, child: Term) -> bool:
    if index not in _BRACKETED.get(parent, ()):
        return False
    if isinstance(child, Apply):
        return child.op in _LOOSE or (parent in ("div", "transpose") and child.op == "mul")
    if isinstance(child, Param):
        return isinstance(child.expr, sp.Add) or (
            parent == "div" and isinstance(child.expr, sp.Mul)
        )
    return False


class Term:
    """Base of every term: arithmetic builds new terms, ``<=`` a :class:`Relation`."""

    shape: tuple

    # -- arithmetic (right operands may be SymPy expressions or numbers) --------------
    def __add__(self, other):
        return Apply.of("add", self, lift(other))

    def __radd__(self, other):
        return Apply.of("add", lift(other), self)

    def __sub__(self, other):
        return Apply.of("sub", self, lift(other))

    def __rsub__(self, other):
        return Apply.of("sub", lift(other), self)

    def __neg__(self):
        return Apply.of("neg", self)

    def __mul__(self, other):
        return Apply.of("mul", self, lift(other))

    def __rmul__(self, other):
        return Apply.of("mul", lift(other), self)

    def __truediv__(self, other):
        return Apply.of("div", self, lift(other))

    def __matmul__(self, other):
        return Apply.of("matmul", self, lift(other))

    @property
    def T(self):
        return Apply.of("transpose", self)

    def __getitem__(self, index):
        """``X[i]`` a row (a vector), ``X[i, j]`` an entry (a scalar); 0-based integers."""
        index = index if isinstance(index, tuple) else (index,)
        if not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in index):
            raise UsageError("an index is a nonnegative integer (0-based), e.g. X[0, 1]")
        return Apply.of("index", self, options=tuple(index))

    def __le__(self, other):
        return Relation(self, lift(other))

    def __ge__(self, other):
        return Relation(lift(other), self)

    __hash__ = object.__hash__  # dataclasses below set their own

    def __repr__(self) -> str:
        shape = shape_text(self.shape)
        return f"<Term {self.text}: {shape}>"

    def _repr_latex_(self) -> str:
        return f"${self.latex}$"

    @property
    def is_scalar(self) -> bool:
        return self.shape == ()


@dataclass(frozen=True, eq=True, repr=False)
class Var(Term):
    """A variable of the instance: a matrix, a vector or a stack of matrices.

    ``domain`` is the set it ranges over (:mod:`symbound.claims.domains`; ``None``
    is a free real array); ``meaning`` and ``latex`` are for statements.
    """

    name: str
    shape: tuple[Dim, ...]
    domain: Any = None
    meaning: str = ""
    latex_name: str = ""

    def __post_init__(self):
        if not self.name.isidentifier() or self.name.startswith("_"):
            raise UsageError(f"a variable's name is an identifier, got {self.name!r}")
        for s in self.shape:
            if not (isinstance(s, int) and not isinstance(s, bool) and s >= 1) and not (
                isinstance(s, str) and s.isidentifier()
            ):
                raise UsageError(f"{self.name}: a size is a name or a positive integer, got {s!r}")

    @property
    def text(self) -> str:
        return _GREEK.get(self.name, self.name)

    @property
    def latex(self) -> str:
        if self.latex_name:
            return self.latex_name
        return f"\\{self.name}" if self.name in _GREEK else self.name


#: Variables named after Greek letters print as the letter (``Delta`` as Δ, \Delta).
_GREEK = {"Delta": "Δ", "Gamma": "Γ", "Lambda": "Λ", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ",
          "Omega": "Ω", "Theta": "Θ", "Pi": "Π", "Xi": "Ξ"}  # fmt: skip


@dataclass(frozen=True, eq=True, repr=False)
class Constant(Term):
    """A constant matrix of given sizes: ``ones`` (J) or ``eye`` (the identity)."""

    kind: str
    shape: tuple[Dim, ...]

    @property
    def text(self) -> str:
        return "J" if self.kind == "ones" else "I"

    @property
    def latex(self) -> str:
        return "J" if self.kind == "ones" else "I"


@dataclass(frozen=True, eq=True, repr=False)
class Param(Term):
    """A scalar SymPy expression of the claim's real parameters (``2*tanh(t/2)``)."""

    expr: sp.Expr
    shape: tuple = ()

    @property
    def text(self) -> str:
        return to_text(self.expr)

    @property
    def latex(self) -> str:
        return to_latex(self.expr)


@dataclass(frozen=True, eq=True, repr=False)
class Apply(Term):
    """An operation of :data:`OPERATIONS` applied to terms (``options``: its settings)."""

    op: str
    args: tuple[Term, ...]
    options: tuple = ()
    shape: tuple = ()

    @classmethod
    def of(cls, op: str, *args: Term, options: tuple = ()) -> Apply:
        spec = OPERATIONS[op]
        return cls(op, tuple(args), tuple(options), tuple(spec.shape(args, options)))

    @property
    def text(self) -> str:
        if self.op in ("norm", "spread") and len(self.args[0].shape) > 2:
            return _stack_text(self, latex=False)
        parts = [
            f"({a.text})" if _needs_brackets(self.op, i, a) else a.text
            for i, a in enumerate(self.args)
        ]
        return OPERATIONS[self.op].text(parts, self.options)

    @property
    def latex(self) -> str:
        if self.op in ("norm", "spread") and len(self.args[0].shape) > 2:
            return _stack_text(self, latex=True)
        parts = [  # \frac groups its arguments itself
            rf"\left({a.latex}\right)"
            if self.op != "div" and _needs_brackets(self.op, i, a)
            else a.latex
            for i, a in enumerate(self.args)
        ]
        return OPERATIONS[self.op].latex(parts, self.options)


_INDEX_NAMES = {"L": ("ℓ", r"\ell"), "H": ("h", "h")}


def _stack_text(term: Apply, latex: bool) -> str:
    """``max_ℓh ‖V_ℓh‖_∞``: a norm (or spread) of a stack is its largest over the stack."""
    inner = term.args[0]
    names = [
        _INDEX_NAMES.get(s, (f"k{i}", f"k_{i}")) if isinstance(s, str) else (f"k{i}", f"k_{i}")
        for i, s in enumerate(inner.shape[:-2])
    ]
    if latex:
        index = ",".join(n[1] for n in names)
        base = inner.latex
        if isinstance(inner, Var):
            sub = rf"{base}^{{({index})}}"
        else:
            sub = rf"\left({base}\right)_{{{index}}}"
        if term.op == "spread":
            return rf"\max_{{{index}}} \operatorname{{spread}}\left({sub}\right)"
        return rf"\max_{{{index}}} \|{sub}\|_{{{NORMS[term.options[0]][1]}}}"
    index = "".join(n[0] for n in names)
    sub = f"{inner.text}_{index}" if isinstance(inner, Var) else f"({inner.text})_{index}"
    if term.op == "spread":
        return f"max_{index} spread({sub})"
    return f"max_{index} ‖{sub}‖_{NORMS[term.options[0]][0]}"


@dataclass(frozen=True, eq=True)
class Relation:
    """``lhs <= rhs`` between two scalar terms: a hypothesis or a conclusion."""

    lhs: Term
    rhs: Term

    def __post_init__(self):
        for side in (self.lhs, self.rhs):
            if side.shape:
                raise UsageError(
                    f"<= compares scalars; {side.text} is a {shape_text(side.shape)} term "
                    "(take a norm)"
                )

    @property
    def text(self) -> str:
        return f"{self.lhs.text} ≤ {self.rhs.text}"

    @property
    def latex(self) -> str:
        return rf"{self.lhs.latex} \le {self.rhs.latex}"

    def __bool__(self):
        raise TypeError("a Relation is a statement, not a truth value; pass it to claim()")

    def __repr__(self) -> str:
        return f"<Relation {self.text}>"

    def _repr_latex_(self) -> str:
        return f"${self.latex}$"


def lift(value) -> Term:
    """A term from a term, a SymPy expression or an exact number (text is refused)."""
    if isinstance(value, Term):
        return value
    if isinstance(value, sp.Basic):
        return Param(value)
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise UsageError(
            f"expected a term, a SymPy expression or an exact number, got "
            f"{type(value).__name__} (floats are not exact: write sympy.Rational(1, 10))"
        )
    q = Fraction(value)
    return Param(sp.Rational(q.numerator, q.denominator))

r"""A claim in a few lines: variables, hypotheses and a conclusion become a checkable lemma.

:func:`claim` turns a statement written with :mod:`symbound.claims.terms` into the
:class:`~symbound.lemmas.model.Lemma` the checker runs: its parameters (each real
parameter with its range, each size with its search range), its statement's text
and LaTeX (derived from the terms: what is printed is what is checked), quantities
that evaluate the terms on every backend, and an instance space derived from the
hypotheses (:mod:`symbound.claims.domains`).

>>> import sympy as sp
>>> from symbound.claims import claim, matrix, norm, softmax
>>> t = sp.Symbol("t", positive=True)
>>> A, D = matrix("A", "n", "n"), matrix("D", "n", "n")
>>> lemma = claim("mine.softmax-l1", given=[norm(D, "max") <= t],
...               then=norm(softmax(A + D) - softmax(A), "row") <= 2 * sp.tanh(t / 2),
...               ranges={"t": (0, 4)})
>>> lemma.statement_text
'If ‖D‖_max ≤ t, then ‖softmax(A + D) − softmax(A)‖_∞ ≤ 2*tanh(t/2).'
>>> lemma.space.description
't = 0 + 4 open_unit(z); D = t clip(z, -1, 1); A = z'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from symbound.claims.domains import Interval, derive
from symbound.claims.evaluation import evaluate
from symbound.claims.ops import NORMS
from symbound.claims.terms import Apply, Param, Relation, Term, Var
from symbound.errors import UsageError
from symbound.lemmas.model import (
    Citation,
    Form,
    Inequality,
    Lemma,
    Parameter,
    Provenance,
    Quantity,
    Variable,
)
from symbound.lemmas.space import InstanceSpace

__all__ = ["DEFAULT_SIZES", "TermQuantity", "claim", "parameters_of", "quantity", "sizes_of"]

#: Search ranges for sizes a claim does not give (inclusive): small, like the catalogue's.
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"n": (2, 6), "d": (1, 3), "H": (1, 2), "L": (1, 2)}
_OTHER_SIZE = (1, 3)


@dataclass(frozen=True)
class TermQuantity:
    """``evaluate(term, instance, backend)`` as a picklable callable (worker processes)."""

    term: Term

    def __call__(self, inst: Mapping[str, Any], backend) -> Any:
        return evaluate(self.term, inst, backend)


def quantity(term: Term) -> Quantity:
    """A :class:`~symbound.lemmas.model.Quantity` (text, LaTeX, evaluation) of a scalar
    term, for lemmas written by hand that use the language's quantities."""
    if term.shape:
        raise UsageError(f"a quantity is a scalar; {term.text} is not (take a norm)")
    return Quantity(term.text, term.latex, TermQuantity(term))


@dataclass(frozen=True)
class _Ratio:
    """``lhs / rhs`` of a relation whose bound is itself a term (``‖PXW‖ ≤ ‖X‖ ‖W‖``)."""

    lhs: Term
    rhs: Term

    def __call__(self, inst: Mapping[str, Any], backend) -> Any:
        top, bottom = evaluate(self.lhs, inst, backend), evaluate(self.rhs, inst, backend)
        with backend.scope():
            return top / bottom


def _walk(term: Term):
    yield term
    if isinstance(term, Apply):
        for a in term.args:
            yield from _walk(a)


def sizes_of(relations: Sequence[Relation]) -> list[str]:
    """The size names the claim's variables are shaped in, in order of appearance."""
    seen: list[str] = []
    for r in relations:
        for side in (r.lhs, r.rhs):
            for node in _walk(side):
                if isinstance(node, Var):
                    for s in node.shape:
                        if isinstance(s, str) and s not in seen:
                            seen.append(s)
    return seen


def parameters_of(relations: Sequence[Relation], sizes: Sequence[str]) -> list[sp.Symbol]:
    """The real parameters (SymPy symbols that are not sizes), sorted by name."""
    found: dict[str, sp.Symbol] = {}
    for r in relations:
        for side in (r.lhs, r.rhs):
            for node in _walk(side):
                if isinstance(node, Param):
                    for s in node.expr.free_symbols:
                        if s.name not in sizes:
                            if s.name in found and found[s.name] != s:
                                raise UsageError(
                                    f"two different symbols are named {s.name!r} (one with "
                                    "assumptions); use one symbol"
                                )
                            found[s.name] = s
    return [found[k] for k in sorted(found)]


def _variables(relations: Sequence[Relation]) -> list[Var]:
    found: dict[str, Var] = {}
    for r in relations:
        for side in (r.lhs, r.rhs):
            for node in _walk(side):
                if isinstance(node, Var):
                    if node.name in found and found[node.name] != node:
                        raise UsageError(f"two different variables are named {node.name!r}")
                    found.setdefault(node.name, node)
    return list(found.values())


def _interval_of(symbol: sp.Symbol, given) -> Interval:
    """The declared range of a real parameter, within what its assumptions allow."""
    if given is None:
        if symbol.is_positive:
            return Interval.open(0, None)
        if symbol.is_nonnegative:
            return Interval(Fraction(0), None, False, True)
        return Interval.open()
    if isinstance(given, Interval):
        interval = given
    else:
        lo, hi = given
        interval = Interval.open(lo, hi)
    lo = interval.lo
    if symbol.is_positive and (lo is None or lo < 0 or (lo == 0 and not interval.left_open)):
        raise UsageError(
            f"{symbol.name} is declared positive but its range {interval.text(symbol.name)} "
            "reaches 0 or below; use a plain symbol (sympy.Symbol(name, real=True))"
        )
    if symbol.is_nonnegative and (lo is None or lo < 0):
        raise UsageError(f"{symbol.name} is declared nonnegative but its range goes below 0")
    return interval


def _size_symbol(name: str) -> sp.Symbol:
    from symbound.notation import SYMBOLS

    s = SYMBOLS.get(name)
    return s if s is not None and s.is_integer else sp.Symbol(name, positive=True, integer=True)


def _norm_text(relations: Sequence[Relation]) -> str:
    kinds = []
    for r in relations:
        for side in (r.lhs, r.rhs):
            for node in _walk(side):
                if isinstance(node, Apply) and node.op == "norm" and node.options[0] not in kinds:
                    kinds.append(node.options[0])
    parts = [f"‖·‖_{NORMS[k][0]}: {NORMS[k][2]}" for k in kinds]
    return "; ".join(parts) or "no norm"


def _inequality(r: Relation, guaranteed: bool) -> Inequality:
    if isinstance(r.rhs, Param):
        q = Quantity(r.lhs.text, r.lhs.latex, TermQuantity(r.lhs))
        return Inequality(q, r.rhs.expr, guaranteed=guaranteed)
    q = Quantity(
        f"({r.lhs.text})/({r.rhs.text})",
        rf"\frac{{{r.lhs.latex}}}{{{r.rhs.latex}}}",
        _Ratio(r.lhs, r.rhs),
    )
    return Inequality(q, sp.Integer(1), guaranteed=guaranteed, shown=(r.text, r.latex))


def claim(
    key: str,
    *,
    then: Relation,
    given: Sequence[Relation] = (),
    title: str = "",
    ranges: Mapping[str, Any] | None = None,
    sizes: Mapping[str, tuple[int, int]] | None = None,
    citation: Citation | None = None,
    provenance: Provenance = Provenance.USER,
    form: Form = Form.AS_STATED,
    corrects: str | None = None,
    meanings: Mapping[str, str] | None = None,
    norm: str | None = None,
    notes: str = "",
    **fields: Any,
) -> Lemma:
    r"""A checkable lemma: if every relation in ``given`` holds, then ``then`` holds.

    - ``ranges``: a real parameter's range, ``{"t": (0, 4)}`` (open) or an
      :class:`~symbound.claims.domains.Interval`; by default what its assumptions allow
      (a positive SymPy symbol: :math:`(0, \infty)`);
    - ``sizes``: the search range of each size, ``{"n": (2, 6)}`` (default
      :data:`DEFAULT_SIZES`); verdicts say which sizes were searched;
    - ``citation``, ``provenance``, ``form``, ``corrects``: where the statement comes
      from (default: your own statement, as you state it);
    - ``meanings``: a phrase per parameter or variable name, for ``symbound show``;
    - ``norm``: the norm convention in words (default: the norms the statement uses);
    - ``fields``: other :class:`~symbound.lemmas.model.Lemma` fields (``reading``,
      ``tightness``).
    """
    if not isinstance(then, Relation):
        raise UsageError("then= takes a relation, e.g. norm(X, 'max') <= t")
    given = tuple(given)
    for h in given:
        if not isinstance(h, Relation):
            raise UsageError(f"given= takes relations, got {type(h).__name__}")
    relations = (*given, then)
    size_names = sizes_of(relations)
    # a size that shapes no variable but enters a bound (the H of 2 H eps) is declared
    # by giving its range; it is an integer searched over that range like the others
    scalar_names = {s.name for r in relations for side in (r.lhs, r.rhs)
                    for node in _walk(side) if isinstance(node, Param)
                    for s in node.expr.free_symbols}  # fmt: skip
    size_names += [k for k in (sizes or {}) if k not in size_names and k in scalar_names]
    symbols = parameters_of(relations, size_names)
    ranges = dict(ranges or {})
    unknown = set(ranges) - {s.name for s in symbols}
    if unknown:
        raise UsageError(
            f"ranges given for {', '.join(sorted(unknown))}, which the claim never uses"
        )
    intervals = {s: _interval_of(s, ranges.get(s.name)) for s in symbols}
    variables = _variables(relations)
    plan = derive(variables, intervals, given)
    meanings = dict(meanings or {})
    sizes = {**{k: v for k, v in DEFAULT_SIZES.items() if k in size_names}, **dict(sizes or {})}
    for name in size_names:
        sizes.setdefault(name, _OTHER_SIZE)
    unknown = set(sizes) - set(size_names)
    if unknown:
        raise UsageError(f"size ranges given for {', '.join(sorted(unknown))}, not a size here")
    parameters = [
        Parameter(_size_symbol(name), sp.Range(1, sp.oo), meanings.get(name, "a size"),
                  search=_size_range(name, sizes[name]))
        for name in size_names
    ] + [
        Parameter(s, iv.sympy_set(), meanings.get(s.name, iv.text(s.name)),
                  search=(iv.lo, iv.hi) if iv.lo is not None and iv.hi is not None else None)
        for s, iv in intervals.items()
    ]  # fmt: skip
    space = InstanceSpace(
        dimension=plan.dimension,
        build=plan.build,
        description=plan.description,
        ends_open=plan.ends_open,
    )
    hypotheses = tuple(_inequality(h, i in plan.guaranteed) for i, h in enumerate(given))
    return Lemma(
        key=key,
        title=title or key,
        citation=citation or Citation("your own statement", key, primary=True),
        provenance=provenance,
        form=form,
        parameters=tuple(parameters),
        variables=tuple(
            Variable(v.name, v.shape, meanings.get(v.name, _variable_meaning(v)), v.latex)
            for v in variables
        ),
        hypotheses=hypotheses,
        conclusion=_inequality(then, True),
        norm=norm or _norm_text(relations),
        space=space,
        corrects=corrects,
        notes=notes,
        statement=(given, then),
        **fields,
    )


def _size_range(name: str, rng) -> tuple[int, int]:
    try:
        lo, hi = (int(v) for v in rng)
    except (TypeError, ValueError):
        raise UsageError(
            f"the size {name} takes a range (lo, hi) of integers, got {rng!r}"
        ) from None
    if not 1 <= lo <= hi <= 64:
        raise UsageError(f"the size {name} is searched in 1..64, got {lo}..{hi}")
    return lo, hi


def _variable_meaning(v: Var) -> str:
    if v.meaning:
        return v.meaning
    kind = {1: "a vector", 2: "a matrix"}.get(len(v.shape), "a stack of matrices")
    return kind if v.domain is None else f"{kind}, {v.domain.text}"

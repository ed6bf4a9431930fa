r"""The variants of a claim that a repair checks, and the repaired entry itself.

A claim ``lhs <= c*f`` is split into its constant ``c`` and the rest ``f``
(:func:`split_constant`); a repair checks the claim with another constant
(:func:`with_constant`), at one value of a size (:func:`at_size`) and with a
hypothesis on a parameter (:func:`with_bound`), then states the result as a new
catalogue-style entry (:func:`repaired_entry`: provenance *repaired here*, a
correction of the key it repairs).

Claims stated in the claim language are *restated* (:func:`restate`: the same terms
through :func:`symbound.claims.claim`), so their text, LaTeX and instance space are
derived again from the new statement: a rational bound on one real parameter
narrows that parameter's range (every sampled instance meets it, none is filtered),
any other bound is one more hypothesis, filtered by the checker.  Lemmas written by
hand get the new conclusion or hypothesis directly (:meth:`Lemma.variant`); their
instance space is kept, so a new hypothesis is filtered.

>>> from symbound import load_catalogue
>>> lemma = load_catalogue()["as25.lemma4.1"]
>>> split = split_constant(lemma)
>>> split.c, split.f
(1, eps)
>>> with_constant(lemma, split, 2, key="x.two").statement_text
'If ‖A − B‖_max ≤ ε, then ‖Res(A) − Res(B)‖_max ≤ 2*ε.'
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from symbound.errors import UsageError
from symbound.lemmas.model import (
    Citation,
    Form,
    Inequality,
    Lemma,
    Provenance,
    expr_quantity,
)

__all__ = [
    "Split",
    "at_size",
    "parameter_expr",
    "repaired_entry",
    "restate",
    "split_constant",
    "with_bound",
    "with_constant",
]


@dataclass(frozen=True)
class Split:
    r"""A conclusion read as ``lhs <= c * f``: ``c`` the stated constant (a positive number,
    or the symbol named by the user), ``f`` the rest of the bound.

    ``term`` is the claim language's bound when it is itself a term (``a <= b`` is
    checked as ``a/b <= 1``): then ``f`` is ``1`` and ``factor`` the term ``b``
    without its numeric factor.
    """

    c: sp.Expr
    f: sp.Expr
    symbol: str | None = None
    term: Any = None

    @property
    def f_text(self) -> str:
        """``f`` as text (the term, for a bound that is a term)."""
        from symbound.notation import to_text

        return self.term.text if self.term is not None else to_text(self.f)

    @property
    def text(self) -> str:
        """``c`` and ``f`` in words: ``f = ε (stated c = 1)``."""
        from symbound.notation import to_text

        return f"f = {self.f_text} (stated c = {to_text(self.c)})"


def _then(lemma: Lemma):
    return lemma.statement[1] if lemma.statement is not None else None


def split_constant(lemma: Lemma, constant: str | None = None) -> Split:
    """``c`` and ``f`` of the conclusion (see :class:`Split`); ``constant`` names a symbol
    of the bound to take as ``c`` instead of its leading numeric factor."""
    from symbound.claims.terms import Apply, Param

    symbol = _symbol(lemma, constant) if constant is not None else None
    if symbol is not None:
        for h in lemma.hypotheses:
            if h.rhs.has(symbol):
                raise UsageError(
                    f"--constant {constant}: {constant} appears in the hypothesis {h.text}; "
                    "name a constant of the conclusion only"
                )
    then = _then(lemma)
    if then is not None and not isinstance(then.rhs, Param):
        rhs_term, head = then.rhs, None
        if (
            isinstance(rhs_term, Apply)
            and rhs_term.op == "mul"
            and isinstance(rhs_term.args[0], Param)
        ):
            head, rest = rhs_term.args[0].expr, rhs_term.args[1]
        if symbol is not None:
            if head != symbol:
                raise UsageError(
                    f"--constant {constant}: the bound {rhs_term.text} is not {constant} times "
                    "a term; write it as C * (term)"
                )
            return Split(symbol, sp.Integer(1), constant, rest)
        if head is not None and head.is_Rational and head > 0:
            return Split(head, sp.Integer(1), None, rest)
        return Split(sp.Integer(1), sp.Integer(1), None, rhs_term)
    rhs = lemma.conclusion.rhs
    if symbol is not None:
        f = sp.cancel(rhs / symbol)
        if symbol in f.free_symbols or not rhs.has(symbol):
            raise UsageError(
                f"--constant {constant}: the bound {rhs} is not {constant} times a factor "
                f"free of {constant}"
            )
        return Split(symbol, f, constant)
    c, f = sp.factor_terms(rhs).as_coeff_Mul()  # 999*eps*(1 - 1/n)/500, not distributed
    if not (c.is_number and c > 0):
        c, f = sp.Integer(1), rhs
    return Split(sp.nsimplify(c), f)


def _symbol(lemma: Lemma, name: str) -> sp.Symbol:
    try:
        return lemma.parameter(name).symbol
    except KeyError:
        names = ", ".join(p.name for p in lemma.parameters)
        raise UsageError(
            f"--constant {name}: {lemma.key} has no parameter {name!r} (its parameters: {names})"
        ) from None


def parameter_expr(lemma: Lemma, text: str) -> sp.Expr:
    """``--parameter``'s text as an expression in the lemma's parameters (a name, or an
    expression such as ``2*H*eps``), parsed without eval; at least one real parameter.

    >>> from symbound import load_catalogue
    >>> parameter_expr(load_catalogue()["as25.eps0.relative"], "2*H*eps")
    2*H*eps
    """
    from symbound.parse import parse_bound

    symbols = {p.name: p.symbol for p in lemma.parameters}
    names = ", ".join(symbols) or "none"
    if text in symbols:
        expr = symbols[text]
    elif text.isidentifier():
        raise UsageError(
            f"--parameter {text!r}: {lemma.key} has no parameter {text!r} (its parameters: {names})"
        )
    else:
        try:
            expr = parse_bound(text, symbols)
        except UsageError as exc:
            raise UsageError(f"--parameter {text!r}: {exc}") from None
    unknown = {s.name for s in expr.free_symbols} - set(symbols)
    if unknown or not expr.free_symbols:
        what = ", ".join(sorted(unknown)) if unknown else "no parameter"
        raise UsageError(
            f"--parameter {text!r}: {lemma.key} has no parameter {what} (its parameters: {names})"
        )
    sizes = {p.name for p in lemma.size_parameters}
    if {s.name for s in expr.free_symbols} <= sizes:
        raise UsageError(
            f"--parameter {text!r}: a threshold is on a real parameter (sizes are searched "
            f"over their ranges); the real parameters of {lemma.key}: "
            + (", ".join(p.name for p in lemma.parameters if not p.is_integer) or "none")
        )
    return expr


# -- restating a claim of the claim language ----------------------------------------


def _interval(domain: sp.Set):
    from symbound.claims.domains import Interval

    if not isinstance(domain, sp.Interval):
        return Interval.open()
    lo = None if domain.inf == -sp.oo else Fraction(str(domain.inf))
    hi = None if domain.sup == sp.oo else Fraction(str(domain.sup))
    return Interval(
        lo, hi, bool(domain.left_open) or lo is None, bool(domain.right_open) or hi is None
    )


def restate(lemma: Lemma, *, given=None, then=None, ranges=None, **fields) -> Lemma:
    """A claim of the claim language stated again with another statement or ranges (the
    same key, citation, provenance, form, sizes and meanings unless ``fields`` say
    otherwise): its text, LaTeX and instance space derived from the new terms.

    >>> from symbound import load_catalogue
    >>> lemma = load_catalogue()["as25.softmax-l1"]
    >>> restate(lemma, ranges={"t": (0, 1)}).search_region[1].text
    '0 < t < 1'
    """
    from symbound.claims.statement import claim, parameters_of, sizes_of

    old_given, old_then = lemma.statement
    given = tuple(old_given if given is None else given)
    then = old_then if then is None else then
    relations = (*given, then)
    size_names = sizes_of(relations)
    used = {s.name for s in parameters_of(relations, size_names)}
    new_ranges = {
        p.name: _interval(p.domain) for p in lemma.parameters if not p.is_integer and p.name in used
    }
    changed = set(ranges or {})
    new_ranges.update(ranges or {})
    meanings = {v.name: v.meaning for v in lemma.variables}
    for p in lemma.parameters:
        default = not p.is_integer and p.meaning == _interval(p.domain).text(p.name)
        if not (p.name in changed and default):  # a default meaning is the old range's text
            meanings[p.name] = p.meaning
    sizes = {p.name: tuple(p.search) for p in lemma.size_parameters if p.name in size_names}
    options = dict(
        title=lemma.title,
        citation=lemma.citation,
        provenance=lemma.provenance,
        form=lemma.form,
        corrects=lemma.corrects,
        norm=lemma.norm,
        notes=lemma.notes,
        reading=lemma.reading,
        tightness=lemma.tightness,
    )
    options.update(fields)
    key = options.pop("key", lemma.key)
    return claim(
        key,
        given=given,
        then=then,
        ranges=new_ranges,
        sizes=sizes,
        meanings=meanings,
        **options,
    )


# -- the variants a repair checks ------------------------------------------------------


def with_constant(lemma: Lemma, split: Split, value, *, key: str, **fields) -> Lemma:
    """The claim with ``value * f`` for its bound (``value`` a number or an expression in
    the sizes)."""
    from symbound.claims.terms import lift

    value = sp.nsimplify(value) if not isinstance(value, sp.Basic) else value
    if lemma.statement is not None:
        then = _then(lemma)
        if split.term is not None:
            new_then = (
                then.lhs <= lift(value) * split.term if value != 1 else then.lhs <= split.term
            )
        else:
            new_then = then.lhs <= lift(value * split.f)
        return restate(lemma, then=new_then, key=key, **fields)
    conclusion = Inequality(lemma.conclusion.lhs, value * split.f)
    parameters = lemma.parameters
    if split.symbol is not None:
        parameters = tuple(p for p in parameters if p.name != split.symbol)
    return lemma.variant(key=key, conclusion=conclusion, parameters=parameters, **fields)


def at_size(lemma: Lemma, name: str, value: int, *, key: str) -> Lemma:
    """The claim searched at one value of the size ``name`` only."""
    params = tuple(
        dataclasses.replace(p, search=(value, value)) if p.name == name else p
        for p in lemma.parameters
    )
    return lemma.variant(key=key, parameters=params)


def with_bound(lemma: Lemma, u: sp.Expr, side: str, bound: sp.Expr, *, key: str, **fields) -> Lemma:
    """The claim with one more hypothesis, ``u <= bound`` (``side`` ``"<="``) or
    ``u >= bound`` (``">="``).  In the claim language a rational bound on one real
    parameter narrows its range; anything else is a hypothesis the checker filters."""
    from symbound.claims.domains import Interval
    from symbound.claims.terms import lift

    bound = sp.nsimplify(bound) if not isinstance(bound, sp.Basic) else bound
    if lemma.statement is not None:
        if (
            isinstance(u, sp.Symbol)
            and bound.is_Rational
            and not lemma.parameter(u.name).is_integer
        ):
            iv = _interval(lemma.parameter(u.name).domain)
            q = Fraction(int(bound.p), int(bound.q))
            lo, hi = (iv.lo, q) if side == "<=" else (q, iv.hi)
            left, right = (iv.left_open, False) if side == "<=" else (False, iv.right_open)
            if lo is not None and hi is not None and lo >= hi:
                raise UsageError(f"{u} {side} {bound} leaves no range for {u}")
            narrowed = Interval(lo, hi, left or lo is None, right or hi is None)
            return restate(lemma, ranges={u.name: narrowed}, key=key, **fields)
        relation = lift(u) <= lift(bound) if side == "<=" else lift(bound) <= lift(u)
        given = (*lemma.statement[0], relation)
        return restate(lemma, given=given, key=key, **fields)
    if side == "<=":
        extra = Inequality(expr_quantity(u), bound, guaranteed=False)
    else:
        extra = Inequality(expr_quantity(-u), -bound, guaranteed=False, shown=_shown(u, bound))
    return lemma.variant(key=key, hypotheses=(*lemma.hypotheses, extra), **fields)


def _shown(u: sp.Expr, bound: sp.Expr) -> tuple[str, str]:
    from symbound.notation import to_latex, to_text

    return f"{to_text(bound)} ≤ {to_text(u)}", rf"{to_latex(bound)} \le {to_latex(u)}"


def repaired_entry(lemma: Lemma, variant: Lemma, *, what: str, how: str) -> Lemma:
    """``variant`` as the repaired entry: key ``KEY.repaired``, a correction of ``KEY``,
    provenance *repaired here*, citing the repair (``how``: its seed and searches)."""
    fields = dict(
        key=f"{lemma.key}.repaired",
        title=f"{lemma.title} ({what})",
        citation=Citation("symbound repair", f"repair of {lemma.key}: {how}"),
        provenance=Provenance.REPAIRED,
        form=Form.CORRECTED,
        corrects=lemma.key,
        tightness="",
        notes=f"Repaired here from {lemma.key}: {what}.",
    )
    return variant.variant(**fields)

r"""The claim language: state a lemma of this field in a few lines, in Python or text.

>>> import sympy as sp
>>> import symbound.claims as sb
>>> t = sp.Symbol("t", positive=True)
>>> A, D = sb.matrix("A", "n", "n"), sb.matrix("D", "n", "n")
>>> lemma = sb.claim("mine.softmax-l1", given=[sb.norm(D, "max") <= t],
...                  then=sb.norm(sb.softmax(A + D) - sb.softmax(A), "row") <= 2 * sp.tanh(t / 2),
...                  ranges={"t": (0, 4)})
>>> lemma.key, len(lemma.hypotheses)
('mine.softmax-l1', 1)

Terms (:mod:`~symbound.claims.terms`) print themselves in text and LaTeX and
evaluate on every backend (:mod:`~symbound.claims.evaluation`); instance spaces are
derived from the declarations and hypotheses (:mod:`~symbound.claims.domains`).
"""

from symbound.check import check
from symbound.claims.domains import Interval, diagonal, nonnegative, row_stochastic
from symbound.claims.evaluation import evaluate
from symbound.claims.statement import DEFAULT_SIZES, claim, quantity
from symbound.claims.terms import Relation, Term, Var
from symbound.claims.vocabulary import (
    abs_,
    entrywise_exp,
    expm,
    eye,
    head,
    matrix,
    network,
    norm,
    ones,
    res,
    row_spread,
    scalar,
    scalar_function,
    softmax,
    surrogate,
    tensor,
    vector,
)


def exp(x):
    """:math:`e^x` of a scalar term, entrywise of a matrix; SymPy's exp of an expression."""
    return scalar_function("exp", x)


def tanh(x):
    """:math:`\\tanh` of a scalar term (a norm, say) or of a SymPy expression."""
    return scalar_function("tanh", x)


def log(x):
    """The natural logarithm of a scalar term or of a SymPy expression."""
    return scalar_function("log", x)


def sqrt(x):
    """The square root of a scalar term or of a SymPy expression."""
    return scalar_function("sqrt", x)


def g(x):
    """The notation's :math:`g(x) = e^x - 1` of a scalar term or of a SymPy expression."""
    return scalar_function("g", x)


__all__ = [
    "DEFAULT_SIZES",
    "Interval",
    "Relation",
    "Term",
    "Var",
    "abs_",
    "check",
    "claim",
    "diagonal",
    "entrywise_exp",
    "evaluate",
    "exp",
    "expm",
    "eye",
    "g",
    "head",
    "log",
    "matrix",
    "network",
    "nonnegative",
    "norm",
    "ones",
    "quantity",
    "res",
    "row_spread",
    "row_stochastic",
    "scalar",
    "softmax",
    "sqrt",
    "surrogate",
    "tanh",
    "tensor",
    "vector",
]

r"""The vocabulary of the claim language: the functions that build terms.

>>> A = matrix("A", "n", "n")
>>> norm(softmax(A) - ones("n", "n") / sp.Symbol("n", positive=True, integer=True), "row").text
'‖softmax(A) − J/n‖_∞'
"""

from __future__ import annotations

import sympy as sp

from symbound.claims.ops import NORMS
from symbound.claims.terms import Apply, Constant, Dim, Param, Term, Var, lift
from symbound.errors import UsageError

__all__ = [
    "abs_",
    "entrywise_exp",
    "expm",
    "eye",
    "head",
    "matrix",
    "network",
    "norm",
    "ones",
    "res",
    "row_spread",
    "scalar",
    "scalar_function",
    "softmax",
    "surrogate",
    "tensor",
    "vector",
]


def scalar(name: str, *, meaning: str = "", latex: str = "") -> Var:
    """A scalar variable of the instance (e.g. a perturbation ``x`` with ``abs(x) <= t``)."""
    return Var(name, (), None, meaning, latex)


def ones(rows: Dim, cols: Dim) -> Constant:
    """The all-ones matrix :math:`J` (``ones("n", "n") / n`` is uniform attention)."""
    return Constant("ones", (rows, cols))


def eye(size: Dim) -> Constant:
    """The identity matrix :math:`I`."""
    return Constant("eye", (size, size))


def matrix(name: str, rows: Dim, cols: Dim, *, domain=None, meaning: str = "", latex: str = ""):
    """A matrix variable with ``rows`` x ``cols`` (size names or integers)."""
    return Var(name, (rows, cols), domain, meaning, latex)


def vector(name: str, size: Dim, *, domain=None, meaning: str = "", latex: str = ""):
    """A vector variable of ``size`` entries."""
    return Var(name, (size,), domain, meaning, latex)


def tensor(name: str, *shape: Dim, domain=None, meaning: str = "", latex: str = ""):
    """A stack of matrices (e.g. a network's value matrices, ``L x H x d x d``)."""
    return Var(name, tuple(shape), domain, meaning, latex)


def norm(x: Term, kind: str = "max") -> Term:
    r"""A norm of a matrix (of every matrix of a stack: their largest), or of a vector.

    ``kind``: ``"max"`` (largest entry), ``"row"`` (row-sum, :math:`\|\cdot\|_\infty`),
    ``"col"``, ``"l1"`` (vectors), ``"fro"``, ``"composite"``.
    """
    if kind not in NORMS:
        raise UsageError(f"unknown norm {kind!r}; the norms are {', '.join(NORMS)}")
    return Apply.of("norm", lift(x), options=(kind,))


def softmax(x: Term, mask: str | None = None, window: int | None = None) -> Term:
    """Row-wise softmax; ``mask`` ``"causal"`` or ``"local"`` (with ``window``)."""
    if mask not in (None, "causal", "local"):
        raise UsageError(f"unknown mask {mask!r}; use 'causal' or 'local'")
    if (mask == "local") != (window is not None):
        raise UsageError("a local mask needs its window (half-width), and only it does")
    label = None if mask is None else mask if window is None else f"local {window}"
    options = (("mask", label), ("window", window)) if mask else ()
    return Apply.of("softmax", lift(x), options=options)


def res(x: Term, center: str = "midpoint") -> Term:
    """:math:`\\mathrm{Res}(X)`: ``X`` minus its column midpoint (or ``"mean"``)."""
    if center not in ("midpoint", "mean"):
        raise UsageError(f"unknown Res centre {center!r}; use 'midpoint' or 'mean'")
    return Apply.of("res", lift(x), options=(("center", center),) if center == "mean" else ())


def entrywise_exp(x: Term) -> Term:
    """:math:`e^x` of a scalar, or entrywise of a matrix."""
    x = lift(x)
    return Apply.of("exp", x, options=("entrywise",) if x.shape else ())


def abs_(x: Term) -> Term:
    """:math:`|x|`, entrywise for a matrix."""
    return Apply.of("abs", lift(x))


def expm(x: Term) -> Term:
    """The matrix exponential :math:`e^X` (not entrywise)."""
    return Apply.of("expm", lift(x))


def row_spread(x: Term) -> Term:
    r""":math:`\max_i (\max_j X_{ij} - \min_j X_{ij})`: how unbalanced a row of logits is."""
    return Apply.of("spread", lift(x))


def head(X: Term, W_Q: Term, W_K: Term, W_V: Term) -> Term:
    r"""One attention head :math:`\mathrm{softm}(X W_Q (X W_K)^\top) X W_V`."""
    return Apply.of("head", *(lift(t) for t in (X, W_Q, W_K, W_V)))


def network(
    X: Term,
    M: Term,
    V: Term,
    *,
    skip: bool = True,
    layernorm: str | None = None,
    mask: str | None = None,
    beta=None,
) -> Term:
    r"""The output :math:`S(X)` of an L-layer, H-head attention network with logit
    matrices ``M`` and value matrices ``V`` (stacks ``L x H x d x d``): layer
    :math:`\ell` maps :math:`Y \mapsto Y + \sum_h \mathrm{softm}(Y M_{\ell h} Y^\top) Y V_{\ell h}`
    (without the ``Y +`` if ``skip`` is False; ``layernorm`` ``"pre"`` or ``"post"``;
    ``mask`` ``"causal"``; ``beta`` the logits' scale, :math:`\mathrm{softm}(Y M Y^\top/\beta)`,
    a SymPy expression or a scalar term).  One layer is ``L = 1``."""
    if layernorm not in (None, "pre", "post"):
        raise UsageError(f"layernorm is None, 'pre' or 'post', got {layernorm!r}")
    if mask not in (None, "causal"):
        raise UsageError(f"a network's mask is None or 'causal', got {mask!r}")
    options = [("skip", skip)]
    if layernorm:
        options.append(("layernorm", layernorm))
    if mask:
        options.append(("mask", mask))
    args = [lift(X), lift(M), lift(V)] + ([] if beta is None else [lift(beta)])
    return Apply.of("network", *args, options=tuple(options))


def surrogate(X: Term, V: Term) -> Term:
    r"""The one-layer uniform-attention surrogate :math:`S'(X) = X + \frac{J}{n} X \tilde W`,
    :math:`\tilde W = \prod_\ell (I + \sum_h V_{\ell h}) - I` (paper-math.md §7 N3)."""
    return Apply.of("surrogate", lift(X), lift(V))


def scalar_function(name: str, x) -> Term:
    """``tanh``, ``log``, ``sqrt``, ``g`` or ``exp`` of a scalar term; of a SymPy
    expression, the SymPy function (so the bound stays symbolic)."""
    from symbound.notation import g

    sympy_fn = {"tanh": sp.tanh, "log": sp.log, "sqrt": sp.sqrt, "g": g, "exp": sp.exp}[name]
    if isinstance(x, Param):
        return Param(sympy_fn(x.expr))
    if not isinstance(x, Term):
        return Param(sympy_fn(lift(x).expr))
    if name == "exp":
        return entrywise_exp(x)
    return Apply.of(name, x)

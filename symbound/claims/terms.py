r"""Terms of the claim language: matrices, the field's quantities, and relations.

A claim is written with terms the way it is written on paper::

    A, D = matrix("A", "n", "n"), matrix("D", "n", "n")
    norm(softmax(A + D) - softmax(A), "row") <= 2 * sp.tanh(t / 2)

Every term is a small frozen value (its operation, its arguments and its shape in
size parameters), so two spellings of the same claim are the same object, the text
and LaTeX printed in the appendix are derived from the term itself, and one
evaluator (:mod:`symbound.claims.evaluation`) runs it on float64, exact rationals,
mpmath and Arb.  Scalars inside terms are SymPy expressions of the claim's real
parameters (``t``, ``eps``, ``eta``); sizes (``n``, ``d``) are names in shapes.

>>> A = matrix("A", "n", "d")
>>> (res(A) - res(A + A)).text, norm(A, "max").latex
('Res(A) − Res(A + A)', '\\|A\\|_{\\max}')
>>> relation = norm(A, "row") <= 2 * sp.Symbol("eps", positive=True)
>>> relation.text
'‖A‖_∞ ≤ 2*ε'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from symbound.errors import UsageError
from symbound.notation import to_latex, to_text

__all__ = [
    "NORMS",
    "OPERATIONS",
    "Constant",
    "Op",
    "Relation",
    "Term",
    "Var",
    "abs_",
    "entrywise_exp",
    "expm",
    "eye",
    "head",
    "lift",
    "matrix",
    "network",
    "norm",
    "ones",
    "res",
    "row_spread",
    "scalar",
    "softmax",
    "surrogate",
    "tensor",
    "vector",
]

Dim = str | int


@dataclass(frozen=True)
class Op:
    """One operation of the language: how it prints and what shape it gives.

    ``shape(args, options)`` returns the result's shape (``()`` for a scalar) or
    raises :class:`~symbound.errors.UsageError`; ``text``/``latex`` format the
    arguments' own text/LaTeX.  Evaluation lives in :mod:`symbound.claims.evaluation`.
    """

    name: str
    shape: Callable[[tuple, tuple], tuple]
    text: Callable[[list[str], tuple], str]
    latex: Callable[[list[str], tuple], str]


def _same(args, options):
    shapes = {a.shape for a in args}
    if len(shapes) != 1:
        raise UsageError(
            "cannot add terms of shapes " + " and ".join(_shape_text(s) for s in shapes)
        )
    return args[0].shape


def _matrix_arg(what: str):
    def shape(args, options):
        s = args[0].shape
        if len(s) < 2:
            raise UsageError(f"{what} takes a matrix, got a term of shape {_shape_text(s)}")
        return s

    return shape


def _scalar_of(what: str, least: int = 1):
    def shape(args, options):
        s = args[0].shape
        if len(s) < least:
            raise UsageError(f"{what} takes a matrix or vector, got {_shape_text(s)}")
        return ()

    return shape


def _scale(args, options):
    a, b = args
    if a.shape and b.shape:
        raise UsageError(
            f"* multiplies by a scalar; use @ for matrix products "
            f"({_shape_text(a.shape)} * {_shape_text(b.shape)})"
        )
    return a.shape or b.shape


def _divide(args, options):
    a, b = args
    if b.shape and b.shape != a.shape:
        raise UsageError(
            "division is by a scalar, or entrywise by a term of the same shape "
            f"({_shape_text(a.shape)} / {_shape_text(b.shape)})"
        )
    return a.shape


def _matmul(args, options):
    a, b = args
    if len(a.shape) != 2 or len(b.shape) != 2:
        raise UsageError("@ multiplies two matrices")
    if a.shape[1] != b.shape[0]:
        raise UsageError(
            f"@ needs matching inner sizes: {_shape_text(a.shape)} @ {_shape_text(b.shape)}"
        )
    return (a.shape[0], b.shape[1])


def _transpose(args, options):
    s = args[0].shape
    if len(s) != 2:
        raise UsageError("transpose takes a matrix")
    return (s[1], s[0])


def _scalar_fn(name: str):
    def shape(args, options):
        if args[0].shape:
            raise UsageError(f"{name} of a matrix: use {name} on a scalar (a norm, say)")
        return ()

    return shape


def _head_shape(args, options):
    X, W_Q, W_K, W_V = args
    if len(X.shape) != 2 or any(len(w.shape) != 2 for w in (W_Q, W_K, W_V)):
        raise UsageError("head(X, W_Q, W_K, W_V) takes four matrices")
    if not (X.shape[1] == W_Q.shape[0] == W_K.shape[0] == W_V.shape[0]):
        raise UsageError("head: the weights' rows must match X's columns")
    if W_Q.shape[1] != W_K.shape[1]:
        raise UsageError("head: W_Q and W_K need the same number of columns")
    return (X.shape[0], W_V.shape[1])


def _index_shape(args, options):
    s = args[0].shape
    if len(options) > len(s):
        raise UsageError(f"{len(options)} indices for a {_shape_text(s)} term")
    for i, size in zip(options, s, strict=False):
        if isinstance(size, int) and i >= size:
            raise UsageError(f"index {i} is beyond the size {size}")
    return s[len(options) :]


def _network_shape(args, options):
    X, M, V = args[:3]
    if len(args) == 4 and args[3].shape:
        raise UsageError("network: beta (the logit scale) is a scalar")
    if len(X.shape) != 2 or len(M.shape) != 4 or len(V.shape) != 4:
        raise UsageError("network(X, M, V) takes X (n x d) and stacks M, V (L x H x d x d)")
    if M.shape != V.shape or M.shape[2:] != (X.shape[1], X.shape[1]):
        raise UsageError("network: M and V are stacks of d x d matrices (L x H x d x d)")
    return X.shape


def _surrogate_shape(args, options):
    X, V = args
    if len(X.shape) != 2 or len(V.shape) != 4 or V.shape[2:] != (X.shape[1], X.shape[1]):
        raise UsageError("surrogate(X, V) takes X (n x d) and a stack V (L x H x d x d)")
    return X.shape


#: The norms a claim can name: (key, text subscript, LaTeX, what it is).
NORMS = {
    "max": ("max", r"\max", "largest absolute entry"),
    "row": ("∞", r"\infty", "largest absolute row sum (the operator norm induced by l-infinity)"),
    "col": ("1", "1", "largest absolute column sum (the operator norm induced by l1)"),
    "l1": ("1", "1", "sum of absolute entries of a vector"),
    "fro": ("F", "F", "Frobenius norm"),
    "composite": ("1,∞", r"1,\infty", "Dong et al.'s sqrt(||X||_1 ||X||_inf)"),
}


def _norm_shape(args, options):
    kind = options[0]
    s = args[0].shape
    if kind == "l1":
        if len(s) != 1:
            raise UsageError("the l1 norm is for vectors; use 'row' or 'col' for matrices")
    elif len(s) < 2:
        raise UsageError(f"the {kind!r} norm is for matrices (or stacks of them)")
    return ()


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


OPERATIONS: dict[str, Op] = {
    op.name: op
    for op in (
        Op("add", _same, lambda a, o: f"{a[0]} + {a[1]}", lambda a, o: f"{a[0]} + {a[1]}"),
        Op("sub", _same, lambda a, o: f"{a[0]} − {a[1]}", lambda a, o: f"{a[0]} - {a[1]}"),
        Op("neg", lambda a, o: a[0].shape, lambda a, o: f"−{a[0]}", lambda a, o: f"-{a[0]}"),
        Op("mul", _scale, lambda a, o: f"{a[0]}·{a[1]}", lambda a, o: rf"{a[0]} \, {a[1]}"),
        Op("div", _divide, lambda a, o: f"{a[0]}/{a[1]}",
           lambda a, o: rf"\frac{{{a[0]}}}{{{a[1]}}}"),
        Op("matmul", _matmul, lambda a, o: f"{a[0]} {a[1]}", lambda a, o: f"{a[0]} {a[1]}"),
        Op("transpose", _transpose, lambda a, o: f"{a[0]}ᵀ", lambda a, o: f"{a[0]}^\\top"),
        Op("softmax", _matrix_arg("softmax"),
           lambda a, o: f"softmax{_mask_text(o)}({a[0]})",
           lambda a, o: rf"\mathrm{{softm}}{_mask_latex(o)}\left({a[0]}\right)"),
        Op("res", _matrix_arg("Res"), lambda a, o: f"Res{_center_text(o)}({a[0]})",
           lambda a, o: rf"\mathrm{{Res}}{_center_text(o)}\left({a[0]}\right)"),
        Op("exp", lambda a, o: a[0].shape, lambda a, o: f"exp({a[0]})",
           lambda a, o: rf"e^{{{a[0]}}}" if not o else rf"\exp_{{\circ}}\left({a[0]}\right)"),
        Op("abs", lambda a, o: a[0].shape, lambda a, o: f"|{a[0]}|",
           lambda a, o: rf"\left|{a[0]}\right|"),
        Op("expm", _matrix_arg("expm"), lambda a, o: f"expm({a[0]})",
           lambda a, o: rf"e^{{{a[0]}}}"),
        Op("norm", _norm_shape, lambda a, o: f"‖{a[0]}‖_{NORMS[o[0]][0]}",
           lambda a, o: rf"\|{a[0]}\|_{{{NORMS[o[0]][1]}}}"),
        Op("spread", _scalar_of("row_spread", 2), lambda a, o: f"spread({a[0]})",
           lambda a, o: rf"\max_i\left(\max_j {a[0]}_{{ij}} - \min_j {a[0]}_{{ij}}\right)"),
        Op("head", _head_shape, lambda a, o: f"head({', '.join(a)})",
           lambda a, o: rf"\mathrm{{head}}\left({', '.join(a)}\right)"),
        Op("index", _index_shape,
           lambda a, o: f"{a[0]}[{', '.join(str(i) for i in o)}]",
           lambda a, o: f"{a[0]}_{{{','.join(str(i + 1) for i in o)}}}"),
        Op("network", _network_shape, lambda a, o: f"S{_network_label(o)}({a[0]})",
           lambda a, o: rf"S{_network_label(o)}\left({a[0]}\right)"),
        Op("surrogate", _surrogate_shape, lambda a, o: f"S′({a[0]})",
           lambda a, o: rf"S'\left({a[0]}\right)"),
        *(
            Op(fn, _scalar_fn(fn), lambda a, o, fn=fn: f"{fn}({a[0]})",
               lambda a, o, fn=fn: rf"\{fn}\left({a[0]}\right)" if fn != "g"
               else rf"g\left({a[0]}\right)")
            for fn in ("tanh", "log", "sqrt", "g")
        ),
    )
}  # fmt: skip


def _network_label(options) -> str:
    o = dict(options)
    parts = [] if o.get("skip", True) else ["no skip"]
    if o.get("layernorm"):
        parts.append(f"LayerNorm {o['layernorm']}")
    if o.get("mask"):
        parts.append(str(o["mask"]))
    return f"[{', '.join(parts)}]" if parts else ""


def _mask_text(options) -> str:
    mask = dict(options).get("mask")
    return "" if mask is None else f"[{mask}]"


def _mask_latex(options) -> str:
    mask = dict(options).get("mask")
    return "" if mask is None else rf"_{{\mathrm{{{mask}}}}}"


def _center_text(options) -> str:
    return "_mean" if dict(options).get("center") == "mean" else ""


def _shape_text(shape: tuple) -> str:
    return "scalar" if not shape else " x ".join(str(s) for s in shape)


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
        shape = _shape_text(self.shape)
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
                    f"<= compares scalars; {side.text} is a {_shape_text(side.shape)} term "
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


# -- constructors ----------------------------------------------------------------------


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

r"""The operations of the claim language: how each prints and what shape it gives.

Each :class:`Op` is a name, a shape rule (which raises a one-line
:class:`~symbound.errors.UsageError` for a term that makes no sense, say a sum of a
matrix and a vector) and its text and LaTeX; :data:`OPERATIONS` holds them all, and
:data:`NORMS` the norms a claim can name.  Terms (:mod:`symbound.claims.terms`) are
built from them; evaluation lives in :mod:`symbound.claims.evaluation`.

>>> OPERATIONS["norm"].text(["A"], ("row",)), NORMS["row"][2][:22]
('‖A‖_∞', 'largest absolute row s')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from symbound.errors import UsageError

__all__ = ["NORMS", "OPERATIONS", "Op", "shape_text"]


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
            "cannot add terms of shapes " + " and ".join(shape_text(s) for s in shapes)
        )
    return args[0].shape


def _matrix_arg(what: str):
    def shape(args, options):
        s = args[0].shape
        if len(s) < 2:
            raise UsageError(f"{what} takes a matrix, got a term of shape {shape_text(s)}")
        return s

    return shape


def _scalar_of(what: str, least: int = 1):
    def shape(args, options):
        s = args[0].shape
        if len(s) < least:
            raise UsageError(f"{what} takes a matrix or vector, got {shape_text(s)}")
        return ()

    return shape


def _scale(args, options):
    a, b = args
    if a.shape and b.shape:
        raise UsageError(
            f"* multiplies by a scalar; use @ for matrix products "
            f"({shape_text(a.shape)} * {shape_text(b.shape)})"
        )
    return a.shape or b.shape


def _divide(args, options):
    a, b = args
    if b.shape and b.shape != a.shape:
        raise UsageError(
            "division is by a scalar, or entrywise by a term of the same shape "
            f"({shape_text(a.shape)} / {shape_text(b.shape)})"
        )
    return a.shape


def _matmul(args, options):
    a, b = args
    if len(a.shape) != 2 or len(b.shape) != 2:
        raise UsageError("@ multiplies two matrices")
    if a.shape[1] != b.shape[0]:
        raise UsageError(
            f"@ needs matching inner sizes: {shape_text(a.shape)} @ {shape_text(b.shape)}"
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
        raise UsageError(f"{len(options)} indices for a {shape_text(s)} term")
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


def shape_text(shape: tuple) -> str:
    return "scalar" if not shape else " x ".join(str(s) for s in shape)

r"""Evaluating terms on any backend: float64 batches, exact rationals, mpmath, Arb.

:func:`evaluate` walks a term once (shared sub-terms are computed once) and enters
the backend's precision scope itself, so a user's claim can never lose digits by
forgetting it.  Leading axes of the instance's arrays are a batch (float64
screening evaluates thousands of instances at once); a variable of shape
``(n, d)`` arrives as ``(..., n, d)``.

>>> import numpy as np
>>> from symbound.claims.vocabulary import matrix, norm, res
>>> from symbound.numeric import ExactBackend
>>> A = matrix("A", "n", "d")
>>> E = ExactBackend()
>>> evaluate(norm(res(A), "max"), {"n": 3, "d": 1, "A": E.asarray([[2], [0], [-2]])}, E)
Fraction(2, 1)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from symbound.claims.terms import Apply, Constant, Param, Term, Var
from symbound.errors import NotExactError, UsageError
from symbound.lemmas.networks import layers_of, surrogate_one_layer
from symbound.lemmas.space import expand
from symbound.numeric import (
    AbstractBackend,
    Head,
    attention_head,
    causal_mask,
    col_sum_norm,
    composite_norm,
    frobenius_norm,
    local_mask,
    max_norm,
    network,
    res,
    row_sum_norm,
    softmax,
)
from symbound.numeric.expr import compile_expr

__all__ = ["evaluate"]


def evaluate(term: Term, inst: Mapping[str, Any], backend: AbstractBackend):
    """The value of ``term`` on the instance ``inst`` (sizes, parameters, arrays)."""
    with backend.scope():
        return _Walk(inst, backend).run(_plan(term))


#: Plans of the terms evaluated, by identity: ``id -> (term, plan)`` (the term is held, so
#: its id is not reused while its plan is here).
_PLANS: dict[int, tuple[Term, tuple]] = {}
_PLANS_LIMIT = 4096


def _plan(term: Term) -> tuple[tuple[Term, tuple[int, ...]], ...]:
    """The distinct sub-terms of ``term`` (equal ones once), each before the terms that use
    it, with the positions of its arguments: the order a depth-first walk computes them.

    A term is hashed (the whole tree below it) only when its plan is made, not at every
    evaluation: a search evaluates the same term thousands of times.
    """
    hit = _PLANS.get(id(term))
    if hit is not None and hit[0] is term:
        return hit[1]
    position: dict[Term, int] = {}
    nodes: list[tuple[Term, tuple[int, ...]]] = []

    def visit(t: Term) -> int:
        if t not in position:
            args = tuple(visit(a) for a in t.args) if isinstance(t, Apply) else ()
            position[t] = len(nodes)
            nodes.append((t, args))
        return position[t]

    visit(term)
    if len(_PLANS) >= _PLANS_LIMIT:
        _PLANS.clear()
    plan = tuple(nodes)
    _PLANS[id(term)] = (term, plan)
    return plan


class _Walk:
    def __init__(self, inst: Mapping[str, Any], backend: AbstractBackend):
        self.inst, self.B = inst, backend
        self.scalars = {
            k: (v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else v)
            for k, v in inst.items()
            if not isinstance(v, np.ndarray) or v.ndim <= 1
        }

    def run(self, plan):
        values: list[Any] = []
        for term, args in plan:
            values.append(self._compute(term, [values[i] for i in args]))
        return values[-1]

    def _compute(self, term: Term, args: list):
        B = self.B
        if isinstance(term, Var):
            if term.name not in self.inst:
                raise UsageError(f"the instance has no variable {term.name!r}")
            return B.asarray(self.inst[term.name])
        if isinstance(term, Param):
            return compile_expr(term.expr)(self.scalars, B)
        if isinstance(term, Constant):
            try:
                shape = [s if isinstance(s, int) else int(self.inst[s]) for s in term.shape]
            except KeyError as exc:
                raise UsageError(f"the instance has no size {exc.args[0]!r}") from None
            m = (
                np.ones(shape, np.int64)
                if term.kind == "ones"
                else np.eye(shape[0], dtype=np.int64)
            )
            return B.asarray(m)
        if not isinstance(term, Apply):
            raise TypeError(f"not a term: {term!r}")
        ranks = [len(a.shape) for a in term.args]
        return _OPS[term.op](B, args, ranks, dict(_pairs(term.options)), term)


def _pairs(options) -> list[tuple]:
    return [o if isinstance(o, tuple) else (o, True) for o in options]


def _broadcast(x, rank: int, target_ndim: int):
    """A scalar (batch) value shaped to combine with an array of ``target_ndim`` axes."""
    return x if rank else expand(x, target_ndim)


def _binary(fn):
    def apply(B, args, ranks, options, term):
        (x, y), (rx, ry) = args, ranks
        nd = max(np.ndim(x), np.ndim(y))
        return fn(_broadcast(x, rx, nd) if ry else x, _broadcast(y, ry, nd) if rx else y)

    return apply


def _reduce_stack(B, value, rank: int):
    """The largest of a per-matrix value over a stack's leading axes."""
    extra = rank - 2
    return B.max(value, axis=tuple(range(-extra, 0))) if extra > 0 else value


def _norm(B, args, ranks, options, term):
    (x,), (rank,) = args, ranks
    kind = term.options[0]
    if kind == "l1":
        return B.sum(B.abs(x), axis=-1)
    fn = {
        "max": max_norm,
        "row": row_sum_norm,
        "col": col_sum_norm,
        "fro": frobenius_norm,
        "composite": composite_norm,
    }[kind]
    return _reduce_stack(B, fn(x, backend=B), rank)


def _spread(B, args, ranks, options, term):
    (x,), (rank,) = args, ranks
    per_row = B.max(x, axis=-1) - B.min(x, axis=-1)
    return _reduce_stack(B, B.max(per_row, axis=-1), rank)


def _softmax(B, args, ranks, options, term):
    (x,) = args
    mask, window = options.get("mask"), options.get("window")
    if mask is not None:
        rows, cols = np.shape(x)[-2:]
        if rows != cols:
            raise UsageError("a causal or local mask needs square logits")
        mask = causal_mask(rows) if window is None else local_mask(rows, window)
    return softmax(x, mask=mask, backend=B)


def _expm(B, args, ranks, options, term):
    (x,) = args
    if B.exact:
        raise NotExactError("the matrix exponential is not rational")
    x = np.asarray(x)
    out = np.empty(x.shape, dtype=object if x.dtype == object else float)
    for index in np.ndindex(*x.shape[:-2]):
        out[index] = _expm_one(B, x[index])
    return out


def _expm_one(B, m):
    name = getattr(B, "name", "")
    if name == "float64":
        from scipy.linalg import expm

        return expm(np.asarray(m, dtype=float))
    if name == "arb":
        import flint

        rows = [[m[i, j] for j in range(m.shape[1])] for i in range(m.shape[0])]
        e = flint.arb_mat(rows).exp()
        return np.array([[e[i, j] for j in range(e.ncols())] for i in range(e.nrows())])
    if name == "mpmath":
        ctx = B.ctx
        e = ctx.expm(ctx.matrix(m.tolist()))
        return np.array([[e[i, j] for j in range(e.cols)] for i in range(e.rows)], dtype=object)
    raise UsageError(f"the matrix exponential is not available on the {name} backend")


def _head(B, args, ranks, options, term):
    X, W_Q, W_K, W_V = args
    return attention_head(X, Head(W_Q=W_Q, W_K=W_K, W_V=W_V), backend=B)


def _network(B, args, ranks, options, term):
    X, M, V = args[:3]
    extra = {} if len(args) == 3 else {"beta": args[3]}
    if options.get("layernorm"):
        extra["layernorm"] = options["layernorm"]
    if options.get("mask") == "causal":
        extra["mask"] = causal_mask(np.shape(X)[-2])
    layers = layers_of({"M": M, "V": V}, B, skip=options.get("skip", True), **extra)
    return network(X, layers, backend=B)[-1]


def _index(B, args, ranks, options, term):
    (x,), (rank,) = args, ranks
    index = tuple(term.options)
    return x[(Ellipsis, *index, *([slice(None)] * (rank - len(index))))]


def _surrogate(B, args, ranks, options, term):
    X, V = args
    return surrogate_one_layer({"X": X, "V": V}, B)


def _unary(name):
    def apply(B, args, ranks, options, term):
        return getattr(B, name)(args[0])

    return apply


_OPS = {
    "add": _binary(lambda x, y: x + y),
    "sub": _binary(lambda x, y: x - y),
    "mul": _binary(lambda x, y: x * y),
    "div": _binary(lambda x, y: x / y),
    "neg": lambda B, args, ranks, options, term: -args[0],
    "matmul": lambda B, args, ranks, options, term: B.matmul(args[0], args[1]),
    "transpose": lambda B, args, ranks, options, term: np.swapaxes(args[0], -1, -2),
    "softmax": _softmax,
    "res": lambda B, args, ranks, options, term: res(
        args[0], center=options.get("center", "midpoint"), backend=B
    ),
    "exp": _unary("exp"),
    "abs": _unary("abs"),
    "expm": _expm,
    "norm": _norm,
    "spread": _spread,
    "head": _head,
    "network": _network,
    "index": _index,
    "surrogate": _surrogate,
    "tanh": _unary("tanh"),
    "log": _unary("log"),
    "sqrt": _unary("sqrt"),
    "g": _unary("expm1"),
}

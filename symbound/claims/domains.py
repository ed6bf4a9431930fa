r"""Instance spaces derived from a claim's declarations and hypotheses.

Each parameter and each variable is built from pieces of one unconstrained vector
:math:`z` by a rational map *onto* its declared set, so the search explores all of
it, a rational :math:`z` gives an exact instance, and the hypotheses built into the
map hold exactly:

==============================================  =======================================
declaration or hypothesis                       construction
==============================================  =======================================
parameter in :math:`(0, \infty)`                :math:`\mathrm{positive}(z)`
parameter in :math:`(lo, hi)` / :math:`[lo, hi]`  :math:`lo + (hi - lo)\,u(z)`, ``u`` onto
                                                :math:`(0, 1)` / :math:`[0, 1]`
``norm(X, "max") <= r``                         :math:`X = r\,\mathrm{clip}(z, -1, 1)`
``norm(X, "row") <= r`` (``"l1"`` for vectors)  each row scaled into the
                                                :math:`\ell_1` ball of radius ``r``
``norm(X, "col") <= r``                         each column likewise
``norm(X - Y, kind) <= r``                      :math:`X = Y + ` a point of that ball
``row_spread(A) <= theta``                      :math:`A_{ij} = c_i + \tfrac\theta2
                                                \mathrm{clip}(z_{ij}, -1, 1)`
``row_stochastic()``                            :math:`P_{ij} = |z_{ij}| / \sum_k |z_{ik}|`
``diagonal()``                                  :math:`\mathrm{diag}(z)`
``nonnegative()``                               :math:`|z|`
==============================================  =======================================

A hypothesis no construction expresses (a second bound on the same variable, a
Frobenius ball, anything non-linear) is *filtered*: instances that break it are
discarded by the checker, which reports how many were.

>>> from symbound.claims.vocabulary import matrix, norm
>>> import sympy as sp
>>> A, D = matrix("A", "n", "n"), matrix("D", "n", "n")
>>> t = sp.Symbol("t", positive=True)
>>> plan = derive([A, D], {t: Interval.open(0, 4)}, [norm(D, "max") <= t])
>>> plan.description
't = 0 + 4 open_unit(z); A = z; D = t clip(z, -1, 1)'
>>> plan.filtered
()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from symbound.claims.terms import Apply, Param, Relation, Var
from symbound.errors import UsageError
from symbound.lemmas.space import Reader, expand, open_unit, positive, row_ball, unit_box
from symbound.numeric.expr import compile_expr

__all__ = [
    "Domain",
    "Interval",
    "Plan",
    "derive",
    "diagonal",
    "nonnegative",
    "row_stochastic",
]


@dataclass(frozen=True)
class Interval:
    """A real parameter's range: ``lo``/``hi`` exact (``None`` for infinite), open or closed."""

    lo: Fraction | None
    hi: Fraction | None
    left_open: bool = True
    right_open: bool = True

    @classmethod
    def open(cls, lo=None, hi=None) -> Interval:
        return cls(_q(lo), _q(hi), True, True)

    @classmethod
    def closed(cls, lo, hi) -> Interval:
        return cls(_q(lo), _q(hi), False, False)

    def __post_init__(self):
        if self.lo is not None and self.hi is not None and self.lo >= self.hi:
            raise UsageError(f"an empty range: {self.text('x')}")

    def text(self, name: str) -> str:
        parts = []
        if self.lo is not None:
            parts.append(f"{_num(self.lo)} {'<' if self.left_open else '≤'} ")
        parts.append(name)
        if self.hi is not None:
            parts.append(f" {'<' if self.right_open else '≤'} {_num(self.hi)}")
        return "".join(parts) if len(parts) > 1 else f"{name} real"

    def sympy_set(self) -> sp.Set:
        lo = -sp.oo if self.lo is None else sp.Rational(self.lo.numerator, self.lo.denominator)
        hi = sp.oo if self.hi is None else sp.Rational(self.hi.numerator, self.hi.denominator)
        return sp.Interval(
            lo, hi, self.left_open or self.lo is None, self.right_open or self.hi is None
        )

    def build(self, z):
        """The onto map from :math:`\\mathbb R` (rational; exact on Fractions)."""
        lo, hi = self.lo, self.hi
        if np.asarray(z).dtype != object:  # float64 batches stay float64
            lo, hi = (None if v is None else float(v) for v in (lo, hi))
        if lo is None and hi is None:
            return z
        if hi is None:
            return lo + (positive(z) if self.left_open else np.abs(z))
        if lo is None:
            return hi - (positive(z) if self.right_open else np.abs(z))
        width = hi - lo
        if self.left_open and self.right_open:
            return lo + width * open_unit(z)
        if not self.left_open and not self.right_open:
            return lo + width * (unit_box(z) + 1) / 2
        u = np.abs(z) / (1 + np.abs(z))  # onto [0, 1)
        return lo + width * u if not self.left_open else hi - width * u

    def describe(self) -> str:
        lo, hi = self.lo, self.hi
        if lo is None and hi is None:
            return "z"
        if hi is None:
            step = "positive(z)" if self.left_open else "|z|"
            return step if lo == 0 else f"{_num(lo)} + {step}"
        if lo is None:
            return f"{_num(hi)} - {'positive(z)' if self.right_open else '|z|'}"
        kind = (
            "open_unit(z)"
            if self.left_open and self.right_open
            else "(clip(z, -1, 1) + 1)/2"
            if not (self.left_open or self.right_open)
            else "|z|/(1 + |z|)"
        )
        return f"{_num(lo)} + {_num(hi - lo)} {kind}"


def _q(v) -> Fraction | None:
    if v is None:
        return None
    if isinstance(v, sp.Rational):
        return Fraction(int(v.p), int(v.q))
    if isinstance(v, str):
        from symbound.parse import exact_number

        return exact_number(v, "a range's end")
    if isinstance(v, bool) or not isinstance(v, int | Fraction):
        raise UsageError(f"a range's end is an exact number, got {v!r}")
    return Fraction(v)


def _num(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


@dataclass(frozen=True)
class Domain:
    """A set a matrix variable ranges over (other than all real matrices)."""

    kind: str  # "row-stochastic", "diagonal", "nonnegative"

    @property
    def text(self) -> str:
        return {"row-stochastic": "row-stochastic", "diagonal": "diagonal"}.get(
            self.kind, "with nonnegative entries"
        )


def row_stochastic() -> Domain:
    """Nonnegative matrices whose rows sum to 1 (attention matrices)."""
    return Domain("row-stochastic")


def diagonal() -> Domain:
    """Square diagonal matrices."""
    return Domain("diagonal")


def nonnegative() -> Domain:
    """Matrices with nonnegative entries."""
    return Domain("nonnegative")


# -- derivation -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Build:
    """How one variable is made: ``kind`` free | ball | spread | a Domain kind."""

    var: Var
    kind: str
    norm: str = ""
    radius: sp.Expr | None = None
    center: Var | None = None
    hypothesis: int | None = None  # index of the hypothesis the construction guarantees


@dataclass(frozen=True)
class Plan:
    """A derived instance space: parameters' ranges, each variable's construction, and
    which hypotheses the construction guarantees (the others are ``filtered``)."""

    parameters: tuple[tuple[sp.Symbol, Interval], ...]
    builds: tuple[_Build, ...]
    guaranteed: tuple[int, ...]
    filtered: tuple[int, ...]
    order: tuple[str, ...] = ()  # the variables in the order they were declared

    def dimension(self, sizes: Mapping[str, int]) -> int:
        total = len(self.parameters)
        for b in self.builds:
            total += _count(b, sizes)
        return total

    def ends_open(self, name: str) -> tuple[bool, bool] | None:
        """Whether the range of the real parameter ``name`` is open at each end (None if
        it is not a parameter here): a closed end is produced (``unit_box`` reaches it)."""
        for symbol, interval in self.parameters:
            if symbol.name == name:
                return interval.left_open, interval.right_open
        return None

    def build(self, z, sizes: Mapping[str, int], backend) -> dict[str, Any]:
        """The instance of ``z`` (shape ``(..., dimension)``), in ``backend``'s numbers
        (float64 batches, or exact rationals on object arrays)."""
        r = Reader(z)
        out: dict[str, Any] = {}
        for symbol, interval in self.parameters:
            out[symbol.name] = interval.build(r.scalar())
        env = {**sizes, **out}
        built: dict[str, Any] = {}
        for b in self.builds:  # centres first ...
            built[b.var.name] = _make(b, r, sizes, env, built, backend)
        for name in self.order or built:  # ... reported in the order declared
            out[name] = built[name]
        return out

    @property
    def description(self) -> str:
        parts = [f"{s.name} = {iv.describe()}" for s, iv in self.parameters]
        parts += [_describe(b) for b in self.builds]
        return "; ".join(parts)


def _shape(var: Var, sizes: Mapping[str, int]) -> tuple[int, ...]:
    try:
        return tuple(s if isinstance(s, int) else int(sizes[s]) for s in var.shape)
    except KeyError as exc:
        raise UsageError(f"{var.name}: no value for the size {exc.args[0]}") from None


def _count(b: _Build, sizes) -> int:
    shape = _shape(b.var, sizes)
    full = int(np.prod(shape)) if shape else 1
    if b.kind == "spread":
        return full + int(np.prod(shape[:-1]))
    if b.kind == "diagonal":
        return int(np.prod(shape[:-1]))
    return full


def _radius(b: _Build, env: Mapping[str, Any], backend):
    """The radius, in the instance's own arithmetic (float64 batches, or exact)."""
    return compile_expr(b.radius)(env, backend)


def _make(b: _Build, r: Reader, sizes, env, built, backend):
    shape = _shape(b.var, sizes)
    if b.kind == "diagonal":
        diag = r.array(*shape[:-1])
        if b.radius is not None:
            diag = unit_box(diag) * expand(_radius(b, env, backend), np.ndim(diag))
        eye = np.eye(shape[-1], dtype=np.int64)
        return diag[..., :, None] * eye
    z = r.array(*shape)
    if b.kind == "free":
        return z
    if b.kind == "nonnegative":
        return np.abs(z)
    if b.kind == "row-stochastic":
        w = np.abs(z)
        total = np.sum(w, axis=-1, keepdims=True)
        empty = total == 0  # an all-zero row becomes the uniform row
        return (w + empty) / (total + empty * shape[-1])
    radius = _radius(b, env, backend)
    if b.kind == "spread":
        centres = r.array(*shape[:-1])
        half = expand(radius, np.ndim(z)) / 2
        return centres[..., None] + half * unit_box(z)
    if b.norm == "max":
        step = unit_box(z) * expand(radius, np.ndim(z))
    elif b.norm in ("row", "l1"):
        step = row_ball(z, radius)
    elif b.norm == "col":
        step = np.swapaxes(row_ball(np.swapaxes(z, -1, -2), radius), -1, -2)
    else:  # pragma: no cover - derive() only plans the norms above
        raise AssertionError(b.norm)
    return step if b.center is None else built[b.center.name] + step


def _describe(b: _Build) -> str:
    name = b.var.name
    if b.kind == "free":
        return f"{name} = z"
    if b.kind in ("row-stochastic", "nonnegative", "diagonal"):
        return {
            "row-stochastic": f"{name} = |z| / row sums",
            "nonnegative": f"{name} = |z|",
            "diagonal": f"{name} = diag(z)"
            if b.radius is None
            else f"{name} = diag({b.radius} clip(z, -1, 1))",
        }[b.kind]
    r = str(b.radius)
    if b.kind == "spread":
        return f"{name}_ij = c_i + ({r}/2) clip(z_ij, -1, 1)"
    step = {
        "max": f"{r} clip(z, -1, 1)",
        "row": f"rows of z scaled into the l1 ball of radius {r}",
        "l1": f"z scaled into the l1 ball of radius {r}",
        "col": f"columns of z scaled into the l1 ball of radius {r}",
    }[b.norm]
    return f"{name} = {b.center.name} + {step}" if b.center is not None else f"{name} = {step}"


_BALLS = ("max", "row", "col", "l1")


def _rational_in_parameters(expr: sp.Expr) -> bool:
    return all(
        isinstance(node, sp.Symbol | sp.Number | sp.Add | sp.Mul)
        or (isinstance(node, sp.Pow) and node.exp.is_Integer)
        for node in sp.preorder_traversal(expr)
    )


def _construction(h: Relation, index: int) -> _Build | None:
    """The construction a hypothesis asks for, or None (it will be filtered)."""
    if not isinstance(h.rhs, Param) or not _rational_in_parameters(h.rhs.expr):
        return None
    lhs = h.lhs
    if not isinstance(lhs, Apply):
        return None
    if lhs.op == "spread" and isinstance(lhs.args[0], Var):
        return _Build(lhs.args[0], "spread", radius=h.rhs.expr, hypothesis=index)
    if lhs.op == "abs" and isinstance(lhs.args[0], Var) and lhs.args[0].shape == ():
        return _Build(lhs.args[0], "ball", "max", h.rhs.expr, hypothesis=index)
    if lhs.op != "norm" or lhs.options[0] not in _BALLS:
        return None
    inner = lhs.args[0]
    if isinstance(inner, Var):
        return _Build(inner, "ball", lhs.options[0], h.rhs.expr, hypothesis=index)
    if (
        isinstance(inner, Apply)
        and inner.op == "sub"
        and all(isinstance(a, Var) for a in inner.args)
    ):
        moving, centre = inner.args
        return _Build(moving, "ball", lhs.options[0], h.rhs.expr, centre, index)
    return None


def derive(
    variables: Sequence[Var],
    intervals: Mapping[sp.Symbol, Interval],
    hypotheses: Sequence[Relation],
) -> Plan:
    """Plan the instance space of a claim (see the module notes)."""
    names = [v.name for v in variables]
    if len(set(names)) != len(names):
        raise UsageError(f"a variable is declared twice: {', '.join(names)}")
    by_name = {v.name: v for v in variables}
    chosen: dict[str, _Build] = {}
    for v in variables:
        if v.domain is not None:
            if v.domain.kind == "diagonal" and (len(v.shape) < 2 or v.shape[-1] != v.shape[-2]):
                raise UsageError(f"{v.name}: a diagonal matrix is square")
            chosen[v.name] = _Build(v, v.domain.kind)
    for i, h in enumerate(hypotheses):
        b = _construction(h, i)
        if b is None or b.var.name not in by_name:
            continue
        if (
            b.var.name in chosen
            and chosen[b.var.name].kind == "diagonal"
            and chosen[b.var.name].radius is None
            and b.center is None
            and b.norm in ("max", "row", "col")
        ):  # a diagonal matrix in a ball: its diagonal, scaled (every such norm is max |d_i|)
            chosen[b.var.name] = _Build(b.var, "diagonal", b.norm, b.radius, hypothesis=i)
            continue
        if b.var.name in chosen or (b.center is not None and b.center.name not in by_name):
            # the variable already has a construction: try moving the other side
            if b.center is not None and b.center.name not in chosen:
                swapped = _Build(b.center, "ball", b.norm, b.radius, b.var, i)
                if not _cycle(chosen, swapped):
                    chosen[b.center.name] = swapped
            continue
        if b.center is not None and _cycle(chosen, b):
            continue
        chosen[b.var.name] = b
    builds = []
    done: set[str] = set()
    pending = [chosen.get(v.name, _Build(v, "free")) for v in variables]
    while pending:  # centres first, declaration order otherwise
        for b in pending:
            if b.center is None or b.center.name in done:
                builds.append(b)
                done.add(b.var.name)
                pending.remove(b)
                break
    guaranteed = tuple(sorted(b.hypothesis for b in builds if b.hypothesis is not None))
    filtered = tuple(i for i in range(len(hypotheses)) if i not in guaranteed)
    parameters = tuple(sorted(intervals.items(), key=lambda kv: kv[0].name))
    return Plan(parameters, tuple(builds), guaranteed, filtered, tuple(names))


def _cycle(chosen: Mapping[str, _Build], b: _Build) -> bool:
    seen, at = {b.var.name}, b.center
    while at is not None:
        if at.name in seen:
            return True
        seen.add(at.name)
        nxt = chosen.get(at.name)
        at = nxt.center if nxt is not None else None
    return False

r"""Claims typed as text: the same terms, read without ``eval``.

:func:`parse_relation` reads ``"norm(softmax(A + D) - softmax(A), 'row') <= 2*tanh(t/2)"``
with Python's ``ast`` module (which only builds a syntax tree) and translates a
whitelist into :mod:`symbound.claims.terms`: numbers (decimals exact), declared
variables and parameters, ``+ - * / ** @``, ``X.T``, ``<=``/``>=`` and the
language's functions.  Anything else is refused in one line that names the column
and what was expected.

>>> import sympy as sp
>>> from symbound.claims.vocabulary import matrix
>>> names = {"A": matrix("A", "n", "n"), "D": matrix("D", "n", "n")}
>>> parse_relation("norm(D, 'max') <= t", names).text
'‖D‖_max ≤ t'
>>> parse_relation("norm(A.__class__, 'max') <= t", names)
Traceback (most recent call last):
  ...
symbound.errors.UsageError: column 6: expected a term, got the attribute .__class__ ...
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

import sympy as sp

from symbound.claims import vocabulary as T
from symbound.claims.terms import Param, Relation, Term, Var
from symbound.errors import UsageError
from symbound.notation import SYMBOLS, g
from symbound.parse import exact_number

__all__ = ["FUNCTIONS", "parse_relation", "parse_term"]

_MAX_LENGTH = 2000
_MAX_DEPTH = 60
_MAX_EXPONENT = 10_000

#: The functions a text claim may call, with how many arguments they take.
FUNCTIONS = {
    "norm": "norm(X, 'max' | 'row' | 'col' | 'l1' | 'fro' | 'composite')",
    "softmax": "softmax(X), softmax(X, 'causal'), softmax(X, 'local', w)",
    "res": "res(X), res(X, 'mean')",
    "exp": "exp(x): of a scalar, or entrywise of a matrix",
    "abs": "abs(x)",
    "expm": "expm(X): the matrix exponential",
    "spread": "spread(X): the largest row spread max_j X_ij - min_j X_ij",
    "head": "head(X, W_Q, W_K, W_V)",
    "network": "network(X, M, V)",
    "surrogate": "surrogate(X, V)",
    "tanh": "tanh(x)",
    "log": "log(x)",
    "sqrt": "sqrt(x)",
    "g": "g(x) = exp(x) - 1",
}
_CONSTANTS = {"pi": sp.pi, "E": sp.E}


class _Reader:
    def __init__(self, text: str, names: Mapping[str, Term | sp.Symbol]):
        self.text, self.names = text, names

    def fail(self, node: ast.AST, expected: str, got: str) -> UsageError:
        col = getattr(node, "col_offset", 0) + 1
        return UsageError(f"column {col}: expected {expected}, got {got}")

    def snippet(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or type(node).__name__

    # -- relations ---------------------------------------------------------------------
    def relation(self, node: ast.AST) -> Relation:
        if not isinstance(node, ast.Compare) or len(node.ops) != 1:
            raise self.fail(node, "a relation 'LHS <= RHS'", repr(self.snippet(node)))
        op = node.ops[0]
        left, right = self.term(node.left, 1), self.term(node.comparators[0], 1)
        if isinstance(op, ast.LtE):
            return _relation(left, right, node, self)
        if isinstance(op, ast.GtE):
            return _relation(right, left, node, self)
        raise self.fail(node, "<= or >= (a bound is never strict here)", type(op).__name__)

    # -- terms -------------------------------------------------------------------------
    def term(self, node: ast.AST, depth: int) -> Term:
        if depth > _MAX_DEPTH:
            raise UsageError(f"the claim is nested more than {_MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Attribute):
            if node.attr != "T":
                raise self.fail(node, "a term", f"the attribute .{node.attr} (only X.T is allowed)")
            return self.term(node.value, depth + 1).T
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            inner = self.term(node.operand, depth + 1)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.Subscript):
            base = self.term(node.value, depth + 1)
            parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            index = []
            for part in parts:
                if not (isinstance(part, ast.Constant) and type(part.value) is int):
                    raise self.fail(part, "an integer index (0-based)", repr(self.snippet(part)))
                index.append(part.value)
            return base[tuple(index)]
        if isinstance(node, ast.Compare):
            raise self.fail(node, "a term", "a comparison inside a term")
        raise self.fail(node, "a term", repr(self.snippet(node)))

    def number(self, node: ast.Constant) -> Param:
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise self.fail(node, "a number, a name or a call", repr(node.value))
        q = exact_number(self.snippet(node), "a number in the claim")
        return Param(sp.Rational(q.numerator, q.denominator))

    def name(self, node: ast.Name) -> Term:
        if node.id in _CONSTANTS:
            return Param(_CONSTANTS[node.id])
        found = self.names.get(node.id)
        if found is None:
            found = SYMBOLS.get(node.id)
        if found is None:
            raise self.fail(
                node,
                "a declared variable or parameter",
                f"the unknown name {node.id!r} (declare it: a matrix, vector or tensor, or "
                "a parameter with its range)",
            )
        return found if isinstance(found, Term) else Param(found)

    def binary(self, node: ast.BinOp, depth: int) -> Term:
        left, right = self.term(node.left, depth + 1), self.term(node.right, depth + 1)
        op = node.op
        if isinstance(op, ast.Add):
            return _both_params(left, right, sp.Add) or left + right
        if isinstance(op, ast.Sub):
            return _both_params(left, right, lambda a, b: a - b) or left - right
        if isinstance(op, ast.Mult):
            return _both_params(left, right, sp.Mul) or left * right
        if isinstance(op, ast.Div):
            if isinstance(right, Param) and right.expr == 0:
                raise self.fail(node, "a nonzero divisor", "division by zero")
            return _both_params(left, right, lambda a, b: a / b) or left / right
        if isinstance(op, ast.MatMult):
            return left @ right
        if isinstance(op, ast.Pow):
            if not (isinstance(left, Param) and isinstance(right, Param)):
                raise self.fail(node, "a power of scalar parameters", "a power of a term")
            k = right.expr
            if k.is_Number and abs(k) > _MAX_EXPONENT:
                raise UsageError(f"exponents are limited to {_MAX_EXPONENT} in magnitude")
            base = left.expr
            if base.is_Rational and k.is_Number and base != 0:
                bits = max(int(base.p).bit_length(), int(base.q).bit_length())
                if bits * abs(k) > 40_000:
                    raise UsageError("a number in the claim would exceed 40000 bits")
            return Param(base**k)
        raise self.fail(node, "one of + - * / ** @", type(op).__name__)

    def call(self, node: ast.Call, depth: int) -> Term:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS or node.keywords:
            raise self.fail(
                node,
                f"a call to one of {', '.join(FUNCTIONS)}",
                repr(self.snippet(node.func)) + ("" if name in FUNCTIONS else " (not allowed)"),
            )
        args = node.args
        if name in ("norm", "softmax", "res"):
            return self.with_options(name, node, depth)
        arity = {"head": 4, "network": 3, "surrogate": 2}.get(name, 1)
        if len(args) != arity:
            raise self.fail(node, FUNCTIONS[name], f"{len(args)} argument(s)")
        values = [self.term(a, depth + 1) for a in args]
        if name == "head":
            return T.head(*values)
        if name == "network":
            return T.network(*values)
        if name == "surrogate":
            return T.surrogate(*values)
        if name == "abs":
            x = values[0]
            return Param(sp.Abs(x.expr)) if isinstance(x, Param) else T.abs_(x)
        if name == "expm":
            return T.expm(values[0])
        if name == "spread":
            return T.row_spread(values[0])
        if name == "g" and isinstance(values[0], Param):
            return Param(g(values[0].expr))
        return T.scalar_function(name, values[0])

    def with_options(self, name: str, node: ast.Call, depth: int) -> Term:
        if not node.args:
            raise self.fail(node, FUNCTIONS[name], "no arguments")
        x = self.term(node.args[0], depth + 1)
        rest = node.args[1:]
        words = []
        for a in rest:
            quoted = isinstance(a, ast.Constant) and isinstance(a.value, str)
            window = isinstance(a, ast.Constant) and type(a.value) is int and name == "softmax"
            if quoted or window:
                words.append(a.value)
            else:
                raise self.fail(a, f"a quoted option of {FUNCTIONS[name]}", self.snippet(a))
        try:
            if name == "norm":
                if len(words) != 1:
                    raise self.fail(node, FUNCTIONS[name], f"{len(node.args)} argument(s)")
                return T.norm(x, words[0])
            if name == "res":
                if len(words) > 1:
                    raise self.fail(node, FUNCTIONS[name], f"{len(node.args)} argument(s)")
                return T.res(x, *words)
            if len(words) > 2:
                raise self.fail(node, FUNCTIONS[name], f"{len(node.args)} argument(s)")
            return T.softmax(x, *words)
        except UsageError as exc:
            if str(exc).startswith("column"):
                raise
            raise self.fail(node, FUNCTIONS[name], str(exc)) from None


def _both_params(a: Term, b: Term, combine):
    if isinstance(a, Param) and isinstance(b, Param):
        return Param(combine(a.expr, b.expr))
    return None


def _relation(lhs: Term, rhs: Term, node, reader: _Reader) -> Relation:
    for side in (lhs, rhs):
        if side.shape:
            raise reader.fail(node, "scalars on both sides of <=", f"a {side.text} term")
    return Relation(lhs, rhs)


def _parse(text: str, mode_name: str) -> tuple[ast.AST, str]:
    if not isinstance(text, str):
        raise UsageError(f"a {mode_name} must be text, got {type(text).__name__}")
    if len(text) > _MAX_LENGTH:
        raise UsageError(f"the {mode_name} is {len(text)} characters long; at most {_MAX_LENGTH}")
    text = text.strip()
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        col = exc.offset or 1
        raise UsageError(f"column {col}: cannot parse the {mode_name}: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError):
        raise UsageError(f"cannot parse the {mode_name}: too large or too deep") from None
    return tree.body, text


def parse_relation(text: str, names: Mapping[str, Term | sp.Symbol]) -> Relation:
    """A relation ``LHS <= RHS`` from text; ``names`` maps declared variables and
    parameters (SymPy symbols) to themselves.  The notation's symbols are known too."""
    body, text = _parse(text, "claim")
    return _Reader(text, names).relation(body)


def parse_term(text: str, names: Mapping[str, Term | sp.Symbol]) -> Term:
    """A single term (a bound, a quantity) from text."""
    body, text = _parse(text, "term")
    return _Reader(text, names).term(body, 1)


def declared(name: str, shape_text: str, kind: str = "matrix", domain: str | None = None) -> Var:
    """A variable from a declaration like ``"n,d"`` (sizes by name or number)."""
    from symbound.claims.domains import Domain

    if not name.isidentifier():
        raise UsageError(f"a variable's name is an identifier, got {name!r}")
    parts = [p.strip() for p in shape_text.split(",") if p.strip()]
    want = {"matrix": 2, "vector": 1}.get(kind)
    if want is not None and len(parts) != want:
        raise UsageError(f"{name}: a {kind} has {want} size(s), got {shape_text!r}")
    if not parts or len(parts) > 6:
        raise UsageError(f"{name}: give 1 to 6 sizes, got {shape_text!r}")
    shape = tuple(int(p) if p.isdigit() else p for p in parts)
    kinds = {"row-stochastic", "diagonal", "nonnegative"}
    if domain is not None and domain not in kinds:
        raise UsageError(
            f"{name}: unknown domain {domain!r}; the domains are {', '.join(sorted(kinds))}"
        )
    if any(isinstance(s, int) and s > 10_000 for s in shape):
        raise UsageError(f"{name}: a fixed size is at most 10000")
    return Var(name, shape, Domain(domain) if domain else None)

r"""Reading a bound typed by a user into SymPy, without ``eval``.

``sympy.sympify`` and ``parse_expr`` evaluate Python code, so text from a command
line never reaches them.  :func:`parse_bound` parses the text with Python's ``ast``
module (which only builds a syntax tree) and translates a small whitelist into SymPy
objects: numbers (decimals become exact rationals), the notation's symbols, ``+ - *
/ **``, and the functions ``exp``, ``log``, ``tanh``, ``sqrt`` and ``g``.  Anything
else -- attributes, subscripts, other calls, keywords, strings, comprehensions --
is refused with a one-line message naming it.

>>> parse_bound("2*eta*phi0*(1 + H*eta)**L")
2*eta*phi0*(H*eta + 1)**L
>>> parse_bound("0.1 * exp(t)")
exp(t)/10
>>> parse_bound("__import__('os').system('true')")
Traceback (most recent call last):
  ...
symbound.errors.UsageError: cannot use __import__(...) in a bound: calls are limited to exp, ...
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Mapping
from fractions import Fraction

import sympy as sp

from symbound.errors import UsageError
from symbound.notation import SYMBOLS, g

__all__ = ["int_in", "parse_bound"]

_FUNCTIONS = {"exp": sp.exp, "log": sp.log, "tanh": sp.tanh, "sqrt": sp.sqrt, "g": g}
_CONSTANTS = {"pi": sp.pi, "E": sp.E}
_MAX_LENGTH = 2000
_MAX_DEPTH = 60
_MAX_EXPONENT = 10_000


def int_in(lo: int, hi: int):
    """An argparse type: a base-10 integer between ``lo`` and ``hi``, or a one-line error.

    >>> int_in(1, 9)("7")
    7
    >>> int_in(1, 9)("x")
    Traceback (most recent call last):
      ...
    argparse.ArgumentTypeError: expected an integer between 1 and 9, got 'x'
    """

    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected an integer between {lo} and {hi}, got {text!r}"
            ) from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be between {lo} and {hi}, got {value}")
        return value

    return parse


def parse_bound(text: str, symbols: Mapping[str, sp.Symbol] | None = None) -> sp.Expr:
    """A SymPy expression from ``text``; :class:`~symbound.errors.UsageError` if not allowed.

    ``symbols`` adds names beyond the notation's (e.g. the variables of a box).
    """
    if not isinstance(text, str):
        raise UsageError(f"a bound must be text, got {type(text).__name__}")
    if len(text) > _MAX_LENGTH:
        raise UsageError(f"the bound is {len(text)} characters long; at most {_MAX_LENGTH}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise UsageError(f"cannot parse the bound {text!r}: {exc.msg}") from None
    names = {**(symbols or {}), **SYMBOLS}
    return _translate(tree.body, text, 0, names)


def _refuse(node: ast.AST, text: str, why: str) -> UsageError:
    snippet = ast.get_source_segment(text, node) or type(node).__name__
    if isinstance(node, ast.Call):
        snippet = (ast.get_source_segment(text, node.func) or "call") + "(...)"
    return UsageError(f"cannot use {snippet} in a bound: {why}")


def _translate(node: ast.AST, text: str, depth: int, names: Mapping[str, sp.Symbol]) -> sp.Expr:
    if depth > _MAX_DEPTH:
        raise UsageError(f"the bound is nested more than {_MAX_DEPTH} levels deep")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise _refuse(node, text, "only numbers, symbols and arithmetic are allowed")
        literal = ast.get_source_segment(text, node) or repr(node.value)
        q = Fraction(literal) if isinstance(node.value, float) else Fraction(node.value)
        return sp.Rational(q.numerator, q.denominator)
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        if node.id in names:
            return names[node.id]
        known = ", ".join(sorted(names))
        raise UsageError(f"unknown symbol {node.id!r} in the bound; the notation has {known}")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _translate(node.operand, text, depth + 1, names)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        left = _translate(node.left, text, depth + 1, names)
        right = _translate(node.right, text, depth + 1, names)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            if right == 0:
                raise UsageError("division by zero in the bound")
            return left / right
        if isinstance(node.op, ast.Pow):
            if right.is_Number and abs(right) > _MAX_EXPONENT:
                raise UsageError(f"exponents are limited to {_MAX_EXPONENT} in magnitude")
            return left**right
        raise _refuse(node, text, "the operators are + - * / **")
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in _FUNCTIONS or node.keywords or len(node.args) != 1:
            raise _refuse(node, text, f"calls are limited to {', '.join(sorted(_FUNCTIONS))}")
        return _FUNCTIONS[name](_translate(node.args[0], text, depth + 1, names))
    raise _refuse(node, text, "only numbers, symbols, + - * / ** and exp/log/tanh/sqrt/g")

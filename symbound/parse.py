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
symbound.errors.UsageError: cannot use __import__('os').system(...) in a bound: calls ...
"""

from __future__ import annotations

import argparse
import ast
import re
from collections.abc import Mapping
from fractions import Fraction

import sympy as sp

from symbound.errors import UsageError
from symbound.notation import SYMBOLS, g

__all__ = ["MAX_DIGITS", "MAX_EXPONENT10", "exact_number", "int_in", "parse_bound"]

_FUNCTIONS = {"exp": sp.exp, "log": sp.log, "tanh": sp.tanh, "sqrt": sp.sqrt, "g": g}
#: Functions of several arguments (``Abs`` and ``Max``/``Min`` are how SymPy prints
#: ``sqrt(x**2)`` and extrema, so certificates the prover writes can be read back).
_VARIADIC = {
    "Abs": (sp.Abs, 1, 1),
    "abs": (sp.Abs, 1, 1),
    "Max": (sp.Max, 2, 8),
    "Min": (sp.Min, 2, 8),
}
_CONSTANTS = {"pi": sp.pi, "E": sp.E}
_MAX_LENGTH = 2000
_MAX_DEPTH = 60
_MAX_EXPONENT = 10_000

#: The most decimal digits a number typed by a user may have (before and after the point).
MAX_DIGITS = 1000
#: The largest decimal exponent a typed number may carry (``1e999999999`` would take
#: hours to expand into an exact rational): ``|e| <= MAX_EXPONENT10``.
MAX_EXPONENT10 = 1000
#: The most bits an exact number built while parsing may have (``(10**10)**10000``).
_MAX_BITS = 40_000

_NUMBER = re.compile(
    r"^[+-]?(?:(?P<int>\d+)(?:\.(?P<frac>\d*))?|\.(?P<frac2>\d+))(?:[eE](?P<exp>[+-]?\d+))?$"
)


def exact_number(text: str, what: str = "a number") -> Fraction:
    """An exact rational from typed text (``3``, ``-1/10``, ``0.25``, ``1e-3``), never a float.

    Digits and exponents are bounded before anything is expanded, so that
    ``1e999999999`` is refused in one line instead of hanging.

    >>> exact_number("1/10"), exact_number("2.5e-1"), exact_number(" -7 ")
    (Fraction(1, 10), Fraction(1, 4), Fraction(-7, 1))
    >>> exact_number("1e999999999")
    Traceback (most recent call last):
      ...
    symbound.errors.UsageError: a number's decimal exponent is limited to 1000 in magnitude, ...
    """
    if not isinstance(text, str):
        raise UsageError(f"{what} must be text, got {type(text).__name__}")
    s = text.strip().replace("_", "")
    if len(s) > 2 * MAX_DIGITS + 20:
        raise UsageError(f"{what} is {len(s)} characters long; at most {MAX_DIGITS} digits")
    num, slash, den = s.partition("/")
    parts = [num, den] if slash else [num]
    values = []
    for part in parts:
        m = _NUMBER.match(part.strip())
        if m is None:
            raise UsageError(f"not an exact number: {text!r} (write e.g. 1/10, 0.1 or 1e-3)")
        digits = len(m["int"] or "") + len(m["frac"] or m["frac2"] or "")
        if digits > MAX_DIGITS:
            raise UsageError(f"{what} has {digits} digits; at most {MAX_DIGITS}")
        if m["exp"] is not None and abs(int(m["exp"])) > MAX_EXPONENT10:
            raise UsageError(
                f"a number's decimal exponent is limited to {MAX_EXPONENT10} in magnitude, "
                f"got {text!r}"
            )
        values.append(Fraction(part.strip()))
    if slash:
        if values[1] == 0:
            raise UsageError(f"division by zero in {text!r}")
        return values[0] / values[1]
    return values[0]


def _check_size(value: sp.Expr) -> sp.Expr:
    if (
        isinstance(value, sp.Rational)
        and max(int(value.p).bit_length(), int(value.q).bit_length()) > _MAX_BITS
    ):
        raise UsageError(f"a number in the bound exceeds {_MAX_BITS} bits; write smaller numbers")
    return value


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

    ``symbols`` adds names beyond the notation's, or replaces the notation's symbols
    (a claim typed over a box is read with plain real symbols, so that SymPy never
    simplifies it with a positivity the box does not guarantee).  Number literals
    are bounded in digits and exponent, and so is every number the arithmetic builds.
    """
    if not isinstance(text, str):
        raise UsageError(f"a bound must be text, got {type(text).__name__}")
    if len(text) > _MAX_LENGTH:
        raise UsageError(f"the bound is {len(text)} characters long; at most {_MAX_LENGTH}")
    text = text.strip()
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise UsageError(f"cannot parse the bound {text!r}: {exc.msg}") from None
    names = {**SYMBOLS, **(symbols or {})}
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
        if isinstance(node.value, int):
            q = Fraction(node.value)
            if q.numerator.bit_length() > _MAX_BITS:
                raise UsageError(f"a number in the bound exceeds {_MAX_BITS} bits")
        else:  # the literal as typed (a float would not be exact)
            literal = ast.get_source_segment(text, node) or repr(node.value)
            q = exact_number(literal, "a number in the bound")
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
            return _check_size(left + right)
        if isinstance(node.op, ast.Sub):
            return _check_size(left - right)
        if isinstance(node.op, ast.Mult):
            return _check_size(left * right)
        if isinstance(node.op, ast.Div):
            if right == 0:
                raise UsageError("division by zero in the bound")
            return _check_size(left / right)
        if isinstance(node.op, ast.Pow):
            if right.is_Number and abs(right) > _MAX_EXPONENT:
                raise UsageError(f"exponents are limited to {_MAX_EXPONENT} in magnitude")
            if left.is_Rational and right.is_Number and left != 0:
                bits = max(int(left.p).bit_length(), int(left.q).bit_length())
                if bits * abs(right) > _MAX_BITS:
                    raise UsageError(
                        f"a number in the bound would exceed {_MAX_BITS} bits; "
                        "write smaller numbers"
                    )
            return _check_size(left**right)
        raise _refuse(node, text, "the operators are + - * / **")
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name in _VARIADIC and not node.keywords:
            fn, least, most = _VARIADIC[name]
            if least <= len(node.args) <= most:
                return fn(*(_translate(a, text, depth + 1, names) for a in node.args))
        if name not in _FUNCTIONS or node.keywords or len(node.args) != 1:
            allowed = ", ".join(sorted({*_FUNCTIONS, *_VARIADIC}))
            raise _refuse(node, text, f"calls are limited to {allowed}")
        return _FUNCTIONS[name](_translate(node.args[0], text, depth + 1, names))
    raise _refuse(node, text, "only numbers, symbols, + - * / ** and exp/log/tanh/sqrt/g")

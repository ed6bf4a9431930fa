r"""Reading a certificate's fields: a one-line :class:`~symbound.errors.UsageError` naming
the field for anything missing, mistyped or oversized, never a KeyError or a traceback.

Numbers are exact rationals written as text (:func:`~symbound.parse.exact_number`: digits
and exponents bounded); parameter names are identifiers; expressions are parsed by the safe
parser with a plain real symbol for *every* name they mention (:class:`ExprReader`), so SymPy
never simplifies with an assumption such as the notation's positivity.

>>> box_field({"box": {"eta": ["-1", "0"]}}, "box", "claim.box")
{'eta': (Fraction(-1, 1), Fraction(0, 1))}
>>> number("1e999999999", "claim.box.eta[0]")
Traceback (most recent call last):
  ...
symbound.errors.UsageError: malformed certificate: claim.box.eta[0]: a number's decimal exponent ...
>>> ExprReader().expr({"lhs": "sqrt(eta**2)"}, "lhs", "claim.lhs")
Abs(eta)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction

import sympy as sp

from symbound.errors import UsageError
from symbound.parse import exact_number, parse_bound

__all__ = [
    "MAX_NAMES",
    "ExprReader",
    "box_field",
    "box_text",
    "field",
    "free_names",
    "integers_field",
    "number",
    "number_range",
    "param_name",
    "short",
]

#: The most parameters a box may have.
MAX_NAMES = 64
_RESERVED = frozenset({"exp", "log", "tanh", "sqrt", "g", "pi", "E"})
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")

_MAX_TEXT = 10_000
_KINDS = {dict: "an object", list: "a list", str: "text", int: "an integer"}


def field(obj: Mapping, key: str, kind: type, path: str):
    """``obj[key]``, of type ``kind`` (``path`` names it in the error)."""
    if key not in obj:
        raise UsageError(f"malformed certificate: no field {path}")
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise UsageError(
            f"malformed certificate: {path} must be {_KINDS[kind]}, got {type(value).__name__}"
        )
    return value


def number(value, path: str) -> Fraction:
    """An exact rational written as text, digits and exponent bounded."""
    if not isinstance(value, str):
        raise UsageError(f"malformed certificate: {path} must be a number as text")
    try:
        return exact_number(value, path)
    except UsageError as exc:
        raise UsageError(f"malformed certificate: {path}: {exc}") from None


def number_range(value, path: str) -> tuple[Fraction, Fraction]:
    """``[lo, hi]`` with ``lo <= hi``."""
    if not isinstance(value, list) or len(value) != 2:
        raise UsageError(f"malformed certificate: {path} must be a list [lo, hi]")
    lo, hi = number(value[0], f"{path}[0]"), number(value[1], f"{path}[1]")
    if lo > hi:
        raise UsageError(f"malformed certificate: {path} is empty ({lo} > {hi})")
    return lo, hi


def param_name(value, path: str) -> str:
    """An identifier of at most 64 characters that is no function or constant's name."""
    if not isinstance(value, str) or not _NAME.match(value) or value in _RESERVED:
        raise UsageError(f"malformed certificate: {path} is not a parameter name")
    return value


def box_field(obj: Mapping, key: str, path: str) -> dict[str, tuple[Fraction, Fraction]]:
    """A box: parameter name -> ``(lo, hi)``, at most :data:`MAX_NAMES` of them."""
    ranges = field(obj, key, dict, path)
    if len(ranges) > MAX_NAMES:
        raise UsageError(f"malformed certificate: {path} has more than {MAX_NAMES} parameters")
    return {param_name(n, f"{path} key"): number_range(r, f"{path}.{n}") for n, r in ranges.items()}


def integers_field(obj: Mapping, box, path: str) -> frozenset[str]:
    """``obj["integers"]``: parameters of ``box`` with integer bounds."""
    names = field(obj, "integers", list, path)
    for n in names:
        if not isinstance(n, str) or n not in box:
            raise UsageError(f"malformed certificate: {path} names a parameter not in the box")
        lo, hi = box[n]
        if lo.denominator != 1 or hi.denominator != 1:
            raise UsageError(f"malformed certificate: integer parameter {n} has non-integer bounds")
    return frozenset(names)


class ExprReader:
    """Parses the certificate's expressions, every name a plain real symbol (shared)."""

    def __init__(self):
        self.symbols: dict[str, sp.Symbol] = {}

    def symbol(self, name: str) -> sp.Symbol:
        return self.symbols.setdefault(name, sp.Symbol(name, real=True))

    def expr(self, obj: Mapping, key: str, path: str) -> sp.Expr:
        """``obj[key]`` parsed, each name it mentions a real symbol (so an unranged name is
        a free symbol the caller rejects, never a notation symbol with its assumptions)."""
        text = field(obj, key, str, path)
        if len(text) <= _MAX_TEXT:  # (the parser refuses longer texts itself)
            for word in re.findall(r"\w+", text):
                if word.isidentifier() and word not in _RESERVED:
                    self.symbol(word)
        try:
            return parse_bound(text, self.symbols)
        except UsageError as exc:
            raise UsageError(f"malformed certificate: {path}: {exc}") from None


def free_names(expr: sp.Expr) -> set[str]:
    """The names of ``expr``'s free symbols."""
    return {s.name for s in expr.free_symbols}


def box_text(box, integers) -> str:
    """``x ∈ [lo, hi], ... (n integer)`` for messages."""
    text = ", ".join(f"{n} ∈ [{lo}, {hi}]" for n, (lo, hi) in box.items()) or "no parameters"
    return text + (f" ({', '.join(sorted(integers))} integer)" if integers else "")


def short(q: Fraction, digits: int = 6) -> str:
    """A short decimal of an exact rational, for messages only (never for decisions)."""
    if q == 0:
        return "0"
    sign, q = ("-" if q < 0 else ""), abs(q)
    e = int((q.numerator.bit_length() - q.denominator.bit_length()) * 0.30103)
    scaled = q * Fraction(10) ** (digits - 1 - e)
    while scaled >= 10**digits:
        scaled, e = scaled / 10, e + 1
    while scaled < 10 ** (digits - 1):
        scaled, e = scaled * 10, e - 1
    m = str(int(scaled))
    return f"{sign}{m[0]}.{m[1:]}e{e:+d}"

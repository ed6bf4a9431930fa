"""Typed claims over boxes (crossing zero included) are proved only where they are true.

The prover reads text with plain real symbols, so nothing is simplified with a
positivity the box does not guarantee.  Each claim here is built as *text*, settled
by the prover, and its verdict checked against an evaluation of the same text that
shares no code with symbound: Python's ``ast`` walked straight into mpmath at 80
digits.  A "proved" claim must hold at random rational points of the box; a
"refuted" one must fail at its witness.
"""

from __future__ import annotations

import ast
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbound.errors import UsageError
from symbound.prove.claim import Box, parse_claim
from symbound.prove.prover import prove

# eta and t are declared positive in the notation: a box crossing zero must not let
# SymPy read sqrt(eta**2) as eta
ATOMS = ["eta", "t", "eta**2", "sqrt(eta**2)", "(eta**2)**(1/2)", "sqrt(t**2)", "eta*t", "1", "1/3"]
UNARY = ["exp({})", "tanh({})", "log(1 + ({})**2)", "sqrt(1 + ({})**2)", "-({})", "({})**3"]
BINARY = ["({}) + ({})", "({}) - ({})", "({}) * ({})"]


@st.composite
def expressions(draw, depth=2):
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(ATOMS))
    if draw(st.booleans()):
        return draw(st.sampled_from(UNARY)).format(draw(expressions(depth=depth - 1)))
    pattern = draw(st.sampled_from(BINARY))
    return pattern.format(draw(expressions(depth=depth - 1)), draw(expressions(depth=depth - 1)))


_OPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_CALLS = {"exp": mpmath.exp, "tanh": mpmath.tanh, "log": mpmath.log, "sqrt": mpmath.sqrt}


def independent_value(text: str, point: dict[str, Fraction]):
    """The text's value at an exact point, by mpmath at 80 digits (None: undefined)."""

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return mpmath.mpf(node.value)
        if isinstance(node, ast.Name):
            q = point[node.id]
            return mpmath.mpf(q.numerator) / q.denominator
        if isinstance(node, ast.UnaryOp):
            return -walk(node.operand)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            base, k = walk(node.left), walk(node.right)
            value = base**k
            if isinstance(value, mpmath.mpc):
                raise ArithmeticError("a real power of a negative base")
            return value
        if isinstance(node, ast.BinOp):
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.Call):
            value = _CALLS[node.func.id](walk(node.args[0]))
            if isinstance(value, mpmath.mpc):
                raise ArithmeticError("outside the real domain")
            return value
        raise AssertionError(f"unexpected node {node!r}")

    with mpmath.workdps(80):
        try:
            return walk(ast.parse(text, mode="eval"))
        except (ArithmeticError, ValueError, ZeroDivisionError):
            return None


VERDICTS: list[str] = []
ends = st.fractions(min_value=-3, max_value=3, max_denominator=8)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), expressions(), ends, ends, ends, ends, st.data())
def test_a_typed_claim_is_proved_only_where_it_holds(lhs, rhs, a, b, c, d, data):
    (xlo, xhi), (ylo, yhi) = sorted((a, b)), sorted((c, d))
    box = Box.of({"eta": (xlo, xhi), "t": (ylo, yhi)})
    try:
        proof = prove(parse_claim(lhs, box), parse_claim(rhs, box), box, max_boxes=150)
    except UsageError:  # the claim has no enclosure the prover supports: nothing said
        return
    VERDICTS.append(proof.verdict)
    claim = f"({lhs}) - ({rhs})"
    if proof.verdict == "proved":
        for _ in range(8):
            u = data.draw(st.fractions(0, 1, max_denominator=97))
            v = data.draw(st.fractions(0, 1, max_denominator=97))
            where = {"eta": xlo + u * (xhi - xlo), "t": ylo + v * (yhi - ylo)}
            value = independent_value(claim, where)
            assert value is None or value <= mpmath.mpf(10) ** -60, (claim, where, value)
    elif proof.verdict == "refuted":
        # parameters the claim does not depend on may be missing from the witness
        where = {**{n: lo for n, lo, _ in box.ranges}, **proof.witness}
        value = independent_value(claim, where)
        assert value is not None and value > 0, (claim, where, value)


@pytest.mark.parametrize(
    ("lhs", "box"),
    [
        ("sqrt(eta**2)", ["eta=-1..0"]),
        ("(a**2)**(1/2)", ["a=-1..0"]),
        ("sqrt(H**2) + 1", ["H=-3..-1"]),
    ],
)
def test_claims_that_a_positivity_would_have_simplified_are_not_proved(lhs, box):
    """The issue's reproductions: each was PROVED when eta, H were read as positive."""
    b = Box.parse(box)
    proof = prove(parse_claim(lhs, b), parse_claim("0", b), b)
    assert proof.verdict != "proved"


def test_a_positive_symbol_over_a_box_reaching_zero_is_refused():
    from symbound.notation import eta

    with pytest.raises(UsageError, match="declared positive"):
        prove(eta, sp.Integer(1), Box.parse(["eta=0..1"]))

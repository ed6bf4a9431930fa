"""Hostile claim text: refused in one line naming the column, never evaluated."""

from __future__ import annotations

import time

import pytest

from symbound.claims.text import parse_relation
from symbound.claims.vocabulary import matrix
from symbound.cli import EXIT_USAGE, main
from symbound.errors import UsageError

NAMES = {"A": matrix("A", "n", "n"), "D": matrix("D", "n", "n")}


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "norm(A.__class__, 'max') <= t",
            "column 6: expected a term, got the attribute .__class__",
        ),
        ("__import__('os').system('true') <= t", "column 1: expected a call to one of norm"),
        ("norm(A, 'max') <= eval('1')", "column 19: expected a call"),
        ("open('/etc/passwd') <= 1", "not allowed"),
        ("(lambda: 1)() <= 1", "column 1: expected a call"),
        ("[x for x in A] <= 1", "expected a term"),
        ("norm(A, 'max') < t", "<= or >="),
        ("norm(A, 'max')", "a relation 'LHS <= RHS'"),
        ("1 <= norm(A, 'max') <= 2", "a relation"),
        ("norm(A, max) <= t", "a quoted option"),
        ("norm(A, 'max', 'row') <= t", "norm(X, 'max'"),
        ("norm(Z, 'max') <= t", "unknown name 'Z'"),
        ("norm(A, 'max') <= t**100000", "exponents are limited"),
        ("norm(A, 'max') <= (10**10)**10000", "40000 bits"),
        ("norm(A, 'max') <= 1e999999999", "exponent is limited"),
        ("norm(A ** 2, 'max') <= 1", "a power of scalar parameters"),
        ("A <= 1", "scalars on both sides"),
        ("norm(A, 'max') <= t / 0", "nonzero divisor"),
        ("norm(A, 'max') <= " + "tanh(" * 70 + "t" + ")" * 70, "nested more than"),
        ("norm(A, 'max') <= t" + " + t" * 600, "characters long"),
        ("norm(A, 'max') <= 'text'", "a number, a name or a call"),
        ("norm(A @ A @ A, 'max') <= t if A else t", "expected a relation"),
        ("norm(A, 'max') <=", "column"),
    ],
)
def test_hostile_text_is_refused_in_one_line(text, match):
    t0 = time.perf_counter()
    with pytest.raises(UsageError) as info:
        parse_relation(text, NAMES)
    assert time.perf_counter() - t0 < 2
    message = str(info.value)
    assert "\n" not in message and match in message, message


def test_the_command_line_refuses_them_with_exit_2(capsys):
    code = main(["check", "--claim", "norm(A.__dict__, 'max') <= t", "--matrix", "A=n,n"])
    _out, err = capsys.readouterr()
    assert code == EXIT_USAGE and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "column 6" in err


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--matrix", "A=n"], "a matrix has 2 size(s)"),
        (["--matrix", "A=n,n", "--matrix", "A=n,n"], "given twice"),
        (["--matrix", "A=n,n", "--param", "t=4..0"], "empty range"),
        (["--matrix", "A=n,n", "--param", "t=x..1"], "not an exact number"),
        (["--matrix", "A=n,n", "--size", "n=1..999"], "searched in 1..64"),
        (["--matrix", "A=n,n", "--domain", "A=orthogonal"], "unknown domain"),
        (["--matrix", "A=n,n", "--param", "t=[0, 0]"], "empty range"),
        (["--matrix", "A=n,n", "--param", "A=0..1"], "as a variable and as a parameter"),
    ],
)
def test_bad_declarations_exit_2(capsys, argv, match):
    code = main(["check", "--claim", "norm(A, 'max') <= t", *argv])
    _out, err = capsys.readouterr()
    assert code == EXIT_USAGE and len(err.strip().splitlines()) == 1 and match in err, err

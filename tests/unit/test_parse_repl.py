"""The safe expression parser and the REPL's exact division."""

import io
import subprocess
import sys

import pytest
import sympy as sp

from symbound.cli import main
from symbound.errors import UsageError
from symbound.notation import H, L, eta, phi0
from symbound.parse import parse_bound
from symbound.repl import SymboundConsole, namespace


def test_parse_builds_the_expected_sympy():
    assert parse_bound("2*eta*phi0*(1 + H*eta)**L") == 2 * eta * phi0 * (1 + H * eta) ** L
    assert parse_bound("0.1") == sp.Rational(1, 10)  # decimals are exact
    from symbound.notation import eps, g, t

    assert parse_bound("-eps/2 + g(2*t)") == -eps / 2 + g(2 * t)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('true')", r"cannot use __import__\('os'\)\.system\(\.\.\.\)"),
        ("eta.real", r"cannot use eta\.real"),
        ("eta[0]", r"cannot use eta\[0\]"),
        ("open('x')", "calls are limited to"),
        ("exp(x=1)", "calls are limited to"),
        ("lambda: 1", "cannot use lambda: 1"),
        ("'text'", "only numbers, symbols"),
        ("2**100000", "exponents are limited"),
        ("zeta", "unknown symbol 'zeta'"),
        ("1 +", "cannot parse"),
        ("eta/0", "division by zero"),
    ],
)
def test_parse_refuses_everything_else(text, message):
    with pytest.raises(UsageError, match=message):
        parse_bound(text)


def test_hostile_text_is_refused_and_nothing_runs(tmp_path, capsys):
    marker = tmp_path / "ran"
    payload = f"__import__('os').system('touch {marker}')"
    with pytest.raises(UsageError):
        parse_bound(payload)
    code = main(["regime", "--bound", payload, "--tau", "1"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("symbound: error: cannot use") and "Traceback" not in err
    assert not marker.exists()


def test_console_divisions_are_exact():
    out = io.StringIO()
    console = SymboundConsole(namespace(), out)
    console.push("x = 1/3 + 1/6")
    console.push("print(x, 7/2 - 1/2, 2.0/4)")
    console.push("print(H, eta, type(cat).__name__)")
    assert out.getvalue().splitlines() == ["1/2 3 0.5", "H eta Catalogue"]
    assert console.push("for i in range(2):") is True  # waits for the block
    console.push("    print(i)")
    console.push("")
    assert out.getvalue().splitlines()[-2:] == ["0", "1"]


def test_repl_command_end_to_end():
    run = subprocess.run(
        [sys.executable, "-m", "symbound", "repl"],
        input=(
            "print(1/3)\n"
            "print(eta_max(2*eta*phi0*(1+H*eta)**L, {'H': 8, 'L': 4, 'phi0': 1}, 1/10))\n"
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0
    assert "1/3" in run.stdout and "eta_max in [0.0244618276512953" in run.stdout
    assert "symbound console" in run.stderr


def test_symbols_are_the_notations_own():
    assert parse_bound("H*L*eta*phi0").free_symbols == {H, L, eta, phi0}

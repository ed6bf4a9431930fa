"""``symbound repair`` in process: exit codes, deterministic JSON, one-line errors before any
search (no traceback)."""

from __future__ import annotations

import importlib
import json

import pytest

from symbound.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def no_search(monkeypatch):
    """Fail the test if a search or a proof starts: bad usage is refused before."""

    def refuse(*args, **kwargs):
        raise AssertionError("a search ran before the usage error")

    # the package exports functions named like these modules: take the modules themselves
    monkeypatch.setattr(importlib.import_module("symbound.check"), "check", refuse)
    monkeypatch.setattr(importlib.import_module("symbound.prove"), "prove", refuse)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["as25.nope"], "no claim or scalar claim 'as25.nope'; did you mean"),
        (["dcl21.path-decomposition"], "is an experiment, not a claim"),
        (["as25.lemma4.1", "--constant", "C"], "has no parameter 'C'"),
        (["as25.lemma4.1", "--parameter", "zz"], "has no parameter 'zz'"),
        (["as25.lemma4.1", "--parameter", "n"], "a threshold is on a real parameter"),
        (["as25.lemma4.1", "--parameter", "__import__('os')"], "cannot use __import__"),
        (["as25.lemma4.1", "--constant", "eps", "--parameter", "eps"], "not both"),
        (["--box", "x=0..1"], "--box goes with --claim"),
        (["--claim", "exp(x) <= 1 + 2*x", "--box", "x=0..2", "--parameter", "y"], "box's"),
        ([], "name a KEY"),
        (["as25.lemma4.1", "--samples", "0"], "--samples"),
    ],
)
def test_bad_usage_is_one_line_before_any_search(capsys, no_search, argv, says):
    code, out, err = run(capsys, "repair", *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and says in err
    assert "Traceback" not in err


def test_a_claim_that_survives_has_nothing_to_repair_one_line(capsys):
    code, out, err = run(capsys, "repair", "as25.lemma4.1.corrected", "--samples", "300")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "survived its check" in err and "nothing to repair" in err


def test_a_repair_found_and_checked_exits_0_with_deterministic_json(capsys):
    argv = ["repair", "as25.lemma4.1", "--samples", "300", "--seed", "2", "--json"]
    code, out, err = run(capsys, *argv)
    again = run(capsys, *argv)
    assert code == 0 and again[0] == 0 and out == again[1]
    doc = json.loads(out)
    assert doc["closed_form"] == "2" and doc["lower"]["kind"] == "certified"
    assert doc["settings"]["seed"] == 2 and doc["repaired"]["provenance"] == "repaired here"
    assert "elapsed" not in out and "repaired" in err  # timings go to standard error


def test_the_summary_fits_a_screen(capsys):
    code, out, _ = run(capsys, "repair", "as25.lemma4.1", "--samples", "300")
    assert code == 0 and out.startswith("as25.lemma4.1: REPAIRED (constant)")
    assert "c* ≥ 2" in out and "c* ≤ 2" in out and len(out.splitlines()) <= 24


def test_a_structural_fault_exits_1(capsys):
    code, out, _ = run(capsys, "repair", "as25.lemma5.1.step-entrywise-exp", "--samples", "300")
    assert code == 1 and "NOT APPLICABLE (structural)" in out


def test_a_typed_scalar_claim_is_repaired_with_the_prover(capsys):
    code, out, _ = run(
        capsys, "repair", "--claim", "exp(x) <= 1 + 2*x", "--box", "x=0..2", "--parameter", "x"
    )
    assert code == 0 and "REPAIRED (hypothesis)" in out and "proved" in out
    code, out, _ = run(
        capsys, "repair", "--claim", "exp(x) - 1 <= C*x", "--box", "x=0..1", "--constant", "C"
    )
    assert code == 0 and "c* ≥ 1.71828182845" in out


def test_a_claim_of_ones_own_in_the_claim_language(capsys):
    code, out, _ = run(
        capsys, "repair", "--claim", "norm(res(A) - res(B), 'max') <= eps",
        "--given", "norm(A - B, 'max') <= eps", "--matrix", "A=n,d", "--matrix", "B=n,d",
        "--param", "eps=0..", "--samples", "300",
    )  # fmt: skip
    assert code == 0 and "claim.repaired" in out and "≤ 2*ε" in out

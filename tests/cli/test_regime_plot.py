"""``symbound regime ... --plot FILE``: the figure Python draws, written by suffix; a
target that cannot be written is a one-line usage error before anything is solved."""

from fractions import Fraction

import pytest

import symbound.regimes
from symbound import load_catalogue
from symbound.cli import main
from symbound.depth_sweep import eta_max_sweep
from symbound.render.figure import render

EPS = ["regime", "as25.eps-L", "--tau", "1/10", "--set", "H=8", "--set", "phi0=1"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_several_depths_write_the_sweep_figure(capsys, tmp_path):
    target = tmp_path / "sweep.png"
    code, out, err = run(capsys, *EPS, "--L-values", "16,1,4", "--plot", str(target))
    assert code == 0 and err == "" and len(out.splitlines()) == 3
    bound = load_catalogue().composed["as25.eps-L"]
    sweep = eta_max_sweep(bound, {"H": 8, "phi0": 1}, Fraction(1, 10), [1, 4, 16])
    assert target.read_bytes() == render(sweep.plot(), ("png",))["png"]


def test_one_depth_writes_the_crossing_and_no_depth_the_symbolic_bracket(capsys, tmp_path):
    one, every = tmp_path / "one.pdf", tmp_path / "every.png"
    assert run(capsys, *EPS, "--L-values", "24", "--plot", str(one))[0] == 0
    assert one.read_bytes().startswith(b"%PDF-")
    bound = load_catalogue().composed["as25.eps-L"]
    r = symbound.regimes.eta_max(bound, {"H": 8, "phi0": 1, "L": 24}, Fraction(1, 10))
    assert one.read_bytes() == render(r.plot(), ("pdf",))["pdf"]
    assert run(capsys, *EPS, "--plot", str(every))[0] == 0
    assert every.read_bytes().startswith(b"\x89PNG")


def test_a_typed_bound_plots_too(capsys, tmp_path):
    target = tmp_path / "typed.png"
    argv = ["regime", "--bound", "2*eta*phi0*(1+H*eta)**L", "--tau", "0.1", "--set", "H=8"]
    code, _, err = run(capsys, *argv, "--set", "phi0=1", "--L-values", "2,8", "--plot", str(target))
    assert code == 0 and err == "" and target.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("out.svg", "has '.svg'; give a file ending in .png or .pdf"),
        ("out", "has no suffix; give a file ending in .png or .pdf"),
        ("", "is a folder; give a file name"),
    ],
)
def test_a_bad_target_is_one_line_before_solving(capsys, tmp_path, monkeypatch, name, match):
    def refuse(*args, **kwargs):
        raise AssertionError("solved before the target was checked")

    monkeypatch.setattr(symbound.regimes, "eta_max", refuse)
    monkeypatch.setattr(symbound.regimes, "symbolic_bracket", refuse)
    target = tmp_path / name if name else tmp_path
    code, out, err = run(capsys, *EPS, "--L-values", "4", "--plot", str(target))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and match in err and "Traceback" not in err


def test_a_target_inside_a_file_is_refused(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, *EPS, "--plot", str(blocker / "fig.png"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--plot" in err

"""The appendix's regime figures: drawn from the certified brackets, captions computed,
byte-stable, referenced from the sections they illustrate, LaTeX that compiles.

The data is the appendix's regime tables and trade-off table alone (no claim checks,
no experiments), built with the appendix's own functions."""

import dataclasses
import json
import shutil
import subprocess
from fractions import Fraction

import pytest

from symbound.appendix.build import AppendixData, comparison_rows, regime_grid
from symbound.appendix.figures import ETA_MAX, FEASIBILITY, TRADEOFF, figure_files, grid_sweeps
from symbound.appendix.write import render_appendix
from symbound.lemmas.catalogue import load_catalogue
from symbound.regimes import SymbolicBracket
from symbound.render.latex import environment
from symbound.versions import versions


def _data() -> AppendixData:
    cat = load_catalogue()
    spec = next(iter(cat.appendices.values()))
    return AppendixData(
        spec=spec,
        claims=(),
        regimes=tuple(regime_grid(t) for t in spec.regime_tables),
        comparison=tuple(comparison_rows(spec.comparison)),
        prior_checks=(),
        experiments=(),
        remarks=(),
        composed=(),
        settings={"seed": 0, "samples": 0, "dps": 50, "versions": versions()},
    )


@pytest.fixture(scope="module")
def data():
    return _data()


@pytest.fixture(scope="module")
def drawn(data):
    return figure_files(data, environment())


def test_every_figure_is_a_png_and_a_pdf_and_the_same_bytes_again(data, drawn):
    for key in (ETA_MAX, FEASIBILITY, TRADEOFF):
        assert drawn.files[f"figures/{key}.png"].startswith(b"\x89PNG\r\n\x1a\n")
        assert drawn.files[f"figures/{key}.pdf"].startswith(b"%PDF-")
        assert b"CreationDate" not in drawn.files[f"figures/{key}.pdf"]  # no stamps: the
        assert b"Producer" not in drawn.files[f"figures/{key}.pdf"]  # same data gives the
        assert b"Software" not in drawn.files[f"figures/{key}.png"]  # same bytes
    again = figure_files(_data(), environment())  # solved again from scratch
    assert again.files == drawn.files


def test_the_sweeps_are_the_tables_brackets(data):
    grid = data.regimes[0]
    sweeps = grid_sweeps(grid)
    assert len(sweeps) == len(grid.spec.cols)
    for col, sweep in zip(grid.spec.cols, sweeps, strict=True):
        assert sweep.depths == grid.spec.rows
        assert sweep.results == tuple(grid.cells[row, col] for row in grid.spec.rows)
        assert sweep.symbolic.lower.free_symbols == {grid.spec.bound.depth}


def test_captions_state_what_was_computed(drawn):
    doc = json.loads(drawn.files["regime-figures.json"])
    collapse, eps = doc["regimes"]
    assert collapse["bound"] == "as25.collapse-L" and eps["bound"] == "as25.eps-L"
    for record in (collapse, eps):
        assert record["every_bracket_monotone"] is True
        assert float(record["largest_relative_width"]) < 1e-11
        for column in record["columns"].values():
            assert column["brackets_meet_symbolic_bounds"] is True
            assert column["asymptotic_slopes"]["lower"] == "-1"
    assert all(c["asymptotic_slopes"]["upper"] == "-1/2" for c in eps["columns"].values())
    # the N3 bound's lower bound is c/(HL): the certified slope is -1 to 3 digits
    assert all(abs(c["slope_last_two_depths"] + 1) < 3e-3 for c in collapse["columns"].values())
    tex = drawn.files["regime-figures.tex"]
    assert tex.count(r"\begin{figure}") == 2 and r"\label{fig:regime-eta-max}" in tex
    assert r"f(lo) $\le$ $\tau$ and f(hi) > $\tau$ proved with Arb balls" in " ".join(tex.split())
    assert "Every bracket meets the symbolic bounds at its depth" in " ".join(tex.split())


def test_the_tradeoff_figure_says_where_the_lines_would_meet(data, drawn):
    records = json.loads(drawn.files["regime-figures.json"])["tradeoff"]
    assert {r["d"] for r in records} == {8, 16, 64, 128}
    for r in records:
        assert r["verdicts"] == ["no"] * 7 and r["bracket_same_for_every_n"]
        lo, hi = (float(x) for x in r["threshold_over_hi"])
        assert 50 < lo < hi < 250
        assert 1 < float(r["threshold_meets_hi_at_n"]) < 2  # below any sequence length
        # the meeting point is where the threshold equals the bracket's hi
        row = next(x for x in data.comparison if x.values["d"] == r["d"])
        k = [s.label for s in data.spec.comparison.scalings].index(r["scaling"])
        threshold = data.spec.comparison.scalings[k].threshold
        n_, d_ = sorted(threshold.free_symbols, key=lambda s: s.name, reverse=True)
        at = threshold.subs({n_: float(r["threshold_meets_hi_at_n"]), d_: r["d"]})
        assert float(at) == pytest.approx(float(row.cells[k].bracket.hi), rel=1e-4)
    assert "would meet it only at n = 1.00" in drawn.tradeoff["caption"]


def test_a_bracket_outside_its_symbolic_bounds_is_reported(data):
    grid = data.regimes[1]
    hi = grid.cells[grid.spec.rows[0], grid.spec.cols[0]].hi
    wrong = dataclasses.replace(grid, symbolic=SymbolicBracket(sp_number(4 * hi), None))
    planted = dataclasses.replace(data, regimes=(data.regimes[0], wrong))
    doc = json.loads(figure_files(planted, environment()).files["regime-figures.json"])
    assert doc["regimes"][1]["columns"]["H=1"]["brackets_meet_symbolic_bounds"] is False
    tex = figure_files(planted, environment()).files["regime-figures.tex"]
    assert "Not every bracket lies between the symbolic bounds" in " ".join(tex.split())


def sp_number(q: Fraction):
    import sympy as sp

    return sp.Rational(q.numerator, q.denominator)


def test_each_figure_is_referenced_from_its_section_and_the_latex_compiles(data, tmp_path):
    files = render_appendix(data)
    for key in ("collapse-regime", "eps-regime"):
        assert (
            r"Figures~\ref{fig:regime-eta-max} and~\ref{fig:regime-feasibility}"
            in files[f"{key}.tex"]
        )
    tradeoff = files["tradeoff.tex"]
    assert r"Figure~\ref{fig:tradeoff}" in tradeoff and r"{figures/tradeoff.pdf}" in tradeoff
    assert r"\input{regime-figures}" in files["main.tex"]
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    for _ in range(2):  # the second run resolves the references
        run = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "main.tex"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stdout[-2000:]
    log = (tmp_path / "main.log").read_text(errors="replace")
    assert "undefined" not in log.lower()

"""The example notebook runs, every cell, in a real Jupyter kernel (nbclient, ipykernel).

It is stored without outputs; here each cell must run without error and show what it is
for: one-line reprs, LaTeX for statements and results, PNG for the figures."""

import json
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "tour.ipynb"

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_the_notebook_is_stored_without_outputs():
    doc = json.loads(NOTEBOOK.read_text())
    code = [c for c in doc["cells"] if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": "."}}
    )
    client.execute()
    return {_source(c): c for c in nb.cells if c.cell_type == "code"}


def _outputs(executed, start: str):
    (cell,) = [c for src, c in executed.items() if src.startswith(start)]
    assert not [o for o in cell.outputs if o.output_type == "error"]
    return [o for o in cell.outputs if o.output_type == "execute_result" or "data" in o]


def test_every_cell_runs_without_error(executed):
    for src, cell in executed.items():
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, (src, errors)
        assert not [o for o in cell.outputs if o.get("name") == "stderr"], src


def test_statements_and_results_render_as_latex_and_print_in_one_line(executed):
    (lemma,) = _outputs(executed, 'lemma = cat["as25.lemma4.1"]')
    assert lemma.data["text/plain"].startswith("<Lemma as25.lemma4.1 [as stated;")
    assert lemma.data["text/latex"].startswith("$$")
    (result,) = _outputs(executed, "result = sb.check(lemma")
    assert result.data["text/plain"].startswith("<CheckResult as25.lemma4.1: REFUTED, witness")
    (mine,) = _outputs(executed, "sc.check(mine")
    assert mine.data["text/plain"].startswith("<CheckResult mine.softmax-l1: SURVIVED, tight")
    (regime,) = _outputs(executed, "from fractions import Fraction")
    assert regime.data["text/latex"].startswith(r"$\eta_{\max} \in [0.00915969347")
    (proof,) = _outputs(executed, "from symbound.prove import")
    assert proof.data["text/plain"].startswith("<Proof PROVED (H*eta + 1)**L - 1 <= ")
    (ok,) = _outputs(executed, "recheck(")
    assert ok.data["text/plain"] == "True"


def test_the_figures_show_as_pictures(executed):
    for start in ("r.plot()", "from symbound.depth_sweep import"):
        (shown,) = _outputs(executed, start)
        assert shown.data["image/png"], start

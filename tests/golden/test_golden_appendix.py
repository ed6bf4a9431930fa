"""Golden LaTeX of the appendix's section "What each refuted claim needs", byte for byte.

The rows are built from repairs given by hand (their brackets as the catalogue's
repairs find them, no search), so the file guards the section's wording and layout
alone.  After an intended change, regenerate with ``SYMBOUND_UPDATE_GOLDEN=1 python -m
pytest tests/golden`` and review the diff.
"""

import os
from pathlib import Path
from types import SimpleNamespace

from symbound import load_catalogue
from symbound.appendix.repair_table import repairs_context
from symbound.appendix.repairs import RepairRecord, repair_rows, repair_subjects
from symbound.notation import eps
from symbound.render.latex import environment
from symbound.repair import Bound, Repair

GOLDEN = Path(__file__).parent / "appendix" / "repairs.tex"
CAT = load_catalogue()


def _record(key, kind, closed, lower, upper, bound=None) -> RepairRecord:
    repair = Repair(
        key,
        CAT[key].statement_text,
        "repaired",
        kind,
        quantity="c* = sup lhs/f" if kind == "constant" else "t* for 2*H*ε",
        lower=Bound(*lower),
        upper=Bound(*upper),
        closed_form=closed,
    )
    return RepairRecord(repair, {}, f"{key}.repaired", bound)


def _rows():
    paper = CAT.paper()
    subjects = repair_subjects(
        CAT.appendices[paper], CAT, paper, {"as25.lemma4.1", "as25.eps0.relative"}
    )
    records = {
        "as25.eps0.relative": _record(
            "as25.eps0.relative",
            "hypothesis",
            "2*H*ε ≤ log(2)",
            ("0.693103448275", "survived", "no counterexample with 2*H*ε ≤ 201/290: not a proof"),
            ("0.693181818182", "certified", "fails at 2*H*ε = 61/88: witness n=4 H=1 eps=61/176"),
        ),
        "as25.lemma4.1": _record(
            "as25.lemma4.1",
            "constant",
            "2",
            ("2", "certified", "n=3 d=1 eps=1 A=[[-1], [1], [-1]] B=[[0], [0], [-2]]: exact"),
            ("2", "survived", "no counterexample at c = 2: not a proof"),
            2 * eps,
        ),
    }
    verdicts = {
        "as25.lemma4.1": "refuted",
        "as25.lemma4.1.corrected": "survived",
        "as25.lemma5.1.bounded-entries": "refuted",
        "as25.eps0.relative": "refuted",
        "as25.eps0.relative.corrected": "survived",
    }
    claims = [
        SimpleNamespace(lemma=CAT[k], result=SimpleNamespace(verdict=SimpleNamespace(value=v)))
        for k, v in verdicts.items()
    ]
    return repair_rows(subjects, [records[case.key] for case, _ in subjects], claims, CAT)


def test_the_repairs_section_matches_golden():
    data = SimpleNamespace(repairs=_rows(), repair_samples=300, settings={"seed": 0})
    rendered = environment().get_template("appendix/repairs.tex.j2").render(**repairs_context(data))
    if os.environ.get("SYMBOUND_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(rendered, encoding="utf-8")
    assert GOLDEN.exists(), f"no golden file {GOLDEN.name}; run with SYMBOUND_UPDATE_GOLDEN=1"
    assert rendered == GOLDEN.read_text(encoding="utf-8")
    # what the golden file holds, in words
    assert r"\textbf{agree}: the same bound, 2*$\varepsilon$, exactly" in rendered
    assert r"\textbf{repair tighter}: the repair is tighter (a weaker hypothesis)" in rendered
    assert r"\textbf{not repaired here}" in rendered

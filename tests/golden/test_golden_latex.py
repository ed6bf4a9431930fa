"""Golden LaTeX: each catalogue entry renders to the committed .tex file, byte for byte.

After an intended change, regenerate with ``SYMBOUND_UPDATE_GOLDEN=1 python -m pytest
tests/golden`` and review the diff.
"""

import os
from pathlib import Path

import pytest

from symbound import load_catalogue
from symbound.render.latex import render_lemma

GOLDEN = Path(__file__).parent / "lemmas"
CAT = load_catalogue()


@pytest.mark.parametrize("key", list(CAT))
def test_lemma_latex_matches_golden(key):
    path = GOLDEN / f"{key}.tex"
    rendered = render_lemma(CAT[key])
    if os.environ.get("SYMBOUND_UPDATE_GOLDEN"):
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with SYMBOUND_UPDATE_GOLDEN=1"
    assert rendered == path.read_text(encoding="utf-8")


def test_every_golden_file_belongs_to_a_catalogue_entry():
    assert {p.stem for p in GOLDEN.glob("*.tex")} == set(CAT)


def test_latex_special_characters_in_text_are_escaped():
    lemma = CAT["as25.lemma4.1"].variant(key="golden.escape", title="50% of A_1 & {x}")
    rendered = render_lemma(lemma)
    assert r"\begin{lemma}[50\% of A\_1 \& \{x\}]" in rendered

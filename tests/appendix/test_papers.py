"""Two papers with an appendix each: both build, and neither leaks into the other.

The catalogue here is a derivations package of its own (in a temporary folder): the
built-in paper, and ``abc_2026``, a small second paper with a claim, a composed bound,
a regime table, a scalar claim and a remark.  ``abc_2026`` sorts before
``alman_song_2025``: the default is still the built-in paper.
"""

from __future__ import annotations

import multiprocessing
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor

import pytest

from symbound.appendix import build_appendix, write_appendix
from symbound.cli import main
from symbound.errors import UsageError
from symbound.lemmas.catalogue import load_catalogue

PACKAGE = "symbound_two_papers"

ABC = '''
"""A small second paper: Abc 2026 (made up for the test)."""

import sympy as sp

import symbound.claims as sb
from symbound.appendix.spec import AppendixSpec, RegimeTable
from symbound.compose import ComposedBound, Recurrence
from symbound.lemmas.experiment import Remark
from symbound.lemmas.model import Citation, Form, Parameter, Provenance
from symbound.notation import H, L, eta, phi0
from symbound.prove.claim import Box, ScalarClaim

PAPER = "Abc 2026, A small paper"
A = sb.matrix("A", "n", "n")

ROWS = sb.claim(
    "abc26.softmax-rows",
    then=sb.norm(sb.softmax(A), "row") <= 1,
    title="Softmax rows sum to one",
    sizes={"n": (2, 3)},
    citation=Citation(PAPER, "Lemma 1", primary=True),
    provenance=Provenance.VERBATIM,
)
LEMMAS = (ROWS,)

GROWTH_L = ComposedBound(
    key="abc26.growth-L",
    title="Norm after L layers",
    quantity="‖X^(L)‖_∞",
    recurrence=Recurrence(q=1 + H * eta, b=0, initial=phi0),
    parameters=(
        Parameter(eta, sp.Interval.open(0, sp.oo), "a weight bound"),
        Parameter(phi0, sp.Interval.open(0, sp.oo), "an input bound"),
        Parameter(H, sp.Range(1, sp.oo), "heads"),
        Parameter(L, sp.Range(0, sp.oo), "layers"),
    ),
    uses=("abc26.softmax-rows",),
)
COMPOSED = (GROWTH_L,)

SCALAR_CLAIMS = (
    ScalarClaim(
        key="abc26.quadratic",
        title="x(1 - x) <= 1/4",
        citation=Citation(PAPER, "Lemma 2", primary=True),
        provenance=Provenance.VERBATIM,
        form=Form.AS_STATED,
        lhs="x*(1 - x)",
        rhs="1/4",
        box=Box.parse(["x=0..1"]),
    ),
)

REMARKS = (
    Remark(
        "abc26.asymptotic",
        "An asymptotic remark",
        Citation(PAPER, "Section 3", primary=True),
        Provenance.VERBATIM,
        "for large n, something holds",
        "asymptotic",
    ),
)

APPENDIX = AppendixSpec(
    paper=PAPER,
    title="Abc 2026: its claims",
    regime_tables=(
        RegimeTable(
            key="abc-regime",
            title="Growth regime",
            caption="Largest eta with phi0 (1 + H eta)^L <= 2 at phi0 = 1.",
            bound=GROWTH_L,
            fixed={"phi0": 1},
            tau=sp.Integer(2),
            rows=(1, 2),
            cols=(1,),
        ),
    ),
    prior=(),
)
'''

BUILT_IN = """
from symbound._resources import derivations_package

derivations_package()
from symbound.derivations.alman_song_2025 import (  # noqa: E402
    APPENDIX, COMPOSED, LEMMAS, SCALAR_CLAIMS,
)
"""

OPTIONS = {"samples": 60, "real_model": False, "layer_collapse": False}


@pytest.fixture(scope="module")
def cat(tmp_path_factory):
    root = tmp_path_factory.mktemp("papers")
    package = root / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text('"""Two papers."""\n')
    (package / "abc_2026.py").write_text(textwrap.dedent(ABC))
    (package / "alman_song_2025.py").write_text(textwrap.dedent(BUILT_IN))
    sys.path.insert(0, str(root))
    try:
        yield load_catalogue(PACKAGE)
    finally:
        sys.path.remove(str(root))


def _keys(data):
    return {
        "claims": {row.lemma.key for row in data.claims},
        "composed": {bound.key for bound, _ in data.composed},
        "proofs": {proof.key for proof in data.proofs},
        "prior": {lemma.key for lemma, _ in data.prior_checks},
        "experiments": {e.key for e, _ in data.experiments},
        "remarks": {r.key for r in data.remarks},
        "regimes": {grid.spec.key for grid in data.regimes},
    }


def test_the_papers_and_the_default(cat):
    assert set(cat.papers) == {"abc_2026", "alman_song_2025"}
    assert next(iter(cat.appendices)).endswith("abc_2026")  # what the old code took
    assert cat.paper() == f"{PACKAGE}.alman_song_2025"
    assert cat.paper("abc_2026") == cat.paper(f"{PACKAGE}.abc_2026")
    with pytest.raises(UsageError, match=r"no paper 'abc' .* abc_2026, alman_song_2025"):
        cat.paper("abc")


def test_the_small_paper_builds_with_its_own_entries_only(cat, tmp_path):
    data = build_appendix(cat, paper="abc_2026", **OPTIONS)
    keys = _keys(data)
    assert keys == {
        "claims": {"abc26.softmax-rows"},
        "composed": {"abc26.growth-L"},
        "proofs": {"abc26.quadratic"},
        "prior": set(),
        "experiments": set(),
        "remarks": set(),
        "regimes": {"abc-regime"},
    }
    assert data.spec.title == "Abc 2026: its claims" and data.proofs[0].verdict == "proved"
    written = {p.name: p for p in write_appendix(data, tmp_path / "abc")}
    main_tex = written["main.tex"].read_text()
    assert "Abc 2026: its claims" in main_tex and "as25" not in written["claims.json"].read_text()


def test_the_built_in_paper_builds_without_the_small_one(cat):
    data = build_appendix(cat, **OPTIONS)  # the default paper
    keys = _keys(data)
    every = {k for kind in keys.values() for k in kind}
    assert not any(k.startswith("abc") for k in every), every
    built_in = load_catalogue()

    def of(section):
        return {k for k in section if built_in.source_of(k).endswith(".alman_song_2025")}

    assert keys["claims"] == of(built_in.claims) and keys["composed"] == of(built_in.composed)
    assert keys["proofs"] == of(built_in.scalars)
    assert keys["prior"] == keys["experiments"] == keys["remarks"] == set()  # abc is a paper
    assert data.spec.paper.startswith("Alman")


def test_the_small_paper_on_worker_processes(cat):
    """Its entries travel to the workers as themselves (they pickle): the same results."""
    from symbound.check.tasks import reference

    for entry in (cat["abc26.softmax-rows"], cat.composed["abc26.growth-L"]):
        assert reference(entry) is entry  # not run here for want of a catalogue key
    assert reference(cat.scalars["abc26.quadratic"]) is cat.scalars["abc26.quadratic"]
    here = build_appendix(cat, paper="abc_2026", **OPTIONS)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        there = build_appendix(cat, paper="abc_2026", executor=pool, **OPTIONS)
    assert [r.result.to_json() for r in there.claims] == [r.result.to_json() for r in here.claims]
    assert [p.to_json("x") for p in there.proofs] == [p.to_json("x") for p in here.proofs]
    assert there.composed == here.composed


def test_appendix_paper_option_refuses_an_unknown_paper_before_computing(tmp_path, capsys):
    assert main(["appendix", "--paper", "abc_2026", "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err
    assert "no paper 'abc_2026'" in err and "alman_song_2025" in err

"""The lemma model, instance spaces, catalogue loading and rendering."""

import subprocess
import sys
from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp

from symbound import load_catalogue
from symbound.check.evaluate import EXACT, build_exact, convert_instance, hypotheses_hold
from symbound.check.shrink import shrink, simpler_candidates
from symbound.errors import InvalidLemmaError, NotExactError, UnknownLemmaError
from symbound.lemmas import Form, Provenance, open_unit, positive, unit_box
from symbound.lemmas.catalogue import Catalogue
from symbound.lemmas.model import SOURCE_TEXT, provenance_problem
from symbound.notation import H, eps, eta, n
from symbound.numeric import ArbBackend
from symbound.render.latex import render_lemma, tex_escape

CAT = load_catalogue()
L41 = CAT["as25.lemma4.1"]


def test_every_entry_carries_provenance_citation_and_renders():
    assert len(CAT) >= 30
    for lemma in CAT.values():
        assert isinstance(lemma.provenance, Provenance)
        assert lemma.citation.source and lemma.citation.locator
        assert lemma.statement_text.endswith(".")
        assert lemma._repr_latex_().startswith("$$") and "\\le" in lemma._repr_latex_()
        assert f"\\label{{lem:{lemma.key}}}" in render_lemma(lemma)
    assert L41.provenance is Provenance.REVIEWER and L41.form is Form.AS_STATED
    corrected = CAT["as25.lemma4.1.corrected"]
    assert corrected.form is Form.CORRECTED and corrected.corrects == "as25.lemma4.1"
    assert {c.key for c in CAT.corrections_of("as25.lemma4.1")} >= {
        "as25.lemma4.1.corrected",
        "as25.res-norm-lipschitz",
        "as25.mean-res",
    }


def _module_papers() -> dict[str, str]:
    """Each derivation module's PAPER: the work its entries are about."""
    import importlib

    return {m: importlib.import_module(m).PAPER for m in set(CAT.sources.values())}


def test_every_entry_has_a_consistent_form_provenance_and_citation():
    papers = _module_papers()
    for key, lemma in CAT.items():
        paper = papers[CAT.source_of(key)]
        cited = lemma.citation
        assert provenance_problem(lemma.form, lemma.provenance, cited) == "", key
        # the flag says what the source string says: the work itself, or something about it
        assert cited.primary == (cited.source == paper), key
        if lemma.provenance is Provenance.PROVED_HERE:
            assert "paper-math" in cited.source and lemma.form in (Form.CORRECTED, Form.SUPPORTING)
        if lemma.provenance is Provenance.DESIGN_CARD:
            assert "design card" in cited.source and "seed 003" in cited.source, key
        if lemma.provenance is Provenance.SUMMARY:
            assert "AI-generated summary" in cited.source, key
        if lemma.provenance is Provenance.REVIEWER:
            assert "Reviewer" in cited.locator, key
        if lemma.provenance is Provenance.RECONSTRUCTED:
            assert "reconstructed" in cited.locator, key
        # only a reviewer's quotation is the paper's statement as stated; everything else
        # about the paper's text is a reading that names its choices
        if lemma.form is Form.AS_STATED:
            assert lemma.provenance is Provenance.REVIEWER, key
        if lemma.form is Form.READING:
            assert lemma.reading and all(c.topic and c.chosen for c in lemma.reading), key
        if lemma.form is Form.CORRECTED:
            assert CAT[lemma.corrects].form in (Form.AS_STATED, Form.READING), key
        # nothing is verbatim: the paper's text is not available
        assert lemma.provenance is not Provenance.VERBATIM, key
    for claim in CAT.scalars.values():
        assert provenance_problem(claim.form, claim.provenance, claim.citation) == "", claim.key
    for entry in (*CAT.experiments.values(), *CAT.remarks.values()):
        assert entry.provenance is not Provenance.VERBATIM, entry.key  # all paraphrased
        if entry.provenance in SOURCE_TEXT:
            assert entry.citation.primary, entry.key


def test_design_card_formulas_and_summary_forms_cite_where_they_were_found():
    for key in ("as25.eps-ell", "as25.eps0.relative", "as25.eps0.rowsum", "as25.lemma-c.1.literal"):
        assert CAT[key].provenance is Provenance.DESIGN_CARD
        assert not CAT[key].citation.primary and "Alman & Song 2025" not in CAT[key].citation.source
    assert CAT["as25.lemma5.1.seeds"].provenance is Provenance.SUMMARY
    assert {r.provenance for r in CAT.remarks.values()} == {Provenance.PARAPHRASE}


def test_readings_name_their_choices():
    topics = {key: [c.topic for c in CAT[key].reading] for key in CAT}
    assert topics["as25.lemma5.1"][0] == topics["as25.lemma5.1.bounded-entries"][0] == "θ-balanced"
    assert "row's spread" in CAT["as25.lemma5.1"].reading_text
    assert "|A_ij| ≤ θ" in CAT["as25.lemma5.1.bounded-entries"].reading_text
    assert "K" in topics["as25.lemma5.1.seeds"] and "quantity bounded" in topics["as25.eps-ell"]
    assert {"S'", "constant"} <= set(topics["as25.theorem5.3"])
    assert CAT["as25.theorem5.3"].form is Form.READING and not CAT["as25.theorem5.3"].hypotheses[
        1
    ].lhs.text.startswith("max_ℓh ‖W_V")  # the theorem bounds W_Q and W_K too


def test_unknown_key_suggests_close_keys():
    with pytest.raises(UnknownLemmaError, match=r"did you mean 'as25.softmax-l1'"):
        CAT["as25.softmax-11"]
    with pytest.raises(UnknownLemmaError, match=r"^no claim 'zzz' \('symbound list'"):
        CAT["zzz"]


def test_one_key_space_and_lookups_name_the_kind_they_found():
    """Each kind is a section of one key space; a key of another kind says what it is,
    and suggestions are keys of the kind asked for."""
    from symbound.lemmas.catalogue import Kind

    kinds = {CAT.kind_of(k) for k in CAT.sources}
    assert kinds == set(Kind) and all(CAT.kind_of(k) is Kind.CLAIM for k in CAT)
    with pytest.raises(UnknownLemmaError) as info:
        CAT["dcl21.doubly-exponential"]
    message = str(info.value)
    assert message.startswith("'dcl21.doubly-exponential' is an experiment, not a claim")
    assert "did you mean 'dcl21.doubly-exponential'" not in message
    assert CAT.experiments["dcl21.doubly-exponential"].key == "dcl21.doubly-exponential"
    with pytest.raises(UnknownLemmaError, match=r"is a claim, not a composed bound; did you "
                       r"mean '[^']*-L'"):  # fmt: skip
        CAT.composed["as25.lemma4.1"]
    with pytest.raises(UnknownLemmaError, match=r"^no scalar claim 'as25.s3.tv-cor'; did you "
                       r"mean 'as25.s3.tv-core'"):  # fmt: skip
        CAT.entry("as25.s3.tv-cor", [Kind.SCALAR])
    assert CAT.entry("as25.collapse-L") is CAT.composed["as25.collapse-L"]


def test_a_key_declared_by_two_kinds_is_refused():
    from symbound.lemmas.catalogue import Catalogue

    remark = next(iter(CAT.remarks.values()))
    lemma = CAT["as25.lemma4.1"]
    clash = type(remark)(lemma.key, "t", remark.citation, remark.provenance, "s", "not checkable")
    clashing = r"duplicate key 'as25\.lemma4\.1': a claim and a remark"
    with pytest.raises(InvalidLemmaError, match=clashing):
        Catalogue((lemma,), {lemma.key: "here"}, remarks=(clash,))


def test_lemma_validation_refuses_malformed_values():
    with pytest.raises(InvalidLemmaError, match="undeclared symbol"):
        L41.with_rhs(eta * eps, key="bad.symbol")
    with pytest.raises(InvalidLemmaError, match="must name the key it corrects"):
        L41.variant(key="bad.form", form=Form.CORRECTED)
    with pytest.raises(InvalidLemmaError, match="key must be lowercase"):
        L41.variant(key="Bad Key")
    with pytest.raises(InvalidLemmaError, match=r"duplicate key 'as25\.lemma4\.1': two claims"):
        Catalogue((L41, L41), {L41.key: "here"})
    with pytest.raises(InvalidLemmaError, match="which is not in the catalogue"):
        Catalogue((CAT["as25.lemma4.1.corrected"],), {})


def test_validation_refuses_a_claim_that_overstates_its_source():
    notes = CAT["as25.lemma4.1.corrected"].citation
    # tagged as the source's text, citing notes
    with pytest.raises(InvalidLemmaError, match="which is not the source"):
        L41.variant(key="bad.quote", citation=notes)
    with pytest.raises(InvalidLemmaError, match="which is not the source"):
        L41.variant(key="bad.verbatim", provenance=Provenance.VERBATIM, citation=notes)
    # a reconstruction, a design-card formula or a summary's form is never "as stated"
    for provenance in (Provenance.RECONSTRUCTED, Provenance.DESIGN_CARD, Provenance.SUMMARY):
        with pytest.raises(InvalidLemmaError, match="is a reading, not 'as stated'"):
            L41.variant(key="bad.stated", provenance=provenance)
    # a reading names its choices
    with pytest.raises(InvalidLemmaError, match="must name the choices"):
        CAT["as25.lemma5.1"].variant(key="bad.reading", reading=())
    # what is proved here cites the notes; a design-card formula cites the card
    with pytest.raises(InvalidLemmaError, match="cites the notes that prove it"):
        CAT["as25.mean-res"].variant(key="bad.proved", citation=L41.citation)
    with pytest.raises(InvalidLemmaError, match="a correction or supporting"):
        CAT["as25.lemma5.1"].variant(key="bad.proved", provenance=Provenance.PROVED_HERE)
    with pytest.raises(InvalidLemmaError, match="cites where it was found"):
        CAT["as25.eps-ell"].variant(key="bad.card", citation=L41.citation)
    with pytest.raises(InvalidLemmaError, match="tuple of Choice"):
        CAT["as25.lemma5.1"].variant(key="bad.choice", reading=("norm: max",))


def test_with_rhs_keeps_everything_but_the_bound():
    v = L41.with_rhs(sp.Rational(3, 2) * eps, key="planted.x")
    assert v.hypotheses == L41.hypotheses and v.conclusion.lhs == L41.conclusion.lhs
    assert v.conclusion.rhs == sp.Rational(3, 2) * eps


def test_importing_symbound_registers_nothing():
    code = "import sys, symbound; print(any('derivations' in m for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_transforms_are_onto_and_exact_on_rationals():
    z = np.array([F(-3), F(-1, 2), F(0), F(1, 2), F(5)], dtype=object)
    assert unit_box(z).tolist() == [-1, F(-1, 2), 0, F(1, 2), 1]
    assert positive(z).tolist() == [F(1, 4), F(2, 3), 1, F(3, 2), 6]
    assert open_unit(z).tolist() == [F(1, 8), F(1, 3), F(1, 2), F(2, 3), F(11, 12)]
    huge = np.array([F(-(10**300)), F(10**300)], dtype=object)
    assert all(0 < v < 1 for v in open_unit(huge))  # float64 would round these to 0 and 1


@pytest.mark.parametrize("key", list(CAT))
def test_instance_spaces_satisfy_the_hypotheses_exactly(key):
    lemma = CAT[key]
    rng = np.random.default_rng(11)
    sizes = {p.name: int(p.search[0]) + 1 for p in lemma.size_parameters}
    dim = lemma.space.dimension(sizes)
    arb = ArbBackend(prec=256)
    for z in lemma.space.sample(rng, dim, 25):
        inst = build_exact(lemma, [F(float(v)) for v in z], sizes)
        try:
            assert hypotheses_hold(lemma, inst, EXACT), key
        except NotExactError:  # a hypothesis through softmax: decided with Arb balls
            assert hypotheses_hold(lemma, convert_instance(inst, arb), arb), key


def test_shrink_finds_simple_values_deterministically():
    def refutes(z):
        return z[0] > 1 and z[1] < -2

    small, calls = shrink([F(77, 13), F(-55, 7)], refutes)
    assert small == [F(2), F(-3)]
    assert calls == shrink([F(77, 13), F(-55, 7)], refutes)[1]
    assert simpler_candidates(F(1, 3))[:3] == [F(0), F(1), F(-1)]


def test_tex_escape_and_notation_latex():
    assert tex_escape("a_b & c%") == r"a\_b \& c\%"
    from symbound.notation import to_latex

    assert to_latex(2 * eta * (1 + H * eta) ** 3) == r"2 \eta \left(H \eta + 1\right)^{3}"
    assert "varepsilon" in to_latex(eps * n)


def test_text_is_never_evaluated(tmp_path):
    from symbound.numeric import compile_expr

    marker = tmp_path / "ran"
    payload = f"__import__('os').system('touch {marker}')"
    with pytest.raises(TypeError, match="text is never evaluated"):
        compile_expr(payload)
    with pytest.raises(TypeError, match="text is never evaluated"):
        L41.with_rhs(payload, key="planted.text")
    assert not marker.exists()


def test_catalogue_membership_and_get_do_not_raise_on_unknown_keys():
    from symbound import load_catalogue

    cat = load_catalogue()
    assert "as25.lemma4.1" in cat and "no.such.key" not in cat
    assert cat.get("no.such.key") is None and cat.get("as25.lemma4.1").key == "as25.lemma4.1"


@pytest.mark.parametrize("backend_name", ["float64", "exact", "arb"])
def test_measured_parameters_take_the_largest_where_two_hypotheses_bound_one(backend_name):
    """SAtt-Lipschitz bounds both inputs by one φ: the tightest φ is the larger norm,
    whichever hypothesis comes last (an overwrite would break ‖X‖ <= φ)."""
    from fractions import Fraction

    from symbound.check.evaluate import measured_parameters
    from symbound.lemmas.catalogue import load_catalogue
    from symbound.numeric import get_backend

    lemma = load_catalogue()["as25.satt-lipschitz"]
    backend = get_backend(backend_name)
    small, large = [[Fraction(1, 2), 0], [0, 0]], [[3, 1], [0, 0]]  # row sums 1/2 and 4
    for X, B in [(large, small), (small, large)]:
        inst = {"n": 2, "d": 2, "beta": 1}
        for name, value in [("X", X), ("B", B), ("M", small), ("V", small)]:
            inst[name] = backend.asarray(value)
        phi = measured_parameters(lemma, inst, backend)["phi"]
        assert float(phi) == 4.0

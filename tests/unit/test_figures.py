"""Regimes that plot themselves, sweeps of depths, one-line reprs that render in Jupyter,
and matplotlib imported only when something is drawn."""

import subprocess
import sys
from fractions import Fraction

import pytest
import sympy as sp

import symbound as sb
import symbound.claims as claims
from symbound.curves import slope_limit
from symbound.depth_sweep import eta_max_sweep
from symbound.errors import UsageError
from symbound.notation import H, L, eta, phi0, t
from symbound.regime_figures import FEASIBLE, INFEASIBLE, UNDECIDED, feasibility_figure
from symbound.regimes import RegimeResult, eta_max, symbolic_bracket
from symbound.render.figure import Figure, render

CAT = sb.load_catalogue()
EPS_L = 2 * eta * phi0 * (1 + H * eta) ** L
TENTH = Fraction(1, 10)


@pytest.fixture(scope="module")
def sweep():
    return eta_max_sweep(CAT.composed["as25.eps-L"], {"H": 8, "phi0": 1}, TENTH, [16, 1, 4, 64])


def test_a_sweep_is_one_eta_max_per_depth_in_order(sweep):
    assert sweep.depths == (1, 4, 16, 64) and sweep.all_proved
    for L_, r in zip(sweep.depths, sweep.results, strict=True):
        alone = eta_max(CAT.composed["as25.eps-L"], {"H": 8, "phi0": 1, "L": L_}, TENTH)
        assert (r.lo, r.hi) == (alone.lo, alone.hi)
    assert dict(sweep.values) == {"H": 8, "phi0": 1}
    assert 0 < sweep.relative_width < Fraction(1, 10**11)
    slope = sweep.slope()
    expected = (sp.log(sweep.results[-1].lo) - sp.log(sweep.results[-2].lo)) / sp.log(4)
    assert slope == pytest.approx(float(expected))


def test_the_symbolic_curves_hold_the_brackets(sweep):
    lower = sweep.curve("lower", sweep.depths)
    upper = sweep.curve("upper", sweep.depths)
    for r, a, b in zip(sweep.results, lower, upper, strict=True):
        assert a <= float(r.hi) and float(r.lo) <= b
    assert sweep.asymptotic_slopes() == {"lower": -1, "upper": sp.Rational(-1, 2)}
    assert slope_limit(sp.LambertW(H * L) / L, L) is None  # H is not fixed: no limit claimed


def test_sweep_usage_errors():
    with pytest.raises(UsageError, match="positive integer"):
        eta_max_sweep(EPS_L, {"H": 8, "phi0": 1}, TENTH, [0, 2])
    with pytest.raises(UsageError, match="each depth once"):
        eta_max_sweep(EPS_L, {"H": 8, "phi0": 1}, TENTH, [2, 2])
    with pytest.raises(UsageError, match="does not depend on the depth"):
        eta_max_sweep(2 * eta * phi0, {"phi0": 1}, TENTH, [1, 2])
    with pytest.raises(UsageError, match="leave it out"):
        eta_max_sweep(EPS_L, {"H": 8, "phi0": 1, "L": 3}, TENTH, [1, 2])


def test_plots_are_figures_that_render_the_same_bytes_twice(sweep):
    for fig in (sweep.plot(), sweep.results[1].plot(), sweep.symbolic.plot()):
        assert isinstance(fig, Figure)
        assert render(fig) == render(fig)
    assert sweep._repr_png_().startswith(b"\x89PNG")
    assert sweep.plot()._repr_png_() == render(sweep.plot(), ("png",))["png"]


def test_the_crossing_figure_draws_what_was_proved(sweep):
    r = sweep.results[1]
    ax = sweep.results[1].plot().axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    bound = lines["bound (float64)"]
    xs, ys = bound.get_xdata(), bound.get_ydata()
    assert min(xs) < float(r.lo) < float(r.hi) < max(xs)
    assert ys == pytest.approx(r.bound_values(xs))  # the bound itself, not a model of it
    shaded = {p.get_label(): p for p in ax.patches}
    assert set(shaded) == {r"proved $\leq \tau$", r"proved $> \tau$"}
    green, red = shaded[r"proved $\leq \tau$"], shaded[r"proved $> \tau$"]
    assert float(r.lo) < float(r.hi)  # distinct floats, so the edges below tell them apart
    assert green.get_width() == float(r.lo) - green.get_x()  # proved feasible up to lo only
    assert red.get_x() == float(r.hi)  # proved infeasible from hi only


def test_without_monotonicity_nothing_is_shaded():
    r = eta_max(eta - eta**2 + eta**3, {}, TENTH)
    assert not r.monotone
    ax = r.plot().axes[0]
    assert len(ax.patches) == 0


def test_a_result_without_its_bound_cannot_be_drawn():
    r = RegimeResult(Fraction(1, 8), Fraction(1, 4), True, TENTH, {})
    with pytest.raises(UsageError, match="does not carry its bound"):
        r.plot()


def test_feasibility_map_shades_exactly_the_proved_sides(sweep):
    ax = feasibility_figure([("eps-L", sweep)]).axes[0]
    bars = ax.collections[: len(sweep.depths)]
    for r, bar in zip(sweep.results, bars, strict=True):
        spans = [p.get_extents() for p in bar.get_paths()]
        colours = [tuple(c) for c in bar.get_facecolors()]
        by_colour = {c[:3]: s for s, c in zip(spans, colours, strict=True)}
        green, grey, red = (by_colour[_rgb(c)] for c in (FEASIBLE, UNDECIDED, INFEASIBLE))
        assert float(r.lo) < float(r.hi)
        assert grey.x0 == float(r.lo) and red.x0 == float(r.hi)  # undecided exactly (lo, hi)
        assert green.x1 <= float(r.lo) and green.x0 == ax.get_xlim()[0]


def _rgb(hex_colour):
    from matplotlib.colors import to_rgb

    return to_rgb(hex_colour)


def test_symbolic_plot_needs_every_other_parameter_fixed():
    with pytest.raises(UsageError, match="fix H"):
        symbolic_bracket(EPS_L, TENTH, {"phi0": 1}).plot()


# -- reprs --------------------------------------------------------------------------------


def test_a_lemma_prints_its_key_form_provenance_and_statement():
    lemma = CAT["as25.lemma4.1"]
    text = repr(lemma)
    assert text == f"<Lemma {lemma.key} [as stated; quoted by a reviewer]: {lemma.statement_text}>"
    assert len(text) < 200 and "0x" not in text
    assert all(len(repr(x)) < 600 and "0x" not in repr(x) for x in CAT.values())


def test_results_print_their_verdict_and_the_line_that_matters():
    refuted = sb.check(CAT["as25.lemma4.1"], seed=0, samples=200)
    assert repr(refuted).startswith("<CheckResult as25.lemma4.1: REFUTED, witness n=")
    assert f"lhs = {refuted.witness.lhs} > rhs = {refuted.witness.rhs}" in repr(refuted)
    survived = sb.check(CAT["as25.lemma4.1.corrected"], seed=0, samples=200)
    assert (
        repr(survived) == f"<CheckResult as25.lemma4.1.corrected: SURVIVED, {survived.tightness}>"
    )
    assert repr(survived.sup).startswith("<Evaluation n=")
    r = eta_max(EPS_L, {"H": 8, "L": 24, "phi0": 1}, TENTH)
    assert repr(r) == f"<RegimeResult at H=8, L=24, phi0=1, tau=1/10: {r.proved}>"
    b = symbolic_bracket(EPS_L, sp.Symbol("tau", positive=True))
    assert repr(b) == f"<SymbolicBracket {b.lower} <= eta_max <= {b.upper}>"


def test_proofs_claims_and_terms_print_in_one_line_and_render_latex():
    from symbound.prove import prove_claim

    claim = CAT.scalars["as25.theorem5.3.envelope"]
    assert repr(claim) == f"<ScalarClaim {claim.key} [supporting; proved here]: {claim.text}>"
    proof = prove_claim(claim)
    assert repr(proof).startswith("<Proof as25.theorem5.3.envelope: PROVED ")
    assert f"({proof.search.boxes} boxes, Arb {proof.search.prec} bits)>" in repr(proof)
    assert proof._repr_latex_().startswith(r"$$\text{proved:}")
    assert claim._repr_latex_() == rf"$${claim.latex}\ \text{{for}}\ {claim.box.latex}$$"
    A, D = claims.matrix("A", "n", "n"), claims.matrix("D", "n", "n")
    term = claims.norm(claims.softmax(A + D) - claims.softmax(A), "row")
    assert repr(A) == "<Term A: n x n>" and repr(term) == f"<Term {term.text}: scalar>"
    relation = term <= 2 * sp.tanh(t / 2)
    assert repr(relation) == f"<Relation {relation.text}>"
    assert (
        relation._repr_latex_() == f"${relation.latex}$"
        and term._repr_latex_() == f"${term.latex}$"
    )
    bound = CAT.composed["as25.eps-L"]
    assert (
        repr(bound) == f"<ComposedBound as25.eps-L: {bound.text} (closed form proved for every L)>"
    )
    assert repr(CAT).startswith(f"<Catalogue: {len(CAT)} claims, ")


# -- matplotlib only when drawing -----------------------------------------------------------


def test_check_and_regime_do_not_import_matplotlib():
    code = (
        "import sys, contextlib, io\n"
        "from symbound.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['check', 'as25.lemma4.1', '--samples', '100'])\n"
        "    main(['regime', 'as25.eps-L', '--tau', '1/10', '--set', 'H=8', '--set', 'phi0=1',"
        " '--L-values', '4,8'])\n"
        "    import symbound.depth_sweep, symbound.regimes\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_console_shows_a_lemma_in_one_line_and_has_the_sweep():
    import io

    from symbound.repl import SymboundConsole, namespace

    out = io.StringIO()
    console = SymboundConsole(namespace(), out)
    console.push('cat["as25.lemma4.1"]')
    console.push('eta_max_sweep(cat.composed["as25.eps-L"], {"H": 8, "phi0": 1}, 1/10, [1, 8])')
    lemma, sweep = out.getvalue().splitlines()
    assert lemma == repr(CAT["as25.lemma4.1"])
    assert sweep.startswith("<DepthSweep as25.eps-L at H=8, phi0=1, tau=1/10: L = 1..8 (2 depths)")

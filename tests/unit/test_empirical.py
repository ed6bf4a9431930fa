"""The layer-collapse experiments' parts: grids, sizes, random networks, figures, files."""

import dataclasses

import numpy as np
import pytest

from symbound.empirical.networks import at_entry_bound, directions
from symbound.empirical.spec import (
    Architecture,
    Distance,
    DistanceSweep,
    Finding,
    ResidualStudy,
    eta_grid,
    scaled,
)
from symbound.errors import UsageError

N2 = Distance("as25.identity-baseline", "N2", ("as25.identity-baseline",))


def sweep_spec(**changes):
    spec = DistanceSweep(
        "unit", "t", "c", (N2,), eta_points=3, depths=(1, 2), heads=(1,), n=3, d=2, instances=1
    )
    return dataclasses.replace(spec, **changes)


def test_the_eta_grid_is_log_spaced_plain_decimals():
    assert eta_grid(sweep_spec(eta_range=("1/100000", "1"), eta_points=6)) == (
        "0.00001",
        "0.0001",
        "0.001",
        "0.01",
        "0.1",
        "1",
    )
    assert eta_grid(sweep_spec(eta_points=1)) == ("0.001",)
    with pytest.raises(UsageError, match="0 < lo <= hi"):
        eta_grid(sweep_spec(eta_range=("1", "1/10")))


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ({"instances": 0}, "instances must be an integer between 1 and 1000, got 0"),
        ({"n": 2.5}, "n must be an integer"),
        ({"depths": (1, 0)}, "a depth must be an integer between 1 and 512"),
        ({"window": 3}, "DistanceSweep has no size 'window'"),
        ({"prec": 256}, r"no size 'prec' \(its sizes: d, depths, eta_points, instances, n\)"),
    ],
)
def test_bad_sizes_are_one_line_usage_errors(sizes, message):
    with pytest.raises(UsageError, match=message):
        scaled(sweep_spec(), **sizes)


def test_scaled_copies_only_what_is_given():
    spec = sweep_spec()
    bigger = scaled(spec, instances=7, n=None)
    assert (bigger.instances, bigger.n, spec.instances) == (7, spec.n, 1)


def test_architectures_and_findings_refuse_unknown_kinds():
    with pytest.raises(UsageError, match="mask must be"):
        Architecture("x", mask="diagonal")
    with pytest.raises(UsageError, match="layernorm must be"):
        Architecture("x", layernorm="middle")
    with pytest.raises(UsageError, match="applies only to pure attention"):
        Architecture("x", skip=True, one_step_bound=True)
    with pytest.raises(UsageError, match="names the architecture it is slower than"):
        Finding("slower", "a", "source")
    with pytest.raises(UsageError, match="unknown finding kind"):
        Finding("faster", "a", "source")


def test_a_case_draws_the_same_network_wherever_it_runs():
    a = directions(3, "k", (2, 1, 0), n=4, d=3, layers=2, heads=1)
    b = directions(3, "k", (2, 1, 0), n=4, d=3, layers=2, heads=1)
    c = directions(3, "k", (2, 1, 1), n=4, d=3, layers=2, heads=1)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


def test_weights_have_largest_entry_exactly_eta():
    X, W = directions(0, "k", (0,), n=5, d=3, layers=3, heads=2)
    assert np.all(np.max(np.abs(W), axis=(-2, -1)) == 1.0)
    inst = at_entry_bound(X, W, 0.03)
    assert np.all(np.max(np.abs(inst["V"]), axis=(-2, -1)) == 0.03)
    assert np.max(np.abs(X)) <= 1
    assert (inst["H"], inst["L"], inst["ell"], inst["beta"]) == (2, 3, 2, 1)
    # M = W_Q W_K^T / sqrt(d), folded: the instance's beta is 1
    WQ, WK = W[0] * 0.03, W[1] * 0.03
    assert np.allclose(inst["M"], WQ @ np.swapaxes(WK, -1, -2) / np.sqrt(3))


def test_studies_naming_what_does_not_exist_are_refused():
    from symbound.empirical.collapse import run_distance_sweep
    from symbound.empirical.residual import run_residual_study

    with pytest.raises(UsageError, match=r"unknown lemma .as25\.nope."):
        run_distance_sweep(sweep_spec(distances=(Distance("as25.nope", "x", ()),)))
    with pytest.raises(UsageError, match="is not a network lemma"):
        run_distance_sweep(sweep_spec(distances=(Distance("as25.lemma4.1", "x", ()),)))
    with pytest.raises(UsageError, match=r"unknown bound .as25\.nope."):
        run_distance_sweep(sweep_spec(distances=(Distance(N2.lemma, "x", ("as25.nope",)),)))
    study = ResidualStudy(
        "u", "t", "c", (Architecture("a"),), findings=(Finding("doubly-exponential", "b", "s"),)
    )
    with pytest.raises(UsageError, match="names no architecture 'b'"):
        run_residual_study(study)


def test_figures_render_to_png_and_pdf_with_the_expected_panels():
    from symbound.empirical.collapse import run_distance_sweep
    from symbound.empirical.figures import distance_figure, render

    spec = sweep_spec(heads=(1, 2))
    fig = distance_figure(run_distance_sweep(spec))
    assert len(fig.axes) == 2  # one distance x two head counts
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2 * 2  # per depth: measured and one bound
    files = render(fig)
    assert files["png"].startswith(b"\x89PNG") and files["pdf"].startswith(b"%PDF-")
    assert b"CreationDate" not in files["pdf"]


def test_the_progress_bar_counts_networks_on_the_stream_given():
    import io

    from symbound.empirical.collapse import run_distance_sweep
    from symbound.parallel import Progress

    stream = io.StringIO()
    run_distance_sweep(sweep_spec(), progress=Progress(True, stream))
    assert stream.getvalue().endswith("layer collapse unit [####################] 2/2 networks\n")
    quiet = io.StringIO()
    run_distance_sweep(sweep_spec(), progress=Progress(False, quiet))
    assert quiet.getvalue() == ""

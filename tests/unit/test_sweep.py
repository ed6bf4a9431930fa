"""Sweeps: the same result in-process, on a process pool and on a Dask cluster;
planted false lemmas refuted with rigorous witnesses; one-line usage errors; the
progress bar."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest

from symbound import load_catalogue
from symbound.check.evaluate import certainly_gt, convert_instance, evaluate_sides
from symbound.check.sweep import rebuild_instance, sweep
from symbound.cli import EXIT_REFUTED
from symbound.cli.sweep import add_arguments
from symbound.cli.sweep import run as run_cli
from symbound.errors import UsageError
from symbound.numeric.backends import ArbBackend

CAT = load_catalogue()
N3 = CAT["as25.collapse-one-layer"]
SMALL = {"n": 4, "d": 2, "H": 1, "L": 2}
OPTIONS = {"sizes": SMALL, "instances": 60, "confirm": 3, "chunk": 20, "seed": 3}


@pytest.fixture(scope="module")
def in_process():
    return sweep(N3, jobs=1, progress=False, **OPTIONS)


def _spawn_pool(workers=2):
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def test_in_process_sweep_survives_with_rigorous_confirmations(in_process):
    r = in_process
    assert r.verdict.value == "survived" and r.witness is None
    assert r.counts["instances"] == 60 and len(r.candidates) == 3
    assert [c.status for c in r.candidates] == ["holds"] * 3
    ratios = [c.float64_ratio for c in r.candidates]
    assert ratios == sorted(ratios, reverse=True)  # the worst, worst first
    assert r.sup_index == r.candidates[0].index
    assert 0 < float(r.sup.ratio) < 1
    doc = r.to_dict()
    assert "instance" not in doc["sup"] and "elapsed" not in r.to_json()
    assert r.to_json() == sweep(N3, jobs=1, progress=False, **OPTIONS).to_json()
    assert r.to_json() != sweep(N3, jobs=1, progress=False, **{**OPTIONS, "seed": 4}).to_json()


def test_a_two_worker_process_pool_gives_the_same_json(in_process):
    with _spawn_pool() as pool:
        pooled = sweep(N3, executor=pool, progress=False, **OPTIONS)
    assert pooled.to_json() == in_process.to_json()


def test_a_local_dask_cluster_gives_the_same_json(in_process, capsys):
    distributed = pytest.importorskip("distributed")
    # worker processes, not threads: Arb's precision is global to a process
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=50,
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        on_dask = sweep(N3, executor=client.get_executor(), progress=False, **OPTIONS)
        assert on_dask.to_json() == in_process.to_json()
        argv = [f"--set={k}={v}" for k, v in SMALL.items()]
        argv += ["--instances", "60", "--confirm", "3", "--chunk", "20", "--seed", "3"]
        code = run_cli(_args(N3.key, *argv, "--scheduler", cluster.scheduler_address, "--json"))
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out) == in_process.to_dict()
    assert f"on {cluster.scheduler_address}" in err


def test_scheduler_without_dask_is_a_one_line_usage_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    args = _args(N3.key, *[f"--set={k}={v}" for k, v in SMALL.items()], "--scheduler", "x:1")
    with pytest.raises(UsageError, match=r"pip install 'dask\[distributed\]'$"):
        run_cli(args)


def _ball_ends(text):
    mid, rad = re.fullmatch(r"\[(\S+) \+/- (\S+)\]", text).groups()
    return float(mid) - float(rad), float(mid) + float(rad)


def test_a_planted_false_lemma_is_refuted_with_a_rigorous_witness():
    planted = N3.with_rhs(N3.conclusion.rhs / 50, key="planted.n3-over-50")
    r = sweep(planted, jobs=1, progress=False, **OPTIONS)
    assert r.refuted, r.summary()
    assert r.counts["rigorous_violations"] >= 1
    w = r.to_dict()["witness"]
    assert w["method"].startswith("Arb ball arithmetic")
    assert _ball_ends(w["lhs"])[0] > _ball_ends(w["rhs"])[1]  # lhs > rhs, from the balls
    assert w["instance"]["n"] == 4 and len(w["instance"]["X"]) == 4
    # the witness is the exact instance the sweep drew: rebuilt and re-confirmed here
    inst = rebuild_instance(planted, SMALL, seed=OPTIONS["seed"], index=r.witness_index)
    arb = ArbBackend(prec=256)
    lhs, rhs = evaluate_sides(planted, convert_instance(inst, arb), arb)
    assert certainly_gt(lhs, rhs, arb)
    # not in the catalogue but picklable (stated in the claim language): sent itself
    assert sweep(planted, jobs=2, progress=False, **OPTIONS).to_json() == r.to_json()
    # one that does not pickle (a local function): the default pool runs it here, and a
    # pool given for it is refused
    space = planted.space
    local = planted.variant(
        space=type(space)(space.dimension, lambda z, s, b: space.build(z, s, b), space.description)
    )
    assert sweep(local, jobs=2, progress=False, **OPTIONS).to_json() == r.to_json()
    with (
        _spawn_pool() as pool,
        pytest.raises(UsageError, match="not in the catalogue and cannot be pickled"),
    ):
        sweep(local, executor=pool, progress=False, **OPTIONS)


def test_an_exact_witness_for_lemma_4_1():
    r = sweep("as25.lemma4.1", sizes={"n": 3, "d": 1}, instances=50, confirm=2, jobs=1)
    assert r.refuted and r.witness.method == "exact rational arithmetic"
    assert r.to_dict()["witness"]["instance"]["n"] == 3


def _args(*argv):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ({"n": 4, "d": 2, "H": 1}, "as25.collapse-one-layer needs the size L: give L=VALUE "),
        ({**SMALL, "x": 1}, "has no size parameter 'x'"),
        ({**SMALL, "n": 2.5}, "size n must be an integer, got 2.5"),
        ({**SMALL, "n": 0}, "size n must be in {1, 2, 3, ...}, got 0"),
    ],
)
def test_bad_sizes_are_one_line_usage_errors(sizes, message):
    with pytest.raises(UsageError, match=re.escape(message)) as info:
        sweep(N3, sizes=sizes, instances=5, jobs=1)
    assert "\n" not in str(info.value)
    if "needs the size L" in message:
        assert "1..3" in str(info.value)  # the checker's search range for L


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--set", "n"], "--set takes NAME=VALUE, got 'n'"),
        (["--set", "n=abc"], "--set n needs an integer size, got 'abc'"),
        (["--set", "=4"], "--set takes NAME=VALUE"),
        (["--set", "n=4", "--set", "d=2", "--set", "H=1"], "needs the size L"),
        (["--jobs", "2", "--scheduler", "tcp://127.0.0.1:1"], "give --jobs or --scheduler"),
        (["--instances", "0"], None),
    ],
)
def test_bad_command_lines_are_one_line_errors(argv, message):
    if message is None:  # argparse's range check (the CLI prints it in one line)
        with pytest.raises(SystemExit):
            _args("as25.collapse-one-layer", *argv)
        return
    with pytest.raises(UsageError, match=re.escape(message)) as info:
        run_cli(_args("as25.collapse-one-layer", *argv))
    assert "\n" not in str(info.value)


def test_run_cli_prints_deterministic_json_and_the_time_on_stderr(capsys):
    argv = ["--set", "n=3", "--set", "d=1", "--instances", "50", "--confirm", "2", "--jobs", "1"]
    code = run_cli(_args("as25.lemma4.1", *argv, "--json", "--no-progress"))
    out, err = capsys.readouterr()
    assert code == EXIT_REFUTED
    expected = sweep("as25.lemma4.1", sizes={"n": 3, "d": 1}, instances=50, confirm=2, jobs=1)
    assert json.loads(out) == expected.to_dict()
    assert err.startswith("swept 50 instances of as25.lemma4.1 in ") and "[" not in err
    code = run_cli(_args("as25.lemma4.1.corrected", *argv, "--no-progress"))
    out, _ = capsys.readouterr()
    assert code == 0 and out.startswith("as25.lemma4.1.corrected at n=3 d=1: SURVIVED")


def test_the_progress_bar_goes_to_stderr_only_when_asked(capsys):
    options = {"sizes": {"n": 3, "d": 1}, "instances": 60, "confirm": 2, "chunk": 25, "jobs": 1}
    sweep("as25.lemma4.1", progress=True, **options)
    out, err = capsys.readouterr()
    assert out == "" and err.endswith("\n")
    assert "\r  sweep as25.lemma4.1 [####################] 60/60 instances\n" in err
    assert "\r  confirm as25.lemma4.1 [####################] 2/2 worst\n" in err
    sweep("as25.lemma4.1", progress=False, **options)
    assert capsys.readouterr() == ("", "")
    sweep("as25.lemma4.1", **options)  # default: only on a terminal (pytest's is not)
    assert capsys.readouterr() == ("", "")


def test_instances_do_not_depend_on_the_chunking():
    options = {"sizes": {"n": 3, "d": 1}, "instances": 40, "confirm": 4, "jobs": 1}
    a = sweep("as25.lemma4.1.corrected", chunk=40, **options)
    b = sweep("as25.lemma4.1.corrected", chunk=7, **options)
    assert [c.index for c in a.candidates] == [c.index for c in b.candidates]
    assert a.sup == b.sup and a.settings["chunk"] != b.settings["chunk"]


def test_a_long_sweep_folds_its_screen_without_keeping_every_ratio(monkeypatch):
    """Counts and the worst instances cover every instance; quantiles the first ones."""
    import numpy as np

    from symbound.check import sweep as sw  # the module (symbound.check is also a function)
    from symbound.check import sweep_result
    from symbound.check.evaluate import float_ratios

    monkeypatch.setattr(sweep_result, "QUANTILE_INSTANCES", 100)
    lemma = load_catalogue()["as25.lemma4.1"]
    r = sw.sweep(lemma, sizes={"n": 3, "d": 1}, instances=300, jobs=1, confirm=3, chunk=40)
    assert r.counts["instances"] == 300 and r.float64["quantiles_over_first"] == 100
    ratios = float_ratios(lemma, sw.instance_vectors(lemma, {"n": 3, "d": 1}, 0, range(300)),
                          {"n": 3, "d": 1})  # fmt: skip
    worst = sorted(range(300), key=lambda i: (-ratios[i], i))[:3]
    assert [c.index for c in r.candidates] == worst
    assert r.counts["float64_ratio_above_1"] == int(np.sum(ratios > 1))


def test_stream_tasks_keeps_at_most_a_window_in_flight():
    from concurrent.futures import Future

    from symbound.parallel import Progress, stream_tasks

    submitted = []

    class Immediate:
        def submit(self, fn, *args):
            future = Future()
            future.set_result(fn(*args))
            submitted.append(args)
            return future

    tasks = ((-i,) for i in range(100))
    out = []
    for k, value in enumerate(stream_tasks(Immediate(), abs, tasks, Progress(False), window=5)):
        assert len(submitted) <= k + 5  # never all 100 tasks at once
        out.append(value)
    assert out == list(range(100))

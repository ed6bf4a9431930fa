"""Hostile input on the command line: one line, the right exit code, no traceback, fast.

Every reproduction of the hostile-input review is here.  Each asserts the exit code
(2 for bad usage, before any long computation; 4 for an internal error; never 1,
which means "refuted"), a single line on standard error without a traceback, and a
time limit where the input once made symbound hang.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from symbound.cli import EXIT_INTERNAL, EXIT_USAGE, main

HUGE = "1e999999999"


def run(capsys, *argv, limit: float = 20.0):
    t0 = time.perf_counter()
    code = main(list(argv))
    elapsed = time.perf_counter() - t0
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    assert elapsed < limit, f"{argv} took {elapsed:.1f} s"
    return code, out, err


def one_line_usage(capsys, *argv, match: str = "", limit: float = 20.0) -> str:
    code, _out, err = run(capsys, *argv, limit=limit)
    assert code == EXIT_USAGE, (argv, code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert match in lines[0], lines[0]
    return lines[0]


BOUND = "2*eta*phi0*(1+H*eta)**L"


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--tau", "0.1", "--set", "H=1e400"], "out of the solver's range"),
        (["--tau", "1e400", "--set", "H=1"], "out of the solver's range"),
        (["--tau", "1e-400", "--set", "H=1"], "out of the solver's range"),
        (["--tau", HUGE, "--set", "H=1"], "exponent is limited"),
        (["--tau", "0.1", "--set", f"H={HUGE}"], "exponent is limited"),
        (["--tau", "0.1", "--set", "H=1", "--eta-values", HUGE], "exponent is limited"),
    ],
)
def test_regime_numbers_out_of_range(capsys, argv, match):
    one_line_usage(capsys, "regime", "--bound", BOUND, "--set", "phi0=1", "--set", "L=3", *argv,
                   match=match)  # fmt: skip


@pytest.mark.parametrize(
    ("bound", "match"),
    [
        ("log(eta-1)", "not finite and real"),
        (f"2*eta*{HUGE}", "exponent is limited"),
        ("((10**10)**10000)**10000*eta", "bits"),
        ("eta**(10**10)", "exponents are limited"),
        ("__import__('os').system('true')", "cannot use"),
        ("eta.real", "cannot use"),
    ],
)
def test_regime_bounds_that_cannot_be_solved(capsys, bound, match):
    one_line_usage(capsys, "regime", "--bound", bound, "--tau", "0.1", match=match)


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--claim", "eta <= 1", "--box", f"eta=0..{HUGE}"], "exponent is limited"),
        (["--claim", f"eta <= {HUGE}", "--box", "eta=0..1"], "exponent is limited"),
        (["--claim", "eta <= 1", "--box", "eta=0..1", "--max-boxes", "10000000"], "between"),
        (["--claim", "eta <= 1", "--box", "eta=0..1", "--prec", "100000000"], "between"),
        (["--claim", "eta <= 1", "--box", "eta=1..0"], "empty range"),
        (["--claim", "eta <= 1"], "--box"),
        (["--claim", "eta < 1", "--box", "eta=0..1"], "LHS <= RHS"),
    ],
)
def test_prove_bad_claims_and_boxes(capsys, argv, match):
    one_line_usage(capsys, "prove", *argv, match=match)


@pytest.mark.parametrize(
    ("claim", "box"),
    [
        ("sqrt(eta**2) <= 0", "eta=-1..0"),
        ("sqrt(H**2)+1 <= 0", "H=-3..-1"),
        ("(a**2)**(1/2) <= 0", "a=-1..0"),
    ],
)
def test_prove_never_proves_what_a_positivity_would_simplify(capsys, claim, box):
    code, out, _err = run(capsys, "prove", "--claim", claim, "--box", box)
    assert code in (1, 3) and "PROVED" not in out  # refuted (1) or inconclusive (3)


def test_prove_cert_target_is_checked_before_proving(capsys, tmp_path):
    folder = tmp_path / "a.json"
    folder.mkdir()
    line = one_line_usage(
        capsys, "prove", "--claim", "eta <= 1", "--box", "eta=0..1", "--cert", str(folder)
    )
    assert "is a folder" in line
    one_line_usage(
        capsys, "prove", "--claim", "eta <= 1", "--box", "eta=0..1", "--cert", "/proc/x.json",
        match="cannot write",
    )  # fmt: skip
    afile = tmp_path / "f"
    afile.write_text("x")
    one_line_usage(capsys, "prove", "--all", "--cert", str(afile / "sub"), match="not a folder")


@pytest.mark.parametrize("command", ["appendix", "experiments"])
def test_output_folders_are_checked_before_computing(capsys, tmp_path, command):
    afile = tmp_path / "file"
    afile.write_text("x")
    one_line_usage(capsys, command, "--out", str(afile), match="is a file", limit=5)
    one_line_usage(capsys, command, "--out", "/proc/out", match="cannot write", limit=5)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("my own work")
    one_line_usage(capsys, command, "--out", str(mine), match="did not write", limit=5)
    assert (mine / "thesis.tex").read_text() == "my own work"


def test_a_killed_worker_exits_4_not_1(capsys, monkeypatch):
    import symbound.parallel

    def broken_pool(jobs):  # its one worker dies as it starts
        return ProcessPoolExecutor(max_workers=1, initializer=os._exit, initargs=(9,))

    monkeypatch.setattr(symbound.parallel, "process_pool", broken_pool)
    two = ["as25.lemma4.1", "as25.lemma5.2.line442"]  # claims checked at once: the pool
    code, _out, err = run(capsys, "check", *two, "--jobs", "2", limit=60)
    assert code == EXIT_INTERNAL
    assert "worker process died" in err and len(err.strip().splitlines()) == 1


def test_a_killed_optimiser_worker_exits_4_not_1(capsys, monkeypatch):
    """One claim with --jobs forks its Nelder--Mead runs; a fork that dies is an internal
    error, never a verdict."""
    import symbound.parallel

    monkeypatch.setattr(symbound.parallel, "_forked", lambda *args: os._exit(9))
    code, _out, err = run(capsys, "check", "as25.lemma4.1", "--jobs", "2", limit=60)
    assert code == EXIT_INTERNAL
    assert "a worker died" in err and len(err.strip().splitlines()) == 1


def test_an_internal_error_exits_4_with_one_line_and_debug_shows_the_traceback(capsys, monkeypatch):
    import symbound.cli as cli

    def crash(args):
        raise RuntimeError("a bug")

    monkeypatch.setitem(cli.COMMANDS, "list", crash)
    code = main(["list"])
    _out, err = capsys.readouterr()
    assert code == EXIT_INTERNAL and "Traceback" not in err
    assert err.strip() == (
        "symbound: internal error: RuntimeError: a bug (run again with --debug for the traceback)"
    )
    code = main(["list", "--debug"])
    _out, err = capsys.readouterr()
    assert code == EXIT_INTERNAL and "Traceback" in err and "RuntimeError: a bug" in err


@pytest.mark.parametrize(
    "sets",
    [["n=1000000000", "d=1000000000"], ["n=30000", "d=30000"]],
    ids=["1e9", "3e4"],
)
def test_sweep_sizes_beyond_memory_are_refused_before_allocating(capsys, sets):
    argv = ["sweep", "as25.lemma4.1", "--jobs", "1"]
    for s in sets:
        argv += ["--set", s]
    one_line_usage(capsys, *argv, match="budget", limit=10)


def test_repl_with_stdin_closed():
    run = subprocess.run(
        [sys.executable, "-m", "symbound", "repl"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0 and "Traceback" not in run.stderr
    closed = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.close(0); from symbound.cli import main; "
         "sys.exit(main(['repl']))"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert closed.returncode in (0, EXIT_USAGE) and "Traceback" not in closed.stderr
    assert len(closed.stderr.strip().splitlines()) <= 1


def test_workers_die_with_their_parent(tmp_path):
    """A killed parent (SIGKILL: no clean-up runs) leaves no worker computing."""
    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(
            """
            import os, signal, sys, time
            from symbound.parallel import process_pool
            pool = process_pool(2)
            futures = [pool.submit(time.sleep, 120) for _ in range(2)]
            time.sleep(3)
            print(" ".join(str(p) for p in pool._processes), flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
            """
        )
    )
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    pids = [int(p) for p in run.stdout.split()]
    assert pids
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.2)
    assert not any(_alive(p) for p in pids)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False

"""The command line, in process: outputs, exit codes, one-line errors without tracebacks."""

import json
import subprocess
import sys

import pytest

from symbound import load_catalogue
from symbound.cli import main
from symbound.lemmas.catalogue import Kind


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_one_line_per_entry(capsys):
    code, out, err = run(capsys, "list")
    assert code == 0 and err == ""
    lines = out.strip().splitlines()
    cat = load_catalogue()
    assert len(lines) == (
        len(cat) + len(cat.experiments) + len(cat.remarks) + len(cat.composed) + len(cat.scalars)
    )
    by_key = {line.split()[0]: line for line in lines}
    assert by_key["as25.lemma4.1"].split()[1:5] == ["quoted", "by", "a", "reviewer"]
    assert "corrected (as25.lemma4.1)" in by_key["as25.lemma4.1.corrected"]
    assert "experiment" in by_key["dcl21.path-decomposition"]
    assert "composed bound" in by_key["as25.collapse-L"]


def test_list_json(capsys):
    code, out, _ = run(capsys, "list", "--json")
    rows = {row["key"]: row for row in json.loads(out)}
    assert code == 0 and rows["as25.lemma4.1"]["provenance"] == "quoted by a reviewer"


def test_list_json_names_each_entrys_kind(capsys):
    code, out, _ = run(capsys, "list", "--json")
    kinds = {row["key"]: row["kind"] for row in json.loads(out)}
    assert code == 0 and kinds["as25.lemma4.1"] == "claim"
    assert kinds["as25.collapse-L"] == "composed bound"
    assert kinds["as23.threshold"] == "remark" and kinds["as25.s3.tv-core"] == "scalar claim"
    assert kinds["dcl21.doubly-exponential"] == "experiment"


SHOWN = {
    "as25.lemma4.1": "conclusion  ‖Res(A) − Res(B)‖_max ≤ ε",
    "as25.collapse-L": "settle it   symbound regime as25.collapse-L",
    "as25.s3.tv-core": "settle it   symbound prove as25.s3.tv-core",
    "dcl21.doubly-exponential": "run it      symbound check dcl21.doubly-exponential",
    "as23.threshold": "kind        remark (recorded, not checkable)",
}


def test_show_works_for_every_kind(capsys):
    cat = load_catalogue()
    assert {cat.kind_of(key) for key in SHOWN} == set(Kind)  # one key of each kind
    for key, line in SHOWN.items():
        code, out, err = run(capsys, "show", key)
        assert code == 0 and err == "" and out.startswith(f"{key} -- "), (key, err)
        assert line in out, (key, out)


def test_show_prints_text_latex_hypotheses_and_citation(capsys):
    code, out, _ = run(capsys, "show", "as25.lemma4.1")
    assert code == 0
    assert "statement   If ‖A − B‖_max ≤ ε, then ‖Res(A) − Res(B)‖_max ≤ ε." in out
    assert "Reviewer 2" in out and "hypotheses  ‖A − B‖_max ≤ ε" in out
    assert r"\begin{lemma}[Res perturbation (Lemma 4.1)]" in out
    assert "corrected by as25.lemma4.1.corrected" in out


def test_check_refuted_claim_exits_1_with_the_witness(capsys):
    code, out, err = run(capsys, "check", "as25.lemma4.1", "--samples", "300")
    assert code == 1
    assert out.startswith("as25.lemma4.1: REFUTED")
    assert "(exact rational arithmetic)" in out
    assert "checked 1 entries" in err


def test_check_first_stops_at_the_first_confirmed_witness(capsys):
    code, out, _ = run(capsys, "check", "as25.lemma4.1", "--first", "--json")
    (result,) = json.loads(out)["results"]
    assert code == 1 and result["verdict"] == "refuted" and result["settings"]["first"] is True
    assert result["notes"][0].startswith("stopped at the first confirmed witness")
    assert result["counts"]["optimizer_starts"] == 0 and result["sup"] is None
    code, out, _ = run(capsys, "check", "as25.exp-perturbation", "--samples", "200", "--first")
    assert code == 0 and "SURVIVED" in out  # nothing to stop at: the whole search


def test_check_true_claim_exits_0(capsys):
    code, out, _ = run(capsys, "check", "as25.exp-perturbation", "--samples", "200")
    assert code == 0 and "SURVIVED" in out


def test_check_all_prints_the_summary_table_and_exits_1(capsys):
    code, out, _ = run(capsys, "check", "--all", "--samples", "300", "--starts", "1")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].split() == ["claim", "form", "verdict", "evidence"]
    cat = load_catalogue()
    summary = next(line for line in out.splitlines() if line.endswith("inconclusive"))
    refuted, survived = (int(part.split()[0]) for part in summary.split(", ")[:2])
    assert summary.endswith("0 inconclusive") and refuted >= 8 and refuted + survived == len(cat)
    assert out.count(": REPRODUCED") == len(cat.experiments)
    assert any(line.startswith("as25.lemma4.1 ") and " refuted " in line for line in lines)


def test_check_one_claim_with_jobs_gives_the_same_json(capsys):
    """For one claim, --jobs sends its Nelder--Mead runs to workers: the same JSON."""
    argv = ["check", "as25.norm-growth.entrywise", "--samples", "300", "--json"]
    code, alone, _ = run(capsys, *argv)
    code2, workers, _ = run(capsys, *argv, "--jobs", "2")
    assert (code, alone) == (code2, workers) and code == 1


def test_check_json_is_deterministic(capsys):
    argv = [
        "check",
        "as25.lemma4.1",
        "as25.softmax-l1",
        "--seed",
        "3",
        "--samples",
        "200",
        "--json",
    ]
    _, first, _ = run(capsys, *argv)
    _, second, _ = run(capsys, *argv)
    assert first == second
    doc = json.loads(first)
    assert [r["verdict"] for r in doc["results"]] == ["refuted", "survived"]
    assert doc["results"][0]["settings"]["seed"] == 3


BAD = [
    (
        ["check", "as25.lema4.1"],
        "no claim or experiment 'as25.lema4.1'; did you mean 'as25.lemma4.1'",
    ),
    (["check", "as23.threshold"], "'as23.threshold' is a remark, not a claim or experiment"),
    (["regime", "as25.lemma4.1", "--tau", "1"], "is a claim, not a composed bound"),
    (["sweep", "as25.collapse-L", "--set", "n=2"], "is a composed bound, not a claim"),
    (["check", "x", "--samples", "abc"], "argument --samples: expected an integer"),
    (["check", "x", "--samples", "0"], "argument --samples: must be between 1 and"),
    (["check", "x", "--dps", "5"], "argument --dps: must be between 16 and 5000, got 5"),
    (["check", "x", "--seed", "-1"], "argument --seed: must be between 0 and"),
    (["check"], "name at least one KEY, or --all"),
    (["check", "--all", "as25.lemma4.1"], "give KEYs or --all, not both"),
    (["show", "nope"], "no entry 'nope'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    ([], "the following arguments are required: COMMAND"),
]


@pytest.mark.parametrize(("argv", "message"), BAD, ids=[" ".join(a) or "(none)" for a, _ in BAD])
def test_bad_usage_is_one_line_exit_2_no_traceback(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_python_dash_m_symbound_and_the_console_script():
    out = subprocess.run(
        [sys.executable, "-m", "symbound", "check", "nope"], capture_output=True, text=True
    )
    assert out.returncode == 2 and out.stderr.startswith(
        "symbound: error: no claim or experiment 'nope'"
    )
    version = subprocess.run(
        [sys.executable, "-m", "symbound", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("symbound ")


# -- prove and recheck ---------------------------------------------------------------------
def test_prove_a_catalogue_claim_writes_a_certificate_that_rechecks(capsys, tmp_path):
    cert = tmp_path / "envelope.json"
    code, out, err = run(capsys, "prove", "as25.theorem5.3.envelope", "--cert", str(cert))
    assert code == 0 and out.startswith("as25.theorem5.3.envelope: PROVED")
    assert "t = H*L*eta in [0, 6400]" in out and "proved in" in err
    doc = json.loads(cert.read_text())
    assert doc["verdict"] == "proved" and doc["tree"]
    code, out, _ = run(capsys, "recheck", str(cert))
    assert code == 0 and "OK (proved;" in out
    doc["claim"]["rhs"] = "H*L*eta"  # a false claim under the same proof
    cert.write_text(json.dumps(doc))
    code, out, _ = run(capsys, "recheck", str(cert))
    assert code == 5 and "REJECTED (rejected" in out  # a rejection is not a refutation (1)


def test_prove_a_typed_claim_refuted_and_inconclusive_exit_codes(capsys):
    box = ["--box", "eta=0..1/10", "--box", "H=1..64", "--box", "L=1..1000"]
    code, out, _ = run(capsys, "prove", "--claim", "(1+H*eta)**L - 1 <= L*H*eta", *box)
    assert code == 1 and "REFUTED" in out and "witness: L = " in out
    code, out, _ = run(capsys, "prove", "as25.s3.tv-core", "--max-boxes", "50")
    assert code == 3 and "INCONCLUSIVE" in out and "would help" in out
    code, out, _ = run(capsys, "prove", "--claim", "x*(1-x) <= 1/4", "--box", "x=0..1")
    assert code == 0 and "PROVED" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["prove"], "name a KEY, --all, or --claim"),
        (["prove", "as25.lemma4.1"], "'as25.lemma4.1' is a claim, not a scalar claim"),
        (["prove", "--claim", "x <= 1"], "needs a --box"),
        (["prove", "--claim", "x < 1", "--box", "x=0..1"], "a claim is 'LHS <= RHS'"),
        (["prove", "--claim", "x <= y", "--box", "x=0..1"], "unknown symbol 'y'"),
        (["prove", "--claim", "x <= 1", "--box", "x=0-1"], "a range is NAME=LO..HI"),
        (["prove", "--claim", "x <= 1", "--box", "x=1..0"], "empty range"),
        (["prove", "--claim", "__import__('os') <= 1", "--box", "x=0..1"], "cannot use"),
        (["recheck", "/nonexistent/cert.json"], "no certificate at"),
    ],
)
def test_prove_and_recheck_usage_errors(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


TINY = ["--instances", "1", "--eta-points", "2", "--depths", "1,2", "--depth", "4", "--jobs", "1"]


def test_experiments_command_writes_figures_tables_and_json(tmp_path, capsys):
    code, out, err = run(capsys, "experiments", "--out", str(tmp_path), *TINY)
    assert code == 0, err
    assert "every measured distance certainly below its bounds: yes" in out
    assert out.count("REPRODUCED") == 3 and "NOT REPRODUCED" not in out
    names = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert names == [
        ".symbound-output",  # the marker: the next run may replace the folder whole
        "experiments.json",
        "experiments.tex",
        "figures/layer-collapse.pdf",
        "figures/layer-collapse.png",
        "figures/one-layer.pdf",
        "figures/one-layer.png",
        "figures/residual-ratio.pdf",
        "figures/residual-ratio.png",
    ]
    assert "wrote 8 files" in err


def test_experiments_are_byte_identical_across_processes(tmp_path):
    outputs = []
    for name in ("a", "b"):
        folder = tmp_path / name
        subprocess.run(
            [sys.executable, "-m", "symbound", "experiments", "--out", str(folder), *TINY],
            check=True,
            capture_output=True,
        )
        outputs.append({p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()})
    assert outputs[0] == outputs[1] and len(outputs[0]) == 9  # the marker included


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--depths", "1,0"], "depths must be between 1 and 512"),
        (["--depths", "1,x"], "expected comma-separated depths"),
        (["--instances", "0"], "must be between 1 and 1000, got 0"),
        (["--tokens", "many"], "expected an integer between 1 and 256, got 'many'"),
    ],
)
def test_experiments_bad_sizes_are_one_line_errors(argv, message, capsys, tmp_path):
    code, out, err = run(capsys, "experiments", "--out", str(tmp_path / "x"), *argv)
    assert code == 2 and out == "" and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "x").exists()

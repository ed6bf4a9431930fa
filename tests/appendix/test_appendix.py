"""The appendix: contents, determinism, atomic writes, LaTeX that compiles, the command."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import symbound.appendix.tables as tables
from symbound import load_catalogue
from symbound.appendix import build_appendix, write_appendix
from symbound.cli import main
from symbound.render.tex import tex_escape, tex_key

SAMPLES = 150
#: the quick repairs of the section (the others take 5-30 s each: tests/appendix/test_repairs.py)
REPAIRS = ("as25.lemma4.1", "as25.lemma4.1.mean", "as25.lemma5.1.step-entrywise-exp")
OPTIONS = {"seed": 0, "samples": SAMPLES, "repairs": REPAIRS}


@pytest.fixture(scope="module")
def data():
    return build_appendix(**OPTIONS)


@pytest.fixture(scope="module")
def written(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("appendix")
    write_appendix(data, out)
    return out


#: every section main.tex inputs (the audit's when its model is installed), .tex and .json
SECTIONS = (
    "claims",
    "repairs",
    "collapse-regime",
    "eps-regime",
    "regime-figures",
    "tradeoff",
    "prior-work",
    "composition",
    "experiments",
)
EXPECTED_FILES = {
    "main.tex",
    ".symbound-output",  # the marker that lets the next run replace the folder whole
    "certificates",
    "figures",
    *(f"{name}.{ext}" for name in SECTIONS for ext in ("tex", "json")),
}


def files(folder) -> dict[str, bytes]:
    """Every file under ``folder`` (certificates/ included) by relative path."""
    folder = Path(folder)
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_every_table_and_its_json_is_written(written):
    from symbound.models import minilm_dir

    audit = {"audit.tex", "audit.json"} if minilm_dir() is not None else set()
    assert {p.name for p in written.iterdir()} == EXPECTED_FILES | audit
    main_tex = (written / "main.tex").read_text()
    for name in SECTIONS:
        assert rf"\input{{{name}}}" in main_tex
    assert r"\usepackage{booktabs" in main_tex and r"\usepackage{siunitx}" in main_tex
    assert r"\usepackage{graphicx}" in main_tex


def test_proved_verdicts_are_in_the_claim_table_with_rechecked_certificates(data, written):
    from symbound.prove.recheck import recheck_file

    claims = json.loads((written / "claims.json").read_text())
    verdicts = {c["key"]: c["verdict"] for c in claims["scalar_claims"]}
    assert verdicts["as25.theorem5.3.envelope"] == "proved"
    assert verdicts["as25.s3.tv-core"] == "inconclusive"
    table = (written / "claims.tex").read_text()
    assert r"\textbf{proved}" in table and "certificates/as25.theorem5.3.envelope.json" in table
    for c in claims["scalar_claims"]:
        result = recheck_file(written / c["certificate"])
        expected = {"proved": "proved", "refuted": "refuted", "inconclusive": "unverified"}
        assert result.status == expected[c["verdict"]] and result.verdict == c["verdict"]


def test_claims_cover_the_paper_as_given_and_corrected(data, written):
    cat = load_catalogue()
    claims = json.loads((written / "claims.json").read_text())
    keys = [c["key"] for c in claims["claims"]]
    own = [k for k in cat if cat.source_of(k).endswith("alman_song_2025")]
    assert sorted(keys) == sorted(own)
    # each correction comes right after the statement it corrects, or after another correction
    for i, c in enumerate(claims["claims"]):
        if c["form"] == "corrected":
            before = claims["claims"][i - 1]
            assert c["corrects"] in (before["key"], before["corrects"])
    refuted = {c["key"] for c in claims["claims"] if c["result"]["verdict"] == "refuted"}
    assert "as25.lemma4.1" in refuted and "as25.lemma4.1.corrected" not in refuted
    assert claims["settings"]["seed"] == 0 and claims["settings"]["dps"] == 50
    assert "python-flint" in claims["settings"]["versions"]


def test_every_verdict_carries_its_reading_and_the_region_searched(written):
    cat = load_catalogue()
    claims = json.loads((written / "claims.json").read_text())["claims"]
    table = (written / "claims.tex").read_text()
    rows = table.split(r"\midrule", 1)[1].split(r"\\")
    for c in claims:
        lemma = cat[c["key"]]
        assert [(r["topic"], r["chosen"]) for r in c["reading"]] == [
            (x.topic, x.chosen) for x in lemma.reading
        ]
        region = c["result"]["region"]
        assert region == {r.name: r.to_json() for r in lemma.search_region} and region
        (row,) = [r for r in rows if tex_key(c["key"]) + r"\newline" in r]
        if c["form"] == "a reading":
            # a verdict on a reading is about that reading, never about the paper
            assert r"}\newline (this reading)" in row and r"\emph{Reading:}" in row, c["key"]
        else:
            assert "(this reading)" not in row, c["key"]
        if c["result"]["verdict"] == "survived":  # the tightness names the region searched
            assert tex_escape(", ".join(r.text for r in lemma.search_region)) in row, c["key"]
    assert "refuting a reading refutes that reading, not the paper" in table


def test_regime_tables_hold_certified_brackets(written):
    table = json.loads((written / "collapse-regime.json").read_text())
    assert len(table["cells"]) == 8 * 4
    for cell in table["cells"]:
        assert cell["monotone"] is True
        assert float(eval_fraction(cell["lo"])) <= float(eval_fraction(cell["hi"]))
    assert "LambertW" in table["symbolic_lower"]
    tex = (written / "collapse-regime.tex").read_text()
    assert r"\toprule" in tex and r"\bottomrule" in tex


def eval_fraction(text):
    from fractions import Fraction

    return Fraction(text)


def test_tradeoff_compares_certified_numbers_under_both_scalings(written):
    from fractions import Fraction

    doc = json.loads((written / "tradeoff.json").read_text())
    rows = doc["rows"]
    assert len(rows) == 28 and {r["n"] for r in rows} == {2**e for e in range(8, 21, 2)}
    assert [s["label"] for s in doc["scalings"]] == ["beta = sqrt(d)", "beta = d (AS23)"]
    assert all(
        "proved to satisfy the recurrence for every L" in s["closed_form"] for s in doc["scalings"]
    )
    # the rows where d = O(log n) plausibly holds (d <= log2 n) are marked
    assert [r["in_regime"] for r in rows] == [2 ** r["d"] <= r["n"] for r in rows]
    for r in rows:
        for cell in r["cells"]:
            verdict = cell["bound_covers_every_eta_below_threshold"]
            bracket = cell["eta_max"]
            lo, hi = Fraction(bracket["lo"]), Fraction(bracket["hi"])
            threshold_lo, threshold_hi = (Fraction(t) for t in cell["threshold"])
            assert bracket["monotone"]
            assert (verdict == "no" and threshold_lo > hi) or (
                verdict == "yes" and threshold_hi <= lo
            )
    summary = {s["scaling"]: s for s in doc["summary"]}
    assert summary["beta = d (AS23)"]["verdicts"]["no"] == 28
    tex = (written / "tradeoff.tex").read_text()
    assert r"$\dagger$" in tex and "does not show collapse there" in tex
    assert "no at 28 of 28 rows" in tex  # the conclusion is computed, not written in


def test_prior_work_lists_lemmas_experiments_and_remarks(written):
    prior = json.loads((written / "prior-work.json").read_text())
    assert [e["verdict"] for e in prior["experiments"]] == ["reproduced"] * len(
        prior["experiments"]
    )
    assert {r["key"] for r in prior["remarks"]} == {"as23.threshold", "as24.gradient-threshold"}
    assert prior["lemmas"][0]["key"] == "as23.entry-bound"


def test_the_experiments_section_has_its_figures_tables_and_every_measurement(written):
    doc = json.loads((written / "experiments.json").read_text())
    sweep, study, fits = doc["studies"]
    assert sweep["key"] == "layer-collapse" and sweep["every_bound_holds"] is True
    assert len(sweep["points"]) == 2 * 5 * 2 * 7 * 3  # distances, L, H, eta, networks
    assert [f["reproduced"] for f in study["findings"]] == [True, True, True]
    assert fits["key"] == "one-layer" and len(fits["points"]) == 3 * 5 * 2  # L, eta, networks
    tex = (written / "experiments.tex").read_text()
    assert r"\textbf{An optimiser's best is an upper bound}" in " ".join(tex.split())
    for key in ("layer-collapse", "residual-ratio", "one-layer"):
        assert rf"{{figures/{key}.pdf}}" in tex
        assert (written / "figures" / f"{key}.png").read_bytes().startswith(b"\x89PNG")
        assert (written / "figures" / f"{key}.pdf").read_bytes().startswith(b"%PDF-")
    assert r"\textbf{reproduced}" in tex and "not every one" not in tex


def test_same_seed_gives_byte_identical_files(data, written, tmp_path):
    again = build_appendix(**OPTIONS)
    write_appendix(again, tmp_path)
    assert files(written) == files(tmp_path)


def test_a_failure_leaves_the_previous_appendix_intact(data, tmp_path, monkeypatch):
    write_appendix(data, tmp_path)
    before = files(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("template failure")

    monkeypatch.setattr(tables, "prior_context", broken)
    with pytest.raises(RuntimeError):
        write_appendix(data, tmp_path)
    assert files(tmp_path) == before  # no .tmp left either


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex (.ci/run installs it)")
def test_main_tex_compiles_with_pdflatex(written, tmp_path):
    shutil.copytree(written, tmp_path, dirs_exist_ok=True)
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "main.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert (tmp_path / "main.pdf").stat().st_size > 10_000


def test_the_repairs_stand_beside_the_notes_corrections(data, written):
    doc = json.loads((written / "repairs.json").read_text())
    assert doc["settings"]["repair_samples"] == 300 and doc["settings"]["samples"] == SAMPLES
    rows = {row["key"]: row for row in doc["rows"]}
    claims = json.loads((written / "claims.json").read_text())["claims"]
    refuted = {c["key"] for c in claims if c["result"]["verdict"] == "refuted"}
    assert refuted | set(REPAIRS) == set(rows)  # every refuted claim has its row
    words = {(k, c["key"]): c["agreement"] for k, r in rows.items() for c in r["corrections"]}
    assert words["as25.lemma4.1", "as25.lemma4.1.corrected"] == "agree"
    assert words["as25.lemma4.1.mean", "as25.mean-res"] == "agree"
    step = ("as25.lemma5.1.step-entrywise-exp", "as25.lemma5.1.step-matrix-exp")
    assert words[step] == "consistent"
    assert rows["as25.lemma4.1"]["repair"]["closed_form"] == "2"
    assert rows["as25.lemma4.1.mean"]["repair"]["closed_form"] == "2*(n - 1)/n"
    unrepaired = [r for k, r in rows.items() if k not in REPAIRS]
    assert unrepaired and all(r["repair"] is None for r in unrepaired)
    tex = (written / "repairs.tex").read_text()
    assert r"\section*{What each refuted claim needs}" in tex and r"\textbf{agree}" in tex
    assert "3 of them repaired here" in tex and "not repaired here" in tex


def test_appendix_command(tmp_path, capsys, monkeypatch):
    import symbound.appendix

    def quick(**options):  # the command's build, with one quick repair (it asks for all)
        assert options["repairs"] is True and options["repair_samples"] == 300
        return build_appendix(**{**options, "repairs": REPAIRS[:1]})

    monkeypatch.setattr(symbound.appendix, "build_appendix", quick)
    out = tmp_path / "out"
    small = ["--instances", "1", "--eta-points", "2", "--depths", "1,2", "--depth", "4"]
    code = main(["appendix", "--out", str(out), "--samples", "60", "--jobs", "1", *small])
    printed = capsys.readouterr()
    from symbound.models import minilm_dir

    # main.tex, the marker, each section's .tex and .json, the certificates, two files
    # per figure (the studies' and the regimes'), the audit's two when the model is there
    count = 37 if minilm_dir() is not None else 35
    assert code == 0 and f"wrote {count} files" in printed.out and "refuted" in printed.out
    assert "1 of them repaired here; beside the corrections: 1 agree" in printed.out
    assert "3 layer-collapse studies" in printed.out and "REPRODUCED" in printed.out
    assert (out / "main.tex").exists() and (out / "figures" / "residual-ratio.pdf").exists()
    doc = json.loads((out / "experiments.json").read_text())
    assert len(doc["studies"][0]["points"]) == 2 * 2 * 2 * 2  # distances, L, H, eta


def test_appendix_without_experiments_or_repairs(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["--samples", "30", "--jobs", "1", "--no-experiments", "--no-repairs"]
    code = main(["appendix", "--out", str(out), *argv])
    printed = capsys.readouterr().out
    assert code == 0 and "layer-collapse" not in printed and "repaired here" not in printed
    assert not (out / "experiments.tex").exists() and not (out / "repairs.json").exists()
    assert r"\input{repairs}" not in (out / "main.tex").read_text()
    figures = {p.name for p in (out / "figures").iterdir()}
    assert figures and all(name.startswith(("regime-", "tradeoff")) for name in figures)


def test_appendix_command_bad_usage(tmp_path, capsys):
    assert main(["appendix", "--out", str(tmp_path), "--samples", "-3"]) == 2
    err = capsys.readouterr().err
    assert "argument --samples" in err and len(err.strip().splitlines()) == 1


def test_parallel_workers_give_the_same_files(data, written, tmp_path):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        parallel = build_appendix(**OPTIONS, executor=pool)
    write_appendix(parallel, tmp_path)
    assert files(written) == files(tmp_path)

r"""Writing an appendix: LaTeX tables through Jinja templates, JSON beside each, atomically.

Every file is rendered in memory first; only when all of them exist are they
written, each to a temporary file in the target folder that is then renamed over
the final name (``os.replace``), so a reader never sees half a file and a failure
leaves the previous appendix intact.  Output is deterministic: no dates, sorted
JSON keys, numbers formatted with a fixed number of digits.

What each section shows is computed by its module: :mod:`~symbound.appendix.tables`
(claims, regimes, prior work, composition), :mod:`~symbound.appendix.tradeoff`,
:mod:`~symbound.appendix.repair_table` ("What each refuted claim needs") and
:mod:`~symbound.appendix.figures`; the cells' formats are :mod:`~symbound.appendix.cells`'.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from symbound.appendix import tables
from symbound.appendix.build import AppendixData
from symbound.appendix.cells import floor_significant, to_json
from symbound.appendix.repair_table import repairs_context, repairs_json
from symbound.appendix.tradeoff import tradeoff_context, tradeoff_json
from symbound.io import write_folder
from symbound.render.latex import environment
from symbound.render.tex import tex_escape

__all__ = ["SIGNATURE", "floor_significant", "render_appendix", "write_appendix"]


def _files(data: AppendixData) -> dict[str, str | bytes]:
    env = environment()
    settings = dict(data.settings)
    files: dict[str, str | bytes] = {}

    def section(name: str, template: str, context: Mapping, record: Mapping | None, **more):
        files[f"{name}.tex"] = env.get_template(f"appendix/{template}.tex.j2").render(
            **context, **more
        )
        if record is not None:
            files[f"{name}.json"] = to_json(record)
        names.append(name)

    names: list[str] = []
    section("claims", "claims", tables.claims_context(data), tables.claims_json(data, settings))
    for proof in data.proofs:
        files[f"certificates/{proof.key}.json"] = to_json(
            proof.to_json(data.settings["versions"]["symbound"])
        )
    if data.repair_samples is not None:
        section("repairs", "repairs", repairs_context(data), repairs_json(data, settings))
    from symbound.appendix.figures import figure_files  # matplotlib, when writing only

    figures = figure_files(data, env)
    for grid in data.regimes:
        key = grid.spec.key
        section(key, "regime", tables.regime_context(grid), tables.regime_json(grid, settings),
                drawn=key in figures.tables)  # fmt: skip
    files.update(figures.files)
    if figures.tables:
        names.append("regime-figures")
    if data.spec.comparison is not None:
        section("tradeoff", "tradeoff", tradeoff_context(data), tradeoff_json(data, settings),
                figure=figures.tradeoff)  # fmt: skip
    section("prior-work", "prior", tables.prior_context(data), tables.prior_json(data, settings))
    section("composition", "composition", tables.composition_context(data),
            tables.composition_json(data, settings))  # fmt: skip
    if data.audit is not None:
        from symbound.models.audit import audit_files

        files.update(audit_files(data.audit))
        names.append("audit")
    if data.studies:
        from symbound.empirical.report import experiment_files

        files.update(experiment_files(data.studies, settings))
        names.append("experiments")
    versions = ", ".join(f"{k} {v}" for k, v in sorted(settings["versions"].items()))
    files["main.tex"] = env.get_template("appendix/main.tex.j2").render(
        title=tex_escape(data.spec.title),
        paper=tex_escape(data.spec.paper),
        seed=settings["seed"],
        samples=settings["samples"],
        dps=settings["dps"],
        versions=tex_escape(versions),
        parts=names,
    )
    return files


def render_appendix(data: AppendixData) -> Mapping[str, str | bytes]:
    """Every file of the appendix, by name, rendered in memory (figures as bytes)."""
    return _files(data)


#: Files that mark a folder as an appendix written by symbound (before symbound.io's
#: marker existed): such a folder may be replaced by the next run.
SIGNATURE = ("main.tex", "claims.json")


def write_appendix(data: AppendixData, out: Path | str) -> list[Path]:
    """Render every file in memory, then write them as the whole folder ``out`` in one
    step (:func:`symbound.io.write_folder`: a reader sees the old appendix or the new
    one, never a mixture); return their paths."""
    return write_folder(_files(data), out, signature=SIGNATURE)

"""``symbound list``: one line per catalogue entry, of every kind."""

from __future__ import annotations

import json

from symbound.cli.errors import EXIT_OK

__all__ = ["NAME", "register", "run"]

NAME = "list"


def register(subparsers):
    """The ``list`` command and its arguments."""
    p = subparsers.add_parser(
        "list",
        help="list the catalogue, one line per entry of every kind (claims, composed "
        "bounds, scalar claims, experiments, remarks)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    return p


def _entries(cat):
    """(key, kind/provenance column, form column, title) for every catalogue entry."""
    for lemma in cat.values():
        form = lemma.form.value + (f" ({lemma.corrects})" if lemma.corrects else "")
        yield lemma.key, lemma.provenance.value, form, lemma.title
    for exp in cat.experiments.values():
        yield exp.key, exp.provenance.value, "experiment", exp.title
    for remark in cat.remarks.values():
        yield remark.key, remark.provenance.value, "remark (not checkable)", remark.title
    for bound in cat.composed.values():
        yield bound.key, "composed here", "composed bound", bound.title
    for claim in cat.scalars.values():
        yield claim.key, claim.provenance.value, "scalar claim (provable)", claim.title


def run(args) -> int:
    """List every catalogue entry (``--json``: as JSON)."""
    from symbound.lemmas.catalogue import load_catalogue

    cat = load_catalogue()
    rows = list(_entries(cat))
    if args.json:
        doc = [
            {"key": k, "kind": cat.kind_of(k).label, "provenance": p, "form": f, "title": t}
            for k, p, f, t in rows
        ]
        print(json.dumps(doc, indent=2, sort_keys=True))
        return EXIT_OK
    width = max(len(r[0]) for r in rows)
    for key, provenance, form, title in rows:
        print(f"{key:<{width}}  {provenance:<20}  {form:<32}  {title}")
    return EXIT_OK

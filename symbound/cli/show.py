"""``symbound show``: one entry's statement (text and LaTeX), hypotheses, citation."""

from __future__ import annotations

from symbound.cli.claims import add_claim_arguments, user_claims
from symbound.cli.errors import EXIT_OK, UsageExit
from symbound.lemmas.catalogue import Kind

__all__ = ["NAME", "register", "run"]

NAME = "show"


def register(subparsers):
    """The ``show`` command and its arguments."""
    p = subparsers.add_parser("show", help="show one claim: statement, hypotheses, citation, LaTeX")
    p.add_argument("key", nargs="?", help="any catalogue entry (see 'symbound list')")
    add_claim_arguments(p)
    return p


def run(args) -> int:
    """Print the entry ``args.key`` of the catalogue, or the claims typed or read."""
    from symbound.lemmas.catalogue import load_catalogue

    own = user_claims(args)
    if own:
        chosen = [c for c in own if args.key in (None, c.key)] if args.file else own
        if not chosen:
            raise UsageExit(
                f"symbound show: error: no claim {args.key!r} in {args.file}; it has "
                + ", ".join(c.key for c in own)
            )
        print("\n\n".join(_show_lemma(lemma, None) for lemma in chosen))
        return EXIT_OK
    if args.key is None:
        raise UsageExit("symbound show: error: name a KEY (see 'symbound list'), or --claim/--file")
    cat = load_catalogue()
    entry = cat.entry(args.key, command="'symbound show'")
    kind = cat.kind_of(args.key)
    shown = {
        Kind.CLAIM: lambda: _show_lemma(entry, cat),
        Kind.SCALAR: lambda: _show_scalar(entry),
        Kind.COMPOSED: lambda: _show_composed(entry, cat),
        Kind.EXPERIMENT: lambda: _show_experiment(entry),
        Kind.REMARK: lambda: _show_remark(entry),
    }[kind]()
    print(shown)
    return EXIT_OK


def _show_scalar(claim) -> str:
    lines = [
        f"{claim.key} -- {claim.title}",
        f"  form        {claim.form.value}",
        f"  provenance  {claim.provenance.value}",
        f"  source      {claim.citation}",
        f"  statement   {claim.text}",
        f"  LaTeX       {claim.latex}, for {claim.box.latex}",
        f"  settle it   symbound prove {claim.key}",
    ]
    if claim.notes:
        lines.insert(5, f"  notes       {claim.notes}")
    return "\n".join(lines)


def _show_composed(bound, cat) -> str:
    from symbound.notation import domain_text, to_latex, to_text

    r, k = bound.recurrence, bound.recurrence.index.name
    lines = [
        f"{bound.key} -- {bound.title}",
        "  kind        composed bound (composed here from catalogue claims)",
        f"  source      {cat.source_of(bound.key)}",
        f"  bounds      {bound.quantity}",
        f"  recurrence  x_{k} = ({to_text(r.q)}) x_({k}-1) + {to_text(r.b)}, "
        f"x_0 = {to_text(r.initial)}",
        f"  closed form {bound.text}",
        "  parameters  "
        + "; ".join(
            f"{to_text(p.symbol)} ∈ {domain_text(p.domain)} ({p.meaning})" for p in bound.parameters
        ),
        "  uses        " + (", ".join(bound.uses) or "-"),
        f"  settle it   symbound regime {bound.key} --tau TAU --set NAME=VALUE ...",
        f"  LaTeX       {to_latex(bound.closed_form)}",
    ]
    if bound.envelope is not None:
        lines.insert(6, f"  envelope    {to_text(bound.envelope)}")
    if bound.notes:
        lines.append(f"  notes       {bound.notes}")
    return "\n".join(lines)


def _show_experiment(exp) -> str:
    return "\n".join(
        [
            f"{exp.key} -- {exp.title}",
            "  kind        experiment (a deterministic computation)",
            f"  provenance  {exp.provenance.value}",
            f"  source      {exp.citation}",
            f"  claim       {exp.claim}",
            f"  reproduced  {exp.criterion}",
            f"  run it      symbound check {exp.key}",
        ]
    )


def _show_remark(remark) -> str:
    return "\n".join(
        [
            f"{remark.key} -- {remark.title}",
            "  kind        remark (recorded, not checkable)",
            f"  provenance  {remark.provenance.value}",
            f"  source      {remark.citation}",
            f"  statement   {remark.statement}",
            f"  unchecked   {remark.unchecked_because}",
        ]
    )


def _show_lemma(lemma, cat) -> str:
    """What ``symbound show`` prints for a lemma (``cat``: its catalogue, or None)."""
    from symbound.notation import domain_text, to_text
    from symbound.render.latex import render_lemma

    def hypothesis(h) -> str:
        return h.text + ("" if h.guaranteed else " (filtered: not built into the instances)")

    lines = [
        f"{lemma.key} -- {lemma.title}",
        f"  form        {lemma.form.value}"
        + (f" (corrects {lemma.corrects})" if lemma.corrects else ""),
        f"  provenance  {lemma.provenance.value}",
        f"  source      {lemma.citation}",
        f"  statement   {lemma.statement_text}",
        "  hypotheses  " + ("; ".join(hypothesis(h) for h in lemma.hypotheses) or "none"),
        f"  conclusion  {lemma.conclusion.text}",
        "  parameters  "
        + "; ".join(
            f"{to_text(p.symbol)} ∈ {domain_text(p.domain)} ({p.meaning})" for p in lemma.parameters
        ),
        "  searched    " + (", ".join(r.text for r in lemma.search_region) or "-"),
        f"  norm        {lemma.norm}",
        f"  instances   {lemma.space.description}",
    ]
    if lemma.reading:
        lines.insert(2, "  reading     " + "\n              ".join(str(c) for c in lemma.reading))
    if lemma.tightness:
        lines.append(f"  tightness   {lemma.tightness}")
    if lemma.notes:
        lines.append(f"  notes       {lemma.notes}")
    corrections = cat.corrections_of(lemma.key) if cat is not None else ()
    if corrections:
        lines.append("  corrected by " + ", ".join(c.key for c in corrections))
    lines.append("  LaTeX:")
    lines.extend("    " + line for line in render_lemma(lemma).rstrip("\n").splitlines())
    return "\n".join(lines)

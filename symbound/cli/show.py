"""``symbound show``: one entry's statement (text and LaTeX), hypotheses, citation."""

from __future__ import annotations

from symbound.cli.claims import add_claim_arguments, user_claims
from symbound.cli.errors import EXIT_OK, UsageExit

__all__ = ["NAME", "register", "run"]

NAME = "show"


def register(subparsers):
    """The ``show`` command and its arguments."""
    p = subparsers.add_parser("show", help="show one claim: statement, hypotheses, citation, LaTeX")
    p.add_argument("key", nargs="?", help="catalogue key (see 'symbound list')")
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
    if args.key in cat.scalars:
        claim = cat.scalars[args.key]
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
        print("\n".join(lines))
        return EXIT_OK
    print(_show_lemma(cat[args.key], cat))
    return EXIT_OK


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

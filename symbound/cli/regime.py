"""``symbound regime``: the certified largest eta with a composed bound (or a typed one)
below tau."""

from __future__ import annotations

import json
from collections.abc import Sequence

from symbound.cli.errors import EXIT_OK, UsageExit
from symbound.lemmas.catalogue import Kind

__all__ = ["NAME", "register", "run"]

NAME = "regime"
#: The kinds of catalogue entry it takes.
TAKES = (Kind.COMPOSED,)


def register(subparsers):
    """The ``regime`` command and its arguments."""
    p = subparsers.add_parser("regime", help="certified largest eta with a composed bound <= tau")
    p.add_argument("key", nargs="?", help="a composed bound (see 'symbound list')")
    p.add_argument("--bound", help="a bound typed as an expression in the notation's symbols")
    p.add_argument("--tau", required=True, help="the target: bound <= tau (a positive number)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter value, exact (1/10, 0.1, 8); repeat for each parameter",
    )
    p.add_argument("--L-values", dest="l_values", help="comma-separated depths: one row each")
    p.add_argument(
        "--eta-values",
        dest="eta_values",
        help="comma-separated eta values: a feasibility grid against the depths",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--plot",
        metavar="FILE",
        help="draw the result to FILE (.png or .pdf): eta_max against L for several depths, "
        "the bound crossing tau for one, the symbolic bracket for symbolic depth",
    )
    return p


def _parse_values(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageExit(f"symbound regime: error: --set takes NAME=VALUE, got {pair!r}")
        out[name.strip()] = value.strip()
    return out


def _parse_list(text: str | None, what: str) -> list[str]:
    if text is None:
        return []
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise UsageExit(f"symbound regime: error: {what} needs comma-separated numbers")
    return items


def run(args) -> int:
    """Print the eta_max bracket of each depth (or for every depth), and the grid asked."""
    import sympy as sp

    from symbound.errors import UsageError
    from symbound.lemmas.catalogue import load_catalogue
    from symbound.lemmas.model import Parameter
    from symbound.notation import DOMAINS, eta, to_text
    from symbound.parse import parse_bound
    from symbound.regimes import eta_max, feasibility_grid, symbolic_bracket, validate_values

    if (args.key is None) == (args.bound is None):
        raise UsageExit("symbound regime: error: give a composed bound KEY or --bound EXPR")
    if args.plot is not None:  # before any computation: a path that cannot be written
        from symbound.io import check_output_file
        from symbound.render.figure import figure_format

        check_output_file(args.plot, "--plot")
        figure_format(args.plot)
    if args.bound is not None:
        expr = parse_bound(args.bound)
        if eta not in expr.free_symbols:
            raise UsageError("the bound does not involve eta; nothing to solve for")
        parameters = tuple(
            Parameter(s, DOMAINS[s], f"the value of {s.name}")
            for s in sorted(expr.free_symbols, key=lambda s: s.name)
        )
        bound, name = expr, args.bound
    else:
        bound = load_catalogue().entry(args.key, TAKES, command="'symbound regime'")
        parameters, name = bound.parameters, args.key
    values = _parse_values(args.set)
    depths = _parse_list(args.l_values, "--L-values")
    etas = _parse_list(args.eta_values, "--eta-values")
    tau = validate_values(
        (
            Parameter(
                sp.Symbol("tau", positive=True),
                DOMAINS[sp.Symbol("tau", positive=True)],
                "the target",
            ),
        ),
        {"tau": args.tau},
    )["tau"]
    for x in etas:
        validate_values((Parameter(eta, DOMAINS[eta], "an eta value"),), {"eta": x}, free="")
    if not depths and "L" not in values and any(p.name == "L" for p in parameters):
        # symbolic depth: bounds valid for every L
        checked = validate_values([p for p in parameters if p.name != "L"], values)
        bracket = symbolic_bracket(bound, tau, checked)
        lo = "unknown" if bracket.lower is None else to_text(bracket.lower)
        hi = "unknown" if bracket.upper is None else to_text(bracket.upper)
        if args.plot is not None:
            _save(bracket.plot(), args.plot)
        if args.json:
            print(json.dumps({"bound": name, "tau": str(tau), "lower": lo, "upper": hi}, indent=2))
        else:
            print(f"{name}: for every depth L, {lo} <= eta_max <= {hi}")
        return EXIT_OK
    rows = depths or [None]
    results = []
    for L_ in rows:
        given = dict(values)
        if L_ is not None:
            given["L"] = L_
        checked = validate_values(parameters, given)
        results.append((L_, eta_max(bound, checked, tau)))
    grid = feasibility_grid([r for _, r in results], etas) if etas else None
    if args.plot is not None:
        _save(_figure(bound, tau, results), args.plot)
    if args.json:
        doc = {"bound": name, "rows": [{"L": L_, **r.to_dict()} for L_, r in results]}
        if grid is not None:
            doc["eta_values"] = etas
            doc["feasibility"] = grid
        print(json.dumps(doc, indent=2, sort_keys=True))
        return EXIT_OK
    for (L_, r), cells in zip(results, grid or [None] * len(results), strict=True):
        label = f"L={L_}: " if L_ is not None else ""
        line = f"{name}: {label}{r}"
        if cells is not None:
            line += "  " + " ".join(f"eta={x}:{c}" for x, c in zip(etas, cells, strict=True))
        print(line)
    return EXIT_OK


def _figure(bound, tau, results):
    """Several depths: eta_max against L beside the symbolic bracket; one: the crossing."""
    if len(results) == 1:
        return results[0][1].plot()
    from symbound.depth_sweep import DepthSweep
    from symbound.errors import UsageError
    from symbound.notation import L
    from symbound.regimes import symbolic_bracket

    depth = getattr(bound, "depth", L)
    ordered = sorted((r for _, r in results), key=lambda r: r.values[depth.name])
    depths = tuple(int(r.values[depth.name]) for r in ordered)
    if len(set(depths)) != len(depths):
        raise UsageError("--plot: give each depth of --L-values once")
    fixed = {k: v for k, v in ordered[0].values.items() if k != depth.name}
    bracket = symbolic_bracket(bound, tau, fixed)
    name = getattr(bound, "key", str(bound))
    return DepthSweep(name, tau, fixed, depths, tuple(ordered), bracket, depth).plot()


def _save(fig, path) -> None:
    from symbound.render.figure import save

    save(fig, path)

"""``symbound repl``: a Python console with symbound, the notation and the catalogue loaded.

Integer literals divided by integer literals give exact rationals, as in a computer
algebra system: ``1/3`` is ``Rational(1, 3)``, not ``0.333...`` (the source is
rewritten with an ``ast`` transformer before it runs; mpmath's console does the
same with ``Fraction``).

>>> import io
>>> out = io.StringIO()
>>> console = SymboundConsole(namespace(), out)
>>> console.push("x = 1/3 + 1/6")
False
>>> console.push("print(x, type(x).__name__)")
False
>>> out.getvalue()
'1/2 Half\\n'
"""

from __future__ import annotations

import ast
import code
import codeop
import contextlib
import sys
from typing import Any

__all__ = ["ExactDivision", "SymboundConsole", "namespace", "run_console"]

BANNER = """symbound console: the catalogue is `cat`, the notation's symbols are loaded
(eta, phi0, H, L, ...), and 1/3 is an exact Rational.  Try:
    cat["as25.lemma4.1"]                      check(cat["as25.lemma4.1"]).summary()
    eta_max(cat.composed["as25.eps-L"], {"H": 8, "L": 24, "phi0": 1}, 1/10)
    symbolic_bracket(2*eta*phi0*(1 + H*eta)**L, tau)
    eta_max_sweep(cat.composed["as25.eps-L"], {"H": 8, "phi0": 1}, 1/10, [1, 8, 64])"""


def _is_int(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int) and not isinstance(node.value, bool)
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and _is_int(node.operand)


class ExactDivision(ast.NodeTransformer):
    """Rewrite ``<int literal> / <int literal>`` into ``Rational(a, b)``."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Div) and _is_int(node.left) and _is_int(node.right):
            call = ast.Call(
                func=ast.Name(id="Rational", ctx=ast.Load()),
                args=[node.left, node.right],
                keywords=[],
            )
            return ast.copy_location(call, node)
        return node


def namespace() -> dict[str, Any]:
    """The console's globals: the public API, the notation, the catalogue, the solvers."""
    import sympy

    import symbound
    from symbound import notation
    from symbound.compose import verify_closed_form
    from symbound.depth_sweep import eta_max_sweep
    from symbound.lemmas.experiment import run_experiment
    from symbound.parse import parse_bound
    from symbound.regimes import eta_max, symbolic_bracket

    ns: dict[str, Any] = {name: getattr(symbound, name) for name in symbound.__all__}
    ns.update(notation.SYMBOLS)
    ns.update(
        Rational=sympy.Rational,
        sp=sympy,
        g=notation.g,
        cat=symbound.load_catalogue(),
        eta_max=eta_max,
        eta_max_sweep=eta_max_sweep,
        symbolic_bracket=symbolic_bracket,
        parse_bound=parse_bound,
        verify_closed_form=verify_closed_form,
        run_experiment=run_experiment,
    )
    return ns


class SymboundConsole(code.InteractiveConsole):
    """An interactive console whose integer divisions are exact."""

    def __init__(self, locals: dict[str, Any] | None = None, out=None):
        super().__init__(locals=locals)
        self._out = out

    def write(self, data: str) -> None:
        (self._out or sys.stderr).write(data)

    def runsource(self, source: str, filename: str = "<input>", symbol: str = "single") -> bool:
        try:
            compiled = codeop.compile_command(source, filename, symbol)
        except (OverflowError, SyntaxError, ValueError):
            self.showsyntaxerror(filename)
            return False
        if compiled is None:  # incomplete: wait for more lines
            return True
        tree = ExactDivision().visit(ast.parse(source, filename, mode=symbol))
        ast.fix_missing_locations(tree)
        stream = self._out or sys.stdout
        with contextlib.redirect_stdout(stream):
            self.runcode(compile(tree, filename, symbol))
        return False


def run_console() -> None:
    """Start the interactive console (standard input and output); a one-line
    :class:`~symbound.errors.UsageError` if there is no standard input to read."""
    import os
    import sys

    from symbound.errors import UsageError

    try:
        usable = sys.stdin is not None and not sys.stdin.closed and os.fstat(0) is not None
    except (OSError, ValueError):
        usable = False
    if not usable:
        raise UsageError(
            "symbound repl reads Python from standard input, which is closed; run it in a "
            "terminal or pipe code into it"
        )
    SymboundConsole(namespace()).interact(banner=BANNER, exitmsg="")

r"""The one place for symbound's notation.

Every symbol that a bound may use is defined here, with the assumptions SymPy
needs (``positive``, ``integer``) and the name a paper typesets.  Derivations
import these symbols instead of creating their own, so that ``eta`` in one lemma is
the same object as ``eta`` in the next and composed bounds simplify.

======  ==========================================  =====================
symbol  meaning                                     assumptions
======  ==========================================  =====================
eta     weight bound :math:`\eta`                   positive
phi0    input bound :math:`\varphi_0`               positive
H       heads per layer                             positive integer
L       layers (depth)                              positive integer
n       tokens (rows of X)                          positive integer
d       embedding width (columns of X)              positive integer
beta    logit normalisation :math:`\beta`           positive
kappa   bound on :math:`\|W_Q W_K^\top\|_{\max}`    positive
theta   logit spread within a row :math:`\theta`    positive
eps     perturbation size :math:`\varepsilon`      positive
tau     target accuracy :math:`\tau`                positive
t       entrywise logit perturbation                positive
a       a logit                                     real
phi     a bound on :math:`\|X\|` (one layer)        positive
rho     a bound on :math:`\|\mathrm{Res}(X)\|`       positive
ell     a layer index :math:`\ell`                  non-negative integer
gamma   Dong et al.'s attention constant :math:`\gamma` positive
======  ==========================================  =====================

>>> from symbound.notation import eta, H, to_latex
>>> to_latex(2 * eta * (1 + H * eta))
'2 \\eta \\left(H \\eta + 1\\right)'
>>> H.is_integer, eta.is_positive
(True, True)
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp
from mpmath.libmp import prec_to_dps
from sympy.printing.str import StrPrinter

__all__ = [
    "DOMAINS",
    "LATEX_NAMES",
    "SYMBOLS",
    "TEXT_NAMES",
    "H",
    "L",
    "a",
    "as_expr",
    "beta",
    "d",
    "domain_text",
    "ell",
    "eps",
    "eta",
    "g",
    "gamma",
    "kappa",
    "n",
    "phi",
    "phi0",
    "rho",
    "t",
    "tau",
    "theta",
    "to_latex",
    "to_text",
]

eta = sp.Symbol("eta", positive=True)
phi0 = sp.Symbol("phi0", positive=True)
H = sp.Symbol("H", positive=True, integer=True)
L = sp.Symbol("L", positive=True, integer=True)
n = sp.Symbol("n", positive=True, integer=True)
d = sp.Symbol("d", positive=True, integer=True)
beta = sp.Symbol("beta", positive=True)
kappa = sp.Symbol("kappa", positive=True)
theta = sp.Symbol("theta", positive=True)
eps = sp.Symbol("eps", positive=True)
tau = sp.Symbol("tau", positive=True)
t = sp.Symbol("t", positive=True)
a = sp.Symbol("a", real=True)
phi = sp.Symbol("phi", positive=True)
rho = sp.Symbol("rho", positive=True)
ell = sp.Symbol("ell", integer=True, nonnegative=True)
gamma = sp.Symbol("gamma", positive=True)

#: Every symbol of the notation, by its (ASCII) name; instance keys use these names.
SYMBOLS: dict[str, sp.Symbol] = {
    s.name: s
    for s in (eta, phi0, H, L, n, d, beta, kappa, theta, eps, tau, t, a, phi, rho, ell, gamma)
}

#: Each symbol's domain (the regime solver and the expression parser check values against it).
DOMAINS: dict[sp.Symbol, sp.Set] = {
    **{
        s: sp.Interval.open(0, sp.oo)
        for s in (eta, phi0, beta, kappa, theta, eps, tau, t, phi, rho, gamma)
    },
    H: sp.Range(1, sp.oo),
    n: sp.Range(1, sp.oo),
    d: sp.Range(1, sp.oo),
    L: sp.Range(0, sp.oo),
    ell: sp.Range(0, sp.oo),
    a: sp.Reals,
}

#: How a paper typesets each symbol (``sympy.latex(..., symbol_names=LATEX_NAMES)``).
LATEX_NAMES: dict[sp.Symbol, str] = {
    eta: r"\eta",
    phi0: r"\varphi_0",
    H: "H",
    L: "L",
    n: "n",
    d: "d",
    beta: r"\beta",
    kappa: r"\kappa",
    theta: r"\theta",
    eps: r"\varepsilon",
    tau: r"\tau",
    t: "t",
    a: "a",
    phi: r"\varphi",
    rho: r"\rho",
    ell: r"\ell",
    gamma: r"\gamma",
}

#: Unicode names for one-line plain-text statements.
TEXT_NAMES: dict[sp.Symbol, str] = {
    eta: "η",
    phi0: "φ₀",
    beta: "β",
    kappa: "κ",
    theta: "θ",
    eps: "ε",
    tau: "τ",
    phi: "φ",
    rho: "ρ",
    ell: "ℓ",
    gamma: "γ",
}


class g(sp.Function):
    r"""The softmax-perturbation function :math:`g(x) = e^x - 1`.

    Source: the design card names "the g-function (softmax perturbation)";
    ``g(x) = e^x - 1`` is the reconstruction of paper-math.md §4.5 (exp
    perturbation :math:`|e^{a+x} - e^a| \le g(|x|)\,e^a`).  Kept as its own
    function so that statements print as the paper writes them and numerical
    backends evaluate it as ``expm1`` (no cancellation for small ``x``).

    >>> g(2 * t).rewrite(sp.exp)
    exp(2*t) - 1
    >>> g(0)
    0
    >>> g(sp.Rational(1, 2)).evalf(20)
    0.64872127070012814685
    """

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x == 0:
            return sp.S.Zero
        return None

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return sp.exp(x) - 1

    def _eval_evalf(self, prec):
        return (sp.exp(self.args[0]) - 1).evalf(prec_to_dps(prec))

    def _eval_is_positive(self):
        return self.args[0].is_positive

    def _latex(self, printer):
        return rf"g\left({printer._print(self.args[0])}\right)"


_TEXT_BY_NAME = {s.name: text for s, text in TEXT_NAMES.items()}
_LATEX_BY_NAME = {s.name: tex for s, tex in LATEX_NAMES.items()}


class _TextPrinter(StrPrinter):
    def _print_Symbol(self, expr):  # by name: a plain real ``eta`` prints as η too
        return _TEXT_BY_NAME.get(expr.name, expr.name)


def as_expr(value) -> sp.Expr:
    """A SymPy expression from a SymPy object or an exact number; text is refused.

    ``sympify`` evaluates Python code in strings, so symbound never passes text to it.

    >>> as_expr(3), as_expr(eps / 2)
    (3, eps/2)
    >>> as_expr("__import__('os').system('true')")
    Traceback (most recent call last):
      ...
    TypeError: expected a SymPy expression or a number, got str; text is never evaluated
    """
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise TypeError(
            f"expected a SymPy expression or a number, got {type(value).__name__}; "
            "text is never evaluated"
        )
    q = Fraction(value)
    return sp.Rational(q.numerator, q.denominator)


def domain_text(domain: sp.Set) -> str:
    """A parameter domain in plain text.

    >>> domain_text(sp.Range(1, sp.oo)), domain_text(sp.Interval.open(0, sp.oo))
    ('{1, 2, 3, ...}', '(0, ∞)')
    """
    if domain == sp.Reals:
        return "ℝ"
    if isinstance(domain, sp.Range) and domain.step == 1 and domain.sup is sp.oo:
        lo = int(domain.inf)
        return f"{{{lo}, {lo + 1}, {lo + 2}, ...}}"
    if isinstance(domain, sp.Interval):
        left = "(" if domain.left_open else "["
        right = ")" if domain.right_open else "]"
        ends = [
            "∞" if e is sp.oo else "-∞" if e is sp.S.NegativeInfinity else str(e)
            for e in (domain.inf, domain.sup)
        ]
        return f"{left}{ends[0]}, {ends[1]}{right}"
    return str(domain)


def to_latex(expr: sp.Basic) -> str:
    r"""LaTeX of a SymPy expression in the paper's notation.

    >>> to_latex(g(2 * t))
    'g\\left(2 t\\right)'
    """
    names = {s: _LATEX_BY_NAME[s.name] for s in expr.atoms(sp.Symbol) if s.name in _LATEX_BY_NAME}
    return sp.latex(expr, symbol_names=names)


def to_text(expr: sp.Basic) -> str:
    """One-line plain-text (Unicode) form of a SymPy expression.

    >>> to_text(2 * eps * (1 - 1 / n))
    '2*ε*(1 - 1/n)'
    """
    return _TextPrinter().doprint(expr)

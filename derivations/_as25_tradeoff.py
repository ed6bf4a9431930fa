r"""The expressivity--complexity trade-off of Alman & Song 2025, as it can be computed.

The paper's argument: small weights make attention fast (Alman & Song 2023: with
entries of :math:`Q, K, V` bounded by :math:`B = o(\sqrt{\log n})` and
:math:`d = O(\log n)`, :math:`\mathrm{Att} = D^{-1}\exp(QK^\top/d)V` has an
:math:`n^{1+o(1)}` approximation), and small weights collapse the network to one
layer.  Neither statement has a finite-size threshold, so the comparison here is
nominal and says so: per row :math:`(n, d)` it puts the :math:`\eta` at which the
entries reach :math:`B = \sqrt{\ln n}` exactly beside the certified largest
:math:`\eta` at which the composed N3 bound is within :math:`\tau` of one layer,
under both logit scalings:

- :math:`\beta = d`, AS23's own :math:`\exp(QK^\top/d)`: with :math:`Q = XW_Q`
  (entries of :math:`X` at most 1, of :math:`W_Q` at most :math:`\eta`) the entries
  are at most :math:`d\eta`, so :math:`B = d\eta`;
- :math:`\beta = \sqrt d`, the usual transformer scaling:
  :math:`QK^\top/\sqrt d = (d^{1/4}Q)(d^{1/4}K)^\top/d`, so in AS23's form
  :math:`B = d^{5/4}\eta`.

>>> from symbound.notation import d, n
>>> [s.label for s in tradeoff(_demo_bound()).scalings]
['beta = sqrt(d)', 'beta = d (AS23)']
"""

from __future__ import annotations

import sympy as sp

from symbound.appendix.spec import Scaling, ThresholdComparison
from symbound.compose import ComposedBound
from symbound.notation import beta, d, eta, kappa, n, phi0

__all__ = ["tradeoff"]

#: the rows: d = 8 and 16 reach d <= log2 n inside the range of n, 64 and 128 do not
DIMENSIONS = (8, 16, 64, 128)
LOG2_N = (8, 10, 12, 14, 16, 18, 20)

CAPTION = (
    "Entrywise reading: entries of X at most 1 (so phi0 = ||X|| <= d as a row sum) and of "
    "every weight matrix at most eta. Computed per row and scaling: eta_fast, the eta at which "
    "the entries of AS23's Q and K reach B = sqrt(ln n) exactly -- a nominal boundary of "
    "AS23's regime B = o(sqrt(log n)) (the constant 1 is ours; the theorem is asymptotic and "
    "gives no threshold at any finite n); eta_collapse, the certified bracket [lo, hi] of the "
    "largest eta at which the composed N3 bound on ||S(X) - S'(X)|| at L = H = 12 is at most "
    "tau phi0 = d/10 (N3's row-sum bounds read with eta_V = d eta, kappa = d eta^2, phi0 = d), "
    "printed as lo rounded down; covers: 'yes' if eta_fast <= lo (proved: the bound puts every "
    "eta below eta_fast within tau of one layer), 'no' if eta_fast > hi (proved: at every eta "
    "between hi and eta_fast, below the nominal threshold, the bound exceeds tau, so it does "
    "not show collapse there), else 'undecided'. A 'no' says the bounds here do not close the "
    "argument 'weights small enough for fast attention collapse the network' at these sizes; "
    "it does not say that such networks fail to collapse (the bound is only an upper bound; "
    "the experiments section measures the distances), nor that they allow fast attention."
)


def _entrywise(collapse: ComposedBound, scale: sp.Expr, name: str) -> ComposedBound:
    return collapse.substitute(
        {eta: d * eta, kappa: d * eta**2, phi0: d, beta: scale},
        key=f"as25.collapse-L.entrywise.{name}",
        title=f"Distance to one layer, all weight entries at most eta, beta = {scale}",
    )


def tradeoff(collapse: ComposedBound) -> ThresholdComparison:
    """The trade-off table of the appendix, from the composed N3 bound ``collapse``."""
    return ThresholdComparison(
        key="tradeoff",
        title="Expressivity against complexity: a nominal fast-attention threshold against "
        "the certified collapse bracket",
        caption=CAPTION,
        rows=tuple({"n": 2**e, "d": dim} for dim in DIMENSIONS for e in LOG2_N),
        threshold_label="eta_fast",
        scalings=(
            Scaling(
                "beta = sqrt(d)",
                sp.sqrt(sp.log(n)) / d ** sp.Rational(5, 4),
                _entrywise(collapse, sp.sqrt(d), "sqrt-d"),
                "The usual transformer scaling: the logits are QK^T/sqrt(d) = "
                "(d^(1/4) Q)(d^(1/4) K)^T/d, so in AS23's form the entries are at most "
                "d^(5/4) eta and B = d^(5/4) eta.",
            ),
            Scaling(
                "beta = d (AS23)",
                sp.sqrt(sp.log(n)) / d,
                _entrywise(collapse, d, "d"),
                "AS23's exp(QK^T/d): Q = X W_Q and K = X W_K have entries at most d eta, "
                "so B = d eta.",
            ),
        ),
        bound_values={"H": 12, "L": 12},
        tau=sp.Rational(1, 10) * d,
        regime=sp.Le(2**d, n),
        regime_label="d <= log2 n (2^d <= n), a nominal reading of AS23's hypothesis "
        "d = O(log n) with constant 1 (ours); the unmarked rows are outside it at that "
        "constant.",
    )


def _demo_bound() -> ComposedBound:
    from symbound.compose import Recurrence

    return ComposedBound(
        "demo", "demo", "demo", Recurrence(1 + eta, 0, phi0 * kappa / beta), (), uses=()
    )

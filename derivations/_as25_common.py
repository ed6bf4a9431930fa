r"""What the Alman & Song 2025 modules share: where statements come from, the search
ranges, the parameters most lemmas use, and self-attention as the lemmas state it.

The paper's full text is not available, so four kinds of source are cited, and a
citation says which (``primary=True`` only for the paper itself):

- the paper (its statements as reviewers quote them, or our readings of it);
- the reference notes, ``shared/reference/paper-math.md``, which prove the
  replacement mathematics;
- the project's design card, whose formulas (:math:`\varepsilon_\ell`,
  :math:`\varepsilon_0`, a constant :math:`K`) also appear in seed 003, an
  AI-generated summary of the paper, and in no text of the paper that could be read;
- seed 003 itself, for the forms it gives (Lemma 5.1 as
  :math:`\|\mathrm{Res}(\mathrm{SAtt}(X))\| \le K \|\mathrm{Res}(X)\|`).

>>> norm_of("X", "max").text
'‖X‖_max'
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from symbound.lemmas.model import Form, Lemma, Parameter, Provenance, Quantity, Variable
from symbound.notation import H, a, beta, d, eps, eta, kappa, n, phi, rho, t, theta
from symbound.numeric import max_norm, row_sum_norm

PAPER = "Alman & Song 2025 (arXiv:2505.16284)"
NOTES = "symbound reference notes (shared/reference/paper-math.md)"
DESIGN_CARD = (
    "the project's design card, and seed 003 (an AI-generated summary of arXiv:2505.16284, "
    "shared/seeds/003_e1479e707ddd2237.txt)"
)
SUMMARY = (
    "seed 003, an AI-generated summary of arXiv:2505.16284 (shared/seeds/003_e1479e707ddd2237.txt)"
)

#: Ranges the search explores for the real parameters built from the vector.
T_MAX = 4
THETA_MAX = 4
A_MAX = 30

# -- parameters -------------------------------------------------------------------

_n = Parameter(n, sp.Range(1, sp.oo), "tokens (rows)", search=(2, 6))
_n2 = Parameter(n, sp.Range(2, sp.oo), "tokens (rows), at least 2", search=(2, 6))
_d = Parameter(d, sp.Range(1, sp.oo), "columns", search=(1, 3))
_eps = Parameter(eps, sp.Interval.open(0, sp.oo), "entrywise perturbation size")
_t = Parameter(t, sp.Interval.open(0, sp.oo), "entrywise logit perturbation", search=(0, T_MAX))
_theta = Parameter(
    theta, sp.Interval.open(0, sp.oo), "logit spread within a row", search=(0, THETA_MAX)
)
_a = Parameter(a, sp.Reals, "a logit", search=(-A_MAX, A_MAX))
_phi = Parameter(phi, sp.Interval.open(0, sp.oo), "a bound on ||X||, ||B|| (row-sum)")
_kappa = Parameter(kappa, sp.Interval.open(0, sp.oo), "a bound on ||M||_max, M = W_Q W_K^T")
_eta = Parameter(eta, sp.Interval.open(0, sp.oo), "a bound on the value weights")
_beta = Parameter(beta, sp.Interval.open(0, sp.oo), "logit normalisation")
_rho = Parameter(rho, sp.Interval.open(0, sp.oo), "a bound on ||Res(X)|| (row-sum)")
_theta_spread = Parameter(theta, sp.Interval.open(0, sp.oo), "the logit spread within a row")
#: sizes for the claims about a removed layer (H heads) and the layer after it
_H3 = Parameter(H, sp.Range(1, sp.oo), "heads of the removed layer", search=(1, 3))
_n_small = Parameter(n, sp.Range(1, sp.oo), "tokens (rows)", search=(2, 4))
_d_small = Parameter(d, sp.Range(1, sp.oo), "columns", search=(1, 2))

_A = Variable("A", ("n", "d"), "a matrix", "A")
_B = Variable("B", ("n", "d"), "a matrix within eps of A", "B")

# -- quantities and self-attention ---------------------------------------------------


def norm_of(name: str, norm: str = "row-sum") -> Quantity:
    """The row-sum norm (``norm="row-sum"``) or the largest entry (``"max"``) of a variable."""
    if norm == "row-sum":
        return Quantity(
            f"‖{name}‖_∞",
            rf"\|{name}\|_{{\infty}}",
            lambda inst, B: row_sum_norm(B.asarray(inst[name]), backend=B),
        )
    return Quantity(
        f"‖{name}‖_max",
        rf"\|{name}\|_{{\max}}",
        lambda inst, B: max_norm(B.asarray(inst[name]), backend=B),
    )


def satt(x, M, V, beta_, B):
    """SAtt(X) = softm(X M X^T / beta) X V, with M = W_Q W_K^T (realised as W_Q = M, W_K = I)."""
    from symbound.numeric import Head, attention_head

    eye = B.asarray(np.broadcast_to(np.eye(np.shape(M)[-1], dtype=np.int64), np.shape(M)))
    return attention_head(x, Head(W_Q=M, W_K=eye, W_V=V), beta=beta_, backend=B)


def corrected(of: Lemma, **changes) -> Lemma:
    """A correction of ``of`` proved in the notes: ``of``'s setting, with ``changes``
    (a key, a title, the notes' citation, the true conclusion, ...).

    >>> from symbound import load_catalogue
    >>> fixed = load_catalogue()["as25.lemma4.1.corrected"]
    >>> fixed.corrects, fixed.form.value, fixed.provenance.value
    ('as25.lemma4.1', 'corrected', 'proved here')
    """
    return of.variant(
        provenance=Provenance.PROVED_HERE, form=Form.CORRECTED, corrects=of.key, **changes
    )

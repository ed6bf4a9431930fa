r"""Alman & Song 2023, "Fast Attention Requires Bounded Entries" (NeurIPS 2023,
arXiv:2302.13214).

The theorem is asymptotic (a sharp transition at :math:`B = \Theta(\sqrt{\log n})` for
approximating attention in almost-linear time), so no evaluation can check it: it is
recorded as a remark.  What is checkable is the link to weight bounds that the
trade-off table uses: with :math:`Q = XW_Q`, entries of :math:`X` at most
:math:`\varphi` and of :math:`W_Q` at most :math:`\eta`, every entry of :math:`Q` is at
most :math:`B = d\varphi\eta` (paper-math.md §9.2, reconstructed).

>>> ENTRY_BOUND.conclusion.text
'‖X W‖_max ≤ d*η*φ'
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from symbound.lemmas.experiment import Remark
from symbound.lemmas.model import (
    Choice,
    Citation,
    Form,
    Inequality,
    Lemma,
    Parameter,
    Provenance,
    Quantity,
    Variable,
)
from symbound.lemmas.space import InstanceSpace, Reader, positive, unit_box
from symbound.notation import d, eta, n, phi
from symbound.numeric import max_norm

PAPER = "Alman & Song 2023 (NeurIPS, arXiv:2302.13214)"
NOTES = "symbound reference notes (shared/reference/paper-math.md)"


def _entries(z, sizes, backend):
    r = Reader(z)
    phi_, eta_ = positive(r.scalar()), positive(r.scalar())
    X = np.asarray(phi_)[..., None, None] * unit_box(r.array(sizes["n"], sizes["d"]))
    W = np.asarray(eta_)[..., None, None] * unit_box(r.array(sizes["d"], sizes["d"]))
    return {"phi": phi_, "eta": eta_, "X": X, "W": W}


def _product_max(inst, B):
    return max_norm(B.matmul(B.asarray(inst["X"]), B.asarray(inst["W"])), backend=B)


def _entry_max(name):
    return Quantity(
        f"‖{name}‖_max",
        rf"\|{name}\|_{{\max}}",
        lambda inst, B: max_norm(B.asarray(inst[name]), backend=B),
    )


ENTRY_BOUND = Lemma(
    key="as23.entry-bound",
    title="Queries from bounded weights have bounded entries, B = d phi eta",
    citation=Citation(
        PAPER,
        "the bounded-entries hypothesis Q, K in [-B, B]^(n x d) with "
        "Q = X W_Q; the relation B <= d phi eta is reconstructed (paper-math.md "
        "§9.2)",
        primary=True,
    ),
    provenance=Provenance.RECONSTRUCTED,
    form=Form.READING,
    parameters=(
        Parameter(n, sp.Range(1, sp.oo), "tokens", search=(1, 3)),
        Parameter(d, sp.Range(1, sp.oo), "width", search=(1, 4)),
        Parameter(phi, sp.Interval.open(0, sp.oo), "a bound on the entries of X"),
        Parameter(eta, sp.Interval.open(0, sp.oo), "a bound on the entries of W_Q"),
    ),
    variables=(Variable("X", ("n", "d"), "the input", "X"), Variable("W", ("d", "d"), "W_Q", "W")),
    hypotheses=(Inequality(_entry_max("X"), phi), Inequality(_entry_max("W"), eta)),
    conclusion=Inequality(Quantity("‖X W‖_max", r"\|X W\|_{\max}", _product_max), d * phi * eta),
    norm="entrywise max norm",
    space=InstanceSpace(
        dimension=lambda s: 2 + s["n"] * s["d"] + s["d"] ** 2,
        build=_entries,
        description="phi, eta = positive(z); X = phi * clip(z); W = eta * clip(z')",
    ),
    reading=(
        Choice(
            "B",
            "the largest entry of Q = X W_Q, for inputs X with entries at most φ and weights "
            "W_Q with entries at most η (the trade-off table's link to weights)",
        ),
    ),
    tightness="attained: X and W with all entries +-phi, +-eta and matching signs",
)

THRESHOLD = Remark(
    key="as23.threshold",
    title="Fast attention requires bounded entries",
    citation=Citation(
        PAPER,
        "main theorem as the abstract states it (quoted verbatim in paper-math.md §9.2); "
        "paraphrased here",
        primary=True,
    ),
    provenance=Provenance.PARAPHRASE,
    statement=(
        "If d = O(log n) and B = o(sqrt(log n)), Att(Q, K, V) can be approximated to 1/poly(n) "
        "additive error in n^(1+o(1)) time; if B = Theta(sqrt(log n)), no truly subquadratic "
        "algorithm exists under SETH."
    ),
    unchecked_because=(
        "asymptotic statement about running time; the trade-off table uses B = sqrt(ln n) as a "
        "nominal boundary (constant 1 is our choice, not the theorem's)"
    ),
)

NOTE_GRADIENT = Remark(
    key="as24.gradient-threshold",
    title="The same threshold for the gradient of one attention layer",
    citation=Citation(
        "Alman & Song 2024 (NeurIPS, arXiv:2402.04497)",
        "abstract, paraphrased (quoted verbatim in paper-math.md §9.3, where the exact form "
        "of the threshold is itself a paraphrase)",
        primary=True,
    ),
    provenance=Provenance.PARAPHRASE,
    statement="The gradient of a one-layer attention loss has the same almost-linear versus "
    "quadratic transition as the forward pass.",
    unchecked_because="asymptotic running-time statement",
)

LEMMAS = (ENTRY_BOUND,)
REMARKS = (THRESHOLD, NOTE_GRADIENT)

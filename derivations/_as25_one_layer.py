r"""The title's claim, measured: do large weights prevent layer collapse?

Alman & Song 2025's title says only large weights prevent the perils of rank
collapse; its abstract calls the peril *layer collapse*, "the entire network can be
approximated well by a network with only a single layer".  N3 (paper-math.md §7)
proves the small-weight direction with one particular single layer; nothing here or
in the paper proves the large-weight direction, so the appendix measures it
(:mod:`symbound.empirical.onelayer`): the best one-layer network an optimiser finds,
against depth and weight size, on held-out inputs.

>>> ONE_LAYER.depths, ONE_LAYER.eta_range
((2, 4, 8), ('1/100', '1'))
"""

from __future__ import annotations

from symbound.empirical.onelayer import OneLayerStudy

__all__ = ["ONE_LAYER"]

ONE_LAYER = OneLayerStudy(
    key="one-layer",
    title="Do large weights prevent collapse? The best one-layer approximation found",
    caption=(
        "Random residual self-attention networks S as in the sweep above (every entry of W_Q, "
        "W_K, W_V at most η, β the square root of d), each approximated by a one-layer residual "
        "network S′ with H heads whose weights are all free (each head's logit matrix and value "
        "matrix any d × d matrices), fitted by least squares on training inputs (SciPy's "
        "Levenberg-Marquardt, analytic Jacobian) from the identity, the N3 surrogate, the "
        "previous η's best fit and seeded random starts. Plotted and tabulated: the largest "
        "‖S(X) − S′(X)‖/‖X‖ (row-sum norms) over held-out inputs for the best fit (solid), for "
        "the N3 uniform-attention surrogate (dashed) and for the identity S′ = I (dotted), and "
        "their ratio best/identity: the share of what the network does to its input that the "
        "best single layer found does not reproduce."
    ),
)

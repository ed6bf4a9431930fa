r"""Certified verdicts over parameter boxes: prove, refute, or say what is missing.

- :mod:`~symbound.prove.claim` -- :class:`Box` and :class:`ScalarClaim` (``lhs <= rhs``
  for every point of a box), the catalogue's provable claims;
- :mod:`~symbound.prove.interval` -- interval enclosures of SymPy expressions with
  exact Arb endpoints;
- :mod:`~symbound.prove.reduce` -- symbolic reductions: ``(1+x)^k <= e^{kx}`` and
  composite variables such as ``t = L H eta``;
- :mod:`~symbound.prove.bnb` -- branch and bound (enclosures, monotone faces,
  mean-value forms, integer-aware splits);
- :mod:`~symbound.prove.prover` -- :func:`prove`: the verdict and its certificate;
- :mod:`~symbound.prove.recheck` -- :func:`recheck`: the certificate re-verified in exact
  rational arithmetic (:mod:`~symbound.prove.rational_enclosure`), every reduction and
  derivative re-derived from the claim.
"""

from symbound.prove.claim import Box, ScalarClaim
from symbound.prove.prover import Proof, prove, prove_claim
from symbound.prove.recheck import RecheckResult, recheck, recheck_file

__all__ = [
    "Box",
    "Proof",
    "RecheckResult",
    "ScalarClaim",
    "prove",
    "prove_claim",
    "recheck",
    "recheck_file",
]

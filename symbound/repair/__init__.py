r"""Repair a refuted claim: the tight constant or the exact hypothesis it needs, certified
from both sides.

>>> from symbound.repair import repair
>>> r = repair("as25.lemma4.1", samples=300)
>>> r
Repair(as25.lemma4.1: repaired, constant; c* = 2; c* in [2, 2]; repaired claim survived)

- :mod:`~symbound.repair.engine` -- :func:`repair`, which decides what kind of repair
  applies;
- :mod:`~symbound.repair.constant` -- the constant :math:`c^*` bracketed by certified
  witnesses (below) and searches (above), and the reading that refuses a constant;
- :mod:`~symbound.repair.growth` -- a constant that depends on a size: a closed form
  in it, or a missing factor;
- :mod:`~symbound.repair.threshold` -- the hypothesis: a parameter's threshold;
- :mod:`~symbound.repair.scalar` -- scalar claims, proved on the holding side;
- :mod:`~symbound.repair.identify` -- closed forms (pslq, rational interpolation);
- :mod:`~symbound.repair.variants` -- the claims a repair checks, and the repaired entry;
- :mod:`~symbound.repair.result` -- :class:`Repair`, :class:`Bound`.
"""

from symbound.repair.engine import repair
from symbound.repair.result import EXIT, Bound, Repair

__all__ = ["EXIT", "Bound", "Repair", "repair"]

r"""Numeric backends: one interface, four kinds of number.

Every function of the numeric core takes a ``backend`` keyword and does all its
arithmetic through it (see :mod:`~symbound.numeric.backends.base`).

=====================  =========================  ==========================
backend                numbers                    guarantee
=====================  =========================  ==========================
:class:`Float64Backend`  IEEE double               none (fast screening)
:class:`MpmathBackend`   ``mpf`` at ``dps`` digits  high precision, not rigorous
:class:`ExactBackend`    ``fractions.Fraction``     exact; refuses ``exp``
:class:`ArbBackend`      python-flint ``arb`` balls rigorous enclosures
=====================  =========================  ==========================

One module each (``float64``, ``mpmath``, ``exact``, ``arb``), over ``base`` (the
abstract backend and the optional fused kernels) and ``registry`` (by name).
Precision is an explicit argument and never a mutated global: the mpmath backend
owns a private ``mpmath.MPContext`` at its precision, and the Arb backend sets
python-flint's precision only inside :meth:`AbstractBackend.scope`.
"""

from symbound.numeric.backends.arb import ArbBackend, ball_endpoints
from symbound.numeric.backends.base import AbstractBackend, FusedHead, FusedSoftmax, to_fraction
from symbound.numeric.backends.exact import ExactBackend
from symbound.numeric.backends.float64 import Float64Backend
from symbound.numeric.backends.mpmath import MpmathBackend
from symbound.numeric.backends.registry import BACKENDS, get_backend

__all__ = [
    "BACKENDS",
    "AbstractBackend",
    "ArbBackend",
    "ExactBackend",
    "Float64Backend",
    "FusedHead",
    "FusedSoftmax",
    "MpmathBackend",
    "ball_endpoints",
    "get_backend",
    "to_fraction",
]

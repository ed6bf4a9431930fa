r"""Instance spaces: every instance of a lemma from one unconstrained vector.

A lemma's hypotheses are built into the map from :math:`z \in \mathbb R^m` to an
instance, so that *every* ``z`` gives an instance satisfying them.  The search can
then sample ``z`` freely and optimise over it with an unconstrained optimiser, and
the witness of a refutation is rebuilt from an exact rational ``z`` in exact
arithmetic, so its hypotheses hold exactly.

The maps below use only ``+ - * /``, ``abs`` and comparisons, so they work on
float64 arrays (batches: leading axes) and on object arrays of ``Fraction``
alike, and are exact on rationals:

==================  ============================  ====================================
map                 image                         use
==================  ============================  ====================================
:func:`unit_box`    :math:`[-1, 1]` (onto)        perturbations of size at most 1
:func:`positive`    :math:`(0, \infty)` (onto)    radii, scales; ``positive(0) = 1``
:func:`open_unit`   :math:`(0, 1)` (onto)         parameters in a bounded open range
:func:`row_ball`    rows with :math:`\ell_1 \le r`  matrices with row-sum norm <= r
==================  ============================  ====================================

>>> import numpy as np
>>> from fractions import Fraction as F
>>> positive(np.array([F(-1), F(0), F(2)], dtype=object)).tolist()
[Fraction(1, 2), Fraction(1, 1), Fraction(3, 1)]
>>> unit_box(np.array([-3.0, 0.25, 7.0])).tolist()
[-1.0, 0.25, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "InstanceSpace",
    "Reader",
    "default_sampler",
    "expand",
    "open_unit",
    "positive",
    "row_ball",
    "unit_box",
]


def unit_box(z):
    """Clip to :math:`[-1, 1]`: onto, so the search reaches the boundary exactly."""
    return np.minimum(np.maximum(z, -1), 1)


def expand(value, ndim: int):
    """A scalar, or a batch of scalars, shaped to broadcast against arrays of ``ndim`` axes."""
    value = np.asarray(value)
    return value.reshape(value.shape + (1,) * (ndim - value.ndim)) if value.ndim else value[()]


def row_ball(z, radius=1):
    r"""Scale each row (last axis) into the :math:`\ell_1` ball of ``radius``: onto, rational.

    A row with :math:`\|z_i\|_1 \le 1` becomes ``radius * z_i``; a longer one is
    scaled to length ``radius``.  So a matrix comes out with row-sum norm at most
    ``radius`` (``radius`` may be a batch of scalars).

    >>> import numpy as np
    >>> from fractions import Fraction as F
    >>> row_ball(np.array([[F(1), F(-3)], [F(1, 4), F(1, 4)]], dtype=object), 2).tolist()
    [[Fraction(1, 2), Fraction(-3, 2)], [Fraction(1, 2), Fraction(1, 2)]]
    """
    length = np.sum(np.abs(z), axis=-1, keepdims=True)
    return z / np.maximum(length, 1) * expand(radius, np.ndim(z))


def positive(z):
    r""":math:`1 + z` for :math:`z \ge 0`, :math:`1/(1 - z)` for :math:`z < 0`: a rational
    bijection :math:`\mathbb R \to (0, \infty)`, continuous with slope 1 at 0."""
    return np.where(np.asarray(z) >= 0, 1 + z, 1 / (1 - np.minimum(z, 0)))


def open_unit(z):
    r""":math:`\tfrac12 + z / (2(1 + |z|))`: a rational bijection :math:`\mathbb R \to (0, 1)`."""
    return (1 + z / (1 + np.abs(z))) / 2


class Reader:
    """Cut an unconstrained vector into named pieces (leading axes are a batch).

    >>> import numpy as np
    >>> r = Reader(np.arange(7.0))
    >>> float(r.scalar()), r.array(2, 3).tolist(), r.used
    (0.0, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], 7)
    """

    def __init__(self, z):
        self.z = z
        self.used = 0

    def array(self, *shape: int):
        size = int(math.prod(shape))
        part = self.z[..., self.used : self.used + size]
        if part.shape[-1] != size:
            raise ValueError(f"vector of length {self.z.shape[-1]} is too short for the instance")
        self.used += size
        return part.reshape(tuple(self.z.shape[:-1]) + tuple(shape))

    def scalar(self):
        return self.array()


def default_sampler(rng: np.random.Generator, dim: int, count: int) -> np.ndarray:
    """Unconstrained vectors at many scales, a fifth of them rounded to integers.

    Each row is standard normal times a scale drawn log-uniformly from
    :math:`[0.1, 30]`; integer rows make simple witnesses easy to find.
    """
    scales = np.exp(rng.uniform(np.log(0.1), np.log(30.0), size=(count, 1)))
    z = rng.standard_normal((count, dim)) * scales
    rounded = rng.random(count) < 0.2
    z[rounded] = np.round(z[rounded] / np.minimum(scales[rounded], 3.0))
    return z


@dataclass(frozen=True)
class InstanceSpace:
    """How instances of a lemma are produced.

    - ``dimension(sizes)``: length of the unconstrained vector for integer sizes;
    - ``build(z, sizes, backend)``: the instance (a dict of parameter values and
      arrays) for ``z`` (shape ``(..., dimension)``); it must satisfy the lemma's
      hypotheses for every ``z`` and use only rational operations, so that a
      rational ``z`` gives an exact instance;
    - ``sample(rng, dim, count)``: starting vectors for the search.
    - ``description``: one line on how instances are made, for ``symbound show``;
    - ``ends_open(name)`` (optional): whether a real parameter's range is open at each
      end, ``(left, right)``, or None; without it a real parameter's search range is
      reported open (nothing says the space produces its ends).
    """

    dimension: Callable[[Mapping[str, int]], int]
    build: Callable[[Any, Mapping[str, int], Any], dict[str, Any]]
    description: str
    sample: Callable[[np.random.Generator, int, int], np.ndarray] = default_sampler
    ends_open: Callable[[str], tuple[bool, bool] | None] | None = None

"""The exact backend: rational arithmetic with :class:`fractions.Fraction`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from symbound.errors import NotExactError
from symbound.numeric.backends.base import AbstractBackend, to_fraction

__all__ = ["ExactBackend"]


@dataclass(frozen=True)
class ExactBackend(AbstractBackend):
    """Exact rational arithmetic with :class:`fractions.Fraction`.

    Operations whose result is not rational (``exp``, ``sqrt``, ...) raise
    :class:`~symbound.errors.NotExactError`; the checker then falls back to Arb.

    >>> E = ExactBackend()
    >>> E.asarray([0.5, "1/3"]).tolist()
    [Fraction(1, 2), Fraction(1, 3)]
    >>> E.exp(E.number(1))
    Traceback (most recent call last):
      ...
    symbound.errors.NotExactError: exp is not rational; use the Arb backend for it
    """

    name: ClassVar[str] = "exact"
    exact: ClassVar[bool] = True
    rigorous: ClassVar[bool] = True

    def number(self, x):
        return to_fraction(x)

    def to_float(self, x):
        if isinstance(x, np.ndarray):
            return np.array([float(v) for v in x.ravel().tolist()]).reshape(x.shape)
        return np.float64(float(x))

    @staticmethod
    def _refuse(what):
        raise NotExactError(f"{what} is not rational; use the Arb backend for it")

    def exp(self, x):
        self._refuse("exp")

    def expm1(self, x):
        self._refuse("expm1")

    def log(self, x):
        self._refuse("log")

    def sqrt(self, x):
        self._refuse("sqrt")

    def tanh(self, x):
        self._refuse("tanh")

    def pi(self):
        self._refuse("pi")

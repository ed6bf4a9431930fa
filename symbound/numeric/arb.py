"""The Arb backend's old address: it lives in :mod:`symbound.numeric.backends.arb`."""

from symbound.numeric.backends.arb import COMPILED, ArbBackend

__all__ = ["COMPILED", "ArbBackend"]

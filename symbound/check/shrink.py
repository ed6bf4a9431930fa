"""Shrinking a witness: simpler rationals that still refute.

Given an exact rational vector that refutes a lemma, try to replace each coordinate
by a simpler rational (0, small integers, then dyadics and short continued-fraction
approximations), keeping a change only if the rebuilt instance still satisfies the
hypotheses and still violates the bound *rigorously*.  Deterministic: candidates
are tried in a fixed order and the search stops after a fixed budget.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

__all__ = ["shrink", "simpler_candidates"]


def _simplicity(q: Fraction) -> tuple[int, int, int]:
    return (q.denominator, abs(q.numerator), 0 if q >= 0 else 1)


def _convergents(q: Fraction, limit: int = 40) -> list[Fraction]:
    """Continued-fraction convergents of ``q`` (its best simple approximations)."""
    out = []
    h0, h1, k0, k1 = 0, 1, 1, 0
    x = q
    for _ in range(limit):
        a = math.floor(x)
        h0, h1 = h1, a * h1 + h0
        k0, k1 = k1, a * k1 + k0
        out.append(Fraction(h1, k1))
        if x == a:
            break
        x = 1 / (x - a)
    return out


def simpler_candidates(q: Fraction) -> list[Fraction]:
    """Rationals simpler than ``q`` (smaller denominator, then numerator), simplest first.

    >>> [str(c) for c in simpler_candidates(Fraction(7, 5))]
    ['0', '1', '-1', '2', '3/2', '7/5']
    >>> [str(c) for c in simpler_candidates(Fraction(-45))]  # halvings towards 0 included
    ['0', '1', '-1', '-2', '-5', '-11', '-22', '-45']
    """
    pool = {Fraction(0), Fraction(1), Fraction(-1), q}
    pool.update(Fraction(v) for v in (math.floor(q), math.ceil(q), round(q)))
    pool.update(Fraction(math.trunc(q / 2**k)) for k in range(1, 64) if abs(q) >= 2**k)
    pool.update(Fraction(round(q * 2**k), 2**k) for k in range(1, 21))
    pool.update(_convergents(q))
    target = _simplicity(q)
    return sorted((c for c in pool if _simplicity(c) <= target), key=_simplicity)


def shrink(
    z: list[Fraction], refutes: Callable[[list[Fraction]], bool], *, budget: int = 600
) -> tuple[list[Fraction], int]:
    """Simplify ``z`` coordinate by coordinate while ``refutes`` stays true.

    Returns the simplified vector and the number of ``refutes`` calls spent.
    """
    z = list(z)
    calls = 0
    for _ in range(3):
        changed = False
        for i in range(len(z)):
            for cand in simpler_candidates(z[i]):
                if cand == z[i]:
                    break
                if calls >= budget:
                    return z, calls
                trial = [*z[:i], cand, *z[i + 1 :]]
                calls += 1
                if refutes(trial):
                    z = trial
                    changed = True
                    break
        if not changed:
            break
    return z, calls

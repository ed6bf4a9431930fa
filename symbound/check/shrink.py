"""Shrinking a witness: simpler rationals that still refute.

Given an exact rational vector that refutes a lemma, try to replace each coordinate
by a simpler rational (0, small integers, then dyadics and short continued-fraction
approximations), keeping a change only if the rebuilt instance still satisfies the
hypotheses and still violates the bound *rigorously*.  Deterministic: candidates
are tried in a fixed order and the search stops after a fixed budget.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from fractions import Fraction

__all__ = ["shrink", "simpler_candidates"]


def _simplicity(num: int, den: int) -> tuple[int, int, int]:
    return (den, abs(num), 0 if num >= 0 else 1)


def _round_half_even(num: int, den: int) -> int:
    """``round(Fraction(num, den))`` (``den > 0``): nearest, ties to even."""
    floor, rem = divmod(num, den)
    twice = 2 * rem
    return floor + (twice > den or (twice == den and floor % 2 == 1))


def _convergents(num: int, den: int, limit: int = 40) -> list[tuple[int, int]]:
    """Continued-fraction convergents of ``num/den`` (its best simple approximations),
    as reduced ``(numerator, denominator)`` pairs."""
    out = []
    h0, h1, k0, k1 = 0, 1, 1, 0
    for _ in range(limit):
        a, rem = divmod(num, den)
        h0, h1 = h1, a * h1 + h0
        k0, k1 = k1, a * k1 + k0
        out.append((h1, k1))
        if not rem:
            break
        num, den = den, rem
    return out


def simpler_candidates(q: Fraction) -> list[Fraction]:
    """Rationals simpler than ``q`` (smaller denominator, then numerator), simplest first:
    0 and 1 and -1, ``q``'s integer roundings, its halvings towards 0, its dyadic
    roundings ``round(q 2^k)/2^k`` (k <= 20) and its continued-fraction convergents.

    >>> [str(c) for c in simpler_candidates(Fraction(7, 5))]
    ['0', '1', '-1', '2', '3/2', '7/5']
    >>> [str(c) for c in simpler_candidates(Fraction(-45))]  # halvings towards 0 included
    ['0', '1', '-1', '-2', '-5', '-11', '-22', '-45']
    """
    p, r = q.numerator, q.denominator  # reduced, r > 0: pairs below are reduced too
    pool = {(0, 1), (1, 1), (-1, 1), (p, r)}
    pool.update((v, 1) for v in (p // r, -(-p // r), _round_half_even(p, r)))
    size, k = abs(p), 1
    while k < 64 and size >= r << k:  # trunc(q / 2^k) while |q| >= 2^k
        t = size // (r << k)
        pool.add((t if p >= 0 else -t, 1))
        k += 1
    for k in range(1, 21):
        v = _round_half_even(p << k, r)
        common = math.gcd(v, 1 << k)
        pool.add((v // common, (1 << k) // common))
    pool.update(_convergents(p, r))
    target = _simplicity(p, r)
    kept = sorted((_simplicity(n, d), n, d) for n, d in pool if _simplicity(n, d) <= target)
    return [Fraction(n, d) for _, n, d in kept]


def shrink(
    z: list[Fraction],
    refutes: Callable[[list[Fraction]], bool],
    *,
    budget: int = 600,
    screen: Callable[[list[Fraction], int, list[Fraction]], Iterable[bool]] | None = None,
) -> tuple[list[Fraction], int]:
    """Simplify ``z`` coordinate by coordinate while ``refutes`` stays true.

    ``screen(z, i, candidates)``, if given, is a cheap necessary test of all the trials
    of one coordinate (``z`` with coordinate ``i`` replaced by each candidate; its
    answers are taken in order, so it may be a generator): where it says True the trial
    is rejected without calling ``refutes`` (it still counts as a call).  Returns the
    simplified vector and the number of calls spent.

    >>> shrink([Fraction(7, 5), Fraction(13, 4)], lambda t: t[0] + t[1] > 4)
    ([Fraction(1, 1), Fraction(4, 1)], 12)
    """
    z = list(z)
    calls = 0
    for _ in range(3):
        changed = False
        for i in range(len(z)):
            cands = list(itertools.takewhile(lambda c, zi=z[i]: c != zi, simpler_candidates(z[i])))
            tried = cands[: max(budget - calls, 0)]
            rejected = screen(z, i, tried) if screen is not None and tried else [False] * len(tried)
            for cand, out in zip(tried, rejected, strict=True):
                calls += 1
                if out:
                    continue
                trial = [*z[:i], cand, *z[i + 1 :]]
                if refutes(trial):
                    z = trial
                    changed = True
                    break
            else:
                if len(tried) < len(cands):
                    return z, calls
        if not changed:
            break
    return z, calls

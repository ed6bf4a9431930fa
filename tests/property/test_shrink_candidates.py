"""The shrinker's candidate rationals are exactly those of their definition, simplest first.

``simpler_candidates`` works on integer pairs for speed; the reference here is the
definition written plainly with ``Fraction``: 0, 1, -1, floor, ceiling and rounding of
q, trunc(q / 2^k) while |q| >= 2^k (k < 64), round(q 2^k) / 2^k (k <= 20), the
continued-fraction convergents (at most 40), those no less simple than q, sorted by
(denominator, |numerator|, sign).
"""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from symbound.check.shrink import simpler_candidates


def _reference(q: Fraction) -> list[Fraction]:
    def simplicity(c):
        return (c.denominator, abs(c.numerator), 0 if c >= 0 else 1)

    pool = {Fraction(0), Fraction(1), Fraction(-1), q}
    pool.update(Fraction(v) for v in (math.floor(q), math.ceil(q), round(q)))
    pool.update(Fraction(math.trunc(q / 2**k)) for k in range(1, 64) if abs(q) >= 2**k)
    pool.update(Fraction(round(q * 2**k), 2**k) for k in range(1, 21))
    x, h0, h1, k0, k1 = q, 0, 1, 1, 0
    for _ in range(40):
        a = math.floor(x)
        h0, h1 = h1, a * h1 + h0
        k0, k1 = k1, a * k1 + k0
        pool.add(Fraction(h1, k1))
        if x == a:
            break
        x = 1 / (x - a)
    return sorted((c for c in pool if simplicity(c) <= simplicity(q)), key=simplicity)


_RATIONALS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(Fraction),
    st.fractions(max_denominator=10**9),
    st.builds(Fraction, st.integers(-(2**80), 2**80), st.sampled_from([1, 2, 3, 2**40, 2**90])),
    st.sampled_from([Fraction(k, 2) for k in range(-9, 10)]),  # ties of the roundings
)


@settings(max_examples=600, deadline=None)
@given(_RATIONALS)
def test_candidates_are_the_definitions(q):
    got = simpler_candidates(q)
    assert got == _reference(q)
    assert all(type(c) is Fraction for c in got)

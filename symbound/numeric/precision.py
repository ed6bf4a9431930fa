r"""Precision you can trust: repeat at a higher precision, count the digits that agree.

A number computed at ``dps`` digits is only worth the digits that survive a second
evaluation at a higher precision: cancellation (``1 - 0.99999...``, ``e^{x} - 1``
for tiny ``x``, a difference of nearly equal network states) eats digits silently.
:func:`agreement` compares the two evaluations and says how many significant
digits agree; :func:`trusted_string` prints only those.

>>> import mpmath
>>> ctx50, ctx100 = mpmath.mp.clone(), mpmath.mp.clone()
>>> ctx50.dps, ctx100.dps = 50, 100
>>> a = ctx50.mpf(1) + ctx50.mpf(10) ** -45 - 1   # cancellation leaves ~5 digits
>>> b = ctx100.mpf(1) + ctx100.mpf(10) ** -45 - 1
>>> ag = agreement(a, b, dps=50)
>>> ag.digits <= 6, ag.lost_to_cancellation
(True, True)
>>> agreement(ctx50.mpf(1) / 3, ctx100.mpf(1) / 3, dps=50).digits
50
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath

__all__ = ["RESOLUTION", "Agreement", "agreement", "resolved", "trusted_string"]

#: digits a result may lose against its working precision before it is flagged
CANCELLATION_MARGIN = 10

#: a ball is resolved while its radius is at most this fraction of its midpoint
RESOLUTION = 1e-6


def resolved(ball, relative: float = RESOLUTION) -> bool:
    """Whether an Arb ball is finite and known to within ``relative`` of its midpoint
    (a zero-width ball at 0 counts as resolved).

    >>> import flint
    >>> resolved(flint.arb(1, 1e-9)), resolved(flint.arb(1, 1e-3)), resolved(flint.arb("nan"))
    (True, False, False)
    """
    return bool(ball.is_finite() and ball.rad() <= abs(ball.mid()) * relative)


@dataclass(frozen=True)
class Agreement:
    """``digits`` significant digits agree between evaluations at ``dps`` and ``check_dps``."""

    dps: int
    check_dps: int
    digits: int

    @property
    def lost_to_cancellation(self) -> bool:
        """More than :data:`CANCELLATION_MARGIN` digits lost against the working precision."""
        return self.digits < self.dps - CANCELLATION_MARGIN

    def to_dict(self) -> dict:
        return {
            "dps": self.dps,
            "check_dps": self.check_dps,
            "agreeing_digits": self.digits,
            "lost_to_cancellation": self.lost_to_cancellation,
        }

    @property
    def text(self) -> str:
        flag = " (digits lost to cancellation)" if self.lost_to_cancellation else ""
        return f"{self.digits} digits agree at {self.dps} vs {self.check_dps}{flag}"


def agreement(value, check, *, dps: int, check_dps: int | None = None) -> Agreement:
    """Significant digits shared by ``value`` (at ``dps``) and ``check`` (at ``check_dps``,
    by default ``2 dps``).

    Works for mpmath numbers of any context; infinities agree only with themselves;
    two zeros agree to ``dps`` digits.
    """
    with mpmath.workdps(4 * dps):  # scoped mp; the difference is exact at this precision
        a, b = mpmath.mpf(value), mpmath.mpf(check)
        check_dps = check_dps or 2 * dps
        if not (mpmath.isfinite(a) and mpmath.isfinite(b)):
            return Agreement(dps, check_dps, dps if a == b else 0)
        scale = max(abs(a), abs(b))
        if scale == 0 or a == b:
            return Agreement(dps, check_dps, dps)
        rel = abs(a - b) / scale
        digits = math.floor(-float(mpmath.log10(rel)))
    return Agreement(dps, check_dps, max(0, min(dps, digits)))


def trusted_string(value, ag: Agreement, *, most: int = 25) -> str:
    """``value`` printed with at most the agreeing digits (and at most ``most``).

    >>> import mpmath
    >>> trusted_string(mpmath.mpf("0.123456789"), Agreement(50, 100, 4))
    '0.1235'
    """
    digits = max(1, min(most, ag.digits))
    with mpmath.workdps(max(digits, 15) + 5):
        return mpmath.nstr(mpmath.mpf(value), digits, strip_zeros=False)

r"""Monotone structure: what proves a bound non-decreasing in :math:`\eta`, and bounds on it.

:func:`is_increasing` proves a bound non-decreasing by its syntax (sums and products of
non-negative non-decreasing parts, powers, ``exp``, ``log``, ``tanh``, ``g``).
:func:`envelope` follows the same structure to bound the bound from above or below,
replacing every power :math:`(1+u)^k` with an :math:`\eta`-free exponent by
:math:`e^{ku}` (above, :math:`k \ge 0`) or by :math:`1 + ku` (Bernoulli, below, only
where :math:`k \ge 1`, :math:`k \le 0` or :math:`k` a non-negative integer is proved:
it is false for :math:`0 < k < 1`) or :math:`1 + ku/(1+u)` (below, every
:math:`k \ge 0`).

>>> from symbound.notation import H, L, phi0
>>> is_increasing(2 * eta * phi0 * (1 + H * eta) ** L), is_increasing(1 / eta)
(True, False)
>>> envelopes(sp.sqrt(1 + eta) - 1)
(exp(eta/2) - 1, eta/(2*(eta + 1)))
"""

from __future__ import annotations

import functools

import sympy as sp

from symbound.notation import eta, g

__all__ = ["envelope", "envelopes", "is_increasing"]


# -- monotonicity -------------------------------------------------------------------


def _positive(e: sp.Expr) -> bool:
    return bool(e.is_positive)


@functools.lru_cache(maxsize=256)
def is_increasing(expr: sp.Expr, x: sp.Symbol = eta) -> bool:
    r"""True if ``expr`` is provably non-decreasing in ``x`` for ``x > 0`` (syntactic).

    Sums of non-decreasing terms; products of non-negative non-decreasing factors;
    powers with a positive constant exponent of a positive non-decreasing base;
    ``exp``, ``log``, ``tanh``, ``g`` of a non-decreasing argument.  False means
    "not proved", not "decreasing".

    >>> is_increasing(eta * sp.exp(eta)), is_increasing(eta - eta**2)
    (True, False)
    """
    if x not in expr.free_symbols:
        return True
    if expr == x:
        return True
    if isinstance(expr, sp.Add):
        return all(is_increasing(t, x) for t in expr.args)
    if isinstance(expr, sp.Mul):
        return all(bool(f.is_nonnegative) and is_increasing(f, x) for f in expr.args)
    if isinstance(expr, sp.Pow):
        base, k = expr.args
        if x not in k.free_symbols:
            return bool(k.is_nonnegative) and _positive(base) and is_increasing(base, x)
        return x not in base.free_symbols and bool((base - 1).is_positive) and is_increasing(k, x)
    if isinstance(expr, sp.exp | sp.tanh | g):
        return is_increasing(expr.args[0], x)
    if isinstance(expr, sp.log):
        return _positive(expr.args[0]) and is_increasing(expr.args[0], x)
    return False


# -- envelopes --------------------------------------------------------------------


def _bernoulli_holds(k: sp.Expr) -> bool:
    r""":math:`(1+u)^k \ge 1 + ku` for every :math:`u \ge -1`: proved for :math:`k \ge 1`,
    :math:`k \le 0` and non-negative integers :math:`k`; false for :math:`0 < k < 1`."""
    return bool((k.is_integer and k.is_nonnegative) or (k - 1).is_nonnegative or k.is_nonpositive)


def _one_plus(base: sp.Expr) -> bool:
    return isinstance(base, sp.Add) and sp.S.One in base.args and eta in base.free_symbols


def envelope(expr: sp.Expr, up: bool) -> sp.Expr:
    r"""An expression :math:`\ge` ``expr`` (``up``) or :math:`\le` it, for every
    :math:`\eta > 0` and every value of the other symbols their assumptions allow.

    ``expr`` must be one :func:`is_increasing` accepts: it is then non-decreasing in
    each of its parts along the rules that function checks, so bounding a part from
    above (below) bounds the whole from above (below) -- provided, going down, the
    smaller part still meets the rule's sign condition (a non-negative factor, a
    positive base or logarithm); where that is not proved the part is kept exactly.
    """
    if eta not in expr.free_symbols or expr == eta:
        return expr
    if isinstance(expr, sp.Add):
        return sp.Add(*[envelope(a, up) for a in expr.args])
    if isinstance(expr, sp.Mul):
        parts = []
        for f in expr.args:
            new = envelope(f, up)
            parts.append(new if up or new.is_nonnegative else f)
        return sp.Mul(*parts)
    if isinstance(expr, sp.Pow):
        base, k = expr.args
        if eta in k.free_symbols:  # a constant base > 1, a non-decreasing exponent
            return base ** envelope(k, up)
        new = envelope(base, up)
        if not (up or new.is_positive):
            new = base
        if not _one_plus(base):
            return new**k
        u = new - 1
        if up:  # ln(1 + u) <= u and k >= 0
            return sp.exp(k * u)
        if _bernoulli_holds(k) and (u + 1).is_nonnegative:
            return 1 + k * u
        # ln(1 + u) >= u/(1 + u) and e^x >= 1 + x, for every k >= 0
        return 1 + k * u / (1 + u)
    if isinstance(expr, sp.exp | sp.tanh | g):
        return expr.func(envelope(expr.args[0], up))
    if isinstance(expr, sp.log):
        new = envelope(expr.args[0], up)
        return sp.log(new if up or new.is_positive else expr.args[0])
    return expr


def envelopes(expr: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """(upper envelope, lower envelope) of a bound :func:`is_increasing` accepts."""
    return envelope(expr, True), envelope(expr, False)

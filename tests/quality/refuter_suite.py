r"""A public suite of claims for measuring refuters: false ones with known flaws, true ones.

Each claim is stated in the claim language over the catalogue's quantities (Res,
softmax, norms, the exponential, the matrix exponential, row spread, networks) at
**one** size combination, so its instance space has one length :math:`m` and every
method searches the same unconstrained vector :math:`z \in \mathbb R^m`
(``lemma.space.build``).  False claims carry a known flaw: a tight constant off by
50 %, 10 %, 1 %, 0.1 % or 0.001 %, or tight only in a limit; a wrong norm; a missing
factor :math:`d`; a hypothesis dropped; a violation only at
probabilities below float64's resolution (the relative softmax bound,
:math:`1 - \text{ratio} \approx p\,e^{2t}`, is tight only as the probability
:math:`p \to 0`).  True claims are the corrections and supporting lemmas the
catalogue proves, most of them tight.

:func:`judge` decides whether an exact instance violates a claim -- every hypothesis
certified first, exactly where rational, the rest in outward-rounded Arb balls, then
the conclusion likewise, precision doubled while undecided -- the same judge for
every method.
``benchmarks/bench_refuter.py`` runs the whole suite against Hypothesis and SciPy;
``tests/quality/test_refuter_suite.py`` runs :data:`QUICK`.

>>> entry = SUITE_BY_KEY["suite.res.const-50"]
>>> entry.false, entry.flaw, size_of(entry.lemma)
(True, 'constant -50%', {'n': 3, 'd': 2})
>>> inst = exact_instance(entry.lemma, [0.0] * entry.lemma.space.dimension(size_of(entry.lemma)))
>>> judge(entry.lemma, inst).verdict          # A = B = 0: 0 <= eps, the bound holds
'holds'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

import symbound.claims as sb
from symbound.check.evaluate import (
    EXACT,
    build_exact,
    certainly_gt,
    certainly_le,
    convert_instance,
    evaluate_sides,
    hypotheses_not_rational,
)
from symbound.errors import NotExactError
from symbound.lemmas.model import Lemma
from symbound.notation import H, L, d, eps, eta, g, n, phi, phi0, t, theta
from symbound.numeric.backends import ArbBackend

__all__ = [
    "QUICK",
    "SUITE",
    "SUITE_BY_KEY",
    "Judgement",
    "SuiteClaim",
    "digits",
    "exact_instance",
    "judge",
    "size_of",
]


@dataclass(frozen=True)
class SuiteClaim:
    """A claim of the suite: the lemma, whether it is false, and its flaw (or kind)."""

    lemma: Lemma
    false: bool
    flaw: str  # "constant -1%", "wrong norm", ... or, for true claims, "tight" / "not tight"

    @property
    def key(self) -> str:
        return self.lemma.key


def _claim(key: str, false: bool, flaw: str, *, sizes: Mapping[str, int], **kw) -> SuiteClaim:
    pinned = {name: (v, v) for name, v in sizes.items()}
    return SuiteClaim(sb.claim(key, sizes=pinned, **kw), false, flaw)


def _off(delta: Fraction) -> sp.Rational:
    """The factor of a constant off by ``delta`` (a share): 1 - delta, exactly."""
    return sp.Rational(1) - sp.Rational(delta.numerator, delta.denominator)


OFF = {
    "50%": Fraction(1, 2),
    "10%": Fraction(1, 10),
    "1%": Fraction(1, 100),
    "0.1%": Fraction(1, 1000),
}
s = sp.Symbol("s", positive=True)  # a logit perturbation with its own range

# -- the variables ----------------------------------------------------------------------
A, B = sb.matrix("A", "n", "d"), sb.matrix("B", "n", "d")
LOGITS = sb.matrix("A", "n", "n")
DELTA = sb.matrix("Delta", "n", "n")
X, W = sb.matrix("X", "n", "d"), sb.matrix("W", "d", "d")
P = sb.matrix("P", "n", "n", domain=sb.row_stochastic())
P_NONNEG = sb.matrix("P", "n", "n", domain=sb.nonnegative())
D_DIAG = sb.matrix("D", "n", "n", domain=sb.diagonal())
D_FULL = sb.matrix("D", "n", "n")
C1, C2 = sb.matrix("C", "n", "n"), sb.matrix("E", "n", "n")
X_NET = sb.matrix("X", "n", "d")
M_NET = sb.tensor("M", "L", "H", "d", "d")
V_NET = sb.tensor("V", "L", "H", "d", "d")
S_NET = sb.network(X_NET, M_NET, V_NET)

CLOSE = sb.norm(A - B, "max") <= eps
MOVED = sb.norm(DELTA, "max") <= t
MOVED_S = sb.norm(DELTA, "max") <= s
SPREAD = sb.row_spread(LOGITS) <= theta
ENTRIES = sb.norm(LOGITS, "max") <= theta
RES_MOVE = sb.norm(sb.res(A) - sb.res(B), "max")
SOFTMAX_MOVE = sb.softmax(LOGITS + DELTA) - sb.softmax(LOGITS)
RELATIVE_MOVE = sb.norm(SOFTMAX_MOVE / sb.softmax(LOGITS), "max")
TV_MOVE = sb.norm(SOFTMAX_MOVE, "row")
UNIFORM_GAP = sb.softmax(LOGITS) - sb.ones("n", "n") / n
PRODUCT_BOUNDS = [sb.norm(X, "max") <= phi, sb.norm(W, "max") <= eta]
NET_MAX = [sb.norm(X_NET, "max") <= phi0, sb.norm(V_NET, "max") <= eta]
NET_ROW = [sb.norm(X_NET, "row") <= phi0, sb.norm(V_NET, "row") <= eta]

RES_SIZES = {"n": 3, "d": 2}
SOFTMAX_SIZES = {"n": 3}
NET_SIZES = {"n": 2, "d": 2, "L": 2, "H": 1}
T_RANGE = {"t": (0, 4)}
THETA_RANGE = {"theta": (0, 4)}


def _constants() -> list[SuiteClaim]:
    """Three tight bounds, each with its constant off by 50 %, 10 %, 1 % and 0.1 %."""
    out = []
    for label, delta in OFF.items():
        c = _off(delta)
        tag = label.replace("%", "").replace(".", "")
        out.append(
            _claim(
                f"suite.res.const-{tag}",
                True,
                f"constant -{label}",
                sizes=RES_SIZES,
                given=[CLOSE],
                then=RES_MOVE <= c * 2 * eps,
            )
        )
        out.append(
            _claim(
                f"suite.softmax-tv.const-{tag}",
                True,
                f"constant -{label}",
                sizes=SOFTMAX_SIZES,
                given=[MOVED],
                ranges=T_RANGE,
                then=TV_MOVE <= c * 2 * sp.tanh(t / 2),
            )
        )
        out.append(
            _claim(
                f"suite.uniform.const-{tag}",
                True,
                f"constant -{label}",
                sizes={"n": 4},
                given=[SPREAD],
                ranges=THETA_RANGE,
                then=sb.norm(UNIFORM_GAP, "row") <= c * 2 * sp.tanh(theta / 4),
            )
        )
    # harder than the list: 0.001 %, and a bound tight only in a limit (the row
    # (theta, -theta, ..., -theta) has ratio 6/(e^(2 theta) + 5) to (5/6) g(2 theta)/n,
    # above 1 - 1/1000 only for theta < 0.003)
    out.append(
        _claim(
            "suite.softmax-tv.const-0001",
            True,
            "constant -0.001%",
            sizes=SOFTMAX_SIZES,
            given=[MOVED],
            ranges=T_RANGE,
            then=TV_MOVE <= _off(Fraction(1, 10**5)) * 2 * sp.tanh(t / 2),
        )
    )
    out.append(
        _claim(
            "suite.lemma5.1.limit-01",
            True,
            "constant -0.1%, tight as theta -> 0",
            sizes={"n": 6},
            given=[ENTRIES],
            ranges={"theta": (0, sp.Rational(1, 10))},
            then=sb.norm(UNIFORM_GAP, "max")
            <= _off(OFF["0.1%"]) * sp.Rational(5, 6) * g(2 * theta) / n,
        )
    )
    return out


def _other_flaws() -> list[SuiteClaim]:
    tiny = {"1e-18": sp.Rational(1, 10**18), "1e-20": sp.Rational(1, 10**20)}
    below = [
        _claim(
            f"suite.relative.below-float-{label}",
            True,
            "below float64",
            sizes={"n": size},
            given=[MOVED],
            ranges=T_RANGE,
            then=RELATIVE_MOVE <= (1 - share) * g(2 * t),
        )
        for (label, share), size in zip(tiny.items(), (2, 3), strict=True)
    ]
    return [
        # wrong norm: the row-sum norm where the max norm is proved; entry bounds where
        # row sums are; theta-balanced read as entries within theta
        _claim(
            "suite.res.row-norm",
            True,
            "wrong norm",
            sizes=RES_SIZES,
            given=[CLOSE],
            then=sb.norm(sb.res(A) - sb.res(B), "row") <= 2 * eps,
        ),
        _claim(
            "suite.lemma5.1.entries",
            True,
            "wrong norm",
            sizes={"n": 6},
            given=[ENTRIES],
            ranges=THETA_RANGE,
            then=sb.norm(UNIFORM_GAP, "max") <= g(theta) / n,
        ),
        _claim(
            "suite.identity.entries",
            True,
            "wrong norm",
            sizes=NET_SIZES,
            given=NET_MAX,
            then=sb.norm(S_NET - X_NET, "row") <= ((1 + H * eta) ** L - 1) * phi0,
        ),
        # a missing factor d
        _claim(
            "suite.product.no-d",
            True,
            "missing d",
            sizes={"n": 2, "d": 3},
            given=PRODUCT_BOUNDS,
            then=sb.norm(X @ W, "max") <= eta * phi,
        ),
        _claim(
            "suite.matmul.no-d",
            True,
            "missing d",
            sizes={"n": 3},
            then=sb.norm(C1 @ C2, "max") <= sb.norm(C1, "max") * sb.norm(C2, "max"),
        ),
        _claim(
            "suite.norm-growth.no-d",
            True,
            "missing d",
            sizes=NET_SIZES,
            given=NET_MAX,
            then=sb.norm(S_NET, "max") <= phi0 * (1 + H * eta) ** L,
        ),
        # a hypothesis dropped
        _claim(
            "suite.relative-3g.no-small",
            True,
            "hypothesis dropped",
            sizes=SOFTMAX_SIZES,
            given=[MOVED_S],
            ranges={"s": (0, 4)},
            then=RELATIVE_MOVE <= 3 * g(s),
        ),
        _claim(
            "suite.stochastic.no-rows",
            True,
            "hypothesis dropped",
            sizes={"n": 3, "d": 2},
            then=sb.norm(P_NONNEG @ X, "row") <= sb.norm(X, "row"),
        ),
        _claim(
            "suite.expm.no-diagonal",
            True,
            "hypothesis dropped",
            sizes={"n": 3},
            given=[sb.norm(D_FULL, "max") <= theta],
            ranges={"theta": (0, 1)},
            then=sb.norm(sb.expm(D_FULL) - sb.eye("n"), "max") <= g(theta),
        ),
        *below,
    ]


def _true() -> list[SuiteClaim]:
    return [
        _claim(
            "suite.res", False, "tight", sizes=RES_SIZES, given=[CLOSE], then=RES_MOVE <= 2 * eps
        ),
        _claim(
            "suite.mean-res",
            False,
            "tight",
            sizes={"n": 4, "d": 1},
            given=[CLOSE],
            then=sb.norm(sb.res(A, "mean") - sb.res(B, "mean"), "max")
            <= sp.Mul(2, 1 - 1 / n, eps, evaluate=False),
        ),
        _claim(
            "suite.softmax-tv",
            False,
            "tight",
            sizes=SOFTMAX_SIZES,
            given=[MOVED],
            ranges=T_RANGE,
            then=TV_MOVE <= 2 * sp.tanh(t / 2),
        ),
        _claim(
            "suite.relative",
            False,
            "tight below float64",
            sizes=SOFTMAX_SIZES,
            given=[MOVED],
            ranges=T_RANGE,
            then=RELATIVE_MOVE <= g(2 * t),
        ),
        _claim(
            "suite.relative-3g",
            False,
            "not tight",
            sizes=SOFTMAX_SIZES,
            given=[MOVED_S],
            ranges={"s": (0, sp.Rational(2, 3))},
            then=RELATIVE_MOVE <= 3 * g(s),
        ),
        _claim(
            "suite.uniform",
            False,
            "tight as theta -> 0",
            sizes={"n": 4},
            given=[SPREAD],
            ranges=THETA_RANGE,
            then=sb.norm(UNIFORM_GAP, "row") <= 2 * sp.tanh(theta / 4),
        ),
        _claim(
            "suite.lemma5.1.entries.corrected",
            False,
            "not tight",
            sizes={"n": 6},
            given=[ENTRIES],
            ranges=THETA_RANGE,
            then=sb.norm(UNIFORM_GAP, "max") <= g(2 * theta) / n,
        ),
        _claim(
            "suite.product",
            False,
            "tight",
            sizes={"n": 2, "d": 3},
            given=PRODUCT_BOUNDS,
            then=sb.norm(X @ W, "max") <= d * eta * phi,
        ),
        _claim(
            "suite.stochastic",
            False,
            "tight",
            sizes={"n": 3, "d": 2},
            then=sb.norm(P @ X, "row") <= sb.norm(X, "row"),
        ),
        _claim(
            "suite.expm.diagonal",
            False,
            "tight",
            sizes={"n": 3},
            given=[sb.norm(D_DIAG, "max") <= theta],
            ranges={"theta": (0, 1)},
            then=sb.norm(sb.expm(D_DIAG) - sb.eye("n"), "max") <= g(theta),
        ),
        _claim(
            "suite.norm-growth",
            False,
            "tight",
            sizes=NET_SIZES,
            given=NET_ROW,
            then=sb.norm(S_NET, "row") <= phi0 * (1 + H * eta) ** L,
        ),
        _claim(
            "suite.identity.entries.corrected",
            False,
            "tight",
            sizes=NET_SIZES,
            given=NET_MAX,
            then=sb.norm(S_NET - X_NET, "max") <= ((1 + H * d * eta) ** L - 1) * phi0,
        ),
    ]


SUITE: tuple[SuiteClaim, ...] = (*_constants(), *_other_flaws(), *_true())
SUITE_BY_KEY: dict[str, SuiteClaim] = {c.key: c for c in SUITE}

#: A few seconds' worth of the suite for the test suite: one of each kind of flaw, the
#: hardest constant, the claim float64 cannot see, and true claims (two tight).
QUICK: tuple[str, ...] = (
    "suite.softmax-tv.const-0001",
    "suite.res.const-01",
    "suite.product.no-d",
    "suite.relative.below-float-1e-18",
    "suite.res",
    "suite.relative",
)


def size_of(lemma: Lemma) -> dict[str, int]:
    """The one size combination a suite claim is stated at."""
    out = {}
    for p in lemma.size_parameters:
        lo, hi = (int(v) for v in p.search)
        if lo != hi:
            raise ValueError(f"{lemma.key}: {p.name} ranges over {lo}..{hi}, not one size")
        out[p.name] = lo
    return out


def exact_instance(lemma: Lemma, z: Sequence[float]) -> dict[str, Any]:
    """The instance of a float vector, rationalised entry by entry (``Fraction(x)`` is
    exact for a float) and built in exact arithmetic."""
    return build_exact(lemma, [Fraction(float(v)) for v in z], size_of(lemma))


@dataclass(frozen=True)
class Judgement:
    """``verdict``: ``"violated"`` (every hypothesis certified, lhs > rhs certainly),
    ``"holds"`` (hypotheses certified, lhs <= rhs certainly), ``"outside"`` (a
    hypothesis or a parameter's domain certainly fails: not an instance of the claim),
    or ``"undecided"``; ``method``: how it was decided."""

    verdict: str
    method: str


def judge(lemma: Lemma, inst: Mapping[str, Any], prec: int = 128, most: int = 4096) -> Judgement:
    """Whether the exact instance ``inst`` violates ``lemma``, rigorously.

    Parameter domains and rational hypotheses are decided in exact arithmetic, the
    other hypotheses in Arb (from ``prec`` bits, doubled while undecided, up to
    ``most``); then the conclusion, exactly if it is rational, else in Arb likewise.
    A conclusion is judged only once every hypothesis is certified.
    """
    try:
        pending = hypotheses_not_rational(lemma, inst)
        if pending is None:
            return Judgement("outside", "a hypothesis or a domain fails, exactly")
        while pending:
            arb = ArbBackend(prec=prec)
            balls = convert_instance(inst, arb)
            sides = [evaluate_sides(lemma, balls, arb, part=h) for h in pending]
            if any(certainly_gt(lhs, rhs, arb) for lhs, rhs in sides):
                return Judgement("outside", f"a hypothesis fails, Arb at {prec} bits")
            if all(certainly_le(lhs, rhs, arb) for lhs, rhs in sides):
                break
            if prec >= most:
                return Judgement("undecided", f"a hypothesis undecided at {most} bits")
            prec *= 2
        try:
            lhs, rhs = evaluate_sides(lemma, inst, EXACT)
            return Judgement("violated" if lhs > rhs else "holds", "exact rational arithmetic")
        except NotExactError:
            pass
        while True:
            arb = ArbBackend(prec=prec)
            lhs, rhs = evaluate_sides(lemma, convert_instance(inst, arb), arb)
            if certainly_gt(lhs, rhs, arb):
                return Judgement("violated", f"Arb ball arithmetic at {prec} bits")
            if certainly_le(lhs, rhs, arb):
                return Judgement("holds", f"Arb ball arithmetic at {prec} bits")
            if prec >= most:
                return Judgement("undecided", f"undecided at {most} bits")
            prec *= 2
    except (ArithmeticError, ValueError, OverflowError) as exc:
        return Judgement("undecided", f"not evaluable ({type(exc).__name__})")


def digits(inst: Mapping[str, Any]) -> int:
    """Decimal digits of an instance's rationals: numerators and denominators (other
    than 1), summed over every parameter and entry (integer sizes left out)."""

    def of(q) -> int:
        q = Fraction(q)
        top = len(str(abs(q.numerator)))
        return top + (len(str(q.denominator)) if q.denominator != 1 else 0)

    total = 0
    for v in inst.values():
        if isinstance(v, np.ndarray):
            total += sum(of(x) for x in v.ravel())
        elif not isinstance(v, int):
            total += of(v)
    return total

r"""What a layer-collapse experiment measures: frozen values a derivation module declares.

Two kinds of study, both on random self-attention networks in the catalogue's
network form (input ``X``, logit matrices :math:`M = W_Q W_K^\top/\beta`, value
matrices ``V``):

- :class:`DistanceSweep` -- for every entry bound η of a log-spaced grid, depth L
  and head count H, the distances that network lemmas bound (e.g.
  :math:`\|S(X) - X\|` and :math:`\|S(X) - S'(X)\|`), measured, beside the lemma's
  bound and any composed bound, evaluated at the network's own parameters;
- :class:`ResidualStudy` -- the residual ratio
  :math:`\|\mathrm{Res}(X^{(\ell)})\|_{\max} / \|X^{(\ell)}\|_{\max}` layer by layer
  under several architectures (:class:`Architecture`: skip connection, mask,
  LayerNorm), with a one-step bound where one applies.

Which lemmas, grids and architectures to show is paper content; how to run them is
the engine's (:mod:`symbound.empirical.collapse`, :mod:`symbound.empirical.residual`).
Sizes are small by default; :func:`scaled` makes a bigger copy.

>>> s = DistanceSweep("demo", "t", "c", (Distance("k", "label", ("k",)),))
>>> eta_grid(s)
('0.001', '0.00316', '0.01', '0.0316', '0.1', '0.316', '1')
>>> scaled(s, instances=10).instances
10
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sympy as sp

from symbound.errors import UsageError

__all__ = [
    "Architecture",
    "Distance",
    "DistanceSweep",
    "Finding",
    "ResidualStudy",
    "bound_label",
    "eta_grid",
    "scaled",
    "with_sizes",
]


@dataclass(frozen=True)
class Distance:
    """A distance a network lemma bounds: measured by the lemma's own left-hand side.

    ``bounds`` are catalogue keys -- the lemma itself (its right-hand side), any
    composed bound whose closed form bounds the same quantity -- or SymPy expressions
    in the lemma's parameters (a bound of one's own, to test against the truth).
    Their parameters are the tightest values the lemma's hypotheses allow on the
    network.
    """

    lemma: str
    label: str
    bounds: tuple[str | sp.Expr, ...]


def bound_label(bound: str | sp.Expr) -> str:
    """How a bound is named in results: its key, or the expression as text."""
    return bound if isinstance(bound, str) else str(bound)


@dataclass(frozen=True)
class DistanceSweep:
    r"""Distances against their bounds over η (log-spaced), L and H.

    Each network has ``n`` tokens of width ``d``: ``X`` with entries uniform in
    [−1, 1], and per layer and head :math:`W_Q, W_K, W_V` with entries uniform in
    [−1, 1], each rescaled so that its largest entry is exactly the grid's η (the
    same random directions at every η, so each curve is one network family);
    :math:`M = W_Q W_K^\top/\sqrt{d}`, ``V = W_V``, skip connections as in the lemmas.
    """

    key: str
    title: str
    caption: str
    distances: tuple[Distance, ...]
    eta_range: tuple[str, str] = ("1/1000", "1")
    eta_points: int = 7
    depths: tuple[int, ...] = (1, 2, 4, 8, 16)
    heads: tuple[int, ...] = (1, 4)
    n: int = 8
    d: int = 4
    instances: int = 3
    prec: int = 128


@dataclass(frozen=True)
class Architecture:
    """How each layer of a residual study is built: skip, mask, LayerNorm."""

    label: str
    skip: bool = False
    mask: str | None = None  # None, "causal", or "local" (a causal window of ``window``)
    window: int = 1
    layernorm: str | None = None  # None, "pre" or "post" (LayerNorm without eps or affine)
    one_step_bound: bool = False  # whether the study's one-step bound applies

    def __post_init__(self):
        if self.mask not in (None, "causal", "local"):
            raise UsageError(f"architecture {self.label!r}: mask must be None, causal or local")
        if self.layernorm not in (None, "pre", "post"):
            raise UsageError(f"architecture {self.label!r}: layernorm must be None, pre or post")
        if self.one_step_bound and (self.skip or self.mask or self.layernorm):
            raise UsageError(
                f"architecture {self.label!r}: a one-step bound on the next layer's Res applies "
                "only to pure attention (no skip, mask or LayerNorm)"
            )


@dataclass(frozen=True)
class Finding:
    """A claim from the literature that a residual study reproduces, or fails to.

    - ``"doubly-exponential"``: the ratio of ``architecture`` falls at a cubic rate, its
      successive log-decrements growing by a factor in [2.5, 3.5] over its last
      resolved layers (Dong et al.'s Theorem 2.2);
    - ``"slower"``: ``architecture`` loses fewer decades per layer than ``than``.

    Rates are medians over the study's instances.
    """

    kind: str
    architecture: str
    source: str
    than: str | None = None

    def __post_init__(self):
        if self.kind not in ("doubly-exponential", "slower"):
            raise UsageError(f"unknown finding kind {self.kind!r}")
        if (self.kind == "slower") != (self.than is not None):
            raise UsageError("a 'slower' finding names the architecture it is slower than")


@dataclass(frozen=True)
class ResidualStudy:
    r"""The residual ratio through depth under each architecture, with the same weights.

    Per instance: ``X`` and, per layer, one head's :math:`W_Q, W_K, W_V` drawn as in
    :class:`DistanceSweep` at entry bound ``eta``; every architecture runs on these.
    Values are Arb balls at ``prec`` bits; a layer whose ratio the balls no longer
    resolve (relative radius above 1e-6) ends the curve, and the table says so.
    ``one_step_bound`` is a one-head lemma key bounding :math:`\|\mathrm{Res}\|` of a
    head's output (e.g. S6), drawn for the architectures marked to use it.
    """

    key: str
    title: str
    caption: str
    architectures: tuple[Architecture, ...]
    depth: int = 16
    n: int = 8
    d: int = 4
    eta: str = "1"
    instances: int = 3
    prec: int = 1024
    one_step_bound: str | None = None
    findings: tuple[Finding, ...] = ()


def _positive_int(name: str, value: Any, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise UsageError(f"{name} must be an integer between 1 and {most}, got {value!r}")
    return value


def scaled(spec, **sizes):
    """A copy of a study with other sizes (``instances``, ``n``, ``d``, ``eta_points``,
    ``depth``, ``depths``); each checked, unknown names refused."""
    limits = {"instances": 1000, "n": 256, "d": 128, "eta_points": 200, "depth": 512}
    fields = {f.name for f in dataclasses.fields(spec)} & {*limits, "depths"}
    changes = {}
    for name, value in sizes.items():
        if value is None:
            continue
        if name not in fields:
            known = ", ".join(sorted(fields))
            raise UsageError(f"{type(spec).__name__} has no size {name!r} (its sizes: {known})")
        if name == "depths":
            changes[name] = tuple(_positive_int("a depth", v, limits["depth"]) for v in value)
        else:
            changes[name] = _positive_int(name, value, limits[name])
    return dataclasses.replace(spec, **changes)


def with_sizes(spec, sizes: Mapping[str, Any] | None):
    """``spec`` with those of ``sizes`` that it has (a residual study has no ``depths``,
    a distance sweep no ``depth``); each checked as :func:`scaled` does."""
    names = {f.name for f in dataclasses.fields(spec)}
    return scaled(spec, **{k: v for k, v in (sizes or {}).items() if k in names})


def eta_grid(spec: DistanceSweep) -> tuple[str, ...]:
    """The sweep's η values: ``eta_points`` log-spaced over ``eta_range``, rounded to 3
    significant digits, as decimal strings (the weights are scaled to the nearest float)."""
    lo, hi = (Fraction(v) for v in spec.eta_range)
    if not 0 < lo <= hi:
        raise UsageError(f"eta_range must satisfy 0 < lo <= hi, got {spec.eta_range}")
    if spec.eta_points == 1:
        return (_sig3(float(lo)),)
    a, b = math.log10(lo), math.log10(hi)
    step = (b - a) / (spec.eta_points - 1)
    return tuple(_sig3(10 ** (a + i * step)) for i in range(spec.eta_points))


def _sig3(x: float) -> str:
    text = f"{x:.3g}"
    if "e" in text:  # 1e-05 -> 0.00001: plain decimals in tables and JSON
        text = format(Decimal(text), "f")
    return text

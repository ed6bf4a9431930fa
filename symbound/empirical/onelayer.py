r"""Do large weights prevent collapse?  The best one-layer approximation, found by optimisation.

The paper's title claims that only large weights prevent *layer collapse*: the whole
network being approximated well by one layer.  N3 (paper-math.md §7) proves the
small-weight half with one particular single layer, uniform attention with value
matrix :math:`\tilde W = \prod_\ell (I + \sum_h V_{\ell,h}) - I`.  Nothing proves the
other half, so :func:`run_one_layer_study` measures it.  For random residual
networks :math:`S` (:mod:`symbound.empirical.networks`: every entry of
:math:`W_Q, W_K, W_V` at most :math:`\eta`, :math:`M = W_Q W_K^\top/\sqrt d`) at
growing :math:`\eta`, it fits a one-layer residual network

.. math::  S'(X) = X + \sum_{h=1}^{H'} \mathrm{softm}(X M'_h X^\top)\, X V'_h

by least squares over *all* of its weights (:math:`M'_h` and :math:`V'_h`, any
:math:`d \times d` matrices: every :math:`M'` is some :math:`W_Q W_K^\top/\sqrt d`),
:math:`\sum_i \|S'(X_i) - S(X_i)\|_F^2` on training inputs, with SciPy's
``least_squares`` (analytic Jacobian) from several starts: the identity, the N3
surrogate, the previous :math:`\eta`'s best (rescaled) and seeded random points.  The
best fit is then evaluated on held-out inputs:
:math:`\max_i \|S(X_i) - S'(X_i)\|_\infty / \|X_i\|_\infty` (row-sum norms), beside
the same for the identity (:math:`S' = I`, N2) and the N3 surrogate.

An optimiser's best is an upper bound on the distance from :math:`S` to the nearest
one-layer network on those inputs: a small value shows that a close single layer
exists; a large one does not show that none does.  Everything is float64 (a
measurement, not a proof), and every number is rounded to 6 significant digits, so
the files do not depend on the last bits of the arithmetic.

>>> spec = OneLayerStudy("demo", "t", "c", eta_points=2, depths=(2,), instances=1, n=3,
...                      d=2, train=4, test=4, starts=1)
>>> r = run_one_layer_study(spec, seed=0)
>>> [(p.eta, p.best < p.identity / 5) for p in r.points]  # far closer than S' = I
[('0.01', True), ('1', True)]
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from symbound.empirical.networks import at_entry_bound, directions, rng_for
from symbound.empirical.spec import eta_grid
from symbound.parallel import Progress, run_tasks

__all__ = [
    "OneLayerPoint",
    "OneLayerResult",
    "OneLayerStudy",
    "forward",
    "one_layer",
    "run_one_layer_study",
    "surrogate_values",
]


@dataclass(frozen=True)
class OneLayerStudy:
    r"""Random networks at every :math:`\eta` of a log-spaced grid, depth L and head
    count H, each approximated by the best one-layer network found (``heads_one``
    heads; default H).  ``train`` and ``test`` inputs per network (entries uniform in
    [−1, 1]); ``starts`` seeded random starts besides the principled ones; at most
    ``evaluations`` residual evaluations per start."""

    key: str
    title: str
    caption: str
    eta_range: tuple[str, str] = ("1/100", "1")
    eta_points: int = 5
    depths: tuple[int, ...] = (2, 4, 8)
    heads: tuple[int, ...] = (1,)
    heads_one: int | None = None
    n: int = 8
    d: int = 4
    instances: int = 2
    train: int = 16
    test: int = 16
    starts: int = 1
    evaluations: int = 60


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def forward(Xs: np.ndarray, M: np.ndarray, V: np.ndarray) -> np.ndarray:
    r"""The residual network on a batch of inputs ``Xs`` (``m, n, d``), float64:
    :math:`X \leftarrow X + \sum_h \mathrm{softm}(X M_{\ell,h} X^\top) X V_{\ell,h}`
    for each layer, with ``M`` and ``V`` of shape ``(L, H, d, d)``."""
    for layer in range(M.shape[0]):
        update = np.zeros_like(Xs)
        for h in range(M.shape[1]):
            P = _softmax(Xs @ M[layer, h] @ np.swapaxes(Xs, -1, -2))
            update += P @ Xs @ V[layer, h]
        Xs = Xs + update
    return Xs


def _unpack(theta: np.ndarray, heads: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    M, V = theta.reshape(2, heads, d, d)
    return M, V


def one_layer(
    theta: np.ndarray, Xs: np.ndarray, heads: int, *, jacobian: bool = False
) -> tuple[np.ndarray, np.ndarray | None]:
    r"""A one-layer network with weights ``theta`` (``M'_h`` then ``V'_h``, flattened) on
    ``Xs``, and, with ``jacobian``, the derivative of every output entry by every weight:

    .. math:: \partial Y_{ic}/\partial V_{ac} = (PX)_{ia}, \qquad
              \partial Y_{ic}/\partial M_{ab} = X_{ia} \big(\textstyle\sum_j P_{ij}
              X_{jb} (XV)_{jc} - (PX)_{ib} (PXV)_{ic}\big).
    """
    m, n, d = Xs.shape
    M, V = _unpack(theta, heads, d)
    Y = Xs.copy()
    jac = np.zeros((m, n, d, 2, heads, d, d)) if jacobian else None
    for h in range(heads):
        P = _softmax(Xs @ M[h] @ np.swapaxes(Xs, -1, -2))
        PX = P @ Xs
        XV = Xs @ V[h]
        PXV = P @ XV
        Y += PXV
        if jacobian:
            T = np.einsum("mij,mjb,mjc->mibc", P, Xs, XV) - PX[..., :, None] * PXV[..., None, :]
            jac[:, :, :, 0, h] = np.einsum("mia,mibc->micab", Xs, T)
            jac[:, :, :, 1, h] = np.einsum("mia,ce->micae", PX, np.eye(d))
    return Y, None if jac is None else jac.reshape(m * n * d, 2 * heads * d * d)


def surrogate_values(V: np.ndarray) -> np.ndarray:
    r""":math:`\tilde W = \prod_\ell (I + \sum_h V_{\ell,h}) - I`, left to right."""
    d = V.shape[-1]
    total = np.eye(d)
    for layer in range(V.shape[0]):
        total = total @ (np.eye(d) + V[layer].sum(axis=0))
    return total - np.eye(d)


def _relative(Xs: np.ndarray, Y: np.ndarray, target: np.ndarray) -> float:
    """The largest ‖target − Y‖ / ‖X‖ over the batch, row-sum norms."""
    diff = np.abs(target - Y).sum(axis=-1).max(axis=-1)
    size = np.abs(Xs).sum(axis=-1).max(axis=-1)
    return float((diff / size).max())


def _sig(x: float) -> float:
    return float(f"{x:.6g}")


@dataclass(frozen=True)
class OneLayerPoint:
    r"""One network (L, H, instance) at one :math:`\eta`: held-out relative distances to
    the identity (N2), to the N3 surrogate and to the best one-layer network found,
    the best fit's training root-mean-square residual and which start found it."""

    L: int
    H: int
    instance: int
    eta: str
    identity: float
    uniform: float
    best: float
    train_rms: float
    start: str

    @property
    def captured(self) -> float:
        """How much of the network's change the best single layer leaves: best / identity."""
        return self.best / self.identity if self.identity > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "L": self.L,
            "H": self.H,
            "instance": self.instance,
            "eta": self.eta,
            "identity": self.identity,
            "uniform_surrogate": self.uniform,
            "best_one_layer": self.best,
            "best_over_identity": _sig(self.captured),
            "train_rms": self.train_rms,
            "best_start": self.start,
        }


def _fit(theta0s, Xs, target, heads, evaluations):
    from scipy.optimize import least_squares

    def residual(theta):
        return (one_layer(theta, Xs, heads)[0] - target).ravel()

    def jac(theta):
        return one_layer(theta, Xs, heads, jacobian=True)[1]

    best = None
    for label, theta0 in theta0s:
        fit = least_squares(residual, theta0, jac=jac, method="lm", max_nfev=evaluations)
        if best is None or fit.cost < best[1].cost:
            best = (label, fit)
    return best


def _case_task(spec: OneLayerStudy, seed: int, L: int, H: int, instance: int):
    """Every η of one (L, H, instance), the fit at each η starting also from the last."""
    d, heads = spec.d, spec.heads_one or H
    case = (L, H, instance)
    _, W = directions(seed, spec.key, case, n=spec.n, d=d, layers=L, heads=H)
    inputs = rng_for(seed, f"{spec.key}/inputs", case).uniform(
        -1.0, 1.0, (spec.train + spec.test, spec.n, d)
    )
    train, test = inputs[: spec.train], inputs[spec.train :]
    out, previous, last_eta = [], None, None
    for k, eta_text in enumerate(eta_grid(spec)):
        eta = float(Fraction(eta_text))
        net = at_entry_bound(inputs[0], W, eta)
        M, V = net["M"], net["V"]
        target_train, target_test = forward(train, M, V), forward(test, M, V)
        surrogate = np.zeros((2, heads, d, d))
        surrogate[1, 0] = surrogate_values(V)
        starts = [("identity", np.zeros(surrogate.size)), ("N3 surrogate", surrogate.ravel())]
        if previous is not None:  # the last eta's best, with M scaled as eta^2 and V as eta
            scale = eta / last_eta
            prev = previous.reshape(2, heads, d, d).copy()
            prev[0] *= scale**2
            prev[1] *= scale
            starts.append(("previous eta", prev.ravel()))
        size_m, size_v = float(np.abs(M).max()), float(np.abs(surrogate).max())
        rng = rng_for(seed, f"{spec.key}/starts", (*case, k))
        for s in range(spec.starts):
            draw = rng.uniform(-1.0, 1.0, (2, heads, d, d))
            draw[0] *= size_m
            draw[1] *= size_v
            starts.append((f"random {s + 1}", draw.ravel()))
        label, fit = _fit(starts, train, target_train, heads, spec.evaluations)
        previous, last_eta = fit.x, eta
        best_test = one_layer(fit.x, test, heads)[0]
        uniform_test = one_layer(surrogate.ravel(), test, heads)[0]
        out.append(
            OneLayerPoint(
                L=L,
                H=H,
                instance=instance,
                eta=eta_text,
                identity=_sig(_relative(test, test, target_test)),
                uniform=_sig(_relative(test, uniform_test, target_test)),
                best=_sig(_relative(test, best_test, target_test)),
                train_rms=_sig(float(np.sqrt(2 * fit.cost / fit.fun.size))),
                start=label,
            )
        )
    return out


@dataclass(frozen=True)
class OneLayerResult:
    """Every point of a one-layer study, in a fixed order (L, H, instance, η)."""

    spec: OneLayerStudy
    seed: int
    etas: tuple[str, ...]
    points: tuple[OneLayerPoint, ...]

    @property
    def ok(self) -> bool:
        """A measurement has nothing to refute; it is always reported."""
        return True

    def cell(self, L: int, H: int, eta: str) -> list[OneLayerPoint]:
        return [p for p in self.points if (p.L, p.H, p.eta) == (L, H, eta)]

    def median(self, L: int, H: int, eta: str, attribute: str) -> float:
        return statistics.median(getattr(p, attribute) for p in self.cell(L, H, eta))

    def to_dict(self) -> dict[str, Any]:
        s = self.spec
        return {
            "key": s.key,
            "seed": self.seed,
            "sizes": {
                "n": s.n,
                "d": s.d,
                "instances": s.instances,
                "train": s.train,
                "test": s.test,
                "random_starts": s.starts,
                "evaluations": s.evaluations,
                "heads_one": s.heads_one,
            },
            "etas": list(self.etas),
            "depths": list(s.depths),
            "heads": list(s.heads),
            "points": [p.to_dict() for p in self.points],
        }

    def captured_range(self, eta: str) -> tuple[float, float]:
        """The smallest and largest median best/identity over the cells (L, H) at ``eta``."""
        values = [
            self.median(L, H, eta, "captured") for L in self.spec.depths for H in self.spec.heads
        ]
        return min(values), max(values)

    def finding(self) -> str:
        """What the study found, from its numbers: best/identity at the ends of the grid."""
        lo, hi = self.etas[0], self.etas[-1]
        (a, b), (c, e) = self.captured_range(lo), self.captured_range(hi)
        return (
            f"best/identity, the share of ||S(X) - X|| the best single layer found leaves "
            f"(medians over the networks of each L and H): {a:.2g} to {b:.2g} at eta = {lo}, "
            f"{c:.2g} to {e:.2g} at eta = {hi}"
        )

    def summary(self) -> str:
        s = self.spec
        lo, hi = self.etas[0], self.etas[-1]
        lines = [
            f"{s.key}: {len(self.points)} best one-layer fits (n={s.n}, d={s.d}, L in "
            f"{list(s.depths)}, H in {list(s.heads)}, {len(self.etas)} values of eta from {lo} "
            f"to {hi}, {s.instances} networks each, {s.train} training and {s.test} held-out "
            f"inputs, seed {self.seed}); medians of held-out max ||S(X) - S'(X)|| / ||X||:"
        ]
        for H in s.heads:
            for L in s.depths:
                ends = [
                    f"eta={e}: best {self.median(L, H, e, 'best'):.3g}, N3 surrogate "
                    f"{self.median(L, H, e, 'uniform'):.3g}, identity "
                    f"{self.median(L, H, e, 'identity'):.3g}"
                    for e in (lo, hi)
                ]
                lines.append(f"  L={L} H={H}: " + "; ".join(ends))
        lines.append(f"  {self.finding()} (an optimiser's best: an upper bound on the distance)")
        return "\n".join(lines)


def run_one_layer_study(
    spec: OneLayerStudy, *, seed: int = 0, executor=None, progress: Progress | None = None
) -> OneLayerResult:
    """Run ``spec`` (see the module notes); one task per (L, H, instance)."""
    cases = [
        (spec, seed, L, H, i)
        for L in spec.depths
        for H in spec.heads
        for i in range(spec.instances)
    ]
    cases.sort(key=lambda c: -c[2] * c[3])  # deepest first: workers balance
    progress = progress or Progress(False)
    progress.start(f"one-layer fits {spec.key}", len(cases), "networks")
    chunks = run_tasks(executor, _case_task, cases, progress)
    points = sorted(
        (p for chunk in chunks for p in chunk),
        key=lambda p: (p.L, p.H, p.instance, Fraction(p.eta)),
    )
    return OneLayerResult(spec, seed, eta_grid(spec), tuple(points))


def cell_medians(result: OneLayerResult, L: int, H: int) -> dict[str, Sequence[float]]:
    """Per η (grid order), the medians over instances of each distance: what a plot draws."""
    return {
        name: [result.median(L, H, e, name) for e in result.etas]
        for name in ("best", "uniform", "identity", "captured")
    }

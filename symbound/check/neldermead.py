r"""Nelder--Mead that evaluates, in one batch, every point an iteration may need.

The method of Nelder and Mead in the form of Lagarias, Reeds, Wright & Wright
(SIAM J. Optim. 9, 1998), with the dimension-adapted coefficients of Gao & Han
(Comput. Optim. Appl. 51, 2012): for the simplex sorted best first, the centroid
:math:`\bar x` of all but the worst vertex :math:`x_{N}`, and

.. math::
    x_r = (1+\rho)\bar x - \rho x_N,\quad x_e = (1+\rho\chi)\bar x - \rho\chi x_N,\quad
    x_c = (1+\psi\rho)\bar x - \psi\rho x_N,\quad x_{cc} = (1-\psi)\bar x + \psi x_N,

with :math:`\rho = 1`, :math:`\chi = 1 + 2/N`, :math:`\psi = 3/4 - 1/(2N)`, a shrink
towards the best vertex by :math:`\sigma = 1 - 1/N`.

An iteration asks for one to four of these points (or the shrunk vertices), one after
another.  The catalogue's objectives cost about as much for a batch of rows as for one
row (the time is numpy's per-call overhead on small instances), so here the four
candidate points are evaluated together, once per iteration, the shrunk vertices
together, and the initial simplex together.  Which values are *used*, and which count
towards ``maxfev``, is decided exactly as by ``scipy.optimize.minimize(method=
"Nelder-Mead", options={"adaptive": True, "initial_simplex": ...})`` (SciPy 1.17): for an
objective whose rows are evaluated independently the result is the same vector, bit
for bit, after the same number of counted evaluations (a test compares the two).  If a
batch raises, its points are evaluated one at a time as the iteration asks for them,
so that an exception is raised only by a point the method uses.

>>> import numpy as np
>>> def values(Z):  # Rosenbrock's function, row by row
...     return 100 * (Z[:, 1] - Z[:, 0] ** 2) ** 2 + (1 - Z[:, 0]) ** 2
>>> x, nfev = nelder_mead(values, [[-1.2, 1.0], [-1.1, 1.0], [-1.2, 1.1]], maxfev=400,
...                       xatol=1e-10, fatol=1e-14)
>>> np.round(x, 6).tolist(), nfev <= 400
([1.0, 1.0], True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["nelder_mead"]


class _Spent(Exception):
    """The evaluation budget is spent (ends the iteration where it is, as SciPy does)."""


def nelder_mead(
    values: Callable[[np.ndarray], Sequence[float]],
    simplex,
    *,
    maxfev: int,
    xatol: float,
    fatol: float,
    speculate: bool = True,
) -> tuple[np.ndarray, int]:
    """Minimise from ``simplex`` (``N + 1`` vertices of dimension ``N``); ``values(Z)``
    gives the objective of each row of ``Z``.  Returns the best vertex and the number of
    evaluations counted (those the method used, at most ``maxfev``).

    ``speculate=False`` evaluates an iteration's points one at a time, as asked (for an
    objective whose cost grows with its rows); the initial simplex and a shrink, whose
    points are all used, are batched either way.  The result is the same."""
    sim = np.asarray(simplex, dtype=float).copy()
    N = sim.shape[1]
    if sim.shape != (N + 1, N):
        raise ValueError(f"the simplex must have shape (N + 1, N), got {sim.shape}")
    dim = float(N)
    rho, chi, psi, sigma = 1, 1 + 2 / dim, 0.75 - 1 / (2 * dim), 1 - 1 / dim
    calls = 0

    def batch(points, *, all_used: bool = True):
        """The value of ``points[k]``, counted, as ``ask(k)``; all evaluated at once
        (unless some may go unused and ``speculate`` is off)."""
        got = None
        if all_used or speculate:
            try:
                got = values(np.stack(points))
            except Exception:  # then one at a time, as the method asks
                got = None

        def ask(k):
            nonlocal calls
            if calls >= maxfev:
                raise _Spent
            calls += 1
            return got[k] if got is not None else values(np.array(points[k])[None, :])[0]

        return ask

    fsim = np.full((N + 1,), np.inf, dtype=float)
    ask = batch(list(sim))
    try:
        for k in range(N + 1):
            fsim[k] = ask(k)
    except _Spent:
        pass
    sim, fsim = _sorted(sim, fsim)
    sim, fsim = _sorted(sim, fsim)

    while calls < maxfev:
        try:
            if (
                np.max(np.ravel(np.abs(sim[1:] - sim[0]))) <= xatol
                and np.max(np.abs(fsim[0] - fsim[1:])) <= fatol
            ):
                break
            xbar = np.add.reduce(sim[:-1], 0) / N
            xr = (1 + rho) * xbar - rho * sim[-1]
            xe = (1 + rho * chi) * xbar - rho * chi * sim[-1]
            xc = (1 + psi * rho) * xbar - psi * rho * sim[-1]
            xcc = (1 - psi) * xbar + psi * sim[-1]
            ask = batch([xr, xe, xc, xcc], all_used=False)
            fxr = ask(0)
            if fxr < fsim[0]:
                fxe = ask(1)
                if fxe < fxr:
                    sim[-1], fsim[-1] = xe, fxe
                else:
                    sim[-1], fsim[-1] = xr, fxr
            elif fxr < fsim[-2]:
                sim[-1], fsim[-1] = xr, fxr
            else:
                shrink = False
                if fxr < fsim[-1]:
                    fxc = ask(2)
                    if fxc <= fxr:
                        sim[-1], fsim[-1] = xc, fxc
                    else:
                        shrink = True
                else:
                    fxcc = ask(3)
                    if fxcc < fsim[-1]:
                        sim[-1], fsim[-1] = xcc, fxcc
                    else:
                        shrink = True
                if shrink:
                    moved = [sim[0] + sigma * (sim[j] - sim[0]) for j in range(1, N + 1)]
                    ask = batch(moved)
                    for j in range(1, N + 1):
                        sim[j] = moved[j - 1]  # moved before it is evaluated, as SciPy does
                        fsim[j] = ask(j - 1)
        except _Spent:
            pass
        sim, fsim = _sorted(sim, fsim)
    return sim[0].copy(), calls


def _sorted(sim, fsim):
    """Best vertex first, by numpy's default sort: the one SciPy uses, so that ties fall
    the same way."""
    ind = np.argsort(fsim)
    return np.take(sim, ind, 0), np.take(fsim, ind, 0)

r"""Matrix norms, over the last two axes (leading axes are a batch).

==========================  =============================================  ==============
function                    definition                                     name in papers
==========================  =============================================  ==============
:func:`max_norm`            :math:`\max_{ij} |X_{ij}|`                     :math:`\|X\|_{\max}`
:func:`row_sum_norm`        :math:`\max_i \sum_j |X_{ij}|` (induced ∞→∞)   :math:`\|X\|_\infty`
:func:`col_sum_norm`        :math:`\max_j \sum_i |X_{ij}|` (induced 1→1)   :math:`\|X\|_1`
:func:`composite_norm`      :math:`\sqrt{\|X\|_1 \|X\|_\infty}`            :math:`\|X\|_{1,\infty}`
:func:`frobenius_norm`      :math:`(\sum_{ij} X_{ij}^2)^{1/2}`             :math:`\|X\|_F`
==========================  =============================================  ==============

Which of the first two a paper means by :math:`\|\cdot\|_\infty` matters (Alman &
Song write :math:`\|W\|_\infty \le \eta`; paper-math.md §4.1), so symbound never
uses the ambiguous name.  The composite norm is Dong, Cordonnier & Loukas (2021)'s
:math:`\|\cdot\|_{1,\infty}`; it is not a norm (no triangle inequality).

>>> from symbound.numeric.backends import ExactBackend
>>> X = [[1, -2], [3, 4]]
>>> E = ExactBackend()
>>> [str(f(E.asarray(X), backend=E)) for f in (max_norm, row_sum_norm, col_sum_norm)]
['4', '7', '6']
"""

from __future__ import annotations

from symbound.numeric.backends import AbstractBackend, Float64Backend

__all__ = ["col_sum_norm", "composite_norm", "frobenius_norm", "max_norm", "row_sum_norm"]

_F64 = Float64Backend()


def max_norm(x, *, backend: AbstractBackend = _F64):
    r"""Largest absolute entry, :math:`\|X\|_{\max} = \max_{ij}|X_{ij}|`.

    >>> import numpy as np
    >>> float(max_norm(np.array([[1.0, -3.0], [2.0, 0.5]])))
    3.0
    """
    return backend.max(backend.abs(backend.asarray(x)), axis=(-2, -1))


def row_sum_norm(x, *, backend: AbstractBackend = _F64):
    r"""Largest absolute row sum, the operator norm induced by :math:`\ell_\infty`.

    >>> import numpy as np
    >>> float(row_sum_norm(np.array([[1.0, -3.0], [2.0, 0.5]])))
    4.0
    """
    return backend.max(backend.sum(backend.abs(backend.asarray(x)), axis=-1), axis=-1)


def col_sum_norm(x, *, backend: AbstractBackend = _F64):
    r"""Largest absolute column sum, the operator norm induced by :math:`\ell_1`.

    >>> import numpy as np
    >>> float(col_sum_norm(np.array([[1.0, -3.0], [2.0, 0.5]])))
    3.5
    """
    return backend.max(backend.sum(backend.abs(backend.asarray(x)), axis=-2), axis=-1)


def composite_norm(x, *, backend: AbstractBackend = _F64):
    r"""Dong et al.'s :math:`\|X\|_{1,\infty} = \sqrt{\|X\|_1\,\|X\|_\infty}`.

    >>> import numpy as np
    >>> float(composite_norm(np.array([[1.0, -3.0], [2.0, 0.5]])))  # sqrt(3.5 * 4)
    3.7416573867739413
    """
    x = backend.asarray(x)
    col, row = col_sum_norm(x, backend=backend), row_sum_norm(x, backend=backend)
    with backend.scope():  # Arb rounds products to the *global* precision outside it
        product = col * row
    return backend.sqrt(product)


def frobenius_norm(x, *, backend: AbstractBackend = _F64):
    r"""Frobenius norm :math:`\|X\|_F`.

    >>> import numpy as np
    >>> float(frobenius_norm(np.array([[3.0, 0.0], [0.0, 4.0]])))
    5.0
    """
    x = backend.asarray(x)
    with backend.scope():
        squares = x * x
    return backend.sqrt(backend.sum(squares, axis=(-2, -1)))

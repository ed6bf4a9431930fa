"""Every catalogue claim's float64 evaluation gives each row of a batch the bits it has alone.

The search relies on it: Nelder--Mead's candidate points and a shrinking coordinate's
trials are evaluated as batches (where that is cheap), and the results must be those of
evaluating them one at a time -- the same witnesses whether or not a batch was used.
"""

from __future__ import annotations

import numpy as np
import pytest

from symbound.check.evaluate import float_ratios
from symbound.check.stages import size_grid
from symbound.lemmas.catalogue import load_catalogue

CATALOGUE = load_catalogue()


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_a_batch_row_has_its_own_bits(key):
    lemma = CATALOGUE[key]
    grid = size_grid(lemma)
    rng = np.random.default_rng(7)
    for sizes in (grid[0], grid[-1]):
        z = lemma.space.sample(rng, lemma.space.dimension(sizes), 6)
        z[3] = z[2] * 40.0  # far out: huge logits, underflowing weights
        with np.errstate(all="ignore"):
            batch = float_ratios(lemma, z, sizes)
            alone = np.array([float_ratios(lemma, z[i : i + 1], sizes)[0] for i in range(6)])
        assert batch.tobytes() == alone.tobytes(), sizes

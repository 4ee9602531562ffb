"""Comparing two partitions of the same actors into blocs.

A predicted alignment and the historical one rarely use the same bloc names, so every
measure here is blind to relabelling:

* :func:`misplaced` -- Axelrod & Bennett's own yardstick: how many actors sit in the
  wrong bloc once the predicted blocs are matched one-to-one to the actual blocs in the
  best possible way (the assignment problem, solved by
  :func:`scipy.optimize.linear_sum_assignment`).
* :func:`adjusted_rand_index` -- pair agreement corrected for chance (Hubert & Arabie
  1985): 1 for identical partitions, about 0 for unrelated ones.
* :func:`variation_of_information` -- Meila's (2007) distance ``H(A|B) + H(B|A)``, a
  true metric on partitions; 0 for identical ones. Measured in bits.
"""

from __future__ import annotations

from typing import Hashable, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.special import comb


def contingency(a: Sequence[Hashable], b: Sequence[Hashable]) -> np.ndarray:
    """Table ``N[x, y]`` = actors in bloc ``x`` of ``a`` and bloc ``y`` of ``b``."""
    a = list(a)
    b = list(b)
    if len(a) != len(b):
        raise ValueError(f"partitions cover different numbers of actors: {len(a)} vs {len(b)}")
    if not a:
        raise ValueError("partitions are empty")
    _, ia = np.unique(np.array([str(x) for x in a]), return_inverse=True)
    _, ib = np.unique(np.array([str(x) for x in b]), return_inverse=True)
    table = np.zeros((ia.max() + 1, ib.max() + 1), dtype=np.int64)
    np.add.at(table, (ia, ib), 1)
    return table


def misplaced(a, b) -> int:
    """Actors in the wrong bloc under the best one-to-one matching of blocs.

    Blocs left unmatched (when one partition has more blocs) count all their members as
    misplaced.
    """
    table = contingency(a, b)
    rows, cols = linear_sum_assignment(table, maximize=True)
    return int(table.sum() - table[rows, cols].sum())


def adjusted_rand_index(a, b) -> float:
    """Adjusted Rand index of two partitions (1 identical, ~0 chance, can be negative).

    When both partitions are trivial in the same way (e.g. everyone in one bloc, or every
    actor alone) the chance correction is 0/0; identical partitions then score 1.
    """
    table = contingency(a, b)
    n = table.sum()
    sum_cells = comb(table, 2).sum()
    sum_a = comb(table.sum(1), 2).sum()
    sum_b = comb(table.sum(0), 2).sum()
    total = comb(n, 2)
    expected = sum_a * sum_b / total if total else 0.0
    maximum = (sum_a + sum_b) / 2.0
    if maximum == expected:
        return 1.0 if sum_cells == maximum else 0.0
    return float((sum_cells - expected) / (maximum - expected))


def variation_of_information(a, b) -> float:
    """Variation of information ``H(A) + H(B) - 2 I(A; B)`` in bits."""
    table = contingency(a, b).astype(float)
    p = table / table.sum()
    pa = p.sum(1, keepdims=True)
    pb = p.sum(0, keepdims=True)
    nz = p > 0
    # VI = -sum p_xy [log p_xy/p_x + log p_xy/p_y]
    vi = -(p[nz] * (np.log2(p[nz] / np.broadcast_to(pa, p.shape)[nz])
                    + np.log2(p[nz] / np.broadcast_to(pb, p.shape)[nz]))).sum()
    return float(vi) if vi > 0 else 0.0


def compare(predicted, actual) -> dict[str, float]:
    """All three measures at once: ``misplaced``, ``ari`` and ``vi``."""
    return {"misplaced": misplaced(predicted, actual),
            "ari": adjusted_rand_index(predicted, actual),
            "vi": variation_of_information(predicted, actual)}

"""The largest entry of a line other than the entry itself, for every entry at once.

Two sub-models ask it: bandwagoning (the best third state able to face a threat, leaving
out the state that asks) and multi-vector hedging (a state's closest tie other than the
one being weighed). The answer comes from each line's top two entries: the top one for
every entry but the top's own, the second for that one.
"""

from __future__ import annotations

import numpy as np


def largest_other(a: np.ndarray, axis: int) -> np.ndarray:
    """For ``axis=1``, ``[i, j]`` is the largest ``a[i, k]`` with ``k != j``; for ``axis=0``,
    the largest ``a[k, j]`` with ``k != i``. 0 where a line has no other entry."""
    n = a.shape[axis]
    if n < 2:
        return np.zeros(a.shape)
    lines = np.arange(a.shape[1 - axis])
    top_k = np.argmax(a, axis=axis)
    top_at = (lines, top_k) if axis == 1 else (top_k, lines)
    top = a[top_at]
    rest = a.copy()
    rest[top_at] = -np.inf
    second = rest.max(axis=axis)
    own = np.arange(n)
    if axis == 1:
        return np.where(own[None, :] == top_k[:, None], second[:, None], top[:, None])
    return np.where(own[:, None] == top_k[None, :], second[None, :], top[None, :])

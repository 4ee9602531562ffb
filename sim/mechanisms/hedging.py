"""Multi-vector hedging, judged at the level a state would settle on.

A multi-vector state (Kazakhstan's and Uzbekistan's "multi-vector" foreign policies) keeps
any one relationship from standing far above the others: it reaches out to strong states
as counterweights to its closest tie (in proportion to the partner's weight against that
tie and to how far the relationship with it lags the closest one) and pulls back from a
tie that stands above its average. Both parts depend on the level of the very
relationship being weighed.

Read at the current level, this is a negative feedback that overshoots: a pair one level
below the state's average is pushed up, one level above it is pushed down, and with the
fast adjustment the record supports the pair flips every year between the two (the
United States-Uzbekistan pair did so in 2021-24 in almost every run). A state that hedges
does not re-decide its balance every year from where it stands; it aims for a level at
which its hedging is content. So the term is evaluated at the level that is consistent
with it: the fixed point ``x = clip(normal + gain * (rest + k * hedge(x)))`` of the bliss
level, holding the state's other relationships where they are. Because ``hedge`` never
rises with ``x``, the fixed point is unique, and because it is piecewise linear (kinks
where the pair reaches 0, the state's closest other tie and its average) it is found
exactly, piece by piece.
"""

from __future__ import annotations

import numpy as np

from sim.levels import DE_FACTO_MAX
from sim.mechanisms.leave_one_out import largest_other


def cooperation(de_facto: np.ndarray) -> np.ndarray:
    """Cooperation on a 0-1 scale: level / 3, 0 for distance and below."""
    return np.maximum(de_facto, 0) / DE_FACTO_MAX


def others(coop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``[i, j]``: the closest and the summed cooperation of i with everyone but j."""
    return largest_other(coop, axis=1), coop.sum(axis=1, keepdims=True) - coop


def hedge(own: np.ndarray, closest: np.ndarray, summed: np.ndarray, counter_weight: np.ndarray) -> np.ndarray:
    """The unscaled hedging term at cooperation ``own`` (level / 3, 0 for levels <= 0) of
    each pair: the counterweight pull minus the excess over the state's average tie.

    ``counter_weight[i, j]`` is j's weight against i's other ties (p_j / (p_j + p_i)).
    """
    n = summed.shape[-1]
    mean = (summed + own) / max(n - 1, 1)
    return counter_weight * np.maximum(0.0, closest - own) - np.maximum(0.0, own - mean)


def settled(base: np.ndarray, slope: np.ndarray, closest: np.ndarray, summed: np.ndarray,
            counter_weight: np.ndarray) -> np.ndarray:
    """The cooperation ``own`` at which the bliss level ``base + slope * hedge(own)`` is
    the level ``own`` stands for (``slope >= 0``: level gain times the autonomy weight
    times the state's multi-vector disposition; ``base``: the bliss level of everything
    else, unclipped; it may carry leading axes, several totals settled at once).

    Returns the fixed point's cooperation, ``max(0, x) / 3`` clipped to [0, 1] for the
    fixed-point level x: all the hedging term needs. With ``own = x / 3``,
    ``h = base + slope * hedge(own) - x`` falls strictly, so its root lies on the one piece
    whose ends ``h`` brackets, where it is linear.
    """
    n = closest.shape[-1]
    d = max(n - 1, 1)
    above_mean = np.minimum(summed / d / ((n - 2) / d), 1.0) if n > 2 else np.ones_like(closest)
    ends = np.empty((4,) + closest.shape)  # the kinks, in order: 0 <= both middle ones <= 1
    ends[0], ends[3] = 0.0, 1.0
    np.minimum(closest, above_mean, out=ends[1])
    np.maximum(closest, above_mean, out=ends[2])
    at_ends = slope * hedge(ends, closest, summed, counter_weight) - DE_FACTO_MAX * ends
    shape = (4,) + (1,) * (base.ndim - closest.ndim) + closest.shape  # base's leading axes: several totals
    ends, at_ends = ends.reshape(shape), at_ends.reshape(shape)
    h = base + at_ends
    lo, hi, h_lo, h_hi = ends[:-1], ends[1:], h[:-1], h[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.where(h_lo > h_hi, lo + (hi - lo) * h_lo / (h_lo - h_hi), lo)
    inside = (h_lo > 0) & (h_hi <= 0)
    own = np.where(inside, root, 0.0).sum(axis=0)
    return np.where(h[-1] > 0, 1.0, np.where(h[0] <= 0, 0.0, own))

"""De facto alignment: what each state wants, what the pair agrees, and how fast it moves.

A state's wanted level toward a partner is a logit (random-utility) choice over the six
de facto levels. Its net utility sets a bliss level (``level_gain`` levels per unit of
utility); each level's value falls quadratically with its distance from the bliss level,
and Gumbel noise scaled by the temperature makes the choice a logit: at temperature 0 the
state picks the nearest level, at high temperature any level.

Changing course costs a government something: a level other than the pair's practised one
must be worth ``switching_cost`` more than staying (a status-quo bias, as in discrete
choice with state dependence: Samuelson & Zeckhauser 1988; Heckman 1981). A bliss level
hovering near the midpoint of two levels then keeps the practised level instead of
flipping between the two every year.

Cooperation needs both sides and hostility needs only one, so the pair's agreed level is
the lower of the two wanted levels. The de facto level then closes a share of the gap each
year (inertia), through a continuous latent value that is rounded for reporting.
"""

from __future__ import annotations

import numpy as np

from sim.levels import DE_FACTO_MAX, DE_FACTO_MIN, LEVELS

_LEVELS = np.array(LEVELS, dtype=float)
_LEVELS32 = _LEVELS.astype(np.float32)
_TINY = np.finfo(np.float32).tiny
#: Up to this many choices, one vectorised arg-max over a trailing level axis costs fewest
#: numpy calls; above it, a loop over the six levels on contiguous arrays is faster.
_FEW = 1024


def bliss_level(total_utility: np.ndarray, level_gain: float, normal_level: float = 0.0) -> np.ndarray:
    """The continuous level a state would pick without noise.

    ``normal_level`` is where a pair settles when nothing pulls it either way: 0 reads a
    world where cooperation must be earned, 1 one where ordinary diplomatic and economic
    cooperation is the default between states at peace.
    """
    return np.clip(normal_level + level_gain * total_utility, DE_FACTO_MIN, DE_FACTO_MAX)


def choose_levels(bliss: np.ndarray, temperature: float, rng: np.random.Generator | None,
                  cap: np.ndarray | float | None = None, also: np.ndarray | None = None,
                  current: np.ndarray | None = None,
                  switching_cost: float = 0.0) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Logit choice of a level for each entry of ``bliss`` (any shape).

    Args:
        bliss: Bliss levels.
        temperature: Scale of the Gumbel noise; 0 gives the nearest level.
        rng: Source of noise (needed when ``temperature > 0``).
        cap: Highest level allowed (neutral states), broadcast against ``bliss``.
        also: A second set of bliss levels chosen under the same noise draw (what a
            state would want without some consideration); both choices are then returned.
            The second choice is free of the switching cost: it judges instruments and
            memberships, which have hysteresis of their own (formalise and denounce
            years, the join and leave margins), not practice.
        current: The practised level of each choice (integers, the shape of ``bliss``).
        switching_cost: What leaving ``current`` costs, in units of the choice value
            (0: no status-quo bias; then ``current`` is not needed).
    """
    b = np.asarray(bliss, dtype=np.float32)
    noise = None
    if temperature > 0:
        # Gumbel noise as -log of standard exponentials: same law as rng.gumbel, faster.
        noise = rng.standard_exponential(size=b.shape + (len(LEVELS),), dtype=np.float32)
        np.maximum(noise, _TINY, out=noise)  # a draw of exactly 0 is possible
        np.log(noise, out=noise)
        noise *= np.float32(temperature)
    staying = noise
    if switching_cost and current is not None:
        staying = _stay_bonus(noise, current, switching_cost)
    chosen = _pick(b, staying, cap)
    if also is None:
        return chosen
    return chosen, _pick(np.asarray(also, dtype=np.float32), noise, cap)


def _stay_bonus(noise: np.ndarray | None, current: np.ndarray, cost: float) -> np.ndarray:
    """The noise less ``cost`` at each choice's practised level (noise is subtracted from
    the values, so this raises the practised level's value by the cost); a new array."""
    stay = (_LEVELS32 == np.asarray(current, dtype=np.float32)[..., None]) * np.float32(cost)
    return -stay if noise is None else noise - stay


def _pick(b: np.ndarray, noise: np.ndarray | None, cap) -> np.ndarray:
    """The best level for each bliss level under the drawn noise (``noise`` is left as is)."""
    if b.size <= _FEW:
        value = _LEVELS32 - b[..., None]
        value *= value
        value *= -0.5
        if noise is not None:
            value -= noise
        if cap is not None:
            value = np.where(_LEVELS32 > np.asarray(cap)[..., None], -np.inf, value)
        return np.argmax(value, axis=-1) + DE_FACTO_MIN
    return _best_level(b, noise, cap)


def _best_level(b: np.ndarray, noise: np.ndarray | None, cap) -> np.ndarray:
    """The arg-max over levels one level at a time (level-first: contiguous ``n x n`` arrays
    rather than a short last axis), with the same values and ties as :func:`choose_levels`'s
    small-array path: the lowest of equally valued levels wins."""
    capped = None if cap is None else np.broadcast_to(np.asarray(cap), b.shape)
    best = choice = None
    for k, level in enumerate(_LEVELS32):
        value = level - b
        value *= value
        value *= -0.5
        if noise is not None:
            value -= noise[..., k]
        if capped is not None:
            value[capped < level] = -np.inf
        if best is None:
            best, choice = value, np.zeros(b.shape, dtype=np.intp)
        else:
            better = value > best
            np.maximum(best, value, out=best)
            choice[better] = k
    return choice + DE_FACTO_MIN


def agreed_level(desired: np.ndarray) -> np.ndarray:
    """Cooperation needs both sides, hostility one: the lower of the two wanted levels."""
    return np.minimum(desired, desired.T)  # wanted levels are 0 on the diagonal


def adjust(latent: np.ndarray, agreed: np.ndarray, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Move the latent level a share ``rate`` toward the agreed level; return (latent, level)."""
    latent = latent + rate * (agreed - latent)
    level = np.clip(np.floor(latent + 0.5), DE_FACTO_MIN, DE_FACTO_MAX).astype(int)
    return latent, level

"""De facto alignment: what each state wants, what the pair agrees, and how fast it moves.

A state's wanted level toward a partner is a logit (random-utility) choice over the six
de facto levels. Its net utility sets a bliss level (``level_gain`` levels per unit of
utility); each level's value falls quadratically with its distance from the bliss level,
and Gumbel noise scaled by the temperature makes the choice a logit: at temperature 0 the
state picks the nearest level, at high temperature any level.

Cooperation needs both sides and hostility needs only one, so the pair's agreed level is
the lower of the two wanted levels. The de facto level then closes a share of the gap each
year (inertia), through a continuous latent value that is rounded for reporting.
"""

from __future__ import annotations

import numpy as np

from sim.levels import DE_FACTO_MAX, DE_FACTO_MIN, LEVELS

_LEVELS = np.array(LEVELS, dtype=float)


def bliss_level(total_utility: np.ndarray, level_gain: float, normal_level: float = 0.0) -> np.ndarray:
    """The continuous level a state would pick without noise.

    ``normal_level`` is where a pair settles when nothing pulls it either way: 0 reads a
    world where cooperation must be earned, 1 one where ordinary diplomatic and economic
    cooperation is the default between states at peace.
    """
    return np.clip(normal_level + level_gain * total_utility, DE_FACTO_MIN, DE_FACTO_MAX)


def choose_levels(bliss: np.ndarray, temperature: float, rng: np.random.Generator | None,
                  cap: np.ndarray | float | None = None,
                  also: np.ndarray | None = None) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Logit choice of a level for each entry of ``bliss`` (any shape).

    Args:
        bliss: Bliss levels.
        temperature: Scale of the Gumbel noise; 0 gives the nearest level.
        rng: Source of noise (needed when ``temperature > 0``).
        cap: Highest level allowed (neutral states), broadcast against ``bliss``.
        also: A second set of bliss levels chosen under the same noise draw (what a
            state would want without some consideration); both choices are then returned.
    """
    value = -0.5 * (_LEVELS.astype(np.float32) - bliss[..., None].astype(np.float32)) ** 2
    noise = None
    if temperature > 0:
        # Gumbel noise as -log of standard exponentials: same law as rng.gumbel, faster.
        noise = rng.standard_exponential(size=value.shape, dtype=np.float32)
        np.maximum(noise, np.finfo(np.float32).tiny, out=noise)  # a draw of exactly 0 is possible
        noise = -np.float32(temperature) * np.log(noise)
        value += noise
    chosen = _pick(value, cap)
    if also is None:
        return chosen
    other = -0.5 * (_LEVELS.astype(np.float32) - also[..., None].astype(np.float32)) ** 2
    return chosen, _pick(other if noise is None else other + noise, cap)


def _pick(value: np.ndarray, cap: np.ndarray | float | None) -> np.ndarray:
    """The best allowed level for each entry of a ``(..., levels)`` value array."""
    if cap is not None:
        value = np.where(_LEVELS > np.asarray(cap)[..., None], -np.inf, value)
    return _LEVELS[np.argmax(value, axis=-1)].astype(int)


def agreed_level(desired: np.ndarray) -> np.ndarray:
    """Cooperation needs both sides, hostility one: the lower of the two wanted levels."""
    return np.minimum(desired, desired.T)  # wanted levels are 0 on the diagonal


def adjust(latent: np.ndarray, agreed: np.ndarray, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Move the latent level a share ``rate`` toward the agreed level; return (latent, level)."""
    latent = latent + rate * (agreed - latent)
    level = np.clip(np.floor(latent + 0.5), DE_FACTO_MIN, DE_FACTO_MAX).astype(int)
    return latent, level

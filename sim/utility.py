"""Alignment utility: what aligning with j is worth to i, component by component.

Each component is an ``(n, n)`` array ``U[i, j]`` roughly in [-1, 1] and is kept separate,
because the components are the explanation a user reads ("Uzbekistan moved toward Russia
because its security value rose after Andijan"). The total is their weighted sum.

Components:
    security: how much j would help i against i's threats. Threats are weighted by their
        share of everything i fears; j helps against k in proportion to j's weight against
        k, p_j / (p_j + p_k), and to j's own concern about k, and not at all if j is already
        aligned with k; relative to the best help available, times i's exposure. A shared threat is what makes a strategic partner.
    balancing: pushing away from whichever state threatens i more than i's other threats
        do on average. Relative, because states balance against the greatest threats, not
        against everyone at once; states below the average are not pushed away (nor pulled).
    bandwagon: siding with a threat instead: strongest when i is weak relative to j, j is
        close, i is bandwagon-prone and no other state could stand up to j for i. The
        stronger side values the client in the same measure (a patron welcomes it).
    ideology: shared values (regime type and other value dimensions).
    interests: convergence of interests (e.g. UN ideal points, adjusted by evidence).
    economy: i's trade dependence on j.
    autonomy: the cost of depending on a stronger partner (fear of domination and
        entrapment), plus, for multi-vector states, the cost of one relationship standing
        above the others.
    inertia: the pull of the current level (status-quo bias).
"""

from __future__ import annotations

import numpy as np

from sim.levels import DE_FACTO_MAX

COMPONENTS = ("security", "balancing", "bandwagon", "ideology", "interests", "economy",
              "autonomy", "inertia")


def power_ratio(power: np.ndarray) -> np.ndarray:
    """``[j, k]`` = p_j / (p_j + p_k): j's weight against k, 1/2 when they are equal."""
    p = np.asarray(power, dtype=float)
    denom = p[:, None] + p[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denom > 0, p[:, None] / denom, 0.5)


def willingness(threat: np.ndarray, de_facto: np.ndarray) -> np.ndarray:
    """``[j, k]`` in [0, 1]: how ready j is to stand against k.

    j's concern about k relative to its greatest concern, reduced as j is already
    cooperating with k.
    """
    top = threat.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        concern = np.where(top > 0, threat / top, 0.0)
    friendly = np.clip(de_facto, 0, DE_FACTO_MAX) / DE_FACTO_MAX
    w = concern * (1.0 - friendly)
    np.fill_diagonal(w, 0.0)
    return w


def security_value(threat: np.ndarray, power: np.ndarray, will: np.ndarray) -> np.ndarray:
    """``[i, j]`` in [0, 1]: the help j offers i against i's threats.

    The threat-weighted help of j is taken relative to the best help i can find anywhere
    (a state judges partners against its alternatives: two minor powers facing a hegemon
    are each other's best option even if each adds little), and scaled by how threatened
    i is at all (its greatest single threat), so an unthreatened state values no one for
    security.
    """
    total = threat.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, threat / total, 0.0)
    helpk = power_ratio(power) * will  # [j, k]
    s = share @ helpk.T  # sum_k share[i, k] * help[j, k]
    np.fill_diagonal(s, 0.0)
    best = s.max(axis=1, keepdims=True)
    exposure = threat.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(best > 0, exposure * s / best, 0.0)


def alternatives(power: np.ndarray, will: np.ndarray) -> np.ndarray:
    """``[i, j]`` in [0, 1]: the best third state k (not i, not j) able and ready to face j."""
    n = len(power)
    able = power_ratio(power) * will  # [k, j]
    if n < 3:
        return np.zeros((n, n))
    # For each j, the largest and second-largest able[k, j] over k; if the largest is
    # i itself, i's alternative is the second.
    order = np.argsort(-able, axis=0, kind="stable")
    first_k = order[0]
    first = able[first_k, np.arange(n)]
    second = able[order[1], np.arange(n)]
    alt = np.where(np.arange(n)[:, None] == first_k[None, :], second[None, :], first[None, :])
    np.fill_diagonal(alt, 0.0)
    return alt


def bandwagon_propensity(power: np.ndarray, prox: np.ndarray, propensity: np.ndarray,
                         alt: np.ndarray) -> np.ndarray:
    """``[i, j]`` in [0, 1]: how far i bandwagons with j instead of balancing it."""
    p = np.asarray(power, dtype=float)
    denom = p[:, None] + p[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        weakness = np.where(denom > 0, p[None, :] / denom, 0.5)
    bw = propensity[:, None] * weakness * prox * (1.0 - alt)
    np.fill_diagonal(bw, 0.0)
    return np.clip(bw, 0.0, 1.0)


def affinity(vectors: np.ndarray, scale: float) -> np.ndarray:
    """``[i, j]`` in [-1, 1]: 1 for identical value vectors, -1 at distance >= scale."""
    x = np.asarray(vectors, dtype=float)
    if x.ndim != 2 or x.shape[1] == 0:
        return np.zeros((x.shape[0], x.shape[0]))
    d = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    a = 1.0 - 2.0 * np.minimum(1.0, d / scale)
    np.fill_diagonal(a, 0.0)
    return a


def utility_components(*, threat: np.ndarray, power: np.ndarray, prox: np.ndarray,
                       de_facto: np.ndarray, ideology: np.ndarray, ideology_scale: float,
                       interests: np.ndarray, trade: np.ndarray, bandwagon: np.ndarray,
                       autonomy: np.ndarray, multi_vector: np.ndarray) -> dict[str, np.ndarray]:
    """All utility components ``U[i, j]`` (unweighted). See the module docstring."""
    n = len(power)
    will = willingness(threat, de_facto)
    alt = alternatives(power, will)
    bw = bandwagon_propensity(power, prox, bandwagon, alt)
    mean_threat = threat.sum(axis=1, keepdims=True) / max(n - 1, 1)
    p = np.asarray(power, dtype=float)
    denom = p[:, None] + p[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        dominance = np.where(denom > 0, np.maximum(0.0, p[None, :] - p[:, None]) / denom, 0.0)
    coop = np.clip(de_facto, 0, DE_FACTO_MAX) / DE_FACTO_MAX
    mean_coop = coop.sum(axis=1, keepdims=True) / max(n - 1, 1)
    excess = np.maximum(0.0, coop - mean_coop)
    comps = {
        "security": security_value(threat, power, will),
        "balancing": -(1.0 - bw) * np.maximum(0.0, threat - mean_threat),
        "bandwagon": bw * threat + (bw * threat).T,
        "ideology": affinity(ideology, ideology_scale),
        "interests": np.asarray(interests, dtype=float),
        "economy": np.asarray(trade, dtype=float),
        "autonomy": -(autonomy[:, None] * dominance) - multi_vector[:, None] * excess,
        "inertia": de_facto / DE_FACTO_MAX,
    }
    for arr in comps.values():
        np.fill_diagonal(arr, 0.0)
    return comps


def total_utility(components: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Weighted sum of the components."""
    return sum(weights[c] * components[c] for c in COMPONENTS)

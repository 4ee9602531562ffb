"""Threat: Walt's balance of threat and Waltz's balance of power as one weighted sum.

The threat that state j poses to state i combines four sources (Walt 1987): j's aggregate
power, j's proximity to i, j's offensive capability and i's perception of j's aggressive
intent. Balance of power is the special case where only aggregate power counts, so a
scenario can sit anywhere between the two by moving weight across the components.

All functions are pure numpy on ``(n,)`` and ``(n, n)`` arrays; ``[i, j]`` reads "what j
means to i".
"""

from __future__ import annotations

import numpy as np

COMPONENTS = ("power", "proximity", "offense", "intent")

PRESETS: dict[str, dict[str, float]] = {
    "balance_of_power": {"power": 1.0, "proximity": 0.0, "offense": 0.0, "intent": 0.0},
    "balance_of_threat": {"power": 0.25, "proximity": 0.25, "offense": 0.25, "intent": 0.25},
}


def threat_weights(preset: str | None = "balance_of_threat", mix: float | None = None,
                   **explicit: float | None) -> dict[str, float]:
    """Normalised weights of the four threat components.

    Args:
        preset: ``balance_of_power`` or ``balance_of_threat``; the starting point.
        mix: If given, moves linearly from pure balance of power (0) to the scenario's own
            threat weighting (1): the preset with any explicit weights applied. So a sweep
            over ``mix`` is meaningful for every scenario, fitted weights included.
        **explicit: Weights per component; any given replaces the preset's value.

    Raises:
        ValueError: If the weights sum to zero and cannot be normalised.
    """
    w = dict(PRESETS[preset or "balance_of_threat"])
    for c in COMPONENTS:
        if explicit.get(c) is not None:
            w[c] = float(explicit[c])
    total = sum(w.values())
    if not np.isfinite(total) or total <= 0:
        raise ValueError("threat weights must have a positive, finite sum")
    w = {c: w[c] / total for c in COMPONENTS}
    if mix is not None:
        bop = PRESETS["balance_of_power"]
        w = {c: (1 - mix) * bop[c] + mix * w[c] for c in COMPONENTS}
    return w


def share_excluding_self(x: np.ndarray) -> np.ndarray:
    """``[i, j]`` = j's share of the capability among all states other than i.

    Shares, not raw values, because a state fears the strongest of the others it faces;
    this makes the component scale-free (power in CINC or in any unit gives the same).
    """
    x = np.asarray(x, dtype=float)
    others = x.sum() - x
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(others[:, None] > 0, x[None, :] / others[:, None], 0.0)
    np.fill_diagonal(s, 0.0)
    return s


def proximity(distance_km: np.ndarray, contiguity: np.ndarray, scale_km: float,
              square: bool = True) -> np.ndarray:
    """Closeness in [0, 1]: 1 for contiguous states, decaying with capital distance.

    ``square`` arrays are state-by-state, and a state is not close to itself; for states
    against threat sources (``square=False``) the host state is as close as it gets.
    """
    prox = np.exp(-np.asarray(distance_km, dtype=float) / scale_km)
    prox = np.where(np.asarray(contiguity) > 0, 1.0, prox)
    if square:
        np.fill_diagonal(prox, 0.0)
    return prox


def relative_power(power: np.ndarray) -> np.ndarray:
    """``[i, j]`` = p_j / (p_i + p_j): j's weight in the dyad."""
    p = np.asarray(power, dtype=float)
    denom = p[:, None] + p[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(denom > 0, p[None, :] / denom, 0.5)
    np.fill_diagonal(rel, 0.0)
    return rel


def weights_in_force(spec, **overrides: float | None) -> dict[str, float]:
    """The normalised threat weights of a scenario's ``mechanism.threat`` section, with any
    component given in ``overrides`` (not None) replacing the section's own."""
    given = {c: overrides.get(c) if overrides.get(c) is not None else getattr(spec, c) for c in COMPONENTS}
    return threat_weights(spec.preset, spec.mix, **given)


def threat_components(power: np.ndarray, offense: np.ndarray, prox: np.ndarray,
                      intent: np.ndarray) -> dict[str, np.ndarray]:
    """The four unweighted sources of threat, each an ``(n, n)`` array in [0, 1].

    Proximity enters as power projected over distance (closeness times j's weight in the
    dyad), as Walt argues: a neighbour is dangerous because its power reaches, so a tiny
    neighbour is not a large threat merely for being close. Offensive capability is
    likewise discounted by distance: armed forces threaten where they can be brought to
    bear (a forward deployment, modelled as a shorter distance, brings them close).
    Aggregate power is not discounted: that is the systemic view of balance of power.
    """
    intent = np.array(intent, dtype=float)
    np.fill_diagonal(intent, 0.0)
    return {
        "power": share_excluding_self(power),
        "proximity": prox * relative_power(power),
        "offense": share_excluding_self(offense) * prox,
        "intent": intent,
    }


def threat_matrix(components: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Weighted threat ``T[i, j]`` in [0, 1]: the threat j poses to i."""
    T = sum(weights[c] * components[c] for c in COMPONENTS)
    return np.clip(T, 0.0, 1.0)


def source_threat(power: np.ndarray, offense: np.ndarray, source_power: np.ndarray,
                  source_offense: np.ndarray, prox: np.ndarray, intent: np.ndarray,
                  weights: dict[str, float]) -> np.ndarray:
    """``[i, k]``: the threat a non-state source k poses to state i, by the same four sources.

    The source's capability is shared against the states' own (so an armed movement with a
    sliver of a state's power is a sliver of a threat by power alone), and its reach and
    intent enter as for a state. Under balance of power an armed movement is almost no
    threat; under balance of threat a close, armed, hostile one can be the gravest.
    """
    p, o = np.asarray(power, float), np.asarray(offense, float)
    sp, so = np.asarray(source_power, float), np.asarray(source_offense, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        others_p = (p.sum() - p)[:, None] + sp[None, :]
        others_o = (o.sum() - o)[:, None] + so[None, :]
        share_p = np.where(others_p > 0, sp[None, :] / others_p, 0.0)
        share_o = np.where(others_o > 0, so[None, :] / others_o, 0.0)
        rel = np.where(p[:, None] + sp[None, :] > 0, sp[None, :] / (p[:, None] + sp[None, :]), 0.0)
    parts = {"power": share_p, "proximity": prox * rel, "offense": share_o * prox, "intent": intent}
    return np.clip(sum(weights[c] * parts[c] for c in COMPONENTS), 0.0, 1.0)

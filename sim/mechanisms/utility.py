"""Alignment utility: what aligning with j is worth to i, component by component.

Each component is an ``(n, n)`` array ``U[i, j]`` roughly in [-1, 1] and is kept separate,
because the components are the explanation a user reads ("Uzbekistan moved toward Russia
because its security value rose after Andijan"). The total is their weighted sum.

Components:
    security: how much j would help i against i's threats. Threats are weighted by their
        share of everything i fears; j helps against k in proportion to j's weight against
        k, p_j / (p_j + p_k), and to j's own concern about k, and not at all if j is already
        aligned with k; discounted as j is itself i's gravest threat (T_ij / max_k T_ik);
        relative to the best help available, times i's exposure. A shared threat is what makes a strategic partner.
        Threats that are not states (armed movements, ``threat_sources``) count among i's
        threats like any other: j helps against them in proportion to j's weight against
        them and j's own concern, and no one is aligned with them.
    balancing: pushing away from whichever state threatens i more than i's other threats
        do on average. Relative, because states balance against the greatest threats, not
        against everyone at once; states below the average are not pushed away (nor pulled).
    bandwagon: siding with a threat instead: strongest when j overwhelms i (the square of
        j's power edge, (p_j - p_i)/(p_i + p_j), zero if j is not stronger), j is close, i is
        bandwagon-prone and no other state could stand up to j for i. The
        stronger side values the client in the same measure (a patron welcomes it).
    ideology: shared values (regime type and other value dimensions).
    interests: convergence of interests (e.g. UN ideal points, adjusted by evidence).
    economy: i's trade dependence on j.
    disputes: open disputes between the two (borders and enclaves, water, minorities,
        leadership rivalry), 0 to -1: issues over which states quarrel make partners of
        neither side, whatever their threats (the issue-conflict view of Vasquez and Huth).
    autonomy: the cost of depending on a stronger partner (fear of domination and
        entrapment); for multi-vector states, the cost of one relationship standing above
        the others and the pull toward other strong states as counterweights to the
        closest tie (in proportion to j's weight against i and to how far the tie with j
        lags the closest one). The multi-vector part is read at the level the state would
        settle on, not the current one (``sim.mechanisms.hedging``, :func:`settle_hedging`).
    commitment: the pull of the obligations in force: obligations written down carry
        reputational and institutional costs of falling short of them, so allies practise
        more of what they signed (Morrow 2000, "Alliances: why write them down?"; Leeds
        2003 on alliance reliability). A bilateral instrument binds by its level / 3 (a
        hostile one, sanctions, binds to nothing: no one pledged it); a multilateral pact
        binds its members chiefly to its leading power (``sim.mechanisms.blocs.bloc_binds``).
        A pledge of a defined level (partnership, alliance) pulls practice up to it and no
        further; a pledge of plain cooperation pulls openly (:func:`commitment_pull`). Only
        instruments and memberships the model itself formed (or those in force at the
        start) count: feedback from the model's own de jure record, never an input.
    inertia: the current level's own weight: each level a pair practises adds a third of the
        weight to the value of aligning further (what is built invites more). The fitted
        historical weight is near 0; the status-quo bias proper is the choice's switching
        cost (``sim.mechanisms.alignment``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.levels import DE_FACTO_MAX
from sim.mechanisms import hedging
from sim.mechanisms.leave_one_out import largest_other
from sim.mechanisms.threat import relative_power

COMPONENTS = ("security", "balancing", "bandwagon", "ideology", "interests", "economy",
              "disputes", "autonomy", "commitment", "inertia")


def alternatives(able: np.ndarray) -> np.ndarray:
    """``[i, j]``: the best third state k (not i, not j) able and ready to face j.

    ``able[k, j]`` is k's help against j, 0 for j itself, so the maximum over k excluding
    i and j is the column's largest entry other than i's.
    """
    n = able.shape[0]
    if n < 3:
        return np.zeros((n, n))
    return largest_other(able, axis=0)


def affinity(vectors: np.ndarray, scale: float) -> np.ndarray:
    """``[i, j]`` in [-1, 1]: 1 for identical value vectors, -1 at distance >= scale."""
    x = np.asarray(vectors, dtype=float)
    if x.ndim != 2 or x.shape[1] == 0:
        return np.zeros((x.shape[0], x.shape[0]))
    d = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    a = 1.0 - 2.0 * np.minimum(1.0, d / scale)
    np.fill_diagonal(a, 0.0)
    return a


@dataclass
class YearStatics:
    """The parts of the utility that depend on inputs only, not on current alignments.

    They are computed once per year of a scenario (and reused by every run of an
    ensemble); :func:`dynamic_components` adds what depends on the de facto levels.
    """

    threat: np.ndarray
    power: np.ndarray
    prox: np.ndarray
    ratio: np.ndarray  # [j, k] = p_j / (p_j + p_k): threat.relative_power transposed
    threat_share: np.ndarray  # T_ik / sum_l T_il, (n, n + m) with the m threat sources
    concern: np.ndarray  # T_jk / max_l T_jl, (n, n + m)
    help_ratio: np.ndarray  # p_j / (p_j + p_k), (n, n + m): j's weight against states and sources
    not_concern: np.ndarray  # 1 - concern, 0 on the diagonal
    exposure: np.ndarray  # (n, 1) max_k T_ik
    weakness_prox: np.ndarray  # bandwagon_i * (j's power edge over i)^2 * prox_ij
    over_threat: np.ndarray  # max(0, T_ij - mean_k T_ik)
    fixed: dict[str, np.ndarray]  # ideology, interests, economy, dominance cost


def year_statics(*, threat: np.ndarray, power: np.ndarray, prox: np.ndarray, ideology: np.ndarray,
                 ideology_scale: float, interests: np.ndarray, trade: np.ndarray,
                 bandwagon: np.ndarray, autonomy: np.ndarray, dispute: np.ndarray | None = None,
                 source_threat: np.ndarray | None = None,
                 source_power: np.ndarray | None = None) -> YearStatics:
    """Everything of the utility that the year's inputs fix.

    ``source_threat`` (n, m) and ``source_power`` (m,) add threats that are not states:
    they join each state's threat picture, and so the help partners can give, but not
    balancing or bandwagoning, which are about states.
    """
    n = len(power)
    p = np.asarray(power, dtype=float)
    denom = p[:, None] + p[None, :]
    aug = threat if source_threat is None else np.hstack([threat, source_threat])
    p_aug = p if source_power is None else np.concatenate([p, source_power])
    with np.errstate(divide="ignore", invalid="ignore"):
        dominance = np.where(denom > 0, np.maximum(0.0, p[None, :] - p[:, None]) / denom, 0.0)
        total = aug.sum(axis=1, keepdims=True)
        share = np.where(total > 0, aug / total, 0.0)
        top = aug.max(axis=1, keepdims=True)
        concern = np.where(top > 0, aug / top, 0.0)
        d_aug = p[:, None] + p_aug[None, :]
        help_ratio = np.where(d_aug > 0, p[:, None] / d_aug, 0.5)
    help_ratio[:, :n][np.eye(n, dtype=bool)] = 0.0
    mean_threat = threat.sum(axis=1, keepdims=True) / max(n - 1, 1)
    fixed = {
        "ideology": affinity(ideology, ideology_scale),
        "interests": np.array(interests, dtype=float),
        "economy": np.array(trade, dtype=float),
        "disputes": -np.array(dispute if dispute is not None else np.zeros((n, n)), dtype=float),
        "dominance": -(autonomy[:, None] * dominance),
    }
    for arr in fixed.values():
        np.fill_diagonal(arr, 0.0)
    # j's weight against k is the dyad weight of threat.relative_power read from k's side.
    ratio = np.ascontiguousarray(relative_power(p).T)
    return YearStatics(threat=threat, power=p, prox=prox, ratio=ratio, threat_share=share,
                       concern=concern, help_ratio=help_ratio,
                       not_concern=(1.0 - concern[:, :n]) * (1.0 - np.eye(n)), exposure=top,
                       weakness_prox=bandwagon[:, None] * dominance ** 2 * prox,
                       over_threat=np.maximum(0.0, threat - mean_threat), fixed=fixed)


def dynamic_components(st: YearStatics, de_facto: np.ndarray, multi_vector: np.ndarray,
                       obligations: np.ndarray | None = None,
                       ties: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """All utility components ``U[i, j]`` (unweighted) given the current de facto levels
    and the obligations in force (0 to 1, see ``commitment`` above; none when not given).
    ``ties`` is ``hedging.others`` of the levels' cooperation, when the caller has it."""
    n = len(st.power)
    # Diagonals: threat, ratio and de facto are 0 on the diagonal, so every component
    # below is too, except the raw help sum, which the off-diagonal mask clears.
    coop = hedging.cooperation(de_facto)
    m = st.concern.shape[1] - n
    will = st.concern * (1.0 - (np.hstack([coop, np.zeros((n, m))]) if m else coop))
    helpk = st.help_ratio * will  # [j, k], k over states and then threat sources
    # Help from j counts for less the more j is itself i's gravest threat.
    s = (st.threat_share @ helpk.T) * st.not_concern
    best = s.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        security = np.where(best > 0, st.exposure * s / best, 0.0)
    alt = alternatives(helpk[:, :n])
    bw = np.minimum(st.weakness_prox * (1.0 - alt), 1.0)
    bt = bw * st.threat
    hedge = multi_vector[:, None] * hedging.hedge(coop, *(ties or hedging.others(coop)), st.ratio.T)
    comps = {
        "security": security,
        "balancing": -(1.0 - bw) * st.over_threat,
        "bandwagon": bt + bt.T,
        "ideology": st.fixed["ideology"],
        "interests": st.fixed["interests"],
        "economy": st.fixed["economy"],
        "disputes": st.fixed["disputes"],
        "autonomy": st.fixed["dominance"] + hedge,
        "commitment": obligations if obligations is not None else np.zeros((n, n)),
        "inertia": de_facto / DE_FACTO_MAX,
    }
    return comps


def settle_hedging(comps: dict[str, np.ndarray], st: YearStatics, ties: tuple[np.ndarray, np.ndarray],
                   multi_vector: np.ndarray, weights: dict[str, float], level_gain: float,
                   normal_level: float, pull: np.ndarray | None = None) -> np.ndarray | None:
    """Re-evaluate the hedging part of ``autonomy`` at the level each state would settle on
    (``sim.mechanisms.hedging``), in place, and the ``total`` with it. ``ties`` is
    ``hedging.others`` of the current cooperation, as ``dynamic_components`` was given.

    Returns:
        With ``pull`` (the weighted commitment component), the total on the merits: without
        the pull, its hedging settled for that total, so that membership and treaties judged
        on the merits are judged at a consistent level too. Without ``pull``, None.
    """
    closest, summed = ties
    counter_weight = st.ratio.T
    w = weights["autonomy"]
    rest = comps["total"] - w * (comps["autonomy"] - st.fixed["dominance"])
    totals = rest if pull is None else np.stack([rest, rest - pull])  # settled in one go
    own = hedging.settled(normal_level + level_gain * totals, (level_gain * w) * multi_vector[:, None],
                          closest, summed, counter_weight)
    term = multi_vector[:, None] * hedging.hedge(own, closest, summed, counter_weight)
    n = len(multi_vector)
    term[..., np.arange(n), np.arange(n)] = 0.0
    settled_total = totals + w * term
    comps["autonomy"] = st.fixed["dominance"] + (term if pull is None else term[0])
    if pull is None:
        comps["total"] = settled_total
        return None
    comps["total"], on_merits = settled_total
    return on_merits


def utility_components(*, threat: np.ndarray, power: np.ndarray, prox: np.ndarray,
                       de_facto: np.ndarray, ideology: np.ndarray, ideology_scale: float,
                       interests: np.ndarray, trade: np.ndarray, bandwagon: np.ndarray,
                       autonomy: np.ndarray, multi_vector: np.ndarray) -> dict[str, np.ndarray]:
    """All utility components ``U[i, j]`` (unweighted) in one call. See the module docstring."""
    st = year_statics(threat=threat, power=power, prox=prox, ideology=ideology, ideology_scale=ideology_scale,
                      interests=interests, trade=trade, bandwagon=bandwagon, autonomy=autonomy)
    return dynamic_components(st, de_facto, multi_vector)


def commitment_pull(obligation: np.ndarray, pledged: np.ndarray, merits: np.ndarray, weight: float,
                    level_gain: float, normal_level: float) -> np.ndarray:
    """The commitment component once the pledge is known: a pledge of plain cooperation
    (a friendship treaty, a forum: level 1) is an open undertaking to develop relations and
    pulls by its full obligation; a pledge of a defined level (partnership 2, alliance 3)
    pulls practice up to that level and no further, because falling short of a pledge costs
    and going beyond it earns nothing from it. So the pull is the obligation or what closes
    the gap between the level wanted on the merits (``merits``, the weighted total without
    this component) and the pledge, whichever is less."""
    if not weight:
        return obligation
    gap = np.maximum(0.0, pledged - (normal_level + level_gain * merits))
    defined = pledged >= 2
    return np.where(defined, np.minimum(obligation, gap / (level_gain * weight)), obligation)


def total_utility(components: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Weighted sum of the components."""
    return sum(weights[c] * components[c] for c in COMPONENTS)

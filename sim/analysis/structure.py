"""Systemic readings of an agent-model run: structural balance and the landscape.

Structural balance (Heider; Cartwright and Harary) reads the de facto levels as a signed
network: + for cooperation (level >= 1), - for tension or worse (level <= -1). Each year we
report the share of balanced complete triads, the frustration of the best two-bloc
partition (the fewest edges that contradict it: cooperation across blocs or hostility
inside one) and whether that configuration is stable in Axelrod and Bennett's sense (no
state, weighted by its power, would lower its frustration by switching bloc).

The landscape at a year applies Axelrod and Bennett's theory to the agent model's own
ingredients: sizes are aggregate power, propensities come from
:func:`sim.landscape.theory.propensities_from_ingredients` (ideology affinity, interest
convergence, threat, shared threat and the de facto history of that year). Its local
minima are compared with the partition the agents actually reached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.landscape import structural_balance
from sim.landscape import theory as landscape

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import AllianceModel


def signed_network(de_facto: np.ndarray) -> np.ndarray:
    """+1 where a pair cooperates, -1 where it is tense or worse, 0 where distant."""
    return structural_balance.signs(np.asarray(de_facto, dtype=float), threshold=0.5)


def best_partition(signed: np.ndarray) -> np.ndarray:
    """The two-bloc partition with the least frustration.

    With unit sizes and the signs as propensities, landscape energy equals twice the
    frustration less a constant, so the lowest landscape minimum is the best partition.
    """
    n = signed.shape[0]
    found = landscape.analyse(np.ones(n), signed.astype(float), k=2, rng=0)
    return np.asarray(found.minima[0].labels)


def balance_over_time(model: "AllianceModel", progress: bool | None = None) -> pd.DataFrame:
    """Per year: balanced triads, frustration and stability of the best partition.

    Args:
        progress: Show a progress bar over the years (None: when stdout is a terminal).
    """
    from sim.progress import progress as bar

    rows = []
    years = bar(enumerate(model.history["de_facto"]), total=len(model.history["de_facto"]),
                desc="structural balance", unit="year", enabled=progress)
    for t, F in years:
        signed = signed_network(F)
        triads = structural_balance.triad_balance(signed)
        labels = best_partition(signed)
        power = model.inputs.power[t]
        rows.append({
            "year": model.years[t],
            "complete_triads": triads["triads"],
            "balanced_share": triads["share_balanced"],
            "frustration": structural_balance.frustration_index(signed, labels),
            "blocs": " | ".join(" ".join(model.ids[i] for i in np.nonzero(labels == b)[0])
                                for b in np.unique(labels)),
            "stable": structural_balance.is_stable(power, np.asarray(F, dtype=float) / 3.0, labels, k=2),
        })
    return pd.DataFrame(rows)


def landscape_at(model: "AllianceModel", year: int, k: int = 2) -> tuple[landscape.LandscapeResult, np.ndarray, list[dict]]:
    """The landscape of the model's own ingredients in ``year`` and how its minima match.

    Needs a run with ``record=True`` (the utility components of every year).

    Returns:
        The landscape result, the actual partition (best structural-balance partition of
        that year's de facto network) and, per minimum, misplaced / ARI / VI against it.
    """
    from sim.landscape import partition  # scipy.optimize: not for every run's balance table

    t = model.years.index(year)
    comps = model.history["components"][t]  # unweighted: ideology and interests in [-1, 1]
    prop = landscape.propensities_from_ingredients(
        comps["ideology"], comps["interests"], model.history["threat"][t],
        np.asarray(model.history["de_facto"][t], dtype=float))
    result = landscape.analyse(model.inputs.power[t], prop, k=k, rng=0)
    actual = best_partition(signed_network(model.history["de_facto"][t]))
    scores = [partition.compare(np.asarray(m.labels), actual) for m in result.minima]
    return result, actual, scores

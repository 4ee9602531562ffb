"""Systemic readings of an agent-model run: structural balance and the landscape.

Structural balance (Heider; Cartwright and Harary) reads the de facto levels as a signed
network: + for cooperation (level >= 1), - for tension or worse (level <= -1). Each year we
report the share of balanced complete triads, the frustration of the best two-bloc
partition (the fewest edges that contradict it: cooperation across blocs or hostility
inside one; among equally frustrated splits the one that keeps non-cooperating states
apart, see :func:`best_split`, and ``tied_splits``, how many remain equally good) and whether that configuration is stable in Axelrod and Bennett's sense (no
state, weighted by its power, would lower its frustration by switching bloc).

The landscape at a year applies Axelrod and Bennett's theory to the agent model's own
ingredients: sizes are aggregate power, propensities come from
:func:`sim.landscape.theory.propensities_from_ingredients` (ideology affinity, interest
convergence, threat, shared threat and the de facto history of that year). Its local
minima are compared with the partition the agents actually reached.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class BestSplit:
    """The partition that best describes a signed network, and whether it was a clear choice.

    Attributes:
        labels: bloc of every state (canonical: state 0 in bloc 0).
        frustration: edges that contradict it (cooperation across blocs, hostility inside one).
        tied: how many partitions remain equally good after every tie-break (1: unique).
    """

    labels: np.ndarray
    frustration: int
    tied: int

    @property
    def ambiguous(self) -> bool:
        """True when other partitions are exactly as good: the choice among them is arbitrary."""
        return self.tied > 1


def best_split(signed: np.ndarray, k: int = 2) -> BestSplit:
    """The partition into at most ``k`` blocs that best describes a signed network.

    The criteria, in order:

    1. the least frustration (structural balance: fewest contradicting edges);
    2. the fewest pairs inside one bloc that do not cooperate (sign 0 or -1). A distant
       pair contradicts no partition, so frustration alone cannot tell "everyone
       together" from a split that keeps non-cooperating states apart; a bloc is a group
       of states that cooperate, so states with no positive tie are kept apart;
    3. the most blocs (at most ``k``): the finest of the splits left.

    Partitions still tied after all three are reported through ``tied``: a caller must not
    score or read one of them as *the* actual alignment. The search is exhaustive (every
    partition into at most ``k`` blocs) while that is feasible, as for the landscape;
    beyond that the landscape's local minima of the signed network are ranked instead.
    """
    s = np.asarray(signed)
    n = s.shape[0]
    if n < 2:
        return BestSplit(np.zeros(n, dtype=int), 0, 1)
    k = max(1, min(int(k), n))
    method, _ = landscape.search_plan(n, k)
    if method == "exhaustive" and k == 2:
        index, *together = _binary_counts(s)
        confs = None
    elif method == "exhaustive":
        confs = landscape.restricted_growth_strings(n, k).astype(np.int64)
        together = None
    else:
        found = landscape.analyse(np.ones(n), s.astype(float), k=k, rng=0)  # minima come canonical
        confs = np.array([m.labels for m in found.minima], dtype=np.int64)
        together = None
    if together is None:
        frus, nonco, nblocs = _label_counts(s, confs)
    else:
        frus, nonco, nblocs = together
    key = np.lexsort((-nblocs, nonco, frus))  # primary key last
    best = key[0]
    same = (frus == frus[best]) & (nonco == nonco[best]) & (nblocs == nblocs[best])
    # Canonical already: actor 0 is in bloc 0 of every two-bloc configuration, and restricted
    # growth strings and minima are numbered in order of first appearance.
    labels = landscape.config_bits(index[best:best + 1], n)[0] if confs is None else confs[best]
    return BestSplit(np.asarray(labels, dtype=np.int64), int(frus[best]), int(same.sum()))


#: The two-bloc search counts 2**SPLIT_CHUNK_BITS configurations at a time and keeps only the
#: least frustrated ones, so its memory stays a few megabytes however many actors it has.
SPLIT_CHUNK_BITS = 12


def _binary_counts(s: np.ndarray, chunk_bits: int | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 2-bloc splits of least frustration: their numbers, frustration, non-cooperating
    pairs inside a bloc and bloc count.

    Configuration ``x`` puts actor ``j+1`` in bloc ``bit j`` (actor 0 in bloc 0), as
    :func:`sim.landscape.theory.binary_energies` numbers them. The signed matrix's pairs
    split apart give (cooperating pairs apart) - (hostile pairs apart), the cooperating
    matrix's the cooperating pairs apart: both are counted in one pass over the
    configurations (:func:`_cuts_by_chunk`), exact integers, and only the least frustrated
    configurations are kept. The pairs split apart are the two blocs' sizes multiplied, so
    the non-cooperating pairs inside a bloc follow.
    """
    n = s.shape[0]
    iu = np.triu_indices(n, 1)
    pos = (s > 0).astype(float)
    neg = (s < 0).astype(float)
    hostile = int(neg[iu].sum())
    least, kept = None, []
    for first, cuts in _cuts_by_chunk(np.stack([pos - neg, pos]),
                                      SPLIT_CHUNK_BITS if chunk_bits is None else chunk_bits):
        frus = hostile + cuts[:, 0]
        low = int(frus.min())
        if least is None or low < least:
            least, kept = low, []
        if low == least:
            hit = np.flatnonzero(frus == low)
            kept.append((first + hit, cuts[hit, 1]))
    index = np.concatenate([i for i, _ in kept])
    pos_apart = np.concatenate([p for _, p in kept])
    in_bloc_1 = np.bitwise_count(index.astype(np.uint64)).astype(np.int64)
    nonco = int((s[iu] <= 0).sum()) - (in_bloc_1 * (n - in_bloc_1) - pos_apart)
    return (index, np.full(index.size, least, dtype=np.int64), nonco,
            np.where(index == 0, 1, 2).astype(np.int64))


def _cuts_by_chunk(mats: np.ndarray, chunk_bits: int):
    """For symmetric integer matrices with zero diagonal, the weight of the pairs that each
    two-bloc configuration splits apart, ``2**chunk_bits`` configurations at a time.

    With ``b`` the configuration's 0/1 blocs the cut of ``M`` is ``b.r - b M b`` (``r`` the
    row sums). Splitting ``b`` into its low bits (shared by every chunk, counted once) and
    its high bits (one setting per chunk) leaves a cross term ``2 b_low (M b_high)``, so a
    chunk costs one small matrix product. The values are small integers, exact in floats.

    Yields:
        The chunk's first configuration number and an integer array, one row per
        configuration of the chunk and one column per matrix.
    """
    n = mats.shape[1]
    low = min(n - 1, chunk_bits)
    r = mats.sum(2)  # (matrices, n)
    b_low = landscape.config_bits(np.arange(1 << low, dtype=np.int64), n).astype(float)
    cut_low = b_low @ r.T - np.stack([((b_low @ m) * b_low).sum(1) for m in mats], axis=1)
    for c in range(1 << (n - 1 - low)):
        b_hi = np.zeros(n)
        b_hi[low + 1:] = (c >> np.arange(n - 1 - low)) & 1
        h_hi = mats @ b_hi  # (matrices, n): each actor's weight shared with the high bloc-1 actors
        cut_hi = r @ b_hi - h_hi @ b_hi
        yield c << low, np.rint(cut_low + cut_hi - 2.0 * (b_low @ h_hi.T)).astype(np.int64)


def _label_counts(s: np.ndarray, confs: np.ndarray, chunk: int = 50_000):
    """Frustration, non-cooperating pairs inside a bloc and bloc count of each labelling."""
    n = s.shape[0]
    iu = np.triu_indices(n, 1)
    sig = s[iu]
    frus = np.empty(confs.shape[0], dtype=np.int64)
    nonco = np.empty(confs.shape[0], dtype=np.int64)
    for lo in range(0, confs.shape[0], chunk):
        lab = confs[lo:lo + chunk]
        inside = lab[:, iu[0]] == lab[:, iu[1]]
        frus[lo:lo + chunk] = ((sig < 0) & inside).sum(1) + ((sig > 0) & ~inside).sum(1)
        nonco[lo:lo + chunk] = ((sig <= 0) & inside).sum(1)
    nblocs = confs.max(1) + 1 if confs.size else np.zeros(0, dtype=np.int64)
    return frus, nonco, nblocs


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
        split = best_split(signed, k=2)
        labels = split.labels
        power = model.inputs.power[t]
        rows.append({
            "year": model.years[t],
            "complete_triads": triads["triads"],
            "balanced_share": triads["share_balanced"],
            "frustration": float(split.frustration),  # as frustration_index gave it
            "blocs": " | ".join(" ".join(model.ids[i] for i in np.nonzero(labels == b)[0])
                                for b in np.unique(labels)),
            "stable": structural_balance.is_stable(power, np.asarray(F, dtype=float) / 3.0, labels, k=2),
            "tied_splits": split.tied,
        })
    return pd.DataFrame(rows)


def landscape_at(model: "AllianceModel", year: int, k: int = 2) -> tuple[landscape.LandscapeResult, BestSplit, list[dict] | None]:
    """The landscape of the model's own ingredients in ``year`` and how its minima match.

    Needs a run with ``record=True`` (the utility components of every year).

    Returns:
        The landscape result, the actual partition (:func:`best_split` of that year's de
        facto network, in at most ``k`` blocs) and, per minimum, misplaced / ARI / VI
        against it; ``None`` instead of the scores when the actual split is ambiguous
        (several partitions equally good), since a score against one of them would be
        a score against an arbitrary choice.
    """
    from sim.landscape import partition  # scipy.optimize: not for every run's balance table

    t = model.years.index(year)
    comps = model.history["components"][t]  # unweighted: ideology and interests in [-1, 1]
    prop = landscape.propensities_from_ingredients(
        comps["ideology"], comps["interests"], model.history["threat"][t],
        np.asarray(model.history["de_facto"][t], dtype=float))
    result = landscape.analyse(model.inputs.power[t], prop, k=k, rng=0)
    actual = best_split(signed_network(model.history["de_facto"][t]), k=k)
    if actual.ambiguous:
        return result, actual, None
    scores = [partition.compare(np.asarray(m.labels), actual.labels) for m in result.minima]
    return result, actual, scores

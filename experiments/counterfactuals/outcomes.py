"""Key outcomes of the Central Asia case as probabilities over an ensemble of runs.

A counterfactual is only informative through what it changes in the outcomes scholars argue
about: did Uzbekistan stay in the CSTO, did Kazakhstan and Uzbekistan become allies, did
Tashkent turn to Moscow after Andijan. This module turns an ensemble's recorded histories
into those yes/no outcomes (per run, per year) and into probabilities with binomial
standard errors. It is pure numpy/pandas and knows nothing of the model, so it can be
checked on hand-made histories (``tests/test_counterfactuals.py``).

Histories are stacked arrays over runs ``R`` and years ``T``:

* ``de_facto``, ``de_jure``: ``(R, T, n, n)`` integer levels;
* ``in_bloc``: ``(R, T, n, B)`` bool, membership of an *active* bloc.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Ensemble:
    """An ensemble's histories with the labels needed to address them."""

    de_facto: np.ndarray
    de_jure: np.ndarray
    in_bloc: np.ndarray
    ids: Sequence[str]
    bloc_ids: Sequence[str]
    years: Sequence[int]

    @property
    def runs(self) -> int:
        return int(self.de_facto.shape[0])

    def pair(self, a: str, b: str, *, de_facto_min: int | None = None,
             de_jure_min: int | None = None, both: bool = True) -> np.ndarray:
        """(R, T) bool: the pair meets the level thresholds in that run and year.

        Args:
            a, b: State ids (order does not matter: levels are symmetric).
            de_facto_min: Least de facto level, or None for no condition on practice.
            de_jure_min: Least de jure level, or None for no condition on paper.
            both: With both thresholds, require both (True) or either (False).
        """
        i, j = list(self.ids).index(a), list(self.ids).index(b)
        conds = []
        if de_facto_min is not None:
            conds.append(self.de_facto[:, :, i, j] >= de_facto_min)
        if de_jure_min is not None:
            conds.append(self.de_jure[:, :, i, j] >= de_jure_min)
        if not conds:
            raise ValueError("give de_facto_min, de_jure_min or both")
        if len(conds) == 1:
            return conds[0]
        return (conds[0] & conds[1]) if both else (conds[0] | conds[1])

    def member(self, state: str, bloc: str) -> np.ndarray:
        """(R, T) bool: ``state`` is a member of the active bloc ``bloc``."""
        return self.in_bloc[:, :, list(self.ids).index(state), list(self.bloc_ids).index(bloc)]

    def window(self, cond: np.ndarray, first: int, last: int, how: str = "any") -> np.ndarray:
        """(R,) bool: ``cond`` holds in any (or all) of the years ``first..last``."""
        years = np.asarray(self.years)
        cols = (years >= first) & (years <= last)
        if not cols.any():
            raise ValueError(f"no simulated years in {first}-{last}")
        part = cond[:, cols]
        return part.any(axis=1) if how == "any" else part.all(axis=1)


def stack(histories: Sequence[dict], ids, bloc_ids, years) -> Ensemble:
    """Build an :class:`Ensemble` from per-run dicts of ``de_facto``, ``de_jure``,
    ``members`` and ``bloc_active`` (lists or arrays over years, as the model records)."""
    f = np.stack([np.asarray(h["de_facto"]) for h in histories])
    j = np.stack([np.asarray(h["de_jure"]) for h in histories])
    m = np.stack([np.asarray(h["members"]) for h in histories])
    act = np.stack([np.asarray(h["bloc_active"]) for h in histories])
    return Ensemble(f, j, m & act[:, :, None, :], list(ids), list(bloc_ids), list(years))


# --------------------------------------------------------------------------- outcomes
#: "Allied" for Kazakhstan-Uzbekistan: a close partnership in practice (de facto >= 2).
#: De jure 3 alone is not used: both states in the CSTO already gives de jure 3 through the
#: bloc (the reference codes 1992-98 and 2006-11 that way), which is not the bilateral
#: alliance of the 2022 treaty.
KZK_UZB_ALLIED = dict(de_facto_min=2)


def kzk_uzb_allied(e: Ensemble) -> np.ndarray:
    """(R, T) bool: Kazakhstan and Uzbekistan close partners (de facto >= 2)."""
    return e.pair("KZK", "UZB", **KZK_UZB_ALLIED)


def uzb_in_csto(e: Ensemble) -> np.ndarray:
    """(R, T) bool: Uzbekistan a member of the CST/CSTO that year."""
    return e.member("UZB", "CSTO")


def hostile(e: Ensemble, a: str, b: str) -> np.ndarray:
    """(R, T) bool: the pair tense or worse in practice (de facto <= -1)."""
    return e.de_facto[:, :, list(e.ids).index(a), list(e.ids).index(b)] <= -1


#: Outcome name -> (description, function of an Ensemble giving (R,) bool).
OUTCOMES: dict[str, tuple[str, Callable[[Ensemble], np.ndarray]]] = {
    "uzb_csto_ever_2006_2011": (
        "Uzbekistan in the CSTO in any year 2006-2011 (history: rejoined 2006, left 2012)",
        lambda e: e.window(uzb_in_csto(e), 2006, 2011, "any")),
    "uzb_csto_2024": (
        "Uzbekistan in the CSTO in 2024 (history: no)",
        lambda e: e.window(uzb_in_csto(e), 2024, 2024, "any")),
    "kzk_uzb_allied_2022": (
        "Kazakhstan-Uzbekistan de facto >= 2 in 2022 (history: yes, treaty of allied relations)",
        lambda e: e.window(kzk_uzb_allied(e), 2022, 2022, "any")),
    "kzk_uzb_allied_by_2022": (
        "Kazakhstan-Uzbekistan de facto >= 2 in any year 2017-2022",
        lambda e: e.window(kzk_uzb_allied(e), 2017, 2022, "any")),
    "kzk_uzb_treaty_2022": (
        "Kazakhstan-Uzbekistan de facto >= 2 and de jure >= 2 in 2022 (partnership on paper too)",
        lambda e: e.window(e.pair("KZK", "UZB", de_facto_min=2, de_jure_min=2), 2022, 2022)),
    "rus_uzb_close_2005_2007": (
        "Russia-Uzbekistan de facto >= 2 in any year 2005-2007 (history: yes)",
        lambda e: e.window(e.pair("RUS", "UZB", de_facto_min=2), 2005, 2007, "any")),
    "rus_uzb_close_1995_1998": (
        "Russia-Uzbekistan de facto >= 2 in any year 1995-1998 (history: yes)",
        lambda e: e.window(e.pair("RUS", "UZB", de_facto_min=2), 1995, 1998, "any")),
    "uzb_usa_close_2001_2004": (
        "Uzbekistan-USA de facto >= 2 in any year 2001-2004 (history: yes)",
        lambda e: e.window(e.pair("UZB", "USA", de_facto_min=2), 2001, 2004, "any")),
    "uzb_usa_hostile_2005_2008": (
        "Uzbekistan-USA de facto <= -1 in any year 2005-2008 (history: yes)",
        lambda e: e.window(hostile(e, "UZB", "USA"), 2005, 2008, "any")),
    "uzb_out_of_csto_1999_2005": (
        "Uzbekistan outside the CSTO in any year 1999-2005 (history: yes, withdrew in 1999)",
        lambda e: e.window(~uzb_in_csto(e), 1999, 2005, "any")),
    "uzb_guuam_1999_2005": (
        "Uzbekistan in GUUAM in any year 1999-2005 (history: yes, member 1999-2005)",
        lambda e: e.window(e.member("UZB", "GUUAM"), 1999, 2005, "any")),
    "rus_uzb_close_2012_2016": (
        "Russia-Uzbekistan de facto >= 2 in any year 2012-2016 (history: no, distant)",
        lambda e: e.window(e.pair("RUS", "UZB", de_facto_min=2), 2012, 2016, "any")),
    "uzb_afg_hostile_1996_2000": (
        "Uzbekistan-Afghanistan de facto <= -1 in any year 1996-2000 (history: yes, Taliban)",
        lambda e: e.window(hostile(e, "UZB", "AFG"), 1996, 2000, "any")),
    "rus_usa_hostile_2022_2024": (
        "Russia-USA de facto <= -1 in every year 2022-2024 (history: yes)",
        lambda e: e.window(hostile(e, "RUS", "USA"), 2022, 2024, "all")),
    "rus_kzk_allied_throughout": (
        "Russia-Kazakhstan de jure 3 and de facto >= 2 in every year 1994-2024 (history: yes)",
        lambda e: e.window(e.pair("RUS", "KZK", de_facto_min=2, de_jure_min=3), 1994, 2024, "all")),
    "rus_kzk_allied_2024": (
        "Russia-Kazakhstan de jure 3 and de facto >= 2 in 2024 (history: yes)",
        lambda e: e.window(e.pair("RUS", "KZK", de_facto_min=2, de_jure_min=3), 2024, 2024)),
}

#: Yearly series drawn in the figure: name -> (label, function giving (R, T) bool).
YEARLY: dict[str, tuple[str, Callable[[Ensemble], np.ndarray]]] = {
    "uzb_in_csto": ("Uzbekistan in the CSTO", uzb_in_csto),
    "kzk_uzb_allied": ("Kazakhstan-Uzbekistan de facto >= 2", kzk_uzb_allied),
    "rus_uzb_close": ("Russia-Uzbekistan de facto >= 2", lambda e: e.pair("RUS", "UZB", de_facto_min=2)),
    "uzb_usa_close": ("Uzbekistan-USA de facto >= 2", lambda e: e.pair("UZB", "USA", de_facto_min=2)),
}


def probability(flags: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Share of runs with the outcome and its binomial standard error sqrt(p(1-p)/R)."""
    flags = np.asarray(flags, bool)
    runs = flags.shape[axis]
    p = flags.mean(axis=axis)
    return p, np.sqrt(p * (1 - p) / runs)


def outcome_probabilities(e: Ensemble) -> pd.DataFrame:
    """One row per outcome: ``outcome, description, p, se, runs``."""
    rows = []
    for name, (desc, fn) in OUTCOMES.items():
        p, se = probability(fn(e))
        rows.append({"outcome": name, "description": desc, "p": float(p), "se": float(se),
                     "runs": e.runs})
    return pd.DataFrame(rows)


def yearly_probabilities(e: Ensemble) -> pd.DataFrame:
    """Long table ``series, year, p, se`` of the :data:`YEARLY` series."""
    parts = []
    for name, (_, fn) in YEARLY.items():
        p, se = probability(fn(e), axis=0)
        parts.append(pd.DataFrame({"series": name, "year": list(e.years), "p": p, "se": se}))
    return pd.concat(parts, ignore_index=True)


def compare(baseline: pd.DataFrame, counterfactual: pd.DataFrame) -> pd.DataFrame:
    """Counterfactual beside baseline, with the difference and its standard error.

    The runs of the two ensembles share seeds but their random streams part as soon as the
    inputs differ, so the two samples are treated as independent:
    se(diff) = sqrt(se_cf^2 + se_base^2).
    """
    m = counterfactual[["outcome", "p", "se"]].merge(
        baseline[["outcome", "p", "se"]], on="outcome", suffixes=("", "_baseline"))
    m["diff"] = m["p"] - m["p_baseline"]
    m["se_diff"] = np.sqrt(m["se"] ** 2 + m["se_baseline"] ** 2)
    return m[["outcome", "p_baseline", "se_baseline", "p", "se", "diff", "se_diff"]]

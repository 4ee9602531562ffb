"""Scoring simulated alignments against the historical reference timeline.

A model of alignment is only as credible as its record against what happened, and that
record only means something next to what a lazy forecaster would have scored. This module
lines up a simulated dyad-year table (or an ensemble of them) with the coded reference
(``seeds/reference/central_asia_reference.csv``) and scores it on the two ordinal scales
(de facto and de jure) with:

* exact and within-one accuracy;
* Cohen's weighted kappa (linear and quadratic weights), which discounts the agreement a
  forecaster would get by chance from the level frequencies alone;
* change points: the years a pair's level moves. A reference change is *hit* when the
  simulated series moves the same way within +-1 year; timing error is the gap in years;
* Brier scores for ensembles, over all levels and for the binary event "allied";
* the same metrics for naive baselines: persistence from 1992, majority level (per pair and
  overall) and climatology (reference level frequencies) for the Brier scores.

Everything is broken down per pair, per period and overall, and out of sample (years from a
split year on, with the baselines fitted on the years before it). The functions are pure
pandas/numpy and never import the model, so the validation can be trusted independently of
the code it judges. The ``validate`` sub-command wraps them for the command line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.files import atomic_folder
from sim.run.report import markdown_table
from sim.scenario.reference import LEVEL_COLUMNS, SCALES, canonical_pairs, integer_levels

#: "Allied" for the binary Brier score: a close partnership in practice, or an alliance
#: treaty / collective-defence membership on paper.
ALLIED_THRESHOLD: dict[str, int] = {"de_facto": 2, "de_jure": 3}

SIMULATED_COLUMNS = ("year", "a", "b", "de_facto", "de_jure")

#: Periods of the breakdown: Soviet collapse and the 1990s, the first post-9/11 years,
#: the Medvedev cooling to Crimea, and the Mirziyoyev/Tokayev era.
DEFAULT_PERIODS: tuple[tuple[int, int], ...] = ((1991, 1999), (2000, 2007), (2008, 2015),
                                                (2016, 2024))


def periods_for(first: int, last: int) -> list[tuple[int, int]]:
    """Periods of the breakdown for a scored span: the Central Asia periods when the span is
    theirs (clipped to the first scored year), otherwise four nearly equal spells."""
    if DEFAULT_PERIODS[0][0] <= first <= DEFAULT_PERIODS[0][1] and last == DEFAULT_PERIODS[-1][1]:
        return [(max(lo, first), hi) for lo, hi in DEFAULT_PERIODS]
    edges = np.linspace(first, last + 1, min(4, last - first + 1) + 1).round().astype(int)
    return [(int(lo), int(hi) - 1) for lo, hi in zip(edges[:-1], edges[1:])]

#: Pairs drawn in the report figures when the scenario names none (``outputs.pairs``), and
#: only where the reference codes them.
KEY_PAIRS: tuple[tuple[str, str], ...] = (("KZK", "RUS"), ("RUS", "UZB"), ("KZK", "UZB"),
                                          ("USA", "UZB"), ("KZK", "USA"))



# --------------------------------------------------------------------------- tables
def load_simulated(path: str | Path) -> list[pd.DataFrame]:
    """Read a run's dyad table (``dyads.csv`` or ``dyads.parquet``); a ``run`` or ``seed``
    column splits it into an ensemble."""
    from sim.run.tables import check_one_row_per_pair_year, read_run_file

    df = read_run_file(path, required=SIMULATED_COLUMNS, numeric=("year",))
    if df.empty:  # else the reference was blamed: none of its states were "of the simulated run ()"
        raise InputError(path, None, "a dyad table with rows (it has only its header)")
    df["year"] = df["year"].astype(int)
    check_one_row_per_pair_year(df, path)
    for col in SCALES:
        df[col] = integer_levels(df, col, path, allow_empty=False).astype(int)
    for key in ("run", "seed"):
        if key in df.columns:
            return [g.drop(columns=key) for _, g in df.groupby(key, sort=True)]
    return [df]


def align(simulated: pd.DataFrame | Sequence[pd.DataFrame], reference: pd.DataFrame,
          dimension: str) -> pd.DataFrame:
    """Line up simulated runs with the reference on one scale.

    Only dyad-years where the reference has a value on ``dimension`` and every run has a
    row are kept; pairs are matched regardless of their order.

    Args:
        simulated: One dyad-year table or a list of them (an ensemble).
        reference: A reference table (as from :func:`load_reference`).
        dimension: ``"de_facto"`` or ``"de_jure"``.

    Returns:
        Columns ``a, b, year, ref, run_0 .. run_{R-1}``, sorted by pair and year.
    """
    if dimension not in SCALES:
        raise ValueError(f"dimension must be one of {sorted(SCALES)}")
    runs = [simulated] if isinstance(simulated, pd.DataFrame) else list(simulated)
    ref = canonical_pairs(reference)[["a", "b", "year", dimension]]
    ref = ref[ref[dimension].notna()].rename(columns={dimension: "ref"})
    ref["year"] = ref["year"].astype(int)
    out = ref
    for r, run in enumerate(runs):
        sim = canonical_pairs(run)[["a", "b", "year", dimension]]
        sim = sim.assign(year=sim["year"].astype(int)).drop_duplicates(["a", "b", "year"])
        out = out.merge(sim.rename(columns={dimension: f"run_{r}"}), on=["a", "b", "year"],
                        how="inner")
    out = out.sort_values(["a", "b", "year"]).reset_index(drop=True)
    for col in out.columns[3:]:
        out[col] = out[col].astype(int)
    return out


def run_columns(aligned: pd.DataFrame) -> list[str]:
    return [c for c in aligned.columns if c.startswith("run_")]


# --------------------------------------------------------------------------- metrics
def exact_accuracy(ref: np.ndarray, sim: np.ndarray) -> float:
    """Share of dyad-years where the simulated level equals the reference level."""
    ref, sim = np.asarray(ref), np.asarray(sim)
    return float(np.mean(ref == sim)) if ref.size else float("nan")


def within_one_accuracy(ref: np.ndarray, sim: np.ndarray) -> float:
    """Share of dyad-years off by at most one level (coders themselves disagree by one)."""
    ref, sim = np.asarray(ref), np.asarray(sim)
    return float(np.mean(np.abs(ref - sim) <= 1)) if ref.size else float("nan")


def weighted_kappa(ref: np.ndarray, sim: np.ndarray, weights: str = "linear") -> float:
    """Cohen's weighted kappa on an ordinal scale.

    The confusion matrix is built over the union of levels seen in either series, and
    disagreement weights use the distance in level units divided by the spread of that
    union (so 0 vs 3 counts as three steps even when 1 and 2 never occur).

    Degenerate cases: no observations gives NaN; when both series sit on the same single
    level, agreement is perfect but chance agreement is also total, so kappa is 0/0 and is
    returned as NaN (undefined): calling it 1.0 would credit a model for a pair whose levels
    never vary, where agreement says nothing beyond chance. Reports show it as "n/a" and
    averages leave it out (``KAPPA_NOTE``). A forecaster that always says the
    same level of a reference that varies gets 0, however often it is right.

    Args:
        ref: Reference levels.
        sim: Simulated levels, same length.
        weights: ``"linear"`` or ``"quadratic"``.
    """
    ref, sim = np.asarray(ref, dtype=int), np.asarray(sim, dtype=int)
    if ref.size == 0:
        return float("nan")
    levels = np.union1d(ref, sim)
    k = levels.size
    if k == 1:  # both constant on one level: observed and chance agreement are both total
        return float("nan")
    i, j = np.searchsorted(levels, ref), np.searchsorted(levels, sim)
    observed = np.zeros((k, k))
    np.add.at(observed, (i, j), 1.0)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / ref.size
    dist = np.abs(levels[:, None] - levels[None, :]) / (levels[-1] - levels[0])
    if weights == "linear":
        w = dist
    elif weights == "quadratic":
        w = dist ** 2
    else:
        raise ValueError("weights must be 'linear' or 'quadratic'")
    chance = float((w * expected).sum())
    if chance == 0.0:  # cannot happen with k > 1 (weights are positive off the diagonal)
        return float("nan")
    return float(1.0 - (w * observed).sum() / chance)


def change_points(aligned: pd.DataFrame, column: str) -> pd.DataFrame:
    """Years where a pair's level differs from its previous scored year.

    Returns:
        Columns ``a, b, year, direction`` (+1 up, -1 down, the sign of the move).
    """
    df = aligned.sort_values(["a", "b", "year"])
    same_pair = (df["a"].eq(df["a"].shift()) & df["b"].eq(df["b"].shift())).to_numpy()
    step = df[column].diff().fillna(0).to_numpy()
    mask = same_pair & (step != 0)
    out = df.loc[mask, ["a", "b", "year"]].copy()
    out["direction"] = np.sign(step[mask]).astype(int)
    return out.reset_index(drop=True)


def match_changes(ref_changes: pd.DataFrame, sim_changes: pd.DataFrame,
                  tolerance: int = 1) -> pd.DataFrame:
    """Match each reference change to the nearest simulated change of the same sign.

    A reference change is hit when the same pair moves in the same direction within
    ``tolerance`` years; the timing error is the gap to the nearest such move. A simulated
    change may serve more than one reference change (with +-1 year this is rare).

    Returns:
        The reference changes with columns ``hit`` (bool) and ``timing_error`` (years, NaN
        when missed).
    """
    out = ref_changes.copy()
    if out.empty:
        return out.assign(hit=pd.Series(dtype=bool), timing_error=pd.Series(dtype=float))
    cand = out.reset_index().merge(sim_changes, on=["a", "b", "direction"], how="left",
                                   suffixes=("", "_sim"))
    cand["gap"] = (cand["year_sim"] - cand["year"]).abs()
    best = cand.groupby("index")["gap"].min()
    out["timing_error"] = best.reindex(out.index).where(lambda g: g <= tolerance)
    out["hit"] = out["timing_error"].notna()
    return out


def brier_multicategory(prob: np.ndarray, ref: np.ndarray, levels: np.ndarray) -> float:
    """Mean over dyad-years of sum_k (p_k - o_k)^2; 0 is perfect, 2 is certain and wrong."""
    if len(ref) == 0:
        return float("nan")
    outcome = (np.asarray(ref)[:, None] == levels[None, :]).astype(float)
    return float(((prob - outcome) ** 2).sum(axis=1).mean())


def brier_binary(p: np.ndarray, event: np.ndarray) -> float:
    """Mean squared gap between the forecast probability and the 0/1 outcome."""
    if len(event) == 0:
        return float("nan")
    return float(np.mean((np.asarray(p, float) - np.asarray(event, float)) ** 2))


# --------------------------------------------------------------------------- baselines
def _mode(values: np.ndarray) -> int:
    """Most common level; ties go to the level nearest zero, then the lower one."""
    levels, counts = np.unique(values, return_counts=True)
    top = levels[counts == counts.max()]
    return int(top[np.lexsort((top, np.abs(top)))][0])


def baseline_levels(aligned: pd.DataFrame, fit_years: np.ndarray,
                    origin: int | None = None) -> dict[str, np.ndarray]:
    """Forecasts of the naive baselines, one level per aligned row.

    * persistence: each pair keeps its level of the origin year (default: the first year
      of ``aligned``, i.e. the first scored year), or of the last year coded before it;
      a pair first coded later is left at its first coded level, which only ever
      flatters the baseline;
    * oracle_pair_mode: the pair's own most common reference level in the fitting years,
      an oracle (it knows the answer's mode), not a forecast;
    * majority_overall: the most common reference level over all pairs in those years.

    Args:
        aligned: As from :func:`align`.
        fit_years: Boolean mask of the rows the baselines may learn from.
        origin: The persistence year.
    """
    df = aligned.assign(_fit=fit_years)
    origin = int(df["year"].min()) if origin is None else origin
    known = df[df["year"] <= origin].sort_values("year").groupby(["a", "b"])["ref"].last()
    first = df.sort_values("year").groupby(["a", "b"])["ref"].first()
    start = known.reindex(first.index).fillna(first)
    fit = df[df["_fit"]]
    per_pair = fit.groupby(["a", "b"])["ref"].agg(lambda s: _mode(s.to_numpy()))
    overall = _mode(fit["ref"].to_numpy()) if len(fit) else _mode(df["ref"].to_numpy())
    keys = pd.MultiIndex.from_frame(df[["a", "b"]])
    pp = per_pair.reindex(keys).to_numpy()
    pp = np.where(np.isnan(pp.astype(float)), overall, pp).astype(int)
    return {
        "persistence": start.reindex(keys).to_numpy().astype(int),
        "oracle_pair_mode": pp,
        "majority_overall": np.full(len(df), overall, dtype=int),
    }


def climatology(aligned: pd.DataFrame, fit_years: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Reference level frequencies in the fitting years, the same forecast for every row."""
    ref = aligned.loc[fit_years, "ref"].to_numpy()
    if ref.size == 0:
        ref = aligned["ref"].to_numpy()
    freq = (ref[:, None] == levels[None, :]).mean(axis=0)
    return np.tile(freq, (len(aligned), 1))


# --------------------------------------------------------------------------- scoring
METRICS = ("n", "exact", "within_one", "kappa_linear", "kappa_quadratic", "changes_ref",
           "change_hit_rate", "timing_error", "false_changes", "brier", "brier_allied")


def _nanmean(xs) -> float:
    xs = np.asarray(xs, float)
    return float(np.nanmean(xs)) if np.isfinite(xs).any() else float("nan")


class _Scorer:
    """Forecasts, change matches and probabilities of every forecaster, computed once.

    Scoring a slice (a pair, a period, out of sample) is then a row mask. Change points
    come from the whole series, so a change in the first year of a slice (against the last
    year before it) still counts; a reference change belongs to the slice of its year.
    """

    def __init__(self, aligned: pd.DataFrame, dimension: str, fit: np.ndarray, origin: int | None = None):
        lo, hi = SCALES[dimension]
        self.levels = np.arange(lo, hi + 1)
        self.ref = aligned["ref"].to_numpy()
        self.allied = self.ref >= ALLIED_THRESHOLD[dimension]
        self.is_allied = self.levels >= ALLIED_THRESHOLD[dimension]
        keys = aligned[["a", "b", "year", "ref"]]
        self.forecasts = {"model": aligned[run_columns(aligned)].to_numpy()}
        for name, lv in baseline_levels(aligned, fit, origin).items():
            self.forecasts[name] = lv[:, None]
        rc = change_points(aligned, "ref")
        rows = keys[["a", "b", "year"]].assign(row=np.arange(len(keys)))
        self.change_rows = rc.merge(rows, on=["a", "b", "year"], how="left")["row"].to_numpy(int)
        self.hits, self.errors, self.false, self.probs = {}, {}, {}, {}
        for name, fc in self.forecasts.items():
            hits, errs, false = [], [], []
            for r in range(fc.shape[1]):
                sc = change_points(keys.assign(sim=fc[:, r]), "sim")
                m = match_changes(rc, sc)
                hits.append(m["hit"].to_numpy(bool))
                errs.append(m["timing_error"].to_numpy(float))
                unmatched = sc[~match_changes(sc, rc)["hit"].to_numpy(bool)] if len(sc) else sc
                flags = np.zeros(len(keys), int)  # unmatched simulated moves, by the row of their year
                np.add.at(flags, unmatched.merge(rows, on=["a", "b", "year"])["row"].to_numpy(int), 1)
                false.append(flags)
            self.hits[name], self.errors[name] = np.array(hits), np.array(errs)
            self.false[name] = np.array(false)
            self.probs[name] = (fc[:, :, None] == self.levels[None, None, :]).mean(axis=1)
        self.probs["climatology"] = climatology(aligned, fit, self.levels)

    def score(self, scored: np.ndarray) -> pd.DataFrame:
        ref, allied = self.ref[scored], self.allied[scored]
        in_slice = scored[self.change_rows]
        rows = {}
        for name, prob in self.probs.items():
            p = prob[scored]
            row = {"n": int(scored.sum()), "brier": brier_multicategory(p, ref, self.levels),
                   "brier_allied": brier_binary(p[:, self.is_allied].sum(axis=1), allied)}
            if name in self.forecasts:
                fc = self.forecasts[name][scored]
                hits = self.hits[name][:, in_slice]
                errs = self.errors[name][:, in_slice]
                row.update(
                    exact=_nanmean([exact_accuracy(ref, f) for f in fc.T]),
                    within_one=_nanmean([within_one_accuracy(ref, f) for f in fc.T]),
                    kappa_linear=_nanmean([weighted_kappa(ref, f, "linear") for f in fc.T]),
                    kappa_quadratic=_nanmean([weighted_kappa(ref, f, "quadratic") for f in fc.T]),
                    changes_ref=int(in_slice.sum()),
                    change_hit_rate=_nanmean(hits.mean(axis=1)) if hits.size else float("nan"),
                    timing_error=_nanmean([_nanmean(e) for e in errs]) if errs.size else float("nan"),
                    false_changes=float(self.false[name][:, scored].sum(axis=1).mean()))
            rows[name] = row
        out = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=list(METRICS))
        out.index.name = "forecaster"
        return out


def score(aligned: pd.DataFrame, dimension: str, fit: np.ndarray | None = None,
          scored: np.ndarray | None = None, origin: int | None = None) -> pd.DataFrame:
    """Score the model and the baselines on one aligned table.

    Accuracy, kappa and change points are computed per run and averaged; the Brier scores
    treat the share of runs at each level as the forecast probability.

    Args:
        aligned: As from :func:`align`, the whole series (so that persistence can see 1992
            and change points their previous year).
        dimension: The scale, for its levels and its "allied" threshold.
        fit: Boolean mask of the rows the baselines may learn from (default: all).
        scored: Boolean mask of the rows to score (default: all).

    Returns:
        One row per forecaster (index ``forecaster``), columns :data:`METRICS`.
    """
    n = len(aligned)
    fit = np.ones(n, bool) if fit is None else np.asarray(fit, bool)
    scored = np.ones(n, bool) if scored is None else np.asarray(scored, bool)
    return _Scorer(aligned, dimension, fit, origin).score(scored)


def score_all(aligned: pd.DataFrame, dimension: str,
              periods: Sequence[tuple[int, int]] = DEFAULT_PERIODS,
              split_year: int | None = None) -> pd.DataFrame:
    """Overall, per-pair, per-period and out-of-sample scores in one long table.

    Baselines are fitted on all years, except out of sample, where they are fitted on the
    years before ``split_year`` and only years ``>= split_year`` are scored (persistence
    starts from 1992 either way).

    Returns:
        Columns ``dimension, scope, group, forecaster`` and :data:`METRICS`.
    """
    parts = []
    year = aligned["year"].to_numpy()
    scorer = _Scorer(aligned, dimension, np.ones(len(aligned), bool))

    def add(scope, group, scored, by=scorer):
        if not scored.any():
            return
        s = by.score(scored).reset_index()
        s.insert(0, "group", group)
        s.insert(0, "scope", scope)
        parts.append(s)

    add("overall", "all", np.ones(len(aligned), bool))
    pair = (aligned["a"] + "-" + aligned["b"]).to_numpy()
    for label in sorted(set(pair)):
        add("pair", label, pair == label)
    for lo, hi in periods:
        add("period", f"{lo}-{hi}", (year >= lo) & (year <= hi))
    if split_year is not None and (year >= split_year).any():
        add("out_of_sample", f">={split_year}", year >= split_year,
            _Scorer(aligned, dimension, year < split_year, origin=split_year - 1))
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "dimension", dimension)
    return out


# --------------------------------------------------------------------------- report
# --------------------------------------------------------------------------- scores for fits and sweeps
def score_table(dyads: pd.DataFrame, reference: pd.DataFrame,
                years: tuple[int | None, int | None] = (None, None)) -> dict[str, float]:
    """Exact and within-one accuracy of a simulated dyad table against the reference.

    Args:
        dyads: Simulated dyad-years (a, b, year, de_jure, de_facto).
        reference: Reference dyad-years (same columns; missing levels are skipped).
        years: Inclusive (first, last) year window; None leaves that side open.

    Returns:
        ``exact_de_facto``, ``exact_de_jure``, ``exact`` (their mean), ``within1_de_facto``,
        ``within1_de_jure``, ``n`` (reference pair-years matched) and linear weighted
        kappa (:func:`sim.analysis.weighted_kappa`) ``kappa_de_facto`` /
        ``kappa_de_jure``.
    """
    ref = canonical_pairs(reference[list(LEVEL_COLUMNS)])
    lo, hi = years
    if lo is not None:
        ref = ref[ref.year >= lo]
    if hi is not None:
        ref = ref[ref.year <= hi]
    m = ref.merge(canonical_pairs(dyads[list(LEVEL_COLUMNS)]), on=["a", "b", "year"],
                  suffixes=("_ref", "_sim"))
    out: dict[str, float] = {"n": float(len(m))}
    for col in ("de_facto", "de_jure"):
        r = pd.to_numeric(m[f"{col}_ref"]).astype("Float64").to_numpy(float, na_value=np.nan)
        s = pd.to_numeric(m[f"{col}_sim"]).astype("Float64").to_numpy(float, na_value=np.nan)
        ok = ~np.isnan(r)
        out[f"exact_{col}"] = float(np.mean(r[ok] == s[ok])) if ok.any() else math.nan
        out[f"within1_{col}"] = float(np.mean(np.abs(r[ok] - s[ok]) <= 1)) if ok.any() else math.nan
        if ok.any():  # chance-corrected agreement, as the validation module defines it
            out[f"kappa_{col}"] = weighted_kappa(r[ok].astype(int), s[ok].astype(int), "linear")
    scored = [out[k] for k in ("exact_de_facto", "exact_de_jure") if not math.isnan(out[k])]
    out["exact"] = float(np.mean(scored)) if scored else math.nan  # nanmean of none warned
    return out


#: The kappa columns of the score tables, shown as "n/a" where kappa is undefined.
KAPPA_COLUMNS = ("kappa_linear", "kappa_quadratic")

#: What "n/a" means in a kappa column, for the reports' notes on their tables.
KAPPA_NOTE = ("Kappa is n/a where the reference and the model both keep one and the same level "
              "throughout: chance agreement is then total and kappa is 0/0, undefined (not 1, "
              "which would credit agreement that says nothing beyond chance); a run with an "
              "undefined kappa is left out of its row's average over runs.")


def kappa_shown(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a score table for a report, its kappa columns as text with undefined
    values as "n/a" (a blank cell would read as missing data, a 1.000 as perfect)."""
    out = table.copy()
    for col in KAPPA_COLUMNS:
        if col in out:
            out[col] = [("n/a" if math.isnan(x) else f"{x:.3f}") for x in out[col].astype(float)]
    return out


def pair_kappa_means(pairs: pd.DataFrame, column: str = "kappa_linear") -> list[str]:
    """Sentences giving the mean of a kappa column over pairs, per dimension and forecaster,
    over the pairs where it is defined, and how many pairs were left out as undefined.

    Args:
        pairs: Rows of the ``pair`` scope (``dimension``, ``forecaster`` and ``column``).
        column: The kappa column averaged.
    """
    out = []
    for (dimension, forecaster), rows in pairs.groupby(["dimension", "forecaster"], sort=False):
        values = rows[column].astype(float).to_numpy()
        defined = values[~np.isnan(values)]
        mean = f"{defined.mean():.3f}" if defined.size else "n/a"
        out.append(f"- {dimension}, {forecaster}: mean {column} {mean} over {defined.size} pairs "
                   f"({values.size - defined.size} of {values.size} left out as undefined)")
    return out


def _left_out_lines(left_out) -> list[str]:
    """The report's line on reference rows left out as pairs of states the run does not
    hold (declared with ``--states``): without it a report scored on part of its reference
    read as if scored on all of it."""
    if not left_out or not left_out[0]:
        return []
    rows, ids = left_out
    return [f"Reference rows left out: {rows}, pairs with states the run does not hold "
            f"(declared with --states: {', '.join(ids)}).", ""]


@dataclass
class ValidationReport:
    """Scores of one simulated run or ensemble against a reference timeline.

    Attributes:
        scores: Long table: ``dimension, scope, group, forecaster`` and the metrics.
        changes: Reference change points with the model's hit rate and timing error
            (averaged over runs) for each.
        series: Per dyad-year: reference level, ensemble mean, 10th and 90th percentiles.
        settings: What was scored (reference file, runs, split year, periods).
    """

    scores: pd.DataFrame
    changes: pd.DataFrame
    series: pd.DataFrame
    settings: dict = field(default_factory=dict)
    membership: pd.DataFrame | None = None
    membership_events: pd.DataFrame | None = None
    patterns: pd.DataFrame | None = None

    def summary(self, scope: str = "overall") -> pd.DataFrame:
        """Model vs baselines for one scope (``overall`` or ``out_of_sample``)."""
        cols = ["dimension", "forecaster", "n", "exact", "within_one", "kappa_linear",
                "kappa_quadratic", "change_hit_rate", "timing_error", "false_changes", "brier",
                "brier_allied"]
        return self.scores.loc[self.scores["scope"] == scope, cols].reset_index(drop=True)

    def to_markdown(self) -> str:
        s = self.settings
        out = ["# Validation against the reference timeline", "",
               f"Reference: `{s.get('reference', '')}`; runs: {s.get('runs', '')}; "
               f"allied = de facto >= {ALLIED_THRESHOLD['de_facto']} or de jure >= "
               f"{ALLIED_THRESHOLD['de_jure']}; baselines: persistence from the first scored "
               f"year ({s.get('origin', '')}), the most common level overall, climatology, and "
               "an oracle that knows each pair's own commonest level (oracle_pair_mode).", "",
               "Coded reference dyad-years found in the simulation: "
               + ", ".join(f"{k} {v}" for k, v in s.get("coverage", {}).items()) + ".", "",
               *_left_out_lines(s.get("left_out")),
               ("Baselines are fitted on all years except out of sample, so oracle_pair_mode "
                if (self.scores["scope"] == "out_of_sample").any() else
                "Baselines are fitted on all scored years, so oracle_pair_mode ")
               + "knows each pair's commonest level: it is a demanding bar, not a forecast. "
               "false_changes counts, per run, the moves that match no reference change "
               "(same pair and direction within a year).", "",
               "Accuracy, kappa and change points are averaged over runs; Brier scores use "
               "the ensemble's level shares as probabilities. " + KAPPA_NOTE, "", "## Overall", "",
               markdown_table(kappa_shown(self.summary("overall")))]
        if (self.scores["scope"] == "out_of_sample").any():
            out += ["", f"## Out of sample (years >= {s.get('split_year')}, baselines fitted "
                    "on earlier years)", "", markdown_table(kappa_shown(self.summary("out_of_sample")))]
        for scope, title in (("period", "By period"), ("pair", "By pair")):
            t = self.scores[(self.scores["scope"] == scope)
                            & self.scores["forecaster"].isin(["model", "persistence"])]
            out += ["", f"## {title} (model and persistence)", "",
                    markdown_table(kappa_shown(t[["dimension", "group", "forecaster", "n", "exact",
                                                  "within_one", "kappa_linear", "change_hit_rate",
                                                  "brier"]]))]
            if scope == "pair" and len(t):
                out += ["", "Kappa over pairs (a pair whose kappa is n/a is left out of the mean; "
                        "the overall kappa above pools the dyad-years instead):", "",
                        *pair_kappa_means(t)]
        if self.membership is not None:
            out += ["", "## Bloc membership (state-bloc-years; joins and exits within a year)", "",
                    markdown_table(self.membership.reset_index()), "",
                    "Founders entering at a founding are inputs and are not counted as joins. "
                    "Persistence keeps membership as in the first scored year and, like the model, "
                    "is given each later bloc's founders from its founding. "
                    "spurious_changes is per run.", "",
                    markdown_table(self.membership_events)]
        if self.patterns is not None:
            held = int((self.patterns["share"] >= 0.8).sum())
            out += ["", "## Documented patterns (share of runs reproducing each)", "",
                    f"{held} of {len(self.patterns)} reproduced in at least 80% of runs.", "",
                    markdown_table(self.patterns[["id", "claim", "source", "share"]])]
        if len(self.changes):
            out += ["", "## Reference change points", "", markdown_table(self.changes)]
        return "\n".join(out) + "\n"

    def write(self, out_dir: str | Path) -> Path:
        """Write CSV tables, ``report.md`` and one figure per key pair.

        Files are written to a temporary folder next to ``out_dir`` and moved into place
        only when all are done, so a failure never leaves a half-written report.
        """
        out_dir = Path(out_dir)
        with atomic_folder(out_dir, replace=False) as tmp:
            self.scores.to_csv(tmp / "scores.csv", index=False)
            self.changes.to_csv(tmp / "change_points.csv", index=False)
            self.series.to_csv(tmp / "series.csv", index=False)
            for name in ("membership", "membership_events", "patterns"):
                table = getattr(self, name)
                if table is not None:
                    table.to_csv(tmp / f"{name}.csv", index=name == "membership")
            (tmp / "report.md").write_text(self.to_markdown())
            self._figures(tmp)
        return out_dir

    def _figures(self, folder: Path) -> None:
        from sim.plots.validation import pair_figure, pair_grid

        runs = self.settings.get("runs", 1)
        for dim in SCALES:
            pair_grid(self.series, folder / f"pairs_{dim}.png", dim, runs)
        # The scenario's chosen pairs, in its order, so that the figures are named as the run's
        # report and figures name them (RUS-KZK there was KZK-RUS here).
        for a, b in self.settings.get("key_pairs") or KEY_PAIRS:
            lo, hi = sorted((a, b))  # the reference's order, as the series holds the pair
            pair_figure(self.series, lo, hi, folder / f"pair_{a}_{b}.png", runs, title=f"{a}-{b}")


def validate(simulated: pd.DataFrame | Sequence[pd.DataFrame], reference: pd.DataFrame, *,
             periods: Sequence[tuple[int, int]] | None = None,
             split_year: int | None = None, reference_name: str = "") -> ValidationReport:
    """Score a run or an ensemble against the reference on both scales.

    Args:
        simulated: One dyad-year table or a list (one per seed).
        reference: As from :func:`load_reference`.
        periods: Inclusive year ranges for the per-period breakdown (clipped to the years
            the reference scores, so a row never names a year that was not scored).
        split_year: If given, also score years ``>= split_year`` out of sample.
        reference_name: Shown in the report.
    """
    runs = [simulated] if isinstance(simulated, pd.DataFrame) else list(simulated)
    if not runs:
        raise ValueError("no simulated tables to validate")
    first, last = int(reference["year"].min()), int(reference["year"].max())
    # A period row names the years it scores: given periods are clipped to the scored span.
    periods = periods_for(first, last) if periods is None else \
        [(max(lo, first), min(hi, last)) for lo, hi in periods if lo <= last and hi >= first]
    scores, changes, series, coverage = [], [], [], {}
    for dim in SCALES:
        aligned = align(runs, reference, dim)
        coverage[dim] = f"{len(aligned)}/{int(reference[dim].notna().sum())}"
        if aligned.empty:
            continue
        scores.append(score_all(aligned, dim, periods, split_year))
        cols = run_columns(aligned)
        rc = change_points(aligned, "ref")
        if len(rc):
            ms = [match_changes(rc, change_points(aligned, c)) for c in cols]
            rc["hit_rate"] = np.mean([m["hit"].to_numpy() for m in ms], axis=0)
            errs = np.array([m["timing_error"].to_numpy() for m in ms], dtype=float)
            rc["timing_error"] = [_nanmean(col) for col in errs.T]
            rc.insert(0, "dimension", dim)
            changes.append(rc)
        runs_arr = aligned[cols].to_numpy(dtype=float)
        series.append(aligned[["a", "b", "year", "ref"]].assign(
            dimension=dim, sim_mean=runs_arr.mean(axis=1),
            sim_median=np.floor(np.median(runs_arr, axis=1) + 0.5),
            sim_q10=np.percentile(runs_arr, 10, axis=1),
            sim_q90=np.percentile(runs_arr, 90, axis=1)))
    if not scores:
        raise InputError(reference_name or None, "a,b,year",
                         "simulated dyad-years that overlap the reference (none matched)")
    return ValidationReport(
        scores=pd.concat(scores, ignore_index=True),
        changes=pd.concat(changes, ignore_index=True) if changes else pd.DataFrame(),
        series=pd.concat(series, ignore_index=True),
        settings={"reference": reference_name, "runs": len(runs), "split_year": split_year,
                  "periods": [list(p) for p in periods], "coverage": coverage, "origin": first})

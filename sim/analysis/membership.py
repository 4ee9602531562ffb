"""Bloc membership against the record: who was in which bloc, and when they joined or left.

Blocs are where the Central Asian record is most legible (Uzbekistan's exits from and
returns to the collective-security treaty, Turkmenistan staying out of everything), so a
model of alignment must be scored on membership as well as on pair levels. A bloc
reference has one row per state, bloc and year (``member`` 0/1 at 31 December); a run's
``states.csv`` lists each state's blocs per year. Scores:

* exact accuracy over state-bloc-years;
* joins and exits: a reference join (exit) is *hit* when the run has the same state
  joining (leaving) the same bloc within ``tolerance`` years; each simulated change serves
  at most one reference change, and simulated changes left unmatched are *spurious*;
* the same for persistence from the first scored year (as for pair levels), given each
  later bloc's founders from its founding as the model is, and for the most common state
  of each state-bloc in the scored years (an oracle: it knows the answer's mode).

A bloc's founders entering at its founding are inputs of the scenario, not outcomes, so
those rows are left out of the change events (they stay in the accuracy).
Pure pandas; nothing here imports the model.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from sim.scenario.reference import BLOC_REFERENCE_COLUMNS

MEMBERSHIP_METRICS = ("n", "exact", "changes_ref", "change_hit_rate", "spurious_changes")


def membership_from_states(states: pd.DataFrame, blocs: Iterable[str]) -> pd.DataFrame:
    """A run's membership as state, bloc, year, member rows (from its ``states.csv``)."""
    blocs = list(blocs)
    listed = states["blocs"].fillna("").astype(str).str.split(";")
    rows = {"state": np.repeat(states["state"].to_numpy(), len(blocs)),
            "year": np.repeat(states["year"].to_numpy().astype(int), len(blocs)),
            "bloc": np.tile(blocs, len(states))}
    rows["member"] = [int(b in ls) for ls in listed for b in blocs]
    return pd.DataFrame(rows)[list(BLOC_REFERENCE_COLUMNS)]


def align_membership(runs: Sequence[pd.DataFrame], reference: pd.DataFrame) -> pd.DataFrame:
    """Reference and every run side by side: ``state, bloc, year, ref, run_0 ..``.

    Only state-bloc-years that the reference codes and every run covers are kept (a run
    covers a state-year when its ``states.csv`` has that row; blocs it does not model are
    dropped by the caller's choice of ``blocs``).
    """
    out = reference.rename(columns={"member": "ref"})
    for r, run in enumerate(runs):
        out = out.merge(run.rename(columns={"member": f"run_{r}"}), on=["state", "bloc", "year"],
                        how="inner")
    return out.sort_values(["bloc", "state", "year"]).reset_index(drop=True)


def membership_changes(aligned: pd.DataFrame, column: str,
                       founders: dict[str, tuple[int, Sequence[str]]] | None = None) -> pd.DataFrame:
    """Joins (+1) and exits (-1): years where a state-bloc differs from the year before.

    Args:
        aligned: As from :func:`align_membership` (sorted by bloc, state, year).
        column: ``ref`` or a run column.
        founders: ``{bloc: (founding year, founders)}``; founders' entry in that year is
            an input and is not counted.
    """
    df = aligned
    same = (df["state"].eq(df["state"].shift()) & df["bloc"].eq(df["bloc"].shift())
            & df["year"].eq(df["year"].shift() + 1)).to_numpy()
    step = df[column].diff().fillna(0).to_numpy()
    mask = same & (step != 0)
    out = df.loc[mask, ["state", "bloc", "year"]].copy()
    out["direction"] = np.sign(step[mask]).astype(int)
    if founders:
        given = [(b, s, y) for b, (y, ss) in founders.items() for s in ss]
        keys = list(zip(out["bloc"], out["state"], out["year"]))
        out = out.loc[np.array([(k not in given) or d < 0 for k, d in zip(keys, out["direction"])], bool)]
    return out.reset_index(drop=True)


def match_membership_changes(ref: pd.DataFrame, sim: pd.DataFrame, tolerance: int = 1) -> tuple[int, int]:
    """One-to-one matching of reference and simulated changes; returns (hits, spurious).

    Each reference change takes the nearest unused simulated change of the same state,
    bloc and direction within ``tolerance`` years.
    """
    used: set[int] = set()
    hits = 0
    pool = sim.reset_index(drop=True)
    for _, rc in ref.iterrows():
        cand = pool[(pool["state"] == rc["state"]) & (pool["bloc"] == rc["bloc"])
                    & (pool["direction"] == rc["direction"])
                    & ((pool["year"] - rc["year"]).abs() <= tolerance)]
        cand = cand[~cand.index.isin(used)]
        if len(cand):
            used.add(int((cand["year"] - rc["year"]).abs().idxmin()))
            hits += 1
    return hits, len(pool) - len(used)


def _baselines(aligned: pd.DataFrame, origin: int,
               founders: dict[str, tuple[int, Sequence[str]]] | None = None) -> dict[str, np.ndarray]:
    """Persistence from the origin year and each state-bloc's own most common state.

    Persistence keeps every state-bloc as it stood in the origin year, except that a bloc
    founded later has its founders in it from its founding year: the founders are inputs the
    model is given too, and a baseline that never saw the SCO or the EAEU founded would be
    beaten by inputs, not by anything the model explains.
    """
    key = ["state", "bloc"]
    at_origin = aligned[aligned["year"] <= origin].sort_values("year").groupby(key)["ref"].last()
    first = aligned.sort_values("year").groupby(key)["ref"].first()
    start = at_origin.reindex(first.index).fillna(first)
    idx = pd.MultiIndex.from_frame(aligned[key])
    persistence = start.reindex(idx).to_numpy().astype(int)
    year = aligned["year"].to_numpy()
    for bloc, (founded, who) in (founders or {}).items():
        if founded > origin:
            given = (aligned["bloc"] == bloc).to_numpy() & aligned["state"].isin(list(who)).to_numpy()
            persistence[given & (year >= founded)] = 1
    scored = aligned[aligned["year"] >= origin]  # the scored years
    mode = scored.groupby(key)["ref"].agg(lambda s: int(s.mean() > 0.5))
    return {"persistence": persistence,
            "oracle_own_mode": mode.reindex(idx).fillna(0).to_numpy().astype(int)}


def score_membership(aligned: pd.DataFrame, from_year: int,
                     founders: dict[str, tuple[int, Sequence[str]]] | None = None,
                     tolerance: int = 1) -> pd.DataFrame:
    """Score the runs and the baselines on the years from ``from_year`` on.

    Returns:
        One row per forecaster (``model``, ``persistence``, ``oracle_own_mode``), columns
        :data:`MEMBERSHIP_METRICS`; spurious changes are per run (a mean for the model).
    """
    runs = [c for c in aligned.columns if c.startswith("run_")]
    forecasts = {"model": aligned[runs].to_numpy()}
    for name, lv in _baselines(aligned, from_year, founders).items():
        forecasts[name] = lv[:, None]
    scored = (aligned["year"] >= from_year).to_numpy()
    ref_changes = membership_changes(aligned, "ref", founders)
    ref_changes = ref_changes[ref_changes["year"] >= from_year]
    rows = {}
    for name, fc in forecasts.items():
        exact, hits, spurious = [], [], []
        for r in range(fc.shape[1]):
            col = aligned[["state", "bloc", "year"]].assign(sim=fc[:, r])
            exact.append(float(np.mean(fc[scored, r] == aligned["ref"].to_numpy()[scored])))
            sim_changes = membership_changes(col, "sim", founders)
            h, s = match_membership_changes(ref_changes, sim_changes[sim_changes["year"] >= from_year],
                                            tolerance)
            hits.append(h)
            spurious.append(s)
        n_ref = len(ref_changes)
        rows[name] = {"n": int(scored.sum()), "exact": float(np.mean(exact)), "changes_ref": n_ref,
                      "change_hit_rate": float(np.mean(hits)) / n_ref if n_ref else float("nan"),
                      "spurious_changes": float(np.mean(spurious))}
    out = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=list(MEMBERSHIP_METRICS))
    out.index.name = "forecaster"
    return out


def membership_events(aligned: pd.DataFrame, from_year: int,
                      founders: dict[str, tuple[int, Sequence[str]]] | None = None,
                      tolerance: int = 1) -> pd.DataFrame:
    """Every reference join and exit with the share of runs that hit it (for the report)."""
    runs = [c for c in aligned.columns if c.startswith("run_")]
    ref_changes = membership_changes(aligned, "ref", founders)
    ref_changes = ref_changes[ref_changes["year"] >= from_year].reset_index(drop=True)
    shares = np.zeros(len(ref_changes))
    for c in runs:
        sim = membership_changes(aligned, c, founders)
        for k, rc in ref_changes.iterrows():
            hit, _ = match_membership_changes(ref_changes.iloc[[k]], sim, tolerance)
            shares[k] += hit
    return ref_changes.assign(kind=np.where(ref_changes["direction"] > 0, "join", "exit"),
                              share_of_runs=shares / max(len(runs), 1)).drop(columns="direction")


def validate_membership(states_tables: Sequence[pd.DataFrame], reference: pd.DataFrame,
                        blocs: Sequence[str], founders: dict[str, tuple[int, Sequence[str]]],
                        from_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores and per-event hit shares of runs' bloc membership against a bloc reference.

    Args:
        states_tables: Each run's ``states.csv`` table.
        reference: As from :func:`sim.scenario.reference.load_bloc_reference`; blocs the
            scenario does not model and states it does not hold are left out.
        blocs: The scenario's bloc ids.
        founders: ``{bloc: (founding year, founders)}``, inputs not scored as joins.
        from_year: First scored year.
    """
    states = set().union(*(set(t["state"]) for t in states_tables))
    ref = reference[reference["bloc"].isin(blocs) & reference["state"].isin(states)]
    aligned = align_membership([membership_from_states(t, blocs) for t in states_tables], ref)
    return (score_membership(aligned, from_year, founders),
            membership_events(aligned, from_year, founders))

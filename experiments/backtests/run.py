"""Out of sample, the hard way: fits that stop at an origin, forecasts that start there.

For each origin (2000, 2005, 2010, 2015, plus the 2007 split of the long out-of-sample
test) the weights come from ``experiments/fit_baseline/fit.py --train-end ORIGIN``, which
scores the reference only up to the origin. An ensemble then runs on two kinds of input:

* forecast: inputs frozen at the origin (``sim.scenario.inputs.freeze_after``): no later
  shock, leader, dispute or capability change is known;
* projection: inputs as they happened, so the run is conditional on the shocks.

Each runs from 1991 (``from 1991``: the model's own trajectory up to the origin) or is
restarted at the origin from the state of the world a forecaster knows then (``restart``:
the reference's levels of the origin year as initial relations, the bloc reference's
members of the origin year as each existing bloc's members, the events and armed movements
still in force). The restart is what a forecaster would do; the runs from 1991 show how far
the model's trajectory has drifted by the origin.

Both are scored on the years after the origin (five, or to 2024 for the 2007 split)
against persistence from the origin (each pair's reference level in the origin year),
with exact accuracy and the multi-category Brier score of the ensemble. Nothing from after
the origin enters the weights or, for the forecast, the inputs.

Usage::

    .venv/bin/python experiments/fit_baseline/fit.py --maxiter 12 --popsize 6 --seed 11 --fresh \
        --train-end 2005 --out experiments/backtests/fit_2005.json
    .venv/bin/python experiments/backtests/run.py [--seeds 20]

Writes ``table.csv`` and ``table.md`` next to this file.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import pandas as pd

from sim.analysis.validation import align, markdown_table, score
from sim.model import inputs_for
from sim.run.simulate import dyad_table, simulate
from sim.scenario.inputs import freeze_after
from sim.scenario.reference import load_bloc_reference, load_reference
from sim.scenario.schema import apply_overrides, load_raw, scenario_from_dict

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCENARIO = ROOT / "scenarios" / "central_asia_1991_2024.yaml"
REFERENCE = ROOT / "seeds" / "reference" / "central_asia_reference.csv"
BLOC_REFERENCE = ROOT / "seeds" / "reference" / "central_asia_reference_blocs.csv"
#: origin -> last year scored (five years on, or to the end for the long split).
ORIGINS = {2000: 2005, 2005: 2010, 2007: 2024, 2010: 2015, 2015: 2020}


def restart_at(raw: dict, origin: int, reference: pd.DataFrame, blocs: pd.DataFrame, folder: Path) -> dict:
    """The scenario restarted at ``origin`` from the state of the world known then.

    Relations of the origin year become the initial relations; blocs already founded start
    with their members of that year (and blocs already dissolved are gone); events and
    armed movements that ended before the origin are dropped, and those still in force
    start at the origin, so the inputs of every year from the origin on are unchanged.
    """
    raw = json.loads(json.dumps(raw))
    raw["time"]["start"] = origin
    row = reference[reference.year == origin]
    path = folder / f"relations_{origin}.csv"
    row[["a", "b"]].assign(initial_de_facto=row["de_facto"].astype(int),
                           initial_de_jure=row["de_jure"].astype(int)).to_csv(path, index=False)
    raw["pairs"] = {"csv": str(path)}
    members = blocs[(blocs.year == origin) & (blocs.member == 1)]
    kept = []
    for b in raw.get("blocs", []):
        if b.get("dissolved") is not None and b["dissolved"] <= origin:
            continue
        if b.get("founded") is None or b["founded"] <= origin:
            b["founded"] = None
            b["founders"] = sorted(members[members.bloc == b["id"]].state)
            b["eligible_from"] = {s: y for s, y in b.get("eligible_from", {}).items()  # opened later, not yet in
                                  if s not in b["founders"] and y > origin}
        kept.append(b)
    raw["blocs"] = kept
    events = []
    for ev in raw.get("events", []):
        if ev.get("until") is not None and ev["until"] <= origin:
            continue
        events.append(dict(ev, year=max(ev["year"], origin)))
    raw["events"] = events
    sources = []
    for src in raw.get("threat_sources", []):
        if src["end"] >= origin:
            sources.append(dict(src, start=max(src["start"], origin)))
    raw["threat_sources"] = sources
    raw["outputs"] = {}
    return raw


def _scenario(fit_file: Path, frozen_at: int | None, restart: dict | None = None):
    fitted = json.loads(fit_file.read_text())["overrides"]
    raw = apply_overrides(load_raw(SCENARIO), fitted, source=str(fit_file))
    if restart is not None:
        raw = restart_at(raw, **restart)
    sc = scenario_from_dict(raw, base_dir=SCENARIO.parent)
    if frozen_at is not None:
        sc._arrays = freeze_after(inputs_for(sc), frozen_at)
    return sc


def evaluate(origin: int, last: int, mode: str, start: str, seeds: int, reference: pd.DataFrame,
             blocs: pd.DataFrame, folder: Path) -> list[dict]:
    """Scores of one origin, input mode and start, model and persistence, on both scales."""
    fit_file = HERE / f"fit_{origin}.json"
    restart = dict(origin=origin, reference=reference, blocs=blocs, folder=folder) if start == "restart" else None
    sc = _scenario(fit_file, origin if mode == "forecast" else None, restart)
    tables = [dyad_table(simulate(sc, s, record=False).model, components=False) for s in range(seeds)]
    rows = []
    for dim in ("de_facto", "de_jure"):
        ref = reference[(reference.year <= last) & (reference.year >= origin)]
        aligned = align(tables, ref, dim)
        year = aligned["year"].to_numpy()
        s = score(aligned, dim, fit=year <= origin, scored=year > origin, origin=origin)
        for forecaster in ("model", "persistence"):
            r = s.loc[forecaster]
            rows.append({"origin": origin, "scored": f"{origin + 1}-{last}", "start": start,
                         "inputs": mode, "dimension": dim, "forecaster": forecaster,
                         "exact": r.exact, "brier": r.brier, "n": int(r.n)})
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=20)
    args = p.parse_args()
    reference = load_reference(REFERENCE)
    blocs = load_bloc_reference(BLOC_REFERENCE)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for origin, last in ORIGINS.items():
            if not (HERE / f"fit_{origin}.json").is_file():
                print(f"no fit for origin {origin}: run fit.py --train-end {origin} first")
                continue
            for start in ("from 1991", "restart"):
                for mode in ("forecast", "projection"):
                    rows += evaluate(origin, last, mode, start, args.seeds, reference, blocs, Path(folder))
    table = pd.DataFrame(rows)
    table.to_csv(HERE / "table.csv", index=False)
    model = table[table.forecaster == "model"].pivot_table(
        index=["origin", "scored", "dimension"], columns=["start", "inputs"], values=["exact", "brier"]).round(3)
    model.columns = [f"{a}: {b}, {c}" for a, b, c in model.columns]
    persistence = table[table.forecaster == "persistence"].groupby(["origin", "scored", "dimension"])[
        ["exact", "brier"]].first().round(3).add_prefix("persistence ")
    wide = model.join(persistence).reset_index()
    keep = ["origin", "scored", "dimension"] + [c for c in wide.columns if "exact" in c] + \
        [c for c in wide.columns if "brier" in c]
    text = (f"# Backtests ({args.seeds} runs per origin, start and input mode)\n\n"
            "persistence = each pair's reference level in the origin year; model weights fitted "
            "on years up to the origin only; restart = the run starts at the origin from the "
            "record's state of that year.\n\n" + markdown_table(wide[keep]) + "\n")
    (HERE / "table.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()

"""Out of sample, the hard way: fits that stop at an origin, forecasts that start there.

For each origin (2000, 2005, 2010, 2015, plus the 2007 split of the long out-of-sample
test) the weights come from ``experiments/fit_baseline/fit.py --train-end ORIGIN``, which
scores the reference only up to the origin. An ensemble then runs on two kinds of input:

* forecast: inputs frozen at the origin (``sim.scenario.inputs.freeze_after``): no later
  shock, leader, dispute or capability change is known;
* projection: inputs as they happened, so the run is conditional on the shocks.

Both are scored on the years after the origin (five, or to 2024 for the 2007 split)
against persistence from the origin (each pair's reference level in the origin year),
with exact accuracy and the multi-category Brier score of the ensemble. Nothing from after
the origin enters the weights or, for the forecast, the inputs.

Usage::

    .venv/bin/python experiments/fit_baseline/fit.py --train-end 2005 --out experiments/backtests/fit_2005.json
    .venv/bin/python experiments/backtests/run.py [--seeds 20]

Writes ``table.csv`` and ``table.md`` next to this file.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from sim.analysis.validation import align, markdown_table, score
from sim.model import inputs_for
from sim.run.simulate import dyad_table, simulate
from sim.scenario.inputs import freeze_after
from sim.scenario.reference import load_reference
from sim.scenario.schema import apply_overrides, load_raw, scenario_from_dict

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCENARIO = ROOT / "scenarios" / "central_asia_1991_2024.yaml"
REFERENCE = ROOT / "seeds" / "reference" / "central_asia_reference.csv"
#: origin -> last year scored (five years on, or to the end for the long split).
ORIGINS = {2000: 2005, 2005: 2010, 2007: 2024, 2010: 2015, 2015: 2020}


def _scenario(fit_file: Path, frozen_at: int | None):
    raw = apply_overrides(load_raw(SCENARIO), json.loads(fit_file.read_text())["overrides"],
                          source=str(fit_file))
    sc = scenario_from_dict(raw, base_dir=SCENARIO.parent)
    if frozen_at is not None:
        sc._arrays = freeze_after(inputs_for(sc), frozen_at)
    return sc


def evaluate(origin: int, last: int, mode: str, seeds: int, reference: pd.DataFrame) -> list[dict]:
    """Scores of one origin and input mode, model and persistence, on both scales."""
    fit_file = HERE / f"fit_{origin}.json"
    sc = _scenario(fit_file, origin if mode == "forecast" else None)
    tables = [dyad_table(simulate(sc, s, record=False).model, components=False) for s in range(seeds)]
    rows = []
    for dim in ("de_facto", "de_jure"):
        aligned = align(tables, reference[reference.year <= last], dim)
        year = aligned["year"].to_numpy()
        s = score(aligned, dim, fit=year <= origin, scored=year > origin, origin=origin)
        for forecaster in ("model", "persistence"):
            r = s.loc[forecaster]
            rows.append({"origin": origin, "scored": f"{origin + 1}-{last}", "inputs": mode,
                         "dimension": dim, "forecaster": forecaster, "exact": r.exact,
                         "brier": r.brier, "n": int(r.n)})
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=20)
    args = p.parse_args()
    reference = load_reference(REFERENCE)
    rows = []
    for origin, last in ORIGINS.items():
        if not (HERE / f"fit_{origin}.json").is_file():
            print(f"no fit for origin {origin}: run fit.py --train-end {origin} first")
            continue
        for mode in ("forecast", "projection"):
            rows += evaluate(origin, last, mode, args.seeds, reference)
    table = pd.DataFrame(rows)
    table.to_csv(HERE / "table.csv", index=False)
    wide = table.pivot_table(index=["origin", "scored", "dimension"], columns=["inputs", "forecaster"],
                             values=["exact", "brier"]).round(3)
    wide.columns = [f"{a} {b} {c}" for a, b, c in wide.columns]
    wide = wide.reset_index()
    keep = ["origin", "scored", "dimension"] + [c for c in wide.columns if c.startswith("exact")] + \
        [c for c in wide.columns if c.startswith("brier")]
    text = (f"# Backtests ({args.seeds} runs per origin and input mode)\n\n"
            "persistence = each pair's reference level in the origin year; model weights fitted "
            "on years up to the origin only.\n\n" + markdown_table(wide[keep]) + "\n")
    (HERE / "table.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()

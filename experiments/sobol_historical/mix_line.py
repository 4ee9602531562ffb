"""The historical scenario at its final weights along the threat mix, scored on the record.

Mix 0 is pure balance of power (all threat weight on aggregate power); mix 1 is the
scenario's own (fitted) threat weighting, identical to leaving the mix unset. Every other
weight stays at the scenario's value. Six seeds per mix; exact accuracy (de facto and de
jure averaged) over 1991-2024, 1991-2007 and 2008-2024, and de facto weighted kappa.

    .venv/bin/python experiments/sobol_historical/mix_line.py
"""

import numpy as np
import pandas as pd

from sim.analysis.validation import score_table
from sim.ensembles.sweep import load_base, run_once, with_overrides

SCENARIO = "scenarios/central_asia_1991_2024.yaml"
REFERENCE = "seeds/reference/central_asia_reference.csv"
MIXES = [None, 0.0, 0.25, 0.5, 0.75, 0.8323, 0.9, 0.95, 1.0]  # 0.8323: fit_historical's fitted value
SEEDS = range(6)

if __name__ == "__main__":
    ref = pd.read_csv(REFERENCE)
    base = load_base(SCENARIO)
    rows = []
    for mix in MIXES:
        data = with_overrides(base, {} if mix is None else {"mechanism.threat.mix": mix}, SCENARIO)
        for seed in SEEDS:
            dyads = run_once(data, seed, True, SCENARIO).dyads
            row = {"mix": "unset" if mix is None else mix, "seed": seed}
            for name, years in [("1991-2024", (None, None)), ("1991-2007", (None, 2007)),
                                ("2008-2024", (2008, None))]:
                s = score_table(dyads, ref, years)
                row[name] = s["exact"]
                if name == "1991-2024":
                    row["kappa_de_facto"] = s.get("kappa_de_facto", np.nan)
            rows.append(row)
    table = pd.DataFrame(rows).groupby("mix", sort=False)[
        ["1991-2024", "kappa_de_facto", "1991-2007", "2008-2024"]].agg(["mean", "std"])
    print(table.round(3).to_string())

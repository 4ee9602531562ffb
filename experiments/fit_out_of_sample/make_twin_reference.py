"""Write a synthetic reference timeline for the twin fitting experiment.

The model itself, run at weights the fit is not told (threat mix 0.8, inertia weight 0.5,
seed 0) on ``scenarios/known_paper_alliance.yaml``, produces the "truth". Fitting from the
scenario's defaults must then recover weights that reproduce it, and the train/test split
(train <= 2006, test 2007-2015, after the 2005 shock) checks the machinery out of sample.

    .venv/bin/python experiments/fit_out_of_sample/make_twin_reference.py
"""

from pathlib import Path

from sim.ensembles.sweep import load_base, run_once, with_overrides

HERE = Path(__file__).resolve().parent
SCENARIO = "scenarios/known_paper_alliance.yaml"
HIDDEN = {"mechanism.threat.mix": 0.8, "mechanism.utility.inertia": 0.5}

if __name__ == "__main__":
    data = with_overrides(load_base(SCENARIO), HIDDEN, SCENARIO)
    dyads = run_once(data, 0, True, SCENARIO).dyads
    out = HERE / "twin_reference.csv"
    dyads[["a", "b", "year", "de_jure", "de_facto"]].to_csv(out, index=False)
    print(f"wrote {out} ({len(dyads)} pair-years) from {SCENARIO} with {HIDDEN}")

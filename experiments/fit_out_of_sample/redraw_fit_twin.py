"""Redraw ``fit_twin.png`` without fitting again: the figure's two model runs, at the fitted
values the write-up reports, and the stored twin reference.

``alliance-sim fit`` draws ``fit.png`` from the reference and two runs at its first seed
(0): the fitted weights and the scenario as written. Those runs are not kept, but each is
one short run of ``scenarios/known_paper_alliance.yaml``, so a figure drawn by an older
version of the plotting code (the level names, say) can be redrawn from them. The script
first checks that the model still writes ``twin_reference.csv`` at the hidden weights, so
that the runs it draws are the ones the write-up describes; if not, the fit must be rerun
instead (``alliance-sim fit experiments/fit_twin.yaml``).

    .venv/bin/python experiments/fit_out_of_sample/redraw_fit_twin.py
"""

import sys
from pathlib import Path

import pandas as pd

from sim.ensembles.sweep import load_base, run_once, with_overrides
from sim.plots.sweep import fit_timeline
from sim.scenario.reference import load_reference_levels

HERE = Path(__file__).resolve().parent
SCENARIO = "scenarios/known_paper_alliance.yaml"
HIDDEN = {"mechanism.threat.mix": 0.8, "mechanism.utility.inertia": 0.5}  # make_twin_reference.py
FITTED = {"mechanism.threat.mix": 0.473458, "mechanism.utility.inertia": 0.631948}  # README, as --set
TRAIN_END = 2006


def dyads(overrides: dict) -> pd.DataFrame:
    """The dyad table of one run at seed 0, the seed ``fit.png`` is drawn from."""
    return run_once(with_overrides(load_base(SCENARIO), overrides, SCENARIO), 0, True, SCENARIO).dyads


if __name__ == "__main__":
    stored = pd.read_csv(HERE / "twin_reference.csv")
    again = dyads(HIDDEN)[list(stored.columns)].reset_index(drop=True)
    if not again.astype(stored.dtypes.to_dict()).equals(stored):
        sys.exit("the model no longer writes twin_reference.csv at the hidden weights: "
                 "rerun the fit (alliance-sim fit experiments/fit_twin.yaml), do not redraw")
    runs = {"fitted": dyads(FITTED), "scenario as written": dyads({})}
    path = fit_timeline(load_reference_levels(HERE / "twin_reference.csv"), runs, TRAIN_END,
                        HERE / "fit_twin.png")
    print(f"wrote {path}")

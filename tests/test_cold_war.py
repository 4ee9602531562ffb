"""The early Cold War scenario (issue 14): a second state system, out of case.

Fast end-to-end checks: the scenario passes `check`, carries the Central Asia weights
unchanged, runs, and its validation (any state system) runs; calibration knows any COW
state by abbreviation or code.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml

from sim.calibration import rules as cal
from sim.run.simulate import dyad_table, simulate
from sim.analysis.validation import validate
from sim.scenario.reference import load_reference
from tests.conftest import load_script

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "cold_war_europe_1946_1955.yaml"
REFERENCE = ROOT / "seeds" / "reference" / "cold_war_europe_reference.csv"


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_check_and_weights_are_the_central_asia_ones():
    proc = _cli("check", SCENARIO)
    assert proc.returncode == 0, proc.stderr
    assert "29 states, 1946-1955" in proc.stdout
    cw = yaml.safe_load(SCENARIO.read_text())["mechanism"]
    ca = yaml.safe_load((ROOT / "scenarios" / "central_asia_1991_2024.yaml").read_text())["mechanism"]
    assert cw == ca
    assert "no weight was fitted on this case" in yaml.safe_load(SCENARIO.read_text())["description"]


def test_scenario_runs_and_validates_end_to_end(tmp_path):
    res = simulate(str(SCENARIO), 0, record=False)
    dyads = dyad_table(res.model, components=False)
    assert sorted(dyads.year.unique()) == list(range(1946, 1956))
    reference = load_reference(REFERENCE, states=res.model.ids)
    report = validate([dyads], reference, periods=[(1946, 1950), (1951, 1955)])
    assert report.settings["origin"] == 1946
    summary = report.summary("overall")
    assert set(summary.forecaster) >= {"model", "persistence", "majority_overall"}
    assert report.settings["coverage"]["de_facto"] == "1057/1057"
    # the 1946 initial relations are the reference's 1946 row where it codes de facto
    first = dyads[dyads.year == 1946].merge(reference[reference.year == 1946].dropna(subset=["de_facto"]),
                                            on=["a", "b", "year"], suffixes=("", "_ref"), how="inner")
    swapped = dyads[dyads.year == 1946].rename(columns={"a": "b", "b": "a"}).merge(
        reference[reference.year == 1946].dropna(subset=["de_facto"]), on=["a", "b", "year"],
        suffixes=("", "_ref"))
    both = pd.concat([first, swapped])
    coded = reference[(reference.year == 1946)].de_facto.notna().sum()
    assert len(both) == coded and (both.de_facto == both.de_facto_ref.astype(int)).all()


def test_cli_validate_takes_the_states_of_the_run(tmp_path):
    run = tmp_path / "run"
    proc = _cli("run", SCENARIO, "--out", run, "--no-plots")
    assert proc.returncode == 0, proc.stderr
    proc = _cli("validate", run, "--reference", REFERENCE)
    assert proc.returncode == 0, proc.stderr
    assert "de_facto 1057/1057" in proc.stdout and "persistence" in proc.stdout


def test_calibrate_any_cow_state_by_abbreviation_or_code():
    out = cal.calibrate(["2", "RUS", "GFR", "POL"], 1946, 1950)
    s = out.states
    assert sorted(s.state.unique()) == ["GFR", "POL", "RUS", "USA"]
    assert s[s.state == "GFR"].name.iloc[0] == "German Federal Republic"
    assert s.groupby("year").power.sum().round(6).eq(1).all()
    assert s[s.state == "GFR"]["flags"].str.contains("power:no_data").all()  # NMC has the FRG from 1955 only
    assert s[s.state == "USA"]["flags"].str.contains("democracy:vdem10").all()
    d = out.dyads
    pol_rus = d[(d.a == "POL") & (d.b == "RUS")]
    assert (pol_rus.contiguity == 1).all() and (pol_rus.distance_km.between(1100, 1200)).all()
    assert out.provenance.data.str.contains("haversine").any()


def test_the_scenario_is_rebuilt_byte_for_byte_from_the_coding_in_the_repository():
    """`build_scenario.py` turns the coder's files kept in seeds/reference/coding/ and the
    Central Asia weights into the shipped scenario and its initial relations, exactly: the
    case can be rebuilt on a fresh clone, and a refit in Central Asia reaches it only
    through this script (a hand edit of either file would show here)."""
    build_scenario = load_script(ROOT / "experiments" / "cold_war_out_of_case" / "build_scenario.py",
                                 "build_scenario")
    text, init = build_scenario.build()
    assert text == SCENARIO.read_text(encoding="utf-8")
    shipped = pd.read_csv(build_scenario.INIT, dtype={"initial_de_facto": "Int64", "initial_de_jure": "Int64"})
    pd.testing.assert_frame_equal(init.reset_index(drop=True), shipped)

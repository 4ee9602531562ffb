"""Sensitivity indices and fitting, checked against answers known by construction.

The stand-in model of ``test_sweep`` has ``linear = 2 * power`` (temperature has no effect)
and puts the AAA-BBB pair at de facto level round(3 * weight), de jure 1 when weight > 0.5.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli.main import main
from sim.errors import InputError
from sim.analysis.fit import FIT_FILES, fit_weights, load_fit_spec, persistence_baseline
from sim.analysis.validation import score_table
from sim.analysis.sensitivity import analyse, morris_indices, sobol_indices
from sim.ensembles.storage import load_results
from sim.ensembles.sweep import run_sweep
from sim.scenario.schema import load_scenario
from tests.conftest import assert_real_figure
from test_sweep import standin  # noqa: F401 - the fixture is used by name

ROOT = Path(__file__).resolve().parents[1]

PARAMS = {"mechanism.temperature": {"low": 0.0, "high": 0.5},
          "mechanism.threat.power": {"low": 0.0, "high": 1.0}}


def test_sobol_finds_the_only_input_that_matters(standin, tmp_path):
    path = standin("sob", parameters=PARAMS, design={"kind": "sobol", "samples": 64},
                   outputs={"summary": ["linear"]})
    run_sweep(path, tmp_path / "o", workers=1, progress=False, plots=False)
    t = sobol_indices(tmp_path / "o", "linear").set_index("parameter")
    # linear = 2 * power: all variance is power's, none is temperature's
    assert t.loc["mechanism.threat.power", "S1"] == pytest.approx(1.0, abs=0.05)
    assert t.loc["mechanism.threat.power", "ST"] == pytest.approx(1.0, abs=0.05)
    # changing temperature alone never changes the output: its indices are exactly 0
    assert t.loc["mechanism.temperature", "ST"] == 0.0
    assert t.loc["mechanism.temperature", "S1"] == 0.0
    assert (t.S1_conf >= 0).all()
    # the bootstrap is seeded, seed 0 included: the same runs give the same intervals
    again = sobol_indices(tmp_path / "o", "linear").set_index("parameter")
    assert t.loc["mechanism.threat.power", "ST_conf"] > 0
    pd.testing.assert_frame_equal(t, again)
    with pytest.raises(InputError, match="morris"):
        morris_indices(tmp_path / "o", "linear")
    with pytest.raises(InputError, match="one of the sweep's outputs"):
        sobol_indices(tmp_path / "o", "no_such_output")


def test_morris_mu_star_is_the_slope_times_the_range(standin, tmp_path):
    path = standin("mor", parameters=PARAMS, design={"kind": "morris", "samples": 10},
                   outputs={"summary": ["linear"]})
    run_sweep(path, tmp_path / "o", workers=1, progress=False, plots=False)
    t = analyse(tmp_path / "o", ["linear"]).set_index("parameter")  # method from the design
    # SALib's elementary effects are per unit of the range scaled to [0, 1]: 2 * 1.0
    assert t.loc["mechanism.threat.power", "mu_star"] == pytest.approx(2.0)
    assert t.loc["mechanism.threat.power", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert t.loc["mechanism.temperature", "mu_star"] == pytest.approx(0.0, abs=1e-12)


def test_sensitivity_cli_writes_indices_and_plot(standin, tmp_path, capsys):
    path = standin("cli", parameters=PARAMS, design={"kind": "sobol", "samples": 16},
                   outputs={"summary": ["linear"]})
    run_sweep(path, tmp_path / "o", workers=1, progress=False, plots=False)
    capsys.readouterr()
    assert main(["sensitivity", str(tmp_path / "o"), "--output", "linear"]) == 0
    assert "mechanism.threat.power" in capsys.readouterr().out
    assert_real_figure(tmp_path / "o" / "sensitivity" / "indices.png")
    table = pd.read_csv(tmp_path / "o" / "sensitivity" / "indices.csv")
    assert set(table.parameter) == set(PARAMS)
    assert main(["sensitivity", str(tmp_path / "o"), "--output", "nope"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "'--output'" in err


def _edit_results(out_dir, edit):
    """Rewrite a finished sweep's only results part through ``edit`` (a hand-edited or
    damaged folder, as a user may bring one)."""
    part = out_dir / "results" / "part-000000.parquet"
    assert sorted((out_dir / "results").glob("part-*.parquet")) == [part]
    edit(pd.read_parquet(part)).to_parquet(part, index=False)
    return part


def test_sensitivity_refuses_a_point_missing_one_replicate(standin, tmp_path, capsys):
    path = standin("mor2", parameters=PARAMS, design={"kind": "morris", "samples": 4},
                   replicates=2, outputs={"summary": ["linear"]})
    run_sweep(path, tmp_path / "o", workers=1, progress=False, plots=False)

    def fail_run_0(r):
        r.loc[r.run_id == 0, ["status", "linear"]] = ["error", np.nan]
        return r
    _edit_results(tmp_path / "o", fail_run_0)
    capsys.readouterr()
    # point 0 still has replicate 1: its mean over 1 run was averaged in with exit 0
    assert main(["sensitivity", str(tmp_path / "o"), "--output", "linear"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "each of the 2 replicates" in err and "1 of " in err and "points 0 (1 of 2)" in err
    assert "does not rerun failed runs" in err and "new --out" in err
    assert not (tmp_path / "o" / "sensitivity" / "indices.csv").exists()


def test_sensitivity_refuses_runs_the_sweep_never_planned(standin, tmp_path):
    path = standin("sob1", parameters=PARAMS, design={"kind": "sobol", "samples": 4},
                   outputs={"summary": ["linear"]})
    run_sweep(path, tmp_path / "o", workers=1, progress=False, plots=False)
    good = pd.read_parquet(tmp_path / "o" / "results" / "part-000000.parquet")
    before = sobol_indices(tmp_path / "o", "linear")

    def copy_row_0(r):  # the same run twice, with another value
        extra = r[r.run_id == 0].assign(linear=99.0)
        return pd.concat([r, extra], ignore_index=True)
    part = _edit_results(tmp_path / "o", copy_row_0)
    with pytest.raises(InputError) as err:
        sobol_indices(tmp_path / "o", "linear")
    assert err.value.file == str(part) and err.value.field == "run_id" and err.value.got == 0
    assert err.value.row == len(good) + 1 and "each run once" in str(err.value)

    def extra_replicate(r):  # replicate 1 of point 0, though the manifest says replicates: 1
        extra = r[r.run_id == 0].assign(run_id=len(r), replicate=1, linear=99.0)
        return pd.concat([r, extra], ignore_index=True)
    good.to_parquet(part, index=False)
    _edit_results(tmp_path / "o", extra_replicate)
    with pytest.raises(InputError) as err:
        sobol_indices(tmp_path / "o", "linear")
    assert err.value.file == str(part) and err.value.field == "replicate" and err.value.got == 1
    assert "replicates: 1" in str(err.value) and f"run {len(good)}" in str(err.value)

    def wrong_point(r):  # the last run filed under another point
        r.loc[r.index[-1], "point"] = r.point.iloc[-2]
        return r
    good.to_parquet(part, index=False)
    _edit_results(tmp_path / "o", wrong_point)
    with pytest.raises(InputError, match="point \\* replicates \\+ replicate"):
        sobol_indices(tmp_path / "o", "linear")
    good.to_parquet(part, index=False)  # the untouched rows give the same indices as before
    pd.testing.assert_frame_equal(sobol_indices(tmp_path / "o", "linear"), before)


def test_sensitivity_says_an_output_is_undefined_where_every_run_finished(standin, tmp_path, capsys):
    """The reference's de jure level is always 0 and the stand-in's is 0 for weight <= 0.5:
    there the kappa is undefined in runs that finished without error, and rerunning the
    sweep (what the refusal advised) gives the same NaN."""
    _reference(range(2000, 2011), lambda y: 0.3).to_csv(tmp_path / "ref.csv", index=False)
    path = standin("kap", parameters={"mechanism.weight": {"low": 0.0, "high": 1.0},
                                      "mechanism.temperature": {"low": 0.0, "high": 0.5}},
                   design={"kind": "sobol", "samples": 4},
                   outputs={"summary": False, "reference": "ref.csv"})
    run_sweep(path, tmp_path / "o", workers=1, progress=False, plots=False)
    r = load_results(tmp_path / "o")
    assert (r.status == "ok").all()
    undefined = sorted(int(p) for p in r.point[r["mechanism.weight"] <= 0.5])
    assert undefined and len(undefined) < len(r)
    capsys.readouterr()
    assert main(["sensitivity", str(tmp_path / "o"), "--output", "val_kappa_de_jure"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "'val_kappa_de_jure'" in err
    assert f"{len(undefined)} of {len(r)} points have none, although every run there finished " \
           "without error" in err
    assert "reference and the model both keep one and the same level" in err
    assert "points " + ", ".join(map(str, undefined[:5])) in err
    assert "failed" not in err and "rerun" not in err and "--resume" not in err

    # one run failed at a point where the kappa is defined: that point is blamed on the
    # failure (rerun), the others still on the output
    failed = int(r.point[r["mechanism.weight"] > 0.5].iloc[0])

    def fail(t):
        t.loc[t.point == failed, ["status", "val_kappa_de_jure"]] = ["error", np.nan]
        return t
    _edit_results(tmp_path / "o", fail)
    assert main(["sensitivity", str(tmp_path / "o"), "--output", "val_kappa_de_jure"]) == 2
    err = capsys.readouterr().err
    assert f"{len(undefined) + 1} of {len(r)} points have none: at 1 of them failed or unfinished " \
           "runs" in err and "new --out" in err
    assert f"at the other {len(undefined)} every run finished without error" in err


def test_sensitivity_says_an_output_is_undefined_in_some_replicates(standin, tmp_path, capsys):
    path = standin("mor3", parameters=PARAMS, design={"kind": "morris", "samples": 4},
                   replicates=2, outputs={"summary": ["linear"]})
    run_sweep(path, tmp_path / "o", workers=1, progress=False, plots=False)

    def undefined_in_run_0(r):  # finished without error, the output undefined
        r.loc[r.run_id == 0, "linear"] = np.nan
        return r
    _edit_results(tmp_path / "o", undefined_in_run_0)
    capsys.readouterr()
    assert main(["sensitivity", str(tmp_path / "o"), "--output", "linear"]) == 2
    err = capsys.readouterr().err
    assert "points 0 (1 of 2)" in err and "finished without error, but linear is undefined" in err
    assert "rerun the sweep" not in err


def test_sensitivity_gap_refusals_name_five_points_then_how_many_more(standin, tmp_path, capsys):
    """Both gap refusals (a point with no value, a point short of replicates) come from one
    function; each keeps its wording, and both list five points and count the rest."""
    path = standin("gaps", parameters=PARAMS, design={"kind": "morris", "samples": 4},
                   replicates=2, outputs={"summary": ["linear"]})
    run_sweep(path, tmp_path / "o", workers=1, progress=False, plots=False)
    good = pd.read_parquet(tmp_path / "o" / "results" / "part-000000.parquet")
    points = good.point.nunique()
    assert points == 12 and len(good) == 24  # 4 trajectories of 3 points, 2 runs each

    def fail_second_replicate(r):  # points 0-6 lose replicate 1 to an error
        r.loc[(r.point < 7) & (r.replicate == 1), ["status", "linear"]] = ["error", np.nan]
        return r
    part = _edit_results(tmp_path / "o", fail_second_replicate)
    capsys.readouterr()
    assert main(["sensitivity", str(tmp_path / "o"), "--output", "linear"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert (f"a value from each of the 2 replicates at every design point (7 of {points} points "
            "miss some: points 0 (1 of 2), 1 (1 of 2), 2 (1 of 2), 3 (1 of 2), 4 (1 of 2) and 2 "
            "more; failed or unfinished runs; 'alliance-sim sweep --resume' finishes") in err

    def undefined_everywhere(r):  # points 0-6: both runs finish, the output undefined
        r.loc[r.point < 7, "linear"] = np.nan
        return r
    good.to_parquet(part, index=False)
    _edit_results(tmp_path / "o", undefined_everywhere)
    assert main(["sensitivity", str(tmp_path / "o"), "--output", "linear"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert (f"a value at every design point (7 of {points} points have none, although every run "
            "there finished without error: linear is undefined there (") in err
    assert "; points 0, 1, 2, 3, 4 and 2 more); running again gives the same, analyse another " \
           "output)" in err


def test_sobol_refuses_an_output_that_never_varies(standin, tmp_path, capsys):
    # only temperature is swept; linear = 2 * power is 1.0 in every run
    path = standin("const", parameters={"mechanism.temperature": {"low": 0.0, "high": 0.5}},
                   design={"kind": "sobol", "samples": 4}, outputs={"summary": ["linear"]})
    run_sweep(path, tmp_path / "o", workers=1, progress=False, plots=False)
    capsys.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # SALib's RuntimeWarning leaked before
        assert main(["sensitivity", str(tmp_path / "o"), "--output", "linear"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "'linear'" in err
    assert "1 at every design point" in err and "undefined" in err


def test_score_table_known_answer():
    ref = pd.DataFrame({"a": ["B", "A", "A"], "b": ["A", "C", "C"], "year": [2000, 2000, 2001],
                        "de_jure": [1, 0, 0], "de_facto": [2, 0, 1]})
    sim = pd.DataFrame({"a": ["A", "A", "A"], "b": ["B", "C", "C"], "year": [2000, 2000, 2001],
                        "de_jure": [1, 0, 1], "de_facto": [2, 1, 3]})
    s = score_table(sim, ref)
    assert s["n"] == 3
    assert s["exact_de_facto"] == pytest.approx(1 / 3)   # only A-B (given as B-A) matches
    assert s["exact_de_jure"] == pytest.approx(2 / 3)
    assert s["within1_de_facto"] == pytest.approx(2 / 3)
    assert s["exact"] == pytest.approx(0.5)
    # linear weighted kappa on de jure: observed disagreement 1/3, chance 5/9 -> 0.4
    assert s["kappa_de_jure"] == pytest.approx(0.4)
    assert score_table(sim, ref, (2001, None))["n"] == 1
    frozen = persistence_baseline(ref, 2000, (2001, None))  # A-C stays at 0, ref says 1
    assert frozen["exact_de_facto"] == 0.0 and frozen["exact_de_jure"] == 1.0


def _reference(years, weight_rule):
    rows = []
    for y in years:
        w = weight_rule(y)
        rows.append({"a": "AAA", "b": "BBB", "year": y, "de_facto": int(round(3 * w)),
                     "de_jure": int(w > 0.5)})
    return pd.DataFrame(rows)


def test_fit_recovers_the_generating_weight_and_scores_out_of_sample(standin, tmp_path):
    standin("fitbase")
    scenario = tmp_path / "base.yaml"
    ref = _reference(range(2000, 2011), lambda y: 0.7)
    res = fit_weights(scenario, ref, ["mechanism.weight"], [(0.0, 1.0)], train_end=2005,
                      seeds=2, maxiter=4, popsize=5, rng=1, runner="standin_runner")
    # any weight with round(3w) = 2 and w > 0.5 reproduces the reference exactly
    assert 0.5 < res.fitted["mechanism.weight"] < 5 / 6
    assert res.train["exact"] == 1.0 and res.test["exact"] == 1.0
    assert res.evaluations <= (4 + 1) * 5 * 1
    assert res.default_test["exact"] == 1.0  # the base weight is 0.7 too
    # seeded: the same call gives the same answer
    again = fit_weights(scenario, ref, ["mechanism.weight"], [(0.0, 1.0)], train_end=2005,
                        seeds=2, maxiter=4, popsize=5, rng=1, runner="standin_runner")
    assert again.fitted == res.fitted


def test_a_fit_runs_each_scenario_it_scores_once_a_seed(standin, tmp_path, monkeypatch):
    """The scenario as written was run once to learn its states and years, then again for
    the train scores and again for the test scores, and the fitted values once for each
    side: 4 * seeds + 1 runs beyond the optimiser's. Each is now run once a seed, and both
    sides score those runs, as separate runs would score (the stand-in's CCC pairs are
    drawn from the seed, so the seeds' scores differ)."""
    import importlib

    standin("fitbase")
    mod = importlib.import_module("standin_runner")
    runs = []
    real = mod.run_once
    monkeypatch.setattr(mod, "run_once", lambda data, seed, record, source: runs.append(
        (data["mechanism"]["weight"], seed)) or real(data, seed, record, source))
    ref = _reference(range(2000, 2011), lambda y: 0.7)
    ref = pd.concat([ref, pd.DataFrame([{"a": a, "b": "CCC", "year": y, "de_facto": 0, "de_jure": 0}
                                        for a in ("AAA", "BBB") for y in range(2000, 2011)])])
    res = fit_weights(tmp_path / "base.yaml", ref, ["mechanism.weight"], [(0.0, 1.0)], 2005,
                      seeds=3, maxiter=1, popsize=2, runner="standin_runner")
    assert len(runs) == (res.evaluations + 2) * 3
    assert sorted(seed for w, seed in runs if w == 0.7) == [0, 1, 2]  # the base's weight
    base = yaml.safe_load((tmp_path / "base.yaml").read_text())
    alone = [real(base, s, True, "").dyads for s in range(3)]
    for years, got in (((None, 2005), res.default_train), ((2006, None), res.default_test)):
        each = [score_table(d, ref, years) for d in alone]
        assert got == pytest.approx({k: np.mean([e[k] for e in each]) for k in each[0]}, nan_ok=True)
        assert len({e["exact"] for e in each}) > 1  # the seeds' runs differ


def test_fit_out_of_sample_exposes_a_regime_change(standin, tmp_path):
    standin("fitbase")
    # the reference changes after 2005; a fit on <= 2005 cannot know it
    ref = _reference(range(2000, 2011), lambda y: 0.0 if y <= 2005 else 1.0)
    res = fit_weights(tmp_path / "base.yaml", ref, ["mechanism.weight"], [(0.0, 1.0)],
                      train_end=2005, seeds=1, maxiter=3, popsize=4, rng=0,
                      runner="standin_runner")
    assert res.fitted["mechanism.weight"] < 1 / 6
    assert res.train["exact"] == 1.0 and res.test["exact"] == 0.0
    assert res.baselines["frozen_2005"]["exact"] == 0.0


def _standin_fit(standin, tmp_path, monkeypatch, high: float, maxiter: int, popsize: int) -> None:
    """A fit file over the stand-in runner's one weight in [0, high], against a reference
    that holds 0.3 in every year, written to ``tmp_path`` (the working folder)."""
    standin("fitbase")
    _reference(range(2000, 2011), lambda y: 0.3).to_csv(tmp_path / "ref.csv", index=False)
    spec = {"name": "f", "scenario": "base.yaml", "reference": "ref.csv", "train_end": 2006,
            "params": {"mechanism.weight": [0.0, high]}, "seeds": 1, "maxiter": maxiter,
            "popsize": popsize, "runner": "standin_runner", "out": str(tmp_path / "fit_out")}
    (tmp_path / "fit.yaml").write_text(yaml.safe_dump(spec))
    monkeypatch.chdir(tmp_path)


def test_fit_cli_writes_overrides_that_feed_back(standin, tmp_path, capsys, monkeypatch):
    _standin_fit(standin, tmp_path, monkeypatch, high=1.0, maxiter=3, popsize=4)
    assert main(["fit", "fit.yaml"]) == 0
    out = capsys.readouterr().out
    assert "test exact" in out and "frozen_2000" in out
    fitted = yaml.safe_load((tmp_path / "fit_out" / "fitted.yaml").read_text())["overrides"]
    w = fitted["mechanism.weight"]
    assert int(round(3 * w)) == 1 and w <= 0.5
    scen = yaml.safe_load((tmp_path / "fit_out" / "fitted_scenario.yaml").read_text())
    assert scen["mechanism"]["weight"] == pytest.approx(w, abs=1e-6)
    assert sorted(os.listdir(tmp_path / "fit_out")) == sorted(FIT_FILES)  # what a later fit there may replace
    # what was fitted against, and how: without it fitted values cannot be traced back
    record = json.loads((tmp_path / "fit_out" / "fit.json").read_text())
    assert record["inputs"] == {"scenario": str(tmp_path / "base.yaml"), "runner": "standin_runner",
                                "fit_file": str(tmp_path / "fit.yaml"), "name": "f",
                                "reference": str(tmp_path / "ref.csv")}
    assert record["optimiser"] == {"popsize": 4, "maxiter": 3, "rng": 0, "max_evals": None}
    assert record["train_years"] == list(range(2000, 2007)) and record["test_years"] == [2007, 2008, 2009, 2010]


def _strict_json(path: Path):
    """``path`` read as strict JSON: a bare NaN or Infinity, which Python writes by default
    and other readers refuse, fails the test."""
    def refuse(name):
        raise AssertionError(f"{path.name} holds a bare {name}, which is not JSON")
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


def test_fit_json_writes_an_undefined_kappa_as_null(standin, tmp_path, monkeypatch):
    """The reference's de jure level never varies (always 0) and the fitted weight keeps
    the model's there too: that kappa is undefined and fit.json must say null, not NaN."""
    _standin_fit(standin, tmp_path, monkeypatch, high=0.5, maxiter=1, popsize=2)
    assert main(["fit", "fit.yaml"]) == 0
    record = _strict_json(tmp_path / "fit_out" / "fit.json")
    for side in ("train", "test"):
        assert record[side]["kappa_de_jure"] is None, side
        assert record[side]["exact_de_jure"] == 1.0, side
    assert record["baselines"]["frozen_2006"]["kappa_de_jure"] is None


def test_json_text_writes_undefined_numbers_as_null_and_never_nan():
    from sim.files import json_text

    text = json_text({"a": float("nan"), "b": [np.float64("inf"), np.int64(2), (1.5, np.nan)],
                      "c": np.bool_(True)}, sort_keys=True)
    assert json.loads(text) == {"a": None, "b": [None, 2, [1.5, None]], "c": True}
    from decimal import Decimal  # what 'default' turns into a NaN is written as null too
    assert json.loads(json_text({"x": Decimal("NaN")}, default=float)) == {"x": None}


def test_fit_warns_that_a_fitted_weight_is_idle(tmp_path, capsys, monkeypatch):
    """Under preset balance_of_power the threat mix moves the weights toward balance of
    power itself: every mix scores the same, so the fitted value means nothing. 'sweep'
    and 'check' said so; 'fit' did not."""
    scen = (ROOT / "scenarios" / "known_paper_alliance.yaml").read_text()
    assert "threat: {preset: balance_of_threat}" in scen
    (tmp_path / "bop.yaml").write_text(scen.replace("balance_of_threat", "balance_of_power"))
    rows = [{"a": "ALLY_A", "b": "ALLY_B", "year": y, "de_jure": 3, "de_facto": 3} for y in range(2000, 2016)]
    pd.DataFrame(rows).to_csv(tmp_path / "ref.csv", index=False)
    spec = {"name": "f", "scenario": "bop.yaml", "reference": "ref.csv", "train_end": 2006,
            "params": {"mechanism.temperature": [0.0, 0.2], "mechanism.threat.mix": [0.5, 1.0]},
            "seeds": 1, "maxiter": 1, "popsize": 2, "out": str(tmp_path / "fit_out")}
    (tmp_path / "fit.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    monkeypatch.chdir(tmp_path)
    assert main(["fit", "fit.yaml"]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warned) == 1, warned
    assert "fit.yaml:9: params.mechanism.threat.mix fits a weight, but under preset balance_of_power" in warned[0]
    assert "every value of it scores the same" in warned[0]
    # the same scenario under balance_of_threat: the mix matters, and no word is said
    (tmp_path / "bop.yaml").write_text(scen)
    assert main(["fit", "fit.yaml"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_fit_file_errors(tmp_path):
    (tmp_path / "f.yaml").write_text("name: x\nscenario: missing.yaml\ntrain_end: 2000\n"
                                     "params: {mechanism.weight: [0, 1]}\n")
    with pytest.raises(InputError) as err:
        load_fit_spec(tmp_path / "f.yaml")
    assert err.value.field == "scenario"
    (tmp_path / "g.yaml").write_text("name: x\nscenario: f.yaml\ntrain_end: soon\n"
                                     "params: {}\n")
    with pytest.raises(InputError) as err:
        load_fit_spec(tmp_path / "g.yaml")
    assert err.value.field == "train_end" and err.value.line == 3


def test_fit_rejects_empty_bounds_and_split_outside_the_reference(standin, tmp_path):
    standin("fitbase")
    ref = _reference(range(2000, 2005), lambda y: 0.5)
    with pytest.raises(InputError, match="high > low"):
        fit_weights(tmp_path / "base.yaml", ref, ["mechanism.weight"], [(1.0, 1.0)], 2002,
                    runner="standin_runner")
    with pytest.raises(InputError, match="train_end|inside the reference"):
        fit_weights(tmp_path / "base.yaml", ref, ["mechanism.weight"], [(0.0, 1.0)], 2010,
                    runner="standin_runner")


def test_sweep_with_a_reference_scores_every_run(standin, tmp_path):
    _reference(range(2000, 2011), lambda y: 0.7).to_csv(tmp_path / "ref.csv", index=False)
    path = standin("val", parameters={"mechanism.weight": {"values": [0.7, 0.2]}},
                   replicates=2, outputs={"summary": False, "reference": "ref.csv"})
    run_sweep(path, tmp_path / "o", workers=1, progress=False, plots=True)
    r = load_results(tmp_path / "o")
    assert list(r.val_exact) == [1.0, 1.0, 0.0, 0.0]  # 0.2 -> level 1 and no treaty
    assert (r.val_n == 11).all()
    assert (tmp_path / "o" / "plots" / "scores.png").exists()


def test_fit_shows_a_progress_bar_on_a_terminal_and_lines_elsewhere(standin, tmp_path, capsys, monkeypatch):
    standin("fitbase")
    ref = _reference(range(2000, 2011), lambda y: 0.7)
    kwargs = dict(train_end=2005, seeds=1, maxiter=2, popsize=4, rng=0, runner="standin_runner", progress=True)
    fit_weights(tmp_path / "base.yaml", ref, ["mechanism.weight"], [(0.0, 1.0)], **kwargs)
    err = capsys.readouterr().err
    assert "fit: generation 1" in err and "eval" not in err.replace("evaluations", "")  # not a terminal: no bar
    import sim.progress
    monkeypatch.setattr(sim.progress, "on_terminal", lambda: True)
    fit_weights(tmp_path / "base.yaml", ref, ["mechanism.weight"], [(0.0, 1.0)], **kwargs)
    err = capsys.readouterr().err
    assert "fit:" in err and "eval" in err and "%|" in err and "fit: generation" not in err


def test_a_fitted_scenario_written_elsewhere_finds_its_input_files(tmp_path):
    """The historical scenario reads its inputs through paths relative to its own folder
    (../seeds/...); the fitted copy written into a fit's output folder must still find them,
    so that `alliance-sim check` and `run` work on it where it lies."""
    from sim.analysis.fit import FitResult, write_fit
    scenario = ROOT / "scenarios" / "central_asia_1991_2024.yaml"
    result = FitResult(params=["mechanism.temperature"], bounds=[(0.0, 0.5)],
                       fitted={"mechanism.temperature": 0.2}, train_end=2007, train={}, test={},
                       default_train={}, default_test={}, defaults={}, baselines={}, evaluations=0,
                       seconds=0.0, seeds=[0])
    out = write_fit(result, tmp_path / "deep" / "fit_out", scenario)
    fitted = load_scenario(out / "fitted_scenario.yaml")
    assert fitted.mechanism.temperature == pytest.approx(0.2)
    assert len(fitted.states) == len(load_scenario(scenario).states)
    assert main(["check", str(out / "fitted_scenario.yaml")]) == 0


def test_fit_help_states_the_fit_file_limits_the_loader_enforces():
    """The limits are documented in 'alliance-sim fit --help'; keep the two in step."""
    from sim.analysis.fit import FIT_LIMITS, MAX_BOUND, MAX_FIT_RUNS
    from sim.cli.main import build_parser

    fit = build_parser()._subparsers._group_actions[0].choices["fit"]
    text = " ".join(fit.description.split())
    for name in ("seeds", "maxiter", "popsize"):
        low, high = FIT_LIMITS[name]
        assert f"{name} {low:,}..{high:,}" in text, name
    assert f"max_evals up to {FIT_LIMITS['max_evals'][1]:,}" in text
    assert MAX_BOUND == 1e6 and "+-1e6" in text and f"{MAX_FIT_RUNS:,} model runs" in text
    # the cap is checked between generations (see FitSpec.planned_runs): a fit may pass it
    assert "max_evals is checked after each generation" in text and "up to one generation" in text


def test_fitting_a_whole_number_field_is_refused_before_the_optimiser(tmp_path, capsys):
    """time.end took the optimiser's fractions: every evaluation failed and was scored 1.0,
    and the error came only after the whole search."""
    root = Path(__file__).resolve().parents[1]
    (tmp_path / "f.yaml").write_text(
        f"name: fx\nscenario: {root / 'scenarios' / 'known_paper_alliance.yaml'}\n"
        f"reference: {root / 'experiments' / 'fit_out_of_sample' / 'twin_reference.csv'}\n"
        "params: {time.end: [2010, 2015]}\ntrain_end: 2006\nseeds: 1\nmaxiter: 4\npopsize: 2\n")
    assert main(["fit", str(tmp_path / "f.yaml"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "field 'params.time.end'" in err and "takes whole numbers only" in err
    assert "generation" not in err and not (tmp_path / "o").exists()


def test_a_custom_runner_without_the_whole_number_rule_gets_the_default_one(tmp_path, monkeypatch, capsys):
    """A runner module need not define takes_whole_numbers; one that wraps the alliance
    model without it let a year through, and the fit ran a generation of failing
    evaluations (train loss 1.0) before the first fraction was refused. The default
    runner's rule now stands in."""
    root = Path(__file__).resolve().parents[1]
    (tmp_path / "wrapping_runner.py").write_text(
        "from sim.ensembles.sweep import load_base, prepare, run_once, with_overrides  # noqa: F401\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("ALLIANCE_SIM_RUNNERS", "wrapping_runner")
    (tmp_path / "f.yaml").write_text(
        f"name: fx\nscenario: {root / 'scenarios' / 'known_paper_alliance.yaml'}\n"
        f"reference: {root / 'experiments' / 'fit_out_of_sample' / 'twin_reference.csv'}\n"
        "runner: wrapping_runner\nparams: {time.end: [2010, 2015]}\ntrain_end: 2006\n"
        "seeds: 1\nmaxiter: 1\npopsize: 2\n")
    assert main(["fit", str(tmp_path / "f.yaml"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "f.yaml: field 'params.time.end'" in err and "time.end takes whole numbers only" in err
    assert "got (2010.0, 2015.0)" in err
    assert "generation" not in err and not (tmp_path / "o").exists()


def test_fit_file_errors_are_in_the_projects_words(tmp_path):
    """Pydantic's own wording leaked: 'expected Input should be a valid dictionary',
    'expected Extra inputs are not permitted'."""
    (tmp_path / "a.yaml").write_text("name: f\nscenario: s.yaml\nparams: 3\ntrain_end: 2006\n")
    with pytest.raises(InputError) as err:
        load_fit_spec(tmp_path / "a.yaml")
    assert err.value.field == "params" and err.value.expected == "a mapping of keys to values"
    (tmp_path / "b.yaml").write_text("name: f\nscenario: s.yaml\nparams: {x: [0, 1]}\ntrain_end: 2006\nbogus: 1\n")
    with pytest.raises(InputError) as err:
        load_fit_spec(tmp_path / "b.yaml")
    assert err.value.field == "bogus" and "no such key in a fit file" in err.value.expected
    assert "Input should" not in err.value.message() and "Extra inputs" not in err.value.message()


def test_sensitivity_of_a_missing_folder_says_it_does_not_exist(tmp_path, capsys):
    """It only said what a sweep folder holds, as for an existing folder without a manifest."""
    assert main(["sensitivity", str(tmp_path / "nonexist"), "--output", "val_exact"]) == 2
    err = capsys.readouterr().err
    assert "nonexist" in err and "no such folder exists" in err
    assert main(["sensitivity", str(tmp_path), "--output", "val_exact"]) == 2
    assert "this folder has none" in capsys.readouterr().err


def test_fit_refuses_reference_states_the_scenario_lacks(standin, tmp_path):
    standin("fitbase")
    ref = _reference(range(2000, 2011), lambda y: 0.7)
    ref.loc[len(ref)] = {"a": "AAA", "b": "NOSUCH", "year": 2001, "de_facto": 2, "de_jure": 1}
    ref.to_csv(tmp_path / "ref.csv", index=False)
    with pytest.raises(InputError) as err:  # the row was left out and the rest fitted, exit 0
        fit_weights(tmp_path / "base.yaml", tmp_path / "ref.csv", ["mechanism.weight"], [(0.0, 1.0)],
                    2005, seeds=1, maxiter=1, popsize=2, runner="standin_runner")
    assert err.value.file == str(tmp_path / "ref.csv") and err.value.field == "b" and err.value.line == 13
    assert err.value.got == "NOSUCH" and "(AAA, BBB, CCC)" in str(err.value) and "in 1 row" in str(err.value)


def test_fit_says_how_many_reference_rows_fall_outside_the_span(standin, tmp_path, capsys):
    standin("fitbase")  # the stand-in simulates 2000-2010
    ref = _reference(range(1997, 2013), lambda y: 0.7)
    res = fit_weights(tmp_path / "base.yaml", ref, ["mechanism.weight"], [(0.0, 1.0)], 2005,
                      seeds=1, maxiter=1, popsize=2, runner="standin_runner")
    err = capsys.readouterr().err
    assert "5 of 16 rows" in err and "(2000-2010)" in err and "not scored" in err
    assert res.train["n"] == 6 and res.test["n"] == 5

"""Sweeps: designs, seeds, executors, failures, resume after SIGKILL, sweep-file errors.

Most tests run against a tiny stand-in model (written below into a temporary module) so
that they check the sweep machinery itself, fast and independent of the model's tuning;
one test at the end runs the real model on a known-answer scenario when it exists.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.errors import InputError, RunsFailed
from sim.ensembles.storage import load_results
from sim.ensembles.sweep import guided_chunks, load_sweep, run_seed, run_sweep

REPO = Path(__file__).resolve().parents[1]
PY = str(REPO / ".venv" / "bin" / "python")

# A stand-in model: three states, one dyad table per run. Its outcomes depend on the
# swept fields and the seed in a known way; a negative temperature makes it raise.
STANDIN = textwrap.dedent('''
    import copy, time
    import numpy as np
    import pandas as pd
    import yaml
    from sim.errors import InputError

    def load_base(path):
        with open(path) as fh:
            return yaml.safe_load(fh)

    def with_overrides(data, overrides, source):
        out = copy.deepcopy(data)
        for path, value in overrides.items():
            node = out
            parts = path.split(".")
            for p in parts[:-1]:
                if p not in node:
                    raise InputError(source, path, "an existing scenario field", got=p)
                node = node[p]
            if parts[-1] not in node:
                raise InputError(source, path, "an existing scenario field", got=parts[-1])
            node[parts[-1]] = value
        return out

    class Result:
        def __init__(self, summary, dyads):
            self._summary, self.dyads = summary, dyads
        @property
        def summary(self):
            return dict(self._summary)

    def run_once(data, seed, record, source):
        m = data["mechanism"]
        temp, power, w = m["temperature"], m["threat"]["power"], m["weight"]
        if temp < 0:
            raise ValueError("temperature must be >= 0")
        time.sleep(data.get("sleep", 0.0))
        rng = np.random.default_rng(seed)
        noise = rng.normal(0, 1) * temp
        ids = ["AAA", "BBB", "CCC"]
        years = list(range(data["start"], data["end"] + 1))
        rows = []
        for y in years:
            for i in range(3):
                for j in range(i + 1, 3):
                    level = int(round(3 * w)) if (i, j) == (0, 1) else int(rng.integers(-1, 2))
                    rows.append({"year": y, "a": ids[i], "b": ids[j], "de_facto": level,
                                 "de_jure": int(w > 0.5) if (i, j) == (0, 1) else 0})
        dyads = pd.DataFrame(rows)
        return Result({"linear": 2.0 * power + 0.0 * temp, "noisy": power + noise,
                       "mean_de_facto": float(dyads.de_facto.mean())}, dyads)
''')

BASE = {"start": 2000, "end": 2010, "sleep": 0.0,
        "mechanism": {"temperature": 0.1, "weight": 0.7, "threat": {"power": 0.5}}}


@pytest.fixture()
def standin(tmp_path, monkeypatch):
    """Write the stand-in runner module and the base 'scenario'; return a sweep writer."""
    mod = tmp_path / "standin_runner.py"
    mod.write_text(STANDIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("ALLIANCE_SIM_RUNNERS", "standin_runner")  # a runner the user allows
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), str(REPO)]))
    base = tmp_path / "base.yaml"
    base.write_text(yaml.safe_dump(BASE))

    def write(name="s", base_data=None, **fields):
        if base_data is not None:
            b = tmp_path / f"{name}_base.yaml"
            b.write_text(yaml.safe_dump(base_data))
        spec = {"name": name, "base": str(b if base_data is not None else base),
                "runner": "standin_runner"}
        spec.update(fields)
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(spec, sort_keys=False))
        return path
    return write


# ---------------------------------------------------------------------------- designs

def test_grid_is_the_full_product(standin):
    path = standin(parameters={"mechanism.temperature": {"values": [0.0, 0.1, 0.2]},
                               "mechanism.threat.power": {"low": 0, "high": 1, "n": 5}},
                   design={"kind": "grid"})
    d = load_sweep(path).design
    assert len(d) == 15
    pairs = set(map(tuple, d.to_numpy().tolist()))
    assert pairs == {(t, p) for t in (0.0, 0.1, 0.2) for p in (0, 0.25, 0.5, 0.75, 1.0)}


def test_points_design_runs_exactly_the_listed_points(standin, tmp_path):
    path = standin(parameters={"mechanism.temperature": {"low": 0, "high": 1},
                               "mechanism.threat.power": {"low": 0, "high": 1}},
                   design={"kind": "points", "points": [
                       {"mechanism.temperature": 0.3, "mechanism.threat.power": 0.9},
                       {"mechanism.threat.power": 0.25}]})
    d = load_sweep(path).design
    assert len(d) == 2 and d.loc[0, "mechanism.temperature"] == 0.3
    run_sweep(path, tmp_path / "o", progress=False, plots=False)
    r = load_results(tmp_path / "o")
    assert list(r.linear) == [1.8, 0.5]
    assert r.loc[1, "mechanism.temperature"] != r.loc[1, "mechanism.temperature"]  # NaN: base kept
    bad = standin("badpts", parameters={"mechanism.temperature": {"low": 0, "high": 1}},
                  design={"kind": "points", "points": [{"mechanism.weight": 0.1}]})
    with pytest.raises(InputError) as err:
        load_sweep(bad)
    assert err.value.field == "design.points.0"


def test_lhs_one_point_per_stratum_and_bounds(standin):
    n = 17
    path = standin(parameters={"mechanism.temperature": {"low": 0.0, "high": 0.5},
                               "mechanism.threat.power": {"low": 2, "high": 4}},
                   design={"kind": "lhs", "samples": n}, seed=3)
    d = load_sweep(path).design
    assert len(d) == n
    for col, (lo, hi) in {"mechanism.temperature": (0.0, 0.5),
                          "mechanism.threat.power": (2, 4)}.items():
        x = d[col].to_numpy()
        assert ((x >= lo) & (x <= hi)).all()
        strata = np.floor((x - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata) == list(range(n))  # each of the n strata exactly once


def test_sobol_and_morris_sizes_as_salib_documents(standin):
    params = {"mechanism.temperature": {"low": 0.0, "high": 0.5},
              "mechanism.threat.power": {"low": 0, "high": 1},
              "mechanism.weight": {"low": 0, "high": 1}}
    D, N = 3, 8
    s2 = load_sweep(standin("a", parameters=params, design={"kind": "sobol", "samples": N})).design
    s1 = load_sweep(standin("b", parameters=params,
                            design={"kind": "sobol", "samples": N, "second_order": False})).design
    mo = load_sweep(standin("c", parameters=params, design={"kind": "morris", "samples": 5})).design
    assert len(s2) == N * (2 * D + 2)
    assert len(s1) == N * (D + 2)
    assert len(mo) == 5 * (D + 1)
    for d in (s2, s1, mo):
        assert d["mechanism.temperature"].between(0, 0.5).all()
        assert d["mechanism.weight"].between(0, 1).all()


def test_design_is_deterministic_and_seeds_depend_only_on_indices(standin):
    path = standin(parameters={"mechanism.temperature": {"low": 0.0, "high": 0.5}},
                   design={"kind": "lhs", "samples": 6}, replicates=3, seed=11)
    a, b = load_sweep(path), load_sweep(path)
    pd.testing.assert_frame_equal(a.design, b.design)
    tasks = list(a.tasks())
    assert [t[0] for t in tasks] == list(range(18))
    assert tasks[7][:4] == (7, 2, 1, run_seed(11, 2, 1))
    # skipping runs never changes the seed of the others
    later = {t[0]: t[3] for t in a.tasks(skip={0, 1, 2, 3})}
    assert later[7] == tasks[7][3]
    assert len({t[3] for t in tasks}) == 18
    assert run_seed(11, 2, 1) != run_seed(12, 2, 1)


# --------------------------------------------------------------------- running sweeps

SMALL = dict(parameters={"mechanism.temperature": {"values": [0.0, 0.5]},
                         "mechanism.threat.power": {"low": 0, "high": 1, "n": 3}},
             design={"kind": "grid"}, replicates=3, seed=5, batch_size=4,
             outputs={"summary": True, "dyads": True,
                      "alignments": [{"a": "BBB", "b": "AAA", "year": 2005,
                                      "min_de_facto": 2}]})


def _comparable(out):
    return load_results(out).drop(columns=["seconds"]).reset_index(drop=True)


@pytest.mark.slow
def test_same_results_on_one_and_two_workers_and_dask(standin, tmp_path):
    path = standin(**SMALL)
    run_sweep(path, tmp_path / "w1", workers=1, progress=False, plots=False)
    run_sweep(path, tmp_path / "w2", workers=2, progress=False, plots=False, chunksize=2)
    r1, r2 = _comparable(tmp_path / "w1"), _comparable(tmp_path / "w2")
    assert len(r1) == 18 and (r1.status == "ok").all()
    pd.testing.assert_frame_equal(r1, r2)
    assert (r1.aligned_BBB_AAA_2005 == 1).all()  # weight 0.7 -> level round(2.1) = 2
    # replicates differ (seeded noise), points differ as designed
    assert r1[r1.point == 3].noisy.nunique() == 3
    np.testing.assert_allclose(r1.linear, 2 * r1["mechanism.threat.power"])
    out = run_sweep(path, tmp_path / "dask", workers=2, executor="dask", progress=False,
                    plots=False, chunksize=3)
    assert out.ran == 18
    pd.testing.assert_frame_equal(r1, _comparable(tmp_path / "dask"))
    d1 = pd.read_parquet(tmp_path / "w1" / "dyads").sort_values(["run_id", "year", "a", "b"])
    d2 = pd.read_parquet(tmp_path / "w2" / "dyads").sort_values(["run_id", "year", "a", "b"])
    pd.testing.assert_frame_equal(d1.reset_index(drop=True), d2.reset_index(drop=True))
    assert d1.run_id.nunique() == 18


def test_failing_point_is_recorded_and_the_sweep_goes_on(standin, tmp_path):
    path = standin(parameters={"mechanism.temperature": {"values": [0.1, -1.0, 0.2]}},
                   replicates=2)
    out = run_sweep(path, tmp_path / "o", workers=2, progress=False, plots=False)
    assert out.ran == 6 and out.errors == 2
    r = load_results(tmp_path / "o")
    bad = r[r.status == "error"]
    assert list(bad.point) == [1, 1]
    assert bad.error.str.contains("ValueError: temperature must be >= 0").all()
    assert r[r.status == "ok"].linear.notna().all() and bad.linear.isna().all()


def test_a_sweep_whose_every_run_fails_raises_and_leaves_no_folder(standin, tmp_path):
    path = standin(parameters={"mechanism.temperature": {"values": [-1.0, -2.0]}}, replicates=2)
    with pytest.raises(RunsFailed, match=r"all 4 runs failed .*run 0 \(point 0, replicate 0\).*"
                                         r"ValueError: temperature must be >= 0"):
        run_sweep(path, tmp_path / "new" / "o", workers=2, progress=False, plots=True)
    assert not (tmp_path / "new").exists()  # the folders it made are gone
    (tmp_path / "mine").mkdir()  # a folder that was there stays, empty as it was
    with pytest.raises(RunsFailed):
        run_sweep(path, tmp_path / "mine", workers=1, progress=False, plots=False)
    assert list((tmp_path / "mine").iterdir()) == []


def test_a_resumed_sweep_whose_every_new_run_fails_keeps_the_earlier_runs(standin, tmp_path):
    path = standin(parameters={"mechanism.temperature": {"values": [0.1, -1.0]}}, batch_size=1)
    out = run_sweep(path, tmp_path / "o", workers=1, progress=False, plots=False)
    assert (out.ran, out.errors) == (2, 1)  # a partial failure: status complete, as before
    assert json.loads((tmp_path / "o" / "manifest.json").read_text())["status"] == "complete"
    failed_part = next(p for p in (tmp_path / "o" / "results").glob("part-*.parquet")
                       if (pd.read_parquet(p).status == "error").all())
    failed_part.unlink()  # as if the sweep had been killed before committing it
    with pytest.raises(RunsFailed, match=r"all 1 runs failed \(the 1 runs done earlier are kept"):
        run_sweep(path, tmp_path / "o", resume=True, workers=1, progress=False, plots=False)
    assert json.loads((tmp_path / "o" / "manifest.json").read_text())["status"] == "failed"
    assert list(load_results(tmp_path / "o").status) == ["ok", "error"]


def test_existing_results_need_resume(standin, tmp_path):
    path = standin(**SMALL)
    run_sweep(path, tmp_path / "o", progress=False, plots=False)
    with pytest.raises(InputError, match="--resume"):
        run_sweep(path, tmp_path / "o", progress=False, plots=False)
    again = run_sweep(path, tmp_path / "o", resume=True, progress=False, plots=False)
    assert again.ran == 0 and again.skipped == 18
    man = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert man["status"] == "complete" and man["n_runs"] == 18
    assert man["seeds"]["root"] == 5 and man["sweep"]["replicates"] == 3
    base = Path(man["base_scenario"])
    assert man["hashes"]["base_scenario"] == hashlib.sha256(base.read_bytes()).hexdigest()
    assert len(man["hashes"]["sim_code"]) == 64 and "numpy" in man["versions"]
    # a changed plan is refused rather than mixed into the old results
    changed = standin("s", **dict(SMALL, seed=6))
    with pytest.raises(InputError, match="same sweep"):
        run_sweep(changed, tmp_path / "o", resume=True, progress=False, plots=False)


def test_resume_after_a_table_of_the_base_scenario_changed_is_refused(tmp_path):
    """The plan covers every file the base scenario reads, not only the base file: a sweep
    resumed after its pairs table changed would put runs of two worlds in one table."""
    (tmp_path / "pairs.csv").write_text("a,b,initial_de_facto,initial_de_jure\nA,B,2,1\n")
    (tmp_path / "base.yaml").write_text(
        "name: t\ntime: {start: 2000, end: 2004}\nstates:\n  - {id: A, power: 0.5}\n  - {id: B, power: 0.4}\n"
        "  - {id: C, power: 0.3}\npairs: {csv: pairs.csv}\n")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"name": "s", "base": "base.yaml", "replicates": 1,
                                    "parameters": {"mechanism.temperature": {"values": [0.1, 0.2]}}}))
    out = tmp_path / "o"
    run_sweep(path, out, workers=1, progress=False, plots=False)
    man = json.loads((out / "manifest.json").read_text())
    assert str((tmp_path / "pairs.csv").resolve()) in man["hashes"]["inputs"]
    assert run_sweep(path, out, resume=True, workers=1, progress=False, plots=False).skipped == 2
    (tmp_path / "pairs.csv").write_text("a,b,initial_de_facto,initial_de_jure\nA,B,-1,0\n")
    with pytest.raises(InputError, match="same sweep"):
        run_sweep(path, out, resume=True, workers=1, progress=False, plots=False)


@pytest.mark.slow
def test_resume_after_sigkill_leaves_exactly_the_planned_runs(standin, tmp_path):
    base = dict(BASE, sleep=0.004)
    path = standin("kill", base_data=base,
                   parameters={"mechanism.threat.power": {"low": 0, "high": 1, "n": 50}},
                   replicates=8, batch_size=10)  # 400 runs, ~1.6 s of work per worker
    out = tmp_path / "k"
    cmd = [PY, "-m", "sim", "sweep", str(path), "--workers", "2", "--out", str(out),
           "--no-progress", "--no-plots", "--chunksize", "2"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        parts = list((out / "results").glob("part-*.parquet"))
        if len(parts) >= 3:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers, mid-sweep
    proc.wait(timeout=10)
    done_before = len(load_results(out))
    assert 0 < done_before < 400, proc.stderr.read().decode()
    (out / "results" / ".part-999999.parquet.tmp").write_bytes(b"half a file")
    res = subprocess.run(cmd + ["--resume"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    r = load_results(out)
    assert sorted(r.run_id) == list(range(400))  # none lost, none repeated
    assert not list((out / "results").glob(".*.tmp"))
    assert f"{done_before} already done" in res.stdout


# ------------------------------------------------------------------ sweep-file errors

@pytest.mark.parametrize("fields, field, words", [
    ({"parameters": {"mechanism.nonsense": {"low": 0, "high": 1}}},
     "parameters.mechanism.nonsense", "field of the base scenario"),
    ({"parameters": {"mechanism.temperature": {"low": 0.5, "high": 0.5}}},
     "parameters.mechanism.temperature", "empty range"),
    ({"parameters": {"mechanism.temperature": {"values": []}}},
     "parameters.mechanism.temperature", "non-empty list"),
    ({"parameters": {"mechanism.temperature": {"low": 0, "high": 1}},
      "design": {"kind": "latin"}}, "design.kind", "grid, points, lhs, sobol, morris"),
    ({"parameters": {"mechanism.temperature": {"low": 0, "high": 1}},
      "base": "no/such/scenario.yaml"}, "base", "existing scenario file"),
    ({"parameters": {"mechanism.temperature": {"low": 0, "high": 1}},
      "design": {"kind": "sobol"}}, "design.samples", "number of samples"),
])
def test_malformed_sweep_files_name_file_and_field(standin, fields, field, words):
    path = standin("bad", **fields)
    with pytest.raises(InputError) as err:
        load_sweep(path)
    assert err.value.file == str(path)
    assert err.value.field == field
    assert words in err.value.message()


def test_cli_reports_a_bad_sweep_in_one_line_with_status_2(standin, tmp_path):
    path = standin("bad", parameters={"mechanism.temperature": {"low": 1, "high": 0}})
    res = subprocess.run([PY, "-m", "sim", "sweep", str(path), "--out", str(tmp_path / "o")],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr
    assert str(path) in lines[0] and "parameters.mechanism.temperature" in lines[0]
    assert not (tmp_path / "o").exists()


def test_error_message_has_the_yaml_line(standin, tmp_path):
    path = tmp_path / "lined.yaml"
    path.write_text(f"name: x\nbase: {tmp_path / 'base.yaml'}\nrunner: standin_runner\n"
                    "design:\n  kind: cube\n")
    with pytest.raises(InputError) as err:
        load_sweep(path)
    assert err.value.line == 5


# ------------------------------------------------------------------- the real model

KNOWN = sorted(REPO.glob("scenarios/known_*.yaml"))


@pytest.mark.slow
@pytest.mark.skipif(not KNOWN, reason="no known-answer scenario yet")
def test_real_model_same_on_one_and_two_workers(tmp_path):
    try:
        import sim.run.simulate  # noqa: F401
    except ImportError:
        pytest.skip("sim.run.simulate not importable yet")
    path = tmp_path / "real.yaml"
    path.write_text(yaml.safe_dump({
        "name": "real", "base": str(KNOWN[0]), "replicates": 2, "seed": 1,
        "parameters": {"mechanism.temperature": {"values": [0.05, 0.6, 0.3]}}}))
    run_sweep(path, tmp_path / "a", workers=1, progress=False, plots=False)
    run_sweep(path, tmp_path / "b", workers=2, progress=False, plots=False, chunksize=1)
    ra, rb = _comparable(tmp_path / "a"), _comparable(tmp_path / "b")
    pd.testing.assert_frame_equal(ra, rb)
    assert list(ra.status) == ["ok"] * 6 and ra.final_mean_de_facto.notna().all()


@pytest.mark.parametrize("values, expected", [([0.05, -1.0], "a number >= 0.0"), ([0.05, "warm"], "a number")])
def test_a_value_the_scenario_refuses_stops_the_sweep_before_its_folder(tmp_path, values, expected):
    """A value the base scenario does not accept is refused as `check --set` refuses it,
    before any run: a negative temperature used to fail its runs one by one (exit 0), and a
    string among numbers stopped the sweep with a traceback after its folder was begun."""
    path = tmp_path / "real.yaml"
    path.write_text(yaml.safe_dump({"name": "real", "base": str(KNOWN[0]), "replicates": 1,
                                    "parameters": {"mechanism.temperature": {"values": values}}}))
    with pytest.raises(InputError) as err:
        run_sweep(path, tmp_path / "a", workers=1, progress=False, plots=False)
    msg = err.value.message()
    assert "field 'parameters.mechanism.temperature'" in msg and f"({expected})" in msg, msg
    assert not (tmp_path / "a").exists()


def test_values_and_a_range_for_one_parameter_are_refused(tmp_path):
    path = tmp_path / "both.yaml"
    path.write_text(yaml.safe_dump({"name": "b", "base": str(KNOWN[0]), "parameters": {
        "mechanism.temperature": {"values": [0.1], "low": 0, "high": 1}}}))
    with pytest.raises(InputError, match="either 'values' or a range"):
        load_sweep(path)


def test_guided_chunks_send_every_run_once_in_order_and_shrink_to_single_runs():
    chunks = list(guided_chunks(iter(range(1000)), 1000, workers=2))
    assert [run for chunk in chunks for run in chunk] == list(range(1000))
    sizes = [len(c) for c in chunks]
    assert sizes[0] == 1000 // 16 and max(sizes) <= 64
    assert sizes == sorted(sizes, reverse=True) and sizes[-8:] == [1] * 8
    assert [len(c) for c in guided_chunks(iter(range(10_000)), 10_000, workers=2)][:3] == [64, 64, 64]
    assert list(guided_chunks(iter(range(3)), 3, workers=4)) == [[0], [1], [2]]


class _Context:
    """The least a run context has for the pool: the key its initializer keeps it under."""

    key = "test"


def _who_ran(ctx, chunk: list) -> list[tuple[int, int]]:
    """A chunk's items with the id of the process that ran them (a pool process gets the
    context's key, the caller the context itself)."""
    time.sleep(0.01)
    return [(item, os.getpid()) for item in chunk]


def test_local_pool_runs_every_chunk_once_and_the_caller_is_one_of_its_workers():
    from sim.ensembles.executors import LocalExecutor

    chunks = [[3 * k, 3 * k + 1, 3 * k + 2] for k in range(20)]
    with LocalExecutor(2) as ex:
        ran = [pair for result in ex.map_chunks(_who_ran, _Context(), iter(chunks)) for pair in result]
    assert sorted(item for item, _ in ran) == list(range(60))  # none lost, none twice
    # The pool takes a fraction of a second to start; the caller does not wait for it.
    assert os.getpid() in {pid for _, pid in ran}


HISTORICAL = REPO / "scenarios" / "central_asia_1991_2024.yaml"


@pytest.mark.slow
@pytest.mark.skipif(not HISTORICAL.exists(), reason="no historical scenario")
def test_historical_sweep_rows_are_the_single_runs_on_one_and_two_workers(tmp_path):
    """What the sweep benchmark runs: summary-only runs of the historical scenario, in the
    default (shrinking) chunks. Each row is the run ``simulate`` makes of the point's
    scenario with the row's seed, whichever number of workers ran it."""
    from sim.run.simulate import simulate
    from sim.scenario.schema import apply_overrides, load_scenario, scenario_from_dict

    path = tmp_path / "hist.yaml"
    path.write_text(yaml.safe_dump({
        "name": "hist", "base": str(HISTORICAL), "replicates": 12, "seed": 3,
        "parameters": {"mechanism.temperature": {"values": [0.05, 0.4]}}}))
    run_sweep(path, tmp_path / "one", workers=1, progress=False, plots=False)
    run_sweep(path, tmp_path / "two", workers=2, progress=False, plots=False)
    one, two = _comparable(tmp_path / "one"), _comparable(tmp_path / "two")
    pd.testing.assert_frame_equal(one, two)
    assert len(one) == 24 and (one.status == "ok").all()
    base = load_scenario(HISTORICAL).model_dump()
    for row in one.to_dict(orient="records"):
        assert row["seed"] == run_seed(3, row["point"], row["replicate"])
        data = apply_overrides(base, {"mechanism.temperature": row["mechanism.temperature"]})
        scenario = scenario_from_dict(data, source=str(HISTORICAL), base_dir=HISTORICAL.parent)
        single = simulate(scenario, seed=row["seed"], record=False).summary
        assert {k: row[k] for k in single} == single
    assert one.final_mean_de_facto.nunique() > 1  # the seeds and temperatures make different runs


@pytest.mark.parametrize("kind", ["value", "file"])
def test_an_input_error_in_a_worker_reaches_the_parent_whole(kind, tmp_path):
    """Errors cross process pools by pickling; before InputError pickled its fields, the
    pool broke ("BrokenProcessPool") instead of naming the file and field. The worker reads
    a scenario as a sweep worker does, from a fork server as the sweep's pools start."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from sim.scenario.schema import load_scenario
    path = tmp_path / "bad.yaml"
    if kind == "value":
        data = yaml.safe_load((REPO / "scenarios" / "known_bandwagon.yaml").read_text())
        data["time"]["end"] = "soon"
        path.write_text(yaml.safe_dump(data))
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver")) as pool:
        with pytest.raises(InputError) as caught:
            pool.submit(load_scenario, str(path)).result()
    assert str(path) in str(caught.value)
    if kind == "file":
        assert caught.value.path == path and "expected an existing scenario file" in str(caught.value)
    else:
        assert caught.value.field == "time.end" and "soon" in str(caught.value)


# ------------------------------------------- outputs, idle weights and messages at load

BOT = REPO / "scenarios" / "known_balance_of_threat.yaml"


def _sweep_text(tmp_path: Path, body: str, name: str = "s") -> Path:
    """A sweep file over the balance-of-threat known answer: line 1 its name, line 2 its base."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\nbase: {BOT}\n" + textwrap.dedent(body))
    return path


_TEMPERATURE = "parameters:\n  mechanism.temperature: {values: [0.0, 0.5]}\n"


@pytest.mark.parametrize("alignments, field, line, taken", [
    (["{a: SMALL, b: FAR, year: 2010, min_de_facto: 2, name: run_id}"],
     "outputs.alignments[0].name", 7, "'run_id' is a column every result row has"),
    (["{a: SMALL, b: FAR, year: 2010, min_de_facto: 2, name: mechanism.temperature}"],
     "outputs.alignments[0].name", 7, "'mechanism.temperature' is a swept parameter"),
    (["{a: SMALL, b: FAR, year: 2010, min_de_facto: 2, name: final_share_allied}"],
     "outputs.alignments[0].name", 7, "'final_share_allied' is a summary column"),
    (["{a: SMALL, b: FAR, year: 2010, min_de_facto: 2, name: x}",
      "{a: SMALL, b: NEAR, year: 2010, min_de_facto: 2, name: x}"],
     "outputs.alignments[1].name", 8, "'x' is the column of outputs.alignments[0]"),
    (["{a: SMALL, b: FAR, year: 2010, min_de_facto: 2}", "{a: SMALL, b: FAR, year: 2010, min_de_jure: 1}"],
     "outputs.alignments[1]", 8,
     "it has no 'name', and 'aligned_SMALL_FAR_2010' is the column of outputs.alignments[0]"),
])
def test_an_alignment_named_as_another_column_is_refused_before_any_run(tmp_path, alignments, field,
                                                                         line, taken):
    """An alignment's column wrote over the column of the same name: named 'run_id' it gave
    every row one id, and --resume then ran runs again; two of one name kept the last."""
    path = _sweep_text(tmp_path, _TEMPERATURE + "outputs:\n  alignments:\n"
                       + "".join(f"    - {a}\n" for a in alignments))
    with pytest.raises(InputError) as err:
        run_sweep(path, tmp_path / "out", workers=1, progress=False, plots=False)
    assert (err.value.file, err.value.field, err.value.line) == (str(path), field, line)
    assert taken in err.value.message() and "a column name of its own" in err.value.message()
    assert not (tmp_path / "out").exists()


def test_an_alignment_named_run_id_exits_2_on_the_command_line(tmp_path):
    path = _sweep_text(tmp_path, _TEMPERATURE + "outputs:\n  alignments:\n"
                       "    - {a: SMALL, b: FAR, year: 2010, min_de_facto: 2, name: run_id}\n")
    res = subprocess.run([PY, "-m", "sim", "sweep", str(path), "--workers", "1", "--no-progress",
                          "--no-plots", "--out", str(tmp_path / "o")], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"{path}:7: field 'outputs.alignments[0].name'" in res.stderr
    assert not (tmp_path / "o").exists()


def test_an_alignment_year_outside_a_runs_span_is_missing_not_never_aligned(tmp_path):
    """time.end swept to 2001 and 2100 with alignments for 2010: the run that ended in 2001
    cannot say whether the pairs aligned by 2010, and recorded 0 as if they never did.
    Temperature 0: SMALL sides with distant FAR and against aggressive NEAR (the known answer)."""
    path = _sweep_text(tmp_path, """\
        parameters:
          time.end: {values: [2001, 2100]}
        outputs:
          alignments:
            - {a: SMALL, b: FAR, year: 2010, min_de_facto: 2}
            - {a: SMALL, b: NEAR, year: 2010, min_de_facto: 2}
        """)
    run_sweep(path, tmp_path / "out", workers=1, progress=False, plots=False)
    r = load_results(tmp_path / "out").set_index("time.end")
    assert list(r.status) == ["ok", "ok"]
    assert np.isnan(r.loc[2001, "aligned_SMALL_FAR_2010"]) and np.isnan(r.loc[2001, "aligned_SMALL_NEAR_2010"])
    assert r.loc[2100, "aligned_SMALL_FAR_2010"] == 1 and r.loc[2100, "aligned_SMALL_NEAR_2010"] == 0


def test_an_unknown_summary_key_is_refused_at_load_with_the_known_keys(tmp_path):
    """It was found in every run: 'all 20 runs failed', exit 1."""
    path = _sweep_text(tmp_path, _TEMPERATURE + "outputs: {summary: [final_share_allied, no_such_key]}\n")
    with pytest.raises(InputError) as err:
        load_sweep(path)
    assert (err.value.field, err.value.line, err.value.got) == ("outputs.summary[1]", 5, "no_such_key")
    msg = err.value.message()
    assert "a key of a run's summary (final_mean_de_facto," in msg and "SMALL_FAR_de_facto_mean" in msg
    path.write_text(path.read_text().replace(", no_such_key", ""))
    assert load_sweep(path).result_columns()["final_share_allied"] == "a summary column"


def test_summary_keys_are_the_keys_a_run_gives():
    from sim.run.simulate import simulate, summary_keys
    from sim.scenario.schema import load_scenario
    sc = load_scenario(REPO / "scenarios" / "known_neutral.yaml")
    assert sc.blocs and sc.outputs.pairs  # both kinds of scenario-made keys are covered
    assert summary_keys(sc) == list(simulate(sc, seed=1, record=False).summary)


def test_a_run_summary_gives_each_value_under_its_own_name():
    """The summary's values were a tuple zipped with SUMMARY_KEYS, so reordering one of them
    put a value under another's name. A known run, each value found afresh from its history
    and events: known_neutral forms a treaty and a bloc (one join) and ends none."""
    from collections import Counter

    from sim.run.simulate import SUMMARY_KEYS, simulate
    from sim.scenario.schema import load_scenario

    res = simulate(load_scenario(REPO / "scenarios" / "known_neutral.yaml"), seed=1, record=False)
    got = res.summary
    assert list(got)[:len(SUMMARY_KEYS)] == list(SUMMARY_KEYS)
    n = len(res.ids)
    F = np.stack(res.model.history["de_facto"])[:, *np.triu_indices(n, 1)]
    J = np.stack(res.model.history["de_jure"])[:, *np.triu_indices(n, 1)]
    kinds = Counter(res.events["kind"])
    assert kinds["treaty_formed"] == 1 and kinds["bloc_join"] == 1
    want = {"final_mean_de_facto": F[-1].mean(), "final_mean_de_jure": J[-1].mean(),
            "final_share_allied": (F[-1] >= 2).mean(), "final_share_rival": (F[-1] <= -1).mean(),
            "mean_de_facto": F.mean(), "treaties_formed": kinds["treaty_formed"],
            "treaties_ended": kinds["treaty_denounced"] + kinds["treaty_lapsed"] + kinds["treaty_withdrawn"],
            "bloc_joins": kinds["bloc_join"], "bloc_exits": kinds["bloc_exit"],
            "bloc_expulsions": kinds["bloc_expulsion"],
            "de_facto_changes": int((np.diff(F, axis=0) != 0).sum())}
    assert {k: got[k] for k in SUMMARY_KEYS} == pytest.approx(want)


def test_sweeping_a_weight_the_inputs_leave_idle_warns_before_the_runs(tmp_path, capsys):
    """No state of the base has an ideology: the ideology weight's levels gave identical
    runs without a word, where 'check --set' warns about such a weight."""
    path = _sweep_text(tmp_path, "parameters:\n  mechanism.utility.ideology: {values: [0, 5]}\n")
    outcome = run_sweep(path, tmp_path / "out", workers=1, progress=False, plots=False)
    err = capsys.readouterr().err
    assert outcome.ran == 2 and outcome.errors == 0
    assert (f"alliance-sim: warning: {path}:4: parameters.mechanism.utility.ideology sweeps a weight, but "
            "no state has an ideology") in err and "so the runs cannot differ by it" in err
    assert len(err.strip().splitlines()) == 1  # the base sets no other idle weight ('check' is silent on it)
    run_sweep(_sweep_text(tmp_path, _TEMPERATURE, "t"), tmp_path / "t", workers=1, progress=False, plots=False)
    assert "warning" not in capsys.readouterr().err


def test_the_base_is_read_once_for_the_idle_weights_of_every_point_looked_at(tmp_path, monkeypatch):
    """The idle weights are looked for at several points (the first and each parameter's
    highest level: four here); each look read and parsed the base file again (six reads).
    Now it is read three times in all: checked as a base scenario by the sweep file's
    reader, whole for the runs, and as written for the idle weights."""
    import sim.reading

    reads = []
    real = sim.reading.read_text
    monkeypatch.setattr(sim.reading, "read_text",
                        lambda path, *a, **k: reads.append(Path(path)) or real(path, *a, **k))
    path = _sweep_text(tmp_path, "parameters:\n  mechanism.temperature: {values: [0.0, 0.5]}\n"
                       "  mechanism.utility.ideology: {values: [0, 5]}\n  mechanism.utility.economy: {values: [1, 2]}\n")
    sweep = load_sweep(path)
    assert reads.count(Path(BOT)) == 3
    assert [w.split(": ")[1].split(" sweeps")[0] for w in sweep.warnings] == [
        "parameters.mechanism.utility.economy", "parameters.mechanism.utility.ideology"]


@pytest.mark.parametrize("field", ["description", "name"])
def test_sweeping_a_field_no_run_reads_is_refused(tmp_path, field):
    path = _sweep_text(tmp_path, f"parameters:\n  {field}: {{values: [a, b]}}\n")
    with pytest.raises(InputError) as err:
        load_sweep(path)
    assert (err.value.field, err.value.line) == (f"parameters.{field}", 4)
    assert "every point would give the same results" in err.value.message()


@pytest.mark.parametrize("body, field, expected", [
    (_TEMPERATURE + "replicates: 0\n", "replicates", "a whole number from 1 to 100,000 (runs per design point)"),
    ("parameters:\n  mechanism.temperature: {low: 0, high: 1, n: 0}\n", "parameters.mechanism.temperature.n",
     "a whole number from 1 to 10,000"),
    ("parameters:\n  mechanism.temperature: {low: 0, high: 1}\ndesign: {kind: lhs, samples: 0}\n",
     "design.samples", "a whole number from 1 to 1,000,000"),
    (_TEMPERATURE + "batch_size: 0\n", "batch_size", "a whole number of at least 1"),
])
def test_a_zero_count_is_asked_for_as_a_whole_number(tmp_path, body, field, expected):
    path = _sweep_text(tmp_path, body)
    with pytest.raises(InputError) as err:
        load_sweep(path)
    assert err.value.field == field and f"expected {expected}" in err.value.message()
    assert "Input should" not in err.value.message()


def test_a_design_points_key_that_is_no_scenario_field_is_named_with_its_point_and_line(tmp_path):
    path = _sweep_text(tmp_path, """\
        design:
          kind: points
          points:
            - {mechanism.temperature: 0.3}
            - {mechanism.temperature: 0.3}
            - {seed: 5}
        """)
    with pytest.raises(InputError) as err:
        load_sweep(path)
    assert (err.value.field, err.value.line) == ("design.points[2].seed", 8)
    assert "a field of the base scenario known_balance_of_threat.yaml" in err.value.message()

"""Command behaviours users meet: the report lists every pair, landscape writes under
runs/, progress bars on a terminal only, the Python API of the README, threat presets
and weights in force, check's warnings and ranges, Parquet run folders, period rows."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT, SCENARIOS, run_cli


def test_report_alignment_table_lists_every_pair_including_class_none(tmp_path):
    out = tmp_path / "run"
    proc = run_cli("run", SCENARIOS / "known_paper_alliance.yaml", "--out", out, "--no-plots")
    assert proc.returncode == 0, proc.stderr
    d = pd.read_csv(out / "dyads.csv")
    last = d[d.year == d.year.max()]
    quiet = last[(last.de_facto == 0) & (last.de_jure == 0) & (last.classification == "none")]
    assert len(quiet), "the scenario should end with a distant pair of class none"
    report = (out / "report.md").read_text()
    section = report.split(f"## Alignments in {int(d.year.max())}")[1].split("\n## ")[0]
    for r in last.itertuples():
        assert f"| {r.a}-{r.b} | {r.de_facto} " in section, f"{r.a}-{r.b} missing"
    for r in quiet.itertuples():
        assert f"| {r.a}-{r.b} | 0 distant | 0 none | none |" in section


def test_landscape_writes_under_runs_by_default(tmp_path):
    proc = run_cli("landscape", SCENARIOS / "landscape_two_pairs.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "runs" / "landscape" / "landscape_two_pairs" / "minima.csv").is_file()
    assert not (tmp_path / "results").exists()
    assert "runs/landscape/landscape_two_pairs" in proc.stdout
    assert "default runs/landscape" in " ".join(run_cli("landscape", "--help").stdout.split())


def run_on_terminal(*args: str, timeout: int = 300):
    """Run ``python -m sim ...`` with stdout on a pseudo-terminal (as in a shell) and stderr
    piped; return (exit status, stdout, stderr)."""
    import os
    import pty
    import subprocess
    import sys
    import threading

    master, slave = pty.openpty()
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.Popen([sys.executable, "-m", "sim", *map(str, args)], cwd=ROOT, env=env,
                            stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    chunks: list[bytes] = []

    def drain():
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    err = proc.communicate(timeout=timeout)[1]
    reader.join(10)
    os.close(master)
    return proc.returncode, b"".join(chunks).decode(errors="replace"), err.decode(errors="replace")


def test_structure_shows_a_progress_bar_on_a_terminal_only():
    args = ("structure", SCENARIOS / "central_asia_1991_2024.yaml")
    code, out, err = run_on_terminal(*args)
    assert code == 0, err
    assert "structural balance" in err and "%|" in err and "year" in err
    piped = run_cli(*args)
    assert piped.returncode == 0 and "%|" not in piped.stderr and "%|" not in piped.stdout


def test_validate_shows_a_progress_bar_over_the_seeds_on_a_terminal_only():
    args = ("validate", SCENARIOS / "central_asia_1991_2024.yaml", "--reference",
            ROOT / "seeds" / "reference" / "central_asia_reference.csv", "--seeds", "2", "--from-year", "1992")
    code, out, err = run_on_terminal(*args)
    assert code == 0, err
    assert "simulating central_asia_1991_2024.yaml" in err and "0/2" in err and "run/s" in err
    piped = run_cli(*args)
    assert piped.returncode == 0 and "%|" not in piped.stderr and "Overall" in piped.stdout


def test_run_and_validate_of_a_run_folder_show_their_steps_on_a_terminal_only(tmp_path):
    out = tmp_path / "run"
    code, stdout, err = run_on_terminal("run", SCENARIOS / "known_paper_alliance.yaml", "--out", out, "--no-plots")
    assert code == 0, err
    assert "run known_paper_alliance" in err and "simulating" in err and "1/2" in err
    assert "writing tables, figures and report" in err and "wrote" in stdout
    piped = run_cli("run", SCENARIOS / "known_paper_alliance.yaml", "--out", out, "--no-plots")
    assert piped.returncode == 0 and "%|" not in piped.stderr and "simulating" not in piped.stderr
    ref = tmp_path / "ref.csv"
    pd.read_csv(out / "dyads.csv")[["a", "b", "year", "de_jure", "de_facto"]].assign(
        source="t", confidence=1.0, note="").to_csv(ref, index=False)
    args = ("validate", out, "--reference", ref, "--out", tmp_path / "v")
    code, stdout, err = run_on_terminal(*args)
    assert code == 0, err
    assert "validate" in err and "scoring" in err and "report and figures" in err and "3/3" in err
    piped = run_cli(*args[:-2])
    assert piped.returncode == 0 and "%|" not in piped.stderr and "Overall" in piped.stdout


def test_readme_python_api_snippet_runs_and_summary_is_a_property(monkeypatch):
    import re

    from sim.run.simulate import RunResult

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len([line for line in code.splitlines() if line and not line.startswith(("from ", "import "))]) == 3
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(code, "README.md (Python API)", "exec"), namespace)
    for name in ("dyads", "states", "events"):
        assert isinstance(namespace[name], pd.DataFrame) and len(namespace[name])
    res = namespace["res"]
    assert isinstance(RunResult.__dict__["summary"], property)
    summary = res.summary
    assert isinstance(summary, dict) and summary and all(isinstance(k, str) for k in summary)
    assert set(namespace["dyads"].a) | set(namespace["dyads"].b) == set(res.ids)


def test_the_readme_main_job_can_run_twice(tmp_path):
    """run, validate into the run folder, run again: a validated run folder is still ours to
    replace, but a folder with a user's file in it is not."""
    from sim.cli.main import main

    scenario = str(ROOT / "scenarios" / "central_asia_1991_2024.yaml")
    out = tmp_path / "ca"
    reference = str(ROOT / "seeds" / "reference" / "central_asia_reference.csv")
    assert main(["run", scenario, "--out", str(out), "--no-plots"]) == 0
    assert main(["validate", str(out), "--reference", reference, "--from-year", "1992",
                 "--out", str(out / "validation")]) == 0
    assert main(["run", scenario, "--out", str(out), "--no-plots"]) == 0
    assert not (out / "validation").exists()  # replaced with the run folder it belonged to
    (out / "validation").mkdir()
    (out / "validation" / "notes.txt").write_text("mine")
    assert main(["run", scenario, "--out", str(out), "--no-plots"]) == 2
    assert (out / "validation" / "notes.txt").read_text() == "mine"


# ------------------------------------------------------------------ threat presets and weights
def test_a_preset_set_later_replaces_the_files_explicit_threat_weights(tmp_path):
    from sim.model import AllianceModel
    from sim.scenario.schema import apply_overrides, load_raw, scenario_from_dict

    historical = SCENARIOS / "central_asia_1991_2024.yaml"
    proc = run_cli("check", historical, "--set", "mechanism.threat.preset=balance_of_power")
    assert proc.returncode == 0, proc.stderr
    assert "threat weights in force: power 1.000, proximity 0.000, offense 0.000, intent 0.000" in proc.stdout
    assert "note: mechanism.threat.preset=balance_of_power replaces the explicit threat weights" in proc.stderr
    own = load_raw(historical)["mechanism"]["threat"]
    assert f"power {own['power']}" in proc.stderr and f"intent {own['intent']}" in proc.stderr  # the file's, named
    plain = run_cli("check", historical)
    total = sum(own[k] for k in ("power", "proximity", "offense", "intent"))
    assert (f"threat weights in force: power {own['power'] / total:.3f}, proximity {own['proximity'] / total:.3f}"
            in plain.stdout) and "note:" not in plain.stderr

    raw = load_raw(historical)
    notes: list[str] = []
    bop = apply_overrides(raw, {"mechanism.threat.preset": "balance_of_power"}, notes=notes)
    assert AllianceModel(scenario_from_dict(bop, base_dir=historical.parent)).threat_weights == \
        {"power": 1.0, "proximity": 0.0, "offense": 0.0, "intent": 0.0}
    assert len(notes) == 1
    # later still wins: a weight set after the preset refines it, as beside it in a file
    then = apply_overrides(raw, {"mechanism.threat.preset": "balance_of_power", "mechanism.threat.intent": 1.0})
    assert AllianceModel(scenario_from_dict(then, base_dir=historical.parent)).threat_weights == \
        {"power": 0.5, "proximity": 0.0, "offense": 0.0, "intent": 0.5}


# ------------------------------------------------------------------ check: weights and ranges
def _scenario(tmp_path, extra: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\ntime: {start: 2000, end: 2004}\n"
                    "states:\n  - {id: A, power: 1.0, capital: {lat: 0, lon: 0}}\n"
                    "  - {id: B, power: 2.0, capital: {lat: 0, lon: 5}}\n" + extra, encoding="utf-8")
    return path


def test_check_warns_of_a_weight_with_no_input_to_act_on(tmp_path):
    path = _scenario(tmp_path, "mechanism:\n  utility: {ideology: 2.0, economy: 0.5}\n")
    proc = run_cli("check", path)
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "warning:" in line]
    assert len(warnings) == 2, proc.stderr
    assert "mine.yaml:7: mechanism.utility.ideology is 2, but no state has an ideology" in warnings[0]
    assert "mechanism.utility.economy is 0.5, but no pair has a trade value" in warnings[1]
    assert "does nothing" in warnings[0]
    given = _scenario(tmp_path, "mechanism:\n  utility: {ideology: 2.0}\n").read_text().replace(
        "power: 1.0,", "power: 1.0, ideology: [0.2],").replace("power: 2.0,", "power: 2.0, ideology: [0.9],")
    path.write_text(given)
    quiet = run_cli("check", path)
    assert quiet.returncode == 0 and "warning" not in quiet.stderr, quiet.stderr
    # a threat weighting that leans on intent nobody perceives (proximity and offense: the preset's 1/4)
    path = _scenario(tmp_path, "mechanism:\n  threat: {power: 1, intent: 1}\n")
    threat = run_cli("check", path)
    assert "the intent source of threat has weight 0.4, but no state perceives aggressive intent" in threat.stderr


def test_check_warns_of_a_threat_mix_beside_the_balance_of_power_preset(tmp_path):
    """mix moves from balance of power toward the scenario's own weighting; under preset
    balance_of_power that weighting is balance of power, so mix: 0.5 ran pure balance of
    power (power weight 1) and 'check' said ok without a word."""
    path = _scenario(tmp_path, "mechanism:\n  threat: {preset: balance_of_power, mix: 0.5}\n")
    proc = run_cli("check", path)
    assert proc.returncode == 0, proc.stderr
    assert "threat weights in force: power 1.000, proximity 0.000, offense 0.000, intent 0.000" in proc.stdout
    warnings = [line for line in proc.stderr.splitlines() if "warning:" in line]
    assert len(warnings) == 1, proc.stderr
    assert "mine.yaml:7: mechanism.threat.mix is 0.5, but under preset balance_of_power" in warnings[0]
    assert "does nothing" in warnings[0]
    # the same weighting written out as explicit weights
    path = _scenario(tmp_path, "mechanism:\n  threat: {mix: 0.5, power: 1, proximity: 0, offense: 0, intent: 0}\n")
    assert "mechanism.threat.mix is 0.5, but the weighting it moves toward is balance of power itself" \
        in run_cli("check", path).stderr
    # a source weighted beside the preset gives the mix something to move toward: no warning
    path = _scenario(tmp_path, "mechanism:\n  threat: {preset: balance_of_power, mix: 0.5, proximity: 1}\n")
    quiet = run_cli("check", path)
    assert quiet.returncode == 0 and "warning" not in quiet.stderr, quiet.stderr
    assert "threat weights in force: power 0.750, proximity 0.250" in quiet.stdout


def test_an_effect_beyond_its_fields_range_is_refused_naming_the_range(tmp_path):
    path = _scenario(tmp_path, "events:\n  - year: 2002\n    name: Scare\n    effects:\n"
                               "      - {field: intent, op: add, value: 4, observer: A, target: B}\n")
    proc = run_cli("check", path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "mine.yaml:10: field 'events[0].effects[0].value'" in proc.stderr
    assert "whose range is 0 to 1" in proc.stderr and "got 4.0" in proc.stderr
    path.write_text(path.read_text().replace("value: 4", "value: 0.5"))
    assert run_cli("check", path).returncode == 0
    path.write_text(path.read_text().replace("op: add, value: 0.5", "op: set, value: 1.45"))
    over = run_cli("check", path)
    assert over.returncode == 2 and "a value for 'intent' from 0 to 1 (its range)" in over.stderr and "1.45" in over.stderr


# ------------------------------------------------------------------ Parquet run folders
def test_parquet_run_folder_round_trips_with_types_and_is_read_by_validate_and_explain(tmp_path):
    import numpy as np

    scenario = SCENARIOS / "known_paper_alliance.yaml"
    both, pq = tmp_path / "both", tmp_path / "pq"
    proc = run_cli("run", scenario, "--out", both, "--no-plots", "--format", "both")
    assert proc.returncode == 0, proc.stderr
    assert "dyads.csv, dyads.parquet" in proc.stdout and "summary.parquet" in proc.stdout
    for stem in ("dyads", "states", "events", "structure"):
        typed, text = pd.read_parquet(both / f"{stem}.parquet"), pd.read_csv(both / f"{stem}.csv")
        assert list(typed.columns) == list(text.columns) and len(typed) == len(text), stem
        for col in typed.columns:
            if pd.api.types.is_float_dtype(typed[col]):
                assert np.allclose(typed[col], text[col], atol=5e-7, equal_nan=True), (stem, col)
            elif pd.api.types.is_integer_dtype(typed[col]):
                assert (typed[col].to_numpy() == text[col].to_numpy()).all(), (stem, col)
    dyads = pd.read_parquet(both / "dyads.parquet")
    assert dyads["year"].dtype == np.int64
    assert all(pd.api.types.is_integer_dtype(dyads[c]) for c in ("de_facto", "de_jure", "a_desired"))
    assert pd.api.types.is_string_dtype(dyads["a"]) and pd.api.types.is_string_dtype(dyads["classification"])
    assert pd.read_parquet(both / "states.parquet")["power"].dtype == np.float64
    summary = pd.read_parquet(both / "summary.parquet")
    assert len(summary) == 1 and summary.loc[0, "scenario"] == "known_paper_alliance" and summary.loc[0, "seed"] == 0
    from sim.run.simulate import simulate
    assert summary.drop(columns=["scenario", "seed"]).iloc[0].to_dict() == simulate(scenario).summary

    assert run_cli("run", scenario, "--out", pq, "--no-plots", "--format", "parquet").returncode == 0
    assert not list(pq.glob("*.csv"))
    for table in both.glob("*.parquet"):  # same scenario and seed: byte-identical tables
        assert (pq / table.name).read_bytes() == table.read_bytes(), table.name
    ref = tmp_path / "ref.csv"
    rows = dyads[dyads.year >= 2001][["a", "b", "year", "de_jure", "de_facto"]]
    rows.assign(source="test", confidence=1.0, note="").to_csv(ref, index=False)
    outs = [run_cli("validate", folder, "--reference", ref) for folder in (both, pq)]
    assert outs[0].returncode == 0 and outs[0].stdout == outs[1].stdout, outs[1].stderr
    assert "model" in outs[0].stdout and " 1.000 " in outs[0].stdout  # the run scored against itself
    explained = [run_cli("explain", folder, "ally_a", "ALLY_B", "2010") for folder in (both, pq)]
    assert explained[1].returncode == 0, explained[1].stderr
    assert explained[1].stdout.splitlines()[0] == explained[0].stdout.splitlines()[0]
    assert "Last change" in explained[1].stdout
    # a Parquet run folder is a run folder: the next run may replace it, in either format
    assert run_cli("run", scenario, "--out", pq, "--no-plots").returncode == 0
    assert (pq / "dyads.csv").is_file() and not (pq / "dyads.parquet").exists()


def test_a_damaged_parquet_table_is_an_input_error(tmp_path):
    from sim.errors import InputError
    from sim.run.tables import read_table

    bad = tmp_path / "dyads.parquet"
    bad.write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="a Parquet table"):
        read_table(bad)
    pd.DataFrame({"year": ["1990"], "a": ["X"]}).to_parquet(bad)
    with pytest.raises(InputError, match="'year'.*a numeric column"):
        read_table(bad, required=["year", "a"], numeric=["year"])
    with pytest.raises(InputError, match="'b'"):
        read_table(bad, required=["year", "a", "b"])


def test_validation_period_rows_name_only_scored_years():
    from sim.analysis.validation import validate
    from sim.run.simulate import dyad_table, simulate

    run = dyad_table(simulate(SCENARIOS / "known_paper_alliance.yaml").model, components=False)
    reference = run[run.year >= 2002][["a", "b", "year", "de_jure", "de_facto"]].reset_index(drop=True)
    report = validate(run, reference, periods=[(2000, 2007), (2008, 2030), (2040, 2050)])
    labels = set(report.scores.loc[report.scores.scope == "period", "group"])
    assert labels == {"2002-2007", "2008-2015"}


def test_validate_of_a_run_folder_finds_its_scenario_from_any_folder(tmp_path):
    """The run folder's manifest says where the scenario was, so validate scores bloc
    membership and the documented patterns wherever it is started; a manifest that names
    a scenario it cannot find (a run written before the path was kept, validated from
    elsewhere) says so instead of leaving those sections out without a word."""
    out = tmp_path / "run"
    assert run_cli("run", "scenarios/central_asia_1991_2024.yaml", "--out", out, "--no-plots").returncode == 0
    args = ("validate", out, "--reference", ROOT / "seeds" / "reference" / "central_asia_reference.csv",
            "--from-year", "1992")
    elsewhere = run_cli(*args, cwd=tmp_path)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert "Bloc membership" in elsewhere.stdout and "Documented patterns: " in elsewhere.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert Path(manifest["scenario_path"]) == ROOT / "scenarios" / "central_asia_1991_2024.yaml"
    del manifest["scenario_path"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "scenarios").mkdir()  # another scenario under the relative name
    shutil.copy(SCENARIOS / "known_bandwagon.yaml", tmp_path / "scenarios" / "central_asia_1991_2024.yaml")
    other = run_cli(*args, cwd=tmp_path)
    assert other.returncode == 0 and "Documented patterns" not in other.stdout
    assert "holds scenario 'known_bandwagon', not the run's 'central_asia_1991_2024'" in other.stderr
    missing = run_cli(*args, cwd=tmp_path / "scenarios")
    assert missing.returncode == 0 and "Documented patterns" not in missing.stdout
    assert "scenario file (scenarios/central_asia_1991_2024.yaml) was not found" in missing.stderr

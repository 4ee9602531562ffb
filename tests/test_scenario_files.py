"""Scenario files: validation of bad input, overrides, the schema, and the command line."""

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.errors import InputError
from sim.scenario.schema import apply_overrides, load_raw, load_scenario, parse_set_args
from tests.conftest import ROOT, SCENARIOS, assert_real_figure

BAD = ROOT / "tests" / "data" / "bad_scenarios"

# file -> (field named in the message, line or None, words of the expectation)
CASES = {
    "malformed_yaml.yaml": (None, 3, "valid YAML"),
    "empty.yaml": (None, None, "mapping"),
    "top_level_list.yaml": (None, None, "mapping"),
    "unknown_key.yaml": ("colour", 2, "no such key"),
    "wrong_type.yaml": ("states[0].power", 4, "a number"),
    "missing_required.yaml": ("time", None, "required"),
    "duplicate_state.yaml": ("states", 3, "unique state ids"),
    "event_unknown_state.yaml": ("events[0].effects[0].state", 10, "state id declared"),
    "event_year_outside.yaml": ("events[0].year", 7, "within the time span 2000-2005"),
    "negative_power.yaml": ("states[0].power", 4, ">= 0"),
    "nonfinite_power.yaml": ("states[0].power", 4, "finite"),
    "weights_zero.yaml": ("mechanism.threat", 7, "normalised"),
    "csv_missing_cell.yaml": ("b", 3, "empty"),
    "csv_unknown_state.yaml": ("b", 3, "state id"),
    "csv_text_value.yaml": ("interests", 2, "a number"),
    "csv_absent.yaml": (None, None, "existing CSV"),
    "bloc_unknown_founder.yaml": ("blocs[0].founders[0]", 7, "state id declared"),
    "interests_out_of_range.yaml": ("pairs.values[0].interests", 8, "<= 1"),
    "unknown_preset.yaml": ("mechanism.threat.preset", 7, "balance_of_power"),
    "end_before_start.yaml": ("time", 2, "no earlier than"),
    "effect_missing_target.yaml": ("events[0].effects[0]", 10, "'observer' and 'target'"),
    "single_state.yaml": ("states", 3, "at least 2"),
    "inputs_missing_table.yaml": (None, None, "existing CSV"),
    "negative_temperature.yaml": ("mechanism.temperature", 6, ">= 0"),
}


def test_the_corpus_is_complete():
    assert len(CASES) >= 15
    assert sorted(CASES) == sorted(p.name for p in BAD.glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_scenario_gives_exit_2_and_a_clear_message(name, capsys, tmp_path):
    from sim.cli.main import main

    field, line, words = CASES[name]
    out = tmp_path / "run"
    assert main(["run", str(BAD / name), "--out", str(out), "--no-plots"]) == 2
    msg = capsys.readouterr().err.strip()
    assert len(msg.splitlines()) == 1
    assert msg.startswith("alliance-sim: error: ")
    assert ".yaml" in msg or ".csv" in msg
    if field:
        assert f"field '{field}'" in msg
    if line:
        assert f":{line}:" in msg
    assert words in msg
    assert not out.exists()
    assert not any(tmp_path.iterdir()), "no half-written output may be left behind"


@pytest.mark.parametrize("name", ["malformed_yaml.yaml", "event_unknown_state.yaml", "csv_missing_cell.yaml"])
def test_bad_scenario_end_to_end_has_no_traceback(name, cli, tmp_path):
    proc = cli("run", BAD / name, "--out", tmp_path / "run")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("alliance-sim: error: ")
    assert not (tmp_path / "run").exists()


def test_check_accepts_every_shipped_scenario(cli):
    for path in sorted(SCENARIOS.glob("*.yaml")):
        proc = cli("check", path)
        assert proc.returncode == 0, (path, proc.stderr)


def test_overrides_by_index_and_by_id():
    raw = load_raw(SCENARIOS / "known_bandwagon.yaml")
    out = apply_overrides(raw, {"states.WEAK.doctrine.bandwagon": 0.1, "states.1.power": 0.5,
                                "mechanism.threat.mix": 0.3})
    assert out["states"][0]["doctrine"]["bandwagon"] == 0.1
    assert out["states"][1]["power"] == 0.5
    assert out["mechanism"]["threat"]["mix"] == 0.3
    assert raw["states"][1]["power"] == 0.90  # the original is untouched


@pytest.mark.parametrize("path", ["mechanism.nonsense", "states.NOPE.power", "states.9.power", "zzz"])
def test_unknown_override_path_is_an_error(path):
    raw = load_raw(SCENARIOS / "known_bandwagon.yaml")
    with pytest.raises(InputError) as err:
        apply_overrides(raw, {path: 1})
    assert path in str(err.value)


def test_set_values_are_read_as_yaml_scalars():
    assert parse_set_args(["a.b=0.5", "c=true", "d=text"]) == {"a.b": 0.5, "c": True, "d": "text"}
    with pytest.raises(InputError):
        parse_set_args(["no_equals_sign"])


SCENARIO_FILES = sorted(SCENARIOS.rglob("*.yaml"))


def _schema_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SCENARIOS / "scenario.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_command_prints_the_shipped_schema_and_writes_it(cli, tmp_path):
    proc = cli("schema")
    assert proc.returncode == 0, proc.stderr
    shipped = (SCENARIOS / "scenario.schema.json").read_text(encoding="utf-8")
    assert proc.stdout == shipped, "scenarios/scenario.schema.json is stale: run " \
        "'alliance-sim schema --out scenarios/scenario.schema.json'"
    schema = json.loads(proc.stdout)
    full = schema["$defs"]["Scenario"]
    assert {"name", "time", "states", "mechanism", "events", "blocs"} <= set(full["properties"])
    assert full["additionalProperties"] is False and {"name", "time", "states"} <= set(full["required"])
    assert cli("schema", "--out", tmp_path / "s.json").returncode == 0
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == shipped
    bad = cli("schema", "--out", tmp_path / "no" / "s.json")
    assert bad.returncode == 2 and "--out" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_every_shipped_scenario_follows_the_schema_it_names(path):
    from sim.reading import load_yaml
    from sim.scenario.editor_schema import schema_line

    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == schema_line(path), "first line: the schema comment editors read"
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _schema_validator().iter_errors(load_yaml(text, path))]
    assert not errors, errors


def test_the_schema_tells_the_kinds_of_file_apart_and_refuses_mistakes():
    validator = _schema_validator()
    states = [{"id": "A", "power": 1}, {"id": "B", "power": 1}]
    good = [{"name": "x", "time": {"start": 1, "end": 2}, "states": states},
            {"name": "x", "time": {"start": 1, "end": 2}, "states": "states.csv"},
            {"extends": "base.yaml", "drop_events": ["War"], "set": {"mechanism.threat.mix": 0.2},
             "mechanism": {"temperature": 0.1}},
            {"mechanism": "landscape", "name": "t", "actors": ["A", "B"], "actual": {"A": "e", "B": "w"}}]
    for data in good:
        assert not list(validator.iter_errors(data)), data
    bad = [{"name": "x", "states": states},  # no time
           {"name": "x", "time": {"start": 1, "end": 2}, "states": states, "drop_events": ["War"]},
           {"extends": "base.yaml", "drop_evnts": ["War"]},
           {"extends": "base.yaml", "mechanism": {"threat": {"intent": -1}}},
           {"name": "x", "time": {"start": 1, "end": 2}, "states": [{"id": "A", "intent": 4}, {"id": "B"}]},
           {"mechanism": "landscape", "name": "t", "actors": ["A", "B"], "k": 1},
           {"mechanism": "landscape", "name": "t", "actors": ["A", "B"], "actual": {"A": 1, "B": "w"}},
           {"mechanism": "landscape", "name": "t", "actors": ["A B", "C"]}]
    for data in bad:
        assert list(validator.iter_errors(data)), data


def test_every_property_of_the_schema_has_a_description():
    from sim.scenario.editor_schema import json_schema

    missing = []

    def walk(node, where):
        if isinstance(node, dict):
            for name, prop in (node.get("properties") or {}).items():
                if not str(prop.get("description", "")).strip():
                    missing.append(f"{where}.{name}")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    defs = json_schema()["$defs"]
    walk(defs, "$defs")
    assert not missing, missing
    assert len(defs) >= 18 and all(d.get("description") for d in defs.values())
    threat = defs["ThreatWeights"]["properties"]
    assert "0-1" in threat["mix"]["description"] and "replaces" in threat["preset"]["description"]


def test_pairwise_inputs_by_csv(tmp_path):
    (tmp_path / "pairs.csv").write_text("a,b,interests,contiguity,initial_de_facto\nA,B,0.8,1,2\n")
    (tmp_path / "s.yaml").write_text(
        "name: csv_pairs\ntime: {start: 2000, end: 2003}\nstates:\n"
        "  - {id: A, power: 0.4}\n  - {id: B, power: 0.3}\n  - {id: C, power: 0.3}\n"
        "pairs: {csv: pairs.csv}\n")
    from sim.model import AllianceModel
    m = AllianceModel(load_scenario(tmp_path / "s.yaml"), rng=0)
    assert m.inputs.interests[0, 0, 1] == m.inputs.interests[0, 1, 0] == 0.8
    assert m.inputs.contiguity[0, 0, 1] == 1
    assert m.de_facto[0, 1] == 2


def test_run_writes_the_folder_and_is_byte_identical(cli, tmp_path):
    outs = []
    for k in range(2):
        out = tmp_path / f"run{k}"
        proc = cli("run", SCENARIOS / "known_paper_alliance.yaml", "--seed", "3", "--out", out)
        assert proc.returncode == 0, proc.stderr
        assert "ALLY_A-ALLY_B" in proc.stdout
        outs.append(out)
    for name in ("dyads.csv", "states.csv", "events.csv", "manifest.json", "report.md"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    for fig in ("alignment_heatmap.png", "network_snapshots.png", "pair_levels.png"):
        assert_real_figure(outs[0] / fig)
    manifest = json.loads((outs[0] / "manifest.json").read_text())
    assert manifest["seed"] == 3 and len(manifest["content_hash"]) == 64
    assert manifest["scenario"]["name"] == "known_paper_alliance"
    header = (outs[0] / "dyads.csv").read_text().splitlines()[0].split(",")
    for col in ("year", "a", "b", "de_jure", "de_facto", "classification", "a_security", "b_autonomy",
                "a_bandwagon", "a_inertia", "threat_ab"):
        assert col in header
    # The known answer: after the 2005 shock practice falls one level at a time from 3 to
    # 0, nobody turns hostile, so the treaty is never denounced and stays on paper.
    events = pd.read_csv(outs[0] / "events.csv")
    pair_events = events[(events.a == "ALLY_A") & (events.b == "ALLY_B")]
    steps = pair_events[pair_events.kind == "de_facto_change"]
    assert steps.text.tolist() == ["de facto 3 -> 2", "de facto 2 -> 1", "de facto 1 -> 0"]
    assert steps.year.min() >= 2005
    assert not pair_events.kind.str.startswith("treaty_").any()
    dyads = pd.read_csv(outs[0] / "dyads.csv")
    last = dyads[(dyads.year == 2015) & (dyads.a == "ALLY_A") & (dyads.b == "ALLY_B")].iloc[0]
    assert (last.de_jure, last.de_facto, last.classification) == (3, 0, "paper_alliance")
    report = (outs[0] / "report.md").read_text()
    assert "Main changes and why" in report and "pair_levels.png" in report


def test_set_override_changes_the_run(cli, tmp_path):
    proc = cli("run", SCENARIOS / "known_balance_of_threat.yaml", "--out", tmp_path / "bop", "--no-plots",
               "--set", "mechanism.threat.preset=balance_of_power")
    assert proc.returncode == 0, proc.stderr
    assert "SMALL-NEAR: de facto 2" in proc.stdout or "SMALL-NEAR: de facto 3" in proc.stdout


def test_explain_ranks_components_and_names_the_change(cli, tmp_path):
    out = tmp_path / "run"
    assert cli("run", SCENARIOS / "known_paper_alliance.yaml", "--out", out, "--no-plots").returncode == 0
    proc = cli("explain", out, "ALLY_B", "ALLY_A", "2010")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "ALLY_B-ALLY_A in 2010" in text and "de jure 3" in text
    assert "Why ALLY_B wants level" in text and "Why ALLY_A wants level" in text
    assert "Last change" in text and "security" in text
    bad = cli("explain", out, "ALLY_A", "NOPE")
    assert bad.returncode == 2 and "NOPE" in bad.stderr and "Traceback" not in bad.stderr

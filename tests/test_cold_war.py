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
import pytest
import yaml

from sim.calibration import rules as cal
from sim.errors import InputError
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


def _build_scenario():
    """The Cold War build script as a module (it is an experiment script, not a package module)."""
    return load_script(ROOT / "experiments" / "cold_war_out_of_case" / "build_scenario.py", "build_scenario")


def test_the_scenario_is_rebuilt_byte_for_byte_from_the_coding_in_the_repository():
    """`build_scenario.py` turns the coder's files kept in seeds/reference/coding/ and the
    Central Asia weights into the shipped scenario and its initial relations, exactly: the
    case can be rebuilt on a fresh clone, and a refit in Central Asia reaches it only
    through this script (a hand edit of either file would show here)."""
    build_scenario = _build_scenario()
    text, init = build_scenario.build()
    assert text == SCENARIO.read_text(encoding="utf-8")
    shipped = pd.read_csv(build_scenario.INIT, dtype={"initial_de_facto": "Int64", "initial_de_jure": "Int64"})
    pd.testing.assert_frame_equal(init.reset_index(drop=True), shipped)


# ---------------------------------------------------------------------------------------
# The second coder's disputes between pairs (seeds/reference/coding/cold_war_europe/disputes.csv)
# ---------------------------------------------------------------------------------------

CODING = ROOT / "seeds" / "reference" / "coding" / "cold_war_europe"
HEADER = "a,b,start,until,severity,name,source,confidence,note\n"



def test_every_coded_dispute_reaches_the_model_inputs_at_its_severity():
    """Each row of disputes.csv sets its pair's dispute input, both ways, from start to its
    last year (inclusive) and no further: RUS-USA carries 0.5 in 1947 and 1950 and the
    blockade's 0.8 in 1948; pairs without a coded dispute carry none."""
    from sim.scenario.inputs import build_inputs
    from sim.scenario.schema import load_scenario

    inp = build_inputs(load_scenario(SCENARIO))
    years, idx = list(inp.years), {s: i for i, s in enumerate(inp.ids)}

    def level(a, b, year):
        t = years.index(year)
        assert inp.dispute[t][idx[a], idx[b]] == inp.dispute[t][idx[b], idx[a]]
        return float(inp.dispute[t][idx[a], idx[b]])

    assert (level("RUS", "USA", 1947), level("RUS", "USA", 1948), level("RUS", "USA", 1950)) == (0.5, 0.8, 0.5)
    assert level("RUS", "TUR", 1953) == 0.2 and level("RUS", "TUR", 1954) == 0.0  # renounced 30 May 1953
    assert level("UKG", "USA", 1950) == 0.0 and level("GFR", "POL", 1948) == 0.0  # no dispute; FRG not yet an actor
    coded = pd.read_csv(CODING / "disputes.csv", keep_default_na=False)
    covered = set()
    for row in coded.itertuples():
        last = int(row.until) if str(row.until).strip() else 1955
        for year in range(int(row.start), last + 1):
            assert level(row.a, row.b, year) == row.severity, (row.a, row.b, year)
            covered.add((min(row.a, row.b), max(row.a, row.b), year))
    assert len(coded) == 60 and len(covered) == 224
    # nothing else: the pair-years not covered by a row carry no dispute
    assert int((inp.dispute[years.index(1950)] > 0).sum()) == 2 * sum(1 for c in covered if c[2] == 1950)


def test_overlapping_disputes_of_one_pair_take_the_highest_severity_never_the_sum(tmp_path):
    build_scenario = _build_scenario()
    path = tmp_path / "disputes.csv"
    path.write_text(HEADER + "ALB,GRC,1946,1950,0.5,Epirus,src,0.7,\n"
                             "GRC,ALB,1948,1948,0.8,Border fighting,src,,\n"
                             "ALB,GRC,1953,,0.2,Epirus dormant,src,0.5,\n")
    rows = build_scenario.read_disputes(path, build_scenario.actor_years(CODING / "states.csv"))
    assert build_scenario.dispute_spells(rows) == [(0, 1946, 1947), (0, 1949, 1950), (1, 1948, 1948),
                                                   (2, 1953, 1955)]
    text = "\n".join(build_scenario.dispute_events(rows))
    # the cut spell ends the year before the sharper row starts; an open row has no 'until'
    assert "year: 1946\n    name: \"Epirus (ALB-GRC, 1946-1947)\"\n    kind: dispute\n    until: 1948" in text
    assert "name: \"Border fighting (ALB-GRC, 1948)\"\n    kind: dispute\n    until: 1949" in text
    assert "name: \"Epirus dormant (ALB-GRC, 1953-1955)\"\n    kind: dispute\n    source" in text
    assert "{field: dispute, a: ALB, b: GRC, value: 0.8}" in text and "op: add" not in text


BAD_ROWS = [
    ("XYZ,GRC,1946,1949,0.8,Epirus,src,0.7,", "a", "a state id of the scenario"),
    ("ALB,GRC,1950,1949,0.8,Epirus,src,0.7,", "until", "a year no earlier than start (1950)"),
    ("ALB,GRC,1946,1949,1.5,Epirus,src,0.7,", "severity", "a number from 0 to 1, got 1.5"),
    ("ALB,GRC,1946,1949,-0.2,Epirus,src,0.7,", "severity", "a number from 0 to 1"),
    ("ALB,GRC,1946,1949,0.8,,src,0.7,", "name", "a value (the cell is empty)"),
    ("ALB,GRC,,1949,0.8,Epirus,src,0.7,", "start", "a value (the cell is empty)"),
    ("ALB,GRC,1946,1949,high,Epirus,src,0.7,", "severity", "a number, got 'high'"),
    ("ALB,GRC,1944,1949,0.8,Epirus,src,0.7,", "start", "a whole year from 1946 to 1955"),
    ("GFR,POL,1947,,0.5,Oder-Neisse,src,0.8,", "start", "a year when both GFR and POL are actors (1949 or later), got 1947"),
    ("ALB,ALB,1946,1949,0.8,Epirus,src,0.7,", "b", "a state other than 'a'"),
]


def test_a_missing_dispute_column_is_refused(tmp_path):
    build_scenario = _build_scenario()
    path = tmp_path / "disputes.csv"
    path.write_text("a,b,start,until,name,source\nALB,UKG,1946,1946,Corfu,src\n")
    with pytest.raises(InputError, match="severity"):
        build_scenario.read_disputes(path, build_scenario.actor_years(CODING / "states.csv"))


def test_importing_a_bad_disputes_file_stops_before_writing_anything(tmp_path):
    """End to end: the script exits 2 with one line naming file, line and field, and the
    coding and the scenario in the repository are untouched."""
    src = tmp_path / "coder"
    src.mkdir()
    (src / "disputes.csv").write_text(HEADER + "RUS,USA,1946,1947,0.5,Germany,src,0.7,\n"
                                               "RUS,USA,1948,1948,1.8,Berlin blockade,src,0.8,\n")
    (src / "DISPUTES.md").write_text("rules\n")
    before = {p: p.read_bytes() for p in (CODING / "disputes.csv", CODING / "DISPUTES.md", SCENARIO)}
    proc = subprocess.run([sys.executable, str(ROOT / "experiments" / "cold_war_out_of_case" / "build_scenario.py"),
                           "--disputes", str(src)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert f"{src / 'disputes.csv'}:3: field 'severity': expected a number from 0 to 1, got 1.8" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert {p: p.read_bytes() for p in before} == before


def test_refwork_import_keeps_the_disputes_unless_the_folder_brings_new_ones(tmp_path, monkeypatch):
    build_scenario = _build_scenario()
    monkeypatch.setattr(build_scenario, "REF_DIR", tmp_path / "reference")
    monkeypatch.setattr(build_scenario, "CODING", tmp_path / "reference" / "coding")
    src = tmp_path / "coder"
    src.mkdir()
    for name, origin in [("reference.csv", REFERENCE), ("blocs_reference.csv", ROOT / "seeds" / "reference" /
                         "cold_war_europe_reference_blocs.csv")] + [(n, CODING / n) for n in
                                                                   ("events.csv", "states.csv", "NOTES.md")]:
        (src / name).write_bytes(origin.read_bytes())
    build_scenario.import_coding(src)
    assert sorted(p.name for p in (tmp_path / "reference" / "coding").iterdir()) == [
        "NOTES.md", "events.csv", "states.csv"]
    (src / "disputes.csv").write_bytes((CODING / "disputes.csv").read_bytes())
    (src / "DISPUTES.md").write_bytes((CODING / "DISPUTES.md").read_bytes())
    build_scenario.import_coding(src)
    assert (tmp_path / "reference" / "coding" / "disputes.csv").read_bytes() == (CODING / "disputes.csv").read_bytes()


def test_copy_data_without_the_shared_folder_says_which_files_it_expected(tmp_path):
    """Run from a worktree the default ../shared/data is absent: a clear error, no traceback, nothing written."""
    before = {p.name: p.read_bytes() for p in (ROOT / "seeds" / "data").glob("*.csv")}
    proc = subprocess.run([sys.executable, str(ROOT / "experiments" / "cold_war_out_of_case" / "copy_data.py"),
                           "--shared", str(tmp_path / "nowhere")], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--shared" in proc.stderr and "cow_states_2016_subset.csv" in proc.stderr
    assert proc.stderr.count("cow_states_2016_subset.csv") == 1
    assert {p.name: p.read_bytes() for p in (ROOT / "seeds" / "data").glob("*.csv")} == before


# ---------------------------------------------------------------------------------------
# A third coder's declared doctrines (seeds/reference/coding/cold_war_europe/doctrines.csv)
# ---------------------------------------------------------------------------------------

DOCTRINE_HEADER = "state,start,until,direction,strength,name,source,confidence,note\n"


def test_declared_doctrines_go_through_the_calibration_rule_and_rows_of_a_state_add_up(tmp_path):
    """Known answer, rule 0.3 + 0.15 x net evidence clipped to [0, 1]: a clear doctrine
    against hedging (-2) gives 0; a second, weak row in one year of it changes nothing
    (clipped at 0); a weak row the other way (+1) gives 0.45; net 0 needs no event."""
    build_scenario = _build_scenario()
    path = tmp_path / "doctrines.csv"
    path.write_text(DOCTRINE_HEADER + "POL,1947,,-1,2,Two camps,src A,0.8,\n"
                                      "POL,1950,1950,-1,1,Party line,src B,,\n"
                                      "NOR,1946,1948,1,1,Bridge building,src C,0.6,\n"
                                      "NOR,1948,1948,-1,1,Atlantic turn,src D,0.6,\n")
    rows = build_scenario.read_doctrines(path, build_scenario.actor_years(CODING / "states.csv"))
    assert build_scenario.doctrine_rule() == (0.3, 0.15)  # seeds/calibration_rules.yaml, rules.doctrine
    text = "\n".join(build_scenario.doctrine_events(rows, 0.3, 0.15))
    assert ("year: 1947\n    name: \"Two camps (POL, 1947-1949)\"\n    kind: doctrine\n    until: 1950\n"
            "    source: \"src A (doctrines.csv line 2)\"\n    effects:\n"
            "      - {field: multi_vector, state: POL, op: set, value: 0}") in text
    assert "name: \"Two camps; Party line (POL, 1950)\"" in text and "lines 2, 3" in text
    assert "name: \"Two camps (POL, 1951-1955)\"\n    kind: doctrine\n    source" in text  # open to the end
    assert "name: \"Bridge building (NOR, 1946-1947)\"" in text and "state: NOR, op: set, value: 0.45}" in text
    assert "NOR, 1948" not in text  # +1 - 1 = 0: the baseline, no event


BAD_DOCTRINE_ROWS = [
    ("XYZ,1947,,-1,2,Two camps,src,0.8,", "state", "a state id of the scenario"),
    ("POL,1947,,-2,2,Two camps,src,0.8,", "direction", "-1 or 1, got -2"),
    ("POL,1947,,-1,4,Two camps,src,0.8,", "strength", "1, 2 or 3, got 4"),
    ("POL,1947,,-1,2,Two camps,src,1.2,", "confidence", "a number from 0 to 1"),
    ("POL,1950,1949,-1,2,Two camps,src,0.8,", "until", "a year no earlier than start (1950)"),
    ("POL,1945,,-1,2,Two camps,src,0.8,", "start", "a whole year from 1946 to 1955"),
    ("GDR,1947,,-1,2,Two camps,src,0.8,", "start", "a year when GDR is an actor (1949 or later), got 1947"),
    ("POL,1947,,-1,2,,src,0.8,", "name", "a value (the cell is empty)"),
]


#: Each coding file's header and a good first row, before the bad row under test.
CODING_FILES = {"disputes": HEADER + "ALB,UKG,1946,1946,0.8,Corfu,src,0.9,\n",
                "doctrines": DOCTRINE_HEADER + "RUS,1947,,-1,2,Two camps,src,0.8,\n"}


@pytest.mark.parametrize("kind,row,field,expected",
                         [("disputes", *r) for r in BAD_ROWS] + [("doctrines", *r) for r in BAD_DOCTRINE_ROWS])
def test_a_bad_coding_row_is_refused_naming_file_line_and_field(tmp_path, kind, row, field, expected):
    build_scenario = _build_scenario()
    path = tmp_path / f"{kind}.csv"
    path.write_text(CODING_FILES[kind] + row + "\n")
    with pytest.raises(InputError) as err:
        getattr(build_scenario, f"read_{kind}")(path, build_scenario.actor_years(CODING / "states.csv"))
    assert f"{path}:3: field '{field}': expected {expected}" in str(err.value)


def test_every_coded_doctrine_reaches_the_model_inputs_through_the_rule():
    """Each state-year of doctrines.csv carries clip(0.3 + 0.15 x its rows' net evidence)
    as its multi-vector disposition, and no other state-year moves off the calibrated
    baseline: the Zhdanov line puts the USSR at 0 from 1947, Malenkov's coexistence back at
    0.15 from 1953; Tito's line against blocs takes Yugoslavia from 0 (1947) to 0.6 (1950)."""
    from sim.scenario.inputs import build_inputs
    from sim.scenario.schema import load_scenario

    inp = build_inputs(load_scenario(SCENARIO))
    years, idx = list(inp.years), {s: i for i, s in enumerate(inp.ids)}

    def mv(state, year):
        return round(float(inp.multi_vector[years.index(year)][idx[state]]), 6)

    assert (mv("RUS", 1946), mv("RUS", 1947), mv("RUS", 1953)) == (0.15, 0.0, 0.15)
    assert (mv("YUG", 1947), mv("YUG", 1950)) == (0.0, 0.6) and mv("BEL", 1950) == 0.3
    coded = pd.read_csv(CODING / "doctrines.csv", keep_default_na=False)
    for state in inp.ids:
        rows = coded[coded.state == state]
        for year in years:
            net = sum(r.direction * r.strength for r in rows.itertuples()
                      if int(r.start) <= year <= (int(r.until) if str(r.until).strip() else 1955))
            assert mv(state, year) == round(min(1.0, max(0.0, 0.3 + 0.15 * net)), 6), (state, year)

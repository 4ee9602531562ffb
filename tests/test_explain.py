"""``alliance-sim explain`` end to end: inertia, the instrument behind de jure, the look-back,
ids in any case, no negative zeros."""

import json

import pandas as pd
import pytest

from tests.conftest import SCENARIOS, run_cli


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("explain") / "run"
    # A slower adjustment than the fitted one, so that some pairs lag what both sides want.
    proc = run_cli("run", SCENARIOS / "central_asia_1991_2024.yaml", "--out", out, "--no-plots",
                   "--set", "mechanism.adjustment_rate=0.4")
    assert proc.returncode == 0, proc.stderr
    return out


def test_explain_says_when_inertia_keeps_a_pair_below_what_both_sides_want(run_dir):
    d = pd.read_csv(run_dir / "dyads.csv")
    lag = d[(d.de_facto < d[["a_desired", "b_desired"]].min(axis=1)) & (d.year > d.year.min())]
    assert len(lag), "the historical run should have pair-years that lag the agreed level"
    r = lag.iloc[0]
    proc = run_cli("explain", run_dir, r.a, r.b, str(r.year))
    assert proc.returncode == 0, proc.stderr
    assert "below what both sides want because of inertia" in proc.stdout.lower()
    assert f"agreed level is {min(r.a_desired, r.b_desired)}" in proc.stdout
    # and not when the pair sits at the level both want
    same = d[(d.de_facto == d.a_desired) & (d.a_desired == d.b_desired)].iloc[0]
    text = run_cli("explain", run_dir, same.a, same.b, str(same.year)).stdout
    assert "because of inertia" not in text and "At the level both sides want" in text


def test_explain_names_the_bloc_behind_a_de_jure_level(run_dir):
    d = pd.read_csv(run_dir / "dyads.csv")
    states = pd.read_csv(run_dir / "states.csv", keep_default_na=False)
    csto = {(y, s) for y, s, b in zip(states.year, states.state, states.blocs) if "CSTO" in b.split(";")}
    both = pd.Series([(y, a) in csto and (y, b) in csto for y, a, b in zip(d.year, d.a, d.b)], index=d.index)
    rows = d[(d.de_jure == 3) & both]
    assert len(rows)
    r = rows.iloc[-1]
    text = run_cli("explain", run_dir, r.a, r.b, str(r.year)).stdout
    assert "De jure 3 comes from a common membership" in text and "(CSTO, a level-3 bloc)" in text


def test_explain_accepts_ids_in_any_case_and_prints_no_negative_zero(run_dir):
    proc = run_cli("explain", run_dir, "rus", "Kzk")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("RUS-KZK in ")
    assert "-0.000" not in proc.stdout
    from sim.analysis.explain import explain_pair

    d = pd.read_csv(run_dir / "dyads.csv")
    for r in d[d.year == d.year.max()].itertuples():  # every pair, in-process (a CLI call each is slow)
        assert "-0.000" not in explain_pair(run_dir, r.a.lower(), r.b.lower()), f"{r.a}-{r.b}"
    bad = run_cli("explain", run_dir, "rus", "nope")
    assert bad.returncode == 2 and "nope" in bad.stderr and "Traceback" not in bad.stderr


def test_explain_help_documents_its_arguments_and_look_back():
    from sim.analysis.explain import LOOK_BACK

    text = " ".join(run_cli("explain", "--help").stdout.split())
    assert f"look-back of {LOOK_BACK} years" in text
    for arg in ("RUN_DIR", "a run folder", "in any case", "default: the last year"):
        assert arg in text


@pytest.mark.parametrize("command, words", [
    ("check", ("SCENARIO", "scenario YAML file", "--set PATH=VALUE", "override a scenario field")),
    ("structure", ("SCENARIO", "agent scenario YAML file", "random seed", "structural balance",
                   "number of blocs", "override a scenario field")),
])
def test_check_and_structure_help_describe_their_arguments(command, words):
    proc = run_cli(command, "--help")
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    for w in words:
        assert w in text, w


def test_explain_says_when_the_switching_cost_holds_a_side_at_its_practised_level(run_dir):
    """The utility alone points past the midpoint to the next level, by less than the cost."""
    mech = json.loads((run_dir / "manifest.json").read_text())["scenario"]["mechanism"]
    cost, gain, normal = mech["switching_cost"], mech["level_gain"], mech["normal_level"]
    assert cost > 0
    d = pd.read_csv(run_dir / "dyads.csv").sort_values(["a", "b", "year"])
    d["practised"] = d.groupby(["a", "b"]).de_facto.shift()
    bliss = (normal + gain * d.a_total).clip(-2, 3)
    held = d[(d.a_desired == d.practised) & ((bliss - d.practised).abs() > 0.5)
             & ((bliss - d.practised).abs() < 0.5 + cost)]
    assert len(held), "the historical run should hold some choices at the practised level"
    r = held.iloc[0]
    text = run_cli("explain", run_dir, r.a, r.b, str(r.year)).stdout
    why_a = text.split(f"Why {r.a} wants")[1].split(f"Why {r.b} wants")[0]
    assert f"held at the practised level {int(r.a_desired)}" in why_a
    assert f"switching_cost ({cost:g})" in why_a
    bliss_b = (normal + gain * d.b_total).clip(-2, 3)
    free = d[(d.a_desired == d.practised) & ((bliss - d.practised).abs() < 0.4)
             & (d.b_desired == d.practised) & ((bliss_b - d.practised).abs() < 0.4)].iloc[0]
    assert "held at the practised level" not in run_cli("explain", run_dir, free.a, free.b, str(free.year)).stdout


def _copy(run_dir, tmp_path, name="r"):
    import shutil
    shutil.copytree(run_dir, tmp_path / name)
    return tmp_path / name


@pytest.mark.parametrize("damage", ["no manifest", "corrupt manifest", "no states table", "bloc ids renamed",
                                    "another run's manifest"])
def test_explain_does_not_guess_the_instrument_when_the_folder_cannot_tell(run_dir, tmp_path, damage):
    """Kazakhstan-Uzbekistan's de jure 3 in 2000 is the CSTO's. With the manifest or states
    table missing, corrupt or another run's, explain said 'a bilateral instrument (held since
    the start)': false, with exit 0."""
    r = _copy(run_dir, tmp_path)
    if damage == "no manifest":
        (r / "manifest.json").unlink()
    elif damage == "corrupt manifest":
        (r / "manifest.json").write_text("{")
    elif damage == "no states table":
        (r / "states.csv").unlink()
    elif damage == "bloc ids renamed":
        (r / "states.csv").write_text((r / "states.csv").read_text().replace("CSTO", "XXXX"))
    else:
        other = tmp_path / "other"
        assert run_cli("run", SCENARIOS / "known_bandwagon.yaml", "--out", other, "--no-plots").returncode == 0
        (r / "manifest.json").write_text((other / "manifest.json").read_text())
    good = run_cli("explain", run_dir, "KZK", "UZB", "2000")
    assert "comes from a common membership" in good.stdout and "CSTO" in good.stdout
    res = run_cli("explain", r, "KZK", "UZB", "2000")
    assert res.returncode == 0, res.stderr
    assert "bilateral instrument (held since the start)" not in res.stdout
    assert "De jure 3: which instrument carries it (a bloc or a bilateral one) cannot be told here" in res.stdout


def test_explain_refuses_an_empty_cell_and_names_a_missing_row_or_folder(run_dir, tmp_path):
    r = _copy(run_dir, tmp_path)
    d = pd.read_csv(r / "dyads.csv")
    d.loc[0, "a_security"] = None  # was dropped from the explanation without a word
    d.to_csv(r / "dyads.csv", index=False)
    res = run_cli("explain", r, "RUS", "KZK", "1991")
    assert res.returncode == 2 and "dyads.csv:2: field 'a_security': expected a number (the cell is empty)" in res.stderr
    r2 = _copy(run_dir, tmp_path, "r2")
    d = pd.read_csv(r2 / "dyads.csv")
    d[~((d.year == 2005) & (d.a == "RUS") & (d.b == "KZK"))].to_csv(r2 / "dyads.csv", index=False)
    res = run_cli("explain", r2, "RUS", "KZK", "2005")
    assert res.returncode == 2 and "a year for which the table has a row for RUS-KZK (the row for 2005 is missing)" \
        in res.stderr, res.stderr
    res = run_cli("explain", tmp_path / "nowhere", "RUS", "KZK")
    assert res.returncode == 2 and "expected an existing run folder" in res.stderr


def test_explain_keeps_scenario_events_apart_from_the_pairs_instruments(run_dir):
    """A leader's arrival or a border dispute is an input that names the pair, not an
    instrument: listed under instruments it read as if the pair had signed it."""
    text = run_cli("explain", run_dir, "RUS", "UZB", "2014").stdout
    instruments, _, events = text.partition("Scenario events naming this pair so far")
    assert "treaty formed" in instruments.split("Instruments of this pair so far:")[1]
    assert "Medvedev" in events and "Medvedev" not in instruments
    text = run_cli("explain", run_dir, "KZK", "UZB", "2014").stdout
    assert "dispute: Kazakh-Uzbek" in text.split("Scenario events naming this pair so far")[1]


def test_a_folder_holding_both_formats_reads_parquet_only_when_the_csv_is_the_same_table(tmp_path):
    """``run --format both``: Parquet is read, and stderr says so. Another scenario's
    dyads.parquet beside this run's CSVs was explained from the Parquet, exit 0; an edited
    CSV was ignored without a word. Both are refused, naming both files."""
    import shutil

    both = tmp_path / "both"
    proc = run_cli("run", SCENARIOS / "known_paper_alliance.yaml", "--out", both, "--no-plots", "--format", "both")
    assert proc.returncode == 0, proc.stderr
    res = run_cli("explain", both, "ALLY_A", "ALLY_B", "2010")
    assert res.returncode == 0, res.stderr
    assert f"note: read {both / 'dyads.parquet'} (dyads.csv beside it holds the same table)" in res.stderr
    other = tmp_path / "other"
    assert run_cli("run", SCENARIOS / "known_bandwagon.yaml", "--out", other, "--no-plots",
                   "--format", "parquet").returncode == 0
    mixed = _copy(both, tmp_path, "mixed")
    shutil.copy(other / "dyads.parquet", mixed / "dyads.parquet")
    res = run_cli("explain", mixed, "ALLY_A", "ALLY_B", "2010")
    assert res.returncode == 2 and res.stdout == "", res.stdout
    n_csv, n_pq = len(pd.read_csv(mixed / "dyads.csv")), len(pd.read_parquet(mixed / "dyads.parquet"))
    assert n_csv != n_pq
    assert res.stderr.strip() == (
        f"alliance-sim: error: {mixed / 'dyads.csv'}: expected the table in dyads.parquet beside it (a run folder "
        "holding both formats is read from Parquet, and the two must agree; remove the one that is not the "
        f"run's): as many rows, got '{n_csv} rows against {n_pq}'")
    edited = _copy(both, tmp_path, "edited")
    d = pd.read_csv(edited / "dyads.csv")
    d.loc[3, "de_facto"] = d.loc[3, "de_facto"] + 1 if d.loc[3, "de_facto"] < 3 else 0
    d.to_csv(edited / "dyads.csv", index=False, float_format="%.6f")
    res = run_cli("explain", edited, "ALLY_A", "ALLY_B", "2010")
    assert res.returncode == 2
    assert f"{edited / 'dyads.csv'}:5: field 'de_facto': expected the table in dyads.parquet beside it" in res.stderr
    assert f"the same values (its row 4 holds {pd.read_parquet(edited / 'dyads.parquet').de_facto[3]} there), " \
           f"got '{d.loc[3, 'de_facto']}'" in res.stderr


def _as_bytes(path, columns):
    """Rewrite a Parquet table with ``columns`` stored as bytes (binary), as other tools may."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    for col in columns:
        i = table.column_names.index(col)
        values = [None if v is None else v.encode() for v in table.column(i).to_pylist()]
        table = table.set_column(i, col, pa.array(values, pa.binary()))
    pq.write_table(table, path)


def test_a_parquet_table_with_text_stored_as_bytes_is_refused_naming_the_column(tmp_path):
    """A dyads.parquet whose a, b and classification columns were bytes made 'explain' a
    traceback ('bytes' object has no attribute 'casefold'); now one line names the file,
    the column and the type expected. Bytes are not decoded: nothing says their encoding."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "run"
    assert run_cli("run", SCENARIOS / "known_paper_alliance.yaml", "--out", out, "--no-plots",
                   "--format", "parquet").returncode == 0
    good = pq.read_table(out / "dyads.parquet")
    _as_bytes(out / "dyads.parquet", ["a", "b", "classification"])
    res = run_cli("explain", out, "ALLY_A", "ALLY_B")
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("alliance-sim: error:")]
    assert errors == [f"alliance-sim: error: {out / 'dyads.parquet'}: field 'a': expected text (a Parquet string "
                      "column, UTF-8; write it from text, not bytes, e.g. pyarrow's pa.string() or a pandas "
                      "column of str), got 'type binary'"], res.stderr
    # a column explain reads from another table: the states' blocs
    pq.write_table(good, out / "dyads.parquet")
    _as_bytes(out / "states.parquet", ["blocs"])
    res = run_cli("explain", out, "ALLY_A", "ALLY_B")
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    assert f"{out / 'states.parquet'}: field 'blocs': expected text" in res.stderr
    # text in the other Arrow string type is text
    states = pq.read_table(out / "states.parquet")
    i = states.column_names.index("blocs")
    blocs = pa.array([None if v is None else v.decode() for v in states.column(i).to_pylist()], pa.large_string())
    pq.write_table(states.set_column(i, "blocs", blocs), out / "states.parquet")
    res = run_cli("explain", out, "ALLY_A", "ALLY_B")
    assert res.returncode == 0 and "ALLY_A" in res.stdout, res.stderr

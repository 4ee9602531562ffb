"""Tests for the reference timeline and the validation metrics (sim/analysis/validation.py).

Known answers are worked out by hand in the comments; the fixtures are described in
tests/data/validation/README.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import validation as v
from sim.cli.main import main
from sim.errors import InputError
from tests.conftest import assert_real_figure
from sim.scenario import reference

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "validation"
REFERENCE = ROOT / "seeds" / "reference" / "central_asia_reference.csv"
SMALL_REF = DATA / "reference_small.csv"
RUN = DATA / "run_small"


def series(pair, years, de_facto, de_jure=None):
    """A dyad-year table for one pair."""
    a, b = pair
    de_jure = de_facto if de_jure is None else de_jure
    return pd.DataFrame({"a": a, "b": b, "year": list(years), "de_facto": de_facto,
                         "de_jure": de_jure})


def as_reference(df):
    return df.assign(source="test", confidence=1.0, note="")


def overall(report, dimension, forecaster="model", scope="overall"):
    s = report.scores
    return s[(s.dimension == dimension) & (s.scope == scope)
             & (s.forecaster == forecaster)].iloc[0]


# ----------------------------------------------------------------- accuracy and kappa
def test_accuracy_three_of_four_and_within_one():
    ref, sim = np.array([0, 1, 2, 3]), np.array([0, 1, 2, 1])
    assert v.exact_accuracy(ref, sim) == 0.75
    assert v.within_one_accuracy(ref, sim) == 0.75  # 3 vs 1 is two levels off
    assert v.within_one_accuracy(ref, np.array([1, 2, 3, 2])) == 1.0


def test_kappa_identical_series_is_one():
    x = np.array([-1, 0, 0, 2, 3, 3])
    assert v.weighted_kappa(x, x, "linear") == pytest.approx(1.0)
    assert v.weighted_kappa(x, x, "quadratic") == pytest.approx(1.0)


def test_kappa_against_a_constant_forecaster_is_zero():
    # Always saying 1 is right half the time here, but it carries no information.
    ref = np.array([0, 1, 1, 2, 1, 3])
    assert v.weighted_kappa(ref, np.ones(6, int), "linear") == pytest.approx(0.0)
    assert v.weighted_kappa(ref, np.ones(6, int), "quadratic") == pytest.approx(0.0)


def test_kappa_known_answers():
    # Two levels: O = [[1,1],[0,2]], E = [[.5,1.5],[.5,1.5]], sum wO = 1, sum wE = 2.
    assert v.weighted_kappa([0, 0, 1, 1], [0, 1, 1, 1]) == pytest.approx(0.5)
    # Three levels 0,1,2; one miss by one step (1 -> 2).
    # Linear: sum wO = 0.5, sum wE = 2/3 + 1/2 + 1/3 = 1.5, kappa = 2/3.
    # Quadratic: sum wO = 0.25, sum wE = 2/3 + 1/4 + 1/3 = 1.25, kappa = 0.8.
    assert v.weighted_kappa([0, 1, 2], [0, 2, 2], "linear") == pytest.approx(2 / 3)
    assert v.weighted_kappa([0, 1, 2], [0, 2, 2], "quadratic") == pytest.approx(0.8)


def test_kappa_uses_level_distance_not_rank():
    # Levels 0 and 3 only: a 0/3 confusion is the full spread, like 0/1 on a 0/1 scale,
    # so the answer matches the two-level case above.
    assert v.weighted_kappa([0, 0, 3, 3], [0, 3, 3, 3]) == pytest.approx(0.5)
    # A near miss (2 for 3) costs less than a far miss (0 for 3).
    near = v.weighted_kappa([0, 3, 3, 0], [0, 2, 3, 0])
    far = v.weighted_kappa([0, 3, 3, 0], [0, 0, 3, 0])
    assert near > far


def test_kappa_degenerate_cases():
    # Both constant on one level: chance agreement is total, kappa is 0/0, undefined (not 1).
    assert np.isnan(v.weighted_kappa([2, 2, 2], [2, 2, 2]))
    assert np.isnan(v.weighted_kappa([2, 2, 2], [2, 2, 2], "quadratic"))
    assert np.isnan(v.weighted_kappa([], []))
    assert v.weighted_kappa([1, 1], [2, 2]) == pytest.approx(0.0)
    with pytest.raises(ValueError):
        v.weighted_kappa([0, 1], [0, 1], "cubic")


# ----------------------------------------------------------------- change points
def _changes(ref_levels, sim_levels, years=range(2000, 2006)):
    aligned = series(("KZK", "UZB"), years, ref_levels).rename(columns={"de_facto": "ref"})
    aligned["sim"] = sim_levels
    rc = v.change_points(aligned, "ref")
    return v.match_changes(rc, v.change_points(aligned, "sim"))


def test_change_one_year_late_is_hit_with_timing_error_one():
    m = _changes([0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1])
    assert list(m.year) == [2002] and list(m.direction) == [1]
    assert m.hit.tolist() == [True] and m.timing_error.tolist() == [1.0]


def test_change_two_years_late_or_wrong_direction_is_missed():
    late = _changes([0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 1, 1])
    wrong = _changes([0, 0, 1, 1, 1, 1], [0, 0, -1, -1, -1, -1])
    assert late.hit.tolist() == [False] and np.isnan(late.timing_error.iloc[0])
    assert wrong.hit.tolist() == [False]


def test_change_points_do_not_cross_pairs():
    df = pd.concat([series(("KZK", "RUS"), [2000, 2001], [3, 3]),
                    series(("RUS", "UZB"), [2000, 2001], [0, 0])])
    assert v.change_points(df, "de_facto").empty


# ----------------------------------------------------------------- Brier
def test_brier_certain_forecasts_and_a_coin_flip():
    levels = np.array([0, 1])
    assert v.brier_multicategory(np.array([[1.0, 0.0]]), np.array([0]), levels) == 0.0
    assert v.brier_multicategory(np.array([[0.0, 1.0]]), np.array([0]), levels) == 2.0
    # (0.5 - 1)^2 + (0.5 - 0)^2 = 0.5
    assert v.brier_multicategory(np.array([[0.5, 0.5]]), np.array([0]), levels) == 0.5
    assert v.brier_binary([1.0, 0.0], [1, 0]) == 0.0
    assert v.brier_binary([0.25], [1]) == pytest.approx(0.5625)


def test_ensemble_probabilities_give_brier_and_band():
    ref = as_reference(series(("KZK", "RUS"), [2000, 2001], [3, 3]))
    runs = [series(("KZK", "RUS"), [2000, 2001], [3, 3]),
            series(("RUS", "KZK"), [2000, 2001], [1, 1])]
    rep = v.validate(runs, ref)
    m = overall(rep, "de_facto")
    # p(3) = p(1) = 0.5 each year: 0.25 + 0.25 = 0.5; allied p = 0.5: 0.25.
    assert m.brier == pytest.approx(0.5)
    assert m.brier_allied == pytest.approx(0.25)
    assert m.exact == pytest.approx(0.5)  # mean of 1.0 and 0.0
    s = rep.series[rep.series.dimension == "de_facto"]
    assert s.sim_mean.tolist() == [2.0, 2.0]
    assert (s.sim_q10 < s.sim_mean).all() and (s.sim_q90 > s.sim_mean).all()


# ----------------------------------------------------------------- alignment, baselines
def test_pair_order_does_not_matter():
    ref = as_reference(pd.concat([series(("KZK", "RUS"), range(2000, 2004), [1, 2, 2, 3]),
                                  series(("RUS", "UZB"), range(2000, 2004), [2, 1, 0, 0])]))
    sim = pd.concat([series(("KZK", "RUS"), range(2000, 2004), [1, 1, 2, 3]),
                     series(("RUS", "UZB"), range(2000, 2004), [2, 2, 0, 1])])
    flipped = sim.rename(columns={"a": "b", "b": "a"})
    a = v.validate(sim, ref).scores
    b = v.validate(flipped, ref).scores
    pd.testing.assert_frame_equal(a, b)
    assert overall(v.validate(flipped, ref), "de_facto").exact == pytest.approx(5 / 8)


def test_align_keeps_only_coded_reference_years():
    ref = reference.load_reference(SMALL_REF)
    sim = v.load_simulated(RUN / "dyads.csv")
    fac = v.align(sim, ref, "de_facto")
    jur = v.align(sim, ref, "de_jure")
    assert len(fac) == 12  # KZK-UZB de facto is not coded; KZK-TAJ is not in the reference
    assert len(jur) == 14
    assert set(zip(fac.a, fac.b)) == {("KZK", "RUS"), ("RUS", "UZB")}


def test_kappa_of_a_pair_that_never_varies_is_reported_undefined_and_left_out_of_means():
    """A pair whose reference and model sit on one level throughout has no kappa: the
    report says n/a (not 1.000), explains it, and the mean over pairs skips it and says so."""
    ref = as_reference(pd.concat([series(("KZK", "RUS"), range(2000, 2004), [1, 2, 2, 3]),
                                  series(("RUS", "UZB"), range(2000, 2004), [2, 2, 2, 2])]))
    rep = v.validate(ref, ref)
    pairs = rep.scores[(rep.scores.scope == "pair") & (rep.scores.forecaster == "model")
                       & (rep.scores.dimension == "de_facto")].set_index("group")
    assert pairs.loc["KZK-RUS", "kappa_linear"] == pytest.approx(1.0)
    assert np.isnan(pairs.loc["RUS-UZB", "kappa_linear"]) and np.isnan(pairs.loc["RUS-UZB", "kappa_quadratic"])
    assert pairs.loc["RUS-UZB", "exact"] == 1.0  # the levels agree; only kappa is undefined
    text = rep.to_markdown()
    assert "| de_facto | RUS-UZB | model | 4 | 1.000 | 1.000 | n/a |" in text
    assert "Kappa is n/a where the reference and the model both keep one and the same level" in text
    assert "- de_facto, model: mean kappa_linear 1.000 over 1 pairs (1 of 2 left out as undefined)" in text
    assert overall(rep, "de_facto").kappa_linear == pytest.approx(1.0)  # pooled years vary: defined


def test_persistence_is_perfect_on_a_constant_reference():
    ref = as_reference(pd.concat([series(("KZK", "RUS"), range(1991, 2000), [3] * 9),
                                  series(("USA", "UZB"), range(1991, 2000), [1] * 9)]))
    rep = v.validate(series(("KZK", "RUS"), range(1991, 2000), [0] * 9), ref)
    p = overall(rep, "de_facto", "persistence")
    # Exact and Brier are perfect; kappa is undefined, as both series keep one level.
    assert p.exact == 1.0 and np.isnan(p.kappa_linear) and p.brier == 0.0
    assert overall(rep, "de_facto", "oracle_pair_mode").exact == 1.0


def test_persistence_starts_from_the_first_scored_year_without_looking_ahead():
    ref = as_reference(series(("RUS", "UZB"), range(1991, 1996), [1, 2, 1, 1, 0]))
    aligned = v.align(ref, ref, "de_facto")
    base = v.baseline_levels(aligned, np.ones(5, bool))
    assert base["persistence"].tolist() == [1] * 5  # the first year scored is 1991
    assert v.baseline_levels(aligned, np.ones(5, bool), origin=1992)["persistence"].tolist() == [2] * 5
    later = aligned[aligned.year >= 1993].reset_index(drop=True)  # scoring from 1993 on
    assert v.baseline_levels(later, np.ones(3, bool))["persistence"].tolist() == [1] * 3
    assert base["oracle_pair_mode"].tolist() == [1] * 5
    assert base["majority_overall"].tolist() == [1] * 5


def test_false_change_points_are_moves_that_match_no_reference_change():
    ref = as_reference(series(("KZK", "RUS"), range(2000, 2006), [1, 1, 2, 2, 2, 2]))
    sim = series(("KZK", "RUS"), range(2000, 2006), [1, 1, 2, 1, 2, 2])  # hit, then two extra moves
    m = overall(v.validate(sim, ref), "de_facto")
    assert m.change_hit_rate == 1.0 and m.false_changes == 2.0
    assert overall(v.validate(ref, ref), "de_facto").false_changes == 0.0


def test_periods_follow_the_scored_span():
    assert v.periods_for(1992, 2024)[0] == (1992, 1999)
    assert v.periods_for(1946, 1955) == [(1946, 1947), (1948, 1950), (1951, 1953), (1954, 1955)]


def test_out_of_sample_fits_baselines_on_early_years():
    years = range(2000, 2010)
    ref = as_reference(series(("KZK", "UZB"), years, [0] * 6 + [2] * 4))
    rep = v.validate(ref, ref, split_year=2006)
    oos = overall(rep, "de_facto", "oracle_pair_mode", scope="out_of_sample")
    ins = overall(rep, "de_facto", "oracle_pair_mode")
    assert oos.n == 4 and oos.exact == 0.0  # learnt 0 from 2000-2005, truth is 2
    assert ins.exact == 0.6
    # the model is the reference itself: the 2006 change is seen and hit
    model = overall(rep, "de_facto", scope="out_of_sample")
    assert model.exact == 1.0 and model.changes_ref == 1 and model.change_hit_rate == 1.0


def test_breakdowns_cover_pairs_and_periods():
    rep = v.validate(v.load_simulated(RUN / "dyads.csv"), reference.load_reference(SMALL_REF),
                     periods=[(2000, 2002), (2003, 2005)])
    s = rep.scores
    assert set(s[s.scope == "pair"].group) == {"KZK-RUS", "RUS-UZB", "KZK-UZB"}
    assert set(s[s.scope == "period"].group) == {"2000-2002", "2003-2005"}
    p = s[(s.scope == "period") & (s.dimension == "de_facto") & (s.forecaster == "model")]
    # the one miss (RUS-UZB 2002) is in the first period
    assert p.set_index("group").exact.to_dict() == pytest.approx({"2000-2002": 5 / 6,
                                                                  "2003-2005": 1.0})


# ----------------------------------------------------------------- the reference file
def test_reference_file_passes_its_own_validation():
    ref = reference.load_reference(REFERENCE)
    years = set(range(1991, 2025))
    pairs = {(a, b) for a in reference.KNOWN_STATES for b in reference.KNOWN_STATES if a < b}
    assert len(pairs) == 36
    assert set(zip(ref.a, ref.b)) == pairs
    assert (ref.groupby(["a", "b"]).year.apply(set) == [years] * 36).all()
    assert ref.de_jure.notna().all()
    assert ref.source.str.strip().ne("").all()
    for a, b in v.KEY_PAIRS:
        a, b = sorted((a, b))
        coded = ref[(ref.a == a) & (ref.b == b) & ref.de_facto.notna()]
        assert set(coded.year) == years, (a, b)


def test_reference_encodes_the_documented_pattern():
    ref = reference.load_reference(REFERENCE).set_index(["a", "b", "year"]).sort_index()
    # allied from the 1992 Collective Security Treaty on (1991: independence in December)
    assert (ref.loc[("KZK", "RUS"), "de_facto"].loc[1992:] >= 2).all()
    assert (ref.loc[("KZK", "RUS"), "de_jure"].loc[1992:] == 3).all()
    ru = ref.loc[("RUS", "UZB")]
    assert (ru.de_jure.loc[1992:] == 3).all()  # the 1992 bilateral treaty (ATOP 4245) stays in force
    assert (ru.de_facto.loc[1995:1998] == 2).all() and (ru.de_facto.loc[2005:2007] == 2).all()
    assert ru.de_facto.loc[1999:2003].max() == 0 and ru.de_facto.loc[2012:2016].max() == 0  # paper
    ku = ref.loc[("KZK", "UZB")]
    assert ku.de_facto.loc[1991:2012].max() <= 0 and (ku.de_facto.loc[2000:2002] == -1).all()
    assert (ku.de_jure.loc[2013:] == 2).all() and ku.de_facto.loc[2017:].min() >= 2


def test_reference_reproduces_every_documented_pattern_it_can_express():
    """The patterns and the reference were coded apart; on levels and blocs they must agree."""
    from sim.analysis.patterns import RunTables, load_patterns, reproduced
    ref = pd.read_csv(REFERENCE)
    blocs = pd.read_csv(ROOT / "seeds" / "reference" / "central_asia_reference_blocs.csv")
    held = blocs[blocs.member == 1].groupby(["state", "year"]).bloc.agg(";".join).rename("blocs")
    states = blocs[["state", "year"]].drop_duplicates().merge(held.reset_index(), how="left")
    run = RunTables(ref.assign(classification=""), states)
    patterns = [p for p in load_patterns(ROOT / "seeds" / "reference" / "documented_patterns.yaml")
                if all(c.kind != "class" for c in p.conditions)]
    assert len(patterns) >= 12
    assert [p.id for p in patterns if not reproduced(p, run)] == []

def _write(tmp_path, text):
    p = tmp_path / "ref.csv"
    p.write_text(text)
    return p


HEADER = "a,b,year,de_jure,de_facto,source,confidence,note\n"


@pytest.mark.parametrize("body, field, line, words", [
    ("a,b,year,de_jure,source,confidence,note\nKZK,RUS,2000,3,s,1,\n", "de_facto", 1,
     "column named 'de_facto'"),
    (HEADER + "KZK,RUS,2000,3,3,s,1,\nKZK,RUS,2001,3,4,s,1,\n", "de_facto", 3,
     "integer level from -2 to 3"),
    (HEADER + "KZK,RUS,2000,-2,0,s,1,\n", "de_jure", 2, "integer level from -1 to 3"),
    (HEADER + "KZK,RUS,2000,1.5,0,s,1,\n", "de_jure", 2, "integer level"),
    (HEADER + "KZK,RUS,2000,3,3,s,1,\nKZK,XYZ,2000,3,3,s,1,\n", "b", 3, "known state id"),
    (HEADER + "KZK,RUS,2000,3,3,s,1,\nRUS,KZK,2000,3,3,s,1,\n", "a,b,year", 3,
     "one row per unordered pair and year (first given on line 2)"),
    (HEADER + "KZK,RUS,2000,3,3,s,1.5,\n", "confidence", 2, "from 0 to 1"),
    (HEADER + "KZK,KZK,2000,3,3,s,1,\n", "b", 2, "different from 'a'"),
    (HEADER + "KZK,RUS,,3,3,s,1,\n", "year", 2, "value"),
])
def test_malformed_reference_names_file_line_and_field(tmp_path, body, field, line, words):
    path = _write(tmp_path, body)
    with pytest.raises(InputError) as info:
        reference.load_reference(path)
    err = info.value
    assert err.file == str(path) and err.field == field and err.line == line
    assert words in err.message()


# ----------------------------------------------------------------- command line
def test_cli_end_to_end_on_a_run_folder(tmp_path, capsys):
    out = tmp_path / "report"
    status = main(["validate", str(RUN), "--reference", str(SMALL_REF), "--out", str(out),
                   "--split-year", "2003"])
    printed = capsys.readouterr().out
    assert status == 0
    assert "persistence" in printed and "Out of sample" in printed
    assert "de_facto 12/12, de_jure 14/14" in printed
    for name in ("scores.csv", "change_points.csv", "series.csv", "report.md",
                 "pair_KZK_RUS.png", "pair_RUS_UZB.png"):
        assert (out / name).is_file(), name
    scores = pd.read_csv(out / "scores.csv")
    model = scores[(scores.scope == "overall") & (scores.dimension == "de_facto")
                   & (scores.forecaster == "model")].iloc[0]
    assert model.n == 12 and model.exact == pytest.approx(11 / 12)
    # RUS-UZB: up one year late (error 1), down on time (error 0)
    assert model.change_hit_rate == 1.0 and model.timing_error == pytest.approx(0.5)
    persist = scores[(scores.scope == "overall") & (scores.dimension == "de_facto")
                     & (scores.forecaster == "persistence")].iloc[0]
    assert persist.exact == pytest.approx(8 / 12)
    assert not list(tmp_path.glob(".report-*"))  # no temp folder left behind


def test_cli_console_shows_undefined_scores_as_the_report_does(tmp_path, capsys):
    """Climatology has no exact or within-one accuracy, and a dimension whose reference
    never changes no change hit rate: report.md leaves those cells blank (kappa: n/a), the
    console printed NaN. Each console row must hold the report row's cells, blanks left out."""
    out = tmp_path / "report"
    assert main(["validate", str(RUN), "--reference", str(SMALL_REF), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "NaN" not in printed and "nan" not in printed
    report = (out / "report.md").read_text()
    rows = [line for line in report.split("## ")[1].splitlines() if line.startswith("| de_")]
    console = {tuple(line.split()[:2]): line.split() for line in printed.splitlines()
               if line.split()[:1] in (["de_facto"], ["de_jure"])}
    assert rows and len(console) == len(rows)
    blanks = 0
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        blanks += cells.count("")
        assert console[tuple(cells[:2])] == [c for c in cells if c], row
    assert blanks  # the case this is about: climatology's accuracy is undefined
    climatology = console[("de_facto", "climatology")]
    assert climatology[3:5] == ["n/a", "n/a"]  # n, then the kappas: no accuracy shown


def test_cli_bad_reference_is_one_line_and_status_two(tmp_path, capsys):
    bad = _write(tmp_path, HEADER + "KZK,RUS,2000,7,3,s,1,\n")
    status = main(["validate", str(RUN), "--reference", str(bad), "--out",
                   str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert status == 2 and "\n" not in err
    assert f"{bad}:2" in err and "de_jure" in err
    assert not (tmp_path / "out").exists()


def test_cli_missing_run_folder(tmp_path, capsys):
    status = main(["validate", str(tmp_path / "nowhere"), "--reference", str(SMALL_REF)])
    assert status == 2 and "dyads.csv" in capsys.readouterr().err


def test_cli_scenario_scores_pairs_blocs_and_patterns(tmp_path, capsys):
    """A scenario is simulated on seeds 0..N-1 and scored on everything its record holds:
    the bloc reference and the patterns come from the scenario file unless given."""
    scenario = ROOT / "scenarios" / "central_asia_1991_2024.yaml"
    status = main(["validate", str(scenario), "--reference", str(REFERENCE), "--seeds", "2",
                   "--from-year", "1992", "--out", str(tmp_path / "v")])
    out = capsys.readouterr().out
    assert status == 0 and "oracle_pair_mode" in out and "Bloc membership" in out
    assert "Documented patterns:" in out
    membership = pd.read_csv(tmp_path / "v" / "membership.csv").set_index("forecaster")
    assert membership.loc["model", "changes_ref"] >= 10
    report = (tmp_path / "v" / "report.md").read_text()
    assert "runs: 2" in report and "## Documented patterns" in report
    assert "1992-1999" in report and "1991-1999" not in report
    for name in ("pairs_de_facto.png", "pairs_de_jure.png", "pair_RUS_UZB.png"):
        assert_real_figure(tmp_path / "v" / name)


def test_run_file_with_run_column_is_an_ensemble(tmp_path):
    one = pd.read_csv(RUN / "dyads.csv")
    both = pd.concat([one.assign(run=0), one.assign(run=1, de_facto=0)])
    both.to_csv(tmp_path / "dyads.csv", index=False)
    runs = v.load_simulated(tmp_path / "dyads.csv")
    assert len(runs) == 2
    rep = v.validate(runs, reference.load_reference(SMALL_REF))
    assert rep.settings["runs"] == 2


def test_cli_run_folder_of_the_main_job_is_scored_on_blocs_and_patterns(tmp_path, capsys):
    """The README's main job: a run folder knows its scenario (manifest), so validate finds
    the bloc reference and the patterns without being told."""
    scenario = ROOT / "scenarios" / "central_asia_1991_2024.yaml"
    assert main(["run", str(scenario), "--out", str(tmp_path / "run"), "--no-plots"]) == 0
    capsys.readouterr()
    status = main(["validate", str(tmp_path / "run"), "--reference", str(REFERENCE), "--from-year", "1992",
                   "--out", str(tmp_path / "run" / "validation")])
    out = capsys.readouterr().out
    assert status == 0 and "Bloc membership" in out and "Documented patterns:" in out
    patterns = pd.read_csv(tmp_path / "run" / "validation" / "patterns.csv")
    assert set(patterns["share"]) <= {0.0, 1.0} and len(patterns) == 17  # one run: each holds or not
    # The pair figures are the scenario's chosen pairs, named in its order as the run's own are.
    from sim.scenario.schema import load_scenario
    chosen = {f"pair_{a}_{b}.png" for a, b in load_scenario(scenario).outputs.pairs}
    assert {f.name for f in (tmp_path / "run" / "validation").glob("pair_*.png")} == chosen
    assert "pair_RUS_KZK.png" in chosen


def test_bloc_persistence_starts_from_the_first_scored_year_and_is_given_later_founders():
    """Persistence keeps membership as in the first scored year, as for pair levels, and,
    like the model, is given each later bloc's founders from its founding: a baseline that
    never saw the bloc founded would lose to inputs, not to anything the model explains."""
    from sim.analysis.membership import score_membership

    rows = []
    for year in range(1991, 1997):
        rows += [("UZB", "OSCE", year, int(year >= 1992)),  # joined in 1992, the first scored year
                 ("KZK", "SCO", year, int(year >= 1994)),  # a founder of the SCO, founded 1994
                 ("UZB", "SCO", year, int(year >= 1995))]  # joined in 1995: an outcome
    aligned = pd.DataFrame(rows, columns=["state", "bloc", "year", "ref"]).sort_values(["bloc", "state", "year"])
    aligned = aligned.reset_index(drop=True).assign(run_0=lambda d: d["ref"])
    scores = score_membership(aligned, 1992, founders={"SCO": (1994, ["KZK"])})
    # Scored 1992-96 (15 state-bloc-years): persistence is wrong only where UZB joins the SCO
    # (1995, 1996); the founder's entry and the OSCE membership of 1992 it is given.
    assert scores.loc["persistence", "exact"] == pytest.approx(13 / 15)
    assert scores.loc["model", "exact"] == 1.0
    assert scores.loc["model", "changes_ref"] == 2  # the OSCE and SCO joins; the founder's entry is no join
    assert scores.loc["persistence", "change_hit_rate"] == 0.0


def test_documented_moves_are_not_held_by_runs_in_which_nothing_moved():
    """A claim of a move (a return to Moscow, an exit, a new treaty) fails in a run that has
    the end state without the move: Russia-Uzbekistan allied throughout, Uzbekistan never in
    EurAsEC, Kazakhstan and Uzbekistan bound only by the CSTO's 3. On the reference itself
    the three hold (the test above)."""
    from sim.analysis.patterns import RunTables, load_patterns, reproduced
    ref = pd.read_csv(REFERENCE)
    blocs = pd.read_csv(ROOT / "seeds" / "reference" / "central_asia_reference_blocs.csv")
    still = ref.copy()
    rus_uzb = (still.a.isin(["RUS", "UZB"]) & still.b.isin(["RUS", "UZB"]))
    kzk_uzb = (still.a.isin(["KZK", "UZB"]) & still.b.isin(["KZK", "UZB"]))
    still.loc[rus_uzb & (still.year >= 1992), ["de_facto", "de_jure"]] = 3
    still.loc[kzk_uzb & (still.year >= 1992), "de_jure"] = 3
    held = blocs[(blocs.member == 1) & ~((blocs.state == "UZB") & (blocs.bloc == "EAEU"))]
    held = held.groupby(["state", "year"]).bloc.agg(";".join).rename("blocs")
    states = blocs[["state", "year"]].drop_duplicates().merge(held.reset_index(), how="left")
    run = RunTables(still.assign(classification=""), states)
    patterns = {p.id: p for p in load_patterns(ROOT / "seeds" / "reference" / "documented_patterns.yaml")}
    for pid in ("uzb_back_to_moscow_after_andijan", "uzb_out_of_eurasec_2008", "kzk_uzb_strategic_partnership_2013"):
        assert not reproduced(patterns[pid], run), pid


def test_cli_refuses_reference_ids_the_run_does_not_hold(tmp_path, capsys):
    """A mistyped id (RSU for RUS) in some rows: its rows were left out while the rest was
    scored as if whole (de_facto 8/8, exit 0). Refused, naming the file, the field, the
    first such row, the unknown id and how many rows hold it."""
    ref = pd.read_csv(SMALL_REF, keep_default_na=False)
    ref.loc[ref.b == "UZB", "a"] = ref.loc[ref.b == "UZB", "a"].replace("RUS", "RSU")  # 6 rows
    bad = tmp_path / "ref.csv"
    ref.to_csv(bad, index=False)
    status = main(["validate", str(RUN), "--reference", str(bad), "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert status == 2 and "\n" not in err and "Overall" not in captured.out
    assert f"{bad}:8: field 'a'" in err  # the first RUS-UZB row is on line 8
    assert "1 id is neither, in 6 rows, got 'RSU'" in err
    assert "state ids of the simulated run (KZK, RUS, TAJ, UZB)" in err and "--states" in err
    assert not (tmp_path / "out").exists()


def test_cli_states_declares_ids_whose_rows_are_left_out_and_says_how_many(tmp_path, capsys):
    """--states declares a state the run does not hold: its rows are left out knowingly,
    and stderr and report.md say how many and whose."""
    ref = pd.read_csv(SMALL_REF, keep_default_na=False)
    extra = pd.DataFrame({"a": "KZK", "b": ["CHN", "TKM", "CHN"], "year": [2000, 2000, 2001], "de_jure": 1,
                          "de_facto": "1", "source": "s", "confidence": 1, "note": ""})
    path = tmp_path / "ref.csv"
    pd.concat([ref, extra]).to_csv(path, index=False)
    status = main(["validate", str(RUN), "--reference", str(path), "--states", "CHN,TKM",
                   "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "de_facto 12/12, de_jure 14/14" in captured.out  # the run's pairs, scored as before
    assert f"3 rows of {path} left out" in captured.err and "(CHN, TKM)" in captured.err
    report = (tmp_path / "out" / "report.md").read_text()
    assert "Reference rows left out: 3, pairs with states the run does not hold (declared with --states: " \
           "CHN, TKM)." in report
    status = main(["validate", str(RUN), "--reference", str(path), "--states", "CHN"])
    err = capsys.readouterr().err.strip()
    assert status == 2 and "1 id is neither, in 1 row, got 'TKM'" in err


def test_cli_a_folder_holding_both_formats_refuses_a_csv_that_is_not_the_parquet_table(tmp_path, capsys):
    """``run --format both`` then dyads.csv edited: validate read dyads.parquet and printed
    the same scores as before, exit 0, without a word. The Parquet is read when both agree
    (stderr says so); a CSV that differs is refused, naming both files and the cell."""
    one = pd.read_csv(RUN / "dyads.csv")
    folder = tmp_path / "run"
    folder.mkdir()
    one.to_parquet(folder / "dyads.parquet", index=False)
    one.to_csv(folder / "dyads.csv", index=False)
    assert main(["validate", str(folder), "--reference", str(SMALL_REF)]) == 0
    captured = capsys.readouterr()
    assert "de_facto 12/12, de_jure 14/14" in captured.out
    assert f"note: read {folder / 'dyads.parquet'} (dyads.csv beside it holds the same table)" in captured.err
    one.assign(de_facto=one.de_facto.where(one.index != 7, 0)).to_csv(folder / "dyads.csv", index=False)
    assert one.de_facto[7] != 0
    assert main(["validate", str(folder), "--reference", str(SMALL_REF)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        f"alliance-sim: error: {folder / 'dyads.csv'}:9: field 'de_facto': expected the table in dyads.parquet "
        "beside it (a run folder holding both formats is read from Parquet, and the two must agree; remove the "
        f"one that is not the run's): the same values (its row 8 holds {one.de_facto[7]} there), got '0'")


def test_a_parquet_table_names_the_row_of_a_bad_value_not_a_line(tmp_path, capsys):
    """A Parquet file has no lines: 'dyads.parquet:7' sent the reader to a line that does
    not exist for a bad value in row 6. The CSV of the same table still names its line."""
    one = pd.read_csv(RUN / "dyads.csv")
    bad = one.assign(de_facto=one.de_facto.where(one.index != 5, 7))
    for fmt, where in (("parquet", "dyads.parquet, row 6: "), ("csv", "dyads.csv:7: ")):
        folder = tmp_path / fmt
        folder.mkdir()
        bad.to_parquet(folder / "dyads.parquet", index=False) if fmt == "parquet" else \
            bad.to_csv(folder / "dyads.csv", index=False)
        assert main(["validate", str(folder), "--reference", str(SMALL_REF)]) == 2
        err = capsys.readouterr().err.strip()
        assert err == f"alliance-sim: error: {folder / where}field 'de_facto': expected an integer level from " \
                      "-2 to 3, got '7'"
    levels = one[["a", "b", "year", "de_jure", "de_facto"]]
    pd.concat([levels, levels.iloc[[2]]]).to_parquet(tmp_path / "ref.parquet", index=False)
    with pytest.raises(InputError) as info:
        reference.load_reference_levels(tmp_path / "ref.parquet")
    assert info.value.message() == (f"{tmp_path / 'ref.parquet'}, row 16: field 'a,b,year': expected one row per "
                                    "unordered pair and year (first given on row 3), got 'KZK-RUS 2002'")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_cli_an_empty_dyad_table_is_named_not_the_reference(tmp_path, capsys, fmt):
    """A run's dyads table with no rows: validate blamed the reference ("field 'a':
    expected state ids of the simulated run ()"); the empty table is the problem."""
    folder = tmp_path / "run"
    folder.mkdir()
    empty = pd.read_csv(RUN / "dyads.csv").iloc[:0]
    empty.to_parquet(folder / "dyads.parquet", index=False) if fmt == "parquet" else \
        empty.to_csv(folder / "dyads.csv", index=False)
    assert main(["validate", str(folder), "--reference", str(SMALL_REF)]) == 2
    assert capsys.readouterr().err.strip() == \
        f"alliance-sim: error: {folder / f'dyads.{fmt}'}: expected a dyad table with rows (it has only its header)"

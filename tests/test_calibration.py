"""Tests for calibration: known answers, facts from the sources, provenance, determinism, errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration import rules as cal
from sim.errors import InputError
from tests.conftest import assert_real_figure

ROOT = Path(__file__).resolve().parent.parent
CA = ["KZK", "UZB", "KYR", "TAJ", "TKM"]


@pytest.fixture(scope="module")
def result():
    return cal.calibrate()


def _dyad(result, a, b, year=None):
    d = result.dyads
    g = d[(d.a == a) & (d.b == b)].set_index("year")
    return g if year is None else g.loc[year]


def _state(result, s, year):
    return result.states.set_index(["state", "year"]).loc[(s, year)]


def test_shape_and_columns(result):
    assert list(result.states.columns) == cal.STATE_COLUMNS
    assert list(result.dyads.columns) == cal.DYAD_COLUMNS
    assert len(result.states) == 9 * 34
    assert len(result.dyads) == 9 * 8 * 34
    assert not result.states[cal.STATE_PARAMS].isna().any().any()
    assert not result.dyads[cal.DYAD_PARAMS].isna().any().any()


def test_shares_sum_to_one_and_russia_outweighs_each_central_asian_state(result):
    s = result.states
    for param in ("power", "offense", "economy"):
        np.testing.assert_allclose(s.groupby("year")[param].sum(), 1.0, atol=1e-9)
    power = s.pivot(index="year", columns="state", values="power")
    for state in CA:
        assert (power["RUS"] > power[state]).all(), state


def test_turkmenistan_neutral_from_1995_only(result):
    s = result.states
    tkm = s[s.state == "TKM"].set_index("year").neutral
    assert (tkm.loc[1995:] == 1).all() and (tkm.loc[:1994] == 0).all()
    assert (s[s.state != "TKM"].neutral == 0).all()


def test_kazakhstan_closer_to_russia_than_uzbekistan_in_1990s_2000s(result):
    kzk = _dyad(result, "KZK", "RUS").interests.loc[1992:2009]
    uzb = _dyad(result, "UZB", "RUS").interests.loc[1992:2009]
    assert kzk.mean() > uzb.mean() + 0.15
    assert (kzk > uzb).mean() >= 0.9


def test_interests_known_answer_and_symmetry(result):
    ip = pd.read_csv(ROOT / "seeds/data/un_idealpoints_jul2025_subset.csv").set_index(["ccode", "year"])
    dist = abs(ip.loc[(705, 1995), "idealpointfp"] - ip.loc[(365, 1995), "idealpointfp"])
    rule = result.rules["rules"]["interests"]
    # E037: KZK-RUS interest_convergence +1, strength 3, 1991-2014
    expected = min(1.0, 1 - 2 * dist / rule["scale"] + rule["step"] * 3)
    assert _dyad(result, "KZK", "RUS", 1995).interests == pytest.approx(expected, abs=1e-9)
    assert _dyad(result, "RUS", "KZK", 1995).interests == pytest.approx(expected, abs=1e-9)
    # E038: UZB-RUS interest_convergence -1, strength 3, 1991-2014 (not saturated)
    dist = abs(ip.loc[(704, 1995), "idealpointfp"] - ip.loc[(365, 1995), "idealpointfp"])
    expected = 1 - 2 * dist / rule["scale"] - rule["step"] * 3
    assert -1 < expected < 1
    assert _dyad(result, "UZB", "RUS", 1995).interests == pytest.approx(expected, abs=1e-9)
    both = result.dyads.merge(result.dyads, left_on=["a", "b", "year"], right_on=["b", "a", "year"])
    np.testing.assert_allclose(both.interests_x, both.interests_y)


def test_intent_known_answers_are_directed(result):
    """No perceived-intent record feeds calibration any more: the records that describe a
    dated perception (E001, E019, E030...) support the scenario's events, so counting them
    here too would count them twice. Every directed intent therefore sits at the baseline."""
    baseline = result.rules["rules"]["intent"]["baseline"]
    for a, b, year in (("UZB", "USA", 2006), ("USA", "UZB", 2006), ("KZK", "RUS", 1991), ("UZB", "AFG", 1996)):
        assert _dyad(result, a, b, year).intent == pytest.approx(baseline)


def test_trade_dependence_known_answer(result):
    dy = pd.read_csv(ROOT / "seeds/data/cow_dyadic_trade_v4_subset.csv")
    nat = pd.read_csv(ROOT / "seeds/data/cow_national_trade_v4_subset.csv")
    row = dy[(dy.ccode1 == 365) & (dy.ccode2 == 705) & (dy.year == 2000)].iloc[0]
    kz = nat[(nat.ccode == 705) & (nat.year == 2000)].iloc[0]
    expected = (row.flow1 + row.flow2) / (kz.imports + kz.exports)
    assert _dyad(result, "KZK", "RUS", 2000).trade == pytest.approx(expected)
    # Russia matters far more to Kazakhstan than Kazakhstan to Russia
    assert _dyad(result, "KZK", "RUS", 2000).trade > 5 * _dyad(result, "RUS", "KZK", 2000).trade
    assert "trade:carried_forward" in _dyad(result, "KZK", "RUS", 2020)["flags"]


def test_capital_move_leaders_and_contiguity(result):
    assert _state(result, "KZK", 1997).lat == pytest.approx(43.2363924)  # Almaty
    assert _state(result, "KZK", 1998).lat == pytest.approx(51.1159933)  # Astana
    assert _state(result, "RUS", 2008).leader == "Dmitry Medvedev"
    assert _state(result, "RUS", 2012).leader == "Vladimir Putin"
    assert _state(result, "KZK", 2019).leader == "Kassym-Jomart Tokayev"
    assert _state(result, "UZB", 2016).leader == "Islam Karimov"
    assert _state(result, "UZB", 2017).leader == "Shavkat Mirziyoyev"
    assert (result.states.leader != "").all()
    assert _dyad(result, "KZK", "RUS", 2000).contiguity == 1
    assert _dyad(result, "TKM", "RUS", 2000).contiguity == 0  # Caspian, conttype 5
    assert _dyad(result, "USA", "CHN", 2000).contiguity == 0


def test_every_parameter_has_a_source_in_provenance(result):
    prov = result.provenance
    years = range(1991, 2025)
    for entity_col, params, table in (("state", cal.STATE_PARAMS, result.states), (None, cal.DYAD_PARAMS, result.dyads)):
        entities = table.state.unique() if entity_col else (table.a + "-" + table.b).unique()
        for entity in entities:
            for param in params:
                rows = prov[(prov.entity == entity) & (prov.parameter == param)]
                assert len(rows), (entity, param)
                covered = set()
                for _, r in rows.iterrows():
                    assert r.data or r.evidence, (entity, param)
                    covered |= set(range(r.year_start, r.year_end + 1))
                assert covered >= set(years), (entity, param)


def test_gap_rule_known_answer():
    wide = pd.DataFrame({"x": [np.nan, 1.0, np.nan, 3.0, np.nan], "y": [np.nan] * 5}, index=range(2000, 2005))
    filled, flags = cal.fill_gaps(wide, "p", missing=0.0)
    assert filled.x.tolist() == [1.0, 1.0, 2.0, 3.0, 3.0]
    assert flags.x.tolist() == ["p:carried_backward", "", "p:interpolated", "", "p:carried_forward"]
    assert filled.y.tolist() == [0.0] * 5 and set(flags.y) == {"p:no_data"}


def test_state_subset_renormalises(result):
    sub = cal.calibrate(["RUS", "KZK", "UZB"], 2000, 2002)
    assert len(sub.states) == 9 and len(sub.dyads) == 18
    np.testing.assert_allclose(sub.states.groupby("year").power.sum(), 1.0)
    assert _state(sub, "RUS", 2000).power > _state(result, "RUS", 2000).power


def test_explain_shows_gap_flags_and_nearest_data_rows(result):
    text = cal.explain(result, "KZK", "power", 2023)
    assert "power:carried_forward" in text
    assert "nmc_v7_subset.csv:" in text and "year=2022" in text  # the observed year the value came from
    with pytest.raises(InputError, match="parameter"):
        cal.explain(result, "KZK", "charisma", 2000)


def test_malformed_data_row_names_file_line_and_field(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "seeds/data", data)
    path = data / "nmc_v7_subset.csv"
    lines = path.read_text().splitlines()
    cells = lines[4].split(",")
    cells[0] = "999"  # an unknown state code on line 5
    lines[4] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        cal.calibrate(data_dir=data)
    assert info.value.line == 5 and info.value.field == "ccode" and "nmc_v7_subset.csv" in info.value.file


def test_bad_states_and_years_are_input_errors():
    with pytest.raises(InputError, match="states"):
        cal.calibrate(["RUS", "XYZ"])
    with pytest.raises(InputError, match="end"):
        cal.calibrate(["RUS", "KZK"], 2000, 1999)


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_cli_calibrate_is_deterministic_and_matches_committed_tables(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    r1 = _cli("calibrate", "--out", str(first), "--report", str(tmp_path / "report"))
    r2 = _cli("calibrate", "--out", str(second))
    assert r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr
    for name in ("central_asia_states.csv", "central_asia_dyads.csv", "provenance.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
        assert (first / name).read_bytes() == (ROOT / "seeds/calibrated" / name).read_bytes(), \
            f"seeds/calibrated/{name} is stale: rerun alliance-sim calibrate"
    report = (tmp_path / "report" / "calibration_report.md").read_text()
    assert "power_shares.png" in report
    assert_real_figure(tmp_path / "report" / "interests.png")
    assert not [p for p in first.iterdir() if p.name.startswith(".")]  # temp dir cleaned up


def test_cli_explain_param_and_errors(tmp_path):
    out = _cli("explain-param", "UZB", "RUS", "interests", "1995")
    assert out.returncode == 0, out.stderr
    assert "E038" in out.stdout and "E019" not in out.stdout and "E033" not in out.stdout
    bad = _cli("explain-param", "KZK", "charisma", "2000")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "charisma" in bad.stderr
    bad = _cli("explain-param", "XYZ", "power")  # an unknown id lists the valid ones
    assert bad.returncode == 2 and "XYZ" in bad.stderr and "KZK, RUS" in bad.stderr
    bad = _cli("explain-param", "KZK", "XYZ", "interests")
    assert bad.returncode == 2 and "KZK XYZ" in bad.stderr and "KZK, RUS" in bad.stderr
    bad = _cli("explain-param", "KZK", "power", "1800")
    assert bad.returncode == 2 and "1991-2024" in bad.stderr
    bad = _cli("calibrate", "--states", "RUS,XYZ", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and not (tmp_path / "x").exists()


def test_polity_fallback_is_put_on_the_vdem_scale_by_the_overlap_line():
    """Known answer: where V-Dem = 0.1 + 0.04 x polity2 exactly, the line is recovered."""
    vdem = pd.DataFrame({"ccode": [1, 1, 2, 2], "year": [2000, 2001, 2000, 2001],
                         "v2x_polyarchy": [0.1 + 0.04 * p for p in (-10, 0, 5, 10)]})
    data = {"vdem_v14_focal_subset.csv": vdem,
            "democracy_vdem10_polity_quds_subset.csv": vdem.assign(year=1950, v2x_polyarchy=np.nan),
            "polity5_subset.csv": pd.DataFrame({"ccode_cow": [1, 1, 2, 2], "year": [2000, 2001, 2000, 2001],
                                                "polity2": [-10.0, 0.0, 5.0, 10.0]})}
    intercept, slope = cal.polity_on_vdem_scale(data, 1970)
    assert intercept == pytest.approx(0.1) and slope == pytest.approx(0.04)


def test_polity_fallback_full_democracy_sits_among_vdem_democracies_not_above():
    """Austria 1946-54 has only Polity (polity2 = 10); V-Dem v10 begins in 1955 (0.789)."""
    out = cal.calibrate(["USA", "RUS", "AUS", "UKG"], 1950, 1955)
    aus = out.states[out.states.state == "AUS"].set_index("year")
    intercept, slope = cal.polity_on_vdem_scale(
        {name: cal.read_data(cal.DEFAULT_DATA, name, _all_codes())
         for name in ("vdem_v14_focal_subset.csv", "democracy_vdem10_polity_quds_subset.csv", "polity5_subset.csv")},
        1970)
    assert aus.democracy.loc[1954] == pytest.approx(intercept + 10 * slope, abs=1e-9)
    assert "democracy:polity_fallback" in aus["flags"].loc[1954]
    assert 0.6 < aus.democracy.loc[1954] < 0.75  # not 1.0, above every V-Dem democracy of the time
    assert abs(aus.democracy.loc[1955] - aus.democracy.loc[1954]) < 0.15  # no big jump where V-Dem begins


def test_trade_zeros_are_non_reports_and_a_gap_takes_the_nearest_recorded_share(result):
    """COW records Kazakh-Russian trade in 1992-93 as both flows 0 (a non-report: Russia was
    Kazakhstan's main partner). Those years take 1994's dependence, carried back as a share,
    not 1994's flow set against the smaller national totals of 1992-93."""
    dy = pd.read_csv(ROOT / "seeds/data/cow_dyadic_trade_v4_subset.csv")
    nat = pd.read_csv(ROOT / "seeds/data/cow_national_trade_v4_subset.csv").set_index(["ccode", "year"])
    zero = dy[(dy.ccode1 == 365) & (dy.ccode2 == 705) & (dy.year == 1993)].iloc[0]
    assert zero.flow1 == 0 and zero.flow2 == 0  # what the data says
    row = dy[(dy.ccode1 == 365) & (dy.ccode2 == 705) & (dy.year == 1994)].iloc[0]
    share_1994 = (row.flow1 + row.flow2) / (nat.loc[(705, 1994)].imports + nat.loc[(705, 1994)].exports)
    assert _dyad(result, "KZK", "RUS", 1993).trade == pytest.approx(share_1994)
    assert _dyad(result, "KZK", "RUS", 1994).trade == pytest.approx(share_1994)
    # 1992 is carried back too; there Kazakhstan's recorded trade with China alone is 39% of
    # its small national total, so its shares are scaled to sum to 1 (documented rule)
    kz_ru = _dyad(result, "KZK", "RUS", 1992)
    assert "trade:carried_backward" in kz_ru["flags"] and "trade:scaled_to_partners" in kz_ru["flags"]
    assert 0.3 < kz_ru.trade < share_1994


def _all_codes() -> set[int]:
    states = pd.read_csv(cal.DEFAULT_DATA / cal.STATE_LIST)
    return set(states.ccode.astype(int))


def test_a_state_never_seen_voting_in_the_un_has_no_vote_term_in_interests():
    """The GDR (no UN seat before 1973) has interests 0 with everyone, not the distance to ideal point 0."""
    out = cal.calibrate(["USA", "RUS", "GDR", "UKG"], 1950, 1952)
    gdr = _dyad(out, "GDR", "RUS")
    assert (gdr.interests == 0.0).all() and gdr["flags"].str.contains("interests:no_data").all()
    assert (_dyad(out, "USA", "GDR").interests == 0.0).all()
    usa_rus = _dyad(out, "USA", "RUS", 1950)  # both voted: the distance formula as before
    ideal = pd.read_csv(cal.DEFAULT_DATA / "un_idealpoints_jul2025_subset.csv").set_index(["ccode", "year"])
    gap = abs(ideal.idealpointfp.loc[(2, 1950)] - ideal.idealpointfp.loc[(365, 1950)])
    rule = out.rules["rules"]["interests"]
    assert usa_rus.interests == pytest.approx(max(-1.0, 1 - 2 * gap / rule["scale"]), abs=1e-6)


def test_the_ussr_rows_of_1991_are_not_read_for_russia_when_a_successor_is_in_the_system():
    """Known answer: NMC code 365 in 1991 is the USSR (CINC 0.103233; Russia 1992: 0.067215)."""
    with_successor = cal.calibrate(["RUS", "KZK", "USA"], 1991, 1992)
    rus = with_successor.states[with_successor.states.state == "RUS"].set_index("year")
    nmc = pd.read_csv(cal.DEFAULT_DATA / "nmc_v7_subset.csv").set_index(["ccode", "year"]).cinc
    usa = with_successor.states[with_successor.states.state == "USA"].set_index("year")
    # Kazakhstan's 1991 CINC is rebuilt (no 1991 military figures: rule power), so the known
    # answer is Russia against the United States: Russia's 1992 CINC over the US 1991 one.
    assert rus.power.loc[1991] / usa.power.loc[1991] == pytest.approx(nmc[(365, 1992)] / nmc[(2, 1991)], rel=1e-9)
    assert "power:carried_backward" in rus["flags"].loc[1991]
    assert "trade:carried_backward" in _dyad(with_successor, "RUS", "USA", 1991)["flags"]
    alone = cal.calibrate(["RUS", "USA"], 1991, 1992)  # no successor: the Union's row is read as it is
    assert _state(alone, "RUS", 1991).power == pytest.approx(nmc[(365, 1991)] / (nmc[(365, 1991)] + nmc[(2, 1991)]))


def test_a_border_coded_from_a_states_system_entry_is_carried_back_with_the_state():
    """COW codes West Germany's border with France from 1955-05 (its entry), not from 1949."""
    out = cal.calibrate(["GFR", "FRN", "ITA", "GDR", "POL"], 1946, 1955)
    gfr_frn = _dyad(out, "GFR", "FRN")
    assert (gfr_frn.contiguity == 1).all()
    assert gfr_frn["flags"].loc[1946:1954].str.contains("contiguity:carried_backward").all()
    assert "contiguity:carried_backward" not in gfr_frn["flags"].loc[1955]
    assert _dyad(out, "GDR", "POL").contiguity.loc[1946] == 1  # GDR enters 1954-03, its Polish border with it
    assert (_dyad(out, "FRN", "ITA").contiguity == 1).all()  # both in the system: as coded, no flag
    assert not _dyad(out, "FRN", "ITA")["flags"].str.contains("contiguity:carried_backward").any()
    assert (_dyad(out, "GFR", "POL").contiguity == 0).all()  # no border at all: stays 0


# --------------------------------------------------------------------------- spikes, CINC, offense splice

def test_spike_rule_known_answers():
    """A run of up to max_run values over factor x both recorded neighbours is blanked; a level
    change that stays, a run too long, an edge value and a smaller jump are not."""
    nan = np.nan
    assert cal.spike_cells([10, 11, 100, 12, 13], 4, 2).tolist() == [False, False, True, False, False]
    assert cal.spike_cells([45, nan, nan, 400, 400, nan, 50], 4, 2).tolist() == \
        [False, False, False, True, True, False, False]  # neighbours are the nearest recorded years
    assert cal.spike_cells([100, 100, 5, 100], 4, 2).tolist() == [False, False, True, False]  # a dip
    assert not cal.spike_cells([10, 10, 100, 100, 100], 4, 2).any()  # a level that stays
    assert not cal.spike_cells([10, 100, 100, 100, 10], 4, 2).any()  # three years: longer than max_run
    assert not cal.spike_cells([100, 10, 11], 4, 2).any()  # the first value has no left neighbour
    assert not cal.spike_cells([10, 35, 10], 4, 2).any()  # 3.5x: under the factor (US 1946-47 is 3.2x)
    assert not cal.spike_cells([0, 100, 0], 4, 2).any()  # zeros are no neighbours


def test_soviet_exports_of_1947_are_a_spike_and_economy_is_interpolated():
    """COW national trade 365/1947: exports 7,708.8 M$ between 653.7 (1946) and 1,308.1 (1948)."""
    out = cal.calibrate(["RUS", "USA", "UKG"], 1946, 1948)
    rus = out.states[out.states.state == "RUS"].set_index("year")
    nat = pd.read_csv(cal.DEFAULT_DATA / "cow_national_trade_v4_subset.csv").set_index(["ccode", "year"])
    total = nat.imports + nat.exports
    rus_1947 = (total[(365, 1946)] + total[(365, 1948)]) / 2
    expected = rus_1947 / (rus_1947 + total[(2, 1947)] + total[(200, 1947)])
    assert rus.economy.loc[1947] == pytest.approx(expected, rel=1e-9)
    assert "economy:spike_dropped" in rus["flags"].loc[1947]
    assert "economy:interpolated" in rus["flags"].loc[1947]
    assert "spike" not in rus["flags"].loc[1946] + rus["flags"].loc[1948]


def test_cinc_world_totals_are_recovered_from_a_synthetic_year():
    """Known answer: six states, NMC's rule n x CINC = sum of component / world total."""
    world = np.array([1000.0, 50.0, 400.0, 2000.0, 300.0, 90.0])
    rng = np.random.default_rng(3)
    parts = rng.uniform(1, 40, size=(8, 6))
    parts[2, 1] = np.nan  # a missing component leaves the mean over five
    shares_ = np.where(np.isnan(parts), 0.0, parts) / world
    cinc = shares_.sum(axis=1) / (~np.isnan(parts)).sum(axis=1)
    frame = pd.DataFrame(parts, columns=cal.CINC_COMPONENTS).assign(year=2000, cinc=cinc)
    weights = cal.cinc_weights(frame)
    np.testing.assert_allclose(weights.loc[2000].to_numpy(), 1 / world, rtol=1e-9)
    frame.loc[0, "cinc"] *= 1.5  # equations that do not fit: no weights, the published CINC stays
    assert cal.cinc_weights(frame).empty


def test_afghan_power_1999_2000_rebuilt_from_gap_filled_components():
    """NMC AFG milper 400 (1999-2000) between 45 (1994) and 50 (2002) is a spike; CINC is rebuilt
    from the components with milper interpolated, so 1999-2000 no longer triple 1998's score."""
    out = cal.calibrate(["AFG", "USA", "RUS", "CHN"], 1994, 2002)
    afg = out.states[out.states.state == "AFG"].set_index("year")
    assert afg.power.loc[1999] < 1.2 * afg.power.loc[1998]
    assert afg["flags"].loc[1999].count("power:") == 2  # components_filled and spike_dropped
    nmc = pd.read_csv(cal.DEFAULT_DATA / "nmc_v7_subset.csv")
    weights = cal.cinc_weights(nmc)
    row = nmc[(nmc.ccode == 700) & (nmc.year == 1999)].iloc[0]
    parts = row[cal.CINC_COMPONENTS].astype(float).copy()
    parts["milper"] = 45 + (50 - 45) * (1999 - 1994) / (2002 - 1994)  # the gaps rule's interpolation
    afg_cinc = float((parts * weights.loc[1999]).sum() / 6)
    others = nmc[(nmc.year == 1999) & nmc.ccode.isin([2, 365, 710])].cinc.sum()
    assert afg.power.loc[1999] == pytest.approx(afg_cinc / (afg_cinc + others), rel=1e-6)
    usa = out.states[out.states.state == "USA"].set_index("year")
    assert "power:" not in usa["flags"].loc[1999]  # complete components: NMC's CINC as published


def test_nmc_splice_uses_the_nearest_overlap_years_of_its_own_segment():
    """Known answers on a synthetic state: ratio 0.5 before a 10x NMC break, 2.0 after it."""
    years = pd.Index(range(2000, 2010))
    nmc = pd.Series([100, 100, 100, 100, 1000, 1000, np.nan, 1000, 10, 10], index=years, dtype=float)
    sipri = pd.Series([50, 50, np.nan, np.nan, 2000, np.nan, np.nan, np.nan, np.nan, np.nan], index=years)
    converted, unread, _ = cal.splice_nmc(nmc, sipri, 1.0, 4.0, 3)
    assert converted[2002] == converted[2003] == pytest.approx(50.0)  # 100 x 0.5 (years 2000, 2001)
    assert converted[2005] == converted[2007] == pytest.approx(2000.0)  # 1000 x 2.0 (2004), not 0.5
    assert unread[2008] and unread[2009] and np.isnan(converted[2008])  # no overlap in its segment
    assert np.isnan(converted[2000]) and np.isnan(converted[2004])  # SIPRI recorded: not converted
    alone, unread_alone, how = cal.splice_nmc(nmc, pd.Series(np.nan, index=years), 1.5, 4.0, 3)
    assert alone[2009] == pytest.approx(15.0) and not unread_alone.any() and "1.5000" in how


def test_uzbek_offense_reads_sipri_current_dollars_and_not_nmc_across_its_breaks():
    """SIPRI current US$ 704/1995 112.68 M (constant-2022 24.92 M) is the share's numerator;
    NMC's 2005-07 and 2010-11 segments (76-94 M, 1,422 M after 2,400 M in 2004) have no SIPRI
    overlap and are not read: 2005-17 are interpolated between the spliced 2004 and SIPRI 2018."""
    out = cal.calibrate(["UZB", "KZK", "RUS", "USA", "CHN"], 1991, 2024)
    s = out.states.set_index(["state", "year"])
    cur = pd.read_csv(cal.DEFAULT_DATA / "sipri_milex_1949_2023_subset.csv").set_index(
        ["ccode", "year"]).milex_current_usd_m
    codes = {"UZB": 704, "KZK": 705, "RUS": 365, "USA": 2, "CHN": 710}
    total_1995 = sum(cur[(c, 1995)] for c in codes.values())
    assert s.loc[("UZB", 1995), "offense"] == pytest.approx(cur[(704, 1995)] / total_1995, rel=1e-6)
    assert s.loc[("UZB", 1995), "offense"] > 0.5 * s.loc[("KZK", 1995), "offense"]
    nmc = pd.read_csv(cal.DEFAULT_DATA / "nmc_v7_subset.csv").set_index(["ccode", "year"]).milex / 1000
    ratio_2004 = np.median([cur[(704, y)] / nmc[(704, y)] for y in (2001, 2002, 2003)])
    assert "offense:nmc_fallback" in s.loc[("UZB", 2004), "flags"]
    assert "offense:nmc_unit_break" in s.loc[("UZB", 2005), "flags"]
    uzb_2004 = nmc[(704, 2004)] * ratio_2004
    uzb_2010 = uzb_2004 + (cur[(704, 2018)] - uzb_2004) * (2010 - 2004) / (2018 - 2004)
    others_2010 = sum(cur[(c, 2010)] for a, c in codes.items() if a != "UZB")
    assert s.loc[("UZB", 2010), "offense"] == pytest.approx(uzb_2010 / (uzb_2010 + others_2010), rel=1e-6)


def test_sipri_zero_and_implausible_current_dollar_cells_are_not_read():
    """SIPRI current US$ 0.0 (Kazakhstan 1993) and Tajikistan 1992-94 (0.000-0.003% of GDP) are
    not readings: those years come from NMC spliced by the nearest overlap years."""
    out = cal.calibrate(["KZK", "TAJ", "RUS"], 1992, 2000)
    s = out.states.set_index(["state", "year"])
    for state, year in (("KZK", 1993), ("TAJ", 1992), ("TAJ", 1994)):
        assert "offense:nmc_fallback" in s.loc[(state, year), "flags"], (state, year)
    assert "offense:nmc_fallback" not in str(s.loc[("KZK", 1995), "flags"])


# --------------------------------------------------------------------------- trade: breaks, lone zeros

def test_lone_zero_flow_known_answers():
    """A flow of 0 between two adjacent years of at least min_flow, the other direction positive."""
    frame = pd.DataFrame({"ccode1": 1, "ccode2": 2, "year": [2000, 2001, 2002, 2003, 2004, 2005],
                          "flow1": [40.0, 0.0, 12.0, 1.0, 0.0, 2.0],
                          "flow2": [5.0, 6.0, 7.0, 8.0, 9.0, 10.0]})
    assert cal.lone_zero_flows(frame, 4).tolist() == [False, True, False, False, False, False]
    frame.loc[1, "flow2"] = 0.0  # both flows 0: the both-zero rule's case, not this one
    assert not cal.lone_zero_flows(frame, 4).any()


def test_customs_union_years_and_lone_zeros_take_the_interpolated_share(result):
    """KZK-RUS 2010-11 (reporting break) and USA-TAJ 2007 (US exports 0 between 62 and 8 M US$)
    are not recorded: the dependence is the straight line between the recorded neighbours."""
    kzk = _dyad(result, "KZK", "RUS")
    for year in (2010, 2011):
        expected = kzk.trade.loc[2009] + (kzk.trade.loc[2012] - kzk.trade.loc[2009]) * (year - 2009) / 3
        assert kzk.trade.loc[year] == pytest.approx(expected, abs=1e-6)
        assert "trade:reporting_break" in kzk["flags"].loc[year]
    assert "trade:reporting_break" not in str(kzk["flags"].loc[2009]) + str(kzk["flags"].loc[2012])
    taj = _dyad(result, "TAJ", "USA")
    assert taj.trade.loc[2007] == pytest.approx((taj.trade.loc[2006] + taj.trade.loc[2008]) / 2, abs=1e-6)
    assert "trade:lone_zero" in taj["flags"].loc[2007]


def test_a_reporting_break_without_states_or_years_is_an_input_error():
    with pytest.raises(InputError, match="reporting_breaks"):
        cal.reporting_breaks({"reporting_breaks": [{"ccodes": [365], "years": [2010, 2011]}]})
    assert ((365, 705), 2011) in cal.reporting_breaks({"reporting_breaks": [{"ccodes": [705, 365], "years": [2010, 2011]}]})


# --------------------------------------------------------------------------- states outside the system, no record

def test_outside_system_reads_the_cow_spells():
    """Austria: spells 1919-38 and 1955-2016 (2016 = still in); Poland from 1945; no list, none outside."""
    states = pd.read_csv(cal.DEFAULT_DATA / cal.STATE_LIST)
    out = cal.outside_system(states, [305, 290, 265], np.arange(1946, 1956))
    assert out[305].tolist() == [True] * 9 + [False]
    assert not out[290].any()
    assert out[265].loc[1953] and not out[265].loc[1954]  # GDR enters March 1954
    later = cal.outside_system(states, [705], np.arange(2015, 2025))
    assert not later.to_numpy().any()  # the list ends in 2016: later years count as inside
    assert not cal.outside_system(None, [305], np.arange(1946, 1956)).to_numpy().any()


def test_carry_share_back_known_answer():
    """Entry-year share 0.2 carried back to 1946-47; the others keep their ratio and the year sums to 1."""
    share = pd.DataFrame({"A": [0.5, 0.4, 0.2], "B": [0.25, 0.3, 0.4], "C": [0.25, 0.3, 0.4]},
                         index=[1946, 1947, 1948])
    carried = pd.DataFrame(False, index=share.index, columns=share.columns)
    carried.loc[[1946, 1947], "A"] = True
    out = cal.carry_share_back(share, carried)
    assert out["A"].tolist() == pytest.approx([0.2, 0.2, 0.2])
    assert out.loc[1946, "B"] == pytest.approx(0.4) and out.loc[1946, "C"] == pytest.approx(0.4)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    assert out.loc[1948].tolist() == share.loc[1948].tolist()


def test_west_german_and_austrian_trade_shares_are_their_entry_year_shares_before_entry():
    """COW national trade has the FRG and Austria from 1955 only: their 1955 share of the system
    stands for 1946-54 (flagged not_in_system), not the 1955 dollars over a smaller 1946 total."""
    out = cal.calibrate(["USA", "UKG", "FRN", "GFR", "AUS"], 1946, 1955)
    s = out.states.set_index(["state", "year"])
    for state in ("GFR", "AUS"):
        assert s.loc[(state, 1946), "economy"] == pytest.approx(s.loc[(state, 1955), "economy"], abs=1e-9)
        assert "economy:not_in_system" in s.loc[(state, 1950), "flags"]
        assert "not_in_system" not in s.loc[(state, 1955), "flags"]
    np.testing.assert_allclose(out.states.groupby("year").economy.sum(), 1.0)
    trade = pd.read_csv(cal.DEFAULT_DATA / "cow_national_trade_v4_subset.csv").set_index(["ccode", "year"])
    total = (trade.imports + trade.exports)
    # USA and UKG recorded in 1946: their ratio is the data's, their sum 1 - the two carried shares
    assert s.loc[("USA", 1946), "economy"] / s.loc[("UKG", 1946), "economy"] == pytest.approx(
        total[(2, 1946)] / total[(200, 1946)], rel=1e-9)
    # the FRG's SIPRI rows of 1953-54 are readings before entry: kept, flagged
    assert "offense:not_in_system" in s.loc[("GFR", 1953), "flags"]
    assert "offense:carried_backward" not in s.loc[("GFR", 1953), "flags"]
    assert s.loc[("GFR", 1950), "offense"] == pytest.approx(s.loc[("GFR", 1953), "offense"], rel=1e-9)


def test_offense_from_power_known_answer():
    """C has no spending record: its share = its power x the median offense/power of A and B
    (1.0 and 0.5 -> 0.75), all rescaled by one factor so the year sums to 1."""
    years = [2000]
    share = pd.DataFrame({"A": [0.6], "B": [0.4], "C": [0.0]}, index=years)
    power = pd.DataFrame({"A": [0.6], "B": [0.8], "C": [0.2]}, index=years)  # ratios 1.0 and 0.5
    flags = pd.DataFrame({"A": [""], "B": ["offense:nmc_fallback"], "C": ["offense:no_data"]}, index=years)
    out, f = cal.offense_from_power(share, flags, power)
    k = 1.0 / (1.0 + 0.2 * 0.75)  # everyone rescaled: C's ratio is the median of the rescaled A and B
    assert out.loc[2000, "C"] == pytest.approx(0.2 * 0.75 * k)
    assert out.loc[2000, "C"] / 0.2 == pytest.approx(np.median([out.loc[2000, "A"] / 0.6, out.loc[2000, "B"] / 0.8]))
    assert out.loc[2000, "A"] / out.loc[2000, "B"] == pytest.approx(1.5)
    assert out.sum(axis=1).iloc[0] == pytest.approx(1.0)
    assert f.loc[2000, "C"] == "offense:no_data;offense:from_power" and f.loc[2000, "A"] == ""


def test_the_gdr_gets_offense_from_its_power_not_zero():
    out = cal.calibrate(["USA", "RUS", "POL", "GDR"], 1954, 1955)
    s = out.states.set_index(["state", "year"])
    for year in (1954, 1955):
        ratios = [s.loc[(x, year), "offense"] / s.loc[(x, year), "power"] for x in ("USA", "RUS", "POL")]
        assert s.loc[("GDR", year), "offense"] == pytest.approx(s.loc[("GDR", year), "power"] * np.median(ratios),
                                                                rel=1e-9)
        assert s.loc[("GDR", year), "offense"] > 0
        assert "offense:from_power" in s.loc[("GDR", year), "flags"]
    np.testing.assert_allclose(out.states.groupby("year").offense.sum(), 1.0)


# --------------------------------------------------------------------------- currency reforms

def test_a_currency_reform_cuts_the_nmc_splice_and_its_year_is_not_read():
    """A 3x step at a reform (below break_factor 4) still cuts the series; the reform year is not read."""
    years = pd.Index(range(2000, 2006))
    nmc = pd.Series([300, 300, 200, 100, 100, 100], index=years, dtype=float)
    sipri = pd.Series([np.nan, np.nan, np.nan, 200, 200, 200], index=years)
    converted, unread, _ = cal.splice_nmc(nmc, sipri, 1.0, 4.0, 3)
    assert converted[2000] == pytest.approx(600.0)  # no reform: one segment, ratio 2.0 read across
    converted, unread, _ = cal.splice_nmc(nmc, sipri, 1.0, 4.0, 3, reforms={2002})
    assert np.isnan(converted[2000]) and unread[2000] and unread[2001]  # old currency: no overlap
    assert unread[2002] and np.isnan(converted[2002])  # the reform year mixes the two


def test_polish_offense_before_the_1950_zloty_reform_is_not_read_from_nmc():
    out = cal.calibrate(["USA", "UKG", "RUS", "POL"], 1946, 1955)
    s = out.states.set_index(["state", "year"])
    assert "offense:currency_reform" in s.loc[("POL", 1950), "flags"]
    assert "offense:carried_backward" in s.loc[("POL", 1949), "flags"]
    sipri = pd.read_csv(cal.DEFAULT_DATA / "sipri_milex_1949_2023_subset.csv").set_index(["ccode", "year"])
    # 1950 is filled with SIPRI's first Polish figure (950 M US$ in 1951), so Poland is the same
    # fraction of the UK as 950 M is of the UK's 1950 SIPRI current figure
    ratio = s.loc[("POL", 1950), "offense"] / s.loc[("UKG", 1950), "offense"]
    assert ratio == pytest.approx(sipri.milex_current_usd_m[(290, 1951)] / sipri.milex_current_usd_m[(200, 1950)],
                                  rel=1e-6)
    assert s.loc[("POL", 1949), "offense"] < s.loc[("UKG", 1949), "offense"]


def test_a_currency_reform_without_a_source_is_an_input_error():
    with pytest.raises(InputError, match="currency_reforms"):
        cal.currency_reforms({"currency_reforms": [{"ccode": 290, "year": 1950}]})
    with pytest.raises(InputError, match="whole-number"):
        cal.currency_reforms({"currency_reforms": [{"ccode": "Poland", "year": 1950, "source": "x"}]})
    assert cal.currency_reforms({"currency_reforms": [{"ccode": 290, "year": 1950, "source": "x"}]}) == {290: {1950}}


# --------------------------------------------------------------------------- UN votes: thin estimates, unseen states

def test_a_thin_vote_estimate_is_interpolated_and_a_few_vote_one_flagged(result):
    """TKM 1996: 5 final-passage votes against the year's median 63 -> not read; 1995 (13 of 58) read, flagged."""
    ideal = pd.read_csv(cal.DEFAULT_DATA / "un_idealpoints_jul2025_subset.csv").set_index(["ccode", "year"])
    rule = result.rules["rules"]["ideology_west"]
    scale = lambda ip: (ip - rule["low"]) / (rule["high"] - rule["low"])  # noqa: E731
    tkm = result.states[result.states.state == "TKM"].set_index("year")
    expected = scale((ideal.idealpointfp[(701, 1995)] + ideal.idealpointfp[(701, 1997)]) / 2)
    assert tkm.ideology_west.loc[1996] == pytest.approx(expected, abs=1e-6)
    assert "ideology_west:thin_votes" in tkm["flags"].loc[1996]
    assert tkm.ideology_west.loc[1995] == pytest.approx(scale(ideal.idealpointfp[(701, 1995)]), abs=1e-6)
    assert "ideology_west:few_votes" in tkm["flags"].loc[1995]
    assert "votes" not in str(tkm["flags"].loc[1997])
    assert "interests:thin_votes" in _dyad(result, "TKM", "RUS", 1996)["flags"]


def test_thin_votes_is_relative_to_the_years_median():
    frame = pd.DataFrame({"ccode": [1, 2, 3, 1, 2, 3], "year": [2000] * 3 + [2001] * 3,
                          "nvotesfp": [50.0, 60.0, 9.0, 5.0, 6.0, 1.0]})
    thin = cal.thin_votes(frame, "nvotesfp", [1, 2, 3], np.array([2000, 2001]), 0.2)
    assert thin[3].tolist() == [True, False]  # 9 < 0.2 x 50; 1 is not < 0.2 x 5
    assert not thin[[1, 2]].to_numpy().any()


def test_a_state_never_seen_voting_takes_the_midpoint_of_the_years_range():
    """Italy and Albania (no UN seat before December 1955) sit midway between the lowest and the
    highest ideology_west read that year (flagged), not at ideal point 0 and not at the median."""
    out = cal.calibrate(["USA", "RUS", "UKG", "POL", "FRN", "ITA", "ALB"], 1950, 1951)
    s = out.states.set_index(["state", "year"])
    for year in (1950, 1951):
        read = [s.loc[(x, year), "ideology_west"] for x in ("USA", "RUS", "UKG", "POL", "FRN")]
        assert s.loc[("ITA", year), "ideology_west"] == pytest.approx((min(read) + max(read)) / 2, abs=1e-12)
        assert s.loc[("ALB", year), "ideology_west"] == s.loc[("ITA", year), "ideology_west"]
        assert "ideology_west:system_midpoint" in s.loc[("ALB", year), "flags"]
    assert (_dyad(out, "ITA", "ALB").interests == 0.0).all()  # the vote term stays out


@pytest.mark.parametrize("file, edit, field, line", [
    ("data/nmc_v7_subset.csv", lambda t: "", None, None),  # empty: pandas' EmptyDataError
    ("data/nmc_v7_subset.csv", lambda t: t.replace("\n705,KZK,2000,", "\n705,KZK,2000,9,", 1), None, "235"),
    ("data/nmc_v7_subset.csv", lambda t: t.replace("\n705,KZK,2000,", "\n705,KZK,2000.5,", 1), "year", "235"),
    ("data/cow_capitals_subset.csv", lambda t: t.replace(",51.1", ",999.1", 1) if ",51.1" in t else t + "x", "lat", None),
    ("data/vdem_v14_focal_subset.csv", lambda t: t.replace("\n704,Uzbekistan,UZB,2010,0.163,", "\n704,Uzbekistan,UZB,2010,5,", 1),
     "v2x_polyarchy", None),
    ("data/cow_contiguity_v3_2_subset.csv", lambda t: t.replace(",1959-01-01,", ",notadate,", 1), "stdate", "2"),
    ("calibration_rules.yaml", lambda t: t.replace("    baseline: 0.2\n", "    baseline: abc\n", 1), "rules.intent.baseline", None),
    ("calibration_rules.yaml", lambda t: t.replace("    baseline: 0.2\n", "    baseline: .nan\n", 1), "rules.intent.baseline", None),
    ("calibration_rules.yaml", lambda t: t.replace("version: 1\n", "version: 2\n", 1), "version", "16"),
    ("calibration_rules.yaml", lambda t: t + "leader:\n  x: 1\n", "leader", None),
], ids=["empty", "ragged", "fractional_year", "latitude", "polyarchy", "date", "rule_text", "rule_nan", "version",
        "misspelt_section"])
def test_malformed_or_impossible_calibration_data_is_refused_by_file_and_field(tmp_path, file, edit, field, line):
    """Each was a pandas or Python traceback, or went into the calibrated inputs without a word
    (a capital at latitude 999, a democracy score of 5)."""
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds, ignore=shutil.ignore_patterns("calibrated", "reference"))
    target = seeds / file
    before = target.read_text()
    after = edit(before)
    assert after != before, "the edit must change the file"
    target.write_text(after)
    res = subprocess.run([sys.executable, "-m", "sim", "calibrate", "--data", str(seeds / "data"),
                          "--evidence", str(seeds / "evidence.csv"), "--documents", str(seeds / "documents.yaml"),
                          "--rules", str(seeds / "calibration_rules.yaml"), "--out", str(tmp_path / "cal")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2 and len(lines) == 1 and "Traceback" not in res.stderr, res.stderr[-2000:]
    assert Path(file).name in lines[0]
    if field:
        assert f"field '{field}'" in lines[0], lines[0]
    if line:
        assert f"{Path(file).name}:{line}:" in lines[0], lines[0]
    assert not (tmp_path / "cal").exists()


def test_explain_param_reads_a_fractional_year_as_a_year_and_shows_data_rows_as_written():
    """'2000.0' was read as a third state id ('expected two different state ids, got KZK power'),
    and dyadic trade rows came out as floats (ccode1=704.0, year=2010.0)."""
    res = subprocess.run([sys.executable, "-m", "sim", "explain-param", "KZK", "power", "2000.0"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "field 'YEAR': expected a whole year, got '2000.0'" in res.stderr
    res = subprocess.run([sys.executable, "-m", "sim", "explain-param", "KZK", "UZB", "trade", "2010"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    rows = [ln for ln in res.stdout.splitlines() if "cow_dyadic_trade_v4_subset.csv:" in ln]
    assert rows and "ccode1=704," in rows[0] and "year=2010," in rows[0] and ".0," not in rows[0].split("flow")[0]


def test_calibrate_report_into_a_folder_of_other_files_is_refused(tmp_path):
    """--report wrote its report and figures into any folder, over files of the same names
    and beside others (the data folder included); an earlier report's folder is reused."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me\n")
    args = [sys.executable, "-m", "sim", "calibrate", "--out", str(tmp_path / "cal")]
    res = subprocess.run(args + ["--report", str(mine)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 2 and "field '--report'" in res.stderr and "notes.txt" in res.stderr, res.stderr
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"] and not (tmp_path / "cal").exists()
    for _ in range(2):
        res = subprocess.run(args + ["--report", str(tmp_path / "rep")], cwd=ROOT, capture_output=True, text=True,
                             timeout=300)
        assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (tmp_path / "rep").iterdir()) == sorted(cal.REPORT_FILES)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_suggest_refuses_a_document_that_is_not_utf8_naming_the_byte(tmp_path, capsys, bom):
    """A Latin-1 byte (\\xe9) was replaced by U+FFFD with exit 0: passages were quoted with a
    letter the document does not hold."""
    from sim.cli.main import main
    doc = tmp_path / "latin1.txt"
    doc.write_bytes(bom + b"Kazakhstan and Uzbekistan.\nRussia \xe9 threat 2005 alliance.\n")
    assert main(["evidence", "suggest", str(doc)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (f"alliance-sim: error: {doc}:2: expected UTF-8 text (a plain-text document, or "
                           "UTF-16 with a byte-order mark); byte 0xe9 on line 2 is not UTF-8 (save the file "
                           "as UTF-8)")
    doc.write_bytes(bom + "Russia \u00e9 threat".encode())  # the same letter in UTF-8 is read
    assert main(["evidence", "suggest", str(doc)]) == 0


@pytest.mark.parametrize("dimension", ["doctrine_neutrality", "doctrine_multivector",
                                       "autonomy_sensitivity", "bandwagon_propensity"])
def test_a_state_dimension_record_names_exactly_one_state(tmp_path, dimension):
    """'TKM;UZB' on a one-state trait passed the check, and the calibration credited the
    claim to TKM alone (actors[0]): UZB's share vanished without a word."""
    from sim.calibration import evidence as ev
    ledger = tmp_path / "evidence.csv"
    shipped = (ROOT / "seeds/evidence.csv").read_text()
    lines = shipped.rstrip("\n").count("\n") + 1
    ledger.write_text(shipped.rstrip("\n") + f'\nE951,burkov2014,"p",TKM;UZB,{dimension},1,3,2005,2006,"x",0.7,calibration\n')
    with pytest.raises(InputError) as err:
        ev.load_ledger(ledger, ROOT / "seeds/documents.yaml")
    assert (err.value.file, err.value.line, err.value.field) == (str(ledger), lines + 1, "actors")
    assert f"exactly one state for the state dimension {dimension}" in str(err.value)
    assert err.value.got == "TKM;UZB"
    ledger.write_text(shipped.rstrip("\n") + f'\nE951,burkov2014,"p",TKM,{dimension},1,3,2005,2006,"x",0.7,calibration\n')
    assert len(ev.load_ledger(ledger, ROOT / "seeds/documents.yaml")) == len(ev.load_ledger()) + 1


def test_leader_affinity_keeps_its_counterparts():
    """leader_affinity is directed: the holder and the leaders regarded (the shipped ledger
    has records with two and three states), so it is not held to one state."""
    from sim.calibration import evidence as ev
    records = ev.load_ledger()
    sizes = {len(r.actors) for r in records if r.dimension == "leader_affinity"}
    assert {2, 3} <= sizes
    assert not ev.one_state("leader_affinity") and ev.one_state("doctrine_neutrality")


def test_votes_cast_for_a_government_ousted_from_the_capital_are_not_read(result):
    """Afghanistan 1996-2000 and 2021-24: the seat stayed with the delegation of the government
    the Taliban had ousted from Kabul, so those votes say nothing of the Taliban emirate. The pair's
    vote term is 0 (unseen) and ideology_west the year's system midpoint; 1995 and 2001 are read,
    and the gaps rule does not carry the Republic's 2020 position into 2021-24."""
    ideal = pd.read_csv(cal.DEFAULT_DATA / "un_idealpoints_jul2025_subset.csv").set_index(["ccode", "year"])
    scale = float(result.rules["rules"]["interests"]["scale"])
    afg = result.states[result.states.state == "AFG"].set_index("year")
    others = result.states[result.states.state != "AFG"].pivot(index="year", columns="state", values="ideology_west")
    for year in (1996, 2000, 2021, 2024):
        assert "ideology_west:seat_not_held" in afg["flags"].loc[year]
        expected = (others.loc[year].min() + others.loc[year].max()) / 2
        assert afg.ideology_west.loc[year] == pytest.approx(expected, abs=1e-12)
        row = _dyad(result, "AFG", "RUS", year)
        assert "interests:seat_not_held" in row["flags"] and row["interests"] == 0.0
    for year in (1995, 2001, 2020):
        assert "seat_not_held" not in afg["flags"].loc[year]
        gap = abs(ideal.idealpointfp[(700, year)] - ideal.idealpointfp[(365, year)])
        assert _dyad(result, "AFG", "RUS", year)["interests"] == pytest.approx(1 - 2 * gap / scale, abs=1e-6)


SEAT = {"ccode": 700, "from": 1996, "to": 2000, "holder": "x", "capital": "y", "source": "z"}


@pytest.mark.parametrize("spell, expected", [
    ({k: v for k, v in SEAT.items() if k != "source"}, "exactly ccode"),
    (dict(SEAT, untill=2001), "exactly ccode"),
    (dict(SEAT, **{"from": 2001, "to": 1996}), "from no later than to"),
    (dict(SEAT, ccode="Afghanistan"), "whole numbers"),
    (dict(SEAT, ccode="700"), "whole numbers"),
    (dict(SEAT, ccode=700.9), "whole numbers"),
    (dict(SEAT, **{"from": 1996.7}), "whole numbers"),
    (dict(SEAT, ccode=True), "whole numbers"),
    (dict(SEAT, ccode=7000), "a COW state code"),
    (dict(SEAT, holder=5), "text for holder"),
], ids=["no_source", "misspelt_key", "reversed", "name", "string_code", "fractional_code", "fractional_year",
        "bool_code", "code_out_of_range", "holder_not_text"])
def test_a_seat_spell_without_its_facts_is_refused(spell, expected):
    """A fraction was truncated, a misspelt key or an impossible code left the votes read."""
    with pytest.raises(InputError, match=r"seat_not_held\[0\]") as err:
        cal.check_seat_spells([spell])
    assert expected in str(err.value)


@pytest.mark.parametrize("value", ["700", "true", "{ccode: 700}"])
def test_a_seat_list_that_is_not_a_list_is_refused_naming_the_rules_file(tmp_path, value):
    """A number or true there was a TypeError traceback; the refusal named a fixed file name,
    not the rules file given."""
    rules = tmp_path / "my_rules.yaml"
    text = cal.DEFAULT_RULES.read_text()
    start = text.index("    seat_not_held:\n")
    end = text.index("    low: -2.0\n", start)
    rules.write_text(text[:start] + f"    seat_not_held: {value}\n" + text[end:])
    with pytest.raises(InputError, match="a list of entries") as err:
        cal.load_rules(rules)
    assert "my_rules.yaml" in str(err.value) and "rules.ideology_west.seat_not_held" in str(err.value)


def test_a_year_with_no_state_read_puts_the_unseen_at_the_middle_of_the_scale():
    """Afghanistan (seat held by the ousted government) and Switzerland (no UN seat) in 1996-97:
    no estimate is read, so there is no range to take the midpoint of; both had the rescaled
    ideal point 0 (0.36) without a flag."""
    out = cal.calibrate(["AFG", "SWZ"], 1996, 1997)
    s = out.states.set_index(["state", "year"])
    for key in [("AFG", 1996), ("SWZ", 1997)]:
        assert s.loc[key, "ideology_west"] == 0.5
        assert "ideology_west:scale_midpoint" in s.loc[key, "flags"]

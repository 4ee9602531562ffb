"""Counterfactual scenarios, the outcome probabilities of the ensembles, and the
mechanism variants of the theory tournament and the out-of-sample fit."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.model import inputs_for
from sim.scenario.schema import load_scenario
from tests.conftest import load_script

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "central_asia_1991_2024.yaml"
CF = ROOT / "scenarios" / "counterfactuals"
sys.path.insert(0, str(ROOT / "experiments" / "counterfactuals"))

import outcomes as oc  # noqa: E402


#: Each counterfactual file and the base events it (and only it) switches off.
#: Events a counterfactual adds in their place (only karimov_stays adds any) are named
#: "(counterfactual)" and listed in ADDED.
DROPPED = {
    "no_andijan_reaction": {"Andijan and the Western reaction"},
    "karimov_stays": {"Kazakh-Uzbek border still undemarcated", "Kyrgyz-Uzbek border partly settled"},
    "no_taliban_advance": {"Taliban advance toward the northern border (Kabul taken September 1996)"},
    "no_russian_wars": {"Russia-Georgia war", "Annexation of Crimea", "Russia's invasion of Ukraine"},
}


ADDED = {"karimov_stays": {"Kazakh-Uzbek disputes continue under Karimov (counterfactual)",
                           "Kyrgyz-Uzbek disputes continue under Karimov (counterfactual)",
                           "Tajik-Uzbek disputes continue under Karimov (counterfactual)"}}


def _comparable(sc) -> dict:
    """A scenario's content with file paths made absolute and the labels removed."""
    d = sc.model_dump(mode="json")
    for key in ("name", "description", "events"):
        d.pop(key)
    path = lambda v: str(sc.resolve(v).resolve()) if v else v  # noqa: E731
    d["inputs"] = {k: path(v) for k, v in d["inputs"].items()}
    d["pairs"]["csv"] = path(d["pairs"]["csv"])
    for key in ("reference", "bloc_reference", "patterns"):
        d[key] = path(d[key])
    return d


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


def test_every_counterfactual_file_is_covered():
    assert {p.stem for p in CF.glob("*.yaml")} == set(DROPPED)


@pytest.mark.parametrize("name", sorted(DROPPED))
def test_counterfactual_differs_only_in_its_events(name, baseline):
    cf = load_scenario(CF / f"{name}.yaml")
    base_names = [e.name for e in baseline.events]
    cf_names = [e.name for e in cf.events]
    added = ADDED.get(name, set())
    assert set(base_names) - set(cf_names) == DROPPED[name]
    assert set(cf_names) - set(base_names) == added
    kept = [n for n in cf_names if n not in added]
    assert kept == [n for n in base_names if n not in DROPPED[name]]  # order kept
    assert [e.model_dump() for e in cf.events if e.name not in added] == [
        e.model_dump() for e in baseline.events if e.name not in DROPPED[name]]
    assert _comparable(cf) == _comparable(baseline)
    text = (CF / f"{name}.yaml").read_text()
    assert text.splitlines()[1].startswith("# Counterfactual:")  # after the editors' schema line


def test_karimov_counterfactual_changes_only_uzbek_inputs_after_2016(baseline):
    """Keeping Karimov keeps Uzbekistan's disputes with its neighbours at their Karimov-era
    severity from 2017 on; no other input and no earlier year changes."""
    base = inputs_for(baseline)
    cf = inputs_for(load_scenario(CF / "karimov_stays.yaml"))
    ids = base.ids
    early = base.years < 2017
    for field in ("power", "offense", "economy", "multi_vector", "autonomy", "bandwagon", "interests",
                  "trade", "distance", "contiguity", "ideology", "intent"):
        np.testing.assert_array_equal(getattr(base, field), getattr(cf, field), err_msg=field)
    np.testing.assert_array_equal(base.dispute[early], cf.dispute[early])
    pairs = {tuple(sorted((ids[i], ids[j]))) for _, i, j in np.argwhere(base.dispute != cf.dispute)}
    assert pairs == {("KZK", "UZB"), ("KYR", "UZB"), ("TAJ", "UZB")}
    assert (cf.dispute[~early] >= base.dispute[~early]).all()


# --------------------------------------------------------------------------- outcomes
IDS = ["RUS", "KZK", "UZB", "USA"]
YEARS = list(range(2000, 2025))


def _ensemble(runs: int = 4) -> oc.Ensemble:
    T, n = len(YEARS), len(IDS)
    f = np.zeros((runs, T, n, n), dtype=np.int8)
    j = np.zeros_like(f)
    m = np.zeros((runs, T, n, 1), dtype=bool)
    return oc.Ensemble(f, j, m, IDS, ["CSTO"], YEARS)


def _set(a: np.ndarray, run: int, year: int, x: str, y: str, value: int) -> None:
    t, i, k = YEARS.index(year), IDS.index(x), IDS.index(y)
    a[run, t, i, k] = a[run, t, k, i] = value


def test_uzbek_csto_membership_by_year_and_ever():
    e = _ensemble()
    uzb = IDS.index("UZB")
    e.in_bloc[0, YEARS.index(2006):YEARS.index(2012), uzb, 0] = True  # history: 2006-2011
    e.in_bloc[1, YEARS.index(2012), uzb, 0] = True  # joins only after the window
    e.in_bloc[2, :, IDS.index("KZK"), 0] = True  # someone else's membership
    flags = oc.OUTCOMES["uzb_csto_ever_2006_2011"][1](e)
    assert flags.tolist() == [True, False, False, False]
    p, se = oc.probability(flags)
    assert p == 0.25 and se == pytest.approx(np.sqrt(0.25 * 0.75 / 4))
    yearly = oc.yearly_probabilities(e)
    row = yearly[(yearly.series == "uzb_in_csto")].set_index("year")["p"]
    assert row[2005] == 0 and row[2006] == 0.25 and row[2012] == 0.25 and row[2013] == 0


def test_stack_counts_membership_only_while_the_bloc_is_active():
    T, n = len(YEARS), len(IDS)
    h = {"de_facto": np.zeros((T, n, n)), "de_jure": np.zeros((T, n, n)),
         "members": np.ones((T, n, 1), bool), "bloc_active": np.zeros((T, 1), bool)}
    h["bloc_active"][YEARS.index(2010):] = True
    e = oc.stack([h, h], IDS, ["CSTO"], YEARS)
    assert e.member("UZB", "CSTO").sum(axis=1).tolist() == [15, 15]  # 2010..2024


def test_kazakh_uzbek_alliance_is_de_facto_partnership_not_csto_paper():
    e = _ensemble()
    _set(e.de_jure, 0, 2022, "KZK", "UZB", 3)  # paper only (e.g. both in the CSTO)
    _set(e.de_facto, 1, 2022, "KZK", "UZB", 2)  # partners in practice
    _set(e.de_facto, 2, 2019, "UZB", "KZK", 3)  # earlier, and lapsed by 2022
    _set(e.de_facto, 3, 2022, "KZK", "UZB", 2)
    _set(e.de_jure, 3, 2022, "KZK", "UZB", 2)
    assert oc.OUTCOMES["kzk_uzb_allied_2022"][1](e).tolist() == [False, True, False, True]
    assert oc.OUTCOMES["kzk_uzb_allied_by_2022"][1](e).tolist() == [False, True, True, True]
    assert oc.OUTCOMES["kzk_uzb_treaty_2022"][1](e).tolist() == [False, False, False, True]


def test_windows_any_and_all():
    e = _ensemble(runs=3)
    for r in range(3):
        for y in range(2000, 2025):
            _set(e.de_jure, r, y, "RUS", "KZK", 3)
            _set(e.de_facto, r, y, "RUS", "KZK", 2)
    _set(e.de_facto, 1, 2013, "RUS", "KZK", 1)  # one bad year breaks "throughout"
    _set(e.de_jure, 2, 2024, "RUS", "KZK", 2)  # and so does a lapsed treaty
    assert oc.OUTCOMES["rus_kzk_allied_throughout"][1](e).tolist() == [True, False, False]
    assert oc.OUTCOMES["rus_kzk_allied_2024"][1](e).tolist() == [True, True, False]
    _set(e.de_facto, 0, 2004, "UZB", "USA", 2)
    _set(e.de_facto, 1, 2005, "UZB", "USA", 3)  # outside 2001-2004
    assert oc.OUTCOMES["uzb_usa_close_2001_2004"][1](e).tolist() == [True, False, False]
    _set(e.de_facto, 2, 2006, "RUS", "UZB", 2)
    assert oc.OUTCOMES["rus_uzb_close_2005_2007"][1](e).tolist() == [False, False, True]
    with pytest.raises(ValueError):
        e.window(e.pair("RUS", "KZK", de_facto_min=2), 1950, 1960)


def test_compare_gives_difference_and_independent_standard_error():
    base = pd.DataFrame({"outcome": ["x"], "p": [0.5], "se": [0.05]})
    cf = pd.DataFrame({"outcome": ["x"], "p": [0.2], "se": [0.04]})
    row = oc.compare(base, cf).iloc[0]
    assert row["diff"] == pytest.approx(-0.3)
    assert row["se_diff"] == pytest.approx(np.sqrt(0.05 ** 2 + 0.04 ** 2))


def test_ensemble_run_is_deterministic_per_seed():
    run = load_script(ROOT / "experiments" / "counterfactuals" / "run.py", "cf_run")
    a = run.run_one((str(CF / "no_andijan_reaction.yaml"), 3))
    b = run.run_one((str(CF / "no_andijan_reaction.yaml"), 3))
    for k in ("de_facto", "de_jure", "members"):
        np.testing.assert_array_equal(a[k], b[k])


# --------------------------------------------------------------------------- variants
def test_tournament_variants_set_the_intended_weights():
    """Each theory fixes its threat weighting and takes every other weight from its own refit."""
    import json

    from sim.scenario.schema import scenario_from_dict
    from sim.mechanisms.threat import threat_weights

    tt = load_script(ROOT / "experiments" / "theory_tournament" / "run.py", "tt_run")
    base = load_scenario(BASELINE).mechanism
    weights = lambda m: threat_weights(m.threat.preset, m.threat.mix, power=m.threat.power,  # noqa: E731
                                       proximity=m.threat.proximity, offense=m.threat.offense,
                                       intent=m.threat.intent)
    bop = scenario_from_dict(tt.variant("balance_of_power"), base_dir=BASELINE.parent).mechanism
    assert weights(bop) == {"power": 1.0, "proximity": 0.0, "offense": 0.0, "intent": 0.0}
    bot = scenario_from_dict(tt.variant("balance_of_threat"), base_dir=BASELINE.parent).mechanism
    assert weights(bot) == pytest.approx({"power": 0.25, "proximity": 0.25, "offense": 0.25, "intent": 0.25})
    for name, mech in (("balance_of_power", bop), ("balance_of_threat", bot)):
        fit_file = ROOT / "experiments" / "theory_tournament" / f"fit_{name}.json"
        if fit_file.is_file():
            fitted = json.loads(fit_file.read_text())["overrides"]
            assert mech.utility.security == pytest.approx(fitted["mechanism.utility.security"])
            assert not any(k.startswith("mechanism.threat") for k in fitted)
    full = scenario_from_dict(tt.variant("full_model"), base_dir=BASELINE.parent).mechanism
    assert full == base

def test_out_of_sample_mechanism_round_trip():
    """Setting the scenario's own values through the fit's decoder changes no weight."""
    oos = load_script(ROOT / "experiments" / "out_of_sample" / "run.py", "oos_run")
    base = load_scenario(BASELINE).mechanism
    written = oos.base_values(base)
    again = oos.mechanism_with(base, written)
    assert oos.base_values(again) == pytest.approx(written)
    assert again.utility == base.utility and again.formalise_years == base.formalise_years
    m = oos.mechanism_with(base, {"formalise_years": 2.6, "threat.power": 0.5})
    assert m.formalise_years == 3 and isinstance(m.formalise_years, int)


def test_hostility_outcomes():
    e = _ensemble(runs=2)
    for y in (2022, 2023, 2024):
        _set(e.de_facto, 0, y, "RUS", "USA", -2)
    _set(e.de_facto, 1, 2022, "RUS", "USA", -1)  # only one of the three years
    assert oc.OUTCOMES["rus_usa_hostile_2022_2024"][1](e).tolist() == [True, False]
    e.in_bloc[0, :, IDS.index("UZB"), 0] = True  # Uzbekistan never leaves the CSTO
    assert oc.OUTCOMES["uzb_out_of_csto_1999_2005"][1](e).tolist() == [False, True]

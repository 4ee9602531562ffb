"""The agents carry what is theirs: views of this year's inputs and their own choice."""

import numpy as np
import pytest

from sim.model import AllianceModel
from sim.run.simulate import simulate
from sim.scenario.schema import load_scenario
from tests.conftest import ROOT


def test_a_state_agent_shows_its_own_inputs_and_choice():
    m = AllianceModel(ROOT / "scenarios" / "central_asia_1991_2024.yaml", rng=0)
    m.step()
    tkm = m.states[m.index["TKM"]]
    i, t = tkm.index, m.t
    assert tkm.capabilities == {"power": m.inputs.power[t, i], "offense": m.inputs.offense[t, i]}
    assert tkm.doctrine["neutral"] == bool(m.inputs.neutral[t, i])
    assert tkm.leader == m.inputs.leader[t, i] and tkm.government == m.inputs.government[t, i]
    assert tkm.perceived_intent["RUS"] == m.inputs.intent[t, i, m.index["RUS"]]
    assert "TKM" not in tkm.wanted_levels
    assert tkm.wanted_levels["RUS"] == m.desired[i, m.index["RUS"]]


def test_a_new_government_restarts_its_states_relations_and_keeps_its_treaties():
    """Kabul changes hands in the historical scenario: in such a year the new government's
    de facto row is back at 0 before the year's choices move it (logged as 'government')."""
    sc = load_scenario(ROOT / "scenarios" / "central_asia_1991_2024.yaml")
    m = simulate(sc, seed=0, record=False).model
    changes = [e for e in m.event_log if e["kind"] == "government"]
    assert changes and all(e["a"] == "AFG" for e in changes)
    m2 = AllianceModel(sc, rng=0, record=False)
    year = changes[0]["year"]
    while m2.year < year - 1:
        m2.step()
    m2.t += 1  # the change on its own, before the year's dynamics
    m2.year = m2.years[m2.t]
    before_jure = m2.treaties.level.copy()
    m2.change_governments()
    afg = m2.index["AFG"]
    assert (m2.de_facto[afg] == 0).all() and (m2.de_facto[:, afg] == 0).all()
    assert np.array_equal(m2.treaties.level, before_jure)


def test_sanctions_fall_with_the_government_they_were_aimed_at():
    """A and B hold a hostile instrument (-1) and a treaty with C (2). When B's government
    falls in 2002, the sanctions on B are lifted (logged as 'hostile_lifted') and B's treaty
    with C stays in force: states are parties to treaties, regimes the targets of sanctions."""
    world = {"name": "regime_change", "time": {"start": 2000, "end": 2003},
             "mechanism": {"temperature": 0.0, "formalise_years": 5, "denounce_years": 5},
             "states": [{"id": "A", "power": 0.6}, {"id": "B", "power": 0.2}, {"id": "C", "power": 0.2}],
             "pairs": {"values": [{"a": "A", "b": "B", "initial_de_facto": -1, "initial_de_jure": -1},
                                  {"a": "B", "b": "C", "initial_de_facto": 2, "initial_de_jure": 2}]},
             "events": [{"year": 2002, "name": "coup in B", "kind": "government",
                         "effects": [{"field": "government", "state": "B", "value": "junta"}]}]}
    m = AllianceModel(world, rng=0)
    a, b, c = (m.index[s] for s in "ABC")
    m.step()
    m.step()
    assert m.year == 2002 and m.treaties.level[a, b] == m.treaties.level[b, a] == 0
    assert m.treaties.level[b, c] == 2
    lifted = [e for e in m.event_log if e["kind"] == "hostile_lifted"]
    assert [(e["year"], e["a"], e["b"]) for e in lifted] == [(2002, "A", "B")]


def test_the_python_api_holds_keyword_overrides_and_seeds_to_what_a_scenario_file_may_say():
    """A negative or NaN temperature and a negative weight ran (NaN reached the manifest as
    invalid JSON); a numpy integer seed, as np.arange gives, was a TypeError from Python's
    random module; None failed after the whole run; a loaded scenario could be edited past
    its checks and its cached inputs."""
    import numpy as np
    from sim.errors import InputError
    from sim.run.simulate import simulate, simulate_tables
    from sim.scenario.schema import load_scenario

    path = ROOT / "scenarios" / "known_paper_alliance.yaml"
    for kw in (dict(temperature=-1), dict(temperature=float("nan")), dict(autonomy_weight=-5),
               dict(ideology_weight=float("inf"))):
        with pytest.raises(InputError, match="expected a finite number >= 0"):
            simulate(path, 0, **kw)
    for seed in (None, 1.5, "abc", True, -1):
        with pytest.raises(InputError, match="field 'seed': expected a whole number >= 0"):
            simulate(path, seed)
    with pytest.raises(InputError, match="field 'seeds'"):
        simulate_tables(path, "12")
    assert simulate(path, np.int64(3)).seed == 3
    assert simulate(path, np.int64(3)).dyads.equals(simulate(path, 3).dyads)
    sc = load_scenario(path)
    with pytest.raises(ValueError, match="frozen"):
        sc.mechanism.temperature = -5

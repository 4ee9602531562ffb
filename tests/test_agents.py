"""The agents carry what is theirs: views of this year's inputs and their own choice."""

import numpy as np

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

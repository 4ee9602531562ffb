"""Known answers for single mechanisms, small enough to reason out by hand.

Each test pins one mechanism with numbers worked out in its docstring, so that a bug in
that mechanism fails here for its own reason rather than only nudging the tuning-sensitive
historical accuracy test.
"""

import math

import numpy as np
import pytest

from sim.mechanisms import blocs, classify, threat
from sim.model import AllianceModel


# ----------------------------------------------------------------------------- autonomy
def autonomy_world(autonomy: float) -> dict:
    """SMALL (power 0.1) and BIG (0.9) share interests 0.6; only interests and autonomy count."""
    weights = dict.fromkeys(("security", "balancing", "bandwagon", "ideology", "economy", "inertia"), 0.0)
    weights.update(interests=1.0, autonomy=1.0)
    return {"name": "autonomy", "time": {"start": 2000, "end": 2006},
            "mechanism": {"temperature": 0.0, "utility": weights},
            "states": [{"id": "SMALL", "power": 0.1, "doctrine": {"autonomy": autonomy}},
                       {"id": "BIG", "power": 0.9}],
            "pairs": {"values": [{"a": "SMALL", "b": "BIG", "interests": 0.6}]}}


def test_autonomy_cost_turns_a_partnership_into_mere_cooperation():
    """BIG's dominance over SMALL is (0.9 - 0.1) / 1.0 = 0.8.

    Without the doctrine SMALL's utility is 0.6, bliss 3 * 0.6 = 1.8 -> level 2 on both
    sides. With autonomy 0.5 it pays 0.5 * 0.8 = 0.4: bliss 3 * 0.2 = 0.6 -> it wants 1,
    while BIG (which dominates nobody) still wants 2; the pair settles on 1.
    """
    free = AllianceModel(autonomy_world(0.0), rng=0)
    wary = AllianceModel(autonomy_world(0.5), rng=0)
    for m in (free, wary):
        for _ in range(6):
            m.step()
    small, big = free.index["SMALL"], free.index["BIG"]
    assert wary.components["autonomy"][small, big] == pytest.approx(-0.4)
    assert wary.components["autonomy"][big, small] == 0.0
    assert free.desired[small, big] == 2 and free.de_facto[small, big] == 2
    assert wary.desired[small, big] == 1 and wary.desired[big, small] == 2
    assert wary.de_facto[small, big] == 1


# ------------------------------------------------------------------------------ hedging
def hedging_world() -> dict:
    """HEDGER (multi-vector 1, power 0.2) is allied with PATRON (0.6) and weighs OTHER (0.2).

    Only interests, economy and autonomy count; level gain 3, normal level 0, no noise.
    OTHER depends on HEDGER's trade, so OTHER always wants more than HEDGER does and
    HEDGER's wish decides the pair.
    """
    weights = dict.fromkeys(("security", "balancing", "bandwagon", "ideology", "inertia", "commitment"), 0.0)
    weights.update(interests=1.0, economy=1.0, autonomy=1.0)
    return {"name": "hedging", "time": {"start": 2000, "end": 2008},
            "mechanism": {"temperature": 0.0, "level_gain": 3.0, "normal_level": 0.0, "adjustment_rate": 1.0,
                          "utility": weights},
            "states": [{"id": "HEDGER", "power": 0.2, "doctrine": {"multi_vector": 1.0, "autonomy": 0.0}},
                       {"id": "PATRON", "power": 0.6, "doctrine": {"autonomy": 0.0}},
                       {"id": "OTHER", "power": 0.2, "doctrine": {"autonomy": 0.0}}],
            "pairs": {"values": [
                {"a": "HEDGER", "b": "PATRON", "interests": 1.0, "trade": 1.0, "initial_de_facto": 3},
                {"a": "HEDGER", "b": "OTHER", "interests": 0.2},
                {"a": "OTHER", "b": "HEDGER", "trade": 1.0, "mutual": False}]}}


def test_a_hedger_settles_where_its_hedging_is_content():
    """HEDGER's hedging toward OTHER, at cooperation c with OTHER (level / 3) and its tie
    to PATRON at 1, is OTHER's weight against that tie, 0.2 / 0.4 = 0.5, times the lag
    1 - c (the excess over HEDGER's average tie, (1 + c) / 2, is 0). Read at the current
    level the pair would flip for ever: at level 1 the bliss is 3 * (0.2 + 0.5 * 2/3) = 1.6
    (it wants 2), at level 2 it is 3 * (0.2 + 0.5 / 3) = 1.1 (it wants 1). Settled, the
    bliss level x solves x = 3 * (0.2 + 0.5 * (1 - x / 3)), x = 2.1 / 1.5 = 1.4: HEDGER
    wants level 1 every year, and its hedging term is 0.5 * (1 - 1.4 / 3) = 0.2667.
    """
    m = AllianceModel(hedging_world(), rng=0)
    h, o = m.index["HEDGER"], m.index["OTHER"]
    wanted, levels = [], []
    while m.running:
        m.step()
        wanted.append(int(m.desired[h, o]))
        levels.append(int(m.de_facto[h, o]))
        assert m.components["autonomy"][h, o] == pytest.approx(0.5 * (1 - 1.4 / 3))
    assert set(wanted) == {1} and set(levels) == {1}
    assert m.de_facto[h, m.index["PATRON"]] == 3


# ------------------------------------------------------------------------ classification
def pair(**values) -> dict[str, np.ndarray]:
    """Two-state arrays with each given value on both off-diagonal cells."""
    return {k: np.array([[0, v], [v, 0]], dtype=float if isinstance(v, float) else int)
            for k, v in values.items()}


NEUTRAL = dict(de_facto=0, de_jure=0, ideology=0.0, interests=0.0, shared=0.0, value_drive=0.0,
               threat_drive=0.0)


def label(**overrides) -> str:
    args = pair(**{**NEUTRAL, **overrides})
    cls = classify.classify(**args, paper_gap=2, natural_threshold=0.3, shared_threat_threshold=0.3)
    assert cls[0, 1] == cls[1, 0]
    return classify.CLASSES[cls[0, 1]]


@pytest.mark.parametrize("drives, expected", [
    # shared values and interests, values drive the cooperation
    (dict(de_facto=2, ideology=0.8, interests=0.8, value_drive=1.0, threat_drive=0.2), "natural_ally"),
    # a shared threat that does not drive the cooperation makes no strategic partner
    (dict(de_facto=2, shared=0.6, value_drive=1.0, threat_drive=0.2), "partner"),
    # a shared threat, threat drives it
    (dict(de_facto=2, shared=0.6, value_drive=0.1, threat_drive=1.0), "strategic_partner"),
    # both present: what drives the cooperation decides
    (dict(de_facto=2, ideology=0.8, interests=0.8, shared=0.6, value_drive=0.2, threat_drive=1.0),
     "strategic_partner"),
    (dict(de_facto=2, ideology=0.8, interests=0.8, shared=0.6, value_drive=1.0, threat_drive=0.2),
     "natural_ally"),
    # values shared but interests not: cooperation without a class of its own
    (dict(de_facto=2, ideology=0.8, interests=0.1, value_drive=1.0), "partner"),
    # an alliance treaty two levels above practice
    (dict(de_facto=0, de_jure=3, ideology=0.8, interests=0.8, value_drive=1.0), "paper_alliance"),
    (dict(de_facto=2, de_jure=3, shared=0.6, threat_drive=1.0), "strategic_partner"),
    # hostility overrides everything, paper included
    (dict(de_facto=-1, de_jure=3, shared=0.6, threat_drive=1.0), "rival"),
    (dict(de_facto=1), "partner"),
    (dict(de_facto=0), "none"),
])
def test_hand_set_drives_get_the_literature_class(drives, expected):
    assert label(**drives) == expected


# ----------------------------------------------------------------------------- proximity
def test_a_close_small_state_outweighs_a_distant_strong_one_under_proximity():
    """HOME (0.3) has NEAR (0.1) 500 km away and FAR (0.6) 6000 km away; scale 1500 km.

    Proximity-weighted threat is closeness times the other's weight in the dyad:
    NEAR e^(-1/3) * 0.1/0.4 = 0.179, FAR e^(-4) * 0.6/0.9 = 0.0122. Without the distance
    decay FAR (0.667) would dwarf NEAR (0.25); under balance of power FAR is the threat.
    """
    power = np.array([0.3, 0.1, 0.6])
    dist = np.array([[0, 500, 6000], [500, 0, 6000], [6000, 6000, 0]], dtype=float)
    prox = threat.proximity(dist, np.zeros((3, 3)), 1500.0)
    assert prox[0, 1] == pytest.approx(math.exp(-1 / 3))
    assert prox[0, 2] == pytest.approx(math.exp(-4))
    assert threat.proximity(dist, np.array([[0, 0, 1], [0, 0, 0], [1, 0, 0]]), 1500.0)[0, 2] == 1.0
    parts = threat.threat_components(power, power, prox, np.zeros((3, 3)))
    assert parts["proximity"][0, 1] == pytest.approx(math.exp(-1 / 3) * 0.25)
    assert parts["proximity"][0, 2] == pytest.approx(math.exp(-4) * 0.6 / 0.9)
    by_proximity = threat.threat_matrix(parts, threat.threat_weights(None, power=0, proximity=1,
                                                                     offense=0, intent=0))
    assert by_proximity[0, 1] > 10 * by_proximity[0, 2]
    by_power = threat.threat_matrix(parts, threat.threat_weights("balance_of_power"))
    assert by_power[0, 2] > by_power[0, 1]


# ---------------------------------------------------------------------------- bloc exit
def test_a_member_leaves_after_wanting_out_for_leave_years_running():
    """A, B, C in a level-3 bloc; C wants -1 with both others, so its score -1 is below
    3 - 2 = 1. With ``leave_years`` 2 it stays the first year and leaves in the second;
    A and B (score 3) stay, and the bloc's instrument then binds only A and B."""
    desired = np.array([[0, 3, 3], [3, 0, 3], [-1, -1, 0]])
    members = np.ones((3, 1), dtype=bool)
    streak = np.zeros((3, 1), dtype=int)
    args = dict(active=np.array([True]), level=np.array([3]), desired=desired, power=np.ones(3),
                cap=np.full(3, 3), neutral=np.zeros(3, dtype=bool), exit_streak=streak)
    rules = blocs.MembershipRules(join_margin=1.0, leave_margin=2.0, leave_years=2)
    assert blocs.step_blocs(members, rules, **args) == []
    assert members[:, 0].tolist() == [True, True, True] and streak[:, 0].tolist() == [0, 0, 1]
    assert blocs.step_blocs(members, rules, **args) == [(2, 0, "bloc_exit")]
    assert members[:, 0].tolist() == [True, True, False] and streak[2, 0] == 0
    via = blocs.bloc_de_jure(members, np.array([3]), np.array([True]))
    assert via[0, 1] == 3 and via[0, 2] == 0 and via[1, 2] == 0


def test_a_member_whose_ceiling_falls_below_the_bloc_leaves_at_once():
    """A state turned neutral (cap 1) cannot stay in a level-3 bloc, whatever it wants."""
    members = np.ones((3, 1), dtype=bool)
    changes = blocs.step_blocs(members, blocs.MembershipRules(join_margin=1.0, leave_margin=2.0, leave_years=5),
                               active=np.array([True]), level=np.array([3]),
                               desired=np.full((3, 3), 3) - 3 * np.eye(3, dtype=int), power=np.ones(3),
                               cap=np.array([3, 3, 1]), neutral=np.array([False, False, True]),
                               exit_streak=np.zeros((3, 1), dtype=int))
    assert changes == [(2, 0, "bloc_exit")]


def test_the_model_lets_a_hostile_member_leave_after_denounce_years():
    """A, B and D like each other (interests 1 -> they want 3); C and the others are at
    odds (-0.6 -> they want -2). C's score for the level-3 PACT is -2, below 3 - 2, from
    the first dynamic year (2001); with ``denounce_years`` 2 it leaves in 2002. A's score,
    (3 + 3 - 2) / 3 = 1.33, stays above the exit line, so A, B and D stay."""
    weights = dict.fromkeys(("security", "balancing", "bandwagon", "ideology", "economy", "inertia",
                             "autonomy"), 0.0)
    weights["interests"] = 1.0
    friends = [{"a": a, "b": b, "interests": 1.0} for a, b in (("A", "B"), ("A", "D"), ("B", "D"))]
    foes = [{"a": a, "b": "C", "interests": -0.6} for a in ("A", "B", "D")]
    m = AllianceModel({"name": "exit", "time": {"start": 2000, "end": 2004},
                       "mechanism": {"temperature": 0.0, "utility": weights, "denounce_years": 2},
                       "states": [{"id": s, "power": 0.25} for s in "ABCD"],
                       "pairs": {"values": friends + foes},
                       "blocs": [{"id": "PACT", "level": 3, "founders": list("ABCD")}]}, rng=0)
    for _ in range(4):
        m.step()
    exits = [(e["year"], e["a"]) for e in m.event_log if e["kind"] == "bloc_exit"]
    assert exits == [(2002, "C")]
    assert m.blocs == {"PACT": {"A", "B", "D"}}

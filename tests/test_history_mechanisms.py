"""Known answers for the mechanisms the historical record needed: threats that are not
states, changes of government, disputes between pairs and bloc charters."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import InputError
from sim.mechanisms import blocs, threat, utility
from sim.model import AllianceModel
from tests.conftest import SCENARIOS as ROOT_SCENARIOS
from sim.run.simulate import simulate
from sim.scenario.schema import scenario_from_dict

EQUAL = threat.threat_weights("balance_of_threat")
POWER_ONLY = threat.threat_weights("balance_of_power")


def _world(**extra) -> dict:
    """Three states on a line: A small, B and C strong and far apart."""
    base = {
        "name": "w", "time": {"start": 2000, "end": 2008},
        "mechanism": {"threat": {"preset": "balance_of_threat"}, "temperature": 0.0},
        "states": [{"id": "A", "power": 0.1, "capital": {"lat": 40.0, "lon": 60.0}},
                   {"id": "B", "power": 0.45, "capital": {"lat": 40.0, "lon": 70.0}},
                   {"id": "C", "power": 0.45, "capital": {"lat": 40.0, "lon": 50.0}}],
    }
    base.update(extra)
    return base


# --------------------------------------------------------------------------- threat sources
def test_source_threat_falls_with_distance_and_vanishes_without_intent_under_balance_of_power():
    power, offense = np.array([0.1, 0.45, 0.45]), np.array([0.1, 0.45, 0.45])
    prox = threat.proximity(np.array([[0.0], [3000.0], [6000.0]]), np.zeros((3, 1)), 1500, square=False)
    t = threat.source_threat(power, offense, np.array([0.01]), np.array([0.01]), prox,
                             np.array([[1.0], [1.0], [1.0]]), EQUAL)[:, 0]
    assert t[0] > t[1] > t[2] > 0
    bop = threat.source_threat(power, offense, np.array([0.01]), np.array([0.01]), prox,
                               np.array([[1.0], [1.0], [1.0]]), POWER_ONLY)[:, 0]
    assert bop.max() < 0.02  # an armed movement is next to no threat by power alone


def test_a_partner_who_fears_the_same_movement_is_worth_more():
    """A and B both face the movement S; C does not. Without S, B and C are mirror images."""
    n = 3
    T = np.zeros((n, n))
    power = np.array([0.1, 0.45, 0.45])
    kw = dict(threat=T + 0.01 * (1 - np.eye(n)), power=power, prox=np.ones((n, n)) - np.eye(n),
              ideology=np.zeros((n, 0)), ideology_scale=1.0, interests=np.zeros((n, n)),
              trade=np.zeros((n, n)), bandwagon=np.zeros(n), autonomy=np.zeros(n))
    without = utility.dynamic_components(utility.year_statics(**kw), np.zeros((n, n), int), np.zeros(n))
    assert without["security"][0, 1] == pytest.approx(without["security"][0, 2])
    st = utility.year_statics(**kw, source_threat=np.array([[0.8], [0.6], [0.0]]),
                              source_power=np.array([0.01]))
    with_s = utility.dynamic_components(st, np.zeros((n, n), int), np.zeros(n))
    assert with_s["security"][0, 1] > with_s["security"][0, 2]


def test_threat_sources_are_checked_and_never_partners():
    src = {"id": "S", "base": "A", "start": 2002, "end": 2005, "power": 0.01, "offense": 0.01,
           "intent": {"A": 1.0}}
    sc = scenario_from_dict(_world(threat_sources=[src]))
    res = simulate(sc, seed=0)
    assert "S" not in set(res.dyads["a"]) | set(res.dyads["b"])
    with pytest.raises(InputError, match="not a state"):
        scenario_from_dict(_world(threat_sources=[dict(src, id="B")]))
    with pytest.raises(InputError, match="overlap"):
        scenario_from_dict(_world(threat_sources=[src, dict(src, start=2004, end=2006)]))
    with pytest.raises(InputError, match="declared in 'states'"):
        scenario_from_dict(_world(threat_sources=[dict(src, base="Z")]))


# --------------------------------------------------------------------------- governments
def _allied_pair(events) -> dict:
    return _world(mechanism={"threat": {"preset": "balance_of_threat"}, "temperature": 0.0,
                             "adjustment_rate": 0.5},
                  pairs={"values": [{"a": "A", "b": "B", "interests": 1.0, "initial_de_facto": 3}]},
                  events=events)


def test_a_new_government_inherits_no_relations():
    """A-B sit at an active alliance. A new government in A restarts from distant: without
    the pull of what was built, both want less at first, and the pair climbs back over the
    following years because its inputs have not changed."""
    kept = simulate(scenario_from_dict(_allied_pair([])), seed=0).dyads
    gov = [{"year": 2004, "name": "Coup in A", "kind": "government",
            "effects": [{"field": "government", "state": "A", "value": "Junta"}]}]
    changed = simulate(scenario_from_dict(_allied_pair(gov)), seed=0)
    pair = lambda d: d[(d.a == "A") & (d.b == "B") | (d.a == "B") & (d.b == "A")].set_index("year")["de_facto"]
    before, after = pair(kept), pair(changed.dyads)
    assert (before.loc[2003:] == 3).all()
    assert after.loc[2003] == 3 and after.loc[2004] <= 1
    assert after.loc[2004] < after.loc[2005] <= after.loc[2008] == 3
    assert "government" in set(changed.events["kind"])


# --------------------------------------------------------------------------- disputes
def test_a_dispute_lowers_what_both_sides_want_by_its_weight():
    n = 2
    kw = dict(threat=np.zeros((n, n)), power=np.array([0.5, 0.5]), prox=np.ones((n, n)) - np.eye(n),
              ideology=np.zeros((n, 0)), ideology_scale=1.0, interests=np.zeros((n, n)),
              trade=np.zeros((n, n)), bandwagon=np.zeros(n), autonomy=np.zeros(n))
    calm = utility.dynamic_components(utility.year_statics(**kw), np.zeros((n, n), int), np.zeros(n))
    dispute = np.array([[0.0, 0.6], [0.6, 0.0]])
    tense = utility.dynamic_components(utility.year_statics(**kw, dispute=dispute), np.zeros((n, n), int),
                                       np.zeros(n))
    w = {c: 1.0 for c in utility.COMPONENTS}
    gap = utility.total_utility(calm, w) - utility.total_utility(tense, w)
    assert gap[0, 1] == pytest.approx(0.6) and gap[1, 0] == pytest.approx(0.6)


def test_dispute_events_turn_a_cooperative_pair_cool():
    base = _world(pairs={"values": [{"a": "A", "b": "C", "interests": 0.4, "initial_de_facto": 1}]})
    dispute = dict(base, events=[{"year": 2003, "name": "Border quarrel", "kind": "dispute",
                                  "effects": [{"field": "dispute", "a": "A", "b": "C", "value": 1.0}]}])
    base["mechanism"]["utility"] = {"disputes": 2.0}
    dispute["mechanism"] = base["mechanism"]
    lv = lambda d: d[((d.a == "A") & (d.b == "C")) | ((d.a == "C") & (d.b == "A"))].set_index("year")["de_facto"]
    calm = lv(simulate(scenario_from_dict(base), seed=0).dyads)
    tense = lv(simulate(scenario_from_dict(dispute), seed=0).dyads)
    assert (tense.loc[2005:] < calm.loc[2005:]).all()
    assert (tense.loc[:2002] == calm.loc[:2002]).all()


# --------------------------------------------------------------------------- bloc charters
def _step(desired, members, charter, patron=None, orbit=None, power=None, consent=1.0, rules=None,
          exit_streak=None):
    n = desired.shape[0]
    level = np.array([1 if charter in ("forum", "counter_orbit", "economic_union", "security_forum") else 3])
    charters = blocs.BlocCharters.from_specs([charter], level,
                                             orbit if orbit is not None else np.zeros((n, 1), bool), consent=consent)
    return blocs.step_blocs(members, rules or blocs.MembershipRules(join_margin=1.5, leave_margin=2.3),
                            active=np.array([True]), level=level, desired=desired,
                            power=power if power is not None else np.ones(n) / n, cap=np.full(n, 3),
                            neutral=np.zeros(n, bool), patron=patron if patron is not None else np.zeros((n, 1), bool),
                            eligible=np.ones((n, 1), bool), exit_streak=exit_streak, charters=charters)


def test_outside_a_powers_orbit_a_state_joins_when_it_prefers_the_patron():
    """States 0 (patron), 1 (orbit power), 2 and 3 applicants; the bloc has outside members only."""
    desired = np.zeros((4, 4), int)
    desired[2, 0], desired[2, 1] = 2, 0  # 2 prefers the patron
    desired[3, 0], desired[3, 1] = 1, 3  # 3 is in the orbit
    desired[0, 2] = desired[0, 3] = 1  # the patron welcomes both
    patron = np.array([[True], [False], [False], [False]])
    orbit = np.array([[False], [True], [False], [False]])
    members = np.zeros((4, 1), bool)
    changes = _step(desired, members, "counter_orbit", patron=patron, orbit=orbit)
    assert changes == [(2, 0, "bloc_join")]


def test_a_defence_pact_needs_the_members_consent():
    desired = np.zeros((3, 3), int)
    desired[2, 0] = desired[2, 1] = 3  # 2 wants in
    desired[0, 1] = desired[1, 0] = 3  # the members are allies
    members = np.array([[True], [True], [False]])
    assert _step(desired.copy(), members.copy(), "collective_defence") == []  # members indifferent
    desired[0, 2] = desired[1, 2] = 1
    assert _step(desired, members, "collective_defence") == [(2, 0, "bloc_join")]


def test_a_security_forum_admits_as_far_as_the_scenarios_consent_reaches():
    """A security forum of a great power (power 0.6) that wants to cooperate with the
    applicant (1) and a neighbour (0.4) that stays distant from it (0): the members'
    power-weighted view of the applicant is 0.6. The default consent (1) keeps it out; a
    scenario's consent of 0.5 lets it in."""
    desired = np.zeros((3, 3), int)
    desired[2, 0] = desired[2, 1] = 1  # 2 wants to cooperate with both members
    desired[0, 1] = desired[1, 0] = 1
    desired[0, 2] = 1  # the great power welcomes 2; the neighbour is distant (0)
    members = np.array([[True], [True], [False]])
    power = np.array([0.6, 0.4, 0.2])
    assert _step(desired.copy(), members.copy(), "security_forum", power=power) == []
    assert _step(desired, members, "security_forum", power=power, consent=0.5) == [(2, 0, "bloc_join")]


def test_a_blocs_leaders_decide_admission_and_its_lesser_members_do_not():
    """A security forum led by a great power (0.8) with a small member (0.05) that is hostile
    to the applicant (as Kazakhstan was cool to Uzbekistan when the SCO admitted it): the
    applicant gets in on the leader's welcome, because joining is a relation with the
    leader; the small member's hostility would have kept it out on an all-member average."""
    desired = np.zeros((3, 3), int)
    desired[0, 1] = desired[1, 0] = 1
    desired[2, 0], desired[0, 2] = 1, 1  # applicant and leader want to cooperate
    desired[2, 1], desired[1, 2] = -1, -1  # the small member and the applicant are hostile
    members = np.array([[True], [True], [False]])
    power = np.array([0.8, 0.05, 0.15])
    assert blocs.leading(members, power)[:, 0].tolist() == [True, False, False]
    score, accept = blocs.bloc_scores(members, desired, power)
    assert (score[2, 0], accept[2, 0]) == (1.0, 1.0)
    assert score[0, 0] == pytest.approx(1.0)  # the leader scores the bloc by the member it leads
    assert _step(desired, members, "security_forum", power=power) == [(2, 0, "bloc_join")]


def test_leaders_expel_a_member_they_are_hostile_to_not_one_they_are_distant_from():
    """A defence pact: leader 0, members 1 and 2. The leader merely distant from 2 (0) for
    years keeps it, even under a consent above cooperation; hostile (-1) for the patience
    of a denunciation (2 years here), it expels it."""
    desired = np.full((3, 3), 3)
    desired[0, 2] = 0
    members = np.ones((3, 1), bool)
    power = np.array([0.8, 0.1, 0.1])
    rules = blocs.MembershipRules(join_margin=1.5, leave_margin=5.0, leave_years=2)
    streak = np.zeros((3, 1), int)
    for _ in range(3):
        assert _step(desired, members, "collective_defence", power=power, consent=1.2, rules=rules,
                     exit_streak=streak) == []
    desired[0, 2] = -1
    assert _step(desired, members, "collective_defence", power=power, rules=rules, exit_streak=streak) == []
    assert _step(desired, members, "collective_defence", power=power, rules=rules,
                 exit_streak=streak) == [(2, 0, "bloc_expulsion")]


def _orbit_step(members):
    """States 0 (patron), 1 (orbit power), 2 and 3; bloc 0 the orbit power's defence pact
    with state 3 in it, bloc 1 a grouping outside its orbit. Both 2 and 3 prefer the patron
    (2 to 0) and are welcome to it."""
    desired = np.zeros((4, 4), int)
    desired[2, 0] = desired[3, 0] = 2
    desired[0, 2] = desired[0, 3] = 1
    patron = np.array([[False, True], [False, False], [False, False], [False, False]])
    orbit = np.array([[False, False], [False, True], [False, False], [False, False]])
    level = np.array([3, 1])
    charters = blocs.BlocCharters.from_specs(["collective_defence", "counter_orbit"], level, orbit)
    return blocs.step_blocs(members, blocs.MembershipRules(join_margin=1.5, leave_margin=5.0),
                            active=np.array([True, True]), level=level, desired=desired,
                            power=np.array([0.4, 0.4, 0.1, 0.1]), cap=np.full(4, 3), neutral=np.zeros(4, bool),
                            patron=patron, eligible=np.ones((4, 2), bool), charters=charters)


def test_a_grouping_outside_a_powers_orbit_admits_no_member_of_its_alliance():
    """State 3, pledged to the orbit power by the defence pact, stays out of the grouping it
    would otherwise join on the same scores as state 2; a member of the grouping that is in
    the pact leaves the grouping at once (bloc 1), whatever its scores."""
    members = np.array([[False, False], [True, False], [False, False], [True, False]])
    assert _orbit_step(members.copy()) == [(2, 1, "bloc_join")]
    members[2, 0] = members[2, 1] = True  # 2 is in both: it cannot stand apart and be pledged
    assert _orbit_step(members) == [(2, 1, "bloc_exit")]
    orbit = np.array([[False, False], [True, True], [False, False], [False, False]])
    charters = blocs.BlocCharters.from_specs(["collective_defence", "counter_orbit"], np.array([3, 1]), orbit)
    pledged = blocs.in_orbit(members, charters)  # the pact members, for the grouping only; never the power itself
    assert pledged.tolist() == [[False, False], [False, False], [False, True], [False, True]]


def test_a_charter_opened_later_admits_a_state_only_from_that_year():
    """A forum founded in 2001 by B and C, opened to A only in 2004: A, which wants to
    cooperate with both from the start, joins in 2004, not before."""
    bloc = {"id": "X", "level": 1, "charter": "forum", "founded": 2001, "founders": ["B", "C"],
            "eligible_from": {"A": 2004}}
    world = _world(blocs=[bloc], pairs={"values": [{"a": "A", "b": "B", "interests": 0.9},
                                                   {"a": "A", "b": "C", "interests": 0.9}]})
    events = simulate(scenario_from_dict(world), seed=0).events
    joins = events[events.kind == "bloc_join"]
    assert joins[["year", "a"]].values.tolist() == [[2004, "A"]]
    for wrong, what in ((dict(bloc, eligible_from={"D": 2004}), "declared in 'states'"),
                        (dict(bloc, eligible_from={"B": 2004}), "not a founder"),
                        (dict(bloc, eligible_from={"A": 2030}), "up to the end of the time span, 2008")):
        with pytest.raises(InputError, match=what) as err:
            scenario_from_dict(_world(blocs=[wrong]))
        assert "eligible_from" in str(err.value)
    earlier = simulate(scenario_from_dict(_world(blocs=[dict(bloc, eligible_from={"A": 1995})], pairs=world["pairs"])),
                       seed=0).events  # opened before the run starts (a restarted run): eligible throughout
    assert earlier[earlier.kind == "bloc_join"][["year", "a"]].values.tolist() == [[2001, "A"]]


def test_a_bloc_older_than_its_entry_is_logged_as_entering_the_scenario_not_as_founded():
    """A forum founded in 1975 that enters a 2000-2008 scenario in 2001 (as the CSCE, of 1975,
    enters the Central Asian run in 1992) is not reported as founded in 2001; its members and
    the joins the scoring counts are exactly those of the same bloc given without the date."""
    from sim.eventlog import BLOC_ENTERED
    from sim.run.report import run_report

    bloc = {"id": "X", "name": "Old Forum", "level": 1, "charter": "forum", "founded": 2001, "founders": ["B"],
            "context_members": ["Outsider"]}
    pairs = {"values": [{"a": "A", "b": "B", "interests": 0.9}, {"a": "C", "b": "B", "interests": 0.9}]}
    older = simulate(scenario_from_dict(_world(blocs=[dict(bloc, established=1975)], pairs=pairs)), seed=0)
    plain = simulate(scenario_from_dict(_world(blocs=[bloc], pairs=pairs)), seed=0)
    ev, ev0 = older.events, plain.events
    start = ev[ev.kind.isin(["bloc_founded", BLOC_ENTERED])]
    assert start[["year", "kind", "a", "text"]].values.tolist() == [
        [2001, BLOC_ENTERED, "B", "Old Forum (founded 1975) enters the scenario with B, Outsider (outside the scenario)"]]
    assert "founded by" not in " ".join(ev.text)
    assert ev0[ev0.kind == "bloc_founded"].text.tolist() == ["Old Forum founded by B, Outsider (outside the scenario)"]
    joins = ev[ev.kind == "bloc_join"][["year", "a", "text"]].values.tolist()
    assert joins and joins == ev0[ev0.kind == "bloc_join"][["year", "a", "text"]].values.tolist()
    assert np.array_equal(np.stack(older.model.history["members"]), np.stack(plain.model.history["members"]))
    assert older.summary == plain.summary  # joins and everything else counted as before
    assert "| 2001 | bloc entered scenario | B | Old Forum (founded 1975) enters the scenario" in run_report(older, {})
    # Founded in its entry year: a founding, as without the date.
    same = simulate(scenario_from_dict(_world(blocs=[dict(bloc, established=2001)], pairs=pairs)), seed=0).events
    assert same[same.kind == "bloc_founded"].text.tolist() == ev0[ev0.kind == "bloc_founded"].text.tolist()
    # Founded after it enters: refused, naming the field and what is expected.
    with pytest.raises(InputError, match=r"blocs\[0\]\.established.*up to the bloc's entry into the scenario "
                                         r"\(2001, its founded year\)"):
        scenario_from_dict(_world(blocs=[dict(bloc, established=2003)], pairs=pairs))
    with pytest.raises(InputError, match=r"blocs\[0\]\.established.*\(2000, its first year\)"):
        scenario_from_dict(_world(blocs=[{"id": "Y", "level": 1, "established": 2004}]))


def test_a_forum_holds_everyone_who_is_not_hostile():
    desired = np.zeros((3, 3), int)
    desired[2, :] = -1  # cool toward the members, not hostile to all
    members = np.array([[True], [True], [True]])
    assert _step(desired, members, "forum") == []
    desired[2, :2] = 0
    members[2] = False
    assert _step(desired, members, "forum") == [(2, 0, "bloc_join")]


def test_a_bloc_is_founded_by_someone():
    bloc = {"id": "X", "level": 1, "founded": 2003, "eligible": ["A", "B"]}
    with pytest.raises(InputError, match="founded by someone"):
        scenario_from_dict(_world(blocs=[bloc]))
    sc = scenario_from_dict(_world(blocs=[dict(bloc, context_members=["Outsider"])]))
    assert sc.blocs[0].context_members == ["Outsider"]
    with pytest.raises(InputError, match="orbit"):
        scenario_from_dict(_world(blocs=[dict(bloc, founders=["A"], charter="counter_orbit", patron="B")]))


# --------------------------------------------------------------------------- commitment
def test_obligations_pull_practice_by_their_weight():
    """Obligations of 1 (an alliance treaty) raise what each side values the other by the
    commitment weight; a negative obligation would lower it in proportion (no instrument
    makes one: see the next test)."""
    n = 2
    kw = dict(threat=np.zeros((n, n)), power=np.array([0.5, 0.5]), prox=np.ones((n, n)) - np.eye(n),
              ideology=np.zeros((n, 0)), ideology_scale=1.0, interests=np.zeros((n, n)),
              trade=np.zeros((n, n)), bandwagon=np.zeros(n), autonomy=np.zeros(n))
    st = utility.year_statics(**kw)
    flat = np.zeros((n, n), int)
    treaty, sanctions = np.array([[0, 1.0], [1.0, 0]]), np.array([[0, -1 / 3], [-1 / 3, 0]])
    w = dict.fromkeys(utility.COMPONENTS, 0.0) | {"commitment": 0.6}
    none = utility.total_utility(utility.dynamic_components(st, flat, np.zeros(n)), w)
    allied = utility.total_utility(utility.dynamic_components(st, flat, np.zeros(n), treaty), w)
    hostile = utility.total_utility(utility.dynamic_components(st, flat, np.zeros(n), sanctions), w)
    assert allied[0, 1] - none[0, 1] == pytest.approx(0.6)
    assert hostile[1, 0] - none[1, 0] == pytest.approx(-0.2)


def test_sanctions_bind_to_nothing_and_leave_common_pledges_binding():
    """Sanctions (-1) are a restriction, not a pledge: they add no obligation, so the
    post-Tiananmen sanctions do not pull US-China practice toward tension; a forum both
    sides belong to (level 1, equal powers) still binds them by a third, as it would
    without the sanctions; an alliance treaty (3) binds fully."""
    bilateral = np.array([[0, -1, 3], [-1, 0, 0], [3, 0, 0]])
    power = np.array([0.4, 0.4, 0.2])
    level, active = np.array([1]), np.array([True])
    def obligations(members):
        return blocs.pledges(bilateral, blocs.bloc_binds(members, level, active, power), level)[0]

    alone = obligations(np.zeros((3, 1), bool))
    assert alone[0, 1] == alone[1, 0] == 0.0 and alone[0, 2] == pytest.approx(1.0)
    forum = obligations(np.array([[True], [True], [False]]))
    assert forum[0, 1] == pytest.approx(1 / 3)


def _most_binding(members, level, active, power):
    """How strongly each pair's most binding bloc binds it."""
    return blocs.strongest_bind(blocs.bloc_binds(members, level, active, power), level)[0]


def test_a_pact_binds_its_members_chiefly_to_its_leader():
    """A defence pact (level 3) of a leader (power 0.6) and two lesser members (0.3, 0.1):
    each is bound to the leader fully; the two lesser members by the stronger one's power
    over the leader's, 0.3 / 0.6 = 0.5. An outsider is bound to no one, and a forum (level
    1) binds by a third as much."""
    members = np.array([[True, True], [True, True], [True, False], [False, False]])
    power = np.array([0.6, 0.3, 0.1, 0.5])
    pact = _most_binding(members[:, :1], np.array([3]), np.array([True]), power)
    assert pact[0, 1] == pact[1, 0] == pact[0, 2] == pytest.approx(1.0)
    assert pact[1, 2] == pytest.approx(0.5)
    assert not pact[3].any() and not pact[:, 3].any()
    forum = _most_binding(members[:, 1:], np.array([1]), np.array([True]), power)
    assert forum[0, 1] == pytest.approx(1 / 3)
    both = _most_binding(members, np.array([3, 1]), np.array([True, True]), power)
    assert both[0, 1] == pytest.approx(1.0)


def _pact_world(commitment: float) -> dict:
    """A and B founded a defence pact but share nothing else: on the merits they want plain
    cooperation (normal level 1), three levels below what the pact asks."""
    return {"name": "pact", "time": {"start": 2000, "end": 2008},
            "mechanism": {"temperature": 0.0, "normal_level": 1.0, "bloc_leave_margin": 1.5,
                          "denounce_years": 2,
                          "utility": dict.fromkeys(("security", "balancing", "bandwagon", "ideology",
                                                    "interests", "economy", "autonomy", "inertia"), 0.0)
                          | {"commitment": commitment}},
            "states": [{"id": "A", "power": 0.5}, {"id": "B", "power": 0.5}],
            "blocs": [{"id": "PACT", "level": 3, "charter": "collective_defence", "founders": ["A", "B"]}]}


def test_commitment_raises_practice_but_membership_is_judged_on_the_merits():
    """Without the pull, A and B want level 1 and leave the pact (score 1 < 3 - 1.5) after
    two years of wanting out. With commitment 0.5 (level gain 3) the pact's obligation of 1
    (equal powers: each is the other's leading partner) adds 1.5 levels, so in 2001 they want 2.5 -> practice rises; yet the exit test reads the
    levels wanted on the merits (1), so they still leave in 2002, and then want 1 again."""
    def run(c):
        return _yearly(_pact_world(c), 4, lambda m: int(m.desired[0, 1]), lambda m: bool(m.members[0, 0]))
    plain, pulled = run(0.0), run(0.5)
    assert plain == ([1, 1, 1, 1], [True, False, False, False])
    assert pulled[1] == plain[1]
    assert pulled[0][0] >= 2 and pulled[0][-1] == 1


def _forum_world(charter: str, powers: tuple[float, ...], interests: float) -> dict:
    """States that founded one bloc (level 1) and share only ``interests`` (all pairs) and
    the bloc's pull, commitment 1, level gain 3, normal level 0."""
    ids = "LABCD"[:len(powers)]
    return {"name": "forum", "time": {"start": 2000, "end": 2008},
            "mechanism": {"temperature": 0.0, "normal_level": 0.0, "level_gain": 3.0, "formalise_years": 2,
                          "adjustment_rate": 1.0, "bloc_leave_margin": 3.0,
                          "utility": dict.fromkeys(("security", "balancing", "bandwagon", "ideology",
                                                    "economy", "autonomy", "inertia"), 0.0)
                          | {"interests": 1.0, "commitment": 1.0}},
            "states": [{"id": s, "power": p} for s, p in zip(ids, powers)],
            "pairs": {"values": [{"a": a, "b": b, "interests": interests}
                                 for i, a in enumerate(ids) for b in ids[i + 1:]]},
            "blocs": [{"id": "F", "level": 1, "charter": charter, "founders": list(ids)}]}


def test_a_bloc_that_binds_a_pair_as_its_leaders_gets_its_practice_written_down():
    """L (0.6) and A (0.4) want plain cooperation (1) on the merits; their security forum
    binds them as its leading members (1/3), which at commitment 1 adds a level: they
    practise a partnership (2). That practice is part of their relationship, so after two
    years they write it down (as the SCO's members signed strategic partnerships with
    China), and the written partnership holds it at 2. A forum without obligations pulls
    them just as much, but pledges nothing, so nothing is written."""
    practice, paper = _yearly(_forum_world("security_forum", (0.6, 0.4), 1 / 3), 5,
                              lambda m: int(m.de_facto[0, 1]), lambda m: int(m.treaties.level[0, 1]))
    assert practice == [2] * 5
    assert paper == [0, 2, 2, 2, 2]
    practice, paper = _yearly(_forum_world("forum", (0.6, 0.4), 1 / 3), 5,
                              lambda m: int(m.de_facto[0, 1]), lambda m: int(m.treaties.level[0, 1]))
    assert practice == [2] * 5 and paper == [0] * 5


def test_the_nominal_pull_between_lesser_members_writes_nothing():
    """In a defence pact led by L (0.8), A and B (0.1 each) are bound to each other only by
    1/8 of the pact (hub and spoke): with merits at 1.4 levels (interests 0.4667) that
    nominal pull (3/8 of a level) lifts their practice to 2, but it is not the bloc binding
    them as its leaders, so their partnership is never written down. L and A, bound fully,
    are pledged an alliance and practise it."""
    world = _forum_world("collective_defence", (0.8, 0.1, 0.1), 1.4 / 3)
    world["blocs"][0]["level"] = 3
    m = AllianceModel(world, rng=0)
    for _ in range(5):
        m.step()
    assert int(m.de_facto[1, 2]) == 2 and int(m.treaties.level[1, 2]) == 0
    assert int(m.de_facto[0, 1]) == 3


def test_pledges_name_the_level_the_binding_instrument_pledges():
    """A pact (3) and a forum (1) of L (0.6), A (0.3), B (0.1); C (0.5) is outside. L-A: the
    pact binds fully (pledge 3); A-B: the pact by 0.5, more than the forum's 1/3 x 0.5, so
    its pledge 3; a bilateral partnership between A and C (2/3) is their pledge 2; the
    commitment pull caps only defined pledges (2, 3) at the gap to them."""
    members = np.array([[True, True], [True, True], [True, True], [False, False]])
    bilateral = np.zeros((4, 4), int)
    bilateral[1, 3] = bilateral[3, 1] = 2
    level = np.array([3, 1])
    binds = blocs.bloc_binds(members, level, np.array([True, True]), np.array([0.6, 0.3, 0.1, 0.5]))
    strength, pledged = blocs.pledges(bilateral, binds, level)
    assert strength[0, 1] == pytest.approx(1.0) and pledged[0, 1] == 3
    assert strength[1, 2] == pytest.approx(0.5) and pledged[1, 2] == 3
    assert strength[1, 3] == pytest.approx(2 / 3) and pledged[1, 3] == 2
    assert strength[0, 3] == 0.0 and pledged[0, 3] == 0
    pull = utility.commitment_pull(np.array([2 / 3, 2 / 3, 1 / 3]), np.array([2, 2, 1]),
                                   np.array([1 / 3, 1.0, 1 / 3]), 1.0, 3.0, 0.0)
    # merits at 1 level: a gap of 1 to the pledge (1/3 of utility at gain 3 and weight 1);
    # merits at 3: no gap, no pull; a pledge of 1 pulls by its whole obligation.
    assert pull == pytest.approx([1 / 3, 0.0, 1 / 3])


def test_bloc_moves_are_explained_on_the_merits_against_the_members_scored():
    """Membership is judged without the pull of the obligations already held, so the
    drivers written for a join leave that pull out. In 1992 the Central Asian states join
    the OSCE, whose leading member Russia already binds them through the CIS (a commitment
    component of a third of its weight); it is no reason for the join and is not named."""
    res = simulate(ROOT_SCENARIOS / "central_asia_1991_2024.yaml", seed=0)
    dyads = res.dyads
    held = dyads[(dyads["year"] == 1992) & (dyads["a"] == "RUS") & (dyads["b"] == "KZK")]
    assert float(held["b_commitment"].iloc[0]) > 0.1
    events = res.events
    joins = events[(events["kind"] == "bloc_join") & (events["year"] == 1992)]
    assert set(joins["a"]) >= {"KZK", "UZB", "KYR", "TAJ"}
    assert joins["drivers"].str.len().gt(0).all()
    assert not joins["drivers"].str.contains("commitment").any()
    # Both members of a pact leave it in the same year: each exit is read against the members
    # the rule scored (the other was still in), and on the merits they are indifferent.
    events = simulate(scenario_from_dict(_pact_world(0.5)), seed=0).events
    exits = events[events["kind"] == "bloc_exit"].set_index("a")["drivers"]
    assert exits.to_dict() == {"A": "A: indifferent", "B": "B: indifferent"}


def _treaty_world(commitment: float, interests: float, de_jure: int) -> dict:
    """Two states with no bloc, a bilateral instrument in force, and only shared interests
    (and the instrument's pull) to value each other by."""
    return {"name": "treaty", "time": {"start": 2000, "end": 2010},
            "mechanism": {"temperature": 0.0, "normal_level": 0.0, "level_gain": 3.0, "formalise_years": 2,
                          "denounce_years": 2, "adjustment_rate": 1.0,
                          "utility": dict.fromkeys(("security", "balancing", "bandwagon", "ideology",
                                                    "economy", "autonomy", "inertia"), 0.0)
                          | {"interests": 1.0, "commitment": commitment}},
            "states": [{"id": "A", "power": 0.5}, {"id": "B", "power": 0.5}],
            "pairs": {"values": [{"a": "A", "b": "B", "interests": interests, "initial_de_facto": de_jure,
                                  "initial_de_jure": de_jure}]}}


def _yearly(world: dict, years: int, *reads) -> tuple[list, ...]:
    """Each of ``reads`` applied to the model after each of its first ``years`` steps (seed 0)."""
    m = AllianceModel(world, rng=0)
    out = tuple([] for _ in reads)
    for _ in range(years):
        m.step()
        for values, read in zip(out, reads):
            values.append(read(m))
    return out


def _treaty_years(world: dict, years: int = 6) -> tuple[list[int], list[int]]:
    return _yearly(world, years, lambda m: int(m.de_facto[0, 1]), lambda m: int(m.treaties.level[0, 1]))


def test_a_pledge_of_partnership_pulls_practice_up_to_partnership_and_no_further():
    """Interests of 1/3 make A and B want plain cooperation (1) on the merits. A partnership
    treaty (2) at commitment 1 would add 1 x 2/3 x gain 3 = 2 levels, an alliance in
    practice; but a pledge of a defined level pulls only up to it, so they practise a
    partnership (2), which the treaty records. Without the pull they practise 1 under it."""
    practice, paper = _treaty_years(_treaty_world(1.0, 1 / 3, 2))
    assert practice == [2] * 6 and paper == [2] * 6
    plain_practice, plain_paper = _treaty_years(_treaty_world(0.0, 1 / 3, 2))
    assert plain_practice == [1] * 6 and plain_paper == [2] * 6


def test_an_instrument_is_not_upgraded_by_its_own_pull():
    """A friendship treaty (1) pledges no defined level, only to develop relations, so its
    pull is open: at commitment 1 it adds 1 x 1/3 x 3 = 1 level to the merits' 1, and A and
    B practise a partnership (2). Yet the partnership is never written down, because
    formalisation reads the merits (1), not the instrument's own pull; without that rule
    the pull would write a partnership after two years."""
    practice, paper = _treaty_years(_treaty_world(1.0, 1 / 3, 1))
    assert practice == [2] * 6
    assert paper == [1] * 6


def test_a_treaty_is_denounced_when_the_merits_turn_hostile_despite_its_pull():
    """An alliance treaty (3) between states whose interests are opposed (-1/3: hostile, -1,
    on the merits). Its pull (commitment 1 x 3/3 x gain 3 = 3 levels) keeps practice at
    cooperation, as the 1945 Soviet-Yugoslav treaty did until Moscow denounced it in 1949;
    the merits decide, so the treaty is denounced in the second year. Practice then follows
    the merits down to tension (-1); two years of it impose a hostile instrument, which
    pulls nothing: practice stays at the merits' tension, not confrontation (-2)."""
    practice, paper = _treaty_years(_treaty_world(1.0, -1 / 3, 3))
    assert practice == [2, 2, -1, -1, -1, -1]
    assert paper == [3, 0, 0, -1, -1, -1]


def test_members_who_turn_on_a_member_expel_it():
    """A pact of three equal states: when 0 and 1 want hostility (-1) with 2 for two running
    years (members' view -1 < consent 1 - 1), 2 is expelled even though it wants to stay;
    at distance (0) it is only unwelcome, not expelled."""
    desired = np.full((3, 3), 3)
    np.fill_diagonal(desired, 0)
    rules = blocs.MembershipRules(join_margin=1.0, leave_margin=2.0, leave_years=2)

    def year(members, streak):
        return _step(desired, members, "collective_defence", rules=rules, exit_streak=streak)
    members, streak = np.ones((3, 1), bool), np.zeros((3, 1), int)
    desired[0, 2] = desired[1, 2] = 0
    assert year(members, streak) == [] and year(members, streak) == []
    desired[0, 2] = desired[1, 2] = -1
    assert year(members, streak) == []
    assert year(members, streak) == [(2, 0, "bloc_expulsion")]
    assert members[:, 0].tolist() == [True, True, False]


def test_a_bloc_never_expels_its_leading_power():
    """The same pact, but 2 is its strongest member (half the power): when 0 and 1 turn
    hostile to it for two running years it is not expelled; the lesser members, whose
    scores for a bloc led by a power they are hostile to fall below the exit line, leave it
    instead. The weakest member in 2's place is expelled."""
    desired = np.full((3, 3), 3)
    np.fill_diagonal(desired, 0)
    rules = blocs.MembershipRules(join_margin=1.0, leave_margin=2.0, leave_years=2)
    desired[0, 2] = desired[1, 2] = -1
    cases = (([0.25, 0.25, 0.5], [(0, 0, "bloc_exit"), (1, 0, "bloc_exit")], [False, False, True]),
             ([0.4, 0.4, 0.2], [(2, 0, "bloc_expulsion")], [True, True, False]))
    for power, changes_wanted, members_after in cases:
        members, streak = np.ones((3, 1), bool), np.zeros((3, 1), int)
        changes = [c for _ in range(3) for c in _step(desired, members, "collective_defence",
                                                      power=np.array(power), rules=rules, exit_streak=streak)]
        assert changes == changes_wanted, power
        assert members[:, 0].tolist() == members_after


def test_a_forum_expels_nobody():
    desired = np.full((3, 3), -2)
    np.fill_diagonal(desired, 0)
    members = np.ones((3, 1), bool)
    desired[2, :] = 0  # 2 still wants to sit with the others; they are hostile to it
    changes = _step(desired, members, "forum", rules=blocs.MembershipRules(join_margin=1.0, leave_margin=3.5))
    assert all(kind != "bloc_expulsion" for *_, kind in changes)


def test_components_rebuilt_from_the_record_are_those_the_choices_used():
    """The record keeps the instruments in force when states valued their partners, so the
    commitment component (and every table built from it) is rebuilt to the last bit."""
    m = AllianceModel(ROOT_SCENARIOS / "central_asia_1991_2024.yaml", rng=0)
    assert m.utility_weights["commitment"] > 0
    used = []
    while m.running:
        m.step()
        used.append({c: v.copy() for c, v in m.components.items()})
    for t, comps in enumerate(used, start=1):
        rebuilt = m.history["components"][t]
        assert all(np.array_equal(comps[c], rebuilt[c]) for c in comps), m.years[t]


def test_a_bloc_founded_by_an_event_is_logged_in_the_events_year():
    """An event that founds a bloc in 2004 logged the founding under the scenario's first
    year (2000), because the row took the bloc's own `founded`, which such a bloc leaves out."""
    bloc = {"id": "X", "name": "New Pact", "level": 1, "charter": "forum", "founders": ["B"]}
    event = {"year": 2004, "name": "pact signed", "kind": "bloc",
             "effects": [{"field": "bloc", "bloc": "X", "value": "found"}]}
    ev = simulate(scenario_from_dict(_world(blocs=[bloc], events=[event])), seed=0).events
    assert ev[ev.kind == "bloc_founded"][["year", "text"]].values.tolist() == [[2004, "New Pact founded by B"]]
    # Dissolved by an event: logged in the event's year too (it was the year before).
    end = {"year": 2006, "name": "pact ends", "kind": "bloc", "effects": [{"field": "bloc", "bloc": "X", "value": "dissolve"}]}
    ev = simulate(scenario_from_dict(_world(blocs=[bloc], events=[event, end])), seed=0).events
    assert ev[ev.kind == "bloc_dissolved"].year.tolist() == [2006]
    # An older organisation present from the start, with no 'founded': its entry is logged.
    old = dict(bloc, established=1975)
    ev = simulate(scenario_from_dict(_world(blocs=[old])), seed=0).events
    assert ev[ev.kind == "bloc_entered_scenario"][["year", "text"]].values.tolist() == [
        [2000, "New Pact (founded 1975) enters the scenario with B"]]


def test_the_report_lists_the_de_facto_changes_of_the_chosen_pairs_in_either_order():
    """known_neutral chooses TWIN_A-PROTECTOR and NEUTRAL-PROTECTOR; its events name them
    PROTECTOR first. The report keeps exactly their de facto changes (not TWIN_A-NEUTRAL's
    nor MENACE's), whichever order the event and the scenario give the pair in."""
    from sim.run.report import run_report

    res = simulate(ROOT_SCENARIOS / "known_neutral.yaml", seed=1)
    moves = [line.split(" | ")[:3] for line in run_report(res, {}).splitlines() if "| de facto change |" in line]
    assert moves == [["| 2001", "de facto change", "PROTECTOR-TWIN_A"],
                     ["| 2001", "de facto change", "PROTECTOR-NEUTRAL"],
                     ["| 2003", "de facto change", "PROTECTOR-TWIN_A"]]

"""De jure rules with known answers: how instruments and bloc memberships change over years."""

import numpy as np

from sim.mechanisms.blocs import MembershipRules, step_blocs
from sim.run.simulate import simulate
from sim.scenario.schema import load_scenario
from sim.mechanisms.treaties import TreatyRules, TreatyState, step_treaties
from tests.conftest import ROOT

RULES = TreatyRules(formalise_years=2, denounce_years=2, lapse_years=None, paper_gap=2)


def pair(value: int) -> np.ndarray:
    m = np.array([[0, value], [value, 0]])
    return m


def run_treaty(start: int, de_facto: int, desired: int, years: int, cap: int = 3) -> list[int]:
    ts = TreatyState.start(pair(start))
    levels = []
    for _ in range(years):
        step_treaties(ts, RULES, de_facto=pair(de_facto), desired=pair(desired), cap=np.array([cap, cap]))
        levels.append(int(ts.level[0, 1]))
    return levels


def test_instruments_climb_one_rung_at_a_time():
    # An active alliance both want: a partnership is written down first, the alliance later.
    assert run_treaty(0, 3, 3, 4) == [0, 2, 2, 3]


def test_cooperation_alone_is_not_written_into_a_bilateral_treaty():
    assert run_treaty(0, 1, 3, 10) == [0] * 10


def test_sanctions_stay_until_the_pair_cooperates_again():
    # Neither side wants hostility any more, but without cooperation the sanctions stay.
    assert run_treaty(-1, 0, 1, 6) == [-1] * 6
    assert run_treaty(-1, 1, 1, 2) == [-1, 0]


def test_no_jump_from_sanctions_to_an_alliance():
    assert run_treaty(-1, 3, 3, 6) == [-1, 0, 0, 2, 2, 3]


def test_neutral_ceiling_keeps_bilateral_instruments_out():
    assert run_treaty(0, 3, 3, 6, cap=1) == [0] * 6


def leave_after(years_below: int, leave_years: int) -> list[bool]:
    """Member 0 wants nothing from member 1 for ``years_below`` years, then wants an alliance."""
    members = np.array([[True], [True]])
    streak = np.zeros((2, 1), dtype=int)
    stays = []
    for year in range(years_below + 1):
        want = 0 if year < years_below else 3
        desired = np.array([[0, want], [3, 0]])
        step_blocs(members, MembershipRules(join_margin=1.0, leave_margin=2.0, leave_years=leave_years),
                   active=np.array([True]), level=np.array([3]), desired=desired,
                   power=np.array([1.0, 1.0]), cap=np.array([3, 3]), neutral=np.array([False, False]),
                   exit_streak=streak)
        stays.append(bool(members[0, 0]))
    return stays


def test_one_bad_year_does_not_tear_up_a_charter():
    assert leave_after(1, leave_years=2) == [True, True]
    # Two bad years: out; joining needs no wait, so it is back once it wants the alliance.
    assert leave_after(2, leave_years=2) == [True, False, True]
    assert leave_after(1, leave_years=1) == [False, True]


def test_a_bloc_counts_from_the_year_it_is_founded():
    # The CST of May 1992: its members share an alliance-level instrument in 1992 itself.
    sc = load_scenario(ROOT / "scenarios" / "central_asia_1991_2024.yaml")
    m = simulate(sc, seed=0, record=False).model
    k = m.bloc_ids.index("CSTO")
    t92 = m.years.index(1992)
    assert m.history["bloc_active"][t92][k] and not m.history["bloc_active"][t92 - 1][k]
    assert m.history["members"][t92][m.index["RUS"], k]


def test_only_a_state_able_to_sanction_imposes_a_hostile_instrument():
    hostile = dict(de_facto=pair(-2), cap=np.array([3, 3]))
    # State 0 wants hostility, state 1 does not mind either way.
    desired = np.array([[0, -2], [0, 0]])
    for able, expected in (([True, True], -1), ([False, True], 0), ([True, False], -1)):
        ts = TreatyState.start(pair(0))
        for _ in range(3):
            step_treaties(ts, RULES, desired=desired, can_sanction=np.array(able), **hostile)
        assert ts.level[0, 1] == ts.level[1, 0] == expected, able


def test_the_historical_scenario_leaves_sanctions_to_major_powers():
    sc = load_scenario(ROOT / "scenarios" / "central_asia_1991_2024.yaml")
    for seed in range(3):
        m = simulate(sc, seed=seed, record=False).model
        J = np.stack(m.history["de_jure"])
        small = [m.index[s] for s in ("KZK", "UZB", "KYR", "TAJ", "TKM", "AFG")]
        assert (J[:, small][:, :, small] >= 0).all()

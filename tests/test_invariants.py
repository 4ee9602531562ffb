"""Invariants of the maths: symmetry, bounds, scale-freeness, level ranges."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.mechanisms import hedging, threat, utility
from sim.mechanisms.alignment import adjust, agreed_level, choose_levels
from sim.mechanisms.leave_one_out import largest_other
from sim.run.simulate import simulate
from tests.conftest import SCENARIOS

N = 6


def random_system(seed, n=N):
    rng = np.random.default_rng(seed)
    power = rng.uniform(0.01, 1.0, n)
    dist = rng.uniform(100, 8000, (n, n))
    dist = (dist + dist.T) / 2
    np.fill_diagonal(dist, 0)
    contig = np.triu(rng.random((n, n)) < 0.3, 1)
    contig = (contig | contig.T).astype(float)
    intent = rng.random((n, n))
    return rng, power, dist, contig, intent


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.floats(0, 1))
def test_threat_is_bounded_and_zero_on_the_diagonal(seed, mix):
    _, power, dist, contig, intent = random_system(seed)
    prox = threat.proximity(dist, contig, 1500.0)
    comps = threat.threat_components(power, power, prox, intent)
    T = threat.threat_matrix(comps, threat.threat_weights(mix=mix))
    assert np.all((T >= 0) & (T <= 1))
    assert np.all(np.diag(T) == 0)
    for c in comps.values():
        assert np.all((c >= 0) & (c <= 1 + 1e-12))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.01, 100))
def test_threat_is_scale_free_in_power(seed, scale):
    _, power, dist, contig, intent = random_system(seed)
    prox = threat.proximity(dist, contig, 1500.0)
    w = threat.threat_weights("balance_of_threat")
    t1 = threat.threat_matrix(threat.threat_components(power, power, prox, intent), w)
    t2 = threat.threat_matrix(threat.threat_components(power * scale, power * scale, prox, intent), w)
    assert np.allclose(t1, t2)


def test_balance_of_power_threat_ranks_by_power_alone():
    _, power, dist, contig, intent = random_system(3)
    prox = threat.proximity(dist, contig, 1500.0)
    T = threat.threat_matrix(threat.threat_components(power, power, prox, intent),
                             threat.threat_weights("balance_of_power"))
    strongest = int(np.argmax(power))
    for i in range(N):
        if i != strongest:
            assert np.argmax(T[i]) == strongest


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_utility_components_are_bounded(seed):
    rng, power, dist, contig, intent = random_system(seed)
    prox = threat.proximity(dist, contig, 1500.0)
    T = threat.threat_matrix(threat.threat_components(power, power, prox, intent),
                             threat.threat_weights("balance_of_threat"))
    F = rng.integers(-2, 4, (N, N))
    F = np.triu(F, 1) + np.triu(F, 1).T
    comps = utility.utility_components(
        threat=T, power=power, prox=prox, de_facto=F, ideology=rng.random((N, 2)), ideology_scale=1.0,
        interests=np.clip(rng.normal(0, 0.5, (N, N)), -1, 1), trade=rng.random((N, N)) * 0.3,
        bandwagon=rng.random(N), autonomy=rng.random(N), multi_vector=rng.random(N))
    for name, c in comps.items():
        assert c.shape == (N, N)
        assert np.all(np.diag(c) == 0), name
        lo, hi = (-2.0, 2.0) if name in ("bandwagon", "balancing", "autonomy") else (-1.0, 1.0)
        assert np.all((c >= lo - 1e-9) & (c <= hi + 1e-9)), name
    assert np.allclose(comps["ideology"], comps["ideology"].T)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 7))
def test_largest_other_leaves_out_the_entry_itself(seed, n):
    """Against the definition, ties included (integer entries tie often)."""
    a = np.random.default_rng(seed).integers(0, 3, (n, n)).astype(float)
    rows, cols = largest_other(a, axis=1), largest_other(a, axis=0)
    for i in range(n):
        for j in range(n):
            row_rest, col_rest = np.delete(a[i], j), np.delete(a[:, j], i)
            assert rows[i, j] == (row_rest.max() if n > 1 else 0.0)
            assert cols[i, j] == (col_rest.max() if n > 1 else 0.0)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 9), st.floats(0, 6))
def test_settled_hedging_is_the_fixed_point_of_the_bliss_level(seed, n, slope):
    """The cooperation ``hedging.settled`` returns reproduces itself: inside (0, 1) the
    bliss level there is 3 x that cooperation; at 0 the bliss is at or below 0, at 1 at or
    above 3 (the clipped fixed point)."""
    rng = np.random.default_rng(seed)
    coop = np.maximum(rng.integers(-2, 4, (n, n)), 0) / 3.0
    np.fill_diagonal(coop, 0.0)
    weight, base = rng.random((n, n)), rng.normal(1.0, 2.0, (n, n))
    slopes = slope * rng.random((n, 1))
    closest, summed = hedging.others(coop)
    own = hedging.settled(base, slopes, closest, summed, weight)
    bliss = base + slopes * hedging.hedge(own, closest, summed, weight)
    assert np.all((own >= 0) & (own <= 1))
    inside = (own > 0) & (own < 1)
    assert np.allclose(bliss[inside], 3 * own[inside])
    assert np.all(bliss[own == 0] <= 1e-9) and np.all(bliss[own == 1] >= 3 - 1e-9)
    # Several totals settled in one call (the model's total and its total on the merits)
    # are each settled as on their own.
    both = hedging.settled(np.stack([base, base - 1.0]), slopes, closest, summed, weight)
    assert np.array_equal(both[0], own)
    assert np.array_equal(both[1], hedging.settled(base - 1.0, slopes, closest, summed, weight))
    # ``others`` leaves the pair itself out: the closest and summed ties to everyone else.
    i, j = rng.integers(0, n, 2)
    rest = np.delete(coop[i], j)
    assert closest[i, j] == rest.max() and summed[i, j] == pytest.approx(rest.sum())


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, (5, 5), elements=st.floats(-4, 4)), st.floats(0, 2), st.integers(0, 99))
def test_choices_stay_on_the_scale_and_agreement_is_symmetric(bliss, temperature, seed):
    rng = np.random.default_rng(seed)
    chosen = choose_levels(bliss, temperature, rng, cap=np.full(5, 1))
    assert chosen.min() >= -2 and chosen.max() <= 1
    agreed = agreed_level(chosen)
    assert np.array_equal(agreed, agreed.T)
    latent, level = adjust(np.zeros((5, 5)), agreed, 0.5)
    assert np.array_equal(level, level.T)
    assert level.min() >= -2 and level.max() <= 3


def test_zero_temperature_picks_the_nearest_level():
    bliss = np.array([-3.0, -1.2, 0.4, 0.6, 2.49, 7.0])
    assert choose_levels(bliss, 0.0, None).tolist() == [-2, -1, 0, 1, 2, 3]


@pytest.mark.parametrize("n", [6, 40])  # the small-array path and the level-by-level path (over 1024 choices)
def test_a_switching_cost_keeps_the_practised_level_until_bliss_clears_the_midpoint_by_the_cost(n):
    """Level values are -(level - bliss)^2 / 2; staying at 1 beats moving to 2 while
    bliss < 1.5 + cost, and staying at 2 beats moving to 1 while bliss > 1.5 - cost."""
    bliss = np.resize(np.array([1.45, 1.55, 1.65, 1.35, 1.45, 1.55]), (n, n))
    current = np.resize(np.array([1, 1, 1, 2, 2, 2]), (n, n))
    without = choose_levels(bliss, 0.0, None, current=current, switching_cost=0.0)
    held = choose_levels(bliss, 0.0, None, current=current, switching_cost=0.1)
    assert without[0, :6].tolist() == [1, 2, 2, 1, 1, 2]
    assert held[0, :6].tolist() == [1, 1, 2, 1, 2, 2]
    # The choice on the merits (``also``), which judges memberships and instruments, is free of the cost.
    both = choose_levels(bliss, 0.0, None, also=bliss, current=current, switching_cost=0.1)
    assert np.array_equal(both[0], held) and np.array_equal(both[1], without)
    # Under noise the same draw decides both choices: the cost only ever keeps a choice at the practised level.
    noisy = [choose_levels(bliss, 0.3, np.random.default_rng(5), current=current, switching_cost=c) for c in (0, 0.1)]
    moved = noisy[1] != noisy[0]
    assert moved.any() and np.all(noisy[1][moved] == current[moved])


def test_run_levels_symmetric_and_in_range():
    res = simulate(SCENARIOS / "known_neutral.yaml", seed=3)
    for F, J in zip(res.model.history["de_facto"], res.model.history["de_jure"]):
        assert np.array_equal(F, F.T) and np.array_equal(J, J.T)
        assert F.min() >= -2 and F.max() <= 3 and J.min() >= -1 and J.max() <= 3


def test_different_seeds_differ_with_noise_and_agree_without():
    noisy = [simulate(SCENARIOS / "known_neutral.yaml", seed=s, temperature=1.5).dyads.de_facto.tolist()
             for s in (1, 2)]
    assert noisy[0] != noisy[1]
    calm = [simulate(SCENARIOS / "known_neutral.yaml", seed=s, temperature=0.0).dyads.de_facto.tolist()
            for s in (1, 2)]
    assert calm[0] == calm[1]


def test_mix_moves_from_balance_of_power_to_the_scenario_weighting():
    bop = threat.threat_weights("balance_of_power")
    assert threat.threat_weights(mix=0.0) == bop
    assert threat.threat_weights(mix=1.0) == threat.threat_weights("balance_of_threat")
    fitted = dict(power=0.5, proximity=0.3, offense=0.0, intent=1.0)
    full = threat.threat_weights(**fitted)
    assert full["intent"] == pytest.approx(1 / 1.8)
    half = threat.threat_weights(mix=0.5, **fitted)
    for c in threat.COMPONENTS:
        assert half[c] == pytest.approx(0.5 * bop[c] + 0.5 * full[c])
    with pytest.raises(ValueError):
        threat.threat_weights(power=0, proximity=0, offense=0, intent=0)

"""Structural balance over time and the landscape of the agent model's own ingredients."""

import numpy as np

from sim.run.simulate import simulate, write_run
from sim.analysis.structure import balance_over_time, best_split, landscape_at, signed_network
from tests.conftest import SCENARIOS


def test_signed_network_and_best_partition_known_answer():
    F = np.array([[0, 3, -1, -2], [3, 0, -1, 0], [-1, -1, 0, 2], [-2, 0, 2, 0]])
    signed = signed_network(F)
    assert signed.tolist() == [[0, 1, -1, -1], [1, 0, -1, 0], [-1, -1, 0, 1], [-1, 0, 1, 0]]
    labels = best_split(signed).labels
    assert labels[0] == labels[1] != labels[2] == labels[3]


def test_balance_of_power_world_ends_balanced_and_stable():
    res = simulate(SCENARIOS / "known_balance_of_power.yaml", seed=0)
    table = balance_over_time(res.model)
    last = table.iloc[-1]
    assert last.balanced_share == 1.0 and last.frustration == 0 and bool(last.stable)
    assert last.blocs == "HEGEMON | A B C"
    assert len(table) == len(res.years)


def test_landscape_of_the_ingredients_recovers_the_reached_alignment():
    res = simulate(SCENARIOS / "known_balance_of_power.yaml", seed=0)
    found, actual, scores = landscape_at(res.model, 2015)
    assert found.method == "exhaustive" and found.n_configurations == 2 ** 3
    assert sum(m.basin_size for m in found.minima) == 2 ** 3
    assert scores[0] == {"misplaced": 0, "ari": 1.0, "vi": 0.0}


def test_run_folder_has_the_structure_table(tmp_path):
    res = simulate(SCENARIOS / "known_paper_alliance.yaml", seed=1)
    out = write_run(res, tmp_path / "run", plots=False, report=False)
    text = (out / "structure.csv").read_text().splitlines()
    assert text[0] == "year,complete_triads,balanced_share,frustration,blocs,stable,tied_splits"
    assert len(text) == 1 + len(res.years)


def test_best_split_keeps_states_without_a_positive_tie_apart():
    """Frustration 0 fits both 'everyone together' and 'A | B T' when only B and T cooperate;
    a bloc is a group of cooperating states, so A stands apart (known_paper_alliance, 2015)."""
    F = np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0]])
    split = best_split(signed_network(F))
    assert split.labels.tolist() == [0, 1, 1] and split.frustration == 0 and not split.ambiguous
    three = best_split(signed_network(F), k=3)
    assert three.labels.tolist() == [0, 1, 1] and not three.ambiguous


def test_best_split_of_a_distant_pair_is_two_blocs_and_respects_k():
    assert best_split(np.zeros((2, 2), dtype=int)).labels.tolist() == [0, 1]
    assert best_split(np.zeros((3, 3), dtype=int), k=3).labels.tolist() == [0, 1, 2]
    tied = best_split(np.zeros((3, 3), dtype=int), k=2)  # which one stands alone is arbitrary
    assert tied.ambiguous and tied.tied == 3


def test_best_split_of_two_clear_camps_is_unchanged():
    F = np.array([[0, 3, -1, -2], [3, 0, -1, -1], [-1, -1, 0, 2], [-2, -1, 2, 0]])
    for k in (2, 3):
        split = best_split(signed_network(F), k=k)
        assert split.labels.tolist() == [0, 0, 1, 1] and split.frustration == 0 and split.tied == 1


def test_paper_alliance_2015_actual_split_is_the_real_cooperation():
    res = simulate(SCENARIOS / "known_paper_alliance.yaml", seed=0)
    t = res.years.index(2015)
    assert signed_network(res.model.history["de_facto"][t]).tolist() == [[0, 0, 0], [0, 0, 1], [0, 1, 0]]
    table = balance_over_time(res.model)
    assert table.set_index("year").loc[2015, "blocs"] == "ALLY_A | ALLY_B THREAT"
    found, actual, scores = landscape_at(res.model, 2015, k=3)
    assert [res.ids[i] for i in np.flatnonzero(actual.labels == actual.labels[1])] == ["ALLY_B", "THREAT"]
    assert scores is not None and scores[0]["misplaced"] == 0


def _brute_best_split(s):
    """Every split into at most two blocs (actor 0 in bloc 0), ranked by the criteria of
    best_split from their labels: the oracle for its two-pass arithmetic."""
    import itertools

    n = s.shape[0]
    iu = np.triu_indices(n, 1)
    ranked = []
    for rest in itertools.product((0, 1), repeat=n - 1):
        lab = np.array((0,) + rest)
        inside = lab[iu[0]] == lab[iu[1]]
        frus = int(((s[iu] < 0) & inside).sum() + ((s[iu] > 0) & ~inside).sum())
        ranked.append(((frus, int(((s[iu] <= 0) & inside).sum()), -(lab.max() + 1)), lab))
    best = min(key for key, _ in ranked)
    return best[0], [lab.tolist() for key, lab in ranked if key == best]


def _random_signed(rng, sizes, per_size, p):
    """``per_size`` random symmetric signed networks of each size (-1, 0, 1 with odds ``p``)."""
    nets = []
    for n in sizes:
        for _ in range(per_size):
            s = np.triu(rng.choice([-1, 0, 1], size=(n, n), p=p), 1)
            nets.append(s + s.T)
    return nets


def _assert_as_every_labelling(nets):
    for s in nets:
        got = best_split(s)
        frustration, tied = _brute_best_split(s)
        assert got.frustration == frustration and got.tied == len(tied) and got.labels.tolist() in tied


def test_best_split_of_two_blocs_agrees_with_ranking_every_labelling():
    """The two-bloc search counts frustration and the non-cooperating pairs inside a bloc
    from energies and bloc sizes, never from labels; ranking every labelling gives the same
    split, frustration and number of ties."""
    nets = [np.zeros((6, 6), dtype=int)]
    nets += _random_signed(np.random.default_rng(5), (4, 7, 10), 10, p=[0.15, 0.6, 0.25])
    _assert_as_every_labelling(nets)
    # No ties at all: two blocs of three keep the fewest distant pairs together, and the
    # C(6, 3) / 2 = 10 such splits tie, which the caller is told.
    zero = best_split(nets[0])
    assert zero.tied == 10 and sorted(np.bincount(zero.labels)) == [3, 3]


def test_best_split_counted_in_small_chunks_agrees_with_ranking_every_labelling(monkeypatch):
    """The two-bloc search keeps only each chunk's least frustrated splits; with chunks of
    four configurations the best splits and their ties are spread over many chunks (and a
    later chunk can beat an earlier one), and the answer is still that of every labelling."""
    from sim.analysis import structure

    monkeypatch.setattr(structure, "SPLIT_CHUNK_BITS", 2)
    nets = [np.zeros((7, 7), dtype=int), -np.ones((5, 5), dtype=int) + np.eye(5, dtype=int)]
    nets += _random_signed(np.random.default_rng(8), (2, 3, 6, 9), 8, p=[0.3, 0.4, 0.3])
    _assert_as_every_labelling(nets)
    assert best_split(nets[0]).tied == 35  # every split into three states and four: C(7, 3)

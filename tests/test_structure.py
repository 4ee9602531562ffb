"""Structural balance over time and the landscape of the agent model's own ingredients."""

import numpy as np

from sim.run.simulate import simulate, write_run
from sim.analysis.structure import balance_over_time, best_partition, landscape_at, signed_network
from tests.conftest import SCENARIOS


def test_signed_network_and_best_partition_known_answer():
    F = np.array([[0, 3, -1, -2], [3, 0, -1, 0], [-1, -1, 0, 2], [-2, 0, 2, 0]])
    signed = signed_network(F)
    assert signed.tolist() == [[0, 1, -1, -1], [1, 0, -1, 0], [-1, -1, 0, 1], [-1, 0, 1, 0]]
    labels = best_partition(signed)
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
    assert text[0] == "year,complete_triads,balanced_share,frustration,blocs,stable"
    assert len(text) == 1 + len(res.years)

"""Structural balance of signed networks and stability of bloc configurations."""

import numpy as np
import pytest

from sim.landscape.structural_balance import (balanced_triad_share, frustration_index, is_stable, signs,
                                    triad_balance, unstable_actors)


def triangle(ab, ac, bc):
    return np.array([[0, ab, ac], [ab, 0, bc], [ac, bc, 0]])


def test_all_positive_triangle_is_balanced():
    assert triad_balance(triangle(1, 1, 1)) == {"triads": 1, "balanced": 1, "unbalanced": 0,
                                                "share_balanced": 1.0}


def test_triangle_with_one_negative_edge_is_unbalanced():
    assert balanced_triad_share(triangle(1, 1, -1)) == 0.0


def test_enemy_of_my_enemy_triangle_is_balanced_and_all_negative_is_not():
    assert balanced_triad_share(triangle(-1, -1, 1)) == 1.0
    assert balanced_triad_share(triangle(-1, -1, -1)) == 0.0


def test_counts_in_a_larger_network():
    # two camps {0,1} and {2,3}, plus one 'wrong' edge 0-1 negative:
    s = np.array([[0, -1, -1, -1], [-1, 0, -1, -1], [-1, -1, 0, 1], [-1, -1, 1, 0]])
    # triads: 012, 013 have signs (-,-,-) unbalanced; 023, 123 have (-,-,+) balanced
    assert triad_balance(s) == {"triads": 4, "balanced": 2, "unbalanced": 2, "share_balanced": 0.5}
    assert frustration_index(s, [0, 0, 1, 1]) == 1.0  # the negative edge inside bloc 0
    assert np.isnan(balanced_triad_share(np.zeros((3, 3))))


def test_two_bloc_network_consistent_with_its_partition_has_zero_frustration():
    labels = np.array([0, 0, 1, 1, 1])
    net = np.where(labels[:, None] == labels[None, :], 2.5, -0.7)
    np.fill_diagonal(net, 0)
    assert frustration_index(net, labels) == 0.0
    assert frustration_index(net, labels, weighted=True) == 0.0
    assert frustration_index(net, [0, 1, 1, 1, 1]) == 4.0  # actor 1 now across from 0, with 2..4
    assert frustration_index(net, [0, 1, 1, 1, 1], weighted=True) == pytest.approx(2.5 + 3 * 0.7)
    assert balanced_triad_share(signs(net)) == 1.0


def test_stability_against_a_single_state_switching():
    s = [3, 1, 1]
    p = -np.ones((3, 3))
    np.fill_diagonal(p, 0)
    assert is_stable(s, p, [0, 1, 1])
    # {0,1} vs {2}: the small state 1 gains by leaving the big one (hand-computed)
    assert unstable_actors(s, p, [0, 0, 1]) == [1]
    # with three blocs available, {0} {1,2} is not stable: 1 and 2 would rather split
    assert unstable_actors(s, p, [0, 1, 1], k=3) == [1, 2]

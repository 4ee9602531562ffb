"""Partition agreement: misplaced count, adjusted Rand index, variation of information."""

import math

import pytest

from sim.landscape.partition import adjusted_rand_index, compare, contingency, misplaced, variation_of_information


def test_identical_partitions_agree_perfectly():
    a = ["allies", "allies", "axis", "axis", "axis"]
    assert compare(a, a) == {"misplaced": 0, "ari": 1.0, "vi": 0.0}


def test_relabelled_blocs_are_the_same_partition():
    a = [0, 0, 1, 1, 2]
    b = ["x", "x", "y", "y", "z"]
    assert compare(a, b) == {"misplaced": 0, "ari": 1.0, "vi": 0.0}


def test_crossed_partitions_known_answers():
    # contingency [[1, 1], [1, 1]]: no agreeing pair; expected index 2*2/6, max 2
    a, b = [0, 0, 1, 1], [0, 1, 0, 1]
    assert misplaced(a, b) == 2
    assert adjusted_rand_index(a, b) == pytest.approx((0 - 4 / 6) / (2 - 4 / 6))  # -0.5
    assert variation_of_information(a, b) == pytest.approx(2.0)  # H(A) + H(B), I = 0


def test_one_actor_misplaced():
    a, b = [0, 0, 0, 1], [0, 0, 1, 1]
    assert misplaced(a, b) == 1
    # VI = H(A|B) + H(B|A): H(A|B) = 0.5 * 1 bit; H(B|A) = 0.75 * H(2/3, 1/3)
    h = -(2 / 3) * math.log2(2 / 3) - (1 / 3) * math.log2(1 / 3)
    assert variation_of_information(a, b) == pytest.approx(0.5 + 0.75 * h)
    # contingency [[2, 1], [0, 1]]: agreeing pairs 1, expected 3 * 2 / 6 = 1 -> ARI exactly 0
    assert adjusted_rand_index(a, b) == pytest.approx(0.0)
    assert adjusted_rand_index([0, 0, 0, 1, 1], [0, 0, 0, 1, 0]) > 0


def test_extra_blocs_count_as_misplaced_and_lengths_must_match():
    assert misplaced([0, 1, 2], [0, 0, 0]) == 2
    assert contingency([0, 1, 2], [0, 0, 0]).tolist() == [[1], [1], [1]]
    with pytest.raises(ValueError, match="different numbers"):
        misplaced([0, 1], [0, 1, 1])


def test_measures_are_symmetric():
    a, b = [0, 0, 1, 1, 1, 2], [1, 1, 1, 0, 0, 0]
    assert misplaced(a, b) == misplaced(b, a)
    assert adjusted_rand_index(a, b) == pytest.approx(adjusted_rand_index(b, a))
    assert variation_of_information(a, b) == pytest.approx(variation_of_information(b, a))

"""Landscape theory (Axelrod & Bennett 1993): hand-worked answers, invariants, model, I/O, CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.landscape import theory as L
from sim.errors import InputError
from sim.landscape.files import load_landscape
from sim.landscape.model import LandscapeModel
from tests.conftest import assert_real_figure

ROOT = Path(__file__).resolve().parents[1]


def minima_dict(result):
    return {m.labels: (m.energy, m.basin_size) for m in result.minima}


def all_pairs(n, value):
    p = np.full((n, n), float(value))
    np.fill_diagonal(p, 0)
    return p


def random_landscape(seed, n):
    rng = np.random.default_rng(seed)
    s = rng.uniform(0.1, 1.0, n)
    p = rng.normal(size=(n, n))
    return s, (p + p.T) / 2


# ----------------------------------------------------------------- energy convention
def test_energy_counts_ordered_pairs_and_frustration_weights_by_partner_size():
    # two actors apart, sizes 2 and 3, propensity -1: F_0 = 3 * -1, F_1 = 2 * -1,
    # E = s_0 F_0 + s_1 F_1 = -6 - 6 = -12 (the unordered pair counted twice)
    s, p = [2.0, 3.0], [[0, -1], [-1, 0]]
    assert L.frustration(s, p, [0, 1]).tolist() == [-3.0, -2.0]
    assert L.energy(s, p, [0, 1]) == -12.0
    assert L.energy(s, p, [0, 0]) == 0.0


def test_incremental_energies_match_direct_computation():
    s, p = random_landscape(3, 8)
    direct = [L.energy(s, p, [0] + [(i >> j) & 1 for j in range(7)]) for i in range(128)]
    np.testing.assert_allclose(L.binary_energies(s, p), direct)
    res = L.exhaustive_binary(s, p, chunk_bits=3, keep_energies=True)
    np.testing.assert_allclose(res.energies, direct)


# ----------------------------------------------------------- hand-worked known answers
def test_realist_three_equal_states_have_three_minima_with_hand_computed_basins():
    # p = -1 everywhere, sizes 1: any 1-vs-2 split has E = 2 * (-1 - 1) = -4; all
    # together (E = 0) descends by moving actor 0 (all moves tie, lowest index wins).
    res = L.exhaustive_binary([1, 1, 1], all_pairs(3, -1))
    assert minima_dict(res) == {(0, 1, 1): (-4.0, 2), (0, 0, 1): (-4.0, 1), (0, 1, 0): (-4.0, 1)}


def test_realist_unequal_sizes_the_weak_unite_against_the_strong():
    # sizes (3, 1, 1): {0} vs {1, 2} gives E = 2 * (-3 - 3) = -12; {0, 1} vs {2} gives -8
    # and actor 1 lowers its frustration by leaving, so the minimum is unique.
    res = L.exhaustive_binary([3, 1, 1], all_pairs(3, -1))
    assert minima_dict(res) == {(0, 1, 1): (-12.0, 4)}


def test_two_friendly_pairs_that_dislike_each_other_have_a_unique_minimum():
    s = [1, 2, 1, 2]
    p = all_pairs(4, -1)
    p[0, 1] = p[1, 0] = p[2, 3] = p[3, 2] = 1
    # hostile pairs apart: 2 * -(1*1 + 1*2 + 2*1 + 2*2) = -18; every start ends there
    assert minima_dict(L.exhaustive_binary(s, p)) == {(0, 0, 1, 1): (-18.0, 8)}


def test_two_hostile_pairs_have_two_minima_with_basins_four_and_four():
    # p01 = p23 = -1, others 0, sizes 1: {0,2}{1,3} and {0,3}{1,2} both have E = -4.
    # Worked by hand with the lowest-index tie rule: 000, 010, 101, 111 (bits of actors
    # 1-3) descend to {0,2}{1,3}; 001, 011, 100, 110 to {0,3}{1,2}.
    p = np.zeros((4, 4))
    p[0, 1] = p[1, 0] = p[2, 3] = p[3, 2] = -1
    assert minima_dict(L.exhaustive_binary([1] * 4, p)) == {(0, 1, 0, 1): (-4.0, 4),
                                                           (0, 1, 1, 0): (-4.0, 4)}


def test_three_blocs_let_three_mutual_enemies_stand_alone():
    res = L.exhaustive_kblocs([1, 1, 1], all_pairs(3, -1), k=3)
    assert res.n_configurations == 5  # 1 + 3 + 1 partitions of three actors
    assert minima_dict(res) == {(0, 1, 2): (-6.0, 5)}


def test_restricted_growth_strings_count_partitions_once():
    rgs = L.restricted_growth_strings(5, 3)
    assert rgs.shape == (1 + 15 + 25, 5)  # Stirling numbers S(5,1) + S(5,2) + S(5,3)
    assert len({tuple(r) for r in rgs}) == rgs.shape[0]
    assert np.array_equal(L.canonical_labels(rgs), rgs)


# ------------------------------------------------------------------------ invariants
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_basins_partition_all_configurations_and_roots_are_local_minima(seed):
    s, p = random_landscape(seed, 9)
    res = L.exhaustive_binary(s, p)
    assert sum(m.basin_size for m in res.minima) == 2 ** 8
    assert abs(sum(m.basin_share for m in res.minima) - 1) < 1e-12
    for m in res.minima:
        assert L.is_local_minimum(s, p, m.labels)
        assert m.energy == pytest.approx(L.energy(s, p, m.labels))


def test_exhaustive_basins_match_a_brute_force_descent_from_every_configuration():
    s, p = random_landscape(7, 7)
    counts: dict = {}
    for idx in range(2 ** 6):
        final, _ = L.descend(s, p, [0] + [(idx >> j) & 1 for j in range(6)])
        counts[tuple(final)] = counts.get(tuple(final), 0) + 1
    res = L.exhaustive_binary(s, p, chunk_bits=2)
    assert {m.labels: m.basin_size for m in res.minima} == counts


def test_generic_k_bloc_search_with_two_blocs_equals_the_binary_search():
    s, p = random_landscape(11, 8)
    generic = L.exhaustive_kblocs(s, p, 2).minima
    binary = L.exhaustive_binary(s, p).minima
    assert [(m.labels, m.basin_size) for m in generic] == [(m.labels, m.basin_size) for m in binary]
    assert [m.energy for m in generic] == pytest.approx([m.energy for m in binary])


def test_relabelling_blocs_leaves_energy_and_frustration_unchanged():
    s, p = random_landscape(5, 6)
    lab = np.array([0, 1, 1, 0, 1, 0])
    assert L.energy(s, p, lab) == pytest.approx(L.energy(s, p, 1 - lab))
    np.testing.assert_allclose(L.frustration(s, p, lab), L.frustration(s, p, 1 - lab))
    assert L.energy(s, p, [2, 0, 0, 2, 1, 1]) == pytest.approx(L.energy(s, p, [0, 1, 1, 0, 2, 2]))


def test_permuting_actors_permutes_the_minima_and_keeps_energies_and_basins():
    s, p = random_landscape(13, 8)
    perm = np.random.default_rng(0).permutation(8)

    def as_sets(res, names):
        return {(frozenset(frozenset(b) for b in m.blocs(names)), round(m.energy, 9), m.basin_size)
                for m in res.minima}

    names = [f"a{i}" for i in range(8)]
    base = as_sets(L.exhaustive_binary(s, p), names)
    permuted = as_sets(L.exhaustive_binary(s[perm], p[np.ix_(perm, perm)]), [names[i] for i in perm])
    assert base == permuted


def test_random_starts_find_the_exhaustive_minima_with_consistent_shares():
    s, p = random_landscape(21, 8)
    exact = {m.labels: m.basin_share for m in L.exhaustive_binary(s, p).minima}
    est = L.random_starts(s, p, k=2, starts=4000, rng=1)
    assert {m.labels for m in est.minima} == set(exact)
    for m in est.minima:
        assert abs(m.basin_share - exact[m.labels]) < 4 * m.share_se + 1e-9
    again = L.random_starts(s, p, k=2, starts=4000, rng=1)
    assert [(m.labels, m.basin_size) for m in again.minima] == [(m.labels, m.basin_size) for m in est.minima]


def test_three_bloc_random_starts_agree_with_exhaustive_three_bloc_search():
    s, p = random_landscape(4, 7)
    exact = {m.labels for m in L.exhaustive_kblocs(s, p, 3).minima}
    found = {m.labels for m in L.random_starts(s, p, k=3, starts=3000, rng=2).minima}
    assert found <= exact and len(found) >= 1
    for lab in found:
        assert L.is_local_minimum(s, p, lab, k=3)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 7), k=st.integers(2, 4), seed=st.integers(0, 10_000))
def test_energy_never_rises_under_steepest_descent_or_myopic_switching(n, k, seed):
    s, p = random_landscape(seed, n)
    start = np.random.default_rng(seed).integers(0, k, n)
    final, energies = L.descend(s, p, start, k=k)
    assert np.all(np.diff(energies) < 0)  # every step strictly downhill
    assert energies[-1] == pytest.approx(L.energy(s, p, final))
    model = LandscapeModel(sizes=s, propensity=p, k=k, rng=seed, initial=start)
    model.run_until_stable(10_000)
    assert np.all(np.diff(model.energy_history) <= 1e-12)
    assert L.is_local_minimum(s, p, model.labels, k=k)


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match="symmetric"):
        L.exhaustive_binary([1, 1], [[0, 1], [2, 0]])
    with pytest.raises(ValueError, match="positive"):
        L.energy([1, 0], [[0, 1], [1, 0]], [0, 1])


# ------------------------------------------------------------ ingredients -> propensity
def test_propensities_from_ingredients_known_answer_and_shape_rules():
    n = 3
    zero = np.zeros((n, n))
    aff = np.array([[0, 1, -1], [1, 0, 0], [-1, 0, 0]], float)
    p = L.propensities_from_ingredients(aff, zero, zero, zero, {"interest": 0, "threat": 0,
                                                                "shared_threat": 0, "history": 0})
    np.testing.assert_allclose(p, aff)  # only ideology weighted: p equals the affinity
    threat = np.array([[0, 0, 1], [0, 0, 1], [0, 0, 0]], float)  # C threatens A and B
    p = L.propensities_from_ingredients(zero, zero, threat, zero)
    # A-B share the threat from C: S = min(1, 1) / (n - 2) = 1; weight 1 of 5 -> 0.2
    # A-C: direct threat sym = 0.5 -> -0.5 / 5 = -0.1
    assert p[0, 1] == pytest.approx(0.2) and p[0, 2] == pytest.approx(-0.1)
    np.testing.assert_allclose(p, p.T)
    hist = np.full((n, n), 3.0)
    assert L.propensities_from_ingredients(zero, zero, zero, hist)[0, 1] == pytest.approx(0.2)
    with pytest.raises(ValueError, match="threat must lie"):
        L.propensities_from_ingredients(zero, zero, threat * 2, zero)
    with pytest.raises(ValueError, match="unknown"):
        L.propensities_from_ingredients(zero, zero, zero, zero, {"ideologie": 1})


# ----------------------------------------------------------------------- Mesa model
def test_mesa_model_steps_reaches_a_local_minimum_and_is_reproducible():
    s, p = random_landscape(9, 10)
    runs = []
    for _ in range(2):
        m = LandscapeModel(sizes=s, propensity=p, k=2, rng=42)
        assert len(m.agents) == 10 and m.running
        m.step()
        assert m.steps == 1
        m.run_until_stable()
        assert not m.running
        assert L.is_local_minimum(s, p, m.partition)
        assert m.energy() == pytest.approx(L.energy(s, p, m.labels))
        runs.append((m.partition, m.steps))
    assert runs[0] == runs[1]
    assert runs[0][0] in {mm.labels for mm in L.exhaustive_binary(s, p).minima}


# -------------------------------------------------------------------------- files
def write(tmp_path, name, text):
    f = tmp_path / name
    f.write_text(text)
    return f


GOOD = """mechanism: landscape
name: tiny
actors: [A, B, C]
sizes: {A: 1, B: 1, C: 2}
propensities:
  - {a: A, b: B, value: 1}
  - {a: A, b: C, value: -1}
"""


def test_load_inline_scenario_builds_symmetric_matrix(tmp_path):
    spec = load_landscape(write(tmp_path, "ok.yaml", GOOD))
    assert spec.ids == ["A", "B", "C"] and spec.k == 2
    np.testing.assert_array_equal(spec.size_vector(), [1, 1, 2])
    np.testing.assert_array_equal(spec.propensity_matrix(), [[0, 1, -1], [1, 0, 0], [-1, 0, 0]])


@pytest.mark.parametrize("text, match", [
    (GOOD.replace("mechanism: landscape", "mechanism: agents"), r"ok\.yaml:1: field 'mechanism'"),
    (GOOD.replace("C: 2", "C: -2"), "field 'sizes.C': expected a positive size"),
    (GOOD.replace("{a: A, b: C", "{a: A, b: Z"), r"ok\.yaml:7: field 'propensities\[1\]\.b'"),
    (GOOD.replace("sizes: {A: 1, B: 1, C: 2}", "sizes: {A: 1, B: 1}"), "a size for every actor"),
    (GOOD + "  - {a: B, b: A, value: 2}\n", r"ok\.yaml:8: field 'propensities\[2\]': expected one value per pair"),
    (GOOD + "k: 1\n", "field 'k'"),
    (GOOD + "colour: red\n", "field 'colour'"),
    ("mechanism: [landscape\n", "expected valid YAML"),
])
def test_malformed_files_name_file_line_and_field(tmp_path, text, match):
    with pytest.raises(InputError, match=match):
        load_landscape(write(tmp_path, "ok.yaml", text))


def test_csv_conflicting_duplicate_reports_the_csv_line(tmp_path):
    write(tmp_path, "p.csv", "a,b,value\nA,B,1\nB,A,1\nC,A,0.5\nA,C,-0.5\n")
    text = GOOD.split("propensities:")[0] + "propensities_csv: p.csv\n"
    with pytest.raises(InputError, match=r"p\.csv:5: field 'a,b': expected one value per pair"):
        load_landscape(write(tmp_path, "s.yaml", text))
    write(tmp_path, "p.csv", "a,b,value\nA,B,x\n")
    with pytest.raises(InputError, match=r"p\.csv:2: field 'value': expected a number"):
        load_landscape(tmp_path / "s.yaml")


# ---------------------------------------------------------------------------- CLI
def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "sim", "landscape", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_cli_end_to_end_prints_minima_scores_and_writes_figure(tmp_path):
    out = tmp_path / "out"
    r = run_cli(ROOT / "scenarios" / "landscape_two_pairs.yaml", "--out", out)
    assert r.returncode == 0, r.stderr
    assert "1 local minima" in r.stdout and "-18" in r.stdout
    assert "NTH NES | STH SES" in r.stdout
    assert (out / "minima.csv").read_text().splitlines()[1].startswith("1,-18.0,8,1.0,")
    assert_real_figure(out / "minima.png")
    actual = write(tmp_path, "actual.csv", "actor,bloc\nNTH,x\nNES,y\nSTH,x\nSES,y\n")
    r = run_cli(ROOT / "scenarios" / "landscape_two_pairs.yaml", "--actual", actual,
                "--starts", 200, "--seed", 3, "--k", 3, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "200 random starts" in r.stdout and "misplaced" in r.stdout


def test_cli_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path):
    bad = write(tmp_path, "bad.yaml", GOOD.replace("C: 2", "C: zero"))
    out = tmp_path / "out"
    r = run_cli(bad, "--out", out)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "bad.yaml" in r.stderr and "sizes.C" in r.stderr
    assert not out.exists()


def test_partition_count_matches_enumeration_and_binary_count():
    assert L.partition_count(5, 3) == L.restricted_growth_strings(5, 3).shape[0] == 41
    assert L.partition_count(9, 2) == 2 ** 8  # two blocs: 2^(n-1) canonical configurations


# ------------------------------------------------------------------- probe findings
def test_two_small_hostile_actors_beside_two_large_friends_are_never_a_tie():
    """Known answer: with sizes G=H=1 and A=B=1e-5, A and B's hostility weighs
    1e-10 (twice that in energy). That is a real difference, not rounding: the only
    minima separate A from B (A with G and H, or B with them), energy -2e-10 each, and
    the configurations keeping A and B together are not minima."""
    s = [1.0, 1.0, 1e-5, 1e-5]
    p = np.zeros((4, 4))
    p[0, 1] = p[1, 0] = 1.0
    p[2, 3] = p[3, 2] = -1.0
    res = L.exhaustive_binary(s, p)
    assert minima_dict(res).keys() == {(0, 0, 0, 1), (0, 0, 1, 0)}
    assert all(m.energy == pytest.approx(-2e-10, rel=1e-9) for m in res.minima)
    assert not L.is_local_minimum(s, p, [0, 0, 0, 0]) and not L.is_local_minimum(s, p, [0, 0, 1, 1])
    assert {m.labels for m in L.exhaustive_kblocs(s, p, 2).minima} == set(minima_dict(res))
    assert {m.labels for m in L.random_starts(s, p, 2, 200, rng=0).minima} == set(minima_dict(res))
    model = LandscapeModel(s, p, k=2, rng=0, initial=[0, 0, 1, 1])
    model.run_until_stable()
    assert model.partition in set(minima_dict(res))


ID_RULE = r"expected an actor id: a letter, then letters, digits or '_'"


@pytest.mark.parametrize("actor", ['"A B"', '"|"', '" "', '"ÉTAT,1"', '"1A"', "NO"])
def test_actor_ids_follow_the_agent_id_rule(tmp_path, actor):
    """Ids are joined with spaces and '|' in the blocs column: 'A B' beside A and B made
    "A B ÉTAT,1 | A B" ambiguous. NO is YAML's false: the message says to quote it."""
    text = GOOD.replace("actors: [A, B, C]", f"actors: [{actor}, A, B, C]")
    with pytest.raises(InputError, match=r"ok\.yaml:3: field 'actors\[0\]\.id': " + ID_RULE) as err:
        load_landscape(write(tmp_path, "ok.yaml", text))
    assert ("quote yes/no" in str(err.value)) == (actor == "NO")


def test_csv_actor_ids_follow_the_id_rule_and_name_file_line_and_column(tmp_path):
    write(tmp_path, "p.csv", 'a,b,value\nA,B,1\n"A B",C,1\n')
    scenario = write(tmp_path, "s.yaml", GOOD.split("propensities:")[0] + "propensities_csv: p.csv\n")
    with pytest.raises(InputError, match=r"p\.csv:3: field 'a': " + ID_RULE):
        load_landscape(scenario)
    write(tmp_path, "sz.csv", "actor,size\nA,1\nB|C,1\n")
    sized = write(tmp_path, "t.yaml", GOOD.replace("sizes: {A: 1, B: 1, C: 2}", "sizes_csv: sz.csv"))
    with pytest.raises(InputError, match=r"sz\.csv:3: field 'actor': " + ID_RULE):
        load_landscape(sized)
    actual = write(tmp_path, "actual.csv", "actor,bloc\nA,x\nB,x\n\"C,1\",y\n")
    r = run_cli(write(tmp_path, "ok.yaml", GOOD), "--actual", actual, "--out", tmp_path / "out")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and not (tmp_path / "out").exists()
    assert "actual.csv:4: field 'actor': expected an actor id: a letter" in r.stderr


@pytest.mark.parametrize("bloc", ["1", "1.0", "null", "~", "true", "''", "' '"])
def test_actual_bloc_names_are_text(tmp_path, bloc):
    """A number, null or boolean bloc name was turned into text ('1', '1.0', 'None') and
    scored as a bloc: refused, naming actual.ACTOR."""
    text = GOOD + f"actual: {{A: {bloc}, B: east, C: west}}\n"
    with pytest.raises(InputError, match=r"ok\.yaml:8: field 'actual\.A': expected a bloc name"):
        load_landscape(write(tmp_path, "ok.yaml", text))


@pytest.mark.parametrize("old, new, field, expected", [
    ("value: -1", "value: true", r"propensities\[1\]\.value", "a number \\(true/false is not a number\\)"),
    ("C: 2", "C: true", r"sizes\.C", "a number \\(true/false is not a number\\)"),
    ("value: -1", "value: 1e-400", r"propensities\[1\]\.value", "a number that is 0 or at least 2.23e-308"),
    ("value: -1", "value: -1.0e-400", r"propensities\[1\]\.value", "a number that is 0 or at least 2.23e-308"),
    ("C: 2", "C: 1e-310", r"sizes\.C", "a number that is 0 or at least 2.23e-308"),
])
def test_booleans_and_underflowing_numbers_are_refused(tmp_path, old, new, field, expected):
    """true read as 1 and 1e-400 as 0 (1.0e-400 is a YAML float, already 0.0 once read:
    the file's text is checked)."""
    with pytest.raises(InputError, match=rf"ok\.yaml:\d: field '{field}': expected {expected}"):
        load_landscape(write(tmp_path, "ok.yaml", GOOD.replace(old, new)))


def test_small_numbers_that_a_double_holds_are_kept_exactly(tmp_path):
    spec = load_landscape(write(tmp_path, "ok.yaml", GOOD.replace("value: -1", "value: 1e-5")))
    assert spec.propensity_matrix()[0, 2] == 1e-5
    write(tmp_path, "p.csv", "a,b,value\nA,B,1\nA,C,1e-400\n")
    scenario = write(tmp_path, "s.yaml", GOOD.split("propensities:")[0] + "propensities_csv: p.csv\n")
    with pytest.raises(InputError, match=r"p\.csv:3: field 'value': expected a number that is 0 or at least"):
        load_landscape(scenario)


def test_pair_weights_lost_to_underflow_or_rounding_are_refused(tmp_path):
    """Sizes of 1e-300 made A and B's hostility (weight 1e-600) a silent 0."""
    text = GOOD.replace("sizes: {A: 1, B: 1, C: 2}", "sizes: {A: 1e-300, B: 1e-300, C: 1}")
    with pytest.raises(InputError, match=r"field 'sizes': expected sizes and propensities that double "
                                         r"precision can compare: the pair A, B"):
        load_landscape(write(tmp_path, "ok.yaml", text))


@pytest.mark.parametrize("propensities", ["propensities: []\n",
                                          "propensities:\n  - {a: A, b: B, value: 0}\n  - {a: A, b: C, value: 0.0}\n",
                                          "propensities_csv: p.csv\n"])
def test_a_flat_landscape_is_refused_before_any_search(tmp_path, propensities):
    """All propensities zero: every configuration is a minimum (20 actors listed 524,288
    of them in a 55 MB CSV); refused, and nothing is written."""
    write(tmp_path, "p.csv", "a,b,value\n")
    text = GOOD.split("propensities:")[0] + propensities
    scenario = write(tmp_path, "flat.yaml", text)
    with pytest.raises(InputError, match="expected at least one nonzero propensity .*same energy"):
        load_landscape(scenario)
    r = run_cli(scenario, "--out", tmp_path / "out")
    assert r.returncode == 2 and "nothing to find" in r.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize("propensities", ["propensities:\n  - {a: A, b: B, value: 1}\n  - {a: A, b: C, value: -1}\n"
                                          "  - {a: A, b: D, value: 0}\n", "propensities_csv: p.csv\n"])
def test_an_actor_with_no_nonzero_propensity_is_refused_by_name(tmp_path, propensities):
    """Known answer: A and B friends, A hostile to C: one minimum, A B | C.
    An actor D with no nonzero propensity can sit in either bloc at the same energy, and the
    search listed two minima (A B D | C and A B | C D); each more such actor doubled them."""
    write(tmp_path, "p.csv", "a,b,value\nA,B,1\nA,C,-1\nA,D,0\n")
    text = ("mechanism: landscape\nname: loose\nactors: [A, B, C, D]\nsizes: {A: 1, B: 1, C: 2, D: 1}\n"
            + propensities)
    scenario = write(tmp_path, "loose.yaml", text)
    where = "in p.csv" if "csv" in propensities else "under 'propensities'"
    with pytest.raises(InputError, match=rf"loose\.yaml:3: field 'actors\[3\]': expected an actor with a nonzero "
                                         rf"propensity to at least one other actor \(D has none {where}: .*doubles "
                                         r"the minima listed.*got 'D'"):
        load_landscape(scenario)
    r = run_cli(scenario, "--out", tmp_path / "out")
    assert r.returncode == 2 and "actors[3]" in r.stderr and not (tmp_path / "out").exists(), r.stderr
    # without D: the one minimum
    spec = load_landscape(write(tmp_path, "tied.yaml", text.replace(", D]", "]").replace(", D: 1", "")
                                .replace("  - {a: A, b: D, value: 0}\n", "").replace("propensities_csv: p.csv",
                                "propensities: [{a: A, b: B, value: 1}, {a: A, b: C, value: -1}]")))
    result = L.exhaustive_binary(spec.size_vector(), spec.propensity_matrix())
    assert len(result.minima) == 1 and result.minima[0].blocs(spec.ids) == [["A", "B"], ["C"]]


def test_the_cap_of_actors_holds_with_every_actor_attached(tmp_path):
    """200 actors in a chain (each with a nonzero propensity to its neighbour) load; the same
    chain cut before the pair S150, S151 leaves S151 to S199 without any, and the first is named."""
    ids = [f"S{i}" for i in range(L.MAX_ACTORS)]
    rows = "".join(f"  - {{a: S{i}, b: S{i + 1}, value: {1 if i % 3 else -1}}}\n" for i in range(len(ids) - 1))
    head = (f"mechanism: landscape\nname: chain\nactors: [{', '.join(ids)}]\n"
            f"sizes: {{{', '.join(f'{a}: 1' for a in ids)}}}\npropensities:\n")
    assert load_landscape(write(tmp_path, "chain.yaml", head + rows)).ids == ids
    cut = head + rows[:rows.index("  - {a: S150,")]
    with pytest.raises(InputError, match=r"field 'actors\[151\]': .*S151 has none under 'propensities', nor do "
                                         r"S152, S153, S154 and 45 more"):
        load_landscape(write(tmp_path, "cut.yaml", cut))


def test_the_number_of_actors_is_two_to_the_cap_in_plain_words(tmp_path):
    one = "mechanism: landscape\nname: one\nactors: [A]\nsizes: {A: 1}\npropensities: []\n"
    with pytest.raises(InputError, match=r"field 'actors': expected two or more actors") as err:
        load_landscape(write(tmp_path, "one.yaml", one))
    assert "List" not in str(err.value)
    n = L.MAX_ACTORS + 1
    ids = [f"S{i}" for i in range(n)]
    many = (f"mechanism: landscape\nname: many\nactors: [{', '.join(ids)}]\n"
            f"sizes: {{{', '.join(f'{a}: 1' for a in ids)}}}\npropensities: [{{a: S0, b: S1, value: 1}}]\n")
    with pytest.raises(InputError, match=rf"field 'actors': expected at most {L.MAX_ACTORS} actors .*got '{n} actor"):
        load_landscape(write(tmp_path, "many.yaml", many))


def test_a_long_file_without_aliases_is_not_blamed_on_aliases(tmp_path):
    """The node limit counts every node; a plain file of 79,800 rows met it and was told
    about '*name' references it does not have."""
    ids = [f"S{i}" for i in range(200)]
    rows = "".join(f"  - {{a: S{i}, b: S{j}, value: 1}}\n" for i in range(200) for j in range(i + 1, 200))
    text = (f"mechanism: landscape\nname: long\nactors: [{', '.join(ids)}]\n"
            f"sizes: {{{', '.join(f'{a}: 1' for a in ids)}}}\npropensities:\n{rows}")
    with pytest.raises(InputError, match=r"long\.yaml:\d+: expected at most 100,000 YAML nodes in the document "
                                         r"\(each key, value, list and mapping is one; a '\*name' reference") as err:
        load_landscape(write(tmp_path, "long.yaml", text))
    assert "after expanding aliases" not in str(err.value)


def test_random_starts_tell_apart_minima_that_differ_beyond_the_64th_actor():
    """Known answer: 64 friends (all p = +1) and a hostile pair X, Y (p = -1) with no tie
    to them. The minima keep the friends together and X, Y apart: X with the friends, or Y
    with them, two minima of equal energy. A base-2 code of the labels overflowed 64 bits
    and counted both as one."""
    n = 66
    p = np.zeros((n, n))
    p[:64, :64] = 1.0
    p[64, 65] = p[65, 64] = -1.0
    np.fill_diagonal(p, 0)
    s = np.ones(n)
    seen = []
    res = L.random_starts(s, p, k=2, starts=300, rng=0, progress=seen.append)
    assert {m.labels for m in res.minima} == {(0,) * 64 + (0, 1), (0,) * 64 + (1, 0)}
    assert [m.energy for m in res.minima] == [-2.0, -2.0]
    assert sum(m.basin_size for m in res.minima) == 300 == sum(seen)


def test_batched_random_starts_draw_and_descend_as_one_batch(monkeypatch):
    """Batches bound memory; they draw the same numbers and so find the same minima."""
    s, p = random_landscape(3, 12)
    whole = L.random_starts(s, p, k=3, starts=500, rng=4)
    monkeypatch.setattr(L, "BATCH_CELLS", 12 * 3 * 37)  # batches of 37 starts
    seen = []
    batched = L.random_starts(s, p, k=3, starts=500, rng=4, progress=seen.append)
    assert seen == [37] * 13 + [19]
    assert [(m.labels, m.basin_size) for m in batched.minima] == [(m.labels, m.basin_size) for m in whole.minima]
    assert L.search_plan(25, 2) == ("exhaustive", 2 ** 24) and L.search_plan(26, 2) == ("random-starts", 10_000)

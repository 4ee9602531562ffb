"""The bare-numpy kernel in experiments/benchmarks/ is the model's step, to the level.

``bench_speed.py`` judges the model's per-step overhead against this kernel, so the kernel
must compute what the model computes: from the same state and the same random stream, the
same wanted, de facto and de jure levels and bloc members. A change to the mechanisms
that is not made in ``experiments/benchmarks/kernel.py`` too fails here.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "experiments" / "benchmarks"))

from bench_model import synthetic_scenario  # noqa: E402
from kernel import KernelState, kernel_step, parameters  # noqa: E402

from sim.model import AllianceModel  # noqa: E402
from sim.scenario.schema import scenario_from_dict  # noqa: E402


def same_levels(k: KernelState, m: AllianceModel) -> None:
    assert np.array_equal(k.desired, m.desired), f"wanted levels differ in {m.year}"
    assert np.array_equal(k.de_facto, m.de_facto), f"de facto levels differ in {m.year}"
    assert np.array_equal(k.de_jure, m.de_jure), f"de jure levels differ in {m.year}"
    assert np.array_equal(k.members, m.members), f"bloc members differ in {m.year}"


@pytest.mark.parametrize("scenario", ["central_asia_1991_2024.yaml", "cold_war_europe_1946_1955.yaml"])
@pytest.mark.parametrize("seed", [0, 3])
def test_each_year_from_the_models_state(scenario, seed):
    """Every year of the historical scenarios (shocks, restarts, bloc foundings, threat
    sources), the kernel started from the model's state and random stream as the year's
    process begins (after Mesa has fired the year's scheduled foundings)."""
    m = AllianceModel(ROOT / "scenarios" / scenario, rng=seed, record=False)
    p, start = parameters(m), []
    begin = m.change_governments

    def snapshot():  # the first sub-model of the year: the state the year starts from
        start[:] = [KernelState.of_model(m), copy.deepcopy(m.rng)]
        begin()

    m.change_governments = snapshot
    while m.running:
        m.step()
        k, rng = start
        kernel_step(k, m.statics[m.t], m.inputs, m.t, p, rng)
        same_levels(k, m)


@pytest.mark.parametrize("n", [9, 70])
def test_a_whole_run_on_its_own(n):
    """Run freely from the first year, the kernel follows the model's whole trajectory."""
    m = AllianceModel(scenario_from_dict(synthetic_scenario(n, 25, seed=4)), rng=1, record=False)
    k, rng, p = KernelState.of_model(m), copy.deepcopy(m.rng), parameters(m)
    changed = 0
    while m.running:
        before = k.de_facto.copy()
        kernel_step(k, m.statics[m.t + 1], m.inputs, m.t + 1, p, rng)
        m.step()
        same_levels(k, m)
        changed += int((k.de_facto != before).sum())
    assert changed > 0  # the run moves, so agreeing is not agreeing on nothing

"""Benchmark of the core model: per-step cost against the number of states.

Prints, for synthetic systems of 10, 50, 200 and 400 states, the median time of one model
step, plus the two targets of the core: a 35-year run of 10 states and 200 states x 100
steps, and the growth exponent of the step cost between 50 and 400 states. Runs are
summary-only (``record=False``), as in sweeps. Usage:

    .venv/bin/python experiments/benchmarks/bench_model.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np

from sim.model import AllianceModel
from sim.scenario.schema import scenario_from_dict


def synthetic_scenario(n: int, years: int, seed: int = 0) -> dict:
    """A made-up world of n states with random capitals, power, doctrines and intent."""
    rng = np.random.default_rng(seed)
    power = rng.pareto(1.5, n) + 0.05
    states = []
    for i in range(n):
        states.append({
            "id": f"S{i}", "power": float(power[i]), "offense": float(power[i] * rng.uniform(0.5, 1.5)),
            "capital": {"lat": float(rng.uniform(-60, 70)), "lon": float(rng.uniform(-180, 180))},
            "ideology": [float(rng.random()), float(rng.random())],
            "interests": [float(rng.normal()), float(rng.normal())],
            "intent": float(rng.uniform(0, 0.6)),
            "doctrine": {"autonomy": float(rng.random()), "bandwagon": float(rng.random() * 0.5),
                         "neutral": bool(rng.random() < 0.05)},
        })
    blocs = [{"id": f"B{k}", "level": int(rng.integers(1, 4)), "founders": [f"S{int(rng.integers(n))}"]}
             for k in range(max(1, n // 25))]
    return {"name": f"synthetic_{n}", "time": {"start": 2000, "end": 2000 + years - 1},
            "states": states, "blocs": blocs, "mechanism": {"temperature": 0.2}}


def time_steps(n: int, steps: int, repeats: int = 1) -> tuple[float, float]:
    """(median seconds per step, total seconds of the run incl. construction)."""
    sc = scenario_from_dict(synthetic_scenario(n, steps + 1))
    per_step, totals = [], []
    for r in range(repeats):
        t0 = time.perf_counter()
        model = AllianceModel(sc, rng=r, record=False)
        while model.running:
            t = time.perf_counter()
            model.step()
            per_step.append(time.perf_counter() - t)
        totals.append(time.perf_counter() - t0)
    return statistics.median(per_step), statistics.median(totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    reps = 1 if args.quick else 3
    print("Per-step cost of the model (summary-only runs, median over steps)")
    print(f"{'states':>7} {'ms/step':>9}")
    costs = {}
    for n in (10, 50, 200, 400):
        steps = 20 if n >= 200 else 35
        costs[n], _ = time_steps(n, steps, repeats=1 if n >= 200 else reps)
        print(f"{n:>7} {1000 * costs[n]:>9.2f}")
    growth = math.log(costs[400] / costs[50]) / math.log(400 / 50)
    print(f"growth exponent of step cost, 50 -> 400 states: n^{growth:.2f} (target <= 2.0)")
    _, run10 = time_steps(10, 34, repeats=reps)  # 35 years = the first year + 34 steps
    print(f"35 years x 10 states: {1000 * run10:.1f} ms of model time (target < 50 ms)")
    _, run200 = time_steps(200, 100, repeats=1)
    print(f"200 states x 100 steps: {run200:.2f} s (target <= 1 s)")


if __name__ == "__main__":
    main()

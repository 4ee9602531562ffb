"""Where users wait (issue 16): every target as a figure and, where possible, a ratio
measured in the same run, medians of interleaved repeats.

    .venv/bin/python experiments/benchmarks/bench_speed.py [--quick] [--only NAME ...]

Parts (``--only``): ``cli`` (``--help`` and ``run`` as whole processes), ``kernel`` (a
9-state step against the bare-numpy kernel in ``kernel.py``), ``record`` (full recording
against summary-only at 400 states, and the record's memory at 400 states x 100 steps),
``inputs`` (the input arrays' memory and build time at 400 states x 101 years), ``scale``
(200 states x 100 steps, and the step cost's growth from 50 to 400 states). The sweep's
figures are ``bench_sweep.py``'s. The machine's load is printed first: on a shared
machine absolute times move with it, ratios much less.
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1].parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sim.threads import prefer_single_thread  # noqa: E402

prefer_single_thread()  # as the command line and sweep workers run: before numpy loads

import numpy as np  # noqa: E402

from bench_model import synthetic_scenario  # noqa: E402
from kernel import KernelState, kernel_core, kernel_step, parameters  # noqa: E402

from sim.model import AllianceModel  # noqa: E402
from sim.run.simulate import simulate  # noqa: E402
from sim.scenario.inputs import build_inputs  # noqa: E402
from sim.scenario.schema import load_scenario, scenario_from_dict  # noqa: E402

HISTORICAL = REPO / "scenarios" / "central_asia_1991_2024.yaml"


def median_time(fn, repeats: int, clock=time.perf_counter) -> float:
    """Median of ``repeats`` timings; ``clock=time.process_time`` counts this process's CPU
    time only, which a loaded machine's waiting for a core does not inflate."""
    times = []
    for _ in range(repeats):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)


def interleaved(fns: dict, repeats: int) -> dict[str, float]:
    """Median seconds of each function, run in turn so that load falls on all alike."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeats):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


# -- cli ----------------------------------------------------------------------------------
def cli(repeats: int) -> None:
    env = dict(os.environ, MPLBACKEND="Agg")
    exe = [sys.executable, "-m", "sim"]
    with tempfile.TemporaryDirectory(prefix="bench_speed_") as tmp:
        runs = {
            "--help": lambda: subprocess.run(exe + ["--help"], capture_output=True, env=env, check=True),
            "run": lambda: subprocess.run(exe + ["run", str(HISTORICAL), "--out", f"{tmp}/a", "--overwrite"],
                                          capture_output=True, env=env, check=True),
            "run --no-plots": lambda: subprocess.run(
                exe + ["run", str(HISTORICAL), "--out", f"{tmp}/b", "--overwrite", "--no-plots"],
                capture_output=True, env=env, check=True),
        }
        t = interleaved(runs, repeats)
    print("command line (whole processes)")
    print(f"  alliance-sim --help              {t['--help']:6.2f} s   target <= 0.3 s: {verdict(t['--help'] <= 0.3)}")
    print(f"  alliance-sim run (historical)    {t['run']:6.2f} s   target <= 1.2 s on a quiet machine: "
          f"{verdict(t['run'] <= 1.2)}")
    print(f"  alliance-sim run --no-plots      {t['run --no-plots']:6.2f} s")
    ratio = t["run"] / t["run --no-plots"]
    print(f"  with figures / without           {ratio:6.2f}x   target <= 1.3x: {verdict(ratio <= 1.3)}")


# -- kernel -------------------------------------------------------------------------------
def kernel(repeats: int) -> None:
    """CPU time per step of the model and of the kernel, the whole run of the historical
    scenario each, in turn; also the kernel's de facto part alone (valuation to inertia)."""
    sc = load_scenario(HISTORICAL)
    AllianceModel(sc, rng=0, record=False)  # inputs and statics built and cached

    def per_step(run) -> float:
        m = AllianceModel(sc, rng=0, record=False)
        k, rng, p = KernelState.of_model(m), copy.deepcopy(m.rng), parameters(m)
        t0 = time.process_time()
        run(m, k, rng, p)
        return (time.process_time() - t0) / (len(m.years) - 1)

    def model(m, k, rng, p):
        while m.running:
            m.step()

    def bare(fn):
        def run(m, k, rng, p):
            for t in range(1, len(m.years)):
                fn(k, m.statics[t], m.inputs, t, p, rng)
        return run

    runs = {"model": model, "kernel": bare(kernel_step), "core": bare(kernel_core)}
    per: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(repeats * 20):
        for name, run in runs.items():
            per[name].append(per_step(run))
    m, k, c = (statistics.median(per[x]) for x in ("model", "kernel", "core"))
    print(f"one step at 9 states (historical scenario, summary-only; CPU time, medians of {repeats * 20} runs)")
    print(f"  model step {1e6 * m:5.0f} us, bare-numpy kernel of the same step {1e6 * k:5.0f} us: "
          f"{m / k:.2f}x   target <= 1.5x: {verdict(m / k <= 1.5)}")
    print(f"  (the kernel's de facto part alone, valuation to inertia: {1e6 * c:5.0f} us; the model step "
          f"is {m / c:.2f}x that)")


# -- record -------------------------------------------------------------------------------
def record_bytes(model: AllianceModel) -> int:
    """Bytes the run's record holds: every array its yearly lists keep (each once: the
    threat matrices are the inputs' own) and the event log's rows or batches."""
    seen: dict[int, int] = {}

    def walk(x) -> None:
        if isinstance(x, np.ndarray):
            seen[id(x)] = x.nbytes
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk([v for v in model.history.values() if isinstance(v, list)])  # rebuilt views keep nothing
    log = model.log._items if hasattr(model, "log") else model.event_log
    rows = 0
    for item in log:
        if isinstance(item, tuple):
            item = item[0]
        if isinstance(item, dict):
            rows += sys.getsizeof(item) + sum(sys.getsizeof(v) for v in item.values())
        else:
            walk([item.i, item.j, item.old, item.new])
    return sum(seen.values()) + rows


def record(repeats: int, steps: int) -> None:
    sc = scenario_from_dict(synthetic_scenario(400, steps + 1))
    simulate(sc, 0, record=False)  # inputs and statics built and cached
    t = interleaved({"full": lambda: simulate(sc, 0, record=True),
                     "summary": lambda: simulate(sc, 0, record=False)}, repeats)
    ratio = t["full"] / t["summary"]
    print(f"recording at 400 states ({steps} steps, construction included)")
    print(f"  full {t['full']:.2f} s, summary-only {t['summary']:.2f} s, ratio {ratio:.2f}x   "
          f"target <= 1.5x: {verdict(ratio <= 1.5)}")
    res = simulate(sc, 0, record=True)
    t0 = time.perf_counter()
    rows = len(res.dyads) + len(res.events)
    print(f"  writing the tables afterwards (dyads, events: {rows:,} rows): {time.perf_counter() - t0:.2f} s")
    big = simulate(scenario_from_dict(synthetic_scenario(400, 101)), 0, record=True)
    mb = record_bytes(big.model) / 2**20
    print(f"  record of 400 states x 100 steps: {mb:.0f} MB   target <= 300 MB: {verdict(mb <= 300)}")


# -- inputs -------------------------------------------------------------------------------
def input_bytes(inp) -> int:
    arrays = [v for v in vars(inp).values() if isinstance(v, np.ndarray)]
    if inp.sources is not None:
        arrays += [v for v in vars(inp.sources).values() if isinstance(v, np.ndarray)]
    return sum({id(a): a.nbytes for a in arrays}.values())


def inputs(repeats: int) -> None:
    sc = scenario_from_dict(synthetic_scenario(400, 101))
    build = median_time(lambda: build_inputs(sc), repeats)
    mb = input_bytes(build_inputs(sc)) / 2**20
    m = AllianceModel(sc, rng=0, record=False)
    t0 = time.perf_counter()
    while m.running:
        m.step()
    steps = time.perf_counter() - t0
    print("inputs at 400 states x 101 years")
    print(f"  memory {mb:.0f} MB   target <= 100 MB: {verdict(mb <= 100)}")
    print(f"  building them {build:.2f} s; the 100 steps {steps:.2f} s")


# -- scale --------------------------------------------------------------------------------
def step_cost(n: int, steps: int) -> float:
    sc = scenario_from_dict(synthetic_scenario(n, steps + 1))
    m = AllianceModel(sc, rng=0, record=False)
    per = []
    while m.running:
        t0 = time.perf_counter()
        m.step()
        per.append(time.perf_counter() - t0)
    return statistics.median(per)


def scale(repeats: int) -> None:
    def run200():
        sc = scenario_from_dict(synthetic_scenario(200, 101))
        m = AllianceModel(sc, rng=0, record=False)
        while m.running:
            m.step()
    total = median_time(run200, repeats)
    cpu = median_time(run200, repeats, clock=time.process_time)
    print("scale (summary-only, as sweeps run)")
    print(f"  200 states x 100 steps, construction included: {total:.2f} s ({cpu:.2f} s of CPU)   "
          f"target <= 1 s: {verdict(total <= 1)}")
    cost = {n: statistics.median(step_cost(n, 20) for _ in range(repeats)) for n in (50, 400)}
    growth = math.log(cost[400] / cost[50]) / math.log(8)
    print(f"  step: {1e3 * cost[50]:.2f} ms at 50 states, {1e3 * cost[400]:.1f} ms at 400: growth n^{growth:.2f}   "
          f"target <= n^2.0: {verdict(growth <= 2.0)}")


PARTS = {"cli": cli, "kernel": kernel, "record": record, "inputs": inputs, "scale": scale}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--only", nargs="+", choices=sorted(PARTS), default=list(PARTS))
    args = ap.parse_args()
    repeats = 1 if args.quick else 3
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name in args.only:
        if name == "record":
            record(repeats, 10 if args.quick else 20)
        else:
            PARTS[name](repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())

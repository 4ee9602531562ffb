"""Ensemble throughput and memory of ``alliance-sim sweep`` next to Mesa's ``batch_run``.

Usage (from the repository root)::

    .venv/bin/python experiments/benchmarks/bench_sweep.py [--scenario PATH] [--runs 400]
        [--workers 2] [--memory-runs 20000] [--profile]

Prints, for the same model, the same (temperature, seed) runs and the same number of
processes: runs per second of our sweep runner (summary-only, streamed to Parquet) and of
``mesa.batch_run`` (which needs a DataCollector, so the model is wrapped in a subclass that
collects the same summary at the last step), on one worker and on ``--workers``, their
ratios, and the peak resident memory of a long summary-only sweep (parent plus all workers,
sampled with psutil). ``batch_run`` is handed the scenario already parsed, as our runner's
workers hold it, so neither re-reads the YAML for each run. ``--profile`` prints where the
time of one run goes (cProfile), for the model's authors.

Targets: >= 100 runs/s on 2 workers, >= 2x batch_run on 2 workers, 2 workers >= 1.8x one
worker, < 500 MB peak for 20,000 runs.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from sim.model import AllianceModel  # noqa: E402
from sim.run.simulate import summarise  # noqa: E402


class CollectingModel(AllianceModel):
    """AllianceModel plus the DataCollector that ``batch_run`` insists on (end-of-run
    summary only, so both runners compute the same outputs). ``plan`` is one run's
    (temperature, seed) of our sweep, so both runners make the same runs."""

    def __init__(self, *args, plan: tuple[float, int], rng=None, **kwargs):
        from mesa import DataCollector
        super().__init__(*args, temperature=plan[0], rng=plan[1], **kwargs)
        self.datacollector = DataCollector(model_reporters={"summary": summarise})

    def step(self):
        super().step()
        if not self.running:
            self.datacollector.collect(self)


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages: on a shared machine, how to read the figures."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def default_scenario() -> Path:
    hist = REPO / "scenarios" / "central_asia_1991_2024.yaml"
    if hist.exists():
        return hist
    known = sorted((REPO / "scenarios").glob("known_*.yaml"), key=lambda p: p.stat().st_size)
    return known[-1]


class PeakRSS:
    """Samples the memory of this process and all its descendants.

    Summed RSS counts pages that forked workers share with their parent (the forkserver's
    imported libraries) once per process, so it overstates what the machine gives; the
    summed PSS (proportional set size: shared pages split between their users) is the
    fair total. Both peaks are kept, and the PSS at the first and last tenth of the run
    shows whether memory grows with the number of runs.
    """

    def __init__(self, interval: float = 0.25):
        self.interval, self._stop = interval, threading.Event()
        self.peak_rss = self.peak_pss = 0
        self.samples: list[tuple[float, int]] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = psutil.Process()
        t0 = time.monotonic()
        while not self._stop.is_set():
            rss = pss = 0
            for p in [me] + me.children(recursive=True):
                try:
                    info = p.memory_full_info()
                    rss += info.rss
                    pss += info.pss
                except psutil.Error:
                    pass
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.samples.append((time.monotonic() - t0, pss))
            time.sleep(self.interval)

    def growth(self) -> tuple[float, float]:
        """Peak PSS (MB) over the first and over the last tenth of the samples."""
        n = max(1, len(self.samples) // 10)
        first = max(s for _, s in self.samples[:n]) if self.samples else 0
        last = max(s for _, s in self.samples[-n:]) if self.samples else 0
        return first / 2**20, last / 2**20

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def ours(scenario: Path, temps: list[float], reps: int, workers: int, out: Path,
         progress: bool = False) -> float:
    from sim.ensembles.sweep import run_sweep
    spec = {"name": out.name, "base": str(scenario), "replicates": reps, "seed": 0,
            "parameters": {"mechanism.temperature": {"values": temps}},
            "outputs": {"summary": True}, "batch_size": 500}
    path = out.with_suffix(".yaml")
    path.write_text(yaml.safe_dump(spec))
    res = run_sweep(path, out, workers=workers, progress=progress, plots=False)
    assert res.errors == 0, "runs failed"
    return res.ran / res.seconds


def plan(temps: list[float], reps: int) -> list[tuple[float, int]]:
    """Our sweep's runs: point p (temperature p) and replicate r get run_seed(0, p, r)."""
    from sim.ensembles.sweep import run_seed
    return [(t, run_seed(0, p, r)) for p, t in enumerate(temps) for r in range(reps)]


def mesa_batch(scenario: Path, temps: list[float], reps: int, workers: int) -> float:
    from mesa.batchrunner import batch_run
    from sim.scenario.schema import load_scenario
    sc = load_scenario(scenario)  # parsed once, as our runner's workers hold it
    t0 = time.perf_counter()
    rows = batch_run(CollectingModel, parameters={"scenario": [sc], "plan": plan(temps, reps), "record": False},
                     number_processes=workers, rng=[None], data_collection_period=-1,
                     max_steps=10_000, display_progress=False)
    dt = time.perf_counter() - t0
    assert len(rows) == len(temps) * reps
    return len(rows) / dt


def profile(scenario: Path, n: int = 30) -> str:
    from sim.ensembles.sweep import load_base, prepare, run_once
    data = prepare(load_base(str(scenario)), str(scenario))  # as a sweep worker holds it
    run_once(data, 0, False, str(scenario))
    pr = cProfile.Profile()
    t0 = time.perf_counter()
    pr.enable()
    for s in range(n):
        run_once(data, s, False, str(scenario))
    pr.disable()
    per_run = (time.perf_counter() - t0) / n
    buf = io.StringIO()
    pstats.Stats(pr, stream=buf).sort_stats("tottime").print_stats(15)
    return (f"one run of a validated scenario (record=False, in-process): "
            f"{per_run * 1000:.1f} ms\n" + buf.getvalue())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", type=Path, default=None)
    ap.add_argument("--runs", type=int, default=400)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-runs", type=int, default=20_000)
    ap.add_argument("--memory-scenario", type=Path, default=None,
                    help="scenario of the long memory sweep (default: --scenario); a fast "
                    "one keeps 20,000 runs within minutes")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are printed")
    args = ap.parse_args()
    scenario = args.scenario or default_scenario()
    temps = [0.05, 0.1, 0.2, 0.4]
    reps = max(1, args.runs // len(temps))
    n = reps * len(temps)
    print(f"scenario: {scenario.relative_to(REPO) if scenario.is_relative_to(REPO) else scenario}")
    print(f"throughput: {n} runs ({len(temps)} temperatures x {reps} seeds), "
          f"{args.workers} processes, summary only; load average {load_average()}")
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        tmp = Path(tmp)
        rates = {}
        for rnd in range(args.rounds):  # interleaved: the machine's load falls on both alike
            for w in sorted({1, args.workers}):  # --workers 1 times one worker once a round
                rates.setdefault(("ours", w), []).append(ours(scenario, temps, reps, w, tmp / f"ours{rnd}_{w}"))
                rates.setdefault(("mesa", w), []).append(mesa_batch(scenario, temps, reps, w))
        med = {k: statistics.median(v) for k, v in rates.items()}
        w = args.workers
        if args.rounds:
            for who, name in (("ours", "alliance-sim sweep"), ("mesa", "mesa.batch_run")):
                print(f"  {name:<19}: {med[(who, 1)]:8.1f} runs/s on 1 worker, {med[(who, w)]:8.1f} on {w}")
            print(f"  ours / batch_run   : {med[('ours', 1)] / med[('mesa', 1)]:8.2f}x on 1 worker, "
                  f"{med[('ours', w)] / med[('mesa', w)]:.2f}x on {w}   (target >= 2x on 2, >= 100 runs/s)")
            print(f"  ours, {w} workers / 1: {med[('ours', w)] / med[('ours', 1)]:8.2f}x   (target >= 1.8x)")
            ceiling = w * med[("ours", 1)]  # every worker as fast as one in-process run, no start-up
            print(f"  ceiling on {w}       : {ceiling:8.1f} runs/s = {ceiling / med[('mesa', w)]:.2f}x batch_run "
                  f"on {w} ({w} x one worker); load average {load_average()}")
        if args.memory_runs:
            mscen = args.memory_scenario or scenario
            mreps = max(1, args.memory_runs // len(temps))
            with PeakRSS() as peak:
                rate = ours(mscen, temps, mreps, args.workers, tmp / "memory", progress=True)
            first, last = peak.growth()
            print(f"memory: {mreps * len(temps)} runs of {mscen.name}, summary only, at "
                  f"{rate:.1f} runs/s; parent + forkserver + workers: peak PSS "
                  f"{peak.peak_pss / 2**20:.0f} MB (target < 500 MB), peak summed RSS "
                  f"{peak.peak_rss / 2**20:.0f} MB; PSS first tenth {first:.0f} MB, "
                  f"last tenth {last:.0f} MB")
    if args.profile:
        print(profile(scenario))
    return 0


if __name__ == "__main__":
    sys.exit(main())

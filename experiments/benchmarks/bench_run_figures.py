"""Benchmark: what the run figures cost a user who types ``alliance-sim run``.

Times the whole process ``alliance-sim run SCENARIO --out DIR --overwrite`` with and
without ``--no-plots``, interleaved so that both see the same machine load, and prints
the medians, their ratio and the figures' share of the run; then times each run figure
on its own inside one process (after a first drawing, so fonts and caches are warm).

Targets (issue 16): whole process with figures <= 1.2 s on a quiet machine, and <= 1.3x
the same run with ``--no-plots``.

Run: .venv/bin/python experiments/benchmarks/bench_run_figures.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "central_asia_1991_2024.yaml"


def whole_run(out: Path, plots: bool) -> float:
    """Seconds for one ``alliance-sim run`` process (via ``python -m sim``, the same entry point)."""
    cmd = [sys.executable, "-m", "sim", "run", str(SCENARIO), "--out", str(out), "--overwrite"]
    if not plots:
        cmd.append("--no-plots")
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def each_figure(repeats: int) -> dict[str, float]:
    """Median seconds of each run figure drawn in this process."""
    from sim.plots import run as figures
    from sim.run.simulate import simulate

    res = simulate(SCENARIO, 0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        draws = {
            "alignment_heatmap.png": lambda: figures.heatmap(res, folder / "h.png"),
            "network_snapshots.png": lambda: figures.snapshots(res, figures.default_snapshots(res), folder / "n.png"),
            "pair_levels.png": lambda: figures.level_lines(res, figures.default_pairs(res), folder / "l.png"),
        }
        times: dict[str, list[float]] = {name: [] for name in draws}
        for name, draw in draws.items():
            draw()  # fonts, the reference table and matplotlib's caches
        for _ in range(repeats):
            for name, draw in draws.items():
                start = time.perf_counter()
                draw()
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=7, help="runs of each kind (default 7)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_run_figures_"))
    try:
        whole_run(tmp / "warm", True)  # the first process pays for cold file caches
        runs: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.repeats):
            for plots in (True, False):
                runs[plots].append(whole_run(tmp / f"plots_{plots}", plots))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with_plots, without = statistics.median(runs[True]), statistics.median(runs[False])
    print(f"alliance-sim run {SCENARIO.relative_to(ROOT)}, whole process, median of {args.repeats} interleaved runs")
    print(f"  with figures:   {with_plots:6.3f} s   (target <= 1.2 s on a quiet machine)")
    print(f"  --no-plots:     {without:6.3f} s")
    print(f"  ratio:          {with_plots / without:6.2f}x  (target <= 1.3x)")
    print(f"  figures' share: {1 - without / with_plots:6.1%} of the run")
    print("each run figure in one warm process (median):")
    for name, seconds in each_figure(args.repeats).items():
        print(f"  {name:24s} {seconds:6.3f} s")


if __name__ == "__main__":
    main()

"""Benchmark: what the run figures cost a user who types ``alliance-sim run``.

Times the whole process ``alliance-sim run SCENARIO --out DIR --overwrite`` with and
without ``--no-plots``, interleaved so that both see the same machine load, and prints
the medians (wall clock and CPU), their ratio and the figures' own cost; then times each
run figure on its own inside one process (after a first drawing, so fonts and caches are
warm), and the pair levels finished over their draft, the part of that figure the figure
process draws after the run (``sim.plots.draft``).

With figures, a run forks a figure process that imports matplotlib while the run imports
Mesa, and draws (with a helper) while the run writes its tables (``sim.run.drawing``): on
two idle cores the wall clock is less than the CPU time, which counts every process of
the run. On a loaded machine the other processes take the second core, and the wall
clock is close to the CPU time again.

Targets (issue 16): whole process with figures <= 1.2 s on a quiet machine, and <= 1.3x
the same run with ``--no-plots``.

Run: .venv/bin/python experiments/benchmarks/bench_run_figures.py [--repeats 7] [--before DIR]

``--before DIR`` also times another checkout of the project (e.g. an export of the commit
before a change: ``git archive REV | tar -x -C DIR``) in the same interleaved rounds, so
that "before" and "after" see the same load, and times its figures one by one too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "central_asia_1991_2024.yaml"


def whole_run(out: Path, plots: bool, source: Path = ROOT) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one ``alliance-sim run`` process (``python -m sim``, the
    same entry point), running the ``sim`` package of the checkout ``source``.

    On a loaded machine the wall clock mostly measures the other processes; the CPU time
    (user + system, of the run and the figure processes it waited for) is what the run
    itself costs.
    """
    cmd = [sys.executable, "-m", "sim", "run", str(source / SCENARIO.relative_to(ROOT)), "--out", str(out),
           "--overwrite"]
    if not plots:
        cmd.append("--no-plots")
    env = os.environ | {"PYTHONPATH": str(source)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=source, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def each_figure(repeats: int) -> dict[str, tuple[float, float]]:
    """Median wall-clock and CPU seconds of each run figure drawn in this process.

    Where the checkout drafts the pair levels before the run's results
    (``sim.plots.run.run_drafts``), also what is left of that figure once the results
    arrive, as the figure process draws it: the draft is made first, untimed.
    """
    from sim.plots import run as figures
    from sim.run.figure_data import figure_run
    from sim.run.outdir import RUN_FIGURES
    from sim.run.simulate import simulate

    res = simulate(SCENARIO, 0)
    run = figure_run(res)  # what the figure process is sent, built once as there
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        draws = {file: (lambda key=key: figures.draw_run_figure(run, key, folder)) for key, file in RUN_FIGURES.items()}
        if hasattr(figures, "run_drafts"):
            from sim.run.figure_data import FigurePlan
            plan = FigurePlan.of(res.scenario, res.seed)
            drafts = {}
            draws["pair_levels.png over its draft"] = lambda: figures.draw_run_figure(run, "levels", folder, drafts)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in draws}
        for name, draw in draws.items():
            if "over its draft" in name:
                drafts.update(figures.run_drafts(plan))
            draw()  # fonts, the reference table and matplotlib's caches
        for _ in range(repeats):
            for name, draw in draws.items():
                if "over its draft" in name:
                    drafts.update(figures.run_drafts(plan))  # drawn while the run imports Mesa: untimed
                wall, cpu = time.perf_counter(), time.process_time()
                draw()
                times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    return {name: medians(ts) for name, ts in times.items()}


def medians(timings: list[tuple[float, float]]) -> tuple[float, float]:
    """The median wall clock and the median CPU time of (wall, CPU) timings."""
    return tuple(statistics.median(t[k] for t in timings) for k in (0, 1))


def report(name: str, runs: dict[bool, list[tuple[float, float]]]) -> dict[bool, tuple[float, float]]:
    """Print one checkout's medians (wall clock and CPU) with and without figures, and their ratio."""
    med = {plots: medians(times) for plots, times in runs.items()}
    print(f"{name}:            wall      CPU")
    print(f"  with figures:   {med[True][0]:6.3f} s  {med[True][1]:6.3f} s   (target <= 1.2 s on a quiet machine)")
    print(f"  --no-plots:     {med[False][0]:6.3f} s  {med[False][1]:6.3f} s")
    print(f"  ratio:          {med[True][0] / med[False][0]:6.2f}x   {med[True][1] / med[False][1]:6.2f}x    "
          "(target <= 1.3x)")
    return med


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=7, help="runs of each kind (default 7)")
    ap.add_argument("--before", type=Path, help="another checkout to time in the same rounds")
    ap.add_argument("--figures-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.figures_only:  # for --before: this process imports the other checkout's sim
        print(json.dumps(each_figure(args.repeats)))
        return
    sources = {"this checkout": ROOT} | ({f"before ({args.before})": args.before.resolve()} if args.before else {})
    runs = {name: {True: [], False: []} for name in sources}
    tmp = Path(tempfile.mkdtemp(prefix="bench_run_figures_"))
    try:
        for source in sources.values():
            whole_run(tmp / "warm", True, source)  # the first process pays for cold file caches
        for _ in range(args.repeats):
            for name, source in sources.items():
                for plots in (True, False):
                    runs[name][plots].append(whole_run(tmp / f"out_{plots}", plots, source))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"alliance-sim run {SCENARIO.relative_to(ROOT)}, whole process, "
          f"median of {args.repeats} interleaved runs")
    medians = [report(name, runs[name]) for name in sources]
    if args.before:
        now, before = ([m[True][k] - m[False][k] for k in (0, 1)] for m in medians)
        print(f"the figures' own cost (with minus without): wall {before[0]:.3f} s before, {now[0]:.3f} s now; "
              f"CPU {before[1]:.3f} s before, {now[1]:.3f} s now ({before[1] / now[1]:.1f}x less)")
    print("each run figure in one warm process (median):  wall      CPU")
    for name, (wall, cpu) in each_figure(args.repeats).items():
        print(f"  {name:42s} {wall:6.3f} s  {cpu:6.3f} s")
    if args.before:
        print(f"the same in {args.before}:")
        for name, (wall, cpu) in figures_of(args.before.resolve(), args.repeats).items():
            print(f"  {name:42s} {wall:6.3f} s  {cpu:6.3f} s")


def figures_of(source: Path, repeats: int) -> dict[str, list[float]]:
    """:func:`each_figure` run on another checkout's ``sim`` package, in a process of its own."""
    out = subprocess.run([sys.executable, __file__, "--figures-only", "--repeats", str(repeats)], check=True,
                         capture_output=True, text=True, cwd=source, env=os.environ | {"PYTHONPATH": str(source)})
    return json.loads(out.stdout)


if __name__ == "__main__":
    main()

"""Counterfactual ensembles of the Central Asia case: what changes when one input does.

Runs the historical baseline and every scenario in ``scenarios/counterfactuals/`` with the
same seeds 0..N-1, turns the runs into the key outcomes of ``outcomes.py`` and writes, next
to this file:

* ``results.csv``: per counterfactual and outcome, the probability with the baseline beside
  it, the difference and binomial standard errors; ``table.md`` the same as markdown;
* ``yearly.csv``: per scenario, series and year, the probability and its standard error;
* ``probability_over_years.png``: Uzbekistan in the CSTO and Kazakh-Uzbek close partnership
  by year, one line per scenario.

Usage::

    .venv/bin/python experiments/counterfactuals/run.py [--seeds 100] [--workers 2]

Deterministic: the same seeds give the same files. Outputs are written to a temporary
folder and moved into place at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from outcomes import YEARLY, compare, outcome_probabilities, stack, yearly_probabilities  # noqa: E402

BASELINE = ROOT / "scenarios" / "central_asia_1991_2024.yaml"
COUNTERFACTUALS = ROOT / "scenarios" / "counterfactuals"


def scenario_files() -> dict[str, Path]:
    """Baseline first, then every counterfactual file, by name."""
    files = {"baseline": BASELINE}
    for p in sorted(COUNTERFACTUALS.glob("*.yaml")):
        files[p.stem] = p
    return files


@lru_cache(maxsize=None)
def _scenario(path: str):
    from sim.scenario.schema import load_scenario
    return load_scenario(path)


def run_one(task: tuple[str, int]) -> dict:
    """One run, summary only; returns the compact per-year arrays the outcomes need."""
    from sim.run.simulate import simulate
    path, seed = task
    m = simulate(_scenario(path), seed, record=False).model
    h = m.history
    return {"de_facto": np.stack(h["de_facto"]), "de_jure": np.stack(h["de_jure"]),
            "members": np.stack(h["members"]), "bloc_active": np.stack(h["bloc_active"]),
            "ids": m.ids, "bloc_ids": m.bloc_ids, "years": m.years[: m.t + 1]}


def run_ensembles(seeds: int, workers: int) -> dict:
    files = scenario_files()
    tasks = [(str(p), s) for p in files.values() for s in range(seeds)]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(run_one, tasks, chunksize=10))
    else:
        results = [run_one(t) for t in tasks]
    out = {}
    for k, name in enumerate(files):
        runs = results[k * seeds:(k + 1) * seeds]
        out[name] = stack(runs, runs[0]["ids"], runs[0]["bloc_ids"], runs[0]["years"])
    return out


def markdown(df: pd.DataFrame) -> str:
    from sim.analysis.validation import markdown_table
    return markdown_table(df)


def figure(yearly: pd.DataFrame, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = ["uzb_in_csto", "kzk_uzb_allied", "rus_uzb_close", "uzb_usa_close"]
    fig, axes = plt.subplots(2, 2, figsize=(12, 8), sharey=True)
    for ax, s in zip(axes.flat, series):
        for name, d in yearly[yearly.series == s].groupby("scenario", sort=False):
            style = dict(color="black", lw=2.2) if name == "baseline" else dict(lw=1.3)
            ax.plot(d.year, d.p, label=name, **style)
        ax.set_title(f"P({YEARLY[s][0]})")
        ax.set_xlabel("year")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_ylabel("share of runs")
    axes[0, 1].legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=100, help="runs per scenario, seeds 0..N-1")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(HERE), help="output folder (default: this folder)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    ens = run_ensembles(args.seeds, args.workers)
    base = outcome_probabilities(ens["baseline"])
    rows, yearly = [], []
    for name, e in ens.items():
        yearly.append(yearly_probabilities(e).assign(scenario=name))
        if name == "baseline":
            continue
        rows.append(compare(base, outcome_probabilities(e)).assign(counterfactual=name))
    results = pd.concat(rows, ignore_index=True)
    results = results[["counterfactual"] + [c for c in results.columns if c != "counterfactual"]]
    yearly = pd.concat(yearly, ignore_index=True)[["scenario", "series", "year", "p", "se"]]

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".cf-", dir=out))
    try:
        results.to_csv(tmp / "results.csv", index=False, float_format="%.4f")
        yearly.to_csv(tmp / "yearly.csv", index=False, float_format="%.4f")
        desc = base[["outcome", "description"]]
        md = [f"Seeds 0..{args.seeds - 1} per scenario.", "", "Outcomes:", ""]
        md += [f"- `{r.outcome}`: {r.description}" for r in desc.itertuples()]
        for name, d in results.groupby("counterfactual", sort=False):
            md += ["", f"### {name}", "", markdown(d.drop(columns="counterfactual"))]
        (tmp / "table.md").write_text("\n".join(md) + "\n")
        figure(yearly, tmp / "probability_over_years.png")
        for f in tmp.iterdir():
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    wide = results.pivot(index="outcome", columns="counterfactual", values="diff")
    wide.insert(0, "baseline", base.set_index("outcome")["p"])
    with pd.option_context("display.width", 200, "display.float_format", "{:.2f}".format):
        print(f"{args.seeds} seeds x {len(ens)} scenarios in {time.perf_counter() - t0:.1f} s")
        print("baseline probability and counterfactual minus baseline:")
        print(wide.reindex(base["outcome"]).to_string())
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Out-of-sample test of the historical scenario: fit on 1991-2007, score on 2008-2024.

The lead fitted the mechanism weights of ``scenarios/central_asia_1991_2024.yaml`` on the
whole record, so the model's score there is in-sample. Here the same free parameters are
fitted on the years up to 2007 only, and the fitted model is then scored on 2008-2024,
which the fit never saw, next to naive baselines fitted on the earlier years (persistence
from 1992, majority level per pair and overall, climatology) and relations frozen as in
2007.

The optimiser's objective is fast on purpose: one minus the exact accuracy (de facto and de
jure averaged) over reference dyad-years <= 2007, read straight from the model's history
arrays with numpy index arrays (no tables, no ``validate`` inside the loop), averaged over
seeds 0 and 1. ``scipy.optimize.differential_evolution`` searches the bounded box with a
fixed seed (``formalise_years`` and ``denounce_years`` integer). The final scores use ``sim.analysis.validation`` on a
larger ensemble.

Writes ``fit.json``, ``scores.csv``, ``table.md`` and ``fit.png`` next to this file.

Usage::

    .venv/bin/python experiments/out_of_sample/run.py [--maxiter 15] [--popsize 5] [--seeds 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from sim.analysis.fit import persistence_baseline  # noqa: E402
from sim.files import json_text  # noqa: E402
from sim.scenario.schema import Mechanism, load_scenario  # noqa: E402
from sim.analysis.validation import align, markdown_table, score  # noqa: E402
from sim.scenario.reference import load_reference  # noqa: E402

SCENARIO = ROOT / "scenarios" / "central_asia_1991_2024.yaml"
REFERENCE = ROOT / "seeds" / "reference" / "central_asia_reference.csv"
SPLIT = 2008

#: Free parameters (dotted paths into ``mechanism``) and their search bounds.
FREE: dict[str, tuple[float, float]] = {
    "threat.power": (0.0, 1.0),
    "threat.proximity": (0.0, 1.0),
    "threat.offense": (0.0, 1.0),
    "threat.intent": (0.0, 1.0),
    "utility.security": (0.0, 3.0),
    "utility.balancing": (0.0, 3.0),
    "utility.bandwagon": (0.0, 3.0),
    "utility.ideology": (0.0, 2.0),
    "utility.interests": (0.0, 2.0),
    "utility.economy": (0.0, 3.0),
    "utility.disputes": (0.0, 3.0),
    "utility.autonomy": (0.0, 2.0),
    "utility.commitment": (0.0, 1.5),
    "utility.inertia": (0.0, 2.0),
    "level_gain": (1.0, 6.0),
    "normal_level": (-0.5, 1.5),
    "adjustment_rate": (0.1, 1.0),
    "formalise_years": (1, 6),
    "denounce_years": (1, 6),
    "bloc_join_margin": (0.0, 2.0),
    "bloc_leave_margin": (0.5, 3.0),
    "bloc_consent": (0.0, 1.5),
    "temperature": (0.02, 0.6),
    "switching_cost": (0.0, 0.5),  # the lead's bounds (experiments/fit_baseline/fit.py)
}
INTEGER = {"formalise_years", "denounce_years"}


def mechanism_with(base: Mechanism, values: dict[str, float]) -> Mechanism:
    """The base mechanism with dotted-path values set (threat weights made explicit)."""
    d = base.model_dump()
    if any(k.startswith("threat.") for k in values):
        d["threat"] = {"preset": "balance_of_threat", "mix": None, "power": None,
                       "proximity": None, "offense": None, "intent": None} | d["threat"]
        d["threat"]["mix"] = None
    for key, v in values.items():
        node = d
        *parents, last = key.split(".")
        for p in parents:
            node = node[p]
        node[last] = int(round(v)) if last in INTEGER else float(v)
    return Mechanism.model_validate(d)


def base_values(base: Mechanism) -> dict[str, float]:
    """The scenario's own value of every free parameter (threat weights normalised)."""
    from sim.mechanisms.threat import threat_weights
    t = base.threat
    tw = threat_weights(t.preset, t.mix, power=t.power, proximity=t.proximity,
                        offense=t.offense, intent=t.intent)
    d = base.model_dump()
    out = {}
    for key in FREE:
        if key.startswith("threat."):
            out[key] = tw[key.split(".")[1]]
            continue
        node = d
        for p in key.split("."):
            node = node[p]
        out[key] = float(node)
    return out


class Objective:
    """1 - exact accuracy on reference dyad-years <= last_year, from history arrays."""

    def __init__(self, scenario, reference: pd.DataFrame, last_year: int, seeds=(0, 1)):
        self.scenario, self.seeds = scenario, tuple(seeds)
        ids = scenario.ids
        years = scenario.years
        ref = reference[(reference.year <= last_year) & reference.a.isin(ids) & reference.b.isin(ids)]
        self.idx = {}
        for dim in ("de_facto", "de_jure"):
            r = ref[ref[dim].notna()]
            self.idx[dim] = (np.array([years.index(int(y)) for y in r.year]),
                             np.array([ids.index(a) for a in r.a]),
                             np.array([ids.index(b) for b in r.b]),
                             r[dim].to_numpy(int))

    def accuracy(self, x) -> float:
        from sim.run.simulate import simulate
        mech = mechanism_with(self.scenario.mechanism, dict(zip(FREE, x)))
        sc = self.scenario.model_copy(update={"mechanism": mech})
        accs = []
        for seed in self.seeds:
            h = simulate(sc, seed, record=False).model.history
            for dim, (t, i, j, ref) in self.idx.items():
                accs.append(np.mean(np.stack(h[dim])[t, i, j] == ref))
        return float(np.mean(accs))

    def __call__(self, x) -> float:
        return 1.0 - self.accuracy(x)


def tables(scenario, mech: Mechanism, seeds: int) -> list[pd.DataFrame]:
    from sim.run.simulate import dyad_table, simulate
    sc = scenario.model_copy(update={"mechanism": mech})
    return [dyad_table(simulate(sc, s, record=False).model, components=False) for s in range(seeds)]


def split_scores(runs: list[pd.DataFrame], reference: pd.DataFrame) -> pd.DataFrame:
    """Model and baselines in sample (< SPLIT) and out of sample (>= SPLIT); baselines
    are fitted on the years before SPLIT in both."""
    parts = []
    for dim in ("de_facto", "de_jure"):
        a = align(runs, reference, dim)
        early = a["year"].to_numpy() < SPLIT
        for scope, scored in (("in_sample_1991_2007", early), ("out_of_sample_2008_2024", ~early)):
            s = score(a, dim, fit=early, scored=scored).reset_index()
            parts.append(s.assign(dimension=dim, scope=scope))
    return pd.concat(parts, ignore_index=True)


def figure(history: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    h = pd.DataFrame(history)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(h.evaluations, 1 - h.best_loss, marker="o")
    ax.set_xlabel("evaluations")
    ax.set_ylabel("best in-sample exact accuracy")
    ax.set_title("Fit on 1991-2007 (seeds 0, 1)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None) -> int:
    from scipy.optimize import differential_evolution

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--maxiter", type=int, default=15, help="generations after the first")
    ap.add_argument("--popsize", type=int, default=5, help="population = popsize x parameters")
    ap.add_argument("--seeds", type=int, default=20, help="runs for the final scores")
    ap.add_argument("--rng", type=int, default=2008, help="seed of the optimiser")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(HERE))
    args = ap.parse_args(argv)

    scenario = load_scenario(SCENARIO)
    reference = load_reference(REFERENCE)
    objective = Objective(scenario, reference, SPLIT - 1)
    bounds = list(FREE.values())
    integrality = [k in INTEGER for k in FREE]
    history: list[dict] = []

    def callback(intermediate_result):
        r = intermediate_result
        history.append({"generation": len(history) + 1, "evaluations": int(r.nfev),
                        "best_loss": float(r.fun)})
        print(f"generation {len(history)}: {r.nfev} evaluations, in-sample exact "
              f"{1 - r.fun:.4f}", file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    pool = ProcessPoolExecutor(args.workers) if args.workers > 1 else None
    try:
        res = differential_evolution(
            objective, bounds, maxiter=args.maxiter, popsize=args.popsize, rng=args.rng,
            polish=False, init="latinhypercube", integrality=integrality, tol=0.0,
            updating="deferred", workers=pool.map if pool else 1, callback=callback)
    finally:
        if pool is not None:
            pool.shutdown()
    seconds = time.perf_counter() - t0
    if not history or history[-1]["evaluations"] != res.nfev:
        history.append({"generation": len(history) + 1, "evaluations": int(res.nfev),
                        "best_loss": float(res.fun)})
    fitted = {k: (int(round(v)) if k in INTEGER else float(v)) for k, v in zip(FREE, res.x)}
    fitted_mech = mechanism_with(scenario.mechanism, fitted)

    rows = []
    for label, mech in (("fitted_1991_2007", fitted_mech), ("as_written", scenario.mechanism)):
        s = split_scores(tables(scenario, mech, args.seeds), reference)
        s.loc[s.forecaster == "model", "forecaster"] = label
        if label == "as_written":
            s = s[s.forecaster == label]
        rows.append(s)
    scores = pd.concat(rows, ignore_index=True)
    frozen = persistence_baseline(reference, SPLIT - 1, (SPLIT, None))
    frozen_in = persistence_baseline(reference, 1992, (None, SPLIT - 1))
    extra = []
    for dim in ("de_facto", "de_jure"):
        extra.append({"forecaster": f"frozen_{SPLIT - 1}", "dimension": dim,
                      "scope": "out_of_sample_2008_2024", "n": int(reference.loc[reference.year >= SPLIT, dim].notna().sum()),
                      "exact": frozen[f"exact_{dim}"], "kappa_linear": frozen.get(f"kappa_{dim}"),
                      "within_one": frozen[f"within1_{dim}"]})
    scores = pd.concat([scores, pd.DataFrame(extra)], ignore_index=True)
    cols = ["scope", "dimension", "forecaster", "n", "exact", "within_one", "kappa_linear",
            "change_hit_rate", "brier", "brier_allied"]
    scores = scores[cols].sort_values(["scope", "dimension"], kind="stable").reset_index(drop=True)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".oos-", dir=out))
    try:
        written = base_values(scenario.mechanism)
        info = {"split_year": SPLIT, "objective": "1 - mean exact accuracy (de facto, de jure), "
                "reference dyad-years <= 2007, seeds 0 and 1",
                "optimiser": {"maxiter": args.maxiter, "popsize": args.popsize, "rng": args.rng,
                              "evaluations": int(res.nfev), "seconds": round(seconds, 1)},
                "in_sample_objective_accuracy": 1 - float(res.fun),
                "as_written_objective_accuracy": objective.accuracy(
                    [written[k] for k in FREE]),
                "bounds": {k: list(b) for k, b in FREE.items()},
                "fitted": fitted, "as_written": written, "final_seeds": args.seeds,
                "frozen_1992_in_sample_exact": frozen_in["exact"],
                "history": history}
        (tmp / "fit.json").write_text(json_text(info, indent=2) + "\n")
        scores.to_csv(tmp / "scores.csv", index=False, float_format="%.4f")
        params = pd.DataFrame({"parameter": list(FREE), "bounds": [str(b) for b in FREE.values()],
                               "as_written": [written[k] for k in FREE],
                               "fitted_1991_2007": [fitted[k] for k in FREE]})
        md = ["### Parameters", "", markdown_table(params)]
        for scope in ("in_sample_1991_2007", "out_of_sample_2008_2024"):
            md += ["", f"### {scope}", "", markdown_table(scores[scores.scope == scope]
                                                          .drop(columns="scope"))]
        (tmp / "table.md").write_text("\n".join(md) + "\n")
        figure(history, tmp / "fit.png")
        for f in tmp.iterdir():
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        print(f"{res.nfev} evaluations in {seconds:.0f} s; in-sample objective accuracy "
              f"{1 - res.fun:.4f}")
        print(params.to_string(index=False))
        print(scores.to_string(index=False))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

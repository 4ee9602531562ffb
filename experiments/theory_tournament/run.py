"""Theory tournament: one historical record, three theories of threat, each refitted alike.

Each theory fixes the threat weighting and lets differential evolution refit every other
mechanism weight with the same budget (``experiments/fit_baseline/fit.py --set ... --fixed
...``, the budget of the full model's fit), so no theory is judged on another's weights:

* balance of power: threat is aggregate power only;
* balance of threat: Walt's four sources weighted equally;
* full model: the threat weights are fitted too (four more free parameters).

Every variant runs seeds 0..N-1 and is scored by ``sim.analysis.validation.validate``
against the reference from 1992 on (1991 holds the initial conditions), next to the naive
baselines, and on bloc membership.

Writes, next to this file: ``table.csv`` (theory x dimension x metric), ``table.md`` and
``tournament.png``.

Each theory's refit starts from its best fit on record, scored under the current
mechanisms (``archive.py``), so that no theory is refitted from a poorer start than
another's; the full model's start is the scenario itself when that is its best.

Usage::

    .venv/bin/python experiments/theory_tournament/archive.py        # writes start_<theory>.json
    .venv/bin/python experiments/fit_baseline/fit.py --set mechanism.threat.power=1 \
        --set mechanism.threat.proximity=0 --set mechanism.threat.offense=0 \
        --set mechanism.threat.intent=0 --start experiments/theory_tournament/start_balance_of_power.json --seed 11 \
        --out experiments/theory_tournament/fit_balance_of_power_seed11.json
    (likewise optimiser seed 12, and 0.25 each for balance of threat; the better of the two
    seeds is copied to fit_balance_of_power.json / fit_balance_of_threat.json)
    .venv/bin/python experiments/theory_tournament/run.py [--seeds 50] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from sim.scenario.schema import apply_overrides, load_raw, scenario_from_dict  # noqa: E402
from sim.analysis.validation import markdown_table, validate  # noqa: E402
from sim.scenario.reference import load_reference  # noqa: E402

SCENARIO = ROOT / "scenarios" / "central_asia_1991_2024.yaml"
REFERENCE = ROOT / "seeds" / "reference" / "central_asia_reference.csv"

#: Each theory: its description, the threat weights it fixes, and the file of its refit.
THEORIES: dict[str, tuple[str, dict, str | None]] = {
    "balance_of_power": (
        "threat = aggregate power only (power 1, proximity/offense/intent 0); every other weight refitted",
        {"mechanism.threat.power": 1.0, "mechanism.threat.proximity": 0.0,
         "mechanism.threat.offense": 0.0, "mechanism.threat.intent": 0.0},
        "fit_balance_of_power.json"),
    "balance_of_threat": (
        "Walt: power, proximity, offense and intent weighted equally; every other weight refitted",
        {"mechanism.threat.power": 0.25, "mechanism.threat.proximity": 0.25,
         "mechanism.threat.offense": 0.25, "mechanism.threat.intent": 0.25},
        "fit_balance_of_threat.json"),
    "full_model": ("threat weights fitted too: the historical scenario as fitted", {}, None),
}


def variant(name: str, fitted: bool = True) -> dict:
    """The raw scenario dict of one theory: its fixed threat weights, then its refit
    (``fitted``; without it, the scenario's other weights, as a refit's start)."""
    _, fixed, fit_file = THEORIES[name]
    raw = apply_overrides(load_raw(SCENARIO), fixed, source=f"theory {name}")
    if fit_file and fitted:  # a theory is never judged on another's weights: its refit must exist
        if not (HERE / fit_file).is_file():
            raise SystemExit(f"{HERE / fit_file} is missing: refit {name} first (see this file's docstring)")
        refit = json.loads((HERE / fit_file).read_text())["overrides"]
        raw = apply_overrides(raw, refit, source=str(HERE / fit_file))
    return raw


def _run(task: tuple[str, int]) -> pd.DataFrame:
    from sim.run.simulate import dyad_table, simulate
    name, seed = task
    sc = _prepared(name)
    return dyad_table(simulate(sc, seed, record=False).model, components=False)


_CACHE: dict = {}


def _prepared(name: str):
    if name not in _CACHE:
        _CACHE[name] = scenario_from_dict(variant(name), source=f"{SCENARIO} ({name})",
                                          base_dir=SCENARIO.parent)
    return _CACHE[name]


METRICS = ["exact", "within_one", "kappa_linear", "change_hit_rate", "timing_error", "brier",
           "brier_allied"]


def tournament(seeds: int, workers: int) -> pd.DataFrame:
    reference = load_reference(REFERENCE)
    reference = reference[reference.year >= 1992].reset_index(drop=True)
    tasks = [(n, s) for n in THEORIES for s in range(seeds)]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            tables = list(pool.map(_run, tasks, chunksize=5))
    else:
        tables = [_run(t) for t in tasks]
    rows = []
    for k, name in enumerate(THEORIES):
        rep = validate(tables[k * seeds:(k + 1) * seeds], reference, reference_name=str(REFERENCE))
        s = rep.summary("overall")
        model = s[s.forecaster == "model"].assign(forecaster=name)
        rows.append(model)
        if k == 0:
            baselines = s[s.forecaster != "model"]
    out = pd.concat(rows + [baselines], ignore_index=True)
    out = out.rename(columns={"forecaster": "theory"})
    return out[["theory", "dimension", "n"] + METRICS]


def figure(table: pd.DataFrame, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    theories = list(THEORIES)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    panels = [("de_facto", "exact"), ("de_jure", "exact"), ("de_facto", "change_hit_rate")]
    colours = {"persistence": "tab:red", "oracle_pair_mode": "tab:green", "majority_overall": "tab:grey"}
    for ax, (dim, metric) in zip(axes, panels):
        d = table[table.dimension == dim].set_index("theory")
        ax.bar(range(len(theories)), d.loc[theories, metric], color="tab:blue")
        for base, c in colours.items():
            v = d.loc[base, metric]
            if metric == "exact" and pd.notna(v):
                ax.axhline(v, color=c, ls="--", lw=1.2, label=base)
        if metric == "change_hit_rate":
            d2 = table[table.dimension == "de_jure"].set_index("theory")
            ax.plot(range(len(theories)), d2.loc[theories, metric], "o", color="black",
                    label="de jure change hit rate")
            ax.text(0.02, 0.95, "baselines never move: hit rate 0", transform=ax.transAxes,
                    fontsize=8, va="top")
        ax.set_xticks(range(len(theories)))
        ax.set_xticklabels([t.replace("_", "\n") for t in theories], fontsize=8)
        ax.set_ylim(0, 1)
        ax.set_title(f"{dim.replace('_', ' ')}: {metric.replace('_', ' ')}")
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=50, help="runs per theory, seeds 0..N-1")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(HERE))
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    table = tournament(args.seeds, args.workers)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tt-", dir=out))
    try:
        table.to_csv(tmp / "table.csv", index=False, float_format="%.4f")
        md = [f"Seeds 0..{args.seeds - 1} per theory; reference "
              f"`{REFERENCE.relative_to(ROOT)}`.", ""]
        md += [f"- `{n}`: {d}" for n, (d, _, _) in THEORIES.items()]
        for dim in ("de_facto", "de_jure"):
            md += ["", f"### {dim}", "", markdown_table(table[table.dimension == dim]
                                                        .drop(columns="dimension"))]
        (tmp / "table.md").write_text("\n".join(md) + "\n")
        figure(table, tmp / "tournament.png")
        for f in tmp.iterdir():
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        print(f"{args.seeds} seeds x {len(THEORIES)} theories in {time.perf_counter() - t0:.1f} s")
        print(table.to_string(index=False))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Every fit on record, scored under today's mechanisms: which start each theory's refit takes.

Each round of the tournament refitted the rivals from the scenario's values with the
theory's threat weights set. Differential evolution keeps its start in the population,
so a refit never ends below that start, but the start it is given is the full model's
point, not the rival's own best; a rival's refit can then end in a poorer basin than one
of its own earlier fits (on 1 December 2026 the kept balance-of-threat fit scored -0.6160
on the fit's objective, and the previous round's -0.6171, under the same mechanisms). So
every theory is given the same treatment: every fit of it on record is scored again under
the current mechanisms and inputs, and its refit starts from the best of them
(``fit.py --start``).

The fits on record are the tournament's fit files and, for the full model, the fit files
of ``experiments/fit_baseline/`` at every commit that changed them (``--collect`` reads
them from git into ``starts.json``, one entry per distinct point, with the commit and file
it came from; fits of rejected variants that set a parameter the model no longer has are
left out). A point is scored by the fit's own objective on the fit's seeds, and by the
exact agreement of de facto and de jure levels and bloc membership on ``--seeds`` runs.

Usage::

    .venv/bin/python experiments/theory_tournament/archive.py --collect   # needs the git history
    .venv/bin/python experiments/theory_tournament/archive.py [--seeds 10] [--workers 2]

Writes ``archive.csv`` and ``archive.md`` next to this file, each theory's best point as
``start_<theory>.json`` (what ``fit.py --start`` reads), and prints them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "experiments" / "fit_baseline"))
sys.path.insert(0, str(HERE))

import fit  # noqa: E402
from run import THEORIES, variant  # noqa: E402
from sim.run.simulate import simulate  # noqa: E402
from sim.scenario.schema import apply_overrides, scenario_from_dict  # noqa: E402
from sim.analysis.validation import markdown_table  # noqa: E402
from sim.errors import InputError  # noqa: E402
from sim.files import json_text  # noqa: E402
from sim.threads import single_threaded  # noqa: E402

STARTS = HERE / "starts.json"

#: Where each theory's fits were written, round after round.
FIT_FILES = {
    "balance_of_power": ["experiments/theory_tournament/fit_balance_of_power.json",
                         "experiments/theory_tournament/fit_balance_of_power_seed11.json",
                         "experiments/theory_tournament/fit_balance_of_power_seed12.json"],
    "balance_of_threat": ["experiments/theory_tournament/fit_balance_of_threat.json",
                          "experiments/theory_tournament/fit_balance_of_threat_seed11.json",
                          "experiments/theory_tournament/fit_balance_of_threat_seed12.json"],
    "full_model": ["experiments/fit_baseline/"],
}


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout


def collect() -> list[dict]:
    """Every distinct fitted point of each theory in the repository's history, oldest last."""
    entries, seen = [], set()
    for theory, paths in FIT_FILES.items():
        files = sorted({f for f in _git("log", "--format=", "--name-only", "--", *paths).split()
                        if f.endswith(".json")})
        for f in files:
            for commit in _git("log", "--format=%h", "--", f).split():
                try:
                    overrides = json.loads(_git("show", f"{commit}:{f}")).get("overrides")
                except (subprocess.CalledProcessError, json.JSONDecodeError):
                    continue  # the file was deleted at that commit, or is not a fit
                key = (theory, json.dumps(overrides, sort_keys=True))
                if not overrides or key in seen:
                    continue
                seen.add(key)
                try:  # a fit of a rejected variant may set a parameter the model no longer has
                    apply_overrides(variant(theory, fitted=False), overrides, source=f"{f} at {commit}")
                except InputError as e:
                    print(f"left out, not a point of today's model: {e}")
                    continue
                entries.append({"theory": theory, "commit": commit, "file": f, "overrides": overrides})
    return entries


def score(task: tuple[dict, int]) -> dict:
    """One point's fit objective (the fit's seeds) and exact agreements (``seeds`` runs)."""
    entry, seeds = task
    single_threaded()
    raw = apply_overrides(variant(entry["theory"], fitted=False), entry["overrides"], source=entry["file"])
    sc = scenario_from_dict(raw, base_dir=fit.SCENARIO.parent)
    scorer = fit.Scorer(sc, 1992, 2024)
    runs = {s: scorer(simulate(sc, s, record=False).model.history) for s in sorted(set(range(seeds)) | set(fit.SEEDS))}
    mean = {k: float(np.mean([runs[s][k] for s in range(seeds)])) for k in ("exact_de_facto", "exact_de_jure",
                                                                           "bloc_exact", "patterns")}
    objective = float(np.mean([fit.objective_value(runs[s]) for s in fit.SEEDS]))
    return {"theory": entry["theory"], "commit": entry["commit"], "file": entry["file"],
            "objective": objective, **mean}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--collect", action="store_true", help="read every fit on record from git into starts.json")
    ap.add_argument("--seeds", type=int, default=10, help="runs per point for the exact agreements")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    if args.collect:
        entries = collect()
        STARTS.write_text(json_text(entries, indent=1) + "\n")
        print(f"{len(entries)} fitted points written to {STARTS}")
        return 0
    entries = json.loads(STARTS.read_text())
    tasks = [(e, args.seeds) for e in entries]
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(score, tasks))
    table = pd.DataFrame(rows).sort_values(["theory", "objective"]).reset_index(drop=True)
    table.to_csv(HERE / "archive.csv", index=False, float_format="%.4f")
    cols = {"objective": "fit objective (seeds 0-2)", "exact_de_facto": f"de facto exact ({args.seeds} seeds)",
            "exact_de_jure": "de jure exact", "bloc_exact": "bloc membership exact", "patterns": "patterns share"}
    md = ["Every fitted point on record, scored under the current mechanisms (`archive.py`); "
          "lower objective is better.", ""]
    for theory in THEORIES:
        part = table[table.theory == theory].drop(columns="theory").rename(columns=cols)
        md += [f"### {theory} ({len(part)} points)", "", markdown_table(part), ""]
    (HERE / "archive.md").write_text("\n".join(md))
    best = table.loc[table.groupby("theory").objective.idxmin()]
    for row in best.itertuples():  # each theory's start, in the form fit.py --start reads
        entry = next(e for e in entries if (e["theory"], e["commit"], e["file"]) == (row.theory, row.commit, row.file))
        (HERE / f"start_{row.theory}.json").write_text(json_text(
            {"theory": row.theory, "from": f"{row.file} at {row.commit}", "objective": row.objective,
             "overrides": entry["overrides"]}, indent=1) + "\n")
    with pd.option_context("display.width", 200, "display.float_format", "{:.4f}".format):
        print("each theory's best point on record under the current mechanisms:")
        print(best.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

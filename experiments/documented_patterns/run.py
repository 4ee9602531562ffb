"""The documented patterns checklist: the share of ensemble runs that reproduce each claim.

Each claim of the source documents is written once, with its passage, in
``seeds/reference/documented_patterns.yaml`` (see ``sim.analysis.patterns``); this script
runs the historical scenario on seeds 0..N-1 and writes, next to itself, ``table.md`` and
``table.csv`` (claim, passage, share of runs).

Usage::

    .venv/bin/python experiments/documented_patterns/run.py [--seeds 100] [--scenario PATH]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.analysis.patterns import RunTables, checklist, load_patterns
from sim.analysis.validation import markdown_table
from sim.run.simulate import simulate
from sim.scenario.schema import load_scenario

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=100)
    p.add_argument("--scenario", default=str(ROOT / "scenarios" / "central_asia_1991_2024.yaml"))
    p.add_argument("--patterns", default=str(ROOT / "seeds" / "reference" / "documented_patterns.yaml"))
    args = p.parse_args()
    sc = load_scenario(args.scenario)
    runs = []
    for seed in range(args.seeds):
        res = simulate(sc, seed)
        runs.append(RunTables(res.dyads, res.states))
    table = checklist(load_patterns(args.patterns), runs)
    table.to_csv(HERE / "table.csv", index=False)
    held = int((table["share"] >= 0.8).sum())
    text = (f"# Documented patterns, {args.seeds} runs of `{Path(args.scenario).name}`\n\n"
            f"{held} of {len(table)} patterns reproduced in at least 80% of runs.\n\n"
            + markdown_table(table[["id", "claim", "source", "share"]]) + "\n")
    (HERE / "table.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()

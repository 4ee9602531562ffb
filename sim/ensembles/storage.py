"""Where a sweep's results live: Parquet parts under ``results/`` and ``dyads/`` of its folder.

Readers are apart from the runner so that analysis and plots can read a finished sweep
without importing the machinery that ran it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.errors import InputError
from sim.run.tables import read_table

ID_COLUMNS = ["run_id", "point", "replicate", "seed", "status", "error", "seconds"]


def load_results(out_dir: str | Path) -> pd.DataFrame:
    """All result rows of a sweep folder, sorted by run id (parts may differ in columns,
    e.g. a batch with only failed runs, so they are read one by one and concatenated)."""
    parts = sorted((Path(out_dir) / "results").glob("part-*.parquet"))
    if not parts:
        return pd.DataFrame(columns=ID_COLUMNS)
    frames = [read_table(p, required=["run_id", "status"], numeric=["run_id"]) for p in parts]
    frames = [f for f in frames if len(f)]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=ID_COLUMNS)
    return df.sort_values("run_id", kind="stable").reset_index(drop=True)


def load_dyads(out_dir: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """The kept dyad-year tables of a sweep (run_id column added)."""
    parts = sorted((Path(out_dir) / "dyads").glob("part-*.parquet"))
    if not parts:
        raise InputError(out_dir, "outputs.dyads", "a sweep run with 'outputs: {dyads: true}'")
    return pd.concat([pd.read_parquet(p, columns=columns) for p in parts], ignore_index=True)

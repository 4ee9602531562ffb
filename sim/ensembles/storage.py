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


def load_planned_results(out_dir: str | Path, points: list[int], replicates: int) -> pd.DataFrame:
    """The result rows of a sweep folder, each checked against the sweep's plan.

    A sweep writes each run once, as ``run_id = point * replicates + replicate`` with
    ``replicate`` below the manifest's ``replicates``. A row copied by hand, a part
    copied in twice or a replicate the manifest does not declare would otherwise be
    averaged into its point silently and move every index computed from the means.

    Args:
        out_dir: The sweep's output folder.
        points: The design's point numbers (``design.parquet``).
        replicates: The manifest's replicates per point.

    Raises:
        InputError: Naming the results part, its row and the run id that breaks the plan.
    """
    parts = sorted((Path(out_dir) / "results").glob("part-*.parquet"))
    known = set(int(p) for p in points)
    seen: dict[int, Path] = {}
    frames = []
    for part in parts:
        frame = read_table(part, required=["run_id", "point", "replicate", "status"],
                           numeric=["run_id", "point", "replicate"])
        for row, (rid, point, rep) in enumerate(zip(frame.run_id, frame.point, frame.replicate), 1):
            rid, point, rep = int(rid), int(point), int(rep)
            if rid in seen:
                where = "earlier in this file" if seen[rid] == part else f"also in {seen[rid]}"
                raise InputError(part, "run_id", f"each run once (run {rid} is {where}: a run's "
                                 "result was copied; remove the extra row or rerun the sweep "
                                 "into a new --out)", row=row, got=rid)
            seen[rid] = part
            if not 0 <= rep < replicates:
                raise InputError(part, "replicate", f"a replicate 0..{replicates - 1} (the "
                                 f"manifest declares replicates: {replicates}; run {rid} is "
                                 "not one of the sweep's runs)", row=row, got=rep)
            if point not in known:
                raise InputError(part, "point", f"a point of the sweep's design 0..{len(known) - 1} "
                                 f"(run {rid} is not one of the sweep's runs)", row=row, got=point)
            if rid != point * replicates + rep:
                raise InputError(part, "run_id", f"point * replicates + replicate = "
                                 f"{point * replicates + rep} for point {point}, replicate {rep} "
                                 "(the sweep's numbering of its runs)", row=row, got=rid)
        if len(frame):
            frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=ID_COLUMNS)
    df = pd.concat(frames, ignore_index=True)
    return df.sort_values("run_id", kind="stable").reset_index(drop=True)

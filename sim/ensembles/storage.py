"""Where a sweep's results live: Parquet parts under ``results/`` and ``dyads/`` of its folder.

Readers are apart from the runner so that analysis and plots can read a finished sweep
without importing the machinery that ran it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.run.tables import read_table

ID_COLUMNS = ["run_id", "point", "replicate", "seed", "status", "error", "seconds"]


def load_results(out_dir: str | Path) -> pd.DataFrame:
    """All result rows of a sweep folder, sorted by run id (parts may differ in columns,
    e.g. a batch with only failed runs, so they are read one by one and concatenated)."""
    return _by_run([read_table(p, required=["run_id", "status"], numeric=["run_id"]) for p in _parts(out_dir)])


def _parts(out_dir: str | Path, folder: str = "results") -> list[Path]:
    """The Parquet parts of a sweep folder's ``results/`` (or ``dyads/``), in the order written."""
    return sorted((Path(out_dir) / folder).glob("part-*.parquet"))


def _by_run(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Result parts as one table sorted by run id (empty parts dropped: their columns may differ)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=ID_COLUMNS)
    return pd.concat(frames, ignore_index=True).sort_values("run_id", kind="stable").reset_index(drop=True)


def load_dyads(out_dir: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """The kept dyad-year tables of a sweep (run_id column added)."""
    parts = _parts(out_dir, "dyads")
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
    known = {int(p) for p in points}
    seen: dict[int, Path] = {}  # each run id of the parts read so far -> its part
    frames = []
    for part in _parts(out_dir):
        frame = read_table(part, required=["run_id", "point", "replicate", "status"],
                           numeric=["run_id", "point", "replicate"])
        _check_plan(part, frame, seen, known, replicates)
        frames.append(frame)
    return _by_run(frames)


def _check_plan(part: Path, frame: pd.DataFrame, seen: dict[int, Path], known: set[int], replicates: int) -> None:
    """Refuse the first row of ``part`` that breaks the plan (a run seen before, a replicate
    or point the plan lacks, a run id that is not ``point * replicates + replicate``, checked
    in that order), as one vector test a check; then add the part's run ids to ``seen``."""
    rid, point, rep = (frame[c].to_numpy().astype(np.int64) for c in ("run_id", "point", "replicate"))
    failing = np.vstack([pd.Series(rid).duplicated().to_numpy() | np.isin(rid, list(seen)),
                         (rep < 0) | (rep >= replicates),
                         ~np.isin(point, list(known)),
                         rid != point * replicates + rep])
    bad_rows = failing.any(axis=0)
    if not bad_rows.any():
        seen.update(dict.fromkeys(rid.tolist(), part))
        return
    i = int(np.argmax(bad_rows))
    r, p, n = int(rid[i]), int(point[i]), int(rep[i])
    where = f"also in {seen[r]}" if r in seen else "earlier in this file"
    field, expected, got = [
        ("run_id", f"each run once (run {r} is {where}: a run's result was copied; remove the extra row or "
                   "rerun the sweep into a new --out)", r),
        ("replicate", f"a replicate 0..{replicates - 1} (the manifest declares replicates: {replicates}; "
                      f"run {r} is not one of the sweep's runs)", n),
        ("point", f"a point of the sweep's design 0..{len(known) - 1} (run {r} is not one of the sweep's runs)", p),
        ("run_id", f"point * replicates + replicate = {p * replicates + n} for point {p}, replicate {n} "
                   "(the sweep's numbering of its runs)", r),
    ][int(np.argmax(failing[:, i]))]
    raise InputError(part, field, expected, row=i + 1, got=got)

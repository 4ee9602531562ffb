"""Copy the 1946-1955 validation rows of the shared data extracts into seeds/data.

The project's seeds/data files held only the Central Asia rows (nine states, 1991 on). The
early Cold War case needs the 1946-1955 rows, which the shared extracts in ../shared/data
already hold (their ``subset`` / ``relevance`` column marks them; see seeds/data/SOURCES.md).
This script appends those rows, for every state of the COW state list
(cow_states_2016_subset.csv), to the project's copies: same columns as the project file,
values unchanged, rows already present not repeated. Re-running it changes nothing.

Usage::

    .venv/bin/python experiments/cold_war_out_of_case/copy_data.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds" / "data"
FIRST, LAST = 1946, 1955

#: file -> (code columns, how the year is found)
FILES = {
    "nmc_v7_subset.csv": (["ccode"], "year"),
    "sipri_milex_1949_2023_subset.csv": (["ccode"], "year"),
    "cow_national_trade_v4_subset.csv": (["ccode"], "year"),
    "cow_dyadic_trade_v4_subset.csv": (["ccode1", "ccode2"], "year"),
    "polity5_subset.csv": (["ccode_cow"], "year"),
    "democracy_vdem10_polity_quds_subset.csv": (["ccode"], "year"),
    "un_idealpoints_jul2025_subset.csv": (["ccode"], "year"),
    "atop_v5_1_dyad_year_subset.csv": (["ccode1", "ccode2"], "year"),
    "cow_capitals_subset.csv": (["ccode"], "dates"),
    "cow_contiguity_v3_2_subset.csv": (["ccode1", "ccode2"], "dates"),
    "atop_v5_1_members_subset.csv": (["member"], "atop"),
    "cow_states_2016_subset.csv": (["ccode"], "states"),
}


def rows_for_years(frame: pd.DataFrame, how: str) -> pd.Series:
    if how == "year":
        return frame["year"].between(FIRST, LAST)
    if how == "dates":  # an episode or capital spell overlapping the years
        return (frame["stdate"].astype(str) <= f"{LAST}-12-31") & (frame["enddate"].astype(str) >= f"{FIRST}-01-01")
    if how == "atop":  # memberships in force at some time in the years (yrexit 0 = in force in 2018)
        return (frame["yrent"] <= LAST) & ((frame["yrexit"] == 0) | (frame["yrexit"] >= FIRST))
    if how == "states":  # the whole shared list (every state in the system 1936-1955), since
        return frame["ccode"].notna()  # other files hold spells of states that ended in 1945
    raise ValueError(how)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    args = ap.parse_args()
    shared = Path(args.shared)
    missing = [name for name in FILES if not (shared / name).is_file()]
    if missing:  # e.g. run from a git worktree, whose parent folder holds no shared/data
        print(f"copy_data.py: --shared {shared}: expected the shared data folder holding "
              f"{', '.join(missing)} (see ../shared/data/SOURCES.md); give its path with --shared", file=sys.stderr)
        return 2
    codes = set(pd.read_csv(shared / "cow_states_2016_subset.csv")["ccode"].astype(int))
    atopids: set[int] = set()
    for name, (keys, how) in FILES.items():
        own = pd.read_csv(SEEDS / name, dtype=str, keep_default_na=False)
        src = pd.read_csv(shared / name)
        text = pd.read_csv(shared / name, dtype=str, keep_default_na=False)  # cells as written
        sel = rows_for_years(src, how)
        for k in keys:
            sel &= src[k].isin(codes)
        add = text.loc[sel, own.columns]
        if name == "atop_v5_1_members_subset.csv":
            atopids |= set(add["atopid"].astype(int))
        merged = pd.concat([own, add], ignore_index=True).drop_duplicates(keep="first")
        merged.to_csv(SEEDS / name, index=False, lineterminator="\n")
        print(f"{name}: {len(own)} -> {len(merged)} rows")
    name = "atop_v5_1_alliances_subset.csv"
    own = pd.read_csv(SEEDS / name, dtype=str, keep_default_na=False)
    src = pd.read_csv(shared / name)
    text = pd.read_csv(shared / name, dtype=str, keep_default_na=False)
    add = text.loc[src["atopid"].isin(atopids), own.columns]
    merged = pd.concat([own, add], ignore_index=True).drop_duplicates(subset=["atopid"], keep="first")
    merged.to_csv(SEEDS / name, index=False, lineterminator="\n")
    print(f"{name}: {len(own)} -> {len(merged)} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

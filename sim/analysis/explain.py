"""Why a pair's alignment is what it is, and why it changed: components ranked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.errors import InputError
from sim.levels import DE_FACTO_NAMES, DE_JURE_NAMES
from sim.files import read_csv
from sim.mechanisms.utility import COMPONENTS


def _pair_rows(run_dir: Path, a: str, b: str) -> tuple[pd.DataFrame, bool]:
    path = run_dir / "dyads.csv"
    if not path.exists():
        raise InputError(run_dir, None, "a run folder written by 'alliance-sim run' (no dyads.csv in it)")
    cols = [f"{s}_{c}" for s in "ab" for c in COMPONENTS + ("total",)]
    d = read_csv(path, required=["year", "a", "b", "de_facto", "de_jure"],
                 numeric=["year", "de_facto", "de_jure", "threat_ab", "threat_ba"] + cols,
                 allow_empty=cols + ["threat_ab", "threat_ba"])
    states = sorted(set(d.a) | set(d.b))
    for field, s in (("A", a), ("B", b)):
        if s not in states:
            raise InputError(path, field, f"a state of this run ({', '.join(states)})", got=s)
    rows = d[(d.a == a) & (d.b == b)]
    swapped = False
    if rows.empty:
        rows, swapped = d[(d.a == b) & (d.b == a)], True
    if rows.empty:
        raise InputError(path, "A B", "two different states of the run", got=f"{a} {b}")
    return rows.sort_values("year").reset_index(drop=True), swapped


def _side(row: pd.Series, side: str) -> dict[str, float]:
    return {c: float(row[f"{side}_{c}"]) for c in COMPONENTS if f"{side}_{c}" in row and row[f"{side}_{c}"] == row[f"{side}_{c}"]}


def explain_pair(run_dir: str | Path, a: str, b: str, year: int | None = None) -> str:
    """A plain-text explanation of pair (a, b) in ``year`` (default: the last year)."""
    run_dir = Path(run_dir)
    rows, swapped = _pair_rows(run_dir, a, b)
    years = rows.year.astype(int).tolist()
    if year is None:
        year = years[-1]
    if year not in years:
        raise InputError(run_dir / "dyads.csv", "YEAR", f"a year of the run ({years[0]}-{years[-1]})", got=year)
    k = years.index(year)
    row = rows.iloc[k]
    sa, sb = ("b", "a") if swapped else ("a", "b")
    f, j = int(row.de_facto), int(row.de_jure)
    out = [f"{a}-{b} in {year}: de facto {f} ({DE_FACTO_NAMES[f]}), de jure {j} ({DE_JURE_NAMES[j]})"
           + (f", class {row.classification}" if "classification" in row and row.classification == row.classification else "")]
    if not _side(row, sa):
        out.append("This run was written without utility components; nothing more to explain.")
        return "\n".join(out)
    for who, other, side in ((a, b, sa), (b, a, sb)):
        comps = _side(row, side)
        total = float(row[f"{side}_total"])
        wanted = int(row[f"{side}_desired"]) if f"{side}_desired" in row else None
        out.append(f"\nWhy {who} wants level {wanted} with {other} (net utility {total:+.3f}), components ranked:")
        for c, v in sorted(comps.items(), key=lambda kv: -abs(kv[1])):
            out.append(f"  {c:<10} {v:+.3f}")
        threat_col = "threat_ab" if side == "a" else "threat_ba"
        if threat_col in row and row[threat_col] == row[threat_col]:
            out.append(f"  (threat {other} poses to {who}: {float(row[threat_col]):.3f})")
    # What changed: the last change of level up to this year.
    levels = rows[["de_facto", "de_jure"]].astype(int).to_numpy()
    change_k = next((i for i in range(k, 0, -1) if (levels[i] != levels[i - 1]).any()), None)
    if change_k is None:
        out.append(f"\nNo change of level between {years[0]} and {year}.")
    else:
        prev, now = rows.iloc[change_k - 1], rows.iloc[change_k]
        out.append(f"\nLast change: {years[change_k - 1]} -> {years[change_k]}: de facto "
                   f"{int(prev.de_facto)} -> {int(now.de_facto)}, de jure {int(prev.de_jure)} -> {int(now.de_jure)}."
                   " Components that moved most (both sides):")
        start = max(change_k - 3, 0)
        before = rows.iloc[start]
        deltas = []
        for who, side in ((a, sa), (b, sb)):
            old, new = _side(before, side), _side(now, side)
            deltas += [(who, c, new[c] - old[c]) for c in new]
        deltas.sort(key=lambda x: -abs(x[2]))
        out.append(f"  (change in weighted components from {years[start]} to {years[change_k]})")
        for who, c, dv in deltas[:6]:
            out.append(f"  {who:<6} {c:<10} {dv:+.3f}")
    events = run_dir / "events.csv"
    if events.exists():
        ev = pd.read_csv(events, keep_default_na=False)
        mine = ev[(((ev.a == a) & (ev.b == b)) | ((ev.a == b) & (ev.b == a))) & (ev.year <= year)
                  & (ev.kind != "de_facto_change")]
        if len(mine):
            out.append("\nInstruments of this pair so far:")
            out += [f"  {r.year} {r.kind.replace('_', ' ')}: {r.text}" for r in mine.itertuples()]
    return "\n".join(out)

"""Reference timelines: the one reader of what really happened, pair by pair and year by year.

A scenario names its reference timeline, the model shows it next to the simulation, the
validation scores against it and fits and sweeps score against it too; all of them read it
here, so that a file is checked the same way (and an error names the same line) wherever
it is used. Bloc membership has its own reader, :func:`load_bloc_reference`. Two entry points for pairs: :func:`load_reference` for the project's documented format
with sources, :func:`load_reference_levels` for any table with the level columns (CSV or
Parquet), which passes documented files through the full check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.files import LineNumbers, place, place_words, read_csv
from sim.levels import DE_FACTO_MAX, DE_FACTO_MIN, DE_JURE_MAX, DE_JURE_MIN

#: The two alignment scales, with their admissible ranges.
SCALES: dict[str, tuple[int, int]] = {
    "de_facto": (DE_FACTO_MIN, DE_FACTO_MAX),
    "de_jure": (DE_JURE_MIN, DE_JURE_MAX),
}

#: State ids the Central Asia reference may use (Correlates of War abbreviations).
KNOWN_STATES = frozenset({"USA", "RUS", "AFG", "TKM", "TAJ", "KYR", "UZB", "KZK", "CHN"})

REFERENCE_COLUMNS = ("a", "b", "year", "de_jure", "de_facto", "source", "confidence", "note")

#: A bloc reference: one row per state, bloc and year, ``member`` 0 or 1 at 31 December.
BLOC_REFERENCE_COLUMNS = ("state", "bloc", "year", "member")

#: The level columns a fit needs; the full format adds source, confidence, note.
LEVEL_COLUMNS = ("a", "b", "year", "de_jure", "de_facto")


def canonical_pairs(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with ``a < b`` in every row, so an unordered pair has one spelling."""
    out = df.copy()
    a = out["a"].astype(str).str.strip().to_numpy()
    b = out["b"].astype(str).str.strip().to_numpy()
    swap = a > b
    out["a"] = np.where(swap, b, a)
    out["b"] = np.where(swap, a, b)
    return out


def integer_levels(df: pd.DataFrame, col: str, path, allow_empty: bool) -> pd.Series:
    """Check that a column holds integers on its scale; name the first bad line."""
    lo, hi = SCALES[col]
    values = pd.to_numeric(df[col], errors="coerce")
    raw = df[col].astype(str).str.strip()
    empty = raw.eq("") | raw.str.lower().eq("nan")
    bad = (~empty & (values.isna() | (values % 1 != 0) | (values < lo) | (values > hi)))
    if not allow_empty:
        bad |= empty
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, col, f"an integer level from {lo} to {hi}"
                         + (" or an empty cell" if allow_empty else ""),
                         **place(df, row), got=raw.iloc[row])
    return values.where(~empty).astype("Int64")


def load_reference(path: str | Path, states: Iterable[str] | None = KNOWN_STATES) -> pd.DataFrame:
    """Read and check a reference timeline.

    Args:
        path: CSV with columns ``a,b,year,de_jure,de_facto,source,confidence,note``.
        states: Admissible state ids, or None to accept any.

    Returns:
        The table with canonical pairs (``a < b``), integer ``year``, nullable integer
        levels (empty ``de_facto`` = not coded) and float ``confidence``.

    Raises:
        InputError: naming the file, line and field of the first problem found.
    """
    df = read_csv(path, required=REFERENCE_COLUMNS, numeric=("year", "confidence"),
                  allow_empty=("de_facto", "note", "confidence"))
    lines = np.array(df.attrs.pop("lines", None) or (df.index.to_numpy() + 2))
    places = [{"line": int(x)} for x in lines]
    for col in ("a", "b"):
        ids = df[col].str.strip()
        if states is not None:
            unknown = ~ids.isin(set(states))
            if unknown.any():
                row = int(np.flatnonzero(unknown.to_numpy())[0])
                raise InputError(path, col, "a known state id (" + ", ".join(sorted(states)) + ")",
                                 line=int(lines[row]), got=ids.iloc[row])
    year = _pair_years(df, path, places)
    conf = df["confidence"].astype(float)
    bad = conf.notna() & ((conf < 0) | (conf > 1))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, "confidence", "a number from 0 to 1", line=int(lines[row]),
                         got=conf.iloc[row])
    out = df.copy()
    out["de_jure"] = integer_levels(df, "de_jure", path, allow_empty=False)
    out["de_facto"] = integer_levels(df, "de_facto", path, allow_empty=True)
    out["year"] = year.astype(int)
    out["confidence"] = conf
    out = canonical_pairs(out)
    _one_row_per_pair_year(out, path, places)
    return _with_lines(out.reset_index(drop=True), lines)


def _pair_years(df: pd.DataFrame, path, places: list[dict[str, int]]) -> pd.Series:
    """Two different states in each row and a whole year from -5000 to 5000; the years.
    ``places`` holds each row's place in its file (:func:`sim.files.place`)."""
    same = df["a"].astype(str).str.strip().eq(df["b"].astype(str).str.strip())
    if same.any():
        row = int(np.flatnonzero(same.to_numpy())[0])
        raise InputError(path, "b", "a state different from 'a'", **places[row],
                         got=df["b"].iloc[row])
    year = df["year"].astype(float)
    far = year.abs() > 5000
    if far.any():
        row = int(np.flatnonzero(far.to_numpy())[0])
        raise InputError(path, "year", "a year from -5000 to 5000", **places[row], got=year.iloc[row])
    if (year % 1 != 0).any():
        row = int(np.flatnonzero((year % 1 != 0).to_numpy())[0])
        raise InputError(path, "year", "a whole year", **places[row], got=year.iloc[row])
    return year


def _one_row_per_pair_year(out: pd.DataFrame, path, places: list[dict[str, int]]) -> None:
    """A second row for a pair and year (in either order) is refused, not silently kept."""
    dup = out.duplicated(["a", "b", "year"], keep="first")
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        first = out[(out.a == out.a.iloc[row]) & (out.b == out.b.iloc[row])
                    & (out.year == out.year.iloc[row])].index[0]
        raise InputError(path, "a,b,year",
                         f"one row per unordered pair and year (first given on {place_words(places[first])})",
                         **places[row],
                         got=f"{out.a.iloc[row]}-{out.b.iloc[row]} {out.year.iloc[row]}")


def _with_lines(df: pd.DataFrame, lines) -> pd.DataFrame:
    """The table with the physical line of each row (for :func:`sim.files.csv_line`)."""
    df.attrs["lines"] = LineNumbers(int(x) for x in lines)
    return df



def load_reference_levels(path: str | Path) -> pd.DataFrame:
    """A reference timeline: one row per pair-year with de jure and de facto levels.

    Files in the project's documented format (with sources) go through
    :func:`load_reference`; other CSV or Parquet tables need only the
    columns a, b, year, de_jure, de_facto.
    """
    from sim.reading import read_bytes
    from sim.run.tables import read_table

    path = Path(path)
    read_bytes(path, kind="csv", what="a reference timeline")  # a regular file within the limit
    # any other table is checked as strictly: the same reader as every CSV (ragged rows,
    # encoding, an empty file), whole years, levels on their scales, one row a pair-year
    df = read_table(path, required=LEVEL_COLUMNS, numeric=("year",), allow_empty=("de_jure", "de_facto"))
    if path.suffix != ".parquet" and set(REFERENCE_COLUMNS) <= set(df.columns):
        # the project's documented format (with sources): checked in full
        return reference_levels(load_reference(path, states=None), path)
    places = [place(df, row) for row in range(len(df))]
    out = df[list(LEVEL_COLUMNS)].copy()
    out["year"] = _pair_years(df, path, places).astype(int)
    for col in SCALES:
        out[col] = integer_levels(df, col, path, allow_empty=True)
    out = canonical_pairs(out)
    _one_row_per_pair_year(out, path, places)
    return reference_levels(out, path)


def check_reference_states(reference: pd.DataFrame, path: Any, run_states: set[str], whose: str,
                           declared: set[str] = frozenset(), declared_how: str = "") -> None:
    """Refuse a reference with a state id that is neither the run's nor declared.

    Rows of an id the run does not hold can never be scored: left out without a word,
    the rest were scored as if whole (``ALLYA`` for ``ALLY_A`` cut a third of a reference),
    so a typo or another case's reference passed for a valid comparison.

    Args:
        reference: The reference rows (columns ``a`` and ``b``; line numbers in ``attrs``
            when read from CSV, see :func:`sim.files.csv_line`).
        path: The reference file, for the message.
        run_states: The state ids the run or scenario holds.
        whose: What holds them, for the message ("the simulated run").
        declared: Ids the user declared as known though the run does not hold them
            (their rows are left out knowingly by the caller).
        declared_how: How such ids are declared, for the message (empty: none can be).

    Raises:
        InputError: Naming the file, the first offending row's line and column, the
            unknown ids (a few) and how many rows hold them.
    """
    from sim.files import csv_line
    known = set(run_states) | set(declared)
    unknown = sorted((set(reference["a"]) | set(reference["b"])) - known)
    if not unknown:
        return
    stray = ~(reference["a"].isin(known) & reference["b"].isin(known))
    row = int(np.flatnonzero(stray.to_numpy())[0])
    col = "a" if reference["a"].iloc[row] not in known else "b"
    shown = ", ".join(unknown[:5]) + (", ..." if len(unknown) > 5 else "")
    rows = int(stray.sum())
    line = csv_line(reference, row) if reference.attrs.get("lines") else None
    either = f" or {declared_how}" if declared_how else ""
    neg = "neither" if declared_how else "not"
    raise InputError(path, col, f"state ids of {whose} (" + ", ".join(sorted(run_states)) + f"){either}; "
                     f"{len(unknown)} id{'s are' if len(unknown) > 1 else ' is'} {neg}, in "
                     f"{rows} row{'s' if rows > 1 else ''}", line=line, got=shown)


def reference_levels(ref: pd.DataFrame, source: Any) -> pd.DataFrame:
    """The level columns of a reference table, canonical pairs, rows with no level dropped."""
    missing = [c for c in LEVEL_COLUMNS if c not in ref.columns]
    if missing:
        raise InputError(source, missing[0], "a reference timeline with columns "
                         + ", ".join(LEVEL_COLUMNS))
    ref = canonical_pairs(ref[list(LEVEL_COLUMNS)])
    keep = ref[["de_jure", "de_facto"]].notna().any(axis=1).to_numpy()
    lines = ref.attrs.get("lines")
    out = ref[keep].reset_index(drop=True)
    # the kept rows' own lines, so that a later error names the row it means
    if lines and len(lines) == len(keep):
        _with_lines(out, (x for x, k in zip(lines, keep) if k))
    else:
        out.attrs.pop("lines", None)
    return out


def load_bloc_reference(path: str | Path) -> pd.DataFrame:
    """Read a bloc reference; one row per state, bloc and year, ``member`` 0 or 1."""
    from sim.run.tables import read_table

    # a fractional year was truncated to the year before without a word: read_table refuses it
    df = read_table(path, required=BLOC_REFERENCE_COLUMNS, numeric=("year", "member"))
    bad = ~df["member"].isin([0, 1])
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise InputError(path, "member", "0 or 1", **place(df, row), got=f"{df['member'].iloc[row]:g}")
    dup = df.duplicated(["state", "bloc", "year"])
    if dup.any():
        row = int(np.argmax(dup.to_numpy()))
        raise InputError(path, "state", "one row per state, bloc and year (this one repeats)",
                         **place(df, row), got=f"{df['state'].iloc[row]} {df['bloc'].iloc[row]} "
                                           f"{int(df['year'].iloc[row])}")
    out = df[list(BLOC_REFERENCE_COLUMNS)].copy()
    out["year"] = out["year"].astype(int)
    out["member"] = out["member"].astype(int)
    return out

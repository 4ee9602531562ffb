"""The tables of a run folder, as CSV or Parquet: written and read in one place.

``alliance-sim run --format`` writes a run's tables (dyads, states, events, structure) as
CSV (the default), as Parquet, or both. Parquet keeps the column types, so pandas, R's
``arrow`` and DuckDB read years and levels as integers and shares as floats without
parsing text; a Parquet run folder also holds ``summary.parquet``, the run's scalar
outcomes in one row (:attr:`sim.run.simulate.RunResult.summary`). Every reader of a run
folder (``validate``, ``explain``) goes through :func:`run_table` or :func:`read_run_file`,
which take whichever format the folder holds, Parquet first (a CSV beside it must hold the
same table), and check a Parquet table as :func:`sim.files.read_csv` checks a CSV: required
columns present, numeric columns numbers and finite.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.files import PARQUET_ROWS, csv_line, place, read_csv

#: Table formats of a run folder, as ``--format`` names them.
FORMATS = ("csv", "parquet")
#: Decimals of floats in CSV tables (Parquet keeps the full double).
FLOAT_FORMAT = "%.6f"


def write_table(df: pd.DataFrame, folder: Path, stem: str, formats: Iterable[str]) -> list[str]:
    """Write ``df`` as ``stem.csv`` and/or ``stem.parquet`` in ``folder``; return the file names."""
    names = []
    for fmt in formats:
        path = Path(folder) / f"{stem}.{fmt}"
        if fmt == "csv":
            df.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
        elif fmt == "parquet":
            df.to_parquet(path, index=False, engine="pyarrow")
        else:
            raise ValueError(f"unknown table format {fmt!r}")
        names.append(path.name)
    return names


def table_path(run_dir: str | Path, stem: str) -> Path | None:
    """The run folder's ``stem`` table: the Parquet file if there is one, else the CSV, else None."""
    for fmt in ("parquet", "csv"):
        path = Path(run_dir) / f"{stem}.{fmt}"
        if path.is_file():
            return path
    return None


def read_table(path: str | Path, *, required: Iterable[str] = (), numeric: Iterable[str] = (),
               allow_empty: Iterable[str] = ()) -> pd.DataFrame:
    """Read a run table from CSV or Parquet (by its suffix) and check its columns.

    Args:
        required: Columns that must exist (and, unless in ``allow_empty``, have no gaps).
        numeric: Columns whose present values must be finite numbers; a numeric ``year``
            must hold whole years (the readers turn it into integers, which would drop a
            fraction without a word).
        allow_empty: Columns where a missing value is allowed.
    """
    path = Path(path)
    if path.suffix.lower() != ".parquet":
        df = read_csv(path, required=required, numeric=numeric, allow_empty=allow_empty)
    else:
        df = _read_parquet(path, required, numeric, allow_empty)
    if "year" in numeric and "year" in df.columns:
        year = df["year"].to_numpy(dtype=float, na_value=np.nan)
        fraction = year % 1 != 0
        if fraction.any():
            row = int(np.argmax(fraction))
            raise InputError(path, "year", "a whole year", **place(df, row), got=f"{year[row]:g}")
    return df


def _read_parquet(path: Path, required: Iterable[str], numeric: Iterable[str],
                  allow_empty: Iterable[str]) -> pd.DataFrame:
    """A Parquet run table, checked as :func:`sim.files.read_csv` checks a CSV one."""
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        _no_bytes_columns(path, schema)
        df = pd.read_parquet(path, engine="pyarrow")
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise InputError(path, None, f"a Parquet table ({str(exc).splitlines()[0]})") from None
    df.attrs[PARQUET_ROWS] = True  # an error names a row, not a line (see sim.files.place)
    allow = set(allow_empty)
    for col in required:
        if col not in df.columns:
            raise InputError(path, col, "this column (the table does not have it)")
        if col not in allow and df[col].isna().any():
            raise InputError(path, col, "a value in every row (this one has a gap)", **place(df, int(df[col].isna().argmax())))
    for col in numeric:
        if col not in df.columns:
            continue
        if not (pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])):
            raise InputError(path, col, "a numeric column", got=str(df[col].dtype))
        values = df[col].to_numpy(dtype=float, na_value=np.nan)
        bad = np.isinf(values) | (np.isnan(values) & (col not in allow))
        if bad.any():
            raise InputError(path, col, "finite numbers", **place(df, int(np.argmax(bad))), got=f"{values[bad][0]}")
    return df


def _no_bytes_columns(path: Path, schema) -> None:
    """Refuse a column stored as bytes (Parquet ``binary``) where a table holds text.

    A run writes its text columns (state ids, classes, blocs, names) as Parquet strings,
    which are UTF-8 by definition. A table written by other tools with those columns as
    bytes read back as Python ``bytes``, and the readers, which compare and join them as
    text, failed with a traceback (``explain`` on such a dyads table: 'bytes' object has no
    attribute 'casefold'). Decoding is not done: nothing in a bytes column says which
    encoding it is in, and a guess could turn ids into other ids without a word. No run
    table has a column of bytes, so any such column is refused, by name.
    """
    import pyarrow as pa

    for field in schema:
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind) \
                or (hasattr(pa.types, "is_binary_view") and pa.types.is_binary_view(kind)):
            raise InputError(path, field.name, "text (a Parquet string column, UTF-8; write it from text, not "
                             "bytes, e.g. pyarrow's pa.string() or a pandas column of str)", got=f"type {field.type}")


def read_run_file(path: str | Path, **checks) -> pd.DataFrame:
    """A run table read by :func:`read_table`; a Parquet table with a CSV of the same name
    beside it (``run --format both``) must hold the same table.

    Parquet is read (typed, full precision), but an edited CSV or another run's Parquet
    beside the CSVs was read without a word, the CSV's change ignored or another scenario
    explained. Both are compared (:func:`check_twins`), and stderr says which was read.
    """
    path = Path(path)
    df = read_table(path, **checks)
    twin = path.with_suffix(".csv")
    if path.suffix.lower() == ".parquet" and twin.is_file():
        check_twins(df, path, read_table(twin, **checks), twin)
        print(f"alliance-sim: note: read {path} ({twin.name} beside it holds the same table)", file=sys.stderr)
    return df


def check_twins(parquet: pd.DataFrame, parquet_path: Path, text: pd.DataFrame, csv_path: Path) -> None:
    """Refuse a CSV table that is not the Parquet table beside it (rows, columns, values).

    Values are compared cell by cell: numbers within the CSV's six decimals
    (:data:`FLOAT_FORMAT`), anything else as the text the CSV holds (a gap as an empty cell).

    Raises:
        InputError: naming both files, and the column and the CSV line of the first
            difference.
    """
    both = f"the table in {parquet_path.name} beside it (a run folder holding both formats is read " \
           "from Parquet, and the two must agree; remove the one that is not the run's)"
    if len(text) != len(parquet):
        raise InputError(csv_path, None, f"{both}: as many rows", got=f"{len(text)} rows against {len(parquet)}")
    if list(text.columns) != list(parquet.columns):
        cols = set(text.columns) ^ set(parquet.columns)
        col = sorted(cols)[0] if cols else next(a for a, b in zip(text.columns, parquet.columns) if a != b)
        raise InputError(csv_path, col, f"{both}: the same columns in the same order", line=1)
    for col in parquet.columns:
        p = parquet[col]
        if pd.api.types.is_numeric_dtype(p) and not pd.api.types.is_bool_dtype(p):
            pv = p.to_numpy(dtype=float, na_value=np.nan)
            tv = pd.to_numeric(text[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            same = np.isclose(pv, tv, rtol=1e-9, atol=1e-6, equal_nan=True)
        else:
            pv = p.astype(object).where(p.notna(), "").astype(str).to_numpy()
            tv = text[col].astype(object).where(text[col].notna(), "").astype(str).to_numpy()
            same = pv == tv
        if not same.all():
            row = int(np.argmin(same))
            raise InputError(csv_path, col, f"{both}: the same values (its row {row + 1} holds "
                             f"{_cell(p.iloc[row])} there)", line=csv_line(text, row), got=_cell(text[col].iloc[row]))


def _cell(value) -> str:
    """A table cell as a message shows it: a number without trailing zeros, a gap as empty."""
    if isinstance(value, (float, np.floating)):
        return "" if np.isnan(value) else f"{float(value):g}"
    return "" if value is None or value is pd.NA else str(value)


def run_table(run_dir: str | Path, stem: str, **checks) -> pd.DataFrame | None:
    """The run folder's ``stem`` table (Parquet first, checked against a CSV beside it, else
    CSV), checked; None if it has neither."""
    path = table_path(run_dir, stem)
    return None if path is None else read_run_file(path, **checks)


def check_one_row_per_pair_year(df: pd.DataFrame, path: str | Path) -> None:
    """Refuse a dyad table with two rows for one pair and year (either order of a and b), or
    with a state paired with itself.

    A run writes each pair once a year; a second row (a table edited or concatenated by
    hand) was silently dropped by the readers, which kept whichever came first. Runs of an
    ensemble (a ``run`` or ``seed`` column) are told apart.
    """
    a, b = df["a"].astype(str).to_numpy(), df["b"].astype(str).to_numpy()
    self_pair = a == b  # a run has no state paired with itself; such a row was scored as a pair
    if self_pair.any():
        row = int(np.argmax(self_pair))
        raise InputError(path, "a,b", "two different states in a row (a run writes pairs of two states)",
                         **place(df, row), got=f"{a[row]} {b[row]}")
    key = pd.DataFrame({"lo": np.where(a <= b, a, b), "hi": np.where(a <= b, b, a), "year": df["year"].to_numpy()})
    for col in ("run", "seed"):
        if col in df.columns:
            key[col] = df[col].to_numpy()
    dup = key.duplicated().to_numpy()
    if dup.any():
        row = int(np.argmax(dup))
        year = float(df["year"].iloc[row])
        raise InputError(path, "a,b,year", "one row per pair and year (a run writes each pair once a year)",
                         **place(df, row), got=f"{a[row]} {b[row]} {year:g}, a second time")

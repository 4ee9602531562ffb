"""Reading user CSV tables with errors that name the file, the line and the column."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Iterable

import pandas as pd

from sim.errors import InputError


def read_rows(path: Path, required: Iterable[str] = ()) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file (bounded, UTF-8); ragged rows name their line."""
    from sim.reading import read_text

    text = read_text(path, kind="csv", what="a CSV table")
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip() and header is not None):
                continue
            if header is None:
                header = [c.strip() for c in row]
                dup = next((c for i, c in enumerate(header) if c in header[:i]), None)
                if dup is not None:
                    raise InputError(path, dup, "each column name once in the header", line=reader.line_num)
                _require(path, header, required)
                continue
            if len(row) != len(header):
                raise InputError(path, None, f"{len(header)} cells in each row, like the header; this row has "
                                 f"{len(row)}", line=reader.line_num)
            rows.append(row)
    except csv.Error as exc:
        raise InputError(path, None, f"a well-formed CSV table ({exc})", line=reader.line_num) from None
    if header is None:
        raise InputError(path, None, "a CSV with a header row (the file is empty)")
    return header, rows


def _require(path: Path, header: list[str], required: Iterable[str]) -> None:
    required = list(required)
    missing = [c for c in required if c not in header]
    if missing:
        # Never echo the header: the file may be something private named by mistake.
        raise InputError(path, missing[0], f"a CSV table with the columns {', '.join(required)} "
                         f"(no column named '{missing[0]}')", line=1)


def read_csv(path: str | Path, *, required: Iterable[str] = (), numeric: Iterable[str] = (),
             allow_empty: Iterable[str] = ()) -> pd.DataFrame:
    """Read a CSV and check its columns and cells.

    Args:
        path: The file.
        required: Columns that must exist.
        numeric: Columns whose present cells must be finite numbers.
        allow_empty: Numeric columns where an empty cell is allowed (a data gap).

    Returns:
        The table; line numbers of rows are ``index + 2`` (header is line 1).
    """
    path = Path(path)
    header, rows = read_rows(path, required)
    df = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header, dtype=str)
    allow = set(allow_empty)
    for col in required:
        if col in allow:
            continue
        empty = df[col].str.strip() == ""
        if empty.any():
            row = int(empty.idxmax())
            raise InputError(path, col, "a value (the cell is empty)", line=row + 2)
    out = df.copy()
    for col in numeric:
        if col not in df.columns:
            continue
        values = []
        for row, cell in enumerate(df[col]):
            cell = cell.strip()
            if cell == "":
                if col not in allow:
                    raise InputError(path, col, "a number (the cell is empty)", line=row + 2)
                values.append(math.nan)
                continue
            try:
                v = float(cell)
            except ValueError:
                raise InputError(path, col, "a number", line=row + 2, got=cell) from None
            if not math.isfinite(v):
                raise InputError(path, col, "a finite number", line=row + 2, got=cell)
            values.append(v)
        out[col] = values
    return out

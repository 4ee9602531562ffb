"""Reading user CSV tables with errors that name the file, the line and the column."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable

import pandas as pd

from sim.errors import InputError


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
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise InputError(path, None, "an existing CSV file") from None
    except pd.errors.EmptyDataError:
        raise InputError(path, None, "a CSV with a header row (the file is empty)") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(path, None, f"a well-formed CSV ({str(exc).splitlines()[0]})") from None
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(path, missing[0], f"a column named '{missing[0]}' (columns: {', '.join(df.columns)})",
                         line=1)
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

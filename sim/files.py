"""The project's files: reading what users write, writing what the project outputs.

Reading: CSV tables and YAML files with errors that name the file, the line and the
column or field (:func:`read_csv`, :func:`line_map`, :func:`nearest_line`), shared by
scenarios, sweep and fit files, landscape files and the calibration.

Writing: every output (run, validation, fit, landscape and calibration folders, sweep
parts and manifests, sensitivity tables) is written somewhere temporary and renamed into
place (:func:`atomic_folder`, :func:`atomic_file`), so an interrupted command never
leaves a half-written result that looks whole; manifests record :func:`versions`. JSON
is written by :func:`json_text`, which writes an undefined number as ``null``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import stat
import platform
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pandas as pd
import yaml

from sim.errors import InputError


def read_rows(path: Path, required: Iterable[str] = (), *,
              lines: list[int] | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file (bounded, UTF-8); ragged rows name their line.

    When ``lines`` is given, the physical line on which each returned row starts is
    appended to it (a quoted cell may hold line breaks, so rows and lines can differ).
    """
    from sim.reading import read_text

    text = read_text(path, kind="csv", what="a CSV table")
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    end = 0  # physical line on which the previous record ended
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
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
                                 f"{len(row)}", line=start)
            rows.append(row)
            if lines is not None:
                lines.append(start)
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
        The table; the physical line of row ``k`` is :func:`csv_line` ``(table, k)``.
    """
    path = Path(path)
    lines: list[int] = []
    header, rows = read_rows(path, required, lines=lines)
    df = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header, dtype=str)
    allow = set(allow_empty)
    for col in required:
        if col in allow:
            continue
        empty = df[col].str.strip() == ""
        if empty.any():
            row = int(empty.idxmax())
            raise InputError(path, col, "a value (the cell is empty)", line=lines[row])
    out = df.copy()
    for col in numeric:
        if col not in df.columns:
            continue
        values = []
        for row, cell in enumerate(df[col].tolist()):  # plain strings: 20x faster than the Series
            cell = cell.strip()
            if cell == "":
                if col not in allow:
                    raise InputError(path, col, "a number (the cell is empty)", line=lines[row])
                values.append(math.nan)
                continue
            try:
                v = float(cell)
            except ValueError:
                raise InputError(path, col, "a number", line=lines[row], got=cell) from None
            if not math.isfinite(v):
                raise InputError(path, col, "a finite number", line=lines[row], got=cell)
            values.append(v)
        out[col] = values
    out.attrs["lines"] = LineNumbers(lines)
    return out


class LineNumbers(tuple):
    """Rows' physical lines, kept in a table's ``attrs``. pandas deep-copies ``attrs`` into
    every table derived from it; being immutable, these are shared instead of copied
    number by number (which cost more than reading the scenario's tables)."""

    def __deepcopy__(self, memo):
        return self


def csv_line(df: pd.DataFrame, row: int) -> int:
    """The physical line (1-based) on which row ``row`` of a table from :func:`read_csv` starts."""
    lines = df.attrs.get("lines")
    return lines[row] if lines and 0 <= row < len(lines) else row + 2


#: ``attrs`` key marking a table read from Parquet, whose rows are not lines of text.
PARQUET_ROWS = "parquet_rows"


def place(df: pd.DataFrame, row: int) -> dict[str, int]:
    """Where row ``row`` (0-based) of a table is, as :class:`InputError`'s keyword: the CSV
    line it starts on, or for a table read from Parquet (which has no lines) its 1-based row.

    Readers that take either format name the place with this, so that one check says
    ``dyads.csv:7`` or ``dyads.parquet, row 6`` for the same bad value."""
    if df.attrs.get(PARQUET_ROWS):
        return {"row": row + 1}
    return {"line": csv_line(df, row)}


def place_words(where: dict[str, int]) -> str:
    """A :func:`place` in words, for a message that cites a second place ("line 3", "row 2")."""
    return " ".join(f"{k} {v}" for k, v in where.items())


# ---------------------------------------------------------------------------------------
# YAML with line numbers
# ---------------------------------------------------------------------------------------


def line_map(source: str | yaml.Node | None) -> dict[tuple, int]:
    """Map every key path in a YAML document (text or composed node) to its 1-based line.

    A mapping key's path maps to the key's line; a list item's path to the item's first
    line; ``()`` to the document's first line. Text that is not valid YAML (or breaks the
    reading limits of :mod:`sim.reading`) maps nothing. An alias is walked once, never
    expanded, so a small file of nested aliases cannot make the map explode.
    """
    from sim.reading import YamlProblem, compose_yaml

    lines: dict[tuple, int] = {}
    root = source
    if isinstance(source, str):
        try:
            root = compose_yaml(source)
        except (yaml.YAMLError, YamlProblem, RecursionError):
            return lines
    seen: set[int] = set()

    def walk(node: yaml.Node, path: tuple) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if not isinstance(k, yaml.ScalarNode):
                    continue
                walk(v, path + (k.value,))
                lines[path + (k.value,)] = k.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, path + (i,))

    if root is not None:
        walk(root, ())
    return lines


def nearest_line(lines: dict[tuple, int], loc: Iterable) -> int | None:
    """The line of ``loc`` or, for a key the file does not have, of its nearest parent."""
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def yaml_line(text: str, loc: Iterable) -> int | None:
    """1-based line of a location in a YAML text (its nearest parent's if it is absent)."""
    return nearest_line(line_map(text), loc)


# ---------------------------------------------------------------------------------------
# Writing outputs atomically
# ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_folder(out_dir: str | Path, *, replace: bool = True) -> Iterator[Path]:
    """Write a folder's files into a temporary sibling, then publish them by rename.

    Args:
        out_dir: The folder to produce.
        replace: True: ``out_dir`` becomes exactly the new folder (an existing one is
            swapped out and removed). False: the new files are moved into ``out_dir``
            one rename each, leaving its other files (a shared folder such as
            ``seeds/calibrated``).

    Yields:
        The temporary folder to write into. If the body raises, it is removed and
        ``out_dir`` is left as it was.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # The process id in the name lets a later run tell a leftover of a killed process
    # (sim.run.outdir.remove_stale_temporaries) from a folder still being written.
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp{os.getpid()}-", dir=out_dir.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp's folder is private (0700); a run folder is not
        yield tmp
        if not out_dir.exists():
            os.replace(tmp, out_dir)
        elif replace:
            old = out_dir.with_name(f"{tmp.name}previous")
            os.replace(out_dir, old)
            os.replace(tmp, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            for f in sorted(tmp.iterdir()):  # all checked before the first is moved
                check_replaceable(out_dir / f.name)
            for f in sorted(tmp.iterdir()):
                os.replace(f, out_dir / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _umask() -> int:
    """The process's file-creation mask (reading it means setting it; set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_replaceable(path: str | Path, field: str | None = None) -> None:
    """Refuse to rename a new file over anything but a regular file: the rename would put a
    plain file in place of a device (``schema --out /dev/null`` replaced the machine's
    /dev/null), a FIFO, a folder or a symbolic link (the link, not its target). ``field``
    names the option that chose the path, if one did."""
    if os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode):
        raise InputError(path, field, "a regular file to write or replace (this is a device, FIFO, "
                         "socket, folder or symbolic link)")


def atomic_file(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Write one file through ``write(temporary path)`` and rename it into place.

    The temporary file is ``.<name>.tmp`` beside ``path``: a sweep resumed after a kill
    removes such leftovers.
    """
    path = Path(path)
    check_replaceable(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


#: Packages whose versions a manifest records (those not installed are left out).
RECORDED_PACKAGES = ("alliance-sim", "mesa", "numpy", "scipy", "pandas", "pydantic", "matplotlib",
                     "pyarrow", "SALib", "dask", "distributed")


def versions() -> dict[str, str]:
    """Python's and the recorded packages' versions, for the manifest of an output."""
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in RECORDED_PACKAGES:
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out


def json_ready(value: Any) -> Any:
    """``value`` with every non-finite number replaced by ``None`` and NumPy scalars made
    Python's own.

    Python's ``json`` writes NaN and infinity as bare ``NaN``/``Infinity``, which strict
    JSON readers refuse; a score that is undefined (a kappa over a pair that never varies)
    must be written as ``null`` instead. Containers are copied, tuples become lists.
    """
    import numpy as np

    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, np.ndarray):
        return [json_ready(v) for v in value.tolist()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def json_text(value: Any, *, default: Callable[[Any], Any] | None = None, **kwargs: Any) -> str:
    """``value`` as strict JSON: undefined numbers as ``null`` (see :func:`json_ready`).

    Written with ``allow_nan=False``, so that a NaN that slips past (from ``default``)
    fails here rather than producing a file strict readers refuse.

    Args:
        default: As for :func:`json.dumps`: turns what JSON cannot hold into what it can;
            its result is made ready the same way.
        kwargs: Passed to :func:`json.dumps` (``indent``, ``sort_keys``).
    """
    import json

    hook = None if default is None else (lambda v: json_ready(default(v)))
    return json.dumps(json_ready(value), default=hook, allow_nan=False, **kwargs)

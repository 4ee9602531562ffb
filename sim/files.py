"""The project's files: reading what users write, writing what the project outputs.

Reading: CSV tables and YAML files with errors that name the file, the line and the
column or field (:func:`read_csv`, :func:`line_map`, :func:`nearest_line`), shared by
scenarios, sweep and fit files, landscape files and the calibration.

Writing: every output (run, validation, fit, landscape and calibration folders, sweep
parts and manifests, sensitivity tables) is written somewhere temporary and renamed into
place (:func:`atomic_folder`, :func:`atomic_file`), so an interrupted command never
leaves a half-written result that looks whole; manifests record :func:`versions`.
"""

from __future__ import annotations

import contextlib
import math
import os
import platform
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd
import yaml

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


# ---------------------------------------------------------------------------------------
# YAML with line numbers
# ---------------------------------------------------------------------------------------


def line_map(source: str | yaml.Node | None) -> dict[tuple, int]:
    """Map every key path in a YAML document (text or composed node) to its 1-based line.

    A mapping key's path maps to the key's line; a list item's path to the item's first
    line; ``()`` to the document's first line. Text that is not valid YAML maps nothing.
    """
    lines: dict[tuple, int] = {}
    root = source
    if isinstance(source, str):
        try:
            root = yaml.compose(source, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            return lines

    def walk(node: yaml.Node, path: tuple) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
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
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        yield tmp
        if not out_dir.exists():
            os.replace(tmp, out_dir)
        elif replace:
            old = out_dir.with_name(f"{tmp.name}.old")
            os.replace(out_dir, old)
            os.replace(tmp, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            for f in sorted(tmp.iterdir()):
                os.replace(f, out_dir / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def atomic_file(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Write one file through ``write(temporary path)`` and rename it into place.

    The temporary file is ``.<name>.tmp`` beside ``path``: a sweep resumed after a kill
    removes such leftovers.
    """
    path = Path(path)
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

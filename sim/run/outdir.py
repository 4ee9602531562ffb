"""Where a run folder may be written: never over what the program did not write.

``alliance-sim run --out DIR`` replaces DIR at the end of a run. That is safe only when
DIR is new, empty, or an earlier run folder; anything else would delete a user's files.
:func:`check_out_dir` decides before any work is done and refuses with exit status 2:

- a new or empty folder, or an earlier run folder, is accepted;
- an earlier run folder is recognised by a ``manifest.json`` written by a run *and* by
  holding nothing but run files (a manifest alone is no licence to delete);
- any other non-empty folder is refused unless ``--overwrite`` is given;
- an existing file, a path under a file, the working folder, the scenario's own folder or
  a folder that holds either, and a place that cannot be written are always refused.

Temporary folders are named ``.NAME.tmpPID-XXXXXXXX``; :func:`remove_stale_temporaries`
deletes those of processes that no longer exist (a run killed by SIGKILL cannot clean up).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from sim.errors import InputError

#: Files a run writes into its folder (see :func:`sim.run.simulate.write_run`).
RUN_FILES = frozenset({f"{stem}.{fmt}" for stem in ("dyads", "states", "events", "structure")
                       for fmt in ("csv", "parquet")} | {"summary.parquet", "manifest.json", "report.md"})
#: The figures a run draws: {figure: file name} (see :mod:`sim.plots.run`).
RUN_FIGURES = {"heatmap": "alignment_heatmap.png", "network": "network_snapshots.png", "levels": "pair_levels.png"}
#: Keys every run manifest holds.
MANIFEST_KEYS = frozenset({"scenario_name", "seed", "content_hash", "states", "years"})
HOW = "choose a new or empty folder with --out, or pass --overwrite to replace it"
_TEMP = re.compile(r"^\..+\.tmp(\d+)-[A-Za-z0-9_]{8}$")


#: Files ``alliance-sim validate --out`` writes (the README's main job puts them in the
#: run folder's ``validation/``), so that a validated run folder is still a run folder.
VALIDATION_FILES = frozenset({"scores.csv", "change_points.csv", "series.csv", "report.md",
                              "membership.csv", "membership_events.csv", "patterns.csv"})


def is_run_file(name: str) -> bool:
    return name in RUN_FILES or (name.endswith(".png") and "/" not in name)


def _is_validation_folder(path: str) -> bool:
    try:
        return all(e.is_file(follow_symlinks=False) and (e.name in VALIDATION_FILES or e.name.endswith(".png"))
                   for e in os.scandir(path))
    except OSError:
        return False


def _is_run_entry(entry: os.DirEntry) -> bool:
    """An entry a run folder may hold: a run file, or a folder of validation reports."""
    return ((entry.is_file(follow_symlinks=False) and is_run_file(entry.name))
            or (entry.is_dir(follow_symlinks=False) and _is_validation_folder(entry.path)))


def is_run_folder(path: Path) -> bool:
    """True for a folder written by ``alliance-sim run``: a run manifest and only run files
    (and, at most, the validation reports written into it)."""
    try:
        entries = list(os.scandir(path))
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or not MANIFEST_KEYS <= manifest.keys():
        return False
    return all(_is_run_entry(e) for e in entries)


def _others(folder: Path, shown: int = 3) -> str:
    """The entries of ``folder`` that no run writes, a few by name: what ``--overwrite`` would
    delete, so the user can see it before choosing."""
    names = sorted(e.name + ("/" if e.is_dir(follow_symlinks=False) else "") for e in os.scandir(folder)
                   if not _is_run_entry(e))
    if not names:  # only run files, but no run manifest: the folder was not written by a run
        return "no manifest.json of a run"
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _contains(folder: Path, path: Path) -> bool:
    return path == folder or folder in path.parents


def check_out_dir(out: str | Path, *, keep: list[Path] = (), overwrite: bool = False) -> Path:
    """Refuse an ``--out`` that would destroy or cannot hold a run folder; return it.

    Args:
        out: The folder the user asked for.
        keep: Paths that must survive (the scenario's files, ``Scenario.input_files``): a
            folder holding one is refused, even with ``overwrite``.
        overwrite: Replace a non-empty folder that is not a run folder.
    """
    given = str(out)
    out = Path(out)
    full = Path(os.path.abspath(out))
    _check_folder_path(given, out, full)
    real = Path(os.path.realpath(full))
    for k in keep:
        k = Path(os.path.realpath(k))
        if _contains(real, k):
            raise InputError(given, "--out", f"a folder that does not hold the input {k.name}; choose another --out")
    if full.is_dir() and any(os.scandir(full)) and not is_run_folder(full) and not overwrite:
        raise InputError(given, "--out", "a new or empty folder, or an earlier run folder (only run files and "
                         f"its manifest.json); it holds other files ({_others(full)}): " + HOW)
    _check_writable(given, full)
    return out


def _check_folder_path(given: str, out: Path, full: Path, option: str = "--out") -> None:
    """Refuse the working folder (or one holding it), a symbolic link, an existing file and a
    path under a file."""
    if out.name in ("", ".", "..") or _contains(full, Path.cwd().resolve()) or _contains(full, Path.cwd()):
        raise InputError(given, option, "a folder that does not hold the working folder (not even with "
                         f"--overwrite); choose another folder with {option}")
    if full.is_symlink():  # the folder is replaced whole: the link, not its target, would be
        target = os.readlink(full)
        raise InputError(given, option, f"a folder, not a symbolic link (to {target}"
                         + (", which does not exist" if not full.exists() else "")
                         + "); give the folder itself")
    _check_not_a_file(given, full, option)


def _check_not_a_file(given: str, full: Path, option: str) -> None:
    for p in [full, *full.parents]:
        if p.exists() and not p.is_dir():
            what = "an existing file" if p == full else f"'{p.name}' is a file"
            raise InputError(given, option, f"a folder path ({what}); choose another {option}")


def _check_writable(given: str, full: Path, option: str = "--out") -> None:
    """Refuse a place where no folder can be made (a read-only or pseudo file system)."""
    existing = next(p for p in full.parents if p.is_dir())  # where atomic_folder makes its temporary folder
    try:
        probe = tempfile.mkdtemp(prefix=".probe.", dir=existing)
        os.rmdir(probe)
    except OSError as exc:
        raise InputError(given, option, f"a place where a folder can be written ({exc.strerror or exc}); "
                         f"choose another {option}") from None


def check_folder_place(out: str | Path, option: str = "--out") -> Path:
    """Refuse a folder that files are added to (``calibrate --out``, ``--report``) when it is
    a file, lies under a file, or cannot be written: before the work, not as a traceback
    after it."""
    if not str(out).strip():  # an unset shell variable: Path("") is the working folder
        raise InputError(None, option, "a folder path, got an empty one")
    full = Path(os.path.abspath(out))
    _check_not_a_file(str(out), full, option)
    _check_writable(str(out), full, option)
    return Path(out)


def check_output_folder(out: str | Path, *, own, what: str, option: str = "--out") -> Path:
    """Refuse an ``--out`` of a command that writes a few named files (validate, landscape).

    Such a command writes its files into the folder (or replaces it), so the folder must
    be new, empty, or hold nothing but files of an earlier output of the same command:
    anything else (a run folder, a user's files) would be overwritten or deleted.

    Args:
        out: The folder the user asked for.
        own: ``own(name)`` is True for the name of a file the command writes.
        what: The command's output in words, for the message (``"validation report"``).
        option: The option that named the folder.
    """
    given = str(out)
    out = Path(out)
    full = Path(os.path.abspath(out))
    how = f"choose a new or empty folder with {option}"
    _check_folder_path(given, out, full, option)
    if full.is_dir():
        others = sorted(e.name for e in os.scandir(full)
                        if not (e.is_file(follow_symlinks=False) and own(e.name)))
        if others:
            raise InputError(given, option, f"a new or empty folder, or an earlier {what} folder; it holds "
                             f"other files, which would be overwritten or lost ({', '.join(others[:3])}"
                             + (", ..." if len(others) > 3 else "") + "): " + how)
    _check_writable(given, full, option)
    return out


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(parent: Path) -> list[str]:
    """Delete temporary run folders in ``parent`` left by processes that are gone."""
    removed = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for e in entries:
        m = _TEMP.match(e.name)
        if not m or not e.is_dir(follow_symlinks=False) or pid_alive(int(m.group(1))):
            continue
        try:
            if all(x.is_file(follow_symlinks=False) and is_run_file(x.name) for x in os.scandir(e.path)):
                shutil.rmtree(e.path)
                removed.append(e.name)
        except OSError:
            pass
    return removed

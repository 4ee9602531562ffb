"""Which kind of scenario a YAML file is: an agent scenario or a landscape file.

Every command that takes a scenario, and the browser page's picker, asks this first; it
reads the file's top level only, so it imports neither the scenario schema nor the
landscape format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.errors import InputError


def scenario_kind(path: str | Path) -> str | None:
    """Which format a YAML scenario file is in: ``"landscape"``, ``"agent"`` or None.

    The one check every command and the browser page use. A landscape file says
    ``mechanism: landscape`` (or a mechanism mapping whose ``kind`` is landscape); any
    other mapping is an agent scenario. A file that does not read as a YAML mapping is
    None: the page leaves it out, and ``run`` lets the scenario loader explain the problem.
    """
    read = read_scenario_file(path)
    return None if read is None else kind_of(read[0])


def read_scenario_file(path: str | Path) -> tuple[Any, str] | None:
    """The file's data and text, or None if it does not read as YAML (the loader explains).

    A command that asks the kind and then loads the scenario passes these on to the loader
    (``read=`` of :func:`sim.scenario.schema.load_scenario`), so the file is read once.
    """
    from sim.reading import load_yaml, read_text

    try:  # bounded: a regular file within the size limit, no alias bombs
        text = read_text(path)
        return load_yaml(text, path), text
    except (InputError, OSError):
        return None


def kind_of(data: Any) -> str | None:
    """:func:`scenario_kind` of a file's parsed data."""
    if not isinstance(data, dict):
        return None
    mechanism = data.get("mechanism")
    if isinstance(mechanism, dict):
        mechanism = mechanism.get("kind") or mechanism.get("type") or mechanism.get("name")
    if isinstance(mechanism, str) and mechanism.strip().lower() == "landscape":
        return "landscape"
    return "agent"


#: Files of other commands that a user may hand to ``run`` or ``check``: the keys that say
#: which, and the command that takes it.
OTHER_FILES = {"sweep": (("base", "parameters"), "alliance-sim sweep"),
               "fit": (("scenario", "params"), "alliance-sim fit")}


def _other_command(data: Any) -> tuple[str, tuple[str, ...], str] | None:
    """The sweep or fit file (:data:`OTHER_FILES`) that ``data`` is: its kind, the keys that
    say so and the command that runs it; None for anything else."""
    if not isinstance(data, dict) or "states" in data:
        return None
    for kind, (keys, runner) in OTHER_FILES.items():
        if all(k in data for k in keys):
            return kind, keys, runner
    return None


def refuse_other_files(data: Any, path: str | Path, command: str) -> None:
    """Refuse a sweep or fit file given where a scenario is expected, by name: the scenario
    loader would otherwise report its first missing field ('time'), which says nothing
    about the mistake."""
    found = _other_command(data)
    if found:
        kind, keys, runner = found
        raise InputError(path, None, f"a scenario file for '{command}'; this is a {kind} file "
                         f"(it has {' and '.join(repr(k) for k in keys)}): run it with '{runner}'")


def other_file_kind(data: Any) -> str | None:
    """What a file that is no agent scenario is, as a phrase for a message, or None.

    A landscape file, a sweep or fit file (:data:`OTHER_FILES`) or a run's manifest
    (``manifest.json``: the scenario that was run, under ``scenario``, with its
    ``content_hash``). A scenario may extend only an agent scenario; naming what its base
    is instead says more than the first field the merged mapping lacks ('time').
    """
    if kind_of(data) == "landscape":
        return "a landscape file (landscape files cannot be extended; they run with 'alliance-sim landscape')"
    if not isinstance(data, dict) or "states" in data or "extends" in data:
        return None
    found = _other_command(data)
    if found:
        kind, keys, runner = found
        return f"a {kind} file (it has {' and '.join(repr(k) for k in keys)}; it runs with '{runner}')"
    if isinstance(data.get("scenario"), dict) and "content_hash" in data:
        return ("a run's manifest (manifest.json; extend the scenario file the run was made from, "
                "named by its 'scenario_file')")
    return None

"""Value limits of scenario inputs, shared by the checks before a run and the input tables.

:mod:`sim.scenario.checks` documents them in its table; they live here so that building
the inputs (:mod:`sim.scenario.inputs`), which the checks call, can use them too.
"""

from __future__ import annotations

from sim.files import nearest_line

MAX_MAGNITUDE = 1e6
MIN_POWER = 1e-9
MAX_DISTANCE_KM = 20_100.0  # half the Earth's circumference, rounded up


def line_of(sc, *loc) -> int | None:
    """The YAML line of a key path of the scenario (or of its nearest parent), if known."""
    return nearest_line(getattr(sc, "_lines", None) or {}, loc)

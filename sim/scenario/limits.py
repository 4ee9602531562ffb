"""Value limits of scenario inputs, shared by the checks before a run and the input tables.

:mod:`sim.scenario.checks` documents them in its table; they live here so that building
the inputs (:mod:`sim.scenario.inputs`), which the checks call, can use them too.
"""

from __future__ import annotations

MAX_MAGNITUDE = 1e6
MIN_POWER = 1e-9
MAX_DISTANCE_KM = 20_100.0  # half the Earth's circumference, rounded up


def where_of(sc, *loc) -> tuple[str, int | None]:
    """File and line of a key path of the scenario (or of its nearest parent that is known).

    A field a scenario inherits through ``extends`` is named in the base file that holds
    it, at its line there: the child file has no line for it, and its line 1 would send the
    user to a file that does not hold the mistake.
    """
    places = getattr(sc, "_places", None) or {}
    loc = tuple(loc)
    while loc and loc not in places:
        loc = loc[:-1]
    return places.get(loc, (sc.source, None))


#: Key of :func:`sim.scenario.schema.resolve_extends`'s origins that holds, for each merged
#: event that came from an ``add_events`` list, that list's own name for it.
EVENT_ALIASES = ("#event_aliases",)


def field_as_written(field: str | None, aliases: dict[int, str] | None) -> str | None:
    """A merged scenario's field name as the user wrote it: ``events[3].year`` is
    ``add_events[0].year`` when the fourth merged event is the first of ``add_events``
    (the merged index counts the base's events, which the user never numbered)."""
    if not field or not aliases or not field.startswith("events["):
        return field
    head, _, rest = field[len("events["):].partition("]")
    if head.isdigit() and int(head) in aliases:
        return aliases[int(head)] + rest
    return field

"""What ``check`` verifies beyond the schema, so that whatever it accepts ``run`` completes.

The schema (:mod:`sim.scenario.schema`) checks each value on its own. A run can still
fail, or silently do something else than the file says, on combinations: a state with no
power (the threat shares divide by it), an output pair of a state with itself, a step
longer than the span (events never fire), a bloc dissolved before it is founded. It can
also need more memory than the machine has. :func:`preflight` is run by both ``check``
and ``run`` before any simulation; every refusal names the file, the line, the field and
what was expected.

Limits, far above any real study (this table is their documentation):

======================  ======================================================
states                  at most :data:`MAX_STATES`
span                    at most :data:`MAX_STEPS` simulated years
power, offense, economy  above 0 (power) and at most :data:`MAX_MAGNITUDE`
weights, temperature    at most :data:`MAX_MAGNITUDE`
distances               at most :data:`MAX_DISTANCE_KM` km
memory                  the estimate of :func:`memory_estimate` must fit in what
                        the process may use (:func:`memory_available`)
======================  ======================================================
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

from sim.errors import InputError
from sim.reading import FileProblem, blame_field, blame_file  # noqa: F401 - blame_file re-exported
# Value limits shared with the input tables, defined there so that inputs need not import this module.
from sim.scenario.limits import MAX_DISTANCE_KM, MAX_MAGNITUDE, MIN_POWER, field_as_written, where_of

MAX_STATES = 500
MAX_STEPS = 1000
MIN_PROXIMITY_KM = 1.0
#: Bytes per state pair and simulated year: the dyadic input arrays, the per-year
#: utility terms and the recorded dyad table (measured on the project's scenarios, x2).
BYTES_PER_PAIR_YEAR = 600



def memory_available() -> int:
    """Bytes this process may still use: the address-space limit and the free memory."""
    candidates = []
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft not in (resource.RLIM_INFINITY, -1):
        candidates.append(soft)
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    candidates.append(int(line.split()[1]) * 1024)
    except OSError:
        pass
    return min(candidates) if candidates else 1 << 40


def memory_estimate(n_states: int, n_years: int) -> int:
    """Bytes a run of ``n_states`` over ``n_years`` simulated years needs, roughly."""
    return n_states * n_states * n_years * BYTES_PER_PAIR_YEAR + 300 * 1024 * 1024


def _refuse(sc, loc: tuple, field: str, expected: str, got=None):
    file, line = where_of(sc, *loc)
    raise InputError(file, field_as_written(field, getattr(sc, "_event_aliases", None)), expected,
                     line=line, got=got)


def check_limits(sc) -> None:
    n, steps = len(sc.states), len(sc.years)
    if n > MAX_STATES:
        _refuse(sc, ("states",), "states", f"at most {MAX_STATES} states", got=n)
    if sc.time.end - sc.time.start + 1 > MAX_STEPS:
        _refuse(sc, ("time",), "time", f"a span of at most {MAX_STEPS} years",
                got=f"{sc.time.start}-{sc.time.end}")
    need, have = memory_estimate(n, steps), memory_available()
    if need > 0.8 * have:
        _refuse(sc, ("states",), "states", f"a run that fits in memory: {n} states over {steps} years need about "
                f"{need / 2**30:.1f} GB, and {have / 2**30:.1f} GB are available")


def check_agreement(sc) -> None:
    """Combinations the schema lets through and a run would not survive or would ignore."""
    if sc.time.step > 1 and sc.time.step > sc.time.end - sc.time.start:
        _refuse(sc, ("time", "step"), "time.step", f"a step no longer than the span ({sc.time.end - sc.time.start} "
                "years), or the run has a single year", got=sc.time.step)
    for i, s in enumerate(sc.states):
        if s.id == "all":
            _refuse(sc, ("states", i, "id"), f"states[{i}].id", "a state id other than 'all' (it means every "
                    "state in 'observer: all')", got=s.id)
        for key in ("power", "offense", "economy"):
            v = getattr(s, key)
            if v is None:
                continue
            if key == "power" and v < MIN_POWER:
                _refuse(sc, ("states", i, key), f"states[{i}].{key}", f"a power above 0 (at least {MIN_POWER:g})",
                        got=v)
            if v > MAX_MAGNITUDE:
                _refuse(sc, ("states", i, key), f"states[{i}].{key}", f"a number <= {MAX_MAGNITUDE:g}", got=v)
        if s.id in s.perceives:
            _refuse(sc, ("states", i, "perceives", s.id), f"states[{i}].perceives",
                    "perceptions of other states (a state does not perceive itself)", got=s.id)
    _check_mechanism(sc)
    _check_pairs_and_blocs(sc)
    _check_events_and_outputs(sc)


def _check_mechanism(sc) -> None:
    m = sc.mechanism
    for key in ("temperature", "level_gain"):
        if getattr(m, key) > MAX_MAGNITUDE:
            _refuse(sc, ("mechanism", key), f"mechanism.{key}", f"a number <= {MAX_MAGNITUDE:g}", got=getattr(m, key))
    if m.proximity_km < MIN_PROXIMITY_KM:
        _refuse(sc, ("mechanism", "proximity_km"), "mechanism.proximity_km", f"a distance scale of at least "
                f"{MIN_PROXIMITY_KM:g} km", got=m.proximity_km)
    for key, v in m.utility.model_dump().items():
        if v > MAX_MAGNITUDE:
            _refuse(sc, ("mechanism", "utility", key), f"mechanism.utility.{key}", f"a weight <= {MAX_MAGNITUDE:g}",
                    got=v)
    for key in ("power", "proximity", "offense", "intent"):
        v = getattr(m.threat, key)
        if v is not None and v > MAX_MAGNITUDE:
            _refuse(sc, ("mechanism", "threat", key), f"mechanism.threat.{key}", f"a weight <= {MAX_MAGNITUDE:g}",
                    got=v)


def _check_pairs_and_blocs(sc) -> None:
    seen_pairs: dict[frozenset, int] = {}
    for i, p in enumerate(sc.pairs.values):
        if p.distance_km is not None and p.distance_km > MAX_DISTANCE_KM:
            _refuse(sc, ("pairs", "values", i, "distance_km"), f"pairs.values[{i}].distance_km",
                    f"a distance on Earth (at most {MAX_DISTANCE_KM:,.0f} km)", got=p.distance_km)
        key = frozenset((p.a, p.b)) if p.mutual else (p.a, p.b)
        if key in seen_pairs:
            _refuse(sc, ("pairs", "values", i), f"pairs.values[{i}]", f"each pair once (first given as "
                    f"pairs.values[{seen_pairs[key]}])", got=f"{p.a}-{p.b}")
        seen_pairs[key] = i
    for i, b in enumerate(sc.blocs):
        if b.founded is not None and b.dissolved is not None and b.dissolved <= b.founded:
            _refuse(sc, ("blocs", i, "dissolved"), f"blocs[{i}].dissolved", f"a year after the founding year "
                    f"{b.founded}", got=b.dissolved)
        for j, f in enumerate(b.founders):
            if f in b.founders[:j]:
                _refuse(sc, ("blocs", i, "founders", j), f"blocs[{i}].founders[{j}]", "each founder once", got=f)
            if b.eligible is not None and f not in b.eligible:
                _refuse(sc, ("blocs", i, "founders", j), f"blocs[{i}].founders[{j}]",
                        "a founder among the bloc's 'eligible' states", got=f)


def _check_events_and_outputs(sc) -> None:
    years = set(sc.years)
    for i, ev in enumerate(sc.events):
        if ev.year not in years and sc.time.start <= ev.year <= sc.time.end:
            _refuse(sc, ("events", i, "year"), f"events[{i}].year", f"a simulated year (every {sc.time.step} "
                    f"years from {sc.time.start})", got=ev.year)
        if ev.until is not None and ev.until > sc.time.end + 1:
            _refuse(sc, ("events", i, "until"), f"events[{i}].until", f"a year up to the end of the span plus one "
                    f"({sc.time.end + 1}), or no 'until'", got=ev.until)
        for j, ef in enumerate(ev.effects):
            base = ("events", i, "effects", j)
            if ef.a is not None and ef.a == ef.b:
                _refuse(sc, base + ("b",), f"events[{i}].effects[{j}].b", "a state other than 'a'", got=ef.b)
            obs = ef.observer if isinstance(ef.observer, list) else [ef.observer]
            tgt = ef.target if isinstance(ef.target, list) else [ef.target]
            both = {o for o in obs if o is not None} & {t for t in tgt if t is not None}
            if both:
                _refuse(sc, base + ("target",), f"events[{i}].effects[{j}].target",
                        "a target other than the observer", got=sorted(both)[0])
    pairs_seen: dict[frozenset, int] = {}
    for i, (a, b) in enumerate(sc.outputs.pairs):
        if a == b:
            _refuse(sc, ("outputs", "pairs", i), f"outputs.pairs[{i}]", "a pair of two different states",
                    got=[a, b])
        key = frozenset((a, b))
        if key in pairs_seen:
            _refuse(sc, ("outputs", "pairs", i), f"outputs.pairs[{i}]", f"each pair once (first given as "
                    f"outputs.pairs[{pairs_seen[key]}])", got=[a, b])
        pairs_seen[key] = i


def check_reference(sc) -> None:
    """Read the reference timeline the scenario names; refuse it against the 'reference' field."""
    if not sc.reference:
        return
    from sim.scenario.reference import load_reference

    path = sc.resolve(sc.reference)
    try:
        load_reference(path, states=sc.ids)
    except FileProblem as exc:
        file, line = where_of(sc, "reference")
        raise blame_field(exc, file, "reference", line) from None
    except InputError as exc:
        file, line = where_of(sc, "reference")
        raise InputError(file, "reference", f"a reference timeline in {Path(path).name} ({exc.message()})",
                         line=line) from None


def preflight(sc) -> list[str]:
    """Everything ``run`` needs of an agent scenario, checked before any simulation.

    Returns:
        Warnings for the caller to print: weights the scenario sets that have no input to
        act on (see :mod:`sim.scenario.unused_weights`).
    """
    check_limits(sc)
    check_agreement(sc)
    from sim.model import inputs_for
    from sim.scenario.unused_weights import unused_weights

    inputs = inputs_for(sc)  # reads and checks every table the scenario names
    check_reference(sc)
    return unused_weights(sc, inputs)

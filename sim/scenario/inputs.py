"""The model's inputs for every year, assembled once from a scenario.

Inputs are everything a scenario may change: capabilities, geography, ideology, interests,
trade, perceived intent and doctrine. They do not depend on the random seed or on what
the states do, so they are built once per scenario (and cached), with the scenario's dated
events already applied, as arrays indexed by year. The model then only reads slices.

Precedence, lowest first: defaults, the calibrated ``inputs`` tables, ``pairs.csv``,
inline ``pairs.values`` and inline state fields, then events in date order. Inline
``pairs.values`` may add to ``pairs.csv`` but not contradict it.

Every table is checked row by row before it is used (refusals name the file, the physical
line, the column and what was expected): only known columns, values in their field's
range (the same as inline), one row per key (``state,year``; ``a,b,year``), and in
``pairs.csv`` whole years inside the span. An event effect that would take an input out
of its range is refused with the event's name (see :func:`_apply_op`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.errors import InputError
from sim.scenario.schema import DYAD_FIELDS, Effect, Scenario
from sim.files import csv_line, read_csv
from sim.scenario.limits import MAX_DISTANCE_KM, MAX_MAGNITUDE, MIN_POWER, field_as_written, where_of
from sim.scenario.years import ByYear, clip_years

EARTH_RADIUS_KM = 6371.0

DOCTRINE_FIELDS = ("multi_vector", "autonomy", "bandwagon")


@dataclass
class SourceArrays:
    """Threats that are not states, per year: ``m`` sources, ``[t, i, k]`` reads "source k
    as it bears on state i". Outside a source's spells its power, offense and intent are 0."""

    ids: list[str]
    names: list[str]
    power: np.ndarray  # [t, k]
    offense: np.ndarray  # [t, k]
    intent: np.ndarray  # [t, i, k]
    distance: np.ndarray  # [t, i, k], km from the base state's capital
    contiguity: np.ndarray  # [t, i, k], 1 where i is the base or borders it


@dataclass
class InputArrays:
    """Per-year inputs. Leading axis: year index ``t`` into ``years``.

    Dyadic arrays are ``[t, i, j]``; directed ones read "i's view of j" (``intent``: i's
    perception of j's aggressive intent; ``trade``: i's dependence on trade with j). They
    are :class:`sim.scenario.years.ByYear`: each distinct year's ``n x n`` array is kept
    once, and read like a plain array (``x[t]``, ``x[t, i, j]``).
    """

    ids: list[str]
    names: list[str]
    years: np.ndarray
    power: np.ndarray
    offense: np.ndarray
    economy: np.ndarray
    neutral: np.ndarray
    multi_vector: np.ndarray
    autonomy: np.ndarray
    bandwagon: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    ideology: np.ndarray  # [t, i, k]
    leader: np.ndarray  # [t, i] object
    interests: ByYear
    trade: ByYear
    intent: ByYear
    distance: ByYear
    contiguity: ByYear
    initial_de_facto: np.ndarray
    initial_de_jure: np.ndarray
    flags: dict[str, list[str]] = field(default_factory=dict)
    dispute: ByYear | None = None  # [t, i, j] in [0, 1], symmetric: open disputes
    government: np.ndarray | None = None  # [t, i] object: who holds the capital
    sources: SourceArrays | None = None  # threats that are not states

    @property
    def n(self) -> int:
        return len(self.ids)


def great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle (haversine) distances in km between points given in degrees, element by
    element (arguments broadcast)."""
    la1, la2 = np.radians(np.asarray(lat1, float)), np.radians(np.asarray(lat2, float))
    dlo = np.radians(np.asarray(lon1, float)) - np.radians(np.asarray(lon2, float))
    h = np.sin((la1 - la2) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin(dlo / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def haversine_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle distances between all capitals (n x n), in km."""
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    return great_circle_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])


def _fill_years(values: np.ndarray) -> np.ndarray:
    """Carry values forward, then backward, along axis 0 wherever they are NaN."""
    out = values.copy()
    for t in range(1, len(out)):
        gap = np.isnan(out[t])
        out[t][gap] = out[t - 1][gap]
    for t in range(len(out) - 2, -1, -1):
        gap = np.isnan(out[t])
        out[t][gap] = out[t + 1][gap]
    return out


def _state_table(sc: Scenario, years: np.ndarray, ids: list[str]):
    path = sc.resolve(sc.inputs.states)
    numeric = ["year", "power", "offense", "economy", "lat", "lon", "democracy", "neutral",
               "multi_vector", "autonomy", "bandwagon"]
    df = read_csv(path, required=["state", "year"], numeric=numeric,
                  allow_empty=[c for c in numeric if c != "year"])
    _known_columns(path, df, STATE_TABLE_COLUMNS, prefix="ideology_")
    _check_rows(path, df, STATE_TABLE_RANGES)
    _no_duplicate_rows(path, df, ("state", "year"))
    idx = {s: i for i, s in enumerate(ids)}
    ycol = {int(y): t for t, y in enumerate(years)}
    ideology_cols = (["democracy"] if "democracy" in df.columns else []) + sorted(
        c for c in df.columns if c.startswith("ideology_"))
    for c in ideology_cols:
        if c != "democracy":
            df = _numeric_col(df, path, c)
    cols = {c: np.full((len(years), len(ids)), np.nan) for c in
            ("power", "offense", "economy", "lat", "lon", "neutral", "multi_vector", "autonomy", "bandwagon")}
    ideo = np.full((len(years), len(ids), len(ideology_cols)), np.nan)
    leader = np.full((len(years), len(ids)), None, dtype=object)
    names: dict[str, str] = {}
    present = np.zeros((len(years), len(ids)), dtype=bool)
    for row, rec in enumerate(df.to_dict(orient="records")):
        state = rec["state"].strip()
        if state not in idx:
            continue  # the table may hold more states than this scenario uses
        year = int(rec["year"])
        if year not in ycol:
            continue
        t, i = ycol[year], idx[state]
        present[t, i] = True
        for c in cols:
            if c in rec and rec[c] == rec[c]:
                cols[c][t, i] = rec[c]
        for k, c in enumerate(ideology_cols):
            if rec[c] == rec[c]:
                ideo[t, i, k] = rec[c]
        if rec.get("leader"):
            leader[t, i] = rec["leader"]
        if rec.get("name"):
            names[state] = rec["name"]
    for i, s in enumerate(ids):
        if not present[:, i].any() and sc.states[i].power is None:
            raise InputError(path, "state", f"rows for state '{s}' (it is in the scenario but not in the table)")
        if present[:, i].any() and np.isnan(cols["power"][:, i]).all() and sc.states[i].power is None:
            # power would default to 0: check said ok and the run failed with a traceback
            raise InputError(path, "power", f"a power for state '{s}' in at least one row of {sc.time.start}-"
                             f"{sc.time.end} (or a power in its entry of the scenario)")
    for c in cols:
        cols[c] = _fill_years(cols[c])
    if ideo.shape[2]:
        ideo = _fill_years(ideo)
    for t in range(1, len(years)):
        gap = leader[t] == None  # noqa: E711  (object array comparison)
        leader[t][gap] = leader[t - 1][gap]
    return cols, ideo, leader, names


def _numeric_col(df, path, col):
    vals = []
    for row, cell in enumerate(df[col]):
        if isinstance(cell, float):
            vals.append(cell)
            continue
        cell = str(cell).strip()
        if cell == "":
            vals.append(np.nan)
            continue
        try:
            vals.append(float(cell))
        except ValueError:
            raise InputError(path, col, "a number", line=row + 2, got=cell) from None
    df[col] = vals
    return df


def _dyad_rows(path: Path, dyad_fields, with_year: bool):
    numeric = ["year"] + list(dyad_fields) if with_year else list(dyad_fields)
    df = read_csv(path, required=["a", "b"], numeric=numeric, allow_empty=list(dyad_fields))
    _known_columns(path, df, DYAD_TABLE_COLUMNS)
    _check_rows(path, df, DYAD_TABLE_RANGES)
    _no_duplicate_rows(path, df, ("a", "b", "year"))
    return df


# ---------------------------------------------------------------------------------------
# Row checks of the tables: known columns, values in range, one row per key
# ---------------------------------------------------------------------------------------

#: Columns of the calibrated tables and of ``pairs.csv`` (``flags``, ``source`` and
#: ``note`` document a row and are not read as values).
STATE_TABLE_COLUMNS = ("state", "name", "year", "power", "offense", "economy", "lat", "lon", "democracy",
                       "neutral", "multi_vector", "autonomy", "bandwagon", "leader", "flags", "source", "note")
DYAD_TABLE_COLUMNS = ("a", "b", "year", "interests", "trade", "intent", "distance_km", "contiguity", "flags",
                      "source", "note")
PAIRS_CSV_COLUMNS = ("a", "b", "year", "interests", "trade", "intent", "distance_km", "contiguity",
                     "initial_de_facto", "initial_de_jure", "flags", "source", "note")


def _ranges() -> tuple[dict, dict, dict]:
    whole_year = (-5000, 5000, True)
    # Power as inline: above 0 (a state of power 0 divides by zero in the threat and the landscape).
    state = {"year": whole_year, "power": (MIN_POWER, MAX_MAGNITUDE, False), "offense": (0, MAX_MAGNITUDE, False),
             "economy": (0, MAX_MAGNITUDE, False), "lat": (-90, 90, False), "lon": (-180, 180, False),
             "neutral": (0, 1, True), "multi_vector": (0, 1, False), "autonomy": (0, 1, False),
             "bandwagon": (0, 1, False)}
    # Calibrated trade dependence may exceed 1 (a share of GDP, not of trade): bounded by size only.
    dyad = {"year": whole_year, "interests": (-1, 1, False), "trade": (0, MAX_MAGNITUDE, False),
            "intent": (0, 1, False), "distance_km": (0, MAX_DISTANCE_KM, False), "contiguity": (0, 1, True)}
    pairs = dict(dyad, trade=(0, 1, False), initial_de_facto=(-2, 3, True), initial_de_jure=(-1, 3, True))
    return state, dyad, pairs


STATE_TABLE_RANGES, DYAD_TABLE_RANGES, PAIRS_CSV_RANGES = _ranges()


def _known_columns(path: Path, df, known, prefix: str | None = None) -> None:
    for col in df.columns:
        if col not in known and not (prefix and col.startswith(prefix)):
            raise InputError(path, col, "a known column (" + ", ".join(known)
                             + (f", {prefix}*" if prefix else "") + "); check the spelling", line=1)


def _check_rows(path: Path, df, ranges: dict) -> None:
    """Every present cell of a numeric column within its range (and whole where it must be)."""
    for col, (lo, hi, whole) in ranges.items():
        if col not in df.columns:
            continue
        values = np.asarray(df[col], dtype=float)
        bad = ~np.isnan(values) & ((values < lo) | (values > hi) | ((values % 1 != 0) if whole else False))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            what = (f"a whole number from {lo:g} to {hi:g}" if whole else f"a number from {lo:g} to {hi:g}")
            if col == "contiguity" or col == "neutral":
                what = "0 or 1"
            raise InputError(path, col, what, line=csv_line(df, row), got=float(values[row]))


def _no_duplicate_rows(path: Path, df, key: tuple[str, ...]) -> None:
    """One row per key (``state,year`` or ``a,b,year``): a second one would silently win."""
    key = tuple(k for k in key if k in df.columns)
    seen: dict[tuple, int] = {}
    columns = [df[k].astype(str).str.strip() if df[k].dtype == object else df[k] for k in key]
    for row, values in enumerate(zip(*columns)):
        if values in seen:
            raise InputError(path, ",".join(key), f"one row per {', '.join(key)} (first given on line "
                             f"{csv_line(df, seen[values])})", line=csv_line(df, row),
                             got=" ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values))
        seen[values] = row


#: Directed fields read "i's view of j"; the others are set for both orders of a pair.
DIRECTED_FIELDS = {"trade", "intent"}


def build_inputs(sc: Scenario) -> InputArrays:
    """Assemble all inputs of a scenario for every year of its span.

    The steps follow the precedence in the module docstring, lowest first, so each step
    may overwrite what the one before it wrote.
    """
    years = np.array(sc.years, dtype=int)
    state = _state_inputs(sc, years)
    _inline_state_values(sc, state)
    flags, has_capital = _finish_state_inputs(sc, state)
    dyad = _empty_dyads(len(years), len(sc.ids))
    if sc.inputs.dyads:
        _read_dyad_table(sc, years, dyad)
    if sc.pairs.csv:
        _read_pairs_csv(sc, years, dyad)
    _inline_pair_values(sc, dyad)
    _fill_dyad_gaps(sc, state, dyad, has_capital)
    arrays = InputArrays(
        ids=sc.ids, names=state["names"], years=years, power=state["power"], offense=state["offense"],
        economy=state["economy"], neutral=state["neutral"], multi_vector=state["multi_vector"],
        autonomy=state["autonomy"], bandwagon=state["bandwagon"], lat=state["lat"], lon=state["lon"],
        ideology=state["ideology"], leader=state["leader"], interests=dyad["interests"],
        trade=dyad["trade"], intent=dyad["intent"], distance=dyad["distance_km"],
        contiguity=dyad["contiguity"], initial_de_facto=dyad["initial_de_facto"],
        initial_de_jure=dyad["initial_de_jure"], flags=flags)
    arrays.dispute = ByYear.constant(np.zeros((len(sc.ids), len(sc.ids))), len(years))
    arrays.government = state["leader"].copy()
    arrays.government[:] = None
    arrays.sources = _source_arrays(sc, arrays)
    _apply_events(sc, arrays)
    return arrays


def _state_inputs(sc: Scenario, years: np.ndarray) -> dict:
    """Per-state arrays ``[t, i]`` from the defaults and the calibrated ``inputs.states`` table."""
    T, n = len(years), len(sc.ids)
    state = {c: np.full((T, n), np.nan) for c in ("power", "offense", "economy", "lat", "lon")}
    state["neutral"] = np.zeros((T, n), dtype=float)
    state.update({k: np.full((T, n), 0.0) for k in DOCTRINE_FIELDS})
    state["leader"] = np.full((T, n), None, dtype=object)
    state["names"] = [s.name or s.id for s in sc.states]
    state["ideology"] = np.zeros((T, n, 0))
    if sc.inputs.states:
        cols, ideo, leader, table_names = _state_table(sc, years, sc.ids)
        state.update({c: cols[c] for c in ("power", "offense", "economy", "lat", "lon")})
        state["neutral"] = np.nan_to_num(cols["neutral"], nan=0.0)
        state.update({k: np.nan_to_num(cols[k], nan=0.0) for k in DOCTRINE_FIELDS})
        state["leader"] = leader
        state["ideology"] = np.nan_to_num(ideo, nan=0.5)
        state["names"] = [sc.states[i].name or table_names.get(s, s) for i, s in enumerate(sc.ids)]
    return state


def _inline_state_values(sc: Scenario, state: dict) -> None:
    """Inline state fields override the tables and hold for every year."""
    inline_ideology = [s.ideology for s in sc.states]
    dims = {len(v) for v in inline_ideology if v is not None}
    if len(dims) > 1:
        _ragged(sc, "ideology", inline_ideology)
    if dims:
        k = dims.pop()
        ideology = state["ideology"]
        if ideology.shape[2] not in (0, k) and not all(v is not None for v in inline_ideology):
            raise InputError(sc.source, "states[*].ideology",
                             f"{ideology.shape[2]} ideology values to match the inputs table", got=k)
        if ideology.shape[2] != k:
            state["ideology"] = np.zeros(ideology.shape[:2] + (k,))
    for i, s in enumerate(sc.states):
        for name in ("power", "offense", "economy"):
            if getattr(s, name) is not None:
                state[name][:, i] = getattr(s, name)
        if s.capital is not None:
            state["lat"][:, i], state["lon"][:, i] = s.capital.lat, s.capital.lon
        if s.ideology is not None:
            state["ideology"][:, i, :] = s.ideology
        if s.doctrine.neutral is not None:
            state["neutral"][:, i] = float(s.doctrine.neutral)
        for k in DOCTRINE_FIELDS:
            if getattr(s.doctrine, k) is not None:
                state[k][:, i] = getattr(s.doctrine, k)
        if s.leader is not None:
            state["leader"][:, i] = s.leader


def _ragged(sc: Scenario, key: str, vectors: list) -> None:
    """Refuse vectors of different lengths, at the first state whose length differs from the first's."""
    given = [(k, v) for k, v in enumerate(vectors) if v is not None]
    first = len(given[0][1])
    k, v = next((k, v) for k, v in given if len(v) != first)
    file, line = where_of(sc, "states", k, key)
    raise InputError(file, f"states[*].{key}", f"{key} vectors of the same length for every state "
                     f"({sc.states[given[0][0]].id} has {first} values, {sc.states[k].id} has {len(v)})",
                     line=line, got=sorted({len(x) for _, x in given}))


def _finish_state_inputs(sc: Scenario, state: dict) -> tuple[dict[str, list[str]], np.ndarray]:
    """Defaults for what is still missing: no power is 0, offense and economy follow power.

    Returns the input flags (states without a capital) and where capitals are known, which
    decides where distances can come from capitals.
    """
    state["power"] = np.nan_to_num(state["power"], nan=0.0)
    state["offense"] = np.where(np.isnan(state["offense"]), state["power"], state["offense"])
    state["economy"] = np.where(np.isnan(state["economy"]), state["power"], state["economy"])
    flags: dict[str, list[str]] = {}
    for s_i, s in enumerate(sc.ids):
        if np.isnan(state["lat"][:, s_i]).any():
            flags.setdefault("no_capital", []).append(s)
    has_capital = ~np.isnan(state["lat"])
    state["lat"], state["lon"] = np.nan_to_num(state["lat"]), np.nan_to_num(state["lon"])
    return flags, has_capital


def _empty_dyads(T: int, n: int) -> dict:
    """Dyadic arrays before any source: NaN where a later gap filler decides, else 0."""
    nan, zero = np.full((n, n), np.nan), np.zeros((n, n))
    return {"interests": ByYear.constant(nan, T), "trade": ByYear.constant(zero, T),
            "intent": ByYear.constant(nan, T), "distance_km": ByYear.constant(nan, T),
            "contiguity": ByYear.constant(zero, T), "initial_de_facto": np.zeros((n, n), dtype=int),
            "initial_de_jure": np.zeros((n, n), dtype=int)}


def _put(dyad: dict, fieldname: str, t_slice, i: int, j: int, value, mutual: bool) -> None:
    arr = dyad[fieldname]
    arr[t_slice, i, j] = value
    if mutual or fieldname not in DIRECTED_FIELDS:
        arr[t_slice, j, i] = value


def _read_dyad_table(sc: Scenario, years: np.ndarray, dyad: dict) -> None:
    """The calibrated ``inputs.dyads`` table: yearly rows, carried forward and back over gaps."""
    T, n = len(years), len(sc.ids)
    idx = {s: i for i, s in enumerate(sc.ids)}
    df = _dyad_rows(sc.resolve(sc.inputs.dyads), DYAD_FIELDS, with_year=True)
    ycol = {int(y): t for t, y in enumerate(years)}
    present = {f: np.zeros((T, n, n), dtype=bool) for f in DYAD_FIELDS}
    full = {f: np.asarray(dyad[f]) for f in DYAD_FIELDS}  # yearly rows: most years differ
    for row, rec in enumerate(df.to_dict(orient="records")):
        a, b = rec["a"].strip(), rec["b"].strip()
        if a == b:  # a state's relation to itself: a broken row, not one for another scenario
            raise InputError(sc.resolve(sc.inputs.dyads), "b", "a state other than 'a'", line=csv_line(df, row), got=b)
        if a not in idx or b not in idx:
            continue  # the table may hold more states than this scenario uses
        y = rec.get("year")
        if y != y or int(y) not in ycol:
            continue
        t = ycol[int(y)]
        for f in DYAD_FIELDS:
            if f in rec and rec[f] == rec[f]:
                full[f][t, idx[a], idx[b]] = rec[f]
                present[f][t, idx[a], idx[b]] = True
    for f in ("interests", "intent", "distance_km"):
        dyad[f] = ByYear.of(_fill_years(full[f]))
    for f in ("trade", "contiguity"):
        arr = np.where(present[f], full[f], np.nan)
        dyad[f] = ByYear.of(np.nan_to_num(_fill_years(arr), nan=0.0))


def _read_pairs_csv(sc: Scenario, years: np.ndarray, dyad: dict) -> None:
    """The scenario's ``pairs.csv``: values from a row's year on, initial levels, range checks."""
    idx = {s: i for i, s in enumerate(sc.ids)}
    path = sc.resolve(sc.pairs.csv)
    fields = DYAD_FIELDS + ("initial_de_facto", "initial_de_jure", "year")
    df = read_csv(path, required=["a", "b"], numeric=fields, allow_empty=fields)
    _known_columns(path, df, PAIRS_CSV_COLUMNS)
    ranges = dict(PAIRS_CSV_RANGES, year=(sc.time.start, sc.time.end, True))
    _check_rows(path, df, {k: v for k, v in ranges.items() if k not in ("interests", "trade", "intent")})
    seen: dict[tuple, tuple[int, dict]] = {}
    symmetric = ("interests", "distance_km", "contiguity", "initial_de_facto", "initial_de_jure")
    given: dict[tuple, dict] = {}  # (i, j) -> field -> (value, line), for the inline values
    for row, rec in enumerate(df.to_dict(orient="records")):
        line = csv_line(df, row)
        a, b = rec["a"].strip(), rec["b"].strip()
        for col, v in (("a", a), ("b", b)):
            if v not in idx:
                raise InputError(path, col, "a state id declared in the scenario", line=line, got=v)
        if a == b:
            raise InputError(path, "b", "a state other than 'a'", line=line, got=b)
        i, j = idx[a], idx[b]
        y = rec.get("year", np.nan)
        values = {f: rec[f] for f in fields if f != "year" and f in rec and rec[f] == rec[f]}
        ykey = None if y != y else int(y)
        for key, check in (((a, b, ykey), values), ((b, a, ykey), {f: v for f, v in values.items()
                                                                    if f in symmetric})):
            if key not in seen:
                continue
            first_row, first = seen[key]
            for f, v in check.items():
                if f in first and first[f] != v:
                    raise InputError(path, f, f"one value per pair{' and year' if ykey is not None else ''} "
                                     f"(line {csv_line(df, first_row)} gives {a}-{b} {first[f]:g})",
                                     line=line, got=v)
            if key == (a, b, ykey):
                cols = "a,b,year" if "year" in df.columns else "a,b"
                raise InputError(path, cols, f"each pair once{' per year' if ykey is not None else ''} (first "
                                 f"given on line {csv_line(df, first_row)})", line=line, got=f"{a}-{b}")
        seen[(a, b, ykey)] = (row, values)
        for f, v in values.items():
            given.setdefault((i, j), {}).setdefault(f, (v, line))
            if f in symmetric:
                given.setdefault((j, i), {}).setdefault(f, (v, line))
        t_slice = slice(None) if y != y else slice(int(np.searchsorted(years, int(y))), None)
        for f in DYAD_FIELDS:
            if f in rec and rec[f] == rec[f]:
                _put(dyad, f, t_slice, i, j, rec[f], mutual=False)
        for f in ("initial_de_facto", "initial_de_jure"):  # whole levels in range: _check_rows
            v = rec.get(f, np.nan)
            if v == v:
                dyad[f][i, j] = dyad[f][j, i] = int(v)
        for f, lo, hi in (("interests", -1, 1), ("trade", 0, 1), ("intent", 0, 1)):
            v = rec.get(f, np.nan)
            if v == v and not lo <= v <= hi:
                raise InputError(path, f, f"a number from {lo} to {hi}", line=line, got=v)
    _inline_agrees_with_csv(sc, path, idx, given)


def _inline_agrees_with_csv(sc: Scenario, path: Path, idx: dict, given: dict) -> None:
    """An inline ``pairs.values`` entry may add to ``pairs.csv``, not contradict it."""
    for k, p in enumerate(sc.pairs.values):
        i, j = idx[p.a], idx[p.b]
        for f in ("interests", "trade", "intent", "contiguity", "distance_km", "initial_de_facto",
                  "initial_de_jure"):
            v = getattr(p, f)
            csv_value = given.get((i, j), {}).get(f)
            if v is None or csv_value is None or float(v) == csv_value[0]:
                continue
            file, line = where_of(sc, "pairs")
            raise InputError(file, "pairs", f"pairs.values[{k}].{f} to agree with {Path(path).name} line "
                             f"{csv_value[1]} ({p.a}-{p.b} {f} {csv_value[0]:g}), or one of the two left out",
                             line=line, got=v if not isinstance(v, bool) else int(v))


def _inline_pair_values(sc: Scenario, dyad: dict) -> None:
    """Inline ``intent`` (a default toward a state), ``pairs.values`` and ``perceives``, in that order."""
    idx = {s: i for i, s in enumerate(sc.ids)}
    toward = np.array([np.nan if s.intent is None else s.intent for s in sc.states], dtype=float)
    if not np.isnan(toward).all():  # where no table or pair says otherwise
        dyad["intent"] = dyad["intent"].map(lambda a: np.where(np.isnan(a) & ~np.isnan(toward)[None, :],
                                                               toward[None, :], a))
    intent = dyad["intent"]
    for p in sc.pairs.values:
        i, j = idx[p.a], idx[p.b]
        for f in ("interests", "trade", "intent", "contiguity", "distance_km"):
            v = getattr(p, f)
            if v is not None:
                _put(dyad, f, slice(None), i, j, float(v), mutual=p.mutual)
        for f in ("initial_de_facto", "initial_de_jure"):
            if getattr(p, f) is not None:
                dyad[f][i, j] = dyad[f][j, i] = getattr(p, f)
    for i, s in enumerate(sc.states):
        for other, v in s.perceives.items():
            intent[:, i, idx[other]] = v


def _fill_dyad_gaps(sc: Scenario, state: dict, dyad: dict, has_capital: np.ndarray) -> None:
    """Gaps: capitals give distances, ideal points give interest convergence, the rest is 0."""
    lat, lon = state["lat"], state["lon"]
    T, n = lat.shape
    capitals = np.zeros(T, dtype=np.intp)  # capitals rarely move: a new key only when they do
    for t in range(1, T):
        same = np.array_equal(lat[t], lat[t - 1]) and np.array_equal(lon[t], lon[t - 1]) and \
            np.array_equal(has_capital[t], has_capital[t - 1])
        capitals[t] = capitals[t - 1] if same else t
    given = dyad["distance_km"]

    def distance_in(t: int) -> np.ndarray:
        both_cap = has_capital[t][:, None] & has_capital[t][None, :]
        d = given[t]
        d = np.where(np.isnan(d) & both_cap, haversine_km(lat[t], lon[t]), d)
        return _no_diagonal(np.where(np.isnan(d), np.inf, d))

    dyad["distance_km"] = ByYear.built(T, lambda t: (given.index[t], capitals[t]), distance_in)
    vecs = [s.interests for s in sc.states]
    conv = None
    if any(v is not None for v in vecs):
        klen = {len(v) for v in vecs if v is not None}
        if len(klen) > 1:
            _ragged(sc, "interests", vecs)
        k = klen.pop()
        X = np.array([v if v is not None else [np.nan] * k for v in vecs], dtype=float)
        d = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
        conv = 1.0 - 2.0 * np.minimum(1.0, d / sc.mechanism.interest_scale)
    dyad["interests"] = dyad["interests"].map(
        lambda a: _no_diagonal(np.nan_to_num(a if conv is None else np.where(np.isnan(a), conv, a), nan=0.0)))
    dyad["intent"] = dyad["intent"].map(lambda a: _no_diagonal(np.nan_to_num(a, nan=0.0)))
    for f in ("trade", "contiguity"):
        dyad[f] = dyad[f].map(_no_diagonal)


def _no_diagonal(a: np.ndarray) -> np.ndarray:
    out = np.array(a, dtype=float)
    np.fill_diagonal(out, 0.0)
    return out


def _apply_events(sc: Scenario, arrays: InputArrays) -> None:
    """Dated events in date order, each from its year until its ``until`` (or the end)."""
    years, T = arrays.years, len(arrays.years)
    for k, ev in sorted(enumerate(sc.events), key=lambda p: p[1].year):
        t0 = int(np.searchsorted(years, ev.year))
        t1 = int(np.searchsorted(years, ev.until)) if ev.until is not None else T
        for j, ef in enumerate(ev.effects):
            try:
                apply_effect(arrays, ef, slice(t0, t1))
            except EffectProblem as exc:
                file, line = where_of(sc, "events", k, "effects", j, exc.key)  # as written: add_events[i]
                raise InputError(file, field_as_written(f"events[{k}].effects[{j}].{exc.key}", sc._event_aliases),
                                 f"{exc.expected} (event '{ev.name}', {ev.year})", line=line, got=exc.got) from None


def _source_arrays(sc: Scenario, inp: InputArrays) -> SourceArrays | None:
    """The scenario's threat sources as per-year arrays (None when it has none)."""
    if not sc.threat_sources:
        return None
    ids = list(dict.fromkeys(ts.id for ts in sc.threat_sources))
    T, n, m = len(inp.years), inp.n, len(ids)
    idx = {s: i for i, s in enumerate(inp.ids)}
    out = SourceArrays(ids=ids, names=[""] * m, power=np.zeros((T, m)), offense=np.zeros((T, m)),
                       intent=np.zeros((T, n, m)), distance=np.full((T, n, m), np.inf),
                       contiguity=np.zeros((T, n, m)))
    for ts in sc.threat_sources:
        k, b = ids.index(ts.id), idx[ts.base]
        out.names[k] = out.names[k] or ts.name or ts.id
        years = (inp.years >= ts.start) & (inp.years <= ts.end)
        out.power[years, k] = ts.power
        out.offense[years, k] = ts.offense
        toward = np.array([ts.intent.get(s, ts.default_intent) for s in inp.ids])
        out.intent[years, :, k] = toward[None, :]
        out.distance[years, :, k] = inp.distance[years, :, b]
        out.contiguity[years, :, k] = np.maximum(inp.contiguity[years, :, b], (np.arange(n) == b)[None, :])
    return out


def _who(value, idx: dict[str, int], n: int) -> list[int]:
    if value is None:
        return []
    if value == "all":
        return list(range(n))
    values = value if isinstance(value, list) else [value]
    return [idx[v] for v in values]


class EffectProblem(Exception):
    """An effect that cannot apply: ``key`` is the effect's offending key (``value``, ``index``)."""

    def __init__(self, key: str, expected: str, got=None):
        self.key, self.expected, self.got = key, expected, got
        super().__init__(expected)


def _effect_range(field: str) -> tuple[float, float]:
    """The values an input may take; an effect that leaves them is refused, not clipped."""
    if field == "power":
        return MIN_POWER, MAX_MAGNITUDE
    if field in ("offense", "economy"):
        return 0.0, MAX_MAGNITUDE
    if field == "interests":
        return -1.0, 1.0
    if field == "distance_km":
        return 0.0, MAX_DISTANCE_KM
    if field == "ideology":
        return -MAX_MAGNITUDE, MAX_MAGNITUDE
    return 0.0, 1.0  # doctrines, trade, intent, contiguity, dispute


#: Bounded scales (shares, perceptions, doctrines, disputes): ``add`` and ``mul`` saturate
#: at the bounds ("intent rises by 0.5" from 0.6 gives 1). Magnitudes (power, offense,
#: economy, distance, ideology) have no such reading: a result outside their range is refused.
SATURATING_FIELDS = {"multi_vector", "autonomy", "bandwagon", "interests", "trade", "intent", "contiguity",
                     "dispute"}


def _apply_op(arr: np.ndarray, key, op: str, value: float, field: str) -> None:
    """Apply ``op`` at ``key``; refuse what would take the field out of its range.

    ``set`` must give a value in the field's range and ``mul`` a factor of at least 0. On a
    bounded scale an ``add`` or ``mul`` saturates (the caller keeps the range), but an
    ``add`` larger than the whole range is refused (it could only ever hit a bound); on a
    magnitude the result itself must stay in range, where the value was in range before
    (a value already outside, from a table, is the table's and not the effect's).
    """
    lo, hi = _effect_range(field)
    if op == "set" and not lo <= value <= hi:
        raise EffectProblem("value", f"a value for '{field}' from {lo:g} to {hi:g} (its range)", got=value)
    if op == "add" and field in SATURATING_FIELDS and abs(value) > hi - lo:
        raise EffectProblem("value", f"a change of at most {hi - lo:g} either way for '{field}', whose range is "
                            f"{lo:g} to {hi:g} (add {value:g} would always end at a bound; 'set' names a level)",
                            got=value)
    if op == "mul" and value < 0:
        raise EffectProblem("value", f"a factor of at least 0 for '{field}'", got=value)
    before = np.array(arr[key], dtype=float, copy=True)
    if op == "set":
        after = np.full_like(before, value)
    elif op == "add":
        after = before + value
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            after = before * value
    outside = ~np.isfinite(after)
    if field not in SATURATING_FIELDS:
        outside |= ((after < lo) | (after > hi)) & (before >= lo) & (before <= hi)
    if outside.any():
        got = float(np.ravel(after)[np.flatnonzero(np.ravel(outside))[0]])
        raise EffectProblem("value", f"an effect that keeps '{field}' from {lo:g} to {hi:g} ({op} {value:g} "
                            f"makes it {got:g})", got=value)
    arr[key] = after


def apply_effect(inp: InputArrays, ef: Effect, ts: slice) -> None:
    """Apply one event effect to the years ``ts`` (in place), keeping values in range.

    Raises:
        EffectProblem: the effect would leave its field's range (see :func:`_apply_op`).
    """
    idx = {s: i for i, s in enumerate(inp.ids)}
    n = inp.n
    if ef.field == "bloc":
        return  # bloc foundings are handled by the model, not the inputs
    if ef.field in ("power", "offense", "economy", "multi_vector", "autonomy", "bandwagon", "neutral",
                    "leader", "government", "ideology"):
        who = _who(ef.state, idx, n)
        arr = getattr(inp, ef.field)
        if ef.field in ("leader", "government"):
            arr[ts, who] = ef.value
            return
        if ef.field == "neutral":
            arr[ts, who] = float(ef.value)
            return
        if ef.field == "ideology":
            if ef.index >= arr.shape[2]:
                raise EffectProblem("index", f"an ideology index below {arr.shape[2]} (the states have "
                                    f"{arr.shape[2]} ideology values)", got=ef.index)
            for i in who:
                _apply_op(arr, (ts, i, ef.index), ef.op, float(ef.value), ef.field)
            return
        for i in who:
            _apply_op(arr, (ts, i), ef.op, float(ef.value), ef.field)
        lo, hi = (0.0, 1.0) if ef.field in DOCTRINE_FIELDS else (0.0, np.inf)
        clip_years(arr, lo, hi)
        return
    arr = inp.distance if ef.field == "distance_km" else getattr(inp, ef.field)
    if ef.observer is not None:
        pairs = [(i, j) for i in _who(ef.observer, idx, n) for j in _who(ef.target, idx, n) if i != j]
    else:
        i, j = idx[ef.a], idx[ef.b]
        pairs = [(i, j)] if ef.directed else [(i, j), (j, i)]
    for i, j in pairs:
        _apply_op(arr, (ts, i, j), ef.op, float(ef.value), ef.field)
    lo = -1.0 if ef.field == "interests" else 0.0
    clip_years(arr, lo, np.inf if ef.field == "distance_km" else 1.0)


def freeze_after(inp: InputArrays, year: int) -> InputArrays:
    """A copy whose inputs stay, after ``year``, as they were in ``year``.

    This is what a forecaster standing at ``year`` knows: no later shock, leader, dispute
    or capability change. Comparing a run on these inputs with a run on the inputs as they
    happened separates what the model forecasts from what it projects given the shocks.
    """
    import copy

    out = copy.deepcopy(inp)
    t = int(np.searchsorted(out.years, year, side="right")) - 1
    if t < 0 or t >= len(out.years) - 1:
        return out
    for name, value in vars(out).items():
        if isinstance(value, ByYear):
            value.hold_after(t)
        elif isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == len(out.years) \
                and name != "years":
            value[t + 1:] = value[t]
    if out.sources is not None:
        for value in vars(out.sources).values():
            if isinstance(value, np.ndarray):
                value[t + 1:] = value[t]
    return out

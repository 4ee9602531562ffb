"""Calibration: turn real data and coded evidence into the tables the model reads.

Why this module exists: a state agent's power, spending, values, doctrine, perceptions and
its dyadic interests must each come from something a scholar can check. The rules live in
one place (``seeds/calibration_rules.yaml``, implemented by the ``rule_*`` functions below);
every value written is accompanied by provenance (data file + keys, evidence ids, rule,
gap-filling flags), so ``alliance-sim explain-param`` can show where it came from.

Outputs (for the chosen states and years):

* states table: ``state,name,year,power,offense,economy,lat,lon,democracy,ideology_west,
  neutral,multi_vector,autonomy,bandwagon,leader,flags``
* dyads table (directed, every ordered pair): ``a,b,year,interests,trade,intent,
  distance_km,contiguity,flags``
* provenance table: ``entity,parameter,year_start,year_end,rule,data,evidence,flags``

Evidence with ``use = reference`` (alignment outcomes) is never read here.
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.files import atomic_folder
from sim.scenario.inputs import great_circle_km
from sim.calibration.evidence import Evidence, load_ledger
from sim.calibration.paths import DEFAULT_DATA, DEFAULT_DOCUMENTS, DEFAULT_LEDGER, DEFAULT_RULES


STATE_COLUMNS = ["state", "name", "year", "power", "offense", "economy", "lat", "lon", "democracy",
                 "ideology_west", "neutral", "multi_vector", "autonomy", "bandwagon", "leader", "flags"]
DYAD_COLUMNS = ["a", "b", "year", "interests", "trade", "intent", "distance_km", "contiguity", "flags"]
PROVENANCE_COLUMNS = ["entity", "parameter", "year_start", "year_end", "rule", "data", "evidence", "flags"]
STATE_PARAMS = STATE_COLUMNS[3:15]
DYAD_PARAMS = DYAD_COLUMNS[3:8]
FLOAT_FORMAT = "%.6f"

#: Columns each data file must have (file -> (state key column(s), required value columns)).
DATA_SCHEMA = {
    "nmc_v7_subset.csv": (["ccode"], ["year", "cinc", "milex", "milper", "irst", "pec", "tpop", "upop"]),
    "sipri_milex_1949_2023_subset.csv": (["ccode"], ["year", "milex_current_usd_m", "milex_share_gdp"]),
    "cow_national_trade_v4_subset.csv": (["ccode"], ["year", "imports", "exports"]),
    "vdem_v14_focal_subset.csv": (["ccode"], ["year", "v2x_polyarchy"]),
    "democracy_vdem10_polity_quds_subset.csv": (["ccode"], ["year", "v2x_polyarchy"]),
    "polity5_subset.csv": (["ccode_cow"], ["year", "polity2"]),
    "un_idealpoints_jul2025_subset.csv": (["ccode"], ["year", "idealpointfp", "idealpointall", "nvotesfp", "nvotesall"]),
    "cow_capitals_subset.csv": (["ccode"], ["capital", "stdate", "enddate", "lat", "lng"]),
    "capital_distance_focal_dyads.csv": (["ccode1", "ccode2"], ["year", "capdist_km"]),
    "cow_contiguity_v3_2_subset.csv": (["ccode1", "ccode2"], ["conttype", "stdate", "enddate"]),
    "cow_dyadic_trade_v4_subset.csv": (["ccode1", "ccode2"], ["year", "flow1", "flow2"]),
}
#: The range each data column's values must lie in (None: unbounded on that side): a value
#: outside it is a typing or extraction error, and a calibration would carry it into the
#: inputs (a capital at latitude 999, a democracy score of 5, a negative trade flow).
VALUE_RANGES = {
    "cinc": (0.0, 1.0), "milex": (0.0, None), "milper": (0.0, None), "irst": (0.0, None), "pec": (0.0, None),
    "tpop": (0.0, None), "upop": (0.0, None), "milex_current_usd_m": (0.0, None), "milex_share_gdp": (0.0, 1.0),
    "imports": (0.0, None), "exports": (0.0, None), "v2x_polyarchy": (0.0, 1.0), "polity2": (-10.0, 10.0),
    "nvotesfp": (0.0, None), "nvotesall": (0.0, None), "lat": (-90.0, 90.0), "lng": (-180.0, 180.0),
    "capdist_km": (0.0, None), "conttype": (0.0, 5.0), "flow1": (0.0, None), "flow2": (0.0, None),
}
#: Date columns (ISO dates, as COW writes them).
DATE_COLUMNS = ("stdate", "enddate")
#: Extra files copied for the de jure record and cross-checks (not read by the rules).
EXTRA_DATA = ["atop_v5_1_members_subset.csv", "atop_v5_1_alliances_subset.csv",
              "atop_v5_1_dyad_year_subset.csv", "cow_states_2016_subset.csv",
              "un_idealpoint_distance_focal_dyads.csv"]
#: The COW state list: any state in it can be calibrated (names, codes).
STATE_LIST = "cow_states_2016_subset.csv"


# --------------------------------------------------------------------------- inputs

def load_rules(path: str | Path = DEFAULT_RULES) -> dict:
    """Read the rules file and check the parts the code relies on.

    It is read as every YAML input is (:mod:`sim.reading`: bounded, one document, a key
    given twice refused with its line): a second ``rules:`` silently replaced the first,
    and a state whose ``ccode`` is not a whole number was a traceback later on.
    """
    from sim.files import yaml_line
    from sim.reading import load_yaml, read_text
    path = Path(path)
    if not path.exists():
        raise InputError(path, None, "an existing calibration rules YAML file")
    text = read_text(path, kind="yaml", what="a calibration rules YAML file")
    rules = load_yaml(text, path)
    if not isinstance(rules, dict):
        raise InputError(path, None, "a mapping with 'states', 'rules' and 'leaders'")
    for key in rules:  # a misspelt section ('leader:') was ignored, and its contents with it
        if key not in ("version", "states", "rules", "leaders"):
            raise InputError(path, str(key), "no such section (the rules file has version, states, rules and "
                             "leaders)", line=yaml_line(text, (key,)))
    if rules.get("version", RULES_VERSION) != RULES_VERSION:
        raise InputError(path, "version", f"{RULES_VERSION}, the version of the rules this program applies",
                         line=yaml_line(text, ("version",)), got=rules.get("version"))
    for key in ("states", "rules", "leaders"):
        if key not in rules:
            raise InputError(path, key, "a section named " + key)
        if key != "leaders" and (not isinstance(rules[key], dict) or not rules[key]):
            raise InputError(path, key, "a mapping (id: entry)", line=yaml_line(text, (key,)), got=rules[key])
    for abb, entry in rules["states"].items():
        code = entry.get("ccode") if isinstance(entry, dict) else None
        if isinstance(code, bool) or not isinstance(code, int) or code < 0:
            raise InputError(path, f"states.{abb}.ccode", "a COW state code (a whole number >= 0)",
                             line=yaml_line(text, ("states", abb)), got=code)
    for name in ("power", "offense", "economy", "democracy", "ideology_west", "capital", "doctrine",
                 "leader", "interests", "trade", "intent", "distance", "contiguity"):
        if name not in rules["rules"]:
            raise InputError(path, f"rules.{name}", "a rule entry")
    for name, params in RULE_PARAMETERS.items():
        entry = rules["rules"][name]
        for key, (low, high) in params.items():
            value = entry.get(key) if isinstance(entry, dict) else None
            where = f"rules.{name}.{key}"
            values = value.items() if isinstance(value, dict) and key == "baseline" else [(None, value)]
            for dim, v in values:
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                        or not low <= v <= high:
                    raise InputError(path, where + (f".{dim}" if dim else ""), f"a number from {low:g} to {high:g}",
                                     line=yaml_line(text, ("rules", name)), got=v)
    west = rules["rules"]["ideology_west"]
    if not west["low"] < west["high"]:
        raise InputError(path, "rules.ideology_west.high", f"a number above low ({west['low']})",
                         line=yaml_line(text, ("rules", "ideology_west")), got=west["high"])
    check_seat_spells(west.get("seat_not_held"), path, text)
    return rules


#: The rules file format this program reads (its ``version:``).
RULES_VERSION = 1

#: The numeric parameters the rules read, and the range each must lie in.
RULE_PARAMETERS = {
    "intent": {"baseline": (0.0, 1.0), "step": (0.0, 1.0)},
    "doctrine": {"baseline": (0.0, 1.0), "step": (0.0, 1.0)},
    "interests": {"scale": (1e-9, 1e9), "step": (0.0, 1.0), "cap": (0.0, 2.0)},
    "ideology_west": {"low": (-1e9, 1e9), "high": (-1e9, 1e9)},
}


def _shown_cell(value):
    """A data cell as the file has it: a row of whole numbers and gaps comes back from
    pandas as floats (ccode1=704.0), which the file does not say."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def read_table_file(path: Path) -> pd.DataFrame:
    """A data CSV as pandas reads it; an empty or ragged file is one line naming it."""
    import re

    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise InputError(path, None, "a CSV table with a header row (the file is empty)") from None
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            raise InputError(path, None, f"{found[1]} cells in every row, as in the header", line=int(found[2]),
                             got=f"{found[3]} cells") from None
        raise InputError(path, None, "a CSV table", got=str(exc).splitlines()[0]) from None
    except UnicodeDecodeError:
        raise InputError(path, None, "a CSV table in UTF-8") from None


def read_data(data_dir: Path, name: str, ccodes: set[int]) -> pd.DataFrame:
    """Read one data file, checking columns, numeric cells and state codes.

    Raises:
        InputError: naming the file, the 1-based line and the column at fault.
    """
    path = data_dir / name
    if not path.exists():
        raise InputError(path, None, "an existing data file (run with --data pointing at seeds/data)")
    frame = read_table_file(path)
    keys, values = DATA_SCHEMA[name]
    for column in keys + values:
        if column not in frame.columns:
            raise InputError(path, column, "a column named " + column, line=1)
    numeric = keys + [c for c in values if c not in ("capital",) + DATE_COLUMNS]
    for column in numeric:
        converted = pd.to_numeric(frame[column], errors="coerce")
        bad = (converted.isna() & frame[column].notna()) | np.isinf(converted)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(path, column, "a finite number", line=row + 2, got=frame[column].iloc[row])
        if column == "year":
            bad, what = converted % 1 != 0, "a whole year"
        elif column in VALUE_RANGES:
            low, high = VALUE_RANGES[column]  # every range has a lower end
            bad = (converted < low) | (converted > (np.inf if high is None else high))
            what = f"a number from {low:g}" + (f" to {high:g}" if high is not None else " up")
        else:
            bad, what = None, ""
        if bad is not None and bad.any():  # NaN (a gap) compares False: gaps pass
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(path, column, what, line=row + 2, got=frame[column].iloc[row])
        frame[column] = converted
    for column in [c for c in values if c in DATE_COLUMNS]:
        dates = pd.to_datetime(frame[column], format="%Y-%m-%d", errors="coerce")
        bad = dates.isna() & frame[column].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(path, column, "a date YYYY-MM-DD", line=row + 2, got=frame[column].iloc[row])
    if "year" in values:  # one row per state (or pair) and year: a second would be merged without a word
        twice = frame.duplicated(subset=keys + ["year"], keep="first")
        if twice.any():
            row = int(np.flatnonzero(twice.to_numpy())[0])
            raise InputError(path, ", ".join(keys + ["year"]), "one row per key and year (this one repeats an "
                             "earlier row's)", line=row + 2, got=", ".join(str(frame[k].iloc[row])
                                                                              for k in keys + ["year"]))
    for column in keys:
        unknown = ~frame[column].isin(ccodes)
        if unknown.any():
            row = int(np.flatnonzero(unknown.to_numpy())[0])
            listed = (data_dir / STATE_LIST).exists()
            raise InputError(path, column, "the COW code of a state in the rules file or the COW state list"
                             + ("" if listed else f" ({STATE_LIST}, which is missing from the data folder)"),
                             line=row + 2, got=frame[column].iloc[row])
    frame["_line"] = np.arange(len(frame)) + 2
    return frame


#: Files whose rows describe a state as it was in the year (a union's rows describe the union);
#: capitals, capital distances and borders are geography and keep their rows.
UNION_SENSITIVE = [name for name in DATA_SCHEMA if name not in
                   ("capital_distance_focal_dyads.csv", "cow_capitals_subset.csv", "cow_contiguity_v3_2_subset.csv")]


def without_union_rows(data: dict, rule: dict, codes: set[int]) -> dict:
    """Drop the rows in which a continuing state's code still describes a union that held
    states of the calibrated system.

    Why: COW code 365 is Russia from 1992 but the USSR up to 1991, so in 1991 NMC, SIPRI,
    COW trade, V-Dem, Polity and the UN votes give Russia the whole Union's capabilities,
    trade and votes, while Kazakhstan and the other successors already have rows of their
    own: their capabilities are counted twice and Russia's shares jump at the break. Where
    a successor is in the system, the union's years are treated as not recorded for the
    continuing state and the gaps rule fills them from its first own year (flagged).
    """
    for case in rule.get("unions", []):
        code, last_year, successors = int(case["ccode"]), int(case["last_year"]), set(case["successors"])
        if code not in codes or not successors & codes:
            continue
        for name in UNION_SENSITIVE:
            frame = data[name]
            held = frame[DATA_SCHEMA[name][0]].eq(code).any(axis=1) & (frame.year <= last_year)
            data[name] = frame[~held]
    return data


def spike_cells(values: np.ndarray, factor: float, max_run: int) -> np.ndarray:
    """Which cells of one series are isolated spikes: a run of at most ``max_run`` recorded
    values that are all more than ``factor`` times both nearest recorded values outside the
    run, or all less than 1/``factor`` of both.

    Why: a source row entered in the wrong unit stands out from the same state's years on
    both sides (Soviet exports of 1947 at 7,709 M US$ between 654 and 1,308; 400,000
    Afghan soldiers in 1999-2000 between 45,000 in 1994 and 50,000 in 2002), while a real
    change (a war, a demobilisation, a devaluation) moves the level and stays. Missing
    cells (NaN) are skipped, so the neighbours are the nearest recorded years; values of 0
    or less neither count as spikes nor serve as neighbours (a ratio to 0 says nothing).

    Returns:
        A boolean array, True at the cells to read as not recorded.
    """
    values = np.asarray(values, dtype=float)
    out = np.zeros(len(values), dtype=bool)
    where = np.flatnonzero(np.isfinite(values) & (values > 0))
    seen = values[where]
    for run in range(1, max_run + 1):
        for i in range(1, len(seen) - run):
            inside, before, after = seen[i:i + run], seen[i - 1], seen[i + run]
            if (inside > factor * max(before, after)).all() or (inside * factor < min(before, after)).all():
                out[where[i:i + run]] = True
    return out


def without_spikes(data: dict, rule: dict, codes: list[int], years: np.ndarray) -> tuple[dict, dict]:
    """Blank the isolated spikes (:func:`spike_cells`) of the columns the ``spikes`` rule names,
    state by state over the run's years, so the gaps rule fills them.

    Only the run's years are searched, so the 36-year gap between the two cases' rows in
    the data files is never read as a jump.

    Returns:
        (data with the spikes blanked, {(file, column): {(ccode, year), ...}} of the cells
        blanked, for the flags).
    """
    factor, max_run = float(rule.get("factor", 4.0)), int(rule.get("max_run", 2))
    dropped: dict = {}
    for name, columns in (rule.get("columns") or {}).items():
        if name not in data:
            raise InputError("calibration_rules.yaml", f"rules.spikes.columns.{name}",
                             "the name of a data file the rules read", got=name)
        frame = data[name].copy()
        for column in columns:
            if column not in frame.columns:
                raise InputError(f"rules.spikes.columns.{name}", column, "a column of " + name, got=column)
            hits = set()
            span = frame[frame.ccode.isin(codes) & frame.year.between(years.min(), years.max())]
            for code, rows in span.sort_values("year").groupby("ccode"):
                flagged = spike_cells(rows[column].to_numpy(float), factor, max_run)
                for index, year in zip(rows.index[flagged], rows.year[flagged]):
                    frame.loc[index, column] = np.nan
                    hits.add((int(code), int(year)))
            dropped[(name, column)] = hits
        data[name] = frame
    return data, dropped


def spike_flags(dropped: dict, keys, codes, years, param: str) -> pd.DataFrame:
    """Years x codes table holding ``<param>:spike_dropped`` where a cell of ``keys`` was blanked."""
    flags = pd.DataFrame("", index=years, columns=codes, dtype=object)
    for key in keys:
        for code, year in dropped.get(key, ()):
            if code in flags.columns and year in flags.index:
                flags.loc[year, code] = f"{param}:spike_dropped"
    return flags


def _join_flags(*tables: pd.DataFrame) -> pd.DataFrame:
    """Cell-wise ';'-join of flag tables of the same shape (empty parts left out)."""
    out = tables[0]
    for table in tables[1:]:
        out = (out + ";" + table).where(out.ne("") & table.ne(""), out + table)
    return out



def _flagged(flags: pd.DataFrame, pattern: str) -> pd.DataFrame:
    """Cells whose flags match the regular expression ``pattern``."""
    return flags.apply(lambda c: c.str.contains(pattern, regex=True))


#: Flags of a cell the gaps rule filled rather than read from the data.
NOT_READ = r":(?:no_data|interpolated|carried_)"


#: Flag of a year whose UN votes were cast by a delegation that did not govern the capital.
SEAT_NOT_HELD = "seat_not_held"

#: Flags of a cell that says nothing of where the state's government stood.
UNSEEN = rf":(?:no_data|{SEAT_NOT_HELD})"

# --------------------------------------------------------------------------- helpers

@dataclass
class Calibration:
    """Everything one calibration run produced."""

    states: pd.DataFrame
    dyads: pd.DataFrame
    provenance: pd.DataFrame
    rules: dict
    data_dir: Path
    evidence: list[Evidence] = field(default_factory=list)


def fill_gaps(wide: pd.DataFrame, param: str, missing: float = np.nan) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill a years x entities table by the documented ``gaps`` rule.

    Returns:
        (filled values, flags) where flags hold '' for observed cells and
        '<param>:interpolated|carried_forward|carried_backward|no_data' otherwise.
    """
    observed = wide.notna()
    inside = wide.interpolate(axis=0, limit_area="inside")
    forward = inside.ffill(axis=0)
    filled = forward.bfill(axis=0)
    flags = np.select(
        [observed.to_numpy(), inside.notna().to_numpy(), forward.notna().to_numpy(), filled.notna().to_numpy()],
        ["", f"{param}:interpolated", f"{param}:carried_forward", f"{param}:carried_backward"],
        default=f"{param}:no_data")
    filled = filled.fillna(missing)
    return filled, pd.DataFrame(flags, index=wide.index, columns=wide.columns)


def shares(values: pd.DataFrame) -> pd.DataFrame:
    """Row-normalise so each year sums to 1 across the system."""
    return values.div(values.sum(axis=1), axis=0)


def evidence_sum(records: list[Evidence], dimension: str, years: np.ndarray,
                 match) -> tuple[np.ndarray, list[list[str]]]:
    """Sum of direction*strength per year over matching calibration records, with their ids."""
    total = np.zeros(len(years))
    ids: list[list[str]] = [[] for _ in years]
    for rec in records:
        if rec.use != "calibration" or rec.dimension != dimension or not match(rec):
            continue
        covered = (years >= rec.period_start) & (years <= rec.period_end)
        total += covered * rec.direction * rec.strength
        for i in np.flatnonzero(covered):
            ids[i].append(rec.id)
    return total, ids


class _Provenance:
    """Collects one provenance row per (entity, parameter, year), collapsed at the end."""

    def __init__(self):
        self.rows: list[tuple] = []

    def add(self, entity: str, parameter: str, years, rule: str, data: str,
            evidence=None, flags=None):
        years = list(years)
        evidence = evidence if evidence is not None else [[] for _ in years]
        flags = flags if flags is not None else ["" for _ in years]
        for year, ev, fl in zip(years, evidence, flags):
            self.rows.append((entity, parameter, int(year), rule, data, ";".join(sorted(set(ev))), fl))

    def frame(self) -> pd.DataFrame:
        raw = pd.DataFrame(self.rows, columns=["entity", "parameter", "year", "rule", "data", "evidence", "flags"])
        raw = raw.sort_values(["entity", "parameter", "year"], kind="stable").reset_index(drop=True)
        keys = ["entity", "parameter", "rule", "data", "evidence", "flags"]
        changed = (raw[keys] != raw[keys].shift()).any(axis=1) | (raw.year != raw.year.shift() + 1)
        raw["run"] = changed.cumsum()
        out = raw.groupby("run", sort=False).agg(
            entity=("entity", "first"), parameter=("parameter", "first"), year_start=("year", "min"),
            year_end=("year", "max"), rule=("rule", "first"), data=("data", "first"),
            evidence=("evidence", "first"), flags=("flags", "first"))
        return out[PROVENANCE_COLUMNS].reset_index(drop=True)


def _wide(frame: pd.DataFrame, column: str, codes: list[int], years: np.ndarray, key: str = "ccode") -> pd.DataFrame:
    table = frame.pivot_table(index="year", columns=key, values=column, aggfunc="first")
    return table.reindex(index=years, columns=codes).astype(float)


# --------------------------------------------------------------------------- state rules

def outside_system(states: pd.DataFrame | None, codes: list[int], years: np.ndarray) -> pd.DataFrame:
    """Years x codes: True where the state is in none of its COW state-system spells.

    Why: COW has no rows for a state before it enters its system (West Germany from May
    1955, Austria from July 1955, the GDR from March 1954), so the gaps rule carried their
    first rows back over years of occupation in which they were no state or no sovereign
    one. Knowing those years lets the share rules treat the fill as what it is. The list's
    last end year (2016 in the 2016 list) means "still in the system", so later years of a
    state whose spell ends there count as inside. Without a state list nothing is outside.
    """
    out = pd.DataFrame(False, index=years, columns=codes)
    if states is None:
        return out
    last = int(states.endyear.max())
    for code in codes:
        spells = states[states.ccode == code]
        if spells.empty:
            continue
        inside = np.zeros(len(years), dtype=bool)
        for first, end in zip(spells.styear.astype(int), spells.endyear.astype(int)):
            inside |= (years >= first) & (years <= (9999 if end >= last else end))
        out[code] = ~inside
    return out


def carry_share_back(share: pd.DataFrame, carried: pd.DataFrame) -> pd.DataFrame:
    """Give the ``carried`` cells the state's share of the first later year not carried, and
    rescale the other states of those years so each year still sums to 1.

    Why: the gaps rule fills a level (US$, CINC), so a level of 1955 carried back into 1946,
    when the system's total was about half, claims a share the state never had: West
    Germany's 1955 trade (11.8 bn US$, 0.101 of the system) came out as 0.188 of the 1946
    system, more than in any year it was recorded, although its trade grew faster than the
    system's. The trade rule fills the dependence, not the flow, for the same reason.
    Carrying the entry year's share keeps the state where it was first recorded relative to
    the others. A column with no later uncarried year is left as it is.
    """
    out = share.copy()
    carried = carried.reindex(index=share.index, columns=share.columns, fill_value=False)
    # Latest year first, so a carried cell takes its anchor year's final share (a later year
    # may itself have been rescaled for another state's carried cell).
    for year in share.index[::-1]:
        row = carried.loc[year]
        if not row.any():
            continue
        later = out.loc[out.index > year]
        anchor = pd.Series({code: later.loc[~carried.loc[later.index, code], code].iloc[0]
                            if (~carried.loc[later.index, code]).any() else np.nan for code in share.columns})
        fixed = row & anchor.notna()
        if not fixed.any():
            continue
        rest = share.loc[year, ~fixed].sum()
        scale = (1.0 - anchor[fixed].sum()) / rest if rest > 0 else 1.0
        out.loc[year] = share.loc[year] * scale
        out.loc[year, fixed[fixed].index] = anchor[fixed]
    return out


def not_in_system_shares(share: pd.DataFrame, flags: pd.DataFrame, outside: pd.DataFrame | None,
                         param: str, carry: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shares of the years before a state's system entry that the gaps rule carried back,
    replaced by the entry year's share (:func:`carry_share_back`) when ``carry``, and every
    year outside the system flagged ``<param>:not_in_system``.

    Only carried-back cells change: a state recorded before its entry (the SIPRI rows of the
    Federal Republic from 1953) keeps its readings, which are flagged all the same. Power
    passes ``carry=False``: NMC's CINC is already a share (of the world), so its carried
    value keeps the state's world share of the entry year and needs no second correction.
    """
    if outside is None or not outside.to_numpy().any():
        return share, flags
    outside = outside.reindex(index=share.index, columns=share.columns, fill_value=False)
    carried = outside & _flagged(flags, f"{param}:carried_backward")
    value = carry_share_back(share, carried) if carry else share
    mark = pd.DataFrame(np.where(outside, f"{param}:not_in_system", ""), index=share.index, columns=share.columns)
    return value, _join_flags(flags, mark)


#: The six NMC components CINC averages (COW NMC v7 codebook).
CINC_COMPONENTS = ["milex", "milper", "irst", "pec", "tpop", "upop"]


def cinc_weights(raw: pd.DataFrame, tolerance: float = 1e-4) -> pd.DataFrame:
    """Per year, the reciprocal world total of each CINC component, recovered from the NMC file.

    Why: NMC's CINC is the mean of a state's shares of the world total over the components
    it has (a missing one is left out of the mean, not counted as 0): n_j x cinc_j =
    sum_k c_jk / W_k for every state j of the year. The world totals W_k are not in the
    file, but every state-year of the file gives one such equation, so a least-squares
    solve over the year's states recovers 1 / W_k (to the CINC's rounding, about 1e-7 in
    NMC v7). A year with fewer states than components, or whose equations do not fit within
    ``tolerance`` (relative), gets no weights (NaN) and keeps the published CINC.
    """
    rows = {}
    for year, group in raw.dropna(subset=["cinc"]).groupby("year"):
        parts = group[CINC_COMPONENTS]
        x = parts.fillna(0.0).to_numpy(float)
        y = group.cinc.to_numpy(float) * parts.notna().sum(axis=1).to_numpy(float)
        if len(group) < len(CINC_COMPONENTS) or (y <= 0).any():
            continue
        w, *_ = np.linalg.lstsq(x, y, rcond=None)
        if (w > 0).all() and (np.abs(x @ w - y) / y).max() <= tolerance:
            rows[int(year)] = w
    return pd.DataFrame.from_dict(rows, orient="index", columns=CINC_COMPONENTS)


def offense_from_power(share: pd.DataFrame, flags: pd.DataFrame, power: pd.DataFrame,
                       param: str = "offense") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Offense shares for a state with no spending figure in any year of the run: its power
    share times the year's median offense/power ratio over the states with a reading that
    year; the other states rescaled so the year still sums to 1 (flag ``offense:from_power``).

    Why: neither SIPRI nor NMC has a spending row for the GDR (NMC's GDR rows of 1954-55
    hold soldiers, 106,000 and 108,000, but no milex), and the gaps rule's ``missing`` 0
    read "not recorded" as "spends nothing". A state's power share is the one recorded
    measure of its capability, and the year's median ratio says how spending shares relate
    to power shares among the states that report; the median, not the mean, because the
    ratio runs from near 0 (Iceland) to over 2 (the United States).
    """
    none = _flagged(flags, f"{param}:no_data").all()
    if not none.any():
        return share, flags
    reading = ~_flagged(flags, NOT_READ)
    ratio = (share / power.replace(0.0, np.nan)).where(reading & ~none.to_numpy()[None, :])
    median = ratio.median(axis=1, skipna=True).fillna(0.0)
    # Everyone is rescaled by one factor k so the year sums to 1; the imputed states get power
    # x median x k, which is the median ratio of the rescaled states: k = 1 / (rest + median x P).
    out = share.copy()
    imputed = power.loc[:, none].mul(median, axis=0)
    rest = share.loc[:, ~none].sum(axis=1)
    k = 1.0 / (rest + imputed.sum(axis=1)).replace(0.0, np.nan)
    out.loc[:, ~none] = share.loc[:, ~none].mul(k.fillna(1.0), axis=0)
    out.loc[:, none] = imputed.mul(k.fillna(0.0), axis=0)
    mark = pd.DataFrame(np.where(np.broadcast_to(none.to_numpy(), share.shape), f"{param}:from_power", ""),
                        index=share.index, columns=share.columns)
    return out, _join_flags(flags, mark)


def rule_power(data, codes, years, prov, abbs, raw_nmc=None, dropped=None, outside=None):
    """CINC share within the system; a CINC resting on a gap-filled or blanked component is
    recomputed from the components.

    Why: CINC averages the components a state has, so a component that comes and goes
    changes the mix and the score jumps (Afghanistan's military personnel, missing in
    1995-98 and 2001, recorded as 400,000 in 1999-2000 between 45,000 and 50,000: CINC
    0.0012 -> 0.0041 -> 0.0012). Each component is filled by the ``gaps`` rule (spikes
    blanked first, rule ``spikes``), and where a state-year's CINC rests on a filled or
    blanked cell it is recomputed as the mean over the state's components of component /
    world total (:func:`cinc_weights`), so the mix is the same every year; every other
    state-year keeps NMC's CINC.
    """
    nmc = data["nmc_v7_subset.csv"]
    cinc = _wide(nmc, "cinc", codes, years)
    recomputed = pd.DataFrame(False, index=years, columns=codes)
    if raw_nmc is not None:
        weights = cinc_weights(raw_nmc).reindex(years)
        total = pd.DataFrame(0.0, index=years, columns=codes)
        count = pd.DataFrame(0.0, index=years, columns=codes)
        for part in CINC_COMPONENTS:
            wide = _wide(nmc, part, codes, years)
            blank = wide.isna()
            filled, _ = fill_gaps(wide, part)
            touched = blank & filled.notna() & cinc.notna()
            recomputed |= touched
            has = filled.notna()
            total += filled.fillna(0.0).mul(weights[part], axis=0)
            count += has.astype(float)
        rebuilt = (total / count.replace(0.0, np.nan)).where(weights.notna().all(axis=1), axis=0)
        recomputed &= rebuilt.notna()
        cinc = cinc.where(~recomputed, rebuilt)
    filled, flags = fill_gaps(cinc, "power", missing=0.0)
    flags = flags.mask(recomputed, "power:components_filled")
    if dropped:
        flags = _join_flags(flags, spike_flags(dropped, [("nmc_v7_subset.csv", c) for c in CINC_COMPONENTS],
                                               codes, years, "power"))
    value, flags = not_in_system_shares(shares(filled), flags, outside, "power", carry=False)
    for code, abb in zip(codes, abbs):
        prov.add(abb, "power", years, "power",
                 f"nmc_v7_subset.csv[ccode={code}].cinc / sum over system ccodes {codes} (where flagged "
                 f"components_filled: mean over {'/'.join(CINC_COMPONENTS)} of component / world total "
                 f"recovered from the year's NMC rows)", flags=flags[code])
    return value, flags


SIPRI_COLUMN = "milex_current_usd_m"


def currency_reforms(rule: dict) -> dict[int, set[int]]:
    """COW code -> the years of its documented currency reforms (rule ``offense``,
    ``currency_reforms``).

    Why a table: a currency reform is a dated fact about the unit of a state's figures, not
    something a threshold on the series could tell from a real change. Poland's 1949-50
    step in NMC (5.6x) is caught by the size rule, but its 1950-51 step (3.1x) is smaller
    than the real US demobilisation of 1946-47 (3.2x), so only the date can cut it.

    Raises:
        InputError: an entry without a COW code, a year or a source.
    """
    out: dict[int, set[int]] = {}
    for k, entry in enumerate(rule.get("currency_reforms") or []):
        if not isinstance(entry, dict) or not all(entry.get(key) not in (None, "") for key in ("ccode", "year", "source")):
            raise InputError("calibration_rules.yaml", f"rules.offense.currency_reforms[{k}]",
                             "ccode (a COW code), year (the reform's year) and source (a citation)", got=entry)
        try:
            code, year = int(entry["ccode"]), int(entry["year"])
        except (TypeError, ValueError):
            raise InputError("calibration_rules.yaml", f"rules.offense.currency_reforms[{k}]",
                             "a whole-number ccode and year", got=entry) from None
        out.setdefault(code, set()).add(year)
    return out


def global_milex_ratio(data) -> float:
    """Median SIPRI current US$ / NMC milex (millions) over every state-year of the data files
    with both recorded and positive (1.0 when there is none): the conversion for a state
    SIPRI never covers, the same for any state system."""
    both = data["sipri_milex_1949_2023_subset.csv"][["ccode", "year", SIPRI_COLUMN]].merge(
        data["nmc_v7_subset.csv"][["ccode", "year", "milex"]], on=["ccode", "year"])
    both = both[(both[SIPRI_COLUMN] > 0) & (both.milex > 0)]
    return float(np.median(both[SIPRI_COLUMN] / (both.milex / 1000.0))) if len(both) else 1.0


def splice_nmc(nmc: pd.Series, sipri: pd.Series, global_ratio: float, break_factor: float,
               nearest: int, reforms=()) -> tuple[pd.Series, pd.Series, str]:
    """One state's NMC military spending put on SIPRI's scale where SIPRI has no value.

    Why: NMC's series joins sources of different units (Uzbekistan: 2,400 M US$ in 2004,
    76 M in 2005; Poland: 5,730 M in 1949, 1,021 M in 1950) and its ratio to SIPRI moves
    with them (Uzbekistan 0.39 in 1996, 0.025 in 2003), so one median ratio over all years
    joins the breaks. NMC is cut into segments where two consecutive recorded values differ
    by more than ``break_factor``; a year is converted by the median SIPRI/NMC ratio of the
    (up to) ``nearest`` overlap years of its own segment nearest to it. A segment with no
    overlap year, in a state SIPRI covers in another segment, is on a unit nothing ties to
    SIPRI and is not read (the gaps rule fills it from the years around it). A state SIPRI
    never covers takes ``global_ratio``.

    ``reforms`` are the years of the state's documented currency reforms (rule ``offense``,
    ``currency_reforms``): the reform year's NMC value mixes two currencies and is not read,
    and the series is cut there whatever the size of the step, so the years on each side
    are tied to SIPRI only by overlap years on their own side (Poland's zloty reform of
    October 1950: NMC 5,730 M US$ in 1949, 1,021 M in 1950, 330 M in 1951).

    Returns:
        (converted values where SIPRI is missing, else NaN; True where NMC was recorded but
        not read; a short description of the ratio used).
    """
    years = nmc.index.to_numpy()
    reforms = sorted(int(y) for y in reforms)
    mixed = np.isin(years, reforms) & nmc.notna().to_numpy()
    nmc = nmc.where(~mixed)
    recorded = nmc.notna().to_numpy()
    overlap = recorded & sipri.notna().to_numpy() & (nmc.fillna(0).to_numpy() > 0) & \
        (sipri.fillna(0).to_numpy() > 0)
    converted = pd.Series(np.nan, index=nmc.index)
    unread = pd.Series(False, index=nmc.index)
    missing = recorded & sipri.isna().to_numpy()
    unread[mixed & sipri.isna().to_numpy()] = True
    if not overlap.any():
        converted[missing] = nmc[missing] * global_ratio
        return converted, unread, f"x {global_ratio:.4f}, the median SIPRI/NMC over every state-year with both"
    segment, current, previous, last_year = np.full(len(years), -1), 0, None, None
    for i in np.flatnonzero(recorded):
        value = float(nmc.iloc[i])
        jump = previous is not None and value > 0 and previous > 0 and \
            max(value, previous) > break_factor * min(value, previous)
        reform = last_year is not None and any(last_year <= r < years[i] for r in reforms)
        if jump or reform:
            current += 1
        segment[i], previous, last_year = current, value, years[i]
    ratio = (sipri / nmc).to_numpy()
    for i in np.flatnonzero(missing):
        own = np.flatnonzero(overlap & (segment == segment[i]))
        if not len(own):
            unread.iloc[i] = True
            continue
        closest = sorted(own, key=lambda j: (abs(years[j] - years[i]), years[j]))[:nearest]
        converted.iloc[i] = float(nmc.iloc[i]) * float(np.median(ratio[closest]))
    return converted, unread, (f"x the median SIPRI/NMC of the {nearest} nearest overlap years in the "
                               f"same NMC segment, segments cut at changes over {break_factor:g}x")


def rule_offense(data, codes, years, prov, abbs, rule, power, dropped=None, outside=None):
    """Share of the system's military spending in current US$ (SIPRI; NMC spliced where SIPRI
    has no figure; gaps filled).

    Why current US$: a share of one year's spending compares the states at that year's
    exchange rates, the unit in which SIPRI states world shares. Constant 2022 dollars
    deflate each state by its own price index and convert at 2022's rate, so a state whose
    index understated its inflation before a devaluation (Uzbekistan before 2017: 24.9 M
    constant-2022 US$ in 1995 against 112.7 M current) falls out of the year's comparison.
    SIPRI's 0.0 current-US$ cells (Russia 1992, Kazakhstan 1993, Romania 1950-55) are not
    recorded, nor are cells whose own row gives a share of GDP below ``min_share_gdp``.
    """
    sipri = _wide(data["sipri_milex_1949_2023_subset.csv"], SIPRI_COLUMN, codes, years)
    share_gdp = _wide(data["sipri_milex_1949_2023_subset.csv"], "milex_share_gdp", codes, years)
    # A dollar figure whose own row puts spending below min_share_gdp of GDP is not a reading
    # (Tajikistan 1992-94: 1.04-23.5 M US$, 0.000-0.003% of GDP, in a civil war).
    implausible = share_gdp < float(rule.get("min_share_gdp", 0.0))
    sipri = sipri.where((sipri > 0) & ~implausible)
    nmc = _wide(data["nmc_v7_subset.csv"], "milex", codes, years) / 1000.0  # thousands -> millions
    global_ratio = global_milex_ratio(data)
    break_factor, nearest = float(rule.get("break_factor", 4.0)), int(rule.get("splice_years", 3))
    converted = pd.DataFrame(np.nan, index=years, columns=codes)
    unread = pd.DataFrame(False, index=years, columns=codes)
    how = {}
    reforms = currency_reforms(rule)
    reform_cells = pd.DataFrame(False, index=years, columns=codes)
    for code in codes:
        converted[code], unread[code], how[code] = splice_nmc(nmc[code], sipri[code], global_ratio,
                                                              break_factor, nearest, reforms.get(code, ()))
        reform_cells[code] = np.isin(years, sorted(reforms.get(code, ()))) & nmc[code].notna().to_numpy() \
            & sipri[code].isna().to_numpy()
    use_nmc = sipri.isna() & converted.notna()
    series = sipri.where(~use_nmc, converted)
    filled, flags = fill_gaps(series, "offense", missing=0.0)
    flags = flags.mask(use_nmc, "offense:nmc_fallback")
    flags = _join_flags(flags, pd.DataFrame(np.where(reform_cells, "offense:currency_reform",
                                                     np.where(unread, "offense:nmc_unit_break", "")),
                                            index=years, columns=codes))
    if dropped:
        flags = _join_flags(flags, spike_flags(dropped, [("nmc_v7_subset.csv", "milex"),
                                                         ("sipri_milex_1949_2023_subset.csv", SIPRI_COLUMN)],
                                               codes, years, "offense"))
    value, flags = not_in_system_shares(shares(filled), flags, outside, "offense")
    value, flags = offense_from_power(value, flags, power)
    blend = float(rule.get("blend_power", 0.0))
    value = (1 - blend) * value + blend * power
    for code, abb in zip(codes, abbs):
        prov.add(abb, "offense", years, "offense",
                 f"sipri_milex_1949_2023_subset.csv[ccode={code}].{SIPRI_COLUMN} "
                 f"(fallback nmc_v7_subset.csv[ccode={code}].milex {how[code]}) / system total",
                 flags=flags[code])
    return value, flags


def rule_economy(data, codes, years, prov, abbs, dropped=None, outside=None):
    frame = data["cow_national_trade_v4_subset.csv"].assign(
        total=lambda d: d.imports + d.exports)
    total = _wide(frame, "total", codes, years)
    filled, flags = fill_gaps(total, "economy", missing=0.0)
    if dropped:
        flags = _join_flags(flags, spike_flags(dropped, [("cow_national_trade_v4_subset.csv", "imports"),
                                                         ("cow_national_trade_v4_subset.csv", "exports")],
                                               codes, years, "economy"))
    value, flags = not_in_system_shares(shares(filled), flags, outside, "economy")
    for code, abb in zip(codes, abbs):
        prov.add(abb, "economy", years, "economy",
                 f"cow_national_trade_v4_subset.csv[ccode={code}].imports+exports / system total", flags=flags[code])
    return value, flags


def rule_democracy(data, codes, years, prov, abbs, rule):
    vdem = _wide(data["vdem_v14_focal_subset.csv"], "v2x_polyarchy", codes, years)
    # V-Dem v10 (the only V-Dem source for the years before vdem14's first year)
    first_v14 = int(rule.get("vdem14_first_year", 1970))
    vdem10 = _wide(data["democracy_vdem10_polity_quds_subset.csv"], "v2x_polyarchy", codes, years)
    use_v10 = vdem.isna() & vdem10.notna() & (vdem.index.to_numpy() < first_v14)[:, None]
    vdem = vdem.where(~use_v10, vdem10)
    intercept, slope = polity_on_vdem_scale(data, first_v14)
    polity2 = _wide(data["polity5_subset.csv"], "polity2", codes, years, key="ccode_cow")
    polity = (intercept + slope * polity2).clip(0.0, 1.0)
    use_polity = vdem.isna() & polity.notna()
    series = vdem.where(~use_polity, polity)
    filled, flags = fill_gaps(series, "democracy", missing=0.5)
    flags = flags.mask(use_polity, "democracy:polity_fallback")
    flags = flags.mask(use_v10, "democracy:vdem10")
    for code, abb in zip(codes, abbs):
        source = (f"democracy_vdem10_polity_quds_subset.csv[ccode={code}].v2x_polyarchy (years before "
                  f"{first_v14}); " if use_v10[code].any() else "")
        prov.add(abb, "democracy", years, "democracy",
                 source + f"vdem_v14_focal_subset.csv[ccode={code}].v2x_polyarchy "
                 f"(fallback {intercept:.4f} + {slope:.4f} x polity5_subset.csv[ccode_cow={code}].polity2)",
                 flags=flags[code])
    return filled, flags


def polity_on_vdem_scale(data, first_v14: int) -> tuple[float, float]:
    """Intercept and slope that put Polity's polity2 (-10..10) on V-Dem's polyarchy scale.

    Why: the two indices have different scales (a polity2 of 10 is a full democracy, while
    V-Dem's polyarchy of the same states is about 0.6-0.9), so a fixed rescaling
    (polity2 + 10) / 20 made every state on the Polity fallback look more democratic than
    its V-Dem neighbours and made its series jump where V-Dem begins (Austria 1954-55). The
    map is a least-squares line over every state-year of the data files where both the V-Dem
    series the rule reads and Polity5 exist, so it is the same for any state system.
    """
    vdem = pd.concat([
        data["vdem_v14_focal_subset.csv"][["ccode", "year", "v2x_polyarchy"]],
        data["democracy_vdem10_polity_quds_subset.csv"].query("year < @first_v14")[["ccode", "year", "v2x_polyarchy"]],
    ]).dropna().drop_duplicates(["ccode", "year"])
    polity = data["polity5_subset.csv"].rename(columns={"ccode_cow": "code"})[["code", "year", "polity2"]]
    both = vdem.merge(polity.dropna(), left_on=["ccode", "year"], right_on=["code", "year"])
    if len(both) < 2:
        return 0.5, 0.05  # the old fixed rescaling, when no overlap can be measured
    slope, intercept = np.polyfit(both.polity2.to_numpy(float), both.v2x_polyarchy.to_numpy(float), 1)
    return float(intercept), float(slope)


def thin_votes(frame: pd.DataFrame, count: str, codes, years, share: float) -> pd.DataFrame:
    """Years x codes: True where the state's vote count is below ``share`` times the median
    count of every state of the data file in that year.

    Why relative to the year: the number of votes the estimates rest on swings with the
    sessions (in 1951 every member has 4-5 final-passage votes, in 1952 33-38), so a fixed
    count would blank whole years; a state far below its own year's median (Turkmenistan
    1996: 5 votes against a median of 63) was absent from most of the session, and its
    estimate rests on the few votes it cast.
    """
    counts = _wide(frame, count, codes, years)
    median = frame.groupby("year")[count].median().reindex(years)
    return counts.lt(median * share, axis=0)


def ideal_points(data, codes, years, rule: dict | None = None):
    """Gap-filled UN ideal points (fp, with all-votes fallback) and their flags.

    An estimate resting on fewer than ``thin_share`` of the year's median number of votes
    (:func:`thin_votes`, on the vote count of the column read) is not read and is filled
    from the state's neighbouring years (flag ideal_point:thin_votes with the gap flag);
    one under ``few_share`` of the median is read and flagged ideal_point:few_votes.
    """
    rule = rule or {}
    frame = data["un_idealpoints_jul2025_subset.csv"]
    fp = _wide(frame, "idealpointfp", codes, years)
    allv = _wide(frame, "idealpointall", codes, years)
    use_all = fp.isna() & allv.notna()
    series = fp.where(~use_all, allv)

    def below(share: float) -> pd.DataFrame:
        by_fp = thin_votes(frame, "nvotesfp", codes, years, share)
        return by_fp.where(~use_all, thin_votes(frame, "nvotesall", codes, years, share)) & series.notna()

    thin = below(float(rule.get("thin_share", 0.0)))
    few = below(float(rule.get("few_share", 0.0))) & ~thin
    ousted = seat_not_held(rule.get("seat_not_held", []), codes, years)
    filled, flags = fill_gaps(series.where(~thin & ~ousted), "ideal_point", missing=0.0)
    flags = flags.mask(use_all & ~thin, "ideal_point:all_votes_fallback")
    flags = _join_flags(flags, pd.DataFrame(np.where(thin, "ideal_point:thin_votes",
                                                     np.where(few, "ideal_point:few_votes", "")),
                                            index=years, columns=codes))
    return filled.mask(ousted, 0.0), flags.mask(ousted, f"ideal_point:{SEAT_NOT_HELD}")


def seat_not_held(spells: list[dict] | None, codes, years) -> pd.DataFrame:
    """Cells (years x codes) whose UN votes were cast for a government ousted from the capital.

    Why: the model's state is whoever holds the capital (the leader rule, the scenario's
    changes of government), but the General Assembly seats the delegation whose credentials
    it accepted. When the Credentials Committee defers a contested seat, the ousted
    government's mission keeps voting (Afghanistan under the Taliban, 1996-2000 and from
    2021), so its votes describe the government in exile, not the one in Kabul. Those
    cells are not read, and the gaps rule does not fill them from the ousted government's
    other years either: they count as unseen, like a state that never voted.

    The entries are checked when the rules file is read (:func:`check_seat_spells`).
    """
    out = pd.DataFrame(False, index=years, columns=codes)
    for spell in spells or []:
        if spell["ccode"] in out.columns:
            out.loc[(out.index >= spell["from"]) & (out.index <= spell["to"]), spell["ccode"]] = True
    return out


def check_seat_spells(spells, path: str | Path = "calibration_rules.yaml", text: str | None = None) -> None:
    """Refuse a ``seat_not_held`` list that :func:`seat_not_held` could misread.

    Raises:
        InputError: not a list of entries, or an entry that is not exactly a COW code, its
            first and last years in order (whole numbers), the delegation that held the seat,
            the government in the capital and a source (text). A code or year that is not a
            whole number was truncated, and a misspelt key or a code no state can have let
            the votes be read without a word.
    """
    from sim.files import yaml_line
    where = "rules.ideology_west.seat_not_held"
    if spells is None:
        return
    if not isinstance(spells, list):
        raise InputError(path, where, "a list of entries (ccode, from, to, holder, capital, source)", got=spells,
                         line=yaml_line(text, ("rules", "ideology_west", "seat_not_held")) if text else None)
    for k, spell in enumerate(spells):
        problem = _seat_spell_problem(spell)
        if problem:
            at = yaml_line(text, ("rules", "ideology_west", "seat_not_held", k)) if text else None
            raise InputError(path, f"{where}[{k}]", problem, line=at, got=spell)


def _seat_spell_problem(spell) -> str | None:
    """What a ``seat_not_held`` entry lacks, or None when it is sound."""
    keys = ("ccode", "from", "to", "holder", "capital", "source")
    expected = ("exactly ccode (a COW code), from and to (the years), holder (the delegation), capital "
                "(the government in the capital) and source")
    if not isinstance(spell, dict) or set(spell) != set(keys):
        return expected
    whole = [spell[key] for key in ("ccode", "from", "to")]
    if any(isinstance(v, bool) or not isinstance(v, int) for v in whole):
        return "whole numbers for ccode, from and to"
    if not 2 <= spell["ccode"] <= 999:
        return "a COW state code (2 to 999) for ccode"
    if spell["from"] > spell["to"]:
        return "from no later than to"
    if any(not isinstance(spell[key], str) or not spell[key].strip() for key in ("holder", "capital", "source")):
        return "text for holder, capital and source"
    return None


def midpoint_for_unseen(value: pd.DataFrame, flags: pd.DataFrame, param: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A state with no ideal point in any year of the run takes the midpoint between the
    lowest and the highest value of the states whose estimate is read that year (flag
    ``<param>:system_midpoint`` next to ``<param>:no_data``).

    Why: the gaps rule's ``missing`` ideal point 0 was read as a position, so Italy,
    Ireland, Albania and the GDR sat at one point for no reason in the data. The data say
    nothing about where these states stood, so no value is right; the value that tilts such
    a state towards neither end of the year's recorded range is the point equidistant from
    both ends, as the interests rule gives such pairs a vote term of 0 (neither convergent
    nor divergent). The year's median would not do: in a system with more Western than
    Eastern members it sits among the Western states (0.52-0.65 in 1946-55, next to Greece
    and the United States), which would put the GDR, Albania and Bulgaria with them.

    In a year when no state's estimate is read (every state unseen or filled), there is no
    range: such states take the middle of the scale, 0.5 (flag ``<param>:scale_midpoint``),
    not the rescaled ideal point 0 the gaps rule left there.
    """
    unseen = _flagged(flags, UNSEEN)
    read = ~(_flagged(flags, NOT_READ) | _flagged(flags, ":thin_votes") | unseen)
    seen = value.where(read)
    midpoint = (seen.min(axis=1, skipna=True) + seen.max(axis=1, skipna=True)) / 2.0
    ranged = midpoint.notna().to_numpy()[:, None]
    out = value.mask(unseen, midpoint.fillna(0.5), axis=0)
    mark = np.where(unseen & ranged, f"{param}:system_midpoint", np.where(unseen, f"{param}:scale_midpoint", ""))
    return out, _join_flags(flags, pd.DataFrame(mark, index=value.index, columns=value.columns))


def rule_ideology_west(ideal, ideal_flags, codes, years, prov, abbs, rule):
    low, high = float(rule["low"]), float(rule["high"])
    value = ((ideal - low) / (high - low)).clip(0.0, 1.0)
    flags = ideal_flags.replace(r"(^|;)ideal_point:", r"\1ideology_west:", regex=True)
    value, flags = midpoint_for_unseen(value, flags, "ideology_west")
    for code, abb in zip(codes, abbs):
        prov.add(abb, "ideology_west", years, "ideology_west",
                 f"un_idealpoints_jul2025_subset.csv[ccode={code}].idealpointfp", flags=flags[code])
    return value, flags


def rule_capital(data, codes, years, prov, abbs):
    caps = data["cow_capitals_subset.csv"]
    lat = pd.DataFrame(np.nan, index=years, columns=codes)
    lon = lat.copy()
    for code, abb in zip(codes, abbs):
        rows = caps[caps.ccode == code]
        for year in years:
            day = f"{year}-12-31"
            hit = rows[(rows.stdate <= day) & (rows.enddate >= day)]
            if len(hit):
                lat.loc[year, code] = hit.lat.iloc[0]
                lon.loc[year, code] = hit.lng.iloc[0]
                prov.add(abb, "lat", [year], "capital",
                         f"cow_capitals_subset.csv[ccode={code};capital={hit.capital.iloc[0]}]")
                prov.add(abb, "lon", [year], "capital",
                         f"cow_capitals_subset.csv[ccode={code};capital={hit.capital.iloc[0]}]")
    lat_f, lat_flags = fill_gaps(lat, "capital")
    lon_f, _ = fill_gaps(lon, "capital")
    return lat_f, lon_f, lat_flags


def rule_doctrine(records, abbs, years, prov, rule):
    out, baseline, step = {}, rule["baseline"], float(rule["step"])
    for param, dimension in rule["dimensions"].items():
        table = pd.DataFrame(index=years, columns=abbs, dtype=float)
        for abb in abbs:
            total, ids = evidence_sum(records, dimension, years, lambda r, s=abb: r.actors[0] == s)
            if param == "neutral":
                value = np.where(total > 0, 1.0, float(baseline[param]))
            else:
                value = np.clip(float(baseline[param]) + step * total, 0.0, 1.0)
            table[abb] = value
            prov.add(abb, param, years, "doctrine", f"baseline {baseline[param]} (rule parameter)", evidence=ids)
        out[param] = table
    return out


def rule_leader(rules, abbs, years, prov):
    table = pd.DataFrame("", index=years, columns=abbs, dtype=object)
    flags = pd.DataFrame("", index=years, columns=abbs, dtype=object)
    for state, name, first, last, source in rules["leaders"]:
        if state in abbs:
            span = [y for y in years if first <= y <= last]
            table.loc[span, state] = name
            prov.add(state, "leader", span, "leader", f"calibration_rules.yaml leaders: {name} ({source})")
    for abb in abbs:
        gap = table[abb] == ""
        flags.loc[gap, abb] = "leader:unknown"
    return table, flags


# --------------------------------------------------------------------------- states

def state_list(config: dict, cow: pd.DataFrame | None) -> dict:
    """Every state calibration knows: the rules file's states (their names kept), then every
    state of the COW state list ``cow`` (:func:`read_state_list`; COW abbreviation -> code and
    name; a state with several spells keeps the name of its latest one)."""
    known = {abb: dict(v) for abb, v in config["states"].items()}
    if cow is None:
        return known
    for _, row in cow.sort_values("styear", kind="stable").iterrows():
        if row.stateabb not in config["states"]:
            known[str(row.stateabb)] = {"ccode": int(row.ccode), "name": str(row.statenme)}
    return known


def resolve_state(token, known: dict, data_dir: Path) -> str:
    """A COW abbreviation or numeric code -> the abbreviation."""
    text = str(token).strip()
    if text in known:
        return text
    if text.isdigit():
        for abb, v in known.items():
            if int(v["ccode"]) == int(text):
                return abb
    raise InputError(data_dir / STATE_LIST, "states",
                     "a COW abbreviation or code of the state list (e.g. USA or 2)", got=text)


# --------------------------------------------------------------------------- dyad rules

def _pairs(abbs):
    return [(a, b) for a in abbs for b in abbs if a != b]


def _read_inputs(data_dir: Path, all_codes: set[int], r: dict, codes: list[int], years: np.ndarray):
    """Every data file, read and checked; the union rows and the isolated spikes taken out.

    Returns:
        (data, NMC as published, the spike cells blanked): the CINC equations of the rule
        ``power`` hold for the published NMC rows, not for the cleaned ones.
    """
    data = {name: read_data(data_dir, name, all_codes) for name in DATA_SCHEMA}
    raw_nmc = data["nmc_v7_subset.csv"]
    data = without_union_rows(data, r.get("succession", {}), set(codes))
    data, dropped = without_spikes(data, r.get("spikes", {}), codes, years)
    return data, raw_nmc, dropped


def calibrate(states: list[str] | None = None, start: int = 1991, end: int = 2024, *,
              data_dir: str | Path = DEFAULT_DATA, evidence: str | Path = DEFAULT_LEDGER,
              documents: str | Path = DEFAULT_DOCUMENTS, rules: str | Path = DEFAULT_RULES) -> Calibration:
    """Run every rule for ``states`` (COW abbreviations) over ``start``..``end``.

    Raises:
        InputError: unknown state, reversed years, or a malformed data row or ledger record.
    """
    rules_path = Path(rules)
    config = load_rules(rules_path)
    data_dir = Path(data_dir)
    default = list(config["states"])
    cow = read_state_list(data_dir)  # read once: names here, entry months for the borders
    known = state_list(config, cow)
    config["states"] = known
    abbs = [resolve_state(s, known, data_dir) for s in states] if states else default
    if len(set(abbs)) != len(abbs) or len(abbs) < 2:
        raise InputError("--states", "states", "two or more distinct state ids", got=",".join(abbs))
    if end < start:
        raise InputError("--end", "end", f"a year not before --start ({start})", got=end)
    abbs = sorted(abbs)
    codes = [int(known[a]["ccode"]) for a in abbs]
    code_of = dict(zip(abbs, codes))
    years = np.arange(start, end + 1)
    all_codes = {int(v["ccode"]) for v in known.values()}
    data, raw_nmc, dropped = _read_inputs(data_dir, all_codes, config["rules"], codes, years)
    data[STATE_LIST] = cow
    records = load_ledger(evidence, documents)
    r = config["rules"]
    prov = _Provenance()

    outside = outside_system(cow, codes, years)
    power, f_power = rule_power(data, codes, years, prov, abbs, raw_nmc, dropped, outside)
    offense, f_off = rule_offense(data, codes, years, prov, abbs, r["offense"], power, dropped, outside)
    economy, f_eco = rule_economy(data, codes, years, prov, abbs, dropped, outside)
    democracy, f_dem = rule_democracy(data, codes, years, prov, abbs, r["democracy"])
    ideal, f_ideal = ideal_points(data, codes, years, r["ideology_west"])
    west, f_west = rule_ideology_west(ideal, f_ideal, codes, years, prov, abbs, r["ideology_west"])
    lat, lon, f_cap = rule_capital(data, codes, years, prov, abbs)
    doctrine = rule_doctrine(records, abbs, years, prov, r["doctrine"])
    leader, f_lead = rule_leader(config, abbs, years, prov)

    state_rows = []
    for code, abb in zip(codes, abbs):
        flag_cols = [f_power[code], f_off[code], f_eco[code], f_dem[code], f_west[code], f_cap[code], f_lead[abb]]
        flags = [";".join(sorted({f for f in fl if f})) for fl in zip(*[c.to_numpy() for c in flag_cols])]
        state_rows.append(pd.DataFrame({
            "state": abb, "name": known[abb]["name"], "year": years,
            "power": power[code].to_numpy(), "offense": offense[code].to_numpy(),
            "economy": economy[code].to_numpy(), "lat": lat[code].to_numpy(), "lon": lon[code].to_numpy(),
            "democracy": democracy[code].to_numpy(), "ideology_west": west[code].to_numpy(),
            "neutral": doctrine["neutral"][abb].to_numpy().astype(int),
            "multi_vector": doctrine["multi_vector"][abb].to_numpy(),
            "autonomy": doctrine["autonomy"][abb].to_numpy(), "bandwagon": doctrine["bandwagon"][abb].to_numpy(),
            "leader": leader[abb].to_numpy(), "flags": flags}))
    states_df = pd.concat(state_rows, ignore_index=True)[STATE_COLUMNS]

    dyads_df = _calibrate_dyads(data, config, records, abbs, code_of, years, ideal, f_ideal, prov, lat, lon)
    states_df = states_df.sort_values(["state", "year"], kind="stable").reset_index(drop=True)
    return Calibration(states_df, dyads_df, prov.frame(), config, data_dir, records)


def _calibrate_dyads(data, config, records, abbs, code_of, years, ideal, f_ideal, prov, lat=None, lon=None):
    """One row per ordered pair and year: interests, trade, intent, distance, contiguity."""
    src = _dyad_sources(data, code_of, years, config["rules"]["trade"])
    rows = []
    for a, b in _pairs(abbs):
        ca, cb = code_of[a], code_of[b]
        ctx = _PairContext(a, b, ca, cb, tuple(sorted((ca, cb))), f"{a}-{b}", years, records, prov)
        interests, ip_flags = _pair_interests(ctx, config["rules"]["interests"], ideal, f_ideal)
        trade, t_flags = _pair_trade(ctx, src)
        intent = _pair_intent(ctx, config["rules"]["intent"])
        distance, d_flags = _pair_distance(ctx, src, lat, lon)
        contig, c_flags = _pair_contiguity(ctx, src)
        flags = [";".join(sorted({f for part in parts for f in part.split(";") if f}))
                 for parts in zip(ip_flags, t_flags, d_flags, c_flags)]
        rows.append(pd.DataFrame({"a": a, "b": b, "year": years, "interests": interests, "trade": trade,
                                  "intent": intent, "distance_km": distance,
                                  "contiguity": contig, "flags": flags}))
    out = _trade_within_total(pd.concat(rows, ignore_index=True)[DYAD_COLUMNS])
    return out.sort_values(["a", "b", "year"], kind="stable").reset_index(drop=True)


def _trade_within_total(dyads: pd.DataFrame) -> pd.DataFrame:
    """Trade dependences of one state in one year sum to at most 1.

    A state's total trade cannot be less than its recorded trade with the partners in the
    table; where COW's national total falls short of it (mostly a bilateral flow carried
    backward into a year with a smaller national total, as for Romania and the USSR in
    1946), the bilateral sum is the denominator instead (flag ``trade:scaled_to_partners``).
    """
    total = dyads.groupby(["a", "year"])["trade"].transform("sum")
    over = total > 1.0 + 1e-9
    dyads.loc[over, "trade"] = dyads.loc[over, "trade"] / total[over]
    scaled = over & (dyads["trade"] > 0)
    dyads.loc[scaled, "flags"] = [f"{f};trade:scaled_to_partners" if f else "trade:scaled_to_partners"
                                  for f in dyads.loc[scaled, "flags"].fillna("")]
    return dyads


#: The last year the COW contiguity data covers; contiguity is carried forward after it.
CONTIGUITY_LAST_YEAR = 2016


@dataclass
class _PairContext:
    """What every dyadic rule needs to know about the pair it calibrates."""

    a: str
    b: str
    ca: int
    cb: int
    pair: tuple
    entity: str
    years: np.ndarray
    records: list
    prov: "_Provenance"

    def evidence(self, dimension: str):
        return evidence_sum(self.records, dimension, self.years, lambda rec: rec.involves_pair(self.a, self.b))


def reporting_breaks(rule: dict) -> set[tuple[tuple[int, int], int]]:
    """The (pair, year) cells of the trade rule's documented reporting breaks.

    Why: where a customs union ends customs declarations on its members' mutual trade, the
    source's bilateral flows fall for the years the reporting changes over (Russia-Kazakhstan
    12.4 bn US$ in 2009, 7.6 and 10.1 in 2010-11, 25.6 in 2012) although the trade did not
    halve. Such a break is a fact about the source with a date and a citation, not something
    a threshold could find without also removing real changes, so the rules read it from a
    table: every pair among an entry's states is not recorded in its years.

    Raises:
        InputError: an entry without two or more states, or without years.
    """
    out = set()
    for k, entry in enumerate(rule.get("reporting_breaks") or []):
        states, span = entry.get("ccodes") or [], entry.get("years") or []
        if len(states) < 2 or len(span) != 2:
            raise InputError("calibration_rules.yaml", f"rules.trade.reporting_breaks[{k}]",
                             "ccodes (two or more COW codes) and years [first, last]", got=entry)
        for a in states:
            for b in states:
                if a < b:
                    out |= {((int(a), int(b)), y) for y in range(int(span[0]), int(span[1]) + 1)}
    return out


def lone_zero_flows(dyadic: pd.DataFrame, min_flow: float) -> pd.Series:
    """True for the dyad-years where one flow is exactly 0 although the same flow is at least
    ``min_flow`` in both adjacent years and the other flow of the year is positive.

    Why: COW rounds flows to 1 M US$, so a 0 between years of 1 or 2 is rounding, but a flow
    of tens of millions that vanishes for one year and comes back while the other direction
    goes on is a missing report (Czechoslovakia's imports from the Netherlands, France,
    Italy and Denmark all 0 in 1949 between 1948 and 1950; US exports to Tajikistan 0 in
    2007 between 62 and 8 M US$, where COW's own smoothed flow gives 35).
    """
    keyed = dyadic.set_index(["ccode1", "ccode2", "year"])
    lone = pd.Series(False, index=keyed.index)
    for flow, other in (("flow1", "flow2"), ("flow2", "flow1")):
        before = keyed[flow].rename(lambda y: y + 1, level="year").reindex(keyed.index)
        after = keyed[flow].rename(lambda y: y - 1, level="year").reindex(keyed.index)
        lone |= (keyed[flow] == 0) & (keyed[other] > 0) & (before >= min_flow) & (after >= min_flow)
    return pd.Series(lone.to_numpy(), index=dyadic.index)


def _dyad_sources(data, code_of, years, trade_rule: dict) -> dict:
    """The dyadic source tables in wide form: trade totals, national totals, distances, contiguity."""
    national = data["cow_national_trade_v4_subset.csv"].assign(total=lambda d: d.imports + d.exports)
    nat_filled, nat_flags = fill_gaps(_wide(national, "total", list(code_of.values()), years), "trade")
    dyadic = data["cow_dyadic_trade_v4_subset.csv"]
    # Both flows exactly 0 is a non-report, not an absence of trade (the post-Soviet
    # states' first years, when Russia was their main partner; US-Afghan trade in 2012):
    # such rows are dropped, as the shared data's own subsets drop them, and the gaps rule fills them.
    dyadic = dyadic[(dyadic.flow1 != 0) | (dyadic.flow2 != 0)]
    dyadic = dyadic.assign(total=dyadic.flow1 + dyadic.flow2,
                           pair=[tuple(sorted(p)) for p in zip(dyadic.ccode1, dyadic.ccode2)])
    cells = list(zip(dyadic.pair, dyadic.year.astype(int)))
    lone = lone_zero_flows(dyadic, float(trade_rule.get("lone_zero_min_flow", np.inf))).to_numpy()
    lone_cells = {cell for cell, flagged in zip(cells, lone) if flagged}
    breaks = reporting_breaks(trade_rule)
    dyadic = dyadic[~lone & np.array([cell not in breaks for cell in cells], dtype=bool)]
    dist = data["capital_distance_focal_dyads.csv"].assign(
        pair=lambda d: [tuple(sorted(p)) for p in zip(d.ccode1, d.ccode2)])
    cont = data["cow_contiguity_v3_2_subset.csv"]
    return {"nat_filled": nat_filled, "nat_flags": nat_flags, "entries": system_entries(data.get(STATE_LIST)),
            "pair_total": dyadic.pivot_table(index="year", columns="pair", values="total", aggfunc="first"),
            "dist_wide": dist.pivot_table(index="year", columns="pair", values="capdist_km", aggfunc="first"),
            "cont": cont[cont.conttype == 1], "breaks": breaks, "lone": lone_cells}


def _pair_interests(ctx: _PairContext, ri: dict, ideal, f_ideal):
    """Interest convergence from the UN ideal-point distance, nudged by coded evidence."""
    dist_ip = (ideal[ctx.ca] - ideal[ctx.cb]).abs().to_numpy()
    # A state never seen voting (not a UN member in or near the year) tells nothing of its
    # interests: the vote term is 0, not the distance to the ideal point 0 the gaps rule
    # fills in (which put the GDR, Albania and Bulgaria closer to Washington than Moscow).
    unseen = (f_ideal[ctx.ca].str.contains(UNSEEN) | f_ideal[ctx.cb].str.contains(UNSEEN)).to_numpy()
    base = np.where(unseen, 0.0, 1.0 - 2.0 * dist_ip / float(ri["scale"]))
    ev, ev_ids = ctx.evidence("interest_convergence")
    adjust = np.clip(float(ri["step"]) * ev, -float(ri["cap"]), float(ri["cap"]))
    interests = np.clip(base + adjust, -1.0, 1.0)
    ip_flags = [";".join(x for x in (fa, fb) if x).replace("ideal_point:", "interests:")
                for fa, fb in zip(f_ideal[ctx.ca], f_ideal[ctx.cb])]
    ctx.prov.add(ctx.entity, "interests", ctx.years, "interests",
                 f"un_idealpoints_jul2025_subset.csv[ccode={ctx.ca}], [ccode={ctx.cb}].idealpointfp",
                 evidence=ev_ids, flags=ip_flags)
    return interests, ip_flags


def _pair_trade(ctx: _PairContext, src: dict):
    """Trade dependence of a on b: both directions summed, divided by a's total trade."""
    years, pair, ca = ctx.years, ctx.pair, ctx.ca
    pair_total = src["pair_total"]
    series = pair_total[pair].reindex(years) if pair in pair_total.columns else pd.Series(np.nan, index=years)
    # The gaps rule fills the dependence, not the flow: a flow carried into a year whose
    # national total is smaller (the new states' 1992-93 totals, before their trade with the
    # rest of the former Union was counted) would claim a share it never had.
    share = series / src["nat_filled"][ca].replace(0.0, np.nan)
    filled, tflags = fill_gaps(share.to_frame("v"), "trade", missing=0.0)
    trade = filled["v"].to_numpy()
    breaks, lone = src["breaks"], src["lone"]
    t_flags = [";".join(x for x in (f1, f2, "trade:reporting_break" if (pair, int(y)) in breaks else "",
                                    "trade:lone_zero" if (pair, int(y)) in lone else "") if x)
               for f1, f2, y in zip(tflags["v"], src["nat_flags"][ca], years)]
    _, dep_ids = ctx.evidence("economic_dependence")
    ctx.prov.add(ctx.entity, "trade", years, "trade",
                 f"cow_dyadic_trade_v4_subset.csv[ccode1={pair[0]};ccode2={pair[1]}].flow1+flow2 / "
                 f"cow_national_trade_v4_subset.csv[ccode={ca}].imports+exports",
                 evidence=dep_ids, flags=t_flags)
    return trade, t_flags


def _pair_intent(ctx: _PairContext, rt: dict):
    """Perceived intent of b held by a: a baseline moved by coded evidence."""
    ev, int_ids = ctx.evidence("perceived_intent")
    intent = np.clip(float(rt["baseline"]) + float(rt["step"]) * ev, 0.0, 1.0)
    ctx.prov.add(ctx.entity, "intent", ctx.years, "intent", f"baseline {rt['baseline']} (rule parameter)",
                 evidence=int_ids)
    return intent


def _pair_distance(ctx: _PairContext, src: dict, lat=None, lon=None):
    """Distance between capitals, gaps filled.

    Pairs the distance file does not hold (it covers the focal states from 1991) get the
    same great-circle formula on the capitals in force on 31 December.
    """
    years, pair, dist_wide, ca, cb = ctx.years, ctx.pair, src["dist_wide"], ctx.ca, ctx.cb
    dseries = dist_wide[pair].reindex(years) if pair in dist_wide.columns else pd.Series(np.nan, index=years)
    dsource = f"capital_distance_focal_dyads.csv[ccode1={pair[0]};ccode2={pair[1]}]"
    if dseries.isna().all() and lat is not None:
        dseries = pd.Series(great_circle_km(lat[ca], lon[ca], lat[cb], lon[cb]), index=years).round(1)
        dsource = f"haversine of cow_capitals_subset.csv[ccode={ca}], [ccode={cb}] (R = 6371 km)"
    dfilled, dflags = fill_gaps(dseries.to_frame("v"), "distance_km")
    ctx.prov.add(ctx.entity, "distance_km", years, "distance", dsource, flags=list(dflags["v"]))
    return dfilled["v"].to_numpy(), list(dflags["v"])


#: The COW state list's columns the rules read: names and codes, and the entry dates.
STATE_LIST_TEXT, STATE_LIST_NUMBERS = ("stateabb", "statenme"), ("ccode", "styear", "stmonth", "endyear")


def read_state_list(data_dir: Path) -> pd.DataFrame | None:
    """The COW state list, checked for the columns the rules read (None when the data folder
    has none).

    Raises:
        InputError: a column is missing, or a code or date column holds a non-number.
    """
    path = data_dir / STATE_LIST
    if not path.exists():
        return None
    states = read_table_file(path)
    for column in STATE_LIST_TEXT + STATE_LIST_NUMBERS:
        if column not in states.columns:
            raise InputError(path, column, "a column named " + column, line=1)
    for column in STATE_LIST_NUMBERS:
        number = pd.to_numeric(states[column], errors="coerce")
        if number.isna().any():
            row = int(np.flatnonzero(number.isna().to_numpy())[0])
            raise InputError(path, column, "a number", line=row + 2, got=states[column].iloc[row])
    return states


def system_entries(states: pd.DataFrame | None) -> dict[int, set[str]]:
    """COW code -> the months ('YYYY-MM') in which the state entered the state system."""
    if states is None:
        return {}
    out: dict[int, set[str]] = {}
    for code, year, month in zip(states.ccode, states.styear, states.stmonth):
        out.setdefault(int(code), set()).add(f"{int(year):04d}-{int(month):02d}")
    return out


def _pair_contiguity(ctx: _PairContext, src: dict):
    """Direct land contiguity (COW type 1) by episode; episodes open at the data's end continue.

    A pair's first episode that opens in the month one of the two states enters the COW
    state system is a border that COW could not record earlier, not a new border (West
    Germany's with France, Austria's with Italy, both from 1955): it is carried back to the
    start of the run, as the state's other values are (flag contiguity:carried_backward).
    """
    years, ca, cb, cont = ctx.years, ctx.ca, ctx.cb, src["cont"]
    episodes = cont[(cont.ccode1 == ca) & (cont.ccode2 == cb)].sort_values("stdate")
    entries = src["entries"].get(ca, set()) | src["entries"].get(cb, set())
    contig = np.zeros(len(years), dtype=int)
    backward = np.zeros(len(years), dtype=bool)
    for k, (_, ep) in enumerate(episodes.iterrows()):
        first, last = int(ep.stdate[:4]), int(ep.enddate[:4])
        if k == 0 and ep.stdate[:7] in entries:
            backward = years < first
            first = int(years.min())
        if last >= CONTIGUITY_LAST_YEAR:
            last = 9999
        contig |= ((years >= first) & (years <= last)).astype(int)
    c_flags = ["contiguity:carried_forward" if y > CONTIGUITY_LAST_YEAR else
               "contiguity:carried_backward" if back else "" for y, back in zip(years, backward)]
    ctx.prov.add(ctx.entity, "contiguity", years, "contiguity",
                 f"cow_contiguity_v3_2_subset.csv[ccode1={ca};ccode2={cb};conttype=1]", flags=c_flags)
    return contig, c_flags


# --------------------------------------------------------------------------- outputs

def write_outputs(cal: Calibration, out_dir: str | Path, prefix: str = "central_asia") -> list[Path]:
    """Write the three tables atomically: all files go to a temp dir, then are renamed."""
    out_dir = Path(out_dir)
    # The Central Asia tables keep the historical name provenance.csv; other systems get
    # their own, so that calibrating one never overwrites another's provenance.
    prov_name = "provenance.csv" if prefix == "central_asia" else f"{prefix}_provenance.csv"
    names = {f"{prefix}_states.csv": cal.states, f"{prefix}_dyads.csv": cal.dyads,
             prov_name: cal.provenance}
    with atomic_folder(out_dir, replace=False) as tmp:  # the folder holds other tables too
        for name, frame in names.items():
            frame.to_csv(tmp / name, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return [out_dir / name for name in names]


def explain(cal: Calibration, entity: str, parameter: str, year: int | None = None) -> str:
    """Human-readable account of a parameter: value(s), rule, data rows and evidence."""
    dyadic = "-" in entity
    known = ", ".join(dict.fromkeys(str(s) for s in cal.states.state))
    if dyadic:
        a, b = entity.split("-", 1)
        table, params = cal.dyads, DYAD_PARAMS
        rows = table[(table.a == a) & (table.b == b)]
        if rows.empty:
            raise InputError("explain-param", "pair", f"two different state ids of the calibrated system "
                             f"({known})", got=entity.replace("-", " "))
    else:
        table, params = cal.states, STATE_PARAMS
        rows = table[table.state == entity]
        if rows.empty:
            raise InputError("explain-param", "state", f"a state id of the calibrated system ({known})",
                             got=entity)
    if parameter not in params:
        raise InputError("explain-param", "parameter", f"one of {', '.join(params)}", got=parameter)
    if year is not None:
        years = sorted(int(y) for y in rows.year.unique())
        rows = rows[rows.year == year]
        if rows.empty:
            raise InputError("explain-param", "year", f"a calibrated year ({years[0]}-{years[-1]})", got=year)
    rule_name = {"lat": "capital", "lon": "capital", "neutral": "doctrine", "multi_vector": "doctrine",
                 "autonomy": "doctrine", "bandwagon": "doctrine", "distance_km": "distance"}.get(parameter, parameter)
    lines = [f"{entity} {parameter}" + (f" {year}" if year is not None else "")]
    prefixes = (f"{parameter}:", f"{rule_name}:")
    for _, row in rows.iterrows():
        value = row[parameter]
        shown = f"{value:.6f}" if isinstance(value, float) else str(value)
        own = ";".join(f for f in str(row["flags"] or "").split(";") if f.startswith(prefixes))
        lines.append(f"  {row.year}: {shown}" + (f"   flags: {own}" if own else ""))
    rule = cal.rules["rules"][rule_name]
    lines.append(f"rule '{rule_name}': " + " ".join(str(rule["description"]).split()))
    params = {k: v for k, v in rule.items() if k not in ("description", "data")}
    if params:
        lines.append(f"rule parameters: {params}")
    prov = cal.provenance
    prov = prov[(prov.entity == entity) & (prov.parameter == parameter)]
    if year is not None:
        prov = prov[(prov.year_start <= year) & (prov.year_end >= year)]
    lines.append("provenance:")
    ev_ids: list[str] = []
    for _, p in prov.iterrows():
        lines.append(f"  {p.year_start}-{p.year_end}: data {p.data}" + (f"; evidence {p.evidence}" if p.evidence else "")
                     + (f"; flags {p['flags']}" if p["flags"] else ""))
        ev_ids += [e for e in str(p.evidence).split(";") if e and e != "nan"]
    lines += _data_rows(cal, entity, parameter, year)
    if ev_ids:
        lines.append("evidence records:")
        for rec in cal.evidence:
            if rec.id in set(ev_ids):
                lines.append(f"  {rec.id} [{rec.doc}, {rec.passage}] {';'.join(rec.actors)} {rec.dimension} "
                             f"dir={rec.direction:+d} strength={rec.strength} {rec.period_start}-{rec.period_end} "
                             f"conf={rec.confidence}: {rec.paraphrase}")
    return "\n".join(lines)


_PARAM_FILES = {
    "power": [("nmc_v7_subset.csv", "ccode")], "offense": [("sipri_milex_1949_2023_subset.csv", "ccode"),
                                                         ("nmc_v7_subset.csv", "ccode")],
    "economy": [("cow_national_trade_v4_subset.csv", "ccode")],
    "democracy": [("vdem_v14_focal_subset.csv", "ccode"), ("polity5_subset.csv", "ccode_cow")],
    "ideology_west": [("un_idealpoints_jul2025_subset.csv", "ccode")],
    "lat": [("cow_capitals_subset.csv", "ccode")], "lon": [("cow_capitals_subset.csv", "ccode")],
    "interests": [("un_idealpoints_jul2025_subset.csv", "ccode")],
    "trade": [("cow_dyadic_trade_v4_subset.csv", "pair"), ("cow_national_trade_v4_subset.csv", "a")],
    "distance_km": [("capital_distance_focal_dyads.csv", "pair")],
    "contiguity": [("cow_contiguity_v3_2_subset.csv", "pair")],
}


def _data_rows(cal: Calibration, entity: str, parameter: str, year: int | None) -> list[str]:
    """The raw data rows behind a parameter (the year asked, or the nearest observed years)."""
    if parameter not in _PARAM_FILES:
        return []
    known = cal.rules["states"]
    names = entity.split("-")
    codes = [int(known[n]["ccode"]) for n in names]
    out = ["data rows (file:line):"]
    for name, key in _PARAM_FILES[parameter]:
        frame = read_table_file(cal.data_dir / name)
        frame.insert(0, "_line", np.arange(len(frame)) + 2)
        if key == "pair":
            sel = frame[frame.ccode1.isin(codes) & frame.ccode2.isin(codes)]
        elif key == "a":
            sel = frame[frame.ccode == codes[0]]
        else:
            sel = frame[frame[key].isin(codes)]
        if year is not None and "year" in sel.columns and len(sel):
            exact = sel[sel.year == year]
            if exact.empty:  # gap-filled: show the nearest observed years on each side
                before, after = sel[sel.year < year].tail(len(codes)), sel[sel.year > year].head(len(codes))
                exact = pd.concat([before, after])
            sel = exact
        for _, row in sel.head(40).iterrows():
            cells = ", ".join(f"{k}={_shown_cell(v)}" for k, v in row.items() if k != "_line" and pd.notna(v))
            out.append(f"  {name}:{int(row._line)}: {cells}")
    return out


#: The files a calibration report writes (``write_report``): a report folder may hold these
#: from an earlier report, and nothing else (``calibrate --report`` refuses it otherwise).
REPORT_FILES = ("calibration_report.md", "power_shares.png", "ideology.png", "interests.png")


def write_report(cal: Calibration, report_dir: str | Path) -> Path:
    """Markdown report with three figures (power shares, values, interests by pair)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.plots.style import series_style

    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    s, d = cal.states, cal.dyads
    figs = []
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for k, (state, g) in enumerate(s.groupby("state")):
        ax.plot(g.year, g.power, label=state, **series_style(k))
    ax.set(title="Power (CINC share within the system)", xlabel="year", ylabel="share", yscale="log")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout(); fig.savefig(report_dir / "power_shares.png", dpi=100); plt.close(fig)
    figs.append(("Power shares", "power_shares.png"))

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), sharey=True)
    for k, (state, g) in enumerate(s.groupby("state")):
        axes[0].plot(g.year, g.democracy, label=state, **series_style(k))
        axes[1].plot(g.year, g.ideology_west, label=state, **series_style(k))
    axes[0].set(title="democracy (V-Dem polyarchy)", xlabel="year")
    axes[1].set(title="ideology_west (UN ideal point, rescaled)", xlabel="year")
    axes[1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout(); fig.savefig(report_dir / "ideology.png", dpi=100); plt.close(fig)
    figs.append(("Ideology", "ideology.png"))

    fig, ax = plt.subplots(figsize=(8, 4.5))
    focus = [("KZK", "RUS"), ("UZB", "RUS"), ("KZK", "UZB"), ("UZB", "USA"), ("RUS", "CHN"), ("RUS", "USA")]
    for k, (a, b) in enumerate(focus):
        g = d[(d.a == a) & (d.b == b)]
        if len(g):
            ax.plot(g.year, g.interests, label=f"{a}-{b}", **series_style(k))
    ax.set(title="Interest convergence by pair", xlabel="year", ylabel="[-1, 1]")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout(); fig.savefig(report_dir / "interests.png", dpi=100); plt.close(fig)
    figs.append(("Interest convergence", "interests.png"))

    flagged = s["flags"].str.len().gt(0).mean() * 100
    used = sorted({e for v in cal.provenance.evidence.dropna() for e in str(v).split(";") if e})
    text = ["# Calibration report", "",
            f"States: {', '.join(sorted(s.state.unique()))}; years {s.year.min()}-{s.year.max()}.",
            f"Rows: {len(s)} state-years, {len(d)} directed dyad-years; {flagged:.1f}% of state-years carry a gap flag.",
            f"Evidence records used by rules: {len(used)} ({', '.join(used)}).", "",
            "Every value can be traced with `alliance-sim explain-param STATE PARAM YEAR` or "
            "`alliance-sim explain-param A B PARAM YEAR`; `provenance.csv` lists the sources.", ""]
    for title, name in figs:
        text += [f"## {title}", "", f"![{title}]({name})", ""]
    text += ["## Rules", ""]
    for name, rule in cal.rules["rules"].items():
        text.append(f"- **{name}**: " + " ".join(str(rule["description"]).split()))
    path = report_dir / "calibration_report.md"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path

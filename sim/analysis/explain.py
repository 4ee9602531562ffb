"""Why a pair's alignment is what it is, and why it changed: components ranked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.eventlog import BLOC_ENTERED, BLOC_FOUNDED, names_bloc_start
from sim.levels import DE_FACTO_NAMES, DE_JURE_NAMES
from sim.mechanisms import alignment
from sim.mechanisms.utility import COMPONENTS
from sim.run.report import STRUCTURAL
from sim.run.tables import check_one_row_per_pair_year, read_run_file, run_table, table_path
from sim.scenario.reference import SCALES, integer_levels

#: Years before the last change of level over which "components that moved most" are
#: compared (the ``explain`` help says so; keep the two in step).
LOOK_BACK = 3

_BILATERAL = re.compile(r"bilateral instrument (-?\d+) -> (-?\d+)")


def _num(value: float) -> str:
    """A signed number to three decimals; never "-0.000" (a tiny negative rounds to zero)."""
    value = round(float(value), 3)
    return f"{value + 0.0:+.3f}"  # + 0.0 turns -0.0 into 0.0


def _canonical(given: str, states: list[str]) -> str:
    """The run's spelling of a state id given in any case (unknown ids are returned as given)."""
    if given in states:
        return given
    matches = [s for s in states if s.casefold() == given.casefold()]
    return matches[0] if len(matches) == 1 else given


def _pair_rows(run_dir: Path, a: str, b: str) -> tuple[pd.DataFrame, bool, str, str, list[str], list[int]]:
    """The pair's rows, whether the table has them as (b, a), the two ids as the run spells
    them, the run's states and its years."""
    if not run_dir.is_dir():
        raise InputError(run_dir, None, "an existing run folder written by 'alliance-sim run'")
    path = table_path(run_dir, "dyads")
    if path is None:
        raise InputError(run_dir, None, "a run folder written by 'alliance-sim run' (no dyads.csv or "
                         "dyads.parquet in it)")
    cols = [f"{s}_{c}" for s in "ab" for c in COMPONENTS + ("total",)]
    # Every cell a number: an empty one dropped its component (or the threat line) from the
    # explanation without a word, where an infinite one was refused.
    d = read_run_file(path, required=["year", "a", "b", "de_facto", "de_jure"],
                   numeric=["year", "de_facto", "de_jure", "threat_ab", "threat_ba"] + cols)
    if d.empty:
        raise InputError(path, None, "a dyad table with rows (it has only its header)")
    if any(c in d.columns for c in cols):  # components (an older run may lack some) need their sums
        for total in ("a_total", "b_total"):
            if total not in d.columns:
                raise InputError(path, total, "this column: a table with utility components has "
                                 "each side's sum of them", line=1)
    for col in SCALES:  # a level off its scale named no label: a KeyError traceback
        d[col] = integer_levels(d, col, path, allow_empty=False).astype(int)
    check_one_row_per_pair_year(d, path)
    states = sorted(set(d.a) | set(d.b))
    a, b = _canonical(a, states), _canonical(b, states)
    for field, s in (("A", a), ("B", b)):
        if s not in states:
            raise InputError(path, field, f"a state of this run ({', '.join(states)})", got=s)
    rows = d[(d.a == a) & (d.b == b)]
    swapped = False
    if rows.empty:
        rows, swapped = d[(d.a == b) & (d.b == a)], True
    if rows.empty:
        raise InputError(path, "A B", "two different states of the run", got=f"{a} {b}")
    return (rows.sort_values("year").reset_index(drop=True), swapped, a, b, states,
            sorted(int(y) for y in set(d.year)))


def _side(row: pd.Series, side: str) -> dict[str, float]:
    return {c: float(row[f"{side}_{c}"]) for c in COMPONENTS if f"{side}_{c}" in row and row[f"{side}_{c}"] == row[f"{side}_{c}"]}


def _manifest_scenario(run_dir: Path, states: list[str]) -> dict:
    """The scenario as the run's manifest recorded it; {} when there is none, it cannot be
    read, or it is another run's (other states than the dyad table's)."""
    try:
        data = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    sc = data.get("scenario") if isinstance(data, dict) else None
    if not isinstance(sc, dict) or sorted(map(str, data.get("states") or [])) != states:
        return {}
    return sc


def _memberships(run_dir: Path, states: list[str]) -> dict[tuple[int, str], set[str]] | None:
    """{(year, state): bloc ids} from the run's states table; None without one, or when it
    is another run's (other states than the dyad table's)."""
    st = run_table(run_dir, "states", required=("year", "state"), numeric=("year",))
    if st is None or "blocs" not in st or sorted(set(st["state"].astype(str))) != states:
        return None
    st = st.assign(blocs=st["blocs"].fillna("").astype(str))
    return {(int(r.year), str(r.state)): {x for x in str(r.blocs).split(";") if x} for r in st.itertuples()}


def _agreement(row: pd.Series, a: str, b: str, sa: str, sb: str, rate: float | None) -> list[str]:
    """Where the de facto level stands against what each side wants, and inertia's part."""
    if f"{sa}_desired" not in row or f"{sb}_desired" not in row:
        return []
    f = int(row.de_facto)
    wa, wb = int(row[f"{sa}_desired"]), int(row[f"{sb}_desired"])
    agreed = min(wa, wb)
    how = ("the de facto level moves a share "
           + (f"{rate:g}" if rate is not None else "mechanism.adjustment_rate")
           + " of the way toward the agreed level each year")
    if rate is not None and row.name == 0:  # the first year holds the scenario's initial levels
        how += " (this first year holds the scenario's initial levels; the move starts next year)"
    if f < agreed:
        return [f"\nBelow what both sides want because of inertia: {a} wants level {wa} and {b} level {wb}, "
                f"so the agreed level is {agreed} ({DE_FACTO_NAMES[agreed]}), but de facto is still {f}: "
                f"{how}, and it lags."]
    if f > agreed:
        lower = a if wa <= wb else b
        return [f"\nAbove what {lower} wants because of inertia: the agreed level (the lower of the two "
                f"wanted levels, {a} {wa}, {b} {wb}) is {agreed} ({DE_FACTO_NAMES[agreed]}), but de facto "
                f"is still {f}: {how}, and it lags."]
    if wa != wb:
        lower, other = (a, b) if wa < wb else (b, a)
        return [f"\nAt the agreed level {agreed}: {other} wants {max(wa, wb)}, but cooperation needs both "
                f"sides and {lower} wants only {agreed}."]
    return [f"\nAt the level both sides want ({agreed})."]


def _held(total: float, wanted: int | None, practised: int | None, mechanism) -> list[str]:
    """A line when the switching cost, not the utility, kept a side at the practised level:
    the model's own choice without noise (``sim.mechanisms.alignment``) picks another level
    from the same utility when leaving costs nothing."""
    if wanted is None or wanted != practised or not isinstance(mechanism, dict):
        return []
    cost, gain, normal = (mechanism.get(k) for k in ("switching_cost", "level_gain", "normal_level"))
    if not all(isinstance(x, (int, float)) for x in (cost, gain, normal)) or cost <= 0:
        return []
    bliss = alignment.bliss_level(np.array(total), gain, normal)
    free = int(alignment.choose_levels(bliss, 0.0, None))
    held = int(alignment.choose_levels(bliss, 0.0, None, current=np.array(practised), switching_cost=cost))
    if held != wanted or free == wanted:
        return []
    return [f"  held at the practised level {wanted}: the utility alone points to {free} "
            f"({DE_FACTO_NAMES[free]}; bliss {float(bliss):.2f}), but leaving a practised level costs "
            f"mechanism.switching_cost ({cost:g})"]


def _de_jure_source(run_dir: Path, rows: pd.DataFrame, k: int, a: str, b: str, scenario: dict,
                    events: pd.DataFrame | None, states: list[str]) -> tuple[list[str], set[str]]:
    """The instrument behind the de jure level: a common bloc membership and/or a bilateral
    instrument. Returns the lines and the ids of the blocs that carry the level."""
    year, j = int(rows.year.iloc[k]), int(rows.de_jure.iloc[k])
    if j == 0:
        return [], set()
    members = _memberships(run_dir, states)
    blocs = {str(x.get("id")): x for x in scenario.get("blocs") or [] if isinstance(x, dict)}
    unknown = members is not None and any(bid not in blocs for ids in members.values() for bid in ids)
    if not scenario or members is None or events is None or unknown:  # a bloc and a treaty would look alike
        return [f"\nDe jure {j}: which instrument carries it (a bloc or a bilateral one) cannot be told here: "
                "the folder's manifest.json, states table or events table is missing, unreadable or "
                "another run's."], set()
    common: dict[str, int] = {}
    if (year, a) in members and (year, b) in members:  # members, events: known from here on
        for bid in sorted(members[(year, a)] & members[(year, b)]):
            level = blocs.get(bid, {}).get("level")
            if isinstance(level, int):
                common[bid] = level
    # The bilateral level: the last instrument event of the pair up to this year.
    bilateral, since, kind = None, None, None
    mine = events[(((events.a == a) & (events.b == b)) | ((events.a == b) & (events.b == a)))
                  & (events.year <= year) & events.kind.astype(str).str.startswith(("treaty_", "hostile_"))]
    for r in mine.itertuples():
        m = _BILATERAL.search(str(r.text))
        if m:
            bilateral, since, kind = int(m.group(2)), int(r.year), str(r.kind).replace("_", " ")
    out = []
    carrying = {bid for bid, lv in common.items() if lv == j and j > 0}
    for bid in sorted(carrying, key=list(blocs).index):  # every bloc of the members is known (above)
        first = year
        years = rows.year.astype(int).tolist()
        for y in reversed(years[:k]):
            if bid in members.get((y, a), set()) and bid in members.get((y, b), set()):
                first = y
            else:
                break
        name = blocs.get(bid, {}).get("name") or bid
        out.append(f"De jure {j} comes from a common membership: {a} and {b} are both members of "
                   f"{name} ({bid}, a level-{j} bloc) since {first}.")
    if j == -1:
        out.append("De jure -1 is a hostile bilateral instrument"
                   + (f" ({kind} in {since})." if since is not None else " (held since the start)."))
    elif not carrying:
        what = f" ({kind} in {since})" if bilateral == j and since is not None else " (held since the start)"
        out.append(f"De jure {j} comes from a bilateral instrument{what}.")
    elif bilateral is not None:
        out.append(f"Bilateral instrument alone: level {bilateral} ({kind} in {since}).")
    return ["\n" + " ".join(out)] if out else [], carrying


def explain_pair(run_dir: str | Path, a: str, b: str, year: int | None = None) -> str:
    """A plain-text explanation of pair (a, b) in ``year`` (default: the last year).

    State ids may be given in any case. Besides the levels and each side's utility
    components, it says where the de facto level stands against what both sides want
    (inertia), which instrument (a bloc membership or a bilateral one) carries the de jure
    level, and which components moved most in the ``LOOK_BACK`` years up to the last change.
    """
    run_dir = Path(run_dir)
    rows, swapped, a, b, states, run_years = _pair_rows(run_dir, a, b)
    years = rows.year.astype(int).tolist()
    if year is None:
        year = years[-1]
    if year not in run_years:
        raise InputError(table_path(run_dir, "dyads"), "YEAR", f"a year of the run ({run_years[0]}-{run_years[-1]})",
                         got=year)
    if year not in years:
        raise InputError(table_path(run_dir, "dyads"), "YEAR", f"a year for which the table has a row for {a}-{b} "
                         f"(the row for {year} is missing)", got=year)
    k = years.index(year)
    row = rows.iloc[k]
    sa, sb = ("b", "a") if swapped else ("a", "b")
    f, j = int(row.de_facto), int(row.de_jure)
    out = [f"{a}-{b} in {year}: de facto {f} ({DE_FACTO_NAMES[f]}), de jure {j} ({DE_JURE_NAMES[j]})"
           + (f", class {row.classification}" if "classification" in row and row.classification == row.classification else "")]
    scenario = _manifest_scenario(run_dir, states)
    rate = (scenario.get("mechanism") or {}).get("adjustment_rate") if isinstance(scenario.get("mechanism"), dict) else None
    ev = run_table(run_dir, "events", required=("year", "kind"), numeric=("year",))
    ev = ev.fillna("").assign(year=ev["year"].astype(int)) if ev is not None else None
    if ev is not None and not set(ev.get("a", pd.Series(dtype=str)).astype(str)) <= set(states) | {""}:
        ev = None  # another run's events: its instruments are not this run's
    out += _agreement(row, a, b, sa, sb, rate if isinstance(rate, (int, float)) else None)
    source, carrying = _de_jure_source(run_dir, rows, k, a, b, scenario, ev, states)
    out += source
    if not _side(row, sa):
        out.append("\nThis run was written without utility components; nothing more to explain.")
        return "\n".join(out)
    practised = int(rows.de_facto.iloc[k - 1]) if k else None
    for who, other, side in ((a, b, sa), (b, a, sb)):
        comps = _side(row, side)
        total = float(row[f"{side}_total"])
        wanted = int(row[f"{side}_desired"]) if f"{side}_desired" in row else None
        out.append(f"\nWhy {who} wants level {wanted} with {other} (net utility {_num(total)}), components ranked:")
        out += _held(total, wanted, practised, scenario.get("mechanism"))
        for c, v in sorted(comps.items(), key=lambda kv: -abs(kv[1])):
            out.append(f"  {c:<10} {_num(v)}")
        threat_col = "threat_ab" if side == "a" else "threat_ba"
        if threat_col in row and row[threat_col] == row[threat_col]:
            out.append(f"  (threat {other} poses to {who}: {float(row[threat_col]) + 0.0:.3f})")
    out += _last_change(rows, k, a, b, sa, sb)
    if ev is not None:
        out += _instruments(ev, a, b, year, carrying, scenario)
    return "\n".join(out)


def _names_bloc(text: str, bid: str, scenario: dict) -> bool:
    """Whether an event text (``join NAME``, ``NAME founded by ...``, ``NAME (founded YEAR)
    enters the scenario with ...``) is about bloc ``bid``."""
    names = {bid} | {str(x.get("name")) for x in scenario.get("blocs") or []
                     if isinstance(x, dict) and x.get("id") == bid and x.get("name")}
    return any(text == f"join {n}" or names_bloc_start(text, n) for n in names)


def _last_change(rows: pd.DataFrame, k: int, a: str, b: str, sa: str, sb: str) -> list[str]:
    """The last change of level up to row ``k`` and the components that moved most over the
    ``LOOK_BACK`` years up to it."""
    years = rows.year.astype(int).tolist()
    levels = rows[["de_facto", "de_jure"]].astype(int).to_numpy()
    change_k = next((i for i in range(k, 0, -1) if (levels[i] != levels[i - 1]).any()), None)
    if change_k is None:
        return [f"\nNo change of level between {years[0]} and {years[k]}."]
    prev, now = rows.iloc[change_k - 1], rows.iloc[change_k]
    out = [f"\nLast change: {years[change_k - 1]} -> {years[change_k]}: de facto "
           f"{int(prev.de_facto)} -> {int(now.de_facto)}, de jure {int(prev.de_jure)} -> {int(now.de_jure)}."
           " Components that moved most (both sides):"]
    start = max(change_k - LOOK_BACK, 0)
    before = rows.iloc[start]
    deltas = []
    for who, side in ((a, sa), (b, sb)):
        old, new = _side(before, side), _side(now, side)
        deltas += [(who, c, new[c] - old[c]) for c in new]
    deltas.sort(key=lambda x: -abs(x[2]))
    out.append(f"  (change in weighted components from {years[start]} to {years[change_k]}, "
               f"a look-back of up to {LOOK_BACK} years)")
    out += [f"  {who:<6} {c:<10} {_num(dv)}" for who, c, dv in deltas[:6]]
    return out


def _instruments(ev: pd.DataFrame, a: str, b: str, year: int, carrying: set[str], scenario: dict) -> list[str]:
    """The pair's instruments and scenario events up to ``year``, with the founding of and
    joins to the blocs that carry its de jure level."""
    pair = ((ev.a == a) & (ev.b == b)) | ((ev.a == b) & (ev.b == a))
    joins = (ev.kind.isin(["bloc_join", BLOC_FOUNDED, BLOC_ENTERED]) & (ev.a.isin([a, b]) | ev.b.isin([a, b]))
             & ev.text.astype(str).apply(lambda t: any(_names_bloc(t, bid, scenario) for bid in carrying)))
    mine = ev[(pair | joins) & (ev.year <= year) & (ev.kind != "de_facto_change")]
    if not len(mine):
        return []
    line = lambda r: (f"  {r.year} {r.kind.replace('_', ' ')}" + (f" ({r.a})" if not pair.loc[r.Index] else "")
                      + f": {r.text}")  # noqa: E731
    instrument = mine.kind.isin(STRUCTURAL)  # the de jure record, not the scenario's input events
    out = []
    if instrument.any():  # treaties and memberships: what the de jure level is made of
        out += ["\nInstruments of this pair so far:"] + [line(r) for r in mine[instrument].itertuples()]
    if (~instrument).any():  # the scenario's inputs that name the pair (disputes, leaders, shocks)
        out += ["\nScenario events naming this pair so far (inputs, not instruments):"] + [
            line(r) for r in mine[~instrument].itertuples()]
    return out

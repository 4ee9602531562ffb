"""Landscape scenario files and their CSV tables (the command is ``sim.cli.landscape``).

A landscape scenario (YAML) names the actors, their sizes and their pairwise
propensities, inline or by CSV, and optionally the actual alignment to score against::

    mechanism: landscape
    name: triangle
    actors: [A, B, C]            # or [{id: A, name: Alpha}, ...]
    sizes: {A: 1, B: 1, C: 2}    # or sizes_csv: sizes.csv (columns actor,size)
    propensities:                # or propensities_csv: p.csv (columns a,b,value)
      - {a: A, b: B, value: 1}
    k: 2                         # optional, number of blocs
    actual: {A: west, B: west, C: east}   # optional

Propensities are symmetric: a row for (a, b) also sets (b, a); pairs never listed are 0;
the same pair listed twice with different values is an error. CSV paths are relative to
the scenario file. Every problem is an :class:`~sim.errors.InputError` naming the file,
the line where known, the field and what was expected.

What a landscape must be, and why:

* actor ids follow the rule of agent scenario ids (a letter, then letters, digits or ``_``;
  at most 32 characters), in the YAML and in every CSV: the output joins ids with spaces
  and ``|`` ("A B | C"), which an id holding either would make ambiguous;
* sizes and propensities are numbers, never ``true``/``false``, and none so small that
  it underflows (a nonzero value below 2.2e-308, such as ``1e-400``, would silently be 0);
  every nonzero pair weight ``s_a s_b p_ab`` must stand out of the rounding of the two
  actors' other weights (:func:`sim.landscape.theory.unresolved_pair`);
* at least one propensity is nonzero: with all of them zero every configuration has the
  same energy and every one of them would be listed as a minimum;
* every actor has a nonzero propensity to some other actor: one without any can sit in either
  bloc of every configuration, and each such actor doubled the minima listed (see
  :func:`_check_unattached`);
* bloc names of ``actual`` are text (quote a number, or yes/no/null);
* two to :data:`~sim.landscape.theory.MAX_ACTORS` actors (the cost of the search, see there).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from sim.errors import InputError
from sim.files import line_map, nearest_line, read_csv
from sim.landscape.theory import MAX_ACTORS, unresolved_pair
from sim.reading import compose_yaml, dotted, load_yaml, read_text
from sim.scenario.kind import kind_of
from sim.scenario.limits import MAX_MAGNITUDE
from sim.scenario.schema import ID_MAX_LENGTH, ID_PATTERN, LENGTH_ERRORS, explain_pydantic

#: What an actor id must be, in words (the rule of agent scenario ids).
ID_EXPECTED = (f"an actor id: a letter, then letters, digits or '_', at most {ID_MAX_LENGTH} characters "
               "(no spaces, '|' or commas: the output joins ids with them)")
#: Smallest magnitude a nonzero number may have: below it a double loses digits, then is 0.
SMALLEST = float(np.finfo(float).tiny)
UNDERFLOW_EXPECTED = (f"a number that is 0 or at least {SMALLEST:.3g} in size (smaller ones underflow "
                      "in double precision, and 1e-400 would silently be 0)")
_ID = re.compile(ID_PATTERN)


def is_actor_id(text: str) -> bool:
    """Whether ``text`` follows the id rule of agent scenarios."""
    return bool(_ID.match(text)) and len(text) <= ID_MAX_LENGTH


def underflows(text: str) -> bool:
    """Whether ``text`` writes a nonzero number smaller in size than a double can hold
    at full precision (``1e-400`` reads as 0.0, ``1e-310`` as a subnormal)."""
    try:
        d = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return False
    return d.is_finite() and d != 0 and abs(d) < Decimal(SMALLEST)


def _actor_id(v: Any) -> Any:
    if isinstance(v, bool):  # YAML 1.1 reads NO, YES, ON and OFF as booleans
        raise ValueError(f"{ID_EXPECTED}; quote yes/no/on/off, which YAML reads as true/false")
    if not isinstance(v, str) or not is_actor_id(v):
        raise ValueError(ID_EXPECTED)
    return v


def _yaml_number(v: Any) -> Any:
    if isinstance(v, bool):  # pydantic would read true as 1
        raise ValueError("a number (true/false is not a number)")
    if isinstance(v, str) and underflows(v):
        raise ValueError(UNDERFLOW_EXPECTED)
    return v


def _bloc_name(v: Any) -> Any:
    if not isinstance(v, str):
        raise ValueError("a bloc name in text (quote a number, and yes/no/null, which YAML reads as "
                         "true/false/nothing)")
    if not v.strip():
        raise ValueError("a bloc name (this one is empty)")
    return v.strip()


ActorId = Annotated[str, BeforeValidator(_actor_id)]
Number = Annotated[float, BeforeValidator(_yaml_number), Field(allow_inf_nan=False)]
BlocName = Annotated[str, BeforeValidator(_bloc_name)]


class ActorEntry(BaseModel):
    """An actor: its id (a COW abbreviation for real states) and an optional name."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    id: ActorId = Field(pattern=ID_PATTERN, max_length=ID_MAX_LENGTH)
    """Identifier of the actor, used by sizes, propensities and actual: a letter, then letters, digits or '_'."""
    name: str | None = None
    """Name shown in the output (default: the id)."""


class PropensityRow(BaseModel):
    """One symmetric propensity ``p_ab = p_ba``."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    a: str
    """One actor of the pair."""
    b: str
    """The other actor."""
    value: Number
    """Propensity to work together: positive (affinity) or negative (hostility), at most 1e6 in size."""


class LandscapeSpec(BaseModel):
    """A validated landscape scenario (sizes and propensities resolved from CSVs)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    mechanism: Literal["landscape"]
    """landscape: this file is an Axelrod-Bennett landscape, run with 'alliance-sim landscape'."""
    name: str = Field(min_length=1)
    """Name of the landscape, shown in the output."""
    description: str | None = None
    """One or two sentences on what the landscape represents."""
    sources: list[str] | str | None = None
    """Where sizes and propensities come from (citations)."""
    actors: list[ActorEntry] = Field(min_length=2, max_length=MAX_ACTORS)
    """The actors, two to 200 (the cost of the search): ids, or entries with id and name."""
    sizes: dict[str, Number] | None = None
    """Size of each actor (e.g. a CINC share), positive and at most 1e6, by actor id; or sizes_csv."""
    sizes_csv: str | None = None
    """CSV with columns actor,size, relative to this file (instead of sizes)."""
    propensities: list[PropensityRow] | None = None
    """Symmetric pairwise propensities; pairs not listed are 0. Or propensities_csv."""
    propensities_csv: str | None = None
    """CSV with columns a,b,value, relative to this file (instead of propensities)."""
    k: int = Field(default=2, ge=2, le=12)
    """Number of blocs the actors are divided into, 2-12 (default 2)."""
    actual: dict[str, BlocName] | None = None
    """The actual alignment to score the minima against: a bloc name (text) for every actor."""

    @field_validator("actors", mode="before")
    @classmethod
    def _ids_or_entries(cls, v: Any) -> Any:
        if isinstance(v, list):  # a bare id, or a scalar that YAML read as something else
            return [x if isinstance(x, dict) else {"id": x} for x in v]
        return v

    @field_validator("actual", mode="before")
    @classmethod
    def _actor_keys(cls, v: Any) -> Any:
        if isinstance(v, dict):  # keys are checked against the listed actors
            return {str(k): x for k, x in v.items()}
        return v

    # -- derived arrays -------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        return [a.id for a in self.actors]

    def size_vector(self) -> np.ndarray:
        return np.array([self.sizes[i] for i in self.ids], dtype=float)

    def propensity_matrix(self) -> np.ndarray:
        pos = {a: i for i, a in enumerate(self.ids)}
        p = np.zeros((len(pos), len(pos)))
        for row in self.propensities or []:
            p[pos[row.a], pos[row.b]] = p[pos[row.b], pos[row.a]] = row.value
        return p


# ----------------------------------------------------------------------------- loading
def _read_csv(path: Path, columns: list[str], field: str) -> pd.DataFrame:
    if not path.is_file():  # name the scenario field that points at the missing file
        raise InputError(path, field, "an existing CSV file", got=str(path))
    return read_csv(path, required=columns)


def _number(path: Path, value: str, field: str, line: int) -> float:
    try:
        x = float(value)
    except ValueError:
        raise InputError(path, field, "a number", line=line, got=value) from None
    if not np.isfinite(x):
        raise InputError(path, field, "a finite number", line=line, got=value)
    if underflows(value):
        raise InputError(path, field, UNDERFLOW_EXPECTED, line=line, got=value)
    return x


def _csv_actor(path: Path, value: str, field: str, line: int) -> str:
    """A CSV cell naming an actor: its id (surrounding spaces dropped), by the id rule."""
    actor = str(value).strip()
    if not is_actor_id(actor):
        raise InputError(path, field, ID_EXPECTED, line=line, got=actor)
    return actor


def read_sizes_csv(path: str | Path) -> dict[str, float]:
    """Sizes from a CSV with columns ``actor,size`` (one row per actor)."""
    path = Path(path)
    df = _read_csv(path, ["actor", "size"], "sizes_csv")
    return _per_actor(path, df, lambda row, i: _number(path, row.size, "size", i))


def _per_actor(path: Path, df, value) -> dict:
    """``{actor: value(row, line)}``, refusing an actor listed twice."""
    out: dict = {}
    for i, row in enumerate(df.itertuples(index=False), start=2):
        actor = _csv_actor(path, row.actor, "actor", i)
        if actor in out:
            raise InputError(path, "actor", "each actor once", line=i, got=actor)
        out[actor] = value(row, i)
    return out


def read_propensities_csv(path: str | Path) -> list[dict]:
    """Propensity rows from a CSV with columns ``a,b,value`` (with their line numbers)."""
    path = Path(path)
    df = _read_csv(path, ["a", "b", "value"], "propensities_csv")
    return [{"a": _csv_actor(path, r.a, "a", i), "b": _csv_actor(path, r.b, "b", i),
             "value": _number(path, r.value, "value", i), "_line": i, "_file": path}
            for i, r in enumerate(df.itertuples(index=False), start=2)]


def read_actual_csv(path: str | Path) -> dict[str, str]:
    """Actual alignment from a CSV with columns ``actor,bloc`` (bloc names are text, as read)."""
    path = Path(path)
    df = _read_csv(path, ["actor", "bloc"], "actual")
    return _per_actor(path, df, lambda row, i: str(row.bloc).strip())


def _propensity_rows(values: dict) -> list[PropensityRow]:
    """The rows of the propensities read, one a pair, its actors in sorted order."""
    return [PropensityRow(a=sorted(k)[0], b=sorted(k)[1], value=v) for k, v in values.items()]


def load_landscape(path: str | Path) -> LandscapeSpec:
    """Read and validate a landscape scenario file (YAML), resolving its CSV tables.

    Raises:
        InputError: for any problem, naming file, line (where known), field and
            what was expected.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "an existing landscape scenario file")
    lines, spec = _parse_landscape(path)

    def line(*loc):
        return nearest_line(lines, loc)

    ids = spec.ids
    for i, a in enumerate(ids):
        if a in ids[:i]:
            raise InputError(path, f"actors[{i}]", "each actor id once", line=line("actors", i), got=a)
    sizes = _landscape_sizes(path, spec, line)
    values = _landscape_propensities(path, spec, line)
    if not any(values.values()):
        csv = spec.propensities_csv
        raise InputError(path.parent / csv if csv else path, "value" if csv else "propensities",
                         "at least one nonzero propensity (with all of them zero every configuration has "
                         "the same energy: there is nothing to find)", line=None if csv else line("propensities"))
    _check_unattached(path, spec, values, line)
    rows = _propensity_rows(values)
    _check_resolution(path, spec, sizes, rows, line)
    if spec.actual is not None:
        check_actual(spec.actual, ids, path, line("actual"))
    return spec.model_copy(update={"sizes": {a: float(sizes[a]) for a in ids}, "propensities": rows})


def _check_unattached(path: Path, spec: LandscapeSpec, values: dict, line) -> None:
    """Refuse an actor with no nonzero propensity to any other actor.

    Such an actor adds nothing to the energy (every term holding it has p = 0), so the
    theory says nothing about where it goes: it sits on either side in every configuration
    at the same energy, and a configuration that is a minimum is one whatever its bloc.
    Each such actor doubled the minima listed (two of them made one landscape's single
    answer four "minima" differing only in where they stood). Reporting them apart and
    counting minima without them was the alternative; refusing is the one consistent with
    the flat landscape (every propensity 0) being refused, and it keeps the minima table,
    the basins and the score against ``actual`` about actors the theory places. The user
    who wants the actor in the file can give it the propensities it has.
    """
    attached = {a for key, v in values.items() if v != 0 for a in key}
    loose = [(i, a) for i, a in enumerate(spec.ids) if a not in attached]
    if not loose:
        return
    i, a = loose[0]
    where = f"in {spec.propensities_csv}" if spec.propensities_csv else "under 'propensities'"
    others = [b for _, b in loose[1:]]
    more = (f", nor do{'es' if len(others) == 1 else ''} " + ", ".join(others[:3])
            + (f" and {len(others) - 3} more" if len(others) > 3 else "")) if others else ""
    raise InputError(path, f"actors[{i}]", f"an actor with a nonzero propensity to at least one other actor "
                     f"({a} has none {where}{more}: it adds nothing to the energy, so it can sit in either bloc "
                     "of every configuration and each such actor doubles the minima listed; give it its "
                     "propensities or leave it out)", line=line("actors", i), got=a)


def _check_resolution(path: Path, spec: LandscapeSpec, sizes: dict, rows: list[PropensityRow], line) -> None:
    """Refuse a nonzero pair weight that double precision cannot tell from zero or from
    the rounding of the two actors' other weights: the pair would silently count as
    indifferent (sizes of 1e-300 made a hostility vanish). ``rows`` are the propensities
    read (:func:`_propensity_rows`), built once by the caller, which keeps them."""
    ids = spec.ids
    p = spec.model_copy(update={"propensities": rows}).propensity_matrix()
    lost = unresolved_pair([sizes[a] for a in ids], p)
    if lost is not None:
        a, b = ids[lost[0]], ids[lost[1]]
        raise InputError(path, "sizes_csv" if spec.sizes_csv else "sizes",
                         f"sizes and propensities that double precision can compare: the pair {a}, {b} "
                         f"(sizes {sizes[a]:.3g} and {sizes[b]:.3g}, propensity {p[lost[0], lost[1]]:.3g}) "
                         f"weighs s*s*p = {lost[2]:.3g}, below {SMALLEST:.3g} or lost in the rounding of "
                         "their other pairs (give sizes and propensities fewer orders of magnitude)",
                         line=None if spec.sizes_csv else line("sizes"))


def _actors_problem(err: dict) -> str | None:
    """The project's words for a wrong number of actors (pydantic's would say 'List')."""
    if tuple(err["loc"]) != ("actors",) or err["type"] not in ("too_short", "too_long"):
        return None
    if err["type"] == "too_short":
        return "two or more actors (a landscape divides its actors into blocs)"
    return (f"at most {MAX_ACTORS} actors (10,000 random starts of 200 actors take about two minutes, "
            "and the time grows faster than the square of the actors)")


def _numbers_underflowing(path: Path, node, lines) -> None:
    """Refuse a size or propensity written as a nonzero number too small for a double: the
    YAML reader has already made ``1.0e-400`` a 0.0, so the text of the file is read."""
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        name = getattr(key, "value", None)
        if name == "sizes" and isinstance(value, yaml.MappingNode):
            cells = [((name, k.value), v) for k, v in value.value]
        elif name == "propensities" and isinstance(value, yaml.SequenceNode):
            cells = [((name, i, "value"), v) for i, row in enumerate(value.value)
                     if isinstance(row, yaml.MappingNode) for k, v in row.value if k.value == "value"]
        else:
            continue
        for loc, cell in cells:
            if isinstance(cell, yaml.ScalarNode) and cell.tag.endswith((":float", ":str")) \
                    and underflows(cell.value):
                field = dotted(loc)
                raise InputError(path, field, UNDERFLOW_EXPECTED, line=cell.start_mark.line + 1,
                                 got=cell.value)


def _parse_landscape(path: Path):
    """The line of every key path and the validated spec of a landscape file, read as every
    scenario file is (:mod:`sim.reading`: a regular UTF-8 file within its size limit, one
    document, no duplicate keys); an agent scenario is named as such."""
    text = read_text(path, what="a landscape scenario file")
    data = load_yaml(text, path)
    if not isinstance(data, dict):
        raise InputError(path, None, "a mapping with mechanism, name, actors, sizes, propensities",
                         got=type(data).__name__)
    root = compose_yaml(text)
    lines = line_map(root)
    if "extends" in data:  # else named an agent scenario (no 'mechanism: landscape' of its own)
        raise InputError(path, "extends", "a landscape file without 'extends': landscape files cannot extend "
                         "another file (copy the base landscape and edit it; an agent scenario that extends "
                         "one runs with 'alliance-sim run')", line=nearest_line(lines, ("extends",)),
                         got=data["extends"] if isinstance(data["extends"], str) else None)
    if kind_of(data) == "agent":
        raise InputError(path, "mechanism", "a landscape file ('mechanism: landscape'); this is an agent "
                         "scenario, run it with 'alliance-sim run'", line=nearest_line(lines, ("mechanism",)),
                         got=data.get("mechanism"))
    _numbers_underflowing(path, root, lines)
    try:
        return lines, LandscapeSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function")))
        field = dotted(loc)
        expected = err["msg"].replace("Input should be ", "").replace("Value error, ", "")
        got = err.get("input") if not isinstance(err.get("input"), dict) else None
        if _actors_problem(err):
            expected, got = _actors_problem(err), f"{len(err['input'])} actor(s)"
        elif err["type"] in LENGTH_ERRORS:  # "a list of at least 2 items", as a scenario's
            expected = explain_pydantic(err)
        raise InputError(path, field or None, expected, line=nearest_line(lines, loc), got=got) from None


def _landscape_sizes(path: Path, spec: LandscapeSpec, line) -> dict[str, float]:
    """Sizes, inline or from ``sizes_csv`` (exactly one): positive, one per listed actor."""
    ids = spec.ids
    if (spec.sizes is None) == (spec.sizes_csv is None):
        raise InputError(path, "sizes", "exactly one of 'sizes' (inline) or 'sizes_csv'",
                         line=line("sizes") or line("sizes_csv"))
    if spec.sizes_csv is not None:
        sizes = read_sizes_csv(path.parent / spec.sizes_csv)
        where, sline = path.parent / spec.sizes_csv, None
    else:
        sizes, where, sline = spec.sizes, path, line("sizes")
    for a, v in sizes.items():
        if a not in ids:
            raise InputError(where, "sizes", f"sizes only for listed actors ({', '.join(ids)})",
                             line=sline, got=a)
        if not (np.isfinite(v) and 0 < v <= MAX_MAGNITUDE):  # 1e308 made every energy NaN
            raise InputError(where, f"sizes.{a}", f"a positive size no larger than {MAX_MAGNITUDE:g}",
                             line=sline, got=v)
    missing = [a for a in ids if a not in sizes]
    if missing:
        raise InputError(where, "sizes", "a size for every actor", line=sline,
                         got=f"missing {', '.join(missing)}")
    return sizes


def _landscape_propensities(path: Path, spec: LandscapeSpec, line) -> dict[frozenset, float]:
    """Propensities, inline or from ``propensities_csv`` (exactly one): between two
    different listed actors, one value per pair (a repeat must agree)."""
    ids = spec.ids
    if (spec.propensities is None) == (spec.propensities_csv is None):
        raise InputError(path, "propensities",
                         "exactly one of 'propensities' (inline) or 'propensities_csv'",
                         line=line("propensities") or line("propensities_csv"))
    if spec.propensities_csv is not None:
        rows = read_propensities_csv(path.parent / spec.propensities_csv)
    else:
        rows = [{"a": r.a, "b": r.b, "value": r.value, "_line": line("propensities", i),
                 "_file": path, "_field": f"propensities[{i}]"}
                for i, r in enumerate(spec.propensities)]
    values: dict[frozenset, float] = {}
    for r in rows:
        field = r.get("_field", "a,b")
        for end in ("a", "b"):
            if r[end] not in ids:
                raise InputError(r["_file"], f"{field}.{end}" if "_field" in r else end,
                                 f"a listed actor ({', '.join(ids)})", line=r["_line"], got=r[end])
        if r["a"] == r["b"]:
            raise InputError(r["_file"], field, "two different actors", line=r["_line"], got=r["a"])
        if not abs(r["value"]) <= MAX_MAGNITUDE:  # 1e308 made every energy NaN
            raise InputError(r["_file"], f"{field}.value" if "_field" in r else "value",
                             f"a number from {-MAX_MAGNITUDE:g} to {MAX_MAGNITUDE:g}", line=r["_line"],
                             got=r["value"])
        key = frozenset((r["a"], r["b"]))
        if key in values and values[key] != r["value"]:
            raise InputError(r["_file"], field, f"one value per pair ({r['a']}, {r['b']} was "
                             f"already given {values[key]})", line=r["_line"], got=r["value"])
        values[key] = r["value"]
    return values


def check_actual(actual: dict[str, str], ids: list[str], file, line=None) -> None:
    """The actual alignment must place every actor, and only listed actors."""
    extra = [a for a in actual if a not in ids]
    if extra:
        raise InputError(file, "actual", f"blocs only for listed actors ({', '.join(ids)})",
                         line=line, got=extra[0])
    missing = [a for a in ids if a not in actual]
    if missing:
        raise InputError(file, "actual", "a bloc for every actor", line=line,
                         got=f"missing {', '.join(missing)}")


# --------------------------------------------------------------------------- reporting
def minima_table(result, ids: list[str], actual: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per local minimum: energy, basin, blocs and (with ``actual``) agreement."""
    from sim.landscape.partition import compare

    rows = []
    truth = [actual[a] for a in ids] if actual else None
    for rank, m in enumerate(result.minima, start=1):
        row = {"minimum": rank, "energy": m.energy, "basin_size": m.basin_size,
               "basin_share": m.basin_share}
        if m.share_se is not None:
            row["share_se"] = m.share_se
        row["blocs"] = " | ".join(" ".join(b) for b in m.blocs(ids))
        if truth is not None:
            row.update(compare(list(m.labels), truth))
        rows.append(row)
    return pd.DataFrame(rows)

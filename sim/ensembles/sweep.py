"""Parameter sweeps and ensembles: what to vary, how to sample it, and a runner that survives.

A sweep file (YAML) names a base scenario, the scenario fields to vary (dotted paths, applied
with :func:`sim.scenario.schema.apply_overrides`), a design (``grid``, ``points``, ``lhs``,
``sobol``, ``morris``), replicates per point and one root seed. Every run is identified by
``run_id = point * replicates + replicate`` and gets the seed
``SeedSequence(root, spawn_key=(point, replicate))``, so a run's result depends only on its
indices: the same whichever executor, however many workers, and whether the sweep was
resumed.

Results stream to disk as runs finish: small Parquet part files under ``results/`` (and
``dyads/`` when the full dyad-year tables are kept), each written under a temporary name
and renamed, so a killed sweep leaves only whole parts. ``resume`` reads the run ids of the
committed parts and skips them. The parent keeps only counters and the set of finished ids,
so memory does not grow with the number of runs.

A sweep file::

    name: bop_bot_temperature            # default output: runs/sweeps/<name>
    base: scenarios/known_balance_of_threat.yaml   # relative to this file or the cwd
    parameters:                          # dotted scenario paths (as for --set)
      mechanism.threat.mix: {low: 0, high: 1, n: 6}      # a range (n levels on a grid)
      mechanism.temperature: {values: [0.0, 0.2, 0.8]}   # explicit levels
    design: {kind: grid}                 # grid | points | lhs | sobol | morris
                                         # (lhs/sobol/morris: samples: N; sobol:
                                         # second_order; morris: levels; points: [{..}])
    replicates: 8                        # runs per point
    seed: 20260101                       # root of every run's seed
    outputs:
      summary: true                      # or a list of RunResult.summary keys
      reference: seeds/reference/central_asia_reference.csv   # adds val_* scores
      alignments:                        # 0/1 per run; mean over replicates = probability
        - {a: KZK, b: UZB, year: 2022, min_de_jure: 3, by: true}   # column aligned_KZK_UZB_2022
                                         # or 'name: ...', a column no other result has; NaN
                                         # in a run whose span (a swept time) misses the year
      dyads: false                       # keep every run's dyad-year table
    plots: {x: mechanism.threat.mix, y: mechanism.temperature, metrics: [...]}

Output folder: ``manifest.json`` (resolved sweep, seed rule, versions, content hashes),
``design.parquet`` (one row per point), ``results/part-*.parquet`` (one row per run:
run_id, point, replicate, seed, status, error, seconds, the parameters, the outputs),
``dyads/part-*.parquet`` when kept, ``plots/``. Read them with :func:`sim.ensembles.storage.load_results`.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import itertools
import json
import math
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
import os
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.errors import InputError, RunsFailed
from sim.files import atomic_file, json_text, line_map, nearest_line, versions, yaml_line
from sim.scenario.fields import bounds, field_at, whole_numbers_only
from sim.scenario.unused_weights import setting_path
from sim.levels import DE_FACTO_MAX, DE_FACTO_MIN, DE_JURE_MAX, DE_JURE_MIN

DESIGNS = ("grid", "points", "lhs", "sobol", "morris")
#: Limits far above any real study: levels of one swept parameter, samples, replicates, runs.
MAX_LEVELS = 10_000
MAX_SAMPLES = 1_000_000
MAX_REPLICATES = 100_000
MAX_RUNS = 10_000_000
#: A name that becomes a folder under runs/ (a sweep's or a fit's): no separators, no '..'.
FOLDER_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
#: Runners a sweep file may name. A sweep file must never choose code to import (a module
#: next to it would be on sys.path): other runners are allowed by the person running the
#: command, through the ``ALLIANCE_SIM_RUNNERS`` environment variable (comma-separated).
RUNNERS = ("sim.ensembles.sweep",)


def allowed_runners() -> tuple[str, ...]:
    extra = [r.strip() for r in os.environ.get("ALLIANCE_SIM_RUNNERS", "").split(",") if r.strip()]
    return RUNNERS + tuple(extra)


def check_runner(name: str) -> str:
    """The runner module's name, if it is one the project (or the user's environment) allows."""
    if name not in allowed_runners():
        raise ValueError("one of the project's runners (" + ", ".join(allowed_runners()) + "); other "
                         "runners are enabled with the ALLIANCE_SIM_RUNNERS environment variable")
    return name


#: Columns every result row carries, whatever the outputs asked for.


# --------------------------------------------------------------------------------------
# The sweep file
# --------------------------------------------------------------------------------------

class ParamSpec(BaseModel):
    """One swept scenario field.

    Either explicit ``values`` (grid levels, any YAML scalars) or a numeric range
    ``low``..``high``; a grid over a range takes ``n`` evenly spaced levels.
    """

    model_config = ConfigDict(extra="forbid")
    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)
    n: int | None = Field(default=None, ge=1, le=MAX_LEVELS, description="levels of the range on a grid")
    values: list[Any] | None = None
    integer: bool = False

    @model_validator(mode="after")
    def _range(self) -> "ParamSpec":
        if self.values is not None:
            if len(self.values) == 0:
                raise ValueError("a non-empty list of values")
            if self.low is not None or self.high is not None or self.n is not None:
                raise ValueError("either 'values' or a range ('low', 'high', 'n'), not both")
            return self
        if self.low is None or self.high is None:
            raise ValueError("either 'values' or both 'low' and 'high'")
        if not self.high > self.low:
            raise ValueError(f"'high' greater than 'low' (an empty range {self.low}..{self.high})")
        return self

    def levels(self) -> list[Any]:
        """Grid levels: the explicit values, or ``n`` evenly spaced points of the range."""
        if self.values is not None:
            return list(self.values)
        n = self.n or 3
        out = np.linspace(self.low, self.high, n)
        return [int(round(v)) for v in out] if self.integer else [float(v) for v in out]


class DesignSpec(BaseModel):
    """How points are drawn. ``samples`` means: LHS points; Sobol base size N (SALib draws
    N*(2D+2) points, or N*(D+2) without second-order indices); Morris trajectories
    (N*(D+1) points)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["grid", "points", "lhs", "sobol", "morris"] = "grid"
    samples: int | None = Field(default=None, ge=1, le=MAX_SAMPLES, description="samples of the design")
    points: list[dict[str, Any]] | None = None
    second_order: bool = True
    levels: int = Field(default=4, ge=2, description="levels of a Morris grid")
    seed: int | None = None


class AlignmentOutput(BaseModel):
    """An event to record per run as 0/1: has the pair reached a level by (or at) a year?

    Averaged over replicates it is the ensemble probability of that alignment, which is
    what sensitivity studies of the historical case ask about. A run that cannot say (its
    span, under a swept ``time.start`` or ``time.end``, leaves out the year, or its swept
    states leave out the pair) records a missing value (NaN), never 0: a mean over
    replicates skips it, and it is not read as 'never aligned'. The column is ``name``, or
    ``aligned_A_B_YEAR``; it must be no other result column (ids, swept parameters,
    summary keys, another alignment's), which the sweep checks when it loads.
    """

    model_config = ConfigDict(extra="forbid")
    a: str
    b: str
    year: int
    min_de_facto: int | None = Field(default=None, ge=DE_FACTO_MIN, le=DE_FACTO_MAX,
                                     description="a de facto level")  # 99: never aligned
    min_de_jure: int | None = Field(default=None, ge=DE_JURE_MIN, le=DE_JURE_MAX, description="a de jure level")
    by: bool = True
    name: str | None = None

    @model_validator(mode="after")
    def _some_level(self) -> "AlignmentOutput":
        if self.min_de_facto is None and self.min_de_jure is None:
            raise ValueError("'min_de_facto' or 'min_de_jure'")
        if self.a == self.b:
            raise ValueError(f"two different states 'a' and 'b', got {self.a!r} twice")
        return self

    def column(self) -> str:
        return self.name or f"aligned_{self.a}_{self.b}_{self.year}"


class OutputSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    summary: bool | list[str] = True
    reference: str | None = None
    alignments: list[AlignmentOutput] = []
    dyads: bool = False


class PlotSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metrics: list[str] = []
    x: str | None = None
    y: str | None = None


class SweepSpec(BaseModel):
    """A whole sweep file, validated. Paths are resolved by :func:`load_sweep`."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=FOLDER_NAME, max_length=100)
    base: str
    parameters: dict[str, ParamSpec] = {}
    design: DesignSpec = DesignSpec()
    replicates: int = Field(default=1, ge=1, le=MAX_REPLICATES, description="runs per design point")
    seed: int = Field(default=0, ge=0, description="the root of every run's seed")
    outputs: OutputSpec = OutputSpec()
    out: str | None = None
    batch_size: int = Field(default=200, ge=1, description="runs per results part")
    plots: PlotSpec = PlotSpec()
    #: Module that loads, overrides and runs scenarios (``load_base``, ``with_overrides``,
    #: ``run_once``; optionally ``prepare`` and ``takes_whole_numbers``, which a fit takes
    #: from this module where a runner has none); the default is the alliance model itself.
    runner: str = "sim.ensembles.sweep"

    @field_validator("runner")
    @classmethod
    def _known_runner(cls, name: str) -> str:
        return check_runner(name)


def resolve_relative(path: str, sweep_file: Path) -> Path | None:
    """A path in a sweep file: absolute, or relative to the sweep file, or to the cwd."""
    p = Path(path)
    if p.is_absolute():
        return p if p.exists() else None
    for cand in (sweep_file.parent / p, Path.cwd() / p):
        if cand.exists():
            return cand.resolve()
    return None


def load_sweep(path: str | Path) -> "Sweep":
    """Read and check a sweep file; every problem is an InputError naming file and field."""
    from sim.reading import load_yaml, read_text

    path = Path(path)
    text = read_text(path, kind="yaml", what="a sweep file")
    data = load_yaml(text, path)
    if not isinstance(data, dict):
        raise InputError(path, None, "a mapping with 'name', 'base', 'parameters', 'design'")
    return sweep_from_dict(data, path, text)


def _line_finder(text: str | None):
    """``line(*loc)``: the line of a key path in ``text`` (one parse for every line asked)."""
    lines = line_map(text) if text else {}
    return lambda *loc: nearest_line(lines, loc) if lines else None


#: Scenario fields that no run reads, each with why: a sweep over them repeats one run.
UNREAD_FIELDS = {
    "name": "it names a single run's folder, runs/NAME-seedN, and no run reads it",
    "description": "it is text about the scenario, which no run reads",
}


def _check_unread(spec: SweepSpec, path: Path, line) -> None:
    """Refuse a swept scenario field that no run reads: its points would differ in name only,
    with identical results, and read as 'this field makes no difference'. Only for the
    alliance model's own runner: another runner's base need not be a scenario."""
    if spec.runner != RUNNERS[0]:
        return
    for name in spec.parameters:
        if name in UNREAD_FIELDS:
            raise InputError(path, f"parameters.{name}", f"a scenario field that changes the runs; "
                             f"{name!r} does not ({UNREAD_FIELDS[name]}), so every point would give the "
                             "same results", line=line("parameters", name))
    for i, pt in enumerate(spec.design.points or []):
        for name in set(pt) & set(UNREAD_FIELDS):
            raise InputError(path, f"design.points[{i}].{name}", f"a scenario field that changes the "
                             f"runs; {name!r} does not ({UNREAD_FIELDS[name]}), so every point would give "
                             "the same results", line=line("design", "points", i, name))


def _check_design(spec: SweepSpec, path: Path, line) -> None:
    """What each design kind needs: points that name listed parameters, or parameters, and
    for the sampled designs numeric ranges and a number of samples."""
    _check_unread(spec, path, line)
    kind = spec.design.kind
    if kind == "points":
        if not spec.design.points:
            raise InputError(path, "design.points", "a non-empty list of {path: value} points",
                             line=line("design"))
        for i, pt in enumerate(spec.design.points):
            unknown = set(pt) - set(spec.parameters) if spec.parameters else set()
            if unknown:
                raise InputError(path, f"design.points.{i}", "only parameters listed under "
                                 "'parameters'", line=line("design", "points", i),
                                 got=sorted(unknown))
    elif not spec.parameters:
        raise InputError(path, "parameters", f"at least one parameter for a {kind} design",
                         line=line("parameters"))
    if kind in ("lhs", "sobol", "morris"):
        for name, p in spec.parameters.items():
            if p.values is not None:
                raise InputError(path, f"parameters.{name}", f"a numeric range low..high for a "
                                 f"{kind} design, not a list of values",
                                 line=line("parameters", name))
        if spec.design.samples is None:
            raise InputError(path, "design.samples", f"a number of samples for a {kind} design",
                             line=line("design"))
    for axis in ("x", "y"):  # an axis that is no swept parameter drew no map, without a word
        name = getattr(spec.plots, axis)
        if name is not None and name not in spec.parameters:
            raise InputError(path, f"plots.{axis}", "a parameter listed under 'parameters' ("
                             + ", ".join(spec.parameters) + ")", line=line("plots", axis), got=name)


_INTEGER_ERRORS = ("greater_than_equal", "less_than_equal", "int_parsing", "int_type", "int_from_float")


def _expected(err: dict, loc: tuple) -> str:
    """What a field of a sweep file expected, in the project's words, from a pydantic error."""
    from sim.scenario.schema import explain_pydantic

    kind = err["type"]
    if kind == "literal_error" and loc and loc[-1] == "kind":
        return "one of " + ", ".join(DESIGNS)
    if kind == "extra_forbidden":
        return "no such field (known: see the sweep file documentation in sim/ensembles/sweep.py)"
    if kind == "missing":  # its input is the whole mapping: never echo a file
        return "this required field (a sweep file names its 'name' and its 'base' scenario)"
    if loc == ("name",) and kind.startswith("string_"):
        return "a plain name (letters, digits, '_', '.', '-'; at most 100), the folder runs/sweeps/NAME"
    info, tp = field_at(SweepSpec, loc)
    low, high = bounds(info) if info is not None else (None, None)
    if kind in _INTEGER_ERRORS and tp is int and low is not None:
        # a whole-number setting, in its range and with what it counts (as the model declares
        # them): pydantic's "Input should be greater than or equal to 1" said neither
        return (f"a whole number from {low:,} to {high:,}" if high is not None
                else f"a whole number of at least {low:,}") + f" ({info.description})"
    return explain_pydantic(err)


def sweep_from_dict(data: dict, path: str | Path = "<sweep>", text: str | None = None) -> "Sweep":
    path = Path(path)
    if isinstance(data, dict) and "extends" in data:  # else: "'base': expected this required field"
        raise InputError(path, "extends", "no 'extends' in a sweep file: a sweep file names its scenario with "
                         "'base' (base: SCENARIO.yaml), not 'extends'; the base may itself extend another scenario",
                         line=yaml_line(text, ("extends",)) if text else None,
                         got=data["extends"] if isinstance(data["extends"], str) else None)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(x for x in err["loc"] if x not in ("function-after",))
        fld = ".".join(str(x) for x in loc if not str(x).startswith("function-"))
        line = yaml_line(text, loc) if text else None
        raise InputError(path, fld or None, _expected(err, loc), line=line, got=err.get("input")
                         if err["type"] not in ("extra_forbidden", "missing") else None) from None
    line = _line_finder(text)
    base = resolve_relative(spec.base, path)
    if base is None:
        raise InputError(path, "base", "an existing scenario file", line=line("base"),
                         got=spec.base)
    _check_named_file(base, path, "base", line("base"), "a base scenario")
    reference = None
    if spec.outputs.reference:
        reference = resolve_relative(spec.outputs.reference, path)
        if reference is None:
            raise InputError(path, "outputs.reference", "an existing reference timeline file",
                             line=line("outputs", "reference"), got=spec.outputs.reference)
        _check_named_file(reference, path, "outputs.reference", line("outputs", "reference"),
                          "a reference timeline")
    _check_design(spec, path, line)
    runs = planned_points(spec) * spec.replicates
    if runs > MAX_RUNS:
        raise InputError(path, "replicates", f"a sweep of at most {MAX_RUNS:,} runs (points x replicates)",
                         line=line("replicates"), got=runs)
    sweep = Sweep(spec=spec, file=path, base_path=base, reference_path=reference)
    sweep.check_paths(line)
    sweep.check_outputs(line)
    sweep.check_alignments(line)
    sweep.check_reference(line)
    sweep.warnings = sweep.idle_weight_warnings(line)
    return sweep


def planned_points(spec: SweepSpec) -> int:
    """How many points the design will have, computed without drawing them."""
    d, dims = spec.design, len(spec.parameters)
    if d.kind == "grid":
        return math.prod(len(p.values) if p.values is not None else (p.n or 3) for p in spec.parameters.values())
    if d.kind == "points":
        return len(d.points or [])
    n = d.samples or 0
    if d.kind == "sobol":
        return n * (2 * dims + 2 if d.second_order else dims + 2)
    return n * (dims + 1) if d.kind == "morris" else n


def _check_named_file(target: Path, path: Path, field: str, line: int | None, what: str) -> None:
    """A file the sweep names must be a readable file of the right kind, checked before any run."""
    from sim.reading import FileProblem, blame_field, load_yaml, read_text

    try:
        if field == "base":
            data = load_yaml(read_text(target, kind="yaml", what=what), target)
            if not isinstance(data, dict):
                raise InputError(path, field, f"{what} (a mapping of scenario keys) in {target}", line=line)
        else:
            from sim.scenario.reference import load_reference_levels
            load_reference_levels(target)
    except FileProblem as exc:
        raise blame_field(exc, path, field, line) from None
    except InputError as exc:
        if exc.file == str(path):
            raise
        raise InputError(path, field, f"{what} in {target.name} ({exc.message()})", line=line) from None


# --------------------------------------------------------------------------------------
# Designs and seeds
# --------------------------------------------------------------------------------------

def salib_problem(spec: SweepSpec) -> dict:
    """The SALib problem dict of the swept ranges (order = order in the sweep file)."""
    names = list(spec.parameters)
    return {"num_vars": len(names), "names": names,
            "bounds": [[spec.parameters[n].low, spec.parameters[n].high] for n in names]}


def design_matrix(spec: SweepSpec) -> pd.DataFrame:
    """All points of the design, one row per point (index = point number), one column per
    parameter. Deterministic given the sweep file (design seed, or the root seed)."""
    names = list(spec.parameters)
    d = spec.design
    seed = spec.seed if d.seed is None else d.seed
    if d.kind == "grid":
        rows = list(itertools.product(*(spec.parameters[n].levels() for n in names)))
        return pd.DataFrame(rows, columns=names)
    if d.kind == "points":
        cols = names or sorted({k for p in d.points for k in p})
        return pd.DataFrame([{c: p.get(c) for c in cols} for p in d.points], columns=cols)
    lows = np.array([spec.parameters[n].low for n in names])
    highs = np.array([spec.parameters[n].high for n in names])
    if d.kind == "lhs":
        from scipy.stats import qmc
        u = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed)).random(d.samples)
        X = lows + u * (highs - lows)
    elif d.kind == "sobol":
        from SALib.sample import sobol
        X = sobol.sample(salib_problem(spec), d.samples, calc_second_order=d.second_order,
                         seed=seed)
    else:  # morris
        from SALib.sample import morris
        X = morris.sample(salib_problem(spec), d.samples, num_levels=d.levels, seed=seed)
    df = pd.DataFrame(X, columns=names)
    for n in names:
        if spec.parameters[n].integer:
            df[n] = df[n].round().astype(int)
    return df


def run_seed(root: int, point: int, replicate: int) -> int:
    """The seed of one run: a function of the root seed and the run's indices only."""
    ss = np.random.SeedSequence(root, spawn_key=(point, replicate))
    return int(ss.generate_state(1, np.uint32)[0])


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


# --------------------------------------------------------------------------------------
# The default runner: the alliance model itself
# --------------------------------------------------------------------------------------

def load_base(path: str) -> dict:
    from sim.scenario.schema import load_scenario
    return load_scenario(path).model_dump()


def with_overrides(data: dict, overrides: dict, source: str) -> dict:
    from sim.scenario.schema import apply_overrides
    return apply_overrides(data, overrides, source=source) if overrides else data


def takes_whole_numbers(path: str) -> bool:
    """True where the scenario field a dotted override path reaches takes whole numbers
    only, as the schema declares it (``time.end``): a fit, which tries fractions, cannot
    search it."""
    from sim.scenario.schema import Scenario
    return whole_numbers_only(Scenario, str(path).split("."))


def prepare(data: dict, source: str):
    """Validate a point's scenario once; its replicates reuse it."""
    from sim.scenario.schema import scenario_from_dict
    return scenario_from_dict(data, source=source, base_dir=Path(source).parent)


def summary_keys(prepared) -> list[str]:
    """The summary keys of a prepared point's runs, known before they run."""
    from sim.run.simulate import summary_keys as keys_of
    return keys_of(prepared)


def idle_weights(source: str, overrides: dict) -> list:
    """The weights a point sets that its inputs leave idle, found as ``check --set`` finds
    them: on the base file as written with the point's overrides, because only the weights
    a scenario sets itself are judged (a base read whole, as :func:`load_base` reads it,
    would set every weight)."""
    return idle_weight_finder(source)(overrides)


def idle_weight_finder(source: str) -> Callable[[dict], list]:
    """:func:`idle_weights` for many points of one base: the base file is read (and its
    ``extends`` resolved) here, once, and the function returned judges a point's overrides.
    A sweep looks at several points; each read the file anew."""
    from sim.model import inputs_for
    from sim.scenario.schema import apply_overrides, load_raw, scenario_from_dict
    from sim.scenario.unused_weights import idle_weights as idle
    raw = load_raw(source)

    def find(overrides: dict) -> list:
        sc = scenario_from_dict(apply_overrides(raw, overrides, source=source), source=source,  # a copy
                                base_dir=Path(source).parent)
        return idle(sc, inputs_for(sc))
    return find


def run_once(data, seed: int, record: bool, source: str):
    """One run of a prepared scenario (or a plain scenario dict)."""
    from sim.run.simulate import simulate
    if isinstance(data, dict):
        data = prepare(data, source)
    return simulate(data, seed=seed, record=record)


# --------------------------------------------------------------------------------------
# What a worker needs, and what it does
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RunContext:
    """Everything a worker needs, shipped once per worker (initializer or Dask scatter)."""

    key: str
    base_path: str
    base_data: dict
    runner: str
    summary: bool | tuple
    alignments: tuple
    reference: pd.DataFrame | None
    keep_dyads: bool

    @property
    def record(self) -> bool:
        return self.keep_dyads or self.reference is not None or bool(self.alignments)


_INSTALLED: dict[str, RunContext] = {}
#: The last point prepared in this worker: replicates of a point usually arrive together.
_LAST_POINT: dict[str, Any] = {"key": None, "value": None}


def install_context(ctx: RunContext) -> None:
    """Process-pool initializer: parse nothing per run that can be parsed once."""
    _INSTALLED[ctx.key] = ctx


def _alignment_flags(dyads: pd.DataFrame, specs: tuple) -> dict[str, float]:
    """Each alignment output of a run: 1 if the pair reached the level by (or in) the year,
    0 if not, NaN if the run cannot say: its span leaves out the year, or its states the
    pair (a swept ``time`` or ``states``). Recorded as 0, such a run read as 'never aligned'."""
    out: dict[str, float] = {}
    first, last = dyads.year.min(), dyads.year.max()
    for s in specs:
        pair = dyads[((dyads.a == s["a"]) & (dyads.b == s["b"])) |
                     ((dyads.a == s["b"]) & (dyads.b == s["a"]))]
        if pair.empty or not first <= s["year"] <= last:
            out[s["column"]] = math.nan
            continue
        pair = pair[pair.year <= s["year"]] if s["by"] else pair[pair.year == s["year"]]
        ok = pd.Series(True, index=pair.index)
        if s["min_de_facto"] is not None:
            ok &= pair.de_facto >= s["min_de_facto"]
        if s["min_de_jure"] is not None:
            ok &= pair.de_jure >= s["min_de_jure"]
        out[s["column"]] = int(bool(ok.any()))
    return out


def run_task(ctx: RunContext, task: tuple) -> tuple[dict, pd.DataFrame | None]:
    """One run: apply the point's overrides to the base, simulate, keep the outputs.

    Any exception becomes a row with status 'error' and its message, so one bad point never
    stops a sweep.
    """
    run_id, point, replicate, seed, overrides = task
    row: dict[str, Any] = {"run_id": run_id, "point": point, "replicate": replicate,
                           "seed": seed, "status": "ok", "error": None}
    row.update(overrides)
    t0 = time.perf_counter()
    dyads = None
    try:
        runner = importlib.import_module(ctx.runner)
        key = (ctx.key, point)
        if _LAST_POINT["key"] == key:
            data = _LAST_POINT["value"]
        else:
            data = runner.with_overrides(ctx.base_data, overrides, ctx.base_path)
            if hasattr(runner, "prepare"):
                data = runner.prepare(data, ctx.base_path)
            _LAST_POINT.update(key=key, value=data)
        res = runner.run_once(data, seed, ctx.record, ctx.base_path)
        if ctx.summary:
            summ = res.summary
            if ctx.summary is not True:
                unknown = [k for k in ctx.summary if k not in summ]
                if unknown:  # was a bare KeyError in every run
                    raise ValueError(f"outputs.summary names {unknown[0]!r}, which is not a key of a "
                                     f"run's summary ({', '.join(summ)})")
                summ = {k: summ[k] for k in ctx.summary}
            row.update({k: _plain(v) for k, v in summ.items()})
        if ctx.record:
            table = res.dyads
            if ctx.alignments:
                row.update(_alignment_flags(table, ctx.alignments))
            if ctx.reference is not None:
                from sim.analysis.validation import score_table
                row.update({f"val_{k}": v for k, v in score_table(table, ctx.reference).items()})
            if ctx.keep_dyads:
                dyads = table.copy()
                dyads.insert(0, "run_id", run_id)
    except Exception as exc:  # noqa: BLE001 - recorded, the sweep goes on
        row["status"] = "error"
        last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        where = f" (at {Path(last[0].filename).name}:{last[0].lineno})" if last else ""
        row["error"] = f"{type(exc).__name__}: {exc}{where}"[:2000]
        dyads = None
    row["seconds"] = time.perf_counter() - t0
    return row, dyads


def run_chunk(ctx: RunContext | str, tasks: list[tuple]) -> list[tuple[dict, Any]]:
    """Run a chunk of tasks in one worker. ``ctx`` is the context or the key of one
    installed by :func:`install_context`."""
    if isinstance(ctx, str):
        ctx = _INSTALLED[ctx]
    return [run_task(ctx, t) for t in tasks]


# --------------------------------------------------------------------------------------
# The sweep and its output folder
# --------------------------------------------------------------------------------------

def _sha256(path: Path | None) -> str | None:
    if path is None or not Path(path).is_file():
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _code_hash() -> str:
    """Hash of the package's Python sources: two sweeps with the same hash ran the same
    model code (package versions alone do not say so while the model is being edited)."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for f in sorted(package.rglob("*.py")):
        h.update(f.relative_to(package).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    atomic_file(path, lambda tmp: tmp.write_bytes(data))


def _atomic_parquet(df: pd.DataFrame, path: Path) -> None:
    atomic_file(path, lambda tmp: pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp))


@dataclass
class Sweep:
    """A checked sweep file with its resolved paths and its design."""

    spec: SweepSpec
    file: Path
    base_path: Path
    reference_path: Path | None = None
    _design: pd.DataFrame | None = field(default=None, repr=False)
    _base: Any = field(default=None, repr=False)  # the base as the runner loaded it, once
    _inputs: dict | None = field(default=None, repr=False)  # input_hashes, read once
    #: The summary keys of each point check_paths prepared (when the runner can say them).
    _summary_keys: list[list[str]] = field(default_factory=list, repr=False)
    #: Idle weights of the points check_paths looked at, by dotted path, the first seen.
    _idle: dict[str, Any] = field(default_factory=dict, repr=False)
    #: The runner's idle-weight finder for the base, made once (False: the runner has none).
    _find_idle: Any = field(default=None, repr=False)
    #: Lines for stderr before the runs: weights the runs cannot differ by.
    warnings: list[str] = field(default_factory=list)

    def check_paths(self, line=lambda *a: None) -> None:
        """Every swept path must exist in the base scenario, and the scenarios the sweep
        will run must be valid (``with_overrides``, then the runner's ``prepare`` where it
        has one): every design point of a small design, and of a large one the points where
        each parameter takes its lowest and highest level (every level of one that is not
        numeric) and the first few. A bad value found only when its runs came up failed them
        one by one, or stopped the sweep with a traceback (a string among numbers) after its
        folder was begun. What the checked points' scenarios tell of the runs' outputs is
        kept for :meth:`check_outputs`."""
        from sim.scenario.schema import OverlappingPaths
        runner = importlib.import_module(self.spec.runner)
        base = self.base_data(runner)
        design = self.design
        names = list(design.columns)
        idle_rows = self._idle_rows(design)
        for row in self._points_to_check(design):
            overrides = {n: _plain(v) for n, v in zip(names, design.iloc[row])
                         if v is not None and not (isinstance(v, float) and math.isnan(v))}
            try:
                data = runner.with_overrides(base, overrides, str(self.base_path))
            except OverlappingPaths as exc:  # two swept paths reach one field: say so as it is
                where, at = self._where(exc.field, row, line)
                raise InputError(self.file, where, exc.expected, line=at) from None
            except InputError as exc:  # a path the base scenario does not have
                name = self._swept_name(exc.field, overrides) or next(iter(overrides), "")
                where, at = self._where(name, row, line)
                raise InputError(self.file, where, f"a field of the base scenario {self.base_path.name} "
                                 f"({exc.expected})", line=at) from None
            except (KeyError, IndexError, TypeError, ValueError) as exc:
                raise InputError(self.file, "parameters", f"fields of the base scenario {self.base_path.name}",
                                 line=line("parameters"), got=str(exc)) from None
            if hasattr(runner, "prepare"):
                data = self._prepare_point(runner, data, row, overrides, line)
            self._learn_point(runner, data, overrides if row in idle_rows else None)

    def _prepare_point(self, runner, data: Any, row: int, overrides: dict, line) -> Any:
        """A checked point's scenario as the runner prepares it, or the sweep file's error."""
        try:
            return runner.prepare(data, str(self.base_path))
        except InputError as exc:  # a value the scenario does not accept
            name = self._swept_name(exc.field, overrides)
            if name is None:
                raise InputError(self.file, "design", f"design points the base scenario {self.base_path.name} "
                                 f"accepts ({exc.message()})", got=overrides) from None
            where, at = self._where(name, row, line)
            raise InputError(self.file, where, f"a value that field {name} of the base scenario "
                             f"{self.base_path.name} accepts ({exc.expected})", line=at,
                             got=overrides[name]) from None

    def _where(self, name: str, row: int, line) -> tuple[str, int | None]:
        """The sweep file's field (and its line) that set swept path ``name`` at design point
        ``row``: a listed parameter, or a key of one of the design's points."""
        if name in self.spec.parameters:
            return f"parameters.{name}", line("parameters", name)
        return f"design.points[{row}].{name}", line("design", "points", row, name)

    def _learn_point(self, runner, data: Any, overrides: dict | None) -> None:
        """Keep what a checked point's scenario ``data`` says of the runs' outputs: its
        summary keys and, given the point's ``overrides``, the weights it sets that its
        inputs leave idle, where the runner can say (optional runner functions
        ``summary_keys(data)`` and ``idle_weight_finder(base_path)`` or
        ``idle_weights(base_path, overrides)``)."""
        if hasattr(runner, "summary_keys"):
            self._summary_keys.append(list(runner.summary_keys(data)))
        find = self._idle_finder(runner) if overrides is not None else None
        if find is None:
            return
        try:
            idle = find(overrides)
        except InputError:  # warnings only: the point itself passed the runner's checks
            return
        for weight in idle:
            self._idle.setdefault(weight.path, weight)

    def _idle_finder(self, runner) -> Callable[[dict], list] | None:
        """The function that gives a point's idle weights from its overrides (None: the runner
        cannot say), made once per sweep so that the base file is read once for all points."""
        if self._find_idle is None:
            base = str(self.base_path)
            if hasattr(runner, "idle_weight_finder"):
                try:
                    self._find_idle = runner.idle_weight_finder(base)
                except InputError:  # as each point's look would have failed: no warnings
                    self._find_idle = lambda overrides: []
            elif hasattr(runner, "idle_weights"):
                self._find_idle = functools.partial(runner.idle_weights, base)
            else:
                self._find_idle = False
        return self._find_idle or None

    def _idle_rows(self, design: pd.DataFrame) -> set[int]:
        """The points whose idle weights are looked for: the first, and each numeric
        parameter's highest level (a swept weight's largest, which is not 0 when any is).
        Few, because the inputs a point's weights act on may take a second to build."""
        rows = {0}
        for name in design.columns:
            col = pd.to_numeric(design[name], errors="coerce").dropna()
            if not col.empty:
                rows.add(design.index.get_loc(col.idxmax()))
        return rows

    #: Designs up to this many points are checked whole before the sweep starts.
    CHECKED_POINTS = 256

    def _points_to_check(self, design: pd.DataFrame) -> list[int]:
        """Row numbers of the design points :meth:`check_paths` validates."""
        if len(design) <= self.CHECKED_POINTS:
            return list(range(len(design)))
        rows = set(range(16))
        for name in design.columns:
            col = design[name].dropna()
            if col.empty:
                continue
            try:
                rows |= {design.index.get_loc(col.idxmin()), design.index.get_loc(col.idxmax())}
            except TypeError:  # levels that are not all numbers: each of them once
                rows |= {design.index.get_loc(i) for i in col.astype(str).drop_duplicates().index}
        return sorted(rows)

    @staticmethod
    def _swept_name(field: str | None, overrides: dict) -> str | None:
        """The swept path an error about ``field`` is about (itself, or a path above or below it)."""
        return setting_path(field, overrides)

    def changes(self, field: str) -> bool:
        """Whether a swept path (a parameter or a design point's key) lies in the base
        scenario's top-level ``field``: then the base file's own value says nothing."""
        swept = set(self.spec.parameters) | {k for pt in self.spec.design.points or [] for k in pt}
        return any(k == field or k.startswith(field + ".") for k in swept)

    def _base_state_ids(self) -> tuple[list | None, Any]:
        """The base scenario's state ids (None when the runner's base is not a scenario with
        a list of states) and the base as the runner loads it."""
        base = self.base_data(importlib.import_module(self.spec.runner))
        if not isinstance(base, dict) or not isinstance(base.get("states"), list):
            return None, base
        return [s.get("id") for s in base["states"] if isinstance(s, dict)], base

    def result_columns(self) -> dict[str, str]:
        """The columns of a result row before its alignment outputs, each with what it is,
        as :func:`run_task` writes them: the ids, the swept parameters, the summary (as the
        checked points' scenarios give its keys, where the runner can say them)."""
        from sim.ensembles.storage import ID_COLUMNS

        columns = {c: "a column every result row has" for c in ID_COLUMNS}
        columns.update({str(c): "a swept parameter" for c in self.design.columns})
        summary = self.spec.outputs.summary
        if summary is True:
            keys = [k for point in self._summary_keys for k in point]
        else:
            keys = list(summary) if summary else []
        columns.update({k: "a summary column" for k in keys if k not in columns})
        return columns

    def check_outputs(self, line=lambda *a: None) -> None:
        """The outputs must be columns of their own. A summary key that no run has failed
        every run after the sweep had begun; an alignment named as another column silently
        replaced it (a ``run_id`` wrote over every run's id, and ``--resume`` then ran runs
        twice), and two alignments of one name kept only the last."""
        summary = self.spec.outputs.summary
        if isinstance(summary, list) and self._summary_keys:
            for i, key in enumerate(summary):
                lacking = [p for p in self._summary_keys if key not in p]
                if lacking:
                    known = [k for k in self._summary_keys[0] if all(k in p for p in self._summary_keys)]
                    every = "a" if len(lacking) == len(self._summary_keys) else "every"
                    raise InputError(self.file, f"outputs.summary[{i}]", f"a key of {every} run's summary ("
                                     + ", ".join(known) + ")", line=line("outputs", "summary", i), got=key)
        columns = self.result_columns()
        for i, al in enumerate(self.spec.outputs.alignments):
            name = al.column()
            where = f"outputs.alignments[{i}]" + (".name" if al.name else "")
            taken = columns.get(name)
            if taken is None and self.reference_path is not None and name.startswith("val_"):
                taken = "a column of the reference scores (val_*)"
            if taken is not None:
                raise InputError(self.file, where, "a column name of its own (" + (
                    "" if al.name else "it has no 'name', and ") + f"{name!r} is {taken}; give it a "
                    "'name' no other result column has)", line=line("outputs", "alignments", i, "name"), got=name)
            columns[name] = f"the column of outputs.alignments[{i}]"

    def idle_weight_warnings(self, line=lambda *a: None) -> list[str]:
        """Warnings, one line each, for the weights that the checked points set and their
        inputs leave idle (:mod:`sim.scenario.unused_weights`): a swept one cannot make its
        runs differ, and the rest are said as ``check`` says them."""
        from sim.scenario.schema import load_scenario
        from sim.scenario.unused_weights import warning_line

        swept = dict.fromkeys(self.design.columns)
        out, base = [], None
        for path, weight in self._idle.items():
            name = self._swept_name(path, swept)
            if name is None:  # set by the base scenario: where it sets it, as 'check' says
                base = base or load_scenario(self.base_path)
                out.append(warning_line(base, weight))
                continue
            row = next((i for i, pt in enumerate(self.spec.design.points or []) if name in pt), 0)
            where, at = self._where(name, row, line)
            place = f"{self.file}:{at}" if at else str(self.file)
            what = "a weight" if name == path else f"the weight {path}"
            out.append(f"{place}: {where} sweeps {what}, but {weight.missing}: {weight.consequence}, "
                       "so the runs cannot differ by it")
        return out

    def check_alignments(self, line=lambda *a: None) -> None:
        """Every alignment output must name states and a year of the base scenario: one that
        does not is 0 in every run, read as 'this alignment never happens'. Skipped where the
        sweep changes the states or the span, or the runner's base is not a scenario."""
        ids, base = self._base_state_ids()
        if ids is None or not isinstance(base.get("time"), dict):
            return
        start, end = base["time"].get("start"), base["time"].get("end")
        for i, al in enumerate(self.spec.outputs.alignments):
            where = f"outputs.alignments[{i}]"
            if not self.changes("states"):
                for key in ("a", "b"):
                    if getattr(al, key) not in ids:
                        raise InputError(self.file, f"{where}.{key}", f"a state of the base scenario "
                                         f"{self.base_path.name} ({', '.join(map(str, ids))})",
                                         line=line("outputs", "alignments", i), got=getattr(al, key))
            if not self.changes("time") and \
                    isinstance(start, int) and isinstance(end, int) and not start <= al.year <= end:
                raise InputError(self.file, f"{where}.year", f"a year of the base scenario's span {start}-{end}",
                                 line=line("outputs", "alignments", i), got=al.year)

    def check_reference(self, line=lambda *a: None) -> None:
        """The reference must score something: a row for a pair of the base scenario's states
        (unless the sweep changes the states). A header-only file or one about other states
        left every run's scores empty, with numpy warnings and exit status 0."""
        if self.reference_path is None:
            return
        ids, _ = self._base_state_ids()
        if ids is None or self.changes("states"):
            return
        from sim.scenario.reference import load_reference_levels

        ref = load_reference_levels(self.reference_path)
        if not (ref["a"].isin(ids) & ref["b"].isin(ids)).any():
            raise InputError(self.file, "outputs.reference", f"a reference timeline with rows for pairs of the base "
                             f"scenario's states ({', '.join(sorted(map(str, ids)))}); {self.reference_path.name} "
                             f"has {'none' if len(ref) else 'no rows'}", line=line("outputs", "reference"))

    def base_data(self, runner) -> Any:
        """The base scenario as ``runner`` loads it, read once: the check of the swept paths
        and the runs' context share it."""
        if self._base is None:
            self._base = runner.load_base(str(self.base_path))
        return self._base

    @property
    def design(self) -> pd.DataFrame:
        if self._design is None:
            self._design = design_matrix(self.spec)
        return self._design

    @property
    def n_points(self) -> int:
        return len(self.design)

    @property
    def n_runs(self) -> int:
        return self.n_points * self.spec.replicates

    def plan_hash(self) -> str:
        """Identifies the planned runs: resuming under a changed plan is refused."""
        h = hashlib.sha256()
        h.update(json.dumps(self.spec.model_dump(exclude={"out", "batch_size"}),
                            sort_keys=True, default=str).encode())
        h.update(self.design.to_csv(index=False).encode())
        here = os.path.realpath(self.base_path.parent)  # names relative to it: a moved sweep still resumes
        for path, digest in self.input_hashes().items():
            h.update(f"{os.path.relpath(path, here)}\0{digest or ''}\0".encode())
        return h.hexdigest()

    def input_hashes(self) -> dict[str, str | None]:
        """SHA-256 of the base scenario and of every file it reads (the scenarios it extends,
        the tables it names, ``Scenario.input_files``), by path: a sweep resumed after one of
        them changed would put runs of two different worlds in one table. Only the base
        file when the runner's base is not an agent scenario."""
        if self._inputs is None:
            from sim.scenario.schema import load_scenario

            paths = [self.base_path]
            try:
                paths += load_scenario(self.base_path).input_files()
            except InputError:  # not a scenario of this package's format (another runner's base)
                pass
            self._inputs = {str(Path(os.path.realpath(p))): _sha256(p) for p in paths}
        return self._inputs

    def tasks(self, skip: set[int] | frozenset = frozenset()) -> Iterator[tuple]:
        """Planned runs not in ``skip``, generated lazily in run-id order."""
        reps = self.spec.replicates
        names = list(self.design.columns)
        for point, values in enumerate(self.design.itertuples(index=False, name=None)):
            overrides = {n: _plain(v) for n, v in zip(names, values) if v is not None
                         and not (isinstance(v, float) and math.isnan(v))}
            for rep in range(reps):
                rid = point * reps + rep
                if rid not in skip:
                    yield (rid, point, rep, run_seed(self.spec.seed, point, rep), overrides)

    def context(self) -> RunContext:
        runner = importlib.import_module(self.spec.runner)
        reference = None
        if self.reference_path is not None:
            from sim.scenario.reference import load_reference_levels
            reference = load_reference_levels(self.reference_path)
        summary = self.spec.outputs.summary
        aligns = tuple(dict(a.model_dump(), column=a.column()) for a in self.spec.outputs.alignments)
        return RunContext(key=self.plan_hash(), base_path=str(self.base_path),
                          base_data=self.base_data(runner),
                          runner=self.spec.runner,
                          summary=summary if isinstance(summary, bool) else tuple(summary),
                          alignments=aligns, reference=reference,
                          keep_dyads=self.spec.outputs.dyads)

    def default_out(self) -> Path:
        return Path(self.spec.out) if self.spec.out else Path("runs") / "sweeps" / self.spec.name


def committed_run_ids(out_dir: Path) -> set[int]:
    """Run ids in the committed result parts (reads only the run_id column)."""
    done: set[int] = set()
    for part in sorted((out_dir / "results").glob("part-*.parquet")):
        done.update(pq.read_table(part, columns=["run_id"]).column("run_id").to_pylist())
    return done


def _clean_partial(out_dir: Path) -> None:
    """Drop what a killed sweep may have left: temp files, dyad parts without results."""
    for sub in ("results", "dyads"):
        for tmp in (out_dir / sub).glob(".*.tmp"):
            tmp.unlink()
    results = {p.name for p in (out_dir / "results").glob("part-*.parquet")}
    for p in (out_dir / "dyads").glob("part-*.parquet"):
        if p.name not in results:
            p.unlink()


@dataclass
class SweepOutcome:
    out_dir: Path
    planned: int
    skipped: int
    ran: int
    errors: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.ran / self.seconds if self.seconds > 0 else float("nan")


def run_sweep(sweep: Sweep | str | Path, out: str | Path | None = None, *, workers: int = 1,
              executor: str = "local", scheduler: str | None = None, resume: bool = False,
              progress: bool = True, chunksize: int | None = None,
              plots: bool = True) -> SweepOutcome:
    """Run (or resume) a sweep, streaming results to ``out``.

    Args:
        sweep: A checked :class:`Sweep` or the path of a sweep file.
        out: Output folder (default: the sweep's ``out`` or ``runs/sweeps/<name>``).
        workers: Worker processes (1 runs in this process with the local executor).
        executor: ``local`` (process pool) or ``dask`` (LocalCluster or ``scheduler``).
        scheduler: Address of a running Dask scheduler.
        resume: Continue a sweep in ``out``, skipping runs already committed.
        progress: Show a tqdm bar on stderr.
        chunksize: Runs per task sent to a worker (default: chunks that shrink as the
            sweep nears its end, :func:`guided_chunks`).
        plots: Draw the summary plots at the end.
    """
    from sim.ensembles.executors import make_executor

    if not isinstance(sweep, Sweep):
        sweep = load_sweep(sweep)
    for text in sweep.warnings:  # before the runs, as 'run' warns before its run
        print(f"alliance-sim: warning: {text}", file=sys.stderr)
    out_dir = Path(out) if out else sweep.default_out()
    created = _first_missing(out_dir)
    # The executor first: a scheduler that cannot be reached must leave no folder behind.
    with make_executor(executor, workers, scheduler) as ex:
        try:
            done, batch_no = _prepare_out(sweep, out_dir, resume)
        except InputError as exc:
            if out or not sweep.spec.out or exc.field != "--out":
                raise
            # the folder came from the sweep file's 'out': name that, not an option never given
            raise InputError(sweep.file, "out", exc.expected,
                             line=yaml_line(sweep.file.read_text(encoding="utf-8"), ("out",)),
                             got=sweep.spec.out) from None
        manifest = _start_manifest(sweep, out_dir, executor, workers)
        _write_design(sweep, out_dir)
        writer = _BatchWriter(out_dir, batch_no, sweep.spec.batch_size)
        t0 = time.perf_counter()
        _stream_runs(sweep, done, writer, ex, workers=workers, chunksize=chunksize, progress=progress)
        seconds = time.perf_counter() - t0
    failed = writer.ran > 0 and writer.errors == writer.ran
    manifest.update(status="failed" if failed else "complete", finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    counts={"planned": sweep.n_runs, "skipped_done": len(done), "ran": writer.ran,
                            "errors_this_session": writer.errors}, seconds=seconds)
    _atomic_write_bytes(out_dir / "manifest.json", json_text(manifest, indent=2, default=str).encode())
    if failed:
        _all_failed(sweep, out_dir, writer, kept=len(done), created=created)
    if plots:
        from sim.plots.sweep import default_plots
        try:
            default_plots(out_dir, sweep)
        except Exception as exc:  # noqa: BLE001 - plots are a convenience, results are safe
            print(f"alliance-sim: warning: plots not drawn: {exc}", file=sys.stderr)
    return SweepOutcome(out_dir, sweep.n_runs, len(done), writer.ran, writer.errors, seconds)


def _first_missing(path: Path) -> Path | None:
    """The outermost folder of ``path`` (itself included) that does not exist yet: what a
    sweep that produced nothing removes again."""
    missing = None
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing = folder
    return missing


def _all_failed(sweep: Sweep, out_dir: Path, writer: "_BatchWriter", *, kept: int,
                created: Path | None) -> None:
    """Every run of this session failed: raise :class:`RunsFailed` with the first failure.

    A sweep with no earlier results leaves nothing behind (the folders it made are
    removed, or the files it wrote in a folder that was there), so that no folder looks
    like a finished sweep and rerunning after a fix needs neither ``--resume`` nor a new
    ``--out``. Earlier results of a resumed sweep are kept; its manifest says ``failed``.
    """
    import shutil
    run_id, point, replicate, error = writer.first_error
    if not kept:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        else:
            for name in ("results", "dyads", "plots"):
                shutil.rmtree(out_dir / name, ignore_errors=True)
            for name in ("manifest.json", "design.parquet"):
                (out_dir / name).unlink(missing_ok=True)
    where = (f"the {kept:,} runs done earlier are kept in {out_dir}, its manifest marked 'failed'"
             if kept else f"nothing was written to {out_dir}")
    raise RunsFailed(f"{sweep.file}: all {writer.ran:,} runs failed ({where}); the first, run "
                     f"{run_id} (point {point}, replicate {replicate}), failed with: {error}")


def _prepare_out(sweep: Sweep, out_dir: Path, resume: bool) -> tuple[set[int], int]:
    """Check that ``out_dir`` is new or holds this very sweep, and make its folders.

    Returns:
        The run ids already committed (when resuming) and the number of the next batch.
    """
    manifest_path = out_dir / "manifest.json"
    if not _is_sweep_folder(out_dir):  # a run folder or a user's files must not be written over
        from sim.run.outdir import check_output_folder
        check_output_folder(out_dir, own=lambda name: False, what="sweep")
    if (out_dir / "results").exists() and any((out_dir / "results").glob("part-*.parquet")):
        if not resume:
            raise InputError(out_dir, "--out", "an empty or new folder (it holds results of "
                             "a sweep; add --resume to continue it)")
        old = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
        if old.get("plan_hash") != sweep.plan_hash():
            raise InputError(sweep.file, None, f"the same sweep as the one in {out_dir} "
                             "(design, seeds or base scenario changed; use a new --out)")
    (out_dir / "results").mkdir(parents=True, exist_ok=True)
    if sweep.spec.outputs.dyads:
        (out_dir / "dyads").mkdir(exist_ok=True)
    _clean_partial(out_dir)
    done = committed_run_ids(out_dir) if resume else set()
    batch_no = 1 + max((int(p.stem.split("-")[1]) for p in
                        (out_dir / "results").glob("part-*.parquet")), default=-1)
    return done, batch_no


def _is_sweep_folder(out_dir: Path) -> bool:
    """True for a folder a sweep wrote: its manifest names the sweep and its plan."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and {"sweep", "plan_hash"} <= manifest.keys()


def _start_manifest(sweep: Sweep, out_dir: Path, executor: str, workers: int) -> dict:
    """Write the manifest as ``running``: what is swept, from which files, with which seeds."""
    manifest = {
        "sweep": sweep.spec.model_dump(), "sweep_file": str(sweep.file),
        "base_scenario": str(sweep.base_path),
        "reference": str(sweep.reference_path) if sweep.reference_path else None,
        "hashes": {"sweep_file": _sha256(sweep.file), "base_scenario": _sha256(sweep.base_path),
                   "reference": _sha256(sweep.reference_path), "sim_code": _code_hash(),
                   "inputs": sweep.input_hashes()},
        "plan_hash": sweep.plan_hash(), "n_points": sweep.n_points, "replicates": sweep.spec.replicates,
        "n_runs": sweep.n_runs,
        "seeds": {"root": sweep.spec.seed, "rule": "SeedSequence(root, spawn_key=(point, "
                  "replicate)).generate_state(1, uint32)[0]; run_id = point * replicates + "
                  "replicate"},
        "versions": versions(), "status": "running",
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "executor": executor, "workers": workers,
    }
    _atomic_write_bytes(out_dir / "manifest.json", json_text(manifest, indent=2, default=str).encode())
    return manifest


def _write_design(sweep: Sweep, out_dir: Path) -> None:
    design = sweep.design.copy()
    design.insert(0, "point", np.arange(len(design)))
    design.columns = [str(c) for c in design.columns]
    _atomic_parquet(design.astype({c: "object" for c in design.columns[1:]
                                   if design[c].dtype == object}), out_dir / "design.parquet")


class _BatchWriter:
    """Collects finished runs and commits them in numbered parquet batches.

    A batch is committed when it holds ``batch_size`` runs, 200 000 dyad rows, or five
    seconds of work, so an interrupted sweep loses little; dyads are written before the
    results, because a results part is what marks a batch committed for ``--resume``.
    """

    def __init__(self, out_dir: Path, batch_no: int, batch_size: int):
        self.out_dir, self.batch_no, self.batch_size = out_dir, batch_no, batch_size
        self.rows: list[dict] = []
        self.dyad_frames: list[pd.DataFrame] = []
        self.dyad_rows = self.ran = self.errors = 0
        self.last_flush = time.monotonic()
        #: (run_id, point, replicate, error) of the failed run with the lowest id
        self.first_error: tuple | None = None

    def add(self, row: dict, dyads: pd.DataFrame | None) -> None:
        self.rows.append(row)
        self.ran += 1
        if row["status"] != "ok":
            self.errors += 1
            if self.first_error is None or row["run_id"] < self.first_error[0]:
                self.first_error = (row["run_id"], row["point"], row["replicate"], row["error"])
        if dyads is not None:
            self.dyad_frames.append(dyads)
            self.dyad_rows += len(dyads)

    def maybe_flush(self) -> None:
        if (len(self.rows) >= self.batch_size or self.dyad_rows >= 200_000
                or time.monotonic() - self.last_flush > 5.0):
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        name = f"part-{self.batch_no:06d}.parquet"
        if self.dyad_frames:  # dyads first: results commit the batch
            _atomic_parquet(pd.concat(self.dyad_frames, ignore_index=True), self.out_dir / "dyads" / name)
        _atomic_parquet(pd.DataFrame(self.rows), self.out_dir / "results" / name)
        self.batch_no += 1
        self.rows, self.dyad_frames, self.dyad_rows = [], [], 0
        self.last_flush = time.monotonic()


def guided_chunks(tasks: Iterator[tuple], remaining: int, workers: int, most: int = 64) -> Iterator[list]:
    """The runs in chunks that shrink as the sweep nears its end: what is left over eight
    times the workers, at most ``most`` runs, at least one.

    Large chunks early keep the cost per chunk low; small ones at the end let the workers
    finish together. With chunks of one fixed size, a worker that has fallen behind by part
    of a chunk leaves the other idle for up to a chunk's time at the end: up to a tenth of
    a 400-run sweep on two workers, with chunks of 25.
    """
    while True:
        size = max(1, min(most, remaining // max(1, workers * 8)))
        chunk = list(itertools.islice(tasks, size))
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk


def _stream_runs(sweep: Sweep, done: set[int], writer: _BatchWriter, ex, *, workers: int,
                 chunksize: int | None, progress: bool) -> None:
    """Send the runs not yet done to the executor ``ex`` in chunks and commit results as they come."""
    ctx = sweep.context()
    tasks = sweep.tasks(skip=done)
    if chunksize is None:
        chunks = guided_chunks(tasks, sweep.n_runs - len(done), workers)
    else:
        chunks = iter(lambda: list(itertools.islice(tasks, chunksize)), [])
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=sweep.n_runs, initial=len(done), unit="run", file=sys.stderr,
                   desc=sweep.spec.name, smoothing=0.1, dynamic_ncols=True)
    try:
        for results in ex.map_chunks(run_chunk, ctx, chunks, install=install_context):
            for row, dy in results:
                writer.add(row, dy)
            if bar is not None:
                bar.update(len(results))
                if writer.errors:
                    bar.set_postfix(errors=writer.errors, refresh=False)
            writer.maybe_flush()
        writer.flush()
    except KeyboardInterrupt:
        writer.flush()  # keep what finished; --resume runs the rest
        raise
    finally:
        if bar is not None:
            bar.close()

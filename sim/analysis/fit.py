"""Fitting free weights to a reference timeline, honestly: fit on early years, score on later.

The objective is one minus the exact accuracy of the simulated de facto and de jure levels
against the reference (the two averaged, and averaged over a few seeds so that the fit
does not chase one lucky random stream). ``scipy.optimize.differential_evolution`` searches
the bounded box of the chosen scenario fields with a fixed seed and a bounded number of
evaluations. Training uses the years up to ``train_end``; the reported test score uses only
the later years, next to naive baselines (relations frozen as in the first reference year,
and as in the last training year), which a fitted model has to beat to mean anything.

Scores come from :mod:`sim.analysis.validation` when it provides them; a small exact-accuracy scorer
here keeps fitting usable on its own.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.analysis import validation
from sim.errors import InputError
from sim.ensembles.sweep import FOLDER_NAME, takes_whole_numbers
from sim.files import json_text, yaml_line
from sim.scenario.reference import check_reference_states, load_reference_levels, reference_levels

def persistence_baseline(reference: pd.DataFrame, from_year: int,
                         years: tuple[int | None, int | None]) -> dict[str, float]:
    """Scores of the naive forecast 'relations stay as they were in ``from_year``'."""
    frozen = reference[reference.year == from_year][["a", "b", "de_jure", "de_facto"]]
    grid = reference[["a", "b", "year"]].merge(frozen, on=["a", "b"])
    return validation.score_table(grid, reference, years)


# --------------------------------------------------------------------------------------
# The fit
# --------------------------------------------------------------------------------------

class _Objective:
    """Picklable objective so that differential_evolution can evaluate in processes."""

    def __init__(self, runner: str, base: dict, source: str, params: list[str],
                 reference: pd.DataFrame, seeds: list[int], years: tuple):
        self.runner, self.base, self.source = runner, base, source
        self.params, self.reference, self.seeds, self.years = params, reference, seeds, years

    def scores(self, x) -> dict[str, float]:
        """Scores at parameter values ``x``; None scores the base scenario as written."""
        return self.score_runs(self.runs(x, self.seeds))

    def runs(self, x, seeds: list[int]) -> list[pd.DataFrame]:
        """The dyad tables of the runs at parameter values ``x`` (None: the base scenario as
        written), one per seed. The train and the test side score the same runs, so a caller
        that needs both runs them once and hands them to :meth:`score_runs` of each."""
        if not seeds:
            return []
        runner = importlib.import_module(self.runner)
        overrides = {} if x is None else {p: float(v) for p, v in zip(self.params, x)}
        data = runner.with_overrides(self.base, overrides, self.source)
        if hasattr(runner, "prepare"):
            data = runner.prepare(data, self.source)
        return [runner.run_once(data, s, True, self.source).dyads for s in seeds]

    def score_runs(self, runs: list[pd.DataFrame]) -> dict[str, float]:
        """The scores of runs' dyad tables on this objective's years, averaged over the runs."""
        per_seed = [validation.score_table(dyads, self.reference, self.years) for dyads in runs]
        return {k: float(np.mean([d[k] for d in per_seed])) for k in per_seed[0]}

    def __call__(self, x) -> float:
        try:
            return 1.0 - self.scores(x)["exact"]
        except InputError:
            return 1.0  # an invalid corner of the box is simply a bad fit


@dataclass
class FitResult:
    """What a fit found and how well it holds up out of sample."""

    params: list[str]
    bounds: list[tuple[float, float]]
    fitted: dict[str, float]
    train_end: int
    train: dict[str, float]
    test: dict[str, float]
    default_train: dict[str, float]
    default_test: dict[str, float]
    defaults: dict[str, float | None]
    baselines: dict[str, dict[str, float]]
    evaluations: int
    seconds: float
    seeds: list[int]
    history: list[dict] = field(default_factory=list)
    reference: pd.DataFrame | None = field(default=None, repr=False)
    #: the optimiser's settings (popsize, maxiter, rng, max_evals), so fit.json says how
    #: the values were found, not only what they are
    optimiser: dict[str, Any] = field(default_factory=dict)
    #: the reference years scored on each side of ``train_end`` (those the scenario simulates)
    train_years: list[int] = field(default_factory=list)
    test_years: list[int] = field(default_factory=list)

    def set_args(self) -> str:
        """The fitted values as ``alliance-sim run`` arguments."""
        return " ".join(f"--set {k}={v:.6g}" for k, v in self.fitted.items())

    def overrides_yaml(self) -> str:
        """The fitted values as ``--set``-style overrides (a YAML mapping)."""
        return yaml.safe_dump({"overrides": {k: round(v, 6) for k, v in self.fitted.items()}},
                              sort_keys=False)


def fit_weights(scenario: str | Path, reference: str | Path | pd.DataFrame | None,
                params: list[str], bounds: list[tuple[float, float]], train_end: int, *,
                seeds: int | list[int] = 3, maxiter: int = 10, popsize: int = 5,
                max_evals: int | None = None, rng: int = 0, workers: int = 1,
                runner: str = "sim.ensembles.sweep", progress: bool = False,
                origin: tuple[str | Path | None, str] = (None, "train_end")) -> FitResult:
    """Fit scenario fields to a reference timeline on years <= ``train_end``.

    Args:
        scenario: Base scenario path.
        reference: Reference timeline (path or DataFrame); None uses the scenario's own.
        params: Dotted scenario paths to fit (``mechanism.threat.power`` ...).
        bounds: (low, high) per parameter.
        train_end: Last training year; later reference years are the test set.
        seeds: Number of model seeds (0..k-1) or an explicit list; the objective averages
            over them.
        maxiter, popsize: differential_evolution settings; at most
            ``(maxiter + 1) * popsize * len(params)`` evaluations (no polishing).
        max_evals: Optional cap, checked after each generation (so passed by up to one).
        rng: Seed of the optimiser.
        workers: Processes evaluating a generation in parallel.
        runner: Module that loads and runs scenarios (see :mod:`sim.ensembles.sweep`).
        progress: Report each generation on stderr: a progress bar over the evaluations
            when stdout is a terminal, else one line per generation.
        origin: Where the settings came from, for error messages: the fit file (its
            ``params``) and the field that gave ``train_end`` (``--train-end`` when the
            command line overrode the file).
    """
    mod = importlib.import_module(runner)
    source = str(scenario)
    base = mod.load_base(source)
    _check_params(mod, base, source, params, bounds, origin[0])
    ref = _fit_reference(reference, source, train_end, origin)
    seed_list = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    train_years, test_years = (None, train_end), (train_end + 1, None)
    objective = _Objective(runner, base, source, params, ref, seed_list, train_years)
    test_obj = _Objective(runner, base, source, params, ref, seed_list, test_years)
    history: list[dict] = []
    t0 = time.perf_counter()
    split, default_train, default_test = _as_written(objective, test_obj, reference, train_end)
    log = _GenerationLog(params, history, max_evals or (maxiter + 1) * popsize * len(params), progress)
    try:
        res = _optimise(objective, bounds, maxiter=maxiter, popsize=popsize, rng=rng, workers=workers,
                        callback=log)
    finally:
        log.close()
    fitted = {p: float(v) for p, v in zip(params, res.x)}
    fitted_runs = objective.runs(res.x, seed_list)
    first, last = int(ref.year.min()), int(train_end)
    baselines = {f"frozen_{first}": persistence_baseline(ref, first, test_years),
                 f"frozen_{last}": persistence_baseline(ref, last, test_years)}
    return FitResult(
        params=list(params), bounds=[tuple(map(float, b)) for b in bounds], fitted=fitted,
        train_end=train_end, train=objective.score_runs(fitted_runs), test=test_obj.score_runs(fitted_runs),
        default_train=default_train, default_test=default_test,
        defaults={p: _current_value(base, p) for p in params},
        baselines=baselines, evaluations=int(res.nfev), seconds=time.perf_counter() - t0,
        seeds=seed_list, history=history, reference=ref, **split,
        optimiser={"popsize": popsize, "maxiter": maxiter, "rng": rng, "max_evals": max_evals})


def _as_written(objective: _Objective, test_obj: _Objective, reference, train_end: int):
    """The scenario as written, each seed run once: the first run tells the scope check
    (:func:`_check_reference_scope`, before the other seeds run) the scenario's states and
    years, and all of them give the default scores on both sides, which must each score
    something (:func:`_check_overlap`).

    Returns:
        The scope check's years, the default train scores and the default test scores.
    """
    seeds, source, ref = objective.seeds, objective.source, objective.reference
    runs = objective.runs(None, seeds[:1])
    split = _check_reference_scope(runs[0], source, ref, reference, train_end)
    runs += objective.runs(None, seeds[1:])
    default_train, default_test = objective.score_runs(runs), test_obj.score_runs(runs)
    _check_overlap(default_train, default_test, reference, source, train_end)
    return split, default_train, default_test


def _check_reference_scope(dyads: pd.DataFrame, source: str, ref: pd.DataFrame, reference,
                           train_end: int) -> dict[str, list[int]]:
    """The reference must hold only the scenario's states, as ``validate`` requires; its
    rows outside the scenario's years are said on stderr.

    A row the fit cannot score was left out without a word: a state id that is a typo or
    another case's cut part of the reference while the rest was fitted as if whole, and
    years beyond the scenario's span shrank the train or test set unseen. ``dyads`` is the
    scenario's run as written (the first seed): its states and years, whatever the runner.

    Returns:
        The reference years the scenario simulates on each side of ``train_end``
        (``train_years``, ``test_years``), for fit.json.
    """
    where = reference if isinstance(reference, (str, Path)) else source
    check_reference_states(ref, where, set(dyads["a"]) | set(dyads["b"]),
                           f"the scenario {Path(source).name}")
    first, last = int(dyads["year"].min()), int(dyads["year"].max())
    outside = int(((ref.year < first) | (ref.year > last)).sum())
    if outside:
        print(f"alliance-sim: note: {outside} of {len(ref)} rows of {where} are outside the years "
              f"{Path(source).name} simulates ({first}-{last}) and are not scored", file=sys.stderr)
    years = sorted({int(y) for y in ref.year if first <= y <= last})
    return {"train_years": [y for y in years if y <= train_end],
            "test_years": [y for y in years if y > train_end]}


def _check_overlap(train: dict, test: dict, reference, source: str, train_end: int) -> None:
    """The scenario as written must meet the reference on both sides of ``train_end``: a
    reference of other states or other years scored nothing (NaN) at every point, and the
    fit wrote a 'fitted' value and a fit.json of NaN scores."""
    for scores, side in ((train, f"<= {train_end}"), (test, f"> {train_end}")):
        if scores["n"] == 0:
            where = reference if isinstance(reference, (str, Path)) else source
            raise InputError(where, "a,b,year", f"reference dyad-years that {Path(source).name} "
                             f"simulates (its pairs, in its years) among the years {side}; none match")


def _check_params(mod, base: dict, source: str, params: list[str], bounds: list[tuple[float, float]],
                  origin: str | Path | None = None) -> None:
    """One valid bound per parameter, and every path one the runner can override with at
    least one valid value among its low, middle and high (others may be invalid: a bad
    corner of the box is simply a bad fit), so that a field that is not a number, or a
    box wholly outside a field's range, fails before the optimiser starts instead of
    after every evaluation has failed."""
    if len(params) != len(bounds) or not params:
        raise InputError(origin, "params", "one (low, high) bound per fitted parameter")
    for p, (lo, hi) in zip(params, bounds):
        if not valid_bound(lo, hi):
            raise InputError(origin, f"params.{p}", f"finite bounds with high > low, within "
                             f"+-{MAX_BOUND:g}", got=(lo, hi))
    from sim.scenario.schema import OverlappingPaths
    try:  # two paths to one field: every evaluation would fail, and the fit report a flat box
        mod.with_overrides(base, {p: (lo + hi) / 2 for p, (lo, hi) in zip(params, bounds)}, source)
    except OverlappingPaths as exc:
        raise InputError(origin, f"params.{exc.field}", exc.expected) from None
    except InputError:
        pass  # a single path's fault, named below
    whole = _whole_number_rule(mod)
    for p, (lo, hi) in zip(params, bounds):
        problem = None
        for value in (lo, (lo + hi) / 2, hi):
            try:
                data = mod.with_overrides(base, {p: value}, source)
                if hasattr(mod, "prepare"):
                    mod.prepare(data, source)
                break
            except InputError as exc:
                problem = problem or exc
        else:
            raise InputError(origin, f"params.{p}", f"a field of {Path(source).name} with valid "
                             f"values inside the bounds ({problem.message()})", got=(lo, hi))
        # the optimiser's values are fractions: a field that takes whole numbers refuses them
        if whole(p):
            raise InputError(origin, f"params.{p}", "a field that takes any number between the bounds (the "
                             f"fit searches them continuously, and {p} takes whole numbers only: every "
                             "evaluation would fail)", got=(lo, hi))


def _whole_number_rule(mod) -> Callable[[str], bool]:
    """The runner's ``takes_whole_numbers``, or the default runner's where it has none.

    The rule is optional in a runner module, and a custom runner often wraps the alliance
    scenario without restating it; without a fallback its whole-number paths (a year, a
    count) passed the check and every evaluation of the fit failed on the optimiser's
    fractions. The default rule reads the scenario schema, so a path the schema does not
    reach (another model's field) is not called whole.
    """
    return getattr(mod, "takes_whole_numbers", takes_whole_numbers)


def valid_bound(low: float, high: float) -> bool:
    """A fitted field's bounds: finite, low < high and within +-MAX_BOUND."""
    return -MAX_BOUND <= low < high <= MAX_BOUND


def _fit_reference(reference: str | Path | pd.DataFrame | None, source: str, train_end: int,
                   origin: tuple[str | Path | None, str] = (None, "train_end")) -> pd.DataFrame:
    """The reference levels, which must hold years on both sides of ``train_end``."""
    if reference is None:
        ref = _scenario_reference(source)
    elif isinstance(reference, pd.DataFrame):
        ref = reference_levels(reference, "<reference>")
    else:
        ref = load_reference_levels(reference)
    if ref.empty:
        raise InputError(reference if isinstance(reference, (str, Path)) else source, None,
                         "at least one reference dyad-year with a level (the table has none)")
    if not (ref.year <= train_end).any() or not (ref.year > train_end).any():
        raise InputError(origin[0], origin[1], f"a year inside the reference span "
                         f"{ref.year.min()}-{ref.year.max()} leaving years on both sides",
                         got=train_end)
    return ref


class _GenerationLog:
    """The optimiser's callback: logs each generation and stops at the evaluation cap."""

    def __init__(self, params: list[str], history: list[dict], cap: int, progress: bool):
        self.params, self.history, self.cap, self.progress = params, history, cap, progress
        self.bar = None
        if progress:
            from sim.progress import on_terminal, progress as make_bar
            if on_terminal():
                self.bar = make_bar(total=cap, desc="fit", unit="eval", enabled=True)

    def __call__(self, intermediate_result) -> bool:
        r, history = intermediate_result, self.history
        history.append({"generation": len(history) + 1, "evaluations": r.nfev, "best_loss": float(r.fun),
                        **{p: float(v) for p, v in zip(self.params, r.x)}})
        if self.bar is not None:
            self.bar.update(min(int(r.nfev), self.cap) - self.bar.n)
            self.bar.set_postfix(generation=len(history), train_loss=f"{r.fun:.4f}")
        elif self.progress:
            print(f"fit: generation {len(history)}, {r.nfev} evaluations, "
                  f"train loss {r.fun:.4f}", file=sys.stderr)
        return r.nfev >= self.cap

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _optimise(objective, bounds, *, maxiter: int, popsize: int, rng: int, workers: int, callback):
    """Differential evolution without polishing; with several workers a generation is
    evaluated in parallel in forked processes (the objective holds loaded scenarios)."""
    from scipy.optimize import differential_evolution

    pool = None
    map_like: Any = 1
    if workers > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"))
        map_like = pool.map
    try:
        return differential_evolution(objective, bounds, maxiter=maxiter, popsize=popsize,
                                      rng=rng, polish=False, init="latinhypercube",
                                      updating="deferred" if workers > 1 else "immediate",
                                      workers=map_like, callback=callback, tol=0.0)
    finally:
        if pool is not None:
            pool.shutdown()


def _current_value(data: dict, path: str):
    """The base scenario's own value of a dotted path (None when unset: the model's
    default applies, e.g. a threat preset instead of an explicit mix)."""
    node: Any = data
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit():
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return float(node) if isinstance(node, (int, float)) and not isinstance(node, bool) else None


def _scenario_reference(source: str) -> pd.DataFrame:
    from sim.model import AllianceModel
    ref = AllianceModel(scenario=source, rng=0).reference
    if ref is None:
        raise InputError(source, "reference", "a scenario with a reference timeline, or a "
                         "reference file given to the fit")
    return reference_levels(ref, source)


# --------------------------------------------------------------------------------------
# Fit files (YAML) and writing results
# --------------------------------------------------------------------------------------

#: Upper bounds of a fit file's optimiser settings, far above any fit the project has run
#: (the largest, experiments/fit_baseline: 31 generations of popsize 8 over about two dozen
#: fields, 3 seeds, under 20,000 model runs) yet small enough that a slip such as
#: ``maxiter: 1000000`` is refused when the file is read instead of running for months. A
#: run of the historical case takes about 0.03 s, so MAX_FIT_RUNS is some eight hours on one
#: core. ``alliance-sim fit --help`` states them.
FIT_LIMITS = {"seeds": (1, 100), "maxiter": (1, 1_000), "popsize": (2, 100),
              "max_evals": (1, 1_000_000), "rng": (0, None)}
#: Most model runs a fit may plan: evaluations (``max_evals``, or ``(maxiter + 1) *
#: popsize * len(params)``) times ``seeds``.
MAX_FIT_RUNS = 1_000_000
#: Most a fitted bound may be in size (the scenarios' own limit on a number).
MAX_BOUND = 1e6


def _limited(name: str, default: int | None) -> Any:
    low, high = FIT_LIMITS[name]
    return Field(default=default, ge=low, le=high, strict=True)  # strict: `seeds: true` is no number


class FitSpec(BaseModel):
    """A fit file: the scenario, the fitted fields with their bounds, the split year.

    The optimiser settings are bounded (:data:`FIT_LIMITS`, :data:`MAX_FIT_RUNS`) so that
    an absurd value is refused when the file is read, not after hours of running.
    """

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=FOLDER_NAME, max_length=100)
    scenario: str
    reference: str | None = None
    params: dict[str, tuple[float, float]]
    train_end: int
    seeds: int = _limited("seeds", 3)
    maxiter: int = _limited("maxiter", 8)
    popsize: int = _limited("popsize", 5)
    max_evals: int | None = _limited("max_evals", None)
    rng: int = _limited("rng", 0)
    out: str | None = None
    runner: str = "sim.ensembles.sweep"

    @field_validator("runner")
    @classmethod
    def _known_runner(cls, name: str) -> str:
        from sim.ensembles.sweep import check_runner
        return check_runner(name)

    def planned_runs(self) -> int:
        """Model runs the optimiser may make (the final scoring's few runs aside): the cap
        ``max_evals`` is checked after each generation, so the initial population and one
        generation always run."""
        generation = self.popsize * len(self.params)
        evals = (self.maxiter + 1) * generation
        if self.max_evals:
            evals = min(evals, max(self.max_evals, 2 * generation))
        return evals * self.seeds


def _spec_error(path: Path, text: str, err: dict) -> InputError:
    """A pydantic error of a fit file as an InputError, bounded settings with their range."""
    from sim.scenario.schema import explain_pydantic

    loc = err["loc"]
    fld = ".".join(str(x) for x in loc)
    expected = explain_pydantic(err)  # in the project's words, as a scenario's errors are
    if err["type"] == "extra_forbidden":
        expected = "no such key in a fit file (check the spelling; 'alliance-sim fit --help' lists the keys)"
    if err["type"] in ("missing", "model_type"):  # the input is the whole file: never echo it
        what = "this field (a fit file needs name, scenario, params and train_end)"
        return InputError(path, fld or None, what if loc else "a mapping with name, scenario, params "
                          "and train_end", line=yaml_line(text, loc))
    if loc and loc[0] in FIT_LIMITS:
        low, high = FIT_LIMITS[loc[0]]
        expected = f"a whole number from {low:,} to {high:,}" if high else f"a whole number >= {low:,}"
    elif loc == ("name",):
        expected = "a plain name (letters, digits, '_', '.', '-'; at most 100), the folder runs/fits/NAME"
    return InputError(path, fld, expected, line=yaml_line(text, loc), got=err.get("input"))


def _check_spec(spec: FitSpec, path: Path, text: str) -> None:
    """The bounds of every fitted field and the size of the whole fit."""
    if not spec.params:
        raise InputError(path, "params", "at least one parameter with [low, high] bounds",
                         line=yaml_line(text, ("params",)))
    for name, (low, high) in spec.params.items():
        if not valid_bound(low, high):
            raise InputError(path, f"params.{name}", f"finite bounds [low, high] with low < high, "
                             f"within +-{MAX_BOUND:g}", line=yaml_line(text, ("params", name)),
                             got=[low, high])
    if spec.planned_runs() > MAX_FIT_RUNS:
        raise InputError(path, "maxiter", f"a fit of at most {MAX_FIT_RUNS:,} model runs "
                         "((maxiter + 1) x popsize x params, or max_evals, times seeds); lower "
                         "maxiter, popsize, max_evals or seeds", line=yaml_line(text, ("maxiter",)),
                         got=spec.planned_runs())


def load_fit_spec(path: str | Path) -> tuple[FitSpec, Path, Path | None]:
    from sim.ensembles.sweep import resolve_relative
    from sim.reading import load_yaml, read_text
    path = Path(path)
    text = read_text(path, kind="yaml", what="a fit file")
    try:
        spec = FitSpec.model_validate(load_yaml(text, path) or {})
    except ValidationError as exc:
        raise _spec_error(path, text, exc.errors()[0]) from None
    _check_spec(spec, path, text)
    scen = resolve_relative(spec.scenario, path)
    if scen is None:
        raise InputError(path, "scenario", "an existing scenario file", got=spec.scenario)
    ref = None
    if spec.reference:
        ref = resolve_relative(spec.reference, path)
        if ref is None:
            raise InputError(path, "reference", "an existing reference file", got=spec.reference)
    return spec, scen, ref


def idle_weight_warnings(spec: FitSpec, path: str | Path, scenario: str | Path) -> list[str]:
    """Warnings, one line each, for weights the fit's scenario sets that its inputs leave
    idle (:mod:`sim.scenario.unused_weights`), as ``sweep`` and ``check`` give them.

    A fitted weight that is idle cannot change a single run (``mechanism.threat.mix``
    under ``preset: balance_of_power``, a utility weight with no input to act on): every
    value scores the same and the optimiser reports an arbitrary one as fitted. The
    weights are judged with each fitted parameter at its upper bound (a weight's largest,
    not 0 when any is), as a sweep judges its parameters' highest levels; weights the
    scenario itself sets are said as ``check`` says them. Runners that cannot say (no
    ``idle_weights``), and bounds the scenario refuses, give no warnings: the fit then
    refuses or runs as it would have.
    """
    from sim.reading import read_text
    from sim.scenario.schema import load_scenario
    from sim.scenario.unused_weights import setting_path, warning_line

    runner = importlib.import_module(spec.runner)
    if not hasattr(runner, "idle_weights"):
        return []
    try:
        idle = runner.idle_weights(str(scenario), {k: high for k, (_, high) in spec.params.items()})
    except InputError:
        return []
    text = read_text(Path(path), kind="yaml", what="a fit file") if idle else ""
    out, base = [], None
    for weight in idle:
        name = setting_path(weight.path, spec.params)
        if name is None:  # set by the scenario itself, not by the fit
            base = base or load_scenario(scenario)
            out.append(warning_line(base, weight))
            continue
        at = yaml_line(text, ("params", name))
        what = "a weight" if name == weight.path else f"the weight {weight.path}"
        out.append(f"{path}:{at}: params.{name} fits {what}, but {weight.missing}: {weight.consequence}, "
                   "so every value of it scores the same and its fitted value means nothing")
    return out


#: The files :func:`write_fit` writes (``fit.png`` only with a reference); ``alliance-sim fit``
#: lets ``--out`` be a folder holding these and nothing else.
FIT_FILES = ("fit.json", "fit.png", "fitted.args", "fitted.yaml", "fitted_scenario.yaml", "history.csv")


def write_fit(result: FitResult, out_dir: str | Path, scenario: str | Path,
              runner: str = "sim.ensembles.sweep", inputs: dict[str, Any] | None = None) -> Path:
    """Write fitted.yaml (overrides), fitted_scenario.yaml, fit.json and history.csv.

    Args:
        inputs: What was fitted against, recorded in fit.json under ``inputs`` (the fit
            file, its name, the scenario and reference paths): fitted values without
            them cannot be traced back to the files that produced them.
    """
    from sim.files import atomic_folder

    out_dir = Path(out_dir)
    with atomic_folder(out_dir) as tmp:
        _write_fit_files(result, tmp, scenario, runner, out_dir, inputs or {})
    return out_dir


def _write_fit_files(result: FitResult, tmp: Path, scenario: str | Path, runner: str, out_dir: Path,
                     inputs: dict[str, Any]) -> None:
    (tmp / "fitted.yaml").write_text(result.overrides_yaml())
    (tmp / "fitted.args").write_text(result.set_args() + "\n")
    mod = importlib.import_module(runner)
    data = mod.with_overrides(mod.load_base(str(scenario)), result.fitted, str(scenario))
    if runner == "sim.ensembles.sweep":  # the file as the user wrote it, plus the fitted values
        from sim.scenario.schema import apply_overrides, load_raw, rebase_paths
        raw = apply_overrides(load_raw(scenario), result.fitted, str(scenario))
        # so that the copy runs where it is written: its input files stay the original's
        rebase_paths(raw, Path(scenario).resolve().parent, out_dir.resolve())
    else:
        raw = data
    (tmp / "fitted_scenario.yaml").write_text(
        f"# {Path(scenario).name} with {', '.join(result.fitted)} fitted on years <= "
        f"{result.train_end}.\n# Its relative paths point from this folder to the original's "
        f"files; or run the original with:\n# {result.set_args()}\n"
        + yaml.safe_dump(json.loads(json.dumps(raw, default=str)), sort_keys=False))
    d = {"inputs": {"scenario": str(Path(scenario).resolve()), "runner": runner, **inputs}}
    d.update(asdict(result))
    d.pop("history")
    d.pop("reference")
    # an undefined score (a kappa over pairs that never vary) is null, never a bare NaN
    (tmp / "fit.json").write_text(json_text(d, indent=2, default=float))
    pd.DataFrame(result.history).to_csv(tmp / "history.csv", index=False)
    if result.reference is not None:
        from sim.plots.sweep import fit_timeline
        seed = result.seeds[0]
        runs = {"fitted": mod.run_once(data, seed, True, str(scenario)).dyads,
                "scenario as written": mod.run_once(mod.load_base(str(scenario)), seed, True,
                                                    str(scenario)).dyads}
        fit_timeline(result.reference, runs, result.train_end, tmp / "fit.png")

"""Running a scenario to the end and turning the model's history into tables.

This is the I/O edge of the core: :func:`simulate` runs a model in memory and returns a
:class:`RunResult`; :func:`write_run` writes a run folder atomically (a temporary folder
renamed into place, so a failure never leaves a half-written run behind).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.files import atomic_folder, json_text, versions
from sim.mechanisms.classify import CLASSES
from sim.model import AllianceModel, coerce_scenario
from sim.scenario.schema import Scenario, canonical_json
from sim.mechanisms.utility import COMPONENTS
from sim.run.figure_data import pair_columns
from sim.run.tables import FORMATS, write_table

if TYPE_CHECKING:  # pragma: no cover
    from sim.run.drawing import FigureProcess


@dataclass
class RunResult:
    """Everything one run produced, in memory."""

    scenario: Scenario
    seed: int
    model: AllianceModel
    overrides: dict[str, Any] = field(default_factory=dict)
    _dyads: pd.DataFrame | None = None
    _states: pd.DataFrame | None = None

    @property
    def ids(self) -> list[str]:
        return self.model.ids

    @property
    def years(self) -> list[int]:
        return self.model.years[: self.model.t + 1]

    @property
    def dyads(self) -> pd.DataFrame:
        """One row per unordered pair and year (pairs in scenario order, ``a`` before ``b``).

        Component columns hold *weighted* contributions to the total utility:
        ``a_security`` is what b's help against a's threats adds to a's wish to align with
        b. ``threat_ab`` is the threat b poses to a.
        """
        if self._dyads is None:
            self._dyads = dyad_table(self.model)
        return self._dyads

    @property
    def states(self) -> pd.DataFrame:
        if self._states is None:
            self._states = state_table(self.model)
        return self._states

    @property
    def events(self) -> pd.DataFrame:
        cols = ["year", "kind", "a", "b", "text", "drivers"]
        return pd.DataFrame(self.model.event_log, columns=cols)

    @property
    def summary(self) -> dict[str, float]:
        """Scalar outcomes for sweeps and ensembles, a dict (``res.summary["..."]``)."""
        return summarise(self.model)


def simulate(scenario: Scenario | str | Path | dict, seed: int = 0, *, record: bool = True,
             **model_kwargs: Any) -> RunResult:
    """Run a scenario from its first to its last year.

    ``seed`` is a whole number >= 0 (a numpy integer too, as ``np.arange`` gives): the run
    folder and its manifest record it, so that the run can be repeated."""
    seed = whole_seed(seed)
    sc = coerce_scenario(scenario)
    model = AllianceModel(sc, rng=seed, record=record, **model_kwargs)
    while model.running:
        model.step()
    return RunResult(sc, seed, model, overrides=dict(model_kwargs))


def whole_seed(seed: Any, name: str = "seed") -> int:
    """``seed`` as an int, or a clear error: Python's and numpy's own messages for a float,
    a string or None never named the argument, and None failed only after the whole run."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(None, name, "a whole number >= 0 (a seed the run can be repeated from)", got=seed)
    return int(seed)


def simulate_tables(scenario: Scenario | str | Path | dict, seeds) -> list[pd.DataFrame]:
    """The dyad-year table of each seed (summary columns only: levels and classes)."""
    if isinstance(seeds, (str, bytes)):  # '12' ran seeds 1 and 2
        raise InputError(None, "seeds", "an iterable of whole numbers >= 0", got=seeds)
    sc = coerce_scenario(scenario)
    return [dyad_table(simulate(sc, whole_seed(s, "seeds"), record=False).model, components=False) for s in seeds]


# ---------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------


def dyad_table(model: AllianceModel, components: bool = True) -> pd.DataFrame:
    h = model.history
    T = len(h["de_facto"])
    iu, ju = np.triu_indices(model.n, 1)
    cols: dict[str, Any] = pair_columns(model.ids, model.years[:T], h["de_facto"], h["de_jure"])
    cols["a_desired"] = np.concatenate([d[iu, ju] for d in h["desired"]])
    cols["b_desired"] = np.concatenate([d[ju, iu] for d in h["desired"]])
    if components and model.record:
        cols.update(_full_record_columns(model, iu, ju))
    return pd.DataFrame(cols)


def _full_record_columns(model: AllianceModel, iu: np.ndarray, ju: np.ndarray) -> dict[str, np.ndarray]:
    """Classes, threat and weighted components of every pair and year. Components are
    rebuilt year by year from the record (:class:`sim.history.Rebuilt`), so each year is
    read once."""
    h, w = model.history, model.utility_weights
    names = ["threat_ab", "threat_ba", "shared_threat"] + [f"{side}_{c}" for side in "ab"
                                                           for c in COMPONENTS + ("total",)]
    years: dict[str, list] = {k: [] for k in ["classification"] + names}
    for t in range(len(h["de_facto"])):
        cs = h["components"][t]
        years["classification"].append(h["classification"][t][iu, ju])
        years["threat_ab"].append(h["threat"][t][iu, ju])
        years["threat_ba"].append(h["threat"][t][ju, iu])
        years["shared_threat"].append(h["shared_threat"][t][iu, ju])
        for side, (r, c) in (("a", (iu, ju)), ("b", (ju, iu))):
            for comp in COMPONENTS:
                years[f"{side}_{comp}"].append(w[comp] * cs[comp][r, c])
            years[f"{side}_total"].append(cs["total"][r, c])
    cols = {k: np.concatenate(v) for k, v in years.items()}
    cols["classification"] = np.array(CLASSES, dtype=object)[cols["classification"]]
    return {k: cols[k] for k in ["classification"] + names}


def state_table(model: AllianceModel) -> pd.DataFrame:
    inp = model.inputs
    h = model.history
    T = len(h["de_facto"])
    rows = []
    for t in range(T):
        f = h["de_facto"][t]
        members = h["members"][t]
        active = h["bloc_active"][t]
        for i, s in enumerate(model.ids):
            rows.append({
                "year": model.years[t], "state": s, "name": model.names[i],
                "power": inp.power[t, i], "offense": inp.offense[t, i], "economy": inp.economy[t, i],
                "neutral": int(inp.neutral[t, i] > 0), "multi_vector": inp.multi_vector[t, i],
                "autonomy": inp.autonomy[t, i], "bandwagon": inp.bandwagon[t, i],
                "leader": inp.leader[t, i] or "", "lat": inp.lat[t, i], "lon": inp.lon[t, i],
                "blocs": ";".join(b for k, b in enumerate(model.bloc_ids) if members[i, k] and active[k]),
                "partners": int((f[i] >= 2).sum()), "rivals": int((f[i] <= -1).sum()),
                "max_threat": float(h["threat"][t][i].max()) if model.record else np.nan,
            })
    return pd.DataFrame(rows)


#: The summary's keys that every run has, in order; the chosen pairs' and the blocs' follow
#: (:func:`pair_summary_keys`, :func:`bloc_summary_key`).
SUMMARY_KEYS = ("final_mean_de_facto", "final_mean_de_jure", "final_share_allied", "final_share_rival",
                "mean_de_facto", "treaties_formed", "treaties_ended", "bloc_joins", "bloc_exits",
                "bloc_expulsions", "de_facto_changes")


def pair_summary_keys(a: str, b: str) -> tuple[str, str, str]:
    """A chosen pair's keys: its final de facto and de jure levels and its mean de facto."""
    return f"{a}_{b}_de_facto_final", f"{a}_{b}_de_jure_final", f"{a}_{b}_de_facto_mean"


def bloc_summary_key(bloc: str) -> str:
    return f"bloc_{bloc}_size_final"


def summary_keys(sc: Scenario) -> list[str]:
    """The keys of a run's summary (:func:`summarise`), in its order, known before the run.

    A sweep checks the summary keys its file names, and the columns its alignment outputs
    add, against them when it loads, rather than finding a wrong name in every run's row.
    """
    keys = list(SUMMARY_KEYS)
    for a, b in sc.outputs.pairs:
        keys += pair_summary_keys(a, b)
    return keys + [bloc_summary_key(b.id) for b in sc.blocs]


def summarise(model: AllianceModel) -> dict[str, float]:
    h = model.history
    n = model.n
    iu, ju = np.triu_indices(n, 1)
    F = np.stack(h["de_facto"])[:, iu, ju]
    J = np.stack(h["de_jure"])[:, iu, ju]
    kinds = model.log.kind_counts()
    values = {
        "final_mean_de_facto": F[-1].mean(),
        "final_mean_de_jure": J[-1].mean(),
        "final_share_allied": (F[-1] >= 2).mean(),
        "final_share_rival": (F[-1] <= -1).mean(),
        "mean_de_facto": F.mean(),
        "treaties_formed": kinds["treaty_formed"],
        "treaties_ended": sum(kinds[k] for k in ("treaty_denounced", "treaty_lapsed", "treaty_withdrawn")),
        "bloc_joins": kinds["bloc_join"],
        "bloc_exits": kinds["bloc_exit"],
        "bloc_expulsions": kinds["bloc_expulsion"],
        "de_facto_changes": model.de_facto_changes,
    }
    # By name, in SUMMARY_KEYS' order (the columns' order): a value cannot land under another key.
    out: dict[str, float] = {key: float(values[key]) for key in SUMMARY_KEYS}
    pair_index = {(model.ids[i], model.ids[j]): k for k, (i, j) in enumerate(zip(iu, ju))}
    for a, b in model.spec.outputs.pairs:
        k = pair_index.get((a, b), pair_index.get((b, a)))
        out.update(zip(pair_summary_keys(a, b), (float(F[-1, k]), float(J[-1, k]), float(F[:, k].mean()))))
    members = h["members"][-1] & h["bloc_active"][-1][None, :]
    for k, b in enumerate(model.bloc_ids):
        out[bloc_summary_key(b)] = float(members[:, k].sum())
    return out


# ---------------------------------------------------------------------------------------
# Run folders
# ---------------------------------------------------------------------------------------


def manifest(res: RunResult) -> dict[str, Any]:
    resolved = json.loads(canonical_json(res.scenario))
    content = canonical_json(res.scenario) + f"|seed={res.seed}|" + json.dumps(res.overrides, sort_keys=True)
    return {
        "scenario_name": res.scenario.name,
        "scenario_file": res.scenario.source,
        # where it was, from anywhere: validate reads its bloc reference and patterns
        "scenario_path": (os.path.abspath(res.scenario.source) if Path(res.scenario.source).is_file() else None),
        "seed": res.seed,
        "overrides": res.overrides,
        "content_hash": hashlib.sha256(content.encode()).hexdigest(),
        "threat_weights": res.model.threat_weights,
        "utility_weights": res.model.utility_weights,
        "temperature": res.model.temperature,
        "years": [res.years[0], res.years[-1]],
        "states": res.ids,
        "versions": versions(),
        "input_flags": res.model.inputs.flags,
        "scenario": resolved,
    }


def summary_table(res: RunResult) -> pd.DataFrame:
    """The run's scalar outcomes as one typed row, with the scenario and seed that made them."""
    return pd.DataFrame([{"scenario": res.scenario.name, "seed": res.seed, **res.summary}])


def write_run(res: RunResult, out_dir: str | Path, *, plots: bool | None = None,
              report: bool | None = None, overwrite: bool = False,
              formats: tuple[str, ...] = ("csv",), figures: "FigureProcess | None" = None) -> Path:
    """Write the run folder; an earlier run folder of the same name is replaced at the end.

    A folder that holds anything but an earlier run is refused unless ``overwrite`` (see
    :mod:`sim.run.outdir`); a failure or an interruption leaves no temporary folder.
    ``formats`` are the table formats, CSV and/or Parquet (see :mod:`sim.run.tables`);
    Parquet adds ``summary.parquet``. The figures are drawn by ``figures``, a figure
    process started before the run (:mod:`sim.run.drawing`), or by one started here.
    """
    from sim.run.outdir import RUN_FIGURES, check_out_dir, remove_stale_temporaries

    if not formats or set(formats) - set(FORMATS):
        raise ValueError(f"table formats from {FORMATS}, got {formats!r}")
    out_dir = Path(out_dir)
    keep = res.scenario.input_files()
    check_out_dir(out_dir, keep=keep, overwrite=overwrite)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir.parent)
    drawn = plots if plots is not None else res.scenario.outputs.plots
    with atomic_folder(out_dir) as tmp:
        try:
            if drawn:
                from sim.run.drawing import FigureProcess
                from sim.run.figure_data import figure_run
                figures = figures or FigureProcess.start()
                figures.send(figure_run(res), tmp)  # drawn there while this process writes
            _write_tables(res, tmp, formats)
            if report if report is not None else res.scenario.outputs.report:
                from sim.run.report import run_report
                (tmp / "report.md").write_text(run_report(res, dict(RUN_FIGURES) if drawn else {}))
            if drawn:
                figures.wait()
        finally:
            if figures:
                figures.stop()
    return out_dir


def _write_tables(res: RunResult, folder: Path, formats: tuple[str, ...]) -> None:
    """The run's tables and its manifest."""
    for stem, table in (("dyads", res.dyads), ("states", res.states), ("events", res.events)):
        write_table(table, folder, stem, formats)
    if res.model.record:
        from sim.analysis.structure import balance_over_time
        write_table(balance_over_time(res.model), folder, "structure", formats)
    if "parquet" in formats:
        write_table(summary_table(res), folder, "summary", ["parquet"])
    (folder / "manifest.json").write_text(json_text(manifest(res), indent=2, sort_keys=True) + "\n")

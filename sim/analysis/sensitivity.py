"""Which inputs move which outcomes: Sobol and Morris indices from a finished sweep.

The sweep must have been run with the matching design (``sobol`` or ``morris``), because
SALib's estimators rely on the exact structure of the sample. Each point's outcome is the
mean over its replicates, so a 0/1 alignment output becomes the ensemble probability of
that alignment, and a validation score becomes the expected score. Confidence intervals
come from SALib's bootstrap (seeded).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.ensembles.storage import load_planned_results
from sim.ensembles.sweep import SweepSpec, salib_problem


# --resume skips every committed run, failed ones included, so it cannot fill a gap
_HOW_TO_FIX = ("'alliance-sim sweep --resume' finishes an unfinished sweep but does not rerun "
               "failed runs: fix their cause and rerun the sweep with a new --out")


def undefined_reason(output: str) -> str:
    """Why a run that finished without error can leave ``output`` undefined (NaN), in words.

    A weighted kappa is 0/0 where the reference and the model keep one and the same level
    (:func:`sim.analysis.validation.weighted_kappa`); an accuracy has no reference level to
    score; an alignment output names a year or a pair the run does not hold.
    """
    if output.startswith("val_kappa_"):
        return ("a kappa is undefined where the reference and the model both keep one and the "
                "same level throughout")
    if output.startswith("val_"):
        return "the reference has no level in the years the run simulates"
    return ("the run cannot say: an alignment year outside the run's span or a pair it does not "
            "hold, or a quantity the run leaves undefined")


def _listed(items: list) -> str:
    """At most five of ``items``, then how many more: a refusal names examples, not hundreds."""
    return ", ".join(map(str, items[:5])) + (f" and {len(items) - 5} more" if len(items) > 5 else "")


def _gap_refusal(out_dir: Path, output: str, replicates: int, points: int,
                 counts: pd.Series, undefined: pd.Series) -> InputError:
    """The refusal of a sweep some of whose design points lack values of ``output``.

    One function for both gaps, because they differ only in what is missing and share how
    the cause is told. ``counts`` holds the number of values at each point that has fewer
    than ``replicates``, ``undefined`` the number of runs per point (all points) that
    finished without error yet left the output undefined (NaN). A point with no value at
    all is reported first (its mean does not exist); otherwise the points with some
    replicates missing (a mean over fewer runs than the others is a different estimate,
    which would mix probabilities from 1 run with probabilities from many). Where every
    run behind a gap finished without error, running again gives the same NaN, so the
    message names the output as the cause and does not advise a rerun; failed or
    unfinished runs are blamed otherwise, with how to rerun them.
    """
    failed = f"failed or unfinished runs; {_HOW_TO_FIX}"
    reason = undefined_reason(output)
    none = counts[counts == 0]
    if len(none):
        # every replicate of these points left the output undefined, none failed
        where = [int(p) for p in none.index if undefined[p] == replicates]
        head = f"{len(none)} of {points} points have none"
        said = (f"{output} is undefined there ({reason}; points {_listed(where)}); "
                "running again gives the same, analyse another output")
        if len(where) == len(none):
            words = f"{head}, although every run there finished without error: {said}"
        elif not where:
            words = f"{head}: {failed}"
        else:
            words = (f"{head}: at {len(none) - len(where)} of them {failed}; at the other "
                     f"{len(where)} every run finished without error and {said}")
        return InputError(out_dir, output, f"a value at every design point ({words})")
    shown = _listed([f"{p} ({n} of {replicates})" for p, n in counts.items()])
    all_undefined = bool((counts + undefined[counts.index] == replicates).all())
    cause = (f"their other runs finished without error, but {output} is undefined in them "
             f"({reason}); rerunning gives the same, analyse another output"
             if all_undefined else failed)
    return InputError(out_dir, output, f"a value from each of the {replicates} replicates "
                      f"at every design point ({len(counts)} of {points} points miss some: "
                      f"points {shown}; {cause})")


def sweep_manifest(out_dir: str | Path) -> dict:
    """The manifest of a sweep output folder, with its sweep checked (a run folder, a
    broken or hand-made manifest were tracebacks: KeyError, JSONDecodeError, TypeError)."""
    from pydantic import ValidationError

    from sim.reading import FileProblem, read_text
    out_dir = Path(out_dir)
    path = out_dir / "manifest.json"
    if not out_dir.exists():  # a mistyped name: say so, not only what a sweep folder holds
        raise InputError(out_dir, None, "a sweep output folder (with manifest.json); no such folder exists")
    if not out_dir.is_dir():
        raise InputError(out_dir, None, "a sweep output folder (with manifest.json); this is a file")
    if not path.exists():
        raise InputError(out_dir, None, "a sweep output folder (with manifest.json); this folder has none")
    expected = "a manifest written by 'alliance-sim sweep' (JSON with the sweep it ran)"
    try:
        manifest = json.loads(read_text(path, kind="yaml", what="a sweep manifest"))
    except FileProblem as exc:
        raise InputError(path, None, exc.expected) from None
    except ValueError as exc:
        raise InputError(path, None, expected, got=str(exc)) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("sweep"), dict):
        raise InputError(path, "sweep", expected + ("; this is a run folder's" if isinstance(manifest, dict)
                                                    and "scenario_file" in manifest else ""))
    try:
        SweepSpec.model_validate(manifest["sweep"])
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(path, "sweep." + ".".join(map(str, err["loc"])), expected) from None
    return manifest


def point_means(out_dir: str | Path, output: str) -> tuple[SweepSpec, pd.DataFrame, np.ndarray]:
    """The sweep's spec, its design and the per-point mean of ``output`` over replicates."""
    from sim.ensembles.storage import ID_COLUMNS
    from sim.run.tables import read_table
    out_dir = Path(out_dir)
    spec = SweepSpec.model_validate(sweep_manifest(out_dir)["sweep"])
    if not (out_dir / "design.parquet").is_file():
        raise InputError(out_dir / "design.parquet", None, "the sweep's design table, which "
                         "'alliance-sim sweep' writes (the folder is incomplete)")
    design = read_table(out_dir / "design.parquet", required=["point"], numeric=["point"])
    results = load_planned_results(out_dir, list(design.point), spec.replicates)
    if results.empty:
        raise InputError(out_dir / "results", None, "the results of the sweep's runs "
                         "(results/part-*.parquet); there are none")
    known = [c for c in results.columns if c not in ID_COLUMNS and c not in spec.parameters
             and pd.api.types.is_numeric_dtype(results[c]) and not pd.api.types.is_bool_dtype(results[c])]
    if output not in known:  # an id, a parameter or a text column is no outcome
        raise InputError(out_dir, "--output", "one of the sweep's outputs (its numeric result columns): "
                         + ", ".join(known[:30]), got=output)
    finished = results[results.status == "ok"]
    ok = finished[finished[output].notna()]
    counts = ok.groupby("point")[output].size().reindex(design.point, fill_value=0)
    means = ok.groupby("point")[output].mean().reindex(design.point)
    # runs that finished without error but left the output undefined (NaN), per point:
    # rerunning them gives the same NaN, so the refusal must not blame failed runs
    undefined = (finished[output].isna().groupby(finished.point).sum()
                 .reindex(design.point, fill_value=0).astype(int))
    gaps = counts[counts < spec.replicates]
    if len(gaps):
        raise _gap_refusal(out_dir, output, spec.replicates, len(design), gaps, undefined)
    return spec, design, means.to_numpy(float)


def _design_of_kind(out_dir: str | Path, output: str, kind: str):
    """A sweep's spec, design, per-point means of ``output`` and SALib problem, for a sweep
    run with the design ``kind`` (each estimator needs the samples drawn for it)."""
    spec, design, y = point_means(out_dir, output)
    if spec.design.kind != kind:
        raise InputError(out_dir, "design.kind", f"a sweep run with the '{kind}' design",
                         got=spec.design.kind)
    return spec, design, y, salib_problem(spec)


def sobol_indices(out_dir: str | Path, output: str, seed: int = 0) -> pd.DataFrame:
    """First-order and total Sobol indices (with confidence half-widths) of one output."""
    from SALib.analyze import sobol
    spec, design, y, problem = _design_of_kind(out_dir, output, "sobol")
    if np.ptp(y) == 0:
        # Sobol indices are shares of the output's variance: with none to share they are
        # 0/0, which SALib reported as 0 (no influence) with a RuntimeWarning
        raise InputError(out_dir, output, "an output that varies across the sweep's runs (it is "
                         f"{y[0]:g} at every design point, so its variance is 0 and its Sobol "
                         "indices are undefined)")
    # SALib's Sobol estimator seeds its bootstrap only for a truthy seed, so seed 0 would
    # leave the confidence intervals unseeded; a generator is seeded for any value.
    res = sobol.analyze(problem, y, calc_second_order=spec.design.second_order,
                        seed=np.random.default_rng(seed))
    return pd.DataFrame({"parameter": problem["names"], "S1": res["S1"],
                         "S1_conf": res["S1_conf"], "ST": res["ST"], "ST_conf": res["ST_conf"],
                         "output": output})


def morris_indices(out_dir: str | Path, output: str, seed: int = 0) -> pd.DataFrame:
    """Morris elementary-effect screening (mu*, its confidence, sigma) of one output."""
    from SALib.analyze import morris
    spec, design, y, problem = _design_of_kind(out_dir, output, "morris")
    X = design[problem["names"]].to_numpy(float)
    res = morris.analyze(problem, X, y, num_levels=spec.design.levels, seed=seed)
    return pd.DataFrame({"parameter": problem["names"], "mu": res["mu"],
                         "mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"],
                         "sigma": res["sigma"], "output": output})


def analyse(out_dir: str | Path, outputs: list[str], method: str | None = None,
            seed: int = 0) -> pd.DataFrame:
    """Indices for several outputs; the method defaults to the sweep's design."""
    out_dir = Path(out_dir)
    if method is None:
        method = SweepSpec.model_validate(sweep_manifest(out_dir)["sweep"]).design.kind
    if method not in ("sobol", "morris"):
        raise InputError(out_dir, "--method", "sobol or morris (a sweep with that design)",
                         got=method)
    fn = sobol_indices if method == "sobol" else morris_indices
    # an output asked twice (--output x --output x) is analysed once, not written twice
    return pd.concat([fn(out_dir, o, seed) for o in dict.fromkeys(outputs)], ignore_index=True)


def plot_indices(table: pd.DataFrame, path: str | Path, title: str = "") -> Path:
    """Bar charts of the indices with confidence intervals, one panel per output."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.plots.style import SIDE_COLOURS
    outputs = list(dict.fromkeys(table.output))
    fig, axes = plt.subplots(len(outputs), 1, figsize=(7, 2.6 * len(outputs) + 0.6),
                             squeeze=False)
    for ax, out in zip(axes[:, 0], outputs):
        t = table[table.output == out]
        x = np.arange(len(t))
        if "S1" in t:
            ax.bar(x - 0.2, t.S1, 0.4, yerr=t.S1_conf, capsize=3, label="first order S1", color=SIDE_COLOURS[0])
            ax.bar(x + 0.2, t.ST, 0.4, yerr=t.ST_conf, capsize=3, label="total ST", color=SIDE_COLOURS[1])
            ax.set_ylabel("Sobol index")
        else:
            ax.bar(x - 0.2, t.mu_star, 0.4, yerr=t.mu_star_conf, capsize=3, label="mu*", color=SIDE_COLOURS[0])
            ax.bar(x + 0.2, t.sigma, 0.4, label="sigma", color=SIDE_COLOURS[1])
            ax.set_ylabel("elementary effect")
        ax.axhline(0, color="black", lw=0.5)
        ax.set_xticks(x, [p.removeprefix("mechanism.") for p in t.parameter],
                      rotation=20, ha="right", fontsize=8)
        ax.set_title(out, fontsize=9)
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

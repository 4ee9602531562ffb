"""Command-line entry points: ``sweep``, ``sensitivity`` and ``fit``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sim.cli import options


def register(subparsers) -> None:
    p = subparsers.add_parser("sweep", help="run a parameter sweep or ensemble from a sweep file",
                              description="Run every (point, replicate) of a sweep file, "
                              "streaming results to Parquet parts; --resume continues a "
                              "killed sweep without losing or repeating runs.")
    p.add_argument("sweep_file", help="sweep YAML (see experiments/*.yaml)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="processes that run the sweep, this one included (default: all cores; 1 runs "
                   f"in-process; at most {options.MAX_LOCAL_WORKERS} here, 4 per core, unless "
                   "--scheduler names a Dask cluster)")
    p.add_argument("--executor", choices=["local", "dask"], default="local")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    p.add_argument("--resume", action="store_true", help="continue the sweep in --out")
    p.add_argument("--out", type=options.folder_path, default=None, help="output folder (default: the file's 'out' or "
                   "runs/sweeps/NAME)")
    p.add_argument("--chunksize", type=options.whole_number(1), default=None, help=argparse.SUPPRESS)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-plots", action="store_true", help="skip the summary plots")
    p.set_defaults(func=_sweep)

    s = subparsers.add_parser("sensitivity", help="Sobol or Morris indices from a finished sweep",
                              description="Variance-based (Sobol) or screening (Morris) "
                              "indices of sweep outputs; the sweep must use that design.")
    s.add_argument("sweep_out", help="output folder of a sweep run with a sobol/morris design")
    s.add_argument("--output", action="append", required=True,
                   help="result column to analyse (repeatable), e.g. val_exact or "
                   "aligned_KZK_UZB_2022 (averaged over replicates: a probability)")
    s.add_argument("--method", choices=["sobol", "morris"], default=None,
                   help="default: the sweep's design")
    s.add_argument("--seed", type=options.seed, default=0, help="bootstrap seed")
    s.add_argument("--out", type=options.folder_path, default=None, help="folder for indices.csv and the plot "
                   "(default: SWEEP_OUT/sensitivity)")
    s.set_defaults(func=_sensitivity)

    f = subparsers.add_parser("fit", help="fit weights to a reference timeline (train/test by year)",
                              description="Differential evolution over the fit file's "
                              "parameters, trained on years <= train_end, scored on later "
                              "years against naive baselines. Limits of the fit file: seeds "
                              "1..100, maxiter 1..1,000, popsize 2..100, max_evals up to "
                              "1,000,000, bounds within +-1e6, and at most 1,000,000 model "
                              "runs in all (evaluations x seeds). max_evals is checked after "
                              "each generation, so a fit may exceed it by up to one generation "
                              "(popsize x fitted parameters evaluations). fit.json records the "
                              "fit file, scenario, reference, optimiser settings and the train "
                              "and test years.")
    f.add_argument("fit_file", help="fit YAML (see experiments/fit_*.yaml)")
    f.add_argument("--workers", type=options.local_workers, default=1,
                   help=f"processes evaluating a generation (1..{options.MAX_LOCAL_WORKERS}, 4 per core)")
    f.add_argument("--out", type=options.folder_path, default=None, help="output folder (default: the file's 'out' "
                   "or runs/fits/NAME)")
    f.add_argument("--train-end", type=int, default=None, help="override the file's train_end")
    f.set_defaults(func=_fit)


def _sweep(args) -> int:
    from sim.ensembles.sweep import run_sweep
    from sim.errors import InputError
    if args.workers < 1:
        raise InputError(None, "--workers", "a positive number of workers", got=args.workers)
    if args.workers > options.MAX_LOCAL_WORKERS and not args.scheduler:  # processes on this machine
        raise InputError(None, "--workers", f"at most {options.MAX_LOCAL_WORKERS} processes on this machine "
                         "(4 per core); a Dask cluster named by --scheduler may have more", got=args.workers)
    outcome = run_sweep(args.sweep_file, args.out, workers=args.workers,
                        executor=args.executor, scheduler=args.scheduler, resume=args.resume,
                        progress=not args.no_progress, chunksize=args.chunksize,
                        plots=not args.no_plots)
    print(f"{outcome.out_dir}: {outcome.planned} runs planned, {outcome.skipped} already done, "
          f"{outcome.ran} run now ({outcome.errors} failed) in {outcome.seconds:.1f} s "
          f"({outcome.rate:.1f} runs/s)")
    return 0


def _sensitivity(args) -> int:
    from sim.analysis.sensitivity import analyse, plot_indices, sweep_manifest
    from sim.files import atomic_file
    from sim.run.outdir import check_output_folder
    sweep_manifest(args.sweep_out)  # first: a file or a run folder is no sweep, whatever --out is
    out = Path(args.out) if args.out else Path(args.sweep_out) / "sensitivity"
    # before the work: a file, an unwritable place or a folder of other files is refused
    check_output_folder(out, own=lambda name: name in ("indices.csv", "indices.png"), what="sensitivity")
    table = analyse(args.sweep_out, args.output, args.method, args.seed)
    out.mkdir(parents=True, exist_ok=True)
    atomic_file(out / "indices.csv", lambda tmp: table.to_csv(tmp, index=False))
    plot_indices(table, out / "indices.png", title=Path(args.sweep_out).name)
    with_cols = [c for c in table.columns if c != "output"]
    for name, t in table.groupby("output", sort=False):
        print(f"== {name}")
        print(t[with_cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"wrote {out / 'indices.csv'} and {out / 'indices.png'}")
    return 0


def _fit(args) -> int:
    from sim.analysis.fit import FIT_FILES, fit_weights, idle_weight_warnings, load_fit_spec, write_fit
    from sim.run.outdir import check_output_folder

    spec, scenario, reference = load_fit_spec(args.fit_file)
    for text in idle_weight_warnings(spec, args.fit_file, scenario):  # before the work, as 'sweep' warns
        print(f"alliance-sim: warning: {text}", file=sys.stderr)
    out = Path(args.out or spec.out or Path("runs") / "fits" / spec.name)
    # before the work: the folder is replaced at the end, so never a run's or a user's files
    check_output_folder(out, own=lambda name: name in FIT_FILES, what="fit")
    train_end = args.train_end if args.train_end is not None else spec.train_end
    res = fit_weights(scenario, reference, list(spec.params), list(spec.params.values()),
                      train_end, seeds=spec.seeds, maxiter=spec.maxiter, popsize=spec.popsize,
                      max_evals=spec.max_evals, rng=spec.rng, workers=args.workers,
                      runner=spec.runner, progress=True,
                      origin=(args.fit_file, "train_end") if args.train_end is None else (None, "--train-end"))
    write_fit(res, out, scenario, spec.runner, inputs={
        "fit_file": str(Path(args.fit_file).resolve()), "name": spec.name,
        # None: the fit file names none, so the scenario's own reference was fitted
        "reference": str(Path(reference).resolve()) if reference is not None else None})
    print(f"fitted in {res.evaluations} evaluations ({res.seconds:.1f} s), train years <= "
          f"{train_end}, test years > {train_end}")
    for k, v in res.fitted.items():
        was = res.defaults.get(k)
        print(f"  {k} = {v:.4f}   (scenario: {'unset' if was is None else f'{was:g}'})")
    rows = [("fitted", res.train, res.test), ("scenario defaults", res.default_train,
                                              res.default_test)]
    rows += [(name, {}, b) for name, b in res.baselines.items()]
    print(f"  {'':20s} {'train exact':>12s} {'test exact':>11s} {'test de facto':>14s} "
          f"{'test de jure':>13s}")
    for name, tr, te in rows:
        fmt = (lambda d, k: f"{d[k]:.3f}" if d and k in d else "-")
        print(f"  {name:20s} {fmt(tr, 'exact'):>12s} {fmt(te, 'exact'):>11s} "
              f"{fmt(te, 'exact_de_facto'):>14s} {fmt(te, 'exact_de_jure'):>13s}")
    print(f"  as --set: {res.set_args()}")
    print(f"wrote {out}/fitted.yaml (overrides), fitted.args, fitted_scenario.yaml, fit.json, "
          "history.csv, fit.png")
    return 0

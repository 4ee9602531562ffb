"""The core sub-commands: run, check, schema, explain."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli import options
from sim.errors import InputError


def _note(kind: str, text: str) -> None:
    print(f"alliance-sim: {kind}: {text}", file=sys.stderr)


def load_with_overrides(path: str, sets: list[str] | None, read=None):
    """Read a scenario, apply ``--set`` overrides, and validate the result.

    A note on stderr says when an override replaces more than it names (a threat preset
    replacing the file's explicit threat weights). ``read`` is the file's data and text if
    the caller has read it already (:func:`sim.scenario.kind.read_scenario_file`).
    """
    from sim.scenario.schema import apply_overrides, load_raw, parse_set_args, scenario_from_dict

    overrides = parse_set_args(sets, source=f"{path} (--set)")
    if overrides:
        notes: list[str] = []
        raw = apply_overrides(load_raw(path, read=read), overrides, source=f"{path} (--set)", notes=notes)
        for text in notes:
            _note("note", text)
        return scenario_from_dict(raw, f"{path} (with --set)", base_dir=Path(path).parent), overrides
    from sim.scenario.schema import load_scenario
    return load_scenario(path, read=read), overrides


def threat_weights_line(weights: dict[str, float]) -> str:
    """The threat weights a run uses, after presets, explicit weights, mix and normalising."""
    return "threat weights in force: " + ", ".join(f"{k} {v:.3f}" for k, v in weights.items())


def _preflight(sc) -> None:
    """The checks ``check`` and ``run`` share; warnings go to stderr."""
    from sim.scenario.checks import preflight

    for text in preflight(sc):
        _note("warning", text)


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.scenario.kind import kind_of, read_scenario_file, refuse_other_files

    read = read_scenario_file(args.scenario)  # once: its kind, then the scenario
    if read is not None:
        refuse_other_files(read[0], args.scenario, "run")
    if read is not None and kind_of(read[0]) == "landscape":
        raise InputError(args.scenario, "mechanism", "an agent scenario for 'run'; this is a landscape file, "
                         "run it with 'alliance-sim landscape'", got="landscape")
    sc, overrides = load_with_overrides(args.scenario, args.set, read)
    _agent_only(args.scenario, sc, "run")
    from sim.run.outdir import check_out_dir
    out = Path(args.out) if args.out else Path("runs") / f"{sc.name}-seed{args.seed}"
    check_out_dir(out, keep=sc.input_files(), overwrite=args.overwrite)  # before the work; its own file included
    figures = None
    if sc.outputs.plots and not args.no_plots:
        from sim.run.drawing import FigureProcess
        from sim.run.figure_data import FigurePlan
        # imports matplotlib and draws what the scenario fixes while this process imports Mesa and runs
        figures = FigureProcess.start(FigurePlan.of(sc, args.seed))
    try:
        res = _simulate_and_write(args, sc, overrides, out, figures)
    finally:
        if figures:
            figures.stop()
    print(terminal_summary(res, out))
    return 0


def _simulate_and_write(args: argparse.Namespace, sc, overrides: dict, out: Path, figures):
    """The run's work after its checks: the model, then its folder."""
    from sim.progress import Steps
    from sim.run.simulate import simulate, write_run

    _preflight(sc)  # the same checks as 'check': whatever it accepts, run completes
    with Steps(f"run {sc.name}", ["simulating", "writing tables, figures and report"]) as steps:
        res = simulate(sc, seed=args.seed)
        res.overrides = overrides
        steps.next()
        formats = ("csv", "parquet") if args.format == "both" else (args.format,)
        write_run(res, out, plots=False if args.no_plots else None, overwrite=args.overwrite, formats=formats,
                  figures=figures)
        steps.next()
    return res


def terminal_summary(res, out: Path) -> str:
    from sim.levels import DE_FACTO_NAMES

    d = res.dyads
    last = d[d.year == d.year.max()]
    lines = [f"{res.scenario.name}: {res.years[0]}-{res.years[-1]}, {len(res.ids)} states, seed {res.seed}",
             "  " + threat_weights_line(res.model.threat_weights)]
    ev = res.events
    counts = ev.kind.value_counts()
    lines.append("  " + ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in sorted(counts.items())))
    pairs = res.scenario.outputs.pairs or []
    for a, b in pairs:
        r = last[((last.a == a) & (last.b == b)) | ((last.a == b) & (last.b == a))].iloc[0]
        lines.append(f"  {a}-{b}: de facto {r.de_facto} ({DE_FACTO_NAMES[int(r.de_facto)]}), de jure {r.de_jure}"
                     + (f", {r.classification}" if "classification" in r else ""))
    if res.model.bloc_ids:
        lines.append("  blocs: " + "; ".join(f"{b}={','.join(sorted(m)) or '-'}" for b, m in res.model.blocs.items()))
    entries = list(out.iterdir())
    files = sorted(p.name for p in entries if p.suffix != ".png")
    figures = len(entries) - len(files)
    lines.append(f"  wrote {out}/ ({', '.join(files)}" + (f", {figures} figures)" if figures else ")"))
    return "\n".join(lines)


def _cmd_check(args: argparse.Namespace) -> int:
    from sim.landscape.files import load_landscape
    from sim.scenario.kind import kind_of, read_scenario_file, refuse_other_files

    read = read_scenario_file(args.scenario)  # once: its kind, then the scenario
    if read is not None:
        refuse_other_files(read[0], args.scenario, "check")
    if read is not None and kind_of(read[0]) == "landscape":
        if args.set:  # they were ignored: 'ok' said nothing about the values asked for
            raise InputError(args.scenario, "--set", "no --set for a landscape file (overrides apply to agent "
                             "scenarios; edit the file, or use 'alliance-sim landscape --k')", got=args.set[0])
        spec = load_landscape(args.scenario)
        print(f"{args.scenario}: ok (landscape, {len(spec.actors)} actors)")
        return 0
    sc, _ = load_with_overrides(args.scenario, args.set, read)
    _agent_only(args.scenario, sc, "check")  # what run would refuse
    _preflight(sc)  # limits, memory, every table the scenario names: what run needs
    print(f"{args.scenario}: ok ({len(sc.states)} states, {sc.time.start}-{sc.time.end}, "
          f"{len(sc.events)} events, {len(sc.blocs)} blocs, mechanism {sc.mechanism.kind})")
    from sim.mechanisms.threat import weights_in_force

    print("  " + threat_weights_line(weights_in_force(sc.mechanism.threat)))
    return 0


def _agent_only(path: str, sc, command: str) -> None:
    """Refuse a scenario whose mechanism is not the agent model: 'run' cannot step it, and a
    landscape is a file of its own ('mechanism: landscape', 'alliance-sim landscape')."""
    if sc.mechanism.kind != "agent":
        raise InputError(path, "mechanism.kind", f"'agent' for '{command}' (a landscape is a file of its own, "
                         "with 'mechanism: landscape', for 'alliance-sim landscape')", got=sc.mechanism.kind)


def _cmd_structure(args: argparse.Namespace) -> int:
    from sim.run.simulate import simulate
    from sim.analysis.structure import balance_over_time, landscape_at

    sc, _ = load_with_overrides(args.scenario, args.set)
    if args.year is not None and not sc.time.start <= args.year <= sc.time.end:  # before the run and its table
        raise InputError(args.scenario, "--year", f"a year of the run ({sc.time.start}-{sc.time.end})", got=args.year)
    res = simulate(sc, seed=args.seed)
    table = balance_over_time(res.model)
    print(f"{sc.name}, seed {args.seed}: structural balance of the de facto network")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    year = args.year if args.year is not None else res.years[-1]
    if year not in res.years:
        raise InputError(args.scenario, "--year", f"a year of the run ({res.years[0]}-{res.years[-1]})", got=year)
    found, actual, scores = landscape_at(res.model, year, k=args.k)
    actual_text = " | ".join(" ".join(b) for b in _blocs(actual.labels, res.ids))
    if actual.ambiguous:
        actual_text = (f"ambiguous, {actual.tied} splits equally good (frustration {actual.frustration}), "
                       f"e.g. {actual_text}; minima not scored")
    print(f"\nLandscape of the model's ingredients in {year} ({found.method}, {found.n_configurations} "
          f"configurations); actual: {actual_text}")
    for i, m in enumerate(found.minima):
        score = "" if scores is None else (f"  misplaced {scores[i]['misplaced']}  ARI {scores[i]['ari']:.2f}"
                                           f"  VI {scores[i]['vi']:.2f}")
        print(f"  energy {m.energy:+.4f}  basin {m.basin_share:.3f}{score}  {' | '.join(' '.join(b) for b in m.blocs(res.ids))}")
    return 0


def _blocs(labels, ids) -> list[list[str]]:
    return [[ids[i] for i in range(len(ids)) if labels[i] == b] for b in sorted(set(labels))]


def _cmd_schema(args: argparse.Namespace) -> int:
    from sim.scenario.editor_schema import json_schema_text

    text = json_schema_text()
    if not args.out:
        print(text, end="")
        return 0
    from sim.files import atomic_file, check_replaceable

    out = Path(args.out)
    if out.is_dir() or not out.parent.is_dir():
        raise InputError(args.out, "--out", "a file path in an existing folder")
    check_replaceable(out, "--out")  # named by the option: atomic_file would refuse it unnamed
    if out.exists() and not _is_schema_file(out):  # a manifest, a scenario, a user's file
        raise InputError(args.out, "--out", "a new file or an earlier schema file (it would be replaced, "
                         "and it holds something else); choose another --out")
    try:
        atomic_file(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as exc:  # a read-only or pseudo file system (/proc): the file is not written
        raise InputError(args.out, "--out", f"a file path where a file can be written ({exc.strerror or exc})") from None
    print(f"wrote {out}")
    return 0


def _is_schema_file(path: Path) -> bool:
    """Whether ``path`` holds a JSON Schema (as ``schema --out`` writes), which may be replaced."""
    import json

    try:
        if path.stat().st_size > 10_000_000:
            return False
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "$schema" in data


def _cmd_explain(args: argparse.Namespace) -> int:
    from sim.analysis.explain import explain_pair

    print(explain_pair(args.run_dir, args.a, args.b, args.year))
    return 0


def _add_structure_parser(subparsers) -> None:
    """``alliance-sim structure``: a run's structural balance and its own landscape."""
    from sim.cli.landscape import BLOCS

    p = subparsers.add_parser(
        "structure", help="structural balance over time and the landscape of a run's "
        "own ingredients, compared with the alignment it reached",
        description="Run an agent scenario once, print the structural balance of its de facto "
                    "network year by year, and the local minima of an Axelrod-Bennett landscape built "
                    "from the run's own ingredients in one year, each scored against the blocs the "
                    "run actually reached (misplaced states, adjusted Rand index, variation of "
                    "information).")
    p.add_argument("scenario", metavar="SCENARIO", help="agent scenario YAML file to run")
    p.add_argument("--seed", type=options.seed, default=0, help="random seed of the run (default 0)")
    p.add_argument("--year", type=int, help="year of the landscape analysis, a year of the run (default: the last)")
    p.add_argument("--k", type=BLOCS, default=2, help="number of blocs in the landscape (default 2)")
    p.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override a scenario field, e.g. mechanism.threat.mix=0.2 (repeatable)")
    p.set_defaults(func=_cmd_structure)


def register(subparsers) -> None:
    p = subparsers.add_parser("run", help="run a scenario and write a run folder")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--seed", type=options.seed, default=0, help="random seed (default 0)")
    p.add_argument("--out", type=options.folder_path,
                   help="run folder (default runs/NAME-seedN): a new or empty folder, or an earlier run folder, "
                   "which is replaced")
    p.add_argument("--overwrite", action="store_true",
                   help="replace --out even when it holds files other than an earlier run's")
    p.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override a scenario field, e.g. mechanism.threat.mix=0.2 (repeatable)")
    p.add_argument("--no-plots", action="store_true", help="skip the figures")
    p.add_argument("--format", choices=("csv", "parquet", "both"), default="csv", help="tables as csv (default), "
                   "parquet (typed columns for pandas, R, DuckDB; adds summary.parquet) or both")
    p.set_defaults(func=_cmd_run)

    p = subparsers.add_parser(
        "check", help="validate a scenario without running it",
        description="Read a scenario file (an agent scenario or a landscape file), apply any --set "
                    "overrides, and check it and every table it names; print a one-line summary, "
                    "or one error line naming the file, line and field (exit status 2).")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file (e.g. scenarios/known_bandwagon.yaml)")
    p.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="override a scenario field before checking, e.g. mechanism.threat.mix=0.2 (repeatable)")
    p.set_defaults(func=_cmd_check)

    _add_structure_parser(subparsers)
    _add_schema_parser(subparsers)

    p = subparsers.add_parser(
        "explain", help="why a pair's alignment is what it is, and why it changed",
        description="Explain one pair of a run: its de facto and de jure levels; the level each side "
                    "wants and whether inertia keeps the de facto level behind (or above) the level "
                    "both agree on; the instrument behind the de jure level (a common bloc membership "
                    "such as the CSTO, or a bilateral instrument); each side's utility components, "
                    "ranked; and the components that moved most over a look-back of 3 years up to the "
                    "pair's last change of level (from the year 3 years before that change to the "
                    "year of the change).")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run folder written by 'alliance-sim run' "
                   "(holds dyads.csv or dyads.parquet; its states and events tables and manifest.json add the "
                   "instruments)")
    p.add_argument("a", metavar="A", help="a state id of the run, in any case (e.g. KZK or kzk)")
    p.add_argument("b", metavar="B", help="another state id of the run, in any case")
    p.add_argument("year", metavar="YEAR", nargs="?", type=int,
                   help="a year of the run (default: the last year)")
    p.set_defaults(func=_cmd_explain)


def _add_schema_parser(subparsers) -> None:
    """The ``schema`` parser, apart so that ``register`` stays short."""
    p = subparsers.add_parser(
        "schema", help="print the JSON Schema of scenario files",
        description="Print the JSON Schema (draft 2020-12) of scenario files: agent scenarios, "
                    "counterfactuals that extend one, and landscape files, every field with its "
                    "description, units and range. Editors with a YAML language server (VS Code and "
                    "others) check a file against it when its first line names it, as the shipped "
                    "scenarios do: '# yaml-language-server: $schema=scenario.schema.json'.")
    p.add_argument("--out", metavar="FILE", help="write the schema to FILE instead of printing it "
                   "(e.g. scenarios/scenario.schema.json, the copy the shipped scenarios name)")
    p.set_defaults(func=_cmd_schema)

"""``alliance-sim validate``: score a run or a scenario ensemble against a reference timeline.

Only the parser lives at the top; the scoring (pandas, and the model when a scenario is
given) is imported when the command runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.cli import options
from sim.errors import InputError

#: Most runs ``--seeds`` may ask for: every run's tables are held in memory until they are
#: scored; a larger ensemble is a sweep (``alliance-sim sweep``), which streams its runs.
MAX_SEEDS = 10_000


def _parse_periods(text: str) -> list[tuple[int, int]]:
    out = []
    for part in text.split(","):
        try:
            lo, hi = (int(x) for x in part.strip().split("-"))
        except ValueError:
            raise InputError(None, "--periods", "comma-separated year ranges like 1991-1999",
                             got=part) from None
        if lo > hi:
            raise InputError(None, "--periods", "year ranges FIRST-LAST with FIRST no later than LAST",
                             got=part) from None
        out.append((lo, hi))
    return out


def _scenario_of(target: Path):
    """The scenario behind a scenario file or a run folder (from its manifest), or None.

    A run folder's manifest names the scenario as given to ``run`` (``scenario_file``,
    perhaps relative to the folder ``run`` was started from) and, since the ninth session,
    where it was (``scenario_path``). A scenario that cannot be found, or a file of that
    name holding another scenario, is said on stderr: without it the bloc membership and
    the documented patterns are not scored."""
    from sim.scenario.schema import load_scenario

    if target.suffix.lower() in (".yaml", ".yml"):
        return load_scenario(target)
    manifest = target / "manifest.json"
    if not manifest.is_file():
        return None
    import json

    try:
        meta = json.loads(manifest.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None
    if not isinstance(meta, dict):
        return None
    named = [meta.get("scenario_path"), meta.get("scenario_file")]
    for path in (Path(p) for p in named if isinstance(p, str) and p):
        if path.suffix in (".yaml", ".yml") and path.is_file():
            sc = load_scenario(path)
            if sc.name == meta.get("scenario_name"):
                return sc
            _note(f"{path} holds scenario '{sc.name}', not the run's '{meta.get('scenario_name')}'")
            return None
    if any(named):
        _note(f"the run's scenario file ({next(p for p in named if p)}) was not found; bloc membership and "
              "the documented patterns are not scored (give the scenario file, or --blocs and --patterns)")
    return None


def _note(text: str) -> None:
    print(f"alliance-sim: note: {text}", file=sys.stderr)


def _runs(target: Path, seeds: int, need_classes: bool):
    """Dyad-year tables and state-year tables of a scenario's ensemble or of one run folder."""
    from sim.analysis.validation import load_simulated

    if target.suffix.lower() in (".yaml", ".yml"):
        if not target.is_file():
            raise InputError(target, None, "an existing scenario file")
        from sim.run.simulate import dyad_table, simulate  # lazy: the model is optional here

        from sim.progress import progress

        results = [simulate(str(target), s, record=need_classes)
                   for s in progress(range(seeds), desc=f"simulating {target.name}", unit="run")]
        if not results:
            raise InputError(target, None, "a scenario whose runs produce dyad-year tables")
        tables = [r.dyads if need_classes else dyad_table(r.model, components=False) for r in results]
        return tables, [r.states for r in results]
    from sim.run.tables import run_table, table_path

    dyads = table_path(target, "dyads")
    if dyads is None:
        raise InputError(target, None, "a run folder holding dyads.csv or dyads.parquet, or a .yaml scenario")
    tables = load_simulated(dyads)
    frame = run_table(target, "states", required=("state", "year"), numeric=("year",))
    if frame is None:
        return tables, []
    frame = frame.assign(year=frame["year"].astype(int))
    frame.attrs["path"] = str(table_path(target, "states"))  # named if the bloc scoring lacks a column
    return tables, [frame]


def _reference_for(args, run_states: set[str]):
    """The reference restricted to the run's states (and the scored years), checked.

    Every state id of the reference must be one of the run's or one that ``--states``
    declares: an id that is neither is a typo or another case's reference, and its rows
    were left out without a word while the rest were scored (``ALLYA`` for ``ALLY_A`` cut a
    third of a reference and scored the rest as if whole). The rows of declared states the
    run does not hold are left out knowingly; how many is said on stderr and in the report.

    Returns:
        The reference rows of the run's pairs, and ``(rows, ids)``: the count of rows left
        out for states declared with ``--states`` that the run does not hold, and those ids.
    """
    import numpy as np

    from sim.files import csv_line
    from sim.scenario.reference import check_reference_states, load_reference

    extra = {x.strip() for x in args.states.split(",")} if args.states else set()
    reference = load_reference(args.reference, None)
    if reference.empty:
        raise InputError(args.reference, None, "at least one row under the header (a reference dyad-year)")
    check_reference_states(reference, args.reference, run_states, "the simulated run", extra,
                           "ids declared with --states (states the run does not hold, whose rows are left out)")
    inside = reference["a"].isin(run_states) & reference["b"].isin(run_states)
    if not inside.any() and len(reference):
        # Nothing left to compare: name the first row whose state the run does not have.
        row = int(np.flatnonzero(~inside.to_numpy())[0])
        col = "a" if reference["a"].iloc[row] not in run_states else "b"
        raise InputError(args.reference, col, "state ids of the simulated run (" + ", ".join(sorted(run_states))
                         + ") in at least one row", line=csv_line(reference, row), got=reference[col].iloc[row])
    left_out = reference[~inside]
    dropped = (len(left_out), sorted((set(left_out["a"]) | set(left_out["b"])) - run_states))
    if dropped[0]:
        _note(f"{dropped[0]} rows of {args.reference} left out: pairs with states declared with --states "
              f"that the run does not hold ({', '.join(dropped[1])})")
    reference = reference[inside]
    if args.from_year is not None:  # e.g. leave out the first year when it is an initial condition
        years = reference["year"]
        reference = reference[years >= args.from_year].reset_index(drop=True)
        if reference.empty:
            raise InputError(args.reference, "year", f"rows in years >= {args.from_year} (--from-year); its rows of "
                             f"the run's states are in {int(years.min())}-{int(years.max())}")
    return reference, dropped


def _check_years(args, reference, run_years: set[int], periods: list[tuple[int, int]] | None) -> None:
    """--split-year must leave scored years (reference years the runs have) on both sides,
    and each of --periods hold one: an out-of-sample table or a period with no year in it
    was printed empty (or, with no earlier year, scored baselines fitted on the test years
    themselves) without a word."""
    years = reference["year"][reference["year"].isin(run_years)]
    if years.empty:
        raise InputError(args.reference, "year", f"rows in the years of the run ({min(run_years)}-"
                         f"{max(run_years)}); its rows are in {int(reference['year'].min())}-"
                         f"{int(reference['year'].max())}")
    first, last = int(years.min()), int(years.max())
    span = f"the reference's scored years are {first}-{last}"
    if args.split_year is not None and not first < args.split_year <= last:
        raise InputError(args.reference, "--split-year", f"a year after the first scored year and no later "
                         f"than the last ({span}), leaving years on both sides", got=args.split_year)
    for lo, hi in periods or ():
        if not ((years >= lo) & (years <= hi)).any():
            raise InputError(args.reference, "--periods", f"ranges that hold scored years ({span})",
                             got=f"{lo}-{hi}")


def _check_bloc_reference(path, reference, states: set[str], blocs: list[str], years: set[int]) -> None:
    """Refuse a bloc reference with no row for a state and a bloc of the run in a scored year
    of the run: there is nothing to score (a run without blocs met a traceback in the
    scoring, an empty file warnings, rows of other years a table of NaN with status 0)."""
    import numpy as np

    from sim.files import place

    match = reference["state"].isin(states) & reference["bloc"].isin(blocs)
    if (match & reference["year"].isin(years)).any():
        return
    if match.any():
        row = int(np.flatnonzero(match.to_numpy())[0])
        span = f"{min(years)}-{max(years)}" if years else "none"
        raise InputError(path, "year", f"rows in the scored years of the run ({span})",
                         **place(reference, row), got=int(reference["year"].iloc[row]))

    expected = f"rows for a state and a bloc of the run (states {', '.join(sorted(states))}; blocs {', '.join(blocs) or 'none'})"
    if reference.empty:
        raise InputError(path, None, expected)
    field, known = ("bloc", blocs) if reference["state"].isin(states).any() else ("state", states)
    row = int(np.flatnonzero(~reference[field].isin(known).to_numpy())[0])
    raise InputError(path, field, expected, **place(reference, row), got=reference[field].iloc[row])


def _add_blocs_and_patterns(report, sc, tables, states_tables, blocs_path, patterns_path, from_year) -> None:
    from sim.scenario.reference import load_bloc_reference

    if blocs_path and states_tables:
        from sim.analysis.membership import validate_membership

        founders = {b.id: (b.founded or sc.time.start, b.founders) for b in sc.blocs} if sc else {}
        reference = load_bloc_reference(blocs_path)
        if "blocs" not in states_tables[0].columns:  # a KeyError traceback in the scoring
            raise InputError(states_tables[0].attrs.get("path"), "blocs", "this column (a run's state "
                             "table lists each state's blocs; --blocs scores them)", line=1)
        blocs = [b.id for b in sc.blocs] if sc else sorted(reference["bloc"].unique())
        years = {int(y) for t in states_tables for y in t["year"] if y >= from_year}
        _check_bloc_reference(blocs_path, reference, set().union(*(set(t["state"]) for t in states_tables)),
                              blocs, years)
        report.membership, report.membership_events = validate_membership(
            states_tables, reference, blocs, founders, from_year)
    if patterns_path:
        from sim.analysis.patterns import RunTables, checklist, load_patterns, unknown_names

        patterns = load_patterns(patterns_path)
        states = set().union(*(set(t["a"]) | set(t["b"]) for t in tables))
        years = (min(int(t["year"].min()) for t in tables), max(int(t["year"].max()) for t in tables))
        problem = unknown_names(patterns, states, {b.id for b in sc.blocs} if sc else None, years)
        if problem:
            field, expected, got = problem
            raise InputError(patterns_path, field, expected, got=got)
        report.patterns = checklist(patterns, [RunTables(d, s) for d, s in zip(tables, states_tables)])


def _print(report, split_year) -> None:
    import pandas as pd

    from sim.analysis.validation import kappa_shown

    print("Reference dyad-years scored: "
          + ", ".join(f"{k} {v}" for k, v in report.settings["coverage"].items()))
    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.float_format", "{:.3f}".format):
        # as report.md shows them: an undefined kappa as n/a, any other undefined score
        # (climatology's accuracy, a change hit rate without reference changes) blank, not NaN
        print("Overall (model vs naive baselines)")
        print(kappa_shown(report.summary("overall")).to_string(index=False, na_rep=""))
        if split_year is not None:
            print(f"\nOut of sample (years >= {split_year})")
            print(kappa_shown(report.summary("out_of_sample")).to_string(index=False, na_rep=""))
        if report.membership is not None:
            print("\nBloc membership (joins and exits hit within a year; spurious per run)")
            print(report.membership.to_string(na_rep=""))
        if report.patterns is not None:
            held = int((report.patterns["share"] >= 0.8).sum())
            print(f"\nDocumented patterns: {held} of {len(report.patterns)} reproduced in >= 80% of runs")


def _handle(args) -> int:
    from sim.analysis.validation import validate

    if args.out:  # before any work: the report must not overwrite a run's or a user's files
        from sim.run.outdir import VALIDATION_FILES, check_output_folder

        check_output_folder(args.out, own=lambda name: name in VALIDATION_FILES or name.endswith(".png"),
                            what="validation report")
    periods = _parse_periods(args.periods) if args.periods is not None else None  # before the runs, too
    target = Path(args.target)
    sc = _scenario_of(target)
    blocs_path = args.blocs or (str(sc.resolve(sc.bloc_reference)) if sc and sc.bloc_reference else None)
    patterns_path = args.patterns or (str(sc.resolve(sc.patterns)) if sc and sc.patterns else None)
    tables, states_tables = _runs(target, args.seeds, need_classes=patterns_path is not None)
    reference, left_out = _reference_for(args, set().union(*(set(t["a"]) | set(t["b"]) for t in tables)))
    _check_years(args, reference, set().union(*(set(t["year"]) for t in tables)), periods)
    from sim.progress import Steps

    names = ["scoring", "blocs and patterns"] + (["report and figures"] if args.out else [])
    with Steps("validate", names) as steps:
        report = validate(tables, reference, periods=periods, split_year=args.split_year,
                          reference_name=str(args.reference))
        report.settings["left_out"] = left_out
        if sc is not None and sc.outputs.pairs:  # the figures follow the scenario's chosen pairs
            report.settings["key_pairs"] = [tuple(p) for p in sc.outputs.pairs]
        steps.next()
        from_year = args.from_year if args.from_year is not None else int(reference["year"].min())
        _add_blocs_and_patterns(report, sc, tables, states_tables, blocs_path, patterns_path, from_year)
        steps.next()
        path = report.write(args.out) if args.out else None
        steps.next()
    _print(report, args.split_year)
    if path is not None:
        print(f"\nreport written to {path}")
    return 0


def register(subparsers) -> None:
    """Add the ``validate`` sub-command."""
    p = subparsers.add_parser(
        "validate", help="score a run or a scenario ensemble against a reference timeline",
        description="Score simulated alignments against a reference timeline, next to naive "
                    "baselines (persistence, majority, climatology).")
    p.add_argument("target", metavar="RUN_DIR|SCENARIO",
                   help="a run folder holding dyads.csv or dyads.parquet (alliance-sim run "
                        "--format), or a scenario .yaml to simulate")
    p.add_argument("--reference", required=True, metavar="FILE",
                   help="reference timeline CSV (a,b,year,de_jure,de_facto,source,confidence,note)")
    p.add_argument("--seeds", type=options.whole_number(1, MAX_SEEDS), default=10, metavar="N",
                   help="runs (seeds 0..N-1) to simulate when given a scenario (default 10)")
    p.add_argument("--out", type=options.folder_path, metavar="DIR", help="write tables, report.md and figures here")
    p.add_argument("--split-year", type=int, metavar="Y",
                   help="also score years >= Y out of sample (baselines fitted on earlier years)")
    p.add_argument("--from-year", type=int, metavar="Y",
                   help="score only years >= Y (e.g. 1992 when 1991 holds the initial conditions)")
    p.add_argument("--periods", metavar="RANGES",
                   help="per-period breakdown, e.g. 1992-1999,2000-2007 (default: four periods "
                        "of the scored span)")
    p.add_argument("--states", metavar="IDS",
                   help="comma-separated state ids the reference may use besides the run's own "
                        "(pairs with states outside the run are not scored); any other id the run does "
                        "not hold is refused as a typo")
    p.add_argument("--blocs", metavar="FILE",
                   help="bloc membership reference CSV (state,bloc,year,member); default: the "
                        "scenario's bloc_reference")
    p.add_argument("--patterns", metavar="FILE",
                   help="documented patterns YAML to check on every run; default: the scenario's "
                        "patterns")
    p.set_defaults(func=_handle)

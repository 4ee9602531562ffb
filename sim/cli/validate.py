"""``alliance-sim validate``: score a run or a scenario ensemble against a reference timeline.

Only the parser lives at the top; the scoring (pandas, and the model when a scenario is
given) is imported when the command runs.
"""

from __future__ import annotations

from pathlib import Path

from sim.errors import InputError


def _parse_periods(text: str) -> list[tuple[int, int]]:
    out = []
    for part in text.split(","):
        try:
            lo, hi = (int(x) for x in part.strip().split("-"))
        except ValueError:
            raise InputError(None, "--periods", "comma-separated year ranges like 1991-1999",
                             got=part) from None
        out.append((lo, hi))
    return out


def _run_states(target: Path, is_scenario: bool) -> set[str] | None:
    """State ids of a scenario file or a run folder's dyads.csv (None if unreadable here)."""
    if is_scenario:
        if not target.is_file():
            return None
        from sim.scenario.schema import load_raw

        try:  # the scenario is checked in full when it runs; here only its state ids are read
            states = load_raw(target).get("states") or []
            ids = {str(s["id"]) for s in states if isinstance(s, dict) and "id" in s}
        except Exception:  # noqa: BLE001 - a malformed file is reported by the run itself
            return None
        return ids or None
    dyads = target / "dyads.csv"
    if not dyads.is_file():
        return None
    import pandas as pd

    head = pd.read_csv(dyads, usecols=["a", "b"], dtype=str)
    return set(head["a"]) | set(head["b"])


def _default_periods(reference, central_asia) -> list[tuple[int, int]]:
    """Central Asia's four periods when they overlap the reference; else the reference's
    span in halves (e.g. 1946-1950, 1951-1955)."""
    years = reference["year"]
    lo, hi = int(years.min()), int(years.max())
    if any(a <= hi and b >= lo for a, b in central_asia):
        return list(central_asia)
    mid = (lo + hi) // 2
    return [(lo, mid), (mid + 1, hi)] if hi > lo else [(lo, hi)]


def _handle(args) -> int:
    import pandas as pd

    from sim.analysis.validation import DEFAULT_PERIODS, load_simulated, validate
    from sim.scenario.reference import KNOWN_STATES, load_reference

    target = Path(args.target)
    is_scenario = target.suffix.lower() in (".yaml", ".yml")
    if args.states:
        states = {x.strip() for x in args.states.split(",")}
    else:  # the states of the run or scenario scored (any state system), else Central Asia's
        states = _run_states(target, is_scenario) or KNOWN_STATES
    reference = load_reference(args.reference, states)
    if args.from_year is not None:  # e.g. leave out the first year when it is an initial condition
        reference = reference[reference["year"] >= args.from_year].reset_index(drop=True)
    if is_scenario:
        if not target.is_file():
            raise InputError(target, None, "an existing scenario file")
        from sim.run.simulate import simulate_tables  # lazy: the model is optional for validation

        # seeds 0..N-1, as `alliance-sim run` defaults to seed 0
        tables = simulate_tables(str(target), list(range(args.seeds)))
        if not tables:
            raise InputError(target, None, "a scenario whose runs produce dyad-year tables")
    else:
        dyads = target / "dyads.csv"
        if not dyads.is_file():
            raise InputError(target, None, "a run folder holding dyads.csv, or a .yaml scenario")
        tables = load_simulated(dyads)
    periods = _parse_periods(args.periods) if args.periods else _default_periods(reference, DEFAULT_PERIODS)
    report = validate(tables, reference, periods=periods, split_year=args.split_year,
                      reference_name=str(args.reference), persistence_year=args.persistence_year)
    print("Reference dyad-years scored: "
          + ", ".join(f"{k} {v}" for k, v in report.settings["coverage"].items()))
    with pd.option_context("display.width", 140, "display.max_columns", 20,
                           "display.float_format", "{:.3f}".format):
        print("Overall (model vs naive baselines)")
        print(report.summary("overall").to_string(index=False))
        if args.split_year is not None:
            print(f"\nOut of sample (years >= {args.split_year})")
            print(report.summary("out_of_sample").to_string(index=False))
    if args.out:
        path = report.write(args.out)
        print(f"\nreport written to {path}")
    return 0


def register(subparsers) -> None:
    """Add the ``validate`` sub-command."""
    p = subparsers.add_parser(
        "validate", help="score a run or a scenario ensemble against a reference timeline",
        description="Score simulated alignments against a reference timeline, next to naive "
                    "baselines (persistence, majority, climatology).")
    p.add_argument("target", metavar="RUN_DIR|SCENARIO",
                   help="a run folder holding dyads.csv, or a scenario .yaml to simulate")
    p.add_argument("--reference", required=True, metavar="FILE",
                   help="reference timeline CSV (a,b,year,de_jure,de_facto,source,confidence,note)")
    p.add_argument("--seeds", type=int, default=10, metavar="N",
                   help="runs (seeds 0..N-1) to simulate when given a scenario (default 10)")
    p.add_argument("--out", metavar="DIR", help="write tables, report.md and figures here")
    p.add_argument("--split-year", type=int, metavar="Y",
                   help="also score years >= Y out of sample (baselines fitted on earlier years)")
    p.add_argument("--from-year", type=int, metavar="Y",
                   help="score only years >= Y (e.g. 1992 when 1991 holds the initial conditions)")
    p.add_argument("--periods", metavar="RANGES",
                   help="per-period breakdown, e.g. 1991-1999,2000-2007 (default: four periods)")
    p.add_argument("--states", metavar="IDS",
                   help="comma-separated state ids the reference may use (default: the states of "
                        "the run or scenario scored)")
    p.add_argument("--persistence-year", type=int, metavar="Y",
                   help="year whose reference levels the persistence baseline keeps (default 1992 "
                        "when the reference codes it, else its first year)")
    p.set_defaults(func=_handle)

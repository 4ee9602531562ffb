"""``alliance-sim landscape``: the stable bloc configurations of a landscape scenario."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli import options
from sim.errors import InputError

#: The files ``alliance-sim landscape`` writes into its folder.
LANDSCAPE_FILES = ("minima.csv", "minima.png")
#: Blocs a landscape may have: the range of a landscape file's ``k``. A larger --k never
#: finished (the exhaustive search enumerates k-bloc partitions).
BLOCS = options.whole_number(2, 12)
#: Most random starts: far above any study (a million starts of 17 actors take 40 s); the
#: starts are drawn at once, and 10^12 of them asked numpy for 29 TiB.
MAX_STARTS = 1_000_000


def run_landscape(args: argparse.Namespace) -> int:
    """Handler of ``alliance-sim landscape``."""
    import pandas as pd

    from sim.files import atomic_folder
    from sim.landscape.files import check_actual, load_landscape, minima_table, read_actual_csv
    from sim.landscape.theory import analyse, search_plan
    from sim.progress import progress
    from sim.plots.landscape import draw_minima
    from sim.run.outdir import check_output_folder

    out = Path(args.out) if args.out else Path("runs") / "landscape" / Path(args.file).stem
    # the folder is replaced at the end: never one holding a run's or a user's files
    check_output_folder(out, own=lambda name: name in LANDSCAPE_FILES, what="landscape")
    spec = load_landscape(args.file)
    ids = spec.ids
    actual = spec.actual
    if args.actual:
        actual = read_actual_csv(args.actual)
        check_actual(actual, ids, args.actual)
    k = args.k if args.k is not None else spec.k
    # a bar on a terminal: 10,000 random starts of 200 actors take about two minutes
    method, count = search_plan(len(ids), k, args.starts)
    unit = "configuration" if method == "exhaustive" else "start"
    with progress(total=count, desc=f"landscape ({method})", unit=unit) as bar:
        result = analyse(spec.size_vector(), spec.propensity_matrix(), k=k,
                         starts=args.starts, rng=args.seed, progress=bar.update)
    table = minima_table(result, ids, actual)
    with atomic_folder(out) as tmp:
        table.to_csv(tmp / "minima.csv", index=False)
        names = [a.name or a.id for a in spec.actors]
        draw_minima(result, ids, names, tmp / "minima.png", spec.name, actual)
    what = (f"{result.n_configurations} configurations (exhaustive)" if result.method == "exhaustive"
            else f"{result.n_configurations} random starts, seed {args.seed}")
    print(f"{spec.name}: {len(ids)} actors, k={k}, {what}; {len(result.minima)} local minima")
    with pd.option_context("display.max_colwidth", 200, "display.width", 200,
                           "display.float_format", "{:.4g}".format):
        print(table.to_string(index=False))
    print(f"wrote {out / 'minima.csv'} and {out / 'minima.png'}")
    return 0


def register(subparsers) -> None:
    """Add ``alliance-sim landscape`` to the command line."""
    p = subparsers.add_parser(
        "landscape",
        help="local minima of an Axelrod-Bennett landscape and their basins",
        description="Find the stable bloc configurations of a landscape scenario (Axelrod & "
                    "Bennett 1993), their energies and basins of attraction, and score them "
                    "against an actual alignment.")
    p.add_argument("file", help="landscape scenario (YAML, mechanism: landscape)")
    p.add_argument("--actual", help="CSV with columns actor,bloc: the actual alignment")
    p.add_argument("--k", type=BLOCS, default=None, help="number of blocs (default: the file's k, or 2)")
    p.add_argument("--starts", type=options.whole_number(1, MAX_STARTS), default=None,
                   help="use this many random starts instead of exhaustive search")
    p.add_argument("--seed", type=options.seed, default=0, help="seed for random starts (default 0)")
    p.add_argument("--out", type=options.folder_path, help="output folder (default runs/landscape/<file stem>)")
    p.set_defaults(func=run_landscape)

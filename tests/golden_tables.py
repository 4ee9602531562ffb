"""Golden tables: fingerprints of what runs compute, so speed work can show it changed nothing.

Each case runs a scenario with one seed, writes its tables with the run folder's own CSV
writer (``sim.run.simulate``) and keeps the SHA-256 of each table; a summary-only case
keeps the fingerprint of its summary and level history. ``tests/test_golden_tables.py``
runs the cases again and compares.

The fingerprints belong to the mechanisms of the commit that wrote them. A change meant
to change results (a new mechanism, a recalibration) rewrites them; a change meant only
to speed things up must leave them as they are. Commands (from the repository root)::

    .venv/bin/python tests/golden_tables.py write        # rewrite tests/data/golden_tables.json
    .venv/bin/python tests/golden_tables.py check        # compare, naming each table that differs
    .venv/bin/python tests/golden_tables.py dump DIR     # write the tables themselves, to diff

To check a speed branch against the mechanisms of main as they are at merge time: on
main, ``write`` (and keep the file); merge the branch; ``check``. A table that differs can
be found with ``dump`` on both sides and ``diff -r``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden_tables.json"
FLOAT_FORMAT = "%.6f"  # as run folders write their CSV tables
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "experiments" / "benchmarks"))

#: name -> (scenario, seed, record, with the structure table). The synthetic system has
#: more than 64 states, so the blocked shared-threat computation crosses a block boundary.
CASES = {
    "historical_seed0": ("scenarios/central_asia_1991_2024.yaml", 0, True, True),
    "historical_seed7": ("scenarios/central_asia_1991_2024.yaml", 7, True, False),
    "cold_war_seed3": ("scenarios/cold_war_europe_1946_1955.yaml", 3, True, False),
    "synthetic80_seed1": ("synthetic:80:12", 1, True, False),
    "historical_summary_seed5": ("scenarios/central_asia_1991_2024.yaml", 5, False, False),
    "synthetic120_summary_seed2": ("synthetic:120:15", 2, False, False),
}


def scenario_of(name: str):
    """A scenario file of the repository, or ``synthetic:<states>:<years>``."""
    if name.startswith("synthetic:"):
        from bench_model import synthetic_scenario
        from sim.scenario.schema import scenario_from_dict

        _, n, years = name.split(":")
        return scenario_from_dict(synthetic_scenario(int(n), int(years), seed=int(n)))
    return str(ROOT / name)


def tables(case: str) -> dict[str, str]:
    """The case's tables as CSV text (summary-only cases: summary and levels as text)."""
    from sim.run.simulate import simulate

    path, seed, record, structure = CASES[case]
    res = simulate(scenario_of(path), seed, record=record)
    out: dict[str, str] = {}
    if not record:
        h = res.model.history
        levels = np.stack([np.stack(h[k]).astype(np.int8) for k in ("de_facto", "de_jure", "desired")])
        out["summary.json"] = json.dumps(res.summary, sort_keys=True)
        out["levels.npy"] = levels.tobytes().hex()
        out["members.npy"] = (np.stack(h["members"]) & np.stack(h["bloc_active"])[:, None, :]).tobytes().hex()
        return out
    frames = {"dyads.csv": res.dyads, "states.csv": res.states, "events.csv": res.events}
    if structure:
        from sim.analysis.structure import balance_over_time
        frames["structure.csv"] = balance_over_time(res.model, progress=False)
    for name, df in frames.items():
        buf = io.StringIO()
        df.to_csv(buf, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
        out[name] = buf.getvalue()
    return out


def fingerprints(cases=None) -> dict[str, dict[str, str]]:
    return {case: {name: hashlib.sha256(text.encode()).hexdigest() for name, text in tables(case).items()}
            for case in (cases or CASES)}


def differences(found: dict, golden: dict) -> list[str]:
    """Each case and table whose fingerprint differs from the golden one, as a sentence."""
    out = []
    for case, names in golden.items():
        for name, digest in names.items():
            got = found.get(case, {}).get(name)
            if got != digest:
                out.append(f"{case}/{name}: {got} != golden {digest}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=("write", "check", "dump"))
    ap.add_argument("folder", nargs="?", help="for dump: where to write the tables")
    args = ap.parse_args()
    if args.action == "write":
        GOLDEN.write_text(json.dumps(fingerprints(), indent=1, sort_keys=True) + "\n")
        print(f"wrote {GOLDEN.relative_to(ROOT)}")
        return 0
    if args.action == "dump":
        for case in CASES:
            folder = Path(args.folder) / case
            folder.mkdir(parents=True, exist_ok=True)
            for name, text in tables(case).items():
                (folder / name).write_text(text)
        print(f"wrote {args.folder}")
        return 0
    diff = differences(fingerprints(), json.loads(GOLDEN.read_text()))
    print("\n".join(diff) or "all tables as golden")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())

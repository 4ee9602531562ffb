"""The short markdown report of a run: where alignments ended and the main changes, with why."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.eventlog import BLOC_ENTERED, BLOC_FOUNDED
from sim.levels import DE_FACTO_NAMES, DE_JURE_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from sim.run.simulate import RunResult

#: Event kinds that make or unmake an instrument or a membership: the de jure record.
STRUCTURAL = ("treaty_formed", "treaty_denounced", "treaty_withdrawn", "treaty_lapsed", "hostile_imposed",
              "hostile_lifted", "bloc_join", "bloc_exit", "bloc_expulsion", BLOC_FOUNDED, BLOC_ENTERED,
              "bloc_dissolved")


def _cell(value) -> str:
    if isinstance(value, (float, np.floating)):
        return "" if np.isnan(value) else f"{value:.3f}"
    return str(value)


def markdown_table(table, rows=None) -> str:
    """A GitHub-flavoured markdown table (pandas' own needs the optional tabulate); the
    one every report uses (runs, validation, experiments).

    Args:
        table: A data frame (floats shown to three decimals, NaN as blank), or the
            header when ``rows`` are given.
        rows: Rows of cells, shown as ``str`` does.
    """
    if rows is None:
        header = [str(c) for c in table.columns]
        rows = ([_cell(v) for v in row] for row in table.itertuples(index=False))
    else:
        header = list(table)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _main_changes(ev, pairs) -> list[str]:
    """The report's list of changes: instruments and memberships of every pair, de facto
    moves of the chosen pairs only (a list of every move would drown them), with drivers."""
    chosen = [(a, b) for a, b in pairs] + [(b, a) for a, b in pairs]  # a pair in either order
    of_chosen = pd.MultiIndex.from_arrays([ev.a, ev.b]).isin(chosen)
    main = ev[ev.kind.isin(STRUCTURAL) | ((ev.kind == "de_facto_change") & of_chosen)]
    out = ["## Main changes and why", "",
           "Treaties, sanctions and bloc changes of every pair; de facto changes only of the "
           "scenario's chosen pairs (`outputs.pairs`: " + (", ".join("-".join(p) for p in pairs) or "none")
           + "). Every change of every pair is in the events table, and the scenario's input events are "
           "listed below. Drivers are each side's weighted utility components toward the other (largest "
           "first), and the component that moved most since the year before.", ""]
    rows = [[str(r.year), r.kind.replace("_", " "), "-".join(x for x in (r.a, r.b) if x), r.text, r.drivers]
            for r in main.itertuples()]
    if len(rows) > 60:
        rows = rows[:60]
        out.append("(first 60 changes; the full list is in the events table)\n")
    return out + [markdown_table(["year", "change", "who", "what", "drivers"], rows) if rows
                  else "No structural change.", ""]


def _classes(counts) -> list[str]:
    """How many pairs end in each class, and what the classes mean."""
    return ["## Relationship classes at the end", "",
            ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()), "",
            "Classes (`sim/mechanisms/classify.py`): among cooperating pairs, natural allies share "
            "values and interests and are driven by them, strategic partners share a threat and are "
            "driven by it, partners are neither; a paper alliance's instrument (partnership or more) runs "
            "`mechanism.paper_gap` levels (2 by default) or more ahead of its practice; rivals are tense "
            "or worse; none is a distant pair.", ""]


def run_report(res: "RunResult", figures: dict[str, str]) -> str:
    m = res.model
    d = res.dyads
    last = d[d.year == d.year.max()]
    w = ", ".join(f"{k} {v:.2f}" for k, v in m.threat_weights.items())
    u = ", ".join(f"{k} {v:g}" for k, v in m.utility_weights.items())
    out = [f"# {res.scenario.name}: run report", ""]
    if res.scenario.description:
        out += [res.scenario.description.strip(), ""]
    out += [f"- Scenario file: `{res.scenario.source}`; seed {res.seed}; years {res.years[0]}-{res.years[-1]}.",
            f"- Threat weights: {w}.", f"- Utility weights: {u}; temperature {m.temperature:g}.", ""]

    # Every pair, distant ones of class none included: a pair missing from the table would
    # read as a pair the run did not have.
    rows = [[f"{r.a}-{r.b}", f"{r.de_facto} {DE_FACTO_NAMES[r.de_facto]}",
             f"{r.de_jure} {DE_JURE_NAMES[r.de_jure]}", str(getattr(r, "classification", "")).replace("_", " ")]
            for r in last.itertuples()]
    out += [f"## Alignments in {res.years[-1]}", ""]
    out += [markdown_table(["pair", "de facto", "de jure", "class"], rows) if rows else "No pairs.", ""]

    ev = res.events
    out += _main_changes(ev, res.scenario.outputs.pairs)

    shocks = ev[~ev.kind.isin(STRUCTURAL + ("de_facto_change",))]
    if len(shocks):
        out += ["## Scenario events (input changes)", ""]
        out += [f"- {r.year}: {r.text}" for r in shocks.itertuples()]
        out.append("")
    if m.bloc_ids:
        out += ["## Blocs at the end", ""]
        for b, members in m.blocs.items():
            out.append(f"- {m.bloc_names[b]}: {', '.join(sorted(members)) or '(no members)'}")
        out.append("")
    if "classification" in last:
        out += _classes(last.classification.value_counts())
    if figures:
        out += ["## Figures", ""]
        out += [f"![{k}]({v})" for k, v in figures.items()]
        out.append("")
    return "\n".join(out)

"""Write the early Cold War scenario from the coded files.

Reads the coding in the repository (``seeds/reference/cold_war_europe_reference.csv`` and
``seeds/reference/coding/cold_war_europe/``: the coder's input events, state list and
notes, and a second coder's disputes between pairs, ``disputes.csv`` with its rules in
``DISPUTES.md``) and the Central Asia scenario, and writes:

* ``scenarios/cold_war_europe/initial_relations_1946.csv`` (the reference's 1946 row:
  de facto where coded, de jure for every pair);
* ``scenarios/cold_war_europe_1946_1955.yaml``: the states, the calibrated inputs, the
  Central Asia ``mechanism:`` section copied verbatim, the blocs with their founders and
  charters, the dated input events converted from events.csv by the rules in
  ``convert_event``, one ``dispute`` event per spell of disputes.csv (``dispute_spells``), and
  one ``doctrine`` event per spell of a state's multi-vector disposition from a third coder's
  declared doctrines, doctrines.csv with its rules in DOCTRINES.md (``doctrine_events``).

``--refwork DIR`` first imports a new coding from a coder's folder (reference.csv,
blocs_reference.csv, events.csv, states.csv, NOTES.md, and disputes.csv with DISPUTES.md
when the folder has them): the reference is copied unchanged into ``seeds/reference``, the
rest into ``seeds/reference/coding/cold_war_europe``. ``--disputes DIR`` imports only a
disputes coding (disputes.csv, DISPUTES.md). A disputes file is checked before anything is
copied: a bad row stops the script with the file, line and column, and nothing is written.
Run without either on the repository as it is, the script reproduces the shipped scenario
byte for byte; re-copying the Central Asia weights is how a refit there reaches this case.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.rules import load_rules
from sim.errors import InputError
from sim.files import csv_line, read_csv

ROOT = Path(__file__).resolve().parents[2]
CA = ROOT / "scenarios" / "central_asia_1991_2024.yaml"
OUT = ROOT / "scenarios" / "cold_war_europe_1946_1955.yaml"
INIT = ROOT / "scenarios" / "cold_war_europe" / "initial_relations_1946.csv"
REF_DIR = ROOT / "seeds" / "reference"
CODING = REF_DIR / "coding" / "cold_war_europe"  # the coder's input events, states and notes
DISPUTES = CODING / "disputes.csv"  # the second coder's disputes between pairs (rules: DISPUTES.md)
DOCTRINE_CODING = CODING / "doctrines.csv"  # a third coder's declared doctrines (rules: DOCTRINES.md)
START, END = 1946, 1955

ORDER = ["USA", "RUS", "UKG", "FRN", "ITA", "GFR", "GDR", "POL", "CZE", "HUN", "ROM", "BUL", "ALB",
         "YUG", "GRC", "TUR", "BEL", "NTH", "LUX", "DEN", "NOR", "SWD", "FIN", "ICE", "SPN", "POR",
         "AUS", "SWZ", "IRE"]

#: Blocs: founders only; everyone the charter admits joins or stays out on its own scores.
BLOCS = [
    dict(id="BTO_WEU", name="Brussels Treaty Organisation / Western European Union", level=3, founded=1948,
         founders=["UKG", "FRN", "BEL", "NTH", "LUX"], charter="collective_defence",
         eligible=[s for s in ORDER if s != "USA"],
         source="Brussels Treaty signed 17 March 1948 by its five founders (ATOP v5.1 atopid 3130); "
                "Article IX lets the parties invite any other state; becomes the WEU with the Paris "
                "Agreements (in force 5-6 May 1955)"),
    dict(id="NATO", name="North Atlantic Treaty Organization", level=3, founded=1949,
         founders=["USA", "UKG", "FRN", "ITA", "BEL", "NTH", "LUX", "DEN", "NOR", "ICE", "POR"],
         charter="collective_defence", eligible=None,
         source="North Atlantic Treaty signed 4 April 1949 (ATOP v5.1 atopid 3180); founders in this "
                "system (Canada is outside it); Article 10 admits any other European state by invitation"),
    dict(id="Cominform", name="Communist Information Bureau", level=1, founded=1947,
         founders=["RUS", "POL", "CZE", "HUN", "ROM", "BUL", "YUG"], charter="security_forum",
         eligible=["RUS", "POL", "CZE", "HUN", "ROM", "BUL", "YUG"],
         charter_note="the ruling parties' coordination under Moscow's lead",
         source="founding conference at Szklarska Poreba, 22-27 September 1947 (ruling parties of the "
                "seven founders; the French and Italian parties were not parties of government); its "
                "resolution named the Information Bureau's members, two representatives of each of nine "
                "parties, and among its main elements sets no procedure for admitting others, so its charter "
                "is read as a closed list: eligible are the founders (the resolution's main elements as "
                "summarised in the Great Marxism Dictionary, 2018, https://marksizm.org.tr/?lang=en&p=4016)"),
    dict(id="WarsawPact", name="Warsaw Treaty Organization", level=3, founded=1955,
         founders=["RUS", "POL", "CZE", "HUN", "ROM", "BUL", "ALB", "GDR"], charter="collective_defence",
         eligible=None,
         source="Warsaw Treaty signed 14 May 1955 by its eight founders; Article 9 open to other states"),
    dict(id="BalkanPact", name="Balkan Pact (Ankara 1953, Bled 1954)", level=3, founded=1953,
         founders=["GRC", "TUR", "YUG"], charter="collective_defence", eligible=None,
         source="Ankara Treaty of Friendship and Cooperation 28 February 1953; Bled Treaty of Alliance "
                "9 August 1954 (one bloc at the alliance level from 1953: the model holds one level per "
                "bloc, so 1953 is coded one rung high)"),
]

#: Doctrines older than the span (inputs, not outcomes of 1946-1955).
DOCTRINES = [
    ("SWZ", "Swiss permanent neutrality", "recognised by the powers in the Paris declaration of 20 November "
     "1815 and kept through both world wars"),
    ("SWD", "Swedish neutrality", "Sweden's policy of neutrality, kept since 1814 and through the Second "
     "World War"),
    ("IRE", "Irish neutrality", "Irish neutrality in the Second World War (the Emergency, 1939-1945), kept "
     "as policy after it"),
]

BENIGN = re.compile(r"perceived_intent ([+-]\d+(?:\.\d+)?)")
THREAT = re.compile(r"perceived threat(?: from \w+)? \+(\d+(?:\.\d+)?)")
TIE = re.compile(r"economic tie (?:with (\w+) |(\w+)-(\w+) )([+-]\d+(?:\.\d+)?)")


def _list(text) -> list[str]:
    return [s.strip() for s in str(text).split(";") if s.strip()]


def _fmt(x: float) -> str:
    return f"{x:g}"


def convert_event(row) -> tuple[str, list[str]]:
    """One events.csv row -> (kind, YAML effect lines).

    * ``perceived_intent d`` (1 = benign): the model's intent is perceived *aggressive*
      intent, so each observer's intent toward each target changes by -d;
    * ``perceived threat +d`` from a capability (a bomb): the target's offensive capability
      is multiplied by 1 + d (a state input: every observer sees it);
    * ``economic tie with X +d``: each observer's trade dependence on X rises by d/3 (the
      calibrated trade input is a share of a state's total trade; a third of the coder's
      0-1 tie size is taken as its trade-share equivalent); ``economic tie A-B -d``: A's
      dependence on B is multiplied by 1 - d;
    * a leader change also sets the target's leader label;
    * power projection ("reach") has no directed input in the model: only its intent part is carried.
    """
    observers, targets, effect = _list(row.observers), _list(row.targets), str(row.effect)
    lines = []
    kinds = {"threat": "perception", "intent": "perception", "government_change": "perception",
             "leadership_dispute": "perception", "reach": "perception", "capability": "capability",
             "economic_tie": "economic", "leader_change": "leader"}
    m = BENIGN.search(effect)
    if m:
        d = -float(m.group(1))
        lines.append(f"{{field: intent, observer: [{', '.join(observers)}], target: [{', '.join(targets)}], "
                     f"op: add, value: {_fmt(d)}}}")
    m = THREAT.search(effect)
    if m and row.kind == "capability":
        for t in targets:
            lines.append(f"{{field: offense, state: {t}, op: mul, value: {_fmt(1 + float(m.group(1)))}}}")
    m = TIE.search(effect)
    if m:
        d = float(m.group(4))
        if m.group(1):
            lines.append(f"{{field: trade, observer: [{', '.join(observers)}], target: {m.group(1)}, op: add, "
                         f"value: {_fmt(round(d / 3, 3))}}}")
        else:
            lines.append(f"{{field: trade, observer: {m.group(2)}, target: {m.group(3)}, op: mul, "
                         f"value: {_fmt(1 + d)}}}")
    if row.kind == "leader_change" and row["name"] == "Death of Stalin":
        lines.append("{field: leader, state: RUS, op: set, value: \"Collective leadership (Malenkov, Khrushchev)\"}")
    return kinds.get(row.kind, "shock"), lines


def actor_years(states_csv: Path) -> dict[str, int]:
    """First year each state of the coder's state list is an actor (states.csv)."""
    states = pd.read_csv(states_csv)
    return {str(k): int(v) for k, v in states.groupby("abb").first_year.min().items()}


def read_disputes(path: Path, first_year: dict[str, int]) -> pd.DataFrame:
    """The disputes coding, checked row by row; ``last`` is the last year held (inclusive).

    The coder's rules (DISPUTES.md): a row is one issue between two states over a spell of
    years at one severity (0.2 dormant or being settled, 0.5 pressed, 0.8 armed incidents or
    blockade); ``until`` is the last year in force, empty for still open at the end of 1955;
    both states must be actors in every year of the row.

    Raises:
        InputError: a bad row, naming the file, its line and the column (an unknown state,
            a year outside the span or before a state is an actor, start after until, a
            severity or confidence outside 0-1, an empty required cell).
    """
    df = read_csv(path, required=("a", "b", "start", "until", "severity", "name", "source"),
                  numeric=("start", "until", "severity", "confidence"), allow_empty=("until", "confidence"))
    known = ", ".join(ORDER)
    ids = {col: df[col].str.strip() for col in ("a", "b")}
    lines = [csv_line(df, k) for k in range(len(df))]
    for k, row in enumerate(df.itertuples(index=False)):
        a, b = ids["a"].iat[k], ids["b"].iat[k]
        fail = _row_failure(path, lines[k])
        for col, state in (("a", a), ("b", b)):
            if state not in first_year:
                fail(col, f"a state id of the scenario ({known})", getattr(row, col))
        if a == b:
            fail("b", "a state other than 'a'", row.b)
        _check_span(row, fail)
        entry = max(first_year[a], first_year[b])
        if row.start < entry:
            fail("start", f"a year when both {a} and {b} are actors ({entry} or later)", row.start)
        for col in ("severity", "confidence"):
            v = getattr(row, col)
            if not pd.isna(v) and not 0 <= v <= 1:
                fail(col, "a number from 0 to 1", v)
    pair = [tuple(sorted(p)) for p in zip(ids["a"], ids["b"])]
    return df.assign(a=[p[0] for p in pair], b=[p[1] for p in pair], start=df.start.astype(int),
                     last=df.until.fillna(END).astype(int), line=lines)


def _row_failure(path: Path, line: int):
    """A function that stops on a bad cell of a coding's row, naming file, line and column."""
    def fail(col: str, expected: str, got) -> None:
        shown = int(got) if isinstance(got, float) and got.is_integer() else got
        raise InputError(path, col, expected, line=line, got=shown)
    return fail


def _check_span(row, fail) -> None:
    """A coded row's years: whole years of the span, ``until`` (its last year) no earlier than ``start``."""
    for col in ("start", "until"):
        v = getattr(row, col)
        if not pd.isna(v) and (v % 1 or not START <= v <= END):
            fail(col, f"a whole year from {START} to {END}", v)
    if not pd.isna(row.until) and row.until < row.start:
        fail("until", f"a year no earlier than start ({int(row.start)})", row.until)


def dispute_spells(disputes: pd.DataFrame) -> list[tuple[int, int, int]]:
    """Spells ``(row, first, last)`` that give each pair one severity a year, never a sum.

    A pair's dispute input in a year is the highest severity among the rows that cover it:
    severity is how sharply the two quarrel, and two issues open at once do not make the
    quarrel twice as sharp. A row that another row of the same pair outranks in some years
    is cut around them; rows that do not overlap (all of them in the current coding) pass
    whole. Spells come in the file's order.
    """
    best: dict[tuple[str, str, int], int] = {}
    for k, row in disputes.iterrows():
        for year in range(row.start, row["last"] + 1):
            key = (row.a, row.b, year)
            if key not in best or row.severity > disputes.severity[best[key]]:
                best[key] = k
    spells: list[list[int]] = []
    for (_, _, year), k in sorted(best.items(), key=lambda kv: (kv[1], kv[0][2])):
        if spells and spells[-1][0] == k and spells[-1][2] == year - 1:
            spells[-1][2] = year
        else:
            spells.append([k, year, year])
    return [tuple(s) for s in spells]


def dispute_events(disputes: pd.DataFrame) -> list[str]:
    """Scenario lines: one ``dispute`` event (``set``, both directions) per spell.

    The scenario's ``until`` is the first year without the effect (sim.scenario.schema),
    one more than the coder's last year; a spell open to the end of the span has none.
    """
    y = []
    for k, first, last in dispute_spells(disputes):
        row = disputes.loc[k]
        conf = "" if pd.isna(row.confidence) else f", confidence {_fmt(row.confidence)}"
        years = str(first) if first == last else f"{first}-{last}"
        y += [f"  - year: {first}", f"    name: {_q(f'{row['name']} ({row.a}-{row.b}, {years})')}",
              "    kind: dispute"]
        if last < END or not pd.isna(row.until):
            y += [f"    until: {last + 1}"]
        y += [f"    source: {_q(f'{row.source} (disputes.csv line {row.line}{conf})')}", "    effects:",
              f"      - {{field: dispute, a: {row.a}, b: {row.b}, value: {_fmt(row.severity)}}}"]
    return y


def read_doctrines(path: Path, first_year: dict[str, int]) -> pd.DataFrame:
    """The doctrines coding, checked row by row; ``last`` is the last year held (inclusive).

    The coder's rules (DOCTRINES.md): a row is a doctrine a state's government declared or
    was bound to (a party line, a constitution, a programme), never the alignment it then
    showed, coded as evidence on the multi-vector dimension: a direction (+1 toward
    balancing among the great powers, -1 away from it) and a strength (1 weak, 2 clear, 3
    constitutional or treaty-bound) over a spell of years, the state an actor throughout.

    Raises:
        InputError: a bad row, naming the file, its line and the column.
    """
    df = read_csv(path, required=("state", "start", "until", "direction", "strength", "name", "source"),
                  numeric=("start", "until", "direction", "strength", "confidence"),
                  allow_empty=("until", "confidence"))
    known = ", ".join(ORDER)
    states = df["state"].str.strip()
    lines = [csv_line(df, k) for k in range(len(df))]
    for k, row in enumerate(df.itertuples(index=False)):
        state, fail = states.iat[k], _row_failure(path, lines[k])
        if state not in first_year:
            fail("state", f"a state id of the scenario ({known})", row.state)
        _check_span(row, fail)
        if row.start < first_year[state]:
            fail("start", f"a year when {state} is an actor ({first_year[state]} or later)", row.start)
        if row.direction not in (-1, 1):
            fail("direction", "-1 or 1", row.direction)
        if row.strength not in (1, 2, 3):
            fail("strength", "1, 2 or 3", row.strength)
        if not pd.isna(row.confidence) and not 0 <= row.confidence <= 1:
            fail("confidence", "a number from 0 to 1", row.confidence)
    return df.assign(state=states, start=df.start.astype(int), last=df.until.fillna(END).astype(int),
                     line=lines)


def doctrine_rule() -> tuple[float, float]:
    """The calibration rule's multi-vector baseline and evidence step (``rules.doctrine`` in
    seeds/calibration_rules.yaml): the coded doctrines go through the rule Central Asia's
    evidence goes through, value = clip(baseline + step * net evidence, 0, 1)."""
    rule = load_rules()["rules"]["doctrine"]
    return float(rule["baseline"]["multi_vector"]), float(rule["step"])


def doctrine_events(doctrines: pd.DataFrame, baseline: float, step: float) -> list[str]:
    """Scenario lines: one ``doctrine`` event per spell of a state's multi-vector value.

    A state-year's value is the calibration rule applied to the rows covering it (their
    directions times strengths summed), so two rows of one state add up as two evidence
    records do in Central Asia. Spells at the baseline need no event: the calibrated table
    has no doctrine evidence for these states and already holds the baseline.
    """
    y = []
    for state in ORDER:
        rows = doctrines[doctrines.state == state]
        if rows.empty:
            continue
        net = {year: sum(int(r.direction * r.strength) for r in rows.itertuples() if r.start <= year <= r.last)
               for year in range(START, END + 1)}
        spells: list[list[int]] = []  # [first, last] of each run of years with one net evidence
        for year in range(START, END + 1):
            if spells and net[spells[-1][0]] == net[year] and spells[-1][1] == year - 1:
                spells[-1][1] = year
            else:
                spells.append([year, year])
        for first, last in spells:
            value = float(np.clip(baseline + step * net[first], 0.0, 1.0))
            if value == baseline:  # net 0: the calibrated table holds it already
                continue
            held = rows[(rows.start <= last) & (rows["last"] >= first)]
            years = str(first) if first == last else f"{first}-{last}"
            names, sources = "; ".join(dict.fromkeys(held["name"])), " ; ".join(dict.fromkeys(held.source))
            lines = ", ".join(str(n) for n in held.line)
            y += [f"  - year: {first}", f"    name: {_q(f'{names} ({state}, {years})')}", "    kind: doctrine"]
            if last < END:
                y += [f"    until: {last + 1}"]
            where = f"doctrines.csv line{'s' if len(held) > 1 else ''} {lines}"
            y += [f"    source: {_q(f'{sources} ({where})')}",
                  "    effects:",
                  f"      - {{field: multi_vector, state: {state}, op: set, value: {_fmt(round(value, 6))}}}"]
    return y


def _q(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', "'") + '"'


def mechanism_section(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("mechanism:")
    end = next(i for i in range(start + 1, len(lines)) if lines[i] and not lines[i].startswith((" ", "#")))
    return lines[start:end]


#: A disputes coding: the rows and the coder's rules.
DISPUTE_FILES = ("disputes.csv", "DISPUTES.md")


def import_coding(src: Path) -> None:
    """Copy a coder's files into the repository: the reference unchanged into seeds/reference,
    the input events, the state list and the notes into ``CODING``; a disputes coding in the
    same folder too (checked first, so a bad one leaves the repository as it was)."""
    disputes = (src / "disputes.csv").exists()
    if disputes:
        read_disputes(src / "disputes.csv", actor_years(src / "states.csv"))
    REF_DIR.mkdir(parents=True, exist_ok=True)
    CODING.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src / "reference.csv", REF_DIR / "cold_war_europe_reference.csv")
    shutil.copyfile(src / "blocs_reference.csv", REF_DIR / "cold_war_europe_reference_blocs.csv")
    for name in ("events.csv", "states.csv", "NOTES.md") + (DISPUTE_FILES if disputes else ()):
        shutil.copyfile(src / name, CODING / name)


def import_disputes(src: Path) -> None:
    """Copy a disputes coding (disputes.csv and its rules, DISPUTES.md) into ``CODING``, once
    every row has passed :func:`read_disputes` against the coding's state list."""
    read_disputes(src / "disputes.csv", actor_years(CODING / "states.csv"))
    CODING.mkdir(parents=True, exist_ok=True)
    for name in DISPUTE_FILES:
        shutil.copyfile(src / name, CODING / name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--refwork", default=None,
                    help="import a new coding from this folder first (the coder's reference.csv, "
                         "blocs_reference.csv, events.csv, states.csv, NOTES.md, and disputes.csv with "
                         "DISPUTES.md if there); default: build from the coding already in the repository")
    ap.add_argument("--disputes", default=None,
                    help="import a disputes coding from this folder first (disputes.csv, DISPUTES.md)")
    args = ap.parse_args()
    try:
        if args.refwork:
            import_coding(Path(args.refwork))
        if args.disputes:
            import_disputes(Path(args.disputes))
        text, init = build()
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    INIT.parent.mkdir(parents=True, exist_ok=True)
    init.to_csv(INIT, index=False, lineterminator="\n")
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} and {INIT} ({len(init)} pairs)")
    return 0


def build() -> tuple[str, pd.DataFrame]:
    """The scenario's text and its initial relations, from the coding in the repository."""
    ref = pd.read_csv(REF_DIR / "cold_war_europe_reference.csv")
    first = ref[ref.year == 1946]
    init = first[["a", "b"]].assign(initial_de_facto=first.de_facto.astype("Int64"),
                                    initial_de_jure=first.de_jure.astype("Int64"))
    init = init[(init.initial_de_jure != 0) | init.initial_de_facto.fillna(0).ne(0)]

    first_year = actor_years(CODING / "states.csv")
    assert sorted(first_year) == sorted(ORDER)
    events = pd.read_csv(CODING / "events.csv", keep_default_na=False)
    disputes = read_disputes(DISPUTES, first_year)
    doctrines = read_doctrines(DOCTRINE_CODING, first_year) if DOCTRINE_CODING.exists() else None
    mech = mechanism_section(CA)

    y = []
    y += ["# yaml-language-server: $schema=scenario.schema.json",
          "# Europe's early Cold War, 1946-1955: a second state system, out of case.",
          "#",
          "# NO MECHANISM WEIGHT WAS FITTED ON THIS CASE. The `mechanism:` section below is the one of",
          "# scenarios/central_asia_1991_2024.yaml, copied unchanged (experiments/cold_war_out_of_case/",
          "# build_scenario.py copies it). Only inputs differ: the calibrated tables (alliance-sim",
          "# calibrate --states ... --start 1946 --end 1955 --prefix cold_war_europe, the same rules as",
          "# Central Asia), the initial relations of 1946 and the dated input events below.",
          "#",
          "# States (29, COW codes and abbreviations): the two superpowers, the United Kingdom, France,",
          "# Italy, the FRG and the GDR, the Soviet-occupied and people's democracies, Yugoslavia, Greece,",
          "# Turkey, the Benelux and Nordic states, Spain, Portugal, Austria, Switzerland, Ireland.",
          "# Left out (seeds/reference/README.md has the reasons in full): occupied Germany 1946-48 (no",
          "# German state or government); Austria 1946-54 (four-power occupation); Canada (a NATO founder,",
          "# but outside this European system); the Baltic states (annexed, not in the COW system);",
          "# microstates, Malta, Cyprus, Trieste and the Saar (not COW states).",
          "#",
          "# State entry. The model has no entry of states during a run, so the FRG and the GDR (actors",
          "# from 1949) and Austria (1955) are present from 1946 and made inert until they are actors:",
          "# the input event 'Occupation' sets their power to a negligible 1e-6 (the landscape needs sizes > 0) and their offensive capability to 0, and caps them",
          "# as neutral (no bloc, no more than cooperation). Their pairs are not scored before they",
          "# exist (the reference has no rows for them). Their calibrated capabilities before NMC",
          "# covers them (FRG to 1954, GDR to 1953) are NMC's first value carried back (flagged).",
          "#",
          "# Events are inputs only, converted from the coder's events.csv (perceptions of intent,",
          "# capabilities, leaders, governments, economic ties); treaty signatures, bloc entries, the",
          "# Cominform expulsion and the Belgrade declaration are outcomes and are not events.",
          "# Conversion: a change d of perceived intent on the coder's benign scale is an 'add -d' to",
          "# the model's perceived aggressive intent (observer -> target); a capability that raises",
          "# perceived threat by d multiplies the state's offensive capability by 1 + d; an economic",
          "# tie of +d adds d/3 to the observers' trade dependence (a share of total trade); a tie cut",
          "# of -d multiplies it by 1 - d; power projection has no directed input (intent part only).",
          "# The coder's `until` is the last year held; the scenario's `until` is the first year",
          "# without the effect, so it is one more.",
          "#",
          "# Disputes between pairs (the last events, kind dispute): converted from a second coder's",
          "# seeds/reference/coding/cold_war_europe/disputes.csv (rules and doubts in DISPUTES.md there):",
          "# issues over borders, the status of a territory, minorities, fisheries and war claims, open",
          "# before or apart from any alignment outcome. Each row sets the pair's dispute input (both",
          "# directions) to its severity (0.2 dormant or being settled, 0.5 pressed, 0.8 armed",
          "# incidents or blockade) from `start` through `until`. A pair's input in a year is the",
          "# highest severity among the rows covering it, never their sum (no rows overlap now). The",
          "# events above that come from the same episodes (Berlin, the Straits, Cyprus, Iceland's fish)",
          "# change perceived intent or trade, not the dispute input, so nothing is counted twice in",
          "# one input; the Tito-Stalin quarrel stays a perception event only (the coder's choice).",
          "#",
          "# Declared doctrines (kind doctrine, multi_vector): converted from a third coder's",
          "# seeds/reference/coding/cold_war_europe/doctrines.csv (rules and doubts in DOCTRINES.md",
          "# there), coded blind to the model from what governments and ruling parties declared (the",
          "# Truman doctrine, the Zhdanov two-camps line, the Paasikivi line, Nordic bridge-building,",
          "# Tito's line against blocs), never from the alignments they showed. Each state-year's",
          "# multi-vector disposition is the calibration rule applied to the rows covering it",
          "# (seeds/calibration_rules.yaml, rules.doctrine: clip(0.3 + 0.15 x net evidence, 0, 1)),",
          "# as Central Asia's doctrine evidence is; states and years without rows keep 0.3.",
          "#",
          "# Blocs: each founded by its founders only; every other state joins or stays out on its",
          "# own scores. Charters (sim/mechanisms/blocs.py) say what membership commits a state to.",
          "# (collective_defence for BTO_WEU, NATO, WarsawPact, BalkanPact; security_forum for Cominform).",
          "name: cold_war_europe_1946_1955",
          "description: >-",
          "  Europe's early Cold War, 1946-1955, out of case: 29 states, inputs from the calibrated",
          f"  COW/V-Dem/Polity/UN/trade tables, {len(events)} dated input events and {len(disputes)} coded disputes",
          f"  between {disputes.groupby(['a', 'b']).ngroups} pairs, declared doctrines of"
          f" {0 if doctrines is None else doctrines.state.nunique()} states,",
          "  the blocs founded by their founders (Brussels/WEU, NATO,",
          "  Cominform, Warsaw Pact, Balkan Pact). The mechanism weights are the Central Asia ones",
          "  unchanged: no weight was fitted on this case.",
          "time: {start: 1946, end: 1955}"]
    y += mech
    y += ["states:"]
    y += [f"  - {{id: {s}}}" for s in ORDER]
    y += ["inputs:",
          "  states: ../seeds/calibrated/cold_war_europe_states.csv",
          "  dyads: ../seeds/calibrated/cold_war_europe_dyads.csv",
          "pairs:",
          "  # Initial conditions: the reference's 1946 row (de jure from ATOP for every pair, de facto",
          "  # where coded). 1946 is the starting point, not a scored outcome.",
          "  csv: cold_war_europe/initial_relations_1946.csv",
          "blocs:"]
    for b in BLOCS:
        y += [f"  - id: {b['id']}", f"    name: {b['name']}", f"    level: {b['level']}",
              f"    founded: {b['founded']}", f"    founders: [{', '.join(b['founders'])}]"]
        if b["eligible"] is not None:
            y += [f"    eligible: [{', '.join(b['eligible'])}]"]
        note = f"  # {b['charter_note']}" if b.get("charter_note") else ""
        y += [f"    charter: {b['charter']}{note}", f"    source: {_q(b['source'])}"]
    y += ["events:",
          "  - year: 1946",
          "    name: Occupation (no German state before 1949, Austria occupied until 1955)",
          "    kind: capability",
          "    until: 1949",
          "    source: \"COW state system (Germany ends 8 May 1945); Allied Control Council; FRG founded 23 May 1949, GDR 7 Oct 1949\"",
          "    effects:",
          "      - {field: power, state: [GFR, GDR, AUS], op: set, value: 0.000001}",
          "      - {field: offense, state: [GFR, GDR, AUS], op: set, value: 0}",
          "      - {field: neutral, state: [GFR, GDR, AUS], op: set, value: true}",
          "  - year: 1949",
          "    name: Occupation of Austria (four powers until the State Treaty of 1955)",
          "    kind: capability",
          "    until: 1955",
          "    source: \"Austrian State Treaty signed 15 May 1955, in force 27 July 1955 (COW: Austria from 1955)\"",
          "    effects:",
          "      - {field: power, state: AUS, op: set, value: 0.000001}",
          "      - {field: offense, state: AUS, op: set, value: 0}",
          "      - {field: neutral, state: AUS, op: set, value: true}",
          "  - year: 1955",
          "    name: Austrian neutrality (constitutional law of 26 October 1955)",
          "    kind: doctrine",
          "    source: \"Moscow Memorandum 15 April 1955; Federal Constitutional Law on neutrality 26 October 1955\"",
          "    effects:",
          "      - {field: neutral, state: AUS, op: set, value: true}",
          "  - year: 1946",
          "    name: Stalin in power",
          "    kind: leader",
          "    until: 1953",
          "    source: \"Archigos 4.1 (Stalin head of government to 5 March 1953)\"",
          "    effects:",
          "      - {field: leader, state: RUS, op: set, value: \"Joseph Stalin\"}"]
    for s, name, source in DOCTRINES:
        y += ["  - year: 1946", f"    name: {name} (doctrine older than the span)", "    kind: doctrine",
              f"    source: {_q(source)}", "    effects:", f"      - {{field: neutral, state: {s}, op: set, value: true}}"]
    if doctrines is not None:
        y += doctrine_events(doctrines, *doctrine_rule())
    for _, row in events.iterrows():
        kind, effects = convert_event(row)
        if not effects:
            raise SystemExit(f"no effect converted for {row['name']}")
        y += [f"  - year: {int(row.year)}", f"    name: {_q(row['name'])}", f"    kind: {kind}"]
        if str(row["until"]).strip():
            y += [f"    until: {int(row['until']) + 1}"]
        y += [f"    source: {_q(str(row.source) + ' (events.csv: ' + row.kind + ')')}", "    effects:"]
        y += [f"      - {e}" for e in effects]
    y += dispute_events(disputes)
    y += ["outputs:",
          "  snapshots: [1946, 1948, 1950, 1955]",
          "  pairs: [[RUS, USA], [RUS, YUG], [UKG, USA], [GFR, USA], [POL, RUS], [RUS, TUR]]",
          "reference: ../seeds/reference/cold_war_europe_reference.csv",
          "bloc_reference: ../seeds/reference/cold_war_europe_reference_blocs.csv"]
    return "\n".join(y) + "\n", init


if __name__ == "__main__":
    raise SystemExit(main())

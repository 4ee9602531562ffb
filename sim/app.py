"""The browser page: watch a scenario year by year and ask why each pair aligns.

Built from Mesa's visualisation pieces as Mesa's examples are: Mesa's ``ModelController``
supplies Step, Play and Reset (Reset rebuilds the model from the page's parameters), and
the model keeps its yearly levels in a Mesa ``DataCollector``. The layout is the page's own
rather than ``SolaraViz``'s draggable grid, whose fixed-height cells clipped the tables and
whose sidebar counted steps instead of years.

A Step must show the next year in a blink (<= 250 ms in Chromium, measured by
``experiments/benchmarks/bench_page.py``), so the figures are SVG text and the tables HTML
(:mod:`sim.plots.page_map`, :mod:`sim.plots.page_levels`, :mod:`sim.plots.page_tables`),
each redrawn only when what it shows changed. Nothing is fetched from a CDN: the page works
with no internet.

Run it with ``alliance-sim viz [SCENARIO]`` (see :mod:`sim.cli.viz`); the scenario to
open first arrives in the environment variable :data:`SCENARIO_ENV`.
"""

from __future__ import annotations

import html
import math
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import reacton.ipyvuetify as rv
import solara
from mesa.datacollection import DataCollector
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from sim.errors import InputError
from sim.scenario.kind import scenario_kind
from sim.mechanisms import utility
from sim.model import AllianceModel
from sim.scenario.schema import Scenario, load_scenario
from sim.plots.page_levels import levels_svg
from sim.plots.page_map import blocs_for_map, line_swatch, map_legend, map_svg
from sim.plots.page_tables import signed, threat_table, why_table
from sim.plots.style import levels_legend, model_label

#: Environment variable that carries the scenario to open first (a path).
SCENARIO_ENV = "ALLIANCE_SIM_SCENARIO"
#: Environment variable naming the folder whose scenarios the picker lists.
SCENARIO_DIR_ENV = "ALLIANCE_SIM_SCENARIO_DIR"

#: The mechanism weights a user may move, as (keyword of AllianceModel, label, min, max, step).
#: The keywords are the model's own override parameters, so a slider means exactly what the
#: model means by it. The four threat weights are relative: the model rescales them to sum
#: to one (balance of power is all weight on aggregate power).
WEIGHT_SLIDERS = [
    ("power_weight", "Threat: aggregate power", 0.0, 1.0, 0.01),
    ("proximity_weight", "Threat: proximity", 0.0, 1.0, 0.01),
    ("offense_weight", "Threat: offensive capability", 0.0, 1.0, 0.01),
    ("intent_weight", "Threat: perceived intent", 0.0, 1.0, 0.01),
    ("ideology_weight", "Ideological affinity", 0.0, 2.0, 0.01),
    ("interests_weight", "Interest convergence", 0.0, 2.0, 0.01),
    ("autonomy_weight", "Autonomy cost", 0.0, 2.0, 0.01),
    ("temperature", "Noise temperature", 0.0, 1.0, 0.001),  # fitted temperatures are a few hundredths
]

#: Slider values the model starts from (the keyword defaults of :class:`VizModel`).
SLIDER_DEFAULTS = {"power_weight": 0.25, "proximity_weight": 0.25, "offense_weight": 0.25, "intent_weight": 0.25,
                   "ideology_weight": 0.5, "interests_weight": 0.5, "autonomy_weight": 0.5, "temperature": 0.1}

#: Utility components shown in the why panel, in the order the model explains a choice.
COMPONENTS = [*utility.COMPONENTS, "total"]

# --------------------------------------------------------------------------- scenarios

def project_root() -> Path:
    """The checkout that holds ``sim/`` and ``scenarios/``."""
    return Path(__file__).resolve().parent.parent


def scenario_dir() -> Path:
    """Folder the scenario picker lists: the env override, else the project's ``scenarios/``."""
    return Path(os.environ.get(SCENARIO_DIR_ENV) or project_root() / "scenarios")


def list_scenarios(folder: Path | None = None, extra: str | None = None) -> list[str]:
    """Agent scenarios the picker offers, by file name; ``extra`` (one asked for) comes first.

    Files in the scenario folder are named without their folder, to keep the picker
    readable; :func:`resolve_scenario` turns a name back into a path.
    """
    folder = scenario_dir() if folder is None else folder
    found = sorted(p.name for p in folder.glob("*.y*ml") if _kind(*_stamp(p)) == "agent") \
        if folder.is_dir() else []
    if extra and extra not in found:
        found.insert(0, extra)
    return found


def _stamp(path: Path) -> tuple[str, int, int]:
    """A file's identity for the caches below: its path, change time and size."""
    try:
        st = path.stat()
    except OSError:
        return str(path), -1, -1
    return str(path.resolve()), st.st_mtime_ns, st.st_size


@lru_cache(maxsize=256)
def _kind(path: str, _mtime_ns: int, _size: int) -> str:
    """:func:`scenario_kind`, read once per version of a file: the picker lists the folder
    on every load, and parsing every scenario each time made Reset take a second."""
    return scenario_kind(Path(path))


@lru_cache(maxsize=8)
def _scenario(path: str, _mtime_ns: int, _size: int) -> Scenario:
    """A scenario file read and checked once per version of the file (a parent named by
    ``extends`` is read with it; editing only the parent needs a page reload)."""
    return load_scenario(path)


#: The last version of each scenario file that loaded: {resolved path: (stamp, scenario)}.
_LAST_LOADED: dict[str, tuple[tuple[str, int, int], Scenario]] = {}


def loaded_scenario(path: Path) -> tuple[tuple[str, int, int], Scenario]:
    """The stamp and scenario of ``path``, from the cache while the file is unchanged.

    The stamp is the one the scenario was read under, taken once: a second look at the
    file could see a later version than the one loaded.
    """
    stamp = _stamp(path)
    scenario = _scenario(*stamp)
    _LAST_LOADED[stamp[0]] = (stamp, scenario)
    return stamp, scenario


def last_loaded(path: Path) -> tuple[tuple[str, int, int], Scenario] | None:
    """The stamp and scenario of the last version of ``path`` that loaded on this server, or None.

    A file edited while the page is open may not load (a typo saved half-way): Mesa's
    Reset builds the new model in its click handler, where an error became a page-wide
    Python traceback. The page runs this version instead and says why in one line.
    """
    return _LAST_LOADED.get(_stamp(path)[0])


def offered_name(value) -> str | None:
    """The picker entry ``value`` stands for, if the page offers it; else None.

    The page never trusts a path from the browser: only the names it listed (and the
    scenario given on the command line) are accepted, so a forged value cannot make the
    server open ``/etc/passwd`` or ``/dev/zero``.
    """
    if not isinstance(value, str) or not value or len(value) > 4096 or "\0" in value:
        return None
    first = initial_scenario()
    offered = list_scenarios(extra=first)
    if value in offered:
        return value
    path = Path(value)
    if path.is_absolute() and path.resolve().parent == scenario_dir().resolve() and path.name in offered:
        return path.name
    return None


def resolve_scenario(name: str) -> Path:
    """A picker entry as a path: a name in the scenario folder, else the path given at start.

    Raises:
        InputError: for anything the page did not offer.
    """
    entry = offered_name(name)
    if entry is None:
        raise InputError("<page>", "scenario", "one of the scenarios this page lists")
    inside = scenario_dir() / entry
    return inside if inside.is_file() else Path(entry)


def checked_page_values(rng, use_slider_weights, weights: dict) -> tuple[int, bool, dict, list[str]]:
    """The seed, the override switch and the slider values, each checked; refused ones reset.

    Returns the accepted values and one note per refused value (shown on the page).
    """
    notes = []
    if isinstance(rng, bool) or not isinstance(rng, (int, float)) or not math.isfinite(rng) \
            or rng != int(rng) or not 0 <= rng < 2 ** 32:
        notes.append("seed")
        rng = 0
    if not isinstance(use_slider_weights, bool):
        notes.append("use_slider_weights")
        use_slider_weights = False
    bounds = {key: (lo, hi) for key, _, lo, hi, _ in WEIGHT_SLIDERS}
    accepted = {}
    for key, value in weights.items():
        lo, hi = bounds[key]
        ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value) \
            and lo <= value <= hi
        if not ok:
            notes.append(key)
        accepted[key] = float(value) if ok else SLIDER_DEFAULTS[key]
    return int(rng), use_slider_weights, accepted, notes


def initial_scenario() -> str | None:
    """The scenario to open first: the one in :data:`SCENARIO_ENV`, else one listed.

    ``known_balance_of_threat`` is preferred among the listed ones because it is small and
    shows every panel at work.
    """
    asked = os.environ.get(SCENARIO_ENV)
    if asked:
        path = Path(asked).resolve()
        return path.name if path.parent == scenario_dir().resolve() else str(path)
    listed = list_scenarios()
    for name in listed:
        if Path(name).stem == "known_balance_of_threat":
            return name
    return listed[0] if listed else None


# --------------------------------------------------------------------------- the model

class VizModel(AllianceModel):
    """:class:`AllianceModel` as the page drives it: slider keywords and a remembered past.

    The page needs each year's levels for the time-series panel, so this subclass collects
    the de facto and de jure arrays after every step in a Mesa ``DataCollector``. Its constructor takes the
    scenario as ``scenario_file`` (a plain path) because Mesa's Reset treats a parameter
    named ``scenario`` as one of Mesa's own scenario objects.

    Args:
        scenario_file: Path of the scenario to run.
        rng: Seed.
        use_slider_weights: When False the scenario's own weights apply and the sliders
            are ignored, so that switching scenario never silently changes its theory.
        **weights: The slider values, keyed by :data:`WEIGHT_SLIDERS` keywords.
    """

    def __init__(self, scenario_file: str | None = None, rng: int = 0,
                 use_slider_weights: bool = False,
                 power_weight: float = 0.25, proximity_weight: float = 0.25,
                 offense_weight: float = 0.25, intent_weight: float = 0.25,
                 ideology_weight: float = 0.5, interests_weight: float = 0.5,
                 autonomy_weight: float = 0.5, temperature: float = 0.1):
        asked = dict(power_weight=power_weight, proximity_weight=proximity_weight,
                     offense_weight=offense_weight, intent_weight=intent_weight,
                     ideology_weight=ideology_weight, interests_weight=interests_weight,
                     autonomy_weight=autonomy_weight, temperature=temperature)
        rng, use_slider_weights, asked, refused = checked_page_values(rng, use_slider_weights, asked)
        notes = [f"Refused invalid value(s) for {', '.join(refused)}: defaults used."] if refused else []
        entry = offered_name(scenario_file) if scenario_file is not None else initial_scenario()
        if entry is None:
            notes.append("Refused a scenario this page does not offer: the first scenario is shown.")
            entry = initial_scenario()
        scenario_file = entry
        #: The keyword overrides actually passed to the model (None = scenario's own).
        self.weight_overrides = {k: (float(v) if use_slider_weights else None)
                                 for k, v in asked.items()}
        #: A remark for the page when the sliders asked for something the model refuses.
        self.viz_note = ""
        threat_keys = [k for k, (attr, _) in WEIGHT_SOURCES.items() if attr == "threat_weights"]
        if use_slider_weights and sum(self.weight_overrides[k] for k in threat_keys) <= 0:
            for k in threat_keys:  # threat weights are shares; all-zero has no meaning
                self.weight_overrides[k] = None
            self.viz_note = "All four threat sliders at zero: the scenario's threat weights apply."
        self.viz_note = " ".join(notes + ([self.viz_note] if self.viz_note else []))
        path = resolve_scenario(scenario_file)
        try:
            stamp, scenario = loaded_scenario(path)
        except InputError as exc:  # a file that does not load (now): say so in one line
            kept, first = last_loaded(path), initial_scenario()
            if kept is not None:  # edited since it loaded: its last good version runs on
                stamp, scenario = kept
                self.viz_note = (f"{path.name} no longer loads ({exc.message()}): its last version that loaded "
                                 "is run. " + self.viz_note).strip()
            elif scenario_file != first:
                self.viz_note = f"{Path(exc.file).name} could not be opened ({exc.expected}): the first scenario is shown."
                scenario_file, path = first, resolve_scenario(first)
                stamp, scenario = loaded_scenario(path)
            else:
                raise
        super().__init__(scenario=scenario, rng=int(rng), **self.weight_overrides)
        self.scenario_file = scenario_file
        #: Which version of which file this run reads (the page's caches are keyed by it).
        self.scenario_stamp = stamp
        self.seed_used = int(rng)
        #: Each year's levels, collected as Mesa's examples collect their series.
        self.datacollector = DataCollector(model_reporters={
            "year": "year", "de_facto": lambda m: m.de_facto.copy(), "de_jure": lambda m: m.de_jure.copy()})
        self.datacollector.collect(self)

    def step(self) -> None:
        """One year of the model, then that year's levels into the data collector."""
        year = self.year
        super().step()
        if self.year != year:  # a step past the last year changes nothing
            self.datacollector.collect(self)

    def level_series(self, a: str, b: str) -> tuple[list[int], dict[str, list[int]]]:
        """One pair's collected levels: the years so far and each scale's level by year."""
        got = self.datacollector.model_vars
        i, j = self.index[a], self.index[b]
        return [int(y) for y in got["year"]], {scale: [int(m[i, j]) for m in got[scale]]
                                                for scale in ("de_facto", "de_jure")}


#: Where each slider keyword lives in a running model: (attribute, key); key None = scalar.
WEIGHT_SOURCES = {
    "power_weight": ("threat_weights", "power"),
    "proximity_weight": ("threat_weights", "proximity"),
    "offense_weight": ("threat_weights", "offense"),
    "intent_weight": ("threat_weights", "intent"),
    "ideology_weight": ("utility_weights", "ideology"),
    "interests_weight": ("utility_weights", "interests"),
    "autonomy_weight": ("utility_weights", "autonomy"),
    "temperature": ("temperature", None),
}


def weights_in_force(model) -> dict[str, float]:
    """The mechanism weights the running model actually uses, keyed by slider keyword.

    Read from the model rather than from the sliders, because the model normalises the
    four threat weights to sum to one: what the page shows is what drives the run.
    """
    out = {}
    for key, (attr, item) in WEIGHT_SOURCES.items():
        got = getattr(model, attr, None)
        value = got.get(item) if isinstance(got, dict) else got
        if isinstance(value, (int, float, np.floating)):
            out[key] = float(value)
    return out


# --------------------------------------------------------------------------- selection

#: The pair the why panel and the time series look at (per browser session).
pair_a = solara.reactive("")
pair_b = solara.reactive("")


def chosen_pair(model) -> tuple[str, str]:
    """The selected pair, falling back to the first two states when the selection is stale."""
    ids = list(model.ids)
    a = pair_a.value if pair_a.value in ids else ids[0]
    b = pair_b.value if pair_b.value in ids and pair_b.value != a else \
        next(x for x in ids if x != a)
    return a, b


# --------------------------------------------------------------------------- what the panels show

#: Reference columns by scenario file version (reading a reference costs more than a Step).
_REFERENCES: dict = {}


def reference_columns(model) -> dict[str, np.ndarray] | None:
    """The model's reference timeline as numpy columns, read once per scenario file version."""
    key = getattr(model, "scenario_stamp", None)
    if key is None or key not in _REFERENCES:
        ref = getattr(model, "reference", None)
        columns = None if ref is None or len(ref) == 0 else \
            {c: ref[c].to_numpy() for c in ("a", "b", "year", "de_facto", "de_jure")}
        if key is None:
            return columns
        while len(_REFERENCES) >= 8:
            _REFERENCES.pop(next(iter(_REFERENCES)))
        _REFERENCES[key] = columns
    return _REFERENCES[key]


def reference_series(model, a: str, b: str) -> dict[str, tuple[np.ndarray, np.ndarray]] | None:
    """The pair's reference timeline (either order) as plain arrays per scale, or None.

    The reference table's columns are read into numpy once per model: every pandas
    selection on it copies its metadata, which cost more than drawing the whole page.
    """
    columns = reference_columns(model)
    if columns is None:
        return None
    rows = ((columns["a"] == a) & (columns["b"] == b)) | ((columns["a"] == b) & (columns["b"] == a))
    if not rows.any():
        return None
    order = np.argsort(columns["year"][rows], kind="stable")
    return {scale: (columns["year"][rows][order], columns[scale][rows][order].astype(float))
            for scale in ("de_facto", "de_jure")}


def map_figure(model, cooperative: bool) -> tuple[str, str]:
    """The map of the model's current year and its legend (see :mod:`sim.plots.page_map`)."""
    index = {s: k for k, s in enumerate(model.ids)}
    names = getattr(model, "bloc_names", {}) or {}
    order = [b for b in getattr(model, "bloc_ids", sorted(model.blocs)) if b in model.blocs]
    blocs = blocs_for_map([names.get(b, b) for b in order],
                          [sorted(index[s] for s in model.blocs[b] if s in index) for b in order])
    names_of = list(getattr(model, "names", model.ids))
    svg = map_svg(list(model.ids), names_of, model.lon, model.lat, model.power, model.de_facto, model.de_jure,
                  blocs, int(model.year), cooperative)
    return svg, map_legend(blocs, list(model.ids), cooperative)


def series_figure(model, a: str, b: str, reference) -> str:
    """The pair's levels so far over its reference (see :mod:`sim.plots.page_levels`)."""
    years, levels = model.level_series(a, b)
    span = list(getattr(model, "years", None) or years)  # the whole run, so the axis stays put
    return levels_svg(f"{a}-{b}", years, levels, (min(span), max(span)), int(model.year), reference)


def pair_components(model, a: str, b: str) -> dict[str, tuple[float, float]]:
    """Each utility component as (a's utility toward b, b's toward a)."""
    i, j = model.ids.index(a), model.ids.index(b)
    comps = model.components
    names = [c for c in COMPONENTS if c in comps] + \
        [c for c in comps if c not in COMPONENTS]
    return {c: (float(comps[c][i, j]), float(comps[c][j, i])) for c in names}


def pair_headline(model, a: str, b: str) -> str:
    """One line on where the pair stands this year, in the model's own terms."""
    i, j = model.ids.index(a), model.ids.index(b)
    return (f"Why {a}-{b}, {int(model.year)}: de facto {int(model.de_facto[i, j])}, "
            f"de jure {int(model.de_jure[i, j])}; threat {b} to {a} {float(model.threat[i, j]):.2f}, "
            f"{a} to {b} {float(model.threat[j, i]):.2f}; desired {int(model.desired[i, j])} "
            f"/ {int(model.desired[j, i])}")


def format_drivers(drivers) -> str:
    """An event's top three drivers as short text, whatever shape the model gives them."""
    if not drivers:
        return ""
    if isinstance(drivers, dict):
        top = sorted(drivers.items(), key=lambda kv: -abs(kv[1])
                     if isinstance(kv[1], (int, float)) else 0)[:3]
        return ", ".join(f"{k} {signed(v, 2)}" if isinstance(v, (int, float)) else f"{k} {v}"
                         for k, v in top)
    if isinstance(drivers, (list, tuple)):
        return ", ".join(str(d) for d in list(drivers)[:3])
    return str(drivers)


# --------------------------------------------------------------------------- components
# Text panels are plain HTML: solara's Markdown fetches KaTeX from a CDN, which an offline
# page cannot reach.

def _esc(value) -> str:
    return html.escape(str(value))


#: A one-line message about a value the browser sent and the page refused (per session).
refused_input = solara.reactive("")
#: Whether the map draws cooperative (level 1) pairs too (per session).
show_cooperative = solara.reactive(False)

PAGE_CSS = """
.alliance-page { font-size: 15px; }
.alliance-page .v-card__title { font-size: 17px; padding-bottom: 4px; }
.sidebar-year { font-size: 40px; font-weight: 700; line-height: 1.1; }
.picker-hint, .inputs-hint { font-size: 13px; color: rgba(0,0,0,.65); margin: 0 0 8px 0; }
.param-slider .v-input__slot { flex-wrap: wrap; }
.param-slider .v-input__slot > .v-label { flex: 0 0 100%; margin: 0 0 -6px 0; font-variant-numeric: tabular-nums; }
ul.map-legend { list-style: none; padding: 0; margin: 6px 0 0 0; display: flex; flex-wrap: wrap;
    gap: 4px 18px; font-size: 14px; }
ul.map-legend li { display: flex; align-items: center; gap: 6px; }
ul.map-legend .swatch-none { font-style: italic; color: rgba(0,0,0,.55); }
table.why, table.threat { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.why th, table.why td { padding: 3px 10px; border-bottom: 1px solid rgba(0,0,0,.12); }
table.why th[scope=col] { text-align: center; border-bottom: 2px solid rgba(0,0,0,.38); }
table.why th[scope=row] { text-align: left; font-weight: 500; }
table.why td.num { text-align: right; min-width: 5em; }
table.why td.bar { width: 120px; }
table.why tr.total th, table.why tr.total td { font-weight: 700; border-top: 2px solid rgba(0,0,0,.38); }
table.why .track { position: relative; height: 12px; background: rgba(0,0,0,.04); }
table.why .fill { position: absolute; top: 0; height: 12px; }
table.threat th, table.threat td { padding: 3px 6px; text-align: center; border: 1px solid white; }
table.threat caption { caption-side: top; text-align: left; padding-bottom: 4px; white-space: nowrap; }
table.threat td.self { background: rgba(0,0,0,.04); }
.pair-legend { display: flex; gap: 18px; font-size: 14px; align-items: center; }
"""


@solara.component
def YearCard(model):
    """The year in large type at the top of the sidebar, and how far the run has come."""
    update_counter.get()
    years = list(model.years)
    done = years.index(int(model.year)) if int(model.year) in years else 0
    solara.HTML(tag="div", unsafe_innerHTML=(
        f"<div class='sidebar-year'>{int(model.year)}</div>"
        f"<div>year {done + 1} of {len(years)} ({years[0]}-{years[-1]})</div>"))


@solara.component
def YearPanel(model):
    """The current year and that year's events, each with its top drivers."""
    update_counter.get()
    events = model.year_events(model.year)
    items = []
    for ev in events:
        pair = "-".join(str(x) for x in (ev.get("a"), ev.get("b")) if x)
        drivers = format_drivers(ev.get("drivers"))
        items.append(f"<li><b>{_esc(ev.get('kind', 'event'))}</b> {_esc(pair)}: "
                     f"{_esc(ev.get('text', ''))}"
                     + (f" <i>(drivers: {_esc(drivers)})</i>" if drivers else "") + "</li>")
    if not items:
        items.append("<li>No treaties, exits or shocks this year.</li>")
    weights = weights_in_force(model)
    shown = ", ".join(f"{k}={v:.3g}" for k, v in weights.items())
    overrides = {k: v for k, v in getattr(model, "weight_overrides", {}).items()
                 if v is not None}
    asked = ", ".join(f"{k}={v:g}" for k, v in overrides.items()) or \
        "none (the scenario's own weights)"
    name = Path(str(getattr(model, "scenario_file", ""))).name
    note = " ".join(x for x in (refused_input.value, getattr(model, "viz_note", "")) if x)
    body = (f"<h2 class='year'>Year {int(model.year)}</h2><ul class='events'>{''.join(items)}</ul>"
            f"<p>Scenario: <code>{_esc(name)}</code>, seed {_esc(getattr(model, 'seed_used', ''))}"
            f"</p><p class='weights'>Weights in force (threat weights normalised to sum 1): "
            f"{_esc(shown)}</p><p class='overrides'>Slider overrides: {_esc(asked)}</p>"
            + (f"<p class='note'>{_esc(note)}</p>" if note else ""))
    solara.HTML(tag="div", unsafe_innerHTML=body)


@solara.component
def MapPanel(model):
    """The map of alignments and blocs, redrawn only when the year or the edge choice changes."""
    update_counter.get()
    cooperative = show_cooperative.value
    svg, legend = solara.use_memo(lambda: map_figure(model, cooperative), [model, model.year, cooperative])
    with solara.Card(f"Alignments in {int(model.year)}", classes=["alliance-map"]):
        solara.Checkbox(label="Show cooperative pairs (level 1) too", value=show_cooperative)
        solara.HTML(tag="div", unsafe_innerHTML=svg + legend)


@solara.component
def ThreatPanel(model):
    """The threat matrix as a shaded table, redrawn only in a new year."""
    update_counter.get()
    table = solara.use_memo(lambda: threat_table(list(model.ids), np.asarray(model.threat, dtype=float)),
                            [model, model.year])
    with solara.Card(f"Threat, {int(model.year)}", classes=["alliance-threat"]):
        solara.HTML(tag="div", unsafe_innerHTML=table)


@solara.component
def PairPicker(model):
    """Two dropdowns that choose the pair the why panel and the time series explain."""
    a, b = chosen_pair(model)
    with solara.Row():
        solara.Select("State A", values=list(model.ids), value=a, on_value=pair_a.set)
        solara.Select("State B", values=[x for x in model.ids if x != a], value=b,
                      on_value=pair_b.set)


@solara.component
def PairPanel(model):
    """One pair: its levels by year over the reference, and why it aligns as it does."""
    update_counter.get()
    a, b = chosen_pair(model)
    with solara.Card(f"{a}-{b}: levels by year, and why", classes=["alliance-pair"]):
        PairPicker(model)
        with solara.Columns([1, 1]):
            SeriesFigure(model, a, b)
            WhyTable(model, a, b)


@solara.component
def SeriesFigure(model, a: str, b: str):
    """The chosen pair's levels over the years run so far, redrawn in a new year or pair."""
    update_counter.get()
    reference = solara.use_memo(lambda: reference_series(model, a, b), [model, a, b])
    svg = solara.use_memo(lambda: series_figure(model, a, b, reference), [model, model.year, a, b])
    solara.HTML(tag="div", unsafe_innerHTML=_pair_legend(reference is not None) + svg, classes=["alliance-series"])


@solara.component
def WhyTable(model, a: str, b: str):
    """Both sides' utility components in one table, redrawn in a new year or pair."""
    update_counter.get()
    body = solara.use_memo(lambda: f"<p class='why-head'><b>{_esc(pair_headline(model, a, b))}</b></p>"
                           + why_table(pair_components(model, a, b), a, b), [model, model.year, a, b])
    solara.HTML(tag="div", unsafe_innerHTML=body, classes=["alliance-why"])


def _pair_legend(reference: bool) -> str:
    """The pair panel's legend (the entries of :func:`sim.plots.style.levels_legend`) in HTML."""
    items = []
    for entry in levels_legend(model_label(1), reference=reference):
        swatch = line_swatch(entry.get_color(), entry.get_linewidth())
        items.append(f"<span>{swatch} {_esc(entry.get_label())}</span>")
    return f"<div class='pair-legend'>{''.join(items)}</div>"


# --------------------------------------------------------------------------- parameters

def _slider(cast):
    """A slider that shows its value in its label and checks what the browser sends.

    solara's own sliders call ``float(value)`` on whatever arrives, so a forged message
    (text, null, a list) puts a traceback in the page; here it is refused in one line and
    the slider keeps its value.
    """

    @solara.component
    def CheckedSlider(label: str, value=0, min=0, max=10, step=1, on_value=None):
        reactive_value = solara.use_reactive(value, on_value)

        def checked(new) -> None:
            ok = not isinstance(new, bool) and isinstance(new, (int, float)) and math.isfinite(new) \
                and min <= new <= max and (cast is float or new == int(new))
            if not ok:
                refused_input.set(f"Refused a value for '{label}': expected a number from {min} to {max}.")
                return
            if abs(new - reactive_value.value) < step / 2:
                return  # the slider snapping its starting value to its grid, not a move: keep it exact
            reactive_value.set(cast(new))  # the note of an earlier refusal stays until the page reloads

        return rv.Slider(v_model=reactive_value.value, on_v_model=checked, label=f"{label} = {reactive_value.value:.3g}",
                         min=min, max=max, step=step, thumb_label=True, dense=False, hide_details=True,
                         class_="param-slider")

    return CheckedSlider


SliderFloat = _slider(float)
SliderInt = _slider(int)


def scenario_weights(path: str) -> dict[str, float]:
    """The weights a scenario file states, keyed by the model's keyword names."""
    try:
        model = AllianceModel(scenario=loaded_scenario(resolve_scenario(path))[1], rng=0, record=False)
    except Exception:  # noqa: BLE001 - a broken scenario still gets a page with neutral sliders
        return {}
    return weights_in_force(model)


def parameters_for(scenario: str | None, rng: int = 0, use_slider_weights: bool = False) -> dict:
    """The page's model parameters with the sliders on ``scenario``'s own weights.

    The values are the weights in force exactly (threat weights as shares), not rounded
    to a slider's grid: ticking Override without moving a slider must change nothing.
    """
    weights = SLIDER_DEFAULTS | (scenario_weights(scenario) if scenario else {})
    return {"scenario_file": scenario, "rng": rng, "use_slider_weights": use_slider_weights} | weights


@solara.component
def ParameterInputs(model: solara.Reactive, params: solara.Reactive, loads: solara.Reactive):
    """Scenario picker, seed, override switch and weight sliders, all showing their values.

    Picking a scenario loads it at once with its own weights on the sliders; the seed, the
    switch and the sliders take effect on Reset, as in Mesa's pages.
    """
    first = initial_scenario()

    def pick(value) -> None:
        entry = offered_name(value)
        if entry is None:
            refused_input.set("Refused a scenario this page does not offer.")
            return
        new = parameters_for(entry, params.value["rng"], params.value["use_slider_weights"])
        params.set(new)
        model.set(VizModel(**new))
        loads.set(loads.value + 1)

    def setter(key):
        return lambda value: params.set(params.value | {key: value})

    solara.Select("Scenario", values=list_scenarios(extra=first), value=params.value["scenario_file"],
                  on_value=pick)
    solara.HTML(tag="p", unsafe_innerHTML="Picking a scenario loads it at once, sliders on its own weights.",
                classes=["picker-hint"])
    SliderInt("Seed", value=params.value["rng"], min=0, max=99, step=1, on_value=setter("rng"))
    solara.Checkbox(label="Override the scenario's weights with the sliders",
                    value=params.value["use_slider_weights"], on_value=setter("use_slider_weights"))
    for key, label, lo, hi, step in WEIGHT_SLIDERS:
        value = params.value[key]
        SliderFloat(label, value=value, min=lo, max=max(hi, value), step=step, on_value=setter(key))
    solara.HTML(tag="p", unsafe_innerHTML="Seed, Override and sliders apply on Reset.", classes=["inputs-hint"])


# --------------------------------------------------------------------------- the page

@solara.component
def Page():
    """The whole page: Mesa's controller, the parameters, and this project's panels."""
    first = solara.use_memo(initial_scenario, [])
    params = solara.use_reactive(solara.use_memo(lambda: parameters_for(first), [first]))
    model = solara.use_reactive(solara.use_memo(lambda: VizModel(scenario_file=first, rng=0), [first]))
    loads = solara.use_reactive(0)
    play_interval = solara.use_reactive(400)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    solara.Style(PAGE_CSS)
    with solara.AppBar():
        solara.AppBarTitle("alliance-sim")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Year"):
            YearCard(model.value)
        with solara.Card("Controls"):
            # A scenario loaded by picking starts a fresh controller (its run not yet ended).
            ModelController(model, model_parameters=params, play_interval=play_interval,
                            render_interval=render_interval, use_threads=use_threads).key(f"controller-{loads.value}")
        with solara.Card("Scenario and weights"):
            ParameterInputs(model, params, loads)
    with solara.Column(classes=["alliance-page"]):
        with solara.Columns([2, 1]):
            MapPanel(model.value)
            with solara.Card("This year"):
                YearPanel(model.value)
        PairPanel(model.value)
        ThreatPanel(model.value)


page = Page

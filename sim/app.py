"""The browser page: watch a scenario year by year and ask why each pair aligns.

Built on Mesa's :class:`~mesa.visualization.SolaraViz`, which supplies Step, Play and
Reset and rebuilds the model from ``model_params`` on Reset. Every panel draws with
matplotlib (the Agg backend) because the page must work with no internet: Mesa's altair
backend draws wrongly offline, while a PNG made on the server needs nothing from a CDN.

Run it with ``alliance-sim viz [SCENARIO]`` (see :mod:`sim.cli.viz`); the scenario to
open first arrives in the environment variable :data:`SCENARIO_ENV`.
"""

from __future__ import annotations

import html
import math
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
import mesa.visualization.solara_viz as _mesa_viz  # noqa: E402
import reacton.ipyvuetify as rv  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

from sim.errors import InputError  # noqa: E402
from sim.model import AllianceModel  # noqa: E402
from sim.plots.run import draw_network, map_positions  # noqa: E402,F401
from sim.plots.style import (LEVEL_COLOURS, SCALE_NAMES, SIDE_COLOURS, THREAT_CMAP,  # noqa: E402,F401
                             draw_levels, figure_header, levels_legend, model_label, pair_rows, scale_label)
from sim.landscape.files import scenario_kind  # noqa: E402

#: Environment variable that carries the scenario to open first (a path).
SCENARIO_ENV = "ALLIANCE_SIM_SCENARIO"
#: Environment variable naming the folder whose scenarios the picker lists.
SCENARIO_DIR_ENV = "ALLIANCE_SIM_SCENARIO_DIR"

#: The mechanism weights a user may move, as (keyword of AllianceModel, label, min, max, step).
#: The keywords are the model's own override parameters, so a slider means exactly what the
#: model means by it. The four threat weights are relative: the model rescales them to sum
#: to one (balance of power is all weight on aggregate power).
WEIGHT_SLIDERS = [
    ("power_weight", "Threat: aggregate power", 0.0, 1.0, 0.05),
    ("proximity_weight", "Threat: proximity", 0.0, 1.0, 0.05),
    ("offense_weight", "Threat: offensive capability", 0.0, 1.0, 0.05),
    ("intent_weight", "Threat: perceived intent", 0.0, 1.0, 0.05),
    ("ideology_weight", "Ideological affinity", 0.0, 2.0, 0.05),
    ("interests_weight", "Interest convergence", 0.0, 2.0, 0.05),
    ("autonomy_weight", "Autonomy cost", 0.0, 2.0, 0.05),
    ("temperature", "Noise temperature", 0.0, 1.0, 0.01),
]

#: Slider values the model starts from (the keyword defaults of :class:`VizModel`).
SLIDER_DEFAULTS = {"power_weight": 0.25, "proximity_weight": 0.25, "offense_weight": 0.25, "intent_weight": 0.25,
                   "ideology_weight": 0.5, "interests_weight": 0.5, "autonomy_weight": 0.5, "temperature": 0.1}

#: Utility components shown in the why panel, in the order the model explains a choice.
COMPONENTS = ["security", "balancing", "bandwagon", "ideology", "interests", "economy",
              "autonomy", "inertia", "total"]

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
    found = sorted(p.name for p in folder.glob("*.y*ml") if scenario_kind(p) == "agent") \
        if folder.is_dir() else []
    if extra and extra not in found:
        found.insert(0, extra)
    return found


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

    The page needs each year's levels for the time-series panel, so this subclass keeps
    a copy of the de facto and de jure arrays after every step. Its constructor takes the
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
        try:
            super().__init__(scenario=resolve_scenario(scenario_file), rng=int(rng), **self.weight_overrides)
        except InputError as exc:  # a listed file that does not load: say so in one line
            first = initial_scenario()
            if scenario_file == first:
                raise
            self.viz_note = f"{Path(exc.file).name} could not be opened ({exc.expected}): the first scenario is shown."
            scenario_file = first
            super().__init__(scenario=resolve_scenario(first), rng=int(rng), **self.weight_overrides)
        self.scenario_file = scenario_file
        self.seed_used = int(rng)
        #: year -> (de_facto, de_jure) copies, for the time-series panel.
        self.level_history: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._remember()

    def _remember(self) -> None:
        self.level_history[int(self.year)] = (np.array(self.de_facto, copy=True),
                                              np.array(self.de_jure, copy=True))

    def step(self) -> None:
        """One year of the model, then a copy of the levels for the history panel."""
        super().step()
        self._remember()


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


# --------------------------------------------------------------------------- drawing

def draw_map(model) -> Figure:
    """The state system as a map of capitals (see :func:`sim.plots.run.draw_network`)."""
    fig = Figure(figsize=(6.4, 4.8), dpi=90)
    ax = fig.subplots()
    index = {s: k for k, s in enumerate(model.ids)}
    names = getattr(model, "bloc_names", {}) or {}
    blocs = {names.get(b, b): [index[s] for s in members if s in index] for b, members in model.blocs.items()}
    draw_network(ax, model.ids, model.lon, model.lat, model.power, model.de_facto, model.de_jure, blocs,
                 title=str(model.year))
    fig.tight_layout()
    return fig


def pair_reference(model, a: str, b: str):
    """The reference timeline rows of one pair (either order), or None."""
    ref = getattr(model, "reference", None)
    if ref is None or len(ref) == 0:
        return None
    rows = pair_rows(ref, a, b)
    return rows if len(rows) else None


def draw_pair_series(model, a: str, b: str) -> Figure:
    """One pair's de facto and de jure levels by year, over the reference when there is one
    (see :func:`sim.plots.style.draw_levels`)."""
    fig = Figure(figsize=(6.4, 3.6), dpi=90)
    axes = fig.subplots(2, 1, sharex=True)
    i, j = model.ids.index(a), model.ids.index(b)
    years = sorted(model.level_history)
    span = list(getattr(model, "years", None) or years)  # the whole run, so the axis stays put
    ref = pair_reference(model, a, b)
    for k, (ax, scale) in enumerate(zip(axes, SCALE_NAMES)):
        levels = [model.level_history[y][k][i, j] for y in years]
        draw_levels(ax, scale, model=(years, levels),
                    reference=(ref["year"], ref[scale]) if ref is not None else None,
                    xlim=(min(span) - 0.5, max(span) + 0.5))
        ax.set_ylabel(scale_label(scale), fontsize=8)
        ax.tick_params(labelsize=7)
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[-1].set_xlabel("year", fontsize=8)
    legend = levels_legend(model_label(1), reference=ref is not None)
    fig.tight_layout(rect=figure_header(fig, f"{a}-{b}", legend, fontsize=10, legend_size=8))
    return fig


def draw_threat(model) -> Figure:
    """The threat matrix: row i, column j is the threat j poses to i."""
    fig = Figure(figsize=(5.0, 4.2), dpi=90)
    ax = fig.subplots()
    im = ax.imshow(np.asarray(model.threat, dtype=float), cmap=THREAT_CMAP, vmin=0.0, vmax=1.0)
    ax.set_xticks(range(model.n), model.ids, rotation=90, fontsize=7)
    ax.set_yticks(range(model.n), model.ids, fontsize=7)
    ax.set_xlabel("source of threat (j)")
    ax.set_ylabel("threatened state (i)")
    ax.set_title(f"Threat, {model.year}")
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


def pair_components(model, a: str, b: str) -> dict[str, tuple[float, float]]:
    """Each utility component as (a's utility toward b, b's toward a)."""
    i, j = model.ids.index(a), model.ids.index(b)
    comps = model.components
    names = [c for c in COMPONENTS if c in comps] + \
        [c for c in comps if c not in COMPONENTS]
    return {c: (float(comps[c][i, j]), float(comps[c][j, i])) for c in names}


def draw_why(values: dict[str, tuple[float, float]], a: str, b: str) -> Figure:
    """Side-by-side bars of both sides' utility components."""
    fig = Figure(figsize=(6.4, 2.6), dpi=90)
    ax = fig.subplots()
    names = list(values)
    x = np.arange(len(names))
    ax.bar(x - 0.2, [values[c][0] for c in names], 0.4, color=SIDE_COLOURS[0], label=f"{a} toward {b}")
    ax.bar(x + 0.2, [values[c][1] for c in names], 0.4, color=SIDE_COLOURS[1], label=f"{b} toward {a}")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(x, names, rotation=30, fontsize=7)
    ax.set_ylabel("utility")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def format_drivers(drivers) -> str:
    """An event's top three drivers as short text, whatever shape the model gives them."""
    if not drivers:
        return ""
    if isinstance(drivers, dict):
        top = sorted(drivers.items(), key=lambda kv: -abs(kv[1])
                     if isinstance(kv[1], (int, float)) else 0)[:3]
        return ", ".join(f"{k} {v:+.2f}" if isinstance(v, (int, float)) else f"{k} {v}"
                         for k, v in top)
    if isinstance(drivers, (list, tuple)):
        return ", ".join(str(d) for d in list(drivers)[:3])
    return str(drivers)


# --------------------------------------------------------------------------- components
# Text panels are plain HTML: solara's Markdown fetches KaTeX from a CDN, which an offline
# page cannot reach.

def _esc(value) -> str:
    return html.escape(str(value))


#: Panels scroll inside their grid cell rather than spill over the next one.
PANEL_STYLE = {"height": "100%", "overflow-y": "auto"}


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
    solara.HTML(tag="div", unsafe_innerHTML=body, style=PANEL_STYLE)


@solara.component
def MapPanel(model):
    """The map of alignments and blocs."""
    update_counter.get()
    with solara.Column(classes=["alliance-map"]):
        solara.FigureMatplotlib(draw_map(model), format="png")


@solara.component
def ThreatPanel(model):
    """The threat matrix heatmap."""
    update_counter.get()
    with solara.Column(classes=["alliance-threat"]):
        solara.FigureMatplotlib(draw_threat(model), format="png")


@solara.component
def PairPicker(model):
    """Two dropdowns that choose the pair the why panel and the time series explain."""
    a, b = chosen_pair(model)
    with solara.Row():
        solara.Select("State A", values=list(model.ids), value=a, on_value=pair_a.set)
        solara.Select("State B", values=[x for x in model.ids if x != a], value=b,
                      on_value=pair_b.set)


@solara.component
def WhyPanel(model):
    """Why does this pair align as it does? Both sides' utility components, as bars and text."""
    update_counter.get()
    a, b = chosen_pair(model)
    with solara.Column(style=PANEL_STYLE):
        WhyBody(model, a, b)


@solara.component
def WhyBody(model, a: str, b: str):
    """The why panel's picker, bars and table (inside a scrolling column)."""
    update_counter.get()
    PairPicker(model)
    values = pair_components(model, a, b)
    with solara.Column(classes=["alliance-why"]):
        solara.FigureMatplotlib(draw_why(values, a, b), format="png")
    i, j = model.ids.index(a), model.ids.index(b)
    rows = "".join(f"<tr><td>{_esc(c)}</td><td>{u:+.3f}</td><td>{v:+.3f}</td></tr>"
                   for c, (u, v) in values.items())
    head = (f"Why {a}-{b}, {int(model.year)}: de facto {int(model.de_facto[i, j])}, "
            f"de jure {int(model.de_jure[i, j])}; threat {b} to {a} "
            f"{float(model.threat[i, j]):.2f}, {a} to {b} {float(model.threat[j, i]):.2f}; "
            f"desired {int(model.desired[i, j])} / {int(model.desired[j, i])}")
    solara.HTML(tag="div", unsafe_innerHTML=(
        f"<p><b>{_esc(head)}</b></p><table class='why'><tr><th>component</th>"
        f"<th>{_esc(a)} toward {_esc(b)}</th><th>{_esc(b)} toward {_esc(a)}</th></tr>"
        f"{rows}</table>"))


@solara.component
def SeriesPanel(model):
    """The chosen pair's levels over the years run so far."""
    update_counter.get()
    a, b = chosen_pair(model)
    with solara.Column(classes=["alliance-series"]):
        solara.FigureMatplotlib(draw_pair_series(model, a, b), format="png")


# --------------------------------------------------------------------------- the page

#: A one-line message about a value the browser sent and the page refused (per session).
refused_input = solara.reactive("")


def _slider(cast):
    """A slider like solara's, but a value the browser sends is checked before it is used.

    solara's own sliders call ``float(value)`` on whatever arrives, so a forged message
    (text, null, a list) puts a traceback in the page; here it is refused in one line and
    the slider keeps its value.
    """

    @solara.component
    def CheckedSlider(label: str, value=0, min=0, max=10, step=1, on_value=None, **_ignored):
        reactive_value = solara.use_reactive(value, on_value)

        def checked(new) -> None:
            ok = not isinstance(new, bool) and isinstance(new, (int, float)) and math.isfinite(new) \
                and min <= new <= max and (cast is float or new == int(new))
            if not ok:
                refused_input.set(f"Refused a value for '{label}': expected a number from {min} to {max}.")
                return
            reactive_value.set(cast(new))  # the note of an earlier refusal stays until the page reloads

        return rv.Slider(v_model=reactive_value.value, on_v_model=checked, label=label, min=min, max=max,
                         step=step, thumb_label=True, dense=False, hide_details=True)

    return CheckedSlider


class _SolaraForMesa:
    """The ``solara`` module as Mesa's parameter inputs see it: with checked sliders."""

    SliderFloat = staticmethod(_slider(float))
    SliderInt = staticmethod(_slider(int))

    def __getattr__(self, name):
        return getattr(solara, name)


_mesa_viz.solara = _SolaraForMesa()


def model_params(first: str | None) -> dict:
    """SolaraViz's ``model_params``: scenario picker, seed, weight sliders.

    Slider starting values come from the first scenario's mechanism where it states them
    (see :func:`scenario_weights`), otherwise from neutral ones.
    """
    defaults = scenario_weights(first) if first else {}
    params: dict = {
        "scenario_file": {"type": "Select", "value": first,
                          "values": list_scenarios(extra=first), "label": "Scenario"},
        "rng": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1,
                "label": "Seed"},
        "use_slider_weights": {"type": "Checkbox", "value": False,
                               "label": "Override the scenario's weights with the sliders"},
    }
    for key, label, lo, hi, step in WEIGHT_SLIDERS:
        value = defaults.get(key, 0.1 if key == "temperature" else 0.5)
        value = round(min(max(value, lo), hi) / step) * step  # on the slider's grid
        params[key] = {"type": "SliderFloat", "value": round(value, 6),
                       "min": lo, "max": hi, "step": step, "label": label}
    return params


def scenario_weights(path: str) -> dict[str, float]:
    """The weights a scenario file states, keyed by the model's keyword names."""
    try:
        model = AllianceModel(scenario=resolve_scenario(path), rng=0, record=False)
    except Exception:  # noqa: BLE001 - a broken scenario still gets a page with neutral sliders
        return {}
    return weights_in_force(model)


COMPONENTS_LAYOUT = [(YearPanel, 0), (MapPanel, 0), (WhyPanel, 0), (SeriesPanel, 0),
                     (ThreatPanel, 0)]


@solara.component
def Page():
    """The whole page: Mesa's controls and parameter inputs plus this project's panels."""
    first = solara.use_memo(initial_scenario, [])
    params = solara.use_memo(lambda: model_params(first), [first])
    model = solara.use_memo(lambda: VizModel(scenario_file=first, rng=0), [first])
    SolaraViz(model, components=COMPONENTS_LAYOUT, model_params=params,
              name="alliance-sim", play_interval=400)


page = Page

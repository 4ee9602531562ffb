"""The browser page without a browser: render it with solara, click its buttons, read it.

These tests drive the real :class:`sim.model.AllianceModel` on a known-answer scenario, so
they check that the page shows what the model holds, not just that it draws something.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import ipyvuetify as v
import ipywidgets as w
import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
import solara

import sim.app as app
from sim.cli import viz as viz_cmd
ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def known_scenario() -> Path:
    """The known-answer agent scenario the page tests run (balance of threat preferred)."""
    preferred = SCENARIOS / "known_balance_of_threat.yaml"
    if preferred.is_file():
        return preferred
    found = [Path(p) for p in app.list_scenarios(SCENARIOS) if Path(p).stem.startswith("known_")]
    if not found:
        pytest.skip("no known_*.yaml agent scenario in scenarios/")
    return found[0]


@pytest.fixture
def rendered(monkeypatch):
    """The whole page rendered in memory, opened on the known-answer scenario."""
    monkeypatch.setenv(app.SCENARIO_ENV, str(known_scenario()))
    app.pair_a.set("")
    app.pair_b.set("")

    @solara.component
    def InLayout():
        with solara.AppLayout():  # SolaraViz puts its controls in the app bar and sidebar
            app.Page()

    box, rc = solara.render(InLayout(), handle_error=False)
    yield rc
    rc.close()


def html_texts(rc) -> list[str]:
    return [x.unsafe_innerHTML for x in rc.find(solara.widgets.HTML).widgets]


def shown_year(rc) -> int:
    years = [int(m.group(1)) for t in html_texts(rc) for m in [re.search(r"Year (\d+)", t)] if m]
    assert len(years) == 1, years
    return years[0]


def walk(widget, seen=None):
    """Every widget under ``widget``, through any trait (the page grid keeps its panels in
    ``items``, not ``children``)."""
    seen = set() if seen is None else seen
    if id(widget) in seen:
        return
    seen.add(id(widget))
    yield widget
    for name in widget.keys:
        value = getattr(widget, name, None)
        for child in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(child, w.Widget):
                yield from walk(child, seen)


def images(rc) -> dict[str, bytes]:
    """Each panel's PNG, keyed by the panel's class (``alliance-map``, ...)."""
    out = {}
    for root in rc.find(w.Widget).widgets:
        for sheet in walk(root):
            classes = (getattr(sheet, "class_", None) or "").split()
            panel = next((c for c in classes if c.startswith("alliance-")), None)
            if panel:
                out[panel] = next(bytes(x.value) for x in walk(sheet) if isinstance(x, w.Image))
    return out


def button(rc, label: str):
    found = rc.find(v.Btn, children=[label])
    found.assert_single()
    return found.widget


def why_table(rc) -> dict[str, tuple[float, float]]:
    """The why panel's numbers, read back from its HTML table."""
    text = next(t for t in html_texts(rc) if "class='why'" in t)
    return {m.group(1): (float(m.group(2)), float(m.group(3))) for m in
            re.finditer(r"<tr><td>(\w+)</td><td>([-+0-9.]+)</td><td>([-+0-9.]+)</td></tr>", text)}


# --------------------------------------------------------------------------- page behaviour

def test_step_advances_year_and_redraws(rendered):
    from sim.model import AllianceModel

    first = AllianceModel(scenario=known_scenario(), rng=0)
    assert shown_year(rendered) == first.year
    before = images(rendered)
    assert sorted(before) == ["alliance-map", "alliance-series", "alliance-threat",
                              "alliance-why"]
    assert all(png.startswith(b"\x89PNG") for png in before.values())
    button(rendered, "Step").click()
    first.step()
    assert shown_year(rendered) == first.year
    after = images(rendered)
    assert after["alliance-map"] != before["alliance-map"]  # redrawn for the new year
    assert after["alliance-series"] != before["alliance-series"]  # one more year drawn


def test_why_panel_shows_the_chosen_pairs_components(rendered):
    from sim.model import AllianceModel

    model = AllianceModel(scenario=known_scenario(), rng=0)
    a, b = model.ids[-1], model.ids[0]
    selects = {s.label: s for s in rendered.find(v.Select).widgets}
    selects["State A"].v_model = a
    rendered.find(v.Select, label="State B").widget.v_model = b
    table = why_table(rendered)
    i, j = model.ids.index(a), model.ids.index(b)
    assert table, "the why panel shows no numbers"
    for name, (ab, ba) in table.items():
        assert ab == pytest.approx(model.components[name][i, j], abs=6e-4)
        assert ba == pytest.approx(model.components[name][j, i], abs=6e-4)
    assert "total" in table
    assert any(f"Why {a}-{b}" in t for t in html_texts(rendered))


def test_reset_applies_a_moved_slider(rendered):
    """A weight slider takes effect on Reset, and only when the override box is ticked."""
    first = app.initial_scenario()
    params = app.model_params(first)
    own = app.VizModel(scenario_file=first, rng=0)
    rendered.find(v.Slider, label="Threat: aggregate power").widget.v_model = 0.95
    button(rendered, "Reset").click()
    assert any("Slider overrides: none" in t for t in html_texts(rendered))
    rendered.find(v.Checkbox, label="Override the scenario's weights with the sliders").widget \
        .v_model = True
    button(rendered, "Reset").click()
    sliders = {key: params[key]["value"] for key, *_ in app.WEIGHT_SLIDERS}
    moved = app.VizModel(scenario_file=first, rng=0, use_slider_weights=True,
                         **(sliders | {"power_weight": 0.95}))
    power = moved.threat_weights["power"]
    assert power > own.threat_weights["power"] + 0.1  # the model really weighs power more
    text = next(t for t in html_texts(rendered) if "Weights in force" in t)
    assert "power_weight=0.95" in text  # the override shown ...
    assert f"power_weight={power:.3g}," in text  # ... and the normalised weight in force


def test_viz_model_keeps_each_years_levels():
    model = app.VizModel(scenario_file=str(known_scenario()), rng=3)
    assert model.weight_overrides == dict.fromkeys(app.WEIGHT_SOURCES)  # scenario's own
    start = model.year
    for _ in range(3):
        model.step()
    assert sorted(model.level_history) == list(range(start, model.year + 1))
    facto, jure = model.level_history[model.year]
    assert np.array_equal(facto, model.de_facto) and np.array_equal(jure, model.de_jure)
    assert facto is not model.de_facto  # a copy, so later steps cannot rewrite the past


# --------------------------------------------------------------------------- pure helpers

def test_picker_lists_agent_scenarios_only(tmp_path):
    (tmp_path / "agents.yaml").write_text("mechanism:\n  threat: {power: 1.0}\n")
    (tmp_path / "land.yaml").write_text("mechanism: landscape\n")
    (tmp_path / "land2.yaml").write_text("mechanism:\n  kind: landscape\n")
    (tmp_path / "broken.yaml").write_text("states: [\n")
    (tmp_path / "notes.txt").write_text("mechanism: agents\n")
    assert app.list_scenarios(tmp_path) == ["agents.yaml"]
    assert app.list_scenarios(tmp_path, extra="/x/mine.yaml") == ["/x/mine.yaml", "agents.yaml"]


def test_real_scenarios_folder_offers_agent_files_only():
    listed = app.list_scenarios(SCENARIOS)
    assert "known_balance_of_threat.yaml" in listed
    assert not any(name.startswith("landscape_") for name in listed)


def test_all_zero_threat_sliders_fall_back_to_the_scenario():
    zero = dict.fromkeys(["power_weight", "proximity_weight", "offense_weight",
                          "intent_weight"], 0.0)
    model = app.VizModel(scenario_file=str(known_scenario()), rng=0,
                         use_slider_weights=True, **zero)
    own = app.VizModel(scenario_file=str(known_scenario()), rng=0)
    assert model.threat_weights == own.threat_weights
    assert "zero" in model.viz_note


def tiny_system(**extra):
    """Three hand-made states: A-B allied in fact, A-C allied on paper only, B-C tense."""
    facto = np.array([[0, 3, 0], [3, 0, -1], [0, -1, 0]])
    jure = np.array([[0, 3, 3], [3, 0, 0], [3, 0, 0]])
    base = dict(ids=["AAA", "BBB", "CCC"], n=3, year=2000, lon=np.array([0.0, 10.0, 20.0]),
                lat=np.array([40.0, 50.0, 40.0]), power=np.array([0.6, 0.3, 0.1]),
                de_facto=facto, de_jure=jure, blocs={"b1": {"AAA", "BBB"}},
                bloc_names={"b1": "Pact"})
    return SimpleNamespace(**(base | extra))


def test_map_draws_levels_paper_alliances_and_blocs():
    fig = app.draw_map(tiny_system())
    ax = fig.axes[0]
    edges = next(c for c in ax.collections if isinstance(c, LineCollection))
    by_ends = {tuple(seg[:, 0]): k for k, seg in enumerate(edges.get_segments())}
    allied, paper, tense = by_ends[(0.0, 10.0)], by_ends[(0.0, 20.0)], by_ends[(10.0, 20.0)]
    colours, styles = edges.get_colors(), edges.get_linestyles()
    assert to_hex(colours[allied]) == app.LEVEL_COLOURS[5] and styles[allied][1] is None
    assert to_hex(colours[tense]) == app.LEVEL_COLOURS[1] and styles[tense][1] is None
    assert styles[paper][1] is not None  # dashed: de jure 3 over de facto 0, and no shared bloc
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Pact" in labels and any(label.startswith("dashed: treaty ahead of practice") for label in labels)
    assert [t.get_text() for t in ax.texts] == ["AAA", "BBB", "CCC"]
    assert ax.get_title() == "2000"


def test_map_pulls_in_a_distant_capital_but_keeps_directions():
    # Three capitals within 10 degrees of each other and one 150 degrees west of them.
    lon = np.array([70.0, 72.0, 69.0, -77.0])
    lat = np.array([41.0, 43.0, 39.0, 39.0])
    x, y, fisheye = app.map_positions(lon, lat)
    assert fisheye
    cx, cy = np.median(lon), np.median(lat)  # 69.5, 40.0
    r_true = np.hypot(lon - cx, lat - cy)
    r_drawn = np.hypot(x - cx, y - cy)
    # r -> R log(1 + r/R): worked by hand for the distant capital, r = 146.503, R = 12.
    assert r_drawn[3] == pytest.approx(12 * np.log1p(146.5034 / 12), rel=1e-4)
    assert r_drawn[0] == pytest.approx(r_true[0], rel=0.05)  # near ones almost unmoved
    angles = np.arctan2(y - cy, x - cx), np.arctan2(lat - cy, lon - cx)
    assert np.allclose(*angles)
    same = app.map_positions(lon[:3], lat[:3])
    assert not same[2] and np.array_equal(same[0], lon[:3])


def test_drivers_are_shown_strongest_first():
    assert app.format_drivers({"ideology": 0.1, "security": -0.7, "economy": 0.3,
                               "inertia": 0.05}) == "security -0.70, economy +0.30, ideology +0.10"
    assert app.format_drivers(["threat from AFG", "shared bloc", "trade", "x"]) == \
        "threat from AFG, shared bloc, trade"
    assert app.format_drivers(None) == ""


# --------------------------------------------------------------------------- the viz command

def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", "viz", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_viz_refuses_a_missing_scenario_in_one_line(tmp_path):
    done = run_cli(str(tmp_path / "nowhere.yaml"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "nowhere.yaml" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_viz_refuses_a_landscape_scenario():
    done = run_cli(str(SCENARIOS / "landscape_two_pairs.yaml"))
    assert done.returncode == 2
    assert "field 'mechanism'" in done.stderr and "landscape" in done.stderr


def test_viz_refuses_a_bad_port():
    done = run_cli("--port", "70000")
    assert done.returncode == 2 and "--port" in done.stderr and "Traceback" not in done.stderr


def test_viz_runs_solara_without_internet_settings():
    argv = viz_cmd.solara_argv("127.0.0.1", 9999)
    assert argv[0] == "sim.app:Page"
    assert {"--production", "--no-open", "--no-check-version"} <= set(argv)
    assert viz_cmd.OFFLINE_ENV["SOLARA_ASSETS_PROXY"] == "True"
    assert viz_cmd.OFFLINE_ENV["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"

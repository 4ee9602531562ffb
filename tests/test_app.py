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
from sim.plots import page_map, page_tables
from sim.plots import style as app_style
from sim.plots.network import map_positions
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
    years = [int(m.group(1)) for t in html_texts(rc) for m in [re.search(r"<h2 class='year'>Year (\d+)", t)] if m]
    assert len(years) == 1, years
    sidebar = [int(m.group(1)) for t in html_texts(rc) for m in [re.search(r"class='sidebar-year'>(\d+)<", t)] if m]
    assert sidebar == years  # the sidebar shows the same year, not a step count
    return years[0]


def figure(rc, css_class: str) -> str:
    """The SVG text of one figure on the page (``alliance-map-svg``, ``alliance-levels-svg``)."""
    found = [t for t in html_texts(rc) if f'class="{css_class}"' in t]
    assert len(found) == 1, css_class
    return found[0]


def button(rc, label: str):
    found = rc.find(v.Btn, children=[label])
    found.assert_single()
    return found.widget


def slider(rc, label: str):
    """The slider whose label starts with ``label`` (the label ends with its value)."""
    found = [s for s in rc.find(v.Slider).widgets if s.label.startswith(label + " = ")]
    assert len(found) == 1, label
    return found[0]


def why_table(rc) -> dict[str, tuple[float, float]]:
    """The why panel's numbers, read back from its HTML table."""
    text = next(t for t in html_texts(rc) if "class='why'" in t)
    cell = r"<td class='num'>([-+0-9.]+)</td><td class='bar'>.*?</td>"
    return {m.group(1): (float(m.group(2)), float(m.group(3))) for m in
            re.finditer(rf"<th scope='row'>(\w+)</th>{cell}{cell}</tr>", text)}


# --------------------------------------------------------------------------- page behaviour

def test_step_advances_year_and_redraws(rendered):
    from sim.model import AllianceModel

    first = AllianceModel(scenario=known_scenario(), rng=0)
    assert shown_year(rendered) == first.year
    before = figure(rendered, "alliance-map-svg"), figure(rendered, "alliance-levels-svg")
    assert f">{first.year}</text>" in before[0]  # the year in the map's corner
    button(rendered, "Step").click()
    first.step()
    assert shown_year(rendered) == first.year
    after = figure(rendered, "alliance-map-svg"), figure(rendered, "alliance-levels-svg")
    assert f">{first.year}</text>" in after[0]  # redrawn for the new year
    assert after[1] != before[1]  # one more year drawn
    assert not any("Time:" in t for t in html_texts(rendered))


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
    params = app.parameters_for(first)
    own = app.VizModel(scenario_file=first, rng=0)
    slider(rendered, "Threat: aggregate power").v_model = 0.95
    assert slider(rendered, "Threat: aggregate power").label.endswith("= 0.95")  # the value is shown
    button(rendered, "Reset").click()
    assert any("Slider overrides: none" in t for t in html_texts(rendered))
    rendered.find(v.Checkbox, label="Override the scenario's weights with the sliders").widget \
        .v_model = True
    button(rendered, "Reset").click()
    sliders = {key: params[key] for key, *_ in app.WEIGHT_SLIDERS}
    moved = app.VizModel(scenario_file=first, rng=0, use_slider_weights=True,
                         **(sliders | {"power_weight": 0.95}))
    power = moved.threat_weights["power"]
    assert power > own.threat_weights["power"] + 0.1  # the model really weighs power more
    text = next(t for t in html_texts(rendered) if "Weights in force" in t)
    assert "power_weight=0.95" in text  # the override shown ...
    assert f"power_weight={power:.3g}," in text  # ... and the normalised weight in force


def pick(rc, name: str) -> None:
    rc.find(v.Select, label="Scenario").widget.v_model = name


def own_weights(name: str) -> dict[str, float]:
    """The weights a scenario runs on when no slider overrides them (seed 0)."""
    return app.weights_in_force(app.VizModel(scenario_file=name, rng=0))


def test_picking_a_scenario_loads_it_with_its_own_weights_on_the_sliders(rendered):
    """From the known-answer world to Central Asia and back: the model and every slider follow."""
    central = "central_asia_1991_2024.yaml"
    pick(rendered, central)
    assert any(f"<code>{central}</code>" in t for t in html_texts(rendered))  # loaded at once, no Reset
    assert shown_year(rendered) == 1991
    own = own_weights(central)
    for key, label, *_ in app.WEIGHT_SLIDERS:
        assert slider(rendered, label).v_model == own[key], key
    ideology = own["ideology_weight"]
    assert round(ideology / 0.05) * 0.05 != pytest.approx(ideology)  # off the grid, so the check below bites
    assert slider(rendered, "Ideological affinity").label == f"Ideological affinity = {ideology:.3g}"
    pick(rendered, known_scenario().name)
    known = own_weights(known_scenario().name)
    button(rendered, "Reset").click()
    for key, label, *_ in app.WEIGHT_SLIDERS:
        assert slider(rendered, label).v_model == pytest.approx(known[key]), key
    assert any(f"<code>{known_scenario().name}</code>" in t for t in html_texts(rendered))


def test_override_without_moving_a_slider_runs_the_picked_scenarios_own_weights(rendered):
    """Ticking Override after picking another world must not run it on the first one's
    weights, nor on weights rounded to a slider's grid."""
    pick(rendered, "central_asia_1991_2024.yaml")
    pick(rendered, known_scenario().name)
    rendered.find(v.Checkbox, label="Override the scenario's weights with the sliders").widget.v_model = True
    button(rendered, "Reset").click()
    own = own_weights(known_scenario().name)
    text = next(t for t in html_texts(rendered) if "Weights in force" in t)
    shown = dict(re.findall(r"(\w+_weight|temperature)=([0-9.e-]+)", text.split("Slider overrides")[0]))
    assert {k: float(v) for k, v in shown.items()} == \
        pytest.approx({k: float(f"{v:.3g}") for k, v in own.items()})
    pick(rendered, "central_asia_1991_2024.yaml")
    button(rendered, "Reset").click()
    text = next(t for t in html_texts(rendered) if "Slider overrides" in t)
    central = own_weights("central_asia_1991_2024.yaml")
    # exact, not on a 0.05 grid
    assert f"ideology_weight={central['ideology_weight']:.3g}," in text
    assert f"temperature={central['temperature']:.3g}" in text


def test_seed_slider_change_waits_for_reset(rendered):
    year = shown_year(rendered)
    button(rendered, "Step").click()
    slider(rendered, "Seed").v_model = 7
    assert shown_year(rendered) == year + 1 and any("seed 0" in t for t in html_texts(rendered))
    button(rendered, "Reset").click()
    assert shown_year(rendered) == year and any("seed 7" in t for t in html_texts(rendered))


def test_viz_model_collects_each_years_levels():
    model = app.VizModel(scenario_file=str(known_scenario()), rng=3)
    assert model.weight_overrides == dict.fromkeys(app.WEIGHT_SOURCES)  # scenario's own
    start = model.year
    for _ in range(3):
        model.step()
    a, b = model.ids[0], model.ids[1]
    years, levels = model.level_series(a, b)
    assert years == list(range(start, model.year + 1))
    assert levels["de_facto"][-1] == model.de_facto[0, 1] and levels["de_jure"][-1] == model.de_jure[0, 1]
    collected = model.datacollector.get_model_vars_dataframe()
    assert list(collected["year"]) == years
    assert collected["de_facto"].iloc[-1] is not model.de_facto  # a copy: later steps cannot rewrite the past
    while model.running:
        model.step()
    model.step()  # past the end: nothing happens, nothing is collected twice
    assert model.level_series(a, b)[0] == model.years


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


def svg_elements(svg: str, tag: str, css_class: str | None = None) -> list[dict[str, str]]:
    """Every ``<tag .../>`` (or ``<tag ...>text</tag>``) of an SVG text as its attributes,
    with the text under ``"text"``."""
    out = []
    for m in re.finditer(rf"<{tag} ([^>]*?)/?>(?:([^<]*)</{tag}>)?", svg):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(1))) | {"text": m.group(2) or ""}
        if css_class is None or attrs.get("class") == css_class:
            out.append(attrs)
    return out


def test_map_draws_levels_paper_alliances_and_blocs():
    svg, legend = app.map_figure(tiny_system(), cooperative=False)
    edges = {e["data-pair"]: e for e in svg_elements(svg, "line", "edge")}
    allied, paper, tense = edges["AAA-BBB"], edges["AAA-CCC"], edges["BBB-CCC"]
    assert allied["stroke"] == app_style.LEVEL_COLOURS[5] and "stroke-dasharray" not in allied
    assert tense["stroke"] == app_style.LEVEL_COLOURS[1] and "stroke-dasharray" not in tense
    assert "stroke-dasharray" in paper and paper["data-level"] == "0"  # de jure 3 over de facto 0
    assert [t["text"] for t in svg_elements(svg, "text", "label")] == ["AAA", "BBB", "CCC"]
    assert [t["text"] for t in svg_elements(svg, "text", "map-year")] == ["2000"]
    for words in ("Pact: AAA, BBB", "0: distant", "dashed: treaty above practice", "circle area = aggregate power"):
        assert words in legend
    assert len(svg_elements(svg, "circle", "bloc-arc")) == 2  # the two members of the one bloc


def test_map_leaves_cooperative_pairs_out_unless_asked():
    facto = np.array([[0, 3, 1], [3, 0, 1], [1, 1, 0]])
    world = tiny_system(de_facto=facto, de_jure=np.zeros((3, 3), dtype=int))
    hidden, legend = app.map_figure(world, cooperative=False)
    shown, _ = app.map_figure(world, cooperative=True)
    assert {e["data-pair"] for e in svg_elements(hidden, "line", "edge")} == {"AAA-BBB"}
    assert {e["data-pair"] for e in svg_elements(shown, "line", "edge")} == {"AAA-BBB", "AAA-CCC", "BBB-CCC"}
    assert "hidden: tick" in legend


def label_box(label: dict[str, str]) -> tuple[float, float, float, float]:
    width = 0.66 * page_map.BODY_PX * len(label["text"])
    x, y = float(label["x"]), float(label["y"])
    left = {"start": x, "end": x - width, "middle": x - width / 2}[label["text-anchor"]]
    return left, y - page_map.BODY_PX / 2, left + width, y + page_map.BODY_PX / 2


def test_map_labels_and_capitals_do_not_overlap_and_blocs_are_arcs():
    """Almaty and Bishkek (Kazakhstan's and Kyrgyzstan's capitals until 1997) 200 km apart,
    beside Moscow, Tashkent and a distant Washington; Moscow in four blocs."""
    ids = ["RUS", "KZK", "KYR", "UZB", "USA"]
    lon, lat = np.array([37.6, 76.9, 74.6, 69.2, -77.0]), np.array([55.75, 43.25, 42.87, 41.3, 38.9])
    blocs = app.blocs_for_map(["CIS", "CSTO", "SCO", "EAEU"], [[0, 1, 2, 3], [0, 1, 2], [0, 1, 2, 3], [0, 1]])
    svg = page_map.map_svg(ids, ids, lon, lat, np.array([5.0, 1.0, 0.2, 0.6, 9.0]), np.zeros((5, 5), int),
                           np.zeros((5, 5), int), blocs, 1995)
    boxes = [label_box(t) for t in svg_elements(svg, "text", "label")]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (ids[i], ids[j])
    for box in boxes:  # nothing clipped
        assert box[0] >= 0 and box[2] <= page_map.WIDTH
    states = re.findall(r'<g class="state" data-state="(\w+)">(.*?)</g>', svg)
    arcs = {state: svg_elements(body, "path", "bloc-arc") + svg_elements(body, "circle", "bloc-arc")
            for state, body in states}
    assert len(arcs["RUS"]) == 4 and len({a["stroke"] for a in arcs["RUS"]}) == 4
    assert len(arcs["USA"]) == 0


def test_map_pulls_in_a_distant_capital_but_keeps_directions():
    # Three capitals within 10 degrees of each other and one 150 degrees west of them.
    lon = np.array([70.0, 72.0, 69.0, -77.0])
    lat = np.array([41.0, 43.0, 39.0, 39.0])
    x, y, fisheye = map_positions(lon, lat)
    assert fisheye
    cx, cy = np.median(lon), np.median(lat)  # 69.5, 40.0
    r_true = np.hypot(lon - cx, lat - cy)
    r_drawn = np.hypot(x - cx, y - cy)
    # r -> R log(1 + r/R): worked by hand for the distant capital, r = 146.503, R = 12.
    assert r_drawn[3] == pytest.approx(12 * np.log1p(146.5034 / 12), rel=1e-4)
    assert r_drawn[0] == pytest.approx(r_true[0], rel=0.05)  # near ones almost unmoved
    angles = np.arctan2(y - cy, x - cx), np.arctan2(lat - cy, lon - cx)
    assert np.allclose(*angles)
    same = map_positions(lon[:3], lat[:3])
    assert not same[2] and np.array_equal(same[0], lon[:3])


def test_page_map_pulls_in_distant_capitals_and_keeps_directions():
    # Median capital at x = 3: one 3 degrees west of it, one 57 degrees east, one 4 north.
    x, y = page_map.pull_in(np.array([0.0, 3.0, 60.0, 3.0]), np.array([0.0, 0.0, 0.0, 4.0]))
    # r -> R log(1 + r/R), R = 3: worked by hand, 3 -> 2.0794, 57 -> 8.9872, 4 -> 2.5419.
    assert x == pytest.approx([3 - 2.0794, 3.0, 3 + 8.9872, 3.0], abs=1e-4)
    assert y == pytest.approx([0.0, 0.0, 0.0, 2.5419], abs=1e-4)


def test_numbers_never_read_minus_zero():
    assert page_tables.signed(-0.0001) == "0.000" and page_tables.signed(-0.0) == "0.000"
    assert page_tables.signed(0.05) == "+0.050" and page_tables.signed(-0.1234) == "-0.123"
    table = page_tables.why_table({"balancing": (-0.0002, 0.05), "total": (0.3, -0.00049)}, "AAA", "BBB")
    assert "-0.000" not in table and table.count("<td class='num'>0.000</td>") == 2
    assert "<td class='num'>+0.050</td>" in table


def test_drivers_are_shown_strongest_first():
    assert app.format_drivers({"ideology": 0.1, "security": -0.7, "economy": 0.3,
                               "inertia": 0.05}) == "security -0.70, economy +0.30, ideology +0.10"
    assert app.format_drivers({"ideology": -0.001}) == "ideology 0.00"
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


def test_reset_on_a_scenario_file_made_invalid_says_so_and_runs_its_last_good_version(tmp_path, monkeypatch):
    """The page's scenario file edited into an invalid one while the page is open: Mesa's
    Reset raised InputError in its click handler and the whole page became a traceback.
    The page says why in one line and runs the file's last version that loaded."""
    import shutil

    scenario = tmp_path / "mine.yaml"
    shutil.copy(known_scenario(), scenario)
    monkeypatch.setenv(app.SCENARIO_ENV, str(scenario))
    app.pair_a.set("")
    app.pair_b.set("")

    @solara.component
    def InLayout():
        with solara.AppLayout():
            app.Page()

    box, rc = solara.render(InLayout(), handle_error=False)
    try:
        start = shown_year(rc)
        button(rc, "Step").click()
        assert shown_year(rc) == start + 1
        with scenario.open("a") as f:
            f.write("\nbogus_key: 1\n")
        button(rc, "Step").click()  # the running model steps on
        assert shown_year(rc) == start + 2
        button(rc, "Reset").click()
        assert shown_year(rc) == start
        note = next(t for t in html_texts(rc) if "class='note'" in t).split("class='note'>")[1]
        assert note.startswith(f"mine.yaml no longer loads ({scenario}:") and "field &#x27;bogus_key&#x27;: " \
            "expected no such key" in note and note.endswith("its last version that loaded is run.</p>")
        button(rc, "Step").click()
        assert shown_year(rc) == start + 1
        shutil.copy(known_scenario(), scenario)  # mended: Reset reads it, and the note goes
        button(rc, "Reset").click()
        assert shown_year(rc) == start and not any("no longer loads" in t for t in html_texts(rc))
    finally:
        rc.close()

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
import solara

import sim.app as app
from sim import viz_cmd

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
def page(monkeypatch):
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


def images(rc) -> list[bytes]:
    return [bytes(x.value) for x in rc.find(w.Image).widgets]


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

def test_step_advances_year_and_redraws(page):
    from sim.model import AllianceModel

    first = AllianceModel(scenario=known_scenario(), rng=0)
    assert shown_year(page) == first.year
    before = images(page)
    assert len(before) == 4  # map, why bars, pair series, threat heatmap
    button(page, "Step").click()
    first.step()
    assert shown_year(page) == first.year
    after = images(page)
    assert after[0] != before[0]  # the map was drawn again for the new year
    assert after[2] != before[2]  # the pair series grew by one year


def test_why_panel_shows_the_chosen_pairs_components(page):
    from sim.model import AllianceModel

    model = AllianceModel(scenario=known_scenario(), rng=0)
    a, b = model.ids[-1], model.ids[0]
    selects = {s.label: s for s in page.find(v.Select).widgets}
    selects["State A"].v_model = a
    page.find(v.Select, label="State B").widget.v_model = b
    table = why_table(page)
    i, j = model.ids.index(a), model.ids.index(b)
    assert table, "the why panel shows no numbers"
    for name, (ab, ba) in table.items():
        assert ab == pytest.approx(model.components[name][i, j], abs=6e-4)
        assert ba == pytest.approx(model.components[name][j, i], abs=6e-4)
    assert "total" in table
    assert any(f"Why {a}-{b}" in t for t in html_texts(page))


def test_reset_applies_a_moved_slider(page):
    """A weight slider takes effect on Reset, and only when the override box is ticked."""
    slider = page.find(v.Slider, label="Threat: aggregate power").widget
    slider.v_model = 0.35
    button(page, "Reset").click()
    weights = next(t for t in html_texts(page) if "Weights in force" in t)
    assert "power_weight=0.35" not in weights  # box not ticked: the scenario's own weights
    page.find(v.Checkbox, label="Override the scenario's weights with the sliders").widget \
        .v_model = True
    button(page, "Reset").click()
    weights = next(t for t in html_texts(page) if "Weights in force" in t)
    assert "power_weight=0.35" in weights


def test_viz_model_keeps_each_years_levels():
    model = app.VizModel(scenario_file=str(known_scenario()), rng=3)
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
    assert app.list_scenarios(tmp_path) == [str(tmp_path / "agents.yaml")]
    assert app.list_scenarios(tmp_path, extra="/x/mine.yaml") == [
        "/x/mine.yaml", str(tmp_path / "agents.yaml")]


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
    edges = [ln for ln in ax.lines if len(ln.get_xdata()) == 2]
    by_ends = {(ln.get_xdata()[0], ln.get_xdata()[1]): ln for ln in edges}
    allied, paper, tense = by_ends[(0.0, 10.0)], by_ends[(0.0, 20.0)], by_ends[(10.0, 20.0)]
    assert allied.get_linestyle() == "-" and allied.get_color() == app.LEVEL_COLOURS[5]
    assert tense.get_color() == app.LEVEL_COLOURS[1] and tense.get_linestyle() == "-"
    assert paper.get_linestyle() == "--"  # de jure 3 over de facto 0
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Pact" in labels and "de jure > de facto" in labels
    assert [t.get_text() for t in ax.texts] == ["AAA", "BBB", "CCC"]
    assert ax.get_title() == "2000"


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


def test_viz_refuses_a_bad_port():
    done = run_cli("--port", "70000")
    assert done.returncode == 2 and "--port" in done.stderr and "Traceback" not in done.stderr


def test_viz_runs_solara_without_internet_settings():
    argv = viz_cmd.solara_argv("127.0.0.1", 9999)
    assert argv[0] == "sim.app:Page"
    assert {"--production", "--no-open", "--no-check-version"} <= set(argv)
    assert viz_cmd.OFFLINE_ENV["SOLARA_ASSETS_PROXY"] == "True"
    assert viz_cmd.OFFLINE_ENV["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"

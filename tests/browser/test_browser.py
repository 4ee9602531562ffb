"""The page in a real browser (Debian Chromium), served by ``alliance-sim viz`` offline.

Every test starts from a fresh page on one shared server (see ``conftest.py``) and saves
a screenshot. The first test is the offline guarantee: nothing the page asks for may leave
127.0.0.1, fail, or come back with an HTTP error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "known_balance_of_threat.yaml"

pytestmark = pytest.mark.browser


def shown_year(page) -> int:
    return int(re.search(r"Year (\d+)", page.locator("h2.year").inner_text()).group(1))


def map_year(page) -> int:
    return int(page.locator(".alliance-map svg .map-year").text_content())


def slider_value(page, label: str) -> float:
    """The value a slider's label shows (``"Threat: aggregate power = 0.289"``)."""
    text = page.locator(".v-input label", has_text=label).inner_text()
    return float(text.rsplit("=", 1)[1])


def weights_text(page) -> str:
    return page.locator("p.weights").inner_text()


def settle(page, quiet_ms: int = 1500, limit_ms: int = 15_000) -> None:
    """Wait until the page has made no new request for ``quiet_ms``.

    Widgets load some of their code only once they are on screen (solara's Markdown, for
    instance, then asks for KaTeX), after the browser's own load events have fired.
    """
    waited, seen = 0, -1
    while seen != len(page.traffic.requests) and waited < limit_ms:
        seen = len(page.traffic.requests)
        page.wait_for_timeout(quiet_ms)
        waited += quiet_ms


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Vuetify dropdown labelled ``label``."""
    field = page.locator(".v-select", has=page.locator("label", has_text=label))
    field.click()
    menu = page.locator(".v-menu__content.menuable__content__active")
    menu.wait_for()
    page.wait_for_timeout(400)  # let Vuetify's opening transition finish before clicking
    menu.get_by_role("option", name=option, exact=True).click()
    field.filter(has_text=option).wait_for(timeout=10_000)
    page.wait_for_timeout(500)  # the server redraws the panel (and the other dropdown)


def test_page_loads_with_no_request_off_this_machine(viz_page):
    viz_page.locator(".alliance-map svg").first.wait_for()
    viz_page.locator("table.threat").first.wait_for()
    viz_page.wait_for_load_state("networkidle")
    settle(viz_page)
    traffic = viz_page.traffic
    assert len(traffic.requests) > 5  # the page really loaded its assets
    assert traffic.off_machine() == []
    assert traffic.failed == []
    assert traffic.refused == []
    assert viz_page.locator(".v-alert.error").count() == 0  # no error box on the page


def test_step_advances_the_year_everywhere_it_is_shown(viz_page):
    from sim.model import AllianceModel

    start = AllianceModel(scenario=SCENARIO, rng=0).year
    assert shown_year(viz_page) == start == map_year(viz_page)
    assert int(viz_page.locator(".sidebar-year").inner_text()) == start
    body = viz_page.locator("body").inner_text()
    assert "Time:" not in body and "PAGE 0" not in body.upper()  # no step count, no nameless tab
    viz_page.get_by_role("button", name="Step").click()
    viz_page.locator("h2.year", has_text=f"Year {start + 1}").wait_for(timeout=20_000)
    viz_page.locator(".sidebar-year", has_text=str(start + 1)).wait_for(timeout=20_000)
    assert map_year(viz_page) == start + 1
    assert viz_page.locator(".alliance-map .v-card__title").inner_text() == f"Alignments in {start + 1}"
    settle(viz_page)
    assert viz_page.traffic.off_machine() == [] and viz_page.traffic.failed == []


def test_play_runs_year_after_year_until_paused(viz_page):
    start = shown_year(viz_page)
    viz_page.get_by_role("button", name="▶").click()
    # At least two years on (a busy machine may draw two years as one, so not "exactly 2002")
    viz_page.wait_for_function(
        f"() => parseInt(document.querySelector('.sidebar-year')?.innerText ?? '0') >= {start + 2}",
        timeout=30_000)
    viz_page.get_by_role("button", name="❚❚").click()
    viz_page.wait_for_timeout(1500)
    paused = shown_year(viz_page)
    assert paused >= start + 2 and int(viz_page.locator(".sidebar-year").inner_text()) == paused
    viz_page.wait_for_timeout(1500)
    assert shown_year(viz_page) == paused == map_year(viz_page)


def test_moving_a_slider_shows_its_value_and_changes_the_models_weight_on_reset(viz_page):
    label = "Threat: aggregate power"
    thumb = viz_page.locator(".v-input", has=viz_page.locator("label", has_text=label)).locator("[role=slider]")
    before = slider_value(viz_page, label)
    assert before == pytest.approx(float(thumb.get_attribute("aria-valuenow")), abs=0.006)
    thumb.focus()
    for _ in range(4):
        thumb.press("ArrowLeft" if before >= 0.2 else "ArrowRight")
    viz_page.wait_for_timeout(300)
    after = float(thumb.get_attribute("aria-valuenow"))
    assert after == pytest.approx(before - 0.04 if before >= 0.2 else before + 0.04, abs=0.006)
    viz_page.locator(".v-input label", has_text=f"{label} = {after:g}").wait_for(timeout=10_000)  # shown
    in_force = float(re.search(r"power_weight=([0-9.e-]+)", weights_text(viz_page)).group(1))
    viz_page.get_by_text("Override the scenario's weights with the sliders").click()
    viz_page.get_by_role("button", name="Reset").click()
    viz_page.locator("p.overrides", has_text=f"power_weight={after:g},").wait_for(timeout=20_000)
    now = float(re.search(r"power_weight=([0-9.e-]+)", weights_text(viz_page)).group(1))
    assert now != pytest.approx(in_force, abs=1e-3)  # the model weighs aggregate power anew


def test_sliders_follow_the_picked_scenario_and_override_keeps_its_weights(viz_page):
    """Pick Central Asia: it loads at once, every slider shows its weights exactly, and
    Override + Reset runs on them (not on the first scenario's, not rounded to a grid)."""
    from sim.app import VizModel, weights_in_force

    central = "central_asia_1991_2024.yaml"
    assert "loads it at once" in viz_page.locator(".picker-hint").inner_text()
    choose(viz_page, "Scenario", central)
    viz_page.locator("h2.year + ul + p", has_text=central).wait_for(timeout=20_000)
    wanted = weights_in_force(VizModel(scenario_file=central, rng=0))
    ideology = f"{wanted['ideology_weight']:.3g}"
    viz_page.locator(".v-input label", has_text=f"Ideological affinity = {ideology}").wait_for(timeout=10_000)
    assert slider_value(viz_page, "Noise temperature") == pytest.approx(wanted["temperature"])
    assert slider_value(viz_page, "Threat: aggregate power") == pytest.approx(wanted["power_weight"], abs=6e-4)
    viz_page.get_by_text("Override the scenario's weights with the sliders").click()
    viz_page.get_by_role("button", name="Reset").click()
    overrides = viz_page.locator("p.overrides", has_text=f"ideology_weight={ideology},")
    overrides.wait_for(timeout=20_000)
    assert f"temperature={wanted['temperature']:.3g}" in overrides.inner_text()
    in_force = dict(re.findall(r"(\w+)=([0-9.e-]+)", weights_text(viz_page)))
    assert {k: float(v) for k, v in in_force.items()} == pytest.approx(
        {k: float(f"{v:.3g}") for k, v in wanted.items()})


def test_why_panel_shows_the_selected_pairs_components_in_one_readable_table(viz_page):
    from sim.model import AllianceModel

    model = AllianceModel(scenario=SCENARIO, rng=0)
    a, b = model.ids[-1], model.ids[1]
    choose(viz_page, "State A", a)
    choose(viz_page, "State B", b)
    viz_page.get_by_text(f"Why {a}-{b}").wait_for(timeout=20_000)
    rows = viz_page.locator("table.why tr").all_inner_texts()
    cells = [r.split("\t") for r in rows[1:]]
    table = {c[0].strip(): (float(c[1]), float(c[3])) for c in cells}
    i, j = model.ids.index(a), model.ids.index(b)
    assert "total" in table
    for name, (ab, ba) in table.items():
        assert ab == pytest.approx(model.components[name][i, j], abs=6e-4)
        assert ba == pytest.approx(model.components[name][j, i], abs=6e-4)
    text = viz_page.locator("table.why").inner_text()
    assert "-0.000" not in text
    widths = viz_page.evaluate("""() => [...document.querySelectorAll('table.why tr:nth-child(2) > *')]
        .map(c => c.getBoundingClientRect().width)""")
    assert len(widths) == 5 and min(widths) > 30  # five separate columns, none squeezed shut
    clipped = viz_page.evaluate("""() => {
        const scrolling = [];
        for (let el = document.querySelector('table.why'); el; el = el.parentElement) {
            const style = getComputedStyle(el);
            if (/(auto|scroll|hidden)/.test(style.overflowY + style.overflowX)
                && (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1))
                scrolling.push(el.className || el.tagName);
        }
        return scrolling;
    }""")
    assert len(clipped) <= 1, clipped  # at most the page's own scroll: no panel cuts the table


# --------------------------------------------------------------------------- forged input

FORGE = """([label, value]) => {
    // What a hostile client can do: send the widget a value the page never offered,
    // bypassing the dropdown and the slider (Vuetify's own input event, as a click sends).
    for (const el of document.querySelectorAll('.v-input')) {
        const own = el.querySelector('label');
        if (own && own.textContent.includes(label) && el.__vue__) {
            el.__vue__.$emit('input', value);
            el.__vue__.$emit('change', value);
            return true;
        }
    }
    return false;
}"""


def forge(page, label: str, value) -> None:
    assert page.evaluate(FORGE, [label, value]), f"no input labelled {label!r} on the page"


def still_working(page) -> None:
    """No error box, no traceback, and Step still advances the year."""
    assert page.locator(".v-alert.error").count() == 0
    assert "Traceback" not in page.locator("body").inner_text()
    year = shown_year(page)
    page.get_by_role("button", name="Step").click()
    page.locator("h2.year", has_text=f"Year {year + 1}").wait_for(timeout=20_000)


@pytest.mark.parametrize("path", ["/etc/passwd", "/dev/zero", "../../etc/hostname"])
def test_a_forged_scenario_path_is_refused_and_the_page_keeps_working(viz_page, path):
    forge(viz_page, "Scenario", path)
    viz_page.get_by_role("button", name="Reset").click()
    viz_page.locator("p.note", has_text="does not offer").wait_for(timeout=20_000)
    assert "root:" not in viz_page.content()  # nothing of the file reached the page
    assert "known_balance_of_threat" in viz_page.locator("h2.year + ul + p").inner_text()
    still_working(viz_page)


class SliderForger:
    """Rewrites the next slider value the page sends to the server (a forged websocket message)."""

    def __init__(self, page):
        self.value, self.armed, self.sent = None, False, 0
        page.route_web_socket(re.compile(".*"), self._route)
        page.reload()
        page.get_by_text("Weights in force").wait_for(timeout=60_000)

    def _route(self, ws) -> None:
        server = ws.connect_to_server()

        def from_page(message):
            if self.armed and isinstance(message, str) and '"v_model"' in message:
                data = json.loads(message)
                state = data.get("content", {}).get("data", {}).get("state", {})
                if "v_model" in state:
                    state["v_model"] = self.value
                    message = json.dumps(data)
                    self.armed, self.sent = False, self.sent + 1
            server.send(message)

        ws.on_message(from_page)

    def send(self, page, label: str, value) -> None:
        self.value, self.armed = value, True
        thumb = page.locator(".v-input", has=page.locator("label", has_text=label)).locator("[role=slider]")
        thumb.focus()
        thumb.press("ArrowRight")
        page.wait_for_timeout(500)
        assert self.sent == 1, "the slider's message was not seen"


@pytest.mark.parametrize("value", ["abc", None, "1e999", [1, 2], {"x": 1}, -5, 1e9, True])
def test_malformed_slider_values_are_refused_and_the_page_keeps_working(viz_page, value):
    forger = SliderForger(viz_page)
    viz_page.get_by_text("Override the scenario's weights with the sliders").click()
    forger.send(viz_page, "Threat: aggregate power", value)
    viz_page.get_by_role("button", name="Reset").click()
    viz_page.locator("p.note", has_text="Refused a value").wait_for(timeout=20_000)
    still_working(viz_page)


def test_reset_on_a_scenario_file_made_invalid_says_why_in_one_line(chromium, artifacts, serve, tmp_path):
    """The page's scenario file edited into an invalid one while the page is open, then
    Reset: the whole page became a Python traceback (Mesa's Reset handler raised). The page
    says why in one line, runs the file's last version that loaded, and still steps."""
    import shutil

    scenario = tmp_path / "mine.yaml"
    shutil.copy(SCENARIO, scenario)
    with serve(scenario, artifacts / "viz_server_edited.log") as url:
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        try:
            page.goto(url)
            page.get_by_text("Weights in force").wait_for(timeout=60_000)
            start = shown_year(page)
            page.get_by_role("button", name="Step", exact=True).click()
            page.locator("h2.year", has_text=f"Year {start + 1}").wait_for(timeout=20_000)
            with scenario.open("a") as f:
                f.write("\nbogus_key: 1\n")
            page.get_by_role("button", name="Reset", exact=True).click()
            note = page.locator("p.note", has_text="no longer loads")
            note.wait_for(timeout=20_000)
            text = note.inner_text()
            assert text.startswith(f"mine.yaml no longer loads ({scenario}:") and "\n" not in text
            assert "field 'bogus_key': expected no such key" in text
            assert text.endswith("its last version that loaded is run.")
            assert shown_year(page) == start
            page.get_by_role("button", name="Step", exact=True).click()
            page.locator("h2.year", has_text=f"Year {start + 1}").wait_for(timeout=20_000)
            assert "Traceback" not in page.locator("body").inner_text()
            assert page.locator(".v-alert.error").count() == 0
            page.screenshot(path=str(artifacts / "reset_on_an_invalid_scenario.png"), full_page=True)
        finally:
            context.close()

"""Counterfactual scenarios written as 'extends' of a base scenario."""

import pytest

from sim.errors import InputError
from sim.scenario.schema import load_raw, load_scenario
from tests.conftest import ROOT, SCENARIOS

BASE = SCENARIOS / "known_paper_alliance.yaml"


def write(tmp_path, text, name="cf.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_extends_drops_an_event_and_keeps_everything_else(tmp_path):
    path = write(tmp_path, f"name: no_shock\nextends: {BASE}\ndrop_events:\n"
                           "  - The common threat fades and ALLY_B's new leader turns away from ALLY_A\n")
    sc = load_scenario(path)
    base = load_scenario(BASE)
    assert sc.name == "no_shock" and sc.events == []
    assert sc.states == base.states and sc.mechanism == base.mechanism and sc.time == base.time


def test_extends_sets_and_adds(tmp_path):
    path = write(tmp_path, f"name: tweaked\nextends: {BASE}\nset:\n  mechanism.temperature: 0.5\n"
                           "add_events:\n  - year: 2010\n    name: later shock\n    effects:\n"
                           "      - {field: power, state: THREAT, op: mul, value: 2}\n")
    sc = load_scenario(path)
    assert sc.mechanism.temperature == 0.5
    assert [e.name for e in sc.events][-1] == "later shock" and len(sc.events) == 2


def test_relative_paths_of_the_base_still_resolve(tmp_path):
    sub = tmp_path / "deeper"
    sub.mkdir()
    cf = ROOT / "scenarios" / "counterfactuals" / "no_andijan_reaction.yaml"
    raw = load_raw(cf)
    sc = load_scenario(cf)
    assert sc.resolve(raw["inputs"]["states"]).exists()
    assert "Andijan and the Western reaction" not in [e.name for e in sc.events]


@pytest.mark.parametrize("text, field", [
    ("name: x\nextends: nowhere.yaml\n", "extends"),
    ("name: x\nextends: {base}\ndrop_events: [no such event]\n", "drop_events[0]"),
    ("name: x\nextends: {base}\nset: {{mechanism.bogus: 1}}\n", "mechanism.bogus"),
])
def test_bad_extension_is_a_clear_error(tmp_path, text, field):
    path = write(tmp_path, text.format(base=BASE))
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert field in str(err.value) and str(path) in str(err.value)

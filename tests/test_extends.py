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


LANDSCAPE = SCENARIOS / "landscape_two_pairs.yaml"


def refusal(load, path) -> InputError:
    with pytest.raises(InputError) as err:
        load(path)
    return err.value


def test_a_landscape_file_cannot_extend(tmp_path):
    """'landscape' said this was an agent scenario; 'run' asked for 'time'."""
    from sim.landscape.files import load_landscape

    path = write(tmp_path, f"extends: {LANDSCAPE}\nname: lsc\n")
    err = refusal(load_landscape, path)
    assert (err.file, err.field, err.line) == (str(path), "extends", 1)
    assert "landscape files cannot extend" in err.message()
    err = refusal(load_scenario, path)
    assert err.field == "extends" and "is a landscape file" in err.message() and "time" not in err.message()


def test_extending_a_file_that_is_no_scenario_names_it(tmp_path):
    """A sweep, fit, landscape file or run manifest as the base was refused for 'time'."""
    sweep = write(tmp_path, f"name: s\nbase: {BASE}\nparameters:\n  mechanism.temperature: [0.1, 0.2]\n", "sw.yaml")
    fit = write(tmp_path, f"name: f\nscenario: {BASE}\nparams:\n  mechanism.temperature: [0.0, 1.0]\n", "fit.yaml")
    manifest = write(tmp_path, '{"content_hash": "ab", "scenario": {"name": "x"}, "seed": 0}', "manifest.json")
    for base, kind in ((sweep, "a sweep file"), (fit, "a fit file"), (LANDSCAPE, "a landscape file"),
                       (manifest, "a run's manifest")):
        child = write(tmp_path, f"name: c\nextends: {base}\n", "child.yaml")
        err = refusal(load_scenario, child)
        assert (err.file, err.field, err.line) == (str(child), "extends", 2)
        assert f"is {kind}" in err.message() and base.name in err.message(), err.message()


def test_a_sweep_file_with_extends_is_told_to_use_base(tmp_path):
    from sim.ensembles.sweep import load_sweep

    path = write(tmp_path, f"extends: {BASE}\nname: sob_child\n", "sweep.yaml")
    err = refusal(load_sweep, path)
    assert (err.field, err.line) == ("extends", 1) and "with 'base'" in err.message()


def test_drop_events_beside_own_events_says_the_base_events_were_replaced(tmp_path):
    path = write(tmp_path, f"name: ev\nextends: {BASE}\nevents: []\ndrop_events:\n"
                           "  - The common threat fades and ALLY_B's new leader turns away from ALLY_A\n")
    err = refusal(load_scenario, path)
    assert err.field == "drop_events[0]" and "own 'events' replaced the base's" in err.message()
    assert "add_events" in err.message()


def test_an_added_event_may_not_take_a_name_the_base_gives(tmp_path):
    """A child added a second event named like the base's and loaded; a grandchild's drop
    of that name then switched off both without a word. The child is now refused, naming
    the added event as written (add_events[0].name, at its line in the child) and where
    the first event of that name is (the base file and its line)."""
    shock = "The common threat fades and ALLY_B's new leader turns away from ALLY_A"
    child = write(tmp_path, f"name: twice\nextends: {BASE}\nadd_events:\n  - year: 2010\n"
                            f"    name: {shock}\n    effects:\n"
                            "      - {field: power, state: THREAT, op: mul, value: 2}\n", "child.yaml")
    err = refusal(load_scenario, child)
    assert (err.file, err.field, err.line, err.got) == (str(child), "add_events[0].name", 5, shock)
    assert err.expected.startswith("a name no other event has (events[0] in "), err.expected
    assert f"{BASE.name} on line 22 has it already;" in err.expected  # the base, as cwd shows it
    # a grandchild's drop by the shared name is still refused as ambiguous (a base is merged
    # before it is validated), naming the grandchild's own field
    grandchild = write(tmp_path, f"name: gc\nextends: child.yaml\ndrop_events:\n  - {shock}\n", "gc.yaml")
    err = refusal(load_scenario, grandchild)
    assert (err.file, err.field, err.line, err.got) == (str(grandchild), "drop_events[0]", 3, shock)
    assert "the name of one event of the base scenario (2 events of" in err.message()
    assert "child.yaml" in err.message() and "distinct names" in err.message()
    with pytest.raises(InputError, match="drop_events\\[0\\]"):
        load_raw(grandchild)  # sweeps and fits read it so
    # a name one event holds is still dropped, and only that event
    unique = write(tmp_path, f"name: gc2\nextends: {BASE}\nset: {{}}\nadd_events:\n  - year: 2011\n"
                             "    name: solo\n    effects:\n      - {field: power, state: THREAT, op: mul, value: 2}\n",
                   "gc2.yaml")
    dropped = write(tmp_path, "name: gc3\nextends: gc2.yaml\ndrop_events: [solo]\n", "gc3.yaml")
    assert [e.name for e in load_scenario(dropped).events] == [shock]
    assert [e.name for e in load_scenario(unique).events] == [shock, "solo"]


def test_a_bad_added_event_is_named_as_written(tmp_path):
    """It was 'events[1].year' (the merged index, counting the base's event)."""
    path = write(tmp_path, f"name: ev3\nextends: {BASE}\nadd_events:\n  - year: 1990\n    name: too early\n"
                           "    effects:\n      - {field: power, state: THREAT, op: mul, value: 0.5}\n")
    err = refusal(load_scenario, path)
    assert (err.file, err.field, err.line) == (str(path), "add_events[0].year", 4)


def test_a_bad_path_inherited_from_a_middle_file_names_that_file(tmp_path):
    """A missing reference table written in mid.yaml was blamed on child.yaml:1."""
    from sim.scenario.checks import check_reference

    (tmp_path / "mid").mkdir()
    (tmp_path / "deep" / "x").mkdir(parents=True)
    mid = write(tmp_path / "mid", f"name: mid\nextends: {BASE}\nreference: nope.csv\n", "mid.yaml")
    child = write(tmp_path / "deep" / "x", "name: child\nextends: ../../mid/mid.yaml\n", "child.yaml")
    sc = load_scenario(child)
    with pytest.raises(InputError) as err:
        check_reference(sc)
    assert (err.value.field, err.value.line) == ("reference", 3)
    assert err.value.file.endswith("mid/mid.yaml"), err.value.file


SMALL = ("name: base\ntime: {start: 2000, end: 2004}\n"
         "states:\n  - {id: A, power: 1.0, capital: {lat: 0, lon: 0}}\n"
         "  - {id: B, power: 2.0, capital: {lat: 0, lon: 5}}\n")


def test_an_inherited_effect_the_inputs_refuse_names_the_base_file(tmp_path):
    """A bad effect written in base.yaml was blamed on child.yaml (with no line)."""
    from sim.scenario.inputs import build_inputs

    write(tmp_path, SMALL + "events:\n  - year: 2002\n    name: surge\n    effects:\n"
                            "      - {field: intent, a: A, b: B, op: add, value: 1.5}\n", "base.yaml")
    child = write(tmp_path, "name: child\nextends: base.yaml\nset: {mechanism.temperature: 0.5}\n", "child.yaml")
    with pytest.raises(InputError) as err:
        build_inputs(load_scenario(child))
    assert err.value.file.endswith("base.yaml"), err.value.file
    assert (err.value.field, err.value.line) == ("events[0].effects[0].value", 10)
    write(tmp_path, SMALL, "base.yaml")  # the same effect added by the child: its file, as it names it
    write(tmp_path, "name: child\nextends: base.yaml\nadd_events:\n  - year: 2002\n    name: surge\n"
                    "    effects:\n      - {field: intent, a: A, b: B, op: add, value: 1.5}\n", "child.yaml")
    with pytest.raises(InputError) as err:
        build_inputs(load_scenario(child))
    assert err.value.file.endswith("child.yaml"), err.value.file
    assert (err.value.field, err.value.line) == ("add_events[0].effects[0].value", 7)


def test_an_idle_weight_set_in_the_base_is_warned_about_at_its_line_there(tmp_path):
    """The warning named child.yaml for a weight only base.yaml sets (and no line)."""
    from sim.scenario.inputs import build_inputs
    from sim.scenario.unused_weights import unused_weights

    write(tmp_path, SMALL + "mechanism:\n  utility: {ideology: 2.0}\n", "base.yaml")
    child = write(tmp_path, "name: child\nextends: base.yaml\n", "child.yaml")
    sc = load_scenario(child)
    [warning] = unused_weights(sc, build_inputs(sc))
    assert warning.split(": ")[0].endswith("base.yaml:7"), warning
    assert "mechanism.utility.ideology is 2" in warning

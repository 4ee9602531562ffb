"""No outcome comes in as an input.

A historical scenario may change what history changed (leaders, governments, capabilities,
perceptions, disputes, armed movements), never the alignments the model is meant to
explain: no event or input may set a de facto or de jure level, a treaty or a bloc
membership, beyond the 1991 starting state and a bloc's founders at its founding.
"""

from __future__ import annotations

import typing
from pathlib import Path

import pandas as pd
import pytest

from sim.scenario.kind import scenario_kind
from sim.scenario.schema import BlocSpec, Effect, load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted(p for p in (ROOT / "scenarios").rglob("*.yaml") if scenario_kind(p) != "landscape")
HISTORICAL = ROOT / "scenarios" / "central_asia_1991_2024.yaml"
BLOC_REFERENCE = ROOT / "seeds" / "reference" / "central_asia_reference_blocs.csv"
AUDIT = ROOT / "seeds" / "input_audit.csv"

#: Names under which an outcome could be smuggled in.
OUTCOME_WORDS = ("de_facto", "de_jure", "treaty", "member", "alignment", "level", "alliance")


def _literal_values(annotation) -> set[str]:
    out: set[str] = set()
    for arg in typing.get_args(annotation):
        out |= _literal_values(arg) if typing.get_args(arg) else {arg}
    return out


def test_event_effects_can_only_touch_inputs():
    fields = _literal_values(Effect.model_fields["field"].annotation)
    assert "intent" in fields and "dispute" in fields and "government" in fields
    smuggled = {f for f in fields for w in OUTCOME_WORDS if w in f}
    assert not smuggled, f"event effects that set outcomes: {smuggled}"


@pytest.mark.parametrize("field", ["de_facto", "de_jure", "treaty", "member"])
def test_schema_refuses_an_outcome_effect(field):
    with pytest.raises(Exception):
        Effect(field=field, a="A", b="B", value=3)


def test_blocs_cannot_list_members_beyond_founders():
    keys = set(BlocSpec.model_fields)
    assert not {"members", "joins", "exits", "membership"} & keys
    with pytest.raises(Exception):
        BlocSpec(id="X", founders=["A"], members=["B"])


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_shipped_scenario_sets_an_outcome(path):
    sc = load_scenario(path)
    for ev in sc.events:
        for ef in ev.effects:
            assert not any(w in ef.field for w in OUTCOME_WORDS), (path, ev.name, ef.field)
            if ef.field == "bloc":
                assert ef.value in ("found", "dissolve")


def test_historical_founders_are_the_signatories():
    """Founders are inputs only as the members of a bloc in its founding year, per the record."""
    sc = load_scenario(HISTORICAL)
    ref = pd.read_csv(BLOC_REFERENCE)
    for b in sc.blocs:
        year = b.founded or sc.time.start
        members = set(ref[(ref.bloc == b.id) & (ref.year == year) & (ref.member == 1)].state)
        assert set(b.founders) <= members, (b.id, set(b.founders) - members)
        if b.founded is not None:
            assert b.founders or b.context_members, f"{b.id} is founded by nobody"


def test_initial_relations_only_describe_the_first_year():
    """Initial levels are the start state: changing them changes 1991, nothing is pinned later."""
    sc = load_scenario(HISTORICAL)
    raw = sc.model_dump(mode="json")
    from sim.run.simulate import simulate
    base = simulate(scenario_from_dict(raw, base_dir=HISTORICAL.parent), seed=0, record=False).dyads
    assert base[base.year > sc.time.start]["de_facto"].nunique() > 1


def test_every_input_has_an_audit_row():
    """Every evidence record and event used as an input is justified as a cause."""
    audit = pd.read_csv(AUDIT)
    sc = load_scenario(HISTORICAL)
    listed = set(audit["input"])
    missing = [ev.name for ev in sc.events if ev.name not in listed]
    assert not missing, f"events without an audit row: {missing}"
    ev = pd.read_csv(ROOT / "seeds" / "evidence.csv")
    used = set(ev[ev.use.isin(["calibration", "event"])].id)
    assert used <= listed, f"evidence without an audit row: {sorted(used - listed)}"
    kept = audit[audit["used_as"].isin(["calibration", "event", "scenario"])]
    assert not (kept["verdict"] == "outcome").any(), kept[kept["verdict"] == "outcome"]["input"].tolist()

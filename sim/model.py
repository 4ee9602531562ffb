"""The alliance model: Mesa orchestrates, numpy does the dyadic maths.

One step is one period of the scenario (a year by default). Each step:

1. Scheduled scenario events fire (Mesa event scheduling): they log the shock and found
   or dissolve blocs. Their input changes are already in the precomputed input arrays.
2. Threat: every state's threat from every other (``sim.mechanisms.threat``).
3. Utility: every component of what aligning with each partner is worth (``sim.mechanisms.utility``).
4. Every state chooses the level it wants with every partner: a logit choice drawn for
   all states at once from the model's generator (``sim.mechanisms.alignment``).
5. Pairs agree on the lower of the two wanted levels and de facto levels move toward it
   with inertia (``sim.mechanisms.alignment``); instruments form, persist or end (``sim.mechanisms.treaties``);
   blocs gain and lose members (``sim.mechanisms.blocs``).
6. Every pair is classified (``sim.mechanisms.classify``) and the year is recorded.

The constructor processes the first year without dynamics: the scenario's initial levels
are the observation for the start year.
"""

from __future__ import annotations

import hashlib
import json
from functools import partial
from collections import OrderedDict
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim.mechanisms import alignment, blocs, classify, threat, treaties, utility
from sim.agents import StateAgent
from sim.scenario.inputs import InputArrays, build_inputs
from sim.levels import DE_JURE_MAX
from sim.scenario.schema import Scenario, load_scenario, scenario_from_dict

#: The small known-answer world the model opens with when no scenario is given.
DEFAULT_SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "known_balance_of_threat.yaml"

_INPUT_CACHE: "OrderedDict[str, InputArrays]" = OrderedDict()
_INPUT_CACHE_SIZE = 16


def coerce_scenario(scenario: Scenario | str | Path | dict) -> Scenario:
    """Accept a Scenario, a path to a scenario file or a plain dict."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, dict):
        return scenario_from_dict(scenario)
    return load_scenario(scenario)


def inputs_for(sc: Scenario) -> InputArrays:
    """Build (or reuse) the input arrays of a scenario; they do not depend on the seed."""
    if sc._arrays is not None:
        return sc._arrays
    # Only what build_inputs reads goes into the key, so runs that differ in mechanism
    # weights (sweeps, fits) share one set of input arrays.
    data = sc.model_dump(mode="json")
    data["mechanism"] = {"interest_scale": data["mechanism"]["interest_scale"]}
    data.pop("outputs", None)
    key = hashlib.sha256((str(sc.base_dir.resolve()) + json.dumps(data, sort_keys=True)).encode()).hexdigest()
    if key in _INPUT_CACHE:
        _INPUT_CACHE.move_to_end(key)
        sc._arrays = _INPUT_CACHE[key]
        return sc._arrays
    from sim.reading import FileProblem, blame_file
    try:
        arrays = build_inputs(sc)
    except FileProblem as exc:  # a file named by a field: say which field named it
        raise blame_file(sc, exc) from None
    sc._arrays = arrays
    _INPUT_CACHE[key] = arrays
    while len(_INPUT_CACHE) > _INPUT_CACHE_SIZE:
        _INPUT_CACHE.popitem(last=False)
    return arrays


_STATICS_CACHE: "OrderedDict[tuple, tuple[InputArrays, list[utility.YearStatics]]]" = OrderedDict()


def statics_for(inp: InputArrays, threat_weights: dict[str, float], mech) -> list[utility.YearStatics]:
    """Threat and the input-only utility parts for every year (cached: seed-independent)."""
    key = (id(inp), tuple(sorted(threat_weights.items())), mech.proximity_km, mech.ideology_scale)
    hit = _STATICS_CACHE.get(key)
    if hit is not None and hit[0] is inp:  # the entry keeps inp alive, so its id is unique
        _STATICS_CACHE.move_to_end(key)
        return hit[1]
    out: list[utility.YearStatics] = []
    fields = ("power", "offense", "distance", "contiguity", "intent", "ideology", "interests", "trade",
              "bandwagon", "autonomy")
    for t in range(len(inp.years)):
        if t and all(np.array_equal(getattr(inp, f)[t], getattr(inp, f)[t - 1]) for f in fields):
            out.append(out[-1])  # inputs unchanged since last year: same statics
            continue
        prox = threat.proximity(inp.distance[t], inp.contiguity[t], mech.proximity_km)
        parts = threat.threat_components(inp.power[t], inp.offense[t], prox, inp.intent[t])
        out.append(utility.year_statics(
            threat=threat.threat_matrix(parts, threat_weights), power=inp.power[t], prox=prox,
            ideology=inp.ideology[t], ideology_scale=mech.ideology_scale, interests=inp.interests[t],
            trade=inp.trade[t], bandwagon=inp.bandwagon[t], autonomy=inp.autonomy[t]))
    _STATICS_CACHE[key] = (inp, out)
    while len(_STATICS_CACHE) > _INPUT_CACHE_SIZE:
        _STATICS_CACHE.popitem(last=False)
    return out


class AllianceModel(mesa.Model):
    """States choosing alignments under balance of power, balance of threat and more.

    Args:
        scenario: A :class:`Scenario`, a path to a scenario file, or a plain dict.
        rng: Seed or generator for all randomness (the logit noise of the choices).
        power_weight, proximity_weight, offense_weight, intent_weight: Threat weights
            overriding the scenario's (normalised together with the others).
        ideology_weight, interests_weight, autonomy_weight: Utility weights overriding the
            scenario's.
        temperature: Logit noise overriding the scenario's.
        record: Keep every utility component for every year (needed for tables and
            explanations; sweeps that need only summaries switch it off for speed).
    """

    def __init__(self, scenario: Scenario | str | Path | dict = DEFAULT_SCENARIO,
                 *, rng: Any = None, power_weight: float | None = None,
                 proximity_weight: float | None = None, offense_weight: float | None = None,
                 intent_weight: float | None = None, ideology_weight: float | None = None,
                 interests_weight: float | None = None, autonomy_weight: float | None = None,
                 temperature: float | None = None, record: bool = True):
        super().__init__(rng=rng)
        self.spec = coerce_scenario(scenario)
        self.mechanism = self.spec.mechanism
        self.inputs = inputs_for(self.spec)
        self.record = record
        tw = self.mechanism.threat
        self.threat_weights = threat.threat_weights(
            tw.preset, tw.mix,
            power=power_weight if power_weight is not None else tw.power,
            proximity=proximity_weight if proximity_weight is not None else tw.proximity,
            offense=offense_weight if offense_weight is not None else tw.offense,
            intent=intent_weight if intent_weight is not None else tw.intent)
        self.utility_weights = self.mechanism.utility.model_dump()
        for name, value in (("ideology", ideology_weight), ("interests", interests_weight),
                            ("autonomy", autonomy_weight)):
            if value is not None:
                self.utility_weights[name] = float(value)
        self.temperature = float(temperature if temperature is not None else self.mechanism.temperature)

        inp = self.inputs
        self.statics = statics_for(inp, self.threat_weights, self.mechanism)
        self.ids: list[str] = list(inp.ids)
        self.names: list[str] = list(inp.names)
        self.n = len(self.ids)
        self.index = {s: i for i, s in enumerate(self.ids)}
        self.upper = np.triu(np.ones((self.n, self.n), dtype=bool), 1)
        self.years = [int(y) for y in inp.years]
        for i, s in enumerate(self.ids):
            StateAgent(self, s, self.names[i], i)
        self.states = sorted(self.agents, key=lambda a: a.index)

        # Dyadic state.
        self.t = 0
        self.year = self.years[0]
        self.de_facto = inp.initial_de_facto.copy()
        self.latent = self.de_facto.astype(float)
        self.treaties = treaties.TreatyState.start(inp.initial_de_jure)
        self.desired = np.zeros((self.n, self.n), dtype=int)

        # Blocs.
        self.bloc_ids = [b.id for b in self.spec.blocs]
        self.bloc_names = {b.id: b.name or b.id for b in self.spec.blocs}
        self.bloc_level = np.array([b.level for b in self.spec.blocs], dtype=int)
        self.bloc_active = np.zeros(len(self.bloc_ids), dtype=bool)
        self.members = np.zeros((self.n, len(self.bloc_ids)), dtype=bool)
        self.bloc_exit_streak = np.zeros(self.members.shape, dtype=int)
        self.patrons = np.zeros_like(self.members)
        self.eligible = np.ones_like(self.members)
        for k, b in enumerate(self.spec.blocs):
            if b.patron:
                self.patrons[self.index[b.patron], k] = True
            if b.eligible is not None:
                self.eligible[:, k] = [s in b.eligible for s in self.ids]
        self.event_log: list[dict] = []
        self.de_facto_changes = 0
        self.history: dict[str, list] = {k: [] for k in
                                         ("de_facto", "de_jure", "desired", "threat", "classification",
                                          "members", "components", "bloc_active", "shared_threat")}
        start = self.years[0]
        self._callbacks: list = []
        for b_i, b in enumerate(self.spec.blocs):
            if b.founded is None or b.founded == start:
                self._found_bloc(b_i, log=b.founded is not None)
            elif b.founded is not None:
                self._schedule(partial(self._found_bloc, b_i), b.founded)
            if b.dissolved is not None:
                self._schedule(partial(self._dissolve_bloc, b_i), b.dissolved)
        for ev in self.spec.events:
            if ev.year == start:
                self._announce(ev)
            else:
                self._schedule(partial(self._announce, ev), ev.year)

        self._update(dynamic=False)
        self.running = len(self.years) > 1

    # -- time -------------------------------------------------------------------------------
    def _schedule(self, callback, year: int) -> None:
        # Mesa holds event callbacks weakly, so the model keeps them alive.
        self._callbacks.append(callback)
        self.schedule_event(callback, at=self._time_of(year))

    def _time_of(self, year: int) -> float:
        """Mesa time at which a happening of a calendar year takes effect.

        Mesa fires an event scheduled at time t after the body of the step that reaches t,
        so a happening of the year processed by step k is scheduled half a step earlier:
        it then shapes that year's choices and that year's record, not the next year's.
        """
        return float(np.searchsorted(self.years, year)) - 0.5

    # -- scheduled happenings --------------------------------------------------------------
    def _announce(self, ev) -> None:
        states = sorted({s for ef in ev.effects for key in ("state", "observer", "target", "a", "b")
                         for s in (getattr(ef, key) if isinstance(getattr(ef, key), list)
                                   else [getattr(ef, key)]) if s and s != "all"})
        self._log(ev.kind if ev.kind != "bloc" else "shock", states[0] if states else None,
                  states[1] if len(states) > 1 else None,
                  ev.name + (f" [{ev.source}]" if ev.source else ""), "", year=ev.year)
        for ef in ev.effects:
            if ef.field == "bloc":
                b_i = self.bloc_ids.index(ef.bloc)
                if ef.value == "found":
                    self._found_bloc(b_i)
                else:
                    self._dissolve_bloc(b_i)

    def _found_bloc(self, b_i: int, log: bool = True) -> None:
        spec = self.spec.blocs[b_i]
        self.bloc_active[b_i] = True
        for s in spec.founders:
            self.members[self.index[s], b_i] = True
        if log:
            self._log("bloc_founded", spec.founders[0] if spec.founders else None, None,
                      f"{self.bloc_names[spec.id]} founded by {', '.join(spec.founders)}", "",
                      year=spec.founded or self.years[0])

    def _dissolve_bloc(self, b_i: int) -> None:
        self.bloc_active[b_i] = False
        self.members[:, b_i] = False
        self._log("bloc_dissolved", None, None, f"{self.bloc_names[self.bloc_ids[b_i]]} dissolved", "",
                  year=self.spec.blocs[b_i].dissolved or self.year)

    def _log(self, kind: str, a: str | None, b: str | None, text: str, drivers: str,
             year: int | None = None) -> None:
        self.event_log.append({"year": int(year if year is not None else self.year), "kind": kind,
                               "a": a or "", "b": b or "", "text": text, "drivers": drivers})

    # -- the year's computation --------------------------------------------------------------
    def _update(self, dynamic: bool) -> None:
        inp, t, mech = self.inputs, self.t, self.mechanism
        power = inp.power[t]
        st = self.statics[t]
        self.threat = st.threat
        comps = utility.dynamic_components(st, self.de_facto, inp.multi_vector[t])
        comps["total"] = utility.total_utility(comps, self.utility_weights)
        prev_components = getattr(self, "components", None)
        self.components = comps
        self.level_cap = np.where(inp.neutral[t] > 0, mech.neutral_max_level, DE_JURE_MAX)
        # Every state chooses its row of wanted levels (a logit choice, sim.mechanisms.alignment); the
        # choice is drawn for all states at once from the model's generator.
        bliss = alignment.bliss_level(comps["total"], mech.level_gain)
        self.desired = alignment.choose_levels(bliss, self.temperature, self.rng, cap=self.level_cap[:, None])
        self.desired.flat[:: self.n + 1] = 0

        if dynamic:
            agreed = alignment.agreed_level(self.desired)
            old_f = self.de_facto
            self.latent, self.de_facto = alignment.adjust(self.latent, agreed, mech.adjustment_rate)
            explain = self.record  # drivers are text for people; summary-only runs skip them
            changed = (self.de_facto != old_f) & self.upper
            self.de_facto_changes += int(changed.sum())
            if explain:
                for i, j in zip(*np.nonzero(changed)):
                    self._log("de_facto_change", self.ids[i], self.ids[j],
                              f"de facto {int(old_f[i, j])} -> {int(self.de_facto[i, j])}",
                              self.drivers(i, j, prev_components))
            for i, j, kind, old, new in treaties.step_treaties(
                    self.treaties, de_facto=self.de_facto, desired=self.desired, cap=self.level_cap,
                    formalise_years=mech.formalise_years, denounce_years=mech.denounce_years,
                    lapse_years=mech.lapse_years, paper_gap=mech.paper_gap,
                    can_sanction=power >= mech.sanction_power_share * power.sum()):
                self._log(kind, self.ids[i], self.ids[j], f"bilateral instrument {old} -> {new}",
                          self.drivers(i, j, None) if explain else "")
            for i, b_i, kind in blocs.step_blocs(
                    self.members, active=self.bloc_active, level=self.bloc_level, desired=self.desired,
                    power=power, cap=self.level_cap, neutral=inp.neutral[t] > 0,
                    join_margin=mech.bloc_join_margin, leave_margin=mech.bloc_leave_margin,
                    patron=self.patrons, eligible=self.eligible, exit_streak=self.bloc_exit_streak,
                    leave_years=mech.denounce_years):
                self._log(kind, self.ids[i], None, f"{kind.replace('bloc_', '')} {self.bloc_names[self.bloc_ids[b_i]]}",
                          self.bloc_drivers(i, b_i) if explain else "")
        self.de_jure = self._combined_de_jure()
        if self.record:
            self._classify(comps)
        self._record()

    def _classify(self, comps: dict[str, np.ndarray]) -> None:
        mech = self.mechanism
        self.shared = classify.shared_threat(self.threat)
        w = self.utility_weights
        self.classification = classify.classify(
            de_facto=self.de_facto, de_jure=self.de_jure, ideology=comps["ideology"],
            interests=comps["interests"], shared=self.shared,
            value_drive=w["ideology"] * comps["ideology"] + w["interests"] * comps["interests"],
            threat_drive=w["security"] * comps["security"] + w["bandwagon"] * comps["bandwagon"],
            paper_gap=mech.paper_gap,
            natural_threshold=mech.natural_threshold, shared_threat_threshold=mech.shared_threat_threshold)

    def _combined_de_jure(self) -> np.ndarray:
        bilateral = self.treaties.level
        key = (self.members.tobytes(), self.bloc_active.tobytes())
        if key != getattr(self, "_bloc_key", None):  # membership changes rarely
            self._bloc_key, self._via_blocs = key, blocs.bloc_de_jure(self.members, self.bloc_level,
                                                                      self.bloc_active)
        via_blocs = self._via_blocs
        return np.where(bilateral == -1, -1, np.maximum(bilateral, via_blocs))

    def _record(self) -> None:
        h = self.history
        # Levels fit in int8; keeping them small matters for long runs of large systems.
        h["de_facto"].append(self.de_facto.astype(np.int8))
        h["de_jure"].append(self.de_jure.astype(np.int8))
        h["desired"].append(self.desired.astype(np.int8))
        h["members"].append(self.members.copy())
        h["bloc_active"].append(self.bloc_active.copy())
        if self.record:
            h["threat"].append(self.threat.copy())
            h["classification"].append(self.classification.copy())
            h["shared_threat"].append(self.shared.copy())
            h["components"].append({k: v.copy() for k, v in self.components.items()})

    def step(self) -> None:
        """Advance one period."""
        if not self.running:
            return
        self.t += 1
        self.year = self.years[self.t]
        self._update(dynamic=True)
        if self.t >= len(self.years) - 1:
            self.running = False

    # -- explanation helpers -------------------------------------------------------------
    def weighted_components(self, i: int, j: int, components: dict | None = None) -> dict[str, float]:
        """i's weighted utility components toward j."""
        comps = components if components is not None else self.components
        return {c: float(self.utility_weights[c] * comps[c][i, j]) for c in utility.COMPONENTS}

    def drivers(self, i: int, j: int, previous: dict | None, top: int = 3) -> str:
        """Both sides' weightiest components toward each other, and what moved most since last year."""
        parts = []
        for a, b in ((i, j), (j, i)):
            now = self.weighted_components(a, b)
            ranked = sorted(now.items(), key=lambda kv: -abs(kv[1]))
            text = ", ".join(f"{c} {v:+.2f}" for c, v in ranked[:top] if abs(v) >= 0.005) or "indifferent"
            if previous is not None:
                before = self.weighted_components(a, b, previous)
                c, d = max(((c, now[c] - before[c]) for c in now), key=lambda kv: abs(kv[1]))
                if abs(d) >= 0.01:
                    text += f" (moved most: {c} {d:+.2f})"
            parts.append(f"{self.ids[a]}: {text}")
        return "; ".join(parts)

    def bloc_drivers(self, i: int, b_i: int, top: int = 3) -> str:
        """Why state i joined or left a bloc: its strongest components toward the members."""
        others = [m for m in np.nonzero(self.members[:, b_i])[0] if m != i]
        if not others:
            return ""
        sums: dict[str, float] = {}
        for m in others:
            for c, v in self.weighted_components(i, m).items():
                sums[c] = sums.get(c, 0.0) + v / len(others)
        ranked = sorted(sums.items(), key=lambda kv: -abs(kv[1]))[:top]
        return f"{self.ids[i]}: " + ", ".join(f"{c} {v:+.2f}" for c, v in ranked)

    # -- views used by the visualisation and reports ------------------------------------------
    @property
    def power(self) -> np.ndarray:
        return self.inputs.power[self.t]

    @property
    def lat(self) -> np.ndarray:
        return self.inputs.lat[self.t]

    @property
    def lon(self) -> np.ndarray:
        return self.inputs.lon[self.t]

    @property
    def blocs(self) -> dict[str, set[str]]:
        return {b: {self.ids[i] for i in np.nonzero(self.members[:, k])[0]}
                for k, b in enumerate(self.bloc_ids) if self.bloc_active[k]}

    def year_events(self, year: int | None = None) -> list[dict]:
        year = self.year if year is None else year
        return [e for e in self.event_log if e["year"] == year]

    @property
    def reference(self):
        """The scenario's reference timeline as a DataFrame, or None."""
        if not self.spec.reference:
            return None
        if not hasattr(self, "_reference"):
            from sim.scenario.reference import load_reference
            self._reference = load_reference(self.spec.resolve(self.spec.reference), states=self.ids)
        return self._reference

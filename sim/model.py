"""The alliance model: Mesa orchestrates, numpy does the dyadic maths.

One step is one period of the scenario (a year by default), and :meth:`AllianceModel.step`
reads as the ODD's process list (``sim/ODD.md`` section 1.3), one short method per step:

1. Events and governments: scheduled scenario events fire (Mesa event scheduling) and
   found or dissolve blocs; their input changes are already in the precomputed input
   arrays. A state whose capital changed hands restarts its relations.
2. Threat (``sim.mechanisms.threat``, precomputed per year: it depends on inputs only).
3. Valuation: every component of what aligning with each partner is worth
   (``sim.mechanisms.utility``).
4. Choice: every state chooses the level it wants with every partner, a logit choice drawn
   for all states at once from the model's generator, in which leaving the pair's
   practised level costs the switching cost (``sim.mechanisms.alignment``).
5. Agreement and inertia: pairs agree on the lower of the two wanted levels and de facto
   levels move toward it (``sim.mechanisms.alignment``).
6. Instruments form, persist or end (``sim.mechanisms.treaties``).
7. Blocs gain and lose members (``sim.mechanisms.blocs``).
8. Classification of every pair (``sim.mechanisms.classify``).
9. Record of the year.

The record keeps every year's levels as small integer arrays; what full runs add (each
year's utility components, the classes and each change's drivers) is rebuilt from those
levels and the year's inputs when it is read, so a long run of a large system keeps
little memory and its steps cost about what a summary-only run's do.

The constructor processes the first year without dynamics: the scenario's initial levels
are the observation for the start year.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
from functools import partial
from collections import OrderedDict
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim.mechanisms import alignment, blocs, classify, hedging, threat, treaties, utility
from sim.agents import StateAgent
from sim.drivers import pair_drivers, side_texts, weighted_at
from sim.errors import InputError
from sim.eventlog import EventLog, PairChanges, bloc_start, kinds_of
from sim.history import Rebuilt
from sim.scenario.inputs import InputArrays, build_inputs
from sim.scenario.years import ByYear
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


def _check_keyword(name: str, value: Any) -> None:
    """A keyword override is held to what the scenario schema asks of the same value (a
    finite number >= 0): a negative or NaN temperature ran, and NaN reached the manifest."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(value)) or value < 0:
        raise InputError(None, name, "a finite number >= 0 (as in a scenario file)", got=value)


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


_GOVERNMENTS_CACHE: "OrderedDict[int, tuple[InputArrays, list[np.ndarray]]]" = OrderedDict()


def new_governments(inp: InputArrays) -> list[np.ndarray]:
    """For each year, the states whose capital a new government took (cached with the
    inputs, as the statics are: comparing object arrays every step costs a small run a
    tenth of its time)."""
    hit = _GOVERNMENTS_CACHE.get(id(inp))
    if hit is not None and hit[0] is inp:  # the entry keeps inp alive, so its id is unique
        return hit[1]
    gov, none = inp.government, np.zeros(0, dtype=np.intp)
    out = [none] + [none if gov is None else np.flatnonzero((gov[t] != gov[t - 1]) & (gov[t] != None))  # noqa: E711
                    for t in range(1, len(inp.years))]
    _GOVERNMENTS_CACHE[id(inp)] = (inp, out)
    while len(_GOVERNMENTS_CACHE) > _INPUT_CACHE_SIZE:
        _GOVERNMENTS_CACHE.popitem(last=False)
    return out


def same_as_last_year(values, t: int) -> bool:
    """Whether an input is the same in year ``t`` as in ``t - 1`` (for pairwise inputs kept
    once per distinct year, without comparing their elements when they share an array)."""
    if isinstance(values, ByYear) and values.index[t] == values.index[t - 1]:
        return True
    return np.array_equal(values[t], values[t - 1])


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
              "bandwagon", "autonomy", "dispute")
    src = inp.sources
    for t in range(len(inp.years)):
        same_sources = src is None or all(np.array_equal(a[t], a[t - 1]) for a in
                                          (src.power, src.offense, src.intent, src.distance))
        if t and same_sources and all(same_as_last_year(getattr(inp, f), t) for f in fields):
            out.append(out[-1])  # inputs unchanged since last year: same statics
            continue
        prox = threat.proximity(inp.distance[t], inp.contiguity[t], mech.proximity_km)
        parts = threat.threat_components(inp.power[t], inp.offense[t], prox, inp.intent[t])
        source_threat = source_power = None
        if src is not None:
            source_threat = threat.source_threat(
                inp.power[t], inp.offense[t], src.power[t], src.offense[t],
                threat.proximity(src.distance[t], src.contiguity[t], mech.proximity_km, square=False),
                src.intent[t], threat_weights)
            source_power = src.power[t]
        out.append(utility.year_statics(
            threat=threat.threat_matrix(parts, threat_weights), power=inp.power[t], prox=prox,
            ideology=inp.ideology[t], ideology_scale=mech.ideology_scale, interests=inp.interests[t],
            trade=inp.trade[t], bandwagon=inp.bandwagon[t], autonomy=inp.autonomy[t],
            dispute=inp.dispute[t], source_threat=source_threat, source_power=source_power))
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
        if isinstance(rng, np.integer):  # np.arange's seeds: Mesa seeds Python's random with it, which refuses them
            rng = int(rng)
        super().__init__(rng=rng)
        self.spec = coerce_scenario(scenario)
        self.mechanism = self.spec.mechanism
        self.inputs = inputs_for(self.spec)
        self.record = record
        self._set_weights(dict(power=power_weight, proximity=proximity_weight, offense=offense_weight,
                               intent=intent_weight),
                          dict(ideology=ideology_weight, interests=interests_weight, autonomy=autonomy_weight),
                          temperature)
        self.treaty_rules = treaties.TreatyRules.from_mechanism(self.mechanism)
        self.membership_rules = blocs.MembershipRules.from_mechanism(self.mechanism)
        self.statics = statics_for(self.inputs, self.threat_weights, self.mechanism)
        self._create_states()
        self._create_blocs()
        self.log = EventLog(self.ids)
        self.de_facto_changes = 0
        self.history = self._empty_history()
        self._schedule_happenings()
        self._observe_start()
        self.running = len(self.years) > 1

    # -- construction ---------------------------------------------------------------------------
    def _empty_history(self) -> dict[str, Any]:
        """Lists that grow by one entry a year, and the full runs' views rebuilt from them.

        ``valued`` is the de facto levels the states valued in the year (last year's, after
        any restart by a new government); ``instruments`` the bilateral levels, members and active
        blocs in force when they were valued (None while the commitment weight is 0: they feed
        only the commitment component); ``threat`` holds the year's threat matrix itself
        (it is an input, shared by the years and runs that have the same inputs).
        """
        h: dict[str, Any] = {k: [] for k in ("de_facto", "de_jure", "desired", "members", "bloc_active",
                                             "valued", "instruments", "threat")}
        h["components"] = Rebuilt(self._components_in, h["valued"])
        h["shared_threat"] = Rebuilt(lambda t: self._shared_threat_of(h["threat"][t]), h["valued"])
        h["classification"] = Rebuilt(self._classes_in, h["valued"])
        self._shared_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        return h

    def _set_weights(self, threat_overrides: dict, utility_overrides: dict, temperature: float | None) -> None:
        """The scenario's threat and utility weights and logit noise, with the keyword
        overrides (sweeps and fits vary them without rewriting the scenario)."""
        tw = self.mechanism.threat
        for name, value in [*((f"{k}_weight", v) for k, v in {**threat_overrides, **utility_overrides}.items()),
                            ("temperature", temperature)]:
            _check_keyword(name, value)
        self.threat_weights = threat.weights_in_force(tw, **threat_overrides)
        self.utility_weights = self.mechanism.utility.model_dump()
        for name, value in utility_overrides.items():
            if value is not None:
                self.utility_weights[name] = float(value)
        self.temperature = float(temperature if temperature is not None else self.mechanism.temperature)

    def _create_states(self) -> None:
        """One agent per state, and the pairwise state every pair starts the first year with."""
        inp = self.inputs
        self.ids: list[str] = list(inp.ids)
        self.names: list[str] = list(inp.names)
        self.n = len(self.ids)
        self.index = {s: i for i, s in enumerate(self.ids)}
        self.upper = np.triu(np.ones((self.n, self.n), dtype=bool), 1)
        self.years = [int(y) for y in inp.years]
        for i, s in enumerate(self.ids):
            StateAgent(self, s, self.names[i], i)
        self.states = sorted(self.agents, key=lambda a: a.index)
        self.t = 0
        self.year = self.years[0]
        self.de_facto = inp.initial_de_facto.copy()
        self.latent = self.de_facto.astype(float)
        self.treaties = treaties.TreatyState.start(inp.initial_de_jure)
        self.desired = np.zeros((self.n, self.n), dtype=int)

    def _create_blocs(self) -> None:
        """Bloc arrays ``(n, B)``: members, patrons, who the charter admits, exit counters."""
        specs = self.spec.blocs
        self.bloc_ids = [b.id for b in specs]
        self.bloc_names = {b.id: b.name or b.id for b in specs}
        self.bloc_level = np.array([b.level for b in specs], dtype=int)
        self.bloc_active = np.zeros(len(self.bloc_ids), dtype=bool)
        self.members = np.zeros((self.n, len(self.bloc_ids)), dtype=bool)
        self.bloc_exit_streak = np.zeros(self.members.shape, dtype=int)
        self.patrons = np.zeros_like(self.members)
        # the first year each state may join each bloc: the start, a later year for a charter
        # opened later, never (after the end) for a state the charter does not admit
        self.eligible_from = np.full(self.members.shape, self.years[0])
        orbit = np.zeros_like(self.members)
        for k, b in enumerate(specs):
            if b.patron:
                self.patrons[self.index[b.patron], k] = True
            if b.eligible is not None:
                self.eligible_from[[s not in b.eligible for s in self.ids], k] = self.years[-1] + 1
            for s, year in b.eligible_from.items():
                self.eligible_from[self.index[s], k] = year
            if b.orbit:
                orbit[self.index[b.orbit], k] = True
        self.charters = blocs.BlocCharters.from_specs([b.charter for b in specs], self.bloc_level, orbit,
                                                      consent=self.mechanism.bloc_consent)

    def _schedule_happenings(self) -> None:
        """Blocs founded or dissolved and events of the start year happen now; later ones
        are scheduled with Mesa at the year they take effect."""
        start = self.years[0]
        self._callbacks: list = []
        for b_i, b in enumerate(self.spec.blocs):
            if b.founded is None or b.founded == start:
                # a bloc present from the start is logged when the scenario dates it
                self._found_bloc(b_i, start, log=b.founded is not None or b.established is not None)
            elif b.founded is not None:
                self._schedule(partial(self._found_bloc, b_i, b.founded), b.founded)
            if b.dissolved is not None:
                self._schedule(partial(self._dissolve_bloc, b_i, b.dissolved), b.dissolved)
        for ev in self.spec.events:
            if ev.year == start:
                self._announce(ev)
            else:
                self._schedule(partial(self._announce, ev), ev.year)

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
        return float(bisect.bisect_left(self.years, year)) - 0.5  # no array made per call

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
                    self._found_bloc(b_i, ev.year)
                else:
                    self._dissolve_bloc(b_i, ev.year)

    def _found_bloc(self, b_i: int, year: int, log: bool = True) -> None:
        spec = self.spec.blocs[b_i]
        self.bloc_active[b_i] = True
        for s in spec.founders:
            self.members[self.index[s], b_i] = True
        if log:  # founded in its year (an event's, when an event founds it), or entering the scenario
            kind, text = bloc_start(self.bloc_names[spec.id], year, spec.founders, spec.context_members,
                                    spec.established)
            self._log(kind, spec.founders[0] if spec.founders else None, None, text, "", year=year)

    def _dissolve_bloc(self, b_i: int, year: int) -> None:
        self.bloc_active[b_i] = False
        self.members[:, b_i] = False
        self._log("bloc_dissolved", None, None, f"{self.bloc_names[self.bloc_ids[b_i]]} dissolved", "",
                  year=year)

    def _log(self, kind: str, a: str | None, b: str | None, text: str, drivers: str,
             year: int | None = None) -> None:
        self.log.add({"year": int(year if year is not None else self.year), "kind": kind,
                      "a": a or "", "b": b or "", "text": text, "drivers": drivers})

    @property
    def event_log(self) -> list[dict]:
        """Every event so far, in order, as rows (year, kind, a, b, text, drivers)."""
        return self.log.rows()

    def change_governments(self) -> None:
        """A new government in a capital inherits its state's treaties but not its relations.

        Inertia is the pull of what a government has built with each partner; a
        government that takes power by force or collapse (Kabul in 1992, 1996, 2001 and
        2021) has built nothing yet, so its state restarts its relations
        (:meth:`StateAgent.restart_relations`); the sanctions aimed at the fallen
        government are lifted with it.
        """
        for i in new_governments(self.inputs)[self.t]:
            state = self.states[i]
            lifted = state.restart_relations()
            self._log("government", state.state_id, None,
                      f"{state.name}: {state.government} takes power; relations restart from distant", "")
            if len(lifted):
                a, b = np.minimum(i, lifted), np.maximum(i, lifted)
                self.log.add_changes(PairChanges(self.year, "hostile_lifted", a, b, np.full(len(a), -1),
                                                 np.zeros(len(a), dtype=int),
                                                 "bilateral instrument {} -> {}: fell with the government", None))

    # -- the year's process, one method per ODD sub-model --------------------------------
    def step(self) -> None:
        """Advance one period, in the ODD's process order.

        Scheduled events (shocks, bloc foundings and dissolutions) fire through Mesa's
        event scheduling at the start of their year; their input changes are already in
        the precomputed input arrays.
        """
        if not self.running:
            return
        self.t += 1
        self.year = self.years[self.t]
        self.change_governments()
        self.assess_threat()
        self.value_partners()
        self.choose_levels()
        self.agree_and_adjust()
        self.update_instruments()
        self.update_blocs()
        self.record_year()
        if self.t >= len(self.years) - 1:
            self.running = False

    def _observe_start(self) -> None:
        """The first year without dynamics: the scenario's initial levels are the
        observation for the start year, and the states' first choices are drawn."""
        self.de_jure = self._combined_de_jure()
        self.assess_threat()
        self.value_partners()
        self.choose_levels()
        self.record_year()

    def assess_threat(self) -> None:
        """Every state's threat from every other (``sim.mechanisms.threat``), precomputed."""
        self.threat = self.statics[self.t].threat

    def value_partners(self) -> None:
        """Every component of what aligning with each partner is worth (``sim.mechanisms.utility``)."""
        self.valued = self.de_facto
        self.valued_instruments = ((self.treaties.level.astype(np.int8), self.members.copy(), self.bloc_active.copy())
                                   if self.utility_weights["commitment"] else None)
        self.valued_binds = self._binds(self.t, self.valued_instruments)  # also read by formalisation
        self.components, self.total_on_merits = self._components(self.t, self.de_facto, self.valued_instruments,
                                                                 self.valued_binds)

    def _binds(self, t: int, instruments: tuple | None) -> np.ndarray | None:
        """How strongly each bloc in force binds each pair (``blocs.bloc_binds``) in year ``t``."""
        return (None if instruments is None
                else blocs.bloc_binds(instruments[1], self.bloc_level, instruments[2], self.inputs.power[t]))

    def _components(self, t: int, de_facto: np.ndarray, instruments: tuple | None,
                    binds: np.ndarray | None = None) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
        """Year ``t``'s components from the levels valued and the instruments in force
        (bilateral levels, members, active blocs; None: no commitment component; ``binds``
        their blocs' :meth:`_binds`, computed when not given), and the total on the merits,
        without the commitment pull (None when nothing binds)."""
        obliged = pledged = None
        if instruments is not None:
            binds = self._binds(t, instruments) if binds is None else binds
            obliged, pledged = blocs.pledges(instruments[0], binds, self.bloc_level)
        st, multi_vector, w = self.statics[t], self.inputs.multi_vector[t], self.utility_weights
        ties = hedging.others(hedging.cooperation(de_facto))  # for the hedging term, now and settled
        comps = utility.dynamic_components(st, de_facto, multi_vector, obliged, ties)
        comps["total"] = utility.total_utility(comps, w)
        pull = None
        if obliged is not None:
            wc = w["commitment"]
            if (pledged >= 2).any():  # a pledge of partnership or alliance pulls up to it, no further
                uncapped = wc * comps["commitment"]
                comps["commitment"] = utility.commitment_pull(obliged, pledged, comps["total"] - uncapped, wc,
                                                              self.mechanism.level_gain, self.mechanism.normal_level)
                comps["total"] += wc * comps["commitment"] - uncapped
            if obliged.any():
                pull = wc * comps["commitment"]
        if w["autonomy"] and multi_vector.any():
            return comps, utility.settle_hedging(comps, st, ties, multi_vector, w, self.mechanism.level_gain,
                                                 self.mechanism.normal_level, pull)
        return comps, (None if pull is None else comps["total"] - pull)

    def choose_levels(self) -> None:
        """Every state chooses its row of wanted levels: a logit choice
        (``sim.mechanisms.alignment``) drawn for all states at once from the model's
        generator, under each state's neutrality ceiling.

        Membership is judged on the relationships' own merits: what a state would want
        without the pull of the obligations it already holds (the commitment component),
        under the same noise draw; otherwise a bloc's obligations would be their own reason
        to stay in it. The cost of leaving is the exit margin's (hysteresis). Moving a
        relation off its practised level costs the switching cost; the choice on the merits
        is free of it (memberships and instruments have hysteresis of their own)."""
        mech = self.mechanism
        self.level_cap = np.where(self.inputs.neutral[self.t] > 0, mech.neutral_max_level, DE_JURE_MAX)
        bliss = alignment.bliss_level(self.components["total"], mech.level_gain, mech.normal_level)
        stay = dict(current=self.de_facto, switching_cost=mech.switching_cost)
        merits = (bliss if self.total_on_merits is None
                  else alignment.bliss_level(self.total_on_merits, mech.level_gain, mech.normal_level))
        if self.total_on_merits is not None or mech.switching_cost:
            self.desired, self.desired_on_merits = alignment.choose_levels(
                bliss, self.temperature, self.rng, cap=self.level_cap[:, None], also=merits, **stay)
        else:
            self.desired = alignment.choose_levels(bliss, self.temperature, self.rng, cap=self.level_cap[:, None])
            self.desired_on_merits = self.desired
        self.desired.flat[:: self.n + 1] = 0
        self.desired_on_merits.flat[:: self.n + 1] = 0

    def agree_and_adjust(self) -> None:
        """Pairs agree on the lower of the two wanted levels; de facto levels move toward it
        with inertia. Drivers are text for people, so summary-only runs skip them."""
        agreed = alignment.agreed_level(self.desired)
        old_f = self.de_facto
        self.latent, self.de_facto = alignment.adjust(self.latent, agreed, self.mechanism.adjustment_rate)
        changed = (self.de_facto != old_f) & self.upper
        if self.record:
            i, j = np.nonzero(changed)
            self.de_facto_changes += len(i)
            self.log.add_changes(PairChanges(self.year, "de_facto_change", i, j, old_f[i, j], self.de_facto[i, j],
                                             "de facto {} -> {}", partial(self._pair_drivers, self.t, True)))
        else:
            self.de_facto_changes += int(np.count_nonzero(changed))

    def update_instruments(self) -> None:
        """Bilateral instruments form, persist or end (``sim.mechanisms.treaties``), judged
        on the merits as memberships are: an instrument's pull is no reason to upgrade it or
        to keep it."""
        power = self.power
        can_sanction = power >= self.mechanism.sanction_power_share * power.sum()
        i, j, kinds, old, new = treaties.treaty_changes(
            self.treaties, self.treaty_rules, de_facto=self.de_facto, desired=self.desired_on_merits,
            cap=self.level_cap, can_sanction=can_sanction, formalising=self._formalising())
        if len(i):  # most years no instrument changes
            self.log.add_changes(PairChanges(self.year, kinds_of(kinds, treaties.KINDS), i, j, old, new,
                                             "bilateral instrument {} -> {}",
                                             partial(self._pair_drivers, self.t, False) if self.record else None))

    def _formalising(self) -> np.ndarray | None:
        """What states want when they consider writing a relation down: on the merits,
        except where a bloc with obligations binds the pair as it binds its leading members
        and at least as much as the pair's own instrument does (``blocs.bound_as_leaders``).
        There it is the level wanted under that bloc's pull,
        part of the relationship the pair practises (the SCO's members wrote down strategic
        partnerships with China). Neither a forum's pull nor the nominal one between lesser
        members counts, and the pair's own instrument never does, so an instrument cannot
        write itself a rung higher. None: no such bloc binds anyone."""
        instruments = self.valued_instruments
        if instruments is None or not instruments[1].any():
            return None
        by_bloc = blocs.bound_as_leaders(instruments[0], self.valued_binds, self.bloc_level, self.charters.obliged)
        return np.where(by_bloc, self.desired, self.desired_on_merits) if by_bloc.any() else None

    def update_blocs(self) -> None:
        """Blocs gain and lose members (``sim.mechanisms.blocs``); de jure levels are then
        the bilateral instruments combined with bloc memberships."""
        changes = blocs.step_blocs(
            self.members, self.membership_rules, active=self.bloc_active, level=self.bloc_level,
            desired=self.desired_on_merits, power=self.power, cap=self.level_cap,
            neutral=self.inputs.neutral[self.t] > 0, patron=self.patrons,
            eligible=self.eligible_from <= self.year,
            exit_streak=self.bloc_exit_streak, charters=self.charters)
        if changes and self.record:  # the drivers are read against the members the rule scored:
            scored = self.members.copy()  # this year's members with its changes undone
            for i, b_i, kind in changes:
                scored[i, b_i] = kind != "bloc_join"
        for i, b_i, kind in changes:
            verb = {"bloc_expulsion": "expelled from"}.get(kind, kind.replace("bloc_", ""))
            why = self.expulsion_drivers if kind == "bloc_expulsion" else self.bloc_drivers
            self.log.add({"year": self.year, "kind": kind, "a": self.ids[i], "b": "",
                          "text": f"{verb} {self.bloc_names[self.bloc_ids[b_i]]}",
                          "drivers": ""}, partial(why, i, b_i, self.t, scored) if self.record else None)
        self.de_jure = self._combined_de_jure()

    def _classes_in(self, t: int) -> np.ndarray:
        """Every pair's class in year ``t`` (``sim.mechanisms.classify``), from the record."""
        h, mech, w = self.history, self.mechanism, self.utility_weights
        comps = h["components"][t]
        return classify.classify(
            de_facto=h["de_facto"][t].astype(int), de_jure=h["de_jure"][t].astype(int),
            ideology=comps["ideology"], interests=comps["interests"], shared=h["shared_threat"][t],
            value_drive=w["ideology"] * comps["ideology"] + w["interests"] * comps["interests"],
            threat_drive=w["security"] * comps["security"] + w["bandwagon"] * comps["bandwagon"],
            paper_gap=mech.paper_gap,
            natural_threshold=mech.natural_threshold, shared_threat_threshold=mech.shared_threat_threshold)

    @property
    def classification(self) -> np.ndarray:
        """This year's class of every pair (full runs; rebuilt from the record)."""
        return self.history["classification"][self.t]

    @property
    def shared(self) -> np.ndarray:
        """This year's shared threat of every pair (full runs)."""
        return self.history["shared_threat"][self.t]

    def _shared_threat_of(self, threat_matrix: np.ndarray) -> np.ndarray:
        """Shared threat depends on the threat matrix only, which years with the same
        inputs share: it is computed once per distinct matrix."""
        key = id(threat_matrix)  # the entry keeps the matrix alive, so its id is unique
        if key not in self._shared_cache:
            self._shared_cache[key] = (threat_matrix, classify.shared_threat(threat_matrix))
        return self._shared_cache[key][1]

    def _components_in(self, t: int) -> dict[str, np.ndarray]:
        """Year ``t``'s utility components, rebuilt from the levels the states valued."""
        h = self.history
        return self._components(t, h["valued"][t].astype(int), h["instruments"][t])[0]

    def _combined_de_jure(self) -> np.ndarray:
        bilateral = self.treaties.level
        key = (self.members.tobytes(), self.bloc_active.tobytes())
        if key != getattr(self, "_bloc_key", None):  # membership changes rarely
            self._bloc_key, self._via_blocs = key, blocs.bloc_de_jure(self.members, self.bloc_level,
                                                                      self.bloc_active)
        via_blocs = self._via_blocs
        return np.where(bilateral == -1, -1, np.maximum(bilateral, via_blocs))

    def record_year(self) -> None:
        """The year's levels (always) and threat, classes and components (full runs)."""
        h = self.history
        # Levels fit in int8; keeping them small matters for long runs of large systems.
        h["de_facto"].append(self.de_facto.astype(np.int8))
        h["de_jure"].append(self.de_jure.astype(np.int8))
        h["desired"].append(self.desired.astype(np.int8))
        h["members"].append(self.members.copy())
        h["bloc_active"].append(self.bloc_active.copy())
        if self.record:
            h["valued"].append(self.valued.astype(np.int8))
            h["instruments"].append(self.valued_instruments)
            h["threat"].append(self.threat)  # an input: shared, never changed in place

    # -- explanation helpers -------------------------------------------------------------
    def _pair_drivers(self, t: int, since_last_year: bool, batch: PairChanges) -> list[str]:
        """Driver text of year ``t``'s changes of pair levels (:func:`sim.drivers.pair_drivers`),
        with what moved most since the year before when ``since_last_year``."""
        comps = self.history["components"]
        previous = comps[t - 1] if since_last_year and t > 0 else None
        return pair_drivers(self.ids, batch.i, batch.j, comps[t], self.utility_weights, previous)

    def bloc_drivers(self, i: int, b_i: int, t: int, scored: np.ndarray, top: int = 3) -> str:
        """Why state i joined or left a bloc in year ``t``: its strongest components toward the
        partners that its score counts (``scored``: the members before the year's changes, as
        the rule saw them), weighted as the score weights them (the leaders by power, or the patron
        against the orbit power for a grouping outside a power's orbit)."""
        power = self.inputs.power[t]
        if self.charters.counter_orbit[b_i]:
            weights = {int(np.argmax(self.patrons[:, b_i])): 1.0, int(np.argmax(self.charters.orbit[:, b_i])): -1.0}
        else:  # the leading members, or, for the leader itself, all it leads (blocs.bloc_scores)
            counted = scored[:, b_i] | self.patrons[:, b_i]
            lead = blocs.leading(counted[:, None], power)[:, 0]
            others = [m for m in np.nonzero(lead)[0] if m != i] or [m for m in np.nonzero(counted)[0] if m != i]
            total = float(sum(power[m] for m in others))
            weights = {m: float(power[m]) / total for m in others} if total > 0 else {}
        if not weights:
            return ""
        partners = np.array(list(weights))
        toward = self._on_the_merits(weighted_at(self.history["components"][t], self.utility_weights,
                                                 np.full(len(partners), i), partners))
        score = toward @ np.array(list(weights.values()))
        return f"{self.ids[i]}: {side_texts(score[:, None], None, top)[0]}"

    def expulsion_drivers(self, i: int, b_i: int, t: int, scored: np.ndarray, top: int = 3) -> str:
        """Why a bloc expelled state i in year ``t``: the strongest remaining member's
        components toward it (acceptance is the leading members' view, the strongest's weighing most)."""
        others = [m for m in np.nonzero(scored[:, b_i])[0] if m != i]
        if not others:
            return ""
        power = self.inputs.power[t]
        lead = max(others, key=lambda m: power[m])
        now = self._on_the_merits(weighted_at(self.history["components"][t], self.utility_weights,
                                              np.array([lead]), np.array([i])))
        return f"{self.ids[lead]} toward {self.ids[i]}: {side_texts(now, None, top)[0]}"

    @staticmethod
    def _on_the_merits(weighted: np.ndarray) -> np.ndarray:
        """Membership is judged without the pull of the obligations already held
        (:meth:`choose_levels`), so that pull is no driver of a join, an exit or an expulsion."""
        weighted[utility.COMPONENTS.index("commitment")] = 0.0
        return weighted

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

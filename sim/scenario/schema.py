"""Scenario files: the human-edited description of a state system and what to run.

A scenario names the states (inline or from a file), the mechanism and its weights, the
time span, the blocs, dated events that change *inputs* (perceptions, capabilities,
doctrines, leaders, bloc foundings) and the outputs wanted. It never sets the alignment
outcome a historical run is meant to explain: alignment levels appear only as initial
conditions at the first year.

Validation is done by pydantic models with ``extra="forbid"`` so that a misspelt key is an
error rather than a silently ignored setting. Every error becomes a
:class:`sim.errors.InputError` naming the file, the YAML line where the offending value
sits, the field and what was expected.
"""

from __future__ import annotations

import copy
import json
import math
import os
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (BaseModel, ConfigDict, Field, ValidationError, field_validator, model_serializer,
                      model_validator)
from pydantic_core import PydanticCustomError

from sim.errors import InputError
from sim.files import line_map, nearest_line, yaml_line
from sim.scenario.kind import kind_of, other_file_kind
from sim.scenario.limits import EVENT_ALIASES, field_as_written

# ---------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------

#: The rule of every state, bloc and actor id (landscape actors too): a letter, then letters,
#: digits or underscores, so that ids can be joined with spaces, "|" and commas in tables.
ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
ID_MAX_LENGTH = 32
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=ID_MAX_LENGTH)]
Unit = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
NonNeg = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Year = Annotated[int, Field(ge=-5000, le=5000)]


def _types_in(ann: Any) -> set:
    """Every type named in an annotation (through Optional, unions, Annotated, lists)."""
    out = {ann}
    for arg in getattr(ann, "__args__", ()) or ():
        out |= _types_in(arg)
    origin = getattr(ann, "__origin__", None)
    if origin is not None:
        out |= _types_in(origin)
    return out


class _Strict(BaseModel):
    # A string under a field is its description in the JSON Schema editors show
    # (``alliance-sim schema``); every field has one (tests/test_scenario_files.py).
    model_config = ConfigDict(extra="forbid", validate_default=True, use_attribute_docstrings=True, frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean_numbers(cls, value: Any, info) -> Any:
        """``true`` where a number is expected is a mistake, not the number 1."""
        if isinstance(value, bool) and info.field_name in cls.model_fields:
            types = _types_in(cls.model_fields[info.field_name].annotation)
            if bool not in types and Any not in types and types & {int, float}:
                raise ValueError("a number, not true or false")
        return value


class Capital(_Strict):
    """Capital coordinates, in degrees; used for proximity and for drawing the map."""

    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    """Latitude of the capital in degrees, -90 (south) to 90 (north)."""
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
    """Longitude of the capital in degrees, -180 (west) to 180 (east)."""


class Doctrine(_Strict):
    """Standing foreign-policy dispositions of a state (each left empty: the inputs table, else 0)."""

    neutral: bool | None = None
    """Permanent neutrality: no level above mechanism.neutral_max_level with anyone, no
    alliance treaty, no collective-defence bloc."""
    multi_vector: Unit | None = None
    """Multi-vector policy, 0-1: dislike of any one relationship standing above the others,
    and a pull toward other strong states as counterweights (the autonomy component)."""
    autonomy: Unit | None = None
    """Sensitivity to domination and entrapment by a stronger partner, 0-1 (the autonomy
    component: a cost of aligning with a stronger state)."""
    bandwagon: Unit | None = None
    """Propensity to side with an overwhelming close threat rather than balance against it,
    0-1 (0: never bandwagons; the bandwagon component needs it above 0)."""


class StateSpec(_Strict):
    """One state. Fields left empty are taken from the scenario's input tables."""

    id: Id
    """Short identifier used everywhere else in the scenario (letters, digits, underscore;
    at most 32 characters), e.g. a COW abbreviation such as RUS."""
    name: str | None = None
    """Name shown in reports and figures (default: the id)."""
    power: NonNeg | None = None
    """Aggregate capability, above 0, in any unit (e.g. a CINC share; 1.45 is as valid): only
    ratios between states count, because threat uses each state's share of the power it
    faces. Needed for every state unless inputs.states gives it."""
    offense: NonNeg | None = None
    """Offensive capability, 0 or more, in the unit of power (default: equal to power)."""
    economy: NonNeg | None = None
    """Economic size, 0 or more, in the unit of power (default: equal to power)."""
    capital: Capital | None = None
    """Capital coordinates: distances between capitals give proximity where pairs give no
    distance_km or contiguity."""
    ideology: list[Finite] | None = None
    """Value positions (regime type and other dimensions), one number per dimension, the same
    length for every state; the ideology component is 1 for identical vectors and -1 at a
    distance of mechanism.ideology_scale or more."""
    interests: list[Finite] | None = None
    """Interest positions (e.g. UN ideal points), the same length for every state; pairs
    without an interests value get 1 - 2 min(1, distance / mechanism.interest_scale)."""
    intent: Unit | None = Field(
        None, description="Aggressive intent, 0-1, that every other state perceives in this one by default "
        "(the intent source of threat).")
    perceives: dict[Id, Unit] = Field(
        default_factory=dict, description="This state's perception of others' aggressive intent, "
        "0-1, by state id; overrides their 'intent'.")
    doctrine: Doctrine = Field(default_factory=Doctrine, description="Standing foreign-policy "
                               "dispositions: neutrality, multi-vector policy, autonomy, bandwagoning.")
    leader: str | None = None
    """Name of the leader (reports and explanations; events of field 'leader' change it)."""


class PairSpec(_Strict):
    """Dyadic inputs for one pair. Symmetric fields apply both ways; ``trade`` and
    ``intent`` are directed (a's dependence on b, a's perception of b) unless ``mutual``."""

    a: Id
    """First state of the pair (an id from 'states')."""
    b: Id
    """Second state of the pair (an id from 'states', not a)."""
    interests: Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)] | None = None
    """Convergence of interests, -1 (opposed) to 1 (identical): the interests component."""
    trade: Unit | None = None
    """Trade dependence of a on b, 0-1 (both ways if mutual): the economy component."""
    intent: Unit | None = None
    """Aggressive intent a perceives in b, 0-1 (both ways if mutual): the intent source of threat."""
    contiguity: bool | None = None
    """Whether the two share a land border (closeness 1 for proximity)."""
    distance_km: NonNeg | None = None
    """Distance between the two in km, 0 to 20,100 (default: between their capitals);
    closeness is exp(-distance / mechanism.proximity_km)."""
    initial_de_facto: Annotated[int, Field(ge=-2, le=3)] | None = None
    """De facto level in the first year: -2 militarised, -1 tense, 0 distant (default),
    1 cooperative, 2 close partnership, 3 active alliance."""
    initial_de_jure: Annotated[int, Field(ge=-1, le=3)] | None = None
    """Bilateral instrument in force in the first year: -1 hostile instrument, 0 none
    (default), 1 friendship / cooperation, 2 strategic partnership (basing included), 3 alliance
    treaty (the level names of sim/levels.py)."""
    mutual: bool = True
    """Whether the directed values (trade, intent) hold both ways (default true)."""


class Pairs(_Strict):
    """Dyadic inputs and initial levels, from a CSV and/or inline (inline adds to the CSV)."""

    csv: str | None = Field(None, description="CSV with columns a,b and any PairSpec field (optionally "
                            "year: the value holds from that year on), relative to the scenario file.")
    values: list[PairSpec] = Field(default_factory=list, description="Inline pair entries, one per pair.")


class Inputs(_Strict):
    """Time-varying calibrated tables (see ``alliance-sim calibrate``)."""

    states: str | None = Field(None, description="State-year CSV (state,year,power,offense,economy,lat,lon,"
                               "democracy,ideology_*,neutral,multi_vector,autonomy,bandwagon,leader), "
                               "relative to the scenario file; inline state fields override it.")
    dyads: str | None = Field(None, description="Directed dyad-year CSV (a,b,year,interests,trade,intent,"
                              "distance_km,contiguity), relative to the scenario file.")


class ThreatWeights(_Strict):
    """Walt's four sources of threat. Weights are normalised to sum to one.

    ``preset`` gives a starting point (``balance_of_power``: aggregate power alone;
    ``balance_of_threat``: all four equally); explicit weights in the same mapping replace
    the preset's; ``mix`` then moves linearly from pure balance of power (0) to that
    weighting (1). A preset set later (``--set``, a counterfactual's ``set``) replaces the
    file's explicit weights (see :func:`apply_overrides`).
    """

    preset: Literal["balance_of_power", "balance_of_threat"] | None = "balance_of_threat"
    """Starting weights: balance_of_power (power 1, the rest 0) or balance_of_threat (1/4
    each, the default). Explicit weights beside it replace the preset's; a preset given by
    --set or a counterfactual's 'set' replaces the file's explicit weights."""
    mix: Unit | None = None
    """0-1: moves linearly from pure balance of power (0) to the weighting above (1);
    empty: the weighting above as it is."""
    power: NonNeg | None = None
    """Weight of aggregate power (j's share of the power i faces), 0 or more, before normalising."""
    proximity: NonNeg | None = None
    """Weight of proximity (closeness times relative power), 0 or more, before normalising;
    needs capitals, distances or contiguity."""
    offense: NonNeg | None = None
    """Weight of offensive capability (share of offense, times closeness), 0 or more, before normalising."""
    intent: NonNeg | None = None
    """Weight of perceived aggressive intent, 0 or more, before normalising; needs intent
    inputs (states' intent or perceives, pairs' intent, intent events)."""


class UtilityWeights(_Strict):
    """Weights of the alignment-utility components (see ``sim.mechanisms.utility``)."""

    security: NonNeg = 1.0
    """Weight of the help a partner gives against one's threats, 0 or more (default 1)."""
    balancing: NonNeg = 1.0
    """Weight of pushing away from the states that threaten one most, 0 or more (default 1)."""
    bandwagon: NonNeg = 1.0
    """Weight of siding with an overwhelming close threat, 0 or more (default 1); acts only
    for states with doctrine.bandwagon above 0."""
    ideology: NonNeg = 0.5
    """Weight of shared values, 0 or more (default 0.5); acts only when states have ideology
    vectors (states[*].ideology or democracy/ideology_* columns of inputs.states)."""
    interests: NonNeg = 0.5
    """Weight of convergent interests, 0 or more (default 0.5); acts only with interests inputs
    (pairs' interests, states' interests vectors, the inputs.dyads table)."""
    economy: NonNeg = 0.5
    """Weight of trade dependence, 0 or more (default 0.5); acts only with trade inputs."""
    disputes: NonNeg = Field(0.5, description="Weight of open disputes between the two, 0 or more (default "
                             "0.5); acts only with 'dispute' events (severity 0-1).")
    autonomy: NonNeg = 0.5
    """Weight of the cost of depending on a stronger partner and of multi-vector balancing,
    0 or more (default 0.5); acts only for states with doctrine autonomy or multi_vector above 0."""
    commitment: NonNeg = 0.0
    """Weight of the obligations in force, 0 or more (default 0: left out): what a pair signed
    pulls its practice. Obligations run 0-1: a bilateral instrument's level / 3 (0 for a
    hostile one: sanctions are no pledge); a bloc binds its members chiefly to its leading power. Acts only when the
    scenario has instruments or blocs."""
    inertia: NonNeg = 0.5
    """Weight of the pull of the current de facto level (status-quo bias), 0 or more (default 0.5)."""


class Mechanism(_Strict):
    """How states turn inputs into alignment choices; every number is a model parameter."""

    kind: Literal["agent", "landscape"] = "agent"
    """agent (the default: states choosing levels year by year) or landscape (an
    Axelrod-Bennett landscape file, run with 'alliance-sim landscape')."""
    threat: ThreatWeights = Field(default_factory=ThreatWeights, description="Weights of the four "
                                  "sources of threat (balance of power to balance of threat).")
    utility: UtilityWeights = Field(default_factory=UtilityWeights, description="Weights of the "
                                    "components of the utility of aligning with a partner.")
    temperature: NonNeg = Field(0.2, description="Gumbel (logit) noise of level choices, 0 or more, in "
                                "units of the choice value (0 = none, deterministic; default 0.2).")
    level_gain: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        3.0, description="Levels per unit of net utility: the wanted level is normal_level + level_gain "
        "times the utility, clipped to -2..3 (above 0; default 3).")
    normal_level: Annotated[float, Field(ge=-1, le=2, allow_inf_nan=False)] = Field(
        0.0, description="Level a pair settles at when nothing pulls it either way (0 distant, "
        "1 the ordinary cooperation of normal diplomatic relations); -1 to 2 (default 0).")
    adjustment_rate: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = Field(
        0.5, description="Share of the gap to the agreed level closed each year, above 0 "
        "up to 1 (1: no inertia; default 0.5).")
    switching_cost: NonNeg = Field(0.0, description="What moving a relation off its practised de facto "
                                   "level costs a state, in units of the choice value: a status-quo bias "
                                   "(0 or more; default 0, none).")
    proximity_km: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        1500.0, description="Distance in km at which closeness falls to 1/e for non-contiguous "
        "states, at least 1 (default 1500).")
    ideology_scale: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0
    """Distance between ideology vectors at which affinity reaches -1, in their units (above 0; default 1)."""
    interest_scale: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 2.0
    """Distance between interest vectors at which convergence reaches -1, in their units (above 0; default 2)."""
    formalise_years: Annotated[int, Field(ge=1, le=50)] = 3
    """Consecutive years a pair must want and practise a higher level before a bilateral
    instrument is signed (or a hostile one imposed), 1-50 (default 3)."""
    denounce_years: Annotated[int, Field(ge=1, le=50)] = 2
    """Consecutive years one side must want level -1 or below before it denounces an
    instrument (and years below the leave margin before a bloc exit), 1-50 (default 2)."""
    lapse_years: Annotated[int, Field(ge=1, le=200)] | None = None
    """Years an instrument may stay paper_gap or more above the de facto level before it
    lapses, 1-200; empty (the default): instruments never lapse."""
    paper_gap: Annotated[int, Field(ge=1, le=5)] = 2
    """Levels by which de jure must exceed de facto for a paper alliance (and for lapsing), 1-5 (default 2)."""
    neutral_max_level: Annotated[int, Field(ge=0, le=3)] = 1
    """Highest level a neutral state may want with anyone, 0-3 (default 1, cooperative)."""
    sanction_power_share: Unit = Field(
        0.0, description="Least share of the system's power, 0-1, a state needs to impose a hostile "
                         "instrument (sanctions); 0 (the default) lets every state impose them.")
    bloc_join_margin: Finite = Field(1.0, description="Join a bloc when the power-weighted mean wanted level "
                                     "toward its leading members (the strongest and any with half its power) is at "
                                     "least its commitment less this margin, in levels (default 1).")
    bloc_leave_margin: Finite = Field(2.0, description="Leave a bloc when that mean has been below its "
                                      "commitment less this margin for denounce_years, in levels (default 2).")
    bloc_consent: Annotated[float, Field(ge=-2, le=3, allow_inf_nan=False)] = 1.0
    """Least power-weighted mean level, -2 to 3, that the leading members of a bloc with
    obligations (collective defence, economic union, security forum) must want toward an
    applicant to admit it (default 1: they want to cooperate with it; forums and groupings
    outside an orbit ask no consent). They expel a member (never the bloc's strongest) toward
    which they have been hostile (below 0) for denounce_years."""
    natural_threshold: Unit = 0.3
    """Least mean ideology affinity and interest convergence, 0-1, for a values-driven pair to
    count as natural allies (classification only; default 0.3)."""
    shared_threat_threshold: Unit = 0.3
    """Least shared threat, 0-1, for a threat-driven pair to count as strategic partners
    (classification only; default 0.3)."""


class BlocSpec(_Strict):
    """A multilateral bloc. Founders are members from ``founded``; others join on scores."""

    id: Id
    """Short identifier of the bloc (e.g. CSTO), used by events and reports."""
    name: str | None = None
    """Full name shown in reports (default: the id)."""
    level: Annotated[int, Field(ge=1, le=3)] = 3
    """De jure level that common membership gives a pair of members: 1 cooperation
    organisation, 2 strategic partnership, 3 collective defence (default 3)."""
    founded: Year | None = None
    """Year the bloc is founded, within the time span (empty: it exists from the start).
    For an organisation older than its part in the scenario, the year it enters the scenario
    with its 'founders' as members, and 'established' gives its real founding."""
    established: Year | None = None
    """Year the organisation itself was founded, when that is before it enters the scenario
    ('founded', or the first year): e.g. 1975 (Helsinki Final Act) for a CSCE that enters a
    1991 scenario in 1992, when the new states could join it. The event log then reports
    the bloc as entering the scenario that year, not as founded in it; membership and
    scoring are as with 'founded' alone (empty: founded in its 'founded' year)."""
    dissolved: Year | None = None
    """Year the bloc is dissolved, after 'founded' (empty: never)."""
    founders: list[Id] = Field(default_factory=list)
    """States that are members from the founding year on (ids from 'states')."""
    patron: Id | None = Field(None, description="Outside sponsor whose relations count in joining.")
    eligible: list[Id] | None = Field(
        None, description="States the bloc's charter admits (default: every state).")
    eligible_from: dict[Id, Year] = Field(
        default_factory=dict, description="First year the charter admits a state that it opened to "
        "only later (a dated change of the charter, an input: e.g. the SCO's 2001 declaration opening "
        "the Shanghai Five's border agreement to Uzbekistan); other states are eligible from the founding.")
    charter: Literal["collective_defence", "economic_union", "security_forum", "forum",
                     "counter_orbit"] | None = Field(
        None, description="What membership commits a state to, which sets how it is valued: "
        "collective_defence (an alliance with the leading members, commitment 3), economic_union "
        "(a customs union under a leading economy, commitment 2), security_forum (regular security "
        "consultation, commitment 1), forum (non-hostility suffices, commitment 0), counter_orbit "
        "(a grouping outside a power's orbit: valued by the relation with the patron against the "
        "relation with the orbit power). Default: commitment equal to the bloc's level.")
    orbit: Id | None = Field(
        None, description="For a counter_orbit bloc: the power whose orbit the grouping stands outside.")
    context_members: list[str] = Field(
        default_factory=list, description="Founders or members from outside the scenario's states "
        "(e.g. Georgia, Ukraine, Azerbaijan and Moldova for GUUAM); named for the record, not modelled.")
    source: str | None = None
    """Where the bloc's dates and membership come from (a citation)."""


Op = Literal["set", "add", "mul"]

#: A state's number inputs (:mod:`sim.scenario.inputs` builds them; effects change them).
STATE_FIELDS = ("power", "offense", "economy", "multi_vector", "autonomy", "bandwagon")
#: Dyadic input fields, as named in the tables; ``distance_km`` becomes ``InputArrays.distance``.
DYAD_FIELDS = ("interests", "trade", "intent", "distance_km", "contiguity")
#: The keys each kind of effect takes besides ``field`` and ``value`` (see
#: :func:`sim.scenario.inputs.apply_effect`, which reads these and no others), and the
#: fields whose value replaces the input whole (only ``op: set`` applies to them).
_PAIR_FIELDS = DYAD_FIELDS + ("dispute",)
_EFFECT_KEYS: dict[str, tuple[str, ...]] = {
    **{f: ("state", "op") for f in STATE_FIELDS},
    "ideology": ("state", "op", "index"),
    **{f: ("state", "op") for f in ("neutral", "leader", "government")},
    **{f: ("op", "observer", "target", "a", "b", "directed") for f in _PAIR_FIELDS},
    "bloc": ("bloc", "op"),
}
_SET_ONLY_FIELDS = ("neutral", "leader", "government", "bloc")
#: The pydantic error type of an effect key that does not apply (its context names the key).
EFFECT_KEY_ERROR = "effect_key"


def _an(field: str) -> str:
    """"a 'power' effect", "an 'intent' effect"."""
    return f"{'an' if field[0] in 'aeiou' else 'a'} '{field}' effect"


def _effect_keys_text(field: str) -> str:
    """The keys a ``field`` effect takes, in words, for refusals."""
    an = _an(field)
    if field in _PAIR_FIELDS:
        return f"{an} takes observer and target, or a and b and perhaps directed; and op and value"
    if field in _SET_ONLY_FIELDS:
        return f"{an} takes {'bloc' if field == 'bloc' else 'state'} and value, and op set only"
    return f"{an} takes " + ", ".join(_EFFECT_KEYS[field]) + " and value"


class Effect(_Strict):
    """One change to an input. State fields take ``state``; dyadic fields take
    ``observer``/``target`` (directed) or ``a``/``b`` (symmetric unless ``directed``)."""

    field: Literal["power", "offense", "economy", "neutral", "multi_vector", "autonomy",
                   "bandwagon", "leader", "government", "ideology", "intent", "interests", "trade",
                   "contiguity", "distance_km", "dispute", "bloc"]
    """The input changed. State fields (need 'state'): power, offense, economy (0 or more),
    neutral (true/false), multi_vector, autonomy, bandwagon (0-1), leader, government (a
    name), ideology (one dimension, see 'index'). Pair fields (need observer/target or a/b):
    intent, trade, dispute, contiguity (0-1), interests (-1 to 1), distance_km (0 to 20,100).
    bloc: found or dissolve the bloc named in 'bloc'. Alignment levels are never inputs."""
    op: Op = "set"
    """set (the value replaces the input; it must lie in the field's range), add (the value
    is added; on a 0-1 or -1..1 scale the result stops at the bounds, and a change larger
    than the whole range is refused) or mul (the input is multiplied by the value, 0 or more)."""
    value: Any = None
    """The number to set, add or multiply by (in the field's units); true/false for neutral;
    a name for leader and government; found or dissolve for bloc."""
    state: Id | list[Id] | None = None
    """State or states whose input changes (state fields)."""
    index: Annotated[int, Field(ge=0)] = 0
    """For ideology: which dimension of the ideology vector changes (0 = the first)."""
    observer: Id | list[Id] | Literal["all"] | None = None
    """Directed pair fields: the state(s) whose view changes (e.g. who perceives intent), or all."""
    target: Id | list[Id] | None = None
    """Directed pair fields: the state(s) viewed (e.g. whose intent is perceived)."""
    a: Id | None = None
    """Pair fields: one state of the pair (with b; both directions unless 'directed')."""
    b: Id | None = None
    """Pair fields: the other state of the pair."""
    directed: bool = False
    """With a/b: change only a's view of b (default false: both directions)."""
    bloc: Id | None = None
    """For field bloc: the id of the bloc founded or dissolved (from 'blocs')."""

    @model_validator(mode="after")
    def _keys_apply(self) -> "Effect":
        """A key the effect's field does not read (a target on a power effect, a state on a
        pair field, ``op: mul`` on a leader) would be ignored without a word; it is refused
        here, by name. What counts is the keys written, not their values: ``index: 0`` on a
        power effect means nothing even though 0 is index's default, and a check on values
        let such a key through. Scenarios rebuilt from a dump (sweeps, fits) still load,
        because an effect's dump leaves these keys out (:meth:`_dump`)."""
        for key in type(self).model_fields:  # in the order the fields are declared
            if key in ("field", "value") or key not in self.model_fields_set:
                continue
            value = getattr(self, key)
            if key not in _EFFECT_KEYS[self.field]:
                problem = f"no '{key}' key here ({_effect_keys_text(self.field)})"
            elif key == "op" and self.field in _SET_ONLY_FIELDS and value != "set":
                does = "founds or dissolves its bloc" if self.field == "bloc" else "replaces the input with its value"
                problem = f"op set, or no op ({_an(self.field)} {does}, so {value} does not apply)"
            elif key in ("a", "b", "directed") and (self.observer is not None or self.target is not None):
                problem = (f"no '{key}' key beside observer and target ({_an(self.field)} takes either observer "
                           f"and target or a and b; with both, {key} would be ignored)")
            else:
                continue
            raise PydanticCustomError(EFFECT_KEY_ERROR, "{problem}",
                                      {"problem": problem, "key": key, "got": value})
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler) -> dict[str, Any]:
        """The effect as a mapping, without the keys its field does not read.

        Those keys can only hold their defaults (:meth:`_keys_apply` refuses anything
        else), so leaving them out loses nothing; writing them in would make a dumped
        scenario (a sweep's or a fit's base, rebuilt with every default) read as if the
        user had written them, and :meth:`_keys_apply` would refuse it.
        """
        data = handler(self)
        if not isinstance(data, dict):
            return data
        drop = set(type(self).model_fields) - {"field", "value"} - set(_EFFECT_KEYS[self.field])
        if self.observer is not None or self.target is not None:
            drop |= {"a", "b", "directed"}
        return {k: v for k, v in data.items() if k not in drop}

    @model_validator(mode="after")
    def _check_targets(self) -> "Effect":
        if self.field in ("power", "offense", "economy", "neutral", "multi_vector", "autonomy",
                          "bandwagon", "leader", "government", "ideology"):
            if self.state is None:
                raise ValueError(f"'state' for a '{self.field}' effect")
        elif self.field == "bloc":
            if self.bloc is None or self.value not in ("found", "dissolve"):
                raise ValueError("'bloc' and value 'found' or 'dissolve' for a 'bloc' effect")
        else:
            has_dir = self.observer is not None and self.target is not None
            has_pair = self.a is not None and self.b is not None
            if not (has_dir or has_pair):
                raise ValueError(f"'observer' and 'target', or 'a' and 'b', for a '{self.field}' effect")
        if self.field in ("leader", "government"):
            if not isinstance(self.value, str):
                raise ValueError(f"a name as the value of a '{self.field}' effect")
        elif self.field == "neutral":
            if not isinstance(self.value, bool):
                raise ValueError("true or false as the value of a 'neutral' effect")
        elif self.field != "bloc":
            if isinstance(self.value, bool) or not isinstance(self.value, (int, float)) \
                    or not math.isfinite(self.value):
                raise ValueError(f"a finite number as the value of a '{self.field}' effect")
        return self


class EventSpec(_Strict):
    """A dated change of inputs, with the evidence behind it."""

    year: Year
    """Year the effects start, a simulated year within the time span."""
    name: str
    """Name of the event, shown in reports and explanations; a counterfactual's drop_events
    names events by it, so no two events of a scenario share one."""
    kind: Literal["perception", "capability", "doctrine", "leader", "government", "dispute",
                  "shock", "interest", "bloc", "economic"] = "shock"
    """What kind of change this is (for reports; the effects say what changes). Default shock."""
    until: Year | None = Field(None, description="First year the effects no longer apply (the inputs go "
                               "back to what they were); empty: to the end of the run.")
    source: str | None = None
    """The evidence behind the event (a citation)."""
    effects: list[Effect] = Field(min_length=1)
    """The changes of inputs, one or more, applied in order."""

    @model_validator(mode="after")
    def _check_until(self) -> "EventSpec":
        if self.until is not None and self.until <= self.year:
            raise ValueError("'until' later than 'year'")
        return self


class TimeSpec(_Strict):
    """The simulated span: one step per 'step' years from start to end."""

    start: Year
    """First year; it holds the initial conditions (-5000 to 5000)."""
    end: Year
    """Last year, inclusive, not before start; at most 1000 years after it."""
    step: Annotated[int, Field(ge=1, le=100)] = 1
    """Years per step, 1-100 (default 1)."""

    @model_validator(mode="after")
    def _check(self) -> "TimeSpec":
        if self.end < self.start:
            raise ValueError("'end' no earlier than 'start'")
        return self


class Outputs(_Strict):
    """What a run folder shows besides its tables."""

    snapshots: list[Year] = Field(default_factory=list)
    """Years of the network snapshots figure (years within the span; default: spread over it).
    The run's last year is always drawn too, so that the figure ends where the run's
    end-state table and heatmap do."""
    pairs: list[tuple[Id, Id]] = Field(default_factory=list)
    """Pairs [a, b] followed in the terminal summary, the pair figures and the sweep metrics."""
    plots: bool = True
    """Draw the run's figures (default true; 'run --no-plots' skips them)."""
    report: bool = True
    """Write report.md (default true)."""


class ThreatSource(_Strict):
    """A threat that is not a state: an armed movement that can be feared but not courted.

    It enters every state's threat picture (and so the security value of partners who
    face it too) but is never a partner, never in a bloc and never scored. One entry per
    spell; the same id may come back in later, non-overlapping spells.
    """

    id: Id
    """Identifier of the threat source (not a state id); spells of one source share it."""
    name: str | None = None
    """Name shown in reports (default: the id)."""
    base: Id = Field(description="The state on whose territory it operates: distances run "
                     "from that state's capital, and its neighbours count as contiguous.")
    start: Year
    """First year of the spell."""
    end: Year = Field(description="Last year of the spell, inclusive.")
    power: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = Field(
        description="Aggregate capability, 0-1, on the scale of the states' power "
                    "(a CINC-like share).")
    offense: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = Field(
        description="Offensive capability, 0-1, on the scale of the states' offense.")
    intent: dict[Id, Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]] = Field(
        default_factory=dict, description="Aggressive intent toward each state, 0-1 (states not "
        "listed: 'default').")
    default_intent: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.0
    """Aggressive intent, 0-1, toward states not listed in 'intent' (default 0)."""
    source: str | None = None
    """The evidence behind the spell (a citation)."""


# Scenarios are frozen, as every part of them is (``_Strict``): checks that span fields, and
# the input arrays built from a scenario and kept on it, would not see an edit made after
# loading. Change one with ``apply_overrides`` on its data, as ``--set`` does. (A comment, not
# the docstring: the docstring is the description editors show for scenario files.)
class Scenario(_Strict):
    """A complete scenario. See ``alliance-sim schema`` for the JSON Schema."""

    name: Id
    """Identifier of the scenario (letters, digits, underscore): names run folders (runs/NAME-seedN)."""
    description: str | None = None
    """One or two sentences on what the scenario represents."""
    time: TimeSpec
    """The simulated span."""
    mechanism: Mechanism = Field(default_factory=Mechanism)
    """How states turn inputs into alignment choices: every model parameter."""
    states: list[StateSpec] = Field(min_length=2)
    """The states, two or more (or the path of a CSV or YAML file listing them)."""
    inputs: Inputs = Field(default_factory=Inputs)
    """Calibrated state-year and dyad-year tables (see 'alliance-sim calibrate')."""
    pairs: Pairs = Field(default_factory=Pairs)
    """Dyadic inputs and initial levels."""
    blocs: list[BlocSpec] = Field(default_factory=list)
    """Multilateral blocs (alliances, unions, forums)."""
    events: list[EventSpec] = Field(default_factory=list)
    """Dated changes of inputs, with their evidence."""
    threat_sources: list[ThreatSource] = Field(
        default_factory=list, description="Threats that are not states (armed movements).")
    outputs: Outputs = Field(default_factory=Outputs)
    """Figures, report and the pairs followed by a run."""
    reference: str | None = Field(None, description="Reference timeline CSV (pairs, years, levels) for validation and overlays.")
    bloc_reference: str | None = Field(
        None, description="Bloc membership reference CSV (state, bloc, year, member) for validation.")
    patterns: str | None = Field(
        None, description="Documented patterns YAML (claims checked on every run) for validation.")
    landscape: dict[str, Any] | None = Field(
        None, description="Landscape-theory settings when mechanism.kind is 'landscape'.")

    @field_validator("states")
    @classmethod
    def _unique_states(cls, states: list[StateSpec]) -> list[StateSpec]:
        seen: set[str] = set()
        for i, s in enumerate(states):
            if s.id in seen:
                raise ValueError(f"unique state ids, but '{s.id}' appears again at states[{i}]")
            seen.add(s.id)
        return states

    # Where the scenario was read from; relative paths inside it resolve against this.
    _base_dir: Path = Path(".")
    _source: str = "<dict>"
    _arrays: Any = None  # the built inputs, kept on the object for repeated runs
    _places: dict = {}  # (file, line) of each key path: the file that wrote it (a base's, if inherited)
    _event_aliases: dict = {}  # merged event index -> 'add_events[i]', as the file names it
    _read_from: tuple = ()  # the files it was merged from (itself and any it extends), and a states file

    @property
    def base_dir(self) -> Path:
        return self._base_dir

    @property
    def source(self) -> str:
        return self._source

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.states]

    @property
    def years(self) -> list[int]:
        return list(range(self.time.start, self.time.end + 1, self.time.step))

    def input_files(self) -> list[Path]:
        """Every file a run of the scenario reads: its own file, any it extends, and each
        table it names. A run folder may be written over none of them, even with
        ``--overwrite`` (:func:`sim.run.outdir.check_out_dir`)."""
        named = []  # the paths a scenario file may name (_PATH_FIELDS, which extends rebases too)
        for keys in _PATH_FIELDS:
            value = self
            for key in keys:
                value = getattr(value, key, None)
            if isinstance(value, str) and value:  # 'states' is a file only in the file, a list here
                named.append(value)
        return [Path(f) for f in self._read_from] + [self.resolve(v) for v in named]

    def resolve(self, path: str) -> Path:
        """Resolve a path written in the scenario relative to the scenario's folder."""
        p = Path(path)
        if p.is_absolute():
            return p
        # Paths are relative to the scenario file; fall back to the working directory so
        # scenarios that name project folders (``seeds/...``) work from the project root.
        candidate = self._base_dir / p
        if candidate.exists() or not p.exists():
            return candidate
        return p


# ---------------------------------------------------------------------------------------
# Semantic checks that need the whole scenario
# ---------------------------------------------------------------------------------------


class _Errors(list):
    """Collects ``(location, field, expected, got)`` tuples for one scenario."""

    def __init__(self, sc: Scenario):
        super().__init__()
        self.ids = set(sc.ids)
        self.span = (sc.time.start, sc.time.end)

    def add(self, loc: tuple, field: str, expected: str, got: Any) -> None:
        self.append((loc, field, expected, got))

    def known(self, loc: tuple, field: str, value: Any) -> None:
        """Every state named in ``value`` (one id or a list; "all" and None pass) is declared."""
        for v in value if isinstance(value, list) else [value]:
            if v is not None and v != "all" and v not in self.ids:
                self.add(loc, field, f"a state id declared in 'states' ({', '.join(sorted(self.ids))})", v)

    def in_span(self, loc: tuple, field: str, year: int | None) -> None:
        lo, hi = self.span
        if year is not None and not (lo <= year <= hi):
            self.add(loc, field, f"a year within the time span {lo}-{hi}", year)


def _semantic_errors(sc: Scenario) -> list[tuple[tuple, str, str, Any]]:
    """Cross-field checks. Returns (location, field, expected, got) tuples, in file order."""
    errs = _Errors(sc)
    for check in (_check_states_and_pairs, _check_blocs, _check_threat_sources, _check_events,
                  _check_outputs, _check_mechanism):
        check(sc, errs)
    return list(errs)


def _check_states_and_pairs(sc: Scenario, errs: _Errors) -> None:
    for i, s in enumerate(sc.states):
        for other in s.perceives:
            errs.known(("states", i, "perceives", other), f"states[{i}].perceives", other)
    for i, p in enumerate(sc.pairs.values):
        errs.known(("pairs", "values", i, "a"), f"pairs.values[{i}].a", p.a)
        errs.known(("pairs", "values", i, "b"), f"pairs.values[{i}].b", p.b)
        if p.a == p.b:
            errs.add(("pairs", "values", i, "b"), f"pairs.values[{i}].b", "a state other than 'a'", p.b)


def _check_blocs(sc: Scenario, errs: _Errors) -> None:
    seen_blocs: set[str] = set()
    for i, b in enumerate(sc.blocs):
        if b.id in seen_blocs:
            errs.add(("blocs", i, "id"), f"blocs[{i}].id", "a unique bloc id", b.id)
        seen_blocs.add(b.id)
        for j, f in enumerate(b.founders):
            errs.known(("blocs", i, "founders", j), f"blocs[{i}].founders[{j}]", f)
        errs.known(("blocs", i, "patron"), f"blocs[{i}].patron", b.patron)
        for j, e in enumerate(b.eligible or []):
            errs.known(("blocs", i, "eligible", j), f"blocs[{i}].eligible[{j}]", e)
        for key in ("founded", "dissolved"):
            errs.in_span(("blocs", i, key), f"blocs[{i}].{key}", getattr(b, key))
        for e, year in b.eligible_from.items():
            where = (("blocs", i, "eligible_from", e), f"blocs[{i}].eligible_from.{e}")
            errs.known(*where, e)
            if year > errs.span[1]:  # earlier than the start: eligible throughout (a run restarted later)
                errs.add(*where, f"a year up to the end of the time span, {errs.span[1]}", year)
            if e in b.founders or (b.eligible is not None and e not in b.eligible):
                errs.add(*where, "a state among the bloc's 'eligible' states and not a founder", e)
        errs.known(("blocs", i, "orbit"), f"blocs[{i}].orbit", b.orbit)
        for j, c in enumerate(b.context_members):  # a scenario state here would be reported, never a member
            if c in errs.ids:
                errs.add(("blocs", i, "context_members", j), f"blocs[{i}].context_members[{j}]",
                         f"a state from outside the scenario ({c} is one of its states: list it among "
                         "'founders' instead to make it a member)", c)
        entry = b.founded if b.founded is not None else errs.span[0]
        if b.established is not None and b.established > entry:
            errs.add(("blocs", i, "established"), f"blocs[{i}].established",
                     f"a year up to the bloc's entry into the scenario ({entry}, its "
                     f"{'founded year' if b.founded is not None else 'first year'}): the year the "
                     "organisation itself was founded, before it enters", b.established)
        if b.founded is not None and not b.founders and not b.context_members:
            errs.add(("blocs", i, "founders"), f"blocs[{i}].founders",
                     "at least one founding member (a state of the scenario, or context_members "
                     "from outside it): a bloc is founded by someone", [])
        if b.charter == "counter_orbit" and (b.patron is None or b.orbit is None):
            errs.add(("blocs", i, "charter"), f"blocs[{i}].charter",
                     "a patron and an orbit power for a counter_orbit bloc", b.charter)


def _check_threat_sources(sc: Scenario, errs: _Errors) -> None:
    for i, ts in enumerate(sc.threat_sources):
        errs.known(("threat_sources", i, "base"), f"threat_sources[{i}].base", ts.base)
        for target in ts.intent:
            errs.known(("threat_sources", i, "intent", target), f"threat_sources[{i}].intent", target)
        if ts.id in errs.ids:
            errs.add(("threat_sources", i, "id"), f"threat_sources[{i}].id",
                     "an id that is not a state's (a threat source is never a partner)", ts.id)
        if ts.end < ts.start:
            errs.add(("threat_sources", i, "end"), f"threat_sources[{i}].end",
                     f"a year not before start ({ts.start})", ts.end)
    spells: dict[str, list[tuple[int, int]]] = {}
    for i, ts in enumerate(sc.threat_sources):
        for lo, hi in spells.get(ts.id, []):
            if ts.start <= hi and lo <= ts.end:
                errs.add(("threat_sources", i, "start"), f"threat_sources[{i}].start",
                         f"a spell of '{ts.id}' that does not overlap its spell {lo}-{hi}", ts.start)
        spells.setdefault(ts.id, []).append((ts.start, ts.end))


def _check_events(sc: Scenario, errs: _Errors) -> None:
    bloc_ids = {b.id for b in sc.blocs}
    first_named: dict[str, int] = {}
    for i, ev in enumerate(sc.events):
        errs.in_span(("events", i, "year"), f"events[{i}].year", ev.year)
        if ev.name in first_named:
            errs.add(("events", i, "name"), f"events[{i}].name",
                     f"a name no other event has ({_event_place(sc, first_named[ev.name])} has it "
                     "already; drop_events and explanations name an event by its name)", ev.name)
        first_named.setdefault(ev.name, i)
        for j, ef in enumerate(ev.effects):
            base = ("events", i, "effects", j)
            for key in ("state", "observer", "target", "a", "b"):
                errs.known(base + (key,), f"events[{i}].effects[{j}].{key}", getattr(ef, key))
            if ef.field == "bloc" and ef.bloc not in bloc_ids:
                errs.add(base + ("bloc",), f"events[{i}].effects[{j}].bloc",
                         "a bloc id declared in 'blocs'", ef.bloc)


def _event_place(sc: Scenario, i: int) -> str:
    """Where the merged scenario's event ``i`` is written, in words: its field as the file
    names it (``add_events[0]`` for an added one) and its line, with the file when the
    event comes from another file than the scenario's own (a base it extends)."""
    field = field_as_written(f"events[{i}]", sc._event_aliases)
    loc = ("events", i, "name")
    while loc and loc not in sc._places:
        loc = loc[:-1]
    file, line = sc._places.get(loc, (sc.source, None)) if loc else (sc.source, None)
    other = os.path.abspath(file) != os.path.abspath(sc.source)
    return field + (f" in {_shown(Path(file))}" if other else "") + (f" on line {line}" if line else "")


def _check_outputs(sc: Scenario, errs: _Errors) -> None:
    for i, (a, b) in enumerate(sc.outputs.pairs):
        errs.known(("outputs", "pairs", i), f"outputs.pairs[{i}]", [a, b])
    simulated = set(sc.years)
    for i, y in enumerate(sc.outputs.snapshots):
        errs.in_span(("outputs", "snapshots", i), f"outputs.snapshots[{i}]", y)
        lo, hi = errs.span
        if lo <= y <= hi and y not in simulated:  # a year between steps has no network to draw
            errs.add(("outputs", "snapshots", i), f"outputs.snapshots[{i}]",
                     f"a simulated year ({lo} plus a multiple of time.step {sc.time.step})", y)


def _check_mechanism(sc: Scenario, errs: _Errors) -> None:
    t = sc.mechanism.threat
    explicit = [t.power, t.proximity, t.offense, t.intent]
    if any(w is not None for w in explicit) and sum(w or 0.0 for w in explicit) <= 0:
        errs.add(("mechanism", "threat"), "mechanism.threat",
                 "threat weights with a positive sum, so they can be normalised", explicit)
    if sc.mechanism.kind == "agent" and not sc.inputs.states:
        for i, s in enumerate(sc.states):
            if s.power is None:
                errs.add(("states", i), f"states[{i}].power",
                         "a power value (or an 'inputs.states' table)", None)
    if sc.mechanism.kind == "agent" and sum(s.power or 0.0 for s in sc.states) <= 0 \
            and not sc.inputs.states:
        errs.add(("states",), "states[*].power", "at least one state with positive power", 0)


# ---------------------------------------------------------------------------------------
# YAML with line numbers
# ---------------------------------------------------------------------------------------


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<top level>"


_EXPECT = {
    "missing": "this required field",
    "extra_forbidden": "no such key (check the spelling; see 'alliance-sim schema')",
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "text",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "finite_number": "a finite number",
    "too_short": "a longer list",
    "literal_error": None,
    "string_pattern_mismatch": "an identifier (letters, digits, underscore; starting with a letter)",
}


#: Pydantic's error types for a text or list of the wrong length, which
#: :func:`explain_pydantic` words as "a name of at most 32 characters".
LENGTH_ERRORS = ("too_short", "too_long", "string_too_short", "string_too_long")


def explain_pydantic(err: dict) -> str:
    """What a pydantic error expected, in the project's words (scenario and fit files share it)."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        word = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
                "less_than": "<"}[kind]
        return f"a number {word} {bound}"
    if kind == "literal_error":
        return "one of " + str(ctx.get("expected", ""))
    if kind == "value_error":
        return str(ctx.get("error", err.get("msg", ""))).removeprefix("Value error, ")
    if kind == EFFECT_KEY_ERROR:
        return str(ctx["problem"])
    if kind in LENGTH_ERRORS:
        return _length_expected(kind, ctx, err.get("loc") or ())
    return _EXPECT.get(kind) or err.get("msg", "a valid value")


def _length_expected(kind: str, ctx: dict, loc: tuple) -> str:
    """A length bound in words: "a name of at most 32 characters", "a list of at least 2 items".

    Pydantic's own ("String should have at most 32 characters") reads oddly after
    "expected" and does not say what the value is.
    """
    bound = "at least" if kind.endswith("too_short") else "at most"
    n = ctx.get("min_length" if bound == "at least" else "max_length", 1)
    if kind.startswith("string"):
        if bound == "at least" and n == 1:
            return "text that is not empty"
        last = next((p for p in reversed(loc) if isinstance(p, str) and not p.startswith("function")), "")
        noun = {"name": "a name", "id": "an id"}.get(last, "text")
        return f"{noun} of {bound} {n} character{'s' if n != 1 else ''}"
    what, unit = {"Dictionary": ("a mapping", "entr"), "Tuple": ("a tuple", "item")}.get(
        ctx.get("field_type", "List"), ("a list", "item"))
    plural = ("ies" if unit == "entr" else "s") if n != 1 else ("y" if unit == "entr" else "")
    return f"{what} of {bound} {n} {unit}{plural}"


def _raise_validation(exc: ValidationError, source: str, lines: dict[tuple, int],
                      files: dict[tuple, str] | None = None, aliases: dict | None = None,
                      data: dict | None = None) -> None:
    err = exc.errors(include_url=False)[0]
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    # Drop pydantic's union-branch markers such as 'int' or 'list[str]'.
    clean = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in
                  ("int", "str", "float", "bool", "list", "literal['all']", "none", "constrained-str"))))
    got = err.get("input")
    if err.get("type") == "missing":
        got = None
    expected = explain_pydantic(err)
    if err.get("type") == EFFECT_KEY_ERROR:  # the effect's check names the key it refuses
        clean += (err["ctx"]["key"],)
        got = err["ctx"]["got"]
        expected += _in_event(data, clean)
    source, line = _where(lines, files or {}, clean, source)
    raise InputError(source, field_as_written(_dotted(clean), aliases), expected, line=line,
                     got=got if not isinstance(got, (dict, list)) else None) from None


def _in_event(data: dict | None, loc: tuple) -> str:
    """" in event 'NAME'" for a key path under ``events[i]`` whose event has a name, so a
    refusal inside an effect says which event it belongs to in words, not only by position."""
    events = data.get("events") if isinstance(data, dict) else None
    if len(loc) < 2 or loc[0] != "events" or not isinstance(events, list) \
            or not isinstance(loc[1], int) or loc[1] >= len(events) or not isinstance(events[loc[1]], dict):
        return ""
    name = events[loc[1]].get("name")
    return f" in event '{name}'" if isinstance(name, str) and name else ""


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------


def _read_yaml(path: Path, what: str = "a scenario file") -> tuple[Any, str]:
    """Text and data of a YAML file, bounded and checked (see :mod:`sim.reading`)."""
    from sim.reading import load_yaml, read_text

    text = read_text(path, kind="yaml", what=what)
    return load_yaml(text, path), text


def _states_from_file(path: Path, source: str, line: int | None = None) -> list[dict]:
    from sim.reading import FileProblem, blame_field

    try:
        if path.suffix.lower() == ".csv":
            from sim.files import read_csv  # local import: pandas is heavy
            df = read_csv(path, required=["id"])
            return [{k: v for k, v in row.items() if v is not None and v == v}
                    for row in df.to_dict(orient="records")]
        data, _ = _read_yaml(path, "a list of states")
    except FileProblem as exc:
        raise blame_field(exc, source, "states", line) from None
    if isinstance(data, dict) and "states" in data:
        data = data["states"]
    if not isinstance(data, list):
        raise InputError(source, "states", f"a list of states in {path}", line=line)
    return data


def _where(lines: dict, files: dict, loc: tuple, source: str) -> tuple[str, int | None]:
    """File and line of a key path (or of its nearest parent the files have)."""
    loc = tuple(loc)
    while loc and loc not in lines:
        loc = loc[:-1]
    return files.get(loc, source), lines.get(loc)


def scenario_from_dict(data: Any, source: str = "<dict>", *, base_dir: Path | str = ".",
                       text: str | None = None, origins: dict | None = None) -> Scenario:
    """Validate a plain mapping as a scenario.

    Args:
        data: The parsed YAML (or an equivalent dict).
        source: Shown in error messages as the file name.
        base_dir: Folder that relative paths in the scenario are resolved against.
        text: The YAML text, when available, so errors can name line numbers.
        origins: For a scenario merged from several files, the (file, line) of each key
            path (see :func:`resolve_extends`); used instead of ``text``.
    """
    lines = line_map(text) if text else {}
    files: dict[tuple, str] = {}
    aliases: dict = {}
    if origins:  # a scenario merged from several files (extends)
        aliases = origins.get(EVENT_ALIASES) or {}
        origins = {p: v for p, v in origins.items() if p != EVENT_ALIASES}
        lines = {p: line for p, (_, line) in origins.items()}
        files = {p: f for p, (f, _) in origins.items()}
    if data is None:
        raise InputError(source, None, "a scenario mapping (the file is empty)")
    if not isinstance(data, dict):
        raise InputError(source, None, "a mapping of scenario keys at the top level",
                         got=type(data).__name__)
    data = copy.deepcopy(data)
    read_from = {os.path.abspath(f) for f in {source, *files.values()} - {"<dict>"}}
    if isinstance(data.get("states"), str):
        read_from.add(os.path.abspath(Path(base_dir) / data["states"]))
        data["states"] = _states_from_file(Path(base_dir) / data["states"], *_where(lines, files, ("states",), source))
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        _raise_validation(exc, source, lines, files, aliases, data)
    sc._base_dir = Path(base_dir)
    sc._source = source
    sc._read_from = tuple(sorted(read_from))
    # Later checks name the file that wrote a key, at its line there: the scenario's own,
    # or for a field inherited through extends, the base file.
    sc._places = {p: (files.get(p, source), line) for p, line in lines.items()}
    sc._event_aliases = aliases
    errs = _semantic_errors(sc)
    if errs:
        loc, field, expected, got = errs[0]
        file, line = _where(lines, files, loc, source)
        raise InputError(file, field_as_written(field, aliases), expected, line=line, got=got)
    return sc


#: Longest chain of ``extends`` (a scenario, its base, the base's base, ...).
MAX_EXTENDS = 10
_PATH_FIELDS = (("inputs", "states"), ("inputs", "dyads"), ("pairs", "csv"), ("reference",),
                ("bloc_reference",), ("patterns",), ("states",))
_EXTENSION_KEYS = ("extends", "drop_events", "add_events", "set")


def rebase_paths(data: dict, old_dir: Path, new_dir: Path) -> None:
    """Rewrite a scenario's relative file paths, written for ``old_dir``, so they hold from
    ``new_dir`` (a base scenario read from elsewhere, a copy written to another folder)."""
    for keys in _PATH_FIELDS:
        node = data
        for k in keys[:-1]:
            node = node.get(k) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get(keys[-1]), str):
            p = Path(node[keys[-1]])
            if not p.is_absolute():
                node[keys[-1]] = os.path.relpath(old_dir / p, new_dir)


def _shown(path: Path) -> str:
    """A path as messages show it: relative to the working folder when it is below it."""
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


def _own_origins(path: Path) -> dict[tuple, tuple[str, int]]:
    try:
        text = _read_yaml(path)[1]
    except InputError:
        return {}
    return {p: (_shown(path), line) for p, line in line_map(text).items()}


def _merge_origins(base: dict, own: dict, data: dict, kept: list[int], walked: list) -> dict:
    """Where each key path of a merged scenario comes from, as (file, line): the child's
    keys replace the base's, dropped events renumber the rest, ``add_events`` follow them
    and each ``set`` entry is where its target now comes from."""
    child_keys = {k for k in data if k not in _EXTENSION_KEYS}
    out = {p: v for p, v in base.items() if p and p[0] not in child_keys}
    out.update({p: v for p, v in own.items() if p and p[0] in child_keys})
    if () in own:
        out[()] = own[()]
    new_index = {old: new for new, old in enumerate(kept)}
    merged: dict = {}
    for p, v in out.items():
        if p == EVENT_ALIASES:
            continue
        if len(p) > 1 and p[0] == "events" and isinstance(p[1], int):
            if p[1] in new_index:
                merged[("events", new_index[p[1]]) + p[2:]] = v
        else:
            merged[p] = v
    aliases = {} if "events" in child_keys else {new_index[i]: name for i, name in
                                                 (base.get(EVENT_ALIASES) or {}).items() if i in new_index}
    aliases.update({len(kept) + i: f"add_events[{i}]" for i in range(len(data.get("add_events") or []))})
    merged[EVENT_ALIASES] = aliases
    for p, v in own.items():
        if len(p) > 1 and p[0] == "add_events" and isinstance(p[1], int):
            merged[("events", len(kept) + p[1]) + p[2:]] = v
        elif p == ("add_events",):
            merged.setdefault(("events",), v)
    for key, target in walked:
        where = own.get(("set", key)) or own.get(("set",))
        for p in [p for p in merged if p[:len(target)] == target]:
            del merged[p]
        if where:
            merged[target] = where
    return merged


def _merge_events(data: dict, merged: dict, path: Path, line_of, base_path: Path) -> list[int]:
    """The base's events less ``drop_events``, then ``add_events``, into ``merged``;
    returns the base indices of the events kept.

    A name in ``drop_events`` must name exactly one of the base's events (``base_path``'s,
    resolved): a base is merged before it is validated, so its events may still share a
    name (which loading the base itself refuses), and a drop by a shared name would
    silently switch off every event of that name."""
    drop = data.get("drop_events") or []
    if not isinstance(drop, list):
        raise InputError(path, "drop_events", "a list of event names of the base scenario", got=drop,
                         line=line_of("drop_events"))
    events = merged.get("events") or []
    events = events if isinstance(events, list) else []
    names = [e.get("name") for e in events if isinstance(e, dict)]
    for i, name in enumerate(drop):
        if name not in names and "events" in data:  # the base's events are gone already
            raise InputError(path, f"drop_events[{i}]", "no drop_events beside an 'events' list: this file's "
                             "own 'events' replaced the base's, so there is nothing of the base to drop (list "
                             "only the events you want under 'events', or keep the base's and use add_events "
                             "and drop_events)", got=name, line=line_of("drop_events"))
        if name not in names:
            raise InputError(path, f"drop_events[{i}]", "the name of an event of the base scenario", got=name,
                             line=line_of("drop_events"))
        if names.count(name) > 1:
            # the base as merged may give two events one name (an add_events entry may
            # repeat its own base's); a drop by that name dropped all of them without a word
            raise InputError(path, f"drop_events[{i}]", "the name of one event of the base scenario "
                             f"({names.count(name)} events of {_shown(base_path)} are named so, counting "
                             "any it inherits or adds: dropping the name would drop them all; give them "
                             "distinct names)", got=name, line=line_of("drop_events"))
    kept = [k for k, e in enumerate(events) if not (isinstance(e, dict) and e.get("name") in drop)]
    added = data.get("add_events") or []
    if not isinstance(added, list):
        raise InputError(path, "add_events", "a list of events", got=added, line=line_of("add_events"))
    merged["events"] = [events[k] for k in kept] + added
    return kept


def resolve_extends(data: Any, path: Path, _seen: tuple = (), origins: dict | None = None) -> Any:
    """Merge a scenario that ``extends`` another: the way counterfactuals are written.

    The child names its base file and lists what it changes: ``drop_events`` (names of
    the base's events to switch off), ``add_events``, and ``set`` (dotted-path overrides,
    as on the command line); any other top-level key replaces the base's.

    ``origins``, when given, is filled with the file and line each key path of the result
    comes from, so that a message about a merged value names the file that holds it.
    """
    if not isinstance(data, dict) or "extends" not in data:
        if origins is not None:
            origins.update(_own_origins(path))
        return data
    from sim.reading import FileProblem, blame_field

    def line_of(*key) -> int | None:
        try:
            return nearest_line(line_map(_read_yaml(path)[1]), key)
        except InputError:
            return None

    ref = data["extends"]
    if not isinstance(ref, str) or not ref.strip():
        raise InputError(path, "extends", "the path of a base scenario file", line=line_of("extends"),
                         got=ref if not isinstance(ref, (dict, list)) else None)
    if len(_seen) >= MAX_EXTENDS:
        raise InputError(_seen[0], "extends", f"a chain of at most {MAX_EXTENDS} base scenarios "
                         f"({path.name} is the {len(_seen) + 1}th)", got=ref)
    base_path = (path.parent / ref).resolve()
    if base_path in _seen or base_path == path.resolve():
        raise InputError(path, "extends", "a base scenario that does not extend itself", line=line_of("extends"),
                         got=ref)
    try:
        base, _ = _read_yaml(base_path, "a base scenario")
    except FileProblem as exc:
        raise blame_field(exc, path, "extends", line_of("extends")) from None
    if not isinstance(base, dict):
        raise InputError(path, "extends", f"a base scenario (a mapping of scenario keys) in {base_path}",
                         line=line_of("extends"))
    what = other_file_kind(base)
    if what:  # else the merged mapping is refused for its first missing field ('time')
        raise InputError(path, "extends", f"a base agent scenario; {_shown(base_path)} is {what}",
                         line=line_of("extends"), got=ref)
    base_origins: dict | None = {} if origins is not None else None
    base = resolve_extends(base, base_path, _seen + (path.resolve(),), base_origins)
    rebase_paths(base, base_path.parent, path.parent)
    merged = {k: v for k, v in base.items()}
    merged.update({k: v for k, v in data.items() if k not in _EXTENSION_KEYS})
    kept = _merge_events(data, merged, path, line_of, base_path)
    sets = data.get("set") or {}
    if not isinstance(sets, dict):
        raise InputError(path, "set", "a mapping of dotted paths to values", got=sets, line=line_of("set"))
    walked: list = []
    out = apply_overrides(merged, sets, source=f"{path} (set)", walked=walked)
    if origins is not None:
        origins.update(_merge_origins(base_origins or {}, _own_origins(path), data, kept, walked))
    return out


def load_scenario(path: str | Path, *, read: tuple[Any, str] | None = None) -> Scenario:
    """Read and validate a scenario file; relative paths resolve against its folder.

    ``read`` is the file's data and text when the caller has read it already
    (:func:`sim.scenario.kind.read_scenario_file`), so that it is not read again.
    """
    path = Path(path)
    data, text = read if read is not None else _read_yaml(path)
    _not_a_landscape_file(data, path, text)
    if isinstance(data, dict) and "extends" in data:
        origins: dict = {}
        data = resolve_extends(data, path, origins=origins)
        return scenario_from_dict(data, str(path), base_dir=path.parent, origins=origins)
    return scenario_from_dict(data, str(path), base_dir=path.parent, text=text)


def load_raw(path: str | Path, *, read: tuple[Any, str] | None = None) -> dict:
    """Read a scenario file as a plain dict (for overrides), with ``extends`` resolved
    (``read`` as in :func:`load_scenario`)."""
    path = Path(path)
    data, text = read if read is not None else _read_yaml(path)
    _not_a_landscape_file(data, path, text)
    if not isinstance(data, dict):
        raise InputError(path, None, "a mapping of scenario keys at the top level")
    return resolve_extends(data, path)


def _not_a_landscape_file(data: Any, path: Path, text: str | None) -> None:
    """A landscape file (``mechanism: landscape``) given where an agent scenario is read
    (structure, validate, sweep, fit) was refused for its 'name', as if it were a broken
    agent scenario."""
    if kind_of(data) == "landscape":
        raise InputError(path, "mechanism", "an agent scenario; this is a landscape file (run it with "
                         "'alliance-sim landscape')", line=yaml_line(text, ("mechanism",)) if text else None,
                         got=data["mechanism"])


# ---------------------------------------------------------------------------------------
# Overrides: --set path=value
# ---------------------------------------------------------------------------------------


def _step_into(node: Any, key: str, path: str, source: str, create: bool) -> tuple[Any, Any]:
    """Return (container, key) for one dotted-path segment."""
    if isinstance(node, list):
        if key.lstrip("-").isdigit():
            idx = int(key)
            if not -len(node) <= idx < len(node):
                raise InputError(source, path, f"an index below {len(node)}", got=idx)
            return node, idx
        for i, item in enumerate(node):
            if isinstance(item, dict) and (item.get("id") == key or item.get("name") == key):
                return node, i
        raise InputError(source, path, "a list index or the id of an item in the list", got=key)
    if isinstance(node, dict):
        if key not in node and not create:
            raise InputError(source, path, "an existing scenario field", got=key)
        return node, key
    raise InputError(source, path, "a path into a mapping or list", got=key)


def _known_field(container: dict, key: str, parent_path: tuple) -> bool:
    """Whether ``key`` is a field the schema allows at this place (so it may be created)."""
    model: Any = Scenario
    for part in parent_path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            return False
        ann = field.annotation
        model = _model_in(ann)
        if model is None:
            return False
    return hasattr(model, "model_fields") and key in model.model_fields


def _model_in(ann: Any) -> Any:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _preset_replaces_weights(threat: dict, notes: list[str] | None) -> None:
    """A preset set on top of explicit weights means that preset: the later setting wins.

    Within one mapping, explicit weights refine the preset beside them; but a preset given
    afterwards (``--set mechanism.threat.preset=balance_of_power``, a counterfactual's
    ``set``) would otherwise be overruled by the weights it was meant to replace.
    """
    from sim.mechanisms.threat import COMPONENTS  # the explicit weights: one per source of threat

    dropped = {k: threat.pop(k) for k in COMPONENTS if k in threat}
    dropped = {k: v for k, v in dropped.items() if v is not None}
    if dropped and notes is not None:
        notes.append(f"mechanism.threat.preset={threat.get('preset')} replaces the explicit threat weights "
                     "set before it (" + ", ".join(f"{k} {v:g}" if isinstance(v, (int, float)) else f"{k} {v}"
                                                   for k, v in dropped.items()) + ")")


class OverlappingPaths(InputError):
    """Two override paths reach the same field, or one reaches into what another sets whole.

    A kind of :class:`InputError` of its own so that a sweep or a fit, which reword a
    path's other errors as "a field of the base scenario", can pass this one on as it is.
    """


def _overlap(reached: dict[tuple, str], here: tuple, path: str, source: str, *, inside: bool = False) -> None:
    """Refuse ``path``, which reached ``here`` (list indices made positive), if an earlier
    path reached the same field, a field inside it, or (``inside``: ``here`` is only the
    part of ``path`` walked so far) the whole of it."""
    for seen, other in reached.items():
        shorter = min(len(seen), len(here))
        if seen[:shorter] != here[:shorter] or (inside and len(seen) > len(here)):
            continue
        if seen == here and not inside:
            what = f"both address {_dotted(here)}"
        elif len(seen) <= len(here):
            what = f"{other} sets {_dotted(seen)} whole and {path} a field in it"
        else:
            what = f"{path} sets {_dotted(here)} whole and {other} a field in it"
        raise OverlappingPaths(source, path, f"one path per field: {other} and {path} overlap, {what} "
                               "(give only one of them)")


def _reached_in(data: Any, parts: list[str]) -> tuple:
    """The fields ``parts`` reach in ``data`` as far as they go (list indices made positive)."""
    keys: list = []
    node = data
    for part in parts:
        if isinstance(node, list):
            if part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
                key: Any = int(part) % len(node)
            else:
                key = next((i for i, item in enumerate(node) if isinstance(item, dict)
                            and part in (item.get("id"), item.get("name"))), None)
        else:
            key = part if isinstance(node, dict) and part in node else None
        if key is None:
            break
        keys.append(key)
        node = node[key]
    return tuple(keys)


def apply_overrides(data: dict, overrides: dict[str, Any], source: str = "--set",
                    walked: list | None = None, notes: list[str] | None = None) -> dict:
    """Return a copy of a raw scenario dict with dotted-path overrides applied.

    ``states.RUS.power`` and ``states.0.power`` both address Russia's power; a key the
    schema knows may be created (``mechanism.threat.mix``), anything else is an error.
    Overrides apply in order, and a threat preset replaces the explicit threat weights
    set before it (a note saying so goes to ``notes``).

    Two paths that reach the same field (``states.RUS.power`` and ``states.0.power``), or
    one that reaches a field inside what another replaces whole (``states.0`` and
    ``states.RUS.power``), are refused: one of them would silently overrule the other,
    and a sweep over both would record levels its runs never used.
    """
    out = copy.deepcopy(data)
    reached: dict[tuple, str] = {}  # the field each path reached (indices made positive) -> that path
    for path, value in overrides.items():
        parts = str(path).split(".")
        if "" in parts:  # 'a..b' or '.a' read as 'a.b' would get around the check of a path set twice
            raise InputError(source, str(path), "a dotted path such as mechanism.temperature (a name between "
                             "every two dots)")
        node: Any = out
        keys: list[Any] = []
        field: list[Any] = []  # keys with list indices made positive, to compare paths by
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            create = isinstance(node, dict) and _known_field(node, part, tuple(keys))
            try:
                container, key = _step_into(node, part, str(path), source, create)
            except InputError:  # perhaps an earlier path replaced the entry this one names by id
                _overlap(reached, _reached_in(data, parts), str(path), source, inside=True)
                raise
            keys.append(key)
            field.append(key % len(container) if isinstance(container, list) else key)
            _overlap(reached, tuple(field), str(path), source, inside=not last)
            if last:
                reached[tuple(field)] = str(path)
                container[key] = value
                if walked is not None:
                    walked.append((path, tuple(keys)))
                if tuple(keys) == ("mechanism", "threat", "preset") and isinstance(container, dict):
                    _preset_replaces_weights(container, notes)
            else:
                if isinstance(container, dict) and key not in container:
                    container[key] = {}
                node = container[key]
    return out


def parse_set_args(items: list[str] | None, source: str = "--set") -> dict[str, Any]:
    """Parse ``path=value`` strings; values are read as YAML scalars (numbers, booleans)."""
    result: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise InputError(source, item, "path=value, e.g. mechanism.temperature=0.1")
        key, raw = item.split("=", 1)
        if key.strip() in result:  # the last one won without a word, as a key twice in a file would
            raise InputError(source, key.strip(), "each path once in --set (it is given twice)")
        from sim.reading import load_yaml
        try:
            result[key.strip()] = load_yaml(raw, source) if raw.strip() else None
        except InputError as exc:  # bad YAML, deep nesting, an alias bomb
            raise InputError(source, key.strip(), f"a YAML value ({exc.expected})") from None
    return result


def canonical_json(sc: Scenario) -> str:
    """A stable text form of a resolved scenario, used for manifests and content hashes."""
    return json.dumps(sc.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))

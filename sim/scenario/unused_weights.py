"""Weights with nothing to act on: ``check`` and ``run`` warn about them.

A weight multiplies a component built from inputs. When the scenario gives none of those
inputs the component is zero for every pair and year, and the weight silently does
nothing: a user who writes ``utility.ideology: 2`` without giving any state an ideology
sees no effect and no reason. Each rule names the weight, what it needs and where a
scenario gives it. The rules look at the built input arrays, so a value from a table, an
inline field or an event counts alike. Only weights the scenario sets itself are judged
(a utility weight it writes, or a threat weighting it writes); defaults are not the
user's claim that a component matters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.limits import where_of
from sim.scenario.years import ByYear


def _any(values) -> bool:
    if isinstance(values, ByYear):  # each distinct year once, not the (T, n, n) array written out
        return any(_any(v) for v in values.distinct())
    return values is not None and bool(np.any(np.asarray(values) != 0))


def _utility_needs(inp) -> dict[str, tuple[bool, str]]:
    """Per utility weight: whether its inputs exist, and what they would be."""
    return {
        "ideology": (inp.ideology.shape[2] > 0, "no state has an ideology (states[*].ideology, or "
                     "democracy/ideology_* columns in inputs.states)"),
        "interests": (_any(inp.interests), "no pair has an interests value (pairs' interests, states' "
                      "interests vectors, the inputs.dyads table or interests events)"),
        "economy": (_any(inp.trade), "no pair has a trade value (pairs' trade, the inputs.dyads table "
                    "or trade events)"),
        "disputes": (_any(inp.dispute), "no 'dispute' event gives the pairs a dispute"),
        "bandwagon": (_any(inp.bandwagon), "no state has doctrine.bandwagon above 0"),
        "autonomy": (_any(inp.autonomy) or _any(inp.multi_vector),
                     "no state has doctrine.autonomy or doctrine.multi_vector above 0"),
    }


def _threat_needs(inp) -> dict[str, tuple[bool, str]]:
    off_diagonal = ~np.eye(inp.n, dtype=bool)
    years = inp.distance.distinct() if isinstance(inp.distance, ByYear) else inp.distance
    located = any(bool(np.any(np.isfinite(d[off_diagonal]))) for d in years) or _any(inp.contiguity)
    intent = _any(inp.intent) or (inp.sources is not None and _any(inp.sources.intent))
    return {
        "proximity": (located, "no state has a capital and no pair a distance_km or contiguity"),
        "intent": (intent, "no state perceives aggressive intent (states' intent or perceives, pairs' "
                   "intent, the inputs.dyads table, intent events or threat sources)"),
    }


@dataclass(frozen=True)
class IdleWeight:
    """A weight the scenario sets that its inputs leave idle, in parts a message is made of.

    ``check`` and ``run`` print it whole (:func:`unused_weights`); ``sweep`` says instead that
    a swept weight cannot make its runs differ, so it needs the parts, not one sentence.
    """

    loc: tuple[str, ...]  # the weight's key path in the scenario
    subject: str  # what the scenario sets ("mechanism.utility.ideology is 2")
    missing: str  # the input it would act on, and where a scenario gives it
    consequence: str  # what the weight then adds

    @property
    def path(self) -> str:
        """The weight's dotted path, as ``--set`` and a sweep's parameters name it."""
        return ".".join(self.loc)


def idle_weights(sc, inp) -> list[IdleWeight]:
    """The weights of ``sc`` that its inputs ``inp`` leave idle (see the module's rules)."""
    from sim.mechanisms.threat import weights_in_force

    out = []
    utility = sc.mechanism.utility
    for name, (has, what) in _utility_needs(inp).items():
        weight = getattr(utility, name)
        if name in utility.model_fields_set and weight > 0 and not has:
            out.append(IdleWeight(("mechanism", "utility", name), f"mechanism.utility.{name} is {weight:g}",
                                  what, f"the {name} component is 0 for every pair"))
    threat = sc.mechanism.threat
    idle_mix = _idle_mix(threat)
    if idle_mix is not None:
        out.append(idle_mix)
    if threat.model_fields_set:
        in_force = weights_in_force(threat)
        for name, (has, what) in _threat_needs(inp).items():
            if in_force[name] > 0 and not has:
                out.append(IdleWeight(("mechanism", "threat", name), f"the {name} source of threat has "
                                      f"weight {in_force[name]:.3g}", what, "it adds no threat"))
    return out


def _idle_mix(threat) -> IdleWeight | None:
    """``mechanism.threat.mix`` when it cannot change a weight, else None.

    The mix moves the weights linearly from pure balance of power toward the scenario's own
    threat weighting (the preset with any explicit weights). When that weighting is pure
    balance of power itself (``preset: balance_of_power`` with no other source weighted, or
    every other source weighted 0) both ends are the same, and any mix gives power weight 1:
    a user who writes ``mix: 0.5`` beside that preset asked for half balance of threat and
    ran balance of power, without a word. Like an idle weight it is warned about, not refused
    (it changes nothing, so a run with it is still the run the file describes). Judged on
    the inputs alone, so only a mix the scenario writes is judged.
    """
    from sim.mechanisms.threat import COMPONENTS, PRESETS, threat_weights

    if "mix" not in threat.model_fields_set or threat.mix is None:
        return None
    own = threat_weights(threat.preset, None, **{c: getattr(threat, c) for c in COMPONENTS})
    bop = PRESETS["balance_of_power"]
    if any(abs(own[c] - bop[c]) > 1e-12 for c in COMPONENTS):
        return None
    missing = ("under preset balance_of_power the weighting it moves toward is balance of power itself"
               if threat.preset == "balance_of_power" else
               "the weighting it moves toward is balance of power itself (every source but power has weight 0)")
    return IdleWeight(("mechanism", "threat", "mix"), f"mechanism.threat.mix is {threat.mix:g}", missing,
                      "every mix gives power weight 1 and the other sources 0")


def unused_weights(sc, inp) -> list[str]:
    """Warnings, one line each, for weights of ``sc`` that its inputs ``inp`` leave idle."""
    return [warning_line(sc, w) for w in idle_weights(sc, inp)]


def setting_path(field: str | None, paths) -> str | None:
    """Which of the override ``paths`` (a sweep's swept paths, a fit's parameters) a
    message about ``field`` is about: the path itself, one above it, or one below it."""
    if not field:
        return None
    return next((n for n in paths if field == n or field.startswith(n + ".") or field.startswith(n + "[")
                 or n.startswith(field + ".")), None)


def warning_line(sc, idle: IdleWeight) -> str:
    """The line ``check`` prints for an idle weight: where the scenario sets it, and why it does nothing."""
    file, line = where_of(sc, *idle.loc)  # the file that sets it: a base's, if inherited
    where = f"{file}:{line}" if line else file  # as error messages name places
    return f"{where}: {idle.subject}, but {idle.missing}: {idle.consequence}, so the weight does nothing"

"""The claims the source documents make, as checks a run passes or fails.

Accuracy over thousands of pair-years can hide whether a model reproduces the few
patterns a regional specialist would look for first (Kazakhstan a true ally of Russia,
Uzbekistan an ally on paper who cooperates only under threat). Each documented pattern is
written down once, with its passage, as a small condition on a run's tables; an ensemble
then reports the share of runs that reproduce it.

Conditions (``kind``):

* ``level``: a pair's level on a scale (``de_facto`` or ``de_jure``) over a span of years
  meets ``op`` (``>=``, ``<=``, ``==``) against ``value``, in every year (``all``), on
  average (``mean``) or in at least one year (``any``);
* ``member``: a state is (``value: 1``) or is not (``value: 0``) in a bloc over a span,
  ``all`` or ``any`` of the years;
* ``class``: a pair's class (natural_ally, strategic_partner, paper_alliance...) in the
  span, ``all``, ``any`` or ``most`` (more than half) of the years.

A pattern holds when all its conditions hold. Pure pandas: nothing here runs the model.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Sequence

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import InputError

_OPS = {">=": operator.ge, "<=": operator.le, "==": operator.eq}


class Condition(BaseModel):
    """One condition on a run's tables."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["level", "member", "class"]
    years: tuple[int, int] = Field(description="First and last year of the span, inclusive.")
    pair: tuple[str, str] | None = Field(None, description="The pair, for level and class conditions.")
    scale: Literal["de_facto", "de_jure"] = "de_facto"
    op: Literal[">=", "<=", "=="] = ">="
    value: float | str = Field(description="Level, 0/1 membership, or a class name.")
    state: str | None = None
    bloc: str | None = None
    quantifier: Literal["all", "mean", "any", "most"] = "all"

    @model_validator(mode="after")
    def _complete(self) -> "Condition":
        """What each kind reads must be there: a condition without it was a traceback in the
        check (no pair, a level 'high') or, worse, held or failed in every run (no state)."""
        if self.years[0] > self.years[1]:
            raise ValueError(f"years as [first, last] with first no later than last, got {list(self.years)}")
        if self.kind in ("level", "class"):
            if self.pair is None or self.pair[0] == self.pair[1]:
                raise ValueError(f"a pair of two different states for a {self.kind} condition, got {self.pair}")
        elif self.state is None or self.bloc is None:
            raise ValueError("a state and a bloc for a member condition")
        if self.kind == "level":
            try:
                float(self.value)
            except ValueError:
                raise ValueError(f"a number as the value of a level condition, got {self.value!r}") from None
        if self.kind == "member" and str(self.value) not in ("0", "1", "0.0", "1.0"):
            raise ValueError(f"0 or 1 as the value of a member condition, got {self.value!r}")
        if self.kind == "class":
            from sim.mechanisms.classify import CLASSES

            if self.value not in CLASSES:
                raise ValueError(f"a class ({', '.join(CLASSES)}) as the value of a class condition, got {self.value!r}")
        return self


class Pattern(BaseModel):
    """A documented claim: an id, the claim in words, its passage and its conditions."""

    model_config = ConfigDict(extra="forbid")
    id: str
    claim: str
    source: str
    conditions: list[Condition] = Field(min_length=1)


@dataclass
class RunTables:
    """What a pattern reads from one run."""

    dyads: pd.DataFrame
    states: pd.DataFrame


def load_patterns(path: str | Path) -> list[Pattern]:
    """Read a patterns file (a YAML list under ``patterns:``); problems name the line.

    The file is read as scenario files are (:mod:`sim.reading`): a regular, bounded UTF-8
    file, one document, no duplicate keys.
    """
    from sim.files import yaml_line
    from sim.reading import load_yaml, read_text

    path = Path(path)
    text = read_text(path, what="a patterns file")
    data = load_yaml(text, path)
    if not isinstance(data, dict) or not isinstance(data.get("patterns"), list) or not data["patterns"]:
        raise InputError(path, "patterns", "a YAML mapping with a non-empty list under 'patterns'",
                         line=yaml_line(text, ("patterns",)) if isinstance(data, dict) else None)
    out = []
    for k, item in enumerate(data["patterns"]):
        try:
            out.append(Pattern.model_validate(item))
        except ValidationError as exc:
            from sim.scenario.schema import LENGTH_ERRORS, explain_pydantic
            err = exc.errors()[0]
            loc = tuple(err["loc"])
            field = f"patterns[{k}]" + "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in loc)
            msg = "this required field" if err["type"] == "missing" else err["msg"].removeprefix("Value error, ")
            if err["type"] in LENGTH_ERRORS:  # "a list of at least 1 item", as a scenario's
                msg = explain_pydantic(err)
            raise InputError(path, field, msg, line=yaml_line(text, ("patterns", k, *loc))) from None
    return out


def unknown_names(patterns: Sequence[Pattern], states: set[str], blocs: set[str] | None,
                  years: tuple[int, int]) -> tuple[str, str, object] | None:
    """The first condition a run cannot check: ``(field, expected, got)``, else None.

    A condition on a state the run does not have, a bloc it does not declare or years it
    does not span is judged on no rows: reported as failing (or, for ``value: 0``, holding)
    in every run, as if it said something about the model.
    """
    for k, p in enumerate(patterns):
        for c, cond in enumerate(p.conditions):
            where = f"patterns[{k}].conditions[{c}]"
            for name in (cond.pair or ()) + ((cond.state,) if cond.state else ()):
                if name not in states:
                    return (f"{where}.{'pair' if cond.pair else 'state'}",
                            f"state ids of the run ({', '.join(sorted(states))})", name)
            if cond.bloc is not None and blocs is not None and cond.bloc not in blocs:
                return f"{where}.bloc", f"a bloc of the run ({', '.join(sorted(blocs)) or 'none'})", cond.bloc
            if cond.years[1] < years[0] or cond.years[0] > years[1]:
                return f"{where}.years", f"years within the run's {years[0]}-{years[1]}", list(cond.years)
    return None


def _pair_rows(dyads: pd.DataFrame, pair: Sequence[str], years: tuple[int, int]) -> pd.DataFrame:
    a, b = sorted(pair)
    lo, hi = years
    d = dyads
    mask = (((d["a"] == a) & (d["b"] == b)) | ((d["a"] == b) & (d["b"] == a))) & d["year"].between(lo, hi)
    return d.loc[mask]


def _quantify(flags: np.ndarray, quantifier: str) -> bool:
    if flags.size == 0:
        return False
    if quantifier == "all":
        return bool(flags.all())
    if quantifier == "any":
        return bool(flags.any())
    return bool(flags.mean() > 0.5)


def judge_levels(levels: np.ndarray, cond: Condition) -> bool:
    """A level condition on a pair's levels over its span, wherever they come from (a run's
    table here, a run's history arrays in the fit)."""
    cmp = _OPS[cond.op]
    if cond.quantifier == "mean":
        return bool(levels.size) and bool(cmp(levels.mean(), float(cond.value)))
    return _quantify(cmp(levels, float(cond.value)), cond.quantifier)


def judge_membership(inside: np.ndarray, cond: Condition) -> bool:
    """A membership condition on a state's in-the-bloc flags over its span."""
    return _quantify(inside == bool(int(float(cond.value))), cond.quantifier)


def holds(cond: Condition, run: RunTables) -> bool:
    """Whether one condition holds in one run."""
    if cond.kind == "level":
        return judge_levels(_pair_rows(run.dyads, cond.pair, cond.years)[cond.scale].to_numpy(float), cond)
    if cond.kind == "class":
        classes = _pair_rows(run.dyads, cond.pair, cond.years)["classification"].astype(str).to_numpy()
        return _quantify(classes == str(cond.value), cond.quantifier)
    st = run.states
    rows = st[(st["state"] == cond.state) & st["year"].between(*cond.years)]
    inside = rows["blocs"].fillna("").astype(str).str.split(";").map(lambda bs: cond.bloc in bs).to_numpy()
    return judge_membership(inside, cond)


def reproduced(pattern: Pattern, run: RunTables) -> bool:
    """A pattern holds in a run when every one of its conditions does."""
    return all(holds(c, run) for c in pattern.conditions)


def checklist(patterns: Sequence[Pattern], runs: Sequence[RunTables]) -> pd.DataFrame:
    """Share of runs reproducing each pattern: columns ``id, claim, source, share, runs``."""
    rows = []
    for p in patterns:
        hits = [reproduced(p, r) for r in runs]
        rows.append({"id": p.id, "claim": p.claim, "source": p.source,
                     "share": float(np.mean(hits)) if hits else float("nan"), "runs": len(hits)})
    return pd.DataFrame(rows)

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
from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
    """Read a patterns file (a YAML list under ``patterns:``)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(path, "patterns", f"valid YAML ({getattr(exc, 'problem', None) or 'unreadable'})",
                         line=mark.line + 1 if mark else None) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, "patterns", "a readable UTF-8 YAML file", got=type(exc).__name__) from None
    if not isinstance(data, dict) or not isinstance(data.get("patterns"), list):
        raise InputError(path, "patterns", "a YAML mapping with a list under 'patterns'")
    out = []
    for k, item in enumerate(data["patterns"]):
        try:
            out.append(Pattern.model_validate(item))
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InputError(path, f"patterns[{k}]." + ".".join(str(x) for x in err["loc"]),
                             err["msg"]) from None
    return out


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

"""What the run figures read of a run, as plain data that can cross to another process.

The run figures are drawn by a process that imports matplotlib while the run is still
importing Mesa and stepping its model (:mod:`sim.run.drawing`); when the model is done,
the run sends this record through a pipe. It holds arrays, names and the reference
timeline, so that the drawing process needs neither Mesa nor the model's code to read it;
the figures' dyad table is built from the levels where it is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from sim.run.simulate import RunResult
    from sim.scenario.schema import Scenario

#: The model's record, year by year, that the network figure draws.
HISTORY_KEYS = ("de_facto", "de_jure", "members", "bloc_active")


@dataclass
class FigureRun:
    """A run as its figures see it.

    Attributes:
        name: The scenario's name (the figures' titles).
        seed: The run's random seed.
        years: The years the run stepped through, first to last.
        ids: State ids, in the model's order.
        bloc_ids: Bloc ids, in the model's order; ``bloc_names`` maps them to names.
        history: Per year of the run (same order as ``years``): de facto and de jure
            levels (n x n), bloc membership (n x blocs) and which blocs exist.
        lon, lat, power: Capitals and power per year (years x n).
        reference: The scenario's reference timeline, or None.
        pairs: The scenario's chosen pairs for the pair-level figure (may be empty).
        snapshots: The scenario's chosen years for the network figure (may be empty).
    """

    name: str
    seed: int
    years: list[int]
    ids: list[str]
    bloc_ids: list[str]
    bloc_names: dict[str, str]
    history: dict[str, list["np.ndarray"]]
    lon: "np.ndarray"
    lat: "np.ndarray"
    power: "np.ndarray"
    reference: "pd.DataFrame | None"
    pairs: list[tuple[str, str]]
    snapshots: list[int]

    @cached_property
    def dyads(self) -> "pd.DataFrame":
        """One row per pair and year: year, a, b, de_facto, de_jure (the run's dyad table's first columns)."""
        import pandas as pd

        return pd.DataFrame(pair_columns(self.ids, self.years, self.history["de_facto"], self.history["de_jure"]))


def pair_columns(ids: list[str], years: list[int], de_facto: list[np.ndarray],
                 de_jure: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Year, a, b and both levels of every unordered pair (``a`` before ``b`` in ``ids``) and year."""
    n = len(ids)
    iu, ju = np.triu_indices(n, 1)
    names = np.array(ids, dtype=object)
    return {
        "year": np.repeat(np.array(years), len(iu)),
        "a": np.tile(names[iu], len(years)),
        "b": np.tile(names[ju], len(years)),
        "de_facto": np.concatenate([f[iu, ju] for f in de_facto]),
        "de_jure": np.concatenate([j[iu, ju] for j in de_jure]),
    }


@dataclass(frozen=True)
class FigurePlan:
    """What a scenario fixes of its run's figures before the run: the figure process draws
    those parts while the run imports Mesa and steps (:func:`sim.plots.run.run_drafts`).

    Attributes:
        name: The scenario's name.
        seed: The run's random seed.
        years: The years the run will step through.
        pairs: The scenario's chosen pairs (may be empty: then chosen from the results).
        reference: Whether the scenario has a reference timeline.
    """

    name: str
    seed: int
    years: tuple[int, ...]
    pairs: tuple[tuple[str, str], ...]
    reference: bool

    @classmethod
    def of(cls, scenario: "Scenario", seed: int) -> "FigurePlan":
        """The plan of a run of ``scenario`` with ``seed``."""
        return cls(scenario.name, int(seed), tuple(int(y) for y in scenario.years),
                   tuple((a, b) for a, b in scenario.outputs.pairs or []), bool(scenario.reference))


def figure_run(res: "RunResult | FigureRun") -> FigureRun:
    """The figures' record of a run (a FigureRun is returned as it is)."""
    if isinstance(res, FigureRun):
        return res
    m = res.model
    years = list(res.years)
    ref = m.reference
    if ref is not None:  # without its line numbers, which pandas would deep-copy at every selection
        ref = ref.copy(deep=False)
        ref.attrs = {}
    history: dict[str, Any] = {k: list(m.history[k][: len(years)]) for k in HISTORY_KEYS}
    return FigureRun(
        name=res.scenario.name, seed=res.seed, years=years, ids=list(m.ids),
        bloc_ids=list(m.bloc_ids), bloc_names=dict(m.bloc_names), history=history,
        lon=m.inputs.lon[: len(years)], lat=m.inputs.lat[: len(years)], power=m.inputs.power[: len(years)],
        reference=ref, pairs=[tuple(p) for p in res.scenario.outputs.pairs or []],
        snapshots=list(res.scenario.outputs.snapshots or []))

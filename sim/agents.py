"""State agents.

A :class:`StateAgent` is one state. Its attributes (capabilities, capital, ideology,
doctrine, perceptions) are views into the model's per-year input arrays, so that events
and calibrated data reach every agent at once and dyadic maths stays vectorised in the
model. What the agent decides each year, the level it wants with every other state, is its
row of the model's logit choice, drawn for all states at once so that large systems stay
fast (see ``AllianceModel._update``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np


if TYPE_CHECKING:  # pragma: no cover
    from sim.model import AllianceModel


class StateAgent(mesa.Agent):
    """One state of the system.

    Attributes:
        state_id: The scenario's id for the state (e.g. a COW abbreviation).
        name: Display name.
        index: Row of this state in the model's arrays.
    """

    model: "AllianceModel"

    def __init__(self, model: "AllianceModel", state_id: str, name: str, index: int):
        super().__init__(model)
        self.state_id = state_id
        self.name = name
        self.index = index

    # -- inputs of the current year -------------------------------------------------------
    def _now(self, field: str):
        return getattr(self.model.inputs, field)[self.model.t, self.index]

    @property
    def power(self) -> float:
        """Aggregate power (e.g. CINC share)."""
        return float(self._now("power"))

    @property
    def offense(self) -> float:
        """Offensive capability (e.g. military-spending share)."""
        return float(self._now("offense"))

    @property
    def economy(self) -> float:
        return float(self._now("economy"))

    @property
    def capital(self) -> tuple[float, float]:
        return float(self._now("lat")), float(self._now("lon"))

    @property
    def ideology(self) -> np.ndarray:
        return self._now("ideology")

    @property
    def leader(self) -> str | None:
        return self._now("leader")

    @property
    def doctrine(self) -> dict[str, float | bool]:
        return {"neutral": bool(self._now("neutral")), "multi_vector": float(self._now("multi_vector")),
                "autonomy": float(self._now("autonomy")), "bandwagon": float(self._now("bandwagon"))}

    @property
    def perceived_intent(self) -> dict[str, float]:
        """This state's perception of every other state's aggressive intent."""
        row = self.model.inputs.intent[self.model.t, self.index]
        return {s: float(row[j]) for j, s in enumerate(self.model.ids) if j != self.index}

    @property
    def wanted_levels(self) -> dict[str, int]:
        """The level this state wants with every other state this year (its logit choice)."""
        row = self.model.desired[self.index]
        return {s: int(row[j]) for j, s in enumerate(self.model.ids) if j != self.index}

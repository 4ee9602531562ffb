"""State agents.

A :class:`StateAgent` is one state. What is its own (capabilities, doctrine, leader,
government, perceptions) it carries as views into the model's per-year input arrays, so
that events and calibrated data reach every agent at once and the dyadic maths stays
vectorised in the model. What it decides each year, the level it wants with every other
state, is its row of the model's logit choice, drawn for all states at once so that large
systems stay fast (:meth:`sim.model.AllianceModel.choose_levels`); what it does when a new
government takes its capital (:meth:`StateAgent.restart_relations`) it does itself.
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

    def _now(self, field: str):
        return getattr(self.model.inputs, field)[self.model.t, self.index]

    # -- what is the state's own, this year -------------------------------------------------
    @property
    def capabilities(self) -> dict[str, float]:
        """Aggregate power (e.g. CINC share) and offensive capability (e.g. military spending)."""
        return {"power": float(self._now("power")), "offense": float(self._now("offense"))}

    @property
    def doctrine(self) -> dict[str, float | bool]:
        """Neutrality, multi-vector policy, the weight of autonomy and the bent to bandwagon."""
        return {"neutral": bool(self._now("neutral")), "multi_vector": float(self._now("multi_vector")),
                "autonomy": float(self._now("autonomy")), "bandwagon": float(self._now("bandwagon"))}

    @property
    def leader(self) -> str | None:
        return self._now("leader")

    @property
    def government(self) -> str | None:
        """Who holds the capital, where the scenario says (a change restarts relations)."""
        return self._now("government")

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

    # -- what the state does ------------------------------------------------------------------
    def restart_relations(self) -> np.ndarray:
        """A new government has built nothing yet with anyone: its de facto relations
        restart from distant (0) and every counter toward an instrument starts again.
        Treaties stay: states, not governments, are parties to them. Hostile instruments
        do not: sanctions are aimed at the regime that provoked them (Washington's on the
        Taliban ended with their fall in 2001), so they fall with it.

        Returns:
            The partners whose hostile instrument with this state was lifted.
        """
        m, i = self.model, self.index
        for arr in (m.latent, m.de_facto, m.treaties.form_streak, m.treaties.denounce_streak,
                    m.treaties.hostile_streak, m.treaties.lift_streak):
            arr[i, :] = 0
            arr[:, i] = 0
        lifted = np.flatnonzero(m.treaties.level[i] == -1)
        m.treaties.level[i, lifted] = 0
        m.treaties.level[lifted, i] = 0
        return lifted

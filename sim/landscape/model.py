"""A Mesa model of the landscape's myopic dynamics, to step through and watch.

The exhaustive search in :mod:`sim.landscape.theory` answers *where* the dynamics can end; this
model shows *how* they get there. Each step one actor, drawn by the model's random number
generator, looks at every bloc (including an empty one, i.e. standing alone, when ``k``
allows it) and moves to the one that lowers its own frustration most, if any does. Its
move lowers the system's energy by ``2 s_i`` times its frustration drop, so the energy
never rises and the model stops (``running = False``) at a local minimum.

The sizes, propensities and bloc labels are numpy arrays owned by the model, as in the
main agent model; agents are thin views that read them.
"""

from __future__ import annotations

from typing import Sequence

import mesa
import numpy as np

from sim.landscape.theory import canonical_labels, check_inputs, tolerances


class LandscapeActor(mesa.Agent):
    """One state in the landscape; its bloc and frustration live in the model's arrays."""

    def __init__(self, model: "LandscapeModel", index: int, actor_id: str):
        super().__init__(model)
        self.index = index
        self.actor_id = actor_id

    @property
    def bloc(self) -> int:
        return int(self.model.labels[self.index])

    @property
    def frustration(self) -> float:
        return float(self.model.frustration()[self.index])

    def consider_switching(self) -> bool:
        """Move to the bloc that lowers this actor's frustration most; True if it moved."""
        return self.model.consider(self.index)


class LandscapeModel(mesa.Model):
    """Myopic switching on an Axelrod-Bennett landscape.

    Args:
        sizes: actor sizes ``s_i`` (positive).
        propensity: symmetric ``n x n`` propensities ``p_ij``.
        k: number of blocs available.
        rng: seed or generator; it draws the initial configuration (unless ``initial`` is
            given) and which actor moves each step.
        initial: starting bloc of every actor.
        actor_ids: names for the agents (default ``"0"``, ``"1"``, ...).
    """

    def __init__(self, sizes, propensity, k: int = 2, rng=None, initial: Sequence[int] | None = None,
                 actor_ids: Sequence[str] | None = None):
        super().__init__(rng=rng)
        self.sizes, self.propensity = check_inputs(sizes, propensity)
        n = self.sizes.size
        if k < 2:
            raise ValueError("k must be at least 2")
        self.k = int(k)
        # per actor, in units of its frustration (a move changes the energy by 2 s_i dF_i)
        self._tol = tolerances(np.outer(self.sizes, self.sizes) * self.propensity) / (2.0 * self.sizes)
        if initial is None:
            self.labels = self.rng.integers(0, self.k, size=n)
        else:
            self.labels = np.asarray(initial, dtype=np.int64).copy()
            if self.labels.shape != (n,) or self.labels.min() < 0 or self.labels.max() >= self.k:
                raise ValueError(f"initial must give each of {n} actors a bloc in 0..{self.k - 1}")
        ids = list(actor_ids) if actor_ids is not None else [str(i) for i in range(n)]
        self.actors = [LandscapeActor(self, i, ids[i]) for i in range(n)]
        self.energy_history = [self.energy()]
        self.moves = 0
        self.running = not self.is_stable()

    # -- state -------------------------------------------------------------------
    def frustration(self) -> np.ndarray:
        """Current frustration ``F_i`` of every actor."""
        apart = self.labels[:, None] != self.labels[None, :]
        return (self.propensity * apart) @ self.sizes

    def energy(self) -> float:
        """Current energy ``sum_i s_i F_i`` (ordered pairs)."""
        return float(self.sizes @ self.frustration())

    def _frustration_by_bloc(self, i: int) -> np.ndarray:
        # F_i if actor i were in bloc c, for every c
        pulls = self.propensity[i] * self.sizes
        together = np.bincount(self.labels, weights=pulls, minlength=self.k)[: self.k]
        return pulls.sum() - together

    def is_stable(self) -> bool:
        """True when no actor can lower its frustration by moving."""
        return all(self._best_bloc(i) is None for i in range(self.sizes.size))

    def _best_bloc(self, i: int) -> int | None:
        f = self._frustration_by_bloc(i)
        here = self.labels[i]
        best = int(np.argmin(f))  # ties: lowest bloc label
        if f[best] < f[here] - self._tol[i]:
            return best
        return None

    def consider(self, i: int) -> bool:
        """Actor ``i`` moves to its best bloc if that strictly lowers its frustration."""
        best = self._best_bloc(i)
        if best is None:
            return False
        self.labels[i] = best
        self.moves += 1
        return True

    @property
    def partition(self) -> tuple[int, ...]:
        """Canonical labels of the current configuration (actor 0 in bloc 0)."""
        return tuple(int(x) for x in canonical_labels(self.labels))

    # -- dynamics ----------------------------------------------------------------
    def step(self) -> None:
        """One actor, drawn by the model's generator, considers switching."""
        i = int(self.rng.integers(self.sizes.size))
        self.actors[i].consider_switching()
        self.energy_history.append(self.energy())
        if self.running and self.is_stable():
            self.running = False

    def run_until_stable(self, max_steps: int = 100_000) -> int:
        """Step until a local minimum is reached; returns the steps taken."""
        taken = 0
        while self.running and taken < max_steps:
            self.step()
            taken += 1
        return taken

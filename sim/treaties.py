"""Bilateral de jure instruments: formed slowly, kept stubbornly.

Formalisation needs both states to want a higher level and cooperation to have stood at
that level for ``formalise_years`` years: an instrument writes down what the pair already
does, never more, and never above a neutral state's ceiling. Instruments outlive cooperation (the paper
alliance): they end only when one side turns hostile for ``denounce_years`` years
(denunciation), when a state adopts neutrality (withdrawal), or, if the scenario sets
``lapse_years``, after that many years of standing well above cooperation (lapse). One
side's sustained hostility is enough to impose a hostile instrument (sanctions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.levels import DE_JURE_MAX

KINDS = ("", "treaty_withdrawn", "treaty_formed", "treaty_denounced", "treaty_lapsed",
         "hostile_imposed", "hostile_lifted")


@dataclass
class TreatyState:
    """Bilateral instruments and the counters their rules need (all ``(n, n)`` ints)."""

    level: np.ndarray
    form_streak: np.ndarray
    denounce_streak: np.ndarray
    hostile_streak: np.ndarray
    lift_streak: np.ndarray
    paper_streak: np.ndarray

    @classmethod
    def start(cls, initial: np.ndarray) -> "TreatyState":
        z = np.zeros_like(initial, dtype=int)
        return cls(initial.astype(int).copy(), z.copy(), z.copy(), z.copy(), z.copy(), z.copy())


def pair_cap(cap: np.ndarray) -> np.ndarray:
    """Highest instrument a pair may hold: the lower of the two states' ceilings."""
    return np.minimum(cap[:, None], cap[None, :])


def step_treaties(ts: TreatyState, *, de_facto: np.ndarray, desired: np.ndarray, cap: np.ndarray,
                  formalise_years: int, denounce_years: int, lapse_years: int | None,
                  paper_gap: int) -> list[tuple[int, int, str, int, int]]:
    """Advance the instruments one year in place.

    Returns:
        Changes as ``(i, j, kind, old, new)`` with ``i < j`` and kind one of
        ``treaty_formed``, ``treaty_denounced``, ``treaty_withdrawn``, ``treaty_lapsed``,
        ``hostile_imposed``, ``hostile_lifted``.
    """
    J = ts.level
    old = J.copy()
    kinds = np.zeros(J.shape, dtype=np.int8)  # index into KINDS; the last rule that fired
    want = np.minimum(desired, desired.T)
    pcap = pair_cap(cap)

    # Neutrality: instruments above the ceiling are withdrawn at once.
    withdraw = J > pcap
    J[withdraw] = pcap[withdraw]
    kinds[withdraw] = 1

    # Formation and upgrade.
    target = np.minimum.reduce([want, de_facto, pcap, np.full_like(J, DE_JURE_MAX)])
    candidate = (target > J) & (de_facto >= 1) & (want >= 1)
    ts.form_streak = np.where(candidate, ts.form_streak + 1, 0)
    form = ts.form_streak >= formalise_years
    J[form] = target[form]
    ts.form_streak[form] = 0
    kinds[form] = 2

    # Denunciation: one side hostile for long enough.
    hostile_side = want <= -1
    ts.denounce_streak = np.where((J >= 1) & hostile_side, ts.denounce_streak + 1, 0)
    denounce = ts.denounce_streak >= denounce_years
    J[denounce] = 0
    kinds[denounce] = 3

    # Lapse of paper instruments, when the scenario allows it.
    gap = (J >= 1) & (J - np.maximum(de_facto, 0) >= paper_gap)
    ts.paper_streak = np.where(gap, ts.paper_streak + 1, 0)
    if lapse_years is not None:
        lapse = ts.paper_streak >= lapse_years
        J[lapse] = np.maximum(de_facto[lapse], 0)
        kinds[lapse] = 4
        ts.paper_streak[lapse] = 0

    # Hostile instruments: imposed by one side, lifted when both accept.
    imposing = (J == 0) & hostile_side & (de_facto <= -1)
    ts.hostile_streak = np.where(imposing, ts.hostile_streak + 1, 0)
    impose = ts.hostile_streak >= formalise_years
    J[impose] = -1
    kinds[impose] = 5
    lifting = (J == -1) & (want >= 0)
    ts.lift_streak = np.where(lifting, ts.lift_streak + 1, 0)
    lift = ts.lift_streak >= formalise_years
    J[lift] = 0
    kinds[lift] = 6

    iu, ju = np.nonzero(np.triu(J != old, 1)) if (J != old).any() else ((), ())
    return [(int(i), int(j), KINDS[kinds[i, j]], int(old[i, j]), int(J[i, j])) for i, j in zip(iu, ju)]

"""Bilateral de jure instruments: formed slowly, kept stubbornly.

Formalisation needs both states to want a higher level on the merits (without the pull of
the obligations they already hold, so an instrument never writes itself a rung higher; the
model may count the pull of a bloc that binds the pair as its leaders, ``formalising``) and
cooperation to have stood at that level for ``formalise_years`` years: an instrument writes
down what the pair already does, never more, and never above a neutral state's ceiling.
Bilateral instruments start at a close partnership (2): plain cooperation (1) lives in the
organisations both belong to and in instruments inherited at the start, not in new
treaties. They climb one rung per formalisation (a partnership before an alliance), and a
pair under sanctions lifts them before it signs anything. Instruments outlive cooperation
(the paper alliance): they end only when one side turns hostile on the merits for
``denounce_years`` years (denunciation), when a state adopts neutrality (withdrawal), or,
if the scenario sets ``lapse_years``, after that many years of standing well above
cooperation (lapse). One side's sustained hostility is enough
to impose a hostile instrument (sanctions) if that side is able to sanction (a scenario
may reserve sanctions to major powers: a small state that breaks with a neighbour refuses
recognition or closes a border rather than writing sanctions into law); sanctions are as
sticky as treaties and are lifted only after ``formalise_years`` years in which both
accept it and the pair cooperates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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


@dataclass(frozen=True)
class TreatyRules:
    """The scenario's rules for bilateral instruments (``mechanism`` fields of the same names).

    Attributes:
        formalise_years: Years a higher level must stand (and be wanted by both) before it
            is written down; also the years sanctions take to be imposed or lifted.
        denounce_years: Years of one side's hostility before it denounces an instrument.
        lapse_years: Years an instrument may stand ``paper_gap`` above cooperation before
            it lapses; ``None``: instruments never lapse.
        paper_gap: How far de jure must stand above de facto to count as paper.
    """

    formalise_years: int
    denounce_years: int
    lapse_years: int | None
    paper_gap: int

    @classmethod
    def from_mechanism(cls, mech) -> "TreatyRules":
        return cls(formalise_years=mech.formalise_years, denounce_years=mech.denounce_years,
                   lapse_years=mech.lapse_years, paper_gap=mech.paper_gap)


def step_treaties(ts: TreatyState, rules: TreatyRules, *, de_facto: np.ndarray, desired: np.ndarray,
                  cap: np.ndarray, can_sanction: np.ndarray | None = None
                  ) -> list[tuple[int, int, str, int, int]]:
    """Advance the instruments one year in place.

    The rules run in a fixed order and a later one overrides an earlier one in the same
    year (the change's kind is that of the last rule that fired). ``can_sanction`` is an
    ``(n,)`` bool array of the states able to impose a hostile instrument (default: all).

    Returns:
        Changes as ``(i, j, kind, old, new)`` with ``i < j`` and kind one of
        ``treaty_formed``, ``treaty_denounced``, ``treaty_withdrawn``, ``treaty_lapsed``,
        ``hostile_imposed``, ``hostile_lifted``.
    """
    i, j, kinds, old, new = treaty_changes(ts, rules, de_facto=de_facto, desired=desired, cap=cap,
                                           can_sanction=can_sanction)
    return [(a, b, KINDS[k], o, n) for a, b, k, o, n in zip(i.tolist(), j.tolist(), kinds.tolist(),
                                                            old.tolist(), new.tolist())]


def treaty_changes(ts: TreatyState, rules: TreatyRules, *, de_facto: np.ndarray, desired: np.ndarray,
                   cap: np.ndarray, can_sanction: np.ndarray | None = None,
                   formalising: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`step_treaties` with the changes as arrays ``(i, j, kind, old, new)``, ``kind``
    an index into ``KINDS``: a large system may change thousands of instruments a year.

    ``formalising`` is what each state wants when it considers writing a relation down
    (default ``desired``): the model passes the levels wanted under the pull of a bloc that
    binds the pair as its leaders, at least as much as the pair's own instrument does, and
    the merits elsewhere."""
    old = ts.level.copy()
    fire = _Firing(ts.level)
    want = np.minimum(desired, desired.T)
    pcap = pair_cap(cap)
    # Neutrality: instruments above the ceiling are withdrawn at once.
    fire(ts.level > pcap, pcap, 1)
    form_want = want if formalising is None else np.minimum(formalising, formalising.T)
    _formalise(ts, fire, form_want, de_facto, pcap, rules)
    _denounce_or_lapse(ts, fire, want, de_facto, rules)
    _sanction(ts, fire, desired, want, de_facto, can_sanction, rules)
    if not fire.kinds.any():
        none = np.zeros(0, dtype=int)
        return none, none, none, none, none
    J, kinds = ts.level, fire.kinds
    iu, ju = np.nonzero(np.triu(J != old, 1))
    return iu, ju, kinds[iu, ju].astype(int), old[iu, ju], J[iu, ju]


class _Firing:
    """Writes a rule's new levels into the instruments and remembers which rule fired."""

    def __init__(self, level: np.ndarray):
        self.level = level
        self.kinds = np.zeros(level.shape, dtype=np.int8)  # index into KINDS; the last rule that fired

    def __call__(self, mask: np.ndarray, value, kind: int) -> None:
        if mask.any():  # most years no rule fires; skip the masked writes then
            self.level[mask] = value if np.isscalar(value) else value[mask]
            self.kinds[mask] = kind


def _formalise(ts: TreatyState, fire: _Firing, want, de_facto, pcap, rules: TreatyRules) -> None:
    """Formation and upgrade, one rung at a time from a partnership (2) up; pcap <= 3, so
    the target never exceeds an alliance treaty, and a neutral's cap of 1 forms nothing."""
    J = ts.level
    target = np.minimum(np.minimum(np.minimum(want, de_facto), pcap), np.maximum(J + 1, 2))
    candidate = (target > J) & (J >= 0) & (target >= 2)
    ts.form_streak = np.where(candidate, ts.form_streak + 1, 0)
    form = ts.form_streak >= rules.formalise_years
    fire(form, target, 2)
    ts.form_streak[form] = 0


def _denounce_or_lapse(ts: TreatyState, fire: _Firing, want, de_facto, rules: TreatyRules) -> None:
    """Denunciation (one side hostile for long enough), then lapse of paper instruments
    when the scenario allows it."""
    J = ts.level
    hostile_side = want <= -1
    ts.denounce_streak = np.where((J >= 1) & hostile_side, ts.denounce_streak + 1, 0)
    fire(ts.denounce_streak >= rules.denounce_years, 0, 3)
    if rules.lapse_years is not None:
        gap = (J >= 1) & (J - np.maximum(de_facto, 0) >= rules.paper_gap)
        ts.paper_streak = np.where(gap, ts.paper_streak + 1, 0)
        lapse = ts.paper_streak >= rules.lapse_years
        fire(lapse, np.maximum(de_facto, 0), 4)
        ts.paper_streak[lapse] = 0


def _sanction(ts: TreatyState, fire: _Firing, desired, want, de_facto, can_sanction,
              rules: TreatyRules) -> None:
    """Hostile instruments: imposed by one side able to sanction, lifted when both accept
    it and the pair cooperates."""
    J = ts.level
    sender = desired <= -1
    if can_sanction is not None:
        sender &= can_sanction[:, None]
    imposing = sender | sender.T
    ts.hostile_streak = np.where((J == 0) & imposing & (de_facto <= -1), ts.hostile_streak + 1, 0)
    fire(ts.hostile_streak >= rules.formalise_years, -1, 5)
    ts.lift_streak = np.where((J == -1) & (want >= 0) & (de_facto >= 1), ts.lift_streak + 1, 0)
    fire(ts.lift_streak >= rules.formalise_years, 0, 6)

"""Multilateral blocs: states join and leave on their own scores.

A state scores a bloc by the power-weighted mean of the levels it wants with the bloc's
leading members (the strongest and any with half its power or more; and the bloc's outside
patron, if it has one: a sponsor such as the United States for GUUAM whose favour is part
of what joining means). It joins when that score reaches the bloc's level less a margin,
and at least cooperation (1), and the leading members, on the same average, consent; it
leaves when the score falls below the level less a larger margin (hysteresis) and has
stayed there ``leave_years`` running years: like a bilateral instrument, a charter is not
torn up over one year's noisy choice. Joining needs no such wait, because a state decides
on membership when the bloc is founded or opens to it.
Consent works both ways: a member of a bloc with obligations whose leaders, on the same
power-weighted average, are hostile to it (below 0) for ``leave_years`` running years is
expelled, as the Cominform expelled Yugoslavia in 1948; leaders merely distant from a
member keep it (admission asks more than tolerance does). A forum, which asks no consent,
expels nobody, and no bloc expels its leading member (its strongest): an expulsion is the
leading power's act with the lesser members, and the lesser members turning on the leader
is the bloc breaking up, which the leader's and the others' own exits already express.
A neutral state joins no bloc and leaves any bloc above its ceiling. A grouping outside a
power's orbit admits no state that is in that power's alliance or union (a bloc whose charter
commits its members to at least strategic partnership with it): standing apart from Moscow
and being pledged to it are contradictory, and a member that signs up to the orbit power's
alliance or union leaves the grouping at once, as Uzbekistan left GUUAM (2005) before it
rejoined the CSTO (2006). Membership of a bloc counts as a de jure instrument of the bloc's
level between every two members.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.levels import DE_JURE_MAX


#: A member leads its bloc when it has at least this share of the strongest member's power.
LEADING_SHARE = 0.5


def leading(counted: np.ndarray, power: np.ndarray) -> np.ndarray:
    """``(n, B)`` bool: each bloc's leading members among those ``counted`` (members and any
    patron): the strongest and every member with at least :data:`LEADING_SHARE` of its
    power, so a bloc of near-equals is led by all of them."""
    w = np.where(counted, power[:, None], 0.0)
    return counted & (w >= LEADING_SHARE * w.max(axis=0, initial=0.0)[None, :])


def bloc_scores(members: np.ndarray, desired: np.ndarray, power: np.ndarray,
                patron: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each state's score for each bloc and the members' acceptance of it.

    A bloc is hub and spoke (as its obligations are, :func:`bloc_binds`): what joining
    it means is a relation with its leading members, and admission is theirs to grant. So
    both read the leading members only, power-weighted; the leader itself, with no other
    leader to look to, scores the bloc by all the members it leads.

    Args:
        members: ``(n, B)`` bool membership.
        desired: ``(n, n)`` wanted levels, ``[i, j]`` = what i wants with j.
        power: ``(n,)`` power, the weights.
        patron: ``(n, B)`` bool, outside sponsors that count in the score.

    Returns:
        ``score[i, b]`` and ``accept[i, b]``; NaN where the bloc has no member but i.
    """
    counted = members if patron is None else (members | patron)
    d = desired.astype(float)  # the diagonal is 0, so i's own weight adds nothing above

    def weighted_means(w):  # (n, B) weights: means over the counted other than i
        total = w.sum(axis=0)[None, :] - w
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(total > 0, (d @ w) / total, np.nan), np.where(total > 0, (d.T @ w) / total, np.nan)

    w = counted * power[:, None]
    by_leaders = weighted_means(np.where(leading(counted, power), w, 0.0))
    by_all = weighted_means(w)
    return tuple(np.where(np.isnan(lead), every, lead) for lead, every in zip(by_leaders, by_all))


#: What membership commits a state to, on the de facto scale, by charter type.
COMMITMENT = {"collective_defence": 3.0, "economic_union": 2.0, "security_forum": 1.0, "forum": 0.0,
              "counter_orbit": 1.0}


@dataclass(frozen=True)
class BlocCharters:
    """What each bloc's charter asks of its members; ``(B,)`` arrays unless said.

    Attributes:
        commitment: The level of alignment with the leading members that membership
            implies; the join and exit thresholds sit ``join_margin`` and ``leave_margin``
            below it.
        floor: The least score that can ever justify joining (cooperation, 1, for a bloc
            with obligations; non-hostility, 0, for a forum).
        consent: The least the leading members' (or, outside a power's orbit, the patron's)
            own power-weighted wanted level toward an applicant must reach: admission needs
            their consent (the scenario's ``bloc_consent``, cooperation, 1, by default, for
            blocs with obligations, security forums included; non-hostility, 0, for forums
            and groupings outside an orbit).
        obliged: Blocs with obligations, which ask consent and can withdraw it (expel).
        counter_orbit: Blocs valued by the relation with the patron against the relation
            with the orbit power (a grouping outside a patron's orbit).
        orbit: ``(n, B)`` bool, the power each counter-orbit bloc stands apart from.
    """

    commitment: np.ndarray
    floor: np.ndarray
    consent: np.ndarray
    obliged: np.ndarray
    counter_orbit: np.ndarray
    orbit: np.ndarray

    @classmethod
    def from_specs(cls, charters: list[str | None], levels: np.ndarray, orbit: np.ndarray,
                   consent: float = 1.0) -> "BlocCharters":
        """Charters as the scenario names them; ``None`` keeps commitment = level, as before.
        ``consent`` is what blocs with obligations ask of their members' view of an applicant."""
        commitment = np.array([COMMITMENT[c] if c else float(lv) for c, lv in zip(charters, levels)])
        floor = np.array([0.0 if c == "forum" else 1.0 for c in charters])
        obliged = np.array([c in ("collective_defence", "economic_union", "security_forum") for c in charters],
                           dtype=bool)
        return cls(commitment=commitment, floor=floor, consent=np.where(obliged, consent, 0.0), obliged=obliged,
                   counter_orbit=np.array([c == "counter_orbit" for c in charters]), orbit=orbit)


def orbit_scores(desired: np.ndarray, patron: np.ndarray, orbit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For blocs outside a power's orbit: i's wanted level with the patron less that with the
    orbit power, and the patron's wanted level toward i (its consent). NaN without a patron."""
    d = desired.astype(float)
    has = patron.any(axis=0) & orbit.any(axis=0)
    p_idx, o_idx = patron.argmax(axis=0), orbit.argmax(axis=0)
    score = np.where(has[None, :], d[:, p_idx] - d[:, o_idx], np.nan)
    accept = np.where(has[None, :], d[p_idx, :].T, np.nan)
    return score, accept


@dataclass(frozen=True)
class MembershipRules:
    """The scenario's rules for joining and leaving blocs (the ``mechanism`` fields
    ``bloc_join_margin``, ``bloc_leave_margin`` and ``denounce_years``).

    Attributes:
        join_margin: How far below the charter's commitment a score may be to join.
        leave_margin: How far below it a score must fall to want out (larger: hysteresis).
        leave_years: Running years a state must want out before it leaves.
    """

    join_margin: float
    leave_margin: float
    leave_years: int = 1

    @classmethod
    def from_mechanism(cls, mech) -> "MembershipRules":
        return cls(join_margin=mech.bloc_join_margin, leave_margin=mech.bloc_leave_margin,
                   leave_years=mech.denounce_years)


def step_blocs(members: np.ndarray, rules: MembershipRules, *, active: np.ndarray, level: np.ndarray,
               desired: np.ndarray, power: np.ndarray, cap: np.ndarray, neutral: np.ndarray,
               patron: np.ndarray | None = None, eligible: np.ndarray | None = None,
               exit_streak: np.ndarray | None = None,
               charters: BlocCharters | None = None) -> list[tuple[int, int, str]]:
    """Advance membership one year in place; return ``(state, bloc, kind)`` changes.

    ``eligible[i, b]`` says whether bloc b's charter admits state i at all. ``exit_streak``
    is an ``(n, B)`` int array of running years the exit test has held, updated in place;
    without it a state leaves in the first year the test holds. A state that loses its
    eligibility or rises above a neutral ceiling leaves at once. ``charters`` sets each
    bloc's commitment, floor and consent (default: commitment = level, floor 1, consent 0).
    """
    n_blocs = len(level)
    if charters is None:
        charters = BlocCharters.from_specs([None] * n_blocs, level, np.zeros_like(members))
    score, accept = bloc_scores(members, desired, power, patron)
    if charters.counter_orbit.any() and patron is not None:
        o_score, o_accept = orbit_scores(desired, patron, charters.orbit)
        score = np.where(charters.counter_orbit[None, :], o_score, score)
        accept = np.where(charters.counter_orbit[None, :], o_accept, accept)
    allowed = cap[:, None] >= level[None, :]
    if eligible is not None:
        allowed = allowed & eligible
    if charters.counter_orbit.any():
        allowed = allowed & ~in_orbit(members & active[None, :], charters)
    has_others = ~np.isnan(score)
    threshold = np.maximum(charters.floor, charters.commitment - rules.join_margin)[None, :]
    not_patron = ~patron if patron is not None else True
    join = (~members) & active[None, :] & allowed & has_others & ~neutral[:, None] & not_patron & \
        (score >= threshold) & (accept >= charters.consent[None, :])
    sitting = members & active[None, :] & has_others
    wants_out = sitting & (score < charters.commitment[None, :] - rules.leave_margin)
    # Only blocs that ask consent of their members can withdraw it: a forum holds anyone.
    shunned = sitting & charters.obliged[None, :] & (accept < 0.0)  # its leaders hostile to it
    if shunned.any():  # rare: find the leaders only when someone is shunned
        shunned &= ~leading_members(members, power)
    if exit_streak is not None:
        exit_streak[:] = np.where(wants_out | shunned, exit_streak + 1, 0)
        due = exit_streak >= rules.leave_years
        wants_out, shunned = wants_out & due, shunned & due
    leave = wants_out | (members & active[None, :] & ~allowed)
    expel = shunned & ~leave  # leaving of its own accord comes first
    if exit_streak is not None:
        exit_streak[leave | expel] = 0
    members[join] = True
    members[leave | expel] = False
    changes = [(int(i), int(b), "bloc_join") for i, b in zip(*np.nonzero(join))]
    changes += [(int(i), int(b), "bloc_exit") for i, b in zip(*np.nonzero(leave))]
    changes += [(int(i), int(b), "bloc_expulsion") for i, b in zip(*np.nonzero(expel))]
    return sorted(changes, key=lambda c: (c[1], c[0]))


#: The least commitment that puts a member in its leading power's orbit (economic union).
ORBIT_COMMITMENT = 2.0


def in_orbit(members: np.ndarray, charters: BlocCharters) -> np.ndarray:
    """``(n, B)`` bool: for each grouping outside a power's orbit, the states that are in that
    power's orbit, i.e. members with it of a bloc committing them to at least strategic
    partnership (a defence pact or an economic union). False for every other bloc."""
    orbit_blocs = members[:, charters.commitment >= ORBIT_COMMITMENT]  # (n, K): who is in each
    with_power = charters.orbit.T.astype(int) @ orbit_blocs  # (B, K): the bloc's orbit power is in it
    pledged = orbit_blocs.astype(int) @ (with_power > 0).T  # (n, B): i shares one with the orbit power
    return (pledged > 0) & charters.counter_orbit[None, :] & ~charters.orbit


def leading_members(members: np.ndarray, power: np.ndarray) -> np.ndarray:
    """``(n, B)`` bool: each bloc's strongest member, whom the bloc cannot expel: without its
    leading power there is no bloc left to do the expelling. A bloc of equals (a tie at the
    top) has no leader."""
    weighed = np.where(members, power[:, None], -np.inf)
    top = members & (weighed == weighed.max(axis=0, initial=-np.inf)[None, :])
    return top & (top.sum(axis=0) == 1)[None, :]


def bloc_de_jure(members: np.ndarray, level: np.ndarray, active: np.ndarray) -> np.ndarray:
    """``[i, j]``: the highest level of any active bloc both i and j belong to."""
    m = members & active[None, :]
    out = np.zeros((m.shape[0], m.shape[0]), dtype=int)
    for b in np.nonzero(m.any(axis=0))[0]:  # few blocs: a loop of outer products
        both = np.outer(m[:, b], m[:, b])
        np.maximum(out, np.where(both, level[b], 0), out=out)
    np.fill_diagonal(out, 0)
    return out


def bloc_binds(members: np.ndarray, level: np.ndarray, active: np.ndarray, power: np.ndarray) -> np.ndarray:
    """``(B, n, n)``: how strongly each bloc in force binds each pair of its members (0 for
    pairs not both in it).

    A multilateral pact binds its members above all to its leading power, which delivers
    what the pact promises, and the leader to each of them; between two lesser members the
    obligation is nominal (hub and spoke). So a bloc binds a pair by its level / 3 times the
    stronger partner's power over the strongest member's.
    """
    m = (members & active[None, :]).T  # (B, n): each bloc's members in force
    p = np.asarray(power, dtype=float)
    top = np.where(m, p[None, :], 0.0).max(axis=1, initial=0.0)  # each bloc's strongest member
    m = m & (top > 0)[:, None]  # a bloc whose members have no power binds nobody
    with np.errstate(divide="ignore", invalid="ignore"):
        bind = (np.asarray(level) / DE_JURE_MAX)[:, None, None] * np.minimum(
            np.maximum(p[:, None], p[None, :])[None, :, :] / top[:, None, None], 1.0)
    return np.where(m[:, :, None] & m[:, None, :], bind, 0.0)


def strongest_bind(binds: np.ndarray, level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From :func:`bloc_binds`: how strongly the most binding bloc binds each pair, and that
    bloc's level, what it pledges its members to (0 where no bloc binds)."""
    n = binds.shape[-1]
    if not binds.shape[0]:
        return np.zeros((n, n)), np.zeros((n, n), dtype=int)
    out = binds.max(axis=0)
    pledge = np.where(out > 0, np.asarray(level)[binds.argmax(axis=0)], 0)
    np.fill_diagonal(out, 0.0)
    np.fill_diagonal(pledge, 0)
    return out, pledge


def pledges(bilateral: np.ndarray, binds: np.ndarray, level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the instruments in force bind each pair to (the commitment component): a
    bilateral instrument by its level / 3, common blocs (``binds``, :func:`bloc_binds`) by
    the most binding one; the more binding of the two. And the level that instrument
    pledges (a bilateral instrument its own level, a bloc its level; the bloc's where the
    two bind equally): the commitment component pulls practice up to a pledge of
    partnership or alliance and no further (``sim.mechanisms.utility.commitment_pull``).

    A hostile instrument (sanctions) binds to nothing: it is a restriction one side imposes,
    not a pledge both made, so no reputation rides on living down to it, and the pair's
    other dealings go on beside it (the United States kept its post-Tiananmen sanctions on
    China through two decades of cooperation). Its effects are what it forbids: a pair under
    one signs nothing (``sim.mechanisms.treaties``).
    """
    own_level = np.maximum(bilateral, 0)
    own = own_level / DE_JURE_MAX
    if not binds.any():
        return own, own_level
    through, pledged = strongest_bind(binds, level)
    by_bloc = through >= own
    return np.where(by_bloc, through, own), np.where(by_bloc, pledged, own_level)


def bound_as_leaders(bilateral: np.ndarray, binds: np.ndarray, level: np.ndarray,
                     obliged: np.ndarray) -> np.ndarray:
    """``[i, j]`` bool: pairs that a bloc with obligations (``obliged``, by bloc) binds as it
    binds its leading members (the stronger of the two has at least :data:`LEADING_SHARE`
    of the strongest member's power) and at least as much as their own instrument does.
    Formalisation may write down the practice such a bloc sustains (``AllianceModel``)."""
    strength, pledged = strongest_bind(binds[obliged], np.asarray(level)[obliged])
    as_leaders = strength * DE_JURE_MAX >= LEADING_SHARE * pledged
    return (strength > 0) & as_leaders & (strength >= np.maximum(bilateral, 0) / DE_JURE_MAX)

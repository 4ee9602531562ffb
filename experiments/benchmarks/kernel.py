"""A bare-numpy kernel of the model's step: the reference the model's speed is judged by.

One call of :func:`kernel_step` is one year of :class:`sim.model.AllianceModel` with the
same mathematics and nothing else: government restarts, valuation (the dynamic utility
components on top of the year's input-only statics, which both share), the logit choice
from the same random stream, agreement and inertia, bilateral instruments, bloc
membership and the de jure levels. No Mesa, no records, no events, no objects: one flat
function on arrays. ``tests/test_kernel.py`` checks that it gives the model's levels from
the same state and random stream; ``bench_speed.py`` times the model against it.

A change to the model's mechanisms must be made here too (the test says so when not).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LEVELS32 = np.arange(-2, 4, dtype=np.float32)
COMPONENTS = ("security", "balancing", "bandwagon", "ideology", "interests", "economy", "disputes",
              "autonomy", "commitment", "inertia")
COMMITMENT = COMPONENTS.index("commitment")
AUTONOMY = COMPONENTS.index("autonomy")


@dataclass
class KernelState:
    """Everything a year changes, as arrays."""

    de_facto: np.ndarray
    latent: np.ndarray
    treaty: np.ndarray
    streaks: np.ndarray  # (5, n, n): form, denounce, hostile, lift, paper
    members: np.ndarray
    exit_streak: np.ndarray
    active: np.ndarray
    desired: np.ndarray | None = None
    de_jure: np.ndarray | None = None
    on_merits: np.ndarray | None = None  # what states want without the commitment pull
    binds: list | None = None  # the year's bloc binds (:func:`bloc_binds`)

    @classmethod
    def of_model(cls, m) -> "KernelState":
        """A copy of the model's state between two steps."""
        ts = m.treaties
        return cls(m.de_facto.copy(), m.latent.copy(), ts.level.copy(),
                   np.stack([ts.form_streak, ts.denounce_streak, ts.hostile_streak, ts.lift_streak,
                             ts.paper_streak]), m.members.copy(), m.bloc_exit_streak.copy(), m.bloc_active.copy())


def parameters(m) -> dict:
    """The scalars and fixed arrays a model's run uses, read once."""
    mech, rules, ch = m.mechanism, m.treaty_rules, m.charters
    return dict(w=np.array([m.utility_weights[c] for c in COMPONENTS]), temperature=m.temperature,
                gain=mech.level_gain, normal=mech.normal_level, rate=mech.adjustment_rate,
                switching_cost=mech.switching_cost,
                neutral_max=mech.neutral_max_level, sanction_share=mech.sanction_power_share,
                formalise=rules.formalise_years, denounce=rules.denounce_years, lapse=rules.lapse_years,
                paper_gap=rules.paper_gap, join_margin=m.membership_rules.join_margin,
                leave_margin=m.membership_rules.leave_margin, leave_years=m.membership_rules.leave_years,
                level=m.bloc_level, patron=m.patrons, eligible=[m.eligible_from <= y for y in m.years],
                commitment=ch.commitment,
                floor=ch.floor, consent=ch.consent, obliged=ch.obliged, counter=ch.counter_orbit, orbit=ch.orbit,
                counter_any=bool(ch.counter_orbit.any()),
                p_idx=m.patrons.argmax(axis=0), o_idx=ch.orbit.argmax(axis=0),
                has_orbit=m.patrons.any(axis=0) & ch.orbit.any(axis=0), restarts=restarts(m.inputs))


def restarts(inp) -> list[np.ndarray]:
    """For each year, the states a new government took (read from the inputs once)."""
    gov, none = inp.government, np.zeros(0, dtype=np.intp)
    return [none] + [none if gov is None else np.flatnonzero((gov[t] != gov[t - 1]) & (gov[t] != None))  # noqa: E711
                     for t in range(1, len(inp.years))]


def bloc_binds(m: np.ndarray, levels: np.ndarray, power: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Each bloc in ``m`` (members in force) that binds anyone, with how strongly it binds
    each pair (hub and spoke: level / 3 times the stronger partner's power over the
    strongest member's); computed once a year, read by valuation and by formalisation."""
    stronger = np.maximum(power[:, None], power[None, :])
    binds = []
    for b in np.nonzero(m.any(axis=0))[0]:
        top = power[m[:, b]].max()
        if top > 0:
            both = np.outer(m[:, b], m[:, b])
            binds.append((int(b), np.where(both, levels[b] / 3.0 * np.minimum(stronger / top, 1.0), 0.0)))
    return binds


def strongest(binds: list[tuple[int, np.ndarray]], levels: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """How strongly the most binding of ``binds`` binds each pair, and that bloc's level."""
    via, pledge = np.zeros((n, n)), np.zeros((n, n), dtype=int)
    for b, bind in binds:
        pledge = np.where(bind > via, levels[b], pledge)
        np.maximum(via, bind, out=via)
    np.fill_diagonal(via, 0.0)
    return via, np.where(via > 0, pledge, 0)


def obligations(k: KernelState, p: dict, power: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the instruments in force bind each pair to (the commitment component's input),
    and the level the binding instrument pledges (a bloc's where the two bind equally).
    Keeps the year's bloc binds in ``k.binds`` for :func:`formalising`."""
    own = np.maximum(k.treaty, 0)  # sanctions bind to nothing
    k.binds = bloc_binds(k.members & k.active[None, :], p["level"], power) if k.members.any() else []
    if not k.binds:
        return own / 3, own
    via, pledge = strongest(k.binds, p["level"], own.shape[0])
    by_bloc = via >= own / 3
    return np.where(by_bloc, via, own / 3), np.where(by_bloc, pledge, own)


def formalising(k: KernelState, p: dict, desired: np.ndarray) -> np.ndarray:
    """The wanted levels formalisation reads: under the pull of a bloc with obligations that
    binds the pair as its leaders (and at least as much as the pair's own instrument),
    else on the merits."""
    kept = [(b, bind) for b, bind in k.binds if p["obliged"][b]]
    if not kept:
        return k.on_merits
    via, pledge = strongest(kept, p["level"], desired.shape[0])
    by_bloc = (via > 0) & (via * 3 >= 0.5 * pledge) & (via >= np.maximum(k.treaty, 0) / 3)
    return np.where(by_bloc, desired, k.on_merits)


def utility_total(st, F: np.ndarray, w: np.ndarray, obliged: np.ndarray | None) -> np.ndarray:
    """The weighted sum of the utility components (``sim.mechanisms.utility``)."""
    n = F.shape[0]
    coop = np.maximum(F, 0) / 3
    m = st.concern.shape[1] - n
    will = st.concern * (1.0 - (np.hstack([coop, np.zeros((n, m))]) if m else coop))
    helpk = st.help_ratio * will
    s = (st.threat_share @ helpk.T) * st.not_concern
    best = s.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        security = np.where(best > 0, st.exposure * s / best, 0.0)
    able = helpk[:, :n]
    if n < 3:
        alt = np.zeros((n, n))
    else:  # the best third state able to face j: each column's top two entries
        cols = np.arange(n)
        first_k = np.argmax(able, axis=0)
        rest = able.copy()
        rest[first_k, cols] = -np.inf
        alt = np.where(cols[:, None] == first_k[None, :], rest.max(axis=0)[None, :], able[first_k, cols][None, :])
    bw = np.minimum(st.weakness_prox * (1.0 - alt), 1.0)
    bt = bw * st.threat
    fx = st.fixed
    parts = (security, -(1.0 - bw) * st.over_threat, bt + bt.T, fx["ideology"], fx["interests"], fx["economy"],
             fx["disputes"], fx["dominance"], obliged if obliged is not None else np.zeros((n, n)), F / 3)
    total = w[0] * parts[0]
    for k in range(1, len(parts)):
        total = total + w[k] * parts[k]
    return total  # without the multi-vector hedging, which :func:`hedged` settles


def ties(coop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each state's closest other tie and the sum of its other ties, pair by pair."""
    n = coop.shape[0]
    srt = np.sort(coop, axis=1)
    top, second = srt[:, -1:], srt[:, -2:-1] if n > 1 else np.zeros((n, 1))
    closest = np.where(coop >= top, second, top)  # ties: the other top entry is as close
    return closest, coop.sum(axis=1, keepdims=True) - coop


def hedge_term(own, closest, summed, ratio_t):
    """The unscaled hedging term at cooperation ``own``."""
    d = max(closest.shape[-1] - 1, 1)
    return ratio_t * np.maximum(0.0, closest - own) - np.maximum(0.0, own - (summed + own) / d)


def hedged(rest: np.ndarray, coop: np.ndarray, ratio_t: np.ndarray, k: np.ndarray, gain: float,
           normal: float, tied: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """``rest`` (one total, or several stacked on a leading axis) plus the hedging term
    (weight ``k`` per row) at the cooperation where the bliss level agrees with it
    (``sim.mechanisms.hedging``): the root of a falling piecewise-linear function, with kinks
    at 0, the row's closest other tie, its average and 1; ``tied`` is :func:`ties` of
    ``coop`` when already computed."""
    n = coop.shape[0]
    closest, summed = ties(coop) if tied is None else tied
    d = max(n - 1, 1)

    def term(own):
        return hedge_term(own, closest, summed, ratio_t)

    mean_kink = np.minimum(summed / d / ((n - 2) / d), 1.0) if n > 2 else np.ones((n, n))
    knots = np.stack([np.zeros((n, n)), np.minimum(closest, mean_kink), np.maximum(closest, mean_kink),
                      np.ones((n, n))])
    at_knots = gain * k * term(knots) - 3.0 * knots
    if rest.ndim == 3:
        knots, at_knots = knots[:, None], at_knots[:, None]
    h = normal + gain * rest + at_knots
    own = np.zeros(h.shape[1:])
    for s in range(3):
        lo, hi, hl, hh = knots[s], knots[s + 1], h[s], h[s + 1]
        sign_change = (hl > 0) & (hh <= 0)
        with np.errstate(divide="ignore", invalid="ignore"):  # pieces without a root
            own[sign_change] = np.broadcast_to(lo + (hi - lo) * hl / (hl - hh), own.shape)[sign_change]
    own = np.where(h[-1] > 0, 1.0, np.where(h[0] <= 0, 0.0, own))
    t = term(own)
    t[..., np.arange(n), np.arange(n)] = 0.0
    return rest + k * t


def choose(bliss: np.ndarray, temperature: float, rng, cap: np.ndarray,
           also: np.ndarray | None = None, current: np.ndarray | None = None,
           switching_cost: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The logit choice (``sim.mechanisms.alignment``), vectorised over a trailing level
    axis; ``also`` is a second bliss array chosen under the same noise (else the first's
    choice, without the switching cost, is returned second); the practised level
    ``current`` is worth ``switching_cost`` more than the others in the first choice only."""
    noise = None
    if temperature > 0:
        noise = rng.standard_exponential(size=bliss.shape + (6,), dtype=np.float32)
        np.maximum(noise, np.finfo(np.float32).tiny, out=noise)
        np.log(noise, out=noise)
        noise *= np.float32(temperature)
    staying = noise
    if switching_cost:
        stay = (LEVELS32 == current[..., None].astype(np.float32)) * np.float32(switching_cost)
        staying = -stay if noise is None else noise - stay

    def pick(b, noise):
        value = LEVELS32 - b.astype(np.float32)[..., None]
        value *= value
        value *= -0.5
        if noise is not None:
            value -= noise
        value = np.where(LEVELS32 > cap[:, None, None], -np.inf, value)
        return np.argmax(value, axis=-1) - 2
    first = pick(bliss, staying)
    if also is None:
        return first, (first if staying is noise else pick(bliss, noise))
    return first, pick(also, noise)


def instruments(k: KernelState, p: dict, F, desired, want, form_want, pcap, can_sanction) -> None:
    """Bilateral instruments (``sim.mechanisms.treaties``), in place; ``form_want`` is what
    formalisation reads (both sides)."""
    J, fs, ds, hs, ls, ps = k.treaty, *k.streaks
    over = J > pcap
    J[over] = pcap[over]
    target = np.minimum(np.minimum(np.minimum(form_want, F), pcap), np.maximum(J + 1, 2))
    fs[:] = np.where((target > J) & (J >= 0) & (target >= 2), fs + 1, 0)
    form = fs >= p["formalise"]
    J[form] = target[form]
    fs[form] = 0
    ds[:] = np.where((J >= 1) & (want <= -1), ds + 1, 0)
    J[ds >= p["denounce"]] = 0
    if p["lapse"] is not None:
        held = np.maximum(F, 0)
        ps[:] = np.where((J >= 1) & (J - held >= p["paper_gap"]), ps + 1, 0)
        lapse = ps >= p["lapse"]
        J[lapse] = held[lapse]
        ps[lapse] = 0
    sender = (desired <= -1) & can_sanction[:, None]
    hs[:] = np.where((J == 0) & (sender | sender.T) & (F <= -1), hs + 1, 0)
    J[hs >= p["formalise"]] = -1
    ls[:] = np.where((J == -1) & (want >= 0) & (F >= 1), ls + 1, 0)
    J[ls >= p["formalise"]] = 0


def membership(k: KernelState, p: dict, desired, power, cap, neutral, t: int) -> None:
    """Bloc joins and exits (``sim.mechanisms.blocs``), in place."""
    M, patron = k.members, p["patron"]
    counted = M | patron
    w = counted * power[:, None]
    lead = np.where(counted & (w >= 0.5 * w.max(axis=0, initial=0.0)[None, :]), w, 0.0)  # the leading members
    d = desired.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        means = []
        for x in (lead, w):  # by the leaders; by all members for a leader with no other leader
            total = x.sum(axis=0)[None, :] - x
            means.append((np.where(total > 0, (d @ x) / total, np.nan), np.where(total > 0, (d.T @ x) / total, np.nan)))
    score = np.where(np.isnan(means[0][0]), means[1][0], means[0][0])
    accept = np.where(np.isnan(means[0][1]), means[1][1], means[0][1])
    if p["counter_any"]:
        has = p["has_orbit"][None, :]
        co = p["counter"][None, :]
        score = np.where(co, np.where(has, d[:, p["p_idx"]] - d[:, p["o_idx"]], np.nan), score)
        accept = np.where(co, np.where(has, d[p["p_idx"], :].T, np.nan), accept)
    active = k.active[None, :]
    allowed = (cap[:, None] >= p["level"][None, :]) & p["eligible"][t]
    if p["counter_any"]:  # no grouping outside a power's orbit for members of its pact or union
        pacts = (M & k.active[None, :])[:, p["commitment"] >= 2.0]
        pledged = pacts.astype(int) @ ((p["orbit"].T.astype(int) @ pacts) > 0).T
        allowed &= ~((pledged > 0) & p["counter"][None, :] & ~p["orbit"])
    has_others = ~np.isnan(score)
    threshold = np.maximum(p["floor"], p["commitment"] - p["join_margin"])[None, :]
    join = ~M & active & allowed & has_others & ~neutral[:, None] & ~patron & (score >= threshold) & \
        (accept >= p["consent"][None, :])
    sitting = M & active & has_others
    out = sitting & (score < p["commitment"][None, :] - p["leave_margin"])
    shunned = sitting & p["obliged"][None, :] & (accept < 0.0)
    if shunned.any():  # no bloc expels its (unique) strongest member
        weighed = np.where(M, power[:, None], -np.inf)
        leading = M & (weighed == weighed.max(axis=0, initial=-np.inf)[None, :])
        shunned &= ~(leading & (leading.sum(axis=0) == 1)[None, :])
    k.exit_streak[:] = np.where(out | shunned, k.exit_streak + 1, 0)
    due = k.exit_streak >= p["leave_years"]
    out, shunned = out & due, shunned & due
    leave = out | (M & active & ~allowed)
    expel = shunned & ~out & ~leave
    k.exit_streak[leave | expel] = 0
    M[join] = True
    M[leave | expel] = False


def kernel_core(k: KernelState, st, inp, t: int, p: dict, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Restarts, valuation, choice, agreement and inertia of year ``t`` (the de facto part);
    returns the wanted levels, the agreed levels and the states' level caps."""
    n = k.de_facto.shape[0]
    for i in p["restarts"][t]:
        for a in (k.latent, k.de_facto, k.streaks[0], k.streaks[1], k.streaks[2], k.streaks[3]):
            a[i, :] = 0
            a[:, i] = 0
        hostile = k.treaty[i] == -1
        k.treaty[i, hostile] = 0
        k.treaty[hostile, i] = 0
    cap = np.where(inp.neutral[t] > 0, p["neutral_max"], 3)
    wc = p["w"][COMMITMENT]
    obliged, pledge = obligations(k, p, inp.power[t]) if wc else (None, None)
    rest = utility_total(st, k.de_facto, p["w"], obliged)
    coop, hedge_k = np.maximum(k.de_facto, 0) / 3, p["w"][AUTONOMY] * inp.multi_vector[t][:, None]
    tied = ties(coop)
    if obliged is not None and (pledge >= 2).any():  # a pledge of 2 or 3 pulls up to it, no further
        merits = rest + hedge_k * hedge_term(coop, *tied, st.ratio.T) - wc * obliged
        gap = np.maximum(0.0, pledge - (p["normal"] + p["gain"] * merits))
        capped = np.where(pledge >= 2, np.minimum(obliged, gap / (p["gain"] * wc)), obliged)
        rest = rest + wc * (capped - obliged)
        obliged = capped
    pull = wc * obliged if obliged is not None else None
    merits = None
    if pull is not None and pull.any():
        total, on_merits = hedged(np.stack([rest, rest - pull]), coop, st.ratio.T, hedge_k, p["gain"], p["normal"],
                                  tied)
        merits = np.clip(p["normal"] + p["gain"] * on_merits, -2, 3)
    else:
        total = hedged(rest, coop, st.ratio.T, hedge_k, p["gain"], p["normal"], tied)
    bliss = np.clip(p["normal"] + p["gain"] * total, -2, 3)
    desired, k.on_merits = choose(bliss, p["temperature"], rng, cap, also=merits, current=k.de_facto,
                                  switching_cost=p["switching_cost"])
    desired.flat[:: n + 1] = 0
    k.on_merits.flat[:: n + 1] = 0
    want = np.minimum(desired, desired.T)
    k.latent = k.latent + p["rate"] * (want - k.latent)
    k.de_facto = np.clip(np.floor(k.latent + 0.5), -2, 3).astype(int)
    k.desired = desired
    return desired, want, cap


def kernel_step(k: KernelState, st, inp, t: int, p: dict, rng) -> None:
    """Year ``t`` of the model on ``k``, in place; ``st`` is the year's statics."""
    desired, want, cap = kernel_core(k, st, inp, t, p, rng)
    power = inp.power[t]
    form = formalising(k, p, desired) if p["w"][COMMITMENT] else k.on_merits
    instruments(k, p, k.de_facto, k.on_merits, np.minimum(k.on_merits, k.on_merits.T), np.minimum(form, form.T),
                np.minimum(cap[:, None], cap[None, :]), power >= p["sanction_share"] * power.sum())
    membership(k, p, k.on_merits, power, cap, inp.neutral[t] > 0, t)
    both = k.members & k.active[None, :]
    via = np.max(np.where(both[:, None, :] & both[None, :, :], p["level"], 0), axis=2, initial=0)
    np.fill_diagonal(via, 0)
    k.de_jure = np.where(k.treaty == -1, -1, np.maximum(k.treaty, via))

"""Landscape theory of aggregation (Axelrod & Bennett 1993) in pure numpy.

Axelrod and Bennett ("A Landscape Theory of Aggregation", *British Journal of Political
Science* 23(2), 1993) treat alignment as a systemic outcome: every actor ``i`` has a size
``s_i`` and every pair a symmetric propensity ``p_ij`` (positive: they would rather be
together; negative: apart). A *configuration* puts each actor in one of ``k`` blocs
(two in the paper) and ``d_ij`` is 1 when ``i`` and ``j`` sit in different blocs, else 0.

* Frustration of ``i``: ``F_i = sum_{j != i} s_j p_ij d_ij`` -- how much ``i`` dislikes
  where its friends and enemies are, weighted by their size.
* Energy: ``E = sum_i s_i F_i = sum_{i != j} s_i s_j p_ij d_ij``. The sum runs over
  **ordered** pairs, so each unordered pair counts twice; this is the paper's convention
  and only rescales the landscape, it never changes which configurations are minima.

Myopic actors switch bloc when that lowers their own frustration, and because the
change of energy of a switch by ``i`` is ``2 s_i`` times the change of ``F_i``, such a
switch always lowers the energy: the dynamics run downhill and stop in a local minimum
(no single actor can lower its frustration by moving). The basin of attraction of a
minimum is the set of configurations whose *steepest descent* (at every step the single
move that lowers the energy most) ends in it. Ties between equally good moves are broken
by the lowest actor index, then the lowest bloc label of the canonical labelling (blocs
numbered in order of their first member), so basins are well defined.

Bloc labels are interchangeable, so configurations are counted once: actor 0 is always in
bloc 0 (``2**(n-1)`` configurations for two blocs), and for ``k`` blocs labels are
restricted growth strings (each actor joins an existing bloc or the next new one).

Everything here is vectorised numpy; ``W = s s^T * P`` with a zero diagonal carries all
the information, and ``r = W.sum(1)`` is each actor's total weighted propensity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

#: Largest number of actors for which two-bloc landscapes are enumerated exhaustively
#: (counting actor 0 out: 25 actors, 2**24 configurations).
EXHAUSTIVE_LIMIT = 24
#: Most actors a landscape file may have. Up to 25 actors (two blocs) every configuration
#: is enumerated (25 actors, 2**24 configurations: about 6 s quiet, 30 s on busy cores); beyond, the search is steepest descent from random
#: starts (10,000 by default), whose cost grows with starts x descent length (~n) x n x k.
#: Measured on 2 busy cores with 10,000 starts and two blocs: 6 s at 50 actors, 18 s at
#: 100, about 130 s at 200 (1,000 starts: 13 s) and 171 s at 400; twelve blocs cost about
#: ten times two. 200 covers every state of the modern state system (about 195); the
#: command shows a progress bar on a terminal, and ``--starts`` trades precision for time.
MAX_ACTORS = 200
#: Largest number of canonical configurations enumerated exhaustively for k > 2 blocs.
KBLOC_EXHAUSTIVE_LIMIT = 2_000_000


# ----------------------------------------------------------------------------- inputs
def check_inputs(sizes, propensity) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(sizes, propensity)`` as float arrays after checking they make sense.

    Sizes must be positive (an actor of size zero cannot attract anyone and its moves leave
    the energy unchanged) and propensities a finite symmetric square matrix, because the
    theory is about *mutual* propensities. The diagonal is ignored and set to zero.

    Raises:
        ValueError: with a sentence naming the problem.
    """
    s = np.asarray(sizes, dtype=float)
    p = np.array(propensity, dtype=float)
    if s.ndim != 1 or s.size < 2:
        raise ValueError("sizes must be a vector of at least two actors")
    if p.shape != (s.size, s.size):
        raise ValueError(f"propensity must be {s.size} x {s.size}, got {p.shape}")
    if not (np.all(np.isfinite(s)) and np.all(s > 0)):
        raise ValueError("sizes must be finite and positive")
    if not np.all(np.isfinite(p)):
        raise ValueError("propensities must be finite")
    np.fill_diagonal(p, 0.0)
    if not np.allclose(p, p.T, rtol=0, atol=1e-12):
        raise ValueError("propensity matrix must be symmetric (p_ij = p_ji)")
    return s, p


def weights(sizes, propensity) -> np.ndarray:
    """Pair weights ``W_ij = s_i s_j p_ij`` (zero diagonal): the energy's only input."""
    s, p = check_inputs(sizes, propensity)
    return np.outer(s, s) * p


#: Rounding allowance of a move's energy change, in units of ``n * eps * sum_j |W_ij|``.
ROUNDING_FACTOR = 16.0


def tolerances(w: np.ndarray) -> np.ndarray:
    """Tie tolerance of each actor's moves: a bound on the rounding error of its energy changes.

    A move of actor ``i`` changes the energy by a signed sum of its own pair weights
    ``W_ij`` (twice each), computed from sums of at most ``n`` of them; its rounding error
    is at most a few ``n * eps * sum_j |W_ij|``. A change beyond this bound is a real
    difference, however small against other actors' weights, so a move counts only when it
    lowers the energy by more than its actor's tolerance: every move taken lowers the true
    energy and steepest descent cannot cycle on rounding noise. (A tolerance relative to
    the whole landscape, as ``1e-10 * sum |W|`` was, made the hostility of two small actors
    a tie next to two large ones; one relative to the smallest weight would fall below the
    rounding of a large actor's sums and let noise decide its moves.)
    """
    n = w.shape[0]
    return ROUNDING_FACTOR * n * np.finfo(float).eps * np.abs(w).sum(1)


def unresolved_pair(sizes, propensity) -> tuple[int, int, float] | None:
    """A pair whose nonzero propensity double precision cannot resolve, or ``None``.

    Its weight ``s_i s_j p_ij`` underflows (zero or subnormal), or is within the rounding
    tolerance of one of the two actors (:func:`tolerances`): the pair would silently count
    as indifferent. Returns ``(i, j, weight)`` for the first such pair.
    """
    s, p = check_inputs(sizes, propensity)
    w = np.outer(s, s) * p
    tol = tolerances(w)
    lost = (p != 0) & ((np.abs(w) < np.finfo(float).tiny)
                       | (np.abs(w) <= np.maximum(tol[:, None], tol[None, :])))
    np.fill_diagonal(lost, False)
    if not lost.any():
        return None
    i, j = (int(x) for x in np.argwhere(lost)[0])
    return i, j, float(w[i, j])


# --------------------------------------------------------------- single configurations
def canonical_labels(labels) -> np.ndarray:
    """Relabel blocs in order of their first member (actor 0 always in bloc 0).

    Works on one configuration (1-D) or many (2-D, one per row), vectorised: two
    labellings describe the same partition exactly when their canonical forms are equal.
    """
    lab = np.asarray(labels)
    one = lab.ndim == 1
    lab2 = np.atleast_2d(lab).astype(np.int64)
    _, inv = np.unique(lab2, return_inverse=True)  # compress arbitrary labels to 0..m-1
    inv = inv.reshape(lab2.shape)
    m = int(inv.max()) + 1 if inv.size else 0
    n = inv.shape[1]
    present = inv[:, :, None] == np.arange(m)[None, None, :]
    first = np.where(present.any(1), present.argmax(1), n)  # first member of each label
    rank = np.argsort(np.argsort(first, axis=1, kind="stable"), axis=1, kind="stable")
    out = np.take_along_axis(rank, inv, axis=1)
    return out[0] if one else out


def frustration(sizes, propensity, labels) -> np.ndarray:
    """Frustration ``F_i = sum_j s_j p_ij d_ij`` of every actor in one configuration."""
    s, p = check_inputs(sizes, propensity)
    lab = np.asarray(labels)
    apart = lab[:, None] != lab[None, :]
    return (p * apart) @ s


def energy(sizes, propensity, labels) -> float:
    """Energy ``E = sum_i s_i F_i`` (ordered pairs: each unordered pair counted twice)."""
    s = np.asarray(sizes, dtype=float)
    return float(s @ frustration(sizes, propensity, labels))


def move_deltas(w: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Energy change of moving actor ``i`` to bloc ``c``, for many configurations.

    Args:
        w: ``n x n`` pair weights.
        labels: ``(m, n)`` bloc labels in ``0..k-1``.
        k: number of blocs.

    Returns:
        ``(m, n, k)`` array; staying put is ``+inf`` so it is never chosen as a move.
    """
    onehot = labels[:, :, None] == np.arange(k)[None, None, :]
    # together[s, i, c]: weight i shares with members of bloc c (excluding itself).
    together = np.einsum("ij,mjc->mic", w, onehot.astype(float), optimize=True)
    current = np.take_along_axis(together, labels[:, :, None], axis=2)
    delta = 2.0 * (current - together)
    delta[onehot] = np.inf
    return delta


def _steepest_choice(delta: np.ndarray, tol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Steepest real move of each row of ``delta`` (``(m, n * per)`` energy changes, column
    tolerances ``tol``): ``(gain, column)``, gain ``inf`` where no move is real.

    A move is real when it lowers the energy by more than its actor's tolerance; among real
    moves within rounding of the best (``tol`` of the best's actor plus the move's own), the
    first column wins (lowest actor, then lowest bloc), so exact ties are broken the same way
    whatever the rounding.
    """
    d = np.where(delta < -tol, delta, np.inf)
    best_col = d.argmin(axis=1)
    best = d[np.arange(d.shape[0]), best_col]
    pick = np.argmax(d <= (best + tol[best_col])[:, None] + tol[None, :], axis=1)
    return best, pick


def _steepest_moves(w, labels, k, tol):
    """Best single move of every configuration: (gain, actor, bloc, moves?)."""
    m, n = labels.shape
    delta = move_deltas(w, labels, k).reshape(m, n * k)
    best, pick = _steepest_choice(delta, np.repeat(tol, k))
    return best, pick // k, pick % k, np.isfinite(best)


def is_local_minimum(sizes, propensity, labels, k: int | None = None) -> bool:
    """True when no single actor can lower its frustration by moving to another bloc.

    With ``k`` blocs (default: two, or the number of labels used if larger) an actor may
    also leave for an empty bloc, i.e. stand alone.
    """
    w = weights(sizes, propensity)
    lab = canonical_labels(labels)[None, :]
    k = int(k or max(2, int(lab.max()) + 1))
    *_, moves = _steepest_moves(w, lab, k, tolerances(w))
    return not bool(moves[0])


def descend(sizes, propensity, labels, k: int = 2, max_steps: int = 100_000):
    """Steepest descent from one configuration.

    Returns:
        ``(final_labels, energies)``: the canonical local minimum reached and the energy
        after every step (starting with the initial one); it never rises.
    """
    w = weights(sizes, propensity)
    tol = tolerances(w)
    lab = canonical_labels(labels)[None, :].astype(np.int64)
    if lab.max() >= k:
        raise ValueError(f"configuration uses more than k={k} blocs")
    energies = [energy(sizes, propensity, lab[0])]
    for _ in range(max_steps):
        best, actor, bloc, moves = _steepest_moves(w, lab, k, tol)
        if not moves[0]:
            return lab[0], np.array(energies)
        lab[0, actor[0]] = bloc[0]
        lab = canonical_labels(lab)
        energies.append(energies[-1] + float(best[0]))
    raise RuntimeError("steepest descent did not converge")  # pragma: no cover


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class LocalMinimum:
    """One stable configuration of the landscape.

    Attributes:
        labels: canonical bloc of every actor (actor 0 in bloc 0).
        energy: its energy ``E`` (ordered-pair convention).
        basin_size: configurations whose steepest descent ends here (exhaustive search),
            or random starts that ended here.
        basin_share: ``basin_size`` over all configurations (or starts).
        share_se: standard error of the share (random starts only; ``None`` if exact).
    """

    labels: tuple[int, ...]
    energy: float
    basin_size: int
    basin_share: float
    share_se: float | None = None

    def blocs(self, actors: Sequence[str] | None = None) -> list[list[str]]:
        """Members of each bloc, by actor id (or index), in canonical bloc order."""
        names = list(actors) if actors is not None else [str(i) for i in range(len(self.labels))]
        out: dict[int, list[str]] = {}
        for name, b in zip(names, self.labels):
            out.setdefault(b, []).append(name)
        return [out[b] for b in sorted(out)]


@dataclass
class LandscapeResult:
    """Local minima of a landscape, lowest energy first, and how they were found."""

    minima: list[LocalMinimum]
    k: int
    method: str  # "exhaustive" or "random-starts"
    n_configurations: int  # configurations enumerated, or starts drawn
    energies: np.ndarray | None = field(default=None, repr=False)


def _minima_from_roots(roots, energies_of_roots, labels_of, total, se=False):
    uniq, counts = np.unique(roots, return_counts=True)
    mins = []
    for u, c in zip(uniq, counts):
        share = c / total
        mins.append(LocalMinimum(
            labels=tuple(int(x) for x in labels_of(u)),
            energy=float(energies_of_roots(u)),
            basin_size=int(c),
            basin_share=float(share),
            share_se=float(np.sqrt(share * (1 - share) / total)) if se else None,
        ))
    mins.sort(key=lambda m: (m.energy, m.labels))
    return mins


def _resolve(succ: np.ndarray) -> np.ndarray:
    """Follow successor pointers to their fixed points by pointer jumping (doubling)."""
    root = succ.copy()
    while True:
        nxt = root[root]
        if np.array_equal(nxt, root):
            return root
        root = nxt


# ------------------------------------------------------------------ two blocs, exact
def config_bits(idx: np.ndarray, n: int) -> np.ndarray:
    """0/1 bloc of every actor for configuration indices (actor 0 fixed in bloc 0)."""
    out = np.zeros((idx.size, n), dtype=np.int8)
    out[:, 1:] = (idx[:, None] >> np.arange(n - 1)) & 1
    return out


def binary_energies(sizes, propensity) -> np.ndarray:
    """Energy of all ``2**(n-1)`` two-bloc configurations, built incrementally.

    Configuration ``x`` (bit ``j`` = bloc of actor ``j+1``) is reached from ``x - 2**m``
    by one switch of actor ``m+1``, the Gray-code step, and the switch costs
    ``2 r_m - 4 h_m(x)`` where ``h(x) = b(x) W`` is the weight each actor shares with
    bloc 1. Both ``E`` and ``h`` are doubled one actor at a time, so each configuration
    costs O(n) work and no energy is recomputed from scratch.
    """
    w = weights(sizes, propensity)
    n = w.shape[0]
    if n - 1 > EXHAUSTIVE_LIMIT:
        raise ValueError(f"exhaustive enumeration is limited to {EXHAUSTIVE_LIMIT + 1} actors")
    e, h = _doubling(w, range(1, n))
    return e


def _doubling(w: np.ndarray, actors) -> tuple[np.ndarray, np.ndarray]:
    """Energies and bloc-1 fields of all configurations of ``actors`` (others in bloc 0)."""
    n = w.shape[0]
    r = w.sum(1)
    e = np.zeros(1)
    h = np.zeros((1, n))
    for a in actors:
        e = np.concatenate([e, e + 2.0 * r[a] - 4.0 * h[:, a]])
        h = np.concatenate([h, h + w[a]])
    return e, h


def exhaustive_binary(sizes, propensity, chunk_bits: int = 16, keep_energies: bool = False,
                      progress: Callable[[int], object] | None = None) -> LandscapeResult:
    """Every two-bloc configuration, its steepest-descent successor, and the basins.

    The ``2**(n-1)`` configurations are processed in chunks that share their high bits.
    Inside a chunk the energy change of switching actor ``i`` is
    ``(2 r_i - 4 h_i) * (1 - 2 b_i)`` with ``h = h_low + h_high`` (precomputed by
    :func:`_doubling`), so a chunk costs a few elementwise passes. The successor pointers
    are then resolved to their fixed points by pointer jumping. ``progress`` is called with
    the configurations of each chunk (25 actors, 2**24 of them, take 6-30 s).
    """
    w = weights(sizes, propensity)
    n = w.shape[0]
    if n - 1 > EXHAUSTIVE_LIMIT:
        raise ValueError(f"exhaustive enumeration is limited to {EXHAUSTIVE_LIMIT + 1} actors")
    tol = tolerances(w)
    total = 1 << (n - 1)
    low = min(n - 1, chunk_bits)
    r = w.sum(1)
    e_low, h_low = _doubling(w, range(1, low + 1))
    b_low = config_bits(np.arange(1 << low, dtype=np.int64), low + 1).astype(float)
    b_low = np.pad(b_low, ((0, 0), (0, n - low - 1)))
    g_low = 2.0 * r - 4.0 * h_low           # switch cost for an actor in bloc 0
    s_low = 1.0 - 2.0 * b_low               # +1 in bloc 0, -1 in bloc 1
    full = total - 1
    flip = np.array([full] + [1 << j for j in range(n - 1)], dtype=np.int64)
    succ = np.empty(total, dtype=np.int64 if total > 2**31 else np.int32)
    e_all = np.empty(total)
    low_idx = np.arange(1 << low, dtype=np.int64)
    for c in range(total >> low):
        b_hi = np.zeros(n)
        b_hi[low + 1:] = (c >> np.arange(n - 1 - low)) & 1
        h_hi = b_hi @ w
        e_hi = 2.0 * b_hi @ r - 2.0 * b_hi @ h_hi
        delta = (g_low - 4.0 * h_hi) * (s_low * (1.0 - 2.0 * b_hi))
        best, pick = _steepest_choice(delta, tol)
        idx = (c << low) | low_idx
        sl = slice(c << low, (c + 1) << low)
        succ[sl] = np.where(np.isfinite(best), idx ^ flip[pick], idx)
        e_all[sl] = e_low + e_hi - 4.0 * (b_low @ h_hi)
        if progress is not None:
            progress(1 << low)
    roots = _resolve(succ)
    mins = _minima_from_roots(roots, lambda u: e_all[u],
                              lambda u: config_bits(np.array([u]), n)[0], total)
    return LandscapeResult(mins, 2, "exhaustive", total, e_all if keep_energies else None)


# -------------------------------------------------------------------- k blocs, exact
def restricted_growth_strings(n: int, k: int) -> np.ndarray:
    """All partitions of ``n`` actors into at most ``k`` blocs, canonically labelled."""
    rows = np.zeros((1, 1), dtype=np.int8)
    top = np.zeros(1, dtype=np.int8)  # highest label used so far
    for _ in range(1, n):
        choices = np.minimum(top + 1, k - 1) + 1
        rep = np.repeat(np.arange(rows.shape[0]), choices)
        offs = np.arange(rep.size) - np.repeat(np.cumsum(choices) - choices, choices)
        rows = np.column_stack([rows[rep], offs.astype(np.int8)])
        top = np.maximum(top[rep], offs.astype(np.int8))
    return rows


def partition_count(n: int, k: int) -> int:
    """Partitions of ``n`` actors into at most ``k`` non-empty blocs (sum of Stirling numbers)."""
    row = [1] + [0] * k  # S(0, j)
    for _ in range(n):
        row = [0] + [j * row[j] + row[j - 1] for j in range(1, k + 1)]
    return sum(row)


def _codes(labels: np.ndarray, k: int) -> np.ndarray:
    return labels.astype(np.int64) @ (k ** np.arange(labels.shape[1], dtype=np.int64))


def exhaustive_kblocs(sizes, propensity, k: int, chunk: int = 50_000) -> LandscapeResult:
    """Exact landscape for ``k`` blocs (small ``n``): every canonical configuration.

    Each configuration's steepest move is found vectorised, the moved labelling is put in
    canonical form and looked up by its base-``k`` code, and the successor pointers are
    resolved by pointer jumping, exactly as for two blocs.
    """
    w = weights(sizes, propensity)
    n = w.shape[0]
    tol = tolerances(w)
    if partition_count(n, k) > KBLOC_EXHAUSTIVE_LIMIT:
        raise ValueError("too many configurations for exhaustive k-bloc search; use random starts")
    confs = restricted_growth_strings(n, k).astype(np.int64)
    codes = _codes(confs, k)
    order = np.argsort(codes)
    r = w.sum(1)
    succ = np.arange(confs.shape[0])
    e_all = np.empty(confs.shape[0])
    for lo in range(0, confs.shape[0], chunk):
        lab = confs[lo:lo + chunk]
        same = lab[:, :, None] == lab[:, None, :]
        e_all[lo:lo + chunk] = (r - np.einsum("ij,mij->mi", w, same)).sum(1)
        best, actor, bloc, moves = _steepest_moves(w, lab, k, tol)
        rows = np.flatnonzero(moves)
        moved = lab[rows].copy()
        moved[np.arange(rows.size), actor[rows]] = bloc[rows]
        pos = np.searchsorted(codes, _codes(canonical_labels(moved), k), sorter=order)
        succ[lo + rows] = order[pos]
    roots = _resolve(succ)
    mins = _minima_from_roots(roots, lambda u: e_all[u], lambda u: confs[u], confs.shape[0])
    return LandscapeResult(mins, k, "exhaustive", confs.shape[0])


# ------------------------------------------------------------ any k, random starts
#: Starts x actors x blocs descended together: bounds the memory of the move table
#: (about 2 million cells, a few tens of MB) whatever the number of starts.
BATCH_CELLS = 2_000_000


def random_starts(sizes, propensity, k: int = 2, starts: int = 1000,
                  rng: np.random.Generator | int | None = None,
                  progress: Callable[[int], object] | None = None) -> LandscapeResult:
    """Steepest descent from many random configurations (for landscapes too big to list).

    Starts are drawn uniformly over labellings (each actor's bloc independently uniform);
    the share of starts ending in each minimum estimates its basin share *under that
    draw*, with binomial standard error ``sqrt(p (1 - p) / starts)``.

    The starts descend in batches of :data:`BATCH_CELLS` cells, drawn batch by batch
    from the one generator (the same numbers as one draw of all of them; each start's
    descent is its own), so memory stays bounded; ``progress`` is called with the number of
    starts each batch settles. Minima are told apart by their whole labelling (a base-k
    code of the labels overflowed 64 bits beyond 63 actors and merged distinct minima).
    """
    w = weights(sizes, propensity)
    n = w.shape[0]
    tol = tolerances(w)
    rng = np.random.default_rng(rng)
    final = np.empty((starts, n), dtype=np.int8)  # k <= 127 blocs
    batch = max(1, BATCH_CELLS // (n * k))
    for lo in range(0, starts, batch):
        lab = canonical_labels(rng.integers(0, k, size=(min(batch, starts - lo), n))).astype(np.int64)
        active = np.arange(lab.shape[0])
        while active.size:
            sub = lab[active]
            _, actor, bloc, moves = _steepest_moves(w, sub, k, tol)
            active = active[moves]
            sub = sub[moves]
            sub[np.arange(active.size), actor[moves]] = bloc[moves]
            lab[active] = canonical_labels(sub) if active.size else sub
        final[lo:lo + lab.shape[0]] = lab
        if progress is not None:
            progress(lab.shape[0])
    uniq, which = np.unique(final, axis=0, return_inverse=True)

    def e_of(u):
        lab_u = uniq[u]
        return (w * (lab_u[:, None] != lab_u[None, :])).sum()

    mins = _minima_from_roots(which.reshape(-1), e_of, lambda u: uniq[u], starts, se=True)
    return LandscapeResult(mins, k, "random-starts", starts)


def analyse(sizes, propensity, k: int = 2, starts: int | None = None,
            rng: np.random.Generator | int | None = None,
            progress: Callable[[int], object] | None = None) -> LandscapeResult:
    """Exact landscape when it is small enough, otherwise random starts.

    Args:
        sizes: actor sizes (e.g. CINC shares).
        propensity: symmetric propensity matrix.
        k: number of blocs.
        starts: force random starts with this many draws (``None``: exhaustive if feasible,
            else 10,000 starts).
        rng: seed or generator for the random starts.
        progress: called with the configurations or random starts done so far in each
            chunk or batch (the exhaustive search of k > 2 blocs, bounded to 2 million
            configurations, reports nothing).
    """
    method, count = search_plan(len(sizes), k, starts)
    if method == "exhaustive" and k == 2:
        return exhaustive_binary(sizes, propensity, progress=progress)
    if method == "exhaustive":
        return exhaustive_kblocs(sizes, propensity, k)
    return random_starts(sizes, propensity, k, count, rng, progress)


#: Random starts drawn when a landscape is too large to enumerate and none are asked for.
DEFAULT_STARTS = 10_000


def search_plan(n: int, k: int, starts: int | None = None) -> tuple[str, int]:
    """How :func:`analyse` searches ``n`` actors in ``k`` blocs: ``("exhaustive",
    configurations)`` or ``("random-starts", starts)``, so a caller can size a progress bar."""
    if starts is None:
        if k == 2 and n - 1 <= EXHAUSTIVE_LIMIT:
            return "exhaustive", 1 << (n - 1)
        if k > 2 and partition_count(n, k) <= KBLOC_EXHAUSTIVE_LIMIT:
            return "exhaustive", partition_count(n, k)
        starts = DEFAULT_STARTS
    return "random-starts", starts


# ---------------------------------------------------------------- from agent inputs
DEFAULT_INGREDIENT_WEIGHTS: Mapping[str, float] = {
    "ideology": 1.0, "interest": 1.0, "threat": 1.0, "shared_threat": 1.0, "history": 1.0,
}


def propensities_from_ingredients(ideology_affinity, interest_convergence, threat, history,
                                  weights: Mapping[str, float] | None = None) -> np.ndarray:
    """Propensity matrix from the agent model's dyadic ingredients.

    Rule (each term scaled to ``[-1, 1]`` and symmetrised as ``(X + X^T) / 2`` because
    landscape propensities are mutual)::

        p = (w_ideology * A + w_interest * C - w_threat * T_sym
             + w_shared_threat * S + w_history * H) / sum(|w|)

    * ``A`` ideological affinity and ``C`` interest convergence pull states together when
      positive and apart when negative (natural allies share both).
    * ``T_sym`` is the threat the two pose to each other (``threat[i, j]`` = threat ``j``
      poses to ``i``, in ``[0, 1]``): direct threat pushes apart (balancing against it).
    * ``S_ij = mean_k min(T_ik, T_jk)`` over third parties ``k``: states that fear the same
      third party are drawn together (Walt's strategic partners).
    * ``H`` is the past de facto level in ``[-2, 3]`` mapped to ``[-1, 1]`` (divided by 2
      when negative, by 3 when positive): alignment has inertia.

    Dividing by the total weight keeps ``p`` in ``[-1, 1]``; the diagonal is zero.

    Raises:
        ValueError: for mismatched shapes, out-of-range values or unknown weights.
    """
    arrs = _checked_ingredients({"ideology_affinity": ideology_affinity,
                                 "interest_convergence": interest_convergence,
                                 "threat": threat, "history": history})
    n = arrs["threat"].shape[0]
    wts = _ingredient_weights(weights)
    norm = sum(abs(v) for v in wts.values())

    def sym(x):
        return (x + x.T) / 2.0

    t = arrs["threat"].copy()
    np.fill_diagonal(t, 0.0)
    others = ~np.eye(n, dtype=bool)
    # shared[i, j] = mean over k not in {i, j} of min(T_ik, T_jk)
    mins = np.minimum(t[:, None, :], t[None, :, :])
    mask = others[:, None, :] & others[None, :, :]
    shared = (mins * mask).sum(-1) / max(n - 2, 1)
    hist = arrs["history"]
    hist = np.where(hist < 0, hist / 2.0, hist / 3.0)
    p = (wts["ideology"] * sym(arrs["ideology_affinity"])
         + wts["interest"] * sym(arrs["interest_convergence"])
         - wts["threat"] * sym(t)
         + wts["shared_threat"] * sym(shared)
         + wts["history"] * sym(hist)) / norm
    np.fill_diagonal(p, 0.0)
    return p


#: The range of each ingredient (the diagonal is ignored).
INGREDIENT_BOUNDS = {"ideology_affinity": (-1, 1), "interest_convergence": (-1, 1),
                     "threat": (0, 1), "history": (-2, 3)}


def _checked_ingredients(arrays: dict) -> dict[str, np.ndarray]:
    """The ingredients as float arrays: square, of one size n >= 2, finite and in range."""
    arrs = {k: np.asarray(v, dtype=float) for k, v in arrays.items()}
    n = arrs["threat"].shape[0] if arrs["threat"].ndim == 2 else -1
    for name, a in arrs.items():
        if a.shape != (n, n) or n < 2:
            raise ValueError(f"{name} must be a square n x n matrix, got {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} must be finite")
    for name, (lo, hi) in INGREDIENT_BOUNDS.items():
        a = arrs[name].copy()
        np.fill_diagonal(a, (lo + hi) / 2)
        if a.min() < lo or a.max() > hi:
            raise ValueError(f"{name} must lie in [{lo}, {hi}]")
    return arrs


def _ingredient_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """The default weights updated with ``weights``; unknown names or all zeros are errors."""
    wts = dict(DEFAULT_INGREDIENT_WEIGHTS)
    if weights:
        unknown = set(weights) - set(wts)
        if unknown:
            raise ValueError(f"unknown ingredient weights: {sorted(unknown)}")
        wts.update({k: float(v) for k, v in weights.items()})
    if sum(abs(v) for v in wts.values()) == 0:
        raise ValueError("at least one ingredient weight must be non-zero")
    return wts

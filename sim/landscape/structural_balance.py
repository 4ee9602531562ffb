"""Structural balance diagnostics for signed networks of states.

Heider's balance theory, as formalised by Cartwright & Harary (1956), calls a triad
balanced when the product of its three signs is positive ("the friend of my friend is my
friend, the enemy of my enemy is my friend"). A signed network is balanced exactly when
it splits into two camps with friends inside and enemies across; the *frustration index*
of a partition counts the edges that break that rule. Axelrod & Bennett's landscape is the
weighted, size-aware version of the same idea, so these diagnostics let a user check how
far a landscape minimum (or the actual alignment) is from a perfectly balanced world.
"""

from __future__ import annotations

import numpy as np

from sim.landscape.theory import canonical_labels, move_deltas, tolerances, weights


def signs(propensity, threshold: float = 0.0) -> np.ndarray:
    """Signed adjacency (+1 friends, -1 enemies, 0 indifferent) from propensities.

    Ties with ``|p_ij| <= threshold`` count as absent edges.
    """
    p = np.asarray(propensity, dtype=float)
    if p.ndim != 2 or p.shape[0] != p.shape[1]:
        raise ValueError(f"a signed network must be a square matrix, got {p.shape}")
    out = np.where(p > threshold, 1, np.where(p < -threshold, -1, 0))
    np.fill_diagonal(out, 0)
    return out


def triad_balance(signed) -> dict[str, float]:
    """Count balanced and unbalanced triads among triads with all three edges signed.

    With ``A`` the sign matrix, ``trace(A^3) / 6`` is (balanced - unbalanced) and
    ``trace(|A|^3) / 6`` is the number of complete triads, so no loop over triples is
    needed.

    Returns:
        ``{"triads", "balanced", "unbalanced", "share_balanced"}``; the share is NaN when
        there is no complete triad.
    """
    a = signs(signed)
    if not np.allclose(a, a.T):
        raise ValueError("a signed network of alignments must be symmetric")
    af = a.astype(float)
    diff = np.trace(af @ af @ af) / 6.0
    total = np.trace(np.abs(af) @ np.abs(af) @ np.abs(af)) / 6.0
    balanced = (total + diff) / 2.0
    return {"triads": int(round(total)), "balanced": int(round(balanced)),
            "unbalanced": int(round(total - balanced)),
            "share_balanced": float(balanced / total) if total else float("nan")}


def balanced_triad_share(signed) -> float:
    """Share of complete signed triads that are balanced (NaN if there are none)."""
    return triad_balance(signed)["share_balanced"]


def frustration_index(signed, labels, weighted: bool = False) -> float:
    """Edges that contradict a partition: negative inside a bloc or positive across.

    Args:
        signed: sign matrix, or propensities when ``weighted`` (then each violating edge
            counts ``|p_ij|``).
        labels: bloc of every actor.
        weighted: weight violations by the magnitude of the entry.

    Returns:
        The (weighted) number of violating unordered pairs; 0 for a network that is
        perfectly balanced with respect to ``labels``.
    """
    m = np.asarray(signed, dtype=float)
    lab = np.asarray(labels)
    if m.shape != (lab.size, lab.size):
        raise ValueError(f"network is {m.shape} but the partition has {lab.size} actors")
    same = lab[:, None] == lab[None, :]
    bad = ((m < 0) & same) | ((m > 0) & ~same)
    np.fill_diagonal(bad, False)
    vals = np.abs(m) if weighted else np.ones_like(m)
    return float(np.triu(vals * bad, 1).sum())


def unstable_actors(sizes, propensity, labels, k: int | None = None) -> list[int]:
    """Actors who would lower their frustration by moving to another (or an empty) bloc."""
    w = weights(sizes, propensity)
    lab = canonical_labels(labels)
    k = int(k or max(2, int(lab.max()) + 1))
    n = lab.size
    delta = move_deltas(w, lab[None, :], k)[0]  # (n, k)
    tol = tolerances(w)
    return [i for i in range(n) if delta[i].min() < -tol[i]]


def is_stable(sizes, propensity, labels, k: int | None = None) -> bool:
    """True when no single state can lower its frustration by switching bloc."""
    return not unstable_actors(sizes, propensity, labels, k)


__all__ = ["signs", "triad_balance", "balanced_triad_share", "frustration_index",
           "unstable_actors", "is_stable"]

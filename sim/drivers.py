"""Why a pair moved: each side's weightiest utility components, as a line of text.

A change of level is explained by what each side's utility toward the other was made of
that year (its three weightiest weighted components) and by the component that moved
most since the year before. Large systems change thousands of pairs a year, so the
numbers are gathered for all changed pairs at once, and the text is built only when
someone reads the events (:mod:`sim.eventlog`).
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.utility import COMPONENTS

#: Components weaker than this are left out of the text; "indifferent" if none is stronger.
SHOWN = 0.005
#: A change smaller than this is not worth naming as what "moved most".
MOVED = 0.01
_NAMES = np.array(COMPONENTS, dtype=object)


def weighted_at(components: dict[str, np.ndarray], weights: dict[str, float], rows: np.ndarray,
                cols: np.ndarray) -> np.ndarray:
    """``(C, k)``: component c of ``rows[e]``'s utility toward ``cols[e]``, times its weight."""
    return np.stack([weights[c] * components[c][rows, cols] for c in COMPONENTS])


def side_texts(now: np.ndarray, before: np.ndarray | None, top: int = 3) -> list[str]:
    """One side's text per column of ``now`` (``(C, k)``): its ``top`` weightiest components,
    strongest first (ties in the order of ``COMPONENTS``), and what moved most since ``before``."""
    k = now.shape[1]
    order = np.argsort(-np.abs(now), axis=0, kind="stable")[:top]
    values = np.take_along_axis(now, order, axis=0)
    shown = np.abs(values) >= SHOWN
    ranks = [np.where(shown[r], _NAMES[order[r]] + np.array([f" {v:+.2f}" for v in values[r].tolist()], dtype=object),
                      "").tolist() for r in range(len(order))]
    texts = [", ".join(p for p in parts if p) or "indifferent" for parts in zip(*ranks)]
    if before is not None:
        delta = now - before
        most = np.argmax(np.abs(delta), axis=0)
        change = delta[most, np.arange(k)]
        for e in np.flatnonzero(np.abs(change) >= MOVED).tolist():
            texts[e] += f" (moved most: {COMPONENTS[most[e]]} {change[e]:+.2f})"
    return texts


def pair_drivers(ids: list[str], i: np.ndarray, j: np.ndarray, components: dict[str, np.ndarray],
                 weights: dict[str, float], previous: dict[str, np.ndarray] | None = None) -> list[str]:
    """For each pair ``(i[e], j[e])``: both sides' weightiest components toward each other,
    and (given last year's components) what moved most since last year."""
    texts = []
    for a, b in ((i, j), (j, i)):
        now = weighted_at(components, weights, a, b)
        before = weighted_at(previous, weights, a, b) if previous is not None else None
        texts.append([f"{ids[x]}: {t}" for x, t in zip(a.tolist(), side_texts(now, before))])
    return [f"{x}; {y}" for x, y in zip(*texts)]

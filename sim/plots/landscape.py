"""The figure of a landscape: every local minimum as a column of actors coloured by bloc,
next to the actual alignment when one is given.

A minimum's bloc numbers are arbitrary (bloc 0 of one minimum may be bloc 1 of the next),
so each column is relabelled to agree as far as possible with the actual alignment, or,
without one, with the lowest minimum: the same colour then means the same side across the
figure, and a cell whose colour differs from the actual column is an actor the minimum
misplaces.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.colors import ListedColormap
from scipy.optimize import linear_sum_assignment

from sim.plots.style import BLOC_COLOURS, panel_grid, save_png


def matched_labels(labels, target) -> np.ndarray:
    """``labels`` renamed so that as many actors as possible carry the same number as in ``target``.

    The renaming is one-to-one (the Hungarian method on the table of shared actors);
    blocs left without a partner get numbers after the target's.
    """
    from sim.landscape.partition import contingency

    labels, target = [str(v) for v in labels], [int(v) for v in target]
    own, theirs = np.unique(labels), np.unique([str(v) for v in target])
    rows, cols = linear_sum_assignment(contingency(labels, target), maximize=True)
    rename = {own[r]: int(theirs[c]) for r, c in zip(rows, cols)}
    spare = iter(range(max(target) + 1, max(target) + 1 + len(own)))
    return np.array([rename[a] if a in rename else rename.setdefault(a, next(spare)) for a in labels])


def draw_minima(result, ids: list[str], names: list[str], path: Path, title: str,
                actual: dict[str, str] | None = None, max_minima: int = 20) -> None:
    """One column per minimum (lowest energy left) and, with ``actual``, an "actual" column.

    Args:
        result: A landscape analysis (``minima`` with ``labels``, ``energy``, ``basin_share``).
        ids: Actor ids, in the order of the labels.
        names: Row labels.
        path: PNG to write.
        title: The landscape's name.
        actual: Actor id -> actual bloc name, or None.
        max_minima: Columns at most.
    """
    from sim.landscape.partition import misplaced

    mins = result.minima[:max_minima]
    truth = None
    if actual:
        blocs = sorted(set(actual.values()))
        truth = np.array([blocs.index(actual[a]) for a in ids])
    anchor = truth if truth is not None else np.asarray(mins[0].labels)
    columns = [matched_labels(m.labels, anchor) for m in mins]
    xlabels = [_minimum_label(i, m, None if truth is None else misplaced(list(m.labels), list(truth)))
               for i, m in enumerate(mins, start=1)]
    texts = [[chr(ord("A") + int(v)) for v in col] for col in columns]
    if truth is not None:
        columns.append(truth)
        xlabels.append("actual")
        texts.append([actual[a] for a in ids])
    grid = np.array(columns, dtype=float).T  # actors x columns
    colours = max(int(grid.max()) + 1, 2)
    fig, axes = panel_grid(1, 1, (max(1.15 * len(columns), 3.0), 0.3 * len(ids)), left=1.5,
                           right=0.15, top=0.85, bottom=0.8)
    ax = axes[0, 0]
    ax.imshow(grid, cmap=ListedColormap([BLOC_COLOURS[k % len(BLOC_COLOURS)] for k in range(colours)]),
              vmin=-0.5, vmax=colours - 0.5, aspect="auto", interpolation="nearest")
    ax.set_yticks(range(len(ids)), names, fontsize=9)
    ax.set_xticks(range(len(columns)), xlabels, fontsize=8)
    for c, column in enumerate(texts):
        for r, text in enumerate(column):
            ax.text(c, r, text, ha="center", va="center", fontsize=8, color="white", fontweight="bold")
    if truth is not None:  # a white gap sets the actual column apart from the minima
        ax.axvline(len(columns) - 1.5, color="white", lw=6)
    note = "minimum #1"
    if truth is not None:
        note = "the actual alignment:\n" + ", ".join(f"{chr(ord('A') + k)} {b}" for k, b in enumerate(blocs))
    fig.text(0.1 / fig.get_figwidth(), 1 - 0.06 / fig.get_figheight(),
             f"{title}\nlocal minima ({result.method}), lowest energy first\nsame colour = same side as {note}",
             fontsize=9, va="top")
    save_png(fig, path, dpi=110)


def _minimum_label(rank: int, minimum, wrong: int | None) -> str:
    share = f"{minimum.basin_share:.0%}" if minimum.share_se is None else \
        f"{minimum.basin_share:.0%}±{minimum.share_se:.0%}"
    text = f"#{rank}\nE={minimum.energy:.3g}\nbasin {share}"
    return text if wrong is None else f"{text}\n{wrong} misplaced"

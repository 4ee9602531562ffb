"""Figures of a validation: model against the reference, pair by pair, year by year.

Levels are ordinal, so both series are drawn as steps (there is nothing between
"cooperative" and "close partnership"), and the axes name the levels. The reference is a
broad pale band under the model's thin line, so that agreement shows as the line inside
the band rather than one series hiding the other.
"""

from __future__ import annotations

from math import ceil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from sim.levels import DE_FACTO_NAMES, DE_JURE_NAMES  # noqa: E402
from sim.plots.run import LEVEL_COLOURS  # noqa: E402

REFERENCE_COLOUR = "#f4a582"
MODEL_COLOUR = LEVEL_COLOURS[-1]
BAND_COLOUR = LEVEL_COLOURS[3]
SHORT_NAMES = {"de_facto": {-2: "militarised", -1: "tense", 0: "distant", 1: "cooperative",
                            2: "close", 3: "alliance"},
               "de_jure": {-1: "hostile", 0: "none", 1: "cooperation", 2: "partnership", 3: "alliance"}}
FULL_NAMES = {"de_facto": DE_FACTO_NAMES, "de_jure": DE_JURE_NAMES}


def _draw_pair(ax, rows: pd.DataFrame, dimension: str, runs: int, names: dict[int, str]) -> None:
    rows = rows.sort_values("year")
    ax.step(rows["year"], rows["ref"], where="mid", color=REFERENCE_COLOUR, lw=5, alpha=0.9,
            solid_capstyle="butt", zorder=1)
    if runs > 1:
        ax.fill_between(rows["year"], rows["sim_q10"], rows["sim_q90"], step="mid",
                        color=BAND_COLOUR, alpha=0.35, lw=0, zorder=0)
    ax.step(rows["year"], rows["sim_median"], where="mid", color=MODEL_COLOUR, lw=1.3, zorder=2)
    levels = sorted(names)
    ax.set_ylim(levels[0] - 0.5, levels[-1] + 0.5)
    ax.set_yticks(levels, [names[lv] for lv in levels])
    ax.grid(axis="y", alpha=0.25)


def _legend(runs: int) -> list:
    items = [Line2D([], [], color=REFERENCE_COLOUR, lw=5, label="reference"),
             Line2D([], [], color=MODEL_COLOUR, lw=1.3,
                    label="model (median of runs)" if runs > 1 else "model (one run)")]
    if runs > 1:
        items.append(Patch(color=BAND_COLOUR, alpha=0.35, label="10-90% of runs"))
    return items


def pair_grid(series: pd.DataFrame, path: Path, dimension: str, runs: int, title: str = "") -> None:
    """Every scored pair in one figure: a small panel per pair, reference against model."""
    d = series[series["dimension"] == dimension]
    pairs = sorted(set(zip(d["a"], d["b"])))
    if not pairs:
        return
    ncol = min(6, len(pairs))
    nrow = ceil(len(pairs) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(2.7 * ncol + 0.8, 1.55 * nrow + 1.0),
                             sharex=True, sharey=True, squeeze=False)
    names = SHORT_NAMES[dimension]
    for ax, (a, b) in zip(axes.flat, pairs):
        _draw_pair(ax, d[(d["a"] == a) & (d["b"] == b)], dimension, runs, names)
        ax.set_title(f"{a}-{b}", fontsize=10, pad=2)
        ax.tick_params(labelsize=8)
    for ax in axes.flat[len(pairs):]:
        ax.set_visible(False)
    fig.legend(handles=_legend(runs), loc="upper right", ncol=3, fontsize=10, frameon=False)
    fig.suptitle(title or f"{dimension.replace('_', ' ')} level, every pair: reference and model",
                 x=0.01, ha="left", fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.42 / fig.get_figheight()))
    fig.savefig(path, dpi=90)
    plt.close(fig)


def pair_figure(series: pd.DataFrame, a: str, b: str, path: Path, runs: int) -> bool:
    """One pair on both scales; False when the reference does not code the pair."""
    pair = series[(series["a"] == a) & (series["b"] == b)]
    if pair.empty:
        return False
    fig, axes = plt.subplots(2, 1, figsize=(8, 5.2), sharex=True)
    for ax, dim in zip(axes, ("de_facto", "de_jure")):
        rows = pair[pair["dimension"] == dim]
        if rows.empty:
            ax.text(0.5, 0.5, "not coded in the reference", ha="center", transform=ax.transAxes,
                    color="grey")
            continue
        _draw_pair(ax, rows, dim, runs, FULL_NAMES[dim])
        ax.set_ylabel(dim.replace("_", " "))
    axes[0].legend(handles=_legend(runs), loc="lower left", fontsize=9, ncol=3, frameon=False)
    axes[0].set_title(f"{a}-{b}: model against the reference")
    axes[1].set_xlabel("year")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True

"""Figures of a validation: model against the reference, pair by pair, year by year.

Each panel is :func:`sim.plots.style.draw_levels`: the reference a broad pale band, the
model (one run, or the median of the runs) a thin step inside it where they agree, the
ensemble's 10-90% spread a pale blue band, the axes naming the levels.
"""

from __future__ import annotations

from math import ceil
from pathlib import Path

import pandas as pd

from sim.plots.style import (SCALE_NAMES, draw_levels, figure_header, level_names_inches, levels_legend,
                             model_label, panel_grid, save_png, scale_label)


def _draw_pair(ax, rows: pd.DataFrame, scale: str, runs: int,
               xlim: tuple[float, float] | None = None) -> None:
    """One pair of a validation series (``ref``, ``sim_median``, ``sim_q10``, ``sim_q90``)."""
    rows = rows.sort_values("year")
    years = rows["year"]
    band = (years, rows["sim_q10"], rows["sim_q90"]) if runs > 1 else None
    draw_levels(ax, scale, model=(years, rows["sim_median"]), reference=(years, rows["ref"]),
                band=band, xlim=xlim)


def _legend(runs: int) -> list:
    return levels_legend(model_label(runs), band=runs > 1)


def pair_grid(series: pd.DataFrame, path: Path, dimension: str, runs: int, title: str = "") -> None:
    """Every scored pair in one figure: a small panel per pair, reference against model."""
    d = series[series["dimension"] == dimension]
    pairs = sorted(set(zip(d["a"], d["b"])))
    if not pairs:
        return
    ncol = min(6, len(pairs))
    nrow = ceil(len(pairs) / ncol)
    # Equal limits set on each panel, not shared axes: matplotlib's sharing costs time in the
    # square of the panels (two minutes for the Cold War's 400 pairs).
    fig, axes = panel_grid(nrow, ncol, (2.45, 1.15), left=level_names_inches() + 0.3, right=0.15, top=0.75,
                           bottom=0.35, gaps=(0.12, 0.4))
    span = (d["year"].min() - 0.5, d["year"].max() + 0.5)
    for ax, (a, b) in zip(axes.flat, pairs):
        _draw_pair(ax, d[(d["a"] == a) & (d["b"] == b)], dimension, runs, xlim=span)
        ax.set_title(f"{a}-{b}", fontsize=10, pad=2)
        ax.tick_params(labelsize=8)
        ax.label_outer()
    for ax in axes.flat[len(pairs):]:
        ax.set_visible(False)
    figure_header(fig, title or f"{scale_label(dimension)} level, every pair: reference and model",
                  _legend(runs), fontsize=12, legend_size=10)
    save_png(fig, path, dpi=90)


def pair_figure(series: pd.DataFrame, a: str, b: str, path: Path, runs: int, title: str | None = None) -> bool:
    """One pair on both scales; False when the reference does not code the pair. ``title``
    names the pair as the scenario does (default ``A-B``)."""
    pair = series[(series["a"] == a) & (series["b"] == b)]
    if pair.empty:
        return False
    fig, axes = panel_grid(2, 1, (5.4, 2.0), left=level_names_inches() + 0.55, right=0.2, top=0.85, bottom=0.5,
                           gaps=(0, 0.2), sharex=True)
    axes = axes[:, 0]
    for ax, scale in zip(axes, SCALE_NAMES):
        rows = pair[pair["dimension"] == scale]
        ax.set_ylabel(scale_label(scale))
        if rows.empty:
            ax.text(0.5, 0.5, "not coded in the reference", ha="center", transform=ax.transAxes,
                    color="grey")
            continue
        _draw_pair(ax, rows, scale, runs)
    axes[1].set_xlabel("year")
    figure_header(fig, f"{title or f'{a}-{b}'}: model against the reference", _legend(runs), fontsize=12, beside=False)
    save_png(fig, path, dpi=100)
    return True

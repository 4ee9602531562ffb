"""Figures of a run: the alignment heatmap, network snapshots and pair levels against the reference.

Everything draws with matplotlib's Agg backend into files; networks are laid out by capital
coordinates (longitude, latitude) so the picture reads like a map.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from sim.plots.style import (BLOC_COLOURS, LEVEL_CMAP, LEVEL_COLOURS, LEVEL_NAMES,  # noqa: E402
                             LEVEL_NORM, LONG_NAMES, MARK_COLOUR, NODE_EDGE, NODE_FACE, SCALE_NAMES,
                             draw_levels, figure_header, level_colour, levels_legend, model_label,
                             pair_rows, scale_label)

if TYPE_CHECKING:  # pragma: no cover
    from sim.run.simulate import RunResult

#: Beyond this spread of capitals (degrees) the map pulls outlying capitals in.
FISHEYE_SPREAD = 60.0
#: Radius (degrees) within which the fisheye map stays close to true scale.
FISHEYE_RADIUS = 12.0


def map_positions(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Where to draw each capital: true coordinates, or a fisheye view when they spread far.

    A regional system with a distant outside power (Central Asia with the United States)
    would otherwise be crushed into a corner. The fisheye keeps each capital's direction
    from the median capital and compresses its distance ``r`` to ``R * log(1 + r / R)``,
    nearly unchanged within ``R`` and strongly shortened far away.

    Returns:
        x, y and whether the fisheye was applied.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if max(np.ptp(lon), np.ptp(lat)) <= FISHEYE_SPREAD:
        return lon, lat, False
    cx, cy = np.median(lon), np.median(lat)
    dx, dy = lon - cx, lat - cy
    r = np.hypot(dx, dy)
    scale = np.ones_like(r)
    far = r > 0
    scale[far] = FISHEYE_RADIUS * np.log1p(r[far] / FISHEYE_RADIUS) / r[far]
    return cx + dx * scale, cy + dy * scale, True


def draw_network(ax, ids, lon, lat, power, de_facto, de_jure, blocs: dict[str, list[int]] | None = None,
                 title: str = "") -> None:
    """Draw one alignment network on ``ax``, laid out like a map of capitals.

    Node area grows with aggregate power; an edge's colour is the pair's de facto level
    (distant pairs are left out to keep the picture readable); an edge is dashed when the
    pair's de jure level exceeds its de facto level (and zero), the mark of a paper
    alliance. Each bloc draws a ring of its own colour around its members.
    """
    x, y, fisheye = map_positions(lon, lat)
    power = np.asarray(power, dtype=float)
    facto, jure = np.asarray(de_facto), np.asarray(de_jure)
    ii, jj = np.triu_indices(len(x), k=1)
    # A hostile pair without a treaty (de jure 0 over de facto -1) is not a paper one.
    paper = jure[ii, jj] > np.maximum(facto[ii, jj], 0)
    shown = (facto[ii, jj] != 0) | paper
    for i, j, dashed in zip(ii[shown], jj[shown], paper[shown]):
        level = int(facto[i, j])
        ax.plot([x[i], x[j]], [y[i], y[j]], color=level_colour(level), lw=1.0 + abs(level), zorder=1,
                linestyle="--" if dashed else "-")
    sizes = 80 + 900 * power / max(power.max(), 1e-9)
    handles = []
    for r, (name, rows) in enumerate(sorted((blocs or {}).items())):
        if not rows:
            continue
        colour = BLOC_COLOURS[r % len(BLOC_COLOURS)]
        ax.scatter(x[rows], y[rows], s=sizes[rows] * (1.6 + 0.5 * r), facecolors="none",
                   edgecolors=colour, linewidths=2, zorder=2)
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="none",
                              markeredgecolor=colour, markeredgewidth=2, label=str(name)))
    ax.scatter(x, y, s=sizes, c=NODE_FACE, edgecolors=NODE_EDGE, zorder=3)
    for k, name in enumerate(ids):
        ax.annotate(name, (x[k], y[k]), ha="center", va="center", fontsize=8, fontweight="bold", zorder=4)
    handles += [Line2D([], [], color=c, lw=2, label=f"{lv}: {nm}")
                for lv, c, nm in zip(range(-2, 4), LEVEL_COLOURS, LEVEL_NAMES) if lv != 0]
    handles.append(Line2D([], [], color="k", lw=1, linestyle="--", label="de jure > de facto"))
    ax.legend(handles=handles, fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if fisheye:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("west - east (distant capitals pulled in)")
        ax.set_ylabel("south - north")
    else:
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
    ax.set_title(title)
    pad_x = max(np.ptp(x) * 0.12, 2.0)
    pad_y = max(np.ptp(y) * 0.15, 2.0)
    ax.set_xlim(x.min() - pad_x, x.max() + pad_x)
    ax.set_ylim(y.min() - pad_y, y.max() + pad_y)


def heatmap(res: "RunResult", path: Path) -> None:
    """Pairs (rows) by years (columns), coloured by de facto level; dots mark de jure >= 2."""
    d = res.dyads
    pairs = d[["a", "b"]].drop_duplicates().apply(lambda r: f"{r.a}-{r.b}", axis=1).tolist()
    years = sorted(d.year.unique())
    F = d.de_facto.to_numpy().reshape(len(years), len(pairs)).T
    J = d.de_jure.to_numpy().reshape(len(years), len(pairs)).T
    fig, ax = plt.subplots(figsize=(max(6, 0.25 * len(years) + 3), max(3, 0.28 * len(pairs) + 1.5)))
    im = ax.imshow(F, aspect="auto", cmap=LEVEL_CMAP, norm=LEVEL_NORM, interpolation="nearest")
    yy, xx = np.nonzero(J >= 2)
    ax.scatter(xx, yy, s=6, c=MARK_COLOUR, marker="s", label="de jure >= 2")
    yy, xx = np.nonzero(J >= 3)
    ax.scatter(xx, yy, s=14, facecolors="none", edgecolors=MARK_COLOUR, marker="o", label="de jure 3")
    ax.set_yticks(range(len(pairs)), pairs, fontsize=7)
    step = max(1, len(years) // 12)
    ax.set_xticks(range(0, len(years), step), [str(y) for y in years[::step]], fontsize=7, rotation=45)
    cbar = fig.colorbar(im, ax=ax, ticks=range(-2, 4))
    cbar.ax.set_yticklabels([f"{k} {v}" for k, v in LONG_NAMES["de_facto"].items()], fontsize=7)
    ax.set_title(f"{res.scenario.name}: de facto alignment by pair and year (seed {res.seed})", fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.12), ncol=2, fontsize=7, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def snapshots(res: "RunResult", years: list[int], path: Path) -> None:
    m = res.model
    cols = min(3, len(years))
    rows = -(-len(years) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(6.4 * cols, 4.4 * rows), squeeze=False)
    for ax in axes.flat[len(years):]:
        ax.set_axis_off()
    for ax, year in zip(axes.flat, years):
        t = m.years.index(year)
        members = m.history["members"][t] & m.history["bloc_active"][t][None, :]
        blocs = {m.bloc_names[b]: list(np.nonzero(members[:, k])[0]) for k, b in enumerate(m.bloc_ids)}
        draw_network(ax, m.ids, m.inputs.lon[t], m.inputs.lat[t], m.inputs.power[t],
                     m.history["de_facto"][t], m.history["de_jure"][t], blocs, title=str(year))
    fig.suptitle(f"{res.scenario.name}: alignment network (edge colour = de facto level)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def level_lines(res: "RunResult", pairs: list[tuple[str, str]], path: Path) -> None:
    """Chosen pairs of one run against the reference: a row per pair, de facto and de jure side by side."""
    d = res.dyads
    ref = res.model.reference
    span = (min(res.years) - 0.5, max(res.years) + 0.5)
    fig, axes = plt.subplots(len(pairs), 2, figsize=(11, 1.45 * len(pairs) + 1.1), sharex=True,
                             squeeze=False)
    for row, (a, b) in zip(axes, pairs):
        rows = pair_rows(d, a, b)
        refs = pair_rows(ref, a, b) if ref is not None else None
        for ax, scale in zip(row, SCALE_NAMES):
            reference = (refs.year, refs[scale]) if refs is not None and len(refs) else None
            draw_levels(ax, scale, model=(rows.year, rows[scale]), reference=reference, xlim=span)
            ax.tick_params(labelsize=8)
        row[0].set_ylabel(f"{a}-{b}", fontsize=10, fontweight="bold")
    for ax, scale in zip(axes[0], SCALE_NAMES):
        ax.set_title(scale_label(scale), fontsize=10)
    for ax in axes[-1]:
        ax.set_xlabel("year")
    title = f"{res.scenario.name}: alignment levels of chosen pairs (seed {res.seed})"
    fig.tight_layout(rect=figure_header(fig, title, levels_legend(model_label(1), reference=ref is not None)))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def default_pairs(res: "RunResult", k: int = 5) -> list[tuple[str, str]]:
    """The scenario's chosen pairs, or the k pairs whose de facto level moved most."""
    if res.scenario.outputs.pairs:
        return [tuple(p) for p in res.scenario.outputs.pairs]
    d = res.dyads
    moves = d.groupby(["a", "b"]).de_facto.agg(lambda s: s.diff().abs().sum()).sort_values(ascending=False)
    return [tuple(p) for p in moves.index[:k]]


def default_snapshots(res: "RunResult") -> list[int]:
    if res.scenario.outputs.snapshots:
        return list(res.scenario.outputs.snapshots)
    years = res.years
    return sorted({years[0], years[len(years) // 2], years[-1]})


def draw_run_figures(res: "RunResult", folder: Path) -> dict[str, str]:
    """Draw every run figure into ``folder``; returns {figure: file name}."""
    files = {"heatmap": "alignment_heatmap.png", "network": "network_snapshots.png",
             "levels": "pair_levels.png"}
    heatmap(res, folder / files["heatmap"])
    snapshots(res, default_snapshots(res), folder / files["network"])
    level_lines(res, default_pairs(res), folder / files["levels"])
    return files

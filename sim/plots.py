"""Figures of a run: the alignment heatmap, network snapshots and level lines.

Everything draws with matplotlib's Agg backend into files; networks are laid out by capital
coordinates (longitude, latitude) so the picture reads like a map.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from sim.levels import DE_FACTO_NAMES  # noqa: E402

if TYPE_CHECKING:  # pragma: no cover
    from sim.run import RunResult

#: One colour per de facto level, -2 (militarised) .. 3 (active alliance).
LEVEL_COLOURS = ["#b2182b", "#ef8a62", "#d9d9d9", "#a6dba0", "#5aae61", "#1b7837"]
LEVEL_CMAP = ListedColormap(LEVEL_COLOURS)
LEVEL_NORM = BoundaryNorm(np.arange(-2.5, 4.5, 1.0), LEVEL_CMAP.N)


def level_colour(level: int) -> str:
    return LEVEL_COLOURS[int(level) + 2]


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
    ax.scatter(xx, yy, s=6, c="black", marker="s", label="de jure >= 2")
    yy, xx = np.nonzero(J >= 3)
    ax.scatter(xx, yy, s=14, facecolors="none", edgecolors="black", marker="o", label="de jure 3")
    ax.set_yticks(range(len(pairs)), pairs, fontsize=7)
    step = max(1, len(years) // 12)
    ax.set_xticks(range(0, len(years), step), [str(y) for y in years[::step]], fontsize=7, rotation=45)
    cbar = fig.colorbar(im, ax=ax, ticks=range(-2, 4))
    cbar.ax.set_yticklabels([f"{k} {v}" for k, v in DE_FACTO_NAMES.items()], fontsize=7)
    ax.set_title(f"{res.scenario.name}: de facto alignment by pair and year (seed {res.seed})", fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.12), ncol=2, fontsize=7, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def draw_network(ax, ids, names, lon, lat, power, de_facto, de_jure, members=None, bloc_ids=(),
                 title: str = "") -> None:
    """Draw one alignment network on ``ax`` laid out by capital coordinates."""
    g = nx.Graph()
    pos = {}
    for i, s in enumerate(ids):
        g.add_node(i, label=s)
        pos[i] = (float(lon[i]), float(lat[i]))
    n = len(ids)
    for i in range(n):
        for j in range(i + 1, n):
            f, dj = int(de_facto[i, j]), int(de_jure[i, j])
            if f != 0 or dj != 0:
                g.add_edge(i, j, level=f, paper=dj > max(f, 0))
    for dashed in (False, True):
        edges = [(u, v) for u, v, a in g.edges(data=True) if a["paper"] == dashed]
        if edges:
            nx.draw_networkx_edges(
                g, pos, edgelist=edges, ax=ax, style="dashed" if dashed else "solid",
                edge_color=[level_colour(g.edges[e]["level"]) for e in edges],
                width=[1.0 + abs(g.edges[e]["level"]) for e in edges])
    sizes = 200 + 2500 * np.asarray(power) / max(float(np.max(power)), 1e-9)
    ring_colours = plt.cm.tab10.colors
    if members is not None:
        for k, _ in enumerate(bloc_ids):
            inside = [i for i in range(n) if members[i, k]]
            if inside:
                nx.draw_networkx_nodes(g, pos, nodelist=inside, ax=ax, node_size=sizes[inside] + 250 + 180 * k,
                                       node_color="none", edgecolors=ring_colours[k % 10], linewidths=1.6)
    nx.draw_networkx_nodes(g, pos, ax=ax, node_size=sizes, node_color="#f7f7f7", edgecolors="#333333")
    nx.draw_networkx_labels(g, pos, labels={i: s for i, s in enumerate(ids)}, ax=ax, font_size=7)
    handles = [Line2D([0], [0], color=level_colour(lv), lw=2, label=f"{lv} {DE_FACTO_NAMES[lv]}")
               for lv in (-2, -1, 1, 2, 3)]
    handles.append(Line2D([0], [0], color="grey", lw=1.5, ls="--", label="de jure above de facto"))
    if members is not None:
        handles += [Line2D([0], [0], marker="o", color="none", markeredgecolor=ring_colours[k % 10],
                           markersize=9, label=b) for k, b in enumerate(bloc_ids) if members[:, k].any()]
    ax.legend(handles=handles, fontsize=6, loc="lower left", frameon=True)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("capital longitude")
    ax.set_ylabel("capital latitude")
    ax.margins(0.15)
    ax.tick_params(labelsize=7)
    ax.set_axis_on()


def snapshots(res: "RunResult", years: list[int], path: Path) -> None:
    m = res.model
    cols = len(years)
    fig, axes = plt.subplots(1, cols, figsize=(5.2 * cols, 4.6), squeeze=False)
    for ax, year in zip(axes[0], years):
        t = m.years.index(year)
        members = m.history["members"][t] & m.history["bloc_active"][t][None, :]
        draw_network(ax, m.ids, m.names, m.inputs.lon[t], m.inputs.lat[t], m.inputs.power[t],
                     m.history["de_facto"][t], m.history["de_jure"][t], members, m.bloc_ids, title=str(year))
    fig.suptitle(f"{res.scenario.name}: alignment network (edge colour = de facto level)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def level_lines(res: "RunResult", pairs: list[tuple[str, str]], path: Path) -> None:
    d = res.dyads
    ref = res.model.reference
    fig, axes = plt.subplots(len(pairs), 1, figsize=(7.5, 1.9 * len(pairs) + 0.6), sharex=True, squeeze=False)
    for ax, (a, b) in zip(axes[:, 0], pairs):
        rows = d[((d.a == a) & (d.b == b)) | ((d.a == b) & (d.b == a))]
        ax.step(rows.year, rows.de_facto, where="mid", color="#1b7837", lw=2, label="de facto (model)")
        ax.step(rows.year, rows.de_jure, where="mid", color="#2166ac", lw=1.5, ls="--", label="de jure (model)")
        if ref is not None:
            r = ref[((ref.a == a) & (ref.b == b)) | ((ref.a == b) & (ref.b == a))].sort_values("year")
            if len(r):
                ax.plot(r.year, r.de_facto, "o", ms=3, color="#1b7837", alpha=0.6, label="de facto (reference)")
                ax.plot(r.year, r.de_jure, "s", ms=3, mfc="none", color="#2166ac", alpha=0.6,
                        label="de jure (reference)")
        ax.set_ylim(-2.4, 3.4)
        ax.set_yticks(range(-2, 4))
        ax.grid(alpha=0.3)
        ax.set_ylabel(f"{a}-{b}", fontsize=8)
    axes[0, 0].legend(fontsize=7, ncol=2, loc="lower left")
    axes[-1, 0].set_xlabel("year")
    fig.suptitle(f"{res.scenario.name}: alignment levels of chosen pairs", fontsize=10)
    fig.tight_layout()
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

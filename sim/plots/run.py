"""Figures of a run: the alignment heatmap, network snapshots and pair levels against the reference.

Every figure is a plain :class:`matplotlib.figure.Figure` laid out from sizes in inches
(:func:`sim.plots.style.panel_grid`) and written by the Agg renderer: a run draws three
of them, and a user waits for the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from math import ceil
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.lines import Line2D

from sim.plots.draft import draw_over, render, write_rendered
from sim.plots.network import bloc_palette, draw_network, network_legend
from sim.levels import DE_FACTO_NAMES, DE_JURE_NAMES
from sim.plots.style import (LEVEL_CMAP, LEVEL_NORM, MARK_COLOUR, MARK_RIM, NOTE_COLOUR, SCALE_NAMES,
                             figure_header, level_axis, level_colour, level_names_inches, level_steps,
                             levels_legend, model_label, panel_grid, pair_rows, save_png, scale_label)
from sim.run.figure_data import FigurePlan, FigureRun, figure_run
from sim.run.outdir import RUN_FIGURES

if TYPE_CHECKING:  # pragma: no cover
    from sim.run.simulate import RunResult

#: How the heatmap marks a pair's de jure level over its de facto colour: a cross for a
#: hostile instrument (sanctions), a light ring for a partnership, a dark diamond for an
#: alliance. Shapes differ, not only fills, because at a cell's size a dark dot with a light
#: rim on navy reads as a ring; each has a light and a dark part, so it shows on every colour.
DE_JURE_MARKS = {
    -1: dict(marker="X", s=26, facecolors=MARK_COLOUR, edgecolors=MARK_RIM, linewidths=0.6),
    2: dict(marker="o", s=22, facecolors=MARK_RIM, edgecolors=MARK_COLOUR, linewidths=0.8),
    3: dict(marker="D", s=20, facecolors=MARK_COLOUR, edgecolors=MARK_RIM, linewidths=0.8),
}


def heatmap(res: "RunResult | FigureRun", path: Path) -> None:
    """Pairs (rows) by years (columns), coloured by de facto level; marks for de jure -1, 2 and 3."""
    res = figure_run(res)
    d = res.dyads
    pairs = (d.a + "-" + d.b).drop_duplicates().tolist()
    years = sorted(d.year.unique())
    facto = d.de_facto.to_numpy().reshape(len(years), len(pairs)).T
    jure = d.de_jure.to_numpy().reshape(len(years), len(pairs)).T
    row = float(np.clip(14.0 / len(pairs), 0.11, 0.2))  # inches: 14 in tall, or a readable label per row
    label_size = min(8.0, row * 72 * 0.8)
    left = 0.2 + 0.6 * label_size / 72 * max(map(len, pairs))  # room for the longest pair name
    fig, axes = panel_grid(1, 1, (max(7.0, 0.2 * len(years)), row * len(pairs)), left=left, right=0.2,
                           top=0.95, bottom=0.45)
    ax = axes[0, 0]
    ax.imshow(facto, aspect="auto", cmap=LEVEL_CMAP, norm=LEVEL_NORM, interpolation="nearest")
    marks = []
    for level, mark in DE_JURE_MARKS.items():
        yy, xx = np.nonzero(jure == level)
        if not len(xx):
            continue
        ax.scatter(xx, yy, **(mark | dict(s=mark["s"] * min(1.0, row / 0.2) ** 2)))
        marks.append(Line2D([], [], ls="", marker=mark["marker"], markersize=np.sqrt(mark["s"]),
                            markerfacecolor=mark["facecolors"], markeredgecolor=mark["edgecolors"],
                            markeredgewidth=mark["linewidths"], label=f"de jure {DE_JURE_NAMES[level]}"))
    ax.set_yticks(range(len(pairs)), pairs, fontsize=label_size)
    step = max(1, ceil(len(years) / 12))
    ax.set_xticks(range(0, len(years), step), [str(y) for y in years[::step]], fontsize=8)
    ax.set_xlim(-0.5, len(years) - 0.5)
    ax.set_ylim(len(pairs) - 0.5, -0.5)
    levels = [Line2D([], [], ls="", marker="s", markersize=9, markerfacecolor=level_colour(lv),
                     markeredgecolor="none", label=f"{lv} {DE_FACTO_NAMES[lv]}")
              for lv in DE_FACTO_NAMES]
    width = fig.get_figwidth()
    fig.text(0.1 / width, 1 - 0.08 / fig.get_figheight(), f"{res.name}: de facto level "
             f"by pair and year, marks for de jure (seed {res.seed})", fontsize=10, va="top")
    fig.legend(handles=levels + marks, loc="upper left", ncol=4, fontsize=8, frameon=False,
               bbox_to_anchor=(0.0, 1 - 0.3 / fig.get_figheight()), columnspacing=1.0,
               handletextpad=0.3, borderaxespad=0.2)
    save_png(fig, path, dpi=100)


def snapshots(res: "RunResult | FigureRun", years: list[int], path: Path) -> None:
    """The network in chosen years, one panel each, with one key for all of them."""
    m = figure_run(res)
    cols = min(3, len(years))
    rows = ceil(len(years) / cols)
    colours = bloc_palette(m.bloc_names[b] for b in m.bloc_ids)
    drawn = {"levels": set(), "dashed": False, "blocs": []}
    bloc_rows = ceil(len(colours) / 4) + (1 if colours else 0)  # with the key's title
    fig, axes = panel_grid(rows, cols, (4.6, 3.7), left=0.1, right=0.1, top=0.75,
                           bottom=0.75 + 0.2 * bloc_rows, gaps=(0.15, 0.35))
    for ax in axes.flat[len(years):]:
        ax.set_axis_off()
    for ax, year in zip(axes.flat, years):
        t = m.years.index(year)
        members = m.history["members"][t] & m.history["bloc_active"][t][None, :]
        blocs = {m.bloc_names[b]: list(np.nonzero(members[:, k])[0]) for k, b in enumerate(m.bloc_ids)}
        got = draw_network(ax, m.ids, m.lon[t], m.lat[t], m.power[t],
                           m.history["de_facto"][t], m.history["de_jure"][t], blocs, title=str(year),
                           bloc_colours=colours, legend=False)
        drawn = got | {"levels": drawn["levels"] | got["levels"], "dashed": drawn["dashed"] or got["dashed"],
                       "blocs": drawn["blocs"] + got["blocs"]}
    height = fig.get_figheight()
    fig.text(0.1 / fig.get_figwidth(), 1 - 0.08 / height, f"{m.name}: alignment network "
             f"(seed {m.seed})", fontsize=12, va="top")
    where = "distant capitals pulled in; " if drawn.get("fisheye") else ""
    fig.text(0.1 / fig.get_figwidth(), 1 - 0.34 / height, f"Capitals by longitude and latitude ({where}"
             "close ones spread apart); circle area = power; line colour = de facto level; squares "
             "under a capital = the blocs it belongs to", fontsize=9, va="top", color=NOTE_COLOUR)
    handles = network_legend(drawn, colours)
    lines = [h for h in handles if h.get_marker() != "s"]
    fig.legend(handles=lines, loc="lower left", ncol=len(lines), fontsize=9, frameon=False,
               bbox_to_anchor=(0.0, (0.15 + 0.2 * bloc_rows) / height), borderaxespad=0.2)
    if len(handles) > len(lines):
        fig.legend(handles=handles[len(lines):], loc="lower left", ncol=4, fontsize=9, frameon=False,
                   bbox_to_anchor=(0.0, 0.05 / height), borderaxespad=0.2, title="blocs", title_fontsize=9,
                   alignment="left")
    save_png(fig, path, dpi=90)


#: Resolution of the pair-levels figure.
LEVELS_DPI = 100


@dataclass(frozen=True)
class LevelsLayout:
    """All the pair-levels figure shows but the run's levels: a run's scenario fixes it."""

    title: str
    pairs: tuple[tuple[str, str], ...]
    span: tuple[float, float]
    reference: bool

    @classmethod
    def of(cls, name: str, seed: int, years, pairs, reference: bool) -> "LevelsLayout":
        """The layout of a run of scenario ``name`` over ``years`` with ``seed``."""
        return cls(f"{name}: alignment levels of chosen pairs (seed {seed})",
                   tuple((a, b) for a, b in pairs), (min(years) - 0.5, max(years) + 0.5), bool(reference))


class LevelsDraft:
    """The pair-levels figure drawn without its series (:mod:`sim.plots.draft`): a row per
    pair, de facto and de jure side by side, level axes, labels and key.

    The series (the reference as a broad step, the model as a thin one) lie inside their
    panels over the level guide lines only, so drawing them over this picture gives the
    pixels of the figure drawn whole. A draft is finished once.
    """

    def __init__(self, layout: LevelsLayout) -> None:
        self.layout = layout
        names = level_names_inches()  # the level names left of each panel
        fig, axes = panel_grid(len(layout.pairs), 2, (4.6, 1.1), left=names + 0.45, right=0.15, top=0.75,
                               bottom=0.45, gaps=(names + 0.3, 0.18))
        span = layout.span
        every_five = [y for y in range(int(span[0]) + 1, int(span[1]) + 1) if y % 5 == 0]
        for row, (a, b) in zip(axes, layout.pairs):
            for ax, scale in zip(row, SCALE_NAMES):
                level_axis(ax, scale)
                ax.set_xlim(*span)
                ax.tick_params(labelsize=8)
                ax.set_xticks(every_five if ax in axes[-1] else [])  # years under the bottom row only
            row[0].set_ylabel(f"{a}-{b}", fontsize=10, fontweight="bold")
        for ax, scale in zip(axes[0], SCALE_NAMES):
            ax.set_title(scale_label(scale), fontsize=10, pad=3)
        for ax in axes[-1]:
            ax.set_xlabel("year")
        figure_header(fig, layout.title, levels_legend(model_label(1), reference=layout.reference))
        render(fig, LEVELS_DPI)
        self.fig, self.axes = fig, axes
        self.finished = False

    def finish(self, res: FigureRun, path: Path) -> None:
        """Draw ``res``'s series over the draft and write the figure to ``path``."""
        if self.finished:
            raise RuntimeError("a pair-levels draft is finished once")
        self.finished = True
        d, ref = res.dyads, res.reference
        late = []
        for row, (a, b) in zip(self.axes, self.layout.pairs):
            rows = pair_rows(d, a, b)
            refs = pair_rows(ref, a, b) if ref is not None else None
            for ax, scale in zip(row, SCALE_NAMES):
                reference = (refs.year, refs[scale]) if refs is not None and len(refs) else None
                late.append((ax, level_steps(ax, model=(rows.year, rows[scale]), reference=reference)))
        for ax, artists in late:
            draw_over(ax, artists)
        write_rendered(self.fig, path)


def level_lines(res: "RunResult | FigureRun", pairs: list[tuple[str, str]], path: Path,
                draft: LevelsDraft | None = None) -> None:
    """Chosen pairs of one run against the reference: a row per pair, de facto and de jure side by side.

    ``draft`` is the figure drawn in advance from the scenario (:class:`LevelsDraft`); it is
    used if its layout is this run's, and the figure is drawn whole otherwise.
    """
    res = figure_run(res)
    layout = LevelsLayout.of(res.name, res.seed, res.years, pairs, res.reference is not None)
    if draft is None or draft.layout != layout or draft.finished:
        draft = LevelsDraft(layout)
    draft.finish(res, path)


def default_pairs(res: "RunResult | FigureRun", k: int = 5) -> list[tuple[str, str]]:
    """The scenario's chosen pairs, or the k pairs whose de facto level moved most."""
    res = figure_run(res)
    if res.pairs:
        return list(res.pairs)
    d = res.dyads
    moves = d.groupby(["a", "b"]).de_facto.agg(lambda s: s.diff().abs().sum()).sort_values(ascending=False)
    return [tuple(p) for p in moves.index[:k]]


def default_snapshots(res: "RunResult | FigureRun") -> list[int]:
    """The years of the network figure: the scenario's chosen years, or three spread over the
    run, and always the run's last year.

    The report's end-state table and the heatmap's last column are the run's last year; a
    network figure ending a year earlier would show a different end than they do (the
    historical scenario chose 2023 in a run to 2024), so that year is added when the chosen
    years leave it out.
    """
    res = figure_run(res)
    years = res.years
    if res.snapshots:
        return sorted(set(res.snapshots) | {years[-1]})
    return sorted({years[0], years[len(years) // 2], years[-1]})


def run_drafts(plan: FigurePlan) -> dict[str, LevelsDraft]:
    """The run figures drawn in advance from what the scenario fixes (:mod:`sim.plots.draft`),
    by name: the pair levels, when the scenario names its pairs."""
    if not plan.pairs:
        return {}
    return {"levels": LevelsDraft(LevelsLayout.of(plan.name, plan.seed, plan.years, plan.pairs, plan.reference))}


def draw_run_figure(res: "RunResult | FigureRun", name: str, folder: Path,
                    drafts: Mapping[str, LevelsDraft] | None = None) -> None:
    """Draw one run figure (a key of :data:`sim.run.outdir.RUN_FIGURES`) into ``folder``,
    finishing its draft from :func:`run_drafts` if there is one."""
    path = folder / RUN_FIGURES[name]
    if name == "heatmap":
        heatmap(res, path)
    elif name == "network":
        snapshots(res, default_snapshots(res), path)
    else:
        level_lines(res, default_pairs(res), path, draft=(drafts or {}).get("levels"))

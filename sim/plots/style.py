"""One picture for the whole project: the palette, the level scales and the pair-levels panel.

Every figure (run, validation, sweep and fit figures, and the browser page) takes its
colours and level names from here, so that "active alliance" is the same navy and
"militarised" the same red wherever a user meets it.

- Levels are ordinal: de facto -2..3, de jure -1..3 (:mod:`sim.levels`). They are drawn as
  steps centred on the year (there is nothing between "cooperative" and "close
  partnership"), and the axes name the levels instead of numbering them.
- The level palette is diverging: reds for hostility, grey for distance, blues for
  cooperation, so the eye reads sign first and strength second. A de jure level takes the
  colour of the de facto level with the same number.
- Against a reference, the reference is a broad pale orange step and the model a thin navy
  step drawn over it: where they agree the line runs inside the band, where they differ
  the band shows alone. An ensemble adds a pale blue 10-90% band.

:func:`draw_levels` draws one pair on one scale this way; the run figure
(``pair_levels.png``), the validation figures and the fit figure call it, and the browser
page draws the same picture as SVG (:mod:`sim.plots.page_levels`). :func:`panel_grid`
lays a figure out from sizes in inches and :func:`save_png` writes it: a run draws its
figures while the user waits.
"""

from __future__ import annotations

import functools

from collections.abc import Sequence

import numpy as np
from matplotlib.colors import BoundaryNorm, LinearSegmentedColormap, ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.levels import DE_FACTO_MAX, DE_FACTO_MIN, LEVEL_NAMES

# --------------------------------------------------------------------------- level scales

#: The two scales, by the column names the tables use.
SCALE_NAMES = tuple(LEVEL_NAMES)

#: Fontsize (points) of the level names on a level axis.
LEVEL_TICK_SIZE = 8.0


def scale_label(scale: str) -> str:
    """``"de_facto"`` -> ``"de facto"``."""
    return scale.replace("_", " ")


def text_inches(text: str, fontsize: float) -> float:
    """Width in inches of ``text`` set in the default font at ``fontsize`` points.

    Figures here lay out their margins in inches before drawing (:func:`panel_grid`); a
    margin that holds level names is measured from the names, so that it fits whatever
    :mod:`sim.levels` calls them.
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    return TextPath((0, 0), text, size=fontsize, prop=FontProperties()).get_extents().width / 72


@functools.cache
def level_names_inches(fontsize: float = LEVEL_TICK_SIZE) -> float:
    """Width in inches of the longest level name of either scale: the room a level axis's
    tick labels take left of its panel (measured once per size: the names are constants)."""
    return max(text_inches(name, fontsize) for names in LEVEL_NAMES.values() for name in names.values())


# --------------------------------------------------------------------------- palette

#: De facto levels -2..3: red, salmon, grey, light blue, blue, navy.
LEVEL_COLOURS = ["#b2182b", "#ef8a62", "#bdbdbd", "#92c5de", "#4393c3", "#053061"]
LEVEL_CMAP = ListedColormap(LEVEL_COLOURS)
LEVEL_NORM = BoundaryNorm(np.arange(DE_FACTO_MIN - 0.5, DE_FACTO_MAX + 1.5, 1.0), LEVEL_CMAP.N)

#: The model's series (one run, or the median of runs).
MODEL_COLOUR = LEVEL_COLOURS[-1]
#: The reference timeline: a broad pale band the model's line runs inside when it agrees.
REFERENCE_COLOUR = "#f4a582"
#: The spread of an ensemble (10-90% of runs).
BAND_COLOUR = LEVEL_COLOURS[3]
#: Its opacity, in the panels and in their legend alike.
BAND_ALPHA = 0.5
#: Further model series compared on one panel (e.g. "scenario as written" beside "fitted").
COMPARISON_COLOURS = ["#762a83", "#5aae61", "#878787"]
COMPARISON_STYLES = ["--", ":", "-."]

#: One colour per bloc (the squares under capitals on the maps, the sides of a landscape minimum);
#: also the colours of many series on one axes.
BLOC_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
                "#a6761d", "#666666"]
#: The split between training and test years of a fit.
SPLIT_COLOUR = LEVEL_COLOURS[0]
#: A figure's explanatory note under its title.
NOTE_COLOUR = "#404040"
#: Faint guide lines (one per level on a level axis).
GUIDE_COLOUR = "#e3e3e3"
#: Many series on one axes (e.g. one line per state): the bloc colours, then again dashed.
SERIES_STYLES = [dict(color=c, ls=ls) for ls in ("-", "--") for c in BLOC_COLOURS]
#: A state on a map: face and edge.
NODE_FACE, NODE_EDGE = "#fdd49e", "#7f2704"
#: The two sides of a pair (a toward b, b toward a), e.g. the why panel's bars.
SIDE_COLOURS = (LEVEL_COLOURS[4], LEVEL_COLOURS[1])
#: A marker drawn over level colours (the heatmap's de jure marks): dark with a light rim,
#: or light with a dark rim, so that it shows on navy as on pale grey.
MARK_COLOUR, MARK_RIM = "black", "white"
#: A treaty ahead of practice where the pair is "distant" in fact (the level grey is too pale
#: for a dashed line).
PAPER_COLOUR = "#525252"

#: Threat 0..1: white to the palette's hostile reds.
THREAT_CMAP = LinearSegmentedColormap.from_list("threat", ["#fff7f3", LEVEL_COLOURS[1], LEVEL_COLOURS[0]])
#: A share of runs 0..1 (e.g. the probability of cooperating): white to the cooperative blues.
SHARE_CMAP = LinearSegmentedColormap.from_list("share", ["#f7f7f7", LEVEL_COLOURS[3], LEVEL_COLOURS[5]])
#: Any other continuous metric (scores, fitted losses).
METRIC_CMAP = "viridis"


def series_style(k: int) -> dict:
    """Colour and line style of the k-th series on one axes (cycling after 16)."""
    return SERIES_STYLES[k % len(SERIES_STYLES)]


def level_colour(level: int) -> str:
    """The palette colour of a level (de facto and de jure share it)."""
    return LEVEL_COLOURS[int(level) - DE_FACTO_MIN]


# --------------------------------------------------------------------------- pair levels

def model_label(runs: int, name: str = "model") -> str:
    """How a model series is labelled: one run, or the median of several."""
    return f"{name} (one run)" if runs <= 1 else f"{name} (median of {runs} runs)"


def draw_levels(ax, scale: str, *, model=None, reference=None, band=None, others: Sequence = (),
                xlim: tuple[float, float] | None = None) -> None:
    """One pair on one scale: the reference as a broad pale step, the model as a thin step.

    Args:
        ax: Matplotlib axes.
        scale: ``"de_facto"`` or ``"de_jure"``; sets the y range and the level names.
        model: ``(years, levels)`` of the model (one run or the median of runs), or None.
        reference: ``(years, levels)`` of the reference timeline, or None. Missing years
            (NaN) leave a gap.
        band: ``(years, low, high)``: the spread of an ensemble, or None.
        others: ``(label, years, levels)`` of further model series, dashed, in
            :data:`COMPARISON_COLOURS`.
        xlim: The x range; default the data's.
    """
    level_steps(ax, model=model, reference=reference, band=band, others=others)
    level_axis(ax, scale)
    if xlim is not None:
        ax.set_xlim(*xlim)


def level_steps(ax, *, model=None, reference=None, band=None, others: Sequence = ()) -> list:
    """The series of :func:`draw_levels` without its axis (arguments as there).

    Returns:
        The artists added, in the order the axes draws them (by z-order), so that a
        figure drawn before its series (:mod:`sim.plots.draft`) can draw them over it.
    """
    added = []
    if reference is not None and len(reference[0]):
        added += ax.step(*_floats(reference), where="mid", color=REFERENCE_COLOUR, lw=5, alpha=0.9,
                         solid_capstyle="butt", zorder=1)
    if band is not None and len(band[0]):
        years, low, high = (np.asarray(v, dtype=float) for v in band)
        added.append(ax.fill_between(years, low, high, step="mid", color=BAND_COLOUR, alpha=BAND_ALPHA, lw=0,
                                     zorder=0))
    for k, (_, years, levels) in enumerate(others):
        added += ax.step(*_floats((years, levels)), where="mid", lw=1.2, zorder=4,
                         color=COMPARISON_COLOURS[k % len(COMPARISON_COLOURS)],
                         ls=COMPARISON_STYLES[k % len(COMPARISON_STYLES)])
    if model is not None and len(model[0]):
        added += ax.step(*_floats(model), where="mid", color=MODEL_COLOUR, lw=1.4, zorder=3)
    return sorted(added, key=lambda artist: artist.get_zorder())  # stable: as Axes.draw orders them


def level_axis(ax, scale: str) -> None:
    """A y axis over the whole scale, ticked with the level names of :mod:`sim.levels` (the
    names every table and report uses), with a faint line at each level (one collection,
    not a grid line per tick)."""
    table = LEVEL_NAMES[scale]
    levels = sorted(table)
    ax.set_ylim(levels[0] - 0.5, levels[-1] + 0.5)
    ax.set_yticks(levels, [table[lv] for lv in levels], fontsize=LEVEL_TICK_SIZE)
    ax.hlines(levels, 0, 1, transform=ax.get_yaxis_transform(), colors=GUIDE_COLOUR, lw=0.6, zorder=0)


def levels_legend(label: str = "model (one run)", *, reference: bool = True, band: bool = False,
                  others: Sequence[str] = ()) -> list:
    """Legend entries matching :func:`draw_levels`, in the order it draws."""
    items = [Line2D([], [], color=REFERENCE_COLOUR, lw=5, label="reference")] if reference else []
    items.append(Line2D([], [], color=MODEL_COLOUR, lw=1.4, label=label))
    for k, name in enumerate(others):
        items.append(Line2D([], [], lw=1.2, label=name,
                            color=COMPARISON_COLOURS[k % len(COMPARISON_COLOURS)],
                            ls=COMPARISON_STYLES[k % len(COMPARISON_STYLES)]))
    if band:
        items.append(Patch(color=BAND_COLOUR, alpha=BAND_ALPHA, label="10-90% of runs"))
    return items


def figure_header(fig, title: str, handles: list, *, fontsize: float = 11, legend_size: float = 9,
                  beside: bool = True) -> None:
    """A figure's title at the top left and its legend in one row: at the right of the title
    (``beside``) or under it. The panels are laid out below both by :func:`panel_grid`."""
    height = fig.get_figheight()
    top = 0.06
    fig.text(0.01, 1 - top / height, title, ha="left", va="top", fontsize=fontsize)
    title_height = 1.35 * fontsize / 72
    if beside:
        fig.legend(handles=handles, loc="upper right", bbox_to_anchor=(1.0, 1 - 0.02 / height),
                   ncol=len(handles), fontsize=legend_size, frameon=False, borderaxespad=0.2)
    else:
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 1 - (top + title_height) / height),
                   ncol=len(handles), fontsize=legend_size, frameon=False, borderaxespad=0.2)


def panel_grid(nrows: int, ncols: int, panel: tuple[float, float], *, left: float = 0.6, right: float = 0.2,
               top: float = 0.6, bottom: float = 0.5, gaps: tuple[float, float] = (0.3, 0.3), **subplot_kw):
    """A figure of equal panels laid out from sizes in inches, without ``tight_layout``.

    Every figure here knows its labels' sizes in advance, so margins set once replace the
    layout engines' measuring passes, which drew each figure two or three times over.

    Args:
        nrows, ncols: Panels down and across.
        panel: Width and height of one panel.
        left, right, top, bottom: Margins around the panels.
        gaps: Space between panels across and down.
        **subplot_kw: Passed to ``Figure.subplots`` (e.g. ``sharex``).

    Returns:
        The figure and a 2-D array of axes.
    """
    from matplotlib.figure import Figure

    width = left + right + ncols * panel[0] + (ncols - 1) * gaps[0]
    height = top + bottom + nrows * panel[1] + (nrows - 1) * gaps[1]
    fig = Figure(figsize=(width, height))
    axes = fig.subplots(nrows, ncols, squeeze=False, gridspec_kw=dict(
        left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height,
        wspace=gaps[0] / panel[0], hspace=gaps[1] / panel[1]), **subplot_kw)
    return fig, axes


#: How figures are written as PNG: light compression, as zlib's default level takes about
#: 1.5x as long to encode (20 ms more for the network snapshots) for files only a tenth smaller.
PNG_OPTIONS = {"compress_level": 1}


def save_png(fig, path, dpi: float) -> None:
    """Draw a figure and write it as PNG (:data:`PNG_OPTIONS`)."""
    fig.savefig(path, dpi=dpi, pil_kwargs=dict(PNG_OPTIONS))


def warm_up() -> None:
    """Import and load what every figure needs (the figure and Agg canvas classes, the PNG
    writer, the font) by drawing a word: a process that waits for a run's results draws
    its first figure as fast as its second (0.17 s sooner)."""
    import io

    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1))
    fig.text(0.5, 0.5, "alliance", fontsize=9)
    save_png(fig, io.BytesIO(), dpi=50)


def pair_rows(table, a: str, b: str):
    """The rows of one pair in a table keyed by ``a``, ``b`` (either order), by year."""
    rows = table[((table["a"] == a) & (table["b"] == b)) | ((table["a"] == b) & (table["b"] == a))]
    return rows.sort_values("year")


def _floats(series) -> tuple[np.ndarray, np.ndarray]:
    years, levels = series
    return np.asarray(years, dtype=float), np.asarray(levels, dtype=float)

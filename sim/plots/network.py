"""The alignment network as a map of capitals: who is allied, who is hostile, who belongs to which bloc.

Drawn for the run figure (``network_snapshots.png``); the browser page draws its own SVG
map (:mod:`sim.plots.page_map`) with the same level colours and :func:`fisheye`. The key:

- Capitals sit at their coordinates (a fisheye pulls distant ones in); capitals so close
  that their labels would collide are pushed apart just enough to read both.
- A line is drawn only where it says something: hostility (-1, -2), close partnership and
  alliance (2, 3) in the level colours, cooperation (1) as a thin pale line under them, and
  nothing for "distant" (0). A dashed line is a treaty ahead of practice (de jure above de
  facto) between states that share no bloc; inside a bloc the bloc marks already say it.
- Blocs are small coloured squares under each member, one colour per bloc for the whole
  figure, so five overlapping post-Soviet organisations around Moscow stay legible.

Everything is drawn with a handful of collections (one for the lines, one for the
capitals, one for the bloc marks) because a run draws six of these panels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.path import Path as MarkerPath
from matplotlib.transforms import IdentityTransform

from sim.levels import DE_FACTO_NAMES
from sim.plots.style import BLOC_COLOURS, MARK_RIM, NODE_EDGE, NODE_FACE, PAPER_COLOUR, level_colour

#: Beyond this spread of capitals (degrees) the map pulls outlying capitals in.
FISHEYE_SPREAD = 60.0
#: Radius (degrees) within which the fisheye map stays close to true scale.
FISHEYE_RADIUS = 12.0
#: Area (points^2) of the smallest and the largest capital's circle.
NODE_AREA = (90.0, 900.0)
#: Least distance (points) between two capitals' centres, so that their labels do not collide.
LABEL_GAP = 26.0
#: Side (points) of a bloc mark and the step between two marks under one capital.
MARK_SIDE, MARK_STEP = 6.0, 7.5
#: Line width (points) by de facto level; cooperation is thin and pale, and a treaty ahead of
#: a merely cooperative or distant practice is a medium dashed line.
EDGE_WIDTH = {-2: 2.2, -1: 1.6, 1: 0.8, 2: 2.2, 3: 3.4}
PAPER_WIDTH = 1.4
COOPERATION_ALPHA = 0.55
#: Above this many states, cooperation (the commonest level) is not drawn: hundreds of pale
#: lines would cover the map and hide the lines that matter.
COOPERATION_MAX_STATES = 12


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
    return (*fisheye(lon, lat, FISHEYE_RADIUS), True)


def fisheye(x: np.ndarray, y: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Distances ``r`` from the median point become ``radius * log(1 + r / radius)``; directions stay.

    Shared by the run figures' map and the browser page's (:mod:`sim.plots.page_map`), which
    differ only in the radius and in when they pull in.
    """
    cx, cy = np.median(x), np.median(y)
    dx, dy = x - cx, y - cy
    r = np.hypot(dx, dy)
    scale = np.ones_like(r)
    far = r > 0
    scale[far] = radius * np.log1p(r[far] / radius) / r[far]
    return cx + dx * scale, cy + dy * scale


def spread_apart(points: np.ndarray, gap: np.ndarray, rounds: int = 80) -> np.ndarray:
    """Push points apart until every pair is at least ``gap[i, j]`` away (in the points' units).

    Almaty and Bishkek are 200 km apart: on a map of Central Asia their circles and labels
    sit on top of each other. Each round moves every too-close pair apart along the line
    joining them by half of what is missing, which leaves well-separated capitals where
    they are and keeps the map's directions; coincident points are split along a fixed
    direction so the result does not depend on chance.
    """
    p = np.array(points, dtype=float)
    n = len(p)
    twin = np.triu(np.hypot(*(p[:, None, :] - p[None, :, :]).transpose(2, 0, 1)) < 1e-9, k=1)
    for i, j in zip(*np.nonzero(twin)):
        p[j] += 1e-3 * (j - i)
    for _ in range(rounds):
        d = p[:, None, :] - p[None, :, :]
        dist = np.hypot(d[..., 0], d[..., 1])
        np.fill_diagonal(dist, np.inf)
        short = np.clip(gap - dist, 0.0, None)
        if not short.any():
            break
        p += 0.5 * (d * (short / np.maximum(dist, 1e-9))[..., None]).sum(axis=1)
    return p


def edge_style(de_facto: np.ndarray, de_jure: np.ndarray, shared_bloc: np.ndarray):
    """Which pairs get a line, and how, weakest first (drawn first, so strong lines lie on top).

    Args:
        de_facto: n x n levels -2..3.
        de_jure: n x n levels -1..3.
        shared_bloc: n x n booleans, True where both states belong to one bloc.

    Returns:
        Arrays ``i``, ``j`` (the pair), ``level`` (de facto), ``dashed`` (a treaty ahead of
        practice outside a shared bloc), and lists of colours (RGBA) and widths.
    """
    n = len(de_facto)
    ii, jj = np.triu_indices(n, k=1)
    facto, jure = de_facto[ii, jj].astype(int), de_jure[ii, jj].astype(int)
    # A hostile pair without a treaty (de jure 0 over de facto -1) is not a paper one.
    dashed = (jure > np.maximum(facto, 0)) & ~shared_bloc[ii, jj]
    keep = (facto != 0) | dashed
    if n > COOPERATION_MAX_STATES:
        keep &= (facto != 1) | dashed
    order = np.argsort(np.abs(facto[keep]) + 0.5 * dashed[keep], kind="stable")
    ii, jj, facto, dashed = ii[keep][order], jj[keep][order], facto[keep][order], dashed[keep][order]
    colours = [to_rgba(PAPER_COLOUR) if lv == 0 else
               to_rgba(level_colour(lv), COOPERATION_ALPHA if lv == 1 and not d else 1.0)
               for lv, d in zip(facto, dashed)]
    widths = [PAPER_WIDTH if d and lv in (0, 1) else EDGE_WIDTH[lv] for lv, d in zip(facto, dashed)]
    return ii, jj, facto, dashed, colours, widths


def draw_network(ax, ids, lon, lat, power, de_facto, de_jure, blocs: Mapping[str, Sequence[int]] | None = None,
                 title: str = "", *, bloc_colours: Mapping[str, str] | None = None,
                 legend: bool = True) -> dict:
    """Draw one alignment network on ``ax``, laid out like a map of capitals.

    Args:
        ax: Matplotlib axes; its position in the figure should be final (the spacing of
            close capitals is worked out in points).
        ids: State ids, the labels.
        lon, lat: Capital coordinates.
        power: Aggregate power; a capital's circle area grows with it.
        de_facto, de_jure: n x n levels.
        blocs: Bloc name -> member rows, for the blocs active this year.
        title: Panel title (the year).
        bloc_colours: Bloc name -> colour, so a bloc keeps its colour across panels;
            default :func:`bloc_palette` of ``blocs``.
        legend: Draw the key on the axes (one panel); a figure of several panels draws one
            :func:`network_legend` for all of them instead.

    Returns:
        What was drawn, for the legend: ``levels`` (de facto levels of the solid lines),
        ``dashed`` (any dashed line), ``blocs`` (names), ``fisheye`` (distant capitals pulled
        in) and ``many`` (too many states to draw cooperation).
    """
    blocs = {k: list(v) for k, v in (blocs or {}).items() if len(v)}
    colours = dict(bloc_colours or bloc_palette(blocs))
    x, y, fisheye = map_positions(lon, lat)
    power = np.asarray(power, dtype=float)
    area = NODE_AREA[0] + (NODE_AREA[1] - NODE_AREA[0]) * power / max(power.max(), 1e-9)
    x, y = _place(ax, x, y, np.sqrt(area) / 2)
    n = len(x)
    shared = np.zeros((n, n), dtype=bool)
    for rows in blocs.values():
        shared[np.ix_(rows, rows)] = True
    ii, jj, facto, dashed, edge_colours, widths = edge_style(np.asarray(de_facto), np.asarray(de_jure), shared)
    ax.add_collection(LineCollection(
        np.stack([np.column_stack([x[ii], y[ii]]), np.column_stack([x[jj], y[jj]])], axis=1),
        colors=edge_colours, linewidths=widths,
        linestyles=[(0, (4, 2)) if d else "solid" for d in dashed], capstyle="butt", zorder=1))
    ax.scatter(x, y, s=area, c=NODE_FACE, edgecolors=NODE_EDGE, linewidths=0.8, zorder=3)
    _bloc_marks(ax, x, y, np.sqrt(area) / 2, blocs, colours)
    for k, name in enumerate(ids):
        ax.text(x[k], y[k], name, ha="center", va="center", fontsize=8, fontweight="bold", zorder=5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=12, fontweight="bold", pad=3)
    drawn = {"levels": set(facto[~dashed].tolist()), "dashed": bool(dashed.any()),
             "blocs": [b for b in colours if b in blocs], "fisheye": fisheye,
             "many": n > COOPERATION_MAX_STATES}
    if legend:
        ax.legend(handles=network_legend(drawn, colours), fontsize=8, loc="upper left",
                  bbox_to_anchor=(1.01, 1.0), borderaxespad=0, frameon=False)
    return drawn


def bloc_palette(names) -> dict[str, str]:
    """One colour per bloc name, in sorted order."""
    return {name: BLOC_COLOURS[k % len(BLOC_COLOURS)] for k, name in enumerate(sorted(names))}


def network_legend(drawn: Mapping, bloc_colours: Mapping[str, str]) -> list:
    """Legend entries for what :func:`draw_network` drew (one panel or the union of several):
    the levels whose lines appear, what "no line" and a dashed line mean, and the blocs."""
    items = [Line2D([], [], color=level_colour(lv), lw=EDGE_WIDTH[lv],
                    alpha=COOPERATION_ALPHA if lv == 1 else 1.0, label=DE_FACTO_NAMES[lv])
             for lv in (-2, -1, 1, 2, 3) if lv in drawn["levels"]]
    unlined = [1, 0] if drawn.get("many") else [0]
    items.append(Line2D([], [], color="none",
                        label="no line: " + ", ".join(DE_FACTO_NAMES[lv] for lv in unlined)))
    if drawn["dashed"]:
        items.append(Line2D([], [], color=PAPER_COLOUR, lw=PAPER_WIDTH, ls=(0, (4, 2)),
                            label="dashed: treaty ahead of practice\n(states in no common bloc)"))
    items += [Line2D([], [], marker="s", ls="", markersize=MARK_SIDE, color=bloc_colours[b], label=str(b))
              for b in bloc_colours if b in drawn["blocs"]]
    return items


def _place(ax, x, y, radius):
    """Set the axes' limits around the capitals and push apart capitals that would overlap."""
    pad_x, pad_y = max(np.ptp(x) * 0.1, 2.0), max(np.ptp(y) * 0.14, 2.0)
    ax.set_xlim(x.min() - pad_x, x.max() + pad_x)
    ax.set_ylim(y.min() - pad_y, y.max() + pad_y)
    width, height = ax.get_position().size * ax.figure.get_size_inches() * 72
    per_x = width / np.ptp(ax.get_xlim())
    per_y = height / np.ptp(ax.get_ylim())
    gap = np.maximum(radius[:, None] + radius[None, :] + 3.0, LABEL_GAP)
    start = np.column_stack([x * per_x, y * per_y])
    p = spread_apart(start, gap)
    moved = np.any(p != start, axis=1)  # the others keep their exact coordinates
    x, y = np.where(moved, p[:, 0] / per_x, x), np.where(moved, p[:, 1] / per_y, y)
    ax.set_xlim(min(ax.get_xlim()[0], x.min() - pad_x), max(ax.get_xlim()[1], x.max() + pad_x))
    ax.set_ylim(min(ax.get_ylim()[0], y.min() - pad_y), max(ax.get_ylim()[1], y.max() + pad_y))
    return x, y


def _bloc_marks(ax, x, y, radius, blocs: Mapping[str, list[int]], colours: Mapping[str, str]) -> None:
    """A row of small squares under each member capital, one per bloc, in the legend's order.

    The squares are one collection placed at the capitals (data) and shifted in points, so
    they stay under their capital whatever the axes' size.
    """
    paths, offsets, faces = [], [], []
    rows_of = {b: set(rows) for b, rows in blocs.items()}
    for k in range(len(x)):
        mine = [b for b in colours if k in rows_of.get(b, ())]
        for slot, b in enumerate(mine):
            dx = (slot - (len(mine) - 1) / 2) * MARK_STEP
            dy = -(radius[k] + 1.0 + MARK_SIDE / 2)
            paths.append(_square(dx, dy))
            offsets.append((x[k], y[k]))
            faces.append(colours[b])
    if paths:
        # sizes=[1] with an identity transform: the paths are in points, shifted from each capital.
        marks = PathCollection(paths, sizes=[1.0], offsets=offsets, offset_transform=ax.transData,
                               transform=IdentityTransform(), facecolors=faces, edgecolors=MARK_RIM,
                               linewidths=0.5, zorder=4)
        ax.add_collection(marks, autolim=False)


def _square(dx: float, dy: float) -> MarkerPath:
    h = MARK_SIDE / 2
    return MarkerPath([(dx - h, dy - h), (dx + h, dy - h), (dx + h, dy + h), (dx - h, dy + h), (dx - h, dy - h)],
                      closed=True)



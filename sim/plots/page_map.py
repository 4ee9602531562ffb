"""The browser page's map of alignments: capitals, the pairs that matter, blocs, the year.

Drawn as SVG (:mod:`sim.plots.svg`) so that a Step redraws it in milliseconds. What makes
it readable at a glance:

- Only pairs that say something get a line: hostility (-1, -2), close partnership and
  active alliance (2, 3), and treaties above practice (dashed). Cooperative pairs (level 1)
  are most pairs of a peaceful region, so they are drawn only when asked for; distant
  pairs (level 0) never are.
- Distances from the middle of the system are compressed (a distant Washington or Beijing
  comes in, the region spreads out), capitals that would still overlap are nudged apart,
  and each label takes the free spot around its capital that overlaps least with the
  labels already placed and with the capitals (Almaty and Bishkek sit 200 km apart).
- A state's blocs are arcs of one ring around it, one arc a bloc, so four blocs around
  Moscow are four colours side by side, not four rings inside each other; the legend
  names each bloc's members in words as well.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

import numpy as np

from sim.levels import DE_FACTO_NAMES
from sim.plots.network import fisheye
from sim.plots.style import BLOC_COLOURS, LEVEL_COLOURS, NODE_EDGE, NODE_FACE, level_colour
from sim.plots.svg import BODY_PX, element, group, svg

WIDTH, HEIGHT, MARGIN = 640.0, 460.0, 46.0
#: Dash pattern of a treaty above practice.
DASH = "7 5"
#: Eight spots around a capital for its label, tried in this order: (dx, dy, text anchor).
LABEL_SPOTS = [(1, 0, "start"), (-1, 0, "end"), (0.7, -0.7, "start"), (-0.7, -0.7, "end"),
               (0.7, 0.7, "start"), (-0.7, 0.7, "end"), (0, -1, "middle"), (0, 1, "middle")]


@dataclass(frozen=True)
class Bloc:
    """A bloc as the map shows it: its name, ring colour and member rows."""

    name: str
    colour: str
    members: tuple[int, ...]


def blocs_for_map(names: list[str], members: list[list[int]]) -> list[Bloc]:
    """Blocs with members, each with its colour (the order of ``names`` fixes the colours)."""
    return [Bloc(name, BLOC_COLOURS[k % len(BLOC_COLOURS)], tuple(rows))
            for k, (name, rows) in enumerate(zip(names, members)) if rows]


def shown_pairs(de_facto, de_jure, cooperative: bool = False) -> list[tuple[int, int, int, bool]]:
    """The pairs the map draws, as ``(i, j, de facto level, treaty above practice)``."""
    facto, jure = np.asarray(de_facto), np.asarray(de_jure)
    ii, jj = np.triu_indices(len(facto), k=1)
    level = facto[ii, jj]
    paper = jure[ii, jj] > np.maximum(level, 0)  # hostility without a treaty is not paper
    keep = paper | (level <= -1) | (level >= 2) | ((level == 1) & cooperative)
    return [(int(i), int(j), int(lv), bool(p)) for i, j, lv, p in zip(ii[keep], jj[keep], level[keep], paper[keep])]


def edge_width(level: int) -> float:
    """A pair's line width in pixels: stronger ties and deeper hostility draw thicker."""
    return 1.5 + abs(level)


def pixel_positions(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Capitals in pixels, north up, inside the margins.

    Longitude is shrunk by the cosine of the middle latitude, as on a map of the region (at
    45 degrees north a degree of longitude is 0.71 of one of latitude); then every
    distance from the median capital is compressed (:func:`pull_in`), so that a distant
    great power does not crush the region into a corner.
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    shrink = max(math.cos(math.radians(float(np.clip(np.median(lat), -70, 70)))), 0.3)
    x, y = pull_in(lon * shrink, lat)
    span = max(np.ptp(x), np.ptp(y) * (WIDTH - 2 * MARGIN) / (HEIGHT - 2 * MARGIN), 1e-9)
    scale = (WIDTH - 2 * MARGIN) / span
    px = WIDTH / 2 + (x - (x.min() + x.max()) / 2) * scale
    py = HEIGHT / 2 - (y - (y.min() + y.max()) / 2) * scale
    return px, py


#: Radius (degrees) within which the page's map stays close to true scale.
PULL_RADIUS = 3.0


def pull_in(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Distances ``r`` from the median capital become ``R * log(1 + r / R)``; directions stay.

    Nearly true within :data:`PULL_RADIUS` degrees, strongly shortened beyond: Washington
    and Beijing come in, and Central Asia's capitals, a few degrees apart, spread over the
    middle of the panel. (The run figures' map, :func:`sim.plots.network.map_positions`, pulls
    in only systems that spread over 60 degrees; the page needs its region legible always.)
    """
    return fisheye(np.asarray(x, dtype=float), np.asarray(y, dtype=float), PULL_RADIUS)


def spread_apart(px, py, reach, gap: float = 4.0, rounds: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Nudge capitals whose circles (with their bloc rings) overlap until they do not.

    Regional capitals are close next to a distant great power (Bishkek and Almaty, Dushanbe
    and Tashkent); each overlapping pair is pushed apart along the line between them, by
    half the overlap each, so every capital stays as near its place as it can.
    """
    x, y = np.array(px, dtype=float), np.array(py, dtype=float)
    for _ in range(rounds):
        moved = False
        for i in range(len(x)):
            for j in range(i + 1, len(x)):
                dx, dy = x[j] - x[i], y[j] - y[i]
                dist = math.hypot(dx, dy)
                need = reach[i] + reach[j] + gap
                if dist >= need:
                    continue
                ux, uy = (dx / dist, dy / dist) if dist > 1e-9 else (1.0, 0.0)
                push = (need - dist) / 2
                x[i], y[i], x[j], y[j] = x[i] - ux * push, y[i] - uy * push, x[j] + ux * push, y[j] + uy * push
                moved = True
        if not moved:
            break
    return x, y


def node_radii(power) -> np.ndarray:
    """Circle radius in pixels: area grows with aggregate power."""
    power = np.asarray(power, dtype=float)
    return 7.0 + 17.0 * np.sqrt(np.clip(power, 0, None) / max(power.max(), 1e-9))


def place_labels(ids: list[str], px, py, reach, bottom: float = HEIGHT) -> list[tuple[float, float, str]]:
    """Where each label goes: ``(x, y, anchor)``, biggest states first, overlaps avoided.

    ``reach`` is how far from the centre of each capital its label must start (past the
    circle and the bloc ring).
    """
    height = BODY_PX
    circles = [(px[k] - reach[k], py[k] - reach[k], px[k] + reach[k], py[k] + reach[k]) for k in range(len(ids))]
    placed: list[tuple[float, float, float, float]] = []
    out: list[tuple[float, float, str]] = [(0.0, 0.0, "middle")] * len(ids)
    for k in sorted(range(len(ids)), key=lambda k: -reach[k]):
        width = 0.66 * BODY_PX * len(ids[k])
        best = None
        for dx, dy, anchor in LABEL_SPOTS:
            x, y = px[k] + dx * (reach[k] + 3), py[k] + dy * (reach[k] + 3)
            left = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
            top = y - height / 2 + dy * height / 2
            box = (left, top, left + width, top + height)
            cost = 3 * sum(_overlap(box, b) for b in placed) + \
                sum(_overlap(box, c) for n, c in enumerate(circles) if n != k) + 5 * _outside(box, bottom)
            if best is None or cost < best[0] - 1e-6:
                best = (cost, box, (x, top + height / 2, anchor))
        placed.append(best[1])
        out[k] = best[2]
    return out


def map_svg(ids: list[str], names: list[str], lon, lat, power, de_facto, de_jure, blocs: list[Bloc],
            year: int, cooperative: bool = False) -> str:
    """The map of one year as SVG text."""
    radii = node_radii(power)
    ring = {k: [b for b in blocs if k in b.members] for k in range(len(ids))}
    reach = radii + np.array([6.0 if ring[k] else 1.0 for k in range(len(ids))])
    px, py = spread_apart(*pixel_positions(lon, lat), reach)
    px, py, height = _fit(px, py, reach)
    edges = [element("line", x1=px[i], y1=py[i], x2=px[j], y2=py[j], stroke=level_colour(lv),
                     stroke_width=edge_width(lv), stroke_dasharray=DASH if paper else None,
                     class_="edge", data_pair=f"{ids[i]}-{ids[j]}", data_level=lv)
             for i, j, lv, paper in shown_pairs(de_facto, de_jure, cooperative)]
    nodes = []
    for k, state in enumerate(ids):
        circle = element("circle", cx=px[k], cy=py[k], r=radii[k], fill=NODE_FACE, stroke=NODE_EDGE,
                         stroke_width=1.2)
        title = element("title", f"{names[k]} ({state})" + "".join(f"; {b.name}" for b in ring[k]))
        nodes.append(group(_bloc_arcs(px[k], py[k], radii[k] + 5, ring[k]) + [circle, title],
                           class_="state", data_state=state))
    spots = place_labels(ids, px, py, reach, height)
    labels = [element("text", ids[k], x=x, y=y, text_anchor=anchor, dominant_baseline="central",
                      font_weight="bold", paint_order="stroke", stroke="white", stroke_width=4,
                      class_="label") for k, (x, y, anchor) in enumerate(spots)]
    corner = element("text", str(year), x=10, y=34, font_size=30, font_weight="bold", fill=LEVEL_COLOURS[-1],
                     class_="map-year")
    return svg([corner, group(edges), group(nodes), group(labels)], WIDTH, height,
               f"Alignments in {year}", class_="alliance-map-svg")


def map_legend(blocs: list[Bloc], ids: list[str], cooperative: bool) -> str:
    """The map's legend as HTML at body size: lines, dashes, circles and each bloc's members."""
    items = []
    for level in (3, 2, 1, -1, -2):
        note = "" if level != 1 or cooperative else " (hidden: tick “Show cooperative pairs”)"
        items.append(_item(line_swatch(level_colour(level), edge_width(level)),
                           f"{level}: {DE_FACTO_NAMES[level]}{note}"))
    items.append(_item("<span class='swatch-none'>no line</span>", f"0: {DE_FACTO_NAMES[0]}"))
    items.append(_item(line_swatch(level_colour(1), edge_width(1), DASH),
                       "dashed: treaty above practice (de jure > de facto); colour = de facto level"))
    items.append(_item(f"<svg width='22' height='22'><circle cx='11' cy='11' r='9' fill='{NODE_FACE}' "
                       f"stroke='{NODE_EDGE}'/></svg>", "capital; circle area = aggregate power"))
    for b in blocs:
        chip = f"<svg width='34' height='12'><line x1='2' y1='6' x2='32' y2='6' stroke='{b.colour}' " \
               f"stroke-width='5'/></svg>"
        items.append(_item(chip, f"{b.name}: {', '.join(ids[k] for k in b.members)}", "bloc"))
    return f"<ul class='map-legend'>{''.join(items)}</ul>"


def _bloc_arcs(cx: float, cy: float, radius: float, blocs: list[Bloc]) -> list[str]:
    """One ring around a capital split into one arc per bloc (clockwise from the top)."""
    if len(blocs) == 1:
        return [element("circle", cx=cx, cy=cy, r=radius, fill="none", stroke=blocs[0].colour, stroke_width=4,
                        class_="bloc-arc")]
    out, step, gap = [], 360.0 / max(len(blocs), 1), 8.0
    for k, b in enumerate(blocs):
        a0, a1 = math.radians(k * step + gap / 2), math.radians((k + 1) * step - gap / 2)
        x0, y0 = cx + radius * math.sin(a0), cy - radius * math.cos(a0)
        x1, y1 = cx + radius * math.sin(a1), cy - radius * math.cos(a1)
        large = 1 if step - gap > 180 else 0
        out.append(element("path", d=f"M{x0:.1f},{y0:.1f} A{radius:.1f},{radius:.1f} 0 {large} 1 {x1:.1f},{y1:.1f}",
                           fill="none", stroke=b.colour, stroke_width=4, class_="bloc-arc"))
    return out


def _item(swatch: str, text: str, kind: str = "level") -> str:
    return f"<li class='legend-{kind}'>{swatch}<span>{escape(text)}</span></li>"


def line_swatch(colour: str, width: float, dash: str | None = None) -> str:
    """A short line in a legend, as inline SVG."""
    dashed = f" stroke-dasharray='{dash}'" if dash else ""
    return (f"<svg width='34' height='12'><line x1='1' y1='6' x2='33' y2='6' stroke='{colour}' "
            f"stroke-width='{width:g}'{dashed}/></svg>")


def _overlap(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _fit(px, py, reach) -> tuple[np.ndarray, np.ndarray, float]:
    """Shift and shrink the drawing to the width (nudging may push capitals out) and
    return the height it needs: no empty band above or below a flat region."""
    left, right = (px - reach).min(), (px + reach).max()
    scale = min(1.0, (WIDTH - 2 * MARGIN) / max(right - left, 1e-9))
    x = MARGIN + (px - left) * scale + ((WIDTH - 2 * MARGIN) - (right - left) * scale) / 2
    top = (py - reach).min()
    y = MARGIN + (py - top) * scale
    height = max(float((y + reach * scale).max()) + MARGIN * 0.8, 260.0)
    return x, y, height


def _outside(box, bottom: float = HEIGHT) -> float:
    inside = (max(box[0], 0.0), max(box[1], 0.0), min(box[2], WIDTH), min(box[3], bottom))
    area = (box[2] - box[0]) * (box[3] - box[1])
    return area - _overlap(box, inside)

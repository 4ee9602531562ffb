"""The browser page's pair panel: one pair's de facto and de jure levels by year, as SVG.

The same picture as :func:`sim.plots.style.draw_levels` (the run and validation figures):
levels are steps centred on the year under level names, the reference a broad pale band,
the model a thin navy step inside it where the two agree. Written as SVG text so that a
Step redraws it in milliseconds (see :mod:`sim.plots.svg`).
"""

from __future__ import annotations

import math

import numpy as np

from sim.levels import LEVEL_NAMES
from sim.plots.style import MARK_COLOUR, MODEL_COLOUR, REFERENCE_COLOUR, SCALE_NAMES, level_names_inches, scale_label
from sim.plots.svg import BODY_PX, element, group, linear, svg

#: The level names' size (px), and the room left of the panels: the longest name of
#: :mod:`sim.levels` as the default font sets it, and a browser's wider sans-serif some slack.
NAME_PX = BODY_PX - 1
LEFT = float(math.ceil(1.1 * 72 * level_names_inches(NAME_PX))) + 8
WIDTH = LEFT + 380.0
RIGHT, ROW = 10.0, 18.0
#: Vertical room above each panel (its title) and below the last one (the year axis).
TITLE, AXIS = 24.0, 30.0


def step_path(years, levels, x, y) -> str:
    """SVG path of levels drawn as steps centred on each year; a missing year leaves a gap."""
    parts, previous = [], None
    for year, level in zip(np.asarray(years, dtype=float), np.asarray(levels, dtype=float)):
        if math.isnan(level):
            previous = None
            continue
        if previous is None or year - previous != 1:
            parts.append(f"M{x(year - 0.5):.1f},{y(level):.1f}")
        else:
            parts.append(f"V{y(level):.1f}")
        parts.append(f"H{x(year + 0.5):.1f}")
        previous = year
    return "".join(parts)


def year_ticks(first: int, last: int, most: int = 9) -> list[int]:
    """Round years to tick, at most ``most`` of them."""
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100) if (last - first) / s <= most - 1)
    return [yr for yr in range(first, last + 1) if yr % step == 0] or [first]


def levels_svg(pair: str, years, levels: dict[str, list], span: tuple[int, int], now: int,
               reference: dict[str, tuple] | None = None) -> str:
    """One pair's levels on both scales, the model over the reference where there is one.

    Args:
        pair: ``"A-B"``, for the figure's label.
        years: The years the model has run so far.
        levels: Scale name -> the model's level each year.
        span: First and last year of the whole run (the x axis stays put as the run grows).
        now: The year shown (a thin vertical rule).
        reference: Scale name -> ``(years, levels)`` of the reference timeline, or None.
    """
    x = linear(span[0] - 0.5, span[1] + 0.5, LEFT, WIDTH - RIGHT)
    top, panels = 0.0, []
    for scale in SCALE_NAMES:
        names = LEVEL_NAMES[scale]
        low, high = min(names), max(names)
        height = ROW * (high - low + 1)
        y = linear(low - 0.5, high + 0.5, top + TITLE + height, top + TITLE)
        parts = [element("text", scale_label(scale), x=LEFT, y=top + 16, font_weight="bold")]
        for level, name in names.items():
            parts.append(element("line", x1=LEFT, x2=WIDTH - RIGHT, y1=y(level), y2=y(level), stroke=MARK_COLOUR,
                                 stroke_opacity=0.12))
            parts.append(element("text", name, x=LEFT - 6, y=y(level), text_anchor="end",
                                 dominant_baseline="central", font_size=NAME_PX))
        if reference is not None:
            parts.append(element("path", d=step_path(*reference[scale], x, y), fill="none", stroke=REFERENCE_COLOUR,
                                 stroke_width=7, stroke_opacity=0.9, class_="reference"))
        parts.append(element("path", d=step_path(years, levels[scale], x, y), fill="none", stroke=MODEL_COLOUR,
                             stroke_width=2, class_="model", data_scale=scale))
        parts.append(element("line", x1=x(now), x2=x(now), y1=y(high + 0.5), y2=y(low - 0.5), stroke=MODEL_COLOUR,
                             stroke_opacity=0.35, stroke_dasharray="3 3"))
        panels.append(group(parts, class_=f"scale-{scale}"))
        top += TITLE + height + 6
    axis = [element("text", str(yr), x=x(yr), y=top + 18, text_anchor="middle", font_size=BODY_PX - 1)
            for yr in year_ticks(*span)]
    return svg(panels + [group(axis, class_="years")], WIDTH, top + AXIS, f"{pair}: levels by year",
               class_="alliance-levels-svg")

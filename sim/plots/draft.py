"""Figures drawn in two passes: what the scenario fixes first, the run's lines over it.

A run's figure process imports matplotlib while the run imports Mesa and steps its model
(:mod:`sim.run.drawing`), and then waits for the results: most of a figure (panels,
level axes, tick labels, titles, the key) depends on the scenario alone and can be drawn
while it waits. When the results arrive only the run's own artists are drawn over that
picture (Matplotlib's blitting: :meth:`matplotlib.axes.Axes.draw_artist`), and the
picture is written as it is instead of being drawn again.

The PNG is byte for byte the one :func:`sim.plots.style.save_png` writes of the finished
figure when every late artist is drawn, in full drawing order, after everything it
overlaps: lines inside their axes, clear of the spines and tick marks, with a z-order above
everything drawn early in the same place. :func:`sim.plots.run.level_lines` meets this
(its model and reference steps lie inside the panels, over the level guide lines only);
the tests compare its file with a single-pass drawing.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
from matplotlib.backends.backend_agg import FigureCanvasAgg

from sim.plots.style import PNG_OPTIONS


def render(fig, dpi: float) -> FigureCanvasAgg:
    """Draw ``fig`` at ``dpi`` onto an Agg canvas of its own and return the canvas."""
    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    canvas.draw()
    return canvas


def draw_over(ax, artists) -> None:
    """Draw ``artists`` (already added to ``ax``) over the rendered picture, in order."""
    for artist in artists:
        ax.draw_artist(artist)


def write_rendered(fig, path: str | Path) -> None:
    """Write the figure's rendered canvas as PNG, as ``savefig`` writes it after drawing.

    This is what :meth:`matplotlib.backends.backend_agg.FigureCanvasAgg.print_png` does
    after its own draw: the same pixels, PNG options and metadata.
    """
    matplotlib.image.imsave(path, fig.canvas.buffer_rgba(), format="png", origin="upper", dpi=fig.dpi,
                            pil_kwargs=dict(PNG_OPTIONS))

"""Every figure of the project: run, validation and sweep figures, drawn with one palette and
one level scale (:mod:`sim.plots.style`, which the browser page uses too)."""
